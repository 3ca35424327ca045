//! Apportionment of census units to any district layer (METHOD.md §6), by areal overlay:
//! weight = area(unit ∩ district) / area(unit), every count of the unit (locations by tier,
//! ACS estimates with their MOEs) multiplied by it and summed per district, shares recomputed
//! from the apportioned counts. What falls in no district goes to an `unassigned` row.
//!
//! Areas are geodesic (geo's `GeodesicArea`, Karney's method on the WGS84 ellipsoid): exact,
//! where METHOD.md's "equal-area projection" would approximate the same ratio.

use gapmap_core::{Estimate, NeedWeights, moe};
use geo::orient::{Direction, Orient};
use geo::{BooleanOps, BoundingRect, GeodesicArea, MultiPolygon};
use rayon::prelude::*;
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use crate::record::{DistrictGaps, Note};
use crate::relate::{Edges, Relation, relate};

/// Each unit's parts: `(district index, weight)`, weights in (0, 1].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weights {
    /// One list per unit, in unit order.
    pub parts: Vec<Vec<(usize, f64)>>,
    /// The unit most covered twice, when districts overlap by more than 1% of a unit (a
    /// district listed twice, overlapping plans): (unit, how much of it the districts cover
    /// together, those districts).
    pub overlap: Option<(usize, f64, Vec<usize>)>,
}

impl Weights {
    /// The share of unit `u` that lies in no district (0 when wholly assigned: a residue
    /// below [`SLIVER`] is float rounding of parts that sum to 1).
    pub fn unassigned(&self, unit: usize) -> f64 {
        let rest = 1.0 - self.parts[unit].iter().map(|(_, w)| w).sum::<f64>();
        if rest < SLIVER { 0.0 } else { rest }
    }

    /// Whether some unit lies partly or wholly in no district.
    pub fn any_unassigned(&self) -> bool {
        (0..self.parts.len()).any(|unit| self.unassigned(unit) > 0.0)
    }
}

fn envelope(polygons: &MultiPolygon<f64>) -> Option<AABB<[f64; 2]>> {
    polygons
        .bounding_rect()
        .map(|r| AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
}

/// An R-tree of the districts' envelopes, each carrying its district index.
fn district_index(
    districts: &[&MultiPolygon<f64>],
) -> RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> {
    let boxes = districts
        .iter()
        .enumerate()
        .filter_map(|(i, d)| envelope(d).map(|e| GeomWithData::new(Rectangle::from_aabb(e), i)))
        .collect();
    RTree::bulk_load(boxes)
}

/// Areal weights of every unit over every district, with a spatial index on the districts and
/// the units processed in parallel.
pub fn areal_weights(units: &[&MultiPolygon<f64>], districts: &[&MultiPolygon<f64>]) -> Weights {
    // Geodesic area takes a clockwise exterior for a hole the size of the Earth: orient every
    // polygon the standard way first (Shapefiles store exteriors clockwise).
    let units: Vec<MultiPolygon<f64>> =
        units.iter().map(|u| u.orient(Direction::Default)).collect();
    let districts: Vec<MultiPolygon<f64>> = districts
        .iter()
        .map(|d| d.orient(Direction::Default))
        .collect();
    let tree = district_index(&districts.iter().collect::<Vec<_>>());
    let edges: Vec<Edges> = districts.par_iter().map(Edges::of).collect();
    let parts = units
        .par_iter()
        .map(|unit| {
            let area = unit.geodesic_area_unsigned();
            let Some(bounds) = envelope(unit).filter(|_| area > 0.0) else {
                return Vec::new();
            };
            let mut parts: Vec<(usize, f64)> = tree
                .locate_in_envelope_intersecting(&bounds)
                .filter_map(|candidate| {
                    let district = candidate.data;
                    let shared = match relate(unit, &districts[district], &edges[district]) {
                        Relation::Disjoint => return None,
                        Relation::Within => area,
                        Relation::Unknown => unit
                            .intersection(&districts[district])
                            .geodesic_area_unsigned(),
                    };
                    (shared > 0.0).then(|| (district, (shared / area).min(1.0)))
                })
                .collect();
            parts.sort_by_key(|(district, _)| *district);
            parts
        })
        .collect::<Vec<Vec<(usize, f64)>>>();
    let overlap = parts
        .iter()
        .enumerate()
        .map(|(unit, parts)| (unit, parts.iter().map(|(_, w)| w).sum::<f64>()))
        .filter(|(_, total)| *total > 1.0 + OVERLAP)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(unit, total)| (unit, total, parts[unit].iter().map(|(d, _)| *d).collect()));
    Weights {
        parts: parts.into_iter().map(snap).collect(),
        overlap,
    }
}

/// Districts covering a unit more than this much twice overlap (beyond slivers of edges).
pub const OVERLAP: f64 = 0.01;

/// Below this share of a unit's area, a piece is a sliver: two layers' edges drawn from
/// different sources that do not quite meet, not a part of the unit (0.01% of a block group
/// is tens of square metres in a city).
pub const SLIVER: f64 = 1e-4;

/// A unit's parts with slivers dropped, summing to exactly 1 when the unit is wholly assigned
/// (within [`SLIVER`]: geodesic areas of pieces cut along lon/lat edges do not add up to the
/// unit's own area to the last digit), and never to more than 1 (neighbouring districts that
/// overlap by slivers would otherwise count a part twice). So a wholly assigned unit conserves
/// exactly (METHOD.md §6), and no published figure leans on a sliver's weight.
fn snap(mut parts: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    parts.retain(|(_, weight)| *weight >= SLIVER);
    let total: f64 = parts.iter().map(|(_, w)| w).sum();
    if total > 1.0 || (total > 0.0 && 1.0 - total < SLIVER) {
        for (_, weight) in &mut parts {
            *weight /= total;
        }
    }
    parts
}

/// The district holding each point (METHOD.md §6 for block internal points, §5 for tile
/// centroids); a point on a shared edge goes to the district with the smallest id.
pub fn assign_points(
    points: &[Option<geo::Point<f64>>],
    districts: &[&MultiPolygon<f64>],
    ids: &[&str],
) -> Vec<Option<usize>> {
    use geo::Intersects;
    let tree = district_index(districts);
    points
        .par_iter()
        .map(|point| {
            let point = (*point)?;
            let at = AABB::from_point([point.x(), point.y()]);
            tree.locate_in_envelope_intersecting(&at)
                .map(|candidate| candidate.data)
                .filter(|&d| districts[d].intersects(&point))
                .min_by(|&a, &b| ids[a].cmp(ids[b]))
        })
        .collect()
}

/// METHOD.md §6 with block points: weights of each source unit (block group) over the
/// districts from its blocks' housing units. A block belongs to the district holding its
/// internal point; `blocks` gives, per block, its unit index, its district (if any) and its
/// housing units. A unit without housing units splits by block count instead.
pub fn block_weights(units: usize, blocks: &[(usize, Option<usize>, f64)]) -> Weights {
    let mut housing = vec![0.0; units];
    let mut count = vec![0usize; units];
    for &(unit, _, units_here) in blocks {
        housing[unit] += units_here;
        count[unit] += 1;
    }
    let mut parts: Vec<std::collections::BTreeMap<usize, f64>> =
        vec![std::collections::BTreeMap::new(); units];
    for &(unit, district, units_here) in blocks {
        let Some(district) = district else { continue };
        let weight = if housing[unit] > 0.0 {
            units_here / housing[unit]
        } else {
            1.0 / count[unit] as f64
        };
        *parts[unit].entry(district).or_insert(0.0) += weight;
    }
    Weights {
        parts: parts
            .into_iter()
            .map(|p| p.into_iter().filter(|(_, w)| *w > 0.0).collect())
            .collect(),
        overlap: None,
    }
}

/// With block points, residential locations are counted exactly (METHOD.md §6): each lies in
/// its block, each block in the district holding its internal point (`district_of_block`,
/// indexed like `table.blocks`; `None` puts the block's locations on the `unassigned` line).
pub fn exact_locations(
    result: &mut Apportioned,
    table: &gapmap_core::LocationTable,
    district_of_block: &[Option<usize>],
    weights: &NeedWeights,
) {
    let counts = crate::tiers::counts_by_block(table);
    let mut sums = vec![crate::tiers::TierCounts::default(); result.rows.len()];
    let mut outside = crate::tiers::TierCounts::default();
    for (block, count) in counts.into_iter().enumerate() {
        match district_of_block[block] {
            Some(d) => sums[d] += count,
            None => outside += count,
        }
    }
    for (row, count) in result
        .rows
        .iter_mut()
        .chain(std::iter::once(&mut result.unassigned))
        .zip(sums.into_iter().chain([outside]))
    {
        row.set_tiers(count);
        row.update_need(weights);
    }
}

/// Running sums of one district's apportioned figures.
#[derive(Default)]
pub(crate) struct Sums {
    locations: [Option<f64>; 5],
    best: Option<[f64; 7]>,
    households: Vec<Estimate>,
    no_internet: Vec<Estimate>,
    without_broadband: Vec<Estimate>,
    missing_acs: usize,
    computer_households: Vec<Estimate>,
    no_computer: Vec<Estimate>,
    missing_computer: usize,
}

impl Sums {
    pub(crate) fn add(&mut self, unit: &DistrictGaps, weight: f64) {
        let counts = [
            unit.locations,
            unit.locations_served,
            unit.locations_underserved,
            unit.locations_unserved,
            unit.locations_gigabit,
        ];
        for (sum, count) in self.locations.iter_mut().zip(counts) {
            if let Some(count) = count {
                *sum = Some(sum.unwrap_or(0.0) + weight * count);
            }
        }
        if let Some(best) = unit.locations_by_best_technology {
            let sums = self.best.get_or_insert([0.0; 7]);
            for (sum, count) in sums.iter_mut().zip(best) {
                *sum += weight * count;
            }
        }
        // METHOD.md §3: an apportioned share w·X has MOE w·MOE_X.
        match (unit.households, unit.no_internet, unit.without_broadband) {
            (Some(h), Some(n), Some(w)) => {
                self.households.push(moe::scale(h, weight));
                self.no_internet.push(moe::scale(n, weight));
                self.without_broadband.push(moe::scale(w, weight));
            }
            (None, None, None) => {}
            _ => self.missing_acs += 1,
        }
        match (unit.computer_households, unit.no_computer) {
            (Some(h), Some(n)) => {
                self.computer_households.push(moe::scale(h, weight));
                self.no_computer.push(moe::scale(n, weight));
            }
            (None, None) => {}
            _ => self.missing_computer += 1,
        }
    }

    pub(crate) fn into_row(
        self,
        geoid: String,
        name: String,
        level: &str,
        weights: &NeedWeights,
    ) -> DistrictGaps {
        let [locations, served, underserved, unserved, gigabit] = self.locations;
        let mut row = DistrictGaps {
            geoid,
            name,
            level: level.to_owned(),
            locations,
            locations_served: served,
            locations_underserved: underserved,
            locations_unserved: unserved,
            locations_gigabit: gigabit,
            locations_by_best_technology: self.best,
            ..DistrictGaps::default()
        };
        row.set_location_shares();
        if self.missing_acs > 0 {
            row.notes.push(Note::new(
                "households, no_internet, without_broadband",
                format!(
                    "{} contributing units have no complete ACS estimate, so the sums are withheld",
                    self.missing_acs
                ),
            ));
        } else if !self.households.is_empty() {
            let households = moe::sum(&self.households);
            let no_internet = moe::sum(&self.no_internet);
            let without_broadband = moe::sum(&self.without_broadband);
            row.share_no_internet = moe::proportion(no_internet, households);
            row.share_without_broadband = moe::proportion(without_broadband, households);
            row.households = Some(households);
            row.no_internet = Some(no_internet);
            row.without_broadband = Some(without_broadband);
        }
        if self.missing_computer > 0 {
            row.notes.push(Note::new(
                "no_computer",
                format!(
                    "{} contributing units have no complete computer-table estimate, so the sum is withheld",
                    self.missing_computer
                ),
            ));
        } else if !self.no_computer.is_empty() {
            let households = moe::sum(&self.computer_households);
            let no_computer = moe::sum(&self.no_computer);
            row.share_no_computer = moe::proportion(no_computer, households);
            row.computer_households = Some(households);
            row.no_computer = Some(no_computer);
        }
        row.update_need(weights);
        row
    }
}

/// A layer's rows apportioned from its source units, and what fell outside every district.
#[derive(Debug, Clone, PartialEq)]
pub struct Apportioned {
    /// One row per district, in the order given.
    pub rows: Vec<DistrictGaps>,
    /// The parts of the units in no district (`geoid` = `unassigned`).
    pub unassigned: DistrictGaps,
}

/// The fields a layer's own tables give it, over the apportioned ones (with their notes).
const FROM_OWN_TABLES: [&str; 9] = [
    "reference_price",
    "income_threshold",
    "unaffordable",
    "unaffordable_moe",
    "share_unaffordable_moe",
    "cost_to_income",
    "cost_to_income_moe",
    "median_income",
    "median_income_moe",
];

/// Copies the affordability figures of a layer's own tables (joined by id) into its
/// apportioned rows, and recomputes the need index with them.
pub fn merge_tabulated(
    rows: &mut [DistrictGaps],
    tabulated: &[DistrictGaps],
    weights: &NeedWeights,
) {
    for row in rows.iter_mut() {
        let Some(own) = tabulated.iter().find(|t| t.geoid == row.geoid) else {
            continue;
        };
        row.reference_price = own.reference_price;
        row.reference_price_source = own.reference_price_source;
        row.income_threshold = own.income_threshold;
        row.unaffordable = own.unaffordable;
        row.share_unaffordable = own.share_unaffordable;
        row.cost_to_income = own.cost_to_income;
        row.cost_to_income_moe = own.cost_to_income_moe;
        row.median_income = own.median_income;
        row.notes.extend(
            own.notes
                .iter()
                .filter(|n| FROM_OWN_TABLES.iter().any(|f| n.is_about(f)))
                .cloned(),
        );
        row.update_need(weights);
    }
}

/// Apportions the figures of `units` (rows of a census level) to `districts` (`(id, name)`)
/// with `weights`; speeds and affordability are not counts of the units and are not carried.
pub fn apportion(
    level: &str,
    districts: &[(String, String)],
    units: &[DistrictGaps],
    weights: &Weights,
    need_weights: &NeedWeights,
) -> Apportioned {
    let mut members: Vec<Vec<(usize, f64)>> = vec![Vec::new(); districts.len()];
    for (unit, parts) in weights.parts.iter().enumerate() {
        for &(district, weight) in parts {
            members[district].push((unit, weight));
        }
    }
    let rows = districts
        .par_iter()
        .zip(members.par_iter())
        .map(|((id, name), members)| {
            let mut sums = Sums::default();
            for &(unit, weight) in members {
                sums.add(&units[unit], weight);
            }
            sums.into_row(id.clone(), name.clone(), level, need_weights)
        })
        .collect();
    let mut outside = Sums::default();
    for (index, unit) in units.iter().enumerate() {
        let weight = weights.unassigned(index);
        if weight > 0.0 {
            outside.add(unit, weight);
        }
    }
    let unassigned = outside.into_row(
        "unassigned".into(),
        "Outside every district".into(),
        level,
        need_weights,
    );
    Apportioned { rows, unassigned }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use geo::polygon;

    use super::*;

    #[test]
    fn block_points_weight_a_block_group_by_its_blocks_housing_units() {
        // Unit 0 has three blocks: 30 units in district 0, 10 in district 1, 0 in none; unit 1
        // has no housing at all and two blocks, one of them in district 1.
        let blocks = [
            (0, Some(0), 30.0),
            (0, Some(1), 10.0),
            (0, None, 0.0),
            (1, Some(1), 0.0),
            (1, None, 0.0),
        ];
        let weights = block_weights(2, &blocks);
        assert_eq!(weights.parts[0], vec![(0, 0.75), (1, 0.25)]);
        assert_relative_eq!(weights.unassigned(0), 0.0);
        assert_eq!(
            weights.parts[1],
            vec![(1, 0.5)],
            "no housing: split by block count"
        );
        assert_relative_eq!(weights.unassigned(1), 0.5);
    }

    #[test]
    fn a_point_on_a_shared_edge_goes_to_the_smallest_id() {
        let (left, right) = (square(0.0, 0.0, 1.0), square(1.0, 0.0, 1.0));
        let points = [
            Some(geo::Point::new(1.0, 0.5)),
            Some(geo::Point::new(1.5, 0.5)),
            Some(geo::Point::new(5.0, 5.0)),
            None,
        ];
        let owners = assign_points(&points, &[&left, &right], &["w2", "w1"]);
        assert_eq!(owners, vec![Some(1), Some(1), None, None]);
    }

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0),
            (x: x0 + size, y: y0),
            (x: x0 + size, y: y0 + size),
            (x: x0, y: y0 + size),
        ]])
    }

    fn unit(locations: f64, served: f64, households: f64, moe: f64) -> DistrictGaps {
        DistrictGaps {
            locations: Some(locations),
            locations_served: Some(served),
            locations_underserved: Some(0.0),
            locations_unserved: Some(locations - served),
            locations_gigabit: Some(0.0),
            households: Some(Estimate::new(households, moe)),
            no_internet: Some(Estimate::new(households / 10.0, moe / 2.0)),
            without_broadband: Some(Estimate::new(households / 5.0, moe / 2.0)),
            ..DistrictGaps::default()
        }
    }

    #[test]
    fn a_unit_split_in_half_gives_half_to_each_side_and_totals_are_conserved() {
        // Two units side by side near DC; district A covers the left unit and half of the right
        // one, district B nothing of it, and a quarter of the right unit lies in no district.
        let left = square(-77.02, 38.90, 0.01);
        let right = square(-77.01, 38.90, 0.01);
        let a = MultiPolygon(vec![polygon![
            (x: -77.02, y: 38.90),
            (x: -77.005, y: 38.90),
            (x: -77.005, y: 38.91),
            (x: -77.02, y: 38.91),
        ]]);
        let b = square(-77.005, 38.905, 0.005);
        // A clockwise exterior (as Shapefiles store them) must weigh the same.
        let b = MultiPolygon(vec![geo::Polygon::new(
            geo::LineString(b.0[0].exterior().0.iter().rev().copied().collect()),
            vec![],
        )]);
        let weights = areal_weights(&[&left, &right], &[&a, &b]);
        assert_eq!(weights.parts[0].len(), 1);
        assert_relative_eq!(weights.parts[0][0].1, 1.0, epsilon = 1e-9);
        // Geodesic areas of thin strips differ from planar halves by a hair (latitude spread).
        assert_relative_eq!(weights.parts[1][0].1, 0.5, epsilon = 1e-3);
        assert_relative_eq!(weights.parts[1][1].1, 0.25, epsilon = 1e-3);
        assert_relative_eq!(weights.unassigned(1), 0.25, epsilon = 1e-3);

        let units = [unit(100.0, 80.0, 90.0, 30.0), unit(40.0, 40.0, 60.0, 20.0)];
        let districts = [
            ("A".to_owned(), "A".to_owned()),
            ("B".to_owned(), "B".to_owned()),
        ];
        let result = apportion(
            "ward",
            &districts,
            &units,
            &weights,
            &NeedWeights::default(),
        );
        let total = |f: fn(&DistrictGaps) -> Option<f64>| {
            result
                .rows
                .iter()
                .chain([&result.unassigned])
                .map(|r| f(r).unwrap_or(0.0))
                .sum::<f64>()
        };
        assert_relative_eq!(total(|r| r.locations), 140.0, epsilon = 1e-9);
        assert_relative_eq!(total(|r| r.locations_served), 120.0, epsilon = 1e-9);
        assert_relative_eq!(
            total(|r| r.households.map(|e| e.value)),
            150.0,
            epsilon = 1e-9
        );
        // District A: all of the left unit and half the right one; MOE = sqrt(30² + (0.5·20)²).
        let a = &result.rows[0];
        let w = weights.parts[1][0].1;
        assert_relative_eq!(
            a.households.expect("households").value,
            90.0 + w * 60.0,
            epsilon = 1e-9
        );
        assert_relative_eq!(
            a.households.expect("households").moe.expect("known"),
            (30.0f64.powi(2) + (w * 20.0).powi(2)).sqrt(),
            epsilon = 1e-9
        );
        // Shares are recomputed from apportioned counts, not averaged.
        assert_relative_eq!(
            a.share_served.expect("share"),
            (80.0 + w * 40.0) / (100.0 + w * 40.0),
            epsilon = 1e-12
        );
    }
}
