//! Ookla's mobile tiles beside the fixed ones (METHOD.md §10): placed in every layer's
//! districts by their centroid, as raw fixed tiles are (§5), and published in the `mobile_*`
//! fields and `<layer>.mobile_quarters.csv`, never mixed with the fixed figures.

use gapmap_core::SpeedTiles;

use crate::error::RunError;
use crate::periods::{ChangeSpan, QuarterTable, fill_mobile};
use crate::speeds::assign_by_centroid;

use super::{ComputedLayer, Districts, RunPlan};

/// The mobile tiles of a run and their footprints (same order).
#[derive(Debug, Clone, Copy)]
pub struct MobileTiles<'a> {
    /// The tiles.
    pub speeds: &'a SpeedTiles,
    /// Their squares, to place them by centroid.
    pub footprints: &'a [geo::Polygon<f64>],
}

/// The span a mobile change is measured over: the configured quarters, which must be quarters
/// of the mobile tiles too.
pub(super) fn span(
    mobile: MobileTiles<'_>,
    plan: &RunPlan,
) -> Result<Option<ChangeSpan>, RunError> {
    ChangeSpan::resolve(
        mobile.speeds,
        plan.change_quarters.0.as_deref(),
        plan.change_quarters.1.as_deref(),
    )
    .map_err(|message| RunError::Quarters {
        message: format!("the mobile tiles: {message}"),
    })
}

/// Places the mobile tiles in `layer`'s districts (`districts`, the features its rows were
/// computed from) and fills the rows' mobile figures and the layer's mobile quarters.
pub(super) fn place(
    layer: &mut ComputedLayer,
    districts: &Districts<'_>,
    mobile: MobileTiles<'_>,
    plan: &RunPlan,
    span: Option<ChangeSpan>,
) {
    let geometries: Vec<&geo::MultiPolygon<f64>> = layer
        .geometry_index
        .iter()
        .map(|&i| &districts.features[i].geometry)
        .collect();
    let ids: Vec<&str> = layer.result.rows.iter().map(|r| r.geoid.as_str()).collect();
    let (placed, outside) = assign_by_centroid(mobile.footprints, &geometries, &ids);
    if !outside.is_empty() {
        let tests: u64 = outside
            .iter()
            .map(|&t| mobile.speeds.tiles[t as usize].tests)
            .sum();
        layer.warnings.push(format!(
            "{} Ookla mobile tiles ({tests} tests) have their centroid in no {} (sea, or beyond the layer)",
            outside.len(),
            layer.names.singular
        ));
    }
    let thresholds = &plan.method.thresholds;
    let rows: Vec<Option<Vec<crate::speeds::Speeds>>> = layer
        .result
        .rows
        .iter_mut()
        .zip(&placed)
        .map(|(row, tiles)| Some(fill_mobile(row, mobile.speeds, tiles, thresholds, span)))
        .collect();
    layer.mobile_quarters = (!mobile.speeds.periods.is_empty()).then(|| QuarterTable {
        quarters: mobile.speeds.periods.clone(),
        rows,
        span,
    });
}
