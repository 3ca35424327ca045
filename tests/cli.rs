//! The command as a newcomer meets it: help, wrong paths, bad configuration, bad input.

use crate::util::{gapmap, root};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_lists_the_commands() {
    let output = gapmap(&["--help"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("run") && text.contains("demo"), "{text}");
}

#[test]
fn a_missing_configuration_is_named_and_exits_3() {
    let output = gapmap(&[
        "run",
        "--config",
        "no/such/gapmap.toml",
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("no/such/gapmap.toml"),
        "{}",
        stderr(&output)
    );
}

fn write_config(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("gapmap.toml");
    std::fs::write(&path, body).expect("write config");
    path
}

#[test]
fn an_unknown_key_is_an_error_not_a_silent_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "[area]\nname = \"x\"\n[thresholds]\nserved = { download = 100, uplod = 20 }\n[[level]]\nlevel = \"tract\"\nboundaries = \"t.geojson\"\n",
    );
    let output = gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("uplod"), "{}", stderr(&output));
}

#[test]
fn missing_input_files_are_listed_with_their_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "[area]\nname = \"x\"\n[ookla]\nblock_tiles = \"nowhere.csv\"\nperiod = \"2022\"\n[[level]]\nlevel = \"tract\"\nboundaries = \"t.geojson\"\n",
    );
    let output = gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert!(text.contains("ookla.block_tiles = nowhere.csv"), "{text}");
    assert!(
        text.contains("level tract boundaries = t.geojson"),
        "{text}"
    );
}

#[test]
fn a_bdc_file_with_a_missing_column_names_the_file_and_leaves_no_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bdc.csv"),
        "frn,provider_id,location_id\n1,2,3\n",
    )
    .expect("write");
    let tracts = root().join("data/dc/boundaries/cb_2020_11_tract_500k.geojson");
    let config = write_config(
        dir.path(),
        &format!(
            "[area]\nname = \"x\"\n[bdc]\nfiles = [\"bdc.csv\"]\nvintage = \"test\"\n[[level]]\nlevel = \"tract\"\nboundaries = \"{}\"\n",
            tracts.display()
        ),
    );
    let out = dir.path().join("out");
    let output = gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert!(
        text.contains("bdc.csv") && text.contains("missing column(s)"),
        "{text}"
    );
    assert!(!out.exists(), "nothing is written when an input is bad");
}

#[test]
fn a_wrong_id_field_says_which_fields_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tracts = root().join("data/dc/boundaries/cb_2020_11_tract_500k.geojson");
    let config = write_config(
        dir.path(),
        &format!(
            "[area]\nname = \"x\"\n[[level]]\nlevel = \"tract\"\nboundaries = \"{}\"\nid_field = \"TRACT_ID\"\n",
            tracts.display()
        ),
    );
    let output = gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert!(
        text.contains("TRACT_ID") && text.contains("GEOID"),
        "{text}"
    );
}

#[test]
fn set_changes_one_key_of_the_configuration_for_one_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("maui");
    let output = gapmap(&[
        "run",
        "--config",
        "data/maui/gapmap.toml",
        "--out",
        out.to_str().expect("utf-8"),
        "--set",
        "output.charts=false",
        "--set",
        "area.name=\"Maui, set from the command line\"",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("metadata.json")).expect("metadata"),
    )
    .expect("JSON");
    assert_eq!(metadata["area"], "Maui, set from the command line");
    assert_eq!(metadata["charts"].as_array().map(Vec::len), Some(0));

    let output = gapmap(&[
        "run",
        "--config",
        "data/maui/gapmap.toml",
        "--out",
        out.to_str().expect("utf-8"),
        "--set",
        "thresholds.served.download",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("KEY=VALUE"), "{stderr}");
}

// Issue #14: usage errors and data errors have distinct exit statuses, documented in --help.
#[test]
fn usage_errors_exit_2_and_data_errors_3_as_help_says() {
    let help = String::from_utf8_lossy(&gapmap(&["--help"]).stdout).into_owned();
    assert!(
        help.contains("2  usage") && help.contains("3  the configuration"),
        "{help}"
    );
    for usage in [
        vec!["run", "--config"],
        vec!["frobnicate"],
        vec!["--affordability-share", "2", "demo"],
        vec!["batch", "jobs.toml", "--shard", "4/4"],
    ] {
        let output = gapmap(&usage);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{usage:?}: {}",
            stderr(&output)
        );
    }
    let output = gapmap(&["run", "--config", "no/such.toml", "--out", "/tmp/never"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}

#[test]
fn check_reads_every_input_without_running() {
    let output = gapmap(&["--json", "check", "--config", "data/dc/gapmap.toml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is valid: 31 input files read, 5 district layers"),
        "{}",
        stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["command"], "check");
    assert_eq!(report["inputs"].as_array().map(Vec::len), Some(31));
    assert!(report["files"].as_array().is_some_and(Vec::is_empty));
    // A broken input is found without running: exit 3, the error as JSON too.
    let output = gapmap(&[
        "--json",
        "check",
        "--config",
        "data/dc/gapmap.toml",
        "--set",
        "acs.tables=[\"nowhere.csv\"]",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(error["status"], "error");
    assert_eq!(error["exit_code"], 3);
    assert!(
        error["error"]
            .as_str()
            .is_some_and(|e| e.contains("nowhere.csv")),
        "{error}"
    );
}

#[test]
fn json_summarises_a_run_and_completions_are_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("maui");
    let output = gapmap(&[
        "--json",
        "-q",
        "run",
        "--config",
        "data/maui/gapmap.toml",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["status"], "ok");
    let files = report["files"].as_array().expect("files");
    assert!(
        files
            .iter()
            .any(|f| f.as_str().is_some_and(|f| f.ends_with("county.parquet")))
    );
    for file in files {
        assert!(
            std::path::Path::new(file.as_str().expect("path")).is_file(),
            "{file}"
        );
    }
    assert_eq!(report["layers"][0]["name"], "county");
    assert_eq!(report["layers"][0]["districts"], 2);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = gapmap(&["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains("gapmap") && script.contains("check"),
            "{shell}"
        );
    }
}
