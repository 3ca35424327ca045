//! Small CSV tables read whole with the `csv` crate: opening them and finding their columns.

use std::io::Read;
use std::path::Path;

use crate::IngestError;

/// Whether a zip member is metadata macOS's archiver adds (`__MACOSX/…`, `._name` resource
/// forks), never data: it is skipped.
pub(crate) fn is_mac_metadata(name: &str) -> bool {
    name.split('/')
        .any(|part| part == "__MACOSX" || part.starts_with("._"))
}

/// The bytes of a text file without a UTF-8 byte-order mark (Windows tools write one; JSON
/// parsers refuse it).
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The longest line a small table may have (1 MiB). ACS, block and price tables have lines of
/// a few hundred bytes; a longer one means the file is no table (a binary file, `/dev/zero`),
/// and the CSV reader would otherwise grow its buffer until memory runs out.
pub(crate) const MAX_LINE: usize = 1 << 20;

/// A reader that fails, naming the limit, when a line exceeds [`MAX_LINE`] bytes.
pub(crate) struct BoundedLines<R> {
    inner: R,
    since_newline: usize,
}

impl<R: Read> Read for BoundedLines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        let mut run = self.since_newline;
        for &byte in &buffer[..read] {
            if byte == b'\n' {
                run = 0;
            } else {
                run += 1;
                if run > MAX_LINE {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "a line is longer than {MAX_LINE} bytes: this is not a CSV table (is it the right file?)"
                        ),
                    ));
                }
            }
        }
        self.since_newline = run;
        Ok(read)
    }
}

/// A CSV reader over `path` whose lines are bounded by [`MAX_LINE`].
pub(crate) fn csv_reader(
    path: &Path,
    builder: &csv::ReaderBuilder,
) -> Result<csv::Reader<BoundedLines<std::fs::File>>, IngestError> {
    let file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    Ok(builder.from_reader(BoundedLines {
        inner: file,
        since_newline: 0,
    }))
}

/// An open CSV table and the position of each requested column.
pub(crate) struct Table {
    pub reader: csv::Reader<BoundedLines<std::fs::File>>,
    pub positions: Vec<usize>,
}

/// Opens `path` and finds `columns` in its header (a UTF-8 byte-order mark is ignored).
/// A missing column is an error that names it, lists what the file has, and says what
/// `shape` of table was expected.
pub(crate) fn open_table(path: &Path, columns: &[&str], shape: &str) -> Result<Table, IngestError> {
    let mut reader = csv_reader(path, &csv::ReaderBuilder::new())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    // Regression (issue #12): `/dev/zero` as an ACS table aborted the process ("memory
    // allocation of 4294967296 bytes failed"), naming no file.
    #[test]
    fn a_line_past_the_limit_is_an_error_not_an_allocation() {
        let mut reader = BoundedLines {
            inner: std::io::repeat(b'0'),
            since_newline: 0,
        };
        let mut sink = Vec::new();
        let error = std::io::copy(&mut reader, &mut sink).expect_err("endless line");
        assert!(error.to_string().contains("longer than"), "{error}");
        assert!(
            sink.len() <= MAX_LINE + 64 * 1024,
            "read {} bytes",
            sink.len()
        );

        let lines = "a,b\n".repeat(MAX_LINE);
        let mut reader = BoundedLines {
            inner: lines.as_bytes(),
            since_newline: 0,
        };
        assert_eq!(
            std::io::copy(&mut reader, &mut sink).expect("short lines"),
            lines.len() as u64
        );
    }
}
