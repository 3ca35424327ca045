//! End-to-end tests: they run the `gapmap` binary on the bundled data in `data/` and read what
//! it wrote, as a user would.
//!
//! Where new tests go:
//! - `demo.rs`: figures of the DC demo and their invariants (counts, roll-ups, provenance);
//! - `affordability.rs`: METHOD.md §4 on the real DC price, income and ward inputs;
//! - `apportion.rs`: the city's own district layers (METHOD.md §6) and their conservation;
//! - `cli.rs`: how the command behaves for a newcomer (help, wrong paths, bad input);
//! - `corpus.rs`: the bad-input corpus, each broken input with its expected outcome;
//! - `maui.rs`: raw Ookla tiles on the Maui sample (METHOD.md §5);
//! - `package.rs`: the publication package: datapackage.json, methodology, suppression (§8),
//!   web layers, determinism, and the viewer in headless Chromium;
//! - `util.rs`: running the binary and reading its outputs.

mod affordability;
mod apportion;
mod cli;
mod corpus;
mod demo;
mod maui;
mod package;
mod util;
