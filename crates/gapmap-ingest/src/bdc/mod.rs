//! FCC Broadband Data Collection fixed-availability files (METHOD.md §2).
//!
//! Reads the zipped per-technology CSVs as published (or plain CSVs), streaming, in three
//! overlapped stages: members are inflated and cut into chunks of whole records (a few at
//! once), chunks are parsed into typed rows in parallel ([`rows`]), and one thread folds the
//! rows into one entry per residential location ([`fold`]). Memory grows with locations, not
//! rows, and no threshold is applied while reading: [`read_availability`] keeps what any
//! threshold set needs, and [`Availability::classify`] gives the tiers.

mod fold;
mod rows;
mod snapshot;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex, PoisonError};

use gapmap_core::{Availability, LocationTable, Thresholds};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::IngestError;
use crate::chunks::{Chunk, RecordSplitter, SplitError};
use fold::Shard;
use rows::Columns;
pub use snapshot::{BdcSnapshot, SnapshotInput};

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
pub(crate) const NEEDED: [&str; 9] = [
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
const CHUNK_BYTES: usize = 4 << 20;
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
    /// Distinct offer sets the locations share (METHOD.md §2: what thresholds are applied to).
    pub offer_sets: usize,
    /// `(file, bytes, SHA-256)` of the plain CSV inputs, hashed while they were read (zips are
    /// read by member, so not whole: hash those apart).
    pub csv_sha256: Vec<(PathBuf, u64, String)>,
}

/// How far a read is: bytes of CSV (inflated) parsed, of `total`; `bytes == total` once, when
/// the read is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BdcProgress {
    /// Bytes parsed so far.
    pub bytes: u64,
    /// Bytes of all members (the zips' declared sizes, the CSVs' file sizes).
    pub total: u64,
}

/// Reads BDC availability files (zips of CSVs, or CSVs) and classifies every residential
/// location with `thresholds`: [`read_availability`] then [`Availability::classify`].
pub fn read_bdc(
    paths: &[PathBuf],
    thresholds: &Thresholds,
) -> Result<(LocationTable, BdcStats), IngestError> {
    let (availability, stats) = read_availability(paths, &|_| {})?;
    Ok((availability.classify(thresholds), stats))
}

/// One CSV to read: a plain file, or a member of a zip.
#[derive(Debug, Clone)]
struct Member {
    file: PathBuf,
    /// The member's name and index in the zip.
    zip_entry: Option<(String, usize)>,
    /// `file` or `file!member`, for messages.
    display: Arc<Path>,
    size: u64,
}

/// Reads BDC availability files (zips of CSVs, or CSVs) into one entry per residential
/// location with the offers any threshold set needs (METHOD.md §2). A location seen in several
/// files (one per technology) is merged; `progress` hears of every parsed chunk.
pub fn read_availability(
    paths: &[PathBuf],
    progress: &(dyn Fn(BdcProgress) + Sync),
) -> Result<(Availability, BdcStats), IngestError> {
    let mut members = Vec::new();
    for path in paths {
        members.extend(list_members(path)?);
    }
    let total = members.iter().map(|m| m.size).sum();
    let shards = rayon::current_num_threads().clamp(1, 16);
    let mut shards: Vec<Shard> = (0..shards).map(|_| Shard::default()).collect();
    let counts = Counts {
        bytes: AtomicU64::new(0),
        rows: members.iter().map(|_| AtomicU64::new(0)).collect(),
        business: AtomicU64::new(0),
        hashes: Mutex::new(Vec::new()),
    };
    let names: Vec<Arc<Path>> = members.iter().map(|m| m.display.clone()).collect();
    let files: Vec<PathBuf> = members.iter().map(|m| m.file.clone()).collect();
    let member_count = members.len();
    for (state, group) in by_state(paths, members.into_iter().enumerate().collect()) {
        for shard in &mut shards {
            shard.start_state(state);
        }
        shards = read_group(group, shards, &counts, &|bytes| {
            progress(BdcProgress { bytes, total });
        })?;
    }
    let (availability, locations) = fold::merge(shards)?;
    // Headers are not counted as they go: the end is said once, whole.
    progress(BdcProgress {
        bytes: total,
        total,
    });
    let stats = BdcStats {
        members: member_count,
        rows: counts.rows.iter().map(|r| r.load(Ordering::Relaxed)).sum(),
        business_rows: counts.business.load(Ordering::Relaxed),
        locations,
        offer_sets: availability.offers.len(),
        csv_sha256: {
            let mut hashes = counts
                .hashes
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner);
            hashes.sort();
            hashes
                .into_iter()
                .map(|(member, bytes, hex)| (files[member].clone(), bytes, hex))
                .collect()
        },
        // Members with a header and no rows.
        empty_members: names
            .iter()
            .zip(&counts.rows)
            .filter(|(_, rows)| rows.load(Ordering::Relaxed) == 0)
            .map(|(name, _)| name.display().to_string())
            .collect(),
    };
    Ok((availability, stats))
}

/// What the parsers count as they go.
struct Counts {
    /// Bytes parsed.
    bytes: AtomicU64,
    /// Data rows per member.
    rows: Vec<AtomicU64>,
    /// Business-only rows.
    business: AtomicU64,
    /// `(member, bytes, SHA-256)` of the plain CSVs, hashed as they were read.
    hashes: Mutex<Vec<(usize, u64, String)>>,
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// The state FIPS code of an FCC file name (`bdc_11_Cable_fixed_broadband_….zip`).
fn state_of(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let digits = name.strip_prefix("bdc_")?.get(..3)?;
    let (code, underscore) = digits.split_at(2);
    (underscore == "_" && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| code.parse().ok())
        .flatten()
}

/// Members with their place in the list of all members.
type Numbered = Vec<(usize, Member)>;

/// Members grouped by state when every file is named for one (a location never crosses a
/// state, so each state's id table can go once it is read), else one group.
fn by_state(paths: &[PathBuf], members: Vec<(usize, Member)>) -> Vec<(Option<u64>, Numbered)> {
    if !paths.iter().all(|p| state_of(p).is_some()) {
        return vec![(None, members)];
    }
    let mut groups: std::collections::BTreeMap<u64, Numbered> = std::collections::BTreeMap::new();
    for member in members {
        let state = state_of(&member.1.file).expect("checked above");
        groups.entry(state).or_default().push(member);
    }
    groups.into_iter().map(|(s, m)| (Some(s), m)).collect()
}

/// The CSVs of one input path.
fn list_members(path: &Path) -> Result<Vec<Member>, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let is_zip = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"));
    if !is_zip {
        let size = file.metadata().map_err(|e| IngestError::io(path, e))?.len();
        return Ok(vec![Member {
            file: path.to_owned(),
            zip_entry: None,
            display: Arc::from(path),
            size,
        }]);
    }
    let zip_error = |source| IngestError::Zip {
        path: path.to_owned(),
        source,
    };
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
    let mut members = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(zip_error)?;
        let name = entry.name().map_err(zip_error)?.into_owned();
        if !name.to_ascii_lowercase().ends_with(".csv") || crate::table::is_mac_metadata(&name) {
            continue;
        }
        if escapes(&name) {
            return Err(IngestError::format(
                path,
                format!(
                    "the member `{name}` has a name that points outside the zip's folder (path traversal): not an FCC file; download the zip again from broadbandmap.fcc.gov"
                ),
            ));
        }
        let display: Arc<Path> = Arc::from(PathBuf::from(format!("{}!{name}", path.display())));
        if entry.size() > inflation_limit(entry.compressed_size()) {
            return Err(IngestError::format(
                display.to_path_buf(),
                format!(
                    "the member inflates {}× ({} bytes from {}): more than {MAX_INFLATION}× is a zip bomb, not an FCC file",
                    entry.size() / entry.compressed_size().max(1),
                    entry.size(),
                    entry.compressed_size()
                ),
            ));
        }
        members.push(Member {
            file: path.to_owned(),
            zip_entry: Some((name, index)),
            display,
            size: entry.size(),
        });
    }
    if members.is_empty() {
        return Err(IngestError::format(
            path,
            "the zip holds no .csv member; an FCC availability zip holds one CSV per technology",
        ));
    }
    members.sort_by(|a, b| a.zip_entry.cmp(&b.zip_entry));
    Ok(members)
}

fn inflation_limit(compressed: u64) -> u64 {
    (compressed.max(1) * MAX_INFLATION).max(SMALL_MEMBER)
}

/// A chunk to parse, with what parsing it needs.
type Work = Result<(usize, Arc<Path>, Arc<Columns>, Chunk), IngestError>;

/// Reads one group of members: a few inflate and split at once, chunks are parsed in
/// parallel, one thread folds.
fn read_group(
    members: Vec<(usize, Member)>,
    shards: Vec<Shard>,
    counts: &Counts,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Shard>, IngestError> {
    let threads = rayon::current_num_threads().max(1);
    let readers = members.len().clamp(1, threads + 1);
    let queue = Mutex::new(VecDeque::from(members));
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = sync_channel::<Work>(threads * 2);
        for _ in 0..readers {
            let (work_tx, queue) = (work_tx.clone(), &queue);
            scope.spawn(move || {
                while let Some((index, member)) = queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop_front()
                {
                    if let Err(e) = split_member(index, &member, &work_tx, &counts.hashes) {
                        let _ = work_tx.send(Err(e));
                        return;
                    }
                }
            });
        }
        drop(work_tx);
        let shard_count = shards.len();
        let mut senders = Vec::with_capacity(shard_count);
        let mut folding = Vec::with_capacity(shard_count);
        for mut shard in shards {
            let (tx, rx) = sync_channel::<fold::ShardWork>(4);
            senders.push(tx);
            folding.push(scope.spawn(move || {
                for work in rx {
                    shard.fold(work)?;
                }
                Ok::<Shard, IngestError>(shard)
            }));
        }
        let parsing = work_rx.into_iter().par_bridge().try_for_each(|work| {
            let (member, path, columns, chunk) = work?;
            let parsed = rows::parse(&chunk.bytes, &columns, &path, chunk.records_before)?;
            counts.rows[member].fetch_add(parsed.records, Ordering::Relaxed);
            counts
                .business
                .fetch_add(parsed.business_rows, Ordering::Relaxed);
            let bytes = counts.bytes.fetch_add(parsed.bytes, Ordering::Relaxed) + parsed.bytes;
            for (sender, work) in senders.iter().zip(fold::partition(parsed, shard_count)) {
                // A closed channel means a shard stopped on an error, which it returns.
                sender
                    .send(work)
                    .map_err(|_| IngestError::format(path.to_path_buf(), "stopped"))?;
            }
            progress(bytes);
            Ok(())
        });
        drop(senders);
        let folded: Result<Vec<Shard>, IngestError> = folding
            .into_iter()
            .map(|f| {
                f.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        match (folded, parsing) {
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            (Ok(shards), Ok(())) => Ok(shards),
        }
    })
}

/// Inflates (for a zip member) and splits one member, sending its chunks.
fn split_member(
    index: usize,
    member: &Member,
    work: &std::sync::mpsc::SyncSender<Work>,
    hashes: &Mutex<Vec<(usize, u64, String)>>,
) -> Result<(), IngestError> {
    let file = File::open(&member.file).map_err(|e| IngestError::io(&member.file, e))?;
    let path = &member.display;
    let Some((_, entry_index)) = &member.zip_entry else {
        // A plain CSV is read whole, once: hashed for the provenance on the way.
        let mut hashing = Hashing {
            inner: file,
            hasher: Sha256::new(),
            bytes: 0,
        };
        split_into(
            index,
            BufReader::with_capacity(1 << 20, &mut hashing),
            path,
            work,
        )?;
        let hex = hashing
            .hasher
            .finalize()
            .iter()
            .fold(String::with_capacity(64), |mut hex, b| {
                use std::fmt::Write as _;
                let _ = write!(hex, "{b:02x}");
                hex
            });
        hashes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((index, hashing.bytes, hex));
        return Ok(());
    };
    let zip_error = |source| IngestError::Zip {
        path: path.to_path_buf(),
        source,
    };
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
    let entry = archive.by_index(*entry_index).map_err(zip_error)?;
    let limit = inflation_limit(entry.compressed_size());
    split_into(
        index,
        Bounded {
            inner: entry,
            left: limit,
            limit,
        },
        path,
        work,
    )
}

fn split_into<R: Read>(
    index: usize,
    input: R,
    path: &Arc<Path>,
    work: &std::sync::mpsc::SyncSender<Work>,
) -> Result<(), IngestError> {
    let mut splitter = RecordSplitter::new(input, CHUNK_BYTES, MAX_RECORD_BYTES);
    let header = splitter
        .next_chunk()
        .map_err(|e| split_error(e, path))?
        .ok_or_else(|| {
            IngestError::format(
                path.to_path_buf(),
                "the file is empty; expected a header and rows",
            )
        })?;
    let fields = String::from_utf8_lossy(&header.bytes)
        .trim_end_matches(['\r', '\n'])
        .split(',')
        .count();
    let columns = Arc::new(Columns::new(
        &header_positions(&header.bytes, path)?,
        fields,
    ));
    while let Some(chunk) = splitter.next_chunk().map_err(|e| split_error(e, path))? {
        if work
            .send(Ok((index, path.clone(), columns.clone(), chunk)))
            .is_err()
        {
            // Parsing stopped on an error; it is reported from there.
            break;
        }
    }
    Ok(())
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
        let served: Vec<(&str, &str)> = table
            .served_by
            .iter()
            .map(|&(block, p)| {
                assert_eq!(block, 0);
                let provider = &table.providers[p as usize];
                (provider.id.as_str(), provider.brand.as_str())
            })
            .collect();
        assert_eq!(served, vec![("2", "Cable Co")]);
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
    fn files_named_for_a_state_hold_its_blocks_and_no_location_of_another_state() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dc = write_csv(
            dir.path(),
            "bdc_11_Cable.csv",
            &["1,1,A,77,40,100,20,1,R,DC,110010001011000,x"],
        );
        let maryland = write_csv(
            dir.path(),
            "bdc_24_Cable.csv",
            &["1,1,A,78,40,100,20,1,R,MD,240010001011000,x"],
        );
        let (table, stats) =
            read_bdc(&[dc.clone(), maryland], &Thresholds::default()).expect("two states");
        assert_eq!((stats.locations, table.blocks.len()), (2, 2));
        let wrong = write_csv(
            dir.path(),
            "bdc_24_Fiber.csv",
            &["1,1,A,79,50,100,20,1,R,DC,110010001011000,x"],
        );
        let message = read_bdc(&[wrong], &Thresholds::default())
            .expect_err("a DC block in a Maryland file")
            .to_string();
        assert!(
            message.contains("bdc_24_Fiber.csv, record 2, column `block_geoid`"),
            "{message}"
        );
        assert!(
            message.contains("state 11") && message.contains("named for state 24"),
            "{message}"
        );
        let twice = write_csv(
            dir.path(),
            "bdc_24_Copper.csv",
            &["1,1,A,77,10,100,20,1,R,MD,240010001011000,x"],
        );
        let message = read_bdc(&[dc, twice], &Thresholds::default())
            .expect_err("location 77 in two states")
            .to_string();
        assert!(message.contains("location_id 77"), "{message}");
        assert!(message.contains("states 11 and 24"), "{message}");
    }

    #[test]
    fn plain_csvs_are_hashed_as_they_are_read_and_zips_are_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let csv = write_csv(
            dir.path(),
            "a.csv",
            &["1,1,A,77,40,100,20,1,R,DC,110010001011000,x"],
        );
        let zip_path = dir.path().join("b.zip");
        let mut writer = zip::ZipWriter::new(File::create(&zip_path).expect("zip"));
        writer
            .start_file("b.csv", zip::write::SimpleFileOptions::default())
            .expect("member");
        writer.write_all(HEADER.as_bytes()).expect("write");
        writer.finish().expect("zip");
        let (_, stats) = read_bdc(&[csv.clone(), zip_path], &Thresholds::default()).expect("valid");
        let bytes = std::fs::read(&csv).expect("read");
        let expected = Sha256::digest(&bytes)
            .iter()
            .fold(String::new(), |mut hex, b| {
                use std::fmt::Write as _;
                let _ = write!(hex, "{b:02x}");
                hex
            });
        assert_eq!(stats.csv_sha256, vec![(csv, bytes.len() as u64, expected)]);
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
