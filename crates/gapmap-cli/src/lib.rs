//! The `gapmap` command: arguments → resolved settings → the `gapmap` library → a report.
//! The binary is `main()` below; every computation lives in the library crates.

#![forbid(unsafe_code)]

mod args;
mod commands;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// A batch finished with a failed job.
const FAILED_JOB: u8 = 1;
/// The configuration, an input or an output is at fault (usage errors are clap's 2).
const RUN_ERROR: u8 = 3;

/// Runs the command line. Exit status (documented in `--help`): 0 done, 1 a batch with a
/// failed job, 2 a usage error (clap's), 3 an error in the configuration, an input or an
/// output, printed with its causes.
pub fn main() -> ExitCode {
    let args = args::Args::parse();
    let json = args.json;
    match run(args) {
        Ok(Outcome { ok, summary }) => {
            let text = if json {
                format!("{summary:#}\n")
            } else {
                let mut lines = String::new();
                for file in summary["files"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                {
                    lines.push_str(file);
                    lines.push('\n');
                }
                lines
            };
            print_stdout(text.as_bytes());
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(FAILED_JOB)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if json {
                let text = format!("{:#}\n", commands::report::error_json(&error, RUN_ERROR));
                print_stdout(text.as_bytes());
            }
            ExitCode::from(RUN_ERROR)
        }
    }
}

/// Writes to stdout; a reader that closed the pipe early (`| head`) is not an error.
fn print_stdout(bytes: &[u8]) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
}

/// What a command ended with: whether everything succeeded, and its summary for `--json`.
struct Outcome {
    ok: bool,
    summary: serde_json::Value,
}

impl Outcome {
    fn of(report: &commands::report::Report) -> anyhow::Result<Outcome> {
        Ok(Outcome {
            ok: true,
            summary: serde_json::to_value(report)?,
        })
    }
}

fn run(args: args::Args) -> anyhow::Result<Outcome> {
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
    let mut options = commands::run::Options {
        quiet: args.quiet,
        verbose: args.verbose,
        bdc_snapshot: None,
    };
    match args.command {
        args::Command::Run {
            config,
            out,
            set,
            bdc_snapshot,
        } => {
            overrides.set = set;
            options.bdc_snapshot = bdc_snapshot;
            Outcome::of(&commands::run::run(&config, &out, &overrides, &options)?)
        }
        args::Command::Check { config, set } => {
            overrides.set = set;
            Outcome::of(&commands::check::check(&config, &overrides, &options)?)
        }
        args::Command::Demo { out, data, area } => Outcome::of(&commands::demo::demo(
            &area,
            data.as_deref(),
            &out,
            &overrides,
            &options,
        )?),
        args::Command::Fetch(fetch) => Ok(Outcome {
            ok: true,
            summary: commands::fetch::fetch(&fetch, args.quiet)?,
        }),
        args::Command::Serve { dir, port, address } => {
            commands::serve::serve(&dir, address, port, args.verbose)?;
            Ok(Outcome {
                ok: true,
                summary: serde_json::Value::Null,
            })
        }
        args::Command::Completions { shell } => {
            let mut command = args::Args::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "gapmap", &mut script);
            print_stdout(&script);
            Ok(Outcome {
                ok: true,
                summary: serde_json::Value::Null,
            })
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
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
            let threads = (args.threads.unwrap_or(cores) / parallel.max(1)).max(1);
            let (ok, manifest) = commands::batch::batch(&jobs, parallel, threads, shard, force)?;
            Ok(Outcome {
                ok,
                summary: manifest,
            })
        }
    }
}
