//! A city outside the US (METHOD.md §10): the Lima demo, 50 INEI districts with their own ids,
//! 16 quarters of Ookla tiles given as quadkeys in one table that repeats a tile once per
//! district it touches, population and poverty per district.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{
    PY_QUADKEY_BOUNDS, gapmap, lima_output, python_script, python_with, read_table, root, run_with,
};

/// A published number.
fn num(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("`{text}` is not a number"))
}

/// Recomputes every district's figures per quarter from the CSV and the polygons with shapely:
/// one row per (quadkey, quarter), the tile from its quadkey, its centre in the district that
/// covers it (the smallest id on a shared edge), test-weighted means (METHOD.md §5); after
/// [`PY_QUADKEY_BOUNDS`].
const RECOMPUTE: &str = r#"
data = sys.argv[1]
districts = [(f["properties"]["UBIGEO"], shape(f["geometry"]))
             for f in json.load(open(data + "/boundaries/lima_callao_districts.geojson"))["features"]]
tiles = {}
for r in csv.DictReader(open(data + "/ookla/lima_ookla_tiles_2019q1_2022q4.csv")):
    tiles.setdefault((r["quadkey"], r["year_quarter"]), r)
owner = {}
sums = {}
for (q, quarter), r in sorted(tiles.items()):
    if q not in owner:
        c = box(*bounds(q)).centroid
        inside = sorted(i for i, g in districts if g.covers(c))
        owner[q] = inside[0] if inside else None
    if owner[q] is None:
        continue
    s = sums.setdefault((owner[q], quarter), [0, 0.0, 0.0, 0])
    t = int(r["tests"]); d = float(r["avg_d_mbps"]); u = float(r["avg_u_mbps"])
    s[0] += t; s[1] += t * d; s[2] += t * u
    s[3] += t if (d < 25 or u < 3) else 0
for (district, quarter), (t, d, u, slow) in sorted(sums.items()):
    print(district, quarter, t, repr(d / t), repr(u / t), repr(slow / t))
"#;

#[test]
fn per_quarter_speeds_match_an_independent_recomputation() {
    if !python_with("python3", "shapely", "GAPMAP_REQUIRE_SHAPELY") {
        return;
    }
    let out = lima_output();
    let script = format!("{PY_QUADKEY_BOUNDS}{RECOMPUTE}");
    let printed = python_script("python3", &script, &root().join("data/lima"));
    let published: BTreeMap<(String, String), BTreeMap<String, String>> =
        read_table(&out.join("district.quarters.csv"))
            .into_iter()
            .map(|row| ((row["geoid"].clone(), row["quarter"].clone()), row))
            .collect();
    let mut compared = 0;
    for line in printed.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let key = (parts[0].to_owned(), parts[1].to_owned());
        let row = published
            .get(&key)
            .unwrap_or_else(|| panic!("no published row for {key:?}"));
        let tests: u64 = parts[2].parse().expect("tests");
        assert_eq!(row["speed_tests"], parts[2], "{key:?}");
        // METHOD.md §5: fewer than 50 tests publish no means.
        let fields = [
            "speed_mean_down_mbps",
            "speed_mean_up_mbps",
            "share_slow_tests",
        ];
        for (field, expected) in fields.iter().zip(&parts[3..]) {
            if tests < 50 {
                assert_eq!(row[*field], "", "{key:?} {field}: {tests} tests");
                continue;
            }
            let expected: f64 = expected.parse().expect("number");
            let got = num(&row[*field]);
            assert!(
                (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{key:?} {field}: published {got}, recomputed {expected}"
            );
        }
        compared += 1;
    }
    // Every district has tiles in every quarter (data/lima/PROVENANCE-upstream.md §2.4).
    assert_eq!(compared, 50 * 16);
    assert_eq!(published.len(), 50 * 16);
}

#[test]
fn a_city_without_census_geography_gets_speeds_change_and_population_figures() {
    let out = lima_output();
    let rows = read_table(&out.join("district.csv"));
    assert_eq!(rows.len(), 50);
    // Ids stay text: Callao's codes start with 0.
    assert!(rows.iter().any(|r| r["geoid"] == "070101"));
    let quarters = read_table(&out.join("district.quarters.csv"));
    for row in &rows {
        let id = &row["geoid"];
        let of = |quarter: &str| {
            quarters
                .iter()
                .find(|q| &q["geoid"] == id && q["quarter"] == quarter)
                .expect("a row per quarter")
        };
        let (first, last) = (of("2019Q1"), of("2022Q4"));
        // The change is the latest quarter's figure minus the baseline's, empty (with a note)
        // when either has fewer than 50 tests.
        let enough = num(&first["speed_tests"]) >= 50.0 && num(&last["speed_tests"]) >= 50.0;
        if enough {
            let change = num(&last["speed_mean_down_mbps"]) - num(&first["speed_mean_down_mbps"]);
            assert!(
                (num(&row["speed_change_down_mbps"]) - change).abs() < 1e-9,
                "{id}"
            );
        } else {
            assert_eq!(row["speed_change_down_mbps"], "", "{id}");
            assert!(row["notes"].contains("fewer than the minimum"), "{id}");
        }
        // Pooled tests are the sum of the quarters'; per 1,000 residents per quarter.
        let tests: f64 = quarters
            .iter()
            .filter(|q| &q["geoid"] == id)
            .map(|q| num(&q["speed_tests"]))
            .sum();
        assert_eq!(num(&row["speed_tests"]), tests, "{id}");
        let population = num(&row["population"]);
        let per_1000 = tests / population * 1000.0 / 16.0;
        assert!(
            (num(&row["tests_per_1000"]) - per_1000).abs() < 1e-9,
            "{id}"
        );
        let share = num(&row["share_poverty"]);
        assert!((0.0..=1.0).contains(&share), "{id}: {share}");
        // The need index of the two components there are, equally weighted (METHOD.md §10).
        let need = 50.0 * (num(&row["share_slow_tests"]) + share);
        assert!((num(&row["need_index"]) - need).abs() < 1e-9, "{id}");
        assert_eq!(row["need_components"], "slow_tests;poverty");
    }
    // Σ population = the table's Σ p2022 (data/lima/PROVENANCE-upstream.md §3).
    let total: f64 = rows.iter().map(|r| num(&r["population"])).sum();
    assert_eq!(total, 11_175_789.0);
    // San Isidro (150131): 0.0573463% in monetary poverty, a percentage in the table.
    let san_isidro = rows
        .iter()
        .find(|r| r["geoid"] == "150131")
        .expect("San Isidro");
    assert!((num(&san_isidro["share_poverty"]) - 0.000_573_463).abs() < 1e-15);
    // The residents of districts whose mean download is below 25 Mbps, pooled and in 2022Q4.
    let metadata = std::fs::read_to_string(out.join("metadata.json")).expect("metadata");
    let parsed: serde_json::Value = serde_json::from_str(&metadata).expect("JSON");
    let figures = parsed["layers"][0]["population_below_speed"]
        .as_array()
        .expect("population below speed");
    assert_eq!(figures.len(), 2);
    let below = |mean: &dyn Fn(&BTreeMap<String, String>) -> Option<f64>| {
        let (mut districts, mut people, mut whole) = (0, 0.0, 0.0);
        for row in &rows {
            if let Some(mean) = mean(row) {
                whole += num(&row["population"]);
                if mean < 25.0 {
                    districts += 1;
                    people += num(&row["population"]);
                }
            }
        }
        (districts, people, whole)
    };
    let pooled = below(&|r| r["speed_mean_down_mbps"].parse().ok());
    let latest = below(&|r| {
        quarters
            .iter()
            .find(|q| q["geoid"] == r["geoid"] && q["quarter"] == "2022Q4")
            .and_then(|q| q["speed_mean_down_mbps"].parse().ok())
    });
    for (figure, (period, (districts, people, whole))) in
        figures.iter().zip([("pooled", pooled), ("2022Q4", latest)])
    {
        assert_eq!(figure["period"], period);
        assert_eq!(figure["districts"], districts);
        assert_eq!(figure["population"].as_f64(), Some(people));
        assert_eq!(figure["population_with_figures"].as_f64(), Some(whole));
    }
    assert!(
        pooled.0 > 0,
        "some district is below 25 Mbps over 2019–2022"
    );
    // No census data was read: no Census Bureau license is claimed.
    assert!(
        !metadata.contains("17 U.S.C."),
        "a US public-domain grant in a Lima package"
    );
    assert!(
        metadata.contains("repeat a tile already read"),
        "the repeated rows are said"
    );
}

/// The Lima layer's own fields are the attribute tables' cells as read, for every district
/// (METHOD.md §10).
#[test]
fn the_lima_layers_own_fields_are_the_tables_cells() {
    let rows = read_table(&lima_output().join("district.csv"));
    assert_eq!(rows.len(), 50);
    let poverty = read_table(&root().join("data/lima/poverty/lima_callao_ubigeo_distrito.csv"));
    let people =
        read_table(&root().join("data/lima/population/lima_callao_population_2007_2022.csv"));
    for row in &rows {
        let id = &row["geoid"];
        let source = poverty
            .iter()
            .find(|p| &p["inei"] == id)
            .expect("a poverty row");
        for (field, column) in [
            ("pct_extreme_poverty", "pct_pobreza_extrema"),
            ("hdi_2019", "idh_2019"),
            (
                "food_vulnerability_index",
                "indice_vulnerabilidad_alimentaria",
            ),
        ] {
            assert_eq!(num(&row[field]), num(&source[column]), "{id} {field}");
        }
        let census = people
            .iter()
            .find(|p| &p["ubigeo"] == id)
            .expect("a population row");
        assert_eq!(num(&row["population_2007"]), num(&census["c2007"]), "{id}");
    }
}

/// Writes a two-district layer (squares west and east of 0.0°, at the equator) and a tile table.
pub(crate) fn two_squares(dir: &Path, tiles: &str, population: &str) -> PathBuf {
    let square = |id: &str, west: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{west},-0.05],[{},-0.05],[{},0.05],[{west},0.05],[{west},-0.05]]]}}}}"#,
            west + 0.05,
            west + 0.05
        )
    };
    std::fs::write(
        dir.join("districts.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("A1", -0.05),
            square("B2", 0.0)
        ),
    )
    .expect("districts");
    std::fs::write(dir.join("tiles.csv"), tiles).expect("tiles");
    std::fs::write(dir.join("population.csv"), population).expect("population");
    let config = dir.join("gapmap.toml");
    std::fs::write(
        &config,
        r#"[area]
name = "Two squares (synthetic)"
boundaries_source = "synthetic"

[ookla]
tiles = "tiles.csv"
period = "2020 Q1–Q2 (synthetic)"

[[layer]]
name = "district"
boundaries = "districts.geojson"
id_field = "code"
license = "CC0"

[[layer.attributes]]
file = "population.csv"
id = "code"
population = "residents"
source = "synthetic"
license = "CC0"

[output]
charts = false
viewer = false
"#,
    )
    .expect("config");
    config
}

// Quadkeys at zoom 16 on the equator: 0333333333333333 is the tile just north-west of (0, 0)
// (x 32767, y 32767), 0333… to its west; 1333… straddles nothing, its centre is at −0.0027°.
// A tile whose square touches both districts is listed for both (the intersects join) but
// counted once, in the district holding its centre.
#[test]
fn a_border_tile_listed_for_two_districts_counts_once_and_join_gaps_are_said() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tiles = "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,DISTRITO,year_quarter\n\
                 0333333333333333,10,1,20,40,5,A1,2020Q1\n\
                 0333333333333333,10,1,20,40,5,B2,2020Q1\n\
                 0333333333333333,30,5,20,60,5,A1,2020Q2\n\
                 0333333333333333,30,5,20,60,5,B2,2020Q2\n";
    let config = two_squares(dir.path(), tiles, "code,residents\nA1,2000\nZZ9,5\n");
    let out = dir.path().join("out");
    let output = run_with(&config, &out, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = read_table(&out.join("district.csv"));
    let a1 = rows.iter().find(|r| r["geoid"] == "A1").expect("A1");
    let b2 = rows.iter().find(|r| r["geoid"] == "B2").expect("B2");
    assert_eq!(a1["speed_tests"], "100");
    assert_eq!(b2["speed_tests"], "0");
    // 2020Q1: 40 tests, below the minimum: no change, and why.
    assert_eq!(a1["speed_change_down_mbps"], "");
    assert!(
        a1["notes"].contains("2020Q1 has 40 tests"),
        "{}",
        a1["notes"]
    );
    // Tests per 1,000 residents: 40 then 60 of 2,000 → 20 then 30; 50 per quarter pooled.
    assert_eq!(num(&a1["tests_per_1000_change"]), 10.0);
    assert_eq!(num(&a1["tests_per_1000"]), 25.0);
    // B2 has no population row; ZZ9 is no district: both said, neither silently dropped.
    assert_eq!(b2["population"], "");
    assert!(b2["notes"].contains("population"), "{}", b2["notes"]);
    assert!(
        stderr.contains("1 of 2 districts have no population"),
        "{stderr}"
    );
    assert!(stderr.contains("ZZ9"), "{stderr}");
    assert!(stderr.contains("2 Ookla rows repeat a tile"), "{stderr}");

    // A baseline that is no quarter of the tiles: `check` says so, naming those there are.
    let output = gapmap(&[
        "check",
        "--config",
        config.to_str().expect("utf-8"),
        "--set",
        "ookla.baseline=\"2019Q3\"",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("`2019Q3` is not a quarter") && stderr.contains("2020Q1, 2020Q2"),
        "{stderr}"
    );

    // A district id twice in the attribute table is an error naming both rows.
    let twice = two_squares(dir.path(), tiles, "code,residents\nA1,2000\nA1,2100\n");
    let output = run_with(&twice, &dir.path().join("out2"), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("population.csv") && stderr.contains("record 3") && stderr.contains("A1"),
        "{stderr}"
    );
}

/// The two squares with an attribute table of two own columns: `hogares` published as
/// `households_2017` (empty for A1), `ingreso` under its own name with a source of its own.
fn two_squares_with_own_columns(dir: &Path) -> PathBuf {
    let tiles = "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,year_quarter\n\
                 0333333333333333,10,1,20,60,5,2020Q1\n";
    let config = two_squares(
        dir,
        tiles,
        "code,residents,hogares,ingreso\nA1,2000,,1250.5\nB2,1500,480,-3e2\n",
    );
    let text = std::fs::read_to_string(&config).expect("config");
    let columns = r#"
[[layer.attributes.columns]]
column = "hogares"
field = "households_2017"
unit = "households"
description = "Households, census 2017"

[[layer.attributes.columns]]
column = "ingreso"
unit = "PEN per month"
description = "Mean household income per month"
source = "synthetic survey"

[output]"#;
    std::fs::write(&config, text.replacen("\n[output]", columns, 1)).expect("config");
    config
}

/// A layer's own fields (METHOD.md §10): any numeric column named in the configuration is
/// published after the §9 fields, as read, with its unit and source; an empty cell is an empty
/// field with a note, never a zero.
#[test]
fn named_columns_of_an_attribute_table_are_published_as_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = two_squares_with_own_columns(dir.path());
    let out = dir.path().join("out");
    let output = run_with(&config, &out, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let header = std::fs::read_to_string(out.join("district.csv")).expect("csv");
    let header = header.lines().next().expect("header");
    assert!(
        header.ends_with(",notes,households_2017,ingreso"),
        "{header}"
    );
    let rows = read_table(&out.join("district.csv"));
    let a1 = rows.iter().find(|r| r["geoid"] == "A1").expect("A1");
    let b2 = rows.iter().find(|r| r["geoid"] == "B2").expect("B2");
    assert_eq!(
        (a1["households_2017"].as_str(), a1["ingreso"].as_str()),
        ("", "1250.5")
    );
    assert_eq!(
        (b2["households_2017"].as_str(), b2["ingreso"].as_str()),
        ("480", "-300")
    );
    assert!(
        a1["notes"].contains("households_2017: the households_2017 cell of this district's row in population.csv is empty"),
        "{}",
        a1["notes"]
    );
    // The §9 field `households` (ACS) is not filled from a table that is not the ACS.
    assert_eq!(b2["households"], "");
    // The GeoJSON carries them too, and the package says where each comes from.
    let geojson: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("district.geojson")).expect("geojson"),
    )
    .expect("JSON");
    let b2_properties = geojson["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["id"] == "B2")
        .expect("B2")["properties"]
        .clone();
    assert_eq!(b2_properties["households_2017"], 480.0);
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("datapackage.json")).expect("datapackage"),
    )
    .expect("JSON");
    let table = package["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["path"] == "district.csv")
        .expect("the district table");
    let field = table["schema"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "ingreso")
        .expect("ingreso in the schema");
    assert_eq!(field["type"], "number");
    assert_eq!(field["unit"], "PEN per month");
    assert!(
        field["description"]
            .as_str()
            .is_some_and(|d| d.contains("synthetic survey") && d.contains("population.csv")),
        "{field}"
    );
    let metadata = std::fs::read_to_string(out.join("metadata.json")).expect("metadata");
    assert!(
        metadata.contains("\"own_fields\""),
        "metadata names the own fields"
    );
    let methodology = std::fs::read_to_string(out.join("methodology.md")).expect("methodology");
    assert!(
        methodology.contains("`households_2017` ← `hogares` (households, as read)"),
        "{methodology}"
    );
}

/// Names that are not plain, or that gapmap computes or reserves, are refused by `check`,
/// naming the column.
#[test]
fn an_own_field_name_gapmap_uses_or_reserves_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = two_squares_with_own_columns(dir.path());
    for (field, says) in [
        ("speed_tests", "a field gapmap computes"),
        ("geometry", "geometry or feature-id column"),
        ("Hogares 2017", "lower-case letters"),
    ] {
        let bad = dir.path().join("bad.toml");
        std::fs::write(
            &bad,
            std::fs::read_to_string(&config).expect("config").replace(
                "field = \"households_2017\"",
                &format!("field = \"{field}\""),
            ),
        )
        .expect("bad config");
        let output = gapmap(&["check", "--config", bad.to_str().expect("utf-8")]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{field} accepted");
        assert!(
            stderr.contains(says) && stderr.contains("hogares"),
            "{field}: {stderr}"
        );
    }
}
