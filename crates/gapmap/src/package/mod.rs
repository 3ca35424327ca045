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
use gapmap_gaps::DistrictGaps;
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

/// A layer's GeoJSON, newline-delimited GeoJSON, GeoParquet, FlatGeobuf, web GeoJSON and CSV; returns the files and
/// the simplified geometries (for the viewer).
fn write_layer(
    out: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
) -> Result<(Vec<PathBuf>, Option<WebGeometry>)> {
    let mut written = Vec::new();
    let name = level.result.name.as_str();
    let features: Vec<_> = level
        .result
        .rows
        .iter()
        .zip(&level.geometry_index)
        .map(|(row, &i)| (row, &level.layer.features[i].geometry))
        .collect();
    let precision = settings.output.coordinate_precision;
    let geojson = out.join(format!("{name}.geojson"));
    write_geojson(&geojson, &features, &level.extra_fields, precision)?;
    written.push(geojson);
    if settings.output.geojsonl.applies(features.len()) {
        let lines = out.join(format!("{name}.geojsonl"));
        write_geojsonl(&lines, &features, &level.extra_fields, precision)?;
        written.push(lines);
    }
    // The same layer with a fixed schema: every field typed as its Table Schema says, in every
    // layer (GeoJSON readers guess types from the values).
    // Typed once for every format that wants it.
    let output = &settings.output;
    if output.geoparquet || output.flatgeobuf || output.geopackage {
        let typed = TypedLayer::new(name, &features, &level.extra_fields, precision)?;
        if output.geoparquet {
            let path = out.join(format!("{name}.parquet"));
            write_geoparquet(&path, &typed)?;
            written.push(path);
        }
        if output.flatgeobuf {
            let path = out.join(format!("{name}.fgb"));
            write_flatgeobuf(&path, name, &typed)?;
            written.push(path);
        }
        #[cfg(feature = "gdal")]
        if output.geopackage {
            let path = out.join(format!("{name}.gpkg"));
            gapmap_export::write_geopackage(&path, name, &typed)?;
            written.push(path);
        }
    }
    // The web layer: simplified once per shared border, so neighbours still meet.
    let web = (settings.output.web_simplify_m > 0.0).then(|| {
        let geometries: Vec<_> = features.iter().map(|(_, g)| *g).collect();
        simplify_layer(&geometries, settings.output.web_simplify_m)
    });
    if let Some(simple) = &web {
        let path = out.join(format!("{name}.web.geojson"));
        let pairs: Vec<_> = features.iter().map(|(r, _)| *r).zip(simple).collect();
        // Six decimals (about 0.1 m): at five, rounding put a vertex of two simplified ANCs
        // exactly on another of their segments, which GEOS calls a self-intersection.
        write_geojson(&path, &pairs, &level.extra_fields, precision.min(6))?;
        written.push(path);
    }
    // The districts only: a portal, or a `mean()` over the table, takes every row for one.
    let csv = out.join(format!("{name}.csv"));
    write_csv(&csv, &level.result.rows, &level.extra_fields)?;
    written.push(csv);
    // The `unassigned` and `suppressed` lines (METHOD.md §6, §8), with which the districts'
    // columns add up to the area's totals, in a table of their own (always written, empty
    // when there is neither, so a portal finds the same files for every layer).
    let summary_lines: Vec<DistrictGaps> = level
        .unassigned
        .iter()
        .chain(&level.withheld.line)
        .cloned()
        .collect();
    let summary = out.join(format!("{name}.summary.csv"));
    write_csv(&summary, &summary_lines, &level.extra_fields)?;
    written.push(summary);
    // Speeds per quarter (METHOD.md §10), where the tiles' quarters are known.
    if let Some(quarters) = &level.quarters {
        let path = out.join(format!("{name}.quarters.csv"));
        gapmap_export::write_quarters_csv(
            &path,
            &level.result.rows,
            quarters,
            &gapmap_export::QUARTER_FIELDS,
        )?;
        written.push(path);
    }
    // Mobile speeds per quarter, when mobile tiles were read beside the fixed ones.
    if let Some(quarters) = &level.mobile_quarters {
        let path = out.join(format!("{name}.mobile_quarters.csv"));
        gapmap_export::write_quarters_csv(
            &path,
            &level.result.rows,
            quarters,
            &gapmap_export::MOBILE_QUARTER_FIELDS,
        )?;
        written.push(path);
    }
    Ok((written, web))
}
