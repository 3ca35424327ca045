//! Fuzz target `bdc_csv`: see `fuzz/src/bodies.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gapmap_fuzz::bodies::bdc_csv(data));
