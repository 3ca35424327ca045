//! Topology-preserving simplification of a whole district layer, for web maps.
//!
//! Simplifying each polygon on its own (geo's `Simplify`, even `SimplifyVwPreserve`) opens
//! slivers and overlaps between neighbours, because each side of a shared border loses
//! different vertices. This module simplifies each shared border once: rings are cut at
//! *junctions* (vertices where the set of districts sharing the boundary changes), every
//! stretch between two junctions is simplified with Ramer–Douglas–Peucker (geo's
//! `SimplifyIdx`) in one canonical direction, and the rings are put back together, so both
//! neighbours get the very same vertices. This is what mapshaper and TopoJSON do with arcs;
//! no georust crate offers it, so it is hand-written here (small, and tested below).
//!
//! Shared borders must use identical vertices (as TIGER/Line and cartographic boundary files
//! do); where they do not, districts are simplified each on its own, as before.

use std::collections::HashMap;

use geo::{Coord, LineString, MultiPolygon, Polygon, SimplifyIdx};

/// Metres per degree of latitude (mean), to turn a tolerance in metres into degrees.
const METRES_PER_DEGREE: f64 = 111_320.0;

type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

/// One ring of the layer, without its closing vertex.
struct Ring {
    feature: u32,
    coords: Vec<Coord<f64>>,
}

/// Simplifies every district of a layer with a tolerance of `tolerance_m` metres, keeping
/// shared borders shared. Rings keep at least three vertices; holes and islands are kept.
pub fn simplify_layer(layer: &[&MultiPolygon<f64>], tolerance_m: f64) -> Vec<MultiPolygon<f64>> {
    if tolerance_m <= 0.0 {
        return layer.iter().map(|&m| m.clone()).collect();
    }
    let (rings, shape) = rings_of(layer);
    let locked = junctions(&rings);
    let mid_latitude = mid_latitude(&rings);
    let cos_lat = mid_latitude.to_radians().cos().max(0.01);
    let epsilon = tolerance_m / METRES_PER_DEGREE;

    let simplified: Vec<Vec<Coord<f64>>> = rings
        .iter()
        .map(|ring| simplify_ring(&ring.coords, &locked, epsilon, cos_lat))
        .collect();

    // Back into multipolygons.
    let mut next = simplified.into_iter();
    shape
        .iter()
        .map(|counts| {
            MultiPolygon(
                counts
                    .iter()
                    .filter_map(|&count| {
                        let mut polygon_rings: Vec<LineString<f64>> = (0..count)
                            .filter_map(|_| next.next())
                            .map(|mut coords| {
                                if let Some(&first) = coords.first() {
                                    coords.push(first);
                                }
                                LineString(coords)
                            })
                            .collect();
                        if polygon_rings.is_empty() {
                            return None;
                        }
                        let exterior = polygon_rings.remove(0);
                        Some(Polygon::new(exterior, polygon_rings))
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Every ring of the layer (closing vertex dropped), and per feature the ring count of each
/// polygon, to put them back.
fn rings_of(layer: &[&MultiPolygon<f64>]) -> (Vec<Ring>, Vec<Vec<usize>>) {
    let mut rings: Vec<Ring> = Vec::new();
    let mut shape: Vec<Vec<usize>> = Vec::new(); // per feature: ring count per polygon
    for (feature, multi) in layer.iter().enumerate() {
        let mut counts = Vec::new();
        for polygon in &multi.0 {
            let all = std::iter::once(polygon.exterior()).chain(polygon.interiors());
            let mut count = 0;
            for ring in all {
                let mut coords = ring.0.clone();
                if coords.len() > 1 && coords.first() == coords.last() {
                    coords.pop();
                }
                rings.push(Ring {
                    feature: feature as u32,
                    coords,
                });
                count += 1;
            }
            counts.push(count);
        }
        shape.push(counts);
    }

    (rings, shape)
}

/// The vertices no simplification may remove: where the set of districts sharing the border
/// changes, and three anchors of every ring with fewer junctions.
fn junctions(rings: &[Ring]) -> std::collections::HashSet<Key> {
    // The districts whose boundary passes through each vertex.
    let mut owners: HashMap<Key, Vec<u32>> = HashMap::new();
    for ring in rings {
        for &c in &ring.coords {
            let list = owners.entry(key(c)).or_default();
            if !list.contains(&ring.feature) {
                list.push(ring.feature);
            }
        }
    }
    for list in owners.values_mut() {
        list.sort_unstable();
    }

    // Junctions: where three or more districts meet, or where the sharing changes along a
    // ring. A property of the vertex, not of the ring, so every ring through it cuts there.
    let mut locked: std::collections::HashSet<Key> = std::collections::HashSet::new();
    for ring in rings {
        let n = ring.coords.len();
        for i in 0..n {
            let here = &owners[&key(ring.coords[i])];
            let before = &owners[&key(ring.coords[(i + n - 1) % n])];
            let after = &owners[&key(ring.coords[(i + 1) % n])];
            if here.len() >= 3 || here != before || here != after {
                locked.insert(key(ring.coords[i]));
            }
        }
    }
    // A ring with fewer than three junctions (an island, a district inside another) keeps its
    // lowest and highest vertex and the one farthest from the line between them: chosen from
    // the vertices alone, so a hole and the island filling it choose the same.
    for ring in rings {
        let count = ring
            .coords
            .iter()
            .filter(|c| locked.contains(&key(**c)))
            .count();
        if count >= 3 || ring.coords.len() < 3 {
            continue;
        }
        let order =
            |a: &&Coord<f64>, b: &&Coord<f64>| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y));
        let (Some(&low), Some(&high)) = (
            ring.coords.iter().min_by(order),
            ring.coords.iter().max_by(order),
        ) else {
            continue;
        };
        let far = ring.coords.iter().max_by(|a, b| {
            distance_to_line(**a, low, high)
                .total_cmp(&distance_to_line(**b, low, high))
                .then(order(a, b))
        });
        locked.insert(key(low));
        locked.insert(key(high));
        if let Some(&far) = far {
            locked.insert(key(far));
        }
    }

    locked
}

/// The middle latitude of the layer's vertices (0 for an empty layer).
fn mid_latitude(rings: &[Ring]) -> f64 {
    let ys: Vec<f64> = rings
        .iter()
        .flat_map(|r| r.coords.iter().map(|c| c.y))
        .collect();
    let (min, max) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &y| {
            (lo.min(y), hi.max(y))
        });
    if ys.is_empty() {
        0.0
    } else {
        f64::midpoint(min, max)
    }
}

fn distance_to_line(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length = dx.hypot(dy);
    if length == 0.0 {
        return (p.x - a.x).hypot(p.y - a.y);
    }
    ((p.x - a.x) * dy - (p.y - a.y) * dx).abs() / length
}

/// One ring, cut at its junctions, each stretch simplified in its canonical direction.
fn simplify_ring(
    coords: &[Coord<f64>],
    locked: &std::collections::HashSet<Key>,
    epsilon: f64,
    cos_lat: f64,
) -> Vec<Coord<f64>> {
    let n = coords.len();
    let Some(start) = coords.iter().position(|c| locked.contains(&key(*c))) else {
        return coords.to_vec();
    };
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(n);
    let mut stretch: Vec<Coord<f64>> = vec![coords[start]];
    for step in 1..=n {
        let c = coords[(start + step) % n];
        stretch.push(c);
        if locked.contains(&key(c)) {
            let kept = simplify_stretch(&stretch, epsilon, cos_lat);
            out.extend_from_slice(&kept[..kept.len() - 1]);
            stretch = vec![c];
        }
    }
    if out.len() < 3 {
        return coords.to_vec();
    }
    out
}

/// RDP on a stretch between two junctions, always in the same direction whichever ring walks
/// it, so both neighbours keep the same vertices. Returns the kept vertices, ends included.
fn simplify_stretch(stretch: &[Coord<f64>], epsilon: f64, cos_lat: f64) -> Vec<Coord<f64>> {
    if stretch.len() <= 2 {
        return stretch.to_vec();
    }
    let first = key(stretch[0]);
    let last = key(stretch[stretch.len() - 1]);
    let reversed =
        last < first || (last == first && key(stretch[1]) > key(stretch[stretch.len() - 2]));
    let mut canonical = stretch.to_vec();
    if reversed {
        canonical.reverse();
    }
    // Longitude scaled by cos(latitude): the tolerance is about the same distance both ways.
    let scaled: LineString<f64> = canonical
        .iter()
        .map(|c| Coord {
            x: c.x * cos_lat,
            y: c.y,
        })
        .collect();
    let mut kept: Vec<Coord<f64>> = scaled
        .simplify_idx(epsilon)
        .into_iter()
        .map(|i| canonical[i])
        .collect();
    if reversed {
        kept.reverse();
    }
    kept
}

#[cfg(test)]
mod tests {
    use geo::{Area, CoordsIter};

    use super::*;

    /// A wiggly line from a to b: `n` inner vertices off the straight line by up to `amplitude`.
    fn wiggle(
        a: (f64, f64),
        b: (f64, f64),
        n: usize,
        amplitude: f64,
        seed: u64,
    ) -> Vec<Coord<f64>> {
        let mut state = seed;
        (0..=n + 1)
            .map(|i| {
                let t = i as f64 / (n + 1) as f64;
                let offset = if i == 0 || i == n + 1 {
                    0.0
                } else {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 33) as f64 / f64::from(1u32 << 31) - 0.5) * 2.0 * amplitude
                };
                // Perpendicular offset (the edges here are axis-aligned).
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let length = dx.hypot(dy);
                Coord {
                    x: a.0 + t * dx - dy / length * offset,
                    y: a.1 + t * dy + dx / length * offset,
                }
            })
            .collect()
    }

    type Corner = (i32, i32);

    /// A 3 × 3 grid of cells over 0.03° whose every edge is wiggly and shared exactly.
    fn grid() -> Vec<MultiPolygon<f64>> {
        let size = 0.01;
        let mut edges: HashMap<(Corner, Corner), Vec<Coord<f64>>> = HashMap::new();
        let mut edge = |a: (i32, i32), b: (i32, i32)| -> Vec<Coord<f64>> {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            let seed = (lo.0 * 7 + lo.1 * 13 + hi.0 * 17 + hi.1 * 31) as u64;
            let line = edges
                .entry((lo, hi))
                .or_insert_with(|| {
                    wiggle(
                        (f64::from(lo.0) * size, 38.9 + f64::from(lo.1) * size),
                        (f64::from(hi.0) * size, 38.9 + f64::from(hi.1) * size),
                        40,
                        0.00005,
                        seed,
                    )
                })
                .clone();
            if a < b {
                line
            } else {
                line.into_iter().rev().collect()
            }
        };
        let mut cells = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)];
                let mut ring: Vec<Coord<f64>> = Vec::new();
                for w in corners.windows(2) {
                    let line = edge(w[0], w[1]);
                    ring.extend_from_slice(&line[..line.len() - 1]);
                }
                ring.push(ring[0]);
                cells.push(MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]));
            }
        }
        cells
    }

    /// Undirected edges used by exactly one ring: the outer boundary, plus any gap or overlap.
    fn unshared_length(layer: &[MultiPolygon<f64>]) -> f64 {
        let mut count: HashMap<(Key, Key), (usize, f64)> = HashMap::new();
        for multi in layer {
            for polygon in &multi.0 {
                for line in polygon.exterior().lines() {
                    let (a, b) = (key(line.start), key(line.end));
                    let k = if a < b { (a, b) } else { (b, a) };
                    let length = (line.end.x - line.start.x).hypot(line.end.y - line.start.y);
                    count.entry(k).or_insert((0, length)).0 += 1;
                }
            }
        }
        count
            .values()
            .filter(|(n, _)| *n == 1)
            .map(|(_, l)| l)
            .sum()
    }

    #[test]
    fn shared_borders_stay_shared_and_vertices_drop() {
        let cells = grid();
        let refs: Vec<&MultiPolygon<f64>> = cells.iter().collect();
        let simple = simplify_layer(&refs, 20.0);
        let before: usize = cells.iter().map(CoordsIter::coords_count).sum();
        let after: usize = simple.iter().map(CoordsIter::coords_count).sum();
        assert!(after * 4 < before, "{before} → {after} vertices");
        // Inner edges are each used twice: only the outer square's 12 sides stay unshared.
        let outer: f64 = unshared_length(&simple);
        let straight_outer = 0.03 * 4.0;
        assert!(
            (outer - straight_outer).abs() < 0.003,
            "unshared length {outer} vs the outer boundary {straight_outer}: a gap opened"
        );
        // Every simplified cell keeps its area to within 5%.
        for (a, b) in cells.iter().zip(&simple) {
            let (a, b) = (a.unsigned_area(), b.unsigned_area());
            assert!((a - b).abs() / a < 0.05, "{a} vs {b}");
        }
        // Junctions where four cells meet are kept.
        let centre = Coord { x: 0.01, y: 38.91 };
        assert_eq!(
            simple
                .iter()
                .filter(|m| m.coords_iter().any(|c| key(c) == key(centre)))
                .count(),
            4
        );
    }

    #[test]
    fn zero_tolerance_changes_nothing_and_an_island_keeps_three_vertices() {
        let cells = grid();
        let refs: Vec<&MultiPolygon<f64>> = cells.iter().collect();
        assert_eq!(simplify_layer(&refs, 0.0), cells);
        // A lone wiggly square: no neighbour, no junction, still a polygon afterwards.
        let lone = &cells[0];
        let simple = simplify_layer(&[lone], 5000.0);
        let ring = simple[0].0[0].exterior();
        assert!(ring.0.len() >= 4, "{} coordinates", ring.0.len());
        assert_eq!(ring.0.first(), ring.0.last(), "closed");
    }
}
