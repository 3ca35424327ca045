//! Census cartographic boundary files (1:500,000 shapefiles, zipped): block groups and tracts
//! per state (`GENZ{year}/shp/cb_{year}_{SS}_bg_500k.zip`, `…_tract_500k.zip`), counties for
//! the nation (`cb_{year}_us_county_500k.zip`), as census.gov's "Cartographic Boundary Files –
//! Shapefile" page lists them. Each is cut to the area's counties and written as GeoJSON with
//! the shapefile's attributes and coordinates unchanged (NAD83, which METHOD.md §1 reads as is).

use std::io::Cursor;
use std::path::Path;

use geo::BoundingRect;

use crate::{Client, FetchError, Request, Source, Zipped, derived, record, write_atomically};

/// The levels written, and the area's bounding box (west, south, east, north).
pub(crate) struct Cut {
    pub levels: Vec<crate::config::Level>,
    pub bounds: (f64, f64, f64, f64),
}

pub(crate) fn fetch_levels(
    client: &Client,
    base: &str,
    request: &Request,
    counties: &[(String, String)],
    records: &mut Vec<Source>,
) -> Result<Cut, FetchError> {
    let (year, state) = (request.year, request.state.fips);
    let files = [
        ("block_group", format!("cb_{year}_{state}_bg_500k")),
        ("tract", format!("cb_{year}_{state}_tract_500k")),
        ("county", format!("cb_{year}_us_county_500k")),
    ];
    let prefixes: Vec<String> = counties
        .iter()
        .map(|(c, _)| format!("{state}{c}"))
        .collect();
    let mut levels = Vec::new();
    let mut bounds: Option<geo::Rect<f64>> = None;
    for (level, stem) in files {
        let url = format!("{base}/GENZ{year}/shp/{stem}.zip");
        let download = client.get(&url, &url, &[])?;
        let relative = format!("boundaries/{level}.geojson");
        let (kept, name_field, rect) = cut_to_counties(
            &download.path,
            &url,
            &prefixes,
            &request.out.join(&relative),
        )
        .inspect_err(|_| client.forget(&download))?;
        bounds = union(bounds, rect);
        let mut source = record(
            format!("Census {year} cartographic boundaries 1:500,000, {level} ({stem}.zip)"),
            &download,
            None,
        );
        source.derived.push(derived(
            &request.out,
            &relative,
            format!(
                "the {kept} features whose GEOID starts with {}, attributes and coordinates unchanged, as GeoJSON",
                prefixes.join(" or ")
            ),
        )?);
        records.push(source);
        levels.push(crate::config::Level {
            kind: level,
            boundaries: relative,
            name_field,
        });
    }
    let bounds = bounds.ok_or_else(|| {
        FetchError::Request("the boundary files hold no feature of the chosen counties".into())
    })?;
    Ok(Cut {
        levels,
        bounds: (
            bounds.min().x,
            bounds.min().y,
            bounds.max().x,
            bounds.max().y,
        ),
    })
}

/// How many features of the counties were written, the name field (`NAMELSAD`, or `NAME` in
/// files without it) and their bounds.
type Written = (usize, Option<String>, Option<geo::Rect<f64>>);

/// Writes the features of the counties.
fn cut_to_counties(
    zip_path: &Path,
    url: &str,
    prefixes: &[String],
    target: &Path,
) -> Result<Written, FetchError> {
    let bad = |message: String| FetchError::Reply {
        url: url.to_owned(),
        message,
    };
    let mut zipped = Zipped::open(zip_path, url)?;
    let shp_name = zipped
        .names()
        .into_iter()
        .find(|n| n.to_ascii_lowercase().ends_with(".shp"))
        .ok_or_else(|| bad("the zip holds no .shp file".into()))?;
    let stem = &shp_name[..shp_name.len() - 4];
    let mut member = |extension: &str| zipped.member(&format!("{stem}.{extension}"));
    let (shp, shx, dbf) = (member("shp")?, member("shx")?, member("dbf")?);
    let shapes = shapefile::ShapeReader::with_shx(Cursor::new(shp), Cursor::new(shx))
        .map_err(|e| bad(format!("{stem}.shp: {e}")))?;
    let table = shapefile::dbase::Reader::new(Cursor::new(dbf))
        .map_err(|e| bad(format!("{stem}.dbf: {e}")))?;
    let mut reader = shapefile::Reader::new(shapes, table);
    let mut features = Vec::new();
    let mut rect: Option<geo::Rect<f64>> = None;
    let mut has_namelsad = false;
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, attributes) = item.map_err(|e| bad(format!("feature {index}: {e}")))?;
        let geoid = match attributes.get("GEOID") {
            Some(shapefile::dbase::FieldValue::Character(Some(g))) => g.trim().to_owned(),
            _ => return Err(bad(format!("feature {index} has no GEOID"))),
        };
        if !prefixes.iter().any(|p| geoid.starts_with(p.as_str())) {
            continue;
        }
        let polygons = match shape {
            shapefile::Shape::Polygon(p) => geo::MultiPolygon::<f64>::try_from(p),
            other => {
                return Err(bad(format!(
                    "feature {geoid} is a {}, not a polygon",
                    other.shapetype()
                )));
            }
        }
        .map_err(|e| bad(format!("feature {geoid}: unreadable polygon: {e:?}")))?;
        rect = union(rect, polygons.bounding_rect());
        let mut properties = serde_json::Map::new();
        for (name, value) in attributes {
            has_namelsad |= name == "NAMELSAD";
            properties.insert(name, field_json(value));
        }
        features.push(geojson::Feature {
            bbox: None,
            // One part stays a Polygon, as GDAL reads the shapefile's feature.
            geometry: Some(geojson::Geometry::new(match polygons.0.as_slice() {
                [one] => geojson::GeometryValue::from(one),
                _ => geojson::GeometryValue::from(&polygons),
            })),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        });
    }
    let kept = features.len();
    if kept == 0 {
        return Err(bad(format!(
            "no feature whose GEOID starts with {}",
            prefixes.join(" or ")
        )));
    }
    let collection = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
    }
    let text = serde_json::to_vec(&collection)
        .map_err(|e| FetchError::io(target, std::io::Error::other(e)))?;
    write_atomically(target, &text)?;
    let name_field = Some(if has_namelsad { "NAMELSAD" } else { "NAME" }.to_owned());
    Ok((kept, name_field, rect))
}

/// The rectangle holding both (either may be absent).
fn union(a: Option<geo::Rect<f64>>, b: Option<geo::Rect<f64>>) -> Option<geo::Rect<f64>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(geo::Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )),
        (a, b) => a.or(b),
    }
}

fn field_json(value: shapefile::dbase::FieldValue) -> serde_json::Value {
    use serde_json::Value;
    use shapefile::dbase::FieldValue;
    match value {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) => Value::String(s.trim().to_owned()),
        FieldValue::Numeric(Some(n)) | FieldValue::Double(n) | FieldValue::Currency(n) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                Value::from(n as i64)
            } else {
                Value::from(n)
            }
        }
        FieldValue::Float(Some(f)) => Value::from(f64::from(f)),
        FieldValue::Integer(i) => Value::from(i),
        FieldValue::Logical(Some(b)) => Value::Bool(b),
        _ => Value::Null,
    }
}
