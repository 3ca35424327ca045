//! The bad-input corpus (issue #7): broken and awkward inputs shaped like what portals really
//! have, each with its expected outcome. Every case starts from the same small valid area (two
//! block groups, six residential locations, three ACS variables), breaks one thing, runs the
//! binary, and checks either that the run succeeds with the right figures (handled) or that it
//! exits non-zero with a message naming the file, the row or feature, what is wrong and what to
//! do — and that no output folder appears.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::read_table;

const BDC_HEADER: &str = "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id";

/// Six residential locations (2 served, 2 underserved, 2 unserved) and one business-only row.
const BDC_ROWS: [&str; 7] = [
    "0000000001,100001,Fiber Co,1001,50,1000,500,1,R,AL,010010201001000,882aa84ed7fffff",
    "0000000002,100002,Cable Co,1002,40,100,20,1,R,AL,010010201001000,882aa84ed7fffff",
    "0000000003,100003,Copper Co,1003,10,50,5,1,R,AL,010010201001001,882aa84ed7fffff",
    "0000000004,100004,Air Co,1004,71,30,5,1,R,AL,010010201002000,882aa84ed7fffff",
    "0000000005,100005,Sky Co,1005,60,100,20,0,R,AL,010010201002000,882aa84ed7fffff",
    "0000000003,100003,Copper Co,1006,10,10,1,1,R,AL,010010201002000,882aa84ed7fffff",
    "0000000001,100001,Fiber Co,1007,50,1000,500,1,B,AL,010010201002000,882aa84ed7fffff",
];

/// The valid area: `bdc/rows.csv`, `acs/*.csv`, `bg.geojson`, `gapmap.toml`.
pub(crate) struct Area {
    dir: tempfile::TempDir,
}

pub(crate) fn square(x: f64, y: f64) -> String {
    format!(
        "[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]",
        x + 0.01,
        x + 0.01,
        y + 0.01,
        y + 0.01
    )
}

impl Area {
    pub(crate) fn new() -> Area {
        let dir = tempfile::tempdir().expect("temp dir");
        let area = Area { dir };
        area.write(
            "bdc/rows.csv",
            &format!("{BDC_HEADER}\n{}\n", BDC_ROWS.join("\n")),
        );
        for (variable, values) in [
            ("B28002_001", [("100", "12"), ("50", "9")]),
            ("B28002_004", [("80", "10"), ("40", "8")]),
            ("B28002_013", [("10", "4"), ("5", "3")]),
        ] {
            let text = format!(
                "{variable}E,{variable}M,{variable}MA,GEOID21\n{},{},,010010201001\n{},{},,010010201002\n",
                values[0].0, values[0].1, values[1].0, values[1].1
            );
            area.write(&format!("acs/{}.csv", variable.to_lowercase()), &text);
        }
        area.write(
            "bg.geojson",
            &Self::layer(&[
                (
                    "010010201001",
                    &format!(
                        "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                        square(-86.50, 32.50)
                    ),
                ),
                (
                    "010010201002",
                    &format!(
                        "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                        square(-86.49, 32.50)
                    ),
                ),
            ]),
        );
        area.write("gapmap.toml", CONFIG);
        area
    }

    /// A GeoJSON FeatureCollection of `(GEOID, geometry JSON)`.
    pub(crate) fn layer(features: &[(&str, &str)]) -> String {
        let features: Vec<String> = features
            .iter()
            .map(|(id, geometry)| {
                format!("{{\"type\":\"Feature\",\"properties\":{{\"GEOID\":\"{id}\",\"NAME\":\"BG {id}\"}},\"geometry\":{geometry}}}")
            })
            .collect();
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            features.join(",")
        )
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn write(&self, name: &str, text: &str) {
        self.write_bytes(name, text.as_bytes());
    }

    pub(crate) fn write_bytes(&self, name: &str, bytes: &[u8]) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, bytes).expect("write");
    }

    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read")
    }

    /// Replaces `from` with `to` in a file (the change must apply).
    pub(crate) fn edit(&self, name: &str, from: &str, to: &str) {
        let text = self.read(name);
        assert!(text.contains(from), "{name} lacks {from:?}");
        self.write(name, &text.replacen(from, to, 1));
    }

    /// Replaces the BDC CSV by a zip holding `members`.
    pub(crate) fn bdc_zip(&self, members: &[(&str, &[u8])], method: zip::CompressionMethod) {
        std::fs::remove_file(self.path("bdc/rows.csv")).expect("remove csv");
        let file =
            std::fs::File::create(self.path("bdc/bdc_01_Test_fixed_broadband.zip")).expect("zip");
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, bytes) in members {
            zip.start_file(*name, options).expect("member");
            zip.write_all(bytes).expect("member bytes");
        }
        zip.finish().expect("zip written");
    }

    pub(crate) fn bdc_text() -> String {
        format!("{BDC_HEADER}\n{}\n", BDC_ROWS.join("\n"))
    }

    /// Runs `gapmap run` with extra arguments; returns (success, stderr, out folder).
    pub(crate) fn run(&self, extra: &[&str]) -> (bool, String, PathBuf) {
        let out = self.path("out");
        let output = Command::new(env!("CARGO_BIN_EXE_gapmap"))
            .arg("run")
            .arg("--config")
            .arg(self.path("gapmap.toml"))
            .arg("--out")
            .arg(&out)
            .args(extra)
            .output()
            .expect("gapmap runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            out,
        )
    }
}

const CONFIG: &str = r#"[area]
name = "Test County"

[bdc]
files = ["bdc"]
vintage = "test"
simulated = true

[acs]
tables = ["acs"]
vintage = "2017-2021"

[[level]]
level = "block_group"
boundaries = "bg.geojson"
id_field = "GEOID"
name_field = "NAME"

[suppression]
min_households = 0
min_locations = 0

[output]
charts = false
viewer = false
"#;

/// What a case expects.
pub(crate) enum Expect {
    /// The run succeeds; the block-group table then has these residential locations.
    Handled { locations: f64 },
    /// The run succeeds and its stderr says all of these (a warning).
    Warned(&'static [&'static str]),
    /// The run fails, saying all of these; no output folder is left.
    Error(&'static [&'static str]),
}

pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) setup: fn(&Area),
    pub(crate) expect: Expect,
}

pub(crate) fn bdc_with(rows: &[&str]) -> String {
    format!("{BDC_HEADER}\n{}\n", rows.join("\n"))
}

#[expect(
    clippy::too_many_lines,
    reason = "the corpus is one table: a literal per case, each readable on its own"
)]
fn cases() -> Vec<Case> {
    use Expect::{Error, Handled, Warned};
    vec![
        // ---------------------------------------------------------------- BDC availability
        Case {
            name: "valid area",
            setup: |_| {},
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: truncated zip",
            setup: |a| {
                a.bdc_zip(
                    &[("bdc.csv", Area::bdc_text().as_bytes())],
                    zip::CompressionMethod::Deflated,
                );
                let path = a.path("bdc/bdc_01_Test_fixed_broadband.zip");
                let bytes = std::fs::read(&path).expect("zip");
                std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("cut");
            },
            expect: Error(&["bdc_01_Test_fixed_broadband.zip", "download it again"]),
        },
        Case {
            name: "bdc: zip with two CSVs is read whole",
            setup: |a| {
                let first = bdc_with(&BDC_ROWS[..3]);
                let second = bdc_with(&BDC_ROWS[3..]);
                a.bdc_zip(
                    &[("a.csv", first.as_bytes()), ("b.csv", second.as_bytes())],
                    zip::CompressionMethod::Deflated,
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: zip with no CSV",
            setup: |a| {
                a.bdc_zip(
                    &[("readme.txt", b"nothing here")],
                    zip::CompressionMethod::Deflated,
                );
            },
            expect: Error(&["bdc_01_Test_fixed_broadband.zip", "no .csv member"]),
        },
        Case {
            name: "bdc: zip that is not a zip",
            setup: |a| {
                std::fs::remove_file(a.path("bdc/rows.csv")).expect("remove");
                a.write("bdc/bdc_01.zip", "frn,provider_id\n");
            },
            expect: Error(&["bdc_01.zip"]),
        },
        Case {
            name: "bdc: missing column",
            setup: |a| {
                a.edit("bdc/rows.csv", ",low_latency", "");
            },
            expect: Error(&["rows.csv", "low_latency"]),
        },
        Case {
            name: "bdc: misspelled column",
            setup: |a| {
                a.edit("bdc/rows.csv", "block_geoid", "block_geo_id");
            },
            expect: Error(&["rows.csv", "block_geoid"]),
        },
        Case {
            name: "bdc: extra column",
            setup: |a| {
                let text = a.read("bdc/rows.csv").replace('\n', ",x\n");
                a.write("bdc/rows.csv", &text);
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: columns in another order",
            setup: |a| {
                let lines: Vec<String> = Area::bdc_text()
                    .lines()
                    .map(|l| {
                        let mut f: Vec<&str> = l.split(',').collect();
                        f.swap(0, 10);
                        f.join(",")
                    })
                    .collect();
                a.write("bdc/rows.csv", &(lines.join("\n") + "\n"));
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: byte-order mark",
            setup: |a| {
                a.write("bdc/rows.csv", &format!("\u{feff}{}", Area::bdc_text()));
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: CRLF line ends",
            setup: |a| {
                a.write("bdc/rows.csv", &Area::bdc_text().replace('\n', "\r\n"));
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: quoted newline in brand_name",
            setup: |a| {
                a.edit("bdc/rows.csv", "Fiber Co,1001", "\"Fiber\nCo\",1001");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: quoted comma in brand_name",
            setup: |a| {
                a.edit("bdc/rows.csv", "Cable Co,1002", "\"Cable, Co\",1002");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: quoted quote in brand_name",
            setup: |a| {
                a.edit(
                    "bdc/rows.csv",
                    "Cable Co,1002",
                    "\"Cable \"\"Best\"\" Co\",1002",
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: empty speeds",
            setup: |a| {
                a.edit("bdc/rows.csv", "1003,10,50,5,", "1003,10,,,");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: non-numeric speed",
            setup: |a| {
                a.edit("bdc/rows.csv", "1003,10,50,5,", "1003,10,fast,5,");
            },
            expect: Error(&["rows.csv", "max_advertised_download_speed"]),
        },
        Case {
            name: "bdc: negative speed",
            setup: |a| {
                a.edit("bdc/rows.csv", "1003,10,50,5,", "1003,10,-50,5,");
            },
            expect: Error(&[
                "rows.csv",
                "record 4",
                "max_advertised_download_speed",
                "non-negative",
            ]),
        },
        Case {
            name: "bdc: 16-digit block GEOID",
            setup: |a| {
                a.edit("bdc/rows.csv", "010010201001001", "0100102010010011");
            },
            expect: Error(&["rows.csv", "0100102010010011", "15"]),
        },
        Case {
            name: "bdc: block GEOID with lost leading zero",
            setup: |a| {
                a.edit("bdc/rows.csv", "010010201001001", "10010201001001");
            },
            expect: Error(&["rows.csv", "10010201001001", "leading zero"]),
        },
        Case {
            name: "bdc: a location in two blocks",
            setup: |a| {
                let mut rows = BDC_ROWS.to_vec();
                rows.push("0000000003,100003,Copper Co,1003,10,50,5,1,R,AL,010010201002000,882aa84ed7fffff");
                a.write("bdc/rows.csv", &bdc_with(&rows));
            },
            expect: Error(&["1003", "010010201001001", "010010201002000"]),
        },
        Case {
            name: "bdc: duplicate rows count once",
            setup: |a| {
                let mut rows = BDC_ROWS.to_vec();
                rows.extend_from_slice(&BDC_ROWS);
                a.write("bdc/rows.csv", &bdc_with(&rows));
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: a 100 MB line",
            setup: |a| {
                let mut text = Area::bdc_text();
                text.push_str(&"x".repeat(100 << 20));
                text.push('\n');
                a.write("bdc/rows.csv", &text);
            },
            expect: Error(&["rows.csv", "longer than"]),
        },
        Case {
            name: "bdc: zip bomb (a 2 GB member of zeros)",
            setup: |a| {
                // 2 GiB of zeros deflate to about 2 MB; written by streaming so the test stays small.
                std::fs::remove_file(a.path("bdc/rows.csv")).expect("remove");
                let file = std::fs::File::create(a.path("bdc/bdc_bomb.zip")).expect("zip");
                let mut zip = zip::ZipWriter::new(file);
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .large_file(true);
                zip.start_file("bdc.csv", options).expect("member");
                zip.write_all(format!("{BDC_HEADER}\n").as_bytes())
                    .expect("header");
                // Short lines, so that the bound on expansion, not the bound on a record, stops it.
                let zeros: Vec<u8> = (0..1 << 20)
                    .map(|i| if i % 64 == 63 { b'\n' } else { b'0' })
                    .collect();
                for _ in 0..2048 {
                    zip.write_all(&zeros).expect("zeros");
                }
                zip.finish().expect("zip written");
            },
            expect: Error(&["bdc_bomb.zip", "bdc.csv", "inflates"]),
        },
        Case {
            name: "bdc: path-traversal member name",
            setup: |a| {
                a.bdc_zip(
                    &[("../../etc/bdc.csv", Area::bdc_text().as_bytes())],
                    zip::CompressionMethod::Deflated,
                );
            },
            expect: Error(&[
                "bdc_01_Test_fixed_broadband.zip",
                "../../etc/bdc.csv",
                "outside",
            ]),
        },
        Case {
            name: "bdc: stored (uncompressed) zip",
            setup: |a| {
                a.bdc_zip(
                    &[("bdc.csv", Area::bdc_text().as_bytes())],
                    zip::CompressionMethod::Stored,
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: empty file",
            setup: |a| {
                a.write("bdc/rows.csv", "");
            },
            expect: Error(&["rows.csv", "empty"]),
        },
        Case {
            name: "bdc: header only",
            setup: |a| {
                a.write("bdc/rows.csv", &format!("{BDC_HEADER}\n"));
            },
            expect: Warned(&["rows.csv has a header but no rows"]),
        },
        Case {
            name: "bdc: semicolon-separated",
            setup: |a| {
                a.write("bdc/rows.csv", &Area::bdc_text().replace(',', ";"));
            },
            expect: Error(&["rows.csv", "comma"]),
        },
        Case {
            name: "bdc: Latin-1 byte in brand_name",
            setup: |a| {
                let text = Area::bdc_text().replace("Air Co", "Air Caf\u{e9}");
                let bytes: Vec<u8> = text
                    .chars()
                    .map(|c| if c == '\u{e9}' { 0xe9 } else { c as u8 })
                    .collect();
                a.write_bytes("bdc/rows.csv", &bytes);
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: unknown technology code counts as not reliable",
            setup: |a| {
                a.edit("bdc/rows.csv", "1002,40,100,20", "1002,99,100,20");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: unexpected business_residential_code",
            setup: |a| {
                a.edit(
                    "bdc/rows.csv",
                    "1,R,AL,010010201001001",
                    "1,Z,AL,010010201001001",
                );
            },
            expect: Error(&["rows.csv", "business_residential_code", "Z"]),
        },
        Case {
            name: "bdc: location ids with letters stay text",
            setup: |a| {
                a.edit("bdc/rows.csv", ",1004,", ",L-1004,");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "bdc: block of another county is outside every district",
            setup: |a| {
                a.edit(
                    "bdc/rows.csv",
                    "1003,10,50,5,1,R,AL,010010201001001",
                    "1003,10,50,5,1,R,AL,010030201001001",
                );
            },
            expect: Warned(&["1 of 6 residential locations lie in no block_group"]),
        },
        // ---------------------------------------------------------------- ACS tables
        Case {
            name: "acs: data.census.gov form with a label row",
            setup: |a| {
                a.write("acs/b28002_001.csv", "GEO_ID,NAME,B28002_001E,B28002_001M\nGeography,Geographic Area Name,Estimate!!Total:,Margin of Error!!Total:\n1500000US010010201001,BG 1,100,12\n1500000US010010201002,BG 2,50,9\n");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: sentinel in an estimate",
            setup: |a| {
                a.edit("acs/b28002_013.csv", "10,4,,", "-666666666,-222222222,,");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: sentinel in a margin",
            setup: |a| {
                a.edit("acs/b28002_013.csv", "10,4,,", "10,-555555555,,");
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: no MA column",
            setup: |a| {
                a.write(
                    "acs/b28002_004.csv",
                    "B28002_004E,B28002_004M,GEOID21\n80,10,010010201001\n40,8,010010201002\n",
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: GEOIDs stored as numbers lost their leading zero",
            setup: |a| {
                let text = a
                    .read("acs/b28002_001.csv")
                    .replace(",010010201", ",10010201");
                a.write("acs/b28002_001.csv", &text);
            },
            expect: Error(&["b28002_001.csv", "10010201001", "leading zero"]),
        },
        Case {
            name: "acs: GEOIDs in scientific notation",
            setup: |a| {
                a.edit("acs/b28002_001.csv", ",010010201001", ",1.00102E+10");
            },
            expect: Error(&["b28002_001.csv", "1.00102E+10"]),
        },
        Case {
            name: "acs: 2010 and 2020 vintages mixed",
            setup: |a| {
                let text = a.read("acs/b28002_004.csv").replace("GEOID21", "GEOID10");
                a.write("acs/b28002_004.csv", &text);
            },
            expect: Error(&["b28002_004.csv", "2010", "2020"]),
        },
        Case {
            name: "acs: the same unit twice with different figures",
            setup: |a| {
                let text = a.read("acs/b28002_001.csv") + "101,12,,010010201001\n";
                a.write("acs/b28002_001.csv", &text);
            },
            expect: Error(&[
                "b28002_001.csv",
                "010010201001",
                "twice with different B28002_001",
            ]),
        },
        // Issue #15: per-county files joined into one repeat the units on county edges.
        Case {
            name: "acs: the same unit twice with the same figures",
            setup: |a| {
                let text = a.read("acs/b28002_001.csv") + "100,12,,010010201001\n";
                a.write("acs/b28002_001.csv", &text);
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: text in an estimate",
            setup: |a| {
                a.edit("acs/b28002_001.csv", "100,12,,", "lots,12,,");
            },
            expect: Error(&["b28002_001.csv", "lots"]),
        },
        Case {
            name: "acs: no margin column",
            setup: |a| {
                a.write(
                    "acs/b28002_001.csv",
                    "B28002_001E,GEOID21\n100,010010201001\n50,010010201002\n",
                );
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "acs: empty file",
            setup: |a| {
                a.write("acs/b28002_001.csv", "");
            },
            expect: Error(&["b28002_001.csv"]),
        },
        Case {
            name: "acs: no GEOID column",
            setup: |a| {
                a.edit("acs/b28002_001.csv", "GEOID21", "place");
            },
            expect: Error(&["b28002_001.csv", "GEOID"]),
        },
        Case {
            name: "acs: units of two levels in one file",
            setup: |a| {
                let text = a.read("acs/b28002_001.csv") + "150,20,,01001020100\n";
                a.write("acs/b28002_001.csv", &text);
            },
            expect: Error(&["b28002_001.csv", "01001020100"]),
        },
        Case {
            name: "acs: a unit missing from one table",
            setup: |a| {
                a.write(
                    "acs/b28002_013.csv",
                    "B28002_013E,B28002_013M,B28002_013MA,GEOID21\n10,4,,010010201001\n",
                );
            },
            expect: Handled { locations: 6.0 },
        },
        // ---------------------------------------------------------------- boundaries
        Case {
            name: "boundaries: self-intersecting polygon is repaired and reported",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[-86.50,32.50],[-86.49,32.51],[-86.49,32.50],[-86.50,32.51],[-86.50,32.50]]]}"),
                ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
            ]));
            },
            expect: Warned(&["bg.geojson", "010010201001", "repaired"]),
        },
        Case {
            name: "boundaries: empty polygon",
            setup: |a| {
                a.write(
                    "bg.geojson",
                    &Area::layer(&[
                        ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[]}"),
                        (
                            "010010201002",
                            &format!(
                                "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                                square(-86.49, 32.50)
                            ),
                        ),
                    ]),
                );
            },
            expect: Error(&["bg.geojson", "010010201001", "empty"]),
        },
        Case {
            name: "boundaries: null geometry",
            setup: |a| {
                a.write(
                    "bg.geojson",
                    &Area::layer(&[
                        ("010010201001", "null"),
                        (
                            "010010201002",
                            &format!(
                                "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                                square(-86.49, 32.50)
                            ),
                        ),
                    ]),
                );
            },
            expect: Error(&["bg.geojson", "010010201001", "geometry"]),
        },
        Case {
            name: "boundaries: polygon with a hole",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[-86.50,32.50],[-86.49,32.50],[-86.49,32.51],[-86.50,32.51],[-86.50,32.50]],[[-86.498,32.502],[-86.498,32.504],[-86.496,32.504],[-86.496,32.502],[-86.498,32.502]]]}"),
                ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
            ]));
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "boundaries: crossing the antimeridian",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[179.9,51.0],[-179.9,51.0],[-179.9,51.1],[179.9,51.1],[179.9,51.0]]]}"),
                ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
            ]));
            },
            expect: Error(&["bg.geojson", "010010201001", "antimeridian"]),
        },
        Case {
            name: "boundaries: projected metres in a GeoJSON without crs",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[-9629000,3830000],[-9628000,3830000],[-9628000,3831000],[-9629000,3831000],[-9629000,3830000]]]}"),
                ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
            ]));
            },
            expect: Error(&["bg.geojson", "010010201001", "longitude"]),
        },
        Case {
            name: "boundaries: a CRS gapmap cannot read without GDAL",
            setup: |a| {
                let text = a.read("bg.geojson").replacen("{\"type\":\"FeatureCollection\",", "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::2248\"}},", 1);
                a.write("bg.geojson", &text);
            },
            // With the `gdal` feature, GDAL reprojects any CRS, so the run goes through (the
            // census level joins by GEOID; the squares land elsewhere).
            expect: if cfg!(feature = "gdal") {
                Handled { locations: 6.0 }
            } else {
                Error(&["bg.geojson", "2248"])
            },
        },
        Case {
            name: "boundaries: 3857 shapefile without .prj",
            setup: |a| {
                let source = crate::util::root().join("data/dc/districts/wards_2012");
                for ext in ["shp", "shx", "dbf"] {
                    std::fs::copy(
                        source.join(format!("Wards_from_2012.{ext}")),
                        a.path(&format!("wards.{ext}")),
                    )
                    .expect("copy");
                }
                let text = a.read("gapmap.toml")
                    + "\n[[layer]]\nname = \"ward\"\nboundaries = \"wards.shp\"\nid_field = \"WARD\"\napportion_from = \"block_group\"\nlicense = \"test\"\n";
                a.write("gapmap.toml", &text);
            },
            expect: Error(&["wards.shp", ".prj"]),
        },
        Case {
            name: "boundaries: duplicated ids",
            setup: |a| {
                a.edit("bg.geojson", "010010201002", "010010201001");
            },
            expect: Error(&["bg.geojson", "010010201001", "unique"]),
        },
        Case {
            name: "boundaries: zero features",
            setup: |a| {
                a.write(
                    "bg.geojson",
                    "{\"type\":\"FeatureCollection\",\"features\":[]}",
                );
            },
            expect: Error(&["bg.geojson", "no features"]),
        },
        Case {
            name: "boundaries: id field missing",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "id_field = \"GEOID\"",
                    "id_field = \"GEOID20\"",
                );
            },
            expect: Error(&["bg.geojson", "GEOID20", "GEOID"]),
        },
        Case {
            name: "boundaries: a point instead of a polygon",
            setup: |a| {
                a.write(
                    "bg.geojson",
                    &Area::layer(&[
                        (
                            "010010201001",
                            "{\"type\":\"Point\",\"coordinates\":[-86.5,32.5]}",
                        ),
                        (
                            "010010201002",
                            &format!(
                                "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                                square(-86.49, 32.50)
                            ),
                        ),
                    ]),
                );
            },
            expect: Error(&["bg.geojson", "010010201001", "Point"]),
        },
        Case {
            name: "boundaries: a position with one number (panicked inside geojson 1.0; found by fuzzing)",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                    ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[-86.50,32.50],[-86.49],[-86.49,32.51],[-86.50,32.50]]]}"),
                    ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
                ]));
            },
            expect: Error(&["bg.geojson", "010010201001", "two numbers"]),
        },
        Case {
            name: "boundaries: not JSON",
            setup: |a| {
                a.write("bg.geojson", "GEOID,WKT\n010010201001,POLYGON((...))\n");
            },
            expect: Error(&["bg.geojson"]),
        },
        Case {
            name: "boundaries: latitude beyond 90",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[-86.50,95.0],[-86.49,95.0],[-86.49,95.01],[-86.50,95.01],[-86.50,95.0]]]}"),
                ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
            ]));
            },
            expect: Error(&["bg.geojson", "010010201001", "latitude"]),
        },
        Case {
            name: "boundaries: ids stored as numbers",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "id_field = \"GEOID\"",
                    "id_field = \"NUMID\"",
                );
                let text = a
                    .read("bg.geojson")
                    .replace(
                        "\"GEOID\":\"010010201001\"",
                        "\"GEOID\":\"010010201001\",\"NUMID\":10010201001",
                    )
                    .replace(
                        "\"GEOID\":\"010010201002\"",
                        "\"GEOID\":\"010010201002\",\"NUMID\":10010201002",
                    );
                a.write("bg.geojson", &text);
            },
            expect: Error(&["bg.geojson", "10010201001", "leading zero"]),
        },
        Case {
            name: "boundaries: overlapping parts of a multipolygon",
            setup: |a| {
                a.write(
                    "bg.geojson",
                    &Area::layer(&[
                        (
                            "010010201001",
                            &format!(
                                "{{\"type\":\"MultiPolygon\",\"coordinates\":[{},{}]}}",
                                square(-86.50, 32.50),
                                square(-86.495, 32.505)
                            ),
                        ),
                        (
                            "010010201002",
                            &format!(
                                "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                                square(-86.48, 32.50)
                            ),
                        ),
                    ]),
                );
            },
            expect: Warned(&["bg.geojson", "010010201001", "repaired"]),
        },
        Case {
            name: "boundaries: unclosed ring",
            setup: |a| {
                a.write("bg.geojson", &Area::layer(&[
                ("010010201001", "{\"type\":\"Polygon\",\"coordinates\":[[[-86.50,32.50],[-86.49,32.50],[-86.49,32.51],[-86.50,32.51]]]}"),
                ("010010201002", &format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", square(-86.49, 32.50))),
            ]));
            },
            expect: Handled { locations: 6.0 },
        },
        Case {
            name: "boundaries: missing file",
            setup: |a| {
                std::fs::remove_file(a.path("bg.geojson")).expect("remove");
            },
            expect: Error(&["bg.geojson"]),
        },
        // ---------------------------------------------------------------- configuration
        Case {
            name: "config: unknown key",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "vintage = \"test\"",
                    "vintage = \"test\"\nsimulted = true",
                );
            },
            expect: Error(&["gapmap.toml", "simulted"]),
        },
        Case {
            name: "config: missing input file",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "boundaries = \"bg.geojson\"",
                    "boundaries = \"nowhere.geojson\"",
                );
            },
            expect: Error(&["nowhere.geojson"]),
        },
        Case {
            name: "config: wrong type",
            setup: |a| {
                a.edit("gapmap.toml", "simulated = true", "simulated = \"yes\"");
            },
            expect: Error(&["gapmap.toml", "simulated"]),
        },
        Case {
            name: "config: empty",
            setup: |a| {
                a.write("gapmap.toml", "");
            },
            expect: Error(&["gapmap.toml", "area"]),
        },
        Case {
            name: "config: not TOML",
            setup: |a| {
                a.write("gapmap.toml", "{\"area\": 1}");
            },
            expect: Error(&["gapmap.toml"]),
        },
        Case {
            name: "config: negative threshold",
            setup: |a| {
                let text = a.read("gapmap.toml")
                    + "\n[thresholds]\nserved = { download = -100, upload = 20 }\n";
                a.write("gapmap.toml", &text);
            },
            expect: Error(&["served", "non-negative"]),
        },
        Case {
            name: "config: unknown histogram field",
            setup: |a| {
                a.edit(
                    "gapmap.toml",
                    "charts = false",
                    "charts = false\nhistogram_field = \"speed\"",
                );
            },
            expect: Error(&["gapmap.toml", "histogram_field", "speed"]),
        },
        Case {
            name: "config: no level",
            setup: |a| {
                let text = a.read("gapmap.toml");
                let start = text.find("[[level]]").expect("level");
                let end = text.find("[suppression]").expect("suppression");
                a.write(
                    "gapmap.toml",
                    &format!("{}{}", &text[..start], &text[end..]),
                );
            },
            expect: Error(&["gapmap.toml", "level"]),
        },
        Case {
            name: "config: the same level twice",
            setup: |a| {
                let text = a.read("gapmap.toml").replace("[suppression]", "[[level]]\nlevel = \"block_group\"\nboundaries = \"bg.geojson\"\n\n[suppression]");
                a.write("gapmap.toml", &text);
            },
            expect: Error(&["gapmap.toml", "block_group", "configured twice"]),
        },
        Case {
            name: "config: a layer named like a level",
            setup: |a| {
                let text = a.read("gapmap.toml")
                    + "\n[[layer]]\nname = \"block_group\"\nboundaries = \"bg.geojson\"\nid_field = \"GEOID\"\napportion_from = \"block_group\"\nlicense = \"test\"\n";
                a.write("gapmap.toml", &text);
            },
            expect: Error(&["gapmap.toml", "block_group", "configured twice"]),
        },
        Case {
            name: "config: a layer name that is a path",
            setup: |a| {
                let text = a.read("gapmap.toml")
                    + "\n[[layer]]\nname = \"../escape\"\nboundaries = \"bg.geojson\"\nid_field = \"GEOID\"\napportion_from = \"block_group\"\nlicense = \"test\"\n";
                a.write("gapmap.toml", &text);
            },
            expect: Error(&["gapmap.toml", "../escape", "letters, digits"]),
        },
        Case {
            name: "config: share of income 0",
            setup: |a| {
                let text = a.read("gapmap.toml")
                    + "\n[affordability]\nshare_of_income = 0.0\nreference_price = 50\n";
                a.write("gapmap.toml", &text);
            },
            expect: Error(&["share"]),
        },
        Case {
            name: "config: suppression threshold negative",
            setup: |a| {
                a.edit("gapmap.toml", "min_households = 0", "min_households = -5");
            },
            expect: Error(&["gapmap.toml", "min_households"]),
        },
    ]
}

/// What is wrong with a case's outcome, if anything.
fn problem(case: &Case) -> Option<String> {
    let area = Area::new();
    (case.setup)(&area);
    let (ok, stderr, out) = area.run(&[]);
    match (&case.expect, ok) {
        (Expect::Handled { locations }, true) => {
            let rows = read_table(&out.join("block_group.csv"));
            let total: f64 = rows
                .iter()
                .filter(|r| r["geoid"] != "suppressed")
                .map(|r| r["locations"].parse::<f64>().unwrap_or(0.0))
                .sum();
            ((total - locations).abs() > 1e-9)
                .then(|| format!("{total} locations, expected {locations}"))
        }
        (Expect::Warned(words), true) => {
            let missing: Vec<_> = words.iter().filter(|w| !stderr.contains(*w)).collect();
            (!missing.is_empty()).then(|| format!("the warning lacks {missing:?}:\n{stderr}"))
        }
        (Expect::Error(words), false) => {
            let missing: Vec<_> = words.iter().filter(|w| !stderr.contains(*w)).collect();
            if stderr.contains("panicked") {
                Some(format!("panicked:\n{stderr}"))
            } else if !missing.is_empty() {
                Some(format!("the error lacks {missing:?}:\n{stderr}"))
            } else if out.exists() {
                Some("a failed run left an output folder".to_owned())
            } else {
                None
            }
        }
        (Expect::Error(_), true) => Some("succeeded; expected an error".to_owned()),
        (_, false) => Some(format!("failed; expected success:\n{stderr}")),
    }
}

/// Runs every case and fails with the list of those whose outcome is not the expected one.
pub(crate) fn check_all(cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| problem(case).map(|p| format!("[{}] {p}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_case_of_the_corpus_has_its_expected_outcome() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    check_all(&cases);
}

#[test]
fn corpus_case_names_are_unique() {
    let mut names: Vec<&str> = cases().iter().map(|c| c.name).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count);
    let _ = Path::new(".");
}
