//! `gapmap batch` (issue #6): jobs in parallel, past a failing one, with a summary, a manifest,
//! skipping of unchanged jobs, `--force` and `--shard`.

use std::process::Command;

use crate::util::{files, gapmap, root};

fn batch(jobs: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .arg("batch")
        .arg(jobs)
        .args(extra)
        .output()
        .expect("gapmap runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn manifest(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("manifest")).expect("JSON")
}

#[test]
fn a_batch_runs_past_a_failed_job_records_everything_and_skips_what_did_not_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = root().join("data");
    let jobs = dir.path().join("jobs.toml");
    std::fs::write(
        &jobs,
        format!(
            r#"out_root = "runs"

[[job]]
name = "maui"
config = "{maui}"

[[job]]
name = "broken"
config = "{maui}"
set = {{ ookla = {{ tiles = ["nowhere"] }} }}

[[matrix]]
name = "dc-{{share}}"
configs = ["{dc}"]
affordability_shares = [0.02, 0.05]
sets.quick = {{ output = {{ charts = false, viewer = false }} }}
"#,
            maui = data.join("maui/gapmap.toml").display(),
            dc = data.join("dc/gapmap.toml").display(),
        ),
    )
    .expect("jobs file");

    let (code, stderr) = batch(&jobs, &["-j", "2"]);
    assert_eq!(code, 1, "a failed job makes the batch fail:\n{stderr}");
    assert!(
        stderr.contains("4 jobs: 3 ok, 0 skipped, 1 failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("broken failed:") && stderr.contains("nowhere"),
        "{stderr}"
    );
    let runs = dir.path().join("runs");
    let first = manifest(&runs.join("manifest.json"));
    let statuses: Vec<&str> = first["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["ok", "failed", "ok", "ok"], "in file order");
    let dc = &first["jobs"][2];
    assert_eq!(dc["name"], "dc-0.02");
    assert!(dc["peak_rss_mb"].as_f64().is_some_and(|m| m > 10.0), "{dc}");
    assert_eq!(dc["bdc_rows"], 144_606);
    assert!(dc["inputs"].as_array().is_some_and(|i| i.len() > 10));
    assert_eq!(dc["config_sha256"].as_str().map(str::len), Some(64));
    // The two shares really differ.
    let ward = |job: &str| std::fs::read_to_string(runs.join(job).join("ward.csv")).expect("ward");
    assert_ne!(ward("dc-0.02"), ward("dc-0.05"));

    // Unchanged jobs are skipped; the broken one is tried again.
    let (code, stderr) = batch(&jobs, &["-j", "2"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("4 jobs: 0 ok, 3 skipped, 1 failed"),
        "{stderr}"
    );
    // --force reruns; --shard 1/2 runs the second and fourth jobs only.
    let (code, stderr) = batch(&jobs, &["--shard", "1/2", "--force"]);
    assert_eq!(code, 1, "{stderr}");
    let shard = manifest(&runs.join("manifest-shard-1-of-2.json"));
    let names: Vec<&str> = shard["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["broken", "dc-0.05"]);
    assert_eq!(shard["jobs"][1]["status"], "ok");
    let (code, stderr) = batch(&jobs, &["--shard", "2/2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("0 ≤ I < N"), "{stderr}");
}

/// The served count of a job's ward table, summed over the wards.
fn served(csv: &std::path::Path) -> f64 {
    crate::util::read_table(csv)
        .iter()
        .filter_map(|row| crate::util::number(row, "locations_served"))
        .sum()
}

// Regression (issue #12): job names with a dot (`dc-0.02-bead`) all merged their configuration
// into one file, `dc-0.toml`, so jobs ran with each other's thresholds and reported "ok".
#[test]
fn jobs_whose_names_share_a_prefix_up_to_a_dot_run_with_their_own_overrides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dc = root().join("data/dc/gapmap.toml");
    let jobs = dir.path().join("jobs.toml");
    std::fs::write(
        &jobs,
        format!(
            r#"out_root = "runs"

[[matrix]]
name = "dc-{{share}}-{{set}}"
configs = ["{dc}"]
affordability_shares = [0.02, 0.05]
sets.bead = {{ output = {{ charts = false, viewer = false }} }}
sets.gigabit = {{ output = {{ charts = false, viewer = false }}, thresholds = {{ served = {{ download = 1000, upload = 500 }} }} }}
"#,
            dc = dc.display(),
        ),
    )
    .expect("jobs file");
    let (code, stderr) = batch(&jobs, &["-j", "2"]);
    assert_eq!(code, 0, "{stderr}");
    let runs = dir.path().join("runs");
    for share in ["0.02", "0.05"] {
        let bead = served(&runs.join(format!("dc-{share}-bead/ward.csv")));
        let gigabit = served(&runs.join(format!("dc-{share}-gigabit/ward.csv")));
        assert!(
            gigabit < bead * 0.5,
            "share {share}: gigabit served {gigabit} should be far below bead {bead}"
        );
        let metadata = manifest(&runs.join(format!("dc-{share}-gigabit/metadata.json")));
        assert_eq!(
            metadata["configuration"]["thresholds"]["served"]["download"], 1000.0,
            "the gigabit job ran with its own thresholds"
        );
    }
    // No merged configuration file is left beside the outputs.
    let stray: Vec<_> = std::fs::read_dir(&runs)
        .expect("runs")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

// Regression (issue #12): one job with a missing configuration stopped the whole batch before
// any job ran (exit 2, no manifest).
#[test]
fn a_job_with_a_missing_configuration_fails_alone_and_the_manifest_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let maui = root().join("data/maui/gapmap.toml");
    let jobs = dir.path().join("jobs.toml");
    std::fs::write(
        &jobs,
        format!(
            r#"out_root = "runs"

[[job]]
name = "missing"
config = "no/such/gapmap.toml"
set = {{ output = {{ charts = false }} }}

[[job]]
name = "maui"
config = "{maui}"
"#,
            maui = maui.display(),
        ),
    )
    .expect("jobs file");
    let (code, stderr) = batch(&jobs, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("2 jobs: 1 ok, 0 skipped, 1 failed"),
        "{stderr}"
    );
    let written = manifest(&dir.path().join("runs/manifest.json"));
    assert_eq!(written["jobs"][0]["status"], "failed");
    let error = written["jobs"][0]["error"].as_str().expect("a cause");
    assert!(error.contains("no/such/gapmap.toml"), "{error}");
    assert_eq!(written["jobs"][1]["status"], "ok");
}

// Issue #13: jobs over the same BDC files (threshold and share variants) read them once, in the
// batch, and each job's package is byte for byte what a run of its own writes; a snapshot that
// cannot be used is said and the files are read.
#[test]
fn jobs_over_the_same_bdc_files_read_them_once_with_the_figures_of_a_run_of_their_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dc = root().join("data/dc/gapmap.toml");
    let jobs = dir.path().join("jobs.toml");
    std::fs::write(
        &jobs,
        format!(
            r#"out_root = "runs"

[[matrix]]
name = "dc-{{set}}"
configs = ["{dc}"]
affordability_shares = [0.05]
sets.bead = {{ output = {{ charts = false, viewer = false }} }}
sets.gigabit = {{ output = {{ charts = false, viewer = false }}, thresholds = {{ served = {{ download = 1000, upload = 500 }} }} }}
"#,
            dc = dc.display(),
        ),
    )
    .expect("jobs file");
    let (code, stderr) = batch(&jobs, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("reading the 7 BDC files of 2 jobs once"),
        "{stderr}"
    );
    let runs = dir.path().join("runs");
    let written = manifest(&runs.join("manifest.json"));
    let shared = &written["shared_bdc_reads"];
    assert_eq!(shared.as_array().map(Vec::len), Some(1), "{written}");
    assert_eq!(
        shared[0]["jobs"],
        serde_json::json!(["dc-bead", "dc-gigabit"])
    );
    assert_eq!(shared[0]["rows"], 144_606);
    for job in written["jobs"].as_array().expect("jobs") {
        assert_eq!(job["bdc_rows"], 144_606, "{job}");
        assert!(job["rows_per_s"].is_null(), "the job read no rows: {job}");
    }
    // The snapshots go with the batch.
    let left: Vec<_> = std::fs::read_dir(&runs)
        .expect("runs")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".bdc"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // The same job alone, given a snapshot that is not one: it says so, reads the files, and
    // writes the same package.
    let garbage = dir.path().join("garbage.snapshot");
    std::fs::write(&garbage, "location_id\n1\n").expect("write");
    let alone = dir.path().join("alone");
    let output = gapmap(&[
        "--affordability-share",
        "0.05",
        "run",
        "--config",
        dc.to_str().expect("utf-8"),
        "--out",
        alone.to_str().expect("utf-8"),
        "--set",
        "output.charts=false",
        "--set",
        "output.viewer=false",
        "--set",
        "thresholds.served.download=1000",
        "--set",
        "thresholds.served.upload=500",
        "--bdc-snapshot",
        garbage.to_str().expect("utf-8"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot use") && stderr.contains("reading the files"),
        "{stderr}"
    );
    let (alone, shared) = (files(&alone), files(&runs.join("dc-gigabit")));
    assert_eq!(
        alone.keys().collect::<Vec<_>>(),
        shared.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &alone {
        assert!(shared[name] == *bytes, "{} differs", name.display());
    }
}
