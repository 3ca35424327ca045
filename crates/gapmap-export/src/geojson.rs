//! RFC 7946 GeoJSON layers: WGS84 longitude/latitude, counter-clockwise exterior rings,
//! coordinates rounded to a fixed number of decimals.

use std::path::Path;

use gapmap_gaps::{DistrictGaps, ExtraField};
use geo::orient::{Direction, Orient};
use geo::{MapCoords, MultiPolygon};
use serde_json::{Map, Value, json};

use crate::ExportError;
use crate::atomic::write_atomic;
use crate::values::to_json;

/// Coordinates are written with at most this many decimals (about 0.1 m).
pub const DEFAULT_PRECISION: u32 = 6;

fn round(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

/// A district's geometry as every layer format publishes it: exterior rings counter-clockwise
/// (RFC 7946 §3.1.6), coordinates rounded to `precision` decimals. Rounding can make
/// consecutive vertices equal, which GEOS and s2 (R's sf) call invalid: they are kept once. A
/// ring left with fewer than four positions is below the precision's resolution: a hole is
/// dropped, and so is a part whose exterior collapses.
pub fn published_geometry(geometry: &MultiPolygon<f64>, precision: u32) -> MultiPolygon<f64> {
    let scale = 10f64.powi(precision as i32);
    let oriented = geometry
        .orient(Direction::Default)
        .map_coords(|c| geo::Coord {
            x: round(c.x, scale),
            y: round(c.y, scale),
        });
    let ring = |ring: &geo::LineString<f64>| -> Option<geo::LineString<f64>> {
        let mut positions: Vec<geo::Coord<f64>> = ring.coords().copied().collect();
        positions.dedup();
        (positions.len() >= 4).then_some(geo::LineString(positions))
    };
    let polygon = |p: &geo::Polygon<f64>| -> Option<geo::Polygon<f64>> {
        let exterior = ring(p.exterior())?;
        Some(geo::Polygon::new(
            exterior,
            p.interiors().iter().filter_map(ring).collect(),
        ))
    };
    MultiPolygon(oriented.0.iter().filter_map(polygon).collect())
}

/// The GeoJSON geometry object of a multipolygon: [`published_geometry`], a `Polygon` when it
/// has one part.
pub fn geometry_json(geometry: &MultiPolygon<f64>, precision: u32) -> Value {
    let published = published_geometry(geometry, precision);
    let positions = |ring: &geo::LineString<f64>| -> Vec<[f64; 2]> {
        ring.coords().map(|c| [c.x, c.y]).collect()
    };
    let polygons: Vec<Vec<Vec<[f64; 2]>>> = published
        .0
        .iter()
        .map(|p| {
            std::iter::once(positions(p.exterior()))
                .chain(p.interiors().iter().map(positions))
                .collect()
        })
        .collect();
    if polygons.len() == 1 {
        json!({"type": "Polygon", "coordinates": polygons[0]})
    } else {
        json!({"type": "MultiPolygon", "coordinates": polygons})
    }
}

/// The GeoJSON Feature of one district: its id, METHOD.md §9 properties (then the layer's
/// own `extra` fields, §10) and geometry.
pub fn feature_json(
    row: &DistrictGaps,
    extra: &[ExtraField],
    geometry: &MultiPolygon<f64>,
    precision: u32,
) -> Value {
    let properties: Map<String, Value> = row
        .fields(extra)
        .iter()
        .map(|(name, value)| ((*name).to_owned(), to_json(value)))
        .collect();
    json!({
        "type": "Feature",
        "id": row.geoid,
        "properties": properties,
        "geometry": geometry_json(geometry, precision),
    })
}

/// Writes a FeatureCollection, one feature per line, properties in METHOD.md §9 order.
pub fn write_geojson(
    path: &Path,
    features: &[(&DistrictGaps, &MultiPolygon<f64>)],
    extra: &[ExtraField],
    precision: u32,
) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        for (index, (row, geometry)) in features.iter().enumerate() {
            if index > 0 {
                out.write_all(b",\n")?;
            }
            serde_json::to_writer(&mut *out, &feature_json(row, extra, geometry, precision))?;
        }
        out.write_all(b"\n]}\n")?;
        Ok(())
    })
}

/// Writes newline-delimited GeoJSON (`.geojsonl`): one Feature per line and nothing else, so a
/// reader can stream a layer of any size feature by feature. This is what GDAL's GeoJSONSeq
/// driver reads and writes for `.geojsonl`; RFC 8142 text sequences (`.geojsons`) would also
/// put a record separator (0x1E) before each feature, which few web tools accept.
pub fn write_geojsonl(
    path: &Path,
    features: &[(&DistrictGaps, &MultiPolygon<f64>)],
    extra: &[ExtraField],
    precision: u32,
) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        for (row, geometry) in features {
            serde_json::to_writer(&mut *out, &feature_json(row, extra, geometry, precision))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use geo::polygon;

    use super::*;

    #[test]
    fn exterior_rings_turn_counter_clockwise_and_coordinates_round_to_six_decimals() {
        // A clockwise square.
        let square = polygon![
            (x: -77.123_456_789, y: 38.0),
            (x: -77.123_456_789, y: 38.1),
            (x: -77.0, y: 38.1),
            (x: -77.0, y: 38.0),
        ];
        let json = geometry_json(&MultiPolygon(vec![square]), 6);
        assert_eq!(json["type"], "Polygon");
        let ring = json["coordinates"][0].as_array().expect("ring");
        let coords: Vec<(f64, f64)> = ring
            .iter()
            .map(|c| (c[0].as_f64().expect("x"), c[1].as_f64().expect("y")))
            .collect();
        let signed_area: f64 = coords
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(
            signed_area > 0.0,
            "counter-clockwise exterior (RFC 7946 §3.1.6)"
        );
        assert!(coords.iter().any(|c| c.0 == -77.123_457));
    }
}
