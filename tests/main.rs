//! End-to-end tests: they run the `gapmap` binary on the bundled data in `data/` and read what
//! it wrote, as a user would.
//!
//! Where new tests go:
//! - `demo.rs`: figures of the DC demo and their invariants (counts, roll-ups, provenance);
//! - `cli.rs`: how the command behaves for a newcomer (help, wrong paths, bad input);
//! - `util.rs`: running the binary and reading its outputs.

mod cli;
mod demo;
mod util;
