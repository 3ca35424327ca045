//! The publication package around a run's files: the static viewer (`index.html`),
//! `methodology.md` (the method with every threshold and weight the run used) and
//! `datapackage.json` (a Frictionless Data Package listing every file with its size, SHA-256,
//! license, sources and, for tables, a schema).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::viewer::{ViewerChart, ViewerFile, ViewerLayer, ViewerMap, ViewerText};
use gapmap_export::{InputFile, feature_json, write_atomic, write_json};
use gapmap_gaps::{DistrictGaps, FIELD_SCHEMA};
use serde_json::{Value, json};

use crate::commands::run::{ComputedLevel, Loaded};
use crate::outputs::{OOKLA_ATTRIBUTION, OOKLA_FIELDS, class_method, percent_share, source_lines};
use crate::settings::Settings;

fn title_case(name: &str) -> String {
    let text = name.replace('_', " ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// The maps of a layer in the viewer: the fields of the PNG choropleths (and the share without
/// broadband), with withheld districts empty.
type Pick = fn(&DistrictGaps) -> Option<f64>;

fn layer_maps(level: &ComputedLevel) -> Vec<ViewerMap> {
    let rows = &level.result.rows;
    let plural = &level.names.2;
    let specs: [(&str, &str, &str, &str, &str, Pick); 7] = [
        (
            "need_index",
            "Need index",
            "Need index (0 = no gap, 100 = all)",
            "index",
            "No component available",
            |r| r.need_index.map(|v| v / 100.0),
        ),
        (
            "unserved_underserved",
            "Homes without 100/20 Mbps service",
            "Unserved + underserved (share of locations)",
            "percent",
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
            "percent",
            "No households or no estimate",
            |r| r.share_no_internet.map(|e| e.value),
        ),
        (
            "without_broadband",
            "Households without broadband",
            "Without broadband (share of households)",
            "percent",
            "No households or no estimate",
            |r| r.share_without_broadband.map(|e| e.value),
        ),
        (
            "unaffordable",
            "Households for whom a 100/20 plan is unaffordable",
            "Unaffordable (share of households)",
            "percent",
            "No income brackets or price",
            |r| r.share_unaffordable.map(|e| e.value),
        ),
        (
            "cost_to_income",
            "Cheapest 100/20 plan as a share of median income",
            "Cost to income (share of median income)",
            "percent2",
            "No price or no median income",
            |r| r.cost_to_income,
        ),
        (
            "download_speed",
            "Measured fixed download speed",
            "Mean download (Mbps)",
            "mbps",
            "Too few tests",
            |r| r.speed_mean_down_mbps,
        ),
    ];
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
                title: (*title).to_owned(),
                legend: (*legend).to_owned(),
                format: (*format).to_owned(),
                no_data: format!("{no_data} ({plural})"),
                values,
            })
        })
        .collect()
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
            "Distribution of {} (histogram)",
            other.trim_start_matches("histogram_")
        ),
        other => other.replace('_', " "),
    }
}

fn relative(out: &Path, path: &Path) -> String {
    path.strip_prefix(out)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Writes `index.html` and `viewer/`.
pub fn write_viewer(
    out: &Path,
    settings: &Settings,
    levels: &[ComputedLevel],
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
                feature_json(row, geometry, 5)
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
        let mut files = vec![
            ViewerFile {
                path: format!("{name}.csv"),
                label: "figures per district, with the `unassigned` and `suppressed` lines (CSV)"
                    .into(),
            },
            ViewerFile {
                path: format!("{name}.geojson"),
                label: "full-resolution layer (GeoJSON, RFC 7946)".into(),
            },
        ];
        if web.is_some() {
            files.push(ViewerFile {
                path: format!("{name}.web.geojson"),
                label: format!(
                    "simplified layer for web maps, {} m tolerance, shared borders kept (GeoJSON)",
                    settings.output.web_simplify_m
                ),
            });
        }
        if settings.output.geojsonl.applies(level.result.rows.len()) {
            files.push(ViewerFile {
                path: format!("{name}.geojsonl"),
                label: "one feature per line (newline-delimited GeoJSON)".into(),
            });
        }
        layers.push(ViewerLayer {
            name: name.to_owned(),
            title: title_case(&level.names.0),
            plural: level.names.2.clone(),
            features,
            maps: layer_maps(level),
            charts,
            files,
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
        subtitle: "Who cannot get a 100/20 Mbps connection, who is not subscribed, for whom it is unaffordable, and how fast tests run, district by district.".into(),
        warning: if simulated {
            "SIMULATED availability data: the location counts and tiers are a demonstration, not FCC figures.".into()
        } else {
            String::new()
        },
        attribution: if settings.ookla.is_some() {
            format!("Census Bureau; FCC BDC; {OOKLA_ATTRIBUTION} (CC BY-NC-SA 4.0)")
        } else {
            "Census Bureau; FCC BDC".into()
        },
        footer: sources.replace('\n', " "),
        links: vec![
            ("methodology.md".into(), "how every figure is computed, with this run's thresholds and weights".into()),
            ("datapackage.json".into(), "Frictionless Data Package: every file with its schema, license and SHA-256".into()),
            ("metadata.json".into(), "run metadata: inputs with SHA-256, configuration, warnings".into()),
        ],
    };
    Ok(gapmap_export::viewer::write_viewer(
        out,
        &text,
        &layers,
        class_method(settings),
    )?)
}

/// License objects for a Data Package, from the free-text licenses of the configuration.
fn license(text: &str) -> Value {
    let known = [
        (
            "CC BY-NC-SA 4.0",
            "CC-BY-NC-SA-4.0",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        ),
        (
            "CC BY 4.0",
            "CC-BY-4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "CC0",
            "CC0-1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "Public domain",
            "other-pd",
            "https://www.usa.gov/government-copyright",
        ),
    ];
    known
        .iter()
        .find(|(key, _, _)| text.contains(key))
        .map_or_else(
            || json!({"name": "other-at", "title": text}),
            |(_, name, path)| json!({"name": name, "path": path, "title": text}),
        )
}

fn census_license() -> Value {
    license(
        "Public domain (U.S. Government work, 17 U.S.C. §105): Census Bureau data and the figures derived from it",
    )
}

/// The licenses of a layer's table: census always, the BDC's, Ookla's where a speed field has
/// a value, and the layer's own tables and prices where used.
fn layer_licenses(settings: &Settings, level: &ComputedLevel) -> Vec<Value> {
    let mut licenses = vec![census_license()];
    if let Some(bdc) = &settings.bdc {
        licenses.push(if bdc.simulated {
            license("CC0 1.0: availability fields come from SIMULATED rows in the FCC format, not FCC data")
        } else {
            license("Public domain (U.S. Government work): FCC Broadband Data Collection")
        });
    }
    if level.result.rows.iter().any(|r| r.speed_tests.is_some()) {
        licenses.push(license(&format!(
            "CC BY-NC-SA 4.0: the fields {} (and need_index where it uses slow tests) are derived from Ookla data. {OOKLA_ATTRIBUTION}",
            OOKLA_FIELDS.join(", ")
        )));
    }
    if let Some(prices) = settings
        .affordability
        .as_ref()
        .and_then(|a| a.area_prices.as_ref())
        .filter(|_| level.tabulated_by.is_none())
    {
        licenses.push(license(&format!(
            "{}: reference_price, cost_to_income ({})",
            prices.license, prices.source
        )));
    }
    if let Some(layer) = settings.layers.iter().find(|l| l.name == level.result.name) {
        licenses.push(license(&format!(
            "{}: layer boundaries and tables",
            layer.license
        )));
    }
    licenses
}

/// Table Schema of a layer's CSV (METHOD.md §9 fields).
fn table_schema() -> Value {
    let fields: Vec<Value> = FIELD_SCHEMA
        .iter()
        .map(|f| {
            let mut field = json!({
                "name": f.name,
                "type": f.kind,
                "description": f.description,
            });
            if !f.unit.is_empty() {
                field["unit"] = f.unit.into();
            }
            if f.kind != "string" {
                let mut constraints = json!({"minimum": 0});
                if f.name.starts_with("share_") && !f.name.ends_with("_moe") {
                    constraints["maximum"] = 1.into();
                }
                if f.name == "need_index" {
                    constraints["maximum"] = 100.into();
                }
                field["constraints"] = constraints;
            }
            if f.name == "geoid" {
                field["constraints"] = json!({"required": true, "unique": true});
            }
            field
        })
        .collect();
    json!({
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["geoid"],
    })
}

fn resource_name(path: &str) -> String {
    path.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Writes `methodology.md` and then `datapackage.json` listing every file of the run.
pub fn write_package(
    out: &Path,
    settings: &Settings,
    loaded: &Loaded,
    levels: &[ComputedLevel],
    metadata: &Value,
    written: &[PathBuf],
) -> Result<Vec<PathBuf>> {
    let methodology = out.join("methodology.md");
    let text = methodology_text(settings, loaded, levels);
    write_atomic(&methodology, |w| w.write_all(text.as_bytes()))?;

    let mut files: Vec<PathBuf> = written.to_vec();
    files.push(methodology.clone());
    let everything = package_licenses(settings);
    let mut resources = Vec::new();
    for path in &files {
        let shown = relative(out, path);
        let described = InputFile::describe("output", path, &shown)?;
        let mut resource = json!({
            "name": resource_name(&shown),
            "path": shown,
            "bytes": described.bytes,
            "hash": format!("sha256:{}", described.sha256),
        });
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let level = levels.iter().find(|l| {
            let name = &l.result.name;
            shown == format!("{name}.csv")
                || shown == format!("{name}.geojson")
                || shown == format!("{name}.web.geojson")
                || shown == format!("{name}.geojsonl")
        });
        match (extension, level) {
            ("csv", Some(level)) => {
                resource["title"] = format!(
                    "{}: broadband gaps per district (table)",
                    title_case(&level.names.0)
                )
                .into();
                resource["description"] = format!(
                    "One row per {}, the METHOD.md §9 fields; then the `unassigned` line (apportioned layers: what falls in no district) and the `suppressed` line (the sum of the districts withheld under §8), so columns add up to the area's totals.",
                    level.names.1
                ).into();
                resource["profile"] = "tabular-data-resource".into();
                resource["format"] = "csv".into();
                resource["mediatype"] = "text/csv".into();
                resource["encoding"] = "utf-8".into();
                resource["schema"] = table_schema();
                resource["licenses"] = layer_licenses(settings, level).into();
            }
            ("geojson" | "geojsonl", Some(level)) => {
                let kind = if shown.ends_with(".web.geojson") {
                    format!(
                        "simplified for web maps ({} m, topology-preserving; 5 decimals)",
                        settings.output.web_simplify_m
                    )
                } else if extension == "geojsonl" {
                    "newline-delimited, one Feature per line".to_owned()
                } else {
                    format!(
                        "full resolution, {} decimals",
                        settings.output.coordinate_precision
                    )
                };
                resource["title"] = format!(
                    "{}: broadband gaps per district (map layer)",
                    title_case(&level.names.0)
                )
                .into();
                resource["description"] = format!("RFC 7946 GeoJSON, WGS84 longitude/latitude, {kind}; properties are the CSV's fields (without the `unassigned` and `suppressed` lines, which have no geometry).").into();
                resource["format"] = extension.into();
                resource["mediatype"] = if extension == "geojsonl" {
                    "application/geo+json-seq"
                } else {
                    "application/geo+json"
                }
                .into();
                resource["encoding"] = "utf-8".into();
                resource["licenses"] = layer_licenses(settings, level).into();
            }
            ("png" | "svg", _) => {
                resource["title"] = format!(
                    "Chart: {}",
                    path.file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or("")
                        .replace('_', " ")
                )
                .into();
                resource["format"] = extension.into();
                resource["mediatype"] = if extension == "png" {
                    "image/png"
                } else {
                    "image/svg+xml"
                }
                .into();
                resource["licenses"] = everything.clone().into();
            }
            _ => {
                let (format, mediatype, title) = match shown.as_str() {
                    "metadata.json" => (
                        "json",
                        "application/json",
                        "Run metadata: inputs with SHA-256, configuration, method, warnings",
                    ),
                    "methodology.md" => (
                        "md",
                        "text/markdown",
                        "Methodology of this run, with every threshold and weight used",
                    ),
                    "index.html" => (
                        "html",
                        "text/html",
                        "Static map viewer (open in a browser, no server needed)",
                    ),
                    _ if extension == "js" => ("js", "text/javascript", "Viewer script"),
                    _ if extension == "css" => ("css", "text/css", "Viewer style sheet"),
                    _ => (
                        "txt",
                        "text/plain",
                        "Viewer component license (Leaflet, BSD 2-Clause)",
                    ),
                };
                resource["title"] = title.into();
                resource["format"] = format.into();
                resource["mediatype"] = mediatype.into();
                resource["encoding"] = "utf-8".into();
                if shown.starts_with("viewer/leaflet") || shown == "viewer/LEAFLET-LICENSE" {
                    resource["licenses"] = json!([{"name": "BSD-2-Clause", "path": "viewer/LEAFLET-LICENSE", "title": "Leaflet 1.9.4, BSD 2-Clause"}]);
                } else {
                    resource["licenses"] = everything.clone().into();
                }
            }
        }
        resources.push(resource);
    }

    let sources: Vec<Value> = loaded
        .files
        .iter()
        .map(|f| {
            json!({
                "title": format!("{} ({})", f.path, f.role),
                "path": f.path,
                "bytes": f.bytes,
                "sha256": f.sha256,
            })
        })
        .collect();
    let simulated = settings.bdc.as_ref().is_some_and(|b| b.simulated);
    let area_slug: String = resource_name(&settings.area.name.replace(' ', "-"));
    let package = json!({
        "profile": "data-package",
        "name": format!("gapmap-{area_slug}"),
        "title": format!("Broadband gaps by district: {}", settings.area.name),
        "description": format!(
            "Access (BEAD served / underserved / unserved locations), adoption (households without broadband), affordability and measured speed per district, with margins of error, computed by gapmap {} from public census and broadband data. See methodology.md.{}",
            env!("CARGO_PKG_VERSION"),
            if simulated { " The availability figures come from SIMULATED BDC rows: never publish them as facts." } else { "" }
        ),
        "version": env!("CARGO_PKG_VERSION"),
        "created": metadata["generated_at"],
        "keywords": ["broadband", "digital divide", "BEAD", "ACS", "FCC BDC", "affordability", settings.area.name],
        "licenses": everything,
        "contributors": [{"title": format!("gapmap {}", env!("CARGO_PKG_VERSION")), "role": "author"}],
        "sources": sources,
        "gapmap": {
            "simulated_availability": simulated,
            "thresholds": settings.thresholds,
            "need_weights": settings.need_weights,
            "suppression": settings.suppression,
            "affordability_share": settings.affordability.as_ref().map(|a| a.share_of_income),
            "apportionment": metadata["layers"].as_array().map(|layers| layers.iter().filter_map(|l| l.get("apportionment").filter(|a| !a.is_null()).map(|a| json!({"layer": l["level"], "method": a["method"]}))).collect::<Vec<_>>()),
            "metadata": "metadata.json",
        },
        "resources": resources,
    });
    let path = out.join("datapackage.json");
    write_json(&path, &package)?;
    Ok(vec![methodology, path])
}

/// The licenses that apply to the package as a whole (the union of its parts).
fn package_licenses(settings: &Settings) -> Vec<Value> {
    let mut licenses = vec![census_license()];
    if let Some(bdc) = &settings.bdc {
        licenses.push(if bdc.simulated {
            license("CC0 1.0: SIMULATED availability rows in the FCC format, not FCC data")
        } else {
            license("Public domain (U.S. Government work): FCC Broadband Data Collection")
        });
    }
    if settings.ookla.is_some() {
        licenses.push(license(&format!(
            "CC BY-NC-SA 4.0: Ookla-derived fields and every chart or file that shows them. {OOKLA_ATTRIBUTION}"
        )));
    }
    if let Some(affordability) = &settings.affordability {
        for (source, text) in affordability
            .area_prices
            .iter()
            .map(|p| (&p.source, &p.license))
            .chain(affordability.plans.iter().map(|p| (&p.source, &p.license)))
        {
            licenses.push(license(&format!("{text}: {source}")));
        }
    }
    for layer in &settings.layers {
        licenses.push(license(&format!("{}: layer {}", layer.license, layer.name)));
    }
    licenses
}

/// `methodology.md`: METHOD.md's rules with this run's numbers, so a reader can recompute any
/// figure from the inputs listed with their SHA-256.
fn methodology_text(settings: &Settings, loaded: &Loaded, levels: &[ComputedLevel]) -> String {
    let t = &settings.thresholds;
    let w = &settings.need_weights;
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# Methodology: broadband gaps in {}\n",
        settings.area.name
    );
    let _ = writeln!(
        m,
        "Computed by gapmap {} following METHOD.md, with the values below: every threshold, weight and source this run used. Section numbers refer to METHOD.md. Field definitions are in `datapackage.json` (table schema) and in §9 below.\n",
        env!("CARGO_PKG_VERSION")
    );
    if settings.bdc.as_ref().is_some_and(|b| b.simulated) {
        let _ = writeln!(
            m,
            "> **Simulated availability.** The BDC rows of this run are a labelled simulation in the FCC format. Location counts, tiers and everything built on them are a demonstration, not facts.\n"
        );
    }
    let _ = writeln!(
        m,
        "## Inputs\n\n| role | file | bytes | SHA-256 |\n|---|---|---:|---|"
    );
    for f in &loaded.files {
        let _ = writeln!(
            m,
            "| {} | `{}` | {} | `{}` |",
            f.role, f.path, f.bytes, f.sha256
        );
    }
    if let Some(bdc) = &settings.bdc {
        let _ = writeln!(m, "\nBDC vintage: {}.", bdc.vintage);
    }
    if let Some(acs) = &settings.acs {
        let _ = writeln!(m, "ACS: {} 5-year estimates.", acs.vintage);
    }
    if let Some(ookla) = &settings.ookla {
        let _ = writeln!(m, "Ookla open data: {}.", ookla.period);
    }
    let reliable: Vec<String> = t.reliable_technologies.iter().map(u16::to_string).collect();
    let _ = writeln!(
        m,
        "\n## §2 Access: BEAD tiers of residential locations\n\n\
         Each residential location (BDC `location_id`; business-only rows excluded) counts once, by its best offer over every provider and technology.\n\n\
         - **Served**: some offer with a reliable technology (codes {}){} at ≥ {} Mbps down and ≥ {} Mbps up.\n\
         - **Underserved**: not served, and some reliable offer at ≥ {} / {} Mbps.\n\
         - **Unserved**: neither.\n\
         - **Gigabit**: some offer at ≥ {} / {} Mbps.\n\n\
         `share_*` = count / `locations`. Speeds are compared with ≥ exactly at the threshold.",
        reliable.join(", "),
        if t.require_low_latency {
            ", low latency (`low_latency` = 1)"
        } else {
            ""
        },
        t.served.download,
        t.served.upload,
        t.underserved.download,
        t.underserved.upload,
        t.gigabit.download,
        t.gigabit.upload
    );
    let _ = writeln!(
        m,
        "\n## §3 Adoption: ACS households\n\n\
         - `households` = B28002_001, `no_internet` = B28002_013, `without_broadband` = B28002_001 − B28002_004.\n\
         - Sums over units: MOE = √(Σ MOEᵢ²), counting only the largest MOE among zero estimates. Difference: √(MOE_a² + MOE_b²).\n\
         - Shares p = X / Y with MOE = √(MOE_X² − p²·MOE_Y²) / Y, or with + under the root when the radicand is negative.\n\
         - Census sentinels (-666666666 and the like) are never numbers: the field is empty and `notes` says why."
    );
    let _ = writeln!(m, "\n## §4 Affordability\n");
    if let Some(a) = &settings.affordability {
        let _ = writeln!(
            m,
            "- Share of income: **{}**. A plan at price P a month is unaffordable for a household with annual income below T = 12 × P / {}.\n\
             - Reference price P: {}{}.\n\
             - Households below T: from the income brackets ({}), linear interpolation within the bracket holding T, MOE of the interpolated part scaled by its fraction.\n\
             - `cost_to_income` = 12 × P / median household income ({}), only where the district is a unit of the table (a median is never rolled up).",
            percent_share(a.share_of_income),
            a.share_of_income,
            a.area_prices.as_ref().map_or_else(String::new, |p| format!(
                "the area price table's `{}` ({}), else ",
                p.measure, p.source
            )),
            a.reference_price.map_or_else(
                || "no fallback".to_owned(),
                |p| format!("the configured ${p:.2} a month")
            ),
            a.brackets
                .as_ref()
                .map_or_else(|| "none".to_owned(), |b| format!("{b:?}")),
            a.median_income.as_deref().unwrap_or("not given"),
        );
        for layer in &settings.layers {
            if let Some(price) = layer.reference_price {
                let _ = writeln!(
                    m,
                    "- Layer `{}`: its own tables ({}), reference price ${price:.2} ({}).",
                    layer.name,
                    layer.tables_source.as_deref().unwrap_or("own tables"),
                    layer
                        .reference_price_source
                        .as_deref()
                        .unwrap_or("configured")
                );
            }
        }
    } else {
        let _ = writeln!(
            m,
            "Not computed in this run (no `[affordability]` section)."
        );
    }
    let _ = writeln!(
        m,
        "\n## §5 Measured speed (Ookla)\n\n\
         - Means are test-weighted over the district's tiles; a district with fewer than **{}** tests gets no speed figures.\n\
         - `share_slow_tests`: share of tests in tiles below {} / {} Mbps.\n\
         - Ookla data is CC BY-NC-SA 4.0: {OOKLA_ATTRIBUTION}",
        t.min_speed_tests, t.slow_tile.download, t.slow_tile.upload
    );
    let _ = writeln!(m, "\n## §6 Levels and apportionment\n");
    for level in levels {
        let how = match (level.apportioned_from, &level.tabulated_by) {
            (Some(from), Some(tables)) => format!(
                "apportioned from {from} (areal overlay, geodesic areas; counts × area share, MOE × weight), affordability from its own tables: {tables}"
            ),
            (Some(from), None) => format!(
                "apportioned from {from} (areal overlay, geodesic areas; counts × area share, MOE × weight)"
            ),
            (None, Some(tables)) => format!("tabulated by its own ids: {tables}"),
            (None, None) => "census level: block groups summed, by GEOID prefix".to_owned(),
        };
        let _ = writeln!(
            m,
            "- `{}` ({} districts): {how}.",
            level.result.name,
            level.result.rows.len()
        );
    }
    let _ = writeln!(
        m,
        "\n## §7 Need index\n\n\
         need_index = 100 × Σ wᵢ cᵢ / Σ wᵢ over the available components (named in `need_components`), with weights: not served {}, without broadband {}, unaffordable {}, slow tests {}.",
        w.not_served, w.without_broadband, w.unaffordable, w.slow_tests
    );
    let _ = writeln!(
        m,
        "\n## §8 Privacy and suppression\n\n\
         - A district with fewer than **{}** households or **{}** residential locations has its counts and shares withheld (empty; reason in `suppressed`).\n\
         - Complementary suppression (beyond METHOD.md, which would let one withheld district be recovered from the totals): the smallest published districts are withheld too, until the withheld group has at least two districts and reaches both thresholds together.\n\
         - Each CSV ends with a `suppressed` line summing the withheld districts, so columns still add up.\n\
         - No location-level row is published anywhere.\n",
        settings.suppression.min_households, settings.suppression.min_locations
    );
    for level in levels {
        if let Some(w) = &level.withheld {
            let _ = writeln!(
                m,
                "- `{}`: {} withheld as small, {} withheld to protect them.",
                level.result.name, w.primary, w.complementary
            );
        }
    }
    let _ = writeln!(
        m,
        "\n## §9 Fields\n\n| field | type | unit | meaning |\n|---|---|---|---|"
    );
    for f in FIELD_SCHEMA {
        let _ = writeln!(
            m,
            "| `{}` | {} | {} | {} |",
            f.name, f.kind, f.unit, f.description
        );
    }
    if !loaded.warnings.is_empty() {
        let _ = writeln!(m, "\n## Warnings of this run\n");
        for warning in &loaded.warnings {
            let _ = writeln!(m, "- {warning}");
        }
    }
    let _ = writeln!(m, "\n## Licenses\n");
    for l in package_licenses(settings) {
        let _ = writeln!(m, "- {}", l["title"].as_str().unwrap_or(""));
    }
    m
}
