//! `gapmap run`: inputs → figures per district → GeoJSON, CSV, charts, metadata.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gapmap_core::{AcsTables, BlockHousing, GeoId, Level, LocationTable, SpeedTiles};
use gapmap_export::InputFile;
use gapmap_gaps::{District, Inputs, LevelResult, Method, compute_census_level};
use gapmap_ingest::{
    BdcStats, BoundaryLayer, read_acs, read_bdc, read_block_housing, read_boundaries,
    read_ookla_block_tiles,
};

use crate::outputs;
use crate::settings::{Settings, expand};

/// Everything read from the inputs.
pub struct Loaded {
    pub locations: Option<(LocationTable, BdcStats)>,
    pub acs: Option<AcsTables>,
    pub acs_level: Option<Level>,
    pub blocks: Option<BTreeMap<GeoId, BlockHousing>>,
    pub speeds: Option<SpeedTiles>,
    pub files: Vec<InputFile>,
    pub warnings: Vec<String>,
}

/// One computed level with its geometry.
pub struct ComputedLevel {
    pub result: LevelResult,
    pub layer: BoundaryLayer,
    /// Geometry of each row, in row order.
    pub geometry_index: Vec<usize>,
    pub boundaries: PathBuf,
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
        for path in &paths {
            describe(&mut loaded.files, base, "bdc", path)?;
        }
        loaded.locations = Some((table, stats));
    }
    if let Some(acs_settings) = &settings.acs {
        let mut tables = AcsTables::default();
        let mut level: Option<Level> = None;
        for path in expand(base, &acs_settings.tables, &["csv"])? {
            let file = read_acs(&path)?;
            match level {
                Some(l) if l != file.level => bail!(
                    "{} holds {}s but the other ACS tables hold {l}s: give tables of one level",
                    path.display(),
                    file.level
                ),
                _ => level = Some(file.level),
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
        loaded.acs_level = level;
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
        let path = base.join(&ookla.block_tiles);
        let tiles = read_ookla_block_tiles(&path)?;
        eprintln!(
            "  Ookla: {} tiles over {} block rows",
            tiles.tiles.len(),
            tiles.tile_blocks.len()
        );
        describe(&mut loaded.files, base, "ookla", &path)?;
        loaded.speeds = Some(tiles);
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

fn districts_of(
    layer: &BoundaryLayer,
    level: Level,
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
                .filter(|g| g.level() == level)
                .with_context(|| {
                    format!(
                        "{}, feature {index}: `{id_field}` = `{}` is not a {level} GEOID ({} digits); is `id_field` right for this layer?",
                        path.display(),
                        feature.id,
                        level.geoid_len()
                    )
                })?;
            Ok(District {
                geoid,
                name: feature.name.clone(),
            })
        })
        .collect()
}

/// Reads `config`, computes every level and writes the outputs into `out`.
pub fn run(config: &Path, out: &Path) -> Result<()> {
    let started = Instant::now();
    let (settings, base) = Settings::load(config)?;
    eprintln!("reading inputs of {}", settings.area.name);
    let mut loaded = load(&settings, &base)?;
    let method = Method {
        thresholds: settings.thresholds.clone(),
        need_weights: settings.need_weights.clone(),
    };

    let mut levels = Vec::new();
    for level_settings in &settings.levels {
        let path = base.join(&level_settings.boundaries);
        let layer = read_boundaries(
            &path,
            &level_settings.id_field,
            level_settings.name_field.as_deref(),
        )?;
        describe(
            &mut loaded.files,
            &base,
            &format!("boundaries:{}", level_settings.level),
            &path,
        )?;
        let districts = districts_of(
            &layer,
            level_settings.level,
            &path,
            &level_settings.id_field,
        )?;
        if let Some(acs_level) = loaded.acs_level
            && acs_level.geoid_len() < level_settings.level.geoid_len()
        {
            loaded.warnings.push(format!(
                "ACS tables are at {acs_level} level, coarser than {}: ACS fields of that level stay empty (apportionment comes with custom districts)",
                level_settings.level
            ));
        }
        let inputs = Inputs {
            locations: loaded.locations.as_ref().map(|(t, _)| t),
            acs: loaded.acs.as_ref(),
            speeds: loaded.speeds.as_ref(),
        };
        let result = compute_census_level(level_settings.level, &districts, inputs, &method);
        if result.coverage.locations_outside > 0 {
            loaded.warnings.push(format!(
                "{} of {} residential locations lie in no {} of {}: they are in no row of that layer",
                result.coverage.locations_outside,
                result.coverage.locations_total,
                level_settings.level,
                shown(&base, &path)
            ));
        }
        if result.coverage.acs_units_outside > 0 {
            loaded.warnings.push(format!(
                "{} of {} ACS units lie in no {} of {}",
                result.coverage.acs_units_outside,
                result.coverage.acs_units_total,
                level_settings.level,
                shown(&base, &path)
            ));
        }
        let mut position: HashMap<String, usize> = HashMap::new();
        for (index, district) in districts.iter().enumerate() {
            if position.insert(district.geoid.to_string(), index).is_some() {
                bail!(
                    "{}: GEOID {} is used by more than one feature; ids must be unique",
                    path.display(),
                    district.geoid
                );
            }
        }
        let geometry_index = result.rows.iter().map(|row| position[&row.geoid]).collect();
        eprintln!(
            "  {}: {} districts",
            level_settings.level,
            result.rows.len()
        );
        levels.push(ComputedLevel {
            result,
            geometry_index,
            layer,
            boundaries: path,
        });
    }

    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    let written = outputs::write_all(out, &settings, &base, &loaded, &levels)?;
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
