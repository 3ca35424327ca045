//! Small CSV tables read whole with the `csv` crate: opening them and finding their columns.

use std::path::Path;

use crate::IngestError;

/// An open CSV table and the position of each requested column.
pub(crate) struct Table {
    pub reader: csv::Reader<std::fs::File>,
    pub positions: Vec<usize>,
}

/// Opens `path` and finds `columns` in its header (a UTF-8 byte-order mark is ignored).
/// A missing column is an error that names it, lists what the file has, and says what
/// `shape` of table was expected.
pub(crate) fn open_table(path: &Path, columns: &[&str], shape: &str) -> Result<Table, IngestError> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| IngestError::format(path, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| IngestError::format(path, e.to_string()))?
        .clone();
    let names: Vec<&str> = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim())
        .collect();
    let positions = columns
        .iter()
        .map(|column| {
            names.iter().position(|n| n == column).ok_or_else(|| {
                IngestError::format(
                    path,
                    format!(
                        "missing column `{column}`: {shape} has the columns {} (this file has {})",
                        columns.join(", "),
                        names.join(", ")
                    ),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Table { reader, positions })
}
