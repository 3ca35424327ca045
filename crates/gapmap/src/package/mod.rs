//! The publication package of a run: per layer GeoJSON (full, web-simplified, newline-delimited)
//! and CSV, the charts, `metadata.json`, the static viewer, `methodology.md` and
//! `datapackage.json` — in that order, each written from the run's figures and provenance.

mod charts;
mod datapackage;
mod layers;
mod licenses;
mod metadata;
mod methodology;
mod text;
mod viewer;

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::{
    TypedLayer, simplify_layer, write_atomic, write_csv, write_flatgeobuf, write_geojson,
    write_geojsonl, write_geoparquet,
};
use gapmap_gaps::{DistrictGaps, ExtraField};
use rayon::prelude::*;

use crate::compute::Results;
use crate::config::Config;
use crate::load::Inputs;
use crate::settings::Settings;
use layers::{PublishedLayer, Run};

/// Writes the whole package of a run into the folder `out`; returns the files written, in
/// order. [`crate::publish`] does the same into a staging folder swapped in at once.
pub fn write_package(
    out: &Path,
    config: &Config,
    inputs: &Inputs,
    results: &Results,
) -> Result<Vec<PathBuf>> {
    let loaded = inputs.levels.iter().chain(&inputs.layers);
    let run = Run {
        settings: &config.settings,
        inputs,
        results,
        layers: results
            .run
            .layers
            .iter()
            .zip(loaded)
            .map(|(computed, loaded)| PublishedLayer {
                computed,
                layer: &loaded.boundaries,
                boundaries: &loaded.shown,
            })
            .collect(),
    };
    let settings = run.settings;
    // Layers, then their charts, are written in parallel; the lists keep the layers' order.
    let mut written = Vec::new();
    let mut web_layers = Vec::new();
    let layer_files: Vec<_> = run
        .layers
        .par_iter()
        .map(|level| write_layer(out, settings, level))
        .collect::<Result<_>>()?;
    for (files, web) in layer_files {
        written.extend(files);
        web_layers.push(web);
    }
    let charts_by_level: Vec<Vec<PathBuf>> = run
        .layers
        .par_iter()
        .map(|level| {
            if settings.output.charts {
                charts::charts_for(out, &run, level)
            } else {
                Ok(Vec::new())
            }
        })
        .collect::<Result<_>>()?;
    let chart_files: Vec<PathBuf> = charts_by_level.iter().flatten().cloned().collect();
    let metadata = metadata::metadata(out, &run, &chart_files);
    let metadata_path = out.join("metadata.json");
    metadata.write(&metadata_path)?;
    written.extend(chart_files);
    written.push(metadata_path);
    if settings.output.viewer {
        written.extend(viewer::write_viewer(
            out,
            settings,
            &run.layers,
            &web_layers,
            &charts_by_level,
        )?);
    }
    let methodology = out.join("methodology.md");
    let text = methodology::methodology_text(settings, &metadata);
    write_atomic(&methodology, |w| w.write_all(text.as_bytes()))?;
    written.push(methodology);
    let package = datapackage::write_datapackage(out, &run, &metadata, &written)?;
    written.push(package);
    Ok(written)
}

/// A layer's districts simplified for web maps, in row order.
type WebGeometry = Vec<geo::MultiPolygon<f64>>;

/// A layer's districts with their geometry, in row order.
type Features<'a> = [(&'a DistrictGaps, &'a geo::MultiPolygon<f64>)];

/// Writes some of a layer's files and returns them, in order.
type FileTask<'a> = Box<dyn FnOnce() -> Result<Vec<PathBuf>> + Send + 'a>;

/// A layer's GeoJSON, newline-delimited GeoJSON, GeoParquet, FlatGeobuf, web GeoJSON and CSV; returns the files and
/// the simplified geometries (for the viewer). The files are independent and written in
/// parallel (a state's block groups take a second or more each); the list keeps their order.
fn write_layer(
    out: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
) -> Result<(Vec<PathBuf>, Option<WebGeometry>)> {
    let name = level.result.name.as_str();
    let features: Vec<_> = level
        .result
        .rows
        .iter()
        .zip(&level.geometry_index)
        .map(|(row, &i)| (row, &level.layer.features[i].geometry))
        .collect();
    let features = &features;
    let extra = &level.extra_fields;
    let precision = settings.output.coordinate_precision;
    let output = &settings.output;
    let mut tasks: Vec<FileTask> = Vec::new();
    tasks.push(Box::new(move || {
        let geojson = out.join(format!("{name}.geojson"));
        write_geojson(&geojson, features, extra, precision)?;
        Ok(vec![geojson])
    }));
    if output.geojsonl.applies(features.len()) {
        tasks.push(Box::new(move || {
            let lines = out.join(format!("{name}.geojsonl"));
            write_geojsonl(&lines, features, extra, precision)?;
            Ok(vec![lines])
        }));
    }
    // The typed formats, from one typed layer.
    if output.geoparquet || output.flatgeobuf || output.geopackage {
        tasks.push(Box::new(move || {
            write_typed(out, output, name, features, extra, precision)
        }));
    }
    // The web layer's place in the list.
    let web_at = tasks.len();
    // The districts only: a portal, or a `mean()` over the table, takes every row for one.
    tasks.push(Box::new(move || {
        let csv = out.join(format!("{name}.csv"));
        write_csv(&csv, &level.result.rows, extra)?;
        Ok(vec![csv])
    }));
    // The `unassigned` and `suppressed` lines (METHOD.md §6, §8), with which the districts'
    // columns add up to the area's totals, in a table of their own (always written, empty
    // when there is neither, so a portal finds the same files for every layer).
    tasks.push(Box::new(move || {
        let summary_lines: Vec<DistrictGaps> = level
            .unassigned
            .iter()
            .chain(&level.withheld.line)
            .cloned()
            .collect();
        let summary = out.join(format!("{name}.summary.csv"));
        write_csv(&summary, &summary_lines, extra)?;
        Ok(vec![summary])
    }));
    // Speeds per quarter (METHOD.md §10), where the tiles' quarters are known; mobile ones
    // when mobile tiles were read beside the fixed ones.
    let quarter_tables = [
        ("quarters", &level.quarters, &gapmap_export::QUARTER_FIELDS),
        (
            "mobile_quarters",
            &level.mobile_quarters,
            &gapmap_export::MOBILE_QUARTER_FIELDS,
        ),
    ];
    for (suffix, table, columns) in quarter_tables {
        if let Some(quarters) = table {
            tasks.push(Box::new(move || {
                let path = out.join(format!("{name}.{suffix}.csv"));
                gapmap_export::write_quarters_csv(&path, &level.result.rows, quarters, columns)?;
                Ok(vec![path])
            }));
        }
    }
    let (files, web) = rayon::join(
        || {
            tasks
                .into_par_iter()
                .map(|task| task())
                .collect::<Result<Vec<_>>>()
        },
        || write_web(out, settings, name, features, extra),
    );
    let (mut files, web) = (files?, web?);
    let web = web.map(|(simple, path)| {
        files.insert(web_at, vec![path]);
        simple
    });
    Ok((files.into_iter().flatten().collect(), web))
}

/// The layer with a fixed schema — every field typed as its Table Schema says (GeoJSON readers
/// guess types from the values) — typed once for GeoParquet, FlatGeobuf (in parallel) and
/// GeoPackage.
fn write_typed(
    out: &Path,
    output: &crate::settings::OutputSettings,
    name: &str,
    features: &Features<'_>,
    extra: &[ExtraField],
    precision: u32,
) -> Result<Vec<PathBuf>> {
    let typed = TypedLayer::new(name, features, extra, precision)?;
    let typed = &typed;
    let (parquet, fgb) = rayon::join(
        || -> Result<Option<PathBuf>> {
            if !output.geoparquet {
                return Ok(None);
            }
            let path = out.join(format!("{name}.parquet"));
            write_geoparquet(&path, typed)?;
            Ok(Some(path))
        },
        || -> Result<Option<PathBuf>> {
            if !output.flatgeobuf {
                return Ok(None);
            }
            let path = out.join(format!("{name}.fgb"));
            write_flatgeobuf(&path, name, typed)?;
            Ok(Some(path))
        },
    );
    #[allow(unused_mut)]
    let mut written: Vec<PathBuf> = [parquet?, fgb?].into_iter().flatten().collect();
    #[cfg(feature = "gdal")]
    if output.geopackage {
        let path = out.join(format!("{name}.gpkg"));
        gapmap_export::write_geopackage(&path, name, typed)?;
        written.push(path);
    }
    Ok(written)
}

/// The web layer, simplified once per shared border so that neighbours still meet; `None`
/// when web simplification is off.
fn write_web(
    out: &Path,
    settings: &Settings,
    name: &str,
    features: &Features<'_>,
    extra: &[ExtraField],
) -> Result<Option<(WebGeometry, PathBuf)>> {
    if settings.output.web_simplify_m <= 0.0 {
        return Ok(None);
    }
    let geometries: Vec<_> = features.iter().map(|(_, g)| *g).collect();
    let simple = simplify_layer(&geometries, settings.output.web_simplify_m);
    let path = out.join(format!("{name}.web.geojson"));
    let pairs: Vec<_> = features.iter().map(|(r, _)| *r).zip(&simple).collect();
    // Six decimals (about 0.1 m): at five, rounding put a vertex of two simplified ANCs
    // exactly on another of their segments, which GEOS calls a self-intersection.
    let precision = settings.output.coordinate_precision.min(6);
    write_geojson(&path, &pairs, extra, precision)?;
    Ok(Some((simple, path)))
}
