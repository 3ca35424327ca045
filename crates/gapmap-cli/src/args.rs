//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// gapmap: who cannot get, or cannot afford, a decent internet connection, district by district.
///
/// Reads census boundaries and ACS tables, FCC Broadband Data Collection availability files and
/// Ookla speed tiles — or, anywhere in the world, a city's own district layer with Ookla tiles
/// by quarter and its population and poverty tables; writes per-district GeoJSON, CSV, charts
/// and metadata (METHOD.md).
#[derive(Debug, Parser)]
#[command(
    name = "gapmap",
    version,
    propagate_version = true,
    after_help = "Examples:\n  gapmap demo --out out/demo\n  gapmap demo --area lima --out out/lima\n  gapmap check --config data/dc/gapmap.toml\n  gapmap run --config data/dc/gapmap.toml --out out/dc --json\n  gapmap completions bash > ~/.local/share/bash-completion/completions/gapmap\n\nMethod and output fields: METHOD.md.\n\nExit status:\n  0  done\n  1  a batch finished with a failed job (its manifest says which)\n  2  usage: an unknown command or option, or an option's value out of range\n  3  the configuration, an input or an output is at fault (the message names the file, row or feature and what to do)"
)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Share of income above which broadband is unaffordable (METHOD.md §4), a fraction in
    /// (0, 1] such as 0.05; overrides `share_of_income` of the configuration.
    #[arg(long, global = true, value_name = "SHARE", value_parser = share)]
    pub affordability_share: Option<f64>,

    /// Worker threads for reading files and per-district computation (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress: the BDC read's bar on a terminal (a line per tenth otherwise) and the
    /// spinners of the later stages.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more: the time of each stage, and every input with its size and SHA-256.
    #[arg(long, short, global = true)]
    pub verbose: bool,

    /// Print a machine-readable summary on stdout (JSON): what was read, written and withheld,
    /// the warnings, or the error and its exit status.
    #[arg(long, global = true)]
    pub json: bool,
}

/// A share of income: a fraction in (0, 1].
fn share(text: &str) -> Result<f64, String> {
    let share: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number; give a fraction such as 0.05"))?;
    if share > 0.0 && share <= 1.0 {
        Ok(share)
    } else {
        Err(format!(
            "{share} is not a fraction in (0, 1]: 5% of income is 0.05"
        ))
    }
}

/// `--county`: three digits (or five, the state's two first).
fn county(text: &str) -> Result<String, String> {
    let text = text.trim();
    if matches!(text.len(), 3 | 5) && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a county code: give its three-digit FIPS code, such as 001"
        ))
    }
}

/// `--quarter`: 2022Q1.
fn quarter(text: &str) -> Result<gapmap_fetch::Quarter, String> {
    text.parse()
}

/// `--bdc-as-of`: YYYY-MM-DD.
fn as_of_date(text: &str) -> Result<String, String> {
    let ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if ok {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a date: give the as-of date as YYYY-MM-DD, such as 2023-06-30"
        ))
    }
}

/// `--shard I/N`.
fn shard(text: &str) -> Result<(usize, usize), String> {
    crate::commands::batch::parse_shard(text).map_err(|e| format!("{e:#}"))
}

/// `gapmap fetch`'s arguments.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// The state: USPS abbreviation (VA), FIPS code (51) or name.
    #[arg(long, value_name = "STATE")]
    pub state: String,
    /// A county of the state, by its three-digit FIPS code (repeatable); none: the whole
    /// state.
    #[arg(long, value_name = "CCC", value_parser = county)]
    pub county: Vec<String>,
    /// The ACS 5-year release (its last year) and the boundaries' vintage.
    #[arg(long, default_value_t = 2022, value_parser = clap::value_parser!(u16).range(2019..=2100))]
    pub year: u16,
    /// An Ookla quarter such as 2022Q1 (repeatable); default: the four quarters of --year.
    #[arg(long, value_name = "YYYYQn", value_parser = quarter)]
    pub quarter: Vec<gapmap_fetch::Quarter>,
    /// The BDC as-of date (YYYY-MM-DD); default: the latest the FCC lists.
    #[arg(long, value_name = "DATE", value_parser = as_of_date)]
    pub bdc_as_of: Option<String>,
    /// Also the 2020 block internal points (TIGER/Line: the state's whole block file, tens to
    /// hundreds of MB), to apportion a [[layer]] of your own districts through blocks.
    #[arg(long)]
    pub block_points: bool,
    /// Also Ookla's mobile tiles of the same quarters (ookla_mobile/), read beside the fixed
    /// ones and published apart in the mobile_* fields (METHOD.md §10).
    #[arg(long)]
    pub mobile: bool,
    /// Leave a source out (repeatable).
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub skip: Vec<FetchSkip>,
    /// The folder to write (gapmap.toml, sources.json and the inputs).
    #[arg(long, short, value_name = "DIR", default_value = "gapmap-area")]
    pub out: PathBuf,
    /// The download cache (default: $XDG_CACHE_HOME/gapmap or ~/.cache/gapmap).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Use only what the cache holds; nothing is downloaded.
    #[arg(long)]
    pub offline: bool,
}

/// A source `gapmap fetch --skip` leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FetchSkip {
    /// The ACS tables.
    Acs,
    /// The 2020 block housing counts.
    Blocks,
    /// Ookla's tiles.
    Ookla,
    /// The FCC BDC files.
    Bdc,
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
        after_help = "Jobs file:\n  out_root = \"out/batch\"\n  [[job]]\n  name = \"dc\"\n  config = \"data/dc/gapmap.toml\"\n  [[matrix]]\n  name = \"{config}-{share}\"\n  configs = [\"data/dc/gapmap.toml\"]\n  affordability_shares = [0.02, 0.05]\n\nExit status: 0 when every job succeeded or was skipped, 1 when a job failed, 2 for a usage error, 3 when the batch could not start (an unreadable jobs file).\nOn a cluster: gapmap batch jobs.toml --shard $JOB_COMPLETION_INDEX/4 (Kubernetes) or --shard $SLURM_ARRAY_TASK_ID/4 (Slurm)."
    )]
    Batch {
        /// The jobs file (TOML).
        jobs: PathBuf,
        /// How many jobs run at once (each gets --threads / this many threads).
        #[arg(long, short = 'j', value_name = "N", default_value_t = 1)]
        parallel: usize,
        /// Run only the I-th of N slices of the job list (0-based): jobs whose position modulo
        /// N is I.
        #[arg(long, value_name = "I/N", value_parser = shard)]
        shard: Option<(usize, usize)>,
        /// Rerun jobs whose configuration and inputs are unchanged.
        #[arg(long)]
        force: bool,
    },
    /// Check a configuration without computing anything: its keys, and every input it names,
    /// read and validated as a run reads them (exit status 3 naming what is at fault).
    Check {
        /// The run configuration (TOML).
        #[arg(long, short, value_name = "FILE")]
        config: PathBuf,
        /// Set a configuration key, as for `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Serve a package folder on this machine (with the range requests the viewer's tiled
    /// layers need) to look at it in a browser before publishing it; `-v` logs each request.
    Serve {
        /// The package folder (the output of `run` or `demo`).
        #[arg(value_name = "DIR", default_value = "out/demo")]
        dir: PathBuf,
        /// The port (0: any free port, printed).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The address to listen on; the default answers this machine only.
        #[arg(long, default_value = "127.0.0.1")]
        address: std::net::IpAddr,
    },
    /// Download a US county's, several counties' or a whole state's public inputs (Census
    /// boundaries and ACS tables, 2020 block counts, Ookla tiles, FCC BDC availability) and
    /// write DIR/gapmap.toml for `gapmap run`, with every source in DIR/sources.json.
    #[command(
        after_help = "Examples:\n  gapmap fetch --state VA --county 001 --county 131 --out va-eastern-shore\n  gapmap run --config va-eastern-shore/gapmap.toml --out out/va-eastern-shore\n\nCredentials (environment):\n  CENSUS_API_KEY        optional; the Census Data API answers a few hundred calls a day without one\n                        (a key: https://api.census.gov/data/key_signup.html)\n  FCC_BDC_USERNAME      the FCC BDC Public Data API's `username` and `hash_value`: log in at\n  FCC_BDC_HASH_VALUE    https://broadbandmap.fcc.gov, your name's menu → Manage API Access → Generate.\n                        Without them everything else is fetched and you are told how to add the BDC files by hand.\n\nMirrors (environment, base URLs): GAPMAP_CENSUS_API, GAPMAP_CENSUS_BOUNDARIES, GAPMAP_OOKLA, GAPMAP_BDC_API.\nDownloads are kept in the cache (--cache) with their SHA-256 and reused when intact: a fetch that\nstopped resumes where it was, and --offline runs from the cache alone."
    )]
    Fetch(FetchArgs),
    /// Run a bundled demo: the District of Columbia (data/dc/gapmap.toml), Maui's raw Ookla
    /// tiles with `--area maui`, or Lima's 50 districts and 16 quarters of tiles (no census
    /// geography) with `--area lima`.
    Demo {
        /// Which bundled area: `dc`, `maui` or `lima`.
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
