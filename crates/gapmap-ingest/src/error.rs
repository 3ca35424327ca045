//! What a reader refused, with the file, the row or feature, and what to do.

use std::path::PathBuf;

/// An input that could not be read. Every variant names the file; row-level variants name
/// the record (1-based, counting the header as record 1) and say how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// The file is not a readable zip archive.
    #[error(
        "{path} is not a readable zip archive ({source}); download it again or unzip it and pass the .csv"
    )]
    Zip {
        /// The archive.
        path: PathBuf,
        /// The zip library's error.
        source: zip::result::ZipError,
    },
    /// A structural problem with a whole file: no data member, a missing column, an empty table.
    #[error("{path}: {message}")]
    Format {
        /// The file (or `archive.zip!member.csv`).
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// One bad value.
    #[error("{path}, record {record}, column `{column}`: {message}")]
    Value {
        /// The file (or `archive.zip!member.csv`).
        path: PathBuf,
        /// 1-based record number, the header being record 1.
        record: u64,
        /// The column.
        column: String,
        /// What is wrong with the value and what was expected.
        message: String,
    },
    /// The CSV itself could not be parsed.
    #[error("{path}, records {first_record}–{last_record}: cannot parse CSV: {message}")]
    Csv {
        /// The file (or `archive.zip!member.csv`).
        path: PathBuf,
        /// First record of the failing chunk.
        first_record: u64,
        /// Last record of the failing chunk.
        last_record: u64,
        /// The parser's message.
        message: String,
    },
    /// METHOD.md §2: a location whose rows name different blocks.
    #[error(
        "BDC location_id {location_id} is in block {first_block} in one row and in block {second_block} in another (seen in {path}); a location has one block: fix or drop its rows"
    )]
    LocationInTwoBlocks {
        /// The location.
        location_id: String,
        /// The block seen first.
        first_block: String,
        /// The conflicting block.
        second_block: String,
        /// The file with the conflicting row.
        path: PathBuf,
    },
    /// A CRS the pure-Rust readers do not handle.
    #[error(
        "{path}: unsupported CRS {crs}: without the `gdal` feature gapmap reads EPSG:4326, EPSG:4269 and EPSG:3857; build with `--features gdal` or convert the file (ogr2ogr -t_srs EPSG:4326)"
    )]
    UnsupportedCrs {
        /// The file.
        path: PathBuf,
        /// The CRS as the file names it.
        crs: String,
    },
    /// A boundary feature that cannot be used.
    #[error("{path}, feature {feature}: {message}")]
    Feature {
        /// The boundary file.
        path: PathBuf,
        /// 0-based feature index, and its id where known.
        feature: String,
        /// What is wrong and what to do.
        message: String,
    },
}

impl IngestError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        IngestError::Format {
            path: path.into(),
            message: message.into(),
        }
    }
}
