//! The jobs file: jobs and matrices expanded into one ordered list of runs, and `--shard`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The jobs file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JobsFile {
    /// Where job folders go (relative to the jobs file); default `out/batch`.
    #[serde(default = "default_root")]
    pub(super) out_root: PathBuf,
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
pub(super) struct Job {
    pub(super) name: String,
    pub(super) config: PathBuf,
    pub(super) affordability_share: Option<f64>,
    pub(super) set: toml::Table,
    pub(super) out: PathBuf,
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
pub(super) fn expand(file: &JobsFile, base: &Path) -> Result<Vec<Job>> {
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
    // Names name output folders, through `slug`: two names may not share one (`a b` and
    // `a-b`), or one job's package would replace the other's.
    let mut seen: BTreeMap<PathBuf, &str> = BTreeMap::new();
    for job in &jobs {
        if let Some(first) = seen.insert(job.out.clone(), &job.name) {
            bail!(
                "jobs `{first}` and `{}` would both write {}: job names name their output folders (characters other than letters, digits, `.`, `_` and `-` become `-`), make them unique",
                job.name,
                job.out.display()
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
pub(super) fn job_config(job: &Job) -> Result<String> {
    let text = std::fs::read_to_string(&job.config)
        .with_context(|| format!("job {}: cannot read {}", job.name, job.config.display()))?;
    gapmap::config::merged_text(&text, &job.config, &gapmap::config::assignments(&job.set))
        .with_context(|| format!("job {}", job.name))
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

    // Regression: `a b` and `a-b` both wrote out/batch/a-b, the second job's package replacing
    // the first's.
    #[test]
    fn two_names_with_one_output_folder_are_refused() {
        let file: JobsFile = toml::from_str(
            r#"
            [[job]]
            name = "a b"
            config = "a/gapmap.toml"
            [[job]]
            name = "a-b"
            config = "a/gapmap.toml"
            "#,
        )
        .expect("jobs file");
        let error = expand(&file, Path::new("/data")).expect_err("one folder, two jobs");
        assert!(error.to_string().contains("`a b` and `a-b`"), "{error}");
    }
}
