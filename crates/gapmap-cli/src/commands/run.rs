//! `gapmap run`: inputs → figures per district → GeoJSON, CSV, charts, metadata.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gapmap_core::{AcsTables, BlockHousing, GeoId, Level, LocationTable, SpeedTiles};
use gapmap_export::InputFile;
use gapmap_gaps::affordability::{AffordabilityInputs, PriceSource};
use gapmap_gaps::apportion::{
    apportion, areal_weights, assign_points, block_weights, exact_locations, merge_tabulated,
};
use gapmap_gaps::speeds::assign_by_centroid;
use gapmap_gaps::{
    District, Inputs, LevelResult, Method, compute_census_level, compute_tabulated_layer,
};
use gapmap_ingest::{
    BdcStats, BoundaryLayer, PlanColumns, read_acs, read_area_prices, read_bdc, read_block_housing,
    read_block_points, read_boundaries, read_ookla_block_tiles, read_ookla_tiles, read_plans,
};

use crate::outputs;
use crate::settings::{BracketSettings, LayerSettings, Settings, expand};

/// Everything read from the inputs.
pub struct Loaded {
    pub locations: Option<(LocationTable, BdcStats)>,
    pub acs: Option<AcsTables>,
    pub acs_level: Option<Level>,
    pub blocks: Option<BTreeMap<GeoId, BlockHousing>>,
    pub speeds: Option<SpeedTiles>,
    /// Raw tiles' footprints (same order as `speeds.tiles`), to assign them by centroid.
    pub tile_footprints: Option<Vec<geo::Polygon<f64>>>,
    pub affordability: Option<AffordabilityInputs>,
    /// Per level: how many districts found a table price, and how many of them a median too.
    pub price_matches: Vec<PriceMatch>,
    pub files: Vec<InputFile>,
    pub warnings: Vec<String>,
}

/// How a census level met the price table (issue #4's real-data report).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PriceMatch {
    pub level: String,
    pub districts: usize,
    pub with_table_price: usize,
    pub without_table_price: usize,
    pub with_cost_to_income: usize,
}

/// One computed level with its geometry.
pub struct ComputedLevel {
    pub result: LevelResult,
    pub layer: BoundaryLayer,
    /// Geometry of each row, in row order.
    pub geometry_index: Vec<usize>,
    pub boundaries: PathBuf,
    /// How its units are called: (in titles, singular, plural).
    pub names: (String, String, String),
    /// For a layer tabulated by its own ids: what its tables are.
    pub tabulated_by: Option<String>,
    /// Share unaffordable of each row at each chart share.
    pub by_share: Vec<(f64, Vec<Option<f64>>)>,
    /// The census level a layer was apportioned from.
    pub apportioned_from: Option<Level>,
    /// What of the source units fell in no district of an apportioned layer.
    pub unassigned: Option<gapmap_gaps::DistrictGaps>,
    /// What METHOD.md §8 withheld, and the line that sums it.
    pub withheld: Option<gapmap_gaps::suppress::Withheld>,
}

fn shown(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn describe(files: &mut Vec<InputFile>, base: &Path, role: &str, path: &Path) -> Result<()> {
    files.push(InputFile::describe(role, path, &shown(base, path))?);
    Ok(())
}

fn load(settings: &Settings, base: &Path) -> Result<Loaded> {
    let mut loaded = Loaded {
        locations: None,
        acs: None,
        acs_level: None,
        blocks: None,
        speeds: None,
        tile_footprints: None,
        affordability: None,
        price_matches: Vec::new(),
        files: Vec::new(),
        warnings: Vec::new(),
    };
    if let Some(bdc) = &settings.bdc {
        let started = Instant::now();
        let paths = expand(base, &bdc.files, &["zip", "csv"])?;
        let (table, stats) = read_bdc(&paths, &settings.thresholds)?;
        eprintln!(
            "  BDC: {} files, {} rows ({} business-only excluded), {} residential locations in {:.2} s",
            paths.len(),
            stats.rows,
            stats.business_rows,
            stats.locations,
            started.elapsed().as_secs_f64()
        );
        for empty in &stats.empty_members {
            loaded.warnings.push(format!(
                "{empty} has a header but no rows: was the download cut short? (its technology adds no location)"
            ));
        }
        for path in &paths {
            describe(&mut loaded.files, base, "bdc", path)?;
        }
        loaded.locations = Some((table, stats));
    }
    if let Some(acs_settings) = &settings.acs {
        let mut tables = AcsTables::default();
        let mut level: Option<(Level, String, PathBuf)> = None;
        let mut geography: Option<(u16, PathBuf)> = None;
        for path in expand(base, &acs_settings.tables, &["csv"])? {
            let file = read_acs(&path)?;
            let example = file
                .variables
                .values()
                .find_map(|units| units.keys().next())
                .map(ToString::to_string)
                .unwrap_or_default();
            match &level {
                Some((l, other, first)) if *l != file.level => {
                    let short = if example.len() + 1 == other.len() {
                        Some((&path, &example))
                    } else if other.len() + 1 == example.len() {
                        Some((first, other))
                    } else {
                        None
                    };
                    let hint = short.map_or_else(String::new, |(file, geoid)| {
                        format!(
                            " The GEOIDs of {} (like {geoid}) are one digit short: a leading zero was lost when they were stored as numbers; re-export that column as text.",
                            file.display()
                        )
                    });
                    bail!(
                        "{} holds {}s (like {example}) but {} holds {l}s (like {other}): give tables of one level.{hint}",
                        path.display(),
                        file.level,
                        first.display()
                    );
                }
                Some(_) => {}
                None => level = Some((file.level, example, path.clone())),
            }
            if let Some(year) = file.geography {
                match &geography {
                    Some((other, first)) if *other != year => bail!(
                        "{} uses {year} census geography but {} uses {other}: ACS tables of one run must share a geography (mixing 2010 and 2020 GEOIDs joins different areas); take every table from the same ACS vintage",
                        path.display(),
                        first.display()
                    ),
                    Some(_) => {}
                    None => geography = Some((year, path.clone())),
                }
            }
            for (variable, values) in file.variables {
                if tables.has(&variable) {
                    bail!(
                        "ACS variable {variable} is given twice (again in {}): keep one table per variable",
                        path.display()
                    );
                }
                tables.insert(variable, values);
            }
            describe(&mut loaded.files, base, "acs", &path)?;
        }
        for needed in [
            gapmap_gaps::adoption::HOUSEHOLDS,
            gapmap_gaps::adoption::BROADBAND_ANY,
            gapmap_gaps::adoption::NO_INTERNET,
        ] {
            if !tables.has(needed) {
                loaded.warnings.push(format!(
                    "ACS variable {needed} was not given: the fields that need it stay empty"
                ));
            }
        }
        eprintln!("  ACS: variables {}", tables.variables().join(", "));
        loaded.acs = Some(tables);
        loaded.acs_level = level.map(|(l, _, _)| l);
    }
    if let Some(blocks) = &settings.blocks {
        let path = base.join(&blocks.housing_counts);
        let counts = read_block_housing(&path)?;
        eprintln!(
            "  blocks: {} blocks, {} housing units",
            counts.len(),
            counts.values().map(|b| b.housing_units).sum::<u64>()
        );
        describe(&mut loaded.files, base, "blocks", &path)?;
        loaded.blocks = Some(counts);
    }
    if let Some(ookla) = &settings.ookla {
        if let Some(block_tiles) = &ookla.block_tiles {
            let path = base.join(block_tiles);
            let tiles = read_ookla_block_tiles(&path)?;
            eprintln!(
                "  Ookla: {} tiles over {} block rows",
                tiles.tiles.len(),
                tiles.tile_blocks.len()
            );
            describe(&mut loaded.files, base, "ookla", &path)?;
            loaded.speeds = Some(tiles);
        } else {
            let mut speeds = SpeedTiles::default();
            let mut footprints = Vec::new();
            for path in expand(base, &ookla.tiles, &["geojson", "json", "parquet", "csv"])? {
                let raw = read_ookla_tiles(&path)?;
                describe(&mut loaded.files, base, "ookla", &path)?;
                speeds.tiles.extend(raw.tiles);
                footprints.extend(raw.footprints);
            }
            eprintln!("  Ookla: {} raw tiles (tile × period)", speeds.tiles.len());
            loaded.speeds = Some(speeds);
            loaded.tile_footprints = Some(footprints);
        }
    }
    if let Some(affordability) = &settings.affordability {
        let area_prices = match &affordability.area_prices {
            Some(prices) => {
                let path = base.join(&prices.file);
                let table = read_area_prices(&path, &prices.measure)?;
                eprintln!(
                    "  prices: {} areas with a `{}` price ({} NA)",
                    table.prices.len(),
                    prices.measure,
                    table.missing_values
                );
                describe(&mut loaded.files, base, "prices", &path)?;
                Some(table.prices)
            }
            None => None,
        };
        let plans = match &affordability.plans {
            Some(plans) => {
                let path = base.join(&plans.file);
                let columns = PlanColumns {
                    provider: plans.provider.clone(),
                    technology: plans.technology.clone(),
                    download: plans.download.clone(),
                    upload: plans.upload.clone(),
                    price: plans.price.clone(),
                    area: plans.area.clone(),
                };
                let read = read_plans(&path, &columns)?;
                eprintln!("  plans: {} offers", read.len());
                describe(&mut loaded.files, base, "plans", &path)?;
                Some(read)
            }
            None => None,
        };
        loaded.affordability = Some(AffordabilityInputs {
            share_of_income: affordability.share_of_income,
            fallback_price: affordability.reference_price,
            area_prices,
            plans,
            brackets: affordability
                .brackets
                .as_ref()
                .map(BracketSettings::spec)
                .transpose()?,
            median_income: affordability.median_income.clone(),
        });
    }
    if let (Some((table, _)), Some(blocks)) = (&loaded.locations, &loaded.blocks) {
        let unknown = table
            .blocks
            .iter()
            .filter(|b| !blocks.contains_key(*b))
            .count();
        if unknown > 0 {
            loaded.warnings.push(format!(
                "{unknown} of the {} blocks named in the BDC files are not 2020 census blocks of the block-count file: check that both use 2020 geography",
                table.blocks.len()
            ));
        }
    }
    Ok(loaded)
}

/// The layer's districts; their ids must be GEOIDs of `level` (any GEOID-like code when
/// `None`, for layers tabulated by their own codes).
fn districts_of(
    layer: &BoundaryLayer,
    level: Option<Level>,
    path: &Path,
    id_field: &str,
) -> Result<Vec<District>> {
    layer
        .features
        .iter()
        .enumerate()
        .map(|(index, feature)| {
            let geoid = GeoId::parse(&feature.id)
                .ok()
                .filter(|g| level.is_none_or(|l| g.level() == l))
                .with_context(|| match level {
                    Some(level) => format!(
                        "{}, feature {index}: `{id_field}` = `{}` is not a {level} GEOID ({} digits); is `id_field` right for this layer?{}",
                        path.display(),
                        feature.id,
                        level.geoid_len(),
                        if feature.id.len() + 1 == level.geoid_len() && feature.id.bytes().all(|b| b.is_ascii_digit()) {
                            " It is one digit short: a leading zero was lost when the ids were stored as numbers; store them as text."
                        } else {
                            ""
                        }
                    ),
                    None => format!(
                        "{}, feature {index}: `{id_field}` = `{}` is not a GEOID-like code (2, 5, 11, 12 or 15 digits) that the layer's tables can be joined on",
                        path.display(),
                        feature.id
                    ),
                })?;
            Ok(District {
                geoid,
                name: feature.name.clone(),
            })
        })
        .collect()
}

/// What the command line changes in a configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--affordability-share`.
    pub affordability_share: Option<f64>,
    /// `--base`: resolve the configuration's relative paths from here.
    pub base: Option<PathBuf>,
}

/// Reads `config`, computes every level and writes the outputs into `out`.
pub fn run(config: &Path, out: &Path, overrides: &Overrides) -> Result<()> {
    let started = Instant::now();
    let (mut settings, base) = match &overrides.base {
        Some(base) => {
            let text = std::fs::read_to_string(config)
                .with_context(|| format!("cannot read the configuration {}", config.display()))?;
            (Settings::parse(&text, base, config)?, base.clone())
        }
        None => Settings::load(config)?,
    };
    crate::publish::check_out(out)?;
    if let Some(share) = overrides.affordability_share {
        crate::settings::check_share(share).context("in --affordability-share")?;
        match &mut settings.affordability {
            Some(affordability) => affordability.share_of_income = share,
            None => bail!(
                "--affordability-share was given but {} has no [affordability] section",
                config.display()
            ),
        }
    }
    eprintln!("reading inputs of {}", settings.area.name);
    let mut loaded = load(&settings, &base)?;
    let method = Method {
        thresholds: settings.thresholds.clone(),
        need_weights: settings.need_weights.clone(),
    };

    let mut levels = Vec::new();
    for level_settings in &settings.levels {
        let level = level_settings.level;
        let path = base.join(&level_settings.boundaries);
        let layer = read_boundaries(
            &path,
            level_settings.layer.as_deref(),
            &level_settings.id_field,
            level_settings.name_field.as_deref(),
        )?;
        loaded.warnings.extend(layer.repairs.iter().cloned());
        describe(
            &mut loaded.files,
            &base,
            &format!("boundaries:{level}"),
            &path,
        )?;
        let districts = districts_of(&layer, Some(level), &path, &level_settings.id_field)?;
        if let Some(acs_level) = loaded.acs_level
            && acs_level.geoid_len() < level.geoid_len()
        {
            loaded.warnings.push(format!(
                "ACS tables are at {acs_level} level, coarser than {level}: ACS fields of that level stay empty (apportionment comes with custom districts)"
            ));
        }
        let membership = loaded.tile_footprints.as_ref().map(|footprints| {
            let geometries: Vec<&geo::MultiPolygon<f64>> =
                layer.features.iter().map(|f| &f.geometry).collect();
            let ids: Vec<&str> = districts.iter().map(|d| d.geoid.as_str()).collect();
            let (members, outside) = assign_by_centroid(footprints, &geometries, &ids);
            report_tiles_outside(
                &mut loaded.warnings,
                &outside,
                loaded.speeds.as_ref(),
                level.as_str(),
            );
            members
        });
        let affordability = loaded.affordability.as_ref();
        let inputs = Inputs {
            locations: loaded.locations.as_ref().map(|(t, _)| t),
            acs: loaded.acs.as_ref(),
            speeds: loaded.speeds.as_ref(),
            affordability,
            tile_membership: membership.as_deref(),
        };
        let result = compute_census_level(level, &districts, inputs, &method);
        let by_share = at_chart_shares(&settings, affordability, |a| {
            compute_census_level(
                level,
                &districts,
                Inputs {
                    affordability: Some(a),
                    ..inputs
                },
                &method,
            )
        });
        report_coverage(&mut loaded.warnings, &result, &shown(&base, &path));
        report_prices(&mut loaded, &settings, &result, level.as_str());
        let (title, singular, plural) = level_names(level);
        levels.push(ComputedLevel {
            geometry_index: geometry_index(
                &districts
                    .iter()
                    .map(|d| d.geoid.to_string())
                    .collect::<Vec<_>>(),
                &result,
                &path,
            )?,
            result,
            layer,
            boundaries: path,
            names: (title.into(), singular.into(), plural.into()),
            tabulated_by: None,
            by_share,
            apportioned_from: None,
            unassigned: None,
            withheld: None,
        });
    }

    for layer_settings in &settings.layers {
        let computed = compute_layer(
            layer_settings,
            &settings,
            &base,
            &mut loaded,
            &levels,
            &method,
        )?;
        levels.push(computed);
    }
    // METHOD.md §8, only now: every layer was apportioned from the full figures.
    for level in &mut levels {
        let withheld = gapmap_gaps::suppress::suppress(
            &mut level.result.rows,
            &settings.suppression,
            &settings.need_weights,
        );
        for (_, values) in &mut level.by_share {
            for (value, row) in values.iter_mut().zip(&level.result.rows) {
                if row.suppressed.is_some() {
                    *value = None;
                }
            }
        }
        eprintln!(
            "  {}: {} districts, {} withheld as small (METHOD.md §8) and {} to protect them",
            level.result.name,
            level.result.rows.len(),
            withheld.primary,
            withheld.complementary,
        );
        level.withheld = Some(withheld);
    }

    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    // The whole package is written to a staging folder and swapped in at once (publish.rs).
    let staging = crate::publish::Staging::prepare(out)?;
    let written = outputs::write_all(staging.path(), &settings, &base, &loaded, &levels)?;
    let written: Vec<PathBuf> = written
        .iter()
        .map(|p| out.join(p.strip_prefix(staging.path()).unwrap_or(p)))
        .collect();
    staging.commit()?;
    for path in &written {
        println!("{}", path.display());
    }
    eprintln!(
        "wrote {} files to {} in {:.2} s",
        written.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A layer of the city's own districts: apportioned from a census level (METHOD.md §6), joined
/// to tables tabulated by its own ids, or both.
fn compute_layer(
    layer_settings: &LayerSettings,
    settings: &Settings,
    base: &Path,
    loaded: &mut Loaded,
    levels: &[ComputedLevel],
    method: &Method,
) -> Result<ComputedLevel> {
    let name = layer_settings.name.as_str();
    let path = base.join(&layer_settings.boundaries);
    let layer = read_boundaries(
        &path,
        layer_settings.layer.as_deref(),
        &layer_settings.id_field,
        layer_settings.name_field.as_deref(),
    )?;
    loaded.warnings.extend(layer.repairs.iter().cloned());
    describe(
        &mut loaded.files,
        base,
        &format!("boundaries:{name}"),
        &path,
    )?;
    let ids: Vec<(String, String)> = layer
        .features
        .iter()
        .map(|f| (f.id.clone(), f.name.clone()))
        .collect();

    let mut apportioned = None;
    if let Some(source_level) = layer_settings.apportion_from {
        let source = levels
            .iter()
            .find(|l| l.result.name == source_level.as_str() && l.tabulated_by.is_none())
            .with_context(|| {
                format!("layer {name} is apportioned from `{source_level}`, which is not a [[level]] of this run: add it")
            })?;
        let units: Vec<&geo::MultiPolygon<f64>> = source
            .geometry_index
            .iter()
            .map(|&i| &source.layer.features[i].geometry)
            .collect();
        let districts: Vec<&geo::MultiPolygon<f64>> =
            layer.features.iter().map(|f| &f.geometry).collect();
        let id_refs: Vec<&str> = ids.iter().map(|(id, _)| id.as_str()).collect();
        let block_points = settings.blocks.as_ref().and_then(|b| b.points.as_ref());
        let (weights, district_of_block) = match block_points {
            None => (areal_weights(&units, &districts), None),
            Some(points) => {
                let (weights, by_block) =
                    block_point_weights(points, base, loaded, source, &districts, &id_refs, name)?;
                (weights, Some(by_block))
            }
        };
        let mut result = apportion(
            name,
            &ids,
            &source.result.rows,
            &weights,
            &method.need_weights,
        );
        if let (Some(by_block), Some((table, _))) = (&district_of_block, &loaded.locations) {
            let of_table: Vec<Option<usize>> = table
                .blocks
                .iter()
                .map(|b| by_block.get(b).copied())
                .collect();
            exact_locations(&mut result, table, &of_table, &method.need_weights);
        }
        // Raw tiles go to the district holding their centroid, as for census levels (§5).
        if let (Some(footprints), Some(speeds)) = (&loaded.tile_footprints, &loaded.speeds) {
            let id_refs: Vec<&str> = ids.iter().map(|(id, _)| id.as_str()).collect();
            let (members, outside) = assign_by_centroid(footprints, &districts, &id_refs);
            for (row, tiles) in result.rows.iter_mut().zip(&members) {
                gapmap_gaps::speeds::fill(row, speeds, tiles, &method.thresholds);
                row.update_need(&method.need_weights);
            }
            report_tiles_outside(&mut loaded.warnings, &outside, Some(speeds), name);
        }
        let outside = result.unassigned.locations.unwrap_or(0.0);
        if outside > 0.005 {
            loaded.warnings.push(format!(
                "{outside:.1} residential locations (apportioned by area) and {:.1} households of the {source_level}s fall in no {name} district: see the `unassigned` row of {name}.csv",
                result.unassigned.households.map_or(0.0, |e| e.value)
            ));
        }
        apportioned = Some(result);
    }

    let mut by_share = Vec::new();
    let mut tabulated_by = None;
    let rows = if layer_settings.tables.is_empty() {
        apportioned
            .as_ref()
            .map(|a| a.rows.clone())
            .with_context(|| {
                format!("layer {name} has neither `apportion_from` nor `tables`: give one of them")
            })?
    } else {
        let districts = districts_of(&layer, None, &path, &layer_settings.id_field)?;
        let mut tables = AcsTables::default();
        for table in expand(base, &layer_settings.tables, &["csv"])? {
            for (variable, values) in read_acs(&table)?.variables {
                tables.insert(variable, values);
            }
            describe(&mut loaded.files, base, &format!("tables:{name}"), &table)?;
        }
        let affordability = settings
            .affordability
            .as_ref()
            .map(|a| -> Result<AffordabilityInputs> {
                Ok(AffordabilityInputs {
                    share_of_income: a.share_of_income,
                    // Price tables are keyed by census GEOIDs, never by a layer's own codes (a
                    // ward code 11001 is textually the DC county FIPS): only the layer's price.
                    fallback_price: layer_settings.reference_price,
                    area_prices: None,
                    plans: None,
                    brackets: layer_settings
                        .brackets
                        .as_ref()
                        .map(BracketSettings::spec)
                        .transpose()?,
                    median_income: layer_settings.median_income.clone(),
                })
            })
            .transpose()?;
        let inputs = Inputs {
            acs: Some(&tables),
            affordability: affordability.as_ref(),
            ..Inputs::default()
        };
        let result = compute_tabulated_layer(name, &districts, inputs, method);
        by_share = at_chart_shares(settings, affordability.as_ref(), |a| {
            compute_tabulated_layer(
                name,
                &districts,
                Inputs {
                    affordability: Some(a),
                    ..inputs
                },
                method,
            )
        });
        let in_tables = tables.all_units();
        let unmatched = districts
            .iter()
            .filter(|d| !in_tables.contains(&d.geoid))
            .count();
        if unmatched > 0 {
            loaded.warnings.push(format!(
                "{unmatched} of {} {name} districts found no row in the layer's tables (joined on {})",
                result.rows.len(),
                layer_settings.id_field
            ));
        }
        let source = layer_settings
            .tables_source
            .clone()
            .unwrap_or_else(|| "the layer's tables".into());
        tabulated_by = Some(match &layer_settings.reference_price_source {
            Some(price) => format!("{source}; reference price: {price}"),
            None => source,
        });
        match &apportioned {
            Some(a) => {
                let mut rows = a.rows.clone();
                merge_tabulated(&mut rows, &result.rows, &method.need_weights);
                rows
            }
            None => result.rows,
        }
    };
    let mut rows = rows;
    rows.sort_by(|a, b| a.geoid.cmp(&b.geoid));
    // by_share values follow the tabulated rows, which are sorted by id too.
    let result = LevelResult {
        name: name.to_owned(),
        rows,
        coverage: gapmap_gaps::Coverage::default(),
    };
    let feature_ids: Vec<String> = layer.features.iter().map(|f| f.id.clone()).collect();
    Ok(ComputedLevel {
        geometry_index: geometry_index(&feature_ids, &result, &path)?,
        result,
        layer,
        boundaries: path,
        names: match &layer_settings.unit_names {
            Some((one, many)) => (one.clone(), one.clone(), many.clone()),
            None => (
                name.replace('_', " "),
                name.replace('_', " "),
                format!("{}s", name.replace('_', " ")),
            ),
        },
        tabulated_by,
        by_share,
        apportioned_from: layer_settings.apportion_from,
        unassigned: apportioned.map(|a| a.unassigned),
        withheld: None,
    })
}

/// How a census level's units are called: (in titles, singular, plural).
fn level_names(level: Level) -> (&'static str, &'static str, &'static str) {
    match level {
        Level::Tract => ("census tract", "tract", "tracts"),
        Level::BlockGroup => ("block group", "block group", "block groups"),
        Level::County => ("county", "county", "counties"),
        Level::State => ("state", "state", "states"),
        Level::Block => ("block", "block", "blocks"),
    }
}

/// The share unaffordable of every district at each of the configured chart shares.
fn at_chart_shares(
    settings: &Settings,
    affordability: Option<&AffordabilityInputs>,
    compute: impl Fn(&AffordabilityInputs) -> LevelResult,
) -> Vec<(f64, Vec<Option<f64>>)> {
    let (Some(configured), Some(inputs)) = (&settings.affordability, affordability) else {
        return Vec::new();
    };
    if inputs.brackets.is_none() {
        return Vec::new();
    }
    configured
        .chart_shares
        .iter()
        .map(|&share| {
            let at_share = AffordabilityInputs {
                share_of_income: share,
                ..inputs.clone()
            };
            let result = compute(&at_share);
            (
                share,
                result
                    .rows
                    .iter()
                    .map(|r| r.share_unaffordable.map(|e| e.value))
                    .collect(),
            )
        })
        .collect()
}

/// METHOD.md §6 with block points: each block goes to the district holding its internal point;
/// a block group's counts are split by its blocks' 2020 housing units. Returns the weights of
/// the source units and the district of every block.
fn block_point_weights(
    points: &crate::settings::BlockPointSettings,
    base: &Path,
    loaded: &mut Loaded,
    source: &ComputedLevel,
    districts: &[&geo::MultiPolygon<f64>],
    ids: &[&str],
    name: &str,
) -> Result<(gapmap_gaps::apportion::Weights, HashMap<GeoId, usize>)> {
    let path = base.join(&points.file);
    let read = read_block_points(&path, &points.id, &points.latitude, &points.longitude)?;
    if !loaded.files.iter().any(|f| f.role == "block_points") {
        describe(&mut loaded.files, base, "block_points", &path)?;
    }
    let housing = loaded.blocks.as_ref().with_context(|| {
        format!(
            "{}: block points weigh block groups by housing units: add [blocks] housing_counts",
            path.display()
        )
    })?;
    let locations: Vec<Option<geo::Point<f64>>> = read.iter().map(|(_, p)| Some(*p)).collect();
    let owners = assign_points(&locations, districts, ids);
    let by_block: HashMap<GeoId, usize> = read
        .iter()
        .zip(owners)
        .filter_map(|((block, _), owner)| owner.map(|d| (block.clone(), d)))
        .collect();
    let unit_of: HashMap<&str, usize> = source
        .result
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.geoid.as_str(), i))
        .collect();
    let known: std::collections::HashSet<&GeoId> = read.iter().map(|(b, _)| b).collect();
    let missing = housing.keys().filter(|b| !known.contains(b)).count();
    if missing > 0 {
        loaded.warnings.push(format!(
            "{missing} blocks of the housing counts have no internal point in {}: their share goes to the `unassigned` line of {name}",
            path.display()
        ));
    }
    let blocks: Vec<(usize, Option<usize>, f64)> = housing
        .iter()
        .filter_map(|(block, counts)| {
            let unit = *unit_of.get(
                block
                    .as_str()
                    .get(..source.result.rows.first()?.geoid.len())?,
            )?;
            Some((
                unit,
                by_block.get(block).copied(),
                counts.housing_units as f64,
            ))
        })
        .collect();
    Ok((block_weights(source.result.rows.len(), &blocks), by_block))
}

fn report_tiles_outside(
    warnings: &mut Vec<String>,
    outside: &[u32],
    speeds: Option<&SpeedTiles>,
    layer: &str,
) {
    if outside.is_empty() {
        return;
    }
    let tests: u64 = speeds.map_or(0, |s| {
        outside.iter().map(|&t| s.tiles[t as usize].tests).sum()
    });
    warnings.push(format!(
        "{} Ookla tiles ({tests} tests) have their centroid in no {layer} district (sea, or beyond the layer)",
        outside.len()
    ));
}

fn report_coverage(warnings: &mut Vec<String>, result: &LevelResult, boundaries: &str) {
    let coverage = result.coverage;
    if coverage.locations_outside > 0 {
        warnings.push(format!(
            "{} of {} residential locations lie in no {} of {boundaries}: they are in no row of that layer",
            coverage.locations_outside, coverage.locations_total, result.name
        ));
    }
    if coverage.acs_units_outside > 0 {
        warnings.push(format!(
            "{} of {} ACS units lie in no {} of {boundaries}",
            coverage.acs_units_outside, coverage.acs_units_total, result.name
        ));
    }
}

/// METHOD.md §4 and issue #4: say how many districts found a price, and warn when the price
/// table's geography is not the districts'.
fn report_prices(loaded: &mut Loaded, settings: &Settings, result: &LevelResult, level: &str) {
    let Some(affordability) = &settings.affordability else {
        return;
    };
    let total = result.rows.len();
    let priced = result
        .rows
        .iter()
        .filter(|r| {
            matches!(
                r.reference_price_source,
                Some(PriceSource::AreaTable | PriceSource::Plans)
            )
        })
        .count();
    let with_cost_to_income = result
        .rows
        .iter()
        .filter(|r| r.cost_to_income.is_some())
        .count();
    if let Some(prices) = &affordability.area_prices {
        eprintln!(
            "  prices: {priced} of {total} {level} districts found a `{}` price in the area table; {with_cost_to_income} have a cost_to_income",
            prices.measure
        );
        if prices.geography != 2020 {
            loaded.warnings.push(format!(
                "the area price table uses {} census geography; it was joined to the 2020 {level} districts by GEOID, and a GEOID present in both need not cover the same area: {priced} of {total} districts found a price, {} did not",
                prices.geography,
                total - priced
            ));
        }
    }
    loaded.price_matches.push(PriceMatch {
        level: level.to_owned(),
        districts: total,
        with_table_price: priced,
        without_table_price: total - priced,
        with_cost_to_income,
    });
}

fn geometry_index(ids: &[String], result: &LevelResult, path: &Path) -> Result<Vec<usize>> {
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (index, id) in ids.iter().enumerate() {
        if position.insert(id.as_str(), index).is_some() {
            bail!(
                "{}: id {id} is used by more than one feature; ids must be unique",
                path.display()
            );
        }
    }
    result
        .rows
        .iter()
        .map(|row| {
            position
                .get(row.geoid.as_str())
                .copied()
                .with_context(|| format!("{}: no feature has the id {}", path.display(), row.geoid))
        })
        .collect()
}
