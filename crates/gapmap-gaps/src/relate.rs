//! A cheap test before an areal overlay: when a unit's and a district's boundaries do not
//! touch, the unit lies wholly inside or wholly outside the district, and one vertex of each
//! ring says which; no overlay is needed.
//!
//! geo's boolean operations (i_overlay) were 40% of a demo run (perf, issue #13), most of it
//! on block groups far inside one ward, or whose envelope only grazes a district. Hand-written
//! because geo has no prepared-geometry "contains or disjoint" for polygons in 0.33; the test
//! is one-sided: anything it cannot decide goes to the overlay as before.

use geo::{Contains, Coord, Intersects, Line, MultiPolygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// A district's boundary segments, indexed.
pub(crate) struct Edges(RTree<GeomWithData<Rectangle<[f64; 2]>, Line<f64>>>);

impl Edges {
    pub(crate) fn of(district: &MultiPolygon<f64>) -> Edges {
        let segments = district
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(geo::LineString::lines)
            .map(|line| {
                let corners = ([line.start.x, line.start.y], [line.end.x, line.end.y]);
                GeomWithData::new(Rectangle::from_corners(corners.0, corners.1), line)
            })
            .collect();
        Edges(RTree::bulk_load(segments))
    }

    /// Whether some segment of `unit`'s boundary meets this boundary.
    fn touch(&self, unit: &MultiPolygon<f64>) -> bool {
        unit.0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(geo::LineString::lines)
            .any(|line| {
                let envelope = rstar::AABB::from_corners(
                    [line.start.x.min(line.end.x), line.start.y.min(line.end.y)],
                    [line.start.x.max(line.end.x), line.start.y.max(line.end.y)],
                );
                self.0
                    .locate_in_envelope_intersecting(&envelope)
                    .any(|edge| edge.data.intersects(&line))
            })
    }
}

/// How a unit lies to a district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// No area in common.
    Disjoint,
    /// The unit lies wholly in the district.
    Within,
    /// Ask the overlay.
    Unknown,
}

/// How `unit` lies to `district` (whose boundary is `edges`), when their boundaries do not
/// touch; [`Relation::Unknown`] otherwise.
pub(crate) fn relate(
    unit: &MultiPolygon<f64>,
    district: &MultiPolygon<f64>,
    edges: &Edges,
) -> Relation {
    if edges.touch(unit) {
        return Relation::Unknown;
    }
    let first = |ring: &geo::LineString<f64>| ring.0.first().copied();
    let rings = |m: &MultiPolygon<f64>| -> Vec<Coord<f64>> {
        m.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .filter_map(first)
            .collect()
    };
    // With boundaries apart, each ring lies on one side of the other polygon's boundary.
    if rings(district).iter().any(|c| unit.contains(c)) {
        // A district ring (a hole, or a part) inside the unit: partly covered.
        return Relation::Unknown;
    }
    let inside: Vec<bool> = rings(unit).iter().map(|c| district.contains(c)).collect();
    if inside.iter().all(|&i| i) {
        Relation::Within
    } else if inside.iter().all(|&i| !i) {
        Relation::Disjoint
    } else {
        Relation::Unknown
    }
}

#[cfg(test)]
mod tests {
    use geo::{Area, BooleanOps, polygon};

    use super::*;

    fn square(x: f64, y: f64, size: f64) -> geo::Polygon<f64> {
        polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]
    }

    fn check(unit: geo::Polygon<f64>, district: geo::Polygon<f64>) -> Relation {
        let (unit, district) = (
            MultiPolygon::new(vec![unit]),
            MultiPolygon::new(vec![district]),
        );
        let relation = relate(&unit, &district, &Edges::of(&district));
        let shared = unit.intersection(&district).unsigned_area();
        match relation {
            Relation::Within => assert!((shared - unit.unsigned_area()).abs() < 1e-12),
            Relation::Disjoint => assert!(shared.abs() < 1e-12),
            Relation::Unknown => {}
        }
        relation
    }

    #[test]
    fn inside_outside_and_crossing() {
        let district = square(0.0, 0.0, 10.0);
        assert_eq!(
            check(square(2.0, 2.0, 1.0), district.clone()),
            Relation::Within
        );
        assert_eq!(
            check(square(20.0, 2.0, 1.0), district.clone()),
            Relation::Disjoint
        );
        assert_eq!(
            check(square(9.0, 2.0, 2.0), district.clone()),
            Relation::Unknown
        );
        // Sharing an edge: the overlay decides.
        assert_eq!(
            check(square(0.0, 0.0, 1.0), district.clone()),
            Relation::Unknown
        );
        // A district with a hole inside the unit, and a unit inside the district's hole.
        let holed = geo::Polygon::new(
            square(0.0, 0.0, 10.0).exterior().clone(),
            vec![square(4.0, 4.0, 2.0).exterior().clone()],
        );
        assert_eq!(
            check(square(3.0, 3.0, 4.0), holed.clone()),
            Relation::Unknown
        );
        assert_eq!(
            check(square(4.5, 4.5, 1.0), holed.clone()),
            Relation::Disjoint
        );
        // The district wholly inside the unit.
        assert_eq!(check(square(-5.0, -5.0, 30.0), district), Relation::Unknown);
    }
}
