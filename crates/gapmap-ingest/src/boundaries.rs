//! District boundaries from GeoJSON or Shapefile, pure Rust, into `geo` multipolygons in
//! longitude/latitude.
//!
//! CRS: WGS84 (CRS84, EPSG:4326) and NAD83 (EPSG:4269) are passed through (METHOD.md §1: they
//! differ by under 2 m; the layer records which it was); EPSG:3857 is projected back to
//! longitude/latitude. Any other CRS is refused with what to do.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use geo::{Coord, MapCoords, MultiPolygon};
use serde_json::Value;

use crate::IngestError;

/// The coordinate reference system a layer was stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCrs {
    /// WGS84 longitude/latitude (EPSG:4326, OGC CRS84).
    Wgs84,
    /// NAD83 longitude/latitude (EPSG:4269), passed through unchanged.
    Nad83,
    /// WGS84 / Pseudo-Mercator metres (EPSG:3857), projected to longitude/latitude.
    WebMercator,
}

impl SourceCrs {
    /// The EPSG code.
    pub const fn epsg(self) -> u32 {
        match self {
            SourceCrs::Wgs84 => 4326,
            SourceCrs::Nad83 => 4269,
            SourceCrs::WebMercator => 3857,
        }
    }

    /// What was done to reach WGS84 longitude/latitude, for the metadata.
    pub const fn handling(self) -> &'static str {
        match self {
            SourceCrs::Wgs84 => "WGS84 longitude/latitude, unchanged",
            SourceCrs::Nad83 => {
                "NAD83 (EPSG:4269) longitude/latitude passed through unchanged as WGS84 (difference under 2 m, METHOD.md §1)"
            }
            SourceCrs::WebMercator => {
                "EPSG:3857 metres projected to WGS84 longitude/latitude (spherical inverse Mercator)"
            }
        }
    }
}

/// One district.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// The id field's value, as text.
    pub id: String,
    /// The name field's value (the id when no name field is given).
    pub name: String,
    /// Longitude/latitude polygons.
    pub geometry: MultiPolygon<f64>,
}

/// A district layer.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryLayer {
    /// The districts, in file order.
    pub features: Vec<Boundary>,
    /// The CRS the file was stored in.
    pub source_crs: SourceCrs,
}

/// Reads a `.geojson`/`.json` or `.shp` layer; `id_field` must be present and unique.
pub fn read_boundaries(
    path: &Path,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let layer = match extension.as_str() {
        "geojson" | "json" => read_geojson(path, id_field, name_field)?,
        "shp" => read_shapefile(path, id_field, name_field)?,
        _ => {
            return Err(IngestError::format(
                path,
                "unknown boundary format: give a .geojson or .shp file (other formats need the `gdal` feature)",
            ));
        }
    };
    if layer.features.is_empty() {
        return Err(IngestError::format(path, "the layer has no features"));
    }
    let mut seen = BTreeSet::new();
    for (index, feature) in layer.features.iter().enumerate() {
        if !seen.insert(feature.id.as_str()) {
            return Err(IngestError::Feature {
                path: path.to_owned(),
                feature: format!("{index} (`{}` = {})", id_field, feature.id),
                message: format!(
                    "the id `{}` is used by more than one feature; ids must be unique",
                    feature.id
                ),
            });
        }
    }
    Ok(layer)
}

/// Spherical inverse Web Mercator (EPSG:3857 → EPSG:4326).
fn inverse_web_mercator(c: Coord<f64>) -> Coord<f64> {
    const RADIUS: f64 = 6_378_137.0;
    Coord {
        x: (c.x / RADIUS).to_degrees(),
        y: (2.0 * (c.y / RADIUS).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
    }
}

fn crs_from_name(name: &str) -> Option<SourceCrs> {
    let upper = name.to_ascii_uppercase();
    if upper.contains("CRS84") || upper.ends_with(":4326") || upper.ends_with("::4326") {
        Some(SourceCrs::Wgs84)
    } else if upper.ends_with(":4269") {
        Some(SourceCrs::Nad83)
    } else if upper.ends_with(":3857") || upper.ends_with(":900913") || upper.ends_with(":102100") {
        Some(SourceCrs::WebMercator)
    } else {
        None
    }
}

fn unsupported_crs(path: &Path, crs: &str) -> IngestError {
    IngestError::format(
        path,
        format!(
            "unsupported CRS {crs}: without the `gdal` feature gapmap reads EPSG:4326, EPSG:4269 and EPSG:3857; build with `--features gdal` or convert the file (ogr2ogr -t_srs EPSG:4326)"
        ),
    )
}

fn property_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn read_geojson(
    path: &Path,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let collection: geojson::FeatureCollection = serde_json::from_reader(BufReader::new(file))
        .map_err(|e| IngestError::format(path, format!("not a GeoJSON FeatureCollection: {e}")))?;
    // RFC 7946 has no `crs`; the older 2008 spec and GDAL's RFC7946=NO output name one.
    let crs_name = collection
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|crs| crs.pointer("/properties/name"))
        .and_then(Value::as_str);
    let source_crs = match crs_name {
        None => SourceCrs::Wgs84,
        Some(name) => crs_from_name(name).ok_or_else(|| unsupported_crs(path, name))?,
    };
    let mut features = Vec::with_capacity(collection.features.len());
    for (index, feature) in collection.features.iter().enumerate() {
        let bad = |message: String| IngestError::Feature {
            path: path.to_owned(),
            feature: index.to_string(),
            message,
        };
        let id = feature
            .property(id_field)
            .and_then(property_text)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                let available: Vec<&str> = feature
                    .properties
                    .as_ref()
                    .map(|p| p.keys().map(String::as_str).take(20).collect())
                    .unwrap_or_default();
                bad(format!(
                    "no value for the id field `{id_field}`; the feature has the properties {}",
                    available.join(", ")
                ))
            })?;
        let name = match name_field {
            Some(field) => feature
                .property(field)
                .and_then(property_text)
                .ok_or_else(|| bad(format!("no value for the name field `{field}`")))?,
            None => id.clone(),
        };
        let geometry = feature
            .geometry
            .as_ref()
            .ok_or_else(|| bad(format!("feature `{id}` has no geometry")))?;
        let geometry: geo::Geometry<f64> = (&geometry.value)
            .try_into()
            .map_err(|e| bad(format!("feature `{id}`: unreadable geometry: {e}")))?;
        let polygons = match geometry {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            other => {
                return Err(bad(format!(
                    "feature `{id}` is a {}, not a Polygon or MultiPolygon",
                    geometry_name(&other)
                )));
            }
        };
        features.push(Boundary {
            id,
            name,
            geometry: to_lon_lat(polygons, source_crs),
        });
    }
    Ok(BoundaryLayer {
        features,
        source_crs,
    })
}

fn geometry_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::LineString(_) | geo::Geometry::Line(_) => "LineString",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        _ => "non-polygon geometry",
    }
}

fn to_lon_lat(polygons: MultiPolygon<f64>, crs: SourceCrs) -> MultiPolygon<f64> {
    match crs {
        SourceCrs::Wgs84 | SourceCrs::Nad83 => polygons,
        SourceCrs::WebMercator => polygons.map_coords(inverse_web_mercator),
    }
}

fn crs_from_prj(path: &Path) -> Result<SourceCrs, IngestError> {
    let prj_path = path.with_extension("prj");
    let wkt = std::fs::read_to_string(&prj_path).map_err(|_| {
        IngestError::format(
            path,
            format!(
                "no readable {}: without it the CRS is unknown; add the .prj that came with the shapefile",
                prj_path.display()
            ),
        )
    })?;
    let upper = wkt.to_ascii_uppercase();
    if upper.starts_with("PROJCS") {
        if upper.contains("MERCATOR_AUXILIARY_SPHERE")
            || upper.contains("PSEUDO-MERCATOR")
            || upper.contains("PSEUDO_MERCATOR")
        {
            return Ok(SourceCrs::WebMercator);
        }
        let name = wkt
            .split('"')
            .nth(1)
            .unwrap_or("a projected CRS")
            .to_owned();
        return Err(unsupported_crs(path, &name));
    }
    if upper.contains("NORTH_AMERICAN_1983") && !upper.contains("HARN") && !upper.contains("CSRS") {
        Ok(SourceCrs::Nad83)
    } else if upper.contains("WGS_1984") || upper.contains("WGS 84") {
        Ok(SourceCrs::Wgs84)
    } else {
        let name = wkt.split('"').nth(1).unwrap_or("an unknown CRS").to_owned();
        Err(unsupported_crs(path, &name))
    }
}

fn field_text(value: &shapefile::dbase::FieldValue) -> Option<String> {
    use shapefile::dbase::FieldValue;
    match value {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) => Some(s.trim().to_owned()),
        FieldValue::Numeric(Some(n)) | FieldValue::Double(n) | FieldValue::Currency(n) => {
            Some(number_text(*n))
        }
        FieldValue::Float(Some(f)) => Some(number_text(f64::from(*f))),
        FieldValue::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn read_shapefile(
    path: &Path,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
    let source_crs = crs_from_prj(path)?;
    let mut reader = shapefile::Reader::from_path(path)
        .map_err(|e| IngestError::format(path, format!("cannot read shapefile: {e}")))?;
    let mut features = Vec::new();
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let bad = |message: String| IngestError::Feature {
            path: path.to_owned(),
            feature: index.to_string(),
            message,
        };
        let (shape, record) = item.map_err(|e| bad(format!("cannot read: {e}")))?;
        let text = |field: &str| {
            record
                .get(field)
                .and_then(field_text)
                .filter(|s| !s.is_empty())
        };
        let id = text(id_field).ok_or_else(|| {
            let fields: Vec<String> = record.clone().into_iter().map(|(name, _)| name).collect();
            bad(format!(
                "no value for the id field `{id_field}`; the record has the fields {}",
                fields.join(", ")
            ))
        })?;
        let name = match name_field {
            Some(field) => {
                text(field).ok_or_else(|| bad(format!("no value for the name field `{field}`")))?
            }
            None => id.clone(),
        };
        let polygons = match shape {
            shapefile::Shape::Polygon(p) => MultiPolygon::<f64>::try_from(p),
            shapefile::Shape::PolygonM(p) => MultiPolygon::<f64>::try_from(p),
            shapefile::Shape::PolygonZ(p) => MultiPolygon::<f64>::try_from(p),
            other => {
                return Err(bad(format!(
                    "feature `{id}` is a {}, not a polygon",
                    other.shapetype()
                )));
            }
        }
        .map_err(|e| bad(format!("feature `{id}`: unreadable polygon: {e:?}")))?;
        features.push(Boundary {
            id,
            name,
            geometry: to_lon_lat(polygons, source_crs),
        });
    }
    Ok(BoundaryLayer {
        features,
        source_crs,
    })
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    #[test]
    fn web_mercator_origin_and_a_dc_point_invert_correctly() {
        let origin = inverse_web_mercator(Coord { x: 0.0, y: 0.0 });
        assert_relative_eq!(origin.x, 0.0);
        assert_relative_eq!(origin.y, 0.0);
        // -77.0365, 38.8977 (the White House) is x = -8575663.95, y = 4707028.55 in EPSG:3857
        // (x = R·λ, y = R·ln tan(π/4 + φ/2), R = 6378137).
        let white_house = inverse_web_mercator(Coord {
            x: -8_575_663.95,
            y: 4_707_028.55,
        });
        assert_relative_eq!(white_house.x, -77.0365, epsilon = 1e-7);
        assert_relative_eq!(white_house.y, 38.8977, epsilon = 1e-7);
    }

    #[test]
    fn geojson_crs_names_are_recognised() {
        assert_eq!(
            crs_from_name("urn:ogc:def:crs:OGC:1.3:CRS84"),
            Some(SourceCrs::Wgs84)
        );
        assert_eq!(
            crs_from_name("urn:ogc:def:crs:EPSG::4269"),
            Some(SourceCrs::Nad83)
        );
        assert_eq!(crs_from_name("EPSG:3857"), Some(SourceCrs::WebMercator));
        assert_eq!(crs_from_name("EPSG:2248"), None);
    }

    #[test]
    fn duplicated_ids_and_missing_id_fields_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("d.geojson");
        let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
        std::fs::write(
            &path,
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"id":"a"}},"geometry":{square}}},{{"type":"Feature","properties":{{"id":"a"}},"geometry":{square}}}]}}"#
            ),
        )
        .expect("write");
        let message = read_boundaries(&path, "id", None)
            .expect_err("duplicate id")
            .to_string();
        assert!(message.contains("feature 1"), "{message}");
        assert!(message.contains("more than one feature"), "{message}");
        let message = read_boundaries(&path, "GEOID", None)
            .expect_err("missing field")
            .to_string();
        assert!(
            message.contains("no value for the id field `GEOID`"),
            "{message}"
        );
        assert!(message.contains("id"), "{message}");
    }
}
