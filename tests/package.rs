//! The publication package (issue #5): datapackage.json, methodology.md, suppression (METHOD.md
//! §8), web layers, determinism, and the static viewer in a real browser.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::util::{demo_output, files, number, read_layer, read_table, root, run_config};

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON")
}

#[test]
fn the_data_package_lists_every_file_with_its_true_size_and_hash() {
    let out = demo_output();
    let package = json(&out.join("datapackage.json"));
    let resources = package["resources"].as_array().expect("resources");
    let on_disk = files(out);
    // Every file but the descriptor itself is a resource, and nothing else is.
    let listed: std::collections::BTreeSet<PathBuf> = resources
        .iter()
        .map(|r| PathBuf::from(r["path"].as_str().expect("path")))
        .collect();
    let present: std::collections::BTreeSet<PathBuf> = on_disk
        .keys()
        .filter(|p| *p != Path::new("datapackage.json"))
        .cloned()
        .collect();
    assert_eq!(listed, present);
    for resource in resources {
        let path = PathBuf::from(resource["path"].as_str().expect("path"));
        let bytes = &on_disk[&path];
        assert_eq!(
            resource["bytes"].as_u64(),
            Some(bytes.len() as u64),
            "{path:?}"
        );
        let hash = Sha256::digest(bytes)
            .iter()
            .fold(String::new(), |mut hex, b| {
                use std::fmt::Write as _;
                let _ = write!(hex, "{b:02x}");
                hex
            });
        assert_eq!(resource["hash"], format!("sha256:{hash}"), "{path:?}");
        assert!(
            resource["licenses"]
                .as_array()
                .is_some_and(|l| !l.is_empty()),
            "{path:?}"
        );
    }
    // Tables carry a schema with every output field; the ward table carries Ookla's license.
    let ward = resources
        .iter()
        .find(|r| r["path"] == "ward.csv")
        .expect("ward.csv");
    let fields: Vec<&str> = ward["schema"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(fields, gapmap_gaps::FIELD_NAMES.to_vec());
    // Licenses follow the data in each table: the wards have no Ookla field (speeds are not
    // apportioned) but the city's own tables; the tracts have Ookla speeds.
    let licenses = ward["licenses"].to_string();
    assert!(!licenses.contains("CC-BY-NC-SA-4.0"), "{licenses}");
    assert!(
        licenses.contains("DC Open Data") && licenses.contains("other-pd"),
        "{licenses}"
    );
    assert!(
        licenses.contains("SIMULATED"),
        "simulated BDC rows are labelled: {licenses}"
    );
    let tract = resources
        .iter()
        .find(|r| r["path"] == "tract.csv")
        .expect("tract.csv");
    let licenses = tract["licenses"].to_string();
    assert!(
        licenses.contains("CC-BY-NC-SA-4.0") && licenses.contains("Speedtest"),
        "{licenses}"
    );
    // Provenance: the inputs with their SHA-256, as in metadata.json.
    let metadata = json(&out.join("metadata.json"));
    assert_eq!(
        package["sources"].as_array().map(Vec::len),
        metadata["inputs"].as_array().map(Vec::len)
    );
    assert_eq!(package["created"], metadata["generated_at"]);
}

#[test]
fn methodology_states_the_thresholds_and_weights_the_run_used() {
    let text = std::fs::read_to_string(demo_output().join("methodology.md")).expect("methodology");
    for expected in [
        "≥ 100 Mbps down and ≥ 20 Mbps up",
        "≥ 25 / 3 Mbps",
        "Share of income: **2%**",
        "fewer than **50** tests",
        "not served 1, without broadband 1, unaffordable 1, slow tests 1",
        "fewer than **20** households or **20** residential locations",
        "`block_group`: 40 withheld as small",
        "SIMULATED",
    ] {
        assert!(text.contains(expected), "methodology.md lacks {expected:?}");
    }
    // Every input is listed with its hash.
    let metadata = json(&demo_output().join("metadata.json"));
    for input in metadata["inputs"].as_array().expect("inputs") {
        assert!(text.contains(input["sha256"].as_str().expect("hash")));
    }
}

#[test]
fn small_districts_are_withheld_and_the_suppressed_line_keeps_totals() {
    let rows = read_layer(demo_output(), "block_group");
    let (districts, lines) = rows.split_at(571);
    assert_eq!(lines.len(), 1);
    // The district table holds districts only (issue #14: portals and a `mean()` took the
    // lines for districts); the lines are in the summary table.
    for name in ["block_group", "tract", "ward", "ward_2012", "anc"] {
        let table = read_table(&demo_output().join(format!("{name}.csv")));
        assert!(
            table
                .iter()
                .all(|r| r["geoid"] != "suppressed" && r["geoid"] != "unassigned"),
            "{name}.csv"
        );
        assert!(demo_output().join(format!("{name}.summary.csv")).is_file());
    }
    let line = &lines[0];
    assert_eq!(line["geoid"], "suppressed");
    let withheld: Vec<_> = districts
        .iter()
        .filter(|r| !r["suppressed"].is_empty())
        .collect();
    let small = withheld
        .iter()
        .filter(|r| r["suppressed"].starts_with("fewer than"))
        .count();
    assert_eq!(small, 40, "block groups below a threshold themselves");
    // The rest protect them within the layer and across the package (METHOD.md §8).
    assert!(
        withheld
            .iter()
            .all(|r| r["suppressed"].starts_with("fewer than")
                || r["suppressed"].starts_with("complementary")),
        "every withheld row says why"
    );
    assert_eq!(withheld.len(), 171);
    for row in &withheld {
        // Nothing about the district's people or homes is left.
        for field in [
            "households",
            "locations",
            "share_served",
            "no_internet",
            "need_index",
            "speed_tests",
            "median_income",
        ] {
            assert_eq!(row[field], "", "{} {field}", row["geoid"]);
        }
    }
    for row in districts.iter().filter(|r| r["suppressed"].is_empty()) {
        let households = number(row, "households").unwrap_or(20.0);
        let locations = number(row, "locations").unwrap_or(20.0);
        assert!(
            households >= 20.0 && locations >= 20.0,
            "{} published",
            row["geoid"]
        );
    }
    // The line is the sum of the withheld districts: the table's totals equal the published
    // tract totals, which themselves add up from every block group.
    let tracts = read_layer(demo_output(), "tract");
    for field in [
        "locations",
        "locations_served",
        "locations_unserved",
        "households",
        "no_internet",
    ] {
        let sum = |rows: &[BTreeMap<String, String>]| {
            rows.iter()
                .map(|r| number(r, field).unwrap_or(0.0))
                .sum::<f64>()
        };
        assert!((sum(&rows) - sum(&tracts)).abs() < 1e-6, "{field}");
    }
    // The GeoJSON has no `suppressed` line (no geometry) and never a location id.
    let geojson =
        std::fs::read_to_string(demo_output().join("block_group.geojson")).expect("geojson");
    assert_eq!(
        json(&demo_output().join("block_group.geojson"))["features"]
            .as_array()
            .map(Vec::len),
        Some(571)
    );
    assert!(!geojson.contains("location_id"));
}

#[test]
fn web_layers_are_smaller_and_keep_every_district() {
    let out = demo_output();
    for layer in ["ward", "anc", "tract"] {
        let full = std::fs::metadata(out.join(format!("{layer}.geojson")))
            .expect("full")
            .len();
        let web = std::fs::metadata(out.join(format!("{layer}.web.geojson")))
            .expect("web")
            .len();
        assert!(web < full, "{layer}: {web} ≥ {full}");
        let a = json(&out.join(format!("{layer}.geojson")));
        let b = json(&out.join(format!("{layer}.web.geojson")));
        let ids = |v: &serde_json::Value| -> Vec<String> {
            v["features"]
                .as_array()
                .expect("features")
                .iter()
                .map(|f| f["id"].to_string())
                .collect()
        };
        assert_eq!(ids(&a), ids(&b));
        for feature in b["features"].as_array().expect("features") {
            assert!(
                feature["geometry"]["coordinates"].to_string().len() > 20,
                "{layer} lost a geometry"
            );
        }
    }
    let ward = std::fs::metadata(out.join("ward.web.geojson"))
        .expect("web")
        .len();
    assert!(
        ward * 5
            < std::fs::metadata(out.join("ward.geojson"))
                .expect("full")
                .len()
    );
}

#[test]
fn two_runs_with_the_same_source_date_give_byte_identical_packages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |name: &str, threads: &str| {
        let out = dir.path().join(name);
        let output = Command::new(env!("CARGO_BIN_EXE_gapmap"))
            .args(["--threads", threads, "demo", "--out"])
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .current_dir(root())
            .output()
            .expect("gapmap runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        files(&out)
    };
    let a = run("a", "2");
    let b = run("b", "1");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path:?} differs between two runs");
    }
    assert!(a.len() > 90, "{} files", a.len());
    let metadata: serde_json::Value =
        serde_json::from_slice(&a[Path::new("metadata.json")]).expect("JSON");
    assert_eq!(metadata["generated_at"], "2023-11-14T22:13:20Z");
}

#[test]
fn geojsonl_is_one_feature_per_line_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let maui = root().join("data/maui");
    let config = std::fs::read_to_string(maui.join("gapmap.toml"))
        .expect("config")
        .replace(
            "\"ookla_fixed_tiles\"",
            &format!("\"{}/ookla_fixed_tiles\"", maui.display()),
        )
        .replace(
            "\"census2020/",
            &format!("\"{}/census2020/", maui.display()),
        )
        .replace(
            "\"boundaries/",
            &format!("\"{}/boundaries/", maui.display()),
        );
    let config = if config.contains("[output]") {
        config.replace(
            "[output]",
            "[output]\ngeojsonl = \"always\"\nclassification = \"natural_breaks\"",
        )
    } else {
        format!("{config}\n[output]\ngeojsonl = \"always\"\nclassification = \"natural_breaks\"\n")
    };
    let path = dir.path().join("maui.toml");
    std::fs::write(&path, config).expect("write config");
    let out = dir.path().join("out");
    run_config(&path, &out);
    let text = std::fs::read_to_string(out.join("county.geojsonl")).expect("geojsonl");
    let collection = json(&out.join("county.geojson"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        collection["features"].as_array().map_or(0, Vec::len)
    );
    for (line, feature) in lines
        .iter()
        .zip(collection["features"].as_array().expect("features"))
    {
        let parsed: serde_json::Value = serde_json::from_str(line).expect("each line is a Feature");
        assert_eq!(&parsed, feature);
    }
    let metadata = std::fs::read_to_string(out.join("index.html")).expect("viewer");
    assert!(metadata.contains("viewer/data.js"));
    let data = std::fs::read_to_string(out.join("viewer/data.js")).expect("data.js");
    assert!(data.contains("natural breaks (Jenks)"));
}
