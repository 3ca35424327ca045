//! A whole run of the method over every configured layer: census levels (METHOD.md §2–§5),
//! the city's own layers apportioned from them or tabulated by their own ids (§6), the
//! affordability sweep over the chart shares (§4) and, last, suppression (§8). Inputs in,
//! figures out: no file is read or written here.

mod census;
mod layer;
mod mobile;
mod points;

pub use mobile::MobileTiles;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use gapmap_core::{AcsTables, BlockHousing, Boundary, GeoId, Level, LocationTable, SpeedTiles};
use serde::Serialize;

use crate::affordability::AffordabilityInputs;
use crate::disclosure::{Structure, protect};
use crate::error::RunError;
use crate::level::{District, LevelResult, Method};
use crate::periods::{ChangeSpan, QuarterTable, by_quarter, fill_change};
use crate::record::DistrictGaps;
use crate::suppress::{self, Plan, Suppression, Withheld};

/// How a layer's units are called in titles and sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitNames {
    /// In chart titles ("census tract").
    pub title: String,
    /// One unit ("tract").
    pub singular: String,
    /// Several ("tracts").
    pub plural: String,
}

impl UnitNames {
    /// The names of a census level's units.
    pub fn of_level(level: Level) -> UnitNames {
        let (title, singular, plural) = match level {
            Level::Tract => ("census tract", "tract", "tracts"),
            Level::BlockGroup => ("block group", "block group", "block groups"),
            Level::County => ("county", "county", "counties"),
            Level::State => ("state", "state", "states"),
            Level::Block => ("block", "block", "blocks"),
        };
        UnitNames {
            title: title.into(),
            singular: singular.into(),
            plural: plural.into(),
        }
    }

    /// The names of a layer: the configured (singular, plural), or its name.
    pub fn of_layer(name: &str, configured: Option<&(String, String)>) -> UnitNames {
        if let Some((one, many)) = configured {
            return UnitNames {
                title: one.clone(),
                singular: one.clone(),
                plural: many.clone(),
            };
        }
        let spoken = name.replace('_', " ");
        UnitNames {
            title: spoken.clone(),
            singular: spoken.clone(),
            plural: format!("{spoken}s"),
        }
    }
}

/// A layer's districts as read from its boundary file.
#[derive(Debug, Clone, Copy)]
pub struct Districts<'a> {
    /// The features, in file order.
    pub features: &'a [Boundary],
    /// The file, named in errors.
    pub path: &'a Path,
    /// The file as the run shows it (relative to the configuration), named in warnings.
    pub shown: &'a str,
    /// The field the ids were read from, named in errors.
    pub id_field: &'a str,
}

/// A census level to compute.
#[derive(Debug, Clone, Copy)]
pub struct CensusLevelInput<'a> {
    /// Which level; its districts' ids are its GEOIDs.
    pub level: Level,
    /// Its districts.
    pub districts: Districts<'a>,
}

/// A layer's own tables, keyed by its ids (an ACS Data Profile per ward, say).
#[derive(Debug, Clone)]
pub struct LayerTables<'a> {
    /// The tables.
    pub tables: &'a AcsTables,
    /// What they are, for the metadata and the charts' source lines.
    pub described_as: String,
    /// Prices and brackets for the layer's affordability, when the run computes affordability.
    pub affordability: Option<AffordabilityInputs>,
}

/// A layer's attribute tables, joined on its own ids (METHOD.md §10): the values of the
/// districts that have a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// Residents per district id (`None`: the table's cell is empty).
    pub population: BTreeMap<String, Option<f64>>,
    /// Share of residents in poverty per district id.
    pub share_poverty: BTreeMap<String, Option<f64>>,
    /// The layer's own fields (households, an income, an index: any column the configuration
    /// names), each with its values per district id, passed through as read.
    pub extra: Vec<(crate::record::ExtraField, BTreeMap<String, Option<f64>>)>,
    /// The tables, named in warnings (`population.csv`).
    pub shown: String,
}

/// A layer of the city's own districts.
#[derive(Debug, Clone)]
pub struct LayerInput<'a> {
    /// Its name (file names, the `level` field).
    pub name: &'a str,
    /// How its units are called.
    pub names: UnitNames,
    /// Its districts.
    pub districts: Districts<'a>,
    /// The census level whose figures are apportioned to it (METHOD.md §6).
    pub apportion_from: Option<Level>,
    /// Its own tables.
    pub tables: Option<LayerTables<'a>>,
    /// Its attribute tables (population, poverty).
    pub attributes: Option<&'a Attributes>,
}

/// Block internal points (METHOD.md §6): with them, layers are apportioned through blocks.
#[derive(Debug, Clone, Copy)]
pub struct BlockPoints<'a> {
    /// Each block's GEOID and internal point.
    pub points: &'a [(GeoId, geo::Point<f64>)],
    /// The table they were read from, named in warnings.
    pub path: &'a Path,
}

/// Everything a run reads, already parsed; each source optional.
#[derive(Debug, Clone, Default)]
pub struct RunInputs<'a> {
    /// BDC residential locations.
    pub locations: Option<&'a LocationTable>,
    /// ACS tables.
    pub acs: Option<&'a AcsTables>,
    /// The level of the ACS tables' units.
    pub acs_level: Option<Level>,
    /// 2020 block housing counts.
    pub blocks: Option<&'a BTreeMap<GeoId, BlockHousing>>,
    /// Block internal points.
    pub block_points: Option<BlockPoints<'a>>,
    /// Ookla tiles.
    pub speeds: Option<&'a SpeedTiles>,
    /// Raw tiles' footprints (in the order of `speeds.tiles`), to assign them by centroid.
    pub tile_footprints: Option<&'a [geo::Polygon<f64>]>,
    /// Ookla's mobile tiles, read beside the fixed ones (METHOD.md §10).
    pub mobile: Option<MobileTiles<'a>>,
    /// Prices, brackets and the share of income for the census levels.
    pub affordability: Option<&'a AffordabilityInputs>,
    /// The census levels, in the order they are published.
    pub levels: Vec<CensusLevelInput<'a>>,
    /// The city's layers, after the census levels.
    pub layers: Vec<LayerInput<'a>>,
}

/// The run's method settings beyond the inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunPlan {
    /// Thresholds and need weights.
    pub method: Method,
    /// METHOD.md §8 thresholds.
    pub suppression: Suppression,
    /// Shares of income at which the unaffordable share is also computed (for the charts).
    pub chart_shares: Vec<f64>,
    /// The census geography (2010, 2020) of an area price table, to warn when it is not 2020.
    pub area_price_geography: Option<u16>,
    /// The quarters a change is measured between (`2019Q1`); the tiles' first and last when
    /// not given.
    pub change_quarters: (Option<String>, Option<String>),
}

/// The unaffordable share of every district (row order) at one share of income.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareSweep {
    /// The share of income.
    pub share: f64,
    /// Per row, the share of households for whom the plan is unaffordable.
    pub values: Vec<Option<f64>>,
}

/// How a layer got its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// A census level: block groups summed by GEOID prefix.
    Census(Level),
    /// A city layer apportioned from a census level, with or without its own tables.
    Apportioned {
        /// The source level.
        from: Level,
        /// Whether its own tables gave its affordability.
        tabulated: bool,
    },
    /// A city layer tabulated by its own ids only.
    Tabulated,
}

/// One computed layer.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedLayer {
    /// Its rows, sorted by id.
    pub result: LevelResult,
    /// How it was computed.
    pub kind: LayerKind,
    /// For each row, the index of its feature in the layer's boundaries.
    pub geometry_index: Vec<usize>,
    /// How its units are called.
    pub names: UnitNames,
    /// For a layer with its own tables: what they are.
    pub tabulated_by: Option<String>,
    /// The unaffordable share at each chart share (empty without brackets).
    pub by_share: Vec<ShareSweep>,
    /// What of the source units fell in no district of an apportioned layer.
    pub unassigned: Option<DistrictGaps>,
    /// What METHOD.md §8 withheld, and the line that sums it.
    pub withheld: Withheld,
    /// For an apportioned layer, the weights its source units were split by.
    pub apportionment: Option<ApportionmentWeights>,
    /// Speeds by quarter, when the tiles' quarters are known and placed in this layer.
    pub quarters: Option<QuarterTable>,
    /// Mobile speeds by quarter, when mobile tiles were read beside the fixed ones (§10).
    pub mobile_quarters: Option<QuarterTable>,
    /// The layer's own fields, after the registry's in every output (METHOD.md §10); the
    /// rows' `extra` values follow their order.
    pub extra_fields: Vec<crate::record::ExtraField>,
    /// What the run should tell about this layer (in order).
    pub warnings: Vec<String>,
}

impl ComputedLayer {
    /// The census level this layer was apportioned from.
    pub fn apportioned_from(&self) -> Option<Level> {
        match self.kind {
            LayerKind::Apportioned { from, .. } => Some(from),
            _ => None,
        }
    }
}

/// The weights an apportioned layer was computed with (METHOD.md §6).
#[derive(Debug, Clone, PartialEq)]
pub struct ApportionmentWeights {
    /// Per source unit (in the source level's row order), its parts: (district, weight).
    pub weights: crate::apportion::Weights,
    /// The districts' ids, in the order the parts index them.
    pub districts: Vec<String>,
}

/// How a census level met the price table (METHOD.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PriceMatch {
    /// The level.
    pub level: String,
    /// Its districts.
    pub districts: usize,
    /// Of them, priced by the area or plan table.
    pub with_table_price: usize,
    /// Of them, not.
    pub without_table_price: usize,
    /// Of them, with a cost-to-income ratio.
    pub with_cost_to_income: usize,
}

/// A run's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The census levels, then the city's layers, in input order.
    pub layers: Vec<ComputedLayer>,
    /// Per census level, how it met the price table (when affordability is computed).
    pub price_matches: Vec<PriceMatch>,
}

impl RunResult {
    /// The layer of that name (`tract`, `ward`, ...).
    pub fn layer(&self, name: &str) -> Option<&ComputedLayer> {
        self.layers.iter().find(|l| l.result.name == name)
    }
}

/// Computes every layer of a run, then withholds small districts (METHOD.md §8) — only then,
/// so that every layer was apportioned from the full figures.
pub fn compute_run(inputs: &RunInputs<'_>, plan: &RunPlan) -> Result<RunResult, RunError> {
    let span = match inputs.speeds {
        Some(tiles) => ChangeSpan::resolve(
            tiles,
            plan.change_quarters.0.as_deref(),
            plan.change_quarters.1.as_deref(),
        )
        .map_err(|message| RunError::Quarters { message })?,
        None => None,
    };
    let mut layers = Vec::new();
    let mut price_matches = Vec::new();
    for level in &inputs.levels {
        let (computed, price_match) = census::compute(inputs, plan, level, span)?;
        layers.push(computed);
        price_matches.extend(price_match);
    }
    for layer in &inputs.layers {
        let computed = layer::compute(inputs, plan, layer, &layers, span)?;
        layers.push(computed);
    }
    if let Some(tiles) = inputs.mobile {
        let span = mobile::span(tiles, plan)?;
        let districts = inputs
            .levels
            .iter()
            .map(|l| &l.districts)
            .chain(inputs.layers.iter().map(|l| &l.districts));
        for (layer, districts) in layers.iter_mut().zip(districts) {
            mobile::place(layer, districts, tiles, plan, span);
        }
    }
    // METHOD.md §8 per layer, then across the package: nothing withheld may be recoverable
    // from another level, an apportioned layer or a summary line (disclosure.rs).
    let mut plans: Vec<Plan> = layers
        .iter()
        .map(|l| suppress::plan(&l.result.rows, &plan.suppression))
        .collect();
    if let Some(structure) = Structure::of(&layers) {
        protect(&layers, &structure, &mut plans);
    }
    for (layer, planned) in layers.iter_mut().zip(plans) {
        layer.withheld =
            suppress::apply(&mut layer.result.rows, planned, &plan.method.need_weights);
        // A withheld district's speeds are withheld in every quarter too.
        for quarters in [&mut layer.quarters, &mut layer.mobile_quarters]
            .into_iter()
            .flatten()
        {
            for (figures, row) in quarters.rows.iter_mut().zip(&layer.result.rows) {
                if row.suppressed.is_some() {
                    *figures = None;
                }
            }
        }
        for sweep in &mut layer.by_share {
            for (value, row) in sweep.values.iter_mut().zip(&layer.result.rows) {
                if row.suppressed.is_some() {
                    *value = None;
                }
            }
        }
    }
    Ok(RunResult {
        layers,
        price_matches,
    })
}

/// The districts of a layer; their ids must be GEOIDs of `level` (any GEOID-like code when
/// `None`, for layers tabulated by their own codes).
fn districts_of(
    districts: &Districts<'_>,
    level: Option<Level>,
) -> Result<Vec<District>, RunError> {
    districts
        .features
        .iter()
        .enumerate()
        .map(|(index, feature)| {
            let geoid = GeoId::parse(&feature.id)
                .ok()
                .filter(|g| level.is_none_or(|l| g.level() == l));
            let Some(geoid) = geoid else {
                return Err(match level {
                    Some(level) => RunError::NotALevelGeoid {
                        path: districts.path.to_path_buf(),
                        index,
                        id_field: districts.id_field.to_owned(),
                        id: feature.id.clone(),
                        level,
                        one_digit_short: feature.id.len() + 1 == level.geoid_len()
                            && feature.id.bytes().all(|b| b.is_ascii_digit()),
                    },
                    None => RunError::NotGeoidLike {
                        path: districts.path.to_path_buf(),
                        index,
                        id_field: districts.id_field.to_owned(),
                        id: feature.id.clone(),
                    },
                });
            };
            Ok(District {
                geoid,
                name: feature.name.clone(),
            })
        })
        .collect()
}

/// Per row, its figures in every quarter, its tests per 1,000 residents and its change
/// (METHOD.md §10), from the tiles placed in it (`members`, in row order); `None` when the
/// tiles' quarters are not known.
fn quarter_figures(
    rows: &mut [DistrictGaps],
    members: &[Vec<u32>],
    tiles: &SpeedTiles,
    plan: &RunPlan,
    span: Option<ChangeSpan>,
) -> Option<QuarterTable> {
    if tiles.periods.is_empty() {
        return None;
    }
    let figures = rows
        .iter_mut()
        .zip(members)
        .map(|(row, ids)| {
            let quarters = by_quarter(tiles, ids, &plan.method.thresholds);
            fill_change(row, &quarters, span, &tiles.periods);
            Some(quarters)
        })
        .collect();
    Some(QuarterTable {
        quarters: tiles.periods.clone(),
        rows: figures,
        span,
    })
}

/// For each row, the position of its feature; ids must be unique.
fn geometry_index(districts: &Districts<'_>, result: &LevelResult) -> Result<Vec<usize>, RunError> {
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (index, feature) in districts.features.iter().enumerate() {
        if position.insert(feature.id.as_str(), index).is_some() {
            return Err(RunError::DuplicateId {
                path: districts.path.to_path_buf(),
                id: feature.id.clone(),
            });
        }
    }
    result
        .rows
        .iter()
        .map(|row| {
            position
                .get(row.geoid.as_str())
                .copied()
                .ok_or_else(|| RunError::NoFeature {
                    path: districts.path.to_path_buf(),
                    id: row.geoid.clone(),
                })
        })
        .collect()
}

/// The share unaffordable of every district at each of the chart shares.
fn at_chart_shares(
    chart_shares: &[f64],
    affordability: Option<&AffordabilityInputs>,
    compute: impl Fn(&AffordabilityInputs) -> LevelResult,
) -> Vec<ShareSweep> {
    let Some(inputs) = affordability.filter(|a| a.brackets.is_some()) else {
        return Vec::new();
    };
    chart_shares
        .iter()
        .map(|&share| {
            let at_share = AffordabilityInputs {
                share_of_income: share,
                ..inputs.clone()
            };
            ShareSweep {
                share,
                values: compute(&at_share)
                    .rows
                    .iter()
                    .map(|r| r.share_unaffordable.map(|e| e.value))
                    .collect(),
            }
        })
        .collect()
}

/// Warns of raw tiles whose centroid lies in no district of the layer.
fn report_tiles_outside(
    warnings: &mut Vec<String>,
    outside: &[u32],
    speeds: Option<&SpeedTiles>,
    unit: &str,
) {
    if outside.is_empty() {
        return;
    }
    let tests: u64 = speeds.map_or(0, |s| {
        outside.iter().map(|&t| s.tiles[t as usize].tests).sum()
    });
    warnings.push(format!(
        "{} Ookla tiles ({tests} tests) have their centroid in no {unit} (sea, or beyond the layer)",
        outside.len()
    ));
}
