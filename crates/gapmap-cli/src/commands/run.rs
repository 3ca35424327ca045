//! `gapmap run`: resolved configuration → inputs → figures → package, through the `gapmap`
//! library; this file only reports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Result;
use gapmap::{BdcProgress, BdcSnapshot};
use gapmap::{Config, Overrides, Results};

use super::report::Report;
use indicatif::{ProgressBar, ProgressStyle};

/// How a run reports and what it may reuse.
#[derive(Debug, Default)]
pub struct Options {
    /// No progress (the BDC read's bar, the later stages' spinners).
    pub quiet: bool,
    /// The time of each stage and every input, on stderr.
    pub verbose: bool,
    /// A snapshot of the BDC files read by a batch (`gapmap batch`).
    pub bdc_snapshot: Option<PathBuf>,
}

/// Reads `config`, computes every layer and writes the package into `out`.
pub fn run(config: &Path, out: &Path, overrides: &Overrides, options: &Options) -> Result<Report> {
    let started = Instant::now();
    let config = Config::resolve(config, overrides)?;
    gapmap::check_out(out)?;
    let inputs = read_inputs(&config, options)?;
    let read = started.elapsed().as_secs_f64();
    let spinner = Stage::start(options.quiet, "computing the figures of every layer");
    let results = gapmap::compute(&config, &inputs)?;
    spinner.finish();
    let computed = started.elapsed().as_secs_f64();
    report(&config, &results);
    let spinner = Stage::start(
        options.quiet,
        "writing the package (tables, layers, charts, viewer)",
    );
    let written = gapmap::publish(out, &config, &inputs, &results)?;
    spinner.finish();
    let duration = started.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} files to {} in {duration:.2} s",
        written.len(),
        out.display(),
    );
    if options.verbose {
        eprintln!(
            "  stages: inputs {read:.2} s, figures {:.2} s, package {:.2} s",
            computed - read,
            duration - computed
        );
    }
    let mut summary = Report::new("run", &config, &inputs).with_results(&results);
    summary.out = Some(out.display().to_string());
    summary.files = written.iter().map(|p| p.display().to_string()).collect();
    summary.duration_s = duration;
    Ok(summary)
}

/// Every input of `config` (the BDC from a batch's snapshot when given one), with progress;
/// `--verbose` lists them.
pub fn read_inputs(config: &Config, options: &Options) -> Result<gapmap::Inputs> {
    eprintln!("reading inputs of {}", config.settings.area.name);
    let snapshot = match &options.bdc_snapshot {
        Some(path) => match BdcSnapshot::open(path) {
            Ok(snapshot) => Some(snapshot),
            Err(e) => {
                eprintln!(
                    "  BDC: cannot use {} ({e}): reading the files",
                    path.display()
                );
                None
            }
        },
        None => None,
    };
    let progress = BdcReport::new(options.quiet);
    let inputs = gapmap::load_with_bdc(config, &|p| progress.update(p), snapshot)?;
    progress.finish();
    if options.verbose {
        for file in &inputs.files {
            eprintln!(
                "  input {} ({}, {} bytes, SHA-256 {})",
                file.path, file.role, file.bytes, file.sha256
            );
        }
    }
    Ok(inputs)
}

/// What the run found, on stderr: prices matched, districts withheld, warnings.
fn report(config: &Config, results: &Results) {
    let measure = config
        .settings
        .affordability
        .as_ref()
        .and_then(|a| a.area_prices.as_ref())
        .map(|p| p.measure.as_str());
    if let Some(measure) = measure {
        for matched in &results.run.price_matches {
            eprintln!(
                "  prices: {} of {} {} districts found a `{measure}` price in the area table; {} have a cost_to_income",
                matched.with_table_price,
                matched.districts,
                matched.level,
                matched.with_cost_to_income
            );
        }
    }
    for layer in &results.run.layers {
        eprintln!(
            "  {}: {} districts, {} withheld as small (METHOD.md §8) and {} to protect them",
            layer.result.name,
            layer.result.rows.len(),
            layer.withheld.primary,
            layer.withheld.complementary,
        );
    }
    for warning in &results.warnings {
        eprintln!("warning: {warning}");
    }
}

/// A stage without a size to count (figures, the package): an indicatif spinner with its
/// elapsed time on a terminal, nothing otherwise or with `-q` (the stage's result line follows).
struct Stage(Option<ProgressBar>);

impl Stage {
    fn start(quiet: bool, message: &str) -> Stage {
        if quiet || !std::io::stderr().is_terminal() {
            return Stage(None);
        }
        let spinner = ProgressBar::new_spinner();
        spinner.set_style(
            ProgressStyle::with_template("  {spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.set_message(message.to_owned());
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        Stage(Some(spinner))
    }

    fn finish(self) {
        if let Some(spinner) = self.0 {
            spinner.finish_and_clear();
        }
    }
}

/// Progress of the BDC read: an indicatif bar of bytes on a terminal, a plain line per tenth
/// when stderr is a file or a pipe (a batch's log), nothing with `-q`.
pub(crate) enum BdcReport {
    Quiet,
    /// The bar and the furthest position reported (workers report out of order).
    Bar(ProgressBar, AtomicU64),
    Lines {
        tenths: AtomicU64,
        started: Instant,
    },
}

impl BdcReport {
    pub(crate) fn new(quiet: bool) -> BdcReport {
        if quiet {
            BdcReport::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::hidden();
            bar.set_style(
                ProgressStyle::with_template(
                    "  BDC {bar:30} {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            BdcReport::Bar(bar, AtomicU64::new(0))
        } else {
            BdcReport::Lines {
                tenths: AtomicU64::new(0),
                started: Instant::now(),
            }
        }
    }

    pub(crate) fn update(&self, progress: BdcProgress) {
        match self {
            BdcReport::Quiet => {}
            BdcReport::Bar(bar, furthest) => {
                if bar.is_hidden() {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                bar.set_length(progress.total);
                let before = furthest.fetch_max(progress.bytes, Ordering::Relaxed);
                if progress.bytes >= progress.total {
                    // Done: the reader's summary line follows on a clean line.
                    bar.finish_and_clear();
                } else if progress.bytes > before {
                    bar.set_position(progress.bytes);
                }
            }
            BdcReport::Lines { tenths, started } => {
                let tenth = (progress.bytes * 10)
                    .checked_div(progress.total)
                    .unwrap_or(10);
                if tenths.fetch_max(tenth, Ordering::Relaxed) < tenth {
                    eprintln!(
                        "  BDC {}%: {} of {} MB in {:.1} s",
                        tenth * 10,
                        progress.bytes / 1_000_000,
                        progress.total / 1_000_000,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let BdcReport::Bar(bar, _) = self {
            bar.finish_and_clear();
        }
    }
}
