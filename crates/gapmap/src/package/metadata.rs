//! `metadata.json`: the run's provenance — tool, method, configuration, inputs with their
//! SHA-256, layers, licenses and warnings.

use std::path::{Path, PathBuf};

use gapmap_export::generated_at;
use gapmap_gaps::FIELD_NAMES;
use serde_json::{Value, json};

use super::text::{OOKLA_ATTRIBUTION, OOKLA_FIELDS};
use super::{PublishedLayer, Run};
use crate::settings::Settings;

/// One layer's entry.
fn layer_entry(settings: &Settings, base: &Path, level: &PublishedLayer<'_>) -> Value {
    let name = level.result.name.as_str();
    let coverage = level.result.coverage;
    json!({
            "level": name,
            "kind": if level.tabulated_by.is_some() { "layer tabulated by its own ids" } else { "census level" },
            "tables": level.tabulated_by,
            "apportionment": level.apportioned_from().map(|source| json!({
                "from": source.as_str(),
                "method": if settings.blocks.as_ref().is_some_and(|b| b.points.is_some()) {
                    "block points (METHOD.md §6): each block goes to the district holding its internal point (a shared edge to the smallest id); residential locations are counted exactly through their blocks; ACS counts of a block group are split by its blocks' 2020 housing units (MOE = w·MOE); shares recomputed from the apportioned counts"
                } else {
                    "areal overlay without block points (METHOD.md §6): weight = area(unit ∩ district) / area(unit), geodesic areas on the WGS84 ellipsoid; every count of the unit (locations by tier, ACS estimates with MOE = w·MOE) is multiplied by it; shares recomputed from the apportioned counts"
                },
                "not_apportioned": "speed fields (tiles are assigned by location, not by area) and affordability (from the layer's own tables where given)",
                "unassigned": level.unassigned.as_ref().map(|u| json!({
                    "locations": u.locations,
                    "households": u.households.map(|e| e.value),
                })),
            })),
            "districts": level.result.rows.len(),
            "withheld": Some(json!({"primary": level.withheld.primary, "complementary": level.withheld.complementary})),
            "geojson": format!("{name}.geojson"),
            "csv": format!("{name}.csv"),
            "boundaries": level.boundaries.strip_prefix(base).unwrap_or(&level.boundaries).display().to_string(),
            "source_crs": level.layer.source_crs.epsg().map_or_else(|| "unknown".to_owned(), |code| format!("EPSG:{code}")),
            "crs_handling": level.layer.source_crs.handling(),
            "output_crs": "WGS84 longitude/latitude (RFC 7946)",
            "coordinate_precision": settings.output.coordinate_precision,
            "web_geojson": (settings.output.web_simplify_m > 0.0).then(|| json!({
                "file": format!("{name}.web.geojson"),
                "simplification": format!("topology-preserving (shared borders simplified once, Ramer–Douglas–Peucker), tolerance {} m; 5 decimals", settings.output.web_simplify_m),
            })),
            "geojsonl": settings.output.geojsonl.applies(level.result.rows.len()).then(|| format!("{name}.geojsonl")),
            "coverage": {
                "locations_total": coverage.locations_total,
                "locations_outside_layer": coverage.locations_outside,
                "acs_units_total": coverage.acs_units_total,
                "acs_units_outside_layer": coverage.acs_units_outside,
            },
    })
}

/// The whole document; `chart_files` are the charts written, in order.
pub(crate) fn metadata(out: &Path, run: &Run<'_>, chart_files: &[PathBuf]) -> Value {
    let settings = run.settings;
    let layers: Vec<Value> = run
        .layers
        .iter()
        .map(|level| layer_entry(settings, run.base, level))
        .collect();
    let simulated = settings.bdc.as_ref().is_some_and(|b| b.simulated);
    let mut licenses = vec![json!({
        "applies_to": "Census data: ACS estimates, boundaries, block counts, and the fields derived from them",
        "license": "Public domain (U.S. Government work, 17 U.S.C. §105)",
    })];
    if settings.bdc.is_some() {
        licenses.push(if simulated {
            json!({"applies_to": "availability fields (locations*, share_served/underserved/unserved)", "license": "CC0 (simulated availability rows, not FCC data)"})
        } else {
            json!({"applies_to": "availability fields (locations*, share_served/underserved/unserved)", "license": "Public domain (FCC, U.S. Government work)"})
        });
    }
    if settings.ookla.is_some() {
        licenses.push(json!({
            "applies_to": OOKLA_FIELDS.iter().chain(["need_index"].iter()).collect::<Vec<_>>(),
            "license": "CC BY-NC-SA 4.0",
            "license_url": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
            "attribution": OOKLA_ATTRIBUTION,
            "note": "Outputs that include Ookla-derived fields are non-commercial and share-alike.",
        }));
    }
    let bdc_summary = run.inputs.locations.as_ref().map(|(_, stats)| {
        json!({
            "files": run.inputs.files.iter().filter(|f| f.role == "bdc").count(),
            "csv_members": stats.members,
            "rows": stats.rows,
            "business_rows_excluded": stats.business_rows,
            "residential_locations": stats.locations,
            "simulated": simulated,
        })
    });
    if let Some(prices) = settings
        .affordability
        .as_ref()
        .and_then(|a| a.area_prices.as_ref())
    {
        licenses.push(json!({"applies_to": "reference_price, cost_to_income (area price table)", "source": prices.source, "license": prices.license}));
    }
    if let Some(plans) = settings
        .affordability
        .as_ref()
        .and_then(|a| a.plans.as_ref())
    {
        licenses.push(json!({"applies_to": "reference_price (plan table)", "source": plans.source, "license": plans.license}));
    }
    for layer in &settings.layers {
        licenses.push(json!({"applies_to": format!("layer {}: boundaries and tables", layer.name), "source": layer.tables_source, "license": layer.license}));
    }
    let affordability = settings.affordability.as_ref().map(|a| {
        json!({
            "share_of_income": a.share_of_income,
            "rule": "METHOD.md §4: affordable when 12 x P <= share x annual household income; T = 12 x P / share",
            "reference_price_fallback": a.reference_price,
            "price_source": {
                "area_prices": a.area_prices,
                "plans": a.plans,
            },
            "bracket_source": a.brackets,
            "median_income": a.median_income,
            "price_matches": run.results.run.price_matches,
            "layers": settings.layers.iter().map(|l| json!({"layer": l.name, "brackets": l.brackets, "median_income": l.median_income, "reference_price": l.reference_price, "reference_price_source": l.reference_price_source})).collect::<Vec<_>>(),
            "chart_shares": a.chart_shares,
        })
    });
    json!({
        "tool": {"name": "gapmap", "version": env!("CARGO_PKG_VERSION")},
        "generated_at": generated_at(),
        "area": settings.area.name,
        "simulated_availability": simulated,
        "notice": if simulated { "simulated availability: the BDC rows are a labelled simulation in the FCC format; never publish these figures as facts" } else { "" },
        "method": {
            "reference": "METHOD.md",
            "fields": &FIELD_NAMES[..],
            "tiers": "METHOD.md §2: each residential location once; served if some reliable, low-latency row has >= served download and upload",
            "acs_rollup": "METHOD.md §3: block groups summed to coarser levels, MOE = sqrt(sum MOE^2), only the largest MOE among zero estimates",
            "speed_tiles": "METHOD.md §5 with the block-joined Ookla table: a tile counts once in every district holding a block it intersects (the input has no tile geometry, so the centroid rule cannot be applied)",
            "need_index": "METHOD.md §7: 100 * sum(w_i c_i) / sum(w_i) over available components; the components used are in need_components",
            "suppression": format!(
                "METHOD.md §8: a district with fewer than {} households or {} residential locations has its counts and shares withheld (empty, reason in `suppressed`); complementary suppression then withholds the smallest published districts until the withheld group has at least two districts and reaches both thresholds together, so no small district can be recovered from totals; each CSV ends with a `suppressed` line summing the withheld districts. No location-level row is published.",
                settings.suppression.min_households, settings.suppression.min_locations
            ),
        },
        "configuration": settings,
        "inputs": run.inputs.files,
        "input_summary": {
            "bdc": bdc_summary,
            "acs": run.inputs.acs.as_ref().map(|a| json!({"variables": a.variables(), "vintage": settings.acs.as_ref().map(|s| s.vintage.clone())})),
            "ookla": run.inputs.speeds.as_ref().map(|s| json!({"tiles": s.tiles.len(), "tile_block_rows": s.tile_blocks.len(), "period": settings.ookla.as_ref().map(|o| o.period.clone())})),
            "blocks": run.inputs.blocks.as_ref().map(|b| json!({"blocks": b.len(), "housing_units": b.values().map(|x| x.housing_units).sum::<u64>()})),
        },
        "layers": layers,
        "affordability": affordability,
        "charts": chart_files.iter().map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string()).collect::<Vec<_>>(),
        "licenses": licenses,
        "warnings": run.results.warnings,
    })
}
