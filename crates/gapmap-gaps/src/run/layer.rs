//! A layer of the city's own districts: apportioned from a census level (METHOD.md §6),
//! joined to tables tabulated by its own ids, or both.

use std::collections::HashMap;

use gapmap_core::GeoId;

use crate::apportion::{Apportioned, apportion, areal_weights, exact_locations, merge_tabulated};
use crate::error::RunError;
use crate::level::{Coverage, Inputs, LevelResult, compute_tabulated_layer};
use crate::periods::ChangeSpan;
use crate::record::{DistrictGaps, Note};
use crate::speeds::{assign_by_centroid, fill};
use crate::suppress::Withheld;

use super::{
    ApportionmentWeights, Attributes, ComputedLayer, LayerInput, LayerKind, LayerTables, RunInputs,
    RunPlan, ShareSweep, at_chart_shares, districts_of, geometry_index,
    points::block_point_weights, quarter_figures, report_tiles_outside,
};

/// Computes one city layer; `done` holds the census levels computed before it.
pub(super) fn compute(
    inputs: &RunInputs<'_>,
    plan: &RunPlan,
    layer: &LayerInput<'_>,
    done: &[ComputedLayer],
    span: Option<ChangeSpan>,
) -> Result<ComputedLayer, RunError> {
    let mut warnings = Vec::new();
    let (apportioned, apportionment, mut members) = match layer.apportion_from {
        Some(_) => {
            let (figures, weights, members) =
                apportioned(inputs, plan, layer, done, &mut warnings)?;
            (Some(figures), Some(weights), members)
        }
        None => (None, None, None),
    };
    let (rows, by_share) = match (&layer.tables, &apportioned) {
        (None, None) => {
            if layer.attributes.is_none() && inputs.speeds.is_none() {
                return Err(RunError::NothingToCompute {
                    layer: layer.name.to_owned(),
                });
            }
            (own_rows(layer), Vec::new())
        }
        (None, Some(a)) => {
            let mut rows = a.rows.clone();
            // METHOD.md §6: a median is never rolled up and a price belongs to an area, so an
            // apportioned layer has affordability figures only from tables of its own ids.
            if inputs.affordability.is_some() {
                for row in &mut rows {
                    row.notes.push(Note::new(
                        "reference_price, income_threshold, unaffordable, share_unaffordable, cost_to_income, median_income",
                        "an apportioned layer has affordability figures only from tables of its own districts (`[[layer]] tables`: income brackets or a median, and a price per district id); a median is never rolled up (METHOD.md §6)",
                    ));
                }
            }
            (rows, Vec::new())
        }
        (Some(tables), _) => {
            let (result, by_share) = tabulated(plan, layer, tables, &mut warnings)?;
            let rows = match &apportioned {
                Some(a) => {
                    let mut rows = a.rows.clone();
                    merge_tabulated(&mut rows, &result.rows, &plan.method.need_weights);
                    rows
                }
                None => result.rows,
            };
            (rows, by_share)
        }
    };
    let mut rows = rows;
    // A layer of its own districts (not apportioned): raw tiles go to the district holding
    // their centroid, as on the census levels (METHOD.md §5).
    if layer.apportion_from.is_none() {
        members = own_speeds(inputs, plan, layer, &mut rows, &mut warnings);
    }
    if let Some(attributes) = layer.attributes {
        join_attributes(&mut rows, attributes, layer, &mut warnings);
        // The poverty share is a need component (METHOD.md §10).
        for row in &mut rows {
            row.update_need(&plan.method.need_weights);
        }
    }
    rows.sort_by(|a, b| a.geoid.cmp(&b.geoid));
    let quarters = match (members, inputs.speeds) {
        (Some(members), Some(tiles)) => {
            let by_row: Vec<Vec<u32>> = rows
                .iter()
                .map(|row| members.get(&row.geoid).cloned().unwrap_or_default())
                .collect();
            quarter_figures(&mut rows, &by_row, tiles, plan, span)
        }
        _ => None,
    };
    // by_share values follow the tabulated rows, which are sorted by id too.
    let result = LevelResult {
        name: layer.name.to_owned(),
        rows,
        coverage: Coverage::default(),
    };
    Ok(ComputedLayer {
        geometry_index: geometry_index(&layer.districts, &result)?,
        result,
        kind: match layer.apportion_from {
            Some(from) => LayerKind::Apportioned {
                from,
                tabulated: layer.tables.is_some(),
            },
            None => LayerKind::Tabulated,
        },
        names: layer.names.clone(),
        tabulated_by: layer.tables.as_ref().map(|t| t.described_as.clone()),
        by_share,
        // The `unassigned` line only where something is: a layer covering the whole area has
        // none (a residue line of rounding with shares computed from it was published).
        unassigned: apportioned
            .filter(|_| {
                apportionment
                    .as_ref()
                    .is_some_and(|a| a.weights.any_unassigned())
            })
            .map(|a| a.unassigned),
        apportionment,
        quarters,
        mobile_quarters: None,
        extra_fields: layer
            .attributes
            .map(|a| a.extra.iter().map(|(field, _)| field.clone()).collect())
            .unwrap_or_default(),
        withheld: Withheld::default(),
        warnings,
    })
}

/// Per district id, the tiles placed in it.
type Members = HashMap<String, Vec<u32>>;

/// One row per district of a layer with neither tables nor apportionment: its id (any text,
/// not only a GEOID: a UBIGEO, a ward number) and label.
fn own_rows(layer: &LayerInput<'_>) -> Vec<DistrictGaps> {
    layer
        .districts
        .features
        .iter()
        .map(|feature| DistrictGaps {
            geoid: feature.id.clone(),
            name: feature.name.clone(),
            level: layer.name.to_owned(),
            ..DistrictGaps::default()
        })
        .collect()
}

/// The speeds of a layer's own districts from raw tiles, by centroid (METHOD.md §5); with
/// block-joined tiles only, a note on every row and a warning.
fn own_speeds(
    inputs: &RunInputs<'_>,
    plan: &RunPlan,
    layer: &LayerInput<'_>,
    rows: &mut [DistrictGaps],
    warnings: &mut Vec<String>,
) -> Option<Members> {
    let speeds = inputs.speeds?;
    let Some(footprints) = inputs.tile_footprints else {
        for row in rows.iter_mut() {
            row.notes.push(Note::new(
                "speed_tests, speed_mean_down_mbps, speed_mean_up_mbps, share_slow_tests",
                "the Ookla tiles were given joined to census blocks, without tile geometry: they cannot be placed in this layer's districts",
            ));
        }
        warnings.push(format!(
            "{} has no speed figures: the Ookla tiles are joined to census blocks (`ookla.block_tiles`); give the raw tiles (`ookla.tiles`, with their quadkeys) to place them in its districts",
            layer.name
        ));
        return None;
    };
    let features = layer.districts.features;
    let geometries: Vec<&geo::MultiPolygon<f64>> = features.iter().map(|f| &f.geometry).collect();
    let ids: Vec<&str> = features.iter().map(|f| f.id.as_str()).collect();
    Some(centroid_speeds(
        (footprints, speeds),
        (&geometries, &ids),
        rows,
        plan,
        (&layer.names.singular, warnings),
    ))
}

/// Raw tiles to the district holding their centroid (METHOD.md §5), the rows' speed fields
/// filled from them, the tiles in no district reported; returns each district's tiles.
fn centroid_speeds(
    (footprints, speeds): (&[geo::Polygon<f64>], &gapmap_core::SpeedTiles),
    (districts, ids): (&[&geo::MultiPolygon<f64>], &[&str]),
    rows: &mut [DistrictGaps],
    plan: &RunPlan,
    (unit, warnings): (&str, &mut Vec<String>),
) -> Members {
    let (placed, outside) = assign_by_centroid(footprints, districts, ids);
    report_tiles_outside(warnings, &outside, Some(speeds), unit);
    let members = by_id(ids, placed);
    fill_rows(rows, speeds, &members, plan);
    members
}

/// Each district's tiles (in the order of `ids`) by its id.
fn by_id(ids: &[&str], tiles: Vec<Vec<u32>>) -> Members {
    ids.iter()
        .zip(tiles)
        .map(|(id, tiles)| ((*id).to_owned(), tiles))
        .collect()
}

/// Sets every row's speed fields from its district's tiles, and its need index.
fn fill_rows(
    rows: &mut [DistrictGaps],
    speeds: &gapmap_core::SpeedTiles,
    members: &Members,
    plan: &RunPlan,
) {
    for row in rows.iter_mut() {
        if let Some(tiles) = members.get(&row.geoid) {
            fill(row, speeds, tiles, &plan.method.thresholds);
            row.update_need(&plan.method.need_weights);
        }
    }
}

/// Joins a layer's attribute tables on its ids (METHOD.md §10): a district without a row gets
/// a note, and rows of ids that are no district are reported; neither is dropped silently.
fn join_attributes(
    rows: &mut [DistrictGaps],
    attributes: &Attributes,
    layer: &LayerInput<'_>,
    warnings: &mut Vec<String>,
) {
    let fixed = [
        ("population", &attributes.population),
        ("share_poverty", &attributes.share_poverty),
    ];
    let own = attributes
        .extra
        .iter()
        .map(|(field, values)| (field.name.as_str(), values));
    for row in rows.iter_mut() {
        row.extra = vec![None; attributes.extra.len()];
    }
    for (k, (field, table)) in fixed.into_iter().chain(own).enumerate() {
        if table.is_empty() && k < fixed.len() {
            continue;
        }
        let mut missing = Vec::new();
        for row in rows.iter_mut() {
            let cell = table.get(&row.geoid).copied();
            let value = cell.flatten();
            match k {
                0 => row.population = value,
                1 => row.share_poverty = value,
                _ => row.extra[k - fixed.len()] = value,
            }
            if value.is_none() {
                let text = if cell.is_some() {
                    format!(
                        "the {field} cell of this district's row in {} is empty",
                        attributes.shown
                    )
                } else {
                    missing.push(row.geoid.clone());
                    format!(
                        "no row of {} has this district's id in the {field} table",
                        attributes.shown
                    )
                };
                row.notes.push(match k {
                    0 => Note::new("population, tests_per_1000, tests_per_1000_change", text),
                    1 => Note::new("share_poverty", text),
                    _ => Note::about(field.to_owned(), text),
                });
            }
        }
        if !missing.is_empty() {
            warnings.push(format!(
                "{} of {} {} have no {field} in {} (joined on {}): {}",
                missing.len(),
                rows.len(),
                layer.names.plural,
                attributes.shown,
                layer.districts.id_field,
                preview(&missing)
            ));
        }
        let known: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.geoid.as_str()).collect();
        let extra: Vec<String> = table
            .keys()
            .filter(|id| !known.contains(id.as_str()))
            .cloned()
            .collect();
        if !extra.is_empty() {
            warnings.push(format!(
                "{} ids of the {field} table ({}) are no {}; their rows are not used: {}",
                extra.len(),
                attributes.shown,
                layer.names.singular,
                preview(&extra)
            ));
        }
    }
}

/// The first few of a list of ids.
fn preview(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
    if ids.len() > 5 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// METHOD.md §6: the source level's counts split over the layer's districts, by area or by
/// block points; raw tiles go to the district holding their centroid (§5).
fn apportioned(
    inputs: &RunInputs<'_>,
    plan: &RunPlan,
    layer: &LayerInput<'_>,
    done: &[ComputedLayer],
    warnings: &mut Vec<String>,
) -> Result<(Apportioned, ApportionmentWeights, Option<Members>), RunError> {
    let name = layer.name;
    let source_level = layer.apportion_from.expect("called for apportioned layers");
    let missing = || RunError::MissingSourceLevel {
        layer: name.to_owned(),
        source_level,
    };
    let (source, source_input) = done
        .iter()
        .zip(&inputs.levels)
        .find(|(computed, _)| computed.kind == LayerKind::Census(source_level))
        .ok_or_else(missing)?;
    let units: Vec<&geo::MultiPolygon<f64>> = source
        .geometry_index
        .iter()
        .map(|&i| &source_input.districts.features[i].geometry)
        .collect();
    let features = layer.districts.features;
    let districts: Vec<&geo::MultiPolygon<f64>> = features.iter().map(|f| &f.geometry).collect();
    let ids: Vec<(String, String)> = features
        .iter()
        .map(|f| (f.id.clone(), f.name.clone()))
        .collect();
    let id_refs: Vec<&str> = features.iter().map(|f| f.id.as_str()).collect();
    let (weights, district_of_block) = match &inputs.block_points {
        None => (areal_weights(&units, &districts), None),
        Some(points) => {
            let (weights, by_block) =
                block_point_weights(points, inputs, source, &districts, &id_refs, name, warnings)?;
            (weights, Some(by_block))
        }
    };
    if weights.parts.iter().all(Vec::is_empty) {
        return Err(RunError::NoOverlap {
            layer: name.to_owned(),
            source_level,
        });
    }
    if let Some((unit, total, districts)) = &weights.overlap {
        return Err(RunError::SelfOverlap {
            layer: name.to_owned(),
            districts: districts
                .iter()
                .map(|&d| features[d].id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            source_level,
            unit: source.result.rows[*unit].geoid.clone(),
            share: total * 100.0,
        });
    }
    let need_weights = &plan.method.need_weights;
    let mut result = apportion(name, &ids, &source.result.rows, &weights, need_weights);
    if let (Some(by_block), Some(table)) = (&district_of_block, inputs.locations) {
        let of_table: Vec<Option<usize>> = table
            .blocks
            .iter()
            .map(|b| by_block.get(b).copied())
            .collect();
        exact_locations(&mut result, table, &of_table, need_weights);
    }
    let members = place_speeds(
        inputs,
        plan,
        (name, &districts, &id_refs),
        district_of_block.as_ref(),
        &mut result.rows,
        warnings,
    );
    let outside = result.unassigned.locations.unwrap_or(0.0);
    if outside > 0.005 {
        warnings.push(format!(
            "{outside:.1} residential locations (apportioned by area) and {:.1} households of the {source_level}s fall in no {name} district: see the `unassigned` row of {name}.summary.csv",
            result.unassigned.households.map_or(0.0, |e| e.value)
        ));
    }
    let weights = ApportionmentWeights {
        weights,
        districts: ids.into_iter().map(|(id, _)| id).collect(),
    };
    Ok((result, weights, members))
}

/// The speeds of an apportioned layer's districts (METHOD.md §5): raw tiles by their centroid;
/// block-joined tiles through the block points, each tile once per district holding the point
/// of a block it touches; without either, a note on every row and a warning.
fn place_speeds(
    inputs: &RunInputs<'_>,
    plan: &RunPlan,
    (name, districts, id_refs): (&str, &[&geo::MultiPolygon<f64>], &[&str]),
    district_of_block: Option<&HashMap<GeoId, usize>>,
    rows: &mut [DistrictGaps],
    warnings: &mut Vec<String>,
) -> Option<Members> {
    match (inputs.tile_footprints, inputs.speeds, district_of_block) {
        (Some(footprints), Some(speeds), _) => {
            let placed = (footprints, speeds);
            return Some(centroid_speeds(
                placed,
                (districts, id_refs),
                rows,
                plan,
                (name, warnings),
            ));
        }
        // Tiles joined to blocks: each belongs to the districts holding the internal points of
        // the blocks it touches, counted once per district, as on the census levels.
        (None, Some(speeds), Some(by_block)) => {
            let mut members: Vec<Vec<u32>> = vec![Vec::new(); rows.len()];
            let mut placed = vec![false; speeds.tiles.len()];
            for (block, tile) in &speeds.tile_blocks {
                if let Some(&district) = by_block.get(block) {
                    members[district].push(*tile);
                    placed[*tile as usize] = true;
                }
            }
            for tiles in &mut members {
                tiles.sort_unstable();
                tiles.dedup();
            }
            let members = by_id(id_refs, members);
            fill_rows(rows, speeds, &members, plan);
            // Tiles of blocks outside every district count nowhere: said, not dropped.
            let (outside, tests) = speeds
                .tiles
                .iter()
                .zip(&placed)
                .filter(|(_, placed)| !**placed)
                .fold((0, 0), |(n, tests), (tile, _)| (n + 1, tests + tile.tests));
            if outside > 0 {
                warnings.push(format!(
                    "{outside} Ookla tiles ({tests} tests) touch no block whose internal point lies in a {name} district (beyond the layer)"
                ));
            }
            return Some(members);
        }
        // Tiles joined to blocks, and no block points to place the blocks in this layer: the
        // speed fields stay empty, and every row and the run say why.
        (None, Some(_), None) => {
            for row in rows.iter_mut() {
                row.notes.push(Note::new(
                    "speed_tests, speed_mean_down_mbps, speed_mean_up_mbps, share_slow_tests",
                    "the Ookla tiles were given joined to census blocks, without tile geometry, and this layer is apportioned by area: tiles cannot be placed in its districts",
                ));
            }
            warnings.push(format!(
                "{name} has no speed figures: the Ookla tiles are joined to census blocks (`ookla.block_tiles`) and {name} is apportioned by area; give the raw tiles (`ookla.tiles`, with their quadkeys) or block internal points (`[blocks] points`) to place tiles in its districts"
            ));
        }
        _ => {}
    }
    None
}

/// The layer's figures from its own tables, and the unaffordable share at each chart share.
fn tabulated(
    plan: &RunPlan,
    layer: &LayerInput<'_>,
    tables: &LayerTables<'_>,
    warnings: &mut Vec<String>,
) -> Result<(LevelResult, Vec<ShareSweep>), RunError> {
    let name = layer.name;
    let districts = districts_of(&layer.districts, None)?;
    let inputs = Inputs {
        acs: Some(tables.tables),
        affordability: tables.affordability.as_ref(),
        ..Inputs::default()
    };
    let result = compute_tabulated_layer(name, &districts, inputs, &plan.method);
    let by_share = at_chart_shares(&plan.chart_shares, tables.affordability.as_ref(), |a| {
        compute_tabulated_layer(
            name,
            &districts,
            Inputs {
                affordability: Some(a),
                ..inputs
            },
            &plan.method,
        )
    });
    let in_tables = tables.tables.all_units();
    let unmatched = districts
        .iter()
        .filter(|d| !in_tables.contains(&d.geoid))
        .count();
    if unmatched > 0 {
        warnings.push(format!(
            "{unmatched} of {} {name} districts found no row in the layer's tables (joined on {})",
            result.rows.len(),
            layer.districts.id_field
        ));
    }
    Ok((result, by_share))
}
