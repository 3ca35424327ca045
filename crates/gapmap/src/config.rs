//! The resolved configuration of a run: the file's settings with the command line's overrides
//! merged once, and the folder its relative paths start from. Nothing patches it afterwards.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::settings::{Settings, check_share};

/// What a caller changes in a configuration file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// The share of income of METHOD.md §4 (`--affordability-share`).
    pub affordability_share: Option<f64>,
    /// Resolve the configuration's relative paths from here instead of its folder.
    pub base: Option<PathBuf>,
}

/// A run's configuration, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    /// The checked settings, overrides applied.
    pub settings: Settings,
    /// The folder relative input paths start from.
    pub base: PathBuf,
    /// The file the settings came from, named in messages.
    pub path: PathBuf,
}

impl Config {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Config> {
        Config::resolve(path.as_ref(), &Overrides::default())
    }

    /// Reads the configuration at `path`, checks it and applies `overrides`.
    pub fn resolve(path: &Path, overrides: &Overrides) -> Result<Config> {
        let (mut settings, base) = match &overrides.base {
            Some(base) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the configuration {}", path.display()))?;
                (Settings::parse(&text, base, path)?, base.clone())
            }
            None => Settings::load(path)?,
        };
        if let Some(share) = overrides.affordability_share {
            check_share(share).context("in --affordability-share")?;
            match &mut settings.affordability {
                Some(affordability) => affordability.share_of_income = share,
                None => bail!(
                    "--affordability-share was given but {} has no [affordability] section",
                    path.display()
                ),
            }
        }
        Ok(Config {
            settings,
            base,
            path: path.to_path_buf(),
        })
    }

    /// A path as the run shows it: relative to the configuration's folder where it can be.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.base)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}
