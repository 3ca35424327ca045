//! The static viewer (`index.html` and `viewer/`): a map per layer and figure, the charts, and
//! links to every file.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::feature_json;
use gapmap_export::viewer::{
    ValueFormat, ViewerChart, ViewerFile, ViewerLayer, ViewerMap, ViewerText,
};
use gapmap_gaps::DistrictGaps;
use serde_json::Value;

use super::text::{OOKLA_ATTRIBUTION, class_method, relative, source_lines, title_case};
use crate::package::layers::PublishedLayer;
use crate::settings::Settings;

/// The maps of a layer in the viewer: the fields of the PNG choropleths (and the share without
/// broadband), with withheld districts empty.
type Pick = fn(&DistrictGaps) -> Option<f64>;

/// Per viewer map: its id, title, legend, format, no-data label and value.
const MAP_SPECS: [(&str, &str, &str, ValueFormat, &str, Pick); 10] = [
    (
        "need_index",
        "Need index",
        "Need index (0 = no gap, 100 = all)",
        ValueFormat::Index,
        "No component available",
        |r| r.need_index.map(|v| v / 100.0),
    ),
    (
        "unserved_underserved",
        "Homes without 100/20 Mbps service",
        "Unserved + underserved (share of locations)",
        ValueFormat::Percent,
        "No residential locations",
        |r| {
            r.share_unserved
                .zip(r.share_underserved)
                .map(|(a, b)| a + b)
        },
    ),
    (
        "no_internet",
        "Households with no internet access",
        "No internet access (share of households)",
        ValueFormat::Percent,
        "No households or no estimate",
        |r| r.share_no_internet.map(|e| e.value),
    ),
    (
        "without_broadband",
        "Households without broadband",
        "Without broadband (share of households)",
        ValueFormat::Percent,
        "No households or no estimate",
        |r| r.share_without_broadband.map(|e| e.value),
    ),
    (
        "unaffordable",
        "Households for whom a 100/20 plan is unaffordable",
        "Unaffordable (share of households)",
        ValueFormat::Percent,
        "No income brackets or price",
        |r| r.share_unaffordable.map(|e| e.value),
    ),
    (
        "cost_to_income",
        "Cheapest 100/20 plan as a share of median income",
        "Cost to income (share of median income)",
        ValueFormat::Percent2,
        "No price or no median income",
        |r| r.cost_to_income,
    ),
    (
        "download_speed",
        "Measured fixed download speed",
        "Mean download (Mbps)",
        ValueFormat::Mbps,
        "Too few tests",
        |r| r.speed_mean_down_mbps,
    ),
    (
        "mobile_download_speed",
        "Measured mobile download speed (Ookla's mobile tiles, read beside the fixed ones)",
        "Mean mobile download (Mbps)",
        ValueFormat::Mbps,
        "Too few mobile tests",
        |r| r.mobile_speed_mean_down_mbps,
    ),
    (
        "download_change",
        "Change in measured download speed between the baseline and latest quarters",
        "Change in mean download (Mbps; red slower, blue faster)",
        ValueFormat::Mbps,
        "Too few tests in a quarter",
        |r| r.speed_change_down_mbps,
    ),
    (
        "mobile_download_change",
        "Change in measured mobile download speed between the baseline and latest quarters",
        "Change in mean mobile download (Mbps; red slower, blue faster)",
        ValueFormat::Mbps,
        "Too few mobile tests in a quarter",
        |r| r.mobile_speed_change_down_mbps,
    ),
];

fn layer_maps(level: &PublishedLayer<'_>, settings: &Settings) -> Vec<ViewerMap> {
    let rows = &level.result.rows;
    let plural = &level.names.plural;
    let specs = &MAP_SPECS;
    specs
        .iter()
        .filter_map(|(id, title, legend, format, no_data, pick)| {
            let values: Vec<Option<f64>> = rows
                .iter()
                .map(|r| {
                    if r.suppressed.is_some() {
                        None
                    } else {
                        pick(r)
                    }
                })
                .collect();
            values.iter().any(Option::is_some).then(|| ViewerMap {
                id: (*id).to_owned(),
                // Speeds are called fixed only when the tiles are Ookla's fixed layer.
                title: match (*id, &settings.ookla) {
                    ("download_speed", Some(ookla)) => {
                        format!("Measured {}download speed", ookla.kind.adjective())
                    }
                    _ => (*title).to_owned(),
                },
                legend: (*legend).to_owned(),
                format: *format,
                no_data: format!("{no_data} ({plural})"),
                values,
                worse: super::charts::worse_end(id),
            })
        })
        .collect()
}

/// The questions the package answers, from what the run read: a run with speeds only (a city
/// outside the US) does not promise availability or affordability.
fn subtitle(settings: &Settings) -> String {
    let mut parts = Vec::new();
    if settings.bdc.is_some() {
        parts.push("who cannot get a 100/20 Mbps connection".to_owned());
    }
    if settings.acs.is_some() || settings.layers.iter().any(|l| !l.tables.is_empty()) {
        parts.push("who is not subscribed".to_owned());
    }
    if settings.affordability.is_some() {
        parts.push("for whom it is unaffordable".to_owned());
    }
    if let Some(ookla) = &settings.ookla {
        let raw = !ookla.tiles.is_empty();
        parts.push(if raw {
            "how fast tests run and how that changed".to_owned()
        } else {
            "how fast tests run".to_owned()
        });
    }
    let text = match parts.as_slice() {
        [] => "Figures district by district.".to_owned(),
        [one] => format!("{one}, district by district."),
        [init @ .., last] => format!("{}, and {last}, district by district.", init.join(", ")),
    };
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// The map's attribution: the sources the run read.
fn attribution(settings: &Settings) -> String {
    let mut parts = Vec::new();
    if !settings.levels.is_empty() || settings.acs.is_some() || settings.blocks.is_some() {
        parts.push("Census Bureau".to_owned());
    }
    if settings.bdc.is_some() {
        parts.push("FCC BDC".to_owned());
    }
    if settings.ookla.is_some() {
        parts.push(format!("{OOKLA_ATTRIBUTION} (CC BY-NC-SA 4.0)"));
    }
    if settings.levels.is_empty() {
        parts.push(settings.area.boundaries_source.clone());
    }
    parts.join("; ")
}

/// What a chart file shows, from its name.
fn chart_caption(stem: &str, level: &str) -> String {
    let what = stem
        .strip_prefix(level)
        .unwrap_or(stem)
        .trim_start_matches('_');
    match what {
        "unserved_underserved" => "Homes without 100/20 Mbps service (map)".to_owned(),
        "no_internet" => "Households with no internet access (map)".to_owned(),
        "cost_to_income" => "Cheapest plan as a share of median income (map)".to_owned(),
        "unaffordable" => "Households for whom broadband is unaffordable (map)".to_owned(),
        "download_speed" => "Measured download speed (map)".to_owned(),
        "mobile_download_speed" => "Measured mobile download speed (map)".to_owned(),
        "download_change" => "Change in measured download speed (map)".to_owned(),
        "mobile_download_change" => "Change in measured mobile download speed (map)".to_owned(),
        "download_by_quarter" => "Download speed by quarter (lines)".to_owned(),
        "need_index" => "Need index (map)".to_owned(),
        "tiers" => "Locations by BEAD tier (bars)".to_owned(),
        "income_vs_without_broadband" => {
            "Median income and households without broadband (scatter)".to_owned()
        }
        other if other.starts_with("need_top") => {
            "Districts with the highest need (bars)".to_owned()
        }
        other if other.starts_with("unaffordable_at_") => {
            "Unaffordable at several shares of income (bars)".to_owned()
        }
        other if other.starts_with("histogram_") => format!(
            "{}: distribution (histogram)",
            super::charts::distribution::field_title(other.trim_start_matches("histogram_"))
        ),
        other => other.replace('_', " "),
    }
}

/// The data files of a layer the viewer links to.
fn layer_files(name: &str, settings: &Settings, web: bool, districts: usize) -> Vec<ViewerFile> {
    let mut files = vec![
        ViewerFile {
            path: format!("{name}.csv"),
            label: "figures per district (CSV)".into(),
        },
        ViewerFile {
            path: format!("{name}.summary.csv"),
            label: "the `unassigned` and `suppressed` lines, with which the districts add up to the area (CSV)".into(),
        },
        ViewerFile {
            path: format!("{name}.geojson"),
            label: "full-resolution layer (GeoJSON, RFC 7946)".into(),
        },
    ];
    if web {
        files.push(ViewerFile {
            path: format!("{name}.web.geojson"),
            label: format!(
                "simplified layer for web maps, {} m tolerance, shared borders kept (GeoJSON)",
                settings.output.web_simplify_m
            ),
        });
    }
    if settings.output.geojsonl.applies(districts) {
        files.push(ViewerFile {
            path: format!("{name}.geojsonl"),
            label: "one feature per line (newline-delimited GeoJSON)".into(),
        });
    }
    files
}

/// Writes `index.html` and `viewer/`.
pub fn write_viewer(
    out: &Path,
    settings: &Settings,
    levels: &[PublishedLayer<'_>],
    web_layers: &[Option<Vec<geo::MultiPolygon<f64>>>],
    charts_by_level: &[Vec<PathBuf>],
) -> Result<Vec<PathBuf>> {
    let mut layers = Vec::new();
    for ((level, web), charts) in levels.iter().zip(web_layers).zip(charts_by_level) {
        let name = level.result.name.as_str();
        let features: Vec<Value> = level
            .result
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let full = &level.layer.features[level.geometry_index[i]].geometry;
                let geometry = web.as_ref().map_or(full, |w| &w[i]);
                feature_json(row, &level.extra_fields, geometry, 5)
            })
            .collect();
        let charts: Vec<ViewerChart> = charts
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .map(|png| {
                let stem = png.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                ViewerChart {
                    title: chart_caption(stem, name),
                    png: relative(out, png),
                    svg: relative(out, &png.with_extension("svg")),
                }
            })
            .collect();
        let files = layer_files(name, settings, web.is_some(), level.result.rows.len());
        layers.push(ViewerLayer {
            name: name.to_owned(),
            title: title_case(&level.names.title),
            plural: level.names.plural.clone(),
            features,
            maps: layer_maps(level, settings),
            charts,
            files,
            tiled: settings
                .output
                .viewer_tiles
                .applies(level.result.rows.len()),
            own: level
                .extra_fields
                .iter()
                .map(|f| gapmap_export::viewer::OwnPopupField {
                    field: f.name.clone(),
                    unit: f.unit.clone(),
                })
                .collect(),
        });
    }
    let simulated = settings.bdc.as_ref().is_some_and(|b| b.simulated);
    let sources = source_lines(
        settings,
        settings.bdc.is_some(),
        settings.acs.is_some(),
        settings.ookla.is_some(),
    );
    let text = ViewerText {
        title: format!("Broadband gaps in {}", settings.area.name),
        subtitle: subtitle(settings),
        warning: if simulated {
            "SIMULATED availability data: the location counts and tiers are a demonstration, not FCC figures.".into()
        } else {
            String::new()
        },
        attribution: attribution(settings),
        footer: sources.replace('\n', " "),
        links: vec![
            (
                "methodology.md".into(),
                "how every figure is computed, with this run's thresholds and weights".into(),
            ),
            (
                "datapackage.json".into(),
                "Frictionless Data Package: every file with its schema, license and SHA-256".into(),
            ),
            (
                "metadata.json".into(),
                "run metadata: inputs with SHA-256, configuration, warnings".into(),
            ),
        ],
    };
    Ok(gapmap_export::viewer::write_viewer(
        out,
        &text,
        &layers,
        class_method(settings),
    )?)
}
