//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// gapmap: who cannot get, or cannot afford, a decent internet connection, district by district.
///
/// Reads census boundaries and ACS tables, FCC Broadband Data Collection availability files and
/// Ookla speed tiles; writes per-district GeoJSON, CSV, charts and metadata (METHOD.md).
#[derive(Debug, Parser)]
#[command(
    name = "gapmap",
    version,
    propagate_version = true,
    after_help = "Examples:\n  gapmap demo --out out/demo\n  gapmap run --config data/dc/gapmap.toml --out out/dc\n\nMethod and output fields: METHOD.md. Exit status 2 on any error, with the file and row at fault."
)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Share of income above which broadband is unaffordable (METHOD.md §4), e.g. 0.05;
    /// overrides `share_of_income` of the configuration.
    #[arg(long, global = true, value_name = "SHARE")]
    pub affordability_share: Option<f64>,

    /// Worker threads for reading files and per-district computation (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress on long reads (a bar on a terminal, a line per tenth otherwise).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a configuration: read its inputs, compute every level, write the outputs.
    Run {
        /// The run configuration (TOML); relative paths in it are relative to its folder.
        #[arg(long, short, value_name = "FILE")]
        config: PathBuf,
        /// Output folder: created, or replaced as a whole once the new package is complete
        /// (a folder gapmap did not write is never replaced).
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Set a configuration key for this run, as in the file: a dotted KEY and a TOML
        /// VALUE (repeatable), e.g. `--set thresholds.served.download=25` or
        /// `--set 'area.name="Ward 8"'`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// The BDC files already read, by `gapmap batch` for its jobs over the same files: used
        /// when it is of the configuration's files as they are now, else they are read.
        #[arg(long, value_name = "FILE", hide = true)]
        bdc_snapshot: Option<PathBuf>,
    },
    /// Run many jobs from a jobs file (areas × levels × vintages × thresholds): in parallel,
    /// with progress, a summary table and `manifest.json`; unchanged jobs are skipped.
    #[command(
        after_help = "Jobs file:\n  out_root = \"out/batch\"\n  [[job]]\n  name = \"dc\"\n  config = \"data/dc/gapmap.toml\"\n  [[matrix]]\n  name = \"{config}-{share}\"\n  configs = [\"data/dc/gapmap.toml\"]\n  affordability_shares = [0.02, 0.05]\n\nExit status: 0 when every job succeeded or was skipped, 1 when a job failed, 2 when the batch could not start.\nOn a cluster: gapmap batch jobs.toml --shard $JOB_COMPLETION_INDEX/4 (Kubernetes) or --shard $SLURM_ARRAY_TASK_ID/4 (Slurm)."
    )]
    Batch {
        /// The jobs file (TOML).
        jobs: PathBuf,
        /// How many jobs run at once (each gets --threads / this many threads).
        #[arg(long, short = 'j', value_name = "N", default_value_t = 1)]
        parallel: usize,
        /// Run only the I-th of N slices of the job list (0-based): jobs whose position modulo
        /// N is I.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Rerun jobs whose configuration and inputs are unchanged.
        #[arg(long)]
        force: bool,
    },
    /// Run a bundled demo: the District of Columbia (data/dc/gapmap.toml), or Maui's raw
    /// Ookla tiles with `--area maui`.
    Demo {
        /// Which bundled area: `dc` or `maui`.
        #[arg(long, value_name = "AREA", default_value = "dc")]
        area: String,
        /// Output folder.
        #[arg(long, short, value_name = "DIR", default_value = "out/demo")]
        out: PathBuf,
        /// The bundled data folder, if not found automatically.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
}
