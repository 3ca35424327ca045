//! ACS tables in both the Census API and the data.census.gov forms, with sentinels.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::file("acs.csv", data);
    let _ = gapmap_ingest::read_acs(&path);
});
