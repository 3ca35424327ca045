//! `gapmap check`: a configuration's keys and every input it names, read and validated as a
//! run reads them, without computing or writing anything.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use gapmap::{Config, Overrides};

use super::report::Report;
use super::run::{Options, read_inputs};

/// Resolves `config` with `overrides` and reads every input; an error names what is at fault.
pub fn check(config: &Path, overrides: &Overrides, options: &Options) -> Result<Report> {
    let started = Instant::now();
    let config = Config::resolve(config, overrides)?;
    let inputs = read_inputs(&config, options)?;
    for warning in &inputs.warnings {
        eprintln!("warning: {warning}");
    }
    let layers = inputs.levels.len() + inputs.layers.len();
    let districts: usize = inputs
        .levels
        .iter()
        .chain(&inputs.layers)
        .map(|l| l.boundaries.features.len())
        .sum();
    eprintln!(
        "{} is valid: {} input files read, {layers} district layers ({districts} districts), {} warnings, in {:.2} s",
        config.path.display(),
        inputs.files.len(),
        inputs.warnings.len(),
        started.elapsed().as_secs_f64()
    );
    let mut report = Report::new("check", &config, &inputs);
    report.duration_s = started.elapsed().as_secs_f64();
    Ok(report)
}
