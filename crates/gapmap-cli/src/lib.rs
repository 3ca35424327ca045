//! The `gapmap` command: arguments → resolved settings → the `gapmap` library → a report.
//! The binary is `main()` below; every computation lives in the library crates.

#![forbid(unsafe_code)]

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Runs the command line; the exit code is 2 on any error, after printing it with its causes.
pub fn main() -> ExitCode {
    let args = args::Args::parse();
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        // A batch with a failed job: the summary said which.
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(args: args::Args) -> anyhow::Result<bool> {
    // The binary owns the thread pool; libraries only use par_iter.
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global()
            .map_err(|e| anyhow::anyhow!("cannot start {threads} worker threads: {e}"))?;
    }
    let mut overrides = gapmap::Overrides {
        affordability_share: args.affordability_share,
        set: Vec::new(),
    };
    match args.command {
        args::Command::Run {
            config,
            out,
            set,
            bdc_snapshot,
        } => {
            overrides.set = set;
            let options = commands::run::Options {
                quiet: args.quiet,
                bdc_snapshot,
            };
            commands::run::run(&config, &out, &overrides, &options).map(|()| true)
        }
        args::Command::Demo { out, data, area } => {
            commands::demo::demo(&area, data.as_deref(), &out, &overrides, args.quiet)
                .map(|()| true)
        }
        args::Command::Batch {
            jobs,
            parallel,
            shard,
            force,
        } => {
            if args.affordability_share.is_some() {
                anyhow::bail!(
                    "--affordability-share applies to one run; in a batch, give `affordability_share` per job"
                );
            }
            let shard = shard
                .as_deref()
                .map(commands::batch::parse_shard)
                .transpose()?;
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
            let threads = (args.threads.unwrap_or(cores) / parallel.max(1)).max(1);
            commands::batch::batch(&jobs, parallel, threads, shard, force)
        }
    }
}
