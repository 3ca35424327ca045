//! Issue #12's bad inputs: each made a run publish a wrong number, lose data or abort, and
//! reported success. Every case starts from the corpus's valid area (`corpus.rs`), breaks one
//! thing, and expects the run to refuse it with a message naming the file, row or key and what
//! to do — or, where the input is real and readable, to handle it.

use std::path::Path;

use crate::corpus::{Area, Case, Expect, check_all, square};
use crate::util::read_table;

/// Adds a `[[layer]]` named `wards`, apportioned from the block groups, whose districts are
/// `(id, [x, y, size])` squares.
fn wards(area: &Area, districts: &[(&str, [f64; 3])]) {
    let features: Vec<String> = districts
        .iter()
        .map(|(id, [x, y, size])| {
            let ring = format!(
                "[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]",
                x + size,
                x + size,
                y + size,
                y + size
            );
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"ward\":\"{id}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{ring}}}}}"
            )
        })
        .collect();
    area.write(
        "wards.geojson",
        &format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            features.join(",")
        ),
    );
    configure(
        area,
        "[[layer]]\nname = \"wards\"\nboundaries = \"wards.geojson\"\nid_field = \"ward\"\napportion_from = \"block_group\"\nlicense = \"test\"\n",
    );
}

/// Adds TOML before the `[output]` section of the area's configuration.
fn configure(area: &Area, toml: &str) {
    area.edit("gapmap.toml", "[output]\n", &format!("{toml}\n[output]\n"));
}

#[expect(
    clippy::too_many_lines,
    reason = "one table of cases, a literal per case, as the corpus"
)]
fn cases() -> Vec<Case> {
    use Expect::{Error, Handled, Warned};
    vec![
        // ------------------------------------------------- ACS values that cannot be
        Case {
            name: "acs: a negative estimate",
            setup: |a| a.edit("acs/b28002_013.csv", "\n10,4,,", "\n-50,4,,"),
            expect: Error(&["b28002_013.csv", "record 2", "B28002_013E", "negative"]),
        },
        Case {
            name: "acs: an infinite estimate",
            setup: |a| a.edit("acs/b28002_013.csv", "\n10,4,,", "\ninf,4,,"),
            expect: Error(&[
                "B28002_013E",
                "`inf` is neither a number nor an ACS annotation",
            ]),
        },
        Case {
            name: "acs: NaN as an estimate",
            setup: |a| a.edit("acs/b28002_013.csv", "\n10,4,,", "\nNaN,4,,"),
            expect: Error(&[
                "B28002_013E",
                "`NaN` is neither a number nor an ACS annotation",
            ]),
        },
        Case {
            name: "acs: a negative margin of error",
            setup: |a| a.edit("acs/b28002_013.csv", "\n10,4,,", "\n10,-4,,"),
            expect: Error(&["B28002_013M", "negative margin of error"]),
        },
        Case {
            name: "acs: ** (a margin-of-error annotation) in an estimate column",
            setup: |a| a.edit("acs/b28002_013.csv", "\n10,4,,", "\n**,4,,"),
            expect: Error(&["B28002_013E", "annotation of margins of error"]),
        },
        Case {
            name: "acs: a count larger than its universe",
            setup: |a| a.edit("acs/b28002_013.csv", "\n10,4,,", "\n900,4,,"),
            expect: Error(&[
                "010010201001",
                "B28002_013 = 900 exceeds its universe B28002_001 = 100",
            ]),
        },
        Case {
            name: "acs: one variable in two files, one per county",
            setup: |a| {
                a.edit("acs/b28002_001.csv", "50,9,,010010201002\n", "");
                a.write(
                    "acs/b28002_001_second_county.csv",
                    "B28002_001E,B28002_001M,B28002_001MA,GEOID21\n50,9,,010010201002\n",
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: two files that disagree on a unit",
            setup: |a| {
                a.write(
                    "acs/b28002_001_again.csv",
                    "B28002_001E,B28002_001M,B28002_001MA,GEOID21\n101,12,,010010201001\n",
                );
            },
            expect: Error(&["B28002_001", "010010201001", "contradict"]),
        },
        Case {
            name: "acs: an endless line (/dev/zero as a table)",
            setup: |a| a.write_bytes("acs/b28002_001.csv", &vec![b'0'; 2 << 20]),
            expect: Error(&["b28002_001.csv", "longer than"]),
        },
        // ------------------------------------------------- parameters
        Case {
            name: "params: a negative reference price",
            setup: |a| configure(a, "[affordability]\nreference_price = -39.99\n"),
            expect: Error(&["reference_price = -39.99", "more than 0"]),
        },
        Case {
            name: "params: a reference price of 0",
            setup: |a| configure(a, "[affordability]\nreference_price = 0.0\n"),
            expect: Error(&["reference_price = 0", "more than 0"]),
        },
        Case {
            name: "params: a reference price that is not a number",
            setup: |a| configure(a, "[affordability]\nreference_price = nan\n"),
            expect: Error(&["reference_price = NaN"]),
        },
        Case {
            name: "params: 400 decimals",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "[output]\n",
                    "[output]\ncoordinate_precision = 400\n",
                );
            },
            expect: Error(&["coordinate_precision = 400", "4 to 15"]),
        },
        Case {
            name: "params: 0 decimals",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "[output]\n",
                    "[output]\ncoordinate_precision = 0\n",
                );
            },
            expect: Error(&["coordinate_precision = 0", "4 to 15"]),
        },
        Case {
            name: "params: a negative need weight",
            setup: |a| configure(a, "[need_weights]\nnot_served = -1.0\n"),
            expect: Error(&["need_weights", "not_served", "0 or more"]),
        },
        Case {
            name: "params: every need weight 0",
            setup: |a| {
                configure(
                    a,
                    "[need_weights]\nnot_served = 0.0\nwithout_broadband = 0.0\nunaffordable = 0.0\nslow_tests = 0.0\npoverty = 0.0\n",
                );
            },
            expect: Error(&["every weight is 0"]),
        },
        Case {
            name: "params: top_districts = 0",
            setup: |a| a.edit("gapmap.toml", "[output]\n", "[output]\ntop_districts = 0\n"),
            expect: Error(&["top_districts = 0"]),
        },
        Case {
            name: "params: a misspelt key of the plan table",
            setup: |a| {
                configure(
                    a,
                    "[affordability.plans]\nfile = \"plans.csv\"\nprovider = \"p\"\ntechnology = \"t\"\ndownload = \"d\"\nupload = \"u\"\nprice = \"x\"\nsource = \"s\"\nlicense = \"l\"\nprise = \"y\"\n",
                );
            },
            expect: Error(&["[affordability.plans] has no key `prise`"]),
        },
        // ------------------------------------------------- inputs given twice
        Case {
            name: "bdc: a file listed itself and through its folder",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "files = [\"bdc\"]",
                    "files = [\"bdc\", \"bdc/rows.csv\"]",
                );
            },
            expect: Error(&["rows.csv", "listed twice", "count twice"]),
        },
        Case {
            name: "bdc: the same rows saved under two names",
            setup: |a| a.write("bdc/rows (1).csv", &Area::bdc_text()),
            expect: Error(&["rows (1).csv", "same content", "rows.csv"]),
        },
        // ------------------------------------------------- district layers
        Case {
            name: "layer: far from the area (moved, or axes swapped)",
            setup: |a| wards(a, &[("1", [32.50, -86.50, 0.02])]),
            expect: Error(&[
                "layer wards does not overlap any block_group",
                "axes swapped",
            ]),
        },
        Case {
            name: "layer: the same district twice",
            setup: |a| {
                wards(
                    a,
                    &[("1", [-86.51, 32.49, 0.04]), ("2", [-86.51, 32.49, 0.04])],
                );
            },
            expect: Error(&["districts 1, 2 overlap", "listed twice"]),
        },
        Case {
            name: "boundaries: a hole larger than its shell (rings swapped)",
            setup: |a| {
                // Block group 1's outline stored as the hole of a small square inside it.
                let swapped = "{\"type\":\"Polygon\",\"coordinates\":[[[-86.498,32.502],[-86.496,32.502],[-86.496,32.504],[-86.498,32.504],[-86.498,32.502]],[[-86.50,32.50],[-86.49,32.50],[-86.49,32.51],[-86.50,32.51],[-86.50,32.50]]]}";
                let other = format!(
                    "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                    square(-86.49, 32.50)
                );
                a.write(
                    "bg.geojson",
                    &Area::layer(&[("010010201001", swapped), ("010010201002", &other)]),
                );
            },
            expect: Error(&[
                "bg.geojson",
                "010010201001",
                "hole larger than its outer ring",
                "swapped",
            ]),
        },
        // ------------------------------------------------- Ookla tests that reached no figure
        Case {
            name: "ookla: a tile touching only blocks outside every district",
            setup: |a| {
                a.write(
                    "ookla/tiles.csv",
                    "GEOID20,avg_d_mbps,avg_u_mbps,tests,devices,avg_lat_ms,year,q\n010010201001000,120.5,20.1,60,9,12,2022,1\n010010299001000,80.0,10.0,101,14,20,2022,1\n",
                );
                configure(
                    a,
                    "[ookla]\nblock_tiles = \"ookla/tiles.csv\"\nperiod = \"2022 Q1\"\n",
                );
            },
            expect: Warned(&["1 Ookla tiles (101 tests) touch no block_group"]),
        },
        Case {
            name: "ookla: a tile file with no tile",
            setup: |a| {
                a.write(
                    "ookla/tiles.csv",
                    "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n",
                );
                configure(
                    a,
                    "[ookla]\ntiles = [\"ookla/tiles.csv\"]\nperiod = \"2022 Q1\"\n",
                );
            },
            expect: Warned(&["tiles.csv holds no tile"]),
        },
        // Issue #16: Ookla's mobile tiles were read and silently counted as fixed broadband.
        Case {
            name: "ookla: mobile tiles given as the speed input",
            setup: |a| {
                a.write(
                    "ookla/2022-01-01_performance_mobile_tiles.csv",
                    "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0320101101230123,50000,10000,30,60,9\n",
                );
                configure(
                    a,
                    "[ookla]\ntiles = [\"ookla/2022-01-01_performance_mobile_tiles.csv\"]\nperiod = \"2022 Q1\"\n",
                );
            },
            expect: Error(&[
                "2022-01-01_performance_mobile_tiles.csv",
                "mobile tiles",
                "fixed broadband",
            ]),
        },
        // Issue #16: a run declared mobile reads mobile tiles, and refuses fixed ones.
        Case {
            name: "ookla: a run of mobile tiles, declared so",
            setup: |a| {
                a.write(
                    "ookla/2022-01-01_performance_mobile_tiles.csv",
                    "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0320101101230123,50000,10000,30,60,9\n",
                );
                configure(
                    a,
                    "[ookla]\ntiles = [\"ookla/2022-01-01_performance_mobile_tiles.csv\"]\nperiod = \"2022 Q1\"\nkind = \"mobile\"\n",
                );
            },
            expect: Warned(&["1 Ookla tiles (60 tests) have their centroid in no"]),
        },
        Case {
            name: "ookla: fixed tiles in a run declared mobile",
            setup: |a| {
                a.write(
                    "ookla/2022-01-01_performance_fixed_tiles.csv",
                    "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0320101101230123,50000,10000,30,60,9\n",
                );
                configure(
                    a,
                    "[ookla]\ntiles = [\"ookla/2022-01-01_performance_fixed_tiles.csv\"]\nperiod = \"2022 Q1\"\nkind = \"mobile\"\n",
                );
            },
            expect: Error(&["performance_fixed_tiles.csv", "fixed tiles", "mobile"]),
        },
        // Issue #15: boundaries published per county or state, as a folder or a list.
        Case {
            name: "boundaries: one file per county, as a folder",
            setup: |a| {
                let bg = |id: &str, x: f64| {
                    Area::layer(&[(
                        id,
                        &format!(
                            "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                            square(x, 32.50)
                        ),
                    )])
                };
                std::fs::remove_file(a.path("bg.geojson")).expect("remove");
                a.write("bg/a.geojson", &bg("010010201001", -86.50));
                a.write("bg/b.geojson", &bg("010010201002", -86.49));
                a.edit(
                    "gapmap.toml",
                    "boundaries = \"bg.geojson\"",
                    "boundaries = \"bg\"",
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "boundaries: a district in two of the files",
            setup: |a| {
                let text = a.read("bg.geojson");
                a.write("bg2.geojson", &text);
                a.edit(
                    "gapmap.toml",
                    "boundaries = \"bg.geojson\"",
                    "boundaries = [\"bg.geojson\", \"bg2.geojson\"]",
                );
            },
            expect: Error(&["010010201001", "bg.geojson", "bg2.geojson", "in both"]),
        },
        // ------------------------------------------------- real files once refused
        Case {
            name: "bdc: a zip made on a Mac (__MACOSX resource forks)",
            setup: |a| {
                a.bdc_zip(
                    &[
                        ("bdc.csv", Area::bdc_text().as_bytes()),
                        (
                            "__MACOSX/._bdc.csv",
                            b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
                        ),
                    ],
                    zip::CompressionMethod::Deflated,
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "boundaries: a GeoJSON with a UTF-8 byte-order mark",
            setup: |a| {
                let text = a.read("bg.geojson");
                a.write("bg.geojson", &format!("\u{feff}{text}"));
            },
            expect: Handled { locations: 6.0 },
        },
    ]
}

#[test]
fn every_trust_case_has_its_expected_outcome() {
    let cases = cases();
    assert_eq!(cases.len(), 32, "every case of the table runs");
    check_all(&cases);
}

// Regression (issue #12): two districts covering the whole area with a wide margin left an
// `unassigned` line of 0.00215 locations, with shares computed from that residue.
#[test]
fn a_layer_covering_every_unit_conserves_and_has_no_unassigned_line() {
    let area = Area::new();
    // Two wards side by side, split between the two block groups' squares, covering both.
    wards(
        &area,
        &[
            ("1", [-86.57, 32.45, 0.075]),
            ("2", [-86.495, 32.45, 0.075]),
        ],
    );
    let (ok, stderr, out) = area.run(&[]);
    assert!(ok, "{stderr}");
    let rows = read_table(&out.join("wards.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| r["geoid"].as_str()).collect();
    assert!(!ids.contains(&"unassigned"), "{ids:?}");
    let locations: f64 = rows
        .iter()
        .map(|r| r["locations"].parse::<f64>().unwrap_or(0.0))
        .sum();
    assert!((locations - 6.0).abs() < 1e-9, "{locations} of 6 locations");
}

/// The header and rows of a table of the DC demo (`data/dc/<path>`), without the rows whose
/// first cell is `TOTAL` (a file's check sums, which a part of the file cannot keep).
fn dc_table(path: &str) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(crate::util::root().join("data/dc").join(path))
        .expect("a DC table");
    let mut lines = text.lines();
    let header = lines.next().expect("a header").to_owned();
    let rows = lines
        .filter(|l| !l.starts_with("TOTAL,"))
        .map(str::to_owned)
        .collect();
    (header, rows)
}

/// Writes a CSV of `header` and `rows` at `folder/name`.
fn write_csv<'a>(folder: &Path, name: &str, header: &str, rows: impl Iterator<Item = &'a String>) {
    let mut body = vec![header.to_owned()];
    body.extend(rows.cloned());
    std::fs::create_dir_all(folder).expect("folder");
    std::fs::write(folder.join(name), body.join("\n") + "\n").expect("write");
}

/// Writes `a.csv` and `b.csv` into `folder` as two counties' files would be: every row of a
/// key (the first cell: block, area) in the file of its key, the `overlap` keys in the middle
/// in both.
fn split_by_key(folder: &Path, header: &str, rows: &[String], overlap: usize) {
    let key = |r: &String| r.split(',').next().unwrap_or("").to_owned();
    let mut keys: Vec<String> = rows.iter().map(key).collect();
    keys.sort_unstable();
    keys.dedup();
    let half = keys.len() / 2;
    for (name, wanted) in [
        ("a.csv", &keys[..half + overlap]),
        ("b.csv", &keys[half - overlap..]),
    ] {
        let rows = rows
            .iter()
            .filter(|r| wanted.binary_search(&key(r)).is_ok());
        write_csv(folder, name, header, rows);
    }
}

/// Runs the DC configuration with `set` into `out`, and asserts that `layers` are the demo's,
/// value for value.
fn same_as_demo(out: &Path, set: &str, layers: &[&str]) {
    crate::util::run_dc(out, &[set, "output.charts=false", "output.viewer=false"]);
    let demo = crate::util::demo_output();
    for layer in layers {
        assert_eq!(
            read_table(&out.join(format!("{layer}.csv"))),
            read_table(&demo.join(format!("{layer}.csv"))),
            "{layer}: as from the one file"
        );
    }
}

/// Runs the DC configuration with `set` into `out`: it must stop with a data error (exit 3)
/// whose message holds every one of `expected`.
fn refused(out: &Path, set: &str, expected: &[&str]) {
    let output = crate::util::gapmap(&[
        "run",
        "--config",
        "data/dc/gapmap.toml",
        "--out",
        out.to_str().expect("utf-8"),
        "--set",
        set,
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for text in expected {
        assert!(stderr.contains(text), "{text}: {stderr}");
    }
}

// Issue #15: the block-joined Ookla table as the agencies' tools cut it — several files
// overlapping at their edges, given as a folder or as a list — reads as the one file: a tile
// in two files is one tile, a (block, tile) row in two files counts once.
#[test]
fn block_joined_tiles_in_overlapping_files_count_each_tile_once() {
    let (header, rows) = dc_table("ookla/ookla_fixed_2022_tiles_x_blocks_11001.csv");
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("tiles");
    // Split by rows (the file's order kept), 1,000 rows in both.
    let (half, overlap) = (rows.len() / 2, 1_000);
    write_csv(&folder, "a.csv", &header, rows[..half + overlap].iter());
    write_csv(&folder, "b.csv", &header, rows[half - overlap..].iter());
    let (a, b) = (folder.join("a.csv"), folder.join("b.csv"));
    for (form, value) in [
        ("folder", format!("[{:?}]", folder.display().to_string())),
        (
            "list",
            format!(
                "[{:?}, {:?}]",
                a.display().to_string(),
                b.display().to_string()
            ),
        ),
    ] {
        let out = dir.path().join(form);
        same_as_demo(
            &out,
            &format!("ookla.block_tiles={value}"),
            &["block_group", "tract", "ward"],
        );
        let speeds = read_table(&out.join("tract.csv"));
        assert!(
            speeds.iter().any(|r| !r["speed_tests"].is_empty()),
            "{form}: speed figures"
        );
    }
}

// Issue #15: the 2020 block counts as published per county, overlapping or not, read as one
// table; two files that disagree on a block are refused naming both.
#[test]
fn block_counts_in_several_files_read_as_one_and_contradictions_are_refused() {
    let (header, rows) = dc_table("census2020/census2020_address_counts_by_block_11.csv");
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("blocks");
    split_by_key(&folder, &header, &rows, 100);
    let set = format!("blocks.housing_counts=[{:?}]", folder.display().to_string());
    same_as_demo(
        &dir.path().join("out"),
        &set,
        &["ward", "anc", "block_group"],
    );
    // A block given other counts in a third file.
    let (block, rest) = rows[0].split_once(',').expect("a row");
    let measure = rest.rsplit_once(',').expect("a value").0;
    let changed = [format!("{block},{measure},999999")];
    write_csv(&folder, "c.csv", &header, changed.iter());
    refused(
        &dir.path().join("bad"),
        &set,
        &[block, "c.csv", "contradict"],
    );
}

// Issue #15: an area price table in several files (one per county, overlapping) reads as one;
// an area priced differently in two files is refused naming both.
#[test]
fn area_prices_in_several_files_read_as_one_and_contradictions_are_refused() {
    let (header, rows) = dc_table("prices/bbn_2021_internet_package_price_11001.csv");
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("prices");
    split_by_key(&folder, &header, &rows, 50);
    let set = format!(
        "affordability.area_prices.file=[{:?}]",
        folder.display().to_string()
    );
    same_as_demo(
        &dir.path().join("out"),
        &set,
        &["block_group", "tract", "ward"],
    );
    // The first served-tier price, another in a third file.
    let row = rows
        .iter()
        .find(|r| r.contains(",min_price_100_20,"))
        .expect("a served-tier price");
    let area = row.split(',').next().expect("an area");
    let changed = [row.replacen(",min_price_100_20,", ",min_price_100_20,1", 1)];
    write_csv(&folder, "c.csv", &header, changed.iter());
    refused(
        &dir.path().join("bad"),
        &set,
        &[area, "c.csv", "contradict"],
    );
}

// Issue #15: a plan table in several files (per provider or per area, as such tables are
// gathered) reads as their plans together, given as a folder or a list.
#[test]
fn plan_tables_in_several_files_read_together() {
    let text = std::fs::read_to_string(
        crate::util::root().join("data/plans/markup_2022_jackson_att_plans.csv"),
    )
    .expect("the plan table");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let rows: Vec<String> = lines.map(str::to_owned).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("plans");
    let half = rows.len() / 2;
    write_csv(&folder, "a.csv", header, rows[..half].iter());
    write_csv(&folder, "b.csv", header, rows[half..].iter());
    let check = |file: &str| {
        let set = format!(
            "affordability.plans={{ file = {file}, provider = \"provider\", technology = \"technology\", download = \"speed_down\", upload = \"speed_up\", price = \"price\", area = \"block_group\", source = \"The Markup\", license = \"CC BY-NC-ND 4.0\" }}"
        );
        let output =
            crate::util::gapmap(&["check", "--config", "data/dc/gapmap.toml", "--set", &set]);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    let one = check("\"../plans/markup_2022_jackson_att_plans.csv\"");
    assert!(one.contains("plans: 3819 offers"), "{one}");
    let folder_text = folder.display().to_string();
    for file in [
        format!("{folder_text:?}"),
        format!(
            "[{:?}, {:?}]",
            format!("{folder_text}/a.csv"),
            format!("{folder_text}/b.csv")
        ),
    ] {
        let two = check(&file);
        assert!(two.contains("plans: 3819 offers"), "{file}: {two}");
        assert!(
            two.contains("33 input files read") && one.contains("32 input files read"),
            "{two}"
        );
    }
}
