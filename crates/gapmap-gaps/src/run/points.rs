//! METHOD.md §6 with block points: each block goes to the district holding its internal point,
//! and a block group's counts are split by its blocks' 2020 housing units.

use std::collections::{HashMap, HashSet};

use gapmap_core::GeoId;

use crate::apportion::{Weights, assign_points, block_weights};
use crate::error::RunError;

use super::{BlockPoints, ComputedLayer, RunInputs};

/// The weights of the source units (`source`'s rows) over `districts`, and the district of
/// every block that has one.
pub(super) fn block_point_weights(
    points: &BlockPoints<'_>,
    inputs: &RunInputs<'_>,
    source: &ComputedLayer,
    districts: &[&geo::MultiPolygon<f64>],
    ids: &[&str],
    name: &str,
    warnings: &mut Vec<String>,
) -> Result<(Weights, HashMap<GeoId, usize>), RunError> {
    let housing = inputs
        .blocks
        .ok_or_else(|| RunError::BlockPointsWithoutHousing {
            path: points.path.to_path_buf(),
        })?;
    let locations: Vec<Option<geo::Point<f64>>> =
        points.points.iter().map(|(_, p)| Some(*p)).collect();
    let owners = assign_points(&locations, districts, ids);
    let by_block: HashMap<GeoId, usize> = points
        .points
        .iter()
        .zip(owners)
        .filter_map(|((block, _), owner)| owner.map(|d| (block.clone(), d)))
        .collect();
    let unit_of: HashMap<&str, usize> = source
        .result
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.geoid.as_str(), i))
        .collect();
    let known: HashSet<&GeoId> = points.points.iter().map(|(b, _)| b).collect();
    let missing = housing.keys().filter(|b| !known.contains(b)).count();
    if missing > 0 {
        warnings.push(format!(
            "{missing} blocks of the housing counts have no internal point in {}: their share goes to the `unassigned` line of {name}",
            points.path.display()
        ));
    }
    let unit_length = source.result.rows.first().map(|r| r.geoid.len());
    let blocks: Vec<(usize, Option<usize>, f64)> = housing
        .iter()
        .filter_map(|(block, counts)| {
            let unit = *unit_of.get(block.prefix(unit_length?)?)?;
            Some((
                unit,
                by_block.get(block).copied(),
                counts.housing_units as f64,
            ))
        })
        .collect();
    Ok((block_weights(source.result.rows.len(), &blocks), by_block))
}
