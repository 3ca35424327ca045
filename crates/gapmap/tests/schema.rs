//! Every package gapmap accepts to write satisfies its own `datapackage.json` table schema
//! (issue #12): for generated areas — any households, adoption counts within their universe,
//! any BDC rows, any suppression thresholds — each CSV value has its field's type and meets its
//! constraints (counts ≥ 0, shares ≤ 1, need ≤ 100, unique ids). Shares of −0.07 and 1.18 were
//! once published, and the package then failed its own schema.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;

const BDC_HEADER: &str = "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id";

/// One generated block group: ACS cells as written (counts within or beyond their universe,
/// negative ones, `inf`, `NaN`, annotations) and BDC rows (technology, download, upload, low
/// latency). What gapmap refuses is skipped; what it accepts must publish a valid package.
#[derive(Debug, Clone)]
struct BlockGroup {
    households: String,
    broadband: String,
    no_internet: String,
    moe: String,
    rows: Vec<(u16, u32, u32, bool)>,
}

/// An ACS cell: mostly a count in 0..universe, sometimes anything a file may hold.
fn cell(universe: i64) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0..=universe.max(0)).prop_map(|n| n.to_string()),
        1 => (-60i64..600).prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec!["inf", "NaN", "**", "-", "(X)", "-666666666", "", "2.5"])
            .prop_map(str::to_owned),
    ]
}

fn block_group() -> impl Strategy<Value = BlockGroup> {
    let rows = prop::collection::vec((0usize..6, 0u32..1200, 0u32..600, any::<bool>()), 0..30);
    (0i64..400, rows)
        .prop_flat_map(|(households, rows)| {
            (
                Just(households.to_string()),
                cell(households),
                cell(households / 2),
                cell(60),
                Just(rows),
            )
        })
        .prop_map(
            |(households, broadband, no_internet, moe, rows)| BlockGroup {
                households,
                broadband,
                no_internet,
                moe,
                rows: rows
                    .into_iter()
                    .map(|(t, down, up, latency)| ([10, 40, 50, 60, 71, 72][t], down, up, latency))
                    .collect(),
            },
        )
}

fn geoid(i: usize) -> String {
    format!("01001020100{}", i + 1)
}

/// Writes an area of `groups` block groups side by side, and its configuration.
fn write_area(dir: &Path, groups: &[BlockGroup], thresholds: (u32, u32)) {
    let mut bdc = format!("{BDC_HEADER}\n");
    let mut location = 1000;
    for (i, group) in groups.iter().enumerate() {
        for (technology, down, up, latency) in &group.rows {
            location += 1;
            let _ = writeln!(
                bdc,
                "0000000001,100001,Co,{location},{technology},{down},{up},{},R,AL,{}000,882aa84ed7fffff",
                u8::from(*latency),
                geoid(i)
            );
        }
    }
    std::fs::create_dir_all(dir.join("bdc")).expect("folder");
    std::fs::write(dir.join("bdc/rows.csv"), bdc).expect("bdc");
    std::fs::create_dir_all(dir.join("acs")).expect("folder");
    for variable in ["B28002_001", "B28002_004", "B28002_013"] {
        let value = |g: &BlockGroup| match variable {
            "B28002_001" => g.households.clone(),
            "B28002_004" => g.broadband.clone(),
            _ => g.no_internet.clone(),
        };
        let mut text = format!("{variable}E,{variable}M,GEOID21\n");
        for (i, group) in groups.iter().enumerate() {
            let _ = writeln!(text, "{},{},{}", value(group), group.moe, geoid(i));
        }
        std::fs::write(dir.join(format!("acs/{variable}.csv")), text).expect("acs");
    }
    let features: Vec<String> = (0..groups.len())
        .map(|i| {
            let x = -86.5 + 0.01 * i as f64;
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"GEOID\":\"{}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[{x},32.5],[{},32.5],[{},32.51],[{x},32.51],[{x},32.5]]]}}}}",
                geoid(i),
                x + 0.01,
                x + 0.01
            )
        })
        .collect();
    std::fs::write(
        dir.join("bg.geojson"),
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            features.join(",")
        ),
    )
    .expect("boundaries");
    std::fs::write(
        dir.join("gapmap.toml"),
        format!(
            "[area]\nname = \"Generated\"\n\n[bdc]\nfiles = [\"bdc\"]\nvintage = \"test\"\nsimulated = true\n\n[acs]\ntables = [\"acs\"]\nvintage = \"test\"\n\n[[level]]\nlevel = \"block_group\"\nboundaries = \"bg.geojson\"\n\n[suppression]\nmin_households = {}\nmin_locations = {}\n\n[output]\ncharts = false\nviewer = false\n",
            thresholds.0, thresholds.1
        ),
    )
    .expect("configuration");
}

/// What is wrong with one CSV value under its Table Schema field, if anything.
fn violation(field: &serde_json::Value, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    let kind = field["type"].as_str().unwrap_or("string");
    let number = match kind {
        "integer" => value.parse::<i64>().map(|n| n as f64).ok(),
        "number" => value.parse::<f64>().ok().filter(|v| v.is_finite()),
        _ => return None,
    };
    let Some(number) = number else {
        return Some(format!("`{value}` is not of type {kind}"));
    };
    let constraints = &field["constraints"];
    if let Some(minimum) = constraints["minimum"].as_f64()
        && number < minimum
    {
        return Some(format!("{value} < minimum {minimum}"));
    }
    if let Some(maximum) = constraints["maximum"].as_f64()
        && number > maximum
    {
        return Some(format!("{value} > maximum {maximum}"));
    }
    None
}

/// Every violation of the package's own table schemas.
fn violations(package: &Path) -> Vec<String> {
    let descriptor: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(package.join("datapackage.json")).expect("datapackage.json"),
    )
    .expect("JSON");
    let mut found = Vec::new();
    for resource in descriptor["resources"].as_array().expect("resources") {
        let Some(fields) = resource["schema"]["fields"].as_array() else {
            continue;
        };
        let path = package.join(resource["path"].as_str().expect("path"));
        let mut reader = csv::Reader::from_path(&path).expect("CSV");
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        let names: Vec<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
        assert_eq!(header, names, "{} follows its schema", path.display());
        let mut ids = std::collections::BTreeSet::new();
        for record in reader.records() {
            let record = record.expect("record");
            if !ids.insert(record[0].to_owned()) {
                found.push(format!("{}: geoid {} twice", path.display(), &record[0]));
            }
            for (field, value) in fields.iter().zip(record.iter()) {
                if let Some(problem) = violation(field, value) {
                    found.push(format!(
                        "{} {} {}: {problem}",
                        path.display(),
                        &record[0],
                        field["name"]
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn the_checker_sees_a_share_above_one() {
    let field = serde_json::json!({"type": "number", "constraints": {"minimum": 0, "maximum": 1}});
    assert!(violation(&field, "1.18").is_some());
    assert!(violation(&field, "-0.07").is_some());
    assert!(violation(&field, "0.5").is_none());
    assert!(violation(&field, "").is_none());
    let count = serde_json::json!({"type": "integer", "constraints": {"minimum": 0}});
    assert!(violation(&count, "2.5").is_some());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_package_satisfies_its_own_table_schema(
        groups in prop::collection::vec(block_group(), 1..5),
        thresholds in (0u32..40, 0u32..40),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        write_area(dir.path(), &groups, thresholds);
        let config = gapmap::Config::load(dir.path().join("gapmap.toml")).expect("configuration");
        // Inputs gapmap refuses (a count beyond its universe, `inf`) publish nothing.
        let Ok(inputs) = gapmap::load(&config) else {
            return Ok(());
        };
        let results = gapmap::compute(&config, &inputs).expect("figures");
        let out = dir.path().join("out");
        gapmap::publish(&out, &config, &inputs, &results).expect("package");
        let found = violations(&out);
        prop_assert!(found.is_empty(), "{}", found.join("\n"));
    }
}
