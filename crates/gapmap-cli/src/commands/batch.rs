//! `gapmap batch jobs.toml`: many runs in one command.
//!
//! A jobs file lists jobs (`[[job]]`: a configuration, optional overrides, an output folder)
//! and matrices (`[[matrix]]`: the product of lists of configurations, shares and override
//! sets). Each job runs as a child `gapmap run` process — a failing or crashing job cannot
//! take the batch down, and its peak memory is its own — with up to `--jobs` at a time.
//! Progress shows per job and overall; the batch continues past failures, prints a summary
//! table, writes `manifest.json` (per job: configuration hash, input hashes, outputs,
//! duration, peak memory, status) and exits 1 if a job failed. A job whose configuration and
//! inputs are unchanged since its last successful run is skipped (`--force` reruns it).
//! `--shard I/N` runs the jobs whose position modulo N is I (0-based), so one jobs file runs
//! unchanged as a Kubernetes Indexed Job or a Slurm array.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use gapmap_export::InputFile;
use gapmap_export::provenance::Metadata;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The jobs file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobsFile {
    /// Where job folders go (relative to the jobs file); default `out/batch`.
    #[serde(default = "default_root")]
    out_root: PathBuf,
    #[serde(default, rename = "job")]
    jobs: Vec<JobSpec>,
    #[serde(default, rename = "matrix")]
    matrices: Vec<MatrixSpec>,
}

fn default_root() -> PathBuf {
    PathBuf::from("out/batch")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobSpec {
    name: String,
    config: PathBuf,
    affordability_share: Option<f64>,
    /// Overrides merged into the configuration (same keys as the configuration file).
    #[serde(default)]
    set: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixSpec {
    /// A name pattern: `{config}`, `{share}` and `{set}` are replaced.
    name: String,
    configs: Vec<PathBuf>,
    #[serde(default)]
    affordability_shares: Vec<f64>,
    /// Named override sets: one job per set.
    #[serde(default)]
    sets: BTreeMap<String, toml::Table>,
}

/// One job to run.
#[derive(Debug, Clone)]
struct Job {
    name: String,
    config: PathBuf,
    affordability_share: Option<f64>,
    set: toml::Table,
    out: PathBuf,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    /// It ran and wrote its package.
    Ok,
    /// Its configuration and inputs were unchanged since a successful run: not rerun.
    Skipped,
    /// It did not complete; `error` says why.
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// A job's record in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Record {
    name: String,
    status: Status,
    config: String,
    config_sha256: String,
    affordability_share: Option<f64>,
    overrides: Value,
    out: String,
    /// The run's inputs (from its metadata.json), with absolute paths.
    inputs: Vec<InputFile>,
    outputs: usize,
    duration_s: f64,
    peak_rss_mb: Option<f64>,
    bdc_rows: Option<u64>,
    rows_per_s: Option<f64>,
    error: Option<String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Expands the jobs file into jobs, in file order (jobs, then each matrix's product).
fn expand(file: &JobsFile, base: &Path) -> Result<Vec<Job>> {
    let root = base.join(&file.out_root);
    let mut jobs: Vec<Job> = file
        .jobs
        .iter()
        .map(|j| Job {
            name: j.name.clone(),
            config: base.join(&j.config),
            affordability_share: j.affordability_share,
            set: j.set.clone(),
            out: root.join(slug(&j.name)),
        })
        .collect();
    for matrix in &file.matrices {
        let shares: Vec<Option<f64>> = if matrix.affordability_shares.is_empty() {
            vec![None]
        } else {
            matrix
                .affordability_shares
                .iter()
                .copied()
                .map(Some)
                .collect()
        };
        let sets: Vec<(String, toml::Table)> = if matrix.sets.is_empty() {
            vec![("default".into(), toml::Table::new())]
        } else {
            matrix.sets.clone().into_iter().collect()
        };
        for config in &matrix.configs {
            let stem = config
                .parent()
                .and_then(|p| p.file_name())
                .or_else(|| config.file_stem())
                .map_or_else(|| "config".into(), |s| s.to_string_lossy().into_owned());
            for share in &shares {
                for (set_name, set) in &sets {
                    let name = matrix
                        .name
                        .replace("{config}", &stem)
                        .replace(
                            "{share}",
                            &share.map_or_else(|| "default".into(), |s| format!("{s}")),
                        )
                        .replace("{set}", set_name);
                    jobs.push(Job {
                        out: root.join(slug(&name)),
                        name,
                        config: base.join(config),
                        affordability_share: *share,
                        set: set.clone(),
                    });
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for job in &jobs {
        if !seen.insert(job.name.clone()) {
            bail!(
                "two jobs are named `{}`: job names name their output folders, make them unique",
                job.name
            );
        }
    }
    Ok(jobs)
}

/// Parses `I/N`.
pub fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let (i, n) = text
        .split_once('/')
        .context("--shard takes I/N, e.g. 0/4 (0-based index I of N shards)")?;
    let (i, n): (usize, usize) = (
        i.trim().parse().context("--shard I/N: I is not a number")?,
        n.trim().parse().context("--shard I/N: N is not a number")?,
    );
    if n == 0 || i >= n {
        bail!("--shard {i}/{n}: I must be 0 ≤ I < N (Kubernetes' JOB_COMPLETION_INDEX is 0-based)");
    }
    Ok((i, n))
}

/// The merged configuration text of a job (what its hash is taken of).
fn job_config(job: &Job) -> Result<String> {
    let text = std::fs::read_to_string(&job.config)
        .with_context(|| format!("job {}: cannot read {}", job.name, job.config.display()))?;
    gapmap::config::merged_text(&text, &job.config, &gapmap::config::assignments(&job.set))
        .with_context(|| format!("job {}", job.name))
}

/// Peak resident memory of a running process so far (Linux: `VmHWM`), in MB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Whether the previous record of a job still holds: same configuration hash, every input
/// with the same SHA-256, and its output folder present.
fn unchanged(previous: &Record, config_sha256: &str, out: &Path) -> bool {
    matches!(previous.status, Status::Ok | Status::Skipped)
        && previous.config_sha256 == config_sha256
        && out.join("metadata.json").exists()
        && previous.inputs.iter().all(|input| {
            std::fs::read(&input.path).is_ok_and(|bytes| sha256_hex(&bytes) == input.sha256)
        })
}

/// Inputs of a finished run, from its metadata, with absolute paths.
fn inputs_of(out: &Path, config_dir: &Path) -> Result<Vec<InputFile>> {
    let metadata = Metadata::read(&out.join("metadata.json"))?;
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

/// Runs one job as a child process; `bar` shows what it is doing.
fn run_job(job: &Job, config_sha256: &str, threads: usize, bar: &ProgressBar) -> Record {
    let started = Instant::now();
    let config_dir = job
        .config
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    // Absolute, so that the manifest's input paths hold from any working folder.
    let config_dir = std::fs::canonicalize(&config_dir).unwrap_or(config_dir);
    let mut record = Record {
        name: job.name.clone(),
        status: Status::Failed,
        config: job.config.display().to_string(),
        config_sha256: config_sha256.to_owned(),
        affordability_share: job.affordability_share,
        overrides: serde_json::to_value(&job.set).unwrap_or(Value::Null),
        out: job.out.display().to_string(),
        inputs: Vec::new(),
        outputs: 0,
        duration_s: 0.0,
        peak_rss_mb: None,
        bdc_rows: None,
        rows_per_s: None,
        error: None,
    };
    // The job's overrides go on the child's command line (`--set KEY=VALUE`), merged into
    // the job's own configuration once, by the library: no merged file is written, so no two
    // jobs can share one.
    let result = (|| -> Result<std::process::Child> {
        std::fs::create_dir_all(job.out.parent().unwrap_or(Path::new(".")))?;
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
        Ok(command.spawn()?)
    })();
    let mut child = match result {
        Ok(child) => child,
        Err(e) => {
            record.error = Some(format!("{e:#}"));
            return record;
        }
    };
    let pid = child.id();
    let peak = std::sync::Arc::new(Mutex::new(None::<f64>));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Sample the child's high-water mark until it exits.
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(mb) = peak_rss_mb(pid) {
                    *peak
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(mb);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let mut last_lines: Vec<String> = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let trimmed = line.trim();
            // "BDC: 7 files, 144606 rows (…) … in 0.58 s": rows and their rate.
            if let Some(rest) = trimmed.strip_prefix("BDC: ") {
                let rows = rest
                    .split(", ")
                    .nth(1)
                    .and_then(|p| p.split_whitespace().next())
                    .and_then(|n| n.parse::<u64>().ok());
                let seconds = rest
                    .rsplit(" in ")
                    .next()
                    .and_then(|p| p.trim_end_matches(" s").parse::<f64>().ok());
                if let (Some(rows), Some(seconds)) = (rows, seconds) {
                    record.bdc_rows = Some(rows);
                    record.rows_per_s = (seconds > 0.0).then(|| rows as f64 / seconds);
                }
            }
            bar.set_message(format!(
                "{}: {}",
                job.name,
                trimmed.chars().take(90).collect::<String>()
            ));
            // Keep the error and what follows it whole; otherwise the last few lines.
            last_lines.push(line);
            if last_lines.len() > 40 && !last_lines.iter().any(|l| l.starts_with("error")) {
                last_lines.remove(0);
            }
        }
    }
    let status = child.wait();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = sampler.join();
    record.peak_rss_mb = *peak
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    record.duration_s = started.elapsed().as_secs_f64();
    match status {
        Ok(s) if s.success() => match inputs_of(&job.out, &config_dir) {
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
            // From the first `error:` line on (its causes and the files it lists).
            let from = last_lines
                .iter()
                .position(|l| l.starts_with("error"))
                .unwrap_or(0);
            record.error = Some(format!(
                "{}\n(configuration {} merged with the job's overrides)",
                last_lines[from..].join("\n"),
                job.config.display()
            ));
            if !last_lines.iter().any(|l| l.starts_with("error")) {
                record.error = Some(format!("exited with {s}: {}", last_lines.join("\n")));
            }
        }
        Err(e) => record.error = Some(format!("cannot wait for the job: {e}")),
    }
    record
}

/// `gapmap batch`.
pub fn batch(
    jobs_file: &Path,
    parallel: usize,
    threads: usize,
    shard: Option<(usize, usize)>,
    force: bool,
) -> Result<bool> {
    let text = std::fs::read_to_string(jobs_file)
        .with_context(|| format!("cannot read the jobs file {}", jobs_file.display()))?;
    let file: JobsFile = toml::from_str(&text)
        .with_context(|| format!("{} is not a valid jobs file", jobs_file.display()))?;
    let base = jobs_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let all = expand(&file, &base)?;
    if all.is_empty() {
        bail!(
            "{} defines no [[job]] and no [[matrix]]",
            jobs_file.display()
        );
    }
    let (index, count) = shard.unwrap_or((0, 1));
    let jobs: Vec<Job> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % count == index)
        .map(|(_, j)| j)
        .collect();
    let root = base.join(&file.out_root);
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let manifest_path = if count > 1 {
        root.join(format!("manifest-shard-{index}-of-{count}.json"))
    } else {
        root.join("manifest.json")
    };
    let previous: BTreeMap<String, Record> = std::fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| serde_json::from_value::<Vec<Record>>(v["jobs"].clone()).ok())
        .map(|records| records.into_iter().map(|r| (r.name.clone(), r)).collect())
        .unwrap_or_default();

    // Each job's merged configuration and its hash (with the tool version: a new gapmap
    // reruns everything).
    let mut prepared = Vec::new();
    for job in &jobs {
        let config = job_config(job)?;
        let hash = sha256_hex(
            format!(
                "{}\n{}\n{:?}\n{config}",
                env!("CARGO_PKG_VERSION"),
                job.config.display(),
                job.affordability_share
            )
            .as_bytes(),
        );
        prepared.push((job.clone(), hash));
    }

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
    let visible = !progress.is_hidden();
    let queue = Mutex::new(prepared.into_iter().enumerate().collect::<Vec<_>>());
    let records: Mutex<Vec<(usize, Record)>> = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..parallel.max(1) {
            scope.spawn(|| {
                loop {
                    let next = {
                        let mut queue = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        if queue.is_empty() {
                            None
                        } else {
                            Some(queue.remove(0))
                        }
                    };
                    let Some((position, (job, hash))) = next else {
                        break;
                    };
                    let record = match previous.get(&job.name) {
                        Some(old) if !force && unchanged(old, &hash, &job.out) => {
                            let mut record = old.clone();
                            record.status = Status::Skipped;
                            record.duration_s = 0.0;
                            record
                        }
                        _ => {
                            let bar = progress.add(ProgressBar::new_spinner());
                            bar.set_style(
                                ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                            );
                            bar.enable_steady_tick(Duration::from_millis(120));
                            bar.set_message(format!("{}: starting", job.name));
                            let record = run_job(&job, &hash, threads, &bar);
                            bar.finish_and_clear();
                            progress.remove(&bar);
                            record
                        }
                    };
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
                    if visible {
                        let _ = progress.println(&line);
                    } else {
                        eprintln!("{line}");
                    }
                    overall.inc(1);
                    let failed = records.lock().map_or(0, |r| {
                        r.iter().filter(|(_, r)| r.status == Status::Failed).count()
                    }) + usize::from(record.status == Status::Failed);
                    overall.set_message(format!("{failed} failed"));
                    records
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((position, record));
                }
            });
        }
    });
    overall.finish_and_clear();
    let mut records = records
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    records.sort_by_key(|(position, _)| *position);
    let records: Vec<Record> = records.into_iter().map(|(_, r)| r).collect();

    // The summary table.
    let width = records
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    eprintln!(
        "\n{:<width$}  {:<8} {:>9} {:>9} {:>11} {:>8}",
        "job", "status", "time (s)", "peak MB", "M rows/s", "outputs"
    );
    for r in &records {
        eprintln!(
            "{:<width$}  {:<8} {:>9.2} {:>9} {:>11} {:>8}",
            r.name,
            r.status.as_str(),
            r.duration_s,
            r.peak_rss_mb
                .map_or_else(|| "–".into(), |m| format!("{m:.0}")),
            r.rows_per_s
                .map_or_else(|| "–".into(), |x| format!("{:.2}", x / 1e6)),
            r.outputs
        );
    }
    for r in records.iter().filter(|r| r.status == Status::Failed) {
        eprintln!(
            "\n{} failed:\n{}",
            r.name,
            r.error.as_deref().unwrap_or("(no message)")
        );
    }
    let with_status = |status: Status| records.iter().filter(|r| r.status == status).count();
    let failed = with_status(Status::Failed);
    let manifest = json!({
        "tool": {"name": "gapmap", "version": env!("CARGO_PKG_VERSION")},
        "jobs_file": jobs_file.display().to_string(),
        "shard": {"index": index, "count": count},
        "generated_at": gapmap_export::generated_at(),
        "duration_s": started.elapsed().as_secs_f64(),
        "summary": {
            "jobs": records.len(),
            "ok": with_status(Status::Ok),
            "skipped": with_status(Status::Skipped),
            "failed": failed,
        },
        "jobs": records,
    });
    gapmap_export::write_json(&manifest_path, &manifest)?;
    eprintln!(
        "\n{} jobs: {} ok, {} skipped, {failed} failed; manifest {}",
        records.len(),
        with_status(Status::Ok),
        with_status(Status::Skipped),
        manifest_path.display()
    );
    Ok(failed == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_zero_based_and_checked() {
        assert_eq!(parse_shard("0/4").ok(), Some((0, 4)));
        assert_eq!(parse_shard("3/4").ok(), Some((3, 4)));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("1/0").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn matrices_expand_in_order_with_unique_names() {
        let file: JobsFile = toml::from_str(
            r#"
            [[job]]
            name = "first"
            config = "a/gapmap.toml"
            [[matrix]]
            name = "{config}-{share}-{set}"
            configs = ["dc/gapmap.toml", "maui/gapmap.toml"]
            affordability_shares = [0.02, 0.05]
            sets.strict = { thresholds = { min_speed_tests = 100 } }
            "#,
        )
        .expect("jobs file");
        let jobs = expand(&file, Path::new("/data")).expect("jobs");
        let names: Vec<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "first",
                "dc-0.02-strict",
                "dc-0.05-strict",
                "maui-0.02-strict",
                "maui-0.05-strict"
            ]
        );
        assert_eq!(jobs[1].out, Path::new("/data/out/batch/dc-0.02-strict"));
    }
}
