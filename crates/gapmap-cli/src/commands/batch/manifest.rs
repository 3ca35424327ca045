//! `manifest.json`: one record per job (status, configuration hash, inputs with their SHA-256,
//! outputs, time, memory, error), read back to skip jobs whose configuration and inputs did
//! not change.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use gapmap_export::InputFile;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Status {
    /// It ran and wrote its package.
    Ok,
    /// Its configuration and inputs were unchanged since a successful run: not rerun.
    Skipped,
    /// It did not complete; `error` says why.
    Failed,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// A job's record in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Record {
    pub(super) name: String,
    pub(super) status: Status,
    pub(super) config: String,
    pub(super) config_sha256: String,
    pub(super) affordability_share: Option<f64>,
    pub(super) overrides: serde_json::Value,
    pub(super) out: String,
    /// The run's inputs (from its metadata.json), with absolute paths.
    pub(super) inputs: Vec<InputFile>,
    pub(super) outputs: usize,
    pub(super) duration_s: f64,
    pub(super) peak_rss_mb: Option<f64>,
    pub(super) bdc_rows: Option<u64>,
    pub(super) rows_per_s: Option<f64>,
    pub(super) error: Option<String>,
}

/// The whole manifest.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) tool: gapmap_export::provenance::Tool,
    pub(super) jobs_file: String,
    pub(super) shard: Shard,
    pub(super) generated_at: String,
    pub(super) duration_s: f64,
    pub(super) summary: Summary,
    /// BDC files read once for several jobs (absent from manifests of older versions).
    #[serde(default)]
    pub(super) shared_bdc_reads: Vec<super::shared::SharedRead>,
    pub(super) jobs: Vec<Record>,
}

/// Which slice of the job list this manifest covers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Shard {
    pub(super) index: usize,
    pub(super) count: usize,
}

/// How many jobs ended how.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Summary {
    pub(super) jobs: usize,
    pub(super) ok: usize,
    pub(super) skipped: usize,
    pub(super) failed: usize,
}

impl Summary {
    pub(super) fn of(records: &[Record]) -> Summary {
        let with_status = |status: Status| records.iter().filter(|r| r.status == status).count();
        Summary {
            jobs: records.len(),
            ok: with_status(Status::Ok),
            skipped: with_status(Status::Skipped),
            failed: with_status(Status::Failed),
        }
    }
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// The records of a previous manifest by job name; none when there is no readable one.
pub(super) fn previous(path: &Path) -> BTreeMap<String, Record> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Manifest>(&text).ok())
        .map(|manifest| {
            manifest
                .jobs
                .into_iter()
                .map(|r| (r.name.clone(), r))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the previous record of a job still holds: same configuration hash, every input
/// with the same SHA-256, and its output folder present.
pub(super) fn unchanged(previous: &Record, config_sha256: &str, out: &Path) -> bool {
    matches!(previous.status, Status::Ok | Status::Skipped)
        && previous.config_sha256 == config_sha256
        && out.join("metadata.json").exists()
        && previous.inputs.iter().all(|input| {
            std::fs::read(&input.path).is_ok_and(|bytes| sha256_hex(&bytes) == input.sha256)
        })
}

/// The summary table and each failed job's cause, on stderr.
pub(super) fn print_summary(records: &[Record]) {
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
    for r in records {
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
}

/// Writes the manifest atomically.
pub(super) fn write(path: &Path, manifest: &Manifest) -> Result<()> {
    gapmap_export::write_atomic(path, |out| {
        serde_json::to_writer_pretty(&mut *out, manifest)?;
        out.write_all(b"\n")
    })?;
    Ok(())
}
