//! Apportionment to the city's own districts (METHOD.md §6) on the real DC layers.

use std::collections::BTreeMap;
use std::path::Path;

use gapmap_gaps::apportion::areal_weights;
use gapmap_ingest::{read_block_housing, read_boundaries};

use crate::util::{demo_output, number, read_layer, root};

/// 2020 housing units per block group, summed from the block counts.
fn housing_units_by_block_group() -> BTreeMap<String, f64> {
    let blocks = read_block_housing(
        &root().join("data/dc/census2020/census2020_address_counts_by_block_11.csv"),
    )
    .expect("block counts");
    let mut by_block_group = BTreeMap::new();
    for (block, counts) in blocks {
        *by_block_group
            .entry(block.as_str()[..12].to_owned())
            .or_insert(0.0) += counts.housing_units as f64;
    }
    by_block_group
}

/// (ward, gapmap's apportioned housing units, the official 2020 count, relative error)
fn ward_housing_check() -> Vec<(String, f64, f64, f64)> {
    let block_groups = read_boundaries(
        &root().join("data/dc/boundaries/cb_2020_11_bg_500k.geojson"),
        None,
        "GEOID",
        None,
    )
    .expect("block groups");
    let wards_path = root().join("data/dc/districts/wards_2022/Wards_from_2022.geojson");
    let wards = read_boundaries(&wards_path, None, "GEOCODE", Some("Name")).expect("wards");
    let units: Vec<_> = block_groups.features.iter().map(|f| &f.geometry).collect();
    let districts: Vec<_> = wards.features.iter().map(|f| &f.geometry).collect();
    let weights = areal_weights(&units, &districts);
    let housing = housing_units_by_block_group();
    let mut apportioned = vec![0.0; wards.features.len()];
    let mut unassigned = 0.0;
    for (u, unit) in block_groups.features.iter().enumerate() {
        let count = housing.get(&unit.id).copied().unwrap_or(0.0);
        for &(d, w) in &weights.parts[u] {
            apportioned[d] += w * count;
        }
        unassigned += weights.unassigned(u) * count;
    }
    // Conservation: every housing unit lands in a ward or in `unassigned`.
    let total: f64 = housing.values().sum();
    assert!(
        (apportioned.iter().sum::<f64>() + unassigned - total).abs() < 1e-6,
        "conservation"
    );
    // The official 2020 count per ward, from the ward layer's own properties (HU100).
    let layer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&wards_path).expect("wards file"))
            .expect("GeoJSON");
    let official: BTreeMap<String, f64> = layer["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                f["properties"]["GEOCODE"].to_string(),
                f["properties"]["HU100"].as_f64().expect("HU100"),
            )
        })
        .collect();
    wards
        .features
        .iter()
        .zip(apportioned)
        .map(|(ward, ours)| {
            let theirs = official[&ward.id];
            (ward.name.clone(), ours, theirs, (ours - theirs) / theirs)
        })
        .collect()
}

#[test]
fn ward_housing_units_apportioned_from_block_groups_match_the_2020_census() {
    let rows = ward_housing_check();
    eprintln!("ward      gapmap   official   relative error");
    for (ward, ours, theirs, error) in &rows {
        eprintln!(
            "{ward:<8} {ours:>9.1} {theirs:>9.0}   {:>+6.2}%",
            error * 100.0
        );
    }
    let official: f64 = rows.iter().map(|r| r.2).sum();
    assert_eq!(
        official, 350_364.0,
        "the wards' HU100 add up to the District's 2020 housing units"
    );
    for (ward, _, _, error) in &rows {
        assert!(error.abs() < 0.02, "{ward}: {:.2}%", error * 100.0);
    }
    let mean_absolute = rows.iter().map(|r| r.3.abs()).sum::<f64>() / rows.len() as f64;
    assert!(
        mean_absolute < 0.01,
        "mean absolute error {:.2}%",
        mean_absolute * 100.0
    );
}

fn layer_totals(name: &str) -> (f64, f64, f64) {
    let rows = read_layer(demo_output(), name);
    let sum = |field: &str, with_unassigned: bool| {
        rows.iter()
            .filter(|r| with_unassigned || r["geoid"] != "unassigned")
            .map(|r| number(r, field).unwrap_or(0.0))
            .sum::<f64>()
    };
    (
        sum("locations", true),
        sum("households", true),
        sum("locations", false),
    )
}

#[test]
fn apportioned_layers_conserve_locations_and_households() {
    let block_groups = read_layer(demo_output(), "block_group");
    let locations: f64 = block_groups
        .iter()
        .map(|r| number(r, "locations").unwrap_or(0.0))
        .sum();
    let households: f64 = block_groups
        .iter()
        .map(|r| number(r, "households").unwrap_or(0.0))
        .sum();
    for layer in ["ward", "ward_2012", "anc"] {
        let (apportioned_locations, apportioned_households, _) = layer_totals(layer);
        assert!(
            (apportioned_locations - locations).abs() < 1e-6,
            "{layer}: {apportioned_locations} vs {locations}"
        );
        assert!(
            (apportioned_households - households).abs() < 1e-6,
            "{layer}: {apportioned_households}"
        );
        let rows = read_layer(demo_output(), layer);
        // Every tier count and the ACS estimates are conserved too (all rows plus `unassigned`).
        for field in [
            "locations_served",
            "locations_underserved",
            "locations_unserved",
            "locations_gigabit",
            "no_internet",
            "without_broadband",
        ] {
            assert!(
                (total(&rows, field) - total(&block_groups, field)).abs() < 1e-6,
                "{layer} {field}"
            );
        }
        for row in &rows {
            let tiers: f64 = [
                "locations_served",
                "locations_underserved",
                "locations_unserved",
            ]
            .iter()
            .map(|f| number(row, f).unwrap_or(0.0))
            .sum();
            assert!(
                (tiers - number(row, "locations").unwrap_or(0.0)).abs() < 1e-6,
                "{layer} {}",
                row["geoid"]
            );
        }
        assert!(
            rows.iter().any(|r| r["geoid"] == "unassigned"),
            "{layer} has its unassigned line (in {layer}.summary.csv)"
        );
    }
}

#[test]
fn the_2012_and_2022_ward_plans_cover_nearly_the_same_city() {
    let (_, _, wards_2022) = layer_totals("ward");
    let (_, _, wards_2012) = layer_totals("ward_2012");
    let difference = (wards_2022 - wards_2012).abs() / wards_2022;
    assert!(
        difference < 0.001,
        "locations inside the wards: 2022 {wards_2022:.1}, 2012 {wards_2012:.1}"
    );
    // The 2012 file is EPSG:3857: its wards must land on DC, not at the null island.
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(demo_output().join("metadata.json")).expect("metadata"),
    )
    .expect("JSON");
    let layer = metadata["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["level"] == "ward_2012")
        .expect("ward_2012 layer")
        .clone();
    assert_eq!(layer["source_crs"], "EPSG:3857");
}

/// The sum of a field over rows (empty counts as 0).
fn total(rows: &[BTreeMap<String, String>], field: &str) -> f64 {
    rows.iter().map(|r| number(r, field).unwrap_or(0.0)).sum()
}

/// No block internal points are bundled (TIGER tabblock20 for DC could not be obtained), so
/// this test builds a stand-in: every block at its block group's interior point. Through
/// blocks, each block group then lands whole in one ward, and locations are counted exactly.
#[test]
fn block_points_count_locations_exactly_and_conserve_households() {
    use std::fmt::Write as _;

    use geo::InteriorPoint;

    let dir = tempfile::tempdir().expect("temp dir");
    let block_groups = read_boundaries(
        &root().join("data/dc/boundaries/cb_2020_11_bg_500k.geojson"),
        None,
        "GEOID",
        None,
    )
    .expect("block groups");
    let mut interior: BTreeMap<String, geo::Point<f64>> = block_groups
        .features
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                f.geometry.interior_point().expect("non-empty"),
            )
        })
        .collect();
    // The blocks of the westernmost block groups placed in Virginia, outside every ward: their
    // locations go to the `unassigned` line, and the tiles touching only them to no ward (and
    // are said).
    for point in interior.values_mut() {
        if point.x() < -77.08 {
            *point = geo::Point::new(-77.5, 38.5);
        }
    }
    let blocks = read_block_housing(
        &root().join("data/dc/census2020/census2020_address_counts_by_block_11.csv"),
    )
    .expect("blocks");
    let mut points = String::from("GEOID20,INTPTLAT20,INTPTLON20\n");
    for block in blocks.keys() {
        if let Some(point) = interior.get(&block.as_str()[..12]) {
            let _ = writeln!(points, "{block},{},{}", point.y(), point.x());
        }
    }
    std::fs::write(dir.path().join("points.csv"), points).expect("write points");
    // The demo configuration beside links to the demo's inputs, plus the block points.
    for entry in std::fs::read_dir(root().join("data/dc")).expect("data/dc") {
        let entry = entry.expect("entry");
        std::os::unix::fs::symlink(entry.path(), dir.path().join(entry.file_name())).expect("link");
    }
    let config = std::fs::read_to_string(root().join("data/dc/gapmap.toml"))
        .expect("config")
        .replace(
            "[blocks]\n",
            "[blocks]\npoints = { file = \"points.csv\" }\n",
        );
    assert!(config.contains("points.csv"));
    std::fs::remove_file(dir.path().join("gapmap.toml")).expect("unlink the linked config");
    let config_path = dir.path().join("gapmap.toml");
    std::fs::write(&config_path, config).expect("write config");
    let out = dir.path().join("out");
    crate::util::run_config(&config_path, &out);

    let wards = read_layer(&out, "ward");
    let block_group_rows = read_layer(&out, "block_group");
    for ward in &wards {
        let locations = number(ward, "locations").unwrap_or(0.0);
        assert_eq!(
            locations.fract(),
            0.0,
            "{}: locations are whole through blocks",
            ward["geoid"]
        );
    }
    for field in ["locations", "locations_served", "households", "no_internet"] {
        assert!(
            (total(&wards, field) - total(&block_group_rows, field)).abs() < 1e-6,
            "{field}"
        );
    }
    let metadata = std::fs::read_to_string(out.join("metadata.json")).expect("metadata");
    assert!(metadata.contains("block points (METHOD.md §6)"));

    // Issue #14: with block points, the block-joined Ookla tiles reach the wards too.
    let (expected_tests, nowhere) = ward_tests_through_points(&interior);
    // Tiles placed in no ward (the moved block groups') are said, with their count, never
    // dropped without a word.
    assert!(nowhere > 0, "the moved block groups leave tiles in no ward");
    let said = format!("{nowhere} Ookla tiles (");
    assert_eq!(
        metadata.contains(&said)
            && metadata.contains("touch no block whose internal point lies in a ward district"),
        nowhere > 0,
        "{nowhere} tiles in no ward"
    );
    let mut compared = 0;
    for ward in wards.iter().filter(|w| w["geoid"].starts_with("110")) {
        let expected = expected_tests.get(&ward["geoid"]).copied().unwrap_or(0);
        assert_eq!(
            crate::util::count(ward, "speed_tests"),
            expected,
            "{}",
            ward["geoid"]
        );
        assert!(
            number(ward, "speed_mean_down_mbps").is_some(),
            "{}",
            ward["geoid"]
        );
        compared += 1;
    }
    assert_eq!(compared, 8);

    points_in_two_files_read_as_one(dir.path(), &config_path, &wards);
}

/// Issue #15: the points in two files (per county, as TIGER publishes them), overlapping, read
/// as the one; a block placed differently in two files is refused naming both.
fn points_in_two_files_read_as_one(
    dir: &Path,
    config_path: &Path,
    wards: &[BTreeMap<String, String>],
) {
    // Issue #15: the points in two files (per county, as TIGER publishes them), overlapping,
    // read as the one; a block placed differently in two files is refused naming both.
    let text = std::fs::read_to_string(dir.join("points.csv")).expect("points");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    let folder = dir.join("points");
    std::fs::create_dir(&folder).expect("folder");
    let half = rows.len() / 2;
    let write = |name: &str, rows: &[&str]| {
        std::fs::write(
            folder.join(name),
            format!("{header}\n{}\n", rows.join("\n")),
        )
        .expect("write");
    };
    write("a.csv", &rows[..half + 40]);
    write("b.csv", &rows[half - 40..]);
    let split = dir.join("split.toml");
    std::fs::write(
        &split,
        std::fs::read_to_string(config_path)
            .expect("config")
            .replace(
                "points = { file = \"points.csv\" }",
                "points = { file = [\"points\"] }",
            ),
    )
    .expect("write config");
    let out_split = dir.join("out-split");
    crate::util::run_config(&split, &out_split);
    assert_eq!(
        read_layer(&out_split, "ward"),
        wards,
        "as from the one file"
    );
    let moved = rows[half].replacen(",3", ",4", 1);
    write("c.csv", &[moved.as_str()]);
    let output = crate::util::gapmap(&[
        "run",
        "--config",
        split.to_str().expect("utf-8"),
        "--out",
        dir.join("out-bad").to_str().expect("utf-8"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&rows[half][..15])
            && stderr.contains("c.csv")
            && stderr.contains("contradict"),
        "{stderr}"
    );
}

/// Each ward's Ookla tests recomputed by hand: the distinct tiles (same values, as gapmap keys
/// them) touching a block whose internal point lies in the ward.
/// Also the number of tiles placed in no ward.
fn ward_tests_through_points(
    interior: &BTreeMap<String, geo::Point<f64>>,
) -> (BTreeMap<String, u64>, usize) {
    use geo::Contains;
    let ward_layer = read_boundaries(
        &root().join("data/dc/districts/wards_2022/Wards_from_2022.geojson"),
        None,
        "GEOCODE",
        None,
    )
    .expect("wards");
    let mut reader = csv::Reader::from_path(
        root().join("data/dc/ookla/ookla_fixed_2022_tiles_x_blocks_11001.csv"),
    )
    .expect("tiles");
    let mut tiles_of_ward: BTreeMap<String, BTreeMap<Vec<String>, u64>> = BTreeMap::new();
    let mut every_tile = std::collections::BTreeSet::new();
    for record in reader.records() {
        let record = record.expect("row");
        let key: Vec<String> = (1..8).map(|i| record[i].to_owned()).collect();
        every_tile.insert(key.clone());
        let Some(point) = interior.get(&record[0][..12]) else {
            continue;
        };
        let tests: u64 = record[3].parse().expect("tests");
        for ward in &ward_layer.features {
            if ward.geometry.contains(point) {
                tiles_of_ward
                    .entry(ward.id.clone())
                    .or_default()
                    .insert(key.clone(), tests);
            }
        }
    }
    let placed: std::collections::BTreeSet<&Vec<String>> =
        tiles_of_ward.values().flat_map(BTreeMap::keys).collect();
    let nowhere = every_tile.iter().filter(|t| !placed.contains(t)).count();
    let tests = tiles_of_ward
        .iter()
        .map(|(ward, tiles)| (ward.clone(), tiles.values().sum()))
        .collect();
    (tests, nowhere)
}
