//! The bodies of gapmap's fuzz targets (see `bodies.rs` and `fuzz/README.md`).
pub mod bodies;
