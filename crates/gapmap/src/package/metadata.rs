//! `metadata.json`: the run's provenance as a typed [`Metadata`] — tool, method, configuration,
//! inputs with their SHA-256, layers, licenses and warnings.

use std::path::{Path, PathBuf};

use gapmap_export::generated_at;
use gapmap_export::provenance::{
    AcsSummary, AffordabilityProvenance, Apportionment, BdcSummary, BlocksSummary, CoverageCounts,
    InputSummary, LayerAffordability, LayerProvenance, Metadata, MethodSummary, OoklaSummary,
    PriceSources, Tool, Unassigned, WebLayer, WithheldCount,
};
use gapmap_gaps::FIELD_NAMES;
use gapmap_gaps::run::LayerKind;

use super::licenses::{Grant, grants};
use crate::package::layers::{PublishedLayer, Run};
use crate::settings::Settings;

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("settings serialize to JSON: plain data, string keys")
}

const BLOCK_POINTS: &str = "block points (METHOD.md §6): each block goes to the district holding its internal point (a shared edge to the smallest id); residential locations are counted exactly through their blocks; ACS counts of a block group are split by its blocks' 2020 housing units (MOE = w·MOE); shares recomputed from the apportioned counts";
const AREAL: &str = "areal overlay without block points (METHOD.md §6): weight = area(unit ∩ district) / area(unit), geodesic areas on the WGS84 ellipsoid; every count of the unit (locations by tier, ACS estimates with MOE = w·MOE) is multiplied by it; shares recomputed from the apportioned counts";

/// One layer's entry.
fn layer_entry(settings: &Settings, level: &PublishedLayer<'_>) -> LayerProvenance {
    let name = level.result.name.as_str();
    let coverage = level.result.coverage;
    let output = &settings.output;
    LayerProvenance {
        level: name.to_owned(),
        // An apportioned layer was called a "census level" here.
        kind: match level.kind {
            LayerKind::Census(_) => "census level".to_owned(),
            LayerKind::Apportioned {
                from,
                tabulated: false,
            } => format!("layer apportioned from {from}"),
            LayerKind::Apportioned {
                from,
                tabulated: true,
            } => format!("layer apportioned from {from}, affordability from its own tables"),
            LayerKind::Tabulated => "layer tabulated by its own ids".to_owned(),
        },
        tables: level.tabulated_by.clone(),
        apportionment: level.apportioned_from().map(|source| Apportionment {
            from: source.as_str().to_owned(),
            method: if settings.blocks.as_ref().is_some_and(|b| b.points.is_some()) {
                BLOCK_POINTS
            } else {
                AREAL
            }
            .to_owned(),
            not_apportioned: "speed fields (tiles are assigned by location, not by area) and affordability (from the layer's own tables where given)".to_owned(),
            unassigned: level.unassigned.as_ref().map(|u| Unassigned {
                locations: u.locations,
                households: u.households.map(|e| e.value),
            }),
        }),
        districts: level.result.rows.len(),
        withheld: Some(WithheldCount {
            primary: level.withheld.primary,
            complementary: level.withheld.complementary,
        }),
        geojson: format!("{name}.geojson"),
        csv: format!("{name}.csv"),
        boundaries: level.boundaries.to_owned(),
        source_crs: level
            .layer
            .source_crs
            .epsg()
            .map_or_else(|| "unknown".to_owned(), |code| format!("EPSG:{code}")),
        crs_handling: level.layer.source_crs.handling().to_owned(),
        output_crs: "WGS84 longitude/latitude (RFC 7946)".to_owned(),
        coordinate_precision: output.coordinate_precision,
        web_geojson: (output.web_simplify_m > 0.0).then(|| WebLayer {
            file: format!("{name}.web.geojson"),
            simplification: format!(
                "topology-preserving (shared borders simplified once, Ramer–Douglas–Peucker), tolerance {} m; 6 decimals",
                output.web_simplify_m
            ),
        }),
        geojsonl: output
            .geojsonl
            .applies(level.result.rows.len())
            .then(|| format!("{name}.geojsonl")),
        coverage: CoverageCounts {
            locations_total: coverage.locations_total,
            locations_outside_layer: coverage.locations_outside,
            acs_units_total: coverage.acs_units_total,
            acs_units_outside_layer: coverage.acs_units_outside,
        },
        population_below_speed: population_below_speed(settings, level),
        own_fields: level
            .extra_fields
            .iter()
            .map(|f| gapmap_export::provenance::OwnField {
                field: f.name.clone(),
                table: f.table.clone(),
                column: f.column.clone(),
                unit: f.unit.clone(),
                description: f.description.clone(),
                source: f.source.clone(),
            })
            .collect(),
    }
}

/// METHOD.md §10: the residents of districts whose mean download is below §5's slow download,
/// over the pooled span and in the latest quarter; withheld districts and those without a
/// population or a mean are left out of both the part and the whole.
fn population_below_speed(
    settings: &Settings,
    level: &PublishedLayer<'_>,
) -> Vec<gapmap_export::provenance::PopulationBelowSpeed> {
    let threshold = settings.thresholds.slow_tile.download;
    let rows = &level.result.rows;
    let tally = |period: String, mean: &dyn Fn(usize) -> Option<f64>| {
        let (mut below, mut population, mut whole) = (0, 0.0, 0.0);
        for (i, row) in rows.iter().enumerate() {
            let (Some(people), Some(mean), None) = (row.population, mean(i), &row.suppressed)
            else {
                continue;
            };
            whole += people;
            if mean < threshold {
                below += 1;
                population += people;
            }
        }
        (whole > 0.0).then(|| gapmap_export::provenance::PopulationBelowSpeed {
            download_mbps: threshold,
            period,
            districts: below,
            population,
            population_with_figures: whole,
            share: Some(population / whole),
        })
    };
    let mut figures: Vec<_> = tally("pooled".to_owned(), &|i| rows[i].speed_mean_down_mbps)
        .into_iter()
        .collect();
    if let Some(table) = &level.quarters
        && let Some(latest) = table.quarters.len().checked_sub(1)
    {
        let latest = table.span.map_or(latest, |s| s.latest as usize);
        figures.extend(tally(table.quarters[latest].clone(), &|i| {
            table.rows[i]
                .as_ref()
                .and_then(|q| q[latest].mean_down_mbps)
        }));
    }
    figures
}

fn affordability(run: &Run<'_>) -> Option<AffordabilityProvenance> {
    let settings = run.settings;
    settings.affordability.as_ref().map(|a| AffordabilityProvenance {
        share_of_income: a.share_of_income,
        rule: "METHOD.md §4: affordable when 12 x P <= share x annual household income; T = 12 x P / share".to_owned(),
        reference_price_fallback: a.reference_price,
        price_source: PriceSources {
            area_prices: json(&a.area_prices),
            plans: json(&a.plans),
        },
        bracket_source: json(&a.brackets),
        median_income: a.median_income.clone(),
        price_matches: run.results.run.price_matches.clone(),
        layers: settings
            .layers
            .iter()
            .map(|l| LayerAffordability {
                layer: l.name.clone(),
                brackets: json(&l.brackets),
                median_income: l.median_income.clone(),
                reference_price: l.reference_price,
                reference_price_source: l.reference_price_source.clone(),
            })
            .collect(),
        chart_shares: a.chart_shares.clone(),
    })
}

fn input_summary(run: &Run<'_>) -> InputSummary {
    let (settings, inputs) = (run.settings, run.inputs);
    InputSummary {
        bdc: inputs.locations.as_ref().map(|(_, stats)| BdcSummary {
            files: inputs.files.iter().filter(|f| f.role == "bdc").count(),
            csv_members: stats.members,
            rows: stats.rows,
            business_rows_excluded: stats.business_rows,
            residential_locations: stats.locations,
            simulated: settings.bdc.as_ref().is_some_and(|b| b.simulated),
        }),
        acs: inputs.acs.as_ref().map(|a| AcsSummary {
            variables: a.variables().into_iter().map(str::to_owned).collect(),
            vintage: settings.acs.as_ref().map(|s| s.vintage.clone()),
        }),
        ookla: inputs.speeds.as_ref().map(|s| OoklaSummary {
            tiles: s.tiles.len(),
            tile_block_rows: s.tile_blocks.len(),
            period: settings.ookla.as_ref().map(|o| o.period.clone()),
            mobile_tiles: inputs.mobile_speeds.as_ref().map(|(m, _)| m.tiles.len()),
        }),
        blocks: inputs.blocks.as_ref().map(|b| BlocksSummary {
            blocks: b.len(),
            housing_units: b.values().map(|x| x.housing_units).sum::<u64>(),
        }),
    }
}

fn method(settings: &Settings, raw_tiles: bool) -> MethodSummary {
    MethodSummary {
        reference: "METHOD.md".to_owned(),
        fields: FIELD_NAMES.iter().map(|f| (*f).to_owned()).collect(),
        tiers: "METHOD.md §2: each residential location once; served if some reliable, low-latency row has >= served download and upload".to_owned(),
        acs_rollup: "METHOD.md §3: block groups summed to coarser levels, MOE = sqrt(sum MOE^2), only the largest MOE among zero estimates".to_owned(),
        speed_tiles: if raw_tiles {
            "METHOD.md §5: each raw Ookla tile goes to the district holding its centroid (a centroid on a shared edge to the district with the smallest id)"
        } else {
            "METHOD.md §5 with the block-joined Ookla table: a tile counts once in every district holding a block it intersects (the input has no tile geometry, so the centroid rule cannot be applied)"
        }
        .to_owned(),
        need_index: "METHOD.md §7: 100 * sum(w_i c_i) / sum(w_i) over available components; the components used are in need_components".to_owned(),
        suppression: format!(
            "METHOD.md §8: a district with fewer than {} households or {} residential locations has its counts and shares withheld (empty, reason in `suppressed`); complementary suppression then withholds the smallest published districts until the withheld group has at least two districts and reaches both thresholds together, and further block groups until no withheld census district can be solved for from any figure of the package (nested levels, apportioned layers, summary lines); each layer's `<layer>.summary.csv` holds a `suppressed` line summing the withheld districts. No location-level row is published.",
            settings.suppression.min_households, settings.suppression.min_locations
        ),
    }
}

/// The whole document; `chart_files` are the charts written, in order.
pub(crate) fn metadata(out: &Path, run: &Run<'_>, chart_files: &[PathBuf]) -> Metadata {
    let settings = run.settings;
    let simulated = settings.bdc.as_ref().is_some_and(|b| b.simulated);
    Metadata {
        tool: Tool {
            name: "gapmap".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        generated_at: generated_at(),
        area: settings.area.name.clone(),
        simulated_availability: simulated,
        notice: if simulated {
            "simulated availability: the BDC rows are a labelled simulation in the FCC format; never publish these figures as facts"
        } else {
            ""
        }
        .to_owned(),
        method: method(settings, run.inputs.tile_footprints.is_some()),
        configuration: json(settings),
        inputs: run.inputs.files.clone(),
        input_summary: input_summary(run),
        layers: run
            .layers
            .iter()
            .map(|level| layer_entry(settings, level))
            .collect(),
        affordability: affordability(run),
        charts: chart_files
            .iter()
            .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string())
            .collect(),
        licenses: grants(settings).iter().map(Grant::note).collect(),
        warnings: run.results.warnings.clone(),
    }
}
