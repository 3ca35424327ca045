//! `gapmap demo`: the bundled runs (District of Columbia, Maui, Lima).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The bundled areas, each a folder of `data/` with its `gapmap.toml`.
const AREAS: [&str; 3] = ["dc", "maui", "lima"];

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
        "the demo data is not part of the binary and was not found (looked for {}): get it with `git clone {}` and run `gapmap demo --data <clone>/data`, or run from the clone's folder",
        candidates
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(" and "),
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// Runs the bundled configuration into `out`.
pub fn demo(
    area: &str,
    data: Option<&Path>,
    out: &Path,
    overrides: &gapmap::Overrides,
    options: &super::run::Options,
) -> Result<super::report::Report> {
    let config = bundled_config(area, data)?;
    eprintln!("gapmap demo: {}", config.display());
    let mut report = super::run::run(&config, out, overrides, options)?;
    report.command = "demo";
    Ok(report)
}
