//! `gapmap demo`: the bundled District of Columbia run.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The bundled areas, each a folder of `data/` with its `gapmap.toml`.
const AREAS: [&str; 2] = ["dc", "maui"];

/// Finds `data/<area>/gapmap.toml`: under `--data`, the current folder, or the source tree the
/// binary was built from.
fn bundled_config(area: &str, data: Option<&Path>) -> Result<PathBuf> {
    if !AREAS.contains(&area) {
        bail!(
            "no bundled demo `{area}`: choose one of {}",
            AREAS.join(", ")
        );
    }
    let config_path = format!("{area}/gapmap.toml");
    let config_path = config_path.as_str();
    if let Some(data) = data {
        let config = data.join(config_path);
        if config.is_file() {
            return Ok(config);
        }
        bail!(
            "{} not found: --data must be the repository's data/ folder",
            config.display()
        );
    }
    let candidates = [
        PathBuf::from("data").join(config_path),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(config_path),
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
pub fn demo(
    area: &str,
    data: Option<&Path>,
    out: &Path,
    overrides: &gapmap::Overrides,
    quiet: bool,
) -> Result<()> {
    let config = bundled_config(area, data)?;
    eprintln!("gapmap demo: {}", config.display());
    let options = super::run::Options {
        quiet,
        bdc_snapshot: None,
    };
    super::run::run(&config, out, overrides, &options)
}
