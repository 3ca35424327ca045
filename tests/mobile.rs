//! Ookla's mobile tiles read beside the fixed ones (METHOD.md §10, `[ookla] mobile_tiles`):
//! the same rules, published apart in the `mobile_*` fields, never changing a fixed figure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::lima::two_squares;
use crate::util::{
    PY_QUADKEY_BOUNDS, demo_output, python_with, read_table, root, run_dc, run_with,
};

/// A published number.
fn num(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("`{text}` is not a number"))
}

/// The two squares' fixed tiles (one border tile in A1, 2020Q1 and Q2) with, beside them,
/// mobile tiles in both districts: 0333… (centre in A1) and 1222… (x 32768, y 32767: centre at
/// +0.0027°, in B2).
const FIXED: &str = "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,year_quarter\n\
                     0333333333333333,10,1,20,40,5,2020Q1\n\
                     0333333333333333,30,5,20,60,5,2020Q2\n";
const MOBILE: &str = "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,year_quarter\n\
                      0333333333333333,40,10,30,30,5,2020Q1\n\
                      0333333333333333,20,5,30,70,5,2020Q2\n\
                      1222222222222222,12,2,30,80,5,2020Q1\n\
                      1222222222222222,30,8,30,60,5,2020Q2\n";

#[test]
fn mobile_tiles_get_their_own_fields_quarters_and_change_by_hand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = two_squares(dir.path(), FIXED, "code,residents\nA1,2000\nB2,1000\n");
    std::fs::write(dir.path().join("mobile.csv"), MOBILE).expect("mobile tiles");
    let out = dir.path().join("out");
    let output = run_with(&config, &out, &["ookla.mobile_tiles=\"mobile.csv\""]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = read_table(&out.join("district.csv"));
    let row = |id: &str| rows.iter().find(|r| r["geoid"] == id).expect("district");
    let (a1, b2) = (row("A1"), row("B2"));
    // The fixed figures are the fixed tiles' only.
    assert_eq!(a1["speed_tests"], "100");
    assert_eq!(num(&a1["speed_mean_down_mbps"]), 22.0);
    assert_eq!(b2["speed_tests"], "0");
    // A1 mobile: (30·40 + 70·20) / 100 = 26 down, (30·10 + 70·5) / 100 = 6.5 up; the 2020Q2
    // tile (20 Mbps) is slow: 70 of 100 tests. 2020Q1 has 30 mobile tests: no change, and why.
    assert_eq!(a1["mobile_speed_tests"], "100");
    assert_eq!(num(&a1["mobile_speed_mean_down_mbps"]), 26.0);
    assert_eq!(num(&a1["mobile_speed_mean_up_mbps"]), 6.5);
    assert_eq!(num(&a1["mobile_share_slow_tests"]), 0.7);
    assert_eq!(a1["mobile_speed_change_down_mbps"], "");
    assert!(
        a1["notes"].contains("mobile tiles: 2020Q1 has 30 tests"),
        "{}",
        a1["notes"]
    );
    // B2 mobile: 140 tests, (80·12 + 60·30) / 140 down; 2020Q1's tile (12/2) slow, 2020Q2's
    // (30/8) not: the change is +18 down, +6 up, −1 in the slow share.
    assert_eq!(b2["mobile_speed_tests"], "140");
    let down = num(&b2["mobile_speed_mean_down_mbps"]);
    assert!((down - 2760.0 / 140.0).abs() < 1e-12, "{down}");
    assert!((num(&b2["mobile_share_slow_tests"]) - 80.0 / 140.0).abs() < 1e-12);
    assert_eq!(num(&b2["mobile_speed_change_down_mbps"]), 18.0);
    assert_eq!(num(&b2["mobile_speed_change_up_mbps"]), 6.0);
    assert_eq!(num(&b2["mobile_share_slow_tests_change"]), -1.0);
    // The fixed change of B2 is empty (no fixed tests), the mobile one is not: kinds never mix.
    assert_eq!(b2["speed_change_down_mbps"], "");
    // Per quarter, in a table of its own with the mobile names.
    let quarters = read_table(&out.join("district.mobile_quarters.csv"));
    assert_eq!(quarters.len(), 4);
    let b2q2 = quarters
        .iter()
        .find(|q| q["geoid"] == "B2" && q["quarter"] == "2020Q2")
        .expect("B2 2020Q2");
    assert_eq!(b2q2["mobile_speed_tests"], "60");
    assert_eq!(num(&b2q2["mobile_speed_mean_down_mbps"]), 30.0);
    // 60 tests of 1,000 residents in the quarter.
    assert_eq!(num(&b2q2["mobile_tests_per_1000"]), 60.0);
    let fixed_quarters = read_table(&out.join("district.quarters.csv"));
    assert!(
        fixed_quarters
            .iter()
            .filter(|q| q["geoid"] == "B2")
            .all(|q| q["speed_tests"] == "0"),
        "mobile tests in the fixed quarters"
    );
    // The package says what was read and describes the table.
    let package = std::fs::read_to_string(out.join("datapackage.json")).expect("datapackage");
    assert!(package.contains("\"district.mobile_quarters.csv\""));
    let metadata = std::fs::read_to_string(out.join("metadata.json")).expect("metadata");
    assert!(metadata.contains("\"mobile_tiles\": 4"), "{metadata}");
}

#[test]
fn mobile_tiles_that_could_be_fixed_or_mixed_up_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = two_squares(dir.path(), FIXED, "code,residents\nA1,2000\nB2,1000\n");
    std::fs::write(dir.path().join("mobile.csv"), MOBILE).expect("mobile tiles");
    std::fs::write(
        dir.path().join("2020Q1_performance_fixed_tiles.csv"),
        MOBILE,
    )
    .expect("named fixed");
    let out = dir.path().join("out");
    for (set, says) in [
        // Tiles whose layer is not named may be mobile: they cannot be the fixed side.
        (
            vec![
                "ookla.mobile_tiles=\"mobile.csv\"",
                "ookla.kind=\"unstated\"",
            ],
            "does not name",
        ),
        // The fixed tiles' own file given as mobile too.
        (
            vec!["ookla.mobile_tiles=\"tiles.csv\""],
            "cannot be both Ookla's fixed tiles",
        ),
        // A file named as Ookla's fixed tiles given as mobile.
        (
            vec!["ookla.mobile_tiles=\"2020Q1_performance_fixed_tiles.csv\""],
            "is given in `[ookla] mobile_tiles`",
        ),
    ] {
        let output = run_with(&config, &out, &set);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{set:?} accepted");
        assert!(stderr.contains(says), "{set:?}: {stderr}");
        assert!(!out.exists(), "{set:?} left an output");
    }
}

/// Zoom-16 quadkey of the tile holding (lon, lat) (the Bing Maps tile system).
fn quadkey(lon: f64, lat: f64) -> String {
    let n = f64::from(1u32 << 16);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let s = lat.to_radians().sin();
    let y = ((0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)) * n) as u32;
    (0..16)
        .rev()
        .map(|bit| char::from(b'0' + (((x >> bit) & 1) | (((y >> bit) & 1) << 1)) as u8))
        .collect()
}

/// Synthetic mobile tiles over DC (a grid every 0.006°, wider than a tile, so each point is a
/// tile of its own; two quarters; figures from the index):
/// labelled synthetic, never published.
fn dc_mobile_tiles(path: &Path) {
    let mut text =
        String::from("quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,year_quarter\n");
    let mut i = 0u32;
    for step_x in 0..37 {
        for step_y in 0..37 {
            let (lon, lat) = (
                -77.125 + f64::from(step_x) * 0.006,
                38.79 + f64::from(step_y) * 0.006,
            );
            for quarter in ["2022Q1", "2022Q4"] {
                i += 1;
                let _ = writeln!(
                    text,
                    "{},{},{},40,{},3,{quarter}",
                    quadkey(lon, lat),
                    5 + i * 13 % 90,
                    1 + i % 20,
                    10 + i * 7 % 50
                );
            }
        }
    }
    std::fs::write(path, text).expect("mobile tiles");
}

/// Reading mobile tiles beside DC's block-joined fixed tiles changes no fixed figure of any
/// layer; the county's mobile tests are those of the tiles whose centre lies in DC (shapely).
#[test]
fn mobile_tiles_beside_dcs_fixed_tiles_change_no_fixed_figure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tiles = dir.path().join("dc_mobile_tiles.csv");
    dc_mobile_tiles(&tiles);
    let out = dir.path().join("out");
    let set = format!("ookla.mobile_tiles=\"{}\"", tiles.display());
    run_dc(&out, &[&set]);
    let demo = demo_output();
    let mut compared = 0;
    for layer in ["block_group", "tract", "ward", "ward_2012", "anc"] {
        let before = read_table(&demo.join(format!("{layer}.csv")));
        let after = read_table(&out.join(format!("{layer}.csv")));
        assert_eq!(before.len(), after.len(), "{layer}");
        for (old, new) in before.iter().zip(&after) {
            for (field, value) in old {
                if field == "notes" {
                    let kept: Vec<&str> = new[field]
                        .split("; ")
                        .filter(|n| !n.starts_with("mobile_") && !n.is_empty())
                        .collect();
                    assert_eq!(kept.join("; "), *value, "{layer} {}", old["geoid"]);
                } else if !field.starts_with("mobile_") {
                    assert_eq!(&new[field], value, "{layer} {} {field}", old["geoid"]);
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 40_000, "{compared} values compared");
    // Its own maps (speed and change, classed apart from the fixed ones) and viewer maps.
    for map in ["mobile_download_speed", "mobile_download_change"] {
        assert!(
            out.join(format!("charts/tract_{map}.png")).is_file(),
            "no {map} map"
        );
    }
    let viewer = std::fs::read_to_string(out.join("viewer/data.js")).expect("viewer data");
    assert!(viewer.contains("\"mobile_download_change\""), "viewer map");
    // Every published block group's mobile tests, recomputed with shapely from the input
    // boundaries: a tile's centre covered by the block group (the smallest GEOID on an edge).
    if !python_with("python3", "shapely", "GAPMAP_REQUIRE_SHAPELY") {
        return;
    }
    let script = PY_QUADKEY_BOUNDS.to_owned()
        + r#"
boundaries, tiles = sys.argv[1], sys.argv[2]
groups = sorted((f["properties"]["GEOID"], shape(f["geometry"])) for f in json.load(open(boundaries))["features"])
tests = {}
for r in csv.DictReader(open(tiles)):
    c = box(*bounds(r["quadkey"])).centroid
    inside = [g for g, p in groups if p.covers(c)]
    if inside:
        tests[inside[0]] = tests.get(inside[0], 0) + int(r["tests"])
for g, _ in groups:
    print(g, tests.get(g, 0))
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", &script])
        .arg(root().join("data/dc/boundaries/cb_2020_11_bg_500k.geojson"))
        .arg(&tiles)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: BTreeMap<&str, &str> = stdout.lines().filter_map(|l| l.split_once(' ')).collect();
    let groups = read_table(&out.join("block_group.csv"));
    let mut checked = 0;
    let mut with_tests = 0;
    for row in groups.iter().filter(|r| r["suppressed"].is_empty()) {
        let id = row["geoid"].as_str();
        assert_eq!(row["mobile_speed_tests"], expected[id], "{id}");
        checked += 1;
        with_tests += usize::from(row["mobile_speed_tests"] != "0");
    }
    assert!(
        checked == 400 && with_tests > 200,
        "{checked} checked, {with_tests} with tests"
    );
}
