//! A census level: locations, ACS units and tiles enter through their GEOIDs (METHOD.md §2–§5).

use crate::affordability::PriceSource;
use crate::error::RunError;
use crate::level::{Inputs, LevelResult, compute_census_level};
use std::collections::HashMap;

use gapmap_core::{Level, SpeedTiles};

use crate::periods::{ChangeSpan, QuarterTable};
use crate::speeds::assign_by_centroid;
use crate::suppress::Withheld;

use super::{
    CensusLevelInput, ComputedLayer, LayerKind, PriceMatch, RunInputs, RunPlan, UnitNames,
    at_chart_shares, districts_of, geometry_index, quarter_figures, report_tiles_outside,
};

/// Computes one census level, and how it met the price table when affordability is computed.
pub(super) fn compute(
    inputs: &RunInputs<'_>,
    plan: &RunPlan,
    input: &CensusLevelInput<'_>,
    span: Option<ChangeSpan>,
) -> Result<(ComputedLayer, Option<PriceMatch>), RunError> {
    let level = input.level;
    let mut warnings = Vec::new();
    let districts = districts_of(&input.districts, Some(level))?;
    if let Some(acs_level) = inputs.acs_level
        && acs_level.geoid_len() < level.geoid_len()
    {
        warnings.push(format!(
            "ACS tables are at {acs_level} level, coarser than {level}: ACS fields of that level stay empty (apportionment comes with custom districts)"
        ));
    }
    let membership = inputs.tile_footprints.map(|footprints| {
        let geometries: Vec<&geo::MultiPolygon<f64>> = input
            .districts
            .features
            .iter()
            .map(|f| &f.geometry)
            .collect();
        let ids: Vec<&str> = districts.iter().map(|d| d.geoid.as_str()).collect();
        let (members, outside) = assign_by_centroid(footprints, &geometries, &ids);
        report_tiles_outside(
            &mut warnings,
            &outside,
            inputs.speeds,
            &UnitNames::of_level(level).singular,
        );
        members
    });
    let level_inputs = Inputs {
        locations: inputs.locations,
        acs: inputs.acs,
        speeds: inputs.speeds,
        affordability: inputs.affordability,
        tile_membership: membership.as_deref(),
    };
    let mut result = compute_census_level(level, &districts, level_inputs, &plan.method);
    let by_share = at_chart_shares(&plan.chart_shares, inputs.affordability, |a| {
        compute_census_level(
            level,
            &districts,
            Inputs {
                affordability: Some(a),
                ..level_inputs
            },
            &plan.method,
        )
    });
    report_coverage(&mut warnings, &result, input.districts.shown);
    let price_match = inputs
        .affordability
        .is_some()
        .then(|| price_match(&result, level.as_str()));
    if let (Some(geography), Some(matched)) = (plan.area_price_geography, &price_match)
        && geography != 2020
    {
        warnings.push(format!(
            "the area price table uses {geography} census geography; it was joined to the 2020 {level} districts by GEOID, and a GEOID present in both need not cover the same area: {} of {} districts found a price, {} did not",
            matched.with_table_price, matched.districts, matched.without_table_price
        ));
    }
    let geometry_index = geometry_index(&input.districts, &result)?;
    let quarters = inputs.speeds.and_then(|tiles| {
        level_quarters(
            &mut result,
            (membership.as_deref(), &geometry_index),
            tiles,
            level,
            (plan, span),
        )
    });
    let computed = ComputedLayer {
        geometry_index,
        quarters,
        mobile_quarters: None,
        extra_fields: Vec::new(),
        result,
        kind: LayerKind::Census(level),
        names: UnitNames::of_level(level),
        tabulated_by: None,
        by_share,
        unassigned: None,
        withheld: Withheld::default(),
        apportionment: None,
        warnings,
    };
    Ok((computed, price_match))
}

fn report_coverage(warnings: &mut Vec<String>, result: &LevelResult, boundaries: &str) {
    let coverage = result.coverage;
    if coverage.locations_outside > 0 {
        warnings.push(format!(
            "{} of {} residential locations lie in no {} of {boundaries}: they are in no row of that layer",
            coverage.locations_outside, coverage.locations_total, result.name
        ));
    }
    if coverage.tiles_outside > 0 {
        warnings.push(format!(
            "{} Ookla tiles ({} tests) touch no {} of {boundaries}: their tests are in no row of that layer",
            coverage.tiles_outside, coverage.tests_outside, result.name
        ));
    }
    if coverage.acs_units_outside > 0 {
        warnings.push(format!(
            "{} of {} ACS units lie in no {} of {boundaries}",
            coverage.acs_units_outside, coverage.acs_units_total, result.name
        ));
    }
}

/// METHOD.md §4: how many districts found a table price, and how many a cost to income.
fn price_match(result: &LevelResult, level: &str) -> PriceMatch {
    let total = result.rows.len();
    let priced = result
        .rows
        .iter()
        .filter(|r| {
            matches!(
                r.reference_price_source,
                Some(PriceSource::AreaTable | PriceSource::Plans)
            )
        })
        .count();
    PriceMatch {
        level: level.to_owned(),
        districts: total,
        with_table_price: priced,
        without_table_price: total - priced,
        with_cost_to_income: result
            .rows
            .iter()
            .filter(|r| r.cost_to_income.is_some())
            .count(),
    }
}

/// Each row's figures per quarter (METHOD.md §10), from its tiles in row order: raw tiles
/// through the level's centroid membership (by feature), block-joined ones through their
/// blocks' GEOID prefixes (each tile once).
fn level_quarters(
    result: &mut LevelResult,
    (membership, geometry_index): (Option<&[Vec<u32>]>, &[usize]),
    tiles: &SpeedTiles,
    level: Level,
    (plan, span): (&RunPlan, Option<ChangeSpan>),
) -> Option<QuarterTable> {
    let by_row: Vec<Vec<u32>> = if let Some(members) = membership {
        geometry_index
            .iter()
            .map(|&feature| members[feature].clone())
            .collect()
    } else {
        let row_of: HashMap<&str, usize> = result
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.geoid.as_str(), i))
            .collect();
        let mut by_row: Vec<Vec<u32>> = vec![Vec::new(); row_of.len()];
        for (block, tile) in &tiles.tile_blocks {
            if let Some(&row) = block.prefix(level.geoid_len()).and_then(|k| row_of.get(k)) {
                by_row[row].push(*tile);
            }
        }
        for ids in &mut by_row {
            ids.sort_unstable();
            ids.dedup();
        }
        by_row
    };
    quarter_figures(&mut result.rows, &by_row, tiles, plan, span)
}
