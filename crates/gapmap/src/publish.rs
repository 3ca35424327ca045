//! A run's package appears all at once or not at all.
//!
//! Each file is already written to a temporary name and renamed, but a package is many files
//! whose `datapackage.json` lists the others' hashes: a run killed halfway would leave new
//! tables beside an old descriptor. So a run writes its whole package into a staging folder
//! beside the output folder (`.<name>.gapmap-<pid>`) and then swaps the two folders in one
//! atomic `renameat2(RENAME_EXCHANGE)` (rustix), removing the old package afterwards. A run
//! killed at any point leaves the previous package intact; its staging folder is removed by
//! the next run.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The staging folder of a run; removed on drop unless committed.
pub struct Staging {
    folder: PathBuf,
    out: PathBuf,
    committed: bool,
}

/// Checks that `out` can take a package: a new or empty folder, or one a previous run wrote.
pub fn check_out(out: &Path) -> Result<()> {
    if out.exists() {
        if !out.is_dir() {
            bail!(
                "--out {} is a file: give a folder (gapmap writes a package of files)",
                out.display()
            );
        }
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read the output folder {}", out.display()))?
            .next()
            .is_none();
        if !empty && !is_package(out) {
            bail!(
                "--out {} is a folder that gapmap did not write and is not empty: a run replaces the whole folder, so give a new or empty folder (or one a previous run wrote)",
                out.display()
            );
        }
        let foreign = foreign_files(out);
        if !empty && !foreign.is_empty() {
            bail!(
                "--out {} holds files the previous run did not write, which replacing the package would delete: {}; move them out of the folder, or give another --out",
                out.display(),
                foreign.join(", ")
            );
        }
    }
    Ok(())
}

/// Whether `dir` holds a package gapmap wrote (so that replacing it loses nothing of the user's).
fn is_package(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("metadata.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|metadata| metadata["tool"]["name"] == "gapmap")
}

/// The files of a previous package that its `datapackage.json` does not list (a user's notes,
/// an edited copy): anything but what gapmap wrote.
fn foreign_files(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("datapackage.json")) else {
        return Vec::new();
    };
    let Ok(package) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let listed: std::collections::BTreeSet<String> = package["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["path"].as_str().map(str::to_owned))
        .chain(["datapackage.json".to_owned()])
        .collect();
    let mut foreign = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                let shown = relative.to_string_lossy().replace('\\', "/");
                if !listed.contains(&shown) {
                    foreign.push(shown);
                }
            }
        }
    }
    foreign.sort();
    foreign
}

fn staging_prefix(out: &Path) -> String {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.gapmap-")
}

impl Staging {
    /// Checks the output folder and creates the staging folder beside it.
    pub fn prepare(out: &Path) -> Result<Staging> {
        check_out(out)?;
        // An --out that is a symlink keeps pointing at the package: the package replaces the
        // folder it points to, never the link (which was replaced by a folder).
        let resolved;
        let out = if out.is_symlink() {
            resolved = std::fs::canonicalize(out)
                .with_context(|| format!("--out {} is a broken symlink", out.display()))?;
            resolved.as_path()
        } else {
            out
        };
        let out = if out.is_absolute() {
            out.to_path_buf()
        } else {
            std::env::current_dir()
                .context("cannot read the current folder")?
                .join(out)
        };
        let parent = out
            .parent()
            .context("--out cannot be the root folder")?
            .to_path_buf();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        remove_stale(&parent, &staging_prefix(&out));
        let staging = parent.join(format!("{}{}", staging_prefix(&out), std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        std::fs::create_dir(&staging)
            .with_context(|| format!("cannot create the staging folder {}", staging.display()))?;
        Ok(Staging {
            folder: staging,
            out,
            committed: false,
        })
    }

    /// Where the run writes.
    pub fn path(&self) -> &Path {
        &self.folder
    }

    /// Puts the package in place: an atomic exchange with the previous package, or a rename
    /// when there is none.
    pub fn commit(mut self) -> Result<()> {
        let io = |what: &str, e: std::io::Error| {
            anyhow::anyhow!("cannot {what} {}: {e}", self.out.display())
        };
        if self.out.exists() {
            if exchange(&self.folder, &self.out).is_err() {
                // No atomic exchange here (not Linux, or a filesystem without it): two
                // renames, with a short window in which the folder is absent.
                let old = self.folder.with_extension("old");
                std::fs::rename(&self.out, &old).map_err(|e| io("move aside", e))?;
                std::fs::rename(&self.folder, &self.out).map_err(|e| io("create", e))?;
                std::fs::rename(&old, &self.folder).map_err(|e| io("clean up beside", e))?;
            }
            // The staging path now holds the previous package.
            let _ = std::fs::remove_dir_all(&self.folder);
        } else {
            std::fs::rename(&self.folder, &self.out).map_err(|e| io("create", e))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        a,
        rustix::fs::CWD,
        b,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes the staging folders of runs that are no longer running (killed ones).
fn remove_stale(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(prefix) else {
            continue;
        };
        let pid = pid.trim_end_matches(".old");
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| p == std::process::id() || Path::new(&format!("/proc/{p}")).exists());
        if !alive && cfg!(target_os = "linux") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes the package of a run into `out`, all at once (a staging folder swapped in); returns
/// the files written, under `out`, in writing order.
pub fn publish(
    out: &Path,
    config: &crate::config::Config,
    inputs: &crate::load::Inputs,
    results: &crate::compute::Results,
) -> Result<Vec<PathBuf>> {
    let staging = Staging::prepare(out)?;
    let written = crate::package::write_package(staging.path(), config, inputs, results)?;
    let written = written
        .iter()
        .map(|p| out.join(p.strip_prefix(staging.path()).unwrap_or(p)))
        .collect();
    staging.commit()?;
    Ok(written)
}
