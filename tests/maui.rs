//! Raw Ookla tiles (METHOD.md §5) on the real Maui County files: each tile to the county
//! holding its centroid, checked against a point-in-polygon written here from scratch.

use crate::util::{maui_output, number, read_table, root};

/// Even-odd ray casting over every ring of a GeoJSON (Multi)Polygon.
fn contains(geometry: &serde_json::Value, x: f64, y: f64) -> bool {
    let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
        Some("Polygon") => vec![&geometry["coordinates"]],
        Some("MultiPolygon") => geometry["coordinates"]
            .as_array()
            .expect("polygons")
            .iter()
            .collect(),
        _ => panic!("not a polygon"),
    };
    let mut inside = false;
    for polygon in polygons {
        for ring in polygon.as_array().expect("rings") {
            let points: Vec<(f64, f64)> = ring
                .as_array()
                .expect("ring")
                .iter()
                .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
                .collect();
            for pair in points.windows(2) {
                let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
                if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
                    inside = !inside;
                }
            }
        }
    }
    inside
}

#[test]
fn maui_tiles_go_to_the_county_holding_their_centroid() {
    let (_dir, out) = maui_output();

    let counties: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("data/maui/boundaries/us_atlas_counties_15009_15005.geojson"),
        )
        .expect("counties"),
    )
    .expect("GeoJSON");
    let counties = counties["features"].as_array().expect("features");
    // county id → (tests, Σ tests·download Mbps)
    let mut expected = std::collections::BTreeMap::<String, (u64, f64)>::new();
    let (mut all_tests, mut outside_tests) = (0u64, 0u64);
    for entry in std::fs::read_dir(root().join("data/maui/ookla_fixed_tiles")).expect("tiles") {
        let tiles: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(entry.expect("entry").path()).expect("file"),
        )
        .expect("GeoJSON");
        for tile in tiles["features"].as_array().expect("features") {
            let ring = tile["geometry"]["coordinates"][0].as_array().expect("ring");
            let xs: Vec<f64> = ring.iter().map(|p| p[0].as_f64().expect("x")).collect();
            let ys: Vec<f64> = ring.iter().map(|p| p[1].as_f64().expect("y")).collect();
            // A tile is a rectangle: its centroid is the middle of its bounds.
            let bounds = |v: &[f64]| {
                let low = v.iter().copied().fold(f64::MAX, f64::min);
                let high = v.iter().copied().fold(f64::MIN, f64::max);
                f64::midpoint(low, high)
            };
            let (x, y) = (bounds(&xs), bounds(&ys));
            let tests = tile["properties"]["tests"].as_u64().expect("tests");
            let download = tile["properties"]["avg_d_kbps"].as_f64().expect("kbps") / 1000.0;
            all_tests += tests;
            match counties.iter().find(|c| contains(&c["geometry"], x, y)) {
                Some(county) => {
                    let slot = expected
                        .entry(county["properties"]["id"].as_str().expect("id").to_owned())
                        .or_default();
                    slot.0 += tests;
                    slot.1 += tests as f64 * download;
                }
                None => outside_tests += tests,
            }
        }
    }
    assert_eq!(all_tests, 55_603, "the twelve files as published");
    let rows = read_table(&out.join("county.csv"));
    let mut inside_tests = 0;
    for row in &rows {
        let (tests, weighted) = expected.get(&row["geoid"]).copied().unwrap_or_default();
        assert_eq!(
            number(row, "speed_tests"),
            Some(tests as f64),
            "{}",
            row["name"]
        );
        inside_tests += tests;
        match number(row, "speed_mean_down_mbps") {
            Some(mean) => assert!(
                (mean - weighted / tests as f64).abs() < 1e-9,
                "{}",
                row["name"]
            ),
            None => assert!(
                tests < 50,
                "{} has {tests} tests: below Ookla's 50, no figure",
                row["name"]
            ),
        }
    }
    assert_eq!(inside_tests + outside_tests, all_tests);
    let metadata = std::fs::read_to_string(out.join("metadata.json")).expect("metadata");
    assert!(
        metadata.contains(&format!(
            "({outside_tests} tests) have their centroid in no county"
        )),
        "{metadata}"
    );
    assert!(metadata.contains("CC BY-NC-SA 4.0"));
}
