//! BDC availability zips: zip parsing (truncated, bombs, odd names) and each CSV member.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::file("bdc.zip", data);
    let _ = gapmap_ingest::read_bdc(&[path], &gapmap_core::Thresholds::default());
});
