//! Property tests of BDC reading (METHOD.md §2): for any rows, every residential location is
//! counted once in exactly one tier, the tiers equal a direct computation from the rows, and
//! neither the order of the rows nor the number of threads changes anything.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use gapmap_core::{LocationTable, Qualification, Technology, Thresholds, Tier};
use gapmap_ingest::read_bdc;
use proptest::prelude::*;

const HEADER: &str = "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id\n";
const TECHNOLOGIES: [u16; 7] = [10, 40, 50, 60, 61, 70, 71];
const SPEEDS: [f64; 8] = [0.2, 10.0, 24.9, 25.0, 99.0, 100.0, 300.0, 1000.0];

#[derive(Debug, Clone)]
struct Row {
    location: u8,
    technology: u16,
    download: f64,
    upload: f64,
    low_latency: bool,
    code: char,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0..40u8,
        0..TECHNOLOGIES.len(),
        0..SPEEDS.len(),
        0..SPEEDS.len(),
        any::<bool>(),
        0..3usize,
    )
        .prop_map(|(location, t, d, u, low_latency, code)| Row {
            location,
            technology: TECHNOLOGIES[t],
            download: SPEEDS[d],
            upload: SPEEDS[u] / 5.0,
            low_latency,
            code: ['R', 'X', 'B'][code],
        })
}

/// Each location sits in one block, chosen from its id.
fn block(location: u8) -> String {
    format!("11001000100{}", 1000 + u32::from(location % 3))
}

fn csv(rows: &[Row]) -> String {
    let mut text = HEADER.to_owned();
    for r in rows {
        let _ = writeln!(
            text,
            "0000000001,130001,\"Brand, Inc\",{},{},{},{},{},{},DC,{},882aa84ed7fffff",
            1000 + u32::from(r.location),
            r.technology,
            r.download,
            r.upload,
            u8::from(r.low_latency),
            r.code,
            block(r.location)
        );
    }
    text
}

fn read(text: &str) -> LocationTable {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rows.csv");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write");
    read_bdc(&[path], &Thresholds::default())
        .expect("valid rows")
        .0
}

/// Tier counts per block, keyed by block GEOID.
fn tiers(table: &LocationTable) -> BTreeMap<String, [u64; 3]> {
    let mut counts: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for location in &table.locations {
        let slot = counts
            .entry(table.block_of(location).to_string())
            .or_default();
        slot[location.qualification.tier() as usize] += 1;
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tiers_partition_locations_and_match_the_rows(rows in proptest::collection::vec(row(), 0..120)) {
        let table = read(&csv(&rows));
        // The direct computation: a location is residential if some row is R or X; its tier is
        // the best over its rows (METHOD.md §2).
        let thresholds = Thresholds::default();
        let mut expected: BTreeMap<u8, Qualification> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.code != 'B') {
            let q = Qualification::of_row(&thresholds, Technology(r.technology), Some(r.download), Some(r.upload), r.low_latency);
            let entry = expected.entry(r.location).or_insert(Qualification::NONE);
            *entry |= q;
        }
        prop_assert_eq!(table.locations.len(), expected.len(), "each residential location once");
        let mut by_tier = [0u64; 3];
        for q in expected.values() {
            by_tier[q.tier() as usize] += 1;
        }
        let counted = tiers(&table).values().fold([0u64; 3], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
        prop_assert_eq!(counted, by_tier);
        prop_assert_eq!(counted.iter().sum::<u64>(), table.locations.len() as u64, "tiers partition");
        let _ = Tier::Served;
    }

    #[test]
    fn row_order_and_thread_count_change_nothing(
        rows in proptest::collection::vec(row(), 1..120),
        seed in any::<u64>(),
    ) {
        let table = read(&csv(&rows));
        // A deterministic shuffle of the rows.
        let mut shuffled = rows.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let reordered = read(&csv(&shuffled));
        prop_assert_eq!(tiers(&table), tiers(&reordered));
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        let one_thread = single.install(|| read(&csv(&rows)));
        prop_assert_eq!(tiers(&table), tiers(&one_thread));
    }
}
