//! FCC Broadband Data Collection fixed-availability files (METHOD.md §2).
//!
//! Reads the zipped per-technology CSVs as published (or plain CSVs), streaming: each member is
//! inflated on one thread and cut into chunks of whole records while polars parses the previous
//! chunk, and rows are folded at once into one entry per residential location. Memory grows
//! with locations, not rows.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use gapmap_core::{
    BestOffer, GeoId, Level, LocationSummary, LocationTable, Provider, Qualification, Technology,
    Thresholds,
};
use polars::prelude::{CsvEncoding, CsvReadOptions, DataType, Field, Schema, SerReader};
use rayon::prelude::*;

use crate::IngestError;
use crate::chunks::{Chunk, RecordSplitter, SplitError};

/// The columns of the public availability files, in the FCC's order (METHOD.md §2).
pub const BDC_COLUMNS: [&str; 12] = [
    "frn",
    "provider_id",
    "brand_name",
    "location_id",
    "technology",
    "max_advertised_download_speed",
    "max_advertised_upload_speed",
    "low_latency",
    "business_residential_code",
    "state_usps",
    "block_geoid",
    "h3_res8_id",
];

/// The columns the method reads; the others are never parsed.
const NEEDED: [&str; 9] = [
    "location_id",
    "technology",
    "max_advertised_download_speed",
    "max_advertised_upload_speed",
    "low_latency",
    "business_residential_code",
    "block_geoid",
    "provider_id",
    "brand_name",
];

/// Bytes per parsed chunk: large enough for polars' parallel parser, small enough to bound memory.
const CHUNK_BYTES: usize = 8 << 20;
/// A single record longer than this is a broken file, not data.
const MAX_RECORD_BYTES: usize = 1 << 20;
/// A zip member may inflate to at most this many times its compressed size (the BDC CSVs
/// inflate 8–10×; a bomb of repeated bytes 150–1000×)...
const MAX_INFLATION: u64 = 100;
/// ...unless it stays under this size anyway.
const SMALL_MEMBER: u64 = 64 << 20;

/// Whether a zip member's name could point outside a folder it were extracted to (gapmap never
/// extracts, but no FCC zip has such names: they are a sign of a crafted file).
fn escapes(name: &str) -> bool {
    let name = name.replace('\\', "/");
    name.starts_with('/') || name.split('/').any(|part| part == "..") || name.get(1..2) == Some(":")
}

/// Reads a zip member but fails once more than `limit` bytes come out: the declared sizes of a
/// crafted zip can lie.
struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the member inflates to more than {} bytes, {MAX_INFLATION}× its compressed size: a zip bomb, not an FCC file",
                    self.limit
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// What was read, for the run's log and metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BdcStats {
    /// CSV members read (one per technology file).
    pub members: usize,
    /// Data rows read.
    pub rows: u64,
    /// Rows with `business_residential_code` = `B`, excluded.
    pub business_rows: u64,
    /// Distinct residential locations.
    pub locations: usize,
    /// Files or zip members with a header but no rows (reported, not an error).
    pub empty_members: Vec<String>,
}

/// One residential location while rows are being folded.
#[derive(Clone, Copy)]
struct Pending {
    block: u32,
    qualification: Qualification,
    best: BestOffer,
}

impl Pending {
    /// Folds another row (or partial) of the same location in.
    fn absorb(&mut self, other: Pending) {
        self.qualification |= other.qualification;
        self.best = self.best.best(other.best);
    }
}

/// Hash maps keyed by the rows' ids: foldhash, not the standard SipHash, which took a third of
/// the reading time (perf) for no gain here (the seed is still random per process).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

/// A location id as a map key: a number when the id is one (the FCC's are), which hashes and
/// compares without touching the heap; text otherwise. `0123` stays text, so that it never
/// meets `123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LocationKey {
    Number(u64),
    Text(Box<str>),
}

impl LocationKey {
    fn of(text: &str) -> LocationKey {
        let numeric = !text.is_empty()
            && text.len() <= 19
            && text.bytes().all(|b| b.is_ascii_digit())
            && (text.len() == 1 || !text.starts_with('0'));
        match text.parse::<u64>() {
            Ok(number) if numeric => LocationKey::Number(number),
            _ => LocationKey::Text(text.into()),
        }
    }
}

impl std::fmt::Display for LocationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocationKey::Number(n) => write!(f, "{n}"),
            LocationKey::Text(t) => f.write_str(t),
        }
    }
}

/// Locations of one or more files, before ids are dropped.
#[derive(Default)]
struct Partial {
    blocks: Vec<GeoId>,
    block_index: FastMap<Box<str>, u32>,
    locations: FastMap<LocationKey, Pending>,
    providers: Vec<Provider>,
    provider_index: FastMap<Provider, u16>,
    served_by: FastSet<(u32, u16)>,
    stats: BdcStats,
}

impl Partial {
    fn block(&mut self, text: &str) -> Option<u32> {
        if let Some(&index) = self.block_index.get(text) {
            return Some(index);
        }
        let geoid = GeoId::parse(text)
            .ok()
            .filter(|g| g.level() == Level::Block)?;
        let index = self.blocks.len() as u32;
        self.blocks.push(geoid);
        self.block_index.insert(text.into(), index);
        Some(index)
    }

    fn provider(&mut self, id: &str, brand: &str, path: &Path) -> Result<u16, IngestError> {
        let key = Provider {
            id: id.to_owned(),
            brand: brand.to_owned(),
        };
        if let Some(&index) = self.provider_index.get(&key) {
            return Ok(index);
        }
        let index = u16::try_from(self.providers.len()).map_err(|_| {
            IngestError::format(
                path,
                "more than 65,535 distinct providers: this is not one state's BDC file",
            )
        })?;
        self.providers.push(key.clone());
        self.provider_index.insert(key, index);
        Ok(index)
    }

    fn add(&mut self, location_id: &str, row: Pending, path: &Path) -> Result<(), IngestError> {
        let key = LocationKey::of(location_id);
        match self.locations.get_mut(&key) {
            Some(pending) if pending.block != row.block => Err(IngestError::LocationInTwoBlocks {
                location_id: location_id.to_owned(),
                first_block: self.blocks[pending.block as usize].to_string(),
                second_block: self.blocks[row.block as usize].to_string(),
                path: path.to_owned(),
            }),
            Some(pending) => {
                pending.absorb(row);
                Ok(())
            }
            None => {
                self.locations.insert(key, row);
                Ok(())
            }
        }
    }

    fn merge(mut self, other: Partial, path: &Path) -> Result<Partial, IngestError> {
        self.stats.members += other.stats.members;
        self.stats.rows += other.stats.rows;
        self.stats.business_rows += other.stats.business_rows;
        self.stats.empty_members.extend(other.stats.empty_members);
        let mut provider_remap = Vec::with_capacity(other.providers.len());
        for provider in &other.providers {
            provider_remap.push(self.provider(&provider.id, &provider.brand, path)?);
        }
        let remap: Vec<u32> = other
            .blocks
            .iter()
            .map(|geoid| {
                self.block(geoid.as_str())
                    .expect("already validated as a block GEOID")
            })
            .collect();
        for (block, provider) in other.served_by {
            self.served_by
                .insert((remap[block as usize], provider_remap[provider as usize]));
        }
        self.locations.reserve(other.locations.len());
        for (location_id, pending) in other.locations {
            let block = remap[pending.block as usize];
            match self.locations.entry(location_id) {
                Entry::Occupied(mut slot) => {
                    if slot.get().block != block {
                        return Err(IngestError::LocationInTwoBlocks {
                            location_id: slot.key().to_string(),
                            first_block: self.blocks[slot.get().block as usize].to_string(),
                            second_block: self.blocks[block as usize].to_string(),
                            path: path.to_owned(),
                        });
                    }
                    slot.get_mut().absorb(pending);
                }
                Entry::Vacant(slot) => {
                    slot.insert(Pending { block, ..pending });
                }
            }
        }
        Ok(self)
    }

    fn finish(mut self) -> (LocationTable, BdcStats) {
        self.stats.locations = self.locations.len();
        // Sorted by block then qualification: the table does not depend on hash order.
        let mut locations: Vec<LocationSummary> = self
            .locations
            .into_values()
            .map(|p| LocationSummary {
                block: p.block,
                qualification: p.qualification,
                best_technology: p.best.technology(),
            })
            .collect();
        // Renumber blocks in GEOID order so that the table is the same whatever the file order.
        let mut order: Vec<u32> = (0..self.blocks.len() as u32).collect();
        order.sort_by(|&a, &b| self.blocks[a as usize].cmp(&self.blocks[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        for location in &mut locations {
            location.block = rank[location.block as usize];
        }
        locations.sort_unstable_by_key(|l| (l.block, tier_key(l.qualification), l.best_technology));
        let blocks = order
            .iter()
            .map(|&old| self.blocks[old as usize].clone())
            .collect();
        let mut served_by: Vec<(u32, u16)> = self
            .served_by
            .into_iter()
            .map(|(block, provider)| (rank[block as usize], provider))
            .collect();
        served_by.sort_unstable();
        (
            LocationTable {
                blocks,
                locations,
                providers: self.providers,
                served_by,
            },
            self.stats,
        )
    }
}

fn tier_key(q: Qualification) -> (u8, bool) {
    (q.tier() as u8, q.is_gigabit())
}

/// Reads BDC availability files (zips of CSVs, or CSVs) into one entry per residential
/// location, classified with `thresholds`. Files are read in parallel; a location seen in
/// several files (one per technology) is merged.
pub fn read_bdc(
    paths: &[PathBuf],
    thresholds: &Thresholds,
) -> Result<(LocationTable, BdcStats), IngestError> {
    if paths.is_empty() {
        return Ok((LocationTable::default(), BdcStats::default()));
    }
    let partials: Vec<(PathBuf, Partial)> = paths
        .par_iter()
        .map(|path| read_file(path, thresholds).map(|p| (path.clone(), p)))
        .collect::<Result<_, _>>()?;
    let mut merged = Partial::default();
    for (path, partial) in partials {
        merged = merged.merge(partial, &path)?;
    }
    Ok(merged.finish())
}

fn read_file(path: &Path, thresholds: &Thresholds) -> Result<Partial, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut partial = Partial::default();
    let is_zip = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"));
    if !is_zip {
        read_member(BufReader::new(file), path, thresholds, &mut partial)?;
        return Ok(partial);
    }
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|source| IngestError::Zip {
            path: path.to_owned(),
            source,
        })?;
    let zip_error = |source| IngestError::Zip {
        path: path.to_owned(),
        source,
    };
    let mut members: Vec<(String, usize)> = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(zip_error)?;
        let name = entry.name().map_err(zip_error)?.into_owned();
        if name.to_ascii_lowercase().ends_with(".csv") && !crate::table::is_mac_metadata(&name) {
            members.push((name, index));
        }
    }
    if members.is_empty() {
        return Err(IngestError::format(
            path,
            "the zip holds no .csv member; an FCC availability zip holds one CSV per technology",
        ));
    }
    members.sort();
    for (name, index) in members {
        let member_path = PathBuf::from(format!("{}!{name}", path.display()));
        if escapes(&name) {
            return Err(IngestError::format(
                path,
                format!(
                    "the member `{name}` has a name that points outside the zip's folder (path traversal): not an FCC file; download the zip again from broadbandmap.fcc.gov"
                ),
            ));
        }
        let entry = archive.by_index(index).map_err(|source| IngestError::Zip {
            path: member_path.clone(),
            source,
        })?;
        let limit = (entry.compressed_size().max(1) * MAX_INFLATION).max(SMALL_MEMBER);
        if entry.size() > limit {
            return Err(IngestError::format(
                &member_path,
                format!(
                    "the member inflates {}× ({} bytes from {}): more than {MAX_INFLATION}× is a zip bomb, not an FCC file",
                    entry.size() / entry.compressed_size().max(1),
                    entry.size(),
                    entry.compressed_size()
                ),
            ));
        }
        let bounded = Bounded {
            inner: entry,
            left: limit,
            limit,
        };
        read_member(bounded, &member_path, thresholds, &mut partial)?;
    }
    Ok(partial)
}

/// Where each needed column sits in the file's header.
fn header_positions(header: &[u8], path: &Path) -> Result<Vec<usize>, IngestError> {
    let text = std::str::from_utf8(header).map_err(|_| {
        IngestError::format(
            path,
            "the header line is not UTF-8; is this a BDC availability CSV?",
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let names: Vec<&str> = text
        .trim_end_matches(['\r', '\n'])
        .split(',')
        .map(|n| n.trim().trim_matches('"'))
        .collect();
    let mut positions = Vec::with_capacity(NEEDED.len());
    let mut missing = Vec::new();
    for needed in NEEDED {
        match names.iter().position(|n| *n == needed) {
            Some(p) => positions.push(p),
            None => missing.push(needed),
        }
    }
    if missing.is_empty() {
        Ok(positions)
    } else {
        let separator = if names.len() == 1 && (text.contains(';') || text.contains('\t')) {
            " The header has no comma: BDC files are comma-separated; re-export the file as CSV with commas."
        } else {
            ""
        };
        Err(IngestError::format(
            path,
            format!(
                "missing column(s) {} in the header `{}`; a BDC fixed-availability CSV has the columns {}.{separator}",
                missing.join(", "),
                names.join(","),
                BDC_COLUMNS.join(",")
            ),
        ))
    }
}

fn split_error(e: SplitError, path: &Path) -> IngestError {
    match e {
        SplitError::Io(source) => IngestError::io(path, source),
        SplitError::RecordTooLong { record, limit } => IngestError::Value {
            path: path.to_owned(),
            record,
            column: "(whole record)".into(),
            message: format!(
                "the record is longer than {limit} bytes: an unbalanced quote or a file that is not CSV"
            ),
        },
        SplitError::UnterminatedQuote { record } => IngestError::Value {
            path: path.to_owned(),
            record,
            column: "(whole record)".into(),
            message: "the file ends inside a quoted field: the file is truncated or a quote is unbalanced".into(),
        },
    }
}

fn read_member<R: Read + Send>(
    input: R,
    path: &Path,
    thresholds: &Thresholds,
    partial: &mut Partial,
) -> Result<(), IngestError> {
    let mut splitter = RecordSplitter::new(input, CHUNK_BYTES, MAX_RECORD_BYTES);
    let header = splitter
        .next_chunk()
        .map_err(|e| split_error(e, path))?
        .ok_or_else(|| {
            IngestError::format(path, "the file is empty; expected a header and rows")
        })?;
    let positions = header_positions(&header.bytes, path)?;
    let column_count = std::str::from_utf8(&header.bytes).map_or(BDC_COLUMNS.len(), |t| {
        t.trim_end_matches(['\r', '\n']).split(',').count()
    });
    let schema: Schema = (0..column_count)
        .map(|i| Field::new(format!("column_{i}").into(), DataType::String))
        .collect();
    let schema = Arc::new(schema);
    partial.stats.members += 1;
    let rows_before = partial.stats.rows;

    // Inflate and split on one thread while this one parses: the two overlap.
    let read = std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<Result<Chunk, SplitError>>(2);
        scope.spawn(move || {
            loop {
                match splitter.next_chunk() {
                    Ok(Some(chunk)) => {
                        if sender.send(Ok(chunk)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let _ = sender.send(Err(e));
                        return;
                    }
                }
            }
        });
        for chunk in receiver {
            let chunk = chunk.map_err(|e| split_error(e, path))?;
            parse_chunk(&chunk, path, &schema, &positions, thresholds, partial)?;
        }
        Ok(())
    });
    if read.is_ok() && partial.stats.rows == rows_before {
        partial.stats.empty_members.push(path.display().to_string());
    }
    read
}

/// METHOD.md §2: residential locations are R or X; B rows are excluded (false).
fn residential(code: Option<&str>) -> Result<bool, String> {
    match code.map(str::trim) {
        Some("R" | "X") => Ok(true),
        Some("B") => Ok(false),
        other => Err(format!("`{}` is not R, X or B", other.unwrap_or(""))),
    }
}

/// An FCC technology code (10, 40, 50, ...).
fn technology_code(text: Option<&str>) -> Result<u16, String> {
    text.and_then(|t| t.trim().parse::<u16>().ok())
        .ok_or_else(|| format!("`{}` is not an FCC technology code", text.unwrap_or("")))
}

/// The `low_latency` flag: 1 or 0 (true/false as some exports write it; empty is 0).
fn low_latency(flag: Option<&str>) -> Result<bool, String> {
    match flag.map(str::trim) {
        Some("1" | "true" | "True" | "TRUE") => Ok(true),
        Some("0" | "false" | "False" | "FALSE" | "") | None => Ok(false),
        Some(other) => Err(format!("`{other}` is not 0 or 1")),
    }
}

fn parse_chunk(
    chunk: &Chunk,
    path: &Path,
    schema: &Arc<Schema>,
    positions: &[usize],
    thresholds: &Thresholds,
    partial: &mut Partial,
) -> Result<(), IngestError> {
    let first_record = chunk.records_before + 1;
    let csv_error = |message: String| IngestError::Csv {
        path: path.to_owned(),
        first_record,
        last_record: chunk.records_before + chunk.records,
        message,
    };
    let frame = CsvReadOptions::default()
        .with_has_header(false)
        // Brand names are not used; a stray Latin-1 byte in one must not fail the file.
        .map_parse_options(|o| o.with_encoding(CsvEncoding::LossyUtf8))
        .with_schema(Some(schema.clone()))
        .with_projection(Some(Arc::new(positions.to_vec())))
        .into_reader_with_file_handle(Cursor::new(chunk.bytes.as_slice()))
        .finish()
        .map_err(|e| csv_error(e.to_string()))?;
    let column = |i: usize| {
        frame
            .column(&format!("column_{}", positions[i]))
            .and_then(|c| c.str().cloned())
            .map_err(|e| csv_error(e.to_string()))
    };
    let (location, technology, download, upload, latency, business, block) = (
        column(0)?,
        column(1)?,
        column(2)?,
        column(3)?,
        column(4)?,
        column(5)?,
        column(6)?,
    );
    let (provider_id, brand_name) = (column(7)?, column(8)?);
    let mut providers = provider_id.iter().zip(brand_name.iter());
    let rows = location
        .iter()
        .zip(technology.iter())
        .zip(download.iter().zip(upload.iter()))
        .zip(latency.iter().zip(business.iter()))
        .zip(block.iter());
    for (row, ((((location, technology), (download, upload)), (latency, business)), block)) in
        rows.enumerate()
    {
        let record = first_record + row as u64;
        let (provider_id, brand_name) = providers.next().unwrap_or((None, None));
        let bad = |column: &str, message: String| IngestError::Value {
            path: path.to_owned(),
            record,
            column: column.to_owned(),
            message,
        };
        partial.stats.rows += 1;
        if !residential(business).map_err(|m| bad("business_residential_code", m))? {
            partial.stats.business_rows += 1;
            continue;
        }
        let location = location
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| bad("location_id", "empty location_id".into()))?;
        let technology = technology_code(technology).map_err(|m| bad("technology", m))?;
        let download = speed(download).map_err(|m| bad("max_advertised_download_speed", m))?;
        let upload = speed(upload).map_err(|m| bad("max_advertised_upload_speed", m))?;
        let low_latency = low_latency(latency).map_err(|m| bad("low_latency", m))?;
        let block_text = block.map_or("", str::trim);
        let block = partial.block(block_text).ok_or_else(|| {
            bad(
                "block_geoid",
                format!("`{block_text}` is not a 15-digit 2020 block GEOID (was it read as a number and lost its leading zero?)"),
            )
        })?;
        let qualification = Qualification::of_row(
            thresholds,
            Technology(technology),
            download,
            upload,
            low_latency,
        );
        if qualification.tier() == gapmap_core::Tier::Served {
            let provider = partial.provider(
                provider_id.unwrap_or("").trim(),
                brand_name.unwrap_or("").trim(),
                path,
            )?;
            partial.served_by.insert((block, provider));
        }
        let row = Pending {
            block,
            qualification,
            best: BestOffer::of_row(qualification, Technology(technology), download),
        };
        partial.add(location, row, path)?;
    }
    Ok(())
}

/// An advertised speed in Mbps; empty is `None` (it never qualifies, METHOD.md §2).
fn speed(text: Option<&str>) -> Result<Option<f64>, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => Err(format!(
                "`{t}` is not a speed in Mbps (a non-negative number, or empty)"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use gapmap_core::Tier;

    use super::*;

    const HEADER: &str = "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id\n";

    fn write_csv(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
        let path = dir.join(name);
        let mut file = File::create(&path).expect("temp file");
        file.write_all(HEADER.as_bytes()).expect("write");
        for row in rows {
            writeln!(file, "{row}").expect("write");
        }
        path
    }

    fn tiers(table: &LocationTable) -> (usize, usize, usize) {
        let count = |t: Tier| {
            table
                .locations
                .iter()
                .filter(|l| l.qualification.tier() == t)
                .count()
        };
        (
            count(Tier::Served),
            count(Tier::Underserved),
            count(Tier::Unserved),
        )
    }

    #[test]
    fn quoted_commas_empty_speeds_and_leading_zeros_are_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write_csv(
            dir.path(),
            "a.csv",
            &[
                "0009876543,130002,\"Metro Fiber, LLC\",100,50,940,880,1,R,DC,010010001011000,882aa84ed7fffff",
                "0009876543,130002,\"Metro\nFiber, LLC\",101,50,,880,1,R,DC,010010001011000,882aa84ed7fffff",
            ],
        );
        let (table, stats) = read_bdc(&[path], &Thresholds::default()).expect("valid file");
        assert_eq!(stats.rows, 2);
        assert_eq!(table.locations.len(), 2);
        assert_eq!(table.blocks[0].as_str(), "010010001011000");
        assert_eq!(
            tiers(&table),
            (1, 0, 1),
            "the empty download speed never qualifies"
        );
    }

    #[test]
    fn business_rows_are_excluded_and_a_location_with_several_rows_counts_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write_csv(
            dir.path(),
            "a.csv",
            &[
                "1,1,DSL Co,200,10,50,5,1,R,DC,110010001011000,x",
                "1,2,Cable Co,200,40,300,20,1,R,DC,110010001011000,x",
                "1,3,Sat Co,200,60,300,30,0,R,DC,110010001011000,x",
                "1,2,Cable Co,201,40,1000,50,1,B,DC,110010001011000,x",
            ],
        );
        let (table, stats) = read_bdc(&[path], &Thresholds::default()).expect("valid file");
        assert_eq!(stats.business_rows, 1);
        assert_eq!(table.locations.len(), 1);
        assert_eq!(tiers(&table), (1, 0, 0));
        // Only Cable Co offers the served tier there (its business-only row does not count).
        assert_eq!(table.providers.len(), 1);
        assert_eq!(
            (
                table.providers[0].id.as_str(),
                table.providers[0].brand.as_str()
            ),
            ("2", "Cable Co")
        );
        assert_eq!(table.served_by, vec![(0, 0)]);
    }

    #[test]
    fn rows_of_one_location_in_two_files_merge() {
        let dir = tempfile::tempdir().expect("temp dir");
        let copper = write_csv(
            dir.path(),
            "copper.csv",
            &["1,1,DSL,7,10,25,3,1,X,DC,110010001011000,x"],
        );
        let satellite = write_csv(
            dir.path(),
            "sat.csv",
            &["1,1,Sat,7,61,250,30,1,X,DC,110010001011000,x"],
        );
        let (table, _) =
            read_bdc(&[copper, satellite], &Thresholds::default()).expect("valid files");
        assert_eq!(table.locations.len(), 1);
        assert_eq!(
            tiers(&table),
            (0, 1, 0),
            "non-GSO satellite never makes a location served"
        );
    }

    #[test]
    fn a_location_in_two_blocks_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write_csv(
            dir.path(),
            "a.csv",
            &[
                "1,1,A,77,10,25,3,1,R,DC,110010001011000,x",
                "1,1,A,77,40,25,3,1,R,DC,110010001011001,x",
            ],
        );
        let err = read_bdc(&[path], &Thresholds::default()).expect_err("conflicting blocks");
        let message = err.to_string();
        assert!(message.contains("location_id 77"), "{message}");
        assert!(message.contains("110010001011001"), "{message}");
    }

    #[test]
    fn a_bad_speed_names_the_file_record_and_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write_csv(
            dir.path(),
            "a.csv",
            &[
                "1,1,A,77,10,25,3,1,R,DC,110010001011000,x",
                "1,1,A,78,10,fast,3,1,R,DC,110010001011000,x",
            ],
        );
        let message = read_bdc(&[path], &Thresholds::default())
            .expect_err("bad speed")
            .to_string();
        assert!(
            message.contains("a.csv, record 3, column `max_advertised_download_speed`"),
            "{message}"
        );
        assert!(message.contains("`fast`"), "{message}");
    }

    #[test]
    fn a_missing_column_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "frn,location_id,technology\n1,2,3\n").expect("write");
        let message = read_bdc(&[path], &Thresholds::default())
            .expect_err("missing columns")
            .to_string();
        assert!(
            message.contains("missing column(s) max_advertised_download_speed"),
            "{message}"
        );
    }

    #[test]
    fn a_sixteen_digit_block_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write_csv(
            dir.path(),
            "a.csv",
            &["1,1,A,77,10,25,3,1,R,DC,1100100010110001,x"],
        );
        let message = read_bdc(&[path], &Thresholds::default())
            .expect_err("bad block")
            .to_string();
        assert!(message.contains("block_geoid"), "{message}");
    }

    #[test]
    fn zipped_members_are_read_in_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bdc_11_Cable.zip");
        let mut writer = zip::ZipWriter::new(File::create(&path).expect("zip file"));
        writer
            .start_file("bdc_11_Cable.csv", zip::write::SimpleFileOptions::default())
            .expect("member");
        writer.write_all(HEADER.as_bytes()).expect("write");
        writer
            .write_all(b"1,1,A,77,40,100,20,1,R,DC,110010001011000,x\r\n1,1,A,78,40,99,20,1,R,DC,110010001011000,x\r\n")
            .expect("write");
        writer.finish().expect("finish zip");
        let (table, stats) = read_bdc(&[path], &Thresholds::default()).expect("valid zip");
        assert_eq!(stats.members, 1);
        assert_eq!(
            tiers(&table),
            (1, 1, 0),
            "CRLF line ends and the 100/20 edge"
        );
    }
}

#[cfg(test)]
mod bounded_tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_inflated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bomb.zip");
        let mut writer = zip::ZipWriter::new(File::create(&path).expect("zip file"));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer.start_file("bdc.csv", options).expect("member");
        let block: Vec<u8> = (0..1 << 20)
            .map(|i| if i % 64 == 63 { b'\n' } else { b'0' })
            .collect();
        for _ in 0..300 {
            writer.write_all(&block).expect("write");
        }
        writer.finish().expect("zip");
        let error = read_bdc(&[path], &Thresholds::default())
            .expect_err("a bomb")
            .to_string();
        assert!(
            error.contains("bomb.zip!bdc.csv") && error.contains("inflates"),
            "{error}"
        );
    }

    #[test]
    fn the_bound_holds_when_declared_sizes_lie() {
        let data = vec![b'x'; 1000];
        let mut reader = Bounded {
            inner: data.as_slice(),
            left: 100,
            limit: 100,
        };
        let mut out = Vec::new();
        let error = reader.read_to_end(&mut out).expect_err("over the bound");
        assert!(error.to_string().contains("zip bomb"), "{error}");
        assert!(out.len() <= 100);
        assert!(escapes("../x.csv") && escapes("/etc/x.csv") && escapes("a/../../x.csv"));
        assert!(escapes("C:\\x.csv") && !escapes("bdc_11_Cable.csv") && !escapes("dir/x..csv"));
    }
}
