//! Thresholds are applied after reading (issue #13): for any rows spread over any number of
//! files and any threshold set, `read_availability` once and `classify` give exactly what a
//! direct computation from the rows with that threshold set gives (METHOD.md §2): each
//! location's tier, gigabit flag and best technology, and which providers serve which block.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use gapmap_core::{BestOffer, Qualification, SpeedThreshold, Technology, Thresholds, Tier};
use gapmap_ingest::read_availability;
use proptest::prelude::*;

const HEADER: &str = "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id\n";
const TECHNOLOGIES: [u16; 8] = [0, 10, 40, 50, 60, 61, 70, 71];
/// Speeds around the default thresholds' edges, and an empty field.
const SPEEDS: [Option<f64>; 11] = [
    None,
    Some(0.0),
    Some(3.0),
    Some(19.0),
    Some(20.0),
    Some(24.9),
    Some(25.0),
    Some(99.0),
    Some(99.999),
    Some(100.0),
    Some(1000.0),
];
const EDGES: [(f64, f64); 7] = [
    (100.0, 20.0),
    (99.0, 20.0),
    (100.0, 19.0),
    (25.0, 3.0),
    (0.0, 0.0),
    (1000.0, 500.0),
    (99.999, 3.0),
];

#[derive(Debug, Clone)]
struct Row {
    location: u8,
    provider: u8,
    technology: u16,
    download: Option<f64>,
    upload: Option<f64>,
    low_latency: bool,
    business: bool,
    file: u8,
}

fn row() -> impl Strategy<Value = Row> {
    (
        (0..30u8, 0..3u8, 0..TECHNOLOGIES.len()),
        (0..SPEEDS.len(), 0..SPEEDS.len()),
        (any::<bool>(), 0..8u8, 0..3u8),
    )
        .prop_map(
            |((location, provider, t), (d, u), (low_latency, b, file))| Row {
                location,
                provider,
                technology: TECHNOLOGIES[t],
                download: SPEEDS[d],
                upload: SPEEDS[u],
                low_latency,
                business: b == 0,
                file,
            },
        )
}

fn thresholds() -> impl Strategy<Value = Thresholds> {
    (
        (0..EDGES.len(), 0..EDGES.len(), 0..EDGES.len()),
        proptest::sample::subsequence(TECHNOLOGIES.to_vec(), 0..=TECHNOLOGIES.len()),
        any::<bool>(),
    )
        .prop_map(|((s, u, g), reliable, require_low_latency)| Thresholds {
            served: SpeedThreshold::new(EDGES[s].0, EDGES[s].1),
            underserved: SpeedThreshold::new(EDGES[u].0, EDGES[u].1),
            gigabit: SpeedThreshold::new(EDGES[g].0, EDGES[g].1),
            reliable_technologies: reliable,
            require_low_latency,
            ..Thresholds::default()
        })
}

fn block(location: u8) -> String {
    format!("11001000100{}", 1000 + u32::from(location % 4))
}

fn speed(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// The rows written into `files` CSVs (a location's rows may land in several).
fn write(dir: &std::path::Path, rows: &[Row], files: u8) -> Vec<PathBuf> {
    let mut texts = vec![HEADER.to_owned(); usize::from(files)];
    for r in rows {
        let _ = writeln!(
            texts[usize::from(r.file % files)],
            "1,{},Brand {},{},{},{},{},{},{},DC,{},x",
            r.provider,
            r.provider,
            1000 + u32::from(r.location),
            r.technology,
            speed(r.download),
            speed(r.upload),
            u8::from(r.low_latency),
            if r.business { 'B' } else { 'R' },
            block(r.location)
        );
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("part{i}.csv"));
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect()
}

/// `(block, tier, gigabit, best technology)` per location, sorted, and the `(block, provider)`
/// pairs with a served offer: straight from the rows.
type Expected = (Vec<(String, u8, bool, u16)>, BTreeSet<(String, String)>);

fn direct(rows: &[Row], t: &Thresholds) -> Expected {
    let mut locations: BTreeMap<u8, (Qualification, BestOffer)> = BTreeMap::new();
    let mut served = BTreeSet::new();
    for r in rows.iter().filter(|r| !r.business) {
        let technology = Technology(r.technology);
        let q = Qualification::of_row(t, technology, r.download, r.upload, r.low_latency);
        let offer = BestOffer::of_row(q, technology, r.download);
        locations
            .entry(r.location)
            .and_modify(|(all, best)| {
                *all |= q;
                *best = best.best(offer);
            })
            .or_insert((q, offer));
        if q.tier() == Tier::Served {
            served.insert((block(r.location), r.provider.to_string()));
        }
    }
    let mut summary: Vec<(String, u8, bool, u16)> = locations
        .iter()
        .map(|(&location, (q, best))| {
            (
                block(location),
                q.tier() as u8,
                q.is_gigabit(),
                best.technology().0,
            )
        })
        .collect();
    summary.sort();
    (summary, served)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn thresholds_after_reading_match_a_direct_computation(
        rows in proptest::collection::vec(row(), 0..80),
        files in 1..4u8,
        sets in proptest::collection::vec(thresholds(), 1..4),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = write(dir.path(), &rows, files);
        // Read once, classify with every threshold set.
        let (availability, stats) = read_availability(&paths, &|_| {}).expect("valid rows");
        prop_assert_eq!(stats.rows, rows.len() as u64);
        // One thread (one shard) reads the same table, set numbering included.
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        let (alone, _) = single
            .install(|| read_availability(&paths, &|_| {}))
            .expect("valid rows");
        prop_assert!(alone == availability, "the table depends on the threads");
        for t in &sets {
            let table = availability.classify(t);
            let got: Vec<(String, u8, bool, u16)> = table
                .locations
                .iter()
                .map(|l| {
                    (
                        table.block_of(l).to_string(),
                        l.qualification.tier() as u8,
                        l.qualification.is_gigabit(),
                        l.best_technology.0,
                    )
                })
                .collect();
            let served: BTreeSet<(String, String)> = table
                .served_by
                .iter()
                .map(|&(b, p)| (table.blocks[b as usize].to_string(), table.providers[p as usize].id.clone()))
                .collect();
            let (expected, expected_served) = direct(&rows, t);
            prop_assert_eq!(got, expected, "thresholds {:?}", t);
            prop_assert_eq!(served, expected_served);
        }
    }
}

#[test]
fn the_edges_100_20_99_20_and_100_19() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows: Vec<Row> = [(0, 100.0, 20.0), (1, 99.0, 20.0), (2, 100.0, 19.0)]
        .into_iter()
        .map(|(location, download, upload)| Row {
            location,
            provider: 0,
            technology: 40,
            download: Some(download),
            upload: Some(upload),
            low_latency: true,
            business: false,
            file: location,
        })
        .collect();
    let paths = write(dir.path(), &rows, 3);
    let (availability, _) = read_availability(&paths, &|_| {}).expect("valid rows");
    let tiers = |t: &Thresholds| -> Vec<Tier> {
        let table = availability.classify(t);
        let mut by_block: Vec<(String, Tier)> = table
            .locations
            .iter()
            .map(|l| (table.block_of(l).to_string(), l.qualification.tier()))
            .collect();
        by_block.sort();
        by_block.into_iter().map(|(_, t)| t).collect()
    };
    assert_eq!(
        tiers(&Thresholds::default()),
        [Tier::Served, Tier::Underserved, Tier::Underserved]
    );
    let lower = Thresholds {
        served: SpeedThreshold::new(99.0, 19.0),
        ..Thresholds::default()
    };
    assert_eq!(
        tiers(&lower),
        [Tier::Served; 3],
        "the same read, other thresholds"
    );
}
