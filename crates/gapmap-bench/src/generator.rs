//! Scale data: valid FCC BDC fixed-availability zips of N rows, by expanding the DC sample.
//!
//! The sample's locations are copied with new location ids. Copy `c` keeps the sample's block
//! structure; `per_block` copies share one county's blocks (more locations per block), and
//! every further group of copies clones the block geography under another county code
//! (`11001`, `11003`, `11005`, …), so district counts grow with N. Each copied location takes
//! the rows of its original (technologies, providers, speeds as in the sample); with
//! probability `swap` a row's speeds are replaced by those of another sample row of the same
//! technology, drawn from a seeded generator, so copies are not identical. The output is
//! deterministic for a given seed, N and sample. Everything generated is SIMULATED.
//!
//! Fast: rows are assembled from pre-split byte pieces, one writer per technology file runs on
//! each core, and deflate runs at level 1 (any level is a valid zip).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

/// The BDC fixed-availability header, as the FCC publishes it.
pub const HEADER: &str = "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id\n";

/// One sample row, split so that a copy only rewrites the location id and the county.
#[derive(Debug, Clone)]
struct Piece {
    /// `frn,provider_id,brand_name,` (brand quoted as needed).
    head: Vec<u8>,
    /// `,technology,download,upload,low_latency,code,` (the state follows).
    middle: Vec<u8>,
    /// Download and upload, as text, for swapping.
    speeds: (String, String),
    technology: String,
    /// The block GEOID after its 5-digit county prefix.
    block_rest: String,
    /// `,h3\n`
    tail: Vec<u8>,
}

/// A location id and its rows.
type Location = (u64, Vec<Piece>);

/// The sample: per technology file, per location, its rows.
#[derive(Debug, Clone)]
pub struct Sample {
    /// File stem per technology (`bdc_11_Cable_fixed_broadband_J24_01jan2025`) → locations.
    files: Vec<(String, Vec<Location>)>,
    /// Rows per copy of the sample.
    rows: usize,
    /// Speeds seen per technology, for swaps.
    speeds: BTreeMap<String, Vec<(String, String)>>,
    /// Distinct location ids over all files.
    locations: u64,
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

impl Sample {
    /// Reads the sample zips (one CSV per technology, FCC format) in `folder`.
    pub fn read(folder: &Path) -> Result<Sample> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
            .with_context(|| format!("cannot read the sample folder {}", folder.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "zip"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            bail!("{} holds no BDC zip", folder.display());
        }
        let mut files = Vec::new();
        let mut speeds: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let mut rows = 0;
        let mut ids = std::collections::HashSet::new();
        for path in paths {
            let mut archive = zip::ZipArchive::new(std::fs::File::open(&path)?)
                .with_context(|| format!("{} is not a zip", path.display()))?;
            let mut text = String::new();
            archive.by_index(0)?.read_to_string(&mut text)?;
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let mut locations: BTreeMap<u64, Vec<Piece>> = BTreeMap::new();
            for record in reader.records() {
                let r = record.with_context(|| format!("{}: bad row", path.display()))?;
                let location: u64 = r[3]
                    .parse()
                    .with_context(|| format!("{}: location id {}", path.display(), &r[3]))?;
                let block = &r[10];
                if block.len() != 15 {
                    bail!("{}: block {block} is not 15 digits", path.display());
                }
                let piece = Piece {
                    head: format!("{},{},{},", &r[0], &r[1], quote(&r[2])).into_bytes(),
                    middle: format!(",{},{},{},{},{},", &r[4], &r[5], &r[6], &r[7], &r[8])
                        .into_bytes(),
                    speeds: (r[5].to_owned(), r[6].to_owned()),
                    technology: r[4].to_owned(),
                    block_rest: block[5..].to_owned(),
                    tail: format!(",{}\n", &r[11]).into_bytes(),
                };
                speeds
                    .entry(piece.technology.clone())
                    .or_default()
                    .push(piece.speeds.clone());
                ids.insert(location);
                locations.entry(location).or_default().push(piece);
                rows += 1;
            }
            let stem = path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            files.push((stem, locations.into_iter().collect()));
        }
        Ok(Sample {
            files,
            rows,
            speeds,
            locations: ids.len() as u64,
        })
    }

    /// Rows in one copy of the sample.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// splitmix64: a tiny seeded generator (hand-written to keep the generator dependency-free
/// and its output fixed across crate versions).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Rows to write (at least; whole locations are written, so a few more).
    pub rows: u64,
    /// Seed of the speed swaps.
    pub seed: u64,
    /// Copies of the sample that share one county's blocks.
    pub per_block: u64,
    /// Probability that a copied row takes another sample row's speeds.
    pub swap: f64,
    /// Deflate level (1 fastest … 9 smallest); 0 writes uncompressed CSVs instead of zips.
    pub level: i64,
    /// The states to spread the copies over (FIPS code, USPS code): one set of files per
    /// state, named for it as the FCC names them (`bdc_06_…`). DC alone by default.
    pub states: Vec<(u8, &'static str)>,
}

/// The 50 states, DC and the five territories the FCC publishes BDC files for: all 56 state
/// FIPS codes.
pub const ALL_STATES: [(u8, &str); 56] = [
    (1, "AL"),
    (2, "AK"),
    (4, "AZ"),
    (5, "AR"),
    (6, "CA"),
    (8, "CO"),
    (9, "CT"),
    (10, "DE"),
    (11, "DC"),
    (12, "FL"),
    (13, "GA"),
    (15, "HI"),
    (16, "ID"),
    (17, "IL"),
    (18, "IN"),
    (19, "IA"),
    (20, "KS"),
    (21, "KY"),
    (22, "LA"),
    (23, "ME"),
    (24, "MD"),
    (25, "MA"),
    (26, "MI"),
    (27, "MN"),
    (28, "MS"),
    (29, "MO"),
    (30, "MT"),
    (31, "NE"),
    (32, "NV"),
    (33, "NH"),
    (34, "NJ"),
    (35, "NM"),
    (36, "NY"),
    (37, "NC"),
    (38, "ND"),
    (39, "OH"),
    (40, "OK"),
    (41, "OR"),
    (42, "PA"),
    (44, "RI"),
    (45, "SC"),
    (46, "SD"),
    (47, "TN"),
    (48, "TX"),
    (49, "UT"),
    (50, "VT"),
    (51, "VA"),
    (53, "WA"),
    (54, "WV"),
    (55, "WI"),
    (56, "WY"),
    (60, "AS"),
    (66, "GU"),
    (69, "MP"),
    (72, "PR"),
    (78, "VI"),
];

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The files.
    pub files: Vec<PathBuf>,
    /// Rows written.
    pub rows: u64,
    /// Distinct locations written (residential and business).
    pub locations: u64,
    /// Counties the block geography was cloned under, as 5-digit state and county codes.
    pub counties: Vec<String>,
}

/// Writes the zips (or CSVs) into `out`: per state, one per technology file of the sample.
pub fn generate(sample: &Sample, plan: &Plan, out: &Path) -> Result<Written> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    if plan.states.is_empty() {
        bail!("no state to generate files for");
    }
    let copies = plan.rows.div_ceil(sample.rows.max(1) as u64).max(1);
    let states = plan.states.len() as u64;
    let per_state = copies.div_ceil(states);
    let per_block = plan.per_block.max(1);
    let counties_per_state = per_state.div_ceil(per_block);
    if counties_per_state > 499 {
        bail!(
            "{} rows need {counties_per_state} counties of cloned blocks per state (county codes run out at 999): raise --per-block",
            plan.rows
        );
    }
    // (state index, technology file index): every file written on its own core.
    let jobs: Vec<(usize, usize)> = (0..plan.states.len())
        .flat_map(|s| (0..sample.files.len()).map(move |f| (s, f)))
        .collect();
    let results: Vec<Result<(PathBuf, u64, Vec<String>)>> = jobs
        .par_iter()
        .map(|&(state_index, index)| {
            // The state's copies: the last state may take fewer when they do not divide.
            let copies = (state_index as u64 * per_state)
                ..((state_index as u64 + 1) * per_state).min(copies);
            write_file(sample, plan, out, (state_index, index), copies)
        })
        .collect();
    let mut written = Written {
        files: Vec::new(),
        rows: 0,
        locations: copies * sample.locations,
        counties: Vec::new(),
    };
    for result in results {
        let (path, rows, counties) = result?;
        written.files.push(path);
        written.rows += rows;
        written.counties.extend(counties);
    }
    written.counties.sort();
    written.counties.dedup();
    Ok(written)
}

/// Writes one technology file of one state: `copies` of the sample's locations of file
/// `index`, returning its path, rows and the counties it used.
fn write_file(
    sample: &Sample,
    plan: &Plan,
    out: &Path,
    (state_index, index): (usize, usize),
    copies: std::ops::Range<u64>,
) -> Result<(PathBuf, u64, Vec<String>)> {
    let (fips, usps) = plan.states[state_index];
    let (stem, locations) = &sample.files[index];
    let per_block = plan.per_block.max(1);
    let name = stem.replacen("bdc_11_", &format!("bdc_{fips:02}_GENERATED_"), 1);
    let path = out.join(format!(
        "{name}.{}",
        if plan.level == 0 { "csv" } else { "zip" }
    ));
    let file = std::fs::File::create(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let seed = plan.seed
        ^ (index as u64).wrapping_mul(0x9e37_79b9)
        ^ (state_index as u64).wrapping_mul(0x85eb_ca6b_c2b2_ae35);
    let mut rng = Rng(seed);
    let mut rows = 0u64;
    let mut counties = std::collections::BTreeSet::new();
    let state = format!("{usps},");
    let first = copies.start;
    let mut write_rows = |w: &mut dyn Write| -> Result<()> {
        w.write_all(HEADER.as_bytes())?;
        let mut line = Vec::with_capacity(256);
        let mut id = itoa_buffer();
        for copy in copies.clone() {
            let county = format!("{fips:02}{:03}", 1 + 2 * ((copy - first) / per_block));
            counties.insert(county.clone());
            for (location, pieces) in locations {
                // Ids stay distinct across copies and states.
                let id_text = id.format(copy * 10_000_000_000 + location);
                for piece in pieces {
                    line.clear();
                    line.extend_from_slice(&piece.head);
                    line.extend_from_slice(id_text.as_bytes());
                    if plan.swap > 0.0
                        && copy > 0
                        && (rng.next() as f64 / u64::MAX as f64) < plan.swap
                    {
                        let pool = &sample.speeds[&piece.technology];
                        let (down, up) = &pool[rng.below(pool.len())];
                        // Rebuild the middle with the swapped speeds.
                        let middle = std::str::from_utf8(&piece.middle).unwrap_or("");
                        let mut parts: Vec<&str> = middle.split(',').collect();
                        if parts.len() >= 4 {
                            parts[2] = down;
                            parts[3] = up;
                        }
                        line.extend_from_slice(parts.join(",").as_bytes());
                    } else {
                        line.extend_from_slice(&piece.middle);
                    }
                    line.extend_from_slice(state.as_bytes());
                    line.extend_from_slice(county.as_bytes());
                    line.extend_from_slice(piece.block_rest.as_bytes());
                    line.extend_from_slice(&piece.tail);
                    w.write_all(&line)?;
                    rows += 1;
                }
            }
        }
        Ok(())
    };
    if plan.level == 0 {
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
        write_rows(&mut writer)?;
        writer.flush()?;
    } else {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::with_capacity(1 << 20, file));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(plan.level))
            .large_file(true);
        zip.start_file(format!("{name}.csv"), options)?;
        write_rows(&mut zip)?;
        zip.finish()?.flush()?;
    }
    Ok((path, rows, counties.into_iter().collect()))
}

/// Integer formatting without allocation per row.
struct ItoaBuffer([u8; 20], usize);

fn itoa_buffer() -> ItoaBuffer {
    ItoaBuffer([0; 20], 20)
}

impl ItoaBuffer {
    fn format(&mut self, mut n: u64) -> &str {
        let mut i = 20;
        loop {
            i -= 1;
            self.0[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.1 = i;
        std::str::from_utf8(&self.0[i..]).unwrap_or("0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Sample {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/dc/bdc_simulated");
        Sample::read(&root).expect("the DC sample")
    }

    #[test]
    fn the_output_is_deterministic_valid_and_the_requested_size() {
        let sample = sample();
        assert_eq!(sample.rows(), 144_606);
        let plan = Plan {
            rows: 400_000,
            seed: 7,
            per_block: 2,
            swap: 0.1,
            level: 0,
            states: vec![(11, "DC")],
        };
        let (a, b) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let first = generate(&sample, &plan, a.path()).expect("generated");
        let second = generate(&sample, &plan, b.path()).expect("generated");
        // Three copies of the sample: whole copies, so 3 × 144,606 rows.
        assert_eq!(first.rows, 3 * 144_606);
        assert_eq!(
            first.counties,
            ["11001", "11003"],
            "copies 0–1 in 11001, copy 2 in 11003"
        );
        for (x, y) in first.files.iter().zip(&second.files) {
            assert_eq!(
                std::fs::read(x).expect("a"),
                std::fs::read(y).expect("b"),
                "{x:?}"
            );
        }
        // Every row has the FCC columns, a 15-digit block and a distinct id per copy.
        let mut ids = std::collections::HashSet::new();
        let mut counties = std::collections::BTreeSet::new();
        for file in &first.files {
            let mut reader = csv::Reader::from_path(file).expect("csv");
            assert_eq!(
                reader
                    .headers()
                    .expect("header")
                    .iter()
                    .collect::<Vec<_>>()
                    .join(","),
                HEADER.trim_end()
            );
            for record in reader.records() {
                let r = record.expect("row");
                assert_eq!(r.len(), 12);
                assert_eq!(r[10].len(), 15);
                counties.insert(r[10][..5].to_owned());
                ids.insert((r[3].to_owned(), r[10].to_owned()));
            }
        }
        assert_eq!(counties.into_iter().collect::<Vec<_>>(), ["11001", "11003"]);
        // Another seed swaps other speeds.
        let other = Plan { seed: 8, ..plan };
        let c = tempfile::tempdir().expect("dir");
        let third = generate(&sample, &other, c.path()).expect("generated");
        assert_ne!(
            std::fs::read(&first.files[1]).expect("a"),
            std::fs::read(&third.files[1]).expect("c")
        );
    }
}

#[cfg(test)]
mod national_tests {
    use super::*;

    #[test]
    fn a_national_release_has_files_per_state_named_and_filled_for_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/dc/bdc_simulated");
        let sample = Sample::read(&root).expect("the DC sample");
        assert_eq!(ALL_STATES.len(), 56);
        let plan = Plan {
            rows: 3 * 144_606,
            seed: 1,
            per_block: 1,
            swap: 0.0,
            level: 0,
            states: vec![(6, "CA"), (72, "PR")],
        };
        let dir = tempfile::tempdir().expect("dir");
        let written = generate(&sample, &plan, dir.path()).expect("generated");
        assert_eq!(written.files.len(), 2 * 7);
        assert_eq!(written.counties, ["06001", "06003", "72001"]);
        for file in &written.files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let (fips, usps) = if name.starts_with("bdc_06_") {
                ("06", "CA")
            } else {
                ("72", "PR")
            };
            assert!(
                name.starts_with(&format!("bdc_{fips}_GENERATED_")),
                "{name}"
            );
            let mut reader = csv::Reader::from_path(file).expect("csv");
            for record in reader.records().take(1000) {
                let r = record.expect("row");
                assert_eq!((&r[9], &r[10][..2]), (usps, fips), "{name}");
            }
        }
    }
}
