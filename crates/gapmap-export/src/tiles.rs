//! A district layer as vector tiles for the viewer: Mapbox Vector Tiles 2.1 in one PMTiles v3
//! archive (`viewer/<layer>.pmtiles`), which a browser reads by HTTP range requests, so the first
//! map of a state's or the nation's block groups draws from the few tiles in view instead of one
//! file of every polygon.
//!
//! Each zoom from the one that shows the whole layer on a phone to the one where a typical
//! district is 64 px wide (at most 12; the viewer draws deeper zooms from those tiles, whose
//! 4,096 units per side keep 1/16 px precision) gets its own tiles:
//! - geometry projected to Web Mercator tile units, simplified (Ramer–Douglas–Peucker, geo) to
//!   half a pixel — 1/16 px at the deepest zoom —, clipped to the tile with a 64-unit buffer,
//!   rounded, exterior rings clockwise and holes counter-clockwise on screen (MVT 4.3.4.4);
//! - a district smaller than a pixel at a zoom is drawn as a one-pixel square at its place, so
//!   dense areas keep their colour when zoomed out instead of vanishing;
//! - the properties every zoom needs (the district id, whether it is withheld, one value per
//!   map) in every tile, and the popup's figures in the deepest zoom's tiles only.
//!
//! Hand-written here, for want of a crate that does it without a protobuf build step: the
//! clipping (Sutherland–Hodgman against the tile rectangle, exact for filled rings) and the MVT
//! encoding (a few protobuf fields). The archive is written by the `pmtiles` crate, tiles
//! gzip-compressed.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Simplify};
use pmtiles::{PmTilesWriter, TileCoord, TileId, TileType};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::ExportError;
use crate::atomic::write_atomic;

/// Tile units per tile side.
pub const EXTENT: u32 = 4096;
/// Tile units drawn beyond each edge, so that strokes meet across tiles.
const BUFFER: f64 = 64.0;
/// The deepest zoom written; deeper views are drawn from its tiles.
pub const MAX_ZOOM: u8 = 12;
/// Tile units per screen pixel (256 px tiles).
const UNITS_PER_PX: f64 = EXTENT as f64 / 256.0;

/// A property of a district in the tiles.
#[derive(Debug, Clone, PartialEq)]
pub enum TileProp {
    /// Text.
    Text(String),
    /// A number (stored as a double, exactly as computed).
    Number(f64),
    /// A yes/no flag.
    Flag(bool),
}

/// One district: its geometry (longitude/latitude) and properties.
#[derive(Debug, Clone, PartialEq)]
pub struct TileFeature {
    /// The district's polygons, WGS 84 longitude/latitude.
    pub geometry: MultiPolygon<f64>,
    /// Properties written at every zoom (id, withheld, map values).
    pub everywhere: Vec<(String, TileProp)>,
    /// Properties written at the deepest zoom only (the popup's figures).
    pub detail: Vec<(String, TileProp)>,
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileSummary {
    /// Shallowest zoom with tiles.
    pub min_zoom: u8,
    /// Deepest zoom with tiles.
    pub max_zoom: u8,
    /// Tiles written (before the archive's de-duplication).
    pub tiles: usize,
}

/// Web Mercator position of a longitude/latitude, in tile units at a zoom whose world is
/// `world` units wide (y grows southward).
fn project(c: Coord<f64>, world: f64) -> Coord<f64> {
    let lat = c.y.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    Coord {
        x: (c.x + 180.0) / 360.0 * world,
        y: (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * world,
    }
}

/// The bounds of every district's polygons (longitude/latitude); `None` without any.
#[must_use]
pub fn layer_bounds(features: &[TileFeature]) -> Option<geo::Rect<f64>> {
    features
        .iter()
        .filter_map(|f| f.geometry.bounding_rect())
        .reduce(|a, b| {
            geo::Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        })
}

/// The zooms to write: from the one showing the whole layer in 512 px, less one, to the one
/// where the median district is 64 px across (clamped to `MAX_ZOOM`).
#[must_use]
pub fn zoom_range(features: &[TileFeature]) -> Option<(u8, u8)> {
    let world = 256.0;
    let mut spans: Vec<f64> = Vec::with_capacity(features.len());
    for f in features {
        let Some(rect) = f.geometry.bounding_rect() else {
            continue;
        };
        let (a, b) = (project(rect.min(), world), project(rect.max(), world));
        spans.push((b.x - a.x).abs().max((b.y - a.y).abs()));
    }
    let all = layer_bounds(features)?;
    let (a, b) = (project(all.min(), world), project(all.max(), world));
    let span = (b.x - a.x).abs().max((b.y - a.y).abs()).max(1e-9);
    let fit = (512.0 / span).log2().floor().max(0.0) as u8;
    let min_zoom = fit.saturating_sub(1).min(MAX_ZOOM);
    spans.sort_by(f64::total_cmp);
    let median = spans[spans.len() / 2].max(1e-9);
    let detail = (64.0 / median).log2().ceil().max(0.0) as u8;
    Some((min_zoom, detail.clamp(min_zoom, MAX_ZOOM)))
}

/// Clips an open ring to the rectangle (Sutherland–Hodgman, one edge at a time).
fn clip_ring(ring: &[Coord<f64>], min: Coord<f64>, max: Coord<f64>) -> Vec<Coord<f64>> {
    let mut points = ring.to_vec();
    // (axis is x?, bound, keep values above the bound?)
    for (on_x, bound, above) in [
        (true, min.x, true),
        (true, max.x, false),
        (false, min.y, true),
        (false, max.y, false),
    ] {
        if points.is_empty() {
            break;
        }
        let inside = |p: &Coord<f64>| {
            let v = if on_x { p.x } else { p.y };
            if above { v >= bound } else { v <= bound }
        };
        let cross = |a: &Coord<f64>, b: &Coord<f64>| {
            let (va, vb) = if on_x { (a.x, b.x) } else { (a.y, b.y) };
            let t = (bound - va) / (vb - va);
            if on_x {
                Coord {
                    x: bound,
                    y: a.y + t * (b.y - a.y),
                }
            } else {
                Coord {
                    x: a.x + t * (b.x - a.x),
                    y: bound,
                }
            }
        };
        let mut out = Vec::with_capacity(points.len() + 4);
        for i in 0..points.len() {
            let current = &points[i];
            let previous = &points[(i + points.len() - 1) % points.len()];
            match (inside(previous), inside(current)) {
                (true, true) => out.push(*current),
                (true, false) => out.push(cross(previous, current)),
                (false, true) => {
                    out.push(cross(previous, current));
                    out.push(*current);
                }
                (false, false) => {}
            }
        }
        points = out;
    }
    points
}

/// Twice the signed area (surveyor's formula) of an open ring of integer points.
fn area2(ring: &[[i32; 2]]) -> i64 {
    let mut sum = 0i64;
    for i in 0..ring.len() {
        let a = ring[i];
        let b = ring[(i + 1) % ring.len()];
        sum += i64::from(a[0]) * i64::from(b[1]) - i64::from(b[0]) * i64::from(a[1]);
    }
    sum
}

/// Rounds an open ring to tile units relative to `origin`, dropping repeated points; `None`
/// when nothing with an area is left. Oriented positive (clockwise on screen) when `exterior`.
fn to_tile(ring: &[Coord<f64>], origin: Coord<f64>, exterior: bool) -> Option<Vec<[i32; 2]>> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(ring.len());
    for c in ring {
        let p = [
            (c.x - origin.x).round() as i32,
            (c.y - origin.y).round() as i32,
        ];
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    if out.len() < 3 {
        return None;
    }
    let area = area2(&out);
    if area == 0 {
        return None;
    }
    if (area > 0) != exterior {
        out.reverse();
    }
    Some(out)
}

/// A polygon's rings in tile units (world coordinates of one zoom), simplified; the exterior
/// first. A polygon under a pixel becomes a one-pixel square at its centre.
fn prepare(polygon: &geo::Polygon<f64>, world: f64, epsilon: f64) -> Vec<Vec<Coord<f64>>> {
    let projected = |line: &LineString<f64>| -> LineString<f64> {
        line.0.iter().map(|c| project(*c, world)).collect()
    };
    let exterior = projected(polygon.exterior());
    let Some(rect) = exterior.bounding_rect() else {
        return Vec::new();
    };
    let square = || {
        let c = rect.center();
        let h = UNITS_PER_PX / 2.0;
        vec![vec![
            Coord {
                x: c.x - h,
                y: c.y - h,
            },
            Coord {
                x: c.x + h,
                y: c.y - h,
            },
            Coord {
                x: c.x + h,
                y: c.y + h,
            },
            Coord {
                x: c.x - h,
                y: c.y + h,
            },
        ]]
    };
    if rect.width().max(rect.height()) < UNITS_PER_PX {
        return square();
    }
    let open = |line: LineString<f64>| -> Vec<Coord<f64>> {
        let mut points = line.0;
        if points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        points
    };
    let outer = open(exterior.simplify(epsilon));
    if outer.len() < 3 {
        return square();
    }
    let mut rings = vec![outer];
    for hole in polygon.interiors() {
        let hole = open(projected(hole).simplify(epsilon));
        if hole.len() >= 3 {
            rings.push(hole);
        }
    }
    rings
}

/// Rings of tile units (exterior first, then its holes; several polygons one after another).
type Rings = Vec<Vec<[i32; 2]>>;
/// One district's polygons cut into the tiles of a zoom: (x, y) → rings.
type Cut = Vec<((u32, u32), Rings)>;
/// The districts of one tile: (district index, its rings).
type TileParts = Vec<(usize, Rings)>;

fn cut(geometry: &MultiPolygon<f64>, z: u8, epsilon: f64) -> Cut {
    let n = 1u32 << z;
    let world = f64::from(EXTENT) * f64::from(n);
    let e = f64::from(EXTENT);
    let mut by_tile: HashMap<(u32, u32), Vec<Rings>> = HashMap::new();
    for polygon in geometry {
        let rings = prepare(polygon, world, epsilon);
        let Some(outer) = rings.first() else { continue };
        let (mut lo, mut hi) = (outer[0], outer[0]);
        for c in outer {
            lo = Coord {
                x: lo.x.min(c.x),
                y: lo.y.min(c.y),
            };
            hi = Coord {
                x: hi.x.max(c.x),
                y: hi.y.max(c.y),
            };
        }
        let tile = |v: f64| ((v / e).floor().max(0.0) as u32).min(n - 1);
        for ty in tile(lo.y - BUFFER)..=tile(hi.y + BUFFER) {
            for tx in tile(lo.x - BUFFER)..=tile(hi.x + BUFFER) {
                let origin = Coord {
                    x: f64::from(tx) * e,
                    y: f64::from(ty) * e,
                };
                let min = Coord {
                    x: origin.x - BUFFER,
                    y: origin.y - BUFFER,
                };
                let max = Coord {
                    x: origin.x + e + BUFFER,
                    y: origin.y + e + BUFFER,
                };
                let mut parts = Vec::new();
                for (i, ring) in rings.iter().enumerate() {
                    let clipped = clip_ring(ring, min, max);
                    match to_tile(&clipped, origin, i == 0) {
                        Some(r) => parts.push(r),
                        None if i == 0 => break,
                        None => {}
                    }
                }
                if !parts.is_empty() {
                    by_tile.entry((tx, ty)).or_default().push(parts);
                }
            }
        }
    }
    by_tile
        .into_iter()
        .map(|(k, polygons)| (k, polygons.into_iter().flatten().collect()))
        .collect()
}

/// Keeps one district's square per screen pixel: where districts are under a pixel (drawn as
/// one-pixel squares), later squares on an occupied pixel would paint over the same pixel, so
/// they are left out of the shallow zooms' tiles. A state's or the nation's first map then
/// weighs what its pixels need, not what its districts do. Every district stays in the
/// deepest zoom's tiles, where the popups are read.
fn thin(parts: &mut TileParts) {
    let side = UNITS_PER_PX as i32;
    let mut used = std::collections::HashSet::new();
    for (_, rings) in parts.iter_mut() {
        rings.retain(|ring| {
            let square = ring.len() == 4
                && area2(ring) == i64::from(side) * i64::from(side) * 2
                && ring.iter().all(|p| {
                    (p[0] - ring[0][0]).abs() % side == 0 && (p[1] - ring[0][1]).abs() % side == 0
                });
            if !square {
                return true;
            }
            let x = ring.iter().map(|p| p[0]).min().unwrap_or(0);
            let y = ring.iter().map(|p| p[1]).min().unwrap_or(0);
            used.insert((
                (x + side / 2).div_euclid(side),
                (y + side / 2).div_euclid(side),
            ))
        });
    }
    parts.retain(|(_, rings)| !rings.is_empty());
}

/// Protocol-buffer writing, the few pieces MVT needs.
mod pbf {
    pub fn varint(buf: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        buf.push(v as u8);
    }
    pub fn key(buf: &mut Vec<u8>, field: u32, wire: u8) {
        varint(buf, (u64::from(field) << 3) | u64::from(wire));
    }
    pub fn bytes(buf: &mut Vec<u8>, field: u32, data: &[u8]) {
        key(buf, field, 2);
        varint(buf, data.len() as u64);
        buf.extend_from_slice(data);
    }
    pub fn packed(buf: &mut Vec<u8>, field: u32, values: &[u32]) {
        let mut inner = Vec::with_capacity(values.len() * 2);
        for v in values {
            varint(&mut inner, u64::from(*v));
        }
        bytes(buf, field, &inner);
    }
    pub fn zigzag(v: i32) -> u32 {
        ((v << 1) ^ (v >> 31)) as u32
    }
}

/// MVT geometry commands of rings (4.3): `MoveTo`, `LineTo`, `ClosePath` per ring.
fn geometry_commands(rings: &[Vec<[i32; 2]>]) -> Vec<u32> {
    let command = |id: u32, count: u32| (id & 0x7) | (count << 3);
    let mut out = Vec::new();
    let mut cursor = [0i32, 0i32];
    for ring in rings {
        out.push(command(1, 1));
        out.push(pbf::zigzag(ring[0][0] - cursor[0]));
        out.push(pbf::zigzag(ring[0][1] - cursor[1]));
        cursor = ring[0];
        out.push(command(2, (ring.len() - 1) as u32));
        for p in &ring[1..] {
            out.push(pbf::zigzag(p[0] - cursor[0]));
            out.push(pbf::zigzag(p[1] - cursor[1]));
            cursor = *p;
        }
        out.push(command(7, 1));
    }
    out
}

/// A value of the layer's table, hashable (numbers by their bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ValueKey {
    Text(String),
    Number(u64),
    Flag(bool),
}

/// Encodes one tile: one layer `name`, the features (index, rings) in index order.
fn encode_tile(
    name: &str,
    features: &[TileFeature],
    parts: &[(usize, Rings)],
    detail: bool,
) -> Vec<u8> {
    let mut keys: Vec<&str> = Vec::new();
    let mut key_index: HashMap<&str, u32> = HashMap::new();
    let mut values: Vec<ValueKey> = Vec::new();
    let mut value_index: HashMap<ValueKey, u32> = HashMap::new();
    let mut layer = Vec::new();
    pbf::key(&mut layer, 15, 0);
    pbf::varint(&mut layer, 2);
    pbf::bytes(&mut layer, 1, name.as_bytes());
    for (index, rings) in parts {
        let f = &features[*index];
        let mut tags = Vec::new();
        let props = f
            .everywhere
            .iter()
            .chain(f.detail.iter().filter(|_| detail));
        for (k, v) in props {
            let ki = *key_index.entry(k.as_str()).or_insert_with(|| {
                keys.push(k.as_str());
                (keys.len() - 1) as u32
            });
            let vk = match v {
                TileProp::Text(s) => ValueKey::Text(s.clone()),
                TileProp::Number(x) => ValueKey::Number(x.to_bits()),
                TileProp::Flag(b) => ValueKey::Flag(*b),
            };
            let vi = *value_index.entry(vk.clone()).or_insert_with(|| {
                values.push(vk);
                (values.len() - 1) as u32
            });
            tags.push(ki);
            tags.push(vi);
        }
        let mut feature = Vec::new();
        pbf::key(&mut feature, 1, 0);
        pbf::varint(&mut feature, *index as u64);
        if !tags.is_empty() {
            pbf::packed(&mut feature, 2, &tags);
        }
        pbf::key(&mut feature, 3, 0);
        pbf::varint(&mut feature, 3); // POLYGON
        pbf::packed(&mut feature, 4, &geometry_commands(rings));
        pbf::bytes(&mut layer, 2, &feature);
    }
    for k in &keys {
        pbf::bytes(&mut layer, 3, k.as_bytes());
    }
    for v in &values {
        let mut value = Vec::new();
        match v {
            ValueKey::Text(s) => pbf::bytes(&mut value, 1, s.as_bytes()),
            ValueKey::Number(bits) => {
                pbf::key(&mut value, 3, 1);
                value.extend_from_slice(&bits.to_le_bytes());
            }
            ValueKey::Flag(b) => {
                pbf::key(&mut value, 7, 0);
                pbf::varint(&mut value, u64::from(*b));
            }
        }
        pbf::bytes(&mut layer, 4, &value);
    }
    pbf::key(&mut layer, 5, 0);
    pbf::varint(&mut layer, u64::from(EXTENT));
    let mut tile = Vec::with_capacity(layer.len() + 8);
    pbf::bytes(&mut tile, 3, &layer);
    tile
}

/// The tiles of one zoom, encoded, in the archive's order (Hilbert tile id).
fn zoom_tiles(
    name: &str,
    features: &[TileFeature],
    z: u8,
    detail: bool,
) -> Result<Vec<(TileCoord, Vec<u8>)>, pmtiles::PmtError> {
    // Half a pixel, or a sixteenth at the deepest zoom, which deeper views enlarge.
    let epsilon = if detail { 1.0 } else { UNITS_PER_PX / 2.0 };
    let cuts: Vec<Cut> = features
        .par_iter()
        .map(|f| cut(&f.geometry, z, epsilon))
        .collect();
    let mut by_tile: HashMap<(u32, u32), TileParts> = HashMap::new();
    for (index, c) in cuts.into_iter().enumerate() {
        for (xy, rings) in c {
            by_tile.entry(xy).or_default().push((index, rings));
        }
    }
    let mut tiles: Vec<(TileCoord, TileParts)> = by_tile
        .into_iter()
        .map(|((x, y), parts)| Ok((TileCoord::new(z, x, y)?, parts)))
        .collect::<Result<_, pmtiles::PmtError>>()?;
    tiles.sort_by_key(|(coord, _)| TileId::from(*coord).value());
    Ok(tiles
        .into_par_iter()
        .map(|(coord, mut parts)| {
            parts.sort_by_key(|(i, _)| *i);
            if !detail {
                thin(&mut parts);
            }
            (coord, encode_tile(name, features, &parts, detail))
        })
        .collect())
}

/// Writes `path`, a PMTiles archive of the layer `name`'s districts, with `attribution` in its
/// metadata. `None` when the layer has no geometry to tile.
pub fn write_pmtiles(
    path: &Path,
    name: &str,
    features: &[TileFeature],
    attribution: &str,
) -> Result<Option<TileSummary>, ExportError> {
    let Some((min_zoom, max_zoom)) = zoom_range(features) else {
        return Ok(None);
    };
    let bounds = layer_bounds(features).expect("a zoom range implies a geometry");
    let mut fields = serde_json::Map::new();
    for f in features.iter().take(1) {
        for (k, v) in f.everywhere.iter().chain(&f.detail) {
            let kind = match v {
                TileProp::Text(_) => "String",
                TileProp::Number(_) => "Number",
                TileProp::Flag(_) => "Boolean",
            };
            fields.insert(k.clone(), Value::from(kind));
        }
    }
    let metadata = json!({
        "name": name,
        "format": "pbf",
        "generator": concat!("gapmap ", env!("CARGO_PKG_VERSION")),
        "attribution": attribution,
        "vector_layers": [{
            "id": name,
            "fields": fields,
            "minzoom": min_zoom,
            "maxzoom": max_zoom,
        }],
    });
    let failed = |e: pmtiles::PmtError| ExportError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e.to_string()),
    };
    let centre = bounds.center();
    let mut buffer = Cursor::new(Vec::new());
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(min_zoom)
        .max_zoom(max_zoom)
        .bounds(
            bounds.min().x,
            bounds.min().y,
            bounds.max().x,
            bounds.max().y,
        )
        .center(centre.x, centre.y)
        .center_zoom(min_zoom)
        .metadata(metadata.to_string())
        .create(&mut buffer)
        .map_err(failed)?;
    let mut count = 0;
    for z in min_zoom..=max_zoom {
        for (coord, bytes) in zoom_tiles(name, features, z, z == max_zoom).map_err(failed)? {
            writer.add_tile(coord, &bytes).map_err(failed)?;
            count += 1;
        }
    }
    writer.finalize().map_err(failed)?;
    let bytes = buffer.into_inner();
    write_atomic(path, |w| w.write_all(&bytes))?;
    Ok(Some(TileSummary {
        min_zoom,
        max_zoom,
        tiles: count,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_ring_clipped_to_the_tile_keeps_its_inside_and_orientation() {
        // A square 0..10 clipped to 5..20 is the square 5..10.
        let ring = vec![
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 10.0, y: 0.0 },
            Coord { x: 10.0, y: 10.0 },
            Coord { x: 0.0, y: 10.0 },
        ];
        let clipped = clip_ring(&ring, Coord { x: 5.0, y: 5.0 }, Coord { x: 20.0, y: 20.0 });
        let tile = to_tile(&clipped, Coord { x: 0.0, y: 0.0 }, true).expect("a ring");
        assert_eq!(area2(&tile), 2 * 25);
        let mut sorted = tile.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![[5, 5], [5, 10], [10, 5], [10, 10]]);
        // A hole is turned the other way; a ring outside the rectangle leaves nothing.
        let hole = to_tile(&clipped, Coord { x: 0.0, y: 0.0 }, false).expect("a ring");
        assert_eq!(area2(&hole), -2 * 25);
        assert!(
            clip_ring(
                &ring,
                Coord { x: 20.0, y: 20.0 },
                Coord { x: 30.0, y: 30.0 }
            )
            .is_empty()
        );
    }

    #[test]
    fn one_square_per_pixel_is_kept_and_larger_districts_all() {
        let square = |x: i32, y: i32| vec![[x, y], [x + 16, y], [x + 16, y + 16], [x, y + 16]];
        let big = vec![[0, 0], [100, 0], [100, 100], [0, 100]];
        let mut parts: TileParts = vec![
            (0, vec![square(0, 0)]),
            (1, vec![square(0, 0)]),
            (2, vec![square(16, 0)]),
            (3, vec![big.clone()]),
            (4, vec![big]),
        ];
        thin(&mut parts);
        let kept: Vec<usize> = parts.iter().map(|(i, _)| *i).collect();
        assert_eq!(kept, vec![0, 2, 3, 4]);
    }

    #[test]
    fn mercator_and_commands_match_the_specification_examples() {
        // Lon/lat (0, 0) is the middle of the world; the north-west corner is (0, 0).
        let middle = project(Coord { x: 0.0, y: 0.0 }, 4096.0);
        assert!((middle.x - 2048.0).abs() < 1e-9 && (middle.y - 2048.0).abs() < 1e-9);
        let corner = project(
            Coord {
                x: -180.0,
                y: 85.051_128_78,
            },
            4096.0,
        );
        assert!(corner.x.abs() < 1e-9 && corner.y.abs() < 1e-3);
        // MVT 2.1 §4.3.5.3's polygon example: MoveTo(3,6) LineTo(8,12) (20,34) ClosePath.
        let commands = geometry_commands(&[vec![[3, 6], [8, 12], [20, 34]]]);
        assert_eq!(commands, vec![9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }

    #[test]
    fn every_district_reaches_the_tiles_of_every_zoom() {
        // Two districts a degree apart, with their properties.
        let square = |x: f64| -> MultiPolygon<f64> {
            MultiPolygon(vec![polygon![
                (x: x, y: 38.90), (x: x + 0.01, y: 38.90),
                (x: x + 0.01, y: 38.91), (x: x, y: 38.91), (x: x, y: 38.90)
            ]])
        };
        let features: Vec<TileFeature> = [-77.5, -76.5]
            .iter()
            .enumerate()
            .map(|(i, x)| TileFeature {
                geometry: square(*x),
                everywhere: vec![("geoid".into(), TileProp::Text(format!("d{i}")))],
                detail: vec![("households".into(), TileProp::Number(100.0 + i as f64))],
            })
            .collect();
        let (min, max) = zoom_range(&features).expect("zooms");
        assert!(min < max && max <= MAX_ZOOM, "{min}..{max}");
        for z in min..=max {
            let tiles = zoom_tiles("d", &features, z, z == max).expect("tiles");
            let mut seen = [false, false];
            for (_, bytes) in &tiles {
                for (i, s) in seen.iter_mut().enumerate() {
                    let id = format!("d{i}");
                    *s |= bytes.windows(id.len()).any(|w| w == id.as_bytes());
                }
                let has_detail = bytes.windows(10).any(|w| w == b"households");
                assert_eq!(has_detail, z == max, "zoom {z}");
            }
            assert_eq!(seen, [true, true], "zoom {z}");
        }
    }
}
