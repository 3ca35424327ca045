#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod atomic;
pub mod charts;
mod error;
mod geojson;
#[cfg(feature = "gdal")]
mod geopackage;
mod metadata;
pub mod provenance;
mod simplify;
mod table;
pub mod tiles;
mod typed;
mod values;
pub mod viewer;

pub use atomic::write_atomic;
pub use error::ExportError;
pub use geojson::{
    DEFAULT_PRECISION, feature_json, geometry_json, published_geometry, write_geojson,
    write_geojsonl,
};
#[cfg(feature = "gdal")]
pub use geopackage::write_geopackage;
pub use metadata::{InputFile, generated_at, write_json};
pub use simplify::simplify_layer;
pub use table::{MOBILE_QUARTER_FIELDS, QUARTER_FIELDS, write_csv, write_quarters_csv};
pub use typed::{TypedLayer, write_flatgeobuf, write_geoparquet};
