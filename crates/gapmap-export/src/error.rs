//! What a writer could not do.

use std::path::PathBuf;

/// An output that could not be written. Nothing is left half-written: every file is written
/// to a temporary name beside it and renamed when complete.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file system refused.
    #[error("cannot write {path}")]
    Io {
        /// The output file.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// A chart could not be drawn.
    #[error("cannot draw the chart {path}: {message}")]
    Chart {
        /// The chart file.
        path: PathBuf,
        /// The drawing library's message.
        message: String,
    },
    /// A file could not be read back.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// A figure a layer's typed schema cannot hold.
    #[error("layer {layer}: {message}")]
    Value {
        /// The layer.
        layer: String,
        /// What is wrong, naming the district and field.
        message: String,
    },
    /// A `metadata.json` that is not one gapmap wrote.
    #[error("{path} is not a gapmap metadata.json")]
    Metadata {
        /// The file.
        path: PathBuf,
        /// What did not parse.
        source: serde_json::Error,
    },
}
