//! From a configuration and its inputs to the figures of every layer: the settings become the
//! method's plan, the inputs are lent to [`gapmap_gaps::run::compute_run`].

use anyhow::Result;
use gapmap_gaps::Method;
use gapmap_gaps::affordability::AffordabilityInputs;
use gapmap_gaps::run::{
    BlockPoints, CensusLevelInput, Districts, LayerInput, LayerTables, RunInputs, RunPlan,
    RunResult, UnitNames, compute_run,
};

use crate::config::Config;
use crate::load::{Inputs, LoadedLayer};
use crate::settings::{BracketSettings, LayerSettings};

/// A run's figures and everything it has to say about them.
#[derive(Debug, Clone)]
pub struct Results {
    /// Every layer's figures, census levels first, in configuration order.
    pub run: RunResult,
    /// The reading's warnings, then each layer's (boundary repairs first), in order.
    pub warnings: Vec<String>,
}

impl Results {
    /// The layer of that name (`tract`, `ward`, ...).
    pub fn layer(&self, name: &str) -> Option<&gapmap_gaps::run::ComputedLayer> {
        self.run.layer(name)
    }
}

/// Computes every layer of `config` from `inputs` (METHOD.md §2–§8).
pub fn compute(config: &Config, inputs: &Inputs) -> Result<Results> {
    let settings = &config.settings;
    let plan = RunPlan {
        method: Method {
            thresholds: settings.thresholds.clone(),
            need_weights: settings.need_weights.clone(),
        },
        suppression: settings.suppression,
        chart_shares: settings
            .affordability
            .as_ref()
            .map(|a| a.chart_shares.clone())
            .unwrap_or_default(),
        area_price_geography: settings
            .affordability
            .as_ref()
            .and_then(|a| a.area_prices.as_ref())
            .map(|p| p.geography),
        change_quarters: settings
            .ookla
            .as_ref()
            .map(|o| (o.baseline.clone(), o.latest.clone()))
            .unwrap_or_default(),
    };
    let layers = settings
        .layers
        .iter()
        .zip(&inputs.layers)
        .map(|(layer, loaded)| layer_input(config, layer, loaded))
        .collect::<Result<Vec<_>>>()?;
    let run_inputs = RunInputs {
        locations: inputs.locations.as_ref().map(|(table, _)| table),
        acs: inputs.acs.as_ref(),
        acs_level: inputs.acs_level,
        blocks: inputs.blocks.as_ref(),
        block_points: inputs.block_points.as_ref().map(|loaded| BlockPoints {
            points: &loaded.points,
            path: &loaded.path,
        }),
        speeds: inputs.speeds.as_ref(),
        tile_footprints: inputs.tile_footprints.as_deref(),
        mobile: inputs
            .mobile_speeds
            .as_ref()
            .map(|(speeds, footprints)| gapmap_gaps::run::MobileTiles { speeds, footprints }),
        affordability: inputs.affordability.as_ref(),
        levels: settings
            .levels
            .iter()
            .zip(&inputs.levels)
            .map(|(level, loaded)| CensusLevelInput {
                level: level.level,
                districts: districts(loaded, &level.id_field),
            })
            .collect(),
        layers,
    };
    let run = compute_run(&run_inputs, &plan)?;
    let mut warnings = inputs.warnings.clone();
    let loaded = inputs.levels.iter().chain(&inputs.layers);
    for (layer, loaded) in run.layers.iter().zip(loaded) {
        warnings.extend(loaded.boundaries.repairs.iter().cloned());
        warnings.extend(layer.warnings.iter().cloned());
    }
    Ok(Results { run, warnings })
}

fn districts<'a>(loaded: &'a LoadedLayer, id_field: &'a str) -> Districts<'a> {
    Districts {
        features: &loaded.boundaries.features,
        path: &loaded.path,
        shown: &loaded.shown,
        id_field,
    }
}

fn layer_input<'a>(
    config: &Config,
    layer: &'a LayerSettings,
    loaded: &'a LoadedLayer,
) -> Result<LayerInput<'a>> {
    let tables = match &loaded.tables {
        None => None,
        Some(tables) => {
            let source = layer
                .tables_source
                .clone()
                .unwrap_or_else(|| "the layer's tables".into());
            let affordability = config
                .settings
                .affordability
                .as_ref()
                .map(|a| -> Result<AffordabilityInputs> {
                    Ok(AffordabilityInputs {
                        share_of_income: a.share_of_income,
                        // Price tables are keyed by census GEOIDs, never by a layer's own
                        // codes (a ward code 11001 is textually the DC county FIPS): only the
                        // layer's price.
                        fallback_price: layer.reference_price,
                        area_prices: None,
                        plans: None,
                        brackets: layer
                            .brackets
                            .as_ref()
                            .map(BracketSettings::spec)
                            .transpose()?,
                        median_income: layer.median_income.clone(),
                    })
                })
                .transpose()?;
            Some(LayerTables {
                tables,
                described_as: match &layer.reference_price_source {
                    Some(price) => format!("{source}; reference price: {price}"),
                    None => source,
                },
                affordability,
            })
        }
    };
    Ok(LayerInput {
        name: &layer.name,
        names: UnitNames::of_layer(&layer.name, layer.unit_names.as_ref()),
        districts: districts(loaded, &layer.id_field),
        apportion_from: layer.apportion_from,
        tables,
        attributes: loaded.attributes.as_ref(),
    })
}
