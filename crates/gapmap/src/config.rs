//! The resolved configuration of a run: the file's settings with the caller's overrides merged
//! once, and the folder its relative paths start from. Nothing patches it afterwards.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::settings::{Settings, check_share};

/// What a caller changes in a configuration file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// The share of income of METHOD.md §4 (`--affordability-share`).
    pub affordability_share: Option<f64>,
    /// Keys set as in the file, `KEY=VALUE` with a dotted KEY and a TOML VALUE
    /// (`thresholds.served.download=25`); tables merge, anything else replaces (`--set`).
    pub set: Vec<String>,
}

/// A run's configuration, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    /// The checked settings, overrides applied.
    pub settings: Settings,
    /// The folder relative input paths start from: the configuration's.
    pub base: PathBuf,
    /// The file the settings came from, named in messages.
    pub path: PathBuf,
}

impl Config {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Config> {
        Config::resolve(path.as_ref(), &Overrides::default())
    }

    /// Reads the configuration at `path`, applies `overrides` and checks the result.
    pub fn resolve(path: &Path, overrides: &Overrides) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let text = merged_text(&text, path, &overrides.set)?;
        let mut settings = Settings::parse(&text, &base, path)?;
        if let Some(share) = overrides.affordability_share {
            check_share(share).context("in --affordability-share")?;
            match &mut settings.affordability {
                Some(affordability) => affordability.share_of_income = share,
                None => bail!(
                    "--affordability-share was given but {} has no [affordability] section",
                    path.display()
                ),
            }
        }
        Ok(Config {
            settings,
            base,
            path: path.to_path_buf(),
        })
    }

    /// A path as the run shows it: relative to the configuration's folder where it can be.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.base)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// The configuration's text with every `KEY=VALUE` of `set` merged in; the text unchanged
/// when there is none.
pub fn merged_text(text: &str, path: &Path, set: &[String]) -> Result<String> {
    if set.is_empty() {
        return Ok(text.to_owned());
    }
    let mut table: toml::Table = toml::from_str(text)
        .with_context(|| format!("{} is not a valid gapmap configuration", path.display()))?;
    for assignment in set {
        merge(&mut table, &parse_assignment(assignment)?);
    }
    toml::to_string(&table).context("cannot write the merged configuration")
}

/// `KEY=VALUE` as the table it sets (`a.b=1` → `{a = {b = 1}}`).
pub fn parse_assignment(assignment: &str) -> Result<toml::Table> {
    let Some((key, value)) = assignment.split_once('=') else {
        bail!("--set {assignment}: give KEY=VALUE, e.g. thresholds.served.download=25");
    };
    toml::from_str(&format!("{} = {}", key.trim(), value.trim())).with_context(|| {
        format!(
            "--set {assignment}: KEY is a dotted key of the configuration and VALUE a TOML value (quote text: area.name=\"Ward 8\")"
        )
    })
}

/// `KEY=VALUE` assignments that set every leaf of `table` (for passing a table of overrides
/// on a command line); arrays and non-table values are set whole.
pub fn assignments(table: &toml::Table) -> Vec<String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
        for (key, value) in table {
            let quoted = toml::Value::String(key.clone()).to_string();
            let path = if prefix.is_empty() {
                quoted
            } else {
                format!("{prefix}.{quoted}")
            };
            match value {
                toml::Value::Table(inner) if !inner.is_empty() => walk(&path, inner, out),
                other => out.push(format!("{path}={other}")),
            }
        }
    }
    let mut out = Vec::new();
    walk("", table, &mut out);
    out
}

/// Deep-merges `patch` into `base` (tables merge, anything else replaces).
pub fn merge(base: &mut toml::Table, patch: &toml::Table) {
    for (key, value) in patch {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(mine)), toml::Value::Table(theirs)) => merge(mine, theirs),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).expect("toml")
    }

    #[test]
    fn overrides_merge_deeply() {
        let mut base =
            table("[thresholds]\nserved = { download = 100, upload = 20 }\nmin_speed_tests = 50\n");
        merge(
            &mut base,
            &table("[thresholds]\nserved = { download = 25 }\n"),
        );
        let t = &base["thresholds"];
        assert_eq!(t["served"]["download"].as_integer(), Some(25));
        assert_eq!(t["served"]["upload"].as_integer(), Some(20), "kept");
        assert_eq!(t["min_speed_tests"].as_integer(), Some(50), "kept");
    }

    #[test]
    fn a_table_round_trips_through_assignments() {
        let set = table(
            r#"
            thresholds = { served = { download = 25, upload = 3 } }
            area = { name = "Ward \"8\" = east" }
            output = { charts = false, top_districts = 5 }
            level = [{ level = "tract", boundaries = "t.geojson" }]
            "#,
        );
        let assignments = assignments(&set);
        assert_eq!(assignments.len(), 6, "{assignments:?}");
        let mut rebuilt = toml::Table::new();
        for assignment in &assignments {
            merge(&mut rebuilt, &parse_assignment(assignment).expect("parses"));
        }
        assert_eq!(rebuilt, set);
    }

    #[test]
    fn a_set_without_a_value_is_refused_with_an_example() {
        let error = parse_assignment("thresholds.served.download").expect_err("no =");
        assert!(error.to_string().contains("KEY=VALUE"), "{error}");
        assert!(parse_assignment("thresholds..x=1").is_err());
    }
}
