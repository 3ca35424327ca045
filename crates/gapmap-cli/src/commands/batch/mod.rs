//! `gapmap batch jobs.toml`: many runs in one command.
//!
//! A jobs file lists jobs (`[[job]]`: a configuration, optional overrides, an output folder)
//! and matrices (`[[matrix]]`: the product of lists of configurations, shares and override
//! sets). Each job runs as a child `gapmap run` process — a failing or crashing job cannot
//! take the batch down, and its peak memory is its own — with up to `--jobs` at a time.
//! Progress shows per job and overall; the batch continues past failures, prints a summary
//! table, writes `manifest.json` (per job: configuration hash, input hashes, outputs,
//! duration, peak memory, status) and exits 1 if a job failed. A job whose configuration
//! cannot be read fails alone: every other job still runs, and the manifest is always written. A job whose configuration and
//! inputs are unchanged since its last successful run is skipped (`--force` reruns it).
//! Jobs that name the same BDC files (threshold or share variants of one area) get them read
//! once, by the batch, as a snapshot (`shared.rs`).
//! `--shard I/N` runs the jobs whose position modulo N is I (0-based), so one jobs file runs
//! unchanged as a Kubernetes Indexed Job or a Slurm array.

mod child;
mod jobs;
mod manifest;
mod shared;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use jobs::parse_shard;
use jobs::{Job, JobsFile, expand, job_config};
use manifest::{Manifest, Record, Shard, Status, Summary, sha256_hex, unchanged};
use shared::SharedReads;

/// A job ready to run, one unchanged since its last success (skipped, with its old record),
/// or one that cannot run (its configuration is unreadable): it fails alone.
enum Prepared {
    Runnable { job: Job, hash: String },
    Unchanged { record: Record },
    Broken { job: Job, error: String },
}

/// Each job's merged configuration and its hash (with the tool version: a new gapmap reruns
/// everything).
fn prepare(job: Job) -> Prepared {
    match job_config(&job) {
        Ok(config) => {
            let hash = sha256_hex(
                format!(
                    "{}\n{}\n{:?}\n{config}",
                    env!("CARGO_PKG_VERSION"),
                    job.config.display(),
                    job.affordability_share
                )
                .as_bytes(),
            );
            Prepared::Runnable { job, hash }
        }
        Err(e) => Prepared::Broken {
            job,
            error: format!("{e:#}"),
        },
    }
}

/// The jobs file and the folder its paths start from.
fn read_jobs_file(jobs_file: &Path) -> Result<(JobsFile, PathBuf)> {
    let text = std::fs::read_to_string(jobs_file)
        .with_context(|| format!("cannot read the jobs file {}", jobs_file.display()))?;
    let file: JobsFile = toml::from_str(&text)
        .with_context(|| format!("{} is not a valid jobs file", jobs_file.display()))?;
    let base = jobs_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok((file, base))
}

/// `gapmap batch`: whether every job succeeded or was skipped, and the manifest.
pub fn batch(
    jobs_file: &Path,
    parallel: usize,
    threads: usize,
    shard: Option<(usize, usize)>,
    force: bool,
) -> Result<(bool, serde_json::Value)> {
    let (file, base) = read_jobs_file(jobs_file)?;
    let all = expand(&file, &base)?;
    if all.is_empty() {
        bail!(
            "{} defines no [[job]] and no [[matrix]]",
            jobs_file.display()
        );
    }
    let (index, count) = shard.unwrap_or((0, 1));
    let root = base.join(&file.out_root);
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let manifest_path = if count > 1 {
        root.join(format!("manifest-shard-{index}-of-{count}.json"))
    } else {
        root.join("manifest.json")
    };
    let previous = manifest::previous(&manifest_path);
    // Whether a job is unchanged is decided once: it hashes every input file again.
    let prepared: Vec<Prepared> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % count == index)
        .map(|(_, job)| match prepare(job) {
            Prepared::Runnable { job, hash } if !force => match previous.get(&job.name) {
                Some(old) if unchanged(old, &hash, &job.out) => {
                    let mut record = old.clone();
                    record.status = Status::Skipped;
                    record.duration_s = 0.0;
                    Prepared::Unchanged { record }
                }
                _ => Prepared::Runnable { job, hash },
            },
            other => other,
        })
        .collect();
    let started = Instant::now();
    let to_run: Vec<&Job> = prepared
        .iter()
        .filter_map(|p| match p {
            Prepared::Runnable { job, .. } => Some(job),
            _ => None,
        })
        .collect();
    let shared = SharedReads::prepare(&to_run, &root);
    let runner = Runner {
        parallel,
        threads,
        shared: &shared,
    };
    let records = runner.run(prepared);
    let shared_bdc_reads = shared.finish();
    manifest::print_summary(&records);
    let summary = Summary::of(&records);
    let manifest = Manifest {
        tool: gapmap_export::provenance::Tool {
            name: "gapmap".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        jobs_file: jobs_file.display().to_string(),
        shard: Shard { index, count },
        generated_at: gapmap_export::generated_at(),
        duration_s: started.elapsed().as_secs_f64(),
        summary,
        shared_bdc_reads,
        jobs: records,
    };
    manifest::write(&manifest_path, &manifest)?;
    eprintln!(
        "\n{} jobs: {} ok, {} skipped, {} failed; manifest {}",
        summary.jobs,
        summary.ok,
        summary.skipped,
        summary.failed,
        manifest_path.display()
    );
    Ok((summary.failed == 0, serde_json::to_value(&manifest)?))
}

/// Runs prepared jobs, `parallel` at a time, with a progress bar per running job and one for
/// the batch.
struct Runner<'a> {
    parallel: usize,
    threads: usize,
    shared: &'a SharedReads,
}

impl Runner<'_> {
    /// Every job's record, in job order.
    fn run(&self, prepared: Vec<Prepared>) -> Vec<Record> {
        let progress = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = progress.add(ProgressBar::new(prepared.len() as u64));
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:>8} [{bar:30}] {pos}/{len} jobs · {elapsed_precise} · {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        overall.set_prefix("batch");
        let queue = Mutex::new(prepared.into_iter().enumerate().collect::<Vec<_>>());
        let records: Mutex<Vec<(usize, Record)>> = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..self.parallel.max(1) {
                scope.spawn(|| {
                    loop {
                        let next = {
                            let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                            (!queue.is_empty()).then(|| queue.remove(0))
                        };
                        let Some((position, prepared)) = next else {
                            break;
                        };
                        let record = self.one(prepared, &progress);
                        Self::report(&record, &progress, &overall, &records);
                        records
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push((position, record));
                    }
                });
            }
        });
        overall.finish_and_clear();
        let mut records = records.into_inner().unwrap_or_else(PoisonError::into_inner);
        records.sort_by_key(|(position, _)| *position);
        records.into_iter().map(|(_, r)| r).collect()
    }

    /// One job: skipped when unchanged, failed when broken, else run as a child process.
    fn one(&self, prepared: Prepared, progress: &MultiProgress) -> Record {
        let (job, hash) = match prepared {
            Prepared::Broken { job, error } => {
                let mut record = child::record_of(&job, "");
                record.error = Some(error);
                return record;
            }
            Prepared::Unchanged { record } => return record,
            Prepared::Runnable { job, hash } => (job, hash),
        };
        let bar = progress.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(format!("{}: starting", job.name));
        let record = child::run_job(&job, &hash, self.threads, self.shared.of(&job), &bar);
        bar.finish_and_clear();
        progress.remove(&bar);
        record
    }

    /// A line per finished job, and the failed count on the batch's bar.
    fn report(
        record: &Record,
        progress: &MultiProgress,
        overall: &ProgressBar,
        records: &Mutex<Vec<(usize, Record)>>,
    ) {
        let line = format!(
            "{} {} ({:.1} s{}{})",
            record.status.as_str(),
            record.name,
            record.duration_s,
            record
                .peak_rss_mb
                .map_or_else(String::new, |m| format!(", {m:.0} MB")),
            record
                .rows_per_s
                .map_or_else(String::new, |r| format!(", {:.2} M rows/s", r / 1e6)),
        );
        if progress.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = progress.println(&line);
        }
        overall.inc(1);
        let failed = records.lock().map_or(0, |r| {
            r.iter().filter(|(_, r)| r.status == Status::Failed).count()
        }) + usize::from(record.status == Status::Failed);
        overall.set_message(format!("{failed} failed"));
    }
}
