//! Cuts a CSV byte stream into chunks of whole records, so a file of any size is parsed
//! piece by piece in bounded memory.
//!
//! Hand-written: polars 0.55's eager CSV reader wants the whole input in memory and its
//! streaming engine needs the `lazy` feature (a minute more of build and cloud code we do not
//! use). Finding a record boundary only needs the quote state: a newline inside a quoted field
//! (FCC `brand_name`) is not a boundary; `""` toggles twice and so stays correct.

use std::io::Read;

/// A piece of CSV holding whole records.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// The bytes, ending just after a record's newline (or at end of input).
    pub bytes: Vec<u8>,
    /// Records before this chunk (the header counts as one).
    pub records_before: u64,
    /// Records in this chunk.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "the BDC parser counts the records it parses itself"
        )
    )]
    pub records: u64,
}

/// Why splitting stopped.
#[derive(Debug)]
pub(crate) enum SplitError {
    Io(std::io::Error),
    /// A single record longer than the limit: a broken quote or a non-CSV file.
    RecordTooLong {
        record: u64,
        limit: usize,
    },
    /// The input ended inside a quoted field.
    UnterminatedQuote {
        record: u64,
    },
}

/// Reads `input` and hands out chunks of about `target` bytes, each ending on a record
/// boundary. The header line is returned separately, first, as its own chunk with
/// `records == 1`. A UTF-8 byte-order mark is dropped.
#[expect(
    clippy::struct_excessive_bools,
    reason = "four independent flags of one scanner; a state enum would hide that they combine"
)]
pub(crate) struct RecordSplitter<R> {
    input: R,
    target: usize,
    max_record: usize,
    buffer: Vec<u8>,
    scanned: usize,
    in_quotes: bool,
    last_boundary: usize,
    boundaries_in_buffer: u64,
    records_emitted: u64,
    header_done: bool,
    eof: bool,
    first_read: bool,
}

impl<R: Read> RecordSplitter<R> {
    pub(crate) fn new(input: R, target: usize, max_record: usize) -> Self {
        Self {
            input,
            target,
            max_record,
            buffer: Vec::with_capacity(target + 64 * 1024),
            scanned: 0,
            in_quotes: false,
            last_boundary: 0,
            boundaries_in_buffer: 0,
            records_emitted: 0,
            header_done: false,
            eof: false,
            first_read: true,
        }
    }

    fn scan(&mut self) {
        // Only quotes and newlines matter: memchr finds them without a look at every byte.
        for offset in memchr::memchr2_iter(b'"', b'\n', &self.buffer[self.scanned..]) {
            if self.buffer[self.scanned + offset] == b'"' {
                self.in_quotes = !self.in_quotes;
            } else if !self.in_quotes {
                self.last_boundary = self.scanned + offset + 1;
                self.boundaries_in_buffer += 1;
                if !self.header_done {
                    // Stop at the header's end so it can be handed out alone.
                    self.scanned += offset + 1;
                    return;
                }
            }
        }
        self.scanned = self.buffer.len();
    }

    fn take(&mut self, end: usize, records: u64) -> Chunk {
        let rest = self.buffer.split_off(end);
        let bytes = std::mem::replace(&mut self.buffer, rest);
        let chunk = Chunk {
            bytes,
            records_before: self.records_emitted,
            records,
        };
        self.records_emitted += records;
        self.scanned -= end;
        self.last_boundary = 0;
        self.boundaries_in_buffer = 0;
        chunk
    }

    fn fill(&mut self) -> Result<(), SplitError> {
        let start = self.buffer.len();
        let want = self.target.max(64 * 1024);
        self.buffer.resize(start + want, 0);
        let mut filled = start;
        while filled < self.buffer.len() {
            match self.input.read(&mut self.buffer[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buffer.truncate(filled);
                    return Err(SplitError::Io(e));
                }
            }
        }
        self.buffer.truncate(filled);
        if self.first_read {
            self.first_read = false;
            if self.buffer.starts_with(b"\xEF\xBB\xBF") {
                self.buffer.drain(..3);
            }
        }
        Ok(())
    }

    /// The next chunk, `Ok(None)` at the end.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<Chunk>, SplitError> {
        loop {
            self.scan();
            if !self.header_done && self.boundaries_in_buffer == 1 {
                self.header_done = true;
                let end = self.last_boundary;
                return Ok(Some(self.take(end, 1)));
            }
            if self.header_done
                && self.last_boundary > 0
                && (self.last_boundary >= self.target || self.eof)
            {
                let (end, records) = (self.last_boundary, self.boundaries_in_buffer);
                return Ok(Some(self.take(end, records)));
            }
            if self.eof {
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                if self.in_quotes {
                    return Err(SplitError::UnterminatedQuote {
                        record: self.records_emitted + 1,
                    });
                }
                // The last record has no newline.
                self.header_done = true;
                let end = self.buffer.len();
                self.scanned = end;
                return Ok(Some(self.take(end, 1)));
            }
            if self.buffer.len() - self.last_boundary > self.max_record {
                return Err(SplitError::RecordTooLong {
                    record: self.records_emitted + self.boundaries_in_buffer + 1,
                    limit: self.max_record,
                });
            }
            self.fill().map_err(|e| match e {
                SplitError::Io(io) => SplitError::Io(io),
                other => other,
            })?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, target: usize) -> Vec<(String, u64, u64)> {
        let mut splitter = RecordSplitter::new(text.as_bytes(), target, 1 << 20);
        let mut out = Vec::new();
        while let Some(chunk) = splitter.next_chunk().expect("valid CSV") {
            out.push((
                String::from_utf8(chunk.bytes).expect("utf8"),
                chunk.records_before,
                chunk.records,
            ));
        }
        out
    }

    #[test]
    fn the_header_comes_alone_then_whole_records() {
        let chunks = split("a,b\n1,2\n3,4\n5,6\n", 4);
        assert_eq!(chunks[0], ("a,b\n".into(), 0, 1));
        let body: String = chunks[1..].iter().map(|c| c.0.as_str()).collect();
        assert_eq!(body, "1,2\n3,4\n5,6\n");
        assert_eq!(chunks[1..].iter().map(|c| c.2).sum::<u64>(), 3);
        assert!(chunks[1..].iter().all(|c| c.0.ends_with('\n')));
    }

    #[test]
    fn a_quoted_newline_is_not_a_record_boundary() {
        let text = "h1,h2\n\"Metro\nFiber, LLC\",1\n2,3\n";
        let chunks = split(text, 1);
        assert_eq!(chunks.len(), 2);
        assert_eq!(
            chunks[1],
            ("\"Metro\nFiber, LLC\",1\n2,3\n".into(), 1, 2),
            "two records, not three"
        );
    }

    #[test]
    fn a_bom_is_dropped_and_a_last_line_without_newline_is_kept() {
        let chunks = split("\u{feff}h\n1\n2", 1 << 16);
        assert_eq!(chunks[0].0, "h\n");
        let body: String = chunks[1..].iter().map(|c| c.0.as_str()).collect();
        assert_eq!(body, "1\n2");
    }

    #[test]
    fn an_unterminated_quote_is_an_error() {
        let mut splitter = RecordSplitter::new("h\n\"open,1\n".as_bytes(), 1 << 16, 1 << 20);
        assert!(splitter.next_chunk().is_ok());
        assert!(matches!(
            splitter.next_chunk(),
            Err(SplitError::UnterminatedQuote { record: 2 })
        ));
    }

    #[test]
    fn an_endless_record_is_refused_not_buffered() {
        let long = format!("h\n{}", "x".repeat(300_000));
        let mut splitter = RecordSplitter::new(long.as_bytes(), 1024, 100_000);
        assert!(splitter.next_chunk().is_ok());
        assert!(matches!(
            splitter.next_chunk(),
            Err(SplitError::RecordTooLong { record: 2, .. })
        ));
    }
}
