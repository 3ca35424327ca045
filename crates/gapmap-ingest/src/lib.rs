#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod acs;
mod attributes;
mod bdc;
mod blocks;
mod boundaries;
mod chunks;
mod error;
mod layer;
#[cfg(feature = "gdal")]
mod ogr;
mod ookla;
mod prices;
mod table;
mod validity;

pub use acs::{AcsFile, read_acs};
pub use attributes::{AttributeRows, read_attribute_table};
pub use bdc::{
    BDC_COLUMNS, BdcProgress, BdcSnapshot, BdcStats, SnapshotInput, read_availability, read_bdc,
};
pub use blocks::{read_block_housing, read_block_points};
pub use boundaries::{Boundary, BoundaryLayer, SourceCrs, read_boundaries};
pub use error::IngestError;
pub use ookla::{BlockTiles, RawTiles, read_ookla_block_tiles, read_ookla_tiles};
pub use prices::{AreaPrices, PlanColumns, read_area_prices, read_plans};
