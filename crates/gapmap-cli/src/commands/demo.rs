//! `gapmap demo`: the bundled District of Columbia run.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Where the bundled configuration lives, relative to a data folder.
const CONFIG: &str = "dc/gapmap.toml";

/// Finds `data/dc/gapmap.toml`: under `--data`, the current folder, or the source tree the
/// binary was built from.
fn bundled_config(data: Option<&Path>) -> Result<PathBuf> {
    if let Some(data) = data {
        let config = data.join(CONFIG);
        if config.is_file() {
            return Ok(config);
        }
        bail!(
            "{} not found: --data must be the repository's data/ folder",
            config.display()
        );
    }
    let candidates = [
        PathBuf::from("data").join(CONFIG),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(CONFIG),
    ];
    for candidate in &candidates {
        if candidate.is_file() {
            return Ok(candidate.clone());
        }
    }
    bail!(
        "the bundled demo data was not found (looked for {}); run from the repository root or pass --data <repo>/data",
        candidates
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(" and ")
    )
}

/// Runs the bundled configuration into `out`.
pub fn demo(data: Option<&Path>, out: &Path, overrides: super::run::Overrides) -> Result<()> {
    let config = bundled_config(data)?;
    eprintln!("gapmap demo: {}", config.display());
    super::run::run(&config, out, overrides)
}
