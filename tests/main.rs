//! End-to-end tests: they run the `gapmap` binary on the bundled data in `data/` and read what
//! it wrote, as a user would.
//!
//! Where new tests go:
//! - `demo.rs`: figures of the DC demo and their invariants (counts, roll-ups, provenance);
//! - `affordability.rs`: METHOD.md §4 on the real DC price, income and ward inputs;
//! - `apportion.rs`: the city's own district layers (METHOD.md §6) and their conservation;
//! - `atomic.rs`: a package appears all at once (kill -9 mid-run) and never replaces a user's folder;
//! - `batch.rs`: `gapmap batch`: parallel jobs, failures, manifest, skipping, shards;
//! - `checksums.rs`: the demo packages byte for byte against `tests/checksums/` (refactorings);
//! - `cli.rs`: how the command behaves for a newcomer (help, wrong paths, bad input);
//! - `configuration.rs`: docs/configuration.md names every key of the settings;
//! - `fetch.rs`: `gapmap fetch` against a local server answering as the agencies' services do;
//! - `corpus.rs`: the bad-input corpus, each broken input with its expected outcome;
//! - `fuzz_replay.rs`: every fuzz corpus input through its target (a smoke run);
//! - `geometry.rs`: every published polygon valid under GEOS (shapely), no repeated positions;
//! - `lima.rs`: a city outside the US (METHOD.md §10): Lima's districts, quarters, change;
//! - `maui.rs`: raw Ookla tiles on the Maui sample (METHOD.md §5);
//! - `mobile.rs`: Ookla's mobile tiles read beside the fixed ones (METHOD.md §10);
//! - `package.rs`: the publication package: datapackage.json, methodology, suppression (§8),
//!   web layers, determinism;
//! - `privacy.rs`: no withheld figure can be solved for from the rest of the package (§8);
//! - `trust.rs`: issue #12's inputs that once gave wrong numbers, lost data or aborted;
//! - `typed.rs`: the GeoParquet and FlatGeobuf layers, opened by pyarrow and GDAL;
//! - `util.rs`: running the binary and reading its outputs;
//! - `viewer.rs`: the viewer in headless Chromium, from the folder and from `gapmap serve`.

mod affordability;
mod apportion;
mod atomic;
mod batch;
mod checksums;
mod cli;
mod configuration;
mod corpus;
mod demo;
mod fetch;
mod fuzz_replay;
mod geometry;
mod lima;
mod maui;
mod mobile;
mod package;
mod privacy;
mod trust;
mod typed;
mod util;
mod viewer;
