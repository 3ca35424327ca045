//! Every figure of one district layer, one district at a time in parallel.

use std::collections::{BTreeSet, HashMap};

use gapmap_core::{
    AcsTables, GeoId, Level, LocationTable, NeedWeights, Provider, SpeedTiles, Thresholds,
};
use rayon::prelude::*;

use crate::adoption::{COMPUTER_HOUSEHOLDS, HOUSEHOLDS, WITH_COMPUTER, adoption, total};
use crate::affordability::{
    AffordabilityInputs, PriceSource, cost_to_income, cost_to_income_moe, households_below,
    income_threshold, reference_price,
};
use crate::record::{DistrictGaps, Note};
use crate::tiers::{TierCounts, counts_by_block};

/// The inputs a run has; each one optional, and the figures that need a missing one stay empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// BDC residential locations.
    pub locations: Option<&'a LocationTable>,
    /// ACS tables at block-group (or district) level.
    pub acs: Option<&'a AcsTables>,
    /// Ookla tiles and the blocks they touch.
    pub speeds: Option<&'a SpeedTiles>,
    /// Prices, income brackets and the affordability share.
    pub affordability: Option<&'a AffordabilityInputs>,
    /// The tiles of each district (in the order of the districts), where tiles were assigned by
    /// their geometry (METHOD.md §5) rather than through the blocks they touch.
    pub tile_membership: Option<&'a [Vec<u32>]>,
}

/// The method's settings (echoed in the metadata).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Method {
    /// Tier and speed thresholds.
    pub thresholds: Thresholds,
    /// Need-index weights.
    pub need_weights: NeedWeights,
}

/// A district of a census level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    /// Its GEOID, of the level's length.
    pub geoid: GeoId,
    /// Its label.
    pub name: String,
}

/// How much of each input landed in some district of the level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Residential locations in the input.
    pub locations_total: u64,
    /// Of them, in no district of the level (their block's district is not in the layer).
    pub locations_outside: u64,
    /// ACS units (of any variable).
    pub acs_units_total: u64,
    /// Of them, in no district.
    pub acs_units_outside: u64,
    /// Block-joined Ookla tiles none of whose blocks lies in a district of the level.
    pub tiles_outside: u64,
    /// Their tests: measured, but in no district's speed figures.
    pub tests_outside: u64,
}

/// One level's rows, sorted by GEOID, and its coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelResult {
    /// The level's name (`tract`, `block_group`, or a layer's name).
    pub name: String,
    /// One row per district, sorted by GEOID.
    pub rows: Vec<DistrictGaps>,
    /// How much of each input fell in the level's districts.
    pub coverage: Coverage,
}

/// Computes every figure for the districts of a census level (`block_group`, `tract`, ...).
///
/// Locations and tiles enter through their blocks, ACS counts through their units (block groups
/// roll up to tracts with the sum MOE, METHOD.md §3). Districts are processed in parallel.
pub fn compute_census_level(
    level: Level,
    districts: &[District],
    inputs: Inputs<'_>,
    method: &Method,
) -> LevelResult {
    compute(level.as_str(), level.geoid_len(), districts, inputs, method)
}

/// Computes the figures of a layer whose tables are tabulated by the layer's own ids (e.g. an
/// ACS Data Profile per ward, joined on the ward's GEOID-like code): each district is its own
/// and only unit. Locations and tiles are not used here: they reach such a layer only through
/// apportionment.
pub fn compute_tabulated_layer(
    name: &str,
    districts: &[District],
    inputs: Inputs<'_>,
    method: &Method,
) -> LevelResult {
    let tabulated = Inputs {
        locations: None,
        speeds: None,
        ..inputs
    };
    let length = districts.first().map_or(0, |d| d.geoid.as_str().len());
    compute(name, length, districts, tabulated, method)
}

fn compute(
    name: &str,
    key_length: usize,
    districts: &[District],
    inputs: Inputs<'_>,
    method: &Method,
) -> LevelResult {
    let mut coverage = Coverage::default();
    let known: HashMap<&str, usize> = districts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.geoid.as_str(), i))
        .collect();

    // BDC: per block, then blocks into districts.
    let mut tiers: Vec<TierCounts> = vec![TierCounts::default(); districts.len()];
    if let Some(table) = inputs.locations {
        for (block, counts) in table.blocks.iter().zip(counts_by_block(table)) {
            coverage.locations_total += counts.locations;
            match block.prefix(key_length).and_then(|k| known.get(k)) {
                Some(&i) => tiers[i] += counts,
                None => coverage.locations_outside += counts.locations,
            }
        }
    }

    // ACS units of each district.
    let mut units: Vec<Vec<&GeoId>> = vec![Vec::new(); districts.len()];
    if let Some(acs) = inputs.acs {
        for unit in acs.all_units() {
            coverage.acs_units_total += 1;
            match unit.prefix(key_length).and_then(|k| known.get(k)) {
                Some(&i) => units[i].push(unit),
                None => coverage.acs_units_outside += 1,
            }
        }
    }

    // Providers offering the served tier in each district (for plan prices, METHOD.md §4).
    let mut providers: Vec<BTreeSet<u16>> = vec![BTreeSet::new(); districts.len()];
    if let Some(table) = inputs.locations {
        for &(block, provider) in &table.served_by {
            if let Some(&i) = table.blocks[block as usize]
                .prefix(key_length)
                .and_then(|k| known.get(k))
            {
                providers[i].insert(provider);
            }
        }
    }

    let tiles = tiles_of(inputs, &known, (key_length, districts.len()), &mut coverage);

    let mut rows: Vec<DistrictGaps> = districts
        .par_iter()
        .enumerate()
        .map(|(i, district)| {
            let mut row = DistrictGaps {
                geoid: district.geoid.to_string(),
                name: district.name.clone(),
                level: name.to_owned(),
                ..DistrictGaps::default()
            };
            if inputs.locations.is_some() {
                row.set_tiers(tiers[i]);
            }
            if let Some(acs) = inputs.acs.filter(|acs| acs.has(HOUSEHOLDS)) {
                fill_adoption(&mut row, acs, &units[i]);
            }
            if let Some(affordability) = inputs.affordability {
                let present: Option<Vec<&Provider>> = inputs.locations.map(|table| {
                    providers[i]
                        .iter()
                        .map(|&p| &table.providers[p as usize])
                        .collect()
                });
                fill_affordability(
                    &mut row,
                    &district.geoid,
                    present.as_deref(),
                    &units[i],
                    inputs.acs,
                    affordability,
                    method,
                );
            }
            if let Some(speed_tiles) = inputs.speeds {
                let ids: Vec<u32> = tiles[i].iter().copied().collect();
                crate::speeds::fill(&mut row, speed_tiles, &ids, &method.thresholds);
            }
            row.update_need(&method.need_weights);
            row
        })
        .collect();
    // STYLE: results sorted by district id, so output is byte-identical run to run.
    rows.sort_by(|a, b| a.geoid.cmp(&b.geoid));
    LevelResult {
        name: name.to_owned(),
        rows,
        coverage,
    }
}

/// The Ookla tiles of each district (by index in `known`), each tile once (a block-joined tile
/// repeats for every block it touches); tiles in no district are counted in `coverage`.
fn tiles_of(
    inputs: Inputs<'_>,
    known: &HashMap<&str, usize>,
    (key_length, count): (usize, usize),
    coverage: &mut Coverage,
) -> Vec<BTreeSet<u32>> {
    let mut tiles: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); count];
    if let Some(membership) = inputs.tile_membership {
        for (set, members) in tiles.iter_mut().zip(membership) {
            set.extend(members.iter().copied());
        }
    } else if let Some(speed_tiles) = inputs.speeds {
        let mut placed = vec![false; speed_tiles.tiles.len()];
        for (block, tile) in &speed_tiles.tile_blocks {
            if let Some(&i) = block.prefix(key_length).and_then(|k| known.get(k)) {
                tiles[i].insert(*tile);
                placed[*tile as usize] = true;
            }
        }
        for (tile, placed) in speed_tiles.tiles.iter().zip(&placed) {
            if !placed {
                coverage.tiles_outside += 1;
                coverage.tests_outside += tile.tests;
            }
        }
    }
    tiles
}

fn fill_adoption(row: &mut DistrictGaps, acs: &AcsTables, units: &[&GeoId]) {
    let a = adoption(acs, units);
    for (field, value) in [
        ("households", a.households),
        ("no_internet", a.no_internet),
        ("without_broadband", a.without_broadband),
    ] {
        if let Err(reason) = value {
            row.note(field, reason);
        }
    }
    row.households = a.households.ok();
    row.no_internet = a.no_internet.ok();
    row.without_broadband = a.without_broadband.ok();
    row.share_no_internet = a.share_no_internet.ok().flatten();
    row.share_without_broadband = a.share_without_broadband.ok().flatten();
    // Devices only where the computer table was given: its absence is not a district's note.
    if acs.has(COMPUTER_HOUSEHOLDS) || acs.has(WITH_COMPUTER) {
        if let Err(reason) = a.no_computer {
            row.note("no_computer", reason);
        }
        row.computer_households = a.computer_households.ok();
        row.no_computer = a.no_computer.ok();
        row.share_no_computer = a.share_no_computer.ok().flatten();
    }
}

fn fill_affordability(
    row: &mut DistrictGaps,
    district: &GeoId,
    present: Option<&[&Provider]>,
    units: &[&GeoId],
    acs: Option<&AcsTables>,
    inputs: &AffordabilityInputs,
    method: &Method,
) {
    fill_median_income(row, district, units, acs, inputs);
    let Some((price, source)) =
        reference_price(district.as_str(), inputs, method.thresholds.served, present)
    else {
        row.notes.push(Note::new(
            "reference_price",
            "no price for this district and no configured reference price",
        ));
        return;
    };
    if source == PriceSource::Fallback && (inputs.area_prices.is_some() || inputs.plans.is_some()) {
        row.notes.push(Note::new(
            "reference_price",
            "not in the price table, the configured reference price is used",
        ));
    }
    let threshold = income_threshold(price, inputs.share_of_income);
    row.reference_price = Some(price);
    row.reference_price_source = Some(source);
    row.income_threshold = Some(threshold);
    let Some(acs) = acs else { return };
    if let Some(spec) = &inputs.brackets {
        let counts: Result<Vec<_>, _> = spec
            .variables
            .iter()
            .map(|v| total(acs, v, units))
            .collect();
        match (counts, total(acs, &spec.total, units)) {
            (Ok(counts), Ok(households)) => {
                row.unaffordable = households_below(&spec.edges, &counts, threshold);
                if let Some(Err(reason)) = row.unaffordable.map(|u| u.moe) {
                    row.note("unaffordable_moe, share_unaffordable_moe", reason);
                }
                row.share_unaffordable = row
                    .unaffordable
                    .and_then(|u| gapmap_core::moe::proportion(u, households));
            }
            (Err(reason), _) | (_, Err(reason)) => row.note("unaffordable", reason),
        }
    }
    if let (Some(median), Some(price)) = (row.median_income, row.reference_price) {
        row.cost_to_income = cost_to_income(price, median.value);
        row.cost_to_income_moe = cost_to_income_moe(price, median);
        if let (Some(_), Err(reason)) = (row.cost_to_income, median.moe)
            && !median.top_coded
        {
            row.note("cost_to_income_moe", reason);
        }
        if median.top_coded {
            row.notes.push(Note::new(
                "cost_to_income",
                "median income is top-coded (250,000 or more), so the ratio is an upper bound",
            ));
        }
    }
}

/// The district's own median income (METHOD.md §6: a median is never rolled up; it exists
/// only for a unit of the table).
fn fill_median_income(
    row: &mut DistrictGaps,
    district: &GeoId,
    units: &[&GeoId],
    acs: Option<&AcsTables>,
    inputs: &AffordabilityInputs,
) {
    let (Some(variable), Some(acs)) = (&inputs.median_income, acs) else {
        return;
    };
    match units {
        [unit] if *unit == district => match acs.get(variable, unit) {
            Ok(median) => row.median_income = Some(median),
            Err(reason) => row.note("median_income", reason),
        },
        [] => {}
        _ => row.notes.push(Note::new(
            "median_income",
            format!(
                "a median cannot be rolled up from {} units (METHOD.md §6)",
                units.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use gapmap_core::{Estimate, LocationSummary, Qualification, SpeedTile, Technology};

    use crate::affordability::AffordabilityInputs;

    use super::*;
    use crate::adoption::{BROADBAND_ANY, NO_INTERNET};

    fn id(text: &str) -> GeoId {
        GeoId::parse(text).expect("valid GEOID")
    }

    fn fixture() -> (LocationTable, AcsTables, SpeedTiles) {
        let t = Thresholds::default();
        let served = Qualification::of_row(&t, Technology(50), Some(1000.0), Some(1000.0), true);
        let under = Qualification::of_row(&t, Technology(40), Some(300.0), Some(10.0), true);
        let table = LocationTable {
            blocks: vec![
                id("110010001011000"),
                id("110010001012000"),
                id("110010002011000"),
                id("240010001011000"),
            ],
            locations: vec![
                LocationSummary {
                    block: 0,
                    qualification: served,
                    best_technology: Technology(50),
                },
                LocationSummary {
                    block: 0,
                    qualification: under,
                    best_technology: Technology(40),
                },
                LocationSummary {
                    block: 1,
                    qualification: Qualification::NONE,
                    best_technology: Technology(60),
                },
                LocationSummary {
                    block: 2,
                    qualification: served,
                    best_technology: Technology(50),
                },
                LocationSummary {
                    block: 3,
                    qualification: served,
                    best_technology: Technology(50),
                },
            ],
            ..LocationTable::default()
        };
        let mut acs = AcsTables::default();
        let bgs = ["110010001011", "110010001012", "110010002011"];
        let table_of = |values: [f64; 3]| -> BTreeMap<GeoId, gapmap_core::AcsValue> {
            bgs.iter()
                .zip(values)
                .map(|(g, v)| (id(g), Ok(Estimate::new(v, 10.0))))
                .collect()
        };
        acs.insert(HOUSEHOLDS, table_of([100.0, 50.0, 80.0]));
        acs.insert(BROADBAND_ANY, table_of([90.0, 40.0, 80.0]));
        acs.insert(NO_INTERNET, table_of([5.0, 5.0, 0.0]));
        let tiles = SpeedTiles {
            tiles: vec![SpeedTile {
                download_mbps: 10.0,
                upload_mbps: 1.0,
                latency_ms: 5.0,
                tests: 60,
                devices: 5,
            }],
            tile_blocks: vec![(id("110010001011000"), 0), (id("110010001012000"), 0)],
            ..SpeedTiles::default()
        };
        (table, acs, tiles)
    }

    #[test]
    fn tracts_sum_their_block_groups_and_a_tile_counts_once_per_district() {
        let (table, acs, tiles) = fixture();
        let inputs = Inputs {
            locations: Some(&table),
            acs: Some(&acs),
            speeds: Some(&tiles),
            affordability: None,
            tile_membership: None,
        };
        let tracts = [
            District {
                geoid: id("11001000101"),
                name: "Tract 1.01".into(),
            },
            District {
                geoid: id("11001000201"),
                name: "Tract 2.01".into(),
            },
        ];
        let result = compute_census_level(Level::Tract, &tracts, inputs, &Method::default());
        let first = &result.rows[0];
        assert_eq!(first.locations, Some(3.0));
        assert_eq!(
            (
                first.locations_served,
                first.locations_underserved,
                first.locations_unserved
            ),
            (Some(1.0), Some(1.0), Some(1.0))
        );
        assert_eq!(first.households.map(|e| e.value), Some(150.0));
        assert_eq!(first.without_broadband.map(|e| e.value), Some(20.0));
        assert_eq!(
            first.speed_tests,
            Some(60),
            "the tile touches two blocks of the tract but counts once"
        );
        assert_eq!(first.share_slow_tests, Some(1.0));
        // need = 100 · (2/3 + 20/150 + 1) / 3
        let expected = 100.0 * (2.0 / 3.0 + 20.0 / 150.0 + 1.0) / 3.0;
        assert!((first.need_index.expect("components available") - expected).abs() < 1e-12);
        assert_eq!(
            first.need_components,
            "not_served;without_broadband;slow_tests"
        );
        // The Maryland location is outside every DC tract and reported as such.
        assert_eq!(result.coverage.locations_total, 5);
        assert_eq!(result.coverage.locations_outside, 1);

        let bgs: Vec<District> = ["110010001011", "110010001012", "110010002011"]
            .iter()
            .map(|g| District {
                geoid: id(g),
                name: (*g).into(),
            })
            .collect();
        let by_bg = compute_census_level(Level::BlockGroup, &bgs, inputs, &Method::default());
        let sum =
            |rows: &[DistrictGaps]| rows.iter().map(|r| r.locations.unwrap_or(0.0)).sum::<f64>();
        assert_eq!(sum(&by_bg.rows), sum(&result.rows));
        assert_eq!(by_bg.rows[0].speed_tests, Some(60));
        assert_eq!(
            by_bg.rows[1].speed_tests,
            Some(60),
            "a tile touching two block groups counts in both"
        );
    }

    #[test]
    fn affordability_rolls_brackets_up_but_never_a_median() {
        use crate::affordability::{BracketEdges, BracketSpec};
        let (_, mut acs, _) = fixture();
        let bgs = ["110010001011", "110010001012"];
        let put = |acs: &mut AcsTables, variable: &str, values: [f64; 2]| {
            let table: BTreeMap<GeoId, gapmap_core::AcsValue> = bgs
                .iter()
                .zip(values)
                .map(|(g, v)| (id(g), Ok(Estimate::new(v, 10.0))))
                .collect();
            acs.insert(variable, table);
        };
        // Brackets [0, 20k), [20k, 40k), [40k, ∞) and their total.
        put(&mut acs, "X_001", [100.0, 60.0]);
        put(&mut acs, "X_002", [30.0, 20.0]);
        put(&mut acs, "X_003", [30.0, 20.0]);
        put(&mut acs, "X_004", [40.0, 20.0]);
        put(&mut acs, "MEDIAN", [50_000.0, 30_000.0]);
        let affordability = AffordabilityInputs {
            share_of_income: 0.02,
            fallback_price: Some(50.0),
            area_prices: None,
            plans: None,
            brackets: Some(BracketSpec {
                edges: BracketEdges::new(vec![0.0, 20_000.0, 40_000.0]).expect("ascending"),
                variables: vec!["X_002".into(), "X_003".into(), "X_004".into()],
                total: "X_001".into(),
            }),
            median_income: Some("MEDIAN".into()),
        };
        let inputs = Inputs {
            acs: Some(&acs),
            affordability: Some(&affordability),
            ..Inputs::default()
        };
        // P = 50 → T = 30,000: all of [0, 20k) (30 + 20) and half of [20k, 40k) ((30 + 20) / 2).
        let tract = [District {
            geoid: id("11001000101"),
            name: "Tract 1.01".into(),
        }];
        let result = compute_census_level(Level::Tract, &tract, inputs, &Method::default());
        let row = &result.rows[0];
        assert_eq!(row.income_threshold, Some(30_000.0));
        assert_eq!(row.unaffordable.map(|e| e.value), Some(50.0 + 25.0));
        assert_eq!(row.share_unaffordable.map(|e| e.value), Some(75.0 / 160.0));
        assert_eq!(
            row.cost_to_income, None,
            "no median for a tract of two block groups"
        );
        assert!(
            row.notes
                .iter()
                .any(|n| n.is_about("median_income") && n.text.contains("cannot be rolled up"))
        );
        let bg = [District {
            geoid: id("110010001012"),
            name: "BG 2".into(),
        }];
        let result = compute_census_level(Level::BlockGroup, &bg, inputs, &Method::default());
        assert_eq!(result.rows[0].cost_to_income, Some(600.0 / 30_000.0));
        assert_eq!(
            result.rows[0].unaffordable.map(|e| e.value),
            Some(20.0 + 10.0)
        );
    }
}
