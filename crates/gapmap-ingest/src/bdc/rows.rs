//! One chunk of availability records → typed rows, with no allocation per row.
//!
//! Hand-written, and why: polars' CSV reader (the project's parser elsewhere) hands every
//! field over as a string column — 4–5× the cost of the parse itself in this reader (perf,
//! bench/RESULTS.md) — and the `csv` crate's record reader runs a quote-aware state machine on
//! every byte. FCC records only quote a `brand_name` with a comma in it, so a record without a
//! quote is split on commas with `memchr`, and a record with one goes through `csv-core`.

use std::path::Path;
use std::sync::Arc;

use gapmap_core::{GeoId, Level, Offer, Speed};

use crate::IngestError;

/// The needed columns' positions in a file's header, in [`super::NEEDED`]'s order.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    /// For each field of a record up to the last needed one, the needed column it is.
    slot_of: Vec<Option<usize>>,
    /// Fields in the header: every record must have as many.
    fields: usize,
}

impl Columns {
    pub(super) fn new(positions: &[usize], fields: usize) -> Columns {
        let width = positions.iter().max().map_or(0, |m| m + 1);
        let mut slot_of = vec![None; width];
        for (slot, &position) in positions.iter().enumerate() {
            slot_of[position] = Some(slot);
        }
        Columns { slot_of, fields }
    }

    /// The needed fields of a record, and how many fields it has.
    fn pick<'a>(&self, fields: impl Iterator<Item = &'a [u8]>) -> ([&'a [u8]; 9], usize) {
        let mut picked: [&[u8]; 9] = [b""; 9];
        let mut count = 0;
        for (i, field) in fields.enumerate() {
            if let Some(&Some(slot)) = self.slot_of.get(i) {
                picked[slot] = field.trim_ascii();
            }
            count = i + 1;
        }
        (picked, count)
    }
}

/// A location id: a number when the FCC's is one (all of theirs are), text otherwise. `0123`
/// stays text so that it never meets `123`; numbers are below 2^63, the range above being left
/// for text ids.
pub(super) const TEXT_ID: u64 = 1 << 63;

/// One residential row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    /// The numeric id, or [`TEXT_ID`] with the text in [`Parsed::text_ids`].
    pub location: u64,
    /// The 15 digits of the block GEOID as a number (all block GEOIDs have 15 digits, so the
    /// number orders like the text).
    pub block: u64,
    pub offer: Offer,
    /// Index into [`Parsed::providers`].
    pub provider: u16,
    /// The record's number within its chunk (0-based, data records only).
    pub record: u32,
}

/// A parsed chunk.
#[derive(Debug)]
pub(super) struct Parsed {
    pub path: Arc<Path>,
    pub rows: Vec<Row>,
    /// `(row index, id)` of rows with a text location id.
    pub text_ids: Vec<(usize, Box<str>)>,
    /// `(provider_id, brand_name)` of this chunk's rows.
    pub providers: Vec<(String, String)>,
    pub records_before: u64,
    pub records: u64,
    pub business_rows: u64,
    /// Uninflated bytes of the chunk, for progress.
    pub bytes: u64,
}

type ByteMap<V> = std::collections::HashMap<Box<[u8]>, V, foldhash::fast::RandomState>;

struct Providers {
    list: Vec<(String, String)>,
    index: ByteMap<u16>,
    key: Vec<u8>,
    /// The previous row's key and index: rows of one provider come together.
    last: (Vec<u8>, u16),
}

impl Providers {
    fn get(&mut self, id: &[u8], brand: &[u8]) -> Result<u16, String> {
        self.key.clear();
        self.key.extend_from_slice(id);
        self.key.push(b',');
        self.key.extend_from_slice(brand);
        if self.last.0 == self.key && !self.last.0.is_empty() {
            return Ok(self.last.1);
        }
        let index = if let Some(&index) = self.index.get(self.key.as_slice()) {
            index
        } else {
            let index = u16::try_from(self.list.len()).map_err(|_| {
                "more than 65,535 distinct providers in one chunk: this is not a BDC file"
                    .to_owned()
            })?;
            self.list.push((
                String::from_utf8_lossy(id).into_owned(),
                // Brand names are not used in figures; a stray Latin-1 byte must not fail.
                String::from_utf8_lossy(brand).into_owned(),
            ));
            self.index.insert(self.key.as_slice().into(), index);
            index
        };
        self.last.0.clone_from(&self.key);
        self.last.1 = index;
        Ok(index)
    }
}

/// Parses the data records of `bytes` (whole records; the header is not among them).
pub(super) fn parse(
    bytes: &[u8],
    columns: &Columns,
    path: &Arc<Path>,
    records_before: u64,
) -> Result<Parsed, IngestError> {
    let mut parsed = Parsed {
        path: path.clone(),
        rows: Vec::with_capacity(bytes.len() / 96),
        text_ids: Vec::new(),
        providers: Vec::new(),
        records_before,
        records: 0,
        business_rows: 0,
        bytes: bytes.len() as u64,
    };
    let mut providers = Providers {
        list: Vec::new(),
        index: ByteMap::default(),
        key: Vec::new(),
        last: (Vec::new(), 0),
    };
    let mut quoted = Quoted::default();
    let mut rest = bytes;
    let mut record: u32 = 0;
    while !rest.is_empty() {
        let (line, quotes, next) = next_record(rest);
        rest = &rest[next..];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let this = record;
        record += 1;
        if line.is_empty() {
            // A blank line (often the last) is no record.
            continue;
        }
        let (fields, count) = if quotes {
            columns.pick(quoted.split(line))
        } else {
            columns.pick(line.split(|&b| b == b','))
        };
        if count != columns.fields {
            return Err(IngestError::Value {
                path: path.to_path_buf(),
                record: records_before + 1 + u64::from(this),
                column: "(whole record)".into(),
                message: format!(
                    "the record has {count} fields where the header has {}: a comma in an unquoted field (a brand name?) or a cut line; quote the field or fix the line",
                    columns.fields
                ),
            });
        }
        let field = |i: usize| fields[i];
        let bad = |i: usize, message: String| IngestError::Value {
            path: path.to_path_buf(),
            record: records_before + 1 + u64::from(this),
            column: super::NEEDED[i].to_owned(),
            message,
        };
        parsed.records += 1;
        match field(5) {
            b"R" | b"X" => {}
            b"B" => {
                parsed.business_rows += 1;
                continue;
            }
            other => return Err(bad(5, format!("`{}` is not R, X or B", lossy(other)))),
        }
        let location = field(0);
        if location.is_empty() {
            return Err(bad(0, "empty location_id".into()));
        }
        let location_id = numeric_id(location).unwrap_or_else(|| {
            parsed
                .text_ids
                .push((parsed.rows.len(), lossy(location).into()));
            TEXT_ID
        });
        let technology = technology(field(1)).map_err(|m| bad(1, m))?;
        let download = speed(field(2)).map_err(|m| bad(2, m))?;
        let upload = speed(field(3)).map_err(|m| bad(3, m))?;
        let low_latency = low_latency(field(4)).map_err(|m| bad(4, m))?;
        let block = block_key(field(6)).ok_or_else(|| {
            bad(
                6,
                format!(
                    "`{}` is not a 15-digit 2020 block GEOID (was it read as a number and lost its leading zero?)",
                    lossy(field(6))
                ),
            )
        })?;
        let provider = providers.get(field(7), field(8)).map_err(|m| bad(7, m))?;
        parsed.rows.push(Row {
            location: location_id,
            block,
            offer: Offer {
                technology,
                low_latency,
                download,
                upload,
            },
            provider,
            record: this,
        });
    }
    parsed.providers = providers.list;
    Ok(parsed)
}

fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The first record of `bytes`: its line (without `\n`), whether it holds a quote, and where
/// the next record starts. A newline inside quotes does not end a record.
fn next_record(bytes: &[u8]) -> (&[u8], bool, usize) {
    let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    if memchr::memchr(b'"', &bytes[..end]).is_none() {
        return (&bytes[..end], false, (end + 1).min(bytes.len()));
    }
    let mut in_quotes = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => return (&bytes[..i], true, i + 1),
            _ => {}
        }
    }
    (bytes, true, bytes.len())
}

/// Splits records with quotes through `csv-core`, one reader and buffer for a whole chunk.
struct Quoted {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl Default for Quoted {
    fn default() -> Self {
        Quoted {
            reader: csv_core::Reader::new(),
            out: Vec::new(),
            ends: vec![0; 32],
        }
    }
}

impl Quoted {
    /// The fields of one record (quotes removed, `""` read as `"`).
    fn split<'a>(&'a mut self, line: &[u8]) -> impl Iterator<Item = &'a [u8]> {
        use csv_core::ReadRecordResult;
        self.reader.reset();
        if self.out.len() < line.len() {
            self.out.resize(line.len(), 0);
        }
        let (mut nin, mut nout, mut nends) = (0, 0, 0);
        loop {
            let (result, i, o, e) = self.reader.read_record(
                &line[nin..],
                &mut self.out[nout..],
                &mut self.ends[nends..],
            );
            (nin, nout, nends) = (nin + i, nout + o, nends + e);
            match result {
                // All of the line was given: the next call, with nothing, ends the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2 + 1, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        let (out, ends) = (&self.out, &self.ends[..nends]);
        ends.iter().scan(0, move |start, &end| {
            let field = &out[*start..end];
            *start = end;
            Some(field)
        })
    }
}

/// A location id as a number: digits only, no leading zero, below 2^63.
fn numeric_id(text: &[u8]) -> Option<u64> {
    if text.len() > 19 || (text.len() > 1 && text[0] == b'0') {
        return None;
    }
    let mut value: u64 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    (value < TEXT_ID).then_some(value)
}

/// Digits of up to `max` bytes as a number.
fn digits(text: &[u8], max: usize) -> Option<u64> {
    if text.is_empty() || text.len() > max || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |v, &b| v * 10 + u64::from(b - b'0')))
}

/// An FCC technology code (10, 40, 50, ...).
fn technology(text: &[u8]) -> Result<u16, String> {
    digits(text, 5)
        .and_then(|v| u16::try_from(v).ok())
        .or_else(|| std::str::from_utf8(text).ok()?.parse::<u16>().ok())
        .ok_or_else(|| format!("`{}` is not an FCC technology code", lossy(text)))
}

/// The `low_latency` flag: 1 or 0 (true/false as some exports write it; empty is 0).
fn low_latency(text: &[u8]) -> Result<bool, String> {
    match text {
        b"1" | b"true" | b"True" | b"TRUE" => Ok(true),
        b"0" | b"false" | b"False" | b"FALSE" | b"" => Ok(false),
        other => Err(format!("`{}` is not 0 or 1", lossy(other))),
    }
}

/// An advertised speed in Mbps; empty is [`Speed::EMPTY`] (it never qualifies, METHOD.md §2).
pub(super) fn speed(text: &[u8]) -> Result<Speed, String> {
    if text.is_empty() {
        return Ok(Speed::EMPTY);
    }
    // Whole Mbps, as the FCC publishes them: no float parse.
    let value = digits(text, 15)
        .map(|mbps| mbps as f64)
        .or_else(|| std::str::from_utf8(text).ok()?.parse::<f64>().ok());
    value.and_then(Speed::from_mbps).ok_or_else(|| {
        format!(
            "`{}` is not a speed in Mbps (a non-negative number, or empty)",
            lossy(text)
        )
    })
}

/// The block GEOID as its 15 digits' number; `None` when it is not a block GEOID.
fn block_key(text: &[u8]) -> Option<u64> {
    if text.len() == 15 {
        return digits(text, 15);
    }
    // The long form (`1000000US…`) GeoId also accepts.
    let geoid = GeoId::parse(std::str::from_utf8(text).ok()?).ok()?;
    (geoid.level() == Level::Block).then(|| digits(geoid.as_str().as_bytes(), 15))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Columns {
        // The FCC's column order (BDC_COLUMNS) and NEEDED's order.
        Columns::new(&[3, 4, 5, 6, 7, 8, 10, 1, 2], 12)
    }

    fn path() -> Arc<Path> {
        Arc::from(Path::new("a.csv"))
    }

    #[test]
    fn quoted_and_plain_records_give_the_same_fields() {
        let text = b"1,130002,\"Metro\nFiber, LLC\",100,50,940,880,1,R,DC,010010001011000,x\r\n1,130002,Metro,101,50,,0.768,0,X,DC,010010001011000,x\n";
        let parsed = parse(text, &columns(), &path(), 1).expect("valid");
        assert_eq!(parsed.records, 2);
        let [a, b] = [parsed.rows[0], parsed.rows[1]];
        assert_eq!((a.location, a.block), (100, 10_010_001_011_000));
        assert_eq!(a.offer.download.mbps(), Some(940.0));
        assert!(a.offer.low_latency);
        assert_eq!(b.offer.download, Speed::EMPTY);
        assert_eq!(b.offer.upload.mbps(), Some(0.768));
        assert_eq!(
            parsed.providers[0],
            ("130002".into(), "Metro\nFiber, LLC".into())
        );
        assert_eq!(b.provider, 1);
    }

    #[test]
    fn a_record_with_another_field_count_than_the_header_is_refused() {
        for line in [
            &b"1,130002,Metro Fiber, LLC,100,50,940,880,1,R,DC,010010001011000,x\n"[..],
            b"1,130002,Metro,100,50,940,880,1,R,DC,010010001011000\n",
        ] {
            let message = parse(line, &columns(), &path(), 1)
                .expect_err("a shifted record")
                .to_string();
            assert!(message.contains("record 2"), "{message}");
            assert!(
                message.contains("fields where the header has 12"),
                "{message}"
            );
        }
    }

    #[test]
    fn ids_that_are_not_plain_numbers_stay_text() {
        assert_eq!(numeric_id(b"0"), Some(0));
        assert_eq!(numeric_id(b"1234567890"), Some(1_234_567_890));
        assert_eq!(numeric_id(b"0123"), None);
        assert_eq!(numeric_id(b"9223372036854775808"), None, "2^63 is text");
        assert_eq!(numeric_id(b"12a"), None);
    }

    #[test]
    fn speeds_are_read_exactly() {
        assert_eq!(speed(b"100").map(Speed::mbps), Ok(Some(100.0)));
        assert_eq!(speed(b"99.999").map(Speed::mbps), Ok(Some(99.999)));
        assert_eq!(speed(b"1e2").map(Speed::mbps), Ok(Some(100.0)));
        assert_eq!(speed(b"99.9999").map(Speed::mbps), Ok(Some(99.9999)));
        assert!(speed(b"-1").expect_err("negative").contains("non-negative"));
        assert!(speed(b"fast").is_err());
    }
}
