//! `datapackage.json`: a Frictionless Data Package listing every file of the package with its
//! size, SHA-256, license, sources and, for tables, a Table Schema.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::provenance::Metadata;
use gapmap_export::{InputFile, write_json};
use gapmap_gaps::{ExtraField, FIELDS};
use rayon::prelude::*;
use serde_json::{Value, json};

use super::licenses::{Grant, grants};
use super::text::{relative, title_case};
use crate::package::layers::{PublishedLayer, Run};
use crate::settings::Settings;

/// Table Schema of a layer's CSV: METHOD.md §9 fields, then the layer's own (§10), numbers
/// whose unit and source the configuration states, unconstrained (an index, an income, a
/// change may be anything).
fn table_schema(extra: &[ExtraField]) -> Value {
    let own = extra.iter().map(|f| {
        json!({
            "name": f.name,
            "type": "number",
            "description": format!("{} (column `{}` of {}; {})", f.description, f.column, f.table, f.source),
            "unit": f.unit,
        })
    });
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|f| {
            let mut field = json!({
                "name": f.name,
                "type": f.kind.as_str(),
                "description": f.description,
            });
            if !f.unit.is_empty() {
                field["unit"] = f.unit.into();
            }
            // A change between quarters (METHOD.md §10) may be negative: a share's change lies
            // in [−1, 1], a speed's or a rate's is unbounded.
            let change = f.name.ends_with("_change") || f.name.contains("speed_change_");
            if f.is_numeric() && change {
                if f.unit == "share" {
                    field["constraints"] = json!({"minimum": -1, "maximum": 1});
                }
            } else if f.is_numeric() {
                let mut constraints = json!({"minimum": 0});
                if (f.name.starts_with("share_") || f.name.starts_with("mobile_share_"))
                    && !f.name.ends_with("_moe")
                {
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
        .chain(own)
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

/// Writes `datapackage.json` listing every file of the run (`written`, in order).
pub(crate) fn write_datapackage(
    out: &Path,
    run: &Run<'_>,
    metadata: &Metadata,
    written: &[PathBuf],
) -> Result<PathBuf> {
    let settings = run.settings;
    let files = written;
    let everything = package_licenses(settings);
    // Every file is hashed and described in parallel; the list keeps the files' order.
    let resources = files
        .par_iter()
        .map(|path| resource(out, path, run, &everything))
        .collect::<Vec<Result<Value>>>()
        .into_iter()
        .collect::<Result<Vec<Value>>>()?;

    let sources: Vec<Value> = run
        .inputs
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
        "created": metadata.generated_at,
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
            "apportionment": metadata
                .layers
                .iter()
                .filter_map(|l| {
                    l.apportionment
                        .as_ref()
                        .map(|a| json!({"layer": l.level, "method": a.method}))
                })
                .collect::<Vec<_>>(),
            "metadata": "metadata.json",
        },
        "resources": resources,
    });
    let path = out.join("datapackage.json");
    write_json(&path, &package)?;
    Ok(path)
}

/// One file of the package as a Data Package resource: size, hash, title, format, license,
/// and for a layer's CSV its table schema.
fn resource(out: &Path, path: &Path, run: &Run<'_>, everything: &[Value]) -> Result<Value> {
    let settings = run.settings;
    let levels = &run.layers;
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
            || shown == format!("{name}.summary.csv")
            || shown == format!("{name}.quarters.csv")
            || shown == format!("{name}.mobile_quarters.csv")
            || shown == format!("{name}.geojson")
            || shown == format!("{name}.web.geojson")
            || shown == format!("{name}.geojsonl")
            || shown == format!("{name}.parquet")
            || shown == format!("{name}.fgb")
            || shown == format!("{name}.gpkg")
    });
    match (extension, level) {
        ("csv", Some(level)) if shown.ends_with(".summary.csv") => {
            describe_summary(&mut resource, settings, level);
        }
        ("csv", Some(level)) if shown.ends_with(".mobile_quarters.csv") => {
            describe_quarters(&mut resource, settings, level, true);
        }
        ("csv", Some(level)) if shown.ends_with(".quarters.csv") => {
            describe_quarters(&mut resource, settings, level, false);
        }
        ("csv", Some(level)) => describe_table(&mut resource, settings, level),
        ("geojson" | "geojsonl", Some(level)) => {
            describe_layer(&mut resource, settings, level, &shown, extension);
        }
        ("parquet" | "fgb" | "gpkg", Some(level)) => {
            describe_typed(&mut resource, settings, level, extension);
        }
        ("png" | "svg", _) => describe_chart(&mut resource, path, extension, everything),
        _ => describe_other(&mut resource, &shown, extension, everything),
    }
    Ok(resource)
}

/// A layer's CSV: a tabular resource with its Table Schema.
fn describe_table(resource: &mut Value, settings: &Settings, level: &PublishedLayer<'_>) {
    resource["title"] = format!(
        "{}: broadband gaps per district (table)",
        title_case(&level.names.title)
    )
    .into();
    resource["description"] = format!(
        "One row per {}, the METHOD.md §9 fields; only districts (the lines with which the columns add up to the area's totals are in `{}.summary.csv`).",
        level.names.singular, level.result.name
    ).into();
    resource["profile"] = "tabular-data-resource".into();
    resource["format"] = "csv".into();
    resource["mediatype"] = "text/csv".into();
    resource["encoding"] = "utf-8".into();
    resource["schema"] = table_schema(&level.extra_fields);
    resource["licenses"] = layer_licenses(settings, level).into();
}

/// A layer's figures per quarter (METHOD.md §10): their own schema, the district table's field
/// descriptions.
fn describe_quarters(
    resource: &mut Value,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    mobile: bool,
) {
    resource["title"] = format!(
        "{}: measured {}speeds per quarter (table)",
        title_case(&level.names.title),
        if mobile { "mobile " } else { "" }
    )
    .into();
    resource["description"] = format!(
        "One row per {} and quarter: the METHOD.md §5 figures over that quarter's Ookla {}tiles only, and tests per 1,000 residents in the quarter (§10); withheld districts (§8) have no rows. CC BY-NC-SA 4.0.",
        level.names.singular,
        if mobile { "mobile " } else { "" }
    )
    .into();
    resource["profile"] = "tabular-data-resource".into();
    resource["format"] = "csv".into();
    resource["mediatype"] = "text/csv".into();
    resource["encoding"] = "utf-8".into();
    let districts = table_schema(&level.extra_fields);
    let columns = if mobile {
        gapmap_export::MOBILE_QUARTER_FIELDS
    } else {
        gapmap_export::QUARTER_FIELDS
    };
    let fields: Vec<Value> = columns
        .iter()
        .map(|name| match *name {
            "quarter" => json!({
                "name": "quarter",
                "type": "string",
                "description": "The quarter, e.g. 2019Q1",
                "constraints": {"required": true, "pattern": "[0-9]{4}Q[1-4]"},
            }),
            "tests_per_1000" => json!({
                "name": "tests_per_1000",
                "type": "number",
                "description": "speed_tests / population × 1,000 in this quarter (§10)",
            }),
            "mobile_tests_per_1000" => json!({
                "name": "mobile_tests_per_1000",
                "type": "number",
                "description": "mobile_speed_tests / population × 1,000 in this quarter (§10)",
            }),
            name => {
                let mut field = districts["fields"]
                    .as_array()
                    .and_then(|f| f.iter().find(|f| f["name"] == name))
                    .cloned()
                    .unwrap_or_else(|| json!({"name": name}));
                if let Some(constraints) =
                    field.get_mut("constraints").and_then(Value::as_object_mut)
                {
                    constraints.remove("unique");
                }
                field
            }
        })
        .collect();
    resource["schema"] = json!({
        "fields": fields,
        "primaryKey": ["geoid", "quarter"],
        "missingValues": [""],
    });
    resource["licenses"] = layer_licenses(settings, level).into();
}

/// A layer's summary lines: the district table's schema, the id naming the line.
fn describe_summary(resource: &mut Value, settings: &Settings, level: &PublishedLayer<'_>) {
    resource["title"] = format!(
        "{}: the lines with which the districts add up (table)",
        title_case(&level.names.title)
    )
    .into();
    resource["description"] = format!(
        "The `unassigned` line (an apportioned layer: what falls in no {}) and the `suppressed` line (the sum of the districts withheld under METHOD.md §8), each when there is one, with the fields of `{}.csv`: that table's columns plus these lines give the area's totals.",
        level.names.singular, level.result.name
    )
    .into();
    resource["profile"] = "tabular-data-resource".into();
    resource["format"] = "csv".into();
    resource["mediatype"] = "text/csv".into();
    resource["encoding"] = "utf-8".into();
    let mut schema = table_schema(&level.extra_fields);
    if let Some(geoid) = schema["fields"]
        .as_array_mut()
        .and_then(|fields| fields.iter_mut().find(|f| f["name"] == "geoid"))
    {
        geoid["description"] = "Which line: `unassigned` or `suppressed`".into();
        geoid["constraints"] =
            json!({"required": true, "unique": true, "enum": ["unassigned", "suppressed"]});
    }
    resource["schema"] = schema;
    resource["licenses"] = layer_licenses(settings, level).into();
}

/// A layer's GeoJSON (full, web or newline-delimited).
fn describe_layer(
    resource: &mut Value,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    shown: &str,
    extension: &str,
) {
    let kind = if shown.ends_with(".web.geojson") {
        format!(
            "simplified for web maps ({} m, topology-preserving; 6 decimals)",
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
        title_case(&level.names.title)
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

/// A layer's GeoParquet or FlatGeobuf: the map layer with a fixed schema.
fn describe_typed(
    resource: &mut Value,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    extension: &str,
) {
    // `geoparquet`, not `parquet`: Frictionless reads a `parquet` resource as a table (and,
    // without its Parquet plugin, fails the package); this one is a map layer, checked by bytes
    // and hash like the GeoJSON.
    let (kind, format, mediatype) = if extension == "parquet" {
        (
            "GeoParquet 1.1 (WKB geometry, `geo` file metadata)",
            "geoparquet",
            "application/vnd.apache.parquet",
        )
    } else if extension == "gpkg" {
        (
            "OGC GeoPackage (written by GDAL)",
            "gpkg",
            "application/geopackage+sqlite3",
        )
    } else {
        (
            "FlatGeobuf with a packed Hilbert R-tree spatial index",
            "fgb",
            "application/flatgeobuf",
        )
    };
    resource["title"] = format!(
        "{}: broadband gaps per district (typed map layer)",
        title_case(&level.names.title)
    )
    .into();
    resource["description"] = format!("{kind}, WGS84 longitude/latitude (EPSG:4326), MultiPolygons as in the GeoJSON; every field of the CSV's schema with its type (string, integer as 64-bit, number as double) whether or not the layer has a value, empty values null; without the `unassigned` and `suppressed` lines.").into();
    resource["format"] = format.into();
    resource["mediatype"] = mediatype.into();
    resource["licenses"] = layer_licenses(settings, level).into();
}

/// A chart (PNG or SVG).
fn describe_chart(resource: &mut Value, path: &Path, extension: &str, everything: &[Value]) {
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
    resource["licenses"] = everything.into();
}

/// The package's other files: metadata, methodology, viewer.
fn describe_other(resource: &mut Value, shown: &str, extension: &str, everything: &[Value]) {
    let (format, mediatype, title) = match shown {
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
        _ if extension == "qml" => (
            "qml",
            "application/xml",
            "QGIS layer style: the classes and colours of the PNG map (a layer's own `<layer>.qml` is its need index, which QGIS loads with the layer)",
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
        resource["licenses"] = everything.into();
    }
}

/// The licenses that apply to the package as a whole (the union of its parts).
pub(crate) fn package_licenses(settings: &Settings) -> Vec<Value> {
    grants(settings).iter().map(Grant::for_package).collect()
}

/// The licenses of a layer's table and maps.
fn layer_licenses(settings: &Settings, level: &PublishedLayer<'_>) -> Vec<Value> {
    grants(settings)
        .iter()
        .filter_map(|g| g.for_layer(level))
        .collect()
}
