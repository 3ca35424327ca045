//! One job as a child `gapmap run` process: a failing or crashing job cannot take the batch
//! down, and its peak memory is its own.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gapmap_export::InputFile;
use gapmap_export::provenance::Metadata;
use indicatif::ProgressBar;

use super::jobs::Job;
use super::manifest::{Record, Status};

/// A job's record before it runs: failed until it succeeds.
pub(super) fn record_of(job: &Job, config_sha256: &str) -> Record {
    Record {
        name: job.name.clone(),
        status: Status::Failed,
        config: job.config.display().to_string(),
        config_sha256: config_sha256.to_owned(),
        affordability_share: job.affordability_share,
        overrides: serde_json::to_value(&job.set).unwrap_or(serde_json::Value::Null),
        out: job.out.display().to_string(),
        inputs: Vec::new(),
        outputs: 0,
        duration_s: 0.0,
        peak_rss_mb: None,
        bdc_rows: None,
        rows_per_s: None,
        error: None,
    }
}

/// Runs one job as a child process; `bar` shows what it is doing.
pub(super) fn run_job(
    job: &Job,
    config_sha256: &str,
    threads: usize,
    bdc_snapshot: Option<&Path>,
    bar: &ProgressBar,
) -> Record {
    let started = Instant::now();
    let mut record = record_of(job, config_sha256);
    let mut child = match spawn(job, threads, bdc_snapshot) {
        Ok(child) => child,
        Err(e) => {
            record.error = Some(format!("{e:#}"));
            return record;
        }
    };
    let sampler = PeakSampler::start(child.id());
    let last_lines = follow(&mut child, job, bar, &mut record);
    let status = child.wait();
    record.peak_rss_mb = sampler.stop();
    record.duration_s = started.elapsed().as_secs_f64();
    finish(job, status, &last_lines, &mut record);
    record
}

/// `gapmap run` on the job's own configuration, its overrides as `--set KEY=VALUE`: merged
/// once by the library, so no merged file is written and no two jobs can share one. With the
/// batch's snapshot of its BDC files, if it has one.
fn spawn(job: &Job, threads: usize, bdc_snapshot: Option<&Path>) -> Result<Child> {
    std::fs::create_dir_all(job.out.parent().unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot create the folder of {}", job.out.display()))?;
    let exe = std::env::current_exe().context("cannot find the gapmap executable")?;
    let mut command = Command::new(exe);
    command
        .args(["--threads", &threads.to_string(), "run", "--config"])
        .arg(&job.config)
        .arg("--out")
        .arg(&job.out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for assignment in gapmap::config::assignments(&job.set) {
        command.arg("--set").arg(assignment);
    }
    if let Some(share) = job.affordability_share {
        command.args(["--affordability-share", &share.to_string()]);
    }
    if let Some(snapshot) = bdc_snapshot {
        command.arg("--bdc-snapshot").arg(snapshot);
    }
    Ok(command.spawn()?)
}

/// Samples a child's high-water mark of resident memory until it is stopped.
struct PeakSampler {
    peak: Arc<Mutex<Option<f64>>>,
    done: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl PeakSampler {
    fn start(pid: u32) -> PeakSampler {
        let peak = Arc::new(Mutex::new(None::<f64>));
        let done = Arc::new(AtomicBool::new(false));
        let thread = {
            let (peak, done) = (peak.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    if let Some(mb) = peak_rss_mb(pid) {
                        *peak.lock().unwrap_or_else(PoisonError::into_inner) = Some(mb);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        PeakSampler { peak, done, thread }
    }

    fn stop(self) -> Option<f64> {
        self.done.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        *self.peak.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Peak resident memory of a running process so far (Linux: `VmHWM`), in MB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Shows the child's stderr on its bar and keeps what explains a failure: from the first
/// `error` line on, or else the last 40 lines. The BDC reading line gives rows and their rate.
fn follow(child: &mut Child, job: &Job, bar: &ProgressBar, record: &mut Record) -> Vec<String> {
    let mut last_lines: Vec<String> = Vec::new();
    let Some(stderr) = child.stderr.take() else {
        return last_lines;
    };
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let trimmed = line.trim();
        if let Some((rows, seconds)) = bdc_rate(trimmed) {
            record.bdc_rows = Some(rows);
            // Given the batch's snapshot, the job read no rows: no rate.
            record.rows_per_s = seconds.filter(|s| *s > 0.0).map(|s| rows as f64 / s);
        }
        bar.set_message(format!(
            "{}: {}",
            job.name,
            trimmed.chars().take(90).collect::<String>()
        ));
        last_lines.push(line);
        if last_lines.len() > 40 && !last_lines.iter().any(|l| l.starts_with("error")) {
            last_lines.remove(0);
        }
    }
    last_lines
}

/// "BDC: 7 files, 144606 rows (…) … in 0.58 s": the rows and the seconds (none when the rows
/// came from the batch's snapshot).
fn bdc_rate(line: &str) -> Option<(u64, Option<f64>)> {
    let rest = line.strip_prefix("BDC: ")?;
    let rows = rest
        .split(", ")
        .nth(1)
        .and_then(|p| p.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok())?;
    let seconds = rest
        .rsplit(" in ")
        .next()
        .and_then(|p| p.trim_end_matches(" s").parse::<f64>().ok())?;
    Some((rows, (!rest.contains("snapshot")).then_some(seconds)))
}

/// The record of a finished child: its inputs and outputs, or why it failed.
fn finish(
    job: &Job,
    status: std::io::Result<ExitStatus>,
    last_lines: &[String],
    record: &mut Record,
) {
    match status {
        Ok(s) if s.success() => match inputs_of(job) {
            Ok(inputs) => {
                record.status = Status::Ok;
                record.inputs = inputs;
                record.outputs = count_files(&job.out);
            }
            Err(e) => {
                record.error = Some(format!(
                    "the run exited 0 but its package cannot be read back: {e:#}"
                ));
            }
        },
        Ok(s) => {
            record.error = Some(
                match last_lines.iter().position(|l| l.starts_with("error")) {
                    // From the first `error:` line on (its causes and the files it lists).
                    Some(from) => format!(
                        "{}\n(configuration {} with the job's overrides)",
                        last_lines[from..].join("\n"),
                        job.config.display()
                    ),
                    None => format!("exited with {s}: {}", last_lines.join("\n")),
                },
            );
        }
        Err(e) => record.error = Some(format!("cannot wait for the job: {e}")),
    }
}

/// Inputs of a finished run, from its metadata, with absolute paths (so the manifest holds
/// from any working folder).
fn inputs_of(job: &Job) -> Result<Vec<InputFile>> {
    let config_dir = job
        .config
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let config_dir = std::fs::canonicalize(&config_dir).unwrap_or(config_dir);
    let metadata = Metadata::read(&job.out.join("metadata.json"))?;
    Ok(metadata
        .inputs
        .into_iter()
        .map(|input| InputFile {
            path: config_dir.join(&input.path).display().to_string(),
            ..input
        })
        .collect())
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    count_files(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bdc_line_gives_rows_and_seconds() {
        let line = "BDC: 7 files, 144606 rows (7761 business-only excluded), 34858 residential locations in 0.58 s";
        assert_eq!(bdc_rate(line), Some((144_606, Some(0.58))));
        let shared = "BDC: 7 files, 144606 rows (7761 business-only excluded), 34858 residential locations (6063 distinct offer sets) from the batch's read (snapshot) in 0.04 s";
        assert_eq!(bdc_rate(shared), Some((144_606, None)));
        assert_eq!(bdc_rate("ACS: variables B28002_001"), None);
    }
}
