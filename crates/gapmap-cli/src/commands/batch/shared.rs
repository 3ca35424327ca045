//! BDC files that several jobs read are read once, by the batch: jobs that differ in their
//! thresholds, share of income or outputs but name the same BDC files get the locations from
//! a snapshot instead of each parsing the files (METHOD.md §2: thresholds are applied after
//! reading). The snapshots live in a folder of the output root for the batch's duration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gapmap::{Config, Overrides};
use serde::{Deserialize, Serialize};

use super::jobs::Job;
use crate::commands::run::BdcReport;

/// One read shared by several jobs, as the manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct SharedRead {
    /// The jobs that were given the snapshot, in job order.
    pub(super) jobs: Vec<String>,
    /// The BDC files.
    pub(super) files: usize,
    /// Data rows read.
    pub(super) rows: Option<u64>,
    /// The read and the snapshot's writing.
    pub(super) duration_s: f64,
    /// Why there is no snapshot (each job then reads the files itself).
    pub(super) error: Option<String>,
}

/// The snapshots of a batch: removed when dropped.
pub(super) struct SharedReads {
    dir: Option<PathBuf>,
    by_job: BTreeMap<String, PathBuf>,
    reads: Vec<SharedRead>,
}

impl SharedReads {
    /// Reads once the BDC files that two or more of `jobs` name, into snapshots in a folder
    /// of `root`. A job whose configuration cannot be resolved here is left to fail on its
    /// own; a read that fails leaves each of its jobs to read (and report) the files itself.
    pub(super) fn prepare(jobs: &[&Job], root: &Path) -> SharedReads {
        let mut groups: BTreeMap<Vec<PathBuf>, Vec<(&Job, Config)>> = BTreeMap::new();
        for job in jobs {
            let Some((config, files)) = bdc_files(job) else {
                continue;
            };
            groups.entry(files).or_default().push((job, config));
        }
        let mut shared = SharedReads {
            dir: None,
            by_job: BTreeMap::new(),
            reads: Vec::new(),
        };
        for (files, group) in groups.into_iter().filter(|(_, g)| g.len() > 1) {
            let names: Vec<String> = group.iter().map(|(job, _)| job.name.clone()).collect();
            eprintln!(
                "batch: reading the {} BDC files of {} jobs once ({})",
                files.len(),
                names.len(),
                names.join(", ")
            );
            let started = Instant::now();
            let path = shared.snapshot_path(root);
            let read = path.and_then(|path| {
                let report = BdcReport::new(false);
                let snapshot = gapmap::read_bdc_snapshot(&group[0].1, &|p| report.update(p));
                report.finish();
                let snapshot = snapshot?.ok_or_else(|| anyhow::anyhow!("no [bdc] files"))?;
                snapshot.save(&path).map_err(|e| {
                    anyhow::anyhow!("cannot write the snapshot {}: {e}", path.display())
                })?;
                Ok((path, snapshot.stats.rows))
            });
            let mut record = SharedRead {
                jobs: names.clone(),
                files: files.len(),
                rows: None,
                duration_s: started.elapsed().as_secs_f64(),
                error: None,
            };
            match read {
                Ok((path, rows)) => {
                    eprintln!(
                        "batch: {rows} BDC rows read in {:.2} s for {} jobs",
                        record.duration_s,
                        names.len()
                    );
                    record.rows = Some(rows);
                    for name in names {
                        shared.by_job.insert(name, path.clone());
                    }
                }
                Err(e) => {
                    let error = format!("{e:#}");
                    eprintln!("batch: no shared BDC read ({error}): each job reads its files");
                    record.error = Some(error);
                }
            }
            shared.reads.push(record);
        }
        shared
    }

    /// What the manifest records; the snapshots are removed.
    pub(super) fn finish(mut self) -> Vec<SharedRead> {
        std::mem::take(&mut self.reads)
    }

    /// The snapshot `job` is given, if any.
    pub(super) fn of(&self, job: &Job) -> Option<&Path> {
        self.by_job.get(&job.name).map(PathBuf::as_path)
    }

    /// A new snapshot file in the batch's folder (created on first use).
    fn snapshot_path(&mut self, root: &Path) -> anyhow::Result<PathBuf> {
        if self.dir.is_none() {
            let dir = root.join(format!(".bdc-snapshots-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            self.dir = Some(dir);
        }
        let dir = self.dir.as_deref().unwrap_or(root);
        Ok(dir.join(format!("{}.snapshot", self.reads.len())))
    }
}

impl Drop for SharedReads {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The job's configuration as its child will resolve it, and its BDC files; `None` when it
/// has none or cannot be resolved here (the child reports why).
fn bdc_files(job: &Job) -> Option<(Config, Vec<PathBuf>)> {
    let overrides = Overrides {
        affordability_share: job.affordability_share,
        set: gapmap::config::assignments(&job.set),
    };
    let config = Config::resolve(&job.config, &overrides).ok()?;
    let bdc = config.settings.bdc.as_ref()?;
    let files = gapmap::settings::expand(&config.base, &bdc.files, &["zip", "csv"]).ok()?;
    Some((config, files))
}
