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

use geo::orient::Orient as _;
use geo::{Coord, MapCoords, MultiPolygon};
use rayon::prelude::*;
use serde_json::Value;

pub use crate::layer::{BoundaryLayer, SourceCrs};
pub use gapmap_core::Boundary;

use crate::IngestError;

/// Reads a district layer; `id_field` must be present and unique.
///
/// GeoJSON, Shapefile and a zipped Shapefile are read in pure Rust (`layer` picks a shapefile
/// inside a zip). With the `gdal` feature, any other OGR source (GeoPackage, FlatGeobuf, KML,
/// `/vsizip/...`) is read by GDAL, `layer` naming the OGR layer, and so is a GeoJSON or
/// Shapefile whose CRS the pure readers do not handle.
pub fn read_boundaries(
    path: &Path,
    layer: Option<&str>,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let pure = match extension.as_str() {
        "geojson" | "json" => Some(read_geojson(path, id_field, name_field)),
        "shp" => Some(read_shapefile(path, id_field, name_field)),
        "zip" if !path.to_string_lossy().starts_with("/vsi") => {
            Some(read_zipped_shapefile(path, layer, id_field, name_field))
        }
        _ => None,
    };
    let layer = match pure {
        Some(Ok(read)) => read,
        #[cfg(feature = "gdal")]
        Some(Err(IngestError::UnsupportedCrs { .. })) | None => {
            crate::ogr::read_ogr(path, layer, id_field, name_field)?
        }
        #[cfg(not(feature = "gdal"))]
        None => {
            return Err(IngestError::format(
                path,
                "unknown boundary format: give a .geojson, .shp or zipped shapefile (GeoPackage, FlatGeobuf, KML and others need the `gdal` feature: cargo build --features gdal)",
            ));
        }
        Some(Err(e)) => return Err(e),
    };
    if layer.features.is_empty() {
        return Err(IngestError::format(path, "the layer has no features"));
    }
    let mut layer = layer;
    let name = |index: usize, id: &str| format!("{index} (`{id_field}` = {id})");
    let bad = |index: usize, id: &str, message: String| IngestError::Feature {
        path: path.to_owned(),
        feature: name(index, id),
        message,
    };
    let mut seen = BTreeSet::new();
    for (index, feature) in layer.features.iter().enumerate() {
        if !seen.insert(feature.id.clone()) {
            return Err(bad(
                index,
                &feature.id,
                format!(
                    "the id `{}` is used by more than one feature; ids must be unique",
                    feature.id
                ),
            ));
        }
    }
    // Features are checked (and repaired) in parallel; the first error in file order wins.
    let checked: Vec<Result<Option<String>, String>> = layer
        .features
        .par_iter_mut()
        .map(|feature| check_geometry(&mut feature.geometry))
        .collect();
    for (index, result) in checked.into_iter().enumerate() {
        let id = &layer.features[index].id;
        if let Some(repair) = result.map_err(|m| bad(index, id, m))? {
            let repair = format!("{}, feature {}: {repair}", path.display(), name(index, id));
            layer.repairs.push(repair);
        }
    }
    Ok(layer)
}

/// Checks a district's geometry once it is in longitude/latitude: an empty geometry,
/// coordinates that are not longitude/latitude, or a polygon across the antimeridian are
/// errors; an invalid polygon (self-intersection, overlapping parts, a spike) is repaired with
/// geo's `MakeValid` and the union of its parts, and the repair is returned for the warnings.
/// The unsigned planar area a closed ring encloses.
trait RingArea {
    fn unsigned_area_of_ring(&self) -> f64;
}

impl RingArea for geo::LineString<f64> {
    fn unsigned_area_of_ring(&self) -> f64 {
        use geo::Area;
        geo::Polygon::new(self.clone(), Vec::new()).unsigned_area()
    }
}

fn check_geometry(geometry: &mut MultiPolygon<f64>) -> Result<Option<String>, String> {
    use geo::{Area, BoundingRect, MakeValid, Validation};
    // A bowtie's signed halves cancel, so emptiness is judged by extent, not by area.
    let empty = geometry.0.iter().all(|p| {
        p.exterior().0.len() < 4
            || p.bounding_rect()
                .is_none_or(|r| r.width() == 0.0 || r.height() == 0.0)
    });
    if empty {
        return Err(
            "the geometry is empty (no ring with an area): give the district its polygon or remove the feature".into(),
        );
    }
    let Some(bounds) = geometry.bounding_rect() else {
        return Err("the geometry has no coordinates".into());
    };
    let (min, max) = (bounds.min(), bounds.max());
    let finite = [min.x, min.y, max.x, max.y].iter().all(|v| v.is_finite());
    if !finite || min.x < -180.0 || max.x > 180.0 || min.y < -90.0 || max.y > 90.0 {
        return Err(format!(
            "coordinates reach ({:.6}, {:.6})–({:.6}, {:.6}), outside longitude −180…180 and latitude −90…90: the file is projected but does not say so; give its CRS (a `crs` member or a .prj) or reproject it (ogr2ogr -t_srs EPSG:4326)",
            min.x, min.y, max.x, max.y
        ));
    }
    if max.x - min.x > 180.0 {
        return Err(format!(
            "the district spans {:.1}° of longitude: it crosses the antimeridian; split it at ±180° (RFC 7946 §3.1.9)",
            max.x - min.x
        ));
    }
    if crate::validity::surely_valid(geometry) == Some(true) {
        return Ok(None);
    }
    let Err(problem) = geometry.check_validation() else {
        return Ok(None);
    };
    // A hole larger than its shell is not a small defect: repaired, the district becomes its
    // own complement (the ring between hole and shell), and a DC ward's did (issue #12).
    for (index, polygon) in geometry.0.iter().enumerate() {
        let shell = polygon.exterior().unsigned_area_of_ring();
        if let Some(hole) = polygon
            .interiors()
            .iter()
            .map(geo::LineString::unsigned_area_of_ring)
            .find(|hole| *hole > shell)
        {
            return Err(format!(
                "part {index} has a hole larger than its outer ring ({:.0}% of it): the rings are likely swapped (the outline stored as a hole) and no repair can tell which area is meant; fix the ring order in a GIS",
                hole / shell * 100.0
            ));
        }
    }
    let before = geometry.unsigned_area();
    let mut parts = Vec::new();
    for polygon in &geometry.0 {
        let valid = if polygon.is_valid() {
            MultiPolygon::new(vec![polygon.clone()])
        } else {
            polygon
                .make_valid()
                .map_err(|e| format!("the polygon is invalid ({problem}) and cannot be repaired ({e}); fix it in a GIS"))?
        };
        parts.extend(valid.orient(geo::orient::Direction::Default).0);
    }
    let repaired = geo::unary_union(parts.iter());
    if repaired.0.is_empty() || !repaired.is_valid() {
        return Err(format!(
            "the polygon is invalid ({problem}) and its repair is not valid either; fix it in a GIS"
        ));
    }
    let after = repaired.unsigned_area();
    *geometry = repaired;
    Ok(Some(format!(
        "invalid geometry ({problem}), repaired: area {:+.2}% after the repair",
        (after - before) / before * 100.0
    )))
}

/// Whether every position of a GeoJSON geometry has at least two finite numbers.
fn positions_are_complete(value: &geojson::GeometryValue) -> bool {
    use geojson::GeometryValue as G;
    let ok = |p: &geojson::Position| {
        p.as_slice().len() >= 2 && p.as_slice().iter().all(|v| v.is_finite())
    };
    match value {
        G::Point { coordinates } => ok(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => coordinates.iter().all(ok),
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => {
            coordinates.iter().flatten().all(ok)
        }
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().all(ok),
        G::GeometryCollection { geometries } => {
            geometries.iter().all(|g| positions_are_complete(&g.value))
        }
    }
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
    IngestError::UnsupportedCrs {
        path: path.to_owned(),
        crs: crs.to_owned(),
    }
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
    let bytes = std::fs::read(path).map_err(|e| IngestError::io(path, e))?;
    let collection: geojson::FeatureCollection =
        serde_json::from_slice(crate::table::without_bom(&bytes)).map_err(|e| {
            IngestError::format(path, format!("not a GeoJSON FeatureCollection: {e}"))
        })?;
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
        // geojson 1.0 indexes positions [0] and [1] unchecked when converting: a position
        // with fewer than two numbers would panic there (found by the geojson fuzz target).
        if !positions_are_complete(&geometry.value) {
            return Err(bad(format!(
                "feature `{id}`: a position has fewer than two numbers (longitude, latitude) or a number that is not finite"
            )));
        }
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
        repairs: Vec::new(),
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
        SourceCrs::Wgs84 | SourceCrs::Nad83 | SourceCrs::Reprojected(_) => polygons,
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
    crs_from_wkt(path, &wkt)
}

/// The CRS named by a .prj's WKT, among those the pure-Rust readers handle.
fn crs_from_wkt(path: &Path, wkt: &str) -> Result<SourceCrs, IngestError> {
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
    let reader = shapefile::Reader::from_path(path)
        .map_err(|e| IngestError::format(path, format!("cannot read shapefile: {e}")))?;
    shapefile_features(reader, path, source_crs, id_field, name_field)
}

/// A shapefile inside a zip archive, read in memory: the `.shp` (the one named `layer`, or the
/// only one) with its `.shx`, `.dbf` and `.prj`.
fn read_zipped_shapefile(
    path: &Path,
    layer: Option<&str>,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
    use std::io::{Cursor, Read};
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|source| IngestError::Zip {
            path: path.to_owned(),
            source,
        })?;
    let mut names = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|source| IngestError::Zip {
            path: path.to_owned(),
            source,
        })?;
        let name = entry
            .name()
            .map_err(|source| IngestError::Zip {
                path: path.to_owned(),
                source,
            })?
            .into_owned();
        names.push(name);
    }
    let shapes: Vec<&String> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".shp") && !crate::table::is_mac_metadata(n))
        .collect();
    let stem_of = |name: &str| name[..name.len() - 4].to_owned();
    let chosen = match (layer, shapes.as_slice()) {
        (Some(layer), _) => shapes
            .iter()
            .find(|n| {
                Path::new(n.as_str())
                    .file_stem()
                    .is_some_and(|s| s == layer)
            })
            .map(|n| stem_of(n))
            .ok_or_else(|| {
                IngestError::format(
                    path,
                    format!(
                        "no layer `{layer}` in the zip; it holds {}",
                        names.join(", ")
                    ),
                )
            })?,
        (None, [one]) => stem_of(one),
        (None, []) => return Err(IngestError::format(path, "the zip holds no .shp file")),
        (None, many) => {
            return Err(IngestError::format(
                path,
                format!(
                    "the zip holds several shapefiles ({}); name one with `layer`",
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    let mut member = |extension: &str| -> Result<Option<Vec<u8>>, IngestError> {
        let wanted = format!("{chosen}.{extension}");
        let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(&wanted)) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        archive
            .by_name(name)
            .map_err(|source| IngestError::Zip {
                path: path.to_owned(),
                source,
            })?
            .read_to_end(&mut bytes)
            .map_err(|e| IngestError::io(path, e))?;
        Ok(Some(bytes))
    };
    let missing = |what: &str| {
        IngestError::format(
            path,
            format!("the zip has no {chosen}.{what} beside {chosen}.shp"),
        )
    };
    let shp = member("shp")?.ok_or_else(|| missing("shp"))?;
    let shx = member("shx")?.ok_or_else(|| missing("shx"))?;
    let dbf = member("dbf")?.ok_or_else(|| missing("dbf"))?;
    let prj = member("prj")?.ok_or_else(|| missing("prj (without it the CRS is unknown)"))?;
    let source_crs = crs_from_wkt(path, &String::from_utf8_lossy(&prj))?;
    let shapes = shapefile::ShapeReader::with_shx(Cursor::new(shp), Cursor::new(shx))
        .map_err(|e| IngestError::format(path, format!("cannot read {chosen}.shp: {e}")))?;
    let records = shapefile::dbase::Reader::new(Cursor::new(dbf))
        .map_err(|e| IngestError::format(path, format!("cannot read {chosen}.dbf: {e}")))?;
    shapefile_features(
        shapefile::Reader::new(shapes, records),
        path,
        source_crs,
        id_field,
        name_field,
    )
}

fn shapefile_features<T: std::io::Read + std::io::Seek, D: std::io::Read + std::io::Seek>(
    mut reader: shapefile::Reader<T, D>,
    path: &Path,
    source_crs: SourceCrs,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
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
        repairs: Vec::new(),
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
        let message = read_boundaries(&path, None, "id", None)
            .expect_err("duplicate id")
            .to_string();
        assert!(message.contains("feature 1"), "{message}");
        assert!(message.contains("more than one feature"), "{message}");
        let message = read_boundaries(&path, None, "GEOID", None)
            .expect_err("missing field")
            .to_string();
        assert!(
            message.contains("no value for the id field `GEOID`"),
            "{message}"
        );
        assert!(message.contains("id"), "{message}");
    }
}

/// The real district layers bundled in `data/dc/districts/`.
#[cfg(test)]
mod real_layers {
    use std::io::Write;
    use std::path::PathBuf;

    use geo::BoundingRect;

    use super::*;

    fn data(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/dc")
            .join(path)
    }

    fn inside_dc(layer: &BoundaryLayer) -> bool {
        layer.features.iter().all(|f| {
            let r = f.geometry.bounding_rect().expect("non-empty");
            r.min().x > -77.12 && r.max().x < -76.90 && r.min().y > 38.79 && r.max().y < 39.0
        })
    }

    #[test]
    fn wards_of_2012_in_web_mercator_are_read_as_longitude_latitude() {
        let layer = read_boundaries(
            &data("districts/wards_2012/Wards_from_2012.shp"),
            None,
            "WARD",
            Some("NAME"),
        )
        .expect("the 2012 wards");
        assert_eq!(layer.source_crs, SourceCrs::WebMercator);
        assert_eq!(layer.features.len(), 8);
        let mut ids: Vec<&str> = layer.features.iter().map(|f| f.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(
            ids,
            ["1", "2", "3", "4", "5", "6", "7", "8"],
            "numeric WARD read as text without .0"
        );
        assert!(inside_dc(&layer));
    }

    #[test]
    fn a_zipped_shapefile_reads_like_the_unzipped_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let zip_path = dir.path().join("wards_2012.zip");
        let mut writer = zip::ZipWriter::new(File::create(&zip_path).expect("zip"));
        for extension in ["shp", "shx", "dbf", "prj", "cpg"] {
            let bytes = std::fs::read(data(&format!(
                "districts/wards_2012/Wards_from_2012.{extension}"
            )))
            .expect("member");
            writer
                .start_file(
                    format!("Wards_from_2012.{extension}"),
                    zip::write::SimpleFileOptions::default(),
                )
                .expect("member");
            writer.write_all(&bytes).expect("write");
        }
        writer.finish().expect("zip");
        let zipped =
            read_boundaries(&zip_path, None, "WARD", Some("NAME")).expect("zipped shapefile");
        let plain = read_boundaries(
            &data("districts/wards_2012/Wards_from_2012.shp"),
            None,
            "WARD",
            Some("NAME"),
        )
        .expect("shapefile");
        assert_eq!(zipped, plain);
        let message = read_boundaries(&zip_path, Some("Wards_from_2022"), "WARD", None)
            .expect_err("no such layer")
            .to_string();
        assert!(message.contains("Wards_from_2012.shp"), "{message}");
    }

    #[cfg(not(feature = "gdal"))]
    #[test]
    fn another_projection_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().expect("temp dir");
        for extension in ["shp", "shx", "dbf"] {
            std::fs::copy(
                data(&format!("districts/wards_2012/Wards_from_2012.{extension}")),
                dir.path().join(format!("wards.{extension}")),
            )
            .expect("copy");
        }
        std::fs::write(
            dir.path().join("wards.prj"),
            r#"PROJCS["NAD_1983_StatePlane_Maryland_FIPS_1900_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"]]"#,
        )
        .expect("write prj");
        let message = read_boundaries(&dir.path().join("wards.shp"), None, "WARD", None)
            .expect_err("state plane")
            .to_string();
        assert!(
            message.contains("NAD_1983_StatePlane_Maryland_FIPS_1900_Feet"),
            "{message}"
        );
        assert!(
            message.contains("--features gdal") && message.contains("ogr2ogr"),
            "{message}"
        );
        std::fs::remove_file(dir.path().join("wards.prj")).expect("remove prj");
        let message = read_boundaries(&dir.path().join("wards.shp"), None, "WARD", None)
            .expect_err("no prj")
            .to_string();
        assert!(
            message.contains("without it the CRS is unknown"),
            "{message}"
        );
    }

    #[cfg(feature = "gdal")]
    #[test]
    fn gdal_reprojects_the_2012_wards_to_the_same_coordinates() {
        let path = data("districts/wards_2012/Wards_from_2012.shp");
        let pure = read_boundaries(&path, None, "WARD", Some("NAME")).expect("pure Rust");
        let gdal = crate::ogr::read_ogr(&path, None, "WARD", Some("NAME")).expect("GDAL");
        assert_eq!(gdal.source_crs, SourceCrs::Reprojected(Some(3857)));
        assert_eq!(pure.features.len(), gdal.features.len());
        let mut largest = 0.0_f64;
        for (a, b) in pure.features.iter().zip(&gdal.features) {
            assert_eq!(a.id, b.id);
            for (p, q) in a.geometry.0.iter().zip(&b.geometry.0) {
                for (c, d) in p.exterior().coords().zip(q.exterior().coords()) {
                    largest = largest.max((c.x - d.x).abs()).max((c.y - d.y).abs());
                }
            }
        }
        assert!(
            largest < 1e-9,
            "pure-Rust and GDAL coordinates differ by {largest} degrees"
        );
    }
}
