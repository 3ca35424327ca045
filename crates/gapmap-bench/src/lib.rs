//! Benchmark tools for gapmap (see `bench/README.md`): [`generator::generate`] writes BDC availability
//! zips of any size with the real schema by expanding the bundled DC sample.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod generator;
