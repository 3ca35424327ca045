//! A fast, one-sided validity test for district polygons: `true` only when geo's `Validation`
//! would find nothing, in n·log n.
//!
//! geo 0.33 checks a ring for self-intersection by testing every pair of its segments
//! (`linestring_has_self_intersection`): quadratic, and 52% of a demo run on DC's polygons
//! (perf, issue #13). Almost every district of a published layer is valid, so this test
//! proves validity with an R-tree of segments (rstar, which geo builds on) and the rare
//! polygon it cannot clear goes to geo's full check, which decides and names the problem as
//! before. Hand-written because geo has no indexed validity check.
//!
//! A multipolygon is surely valid when
//! - every ring is closed, has at least four coordinates and no segment of length zero, and
//!   every coordinate is finite;
//! - no two segments of any of its rings touch, except consecutive segments of one ring at
//!   their shared vertex, and those do not fold back onto each other;
//! - with all rings disjoint, each ring lies wholly inside or outside any other, so one vertex
//!   decides: each hole inside its shell and inside no other hole of its polygon, and no
//!   polygon's shell inside another polygon's area (its shell but none of its holes).
//!
//! Each condition implies one of geo's checks (too few points, self-intersection, interior
//! rings contained, rings meeting on a line or an area, parts overlapping or touching on a
//! line), so `true` is never wrong; `false` only means "ask geo".

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Contains, Coord, Intersects, Line, LineString, MultiPolygon, Polygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// Below this many segments geo's own check is fast enough.
const SMALL: usize = 64;

/// Whether geo's `Validation` surely finds `geometry` valid (see the module's comment).
pub(crate) fn surely_valid(geometry: &MultiPolygon<f64>) -> Option<bool> {
    let rings: Vec<&LineString<f64>> = geometry
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .collect();
    let segments: usize = rings.iter().map(|r| r.0.len().saturating_sub(1)).sum();
    if segments < SMALL {
        return None;
    }
    Some(rings_are_simple_and_disjoint(&rings) && nesting_is_valid(geometry))
}

fn rings_are_simple_and_disjoint(rings: &[&LineString<f64>]) -> bool {
    // (ring, segment index, segment count of the ring) per segment.
    let mut boxes = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        let coords = &ring.0;
        if coords.len() < 4 || coords.first() != coords.last() {
            return false;
        }
        if coords.iter().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
            return false;
        }
        let count = coords.len() - 1;
        for (s, pair) in coords.windows(2).enumerate() {
            if pair[0] == pair[1] {
                return false;
            }
            let envelope = Rectangle::from_corners([pair[0].x, pair[0].y], [pair[1].x, pair[1].y]);
            boxes.push(GeomWithData::new(
                envelope,
                (r as u32, s as u32, count as u32),
            ));
        }
    }
    let tree = RTree::bulk_load(boxes);
    let line = |(r, s, _): (u32, u32, u32)| {
        let coords = &rings[r as usize].0;
        Line::new(coords[s as usize], coords[s as usize + 1])
    };
    for (a, b) in tree.intersection_candidates_with_other_tree(&tree) {
        let (a, b) = (a.data, b.data);
        if a >= b {
            continue;
        }
        let (la, lb) = (line(a), line(b));
        let consecutive = a.0 == b.0 && (b.1 == a.1 + 1 || (a.1 == 0 && b.1 + 1 == b.2));
        if consecutive {
            // They share one vertex; they must not fold back along each other.
            let (first, second) = if b.1 == a.1 + 1 { (la, lb) } else { (lb, la) };
            if folds_back(first, second) {
                return false;
            }
        } else if la.intersects(&lb) {
            return false;
        }
    }
    true
}

/// Whether `second` (starting where `first` ends) runs back over `first`.
fn folds_back(first: Line<f64>, second: Line<f64>) -> bool {
    let collinear =
        RobustKernel::orient2d(first.start, first.end, second.end) == Orientation::Collinear;
    let (d1, d2) = (first.delta(), second.delta());
    collinear && d1.x * d2.x + d1.y * d2.y < 0.0
}

/// With every ring disjoint from every other: holes in their shell and in no other hole, and
/// no polygon inside another's area.
fn nesting_is_valid(geometry: &MultiPolygon<f64>) -> bool {
    let inside = |ring: &LineString<f64>, at: Coord<f64>| {
        Polygon::new(ring.clone(), Vec::new()).contains(&at)
    };
    for polygon in &geometry.0 {
        let holes = polygon.interiors();
        for (i, hole) in holes.iter().enumerate() {
            if !inside(polygon.exterior(), hole.0[0]) {
                return false;
            }
            for other in &holes[i + 1..] {
                if boxes_meet(hole, other) && (inside(other, hole.0[0]) || inside(hole, other.0[0]))
                {
                    return false;
                }
            }
        }
    }
    let parts = &geometry.0;
    for (i, a) in parts.iter().enumerate() {
        for b in &parts[i + 1..] {
            if !boxes_meet(a.exterior(), b.exterior()) {
                continue;
            }
            let in_area = |p: &Polygon<f64>, at: Coord<f64>| {
                inside(p.exterior(), at) && !p.interiors().iter().any(|h| inside(h, at))
            };
            if in_area(b, a.exterior().0[0]) || in_area(a, b.exterior().0[0]) {
                return false;
            }
        }
    }
    true
}

fn boxes_meet(a: &LineString<f64>, b: &LineString<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(a), Some(b)) => a.intersects(&b),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use geo::{Validation, polygon};

    use super::*;

    /// A circle-like ring of `n` vertices around (cx, cy).
    fn ring(n: usize, cx: f64, cy: f64, r: f64) -> LineString<f64> {
        let mut coords: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                Coord {
                    x: cx + r * t.cos(),
                    y: cy + r * t.sin(),
                }
            })
            .collect();
        coords.push(coords[0]);
        LineString::new(coords)
    }

    fn agrees(geometry: &MultiPolygon<f64>) -> Option<bool> {
        let fast = surely_valid(geometry);
        if fast == Some(true) {
            assert!(
                geometry.is_valid(),
                "the fast test cleared an invalid geometry"
            );
        }
        fast
    }

    #[test]
    fn valid_polygons_with_holes_and_islands_are_cleared() {
        let shell = ring(200, 0.0, 0.0, 10.0);
        let holes = vec![ring(40, 3.0, 0.0, 1.0), ring(40, -3.0, 0.0, 1.0)];
        let island = Polygon::new(ring(100, 30.0, 0.0, 5.0), Vec::new());
        // A polygon inside a hole of another is valid too.
        let big_hole = Polygon::new(ring(100, 0.0, 50.0, 10.0), vec![ring(80, 0.0, 50.0, 5.0)]);
        let in_hole = Polygon::new(ring(60, 0.0, 50.0, 2.0), Vec::new());
        let geometry =
            MultiPolygon::new(vec![Polygon::new(shell, holes), island, big_hole, in_hole]);
        assert_eq!(agrees(&geometry), Some(true));
    }

    #[test]
    fn invalid_or_touching_shapes_are_never_cleared() {
        let bowtie = {
            let mut coords = ring(100, 0.0, 0.0, 10.0).0;
            coords.swap(10, 60);
            Polygon::new(LineString::new(coords), Vec::new())
        };
        let hole_outside = Polygon::new(ring(100, 0.0, 0.0, 1.0), vec![ring(40, 5.0, 0.0, 1.0)]);
        let nested_holes = Polygon::new(
            ring(100, 0.0, 0.0, 10.0),
            vec![ring(40, 0.0, 0.0, 5.0), ring(40, 0.0, 0.0, 2.0)],
        );
        let overlapping_parts = MultiPolygon::new(vec![
            Polygon::new(ring(100, 0.0, 0.0, 10.0), Vec::new()),
            Polygon::new(ring(100, 1.0, 0.0, 2.0), Vec::new()),
        ]);
        // Parts meeting at one vertex: valid for geo, but not cleared here (geo decides).
        let mut other = ring(100, 2.0, 0.0, 1.0);
        other.0[50] = Coord { x: 1.0, y: 0.0 };
        let touching_parts = MultiPolygon::new(vec![
            Polygon::new(ring(100, 0.0, 0.0, 1.0), Vec::new()),
            Polygon::new(other, Vec::new()),
        ]);
        let mut spike = ring(100, 0.0, 0.0, 10.0).0;
        spike.insert(5, Coord { x: 20.0, y: 0.0 });
        spike.insert(6, spike[4]);
        for (i, geometry) in [
            MultiPolygon::new(vec![bowtie]),
            MultiPolygon::new(vec![hole_outside]),
            MultiPolygon::new(vec![nested_holes]),
            overlapping_parts,
            touching_parts,
            MultiPolygon::new(vec![Polygon::new(LineString::new(spike), Vec::new())]),
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(agrees(&geometry), Some(false), "case {i}");
        }
    }

    #[test]
    fn small_geometries_go_to_geo() {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        assert_eq!(surely_valid(&MultiPolygon::new(vec![square])), None);
    }
}
