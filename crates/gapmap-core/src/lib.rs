#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod availability;
mod boundary;
mod error;
mod estimate;
mod geoid;
pub mod moe;
pub mod quadkey;
mod records;
mod technology;
mod thresholds;
mod tier;

pub use availability::{Availability, Offer, OfferSets, Speed};
pub use boundary::Boundary;
pub use error::CoreError;
pub use estimate::{AcsValue, Estimate, NotAvailable, decode_acs_cell, is_sentinel};
pub use geoid::{GeoId, Level, nested};
pub use records::{
    AcsTables, BlockHousing, LocationSummary, LocationTable, Plan, Provider, SpeedTile, SpeedTiles,
};
pub use technology::{Technology, TechnologyGroup};
pub use thresholds::{NeedWeights, SpeedThreshold, Thresholds};
pub use tier::{BestOffer, Qualification, Tier};
