#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod compute;
pub mod config;
mod load;
mod package;
mod publish;
pub mod settings;

pub use compute::{Results, compute};
pub use config::{Config, Overrides};
pub use gapmap_gaps::run::{ComputedLayer, LayerKind, RunResult};
pub use gapmap_gaps::{DistrictGaps, FIELD_NAMES, FIELDS};
pub use gapmap_ingest::{BdcProgress, BdcSnapshot};
pub use load::{
    BlockPoints, Inputs, LoadedLayer, load, load_with_bdc, load_with_progress, read_bdc_snapshot,
};
pub use package::write_package;
pub use publish::{Staging, check_out, publish};
pub use settings::Settings;
