//! BDC availability rows as a CSV: the chunked record splitter, the polars parse, the tiers.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::file("bdc.csv", data);
    if let Ok((table, stats)) = gapmap_ingest::read_bdc(&[path], &gapmap_core::Thresholds::default()) {
        // Every residential location is counted once.
        assert_eq!(table.locations.len() as u64, stats.locations);
    }
});
