//! The DC demo, end to end: invariants that hold whatever the data, checked on real outputs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use crate::util::{count, demo_output, gapmap, number, read_layer, read_table, root};

const COUNTS: [&str; 8] = [
    "locations",
    "locations_served",
    "locations_underserved",
    "locations_unserved",
    "locations_gigabit",
    "locations_best_fiber",
    "locations_best_cable",
    "locations_best_satellite",
];

#[test]
fn served_underserved_and_unserved_partition_the_locations_of_every_district() {
    for level in ["block_group", "tract"] {
        let rows = read_table(&demo_output().join(format!("{level}.csv")));
        assert!(!rows.is_empty());
        for row in &rows {
            assert_eq!(
                count(row, "locations_served")
                    + count(row, "locations_underserved")
                    + count(row, "locations_unserved"),
                count(row, "locations"),
                "{level} {}",
                row["geoid"]
            );
            assert!(count(row, "locations_gigabit") <= count(row, "locations_served"));
            let by_best_technology: u64 = [
                "fiber",
                "cable",
                "copper",
                "licensed_wireless",
                "unlicensed_wireless",
                "satellite",
                "other",
            ]
            .iter()
            .map(|group| count(row, &format!("locations_best_{group}")))
            .sum();
            assert_eq!(
                by_best_technology,
                count(row, "locations"),
                "{level} {}: best technology",
                row["geoid"]
            );
            for share in [
                "share_served",
                "share_underserved",
                "share_unserved",
                "share_no_internet",
                "share_without_broadband",
            ] {
                if let Some(value) = number(row, share) {
                    assert!(
                        (0.0..=1.0).contains(&value),
                        "{share} = {value} in {}",
                        row["geoid"]
                    );
                }
            }
        }
    }
}

#[test]
fn tracts_sum_to_the_same_totals_as_block_groups() {
    let tracts = read_layer(demo_output(), "tract");
    let block_groups = read_layer(demo_output(), "block_group");
    // 206 tracts and 571 block groups, each followed by the `suppressed` line of its summary
    // table (METHOD.md §8) that sums the withheld districts, so the totals below include them.
    assert_eq!(tracts.len(), 207);
    assert_eq!(block_groups.len(), 572);
    assert_eq!(tracts[206]["geoid"], "suppressed");
    assert_eq!(block_groups[571]["geoid"], "suppressed");
    for field in COUNTS {
        let sum =
            |rows: &[BTreeMap<String, String>]| rows.iter().map(|r| count(r, field)).sum::<u64>();
        assert_eq!(sum(&tracts), sum(&block_groups), "{field}");
    }
    let households = |rows: &[BTreeMap<String, String>]| {
        rows.iter()
            .map(|r| number(r, "households").unwrap_or(0.0))
            .sum::<f64>()
    };
    assert!((households(&tracts) - households(&block_groups)).abs() < 1e-6);
    // ACS estimates roll up exactly: every published tract whose block groups are all
    // published is the sum of its block groups.
    let mut by_tract: BTreeMap<String, f64> = BTreeMap::new();
    let mut hidden: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for row in &block_groups[..571] {
        if !row["suppressed"].is_empty() {
            hidden.insert(row["geoid"][..11].to_owned());
        }
        *by_tract.entry(row["geoid"][..11].to_owned()).or_default() +=
            number(row, "households").unwrap_or(0.0);
    }
    let mut compared = 0;
    for tract in &tracts[..206] {
        if !tract["suppressed"].is_empty() || hidden.contains(&tract["geoid"]) {
            continue;
        }
        compared += 1;
        let households =
            number(tract, "households").expect("every DC tract has an ACS household estimate");
        assert_eq!(
            households, by_tract[&tract["geoid"]],
            "tract {}",
            tract["geoid"]
        );
    }
    // Block groups withheld to protect small ones across the package (METHOD.md §8) leave
    // fewer tracts whose block groups are all published.
    assert!(compared > 100, "{compared} tracts compared");
}

/// Distinct residential location ids in the BDC zips, read here with the zip and csv crates
/// (not gapmap's polars reader), so the check is independent.
fn residential_locations_in_input() -> usize {
    let folder = root().join("data/dc/bdc_simulated");
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(folder).expect("bdc folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "zip") {
            continue;
        }
        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(&path).expect("zip")).expect("valid zip");
        for index in 0..archive.len() {
            let mut text = String::new();
            archive
                .by_index(index)
                .expect("member")
                .read_to_string(&mut text)
                .expect("utf-8 CSV");
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers = reader.headers().expect("header").clone();
            let at = |name: &str| headers.iter().position(|h| h == name).expect("BDC column");
            let (location, code) = (at("location_id"), at("business_residential_code"));
            for record in reader.records() {
                let record = record.expect("valid row");
                if matches!(&record[code], "R" | "X") {
                    ids.insert(record[location].to_owned());
                }
            }
        }
    }
    ids.len()
}

#[test]
fn locations_equal_the_distinct_residential_location_ids_of_the_input() {
    let tracts = read_layer(demo_output(), "tract");
    let total: u64 = tracts.iter().map(|r| count(r, "locations")).sum();
    assert_eq!(total as usize, residential_locations_in_input());
}

#[test]
fn geojson_layers_are_rfc7946_with_the_method_field_names() {
    let text = std::fs::read_to_string(demo_output().join("tract.geojson")).expect("tract.geojson");
    let layer: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(layer["type"], "FeatureCollection");
    assert!(layer.get("crs").is_none(), "RFC 7946 has no crs member");
    let features = layer["features"].as_array().expect("features");
    assert_eq!(features.len(), 206);
    let header: Vec<String> = csv::Reader::from_path(demo_output().join("tract.csv"))
        .expect("csv")
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    for feature in features {
        let properties = feature["properties"].as_object().expect("properties");
        let names: Vec<&String> = properties.keys().collect();
        assert_eq!(
            names,
            header.iter().collect::<Vec<_>>(),
            "GeoJSON properties and CSV columns are the same fields"
        );
        let geometry = &feature["geometry"];
        assert!(matches!(
            geometry["type"].as_str(),
            Some("Polygon" | "MultiPolygon")
        ));
        // Every coordinate is WGS84 lon/lat inside DC's box, with at most 6 decimals.
        let mut stack = vec![&geometry["coordinates"]];
        while let Some(value) = stack.pop() {
            let array = value.as_array().expect("coordinate arrays");
            if array.first().is_some_and(serde_json::Value::is_number) {
                let (x, y) = (array[0].as_f64().expect("x"), array[1].as_f64().expect("y"));
                assert!(
                    (-77.2..=-76.9).contains(&x) && (38.79..=39.0).contains(&y),
                    "{x},{y}"
                );
                for c in &array[..2] {
                    let digits = c.to_string().split('.').nth(1).map_or(0, str::len);
                    assert!(digits <= 6, "{c} has more than 6 decimals");
                }
            } else {
                stack.extend(array);
            }
        }
    }
    for field in [
        "geoid",
        "level",
        "locations_unserved",
        "share_no_internet_moe",
        "share_without_broadband",
        "speed_mean_down_mbps",
        "share_slow_tests",
        "need_index",
        "suppressed",
    ] {
        assert!(
            header.iter().any(|h| h == field),
            "METHOD.md §9 field {field}"
        );
    }
}

#[test]
fn metadata_records_inputs_hashes_simulation_and_licenses() {
    let text = std::fs::read_to_string(demo_output().join("metadata.json")).expect("metadata.json");
    let metadata: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(metadata["simulated_availability"], true);
    assert_eq!(metadata["tool"]["name"], "gapmap");
    assert_eq!(
        metadata["generated_at"], "2026-01-01T00:00:00Z",
        "SOURCE_DATE_EPOCH is honoured"
    );
    let inputs = metadata["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.iter().filter(|i| i["role"] == "bdc").count(), 7);
    for input in inputs {
        let hash = input["sha256"].as_str().expect("sha256");
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    let licenses = metadata["licenses"].to_string();
    assert!(licenses.contains("CC BY-NC-SA 4.0") && licenses.contains("Ookla"));
    assert_eq!(
        metadata["configuration"]["thresholds"]["served"]["download"],
        100.0
    );
    assert_eq!(
        metadata["input_summary"]["bdc"]["residential_locations"],
        residential_locations_in_input()
    );
}

#[test]
fn charts_are_written_as_png_and_svg() {
    let charts = demo_output().join("charts");
    // (chart, built on the simulated availability rows)
    for (name, uses_bdc) in [
        ("tract_unserved_underserved", true),
        ("tract_no_internet", false),
        ("tract_need_top20", true),
        ("block_group_unserved_underserved", true),
    ] {
        let png = std::fs::read(charts.join(format!("{name}.png"))).expect("png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}.png is a PNG");
        let svg = std::fs::read_to_string(charts.join(format!("{name}.svg"))).expect("svg");
        assert!(svg.starts_with("<svg"), "{name}.svg is an SVG");
        assert!(svg.contains("Sources:"), "{name} has a source line");
        assert_eq!(
            svg.contains("SIMULATED"),
            uses_bdc,
            "{name}: the simulation warning is on exactly the charts that use BDC rows"
        );
    }
}

#[test]
fn two_runs_write_byte_identical_data_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let again = dir.path().join("again");
    let output = gapmap(&[
        "demo",
        "--out",
        again.to_str().expect("utf-8"),
        "--threads",
        "1",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in [
        "tract.csv",
        "tract.geojson",
        "block_group.csv",
        "block_group.geojson",
        "ward.csv",
        "ward.geojson",
        "metadata.json",
    ] {
        let first = std::fs::read(demo_output().join(file)).expect("first run");
        let second = std::fs::read(again.join(file)).expect("second run");
        assert!(
            first == second,
            "{file} differs between a run on all cores and one on one thread"
        );
    }
}

// METHOD.md §10 on the block-joined DC tiles: each tile has one quarter, so a district's
// pooled tests are the sum of its quarters', and its change is the 2022Q4 mean minus the
// 2022Q1 mean wherever both quarters reach 50 tests; a withheld district has no quarter rows.
#[test]
fn quarters_add_up_to_the_pooled_span_and_give_the_change() {
    let out = demo_output();
    for layer in ["block_group", "tract"] {
        let rows = read_table(&out.join(format!("{layer}.csv")));
        let quarters = read_table(&out.join(format!("{layer}.quarters.csv")));
        let mut compared = 0;
        for row in &rows {
            let of_row: Vec<_> = quarters
                .iter()
                .filter(|q| q["geoid"] == row["geoid"])
                .collect();
            if !row["suppressed"].is_empty() {
                assert!(of_row.is_empty(), "{layer} {}: withheld", row["geoid"]);
                continue;
            }
            assert_eq!(of_row.len(), 4, "{layer} {}", row["geoid"]);
            let tests: f64 = of_row.iter().filter_map(|q| number(q, "speed_tests")).sum();
            assert_eq!(
                number(row, "speed_tests"),
                Some(tests),
                "{layer} {}",
                row["geoid"]
            );
            let mean = |quarter: &str| {
                of_row
                    .iter()
                    .find(|q| q["quarter"] == quarter)
                    .and_then(|q| number(q, "speed_mean_down_mbps"))
            };
            match (mean("2022Q1"), mean("2022Q4")) {
                (Some(first), Some(last)) => {
                    let change = number(row, "speed_change_down_mbps").expect("a change");
                    assert!(
                        (change - (last - first)).abs() < 1e-9,
                        "{layer} {}",
                        row["geoid"]
                    );
                    compared += 1;
                }
                _ => assert_eq!(
                    row["speed_change_down_mbps"], "",
                    "{layer} {}",
                    row["geoid"]
                ),
            }
        }
        assert!(compared > 100, "{layer}: {compared} changes compared");
    }
}
