//! Reading every input a configuration names, in the order the provenance lists them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gapmap_core::{AcsTables, Availability, BlockHousing, GeoId, Level, LocationTable, SpeedTiles};
use gapmap_export::InputFile;
use gapmap_gaps::affordability::AffordabilityInputs;
use gapmap_ingest::{
    BdcProgress, BdcSnapshot, BdcStats, BlockTiles, BoundaryLayer, SnapshotInput, read_acs,
    read_area_prices, read_availability, read_block_housing, read_block_points, read_boundaries,
    read_plans,
};

use crate::config::Config;
use crate::settings::{AffordabilitySettings, BracketSettings, OoklaKind, expand};
use rayon::prelude::*;

/// A district layer as read: its boundaries and, for a city layer, its own tables.
#[derive(Debug, Clone)]
pub struct LoadedLayer {
    /// The (first) boundary file.
    pub path: PathBuf,
    /// The boundary files as the run shows them (relative to the configuration, joined by
    /// ` + `).
    pub shown: String,
    /// Its districts.
    pub boundaries: BoundaryLayer,
    /// The tables keyed by its ids (`[[layer]] tables`).
    pub tables: Option<AcsTables>,
    /// Its attribute tables (`[[layer]] attributes`).
    pub attributes: Option<gapmap_gaps::run::Attributes>,
}

/// Block internal points (METHOD.md §6) and the table they came from.
#[derive(Debug, Clone)]
pub struct BlockPoints {
    /// The table.
    pub path: PathBuf,
    /// Each block's GEOID and internal point.
    pub points: Vec<(GeoId, geo::Point<f64>)>,
}

/// Everything read from a configuration's inputs.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// BDC residential locations classified with the configuration's thresholds, and what
    /// the reader saw.
    pub locations: Option<(LocationTable, BdcStats)>,
    /// The same locations before thresholds: [`Availability::classify`] gives the tiers of
    /// another threshold set without reading the files again.
    pub availability: Option<Availability>,
    /// ACS tables.
    pub acs: Option<AcsTables>,
    /// The level of the ACS tables' units.
    pub acs_level: Option<Level>,
    /// 2020 block housing counts.
    pub blocks: Option<BTreeMap<GeoId, BlockHousing>>,
    /// Block internal points, when a layer is apportioned through them.
    pub block_points: Option<BlockPoints>,
    /// Ookla tiles.
    pub speeds: Option<SpeedTiles>,
    /// Raw tiles' footprints (same order as `speeds.tiles`), to assign them by centroid.
    pub tile_footprints: Option<Vec<geo::Polygon<f64>>>,
    /// Ookla's mobile tiles read beside the fixed ones, with their footprints (METHOD.md §10).
    pub mobile_speeds: Option<(SpeedTiles, Vec<geo::Polygon<f64>>)>,
    /// Prices, brackets and the share of income.
    pub affordability: Option<AffordabilityInputs>,
    /// One per `[[level]]`, in order.
    pub levels: Vec<LoadedLayer>,
    /// One per `[[layer]]`, in order.
    pub layers: Vec<LoadedLayer>,
    /// Every file read, with its SHA-256, in reading order.
    pub files: Vec<InputFile>,
    /// What the reading found worth saying.
    pub warnings: Vec<String>,
}

impl Inputs {
    /// Records a file read, with its SHA-256; two files of one role with the same bytes (a
    /// download saved twice under two names) are refused: their rows would count twice.
    fn describe(&mut self, config: &Config, role: &str, path: &Path) -> Result<()> {
        let file = InputFile::describe(role, path, &config.shown(path))?;
        self.add_file(file, path)
    }

    /// Lists a described input; the same content twice in one role is an error.
    fn add_file(&mut self, file: InputFile, path: &Path) -> Result<()> {
        let role = file.role.clone();
        if let Some(twin) = self
            .files
            .iter()
            .find(|f| f.role == role && f.sha256 == file.sha256)
        {
            bail!(
                "{} has the same content as {} (SHA-256 {}): the same {role} input given twice would count its rows twice; keep one",
                path.display(),
                twin.path,
                file.sha256
            );
        }
        self.files.push(file);
        Ok(())
    }

    /// A boundary file, with the sidecar files a Shapefile is read with (`.shx`, `.dbf`,
    /// `.prj`, `.cpg`): the ids, names and CRS come from them, so they are inputs too.
    fn describe_boundaries(&mut self, config: &Config, role: &str, path: &Path) -> Result<()> {
        self.describe(config, role, path)?;
        let shapefile = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
        if shapefile {
            for sidecar in ["shx", "dbf", "prj", "cpg"] {
                let companion = [sidecar, &sidecar.to_ascii_uppercase()]
                    .iter()
                    .map(|ext| path.with_extension(ext))
                    .find(|p| p.is_file());
                if let Some(companion) = companion {
                    self.describe(config, role, &companion)?;
                }
            }
        }
        Ok(())
    }
}

/// Reads every input of `config`; a line per input goes to stderr.
pub fn load(config: &Config) -> Result<Inputs> {
    load_with_progress(config, &|_| {})
}

/// [`load`], telling `bdc_progress` how far the BDC files (the long read) are.
pub fn load_with_progress(
    config: &Config,
    bdc_progress: &(dyn Fn(BdcProgress) + Sync),
) -> Result<Inputs> {
    load_with_bdc(config, bdc_progress, None)
}

/// [`load_with_progress`], taking the BDC locations from `snapshot` (of [`read_bdc_snapshot`])
/// when it is of the configuration's BDC files as they are now; else (other files, or a file
/// changed since) it says so and reads the files.
pub fn load_with_bdc(
    config: &Config,
    bdc_progress: &(dyn Fn(BdcProgress) + Sync),
    snapshot: Option<BdcSnapshot>,
) -> Result<Inputs> {
    let mut inputs = Inputs::default();
    load_bdc(config, &mut inputs, bdc_progress, snapshot)?;
    load_acs(config, &mut inputs)?;
    let settings = &config.settings;
    if let Some(blocks) = &settings.blocks {
        // Per-county files (PL 94-171 is published by county) or one: a block in two files
        // must have the same counts.
        let mut counts: BTreeMap<GeoId, gapmap_core::BlockHousing> = BTreeMap::new();
        let mut first_file: BTreeMap<GeoId, PathBuf> = BTreeMap::new();
        for path in expand(&config.base, &blocks.housing_counts, &["csv", "json"])? {
            for (block, housing) in read_block_housing(&path)? {
                match counts.get(&block) {
                    Some(earlier) if *earlier != housing => bail!(
                        "block {block} has {} housing units and {} group quarters in {} but {} and {} in {}: the block-count files contradict each other; keep one of them",
                        earlier.housing_units,
                        earlier.group_quarters,
                        first_file
                            .get(&block)
                            .map_or_else(String::new, |p| config.shown(p)),
                        housing.housing_units,
                        housing.group_quarters,
                        config.shown(&path)
                    ),
                    Some(_) => {}
                    None => {
                        counts.insert(block.clone(), housing);
                        first_file.insert(block, path.clone());
                    }
                }
            }
            inputs.describe(config, "blocks", &path)?;
        }
        eprintln!(
            "  blocks: {} blocks, {} housing units",
            counts.len(),
            counts.values().map(|b| b.housing_units).sum::<u64>()
        );
        inputs.blocks = Some(counts);
    }
    load_ookla(config, &mut inputs)?;
    if let Some(affordability) = &settings.affordability {
        inputs.affordability = Some(load_affordability(config, affordability, &mut inputs)?);
    }
    if let (Some((table, _)), Some(blocks)) = (&inputs.locations, &inputs.blocks) {
        let unknown = table
            .blocks
            .iter()
            .filter(|b| !blocks.contains_key(*b))
            .count();
        if unknown > 0 {
            inputs.warnings.push(format!(
                "{unknown} of the {} blocks named in the BDC files are not 2020 census blocks of the block-count file: check that both use 2020 geography",
                table.blocks.len()
            ));
        }
    }
    load_layers(config, &mut inputs)?;
    Ok(inputs)
}

/// Reads the BDC files of `config` (none when it has no `[bdc]`) into a snapshot a later
/// [`load_with_bdc`] takes instead of reading them again: a batch of threshold or share
/// variants reads the files once (METHOD.md §2: thresholds are applied after reading).
pub fn read_bdc_snapshot(
    config: &Config,
    progress: &(dyn Fn(BdcProgress) + Sync),
) -> Result<Option<BdcSnapshot>> {
    let Some(bdc) = &config.settings.bdc else {
        return Ok(None);
    };
    let paths = expand(&config.base, &bdc.files, &["zip", "csv"])?;
    read_snapshot(config, &paths, progress).map(Some)
}

/// The files' sizes and times before the read, the read, and every file's SHA-256: the
/// reader hashes the plain CSVs it reads whole; zips (read by member) are hashed beside the
/// read, on another thread.
fn read_snapshot(
    config: &Config,
    paths: &[PathBuf],
    progress: &(dyn Fn(BdcProgress) + Sync),
) -> Result<BdcSnapshot> {
    let mut inputs = paths
        .iter()
        .map(|path| {
            let metadata = std::fs::metadata(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok(SnapshotInput {
                path: path.clone(),
                bytes: metadata.len(),
                modified: metadata.modified()?,
                sha256: String::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let is_zip = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let (read, described) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| {
            paths
                .iter()
                .filter(|p| is_zip(p))
                .map(|p| Ok((p.clone(), InputFile::describe("bdc", p, &config.shown(p))?)))
                .collect::<Result<BTreeMap<PathBuf, InputFile>>>()
        });
        let read = read_availability(paths, progress);
        let described = hashing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read, described)
    });
    let (availability, stats) = read?;
    let mut hashes: BTreeMap<PathBuf, String> = described?
        .into_iter()
        .map(|(path, file)| (path, file.sha256))
        .collect();
    for (path, _, sha256) in &stats.csv_sha256 {
        hashes.insert(path.clone(), sha256.clone());
    }
    for input in &mut inputs {
        input.sha256 = match hashes.get(&input.path) {
            Some(sha256) => sha256.clone(),
            None => InputFile::describe("bdc", &input.path, "")?.sha256,
        };
    }
    Ok(BdcSnapshot {
        availability,
        stats,
        inputs,
    })
}

fn load_bdc(
    config: &Config,
    inputs: &mut Inputs,
    progress: &(dyn Fn(BdcProgress) + Sync),
    given: Option<BdcSnapshot>,
) -> Result<()> {
    let Some(bdc) = &config.settings.bdc else {
        return Ok(());
    };
    let started = Instant::now();
    let paths = expand(&config.base, &bdc.files, &["zip", "csv"])?;
    let (snapshot, reused) = match given.map(|s| fits(s, &paths)) {
        Some(Ok(snapshot)) => (snapshot, true),
        Some(Err(why)) => {
            eprintln!("  BDC: {why}: reading the files");
            (read_snapshot(config, &paths, progress)?, false)
        }
        None => (read_snapshot(config, &paths, progress)?, false),
    };
    let BdcSnapshot {
        availability,
        stats,
        inputs: files,
    } = snapshot;
    let table = availability.classify(&config.settings.thresholds);
    eprintln!(
        "  BDC: {} files, {} rows ({} business-only excluded), {} residential locations ({} distinct offer sets) {} {:.2} s",
        paths.len(),
        stats.rows,
        stats.business_rows,
        stats.locations,
        stats.offer_sets,
        if reused {
            "from the batch's read (snapshot) in"
        } else {
            "in"
        },
        started.elapsed().as_secs_f64()
    );
    for empty in &stats.empty_members {
        inputs.warnings.push(format!(
            "{empty} has a header but no rows: was the download cut short? (its technology adds no location)"
        ));
    }
    for file in files {
        let described = InputFile {
            role: "bdc".to_owned(),
            path: config.shown(&file.path),
            bytes: file.bytes,
            sha256: file.sha256,
        };
        inputs.add_file(described, &file.path)?;
    }
    inputs.locations = Some((table, stats));
    inputs.availability = Some(availability);
    Ok(())
}

/// `snapshot` when it is of `paths` as they are now, else why not.
fn fits(snapshot: BdcSnapshot, paths: &[PathBuf]) -> std::result::Result<BdcSnapshot, String> {
    let named: Vec<&PathBuf> = snapshot.inputs.iter().map(|i| &i.path).collect();
    if named != paths.iter().collect::<Vec<_>>() {
        return Err("the BDC snapshot given is of other files".to_owned());
    }
    if let Some(changed) = snapshot.inputs.iter().find(|i| !i.unchanged()) {
        return Err(format!(
            "{} changed since the BDC snapshot was taken",
            changed.path.display()
        ));
    }
    Ok(snapshot)
}

/// The first table's level, an example GEOID and its file, to name in a mismatch.
type FirstLevel = (Level, String, PathBuf);

fn check_same_level(first: &FirstLevel, path: &Path, level: Level, example: &str) -> Result<()> {
    let (l, other, first_path) = first;
    if *l == level {
        return Ok(());
    }
    let short = if example.len() + 1 == other.len() {
        Some((path, example))
    } else if other.len() + 1 == example.len() {
        Some((first_path.as_path(), other.as_str()))
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
        "{} holds {level}s (like {example}) but {} holds {l}s (like {other}): give tables of one level.{hint}",
        path.display(),
        first_path.display()
    );
}

fn load_acs(config: &Config, inputs: &mut Inputs) -> Result<()> {
    let Some(acs_settings) = &config.settings.acs else {
        return Ok(());
    };
    let mut tables = AcsTables::default();
    let mut origins = BTreeMap::new();
    let mut level: Option<FirstLevel> = None;
    let mut geography: Option<(u16, PathBuf)> = None;
    for path in expand(&config.base, &acs_settings.tables, &["csv", "json"])? {
        let file = read_acs(&path)?;
        let example = file
            .variables
            .values()
            .find_map(|units| units.keys().next())
            .map(ToString::to_string)
            .unwrap_or_default();
        match &level {
            Some(first) => check_same_level(first, &path, file.level, &example)?,
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
        add_variables(&mut tables, &mut origins, file.variables, &path)?;
        inputs.describe(config, "acs", &path)?;
    }
    for needed in [
        gapmap_gaps::adoption::HOUSEHOLDS,
        gapmap_gaps::adoption::BROADBAND_ANY,
        gapmap_gaps::adoption::NO_INTERNET,
    ] {
        if !tables.has(needed) {
            inputs.warnings.push(format!(
                "ACS variable {needed} was not given: the fields that need it stay empty"
            ));
        }
    }
    let brackets = config
        .settings
        .affordability
        .as_ref()
        .and_then(|a| a.brackets.as_ref());
    check_universes(&tables, brackets, "the [acs] tables")?;
    eprintln!("  ACS: variables {}", tables.variables().join(", "));
    inputs.acs = Some(tables);
    inputs.acs_level = level.map(|(l, _, _)| l);
    Ok(())
}

/// Refuses a tile file whose published name says another kind than the run's `[ookla] kind`
/// (`type=mobile/…`, `…_performance_mobile_tiles.parquet` and their fixed counterparts): mobile
/// tests read as fixed, or fixed as mobile, would be wrong figures that look right. A run is
/// of one kind (METHOD.md §10): the other kind is another run, or, for mobile tiles, read
/// `beside` fixed ones (`[ookla] mobile_tiles`).
fn refuse_other_kind(config: &Config, path: &Path, kind: OoklaKind, beside: bool) -> Result<()> {
    // The bucket's folder anywhere in the path; the file name for Ookla's own naming (a
    // user's folder called `mobile_tiles_study` is not a reason to refuse fixed tiles).
    let named = |kind: &str| {
        let folder = format!("type={kind}");
        let file = format!("{kind}_tiles");
        path.components()
            .any(|c| c.as_os_str().eq_ignore_ascii_case(&folder))
            || path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().contains(&file))
    };
    let (named_mobile, named_fixed) = (named("mobile"), named("fixed"));
    match kind {
        OoklaKind::Fixed | OoklaKind::Unstated if named_mobile => bail!(
            "{} is named as Ookla's mobile tiles, and this run's tiles are {}: mobile tests would be counted as fixed broadband (METHOD.md §5); give the fixed tiles (`type=fixed`, `…_performance_fixed_tiles`), or run the mobile tiles on their own with `[ookla] kind = \"mobile\"`",
            config.shown(path),
            if kind == OoklaKind::Fixed {
                "fixed (`[ookla] kind`, fixed by default)"
            } else {
                "of a layer the source does not name"
            }
        ),
        OoklaKind::Mobile if named_fixed => bail!(
            "{} is named as Ookla's fixed tiles, and {}: fixed tests would be counted as mobile; {}",
            config.shown(path),
            if beside {
                "it is given in `[ookla] mobile_tiles`"
            } else {
                "this run is of mobile tiles (`[ookla] kind = \"mobile\"`)"
            },
            if beside {
                "give it in `[ookla] tiles`"
            } else {
                "run the fixed tiles on their own"
            }
        ),
        _ => Ok(()),
    }
}

fn load_ookla(config: &Config, inputs: &mut Inputs) -> Result<()> {
    let Some(ookla) = &config.settings.ookla else {
        return Ok(());
    };
    if ookla.block_tiles.is_empty() {
        let (speeds, footprints) =
            read_raw_tiles(config, &ookla.tiles, (ookla.kind, false), inputs)?;
        inputs.speeds = Some(speeds);
        inputs.tile_footprints = Some(footprints);
    } else {
        let mut merged = BlockTiles::default();
        for path in expand(&config.base, &ookla.block_tiles, &["csv"])? {
            refuse_other_kind(config, &path, ookla.kind, false)?;
            let rows = merged.add(&path)?;
            inputs.describe(config, "ookla", &path)?;
            if rows == 0 {
                inputs.warnings.push(format!(
                    "{} holds no tile: was the download cut short? (it adds no test)",
                    config.shown(&path)
                ));
            }
        }
        let tiles = merged.finish();
        eprintln!(
            "  Ookla: {} tiles over {} block rows",
            tiles.tiles.len(),
            tiles.tile_blocks.len()
        );
        if tiles.tiles.is_empty() {
            inputs.warnings.push(
                "the block-joined Ookla tables hold no tile: the speed fields stay empty".into(),
            );
        }
        inputs.speeds = Some(tiles);
    }
    if !ookla.mobile_tiles.is_empty() {
        let (speeds, footprints) = read_raw_tiles(
            config,
            &ookla.mobile_tiles,
            (OoklaKind::Mobile, true),
            inputs,
        )?;
        inputs.mobile_speeds = Some((speeds, footprints));
    }
    Ok(())
}

/// Raw tile files of one kind (METHOD.md §5, §10), read as one set: a tile given twice for one
/// quarter (two overlapping downloads, a table repeating a tile per district it touches) is
/// counted once. Mobile tiles read `beside` fixed ones are listed in the role `ookla_mobile`;
/// a file given as both kinds is refused.
fn read_raw_tiles(
    config: &Config,
    paths: &[PathBuf],
    (kind, beside): (OoklaKind, bool),
    inputs: &mut Inputs,
) -> Result<(SpeedTiles, Vec<geo::Polygon<f64>>)> {
    let (role, label) = if beside {
        ("ookla_mobile", "Ookla mobile")
    } else {
        ("ookla", "Ookla")
    };
    let mut raw = gapmap_ingest::RawTiles::default();
    let extensions = ["geojson", "json", "parquet", "csv"];
    let mut without_quarter = Vec::new();
    for path in expand(&config.base, paths, &extensions)? {
        refuse_other_kind(config, &path, kind, beside)?;
        let before = (raw.tiles.len(), raw.repeated_rows);
        raw.add(&path)?;
        inputs.describe(config, role, &path)?;
        if beside {
            let added = inputs.files.last().map(|f| f.sha256.clone());
            if let Some(fixed) = inputs
                .files
                .iter()
                .find(|f| f.role == "ookla" && Some(&f.sha256) == added.as_ref())
            {
                bail!(
                    "{} has the same content as {}: one file cannot be both Ookla's fixed tiles (`[ookla] tiles`) and its mobile tiles (`mobile_tiles`); give each layer's own files",
                    config.shown(&path),
                    fixed.path
                );
            }
        }
        if raw.tiles.len() == before.0 && raw.repeated_rows == before.1 {
            inputs.warnings.push(format!(
                "{} holds no tile: was the download cut short? (it adds no test)",
                config.shown(&path)
            ));
        }
        if raw.periods[before.0..].iter().any(Option::is_none) {
            without_quarter.push(config.shown(&path));
        }
    }
    if raw.repeated_rows > 0 {
        inputs.warnings.push(format!(
            "{} {label} rows repeat a tile already read for the same quarter with the same figures (a table joined to districts repeats a tile once per district it touches): each tile is counted once",
            raw.repeated_rows
        ));
    }
    let mut speeds = SpeedTiles::default();
    if without_quarter.is_empty() {
        let mut periods: Vec<String> = raw.periods.iter().flatten().cloned().collect();
        periods.sort();
        periods.dedup();
        speeds.period_of = raw
            .periods
            .iter()
            .flatten()
            .map(|p| periods.binary_search(p).unwrap_or_default() as u16)
            .collect();
        speeds.periods = periods;
    } else if !raw.tiles.is_empty() {
        inputs.warnings.push(format!(
            "the quarter of {} is known neither from a column (`year_quarter`, `year` and `quarter`, `date`) nor from the file name (`…2023Q1…`, `2023-01-01_performance…`): speeds are computed for the pooled span only, with no per-quarter figures or change",
            without_quarter.join(", ")
        ));
    }
    eprintln!(
        "  {label}: {} raw tiles (tile × quarter){}",
        raw.tiles.len(),
        match speeds.periods.as_slice() {
            [] => String::new(),
            [one] => format!(", {one}"),
            [first, .., last] => format!(", {} quarters {first}–{last}", speeds.periods.len()),
        }
    );
    speeds.tiles = raw.tiles;
    // The quarters of a change must be the tiles' (checked here, so `gapmap check` says it).
    let ookla = config.settings.ookla.as_ref();
    gapmap_gaps::periods::ChangeSpan::resolve(
        &speeds,
        ookla.and_then(|o| o.baseline.as_deref()),
        ookla.and_then(|o| o.latest.as_deref()),
    )
    .map_err(|message| {
        anyhow::anyhow!(
            "{}: [ookla] baseline/latest{}: {message}",
            config.path.display(),
            if beside { ", in the mobile tiles" } else { "" }
        )
    })?;
    Ok((speeds, raw.footprints))
}

fn load_affordability(
    config: &Config,
    affordability: &AffordabilitySettings,
    inputs: &mut Inputs,
) -> Result<AffordabilityInputs> {
    let area_prices = match &affordability.area_prices {
        Some(prices) => {
            // One table, or one per county: an area in two files must have one price.
            let mut merged: BTreeMap<String, (f64, PathBuf)> = BTreeMap::new();
            let mut missing = 0;
            for path in expand(&config.base, &prices.file, &["csv"])? {
                let table = read_area_prices(&path, &prices.measure)?;
                missing += table.missing_values;
                for (area, price) in table.prices {
                    match merged.get(&area) {
                        Some((earlier, first)) if *earlier != price => bail!(
                            "area {area} has the `{}` price {earlier} in {} but {price} in {}: the price tables contradict each other; keep one",
                            prices.measure,
                            config.shown(first),
                            config.shown(&path)
                        ),
                        Some(_) => {}
                        None => {
                            merged.insert(area, (price, path.clone()));
                        }
                    }
                }
                inputs.describe(config, "prices", &path)?;
            }
            eprintln!(
                "  prices: {} areas with a `{}` price ({missing} NA rows)",
                merged.len(),
                prices.measure
            );
            Some(
                merged
                    .into_iter()
                    .map(|(area, (price, _))| (area, price))
                    .collect(),
            )
        }
        None => None,
    };
    let plans = match &affordability.plans {
        Some(plans) => {
            // Per-area or per-provider tables read together; a plan in two files is the same
            // offer twice, which changes no lowest price.
            let mut read = Vec::new();
            for path in expand(&config.base, &plans.file, &["csv"])? {
                read.extend(read_plans(&path, &plans.columns)?);
                inputs.describe(config, "plans", &path)?;
            }
            eprintln!("  plans: {} offers", read.len());
            Some(read)
        }
        None => None,
    };
    Ok(AffordabilityInputs {
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
    })
}

/// Block internal points from one table or several (per county, TIGER publishes them so): a
/// block in two files must have the same point.
fn load_block_points(
    config: &Config,
    points: &crate::settings::BlockPointSettings,
    inputs: &mut Inputs,
) -> Result<BlockPoints> {
    let paths = expand(&config.base, &points.file, &["csv"])?;
    let mut merged: BTreeMap<GeoId, (geo::Point<f64>, PathBuf)> = BTreeMap::new();
    for path in &paths {
        let read = read_block_points(path, &points.id, &points.latitude, &points.longitude)?;
        inputs.describe(config, "block_points", path)?;
        for (block, point) in read {
            match merged.get(&block) {
                Some((earlier, from)) if *earlier != point => bail!(
                    "block {block} has its internal point at ({}, {}) in {} but ({}, {}) in {}: the block-point files contradict each other; keep one of them",
                    earlier.y(),
                    earlier.x(),
                    config.shown(from),
                    point.y(),
                    point.x(),
                    config.shown(path)
                ),
                Some(_) => {}
                None => {
                    merged.insert(block, (point, path.clone()));
                }
            }
        }
    }
    let path = match paths.as_slice() {
        [one] => one.clone(),
        many => PathBuf::from(
            many.iter()
                .map(|p| config.shown(p))
                .collect::<Vec<_>>()
                .join(" + "),
        ),
    };
    Ok(BlockPoints {
        path,
        points: merged
            .into_iter()
            .map(|(block, (point, _))| (block, point))
            .collect(),
    })
}

/// The files each variable came from, to name them in a conflict.
type Origins = BTreeMap<String, Vec<PathBuf>>;

/// Adds one file's variables to `tables`. A variable another file also gives gets this file's
/// units too (the ACS is often downloaded one file per county); a unit both files give must
/// have the same value in both, or the tables contradict each other and nothing is guessed.
fn add_variables(
    tables: &mut AcsTables,
    origins: &mut Origins,
    variables: BTreeMap<String, BTreeMap<GeoId, gapmap_core::AcsValue>>,
    path: &Path,
) -> Result<()> {
    for (variable, values) in variables {
        let files = origins.entry(variable.clone()).or_default();
        if !tables.has(&variable) {
            tables.insert(variable, values);
            files.push(path.to_path_buf());
            continue;
        }
        let mut merged: BTreeMap<GeoId, gapmap_core::AcsValue> = tables
            .units(&variable)
            .map(|unit| (unit.clone(), tables.get(&variable, unit)))
            .collect();
        for (unit, value) in values {
            match merged.get(&unit) {
                Some(existing) if *existing != value => bail!(
                    "ACS variable {variable} of unit {unit} is {} in {} but {} in {}: the tables contradict each other; keep one of them",
                    shown_value(existing),
                    files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    shown_value(&value),
                    path.display()
                ),
                Some(_) => {}
                None => {
                    merged.insert(unit, value);
                }
            }
        }
        tables.insert(variable, merged);
        files.push(path.to_path_buf());
    }
    Ok(())
}

/// An ACS value as a message shows it.
fn shown_value(value: &gapmap_core::AcsValue) -> String {
    match value {
        Ok(estimate) => match estimate.moe {
            Ok(moe) => format!("{} ± {moe}", estimate.value),
            Err(_) => estimate.value.to_string(),
        },
        Err(reason) => format!("not available ({reason})"),
    }
}

/// A city layer's own tables, keyed by its ids.
fn load_layer_tables(
    config: &Config,
    layer: &crate::settings::LayerSettings,
    inputs: &mut Inputs,
) -> Result<AcsTables> {
    let mut tables = AcsTables::default();
    let mut origins = BTreeMap::new();
    for table in expand(&config.base, &layer.tables, &["csv", "json"])? {
        add_variables(
            &mut tables,
            &mut origins,
            read_acs(&table)?.variables,
            &table,
        )?;
        inputs.describe(config, &format!("tables:{}", layer.name), &table)?;
    }
    Ok(tables)
}

/// Count tables whose `_001` is the universe of their other variables (METHOD.md §3, §4).
const COUNT_TABLES: [&str; 4] = ["B28002", "B28001", "B19001", "B11001"];

/// Refuses tables in which a count exceeds its universe (e.g. B28002_013 > B28002_001): such
/// a table is corrupt or mislabelled, and its shares would exceed 1.
fn check_universes(
    tables: &AcsTables,
    brackets: Option<&BracketSettings>,
    which: &str,
) -> Result<()> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for variable in tables.variables() {
        if let Some((table, number)) = variable.split_once('_')
            && COUNT_TABLES.contains(&table)
            && number != "001"
        {
            pairs.push((variable.to_owned(), format!("{table}_001")));
        }
    }
    if let Some(spec) = brackets.map(BracketSettings::spec).transpose()? {
        for variable in &spec.variables {
            pairs.push((variable.clone(), spec.total.clone()));
        }
    }
    for (part, whole) in pairs {
        if let Some((unit, value, universe)) = tables.exceeding(&part, &whole) {
            bail!(
                "in {which}, unit {unit}: {part} = {value} exceeds its universe {whole} = {universe}; a count cannot exceed the total it is part of: the table is corrupt or its columns are mislabelled"
            );
        }
    }
    Ok(())
}

/// Where a level's or layer's districts are: the configured files and fields.
struct BoundarySource<'a> {
    files: &'a [PathBuf],
    layer: Option<&'a str>,
    id_field: &'a str,
    name_field: Option<&'a str>,
}

/// The file kinds a folder of boundaries is read for.
const BOUNDARY_FILES: [&str; 6] = ["geojson", "json", "zip", "shp", "gpkg", "fgb"];

impl BoundarySource<'_> {
    /// Reads the districts: every file (a list, or folders of them) in order, one layer. A
    /// district id in two files is refused: one file per area (county, state) is the shape
    /// this is for, and two polygons for one id cannot be told apart.
    fn read(&self, config: &Config) -> Result<(Vec<PathBuf>, BoundaryLayer)> {
        let paths = expand(&config.base, self.files, &BOUNDARY_FILES)?;
        let layers = paths
            .par_iter()
            .map(|path| read_boundaries(path, self.layer, self.id_field, self.name_field))
            .collect::<Vec<_>>();
        let mut merged: Option<BoundaryLayer> = None;
        let mut owner: HashMap<String, usize> = HashMap::new();
        for (i, layer) in layers.into_iter().enumerate() {
            let layer = layer?;
            for feature in &layer.features {
                if let Some(&first) = owner.get(&feature.id) {
                    if first != i {
                        bail!(
                            "district {} (field {}) is in both {} and {}: give each district in one file",
                            feature.id,
                            self.id_field,
                            config.shown(&paths[first]),
                            config.shown(&paths[i])
                        );
                    }
                } else {
                    owner.insert(feature.id.clone(), i);
                }
            }
            match &mut merged {
                None => merged = Some(layer),
                Some(all) => {
                    all.features.extend(layer.features);
                    all.repairs.extend(layer.repairs);
                }
            }
        }
        let merged = merged.ok_or_else(|| {
            anyhow::anyhow!(
                "{} names no boundary file",
                self.files
                    .iter()
                    .map(|p| config.shown(&config.base.join(p)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        Ok((paths, merged))
    }
}

/// The census levels' and the city layers' boundaries, the block points of apportioned
/// layers, and the layers' own tables.
fn load_layers(config: &Config, inputs: &mut Inputs) -> Result<()> {
    let settings = &config.settings;
    let level_sources = settings.levels.iter().map(|level| BoundarySource {
        files: &level.boundaries,
        layer: level.layer.as_deref(),
        id_field: &level.id_field,
        name_field: level.name_field.as_deref(),
    });
    let layer_sources = settings.layers.iter().map(|layer| BoundarySource {
        files: &layer.boundaries,
        layer: layer.layer.as_deref(),
        id_field: &layer.id_field,
        name_field: layer.name_field.as_deref(),
    });
    let sources: Vec<BoundarySource> = level_sources.chain(layer_sources).collect();
    // Every boundary file is read at once; errors are reported in the configuration's order.
    let mut read = sources
        .par_iter()
        .map(|source| source.read(config))
        .collect::<Vec<_>>()
        .into_iter();
    let mut next = |inputs: &mut Inputs, role: &str| -> Result<(PathBuf, String, BoundaryLayer)> {
        let (paths, boundaries) = read.next().expect("one read per source")?;
        for path in &paths {
            inputs.describe_boundaries(config, role, path)?;
        }
        let shown = paths
            .iter()
            .map(|p| config.shown(p))
            .collect::<Vec<_>>()
            .join(" + ");
        Ok((paths[0].clone(), shown, boundaries))
    };
    for level in &settings.levels {
        let role = format!("boundaries:{}", level.level);
        let (path, shown, boundaries) = next(inputs, &role)?;
        inputs.levels.push(LoadedLayer {
            path,
            shown,
            boundaries,
            tables: None,
            attributes: None,
        });
    }
    for layer in &settings.layers {
        let role = format!("boundaries:{}", layer.name);
        let (path, shown, boundaries) = next(inputs, &role)?;
        let points = settings.blocks.as_ref().and_then(|b| b.points.as_ref());
        if let (Some(points), Some(_), None) = (points, layer.apportion_from, &inputs.block_points)
        {
            inputs.block_points = Some(load_block_points(config, points, inputs)?);
        }
        let tables = if layer.tables.is_empty() {
            None
        } else {
            let tables = load_layer_tables(config, layer, inputs)?;
            check_universes(
                &tables,
                layer.brackets.as_ref(),
                &format!("the tables of layer {}", layer.name),
            )?;
            Some(tables)
        };
        let attributes = if layer.attributes.is_empty() {
            None
        } else {
            Some(load_attributes(config, layer, inputs)?)
        };
        inputs.layers.push(LoadedLayer {
            path,
            shown,
            boundaries,
            tables,
            attributes,
        });
    }
    Ok(())
}

/// A layer's attribute tables (METHOD.md §10): population, poverty share and the layer's own
/// fields per district id.
fn load_attributes(
    config: &Config,
    layer: &crate::settings::LayerSettings,
    inputs: &mut Inputs,
) -> Result<gapmap_gaps::run::Attributes> {
    use crate::settings::ShareUnit;
    let mut attributes = gapmap_gaps::run::Attributes::default();
    let mut shown = Vec::new();
    for table in &layer.attributes {
        let path = config.base.join(&table.file);
        let wanted: Vec<(&str, &str)> = [
            ("population", table.population.as_deref()),
            ("share_poverty", table.share_poverty.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, column)| column.map(|c| (field, c)))
        .collect();
        let columns: Vec<&str> = wanted
            .iter()
            .map(|(_, c)| *c)
            .chain(table.columns.iter().map(|c| c.column.as_str()))
            .collect();
        let rows = gapmap_ingest::read_attribute_table(&path, &table.id, &columns)?;
        inputs.describe(config, &format!("attributes:{}", layer.name), &path)?;
        for (k, (field, column)) in wanted.iter().enumerate() {
            let target = match *field {
                "population" => &mut attributes.population,
                _ => &mut attributes.share_poverty,
            };
            if !target.is_empty() {
                bail!(
                    "layer {}: two attribute tables give `{field}`; name it in one of them",
                    layer.name
                );
            }
            for (id, values) in &rows {
                let Some(value) = values[k] else {
                    target.insert(id.clone(), None);
                    continue;
                };
                let value = match (*field, table.share_poverty_unit) {
                    ("share_poverty", ShareUnit::Percent) => value / 100.0,
                    _ => value,
                };
                let valid = match *field {
                    "population" => value >= 0.0,
                    _ => (0.0..=1.0).contains(&value),
                };
                if !valid {
                    bail!(
                        "{}: id {id}, column `{column}` = {}: {}",
                        config.shown(&path),
                        values[k].unwrap_or_default(),
                        if *field == "population" {
                            "a population is a count, 0 or more".to_owned()
                        } else {
                            format!(
                                "a share is in [0, 1]{}; set `share_poverty_unit = \"percent\"` for values 0–100",
                                if table.share_poverty_unit == ShareUnit::Percent {
                                    " (here read as a percentage, 0–100)"
                                } else {
                                    ""
                                }
                            )
                        }
                    );
                }
                target.insert(id.clone(), Some(value));
            }
        }
        // The layer's own fields: values as read, in the unit the configuration states.
        for (k, column) in table.columns.iter().enumerate() {
            let values = rows
                .iter()
                .map(|(id, values)| (id.clone(), values[wanted.len() + k]))
                .collect();
            let field = gapmap_gaps::ExtraField {
                name: column.field().to_owned(),
                table: config.shown(&path),
                column: column.column.clone(),
                unit: column.unit.clone(),
                description: column.description.clone(),
                source: column
                    .source
                    .clone()
                    .unwrap_or_else(|| table.source.clone()),
            };
            attributes.extra.push((field, values));
        }
        shown.push(config.shown(&path));
    }
    attributes.shown = shown.join(" + ");
    Ok(attributes)
}
