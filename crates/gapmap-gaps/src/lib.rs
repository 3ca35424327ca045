#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adoption;
pub mod affordability;
pub mod apportion;
mod disclosure;
mod error;
mod level;
pub mod need;
pub mod periods;
mod record;
mod relate;
pub mod run;
pub mod speeds;
pub mod suppress;
pub mod tiers;

pub use error::RunError;
pub use level::{
    Coverage, District, Inputs, LevelResult, Method, compute_census_level, compute_tabulated_layer,
};
pub use record::{
    DistrictGaps, ExtraField, FIELD_NAMES, FIELDS, Field, FieldSource, FieldType, FieldValue, Note,
    field_names,
};
