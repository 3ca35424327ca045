//! The run configuration (`gapmap.toml`): inputs, levels, thresholds and output options.
//! Unknown keys are errors, so a typo never silently falls back to a default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapmap_core::{Level, NeedWeights, Thresholds};
use serde::{Deserialize, Serialize};

/// A whole run configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The area the run covers.
    pub area: Area,
    /// FCC BDC fixed-availability files.
    pub bdc: Option<BdcSettings>,
    /// ACS tables.
    pub acs: Option<AcsSettings>,
    /// 2020 block housing counts.
    pub blocks: Option<BlockSettings>,
    /// Ookla tiles.
    pub ookla: Option<OoklaSettings>,
    /// The district levels to compute.
    #[serde(rename = "level")]
    pub levels: Vec<LevelSettings>,
    /// METHOD.md §2, §5 thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// METHOD.md §7 weights.
    #[serde(default)]
    pub need_weights: NeedWeights,
    /// Output options.
    #[serde(default)]
    pub output: OutputSettings,
}

/// The area.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Its name, as shown in chart titles.
    pub name: String,
}

/// BDC inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BdcSettings {
    /// Zips or CSVs, or folders of them.
    pub files: Vec<PathBuf>,
    /// The BDC release (e.g. "J24, as of 2024-06-30").
    pub vintage: String,
    /// The rows are a simulation, not FCC data: outputs say so.
    #[serde(default)]
    pub simulated: bool,
}

/// ACS inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcsSettings {
    /// Table files, or folders of them.
    pub tables: Vec<PathBuf>,
    /// The 5-year period, e.g. "2017-2021".
    pub vintage: String,
}

/// Block counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSettings {
    /// The long-format 2020 housing counts.
    pub housing_counts: PathBuf,
}

/// Ookla tiles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OoklaSettings {
    /// Block-joined tiles (`GEOID20, avg_d_mbps, ...`).
    pub block_tiles: PathBuf,
    /// The quarters covered, e.g. "2022 Q1–Q4".
    pub period: String,
}

/// One census level.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSettings {
    /// `tract`, `block_group` or `county`.
    pub level: Level,
    /// GeoJSON or Shapefile.
    pub boundaries: PathBuf,
    /// The field holding the GEOID.
    #[serde(default = "default_id_field")]
    pub id_field: String,
    /// The field holding the label.
    pub name_field: Option<String>,
}

fn default_id_field() -> String {
    "GEOID".into()
}

/// Output options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSettings {
    /// Decimals of GeoJSON coordinates (6 ≈ 0.1 m).
    pub coordinate_precision: u32,
    /// Write charts.
    pub charts: bool,
    /// How many districts the ranked bar chart shows.
    pub top_districts: usize,
}

impl Default for OutputSettings {
    fn default() -> Self {
        Self {
            coordinate_precision: 6,
            charts: true,
            top_districts: 20,
        }
    }
}

impl Settings {
    /// Reads and checks a configuration; relative paths become relative to its folder.
    pub fn load(path: &Path) -> Result<(Settings, PathBuf)> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        let settings: Settings = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid gapmap configuration", path.display()))?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        settings.check(&base, path)?;
        Ok((settings, base))
    }

    fn check(&self, base: &Path, config: &Path) -> Result<()> {
        self.thresholds
            .validate()
            .with_context(|| format!("in [thresholds] of {}", config.display()))?;
        if self.levels.is_empty() {
            bail!(
                "{} defines no [[level]]: add at least one, e.g.\n[[level]]\nlevel = \"tract\"\nboundaries = \"tracts.geojson\"",
                config.display()
            );
        }
        for level in &self.levels {
            if !matches!(
                level.level,
                Level::Tract | Level::BlockGroup | Level::County
            ) {
                bail!(
                    "{}: level `{}` is not supported; use tract, block_group or county",
                    config.display(),
                    level.level
                );
            }
        }
        let mut missing = Vec::new();
        let mut expect = |key: &str, path: &Path| {
            let full = base.join(path);
            if !full.exists() {
                missing.push(format!(
                    "  {key} = {} (looked for {})",
                    path.display(),
                    full.display()
                ));
            }
        };
        if let Some(bdc) = &self.bdc {
            bdc.files.iter().for_each(|p| expect("bdc.files", p));
        }
        if let Some(acs) = &self.acs {
            acs.tables.iter().for_each(|p| expect("acs.tables", p));
        }
        if let Some(blocks) = &self.blocks {
            expect("blocks.housing_counts", &blocks.housing_counts);
        }
        if let Some(ookla) = &self.ookla {
            expect("ookla.block_tiles", &ookla.block_tiles);
        }
        for level in &self.levels {
            expect(
                &format!("level {} boundaries", level.level),
                &level.boundaries,
            );
        }
        if !missing.is_empty() {
            bail!(
                "{} names input files that do not exist:\n{}\nPaths are relative to the configuration's folder.",
                config.display(),
                missing.join("\n")
            );
        }
        Ok(())
    }
}

/// Expands folders into their files with one of `extensions`, sorted; files stay as given.
pub fn expand(base: &Path, paths: &[PathBuf], extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let full = base.join(path);
        if full.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&full)
                .with_context(|| format!("cannot list {}", full.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
                })
                .collect();
            if found.is_empty() {
                bail!(
                    "{} holds no .{} file",
                    full.display(),
                    extensions.join(" or .")
                );
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(full);
        }
    }
    Ok(files)
}
