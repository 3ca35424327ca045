//! What each fuzz target does with its input, shared by the libFuzzer targets
//! (`fuzz/fuzz_targets/`) and by the corpus replay test (`tests/fuzz_replay.rs`), which runs
//! every corpus input through the same code in the normal test suite.
//!
//! The parsers read files, so each input is written to a file in a per-process scratch folder
//! first: the same code path a user's file takes. No input may panic; beyond that, each body
//! checks an invariant of what was read.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static SCRATCH: OnceLock<tempfile::TempDir> = OnceLock::new();

fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = SCRATCH.get_or_init(|| tempfile::tempdir().expect("scratch folder"));
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("scratch write");
    path
}

/// Splits an input in two at a length given by its first two bytes (for two-file formats).
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 2 {
        return (data, &[]);
    }
    let at = usize::from(u16::from_le_bytes([data[0], data[1]])).min(data.len() - 2);
    data[2..].split_at(at)
}

/// BDC availability rows as a CSV: the chunked record splitter, the polars parse, the tiers.
pub fn bdc_csv(data: &[u8]) {
    let path = file("bdc.csv", data);
    if let Ok((table, stats)) =
        gapmap_ingest::read_bdc(&[path], &gapmap_core::Thresholds::default())
    {
        assert_eq!(table.locations.len(), stats.locations, "each location once");
        assert!(stats.business_rows <= stats.rows);
    }
}

/// BDC availability zips: zip parsing (truncated, bombs, odd names) and each CSV member.
pub fn bdc_zip(data: &[u8]) {
    let path = file("bdc.zip", data);
    let _ = gapmap_ingest::read_bdc(&[path], &gapmap_core::Thresholds::default());
}

/// ACS tables in both the Census API and the data.census.gov forms, with sentinels.
pub fn acs_table(data: &[u8]) {
    let path = file("acs.csv", data);
    if let Ok(table) = gapmap_ingest::read_acs(&path) {
        for units in table.variables.values() {
            for geoid in units.keys() {
                assert_eq!(geoid.level(), table.level, "one level per file");
            }
        }
    }
}

/// District layers as GeoJSON: any JSON, any geometry, ids of any type.
pub fn geojson_boundaries(data: &[u8]) {
    let path = file("layer.geojson", data);
    if let Ok(layer) = gapmap_ingest::read_boundaries(&path, None, "GEOID", Some("NAME")) {
        assert!(!layer.features.is_empty(), "an empty layer is an error");
        for feature in &layer.features {
            assert!(
                !feature.geometry.0.is_empty(),
                "an empty geometry is an error"
            );
        }
    }
}

/// District layers as Shapefile: the .shp and .dbf (the input split in two), no .prj.
pub fn shapefile_boundaries(data: &[u8]) {
    let (shp, dbf) = split(data);
    let path = file("layer.shp", shp);
    file("layer.dbf", dbf);
    let _ = gapmap_ingest::read_boundaries(&path, None, "GEOID", None);
}

/// Price tables: the area-level long table and the plan-level table.
pub fn price_tables(data: &[u8]) {
    let path = file("prices.csv", data);
    if let Ok(prices) = gapmap_ingest::read_area_prices(&path, "min_price_100_20") {
        let _ = prices;
    }
    let columns = gapmap_ingest::PlanColumns {
        provider: "provider".into(),
        technology: "technology".into(),
        download: "speed_down".into(),
        upload: "speed_up".into(),
        price: "price".into(),
        area: Some("block_group".into()),
    };
    if let Ok(plans) = gapmap_ingest::read_plans(&path, &columns) {
        for plan in plans {
            assert!(plan.monthly_price.is_finite() && plan.monthly_price >= 0.0);
        }
    }
}

/// Run configurations: TOML, every section and key, and the checks that follow parsing.
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gapmap::settings::Settings::parse(
            text,
            Path::new("/nonexistent"),
            Path::new("fuzz.toml"),
        );
    }
}

/// What a target does with one input.
pub type Body = fn(&[u8]);

/// Every target, by the name of its folder under `fuzz/corpus/`.
pub const TARGETS: [(&str, Body); 7] = [
    ("bdc_csv", bdc_csv),
    ("bdc_zip", bdc_zip),
    ("acs_table", acs_table),
    ("geojson_boundaries", geojson_boundaries),
    ("shapefile_boundaries", shapefile_boundaries),
    ("price_tables", price_tables),
    ("config", config),
];
