//! A BDC read saved whole, so several runs over the same files read them once: a batch of
//! threshold or affordability variants reads the files in the batch process and hands each
//! job this snapshot (METHOD.md §2: thresholds are applied after reading).
//!
//! The format is private to one gapmap version (the batch writes it, its children read it and
//! it is removed when the batch ends): a magic line with the format version, then
//! little-endian sections, each count-prefixed, and an end marker, so a truncated or foreign
//! file is refused rather than read short. Hand-written: the records are a few arrays of
//! integers and strings, which no serialization crate in the tree writes faster.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gapmap_core::{Availability, GeoId, Offer, OfferSets, Provider, Speed};

use super::BdcStats;

const MAGIC: &[u8] = b"gapmap BDC snapshot 1\n";
const END: &[u8] = b"end\n";

/// One input file of a snapshot: what it was when read, to tell whether it is still the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInput {
    /// The file as the configuration named it (expanded).
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its modification time when it was read.
    pub modified: SystemTime,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

impl SnapshotInput {
    /// Whether `path` still has this size and modification time.
    pub fn unchanged(&self) -> bool {
        std::fs::metadata(&self.path)
            .is_ok_and(|m| m.len() == self.bytes && m.modified().ok() == Some(self.modified))
    }
}

/// What [`super::read_availability`] returned for some files, with the files as they were.
#[derive(Debug, Clone, PartialEq)]
pub struct BdcSnapshot {
    /// The locations and their offers.
    pub availability: Availability,
    /// What the reader saw.
    pub stats: BdcStats,
    /// The files read, in the order given.
    pub inputs: Vec<SnapshotInput>,
}

impl BdcSnapshot {
    /// Writes the snapshot to `path` (replacing it).
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let mut w = Writer(BufWriter::with_capacity(1 << 20, File::create(path)?));
        w.0.write_all(MAGIC)?;
        w.len(self.inputs.len())?;
        for input in &self.inputs {
            w.path(&input.path)?;
            w.u64(input.bytes)?;
            let since = input
                .modified
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_err(|_| invalid("a modification time before 1970"))?;
            w.u64(since.as_secs())?;
            w.u32(since.subsec_nanos())?;
            w.str(&input.sha256)?;
        }
        let s = &self.stats;
        w.len(s.members)?;
        w.u64(s.rows)?;
        w.u64(s.business_rows)?;
        w.len(s.locations)?;
        w.len(s.offer_sets)?;
        w.len(s.empty_members.len())?;
        for name in &s.empty_members {
            w.str(name)?;
        }
        w.len(s.csv_sha256.len())?;
        for (file, bytes, sha256) in &s.csv_sha256 {
            w.path(file)?;
            w.u64(*bytes)?;
            w.str(sha256)?;
        }
        let a = &self.availability;
        w.len(a.blocks.len())?;
        for block in &a.blocks {
            w.str(block.as_str())?;
        }
        w.len(a.offers.len())?;
        for set in 0..a.offers.len() as u32 {
            let offers = a.offers.get(set);
            w.len(offers.len())?;
            for offer in offers {
                w.0.write_all(&offer.technology.to_le_bytes())?;
                w.0.write_all(&[u8::from(offer.low_latency)])?;
                w.speed(offer.download)?;
                w.speed(offer.upload)?;
            }
        }
        w.len(a.locations.len())?;
        for &(block, set) in &a.locations {
            w.u32(block)?;
            w.u32(set)?;
        }
        w.len(a.providers.len())?;
        for provider in &a.providers {
            w.str(&provider.id)?;
            w.str(&provider.brand)?;
        }
        w.len(a.provider_offers.len())?;
        for &(block, provider, set) in &a.provider_offers {
            w.u32(block)?;
            w.0.write_all(&provider.to_le_bytes())?;
            w.u32(set)?;
        }
        w.0.write_all(END)?;
        w.0.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()
    }

    /// Reads a snapshot written by [`Self::save`]; a truncated, foreign or inconsistent file
    /// is an error (`InvalidData`), never a short read.
    pub fn open(path: &Path) -> io::Result<BdcSnapshot> {
        let mut r = Reader(BufReader::with_capacity(1 << 20, File::open(path)?));
        let mut magic = vec![0; MAGIC.len()];
        r.0.read_exact(&mut magic)
            .map_err(|_| invalid("not a snapshot"))?;
        if magic != MAGIC {
            return Err(invalid("not a snapshot of this gapmap version"));
        }
        let inputs = (0..r.len()?)
            .map(|_| {
                Ok(SnapshotInput {
                    path: r.path()?,
                    bytes: r.u64()?,
                    modified: SystemTime::UNIX_EPOCH + Duration::new(r.u64()?, r.u32()?),
                    sha256: r.string()?,
                })
            })
            .collect::<io::Result<Vec<_>>>()?;
        let mut stats = BdcStats {
            members: r.len()?,
            rows: r.u64()?,
            business_rows: r.u64()?,
            locations: r.len()?,
            offer_sets: r.len()?,
            ..BdcStats::default()
        };
        stats.empty_members = (0..r.len()?)
            .map(|_| r.string())
            .collect::<io::Result<_>>()?;
        stats.csv_sha256 = (0..r.len()?)
            .map(|_| Ok((r.path()?, r.u64()?, r.string()?)))
            .collect::<io::Result<_>>()?;
        let blocks = (0..r.len()?)
            .map(|_| GeoId::parse(&r.string()?).map_err(|e| invalid(&e.to_string())))
            .collect::<io::Result<Vec<_>>>()?;
        let set_count = r.len()?;
        let mut sets: Vec<Box<[Offer]>> = Vec::with_capacity(set_count.min(1 << 24));
        for _ in 0..set_count {
            let offers = (0..r.len()?)
                .map(|_| {
                    Ok(Offer {
                        technology: r.u16()?,
                        low_latency: r.u8()? != 0,
                        download: r.speed()?,
                        upload: r.speed()?,
                    })
                })
                .collect::<io::Result<Vec<_>>>()?;
            sets.push(offers.into_boxed_slice());
        }
        if sets.first().is_none_or(|s| !s.is_empty()) {
            return Err(invalid("the first offer set is not the empty set"));
        }
        let location_count = r.len()?;
        let mut locations = Vec::with_capacity(location_count.min(1 << 28));
        for _ in 0..location_count {
            let (block, set) = (r.u32()?, r.u32()?);
            if block as usize >= blocks.len() || set as usize >= sets.len() {
                return Err(invalid("a location points past the blocks or offer sets"));
            }
            locations.push((block, set));
        }
        let providers = (0..r.len()?)
            .map(|_| {
                Ok(Provider {
                    id: r.string()?,
                    brand: r.string()?,
                })
            })
            .collect::<io::Result<Vec<_>>>()?;
        let provider_offers = (0..r.len()?)
            .map(|_| {
                let row = (r.u32()?, r.u16()?, r.u32()?);
                if row.0 as usize >= blocks.len()
                    || usize::from(row.1) >= providers.len()
                    || row.2 as usize >= sets.len()
                {
                    return Err(invalid("a provider offer points past its tables"));
                }
                Ok(row)
            })
            .collect::<io::Result<Vec<_>>>()?;
        let mut end = vec![0; END.len()];
        r.0.read_exact(&mut end)
            .map_err(|_| invalid("the file ends early"))?;
        if end != END || r.0.read(&mut [0])? != 0 {
            return Err(invalid("the file does not end where its sections do"));
        }
        Ok(BdcSnapshot {
            availability: Availability {
                blocks,
                locations,
                offers: OfferSets::from_sets(sets),
                providers,
                provider_offers,
            },
            stats,
            inputs,
        })
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("BDC snapshot: {what}"))
}

struct Writer<W: Write>(W);

impl<W: Write> Writer<W> {
    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.0.write_all(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.0.write_all(&v.to_le_bytes())
    }
    fn len(&mut self, n: usize) -> io::Result<()> {
        self.u64(n as u64)
    }
    fn str(&mut self, s: &str) -> io::Result<()> {
        self.len(s.len())?;
        self.0.write_all(s.as_bytes())
    }
    fn path(&mut self, p: &Path) -> io::Result<()> {
        self.str(
            p.to_str()
                .ok_or_else(|| invalid("a file name that is not UTF-8"))?,
        )
    }
    /// The speed's `f64` bits plus one, 0 for an empty field (as [`Speed`] holds it).
    fn speed(&mut self, s: Speed) -> io::Result<()> {
        self.u64(s.mbps().map_or(0, |mbps| mbps.to_bits() + 1))
    }
}

struct Reader<R: Read>(R);

impl<R: Read> Reader<R> {
    fn bytes<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut b = [0; N];
        self.0
            .read_exact(&mut b)
            .map_err(|_| invalid("the file ends early"))?;
        Ok(b)
    }
    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.bytes::<1>()?[0])
    }
    fn u16(&mut self) -> io::Result<u16> {
        Ok(u16::from_le_bytes(self.bytes()?))
    }
    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn len(&mut self) -> io::Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| invalid("a count too large"))
    }
    fn string(&mut self) -> io::Result<String> {
        let n = self.len()?;
        if n > 1 << 20 {
            return Err(invalid("a text field longer than 1 MiB"));
        }
        let mut b = vec![0; n];
        self.0
            .read_exact(&mut b)
            .map_err(|_| invalid("the file ends early"))?;
        String::from_utf8(b).map_err(|_| invalid("a text field that is not UTF-8"))
    }
    fn path(&mut self) -> io::Result<PathBuf> {
        self.string().map(PathBuf::from)
    }
    fn speed(&mut self) -> io::Result<Speed> {
        match self.u64()? {
            0 => Ok(Speed::EMPTY),
            bits => Speed::from_mbps(f64::from_bits(bits - 1))
                .ok_or_else(|| invalid("a speed that is not a non-negative number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(technology: u16, download: f64, upload: f64, low_latency: bool) -> Offer {
        Offer {
            technology,
            low_latency,
            download: Speed::from_mbps(download).expect("speed"),
            upload: Speed::from_mbps(upload).expect("speed"),
        }
    }

    fn example(dir: &Path) -> BdcSnapshot {
        let input = dir.join("bdc_11_Cable_fixed_broadband_J24.csv");
        std::fs::write(&input, "x").expect("write");
        let modified = std::fs::metadata(&input)
            .and_then(|m| m.modified())
            .expect("mtime");
        let empty_download = Offer {
            download: Speed::EMPTY,
            ..offer(70, 0.0, 0.2, false)
        };
        let sets = vec![
            Box::from([]),
            Box::from([offer(40, 1000.0, 35.0, true)]),
            Box::from([empty_download, offer(50, 99.999_999, 20.0, true)]),
        ];
        BdcSnapshot {
            availability: Availability {
                blocks: ["110010001011000", "110010001011001"]
                    .iter()
                    .map(|b| GeoId::parse(b).expect("geoid"))
                    .collect(),
                locations: vec![(0, 1), (0, 2), (1, 0)],
                offers: OfferSets::from_sets(sets),
                providers: vec![Provider {
                    id: "130077".into(),
                    brand: "Verizon, \"Fios\"".into(),
                }],
                provider_offers: vec![(0, 0, 1), (1, 0, 2)],
            },
            stats: BdcStats {
                members: 2,
                rows: 5,
                business_rows: 1,
                locations: 3,
                empty_members: vec!["a.zip!b.csv".into()],
                offer_sets: 3,
                csv_sha256: vec![(input.clone(), 1, "ab".repeat(32))],
            },
            inputs: vec![SnapshotInput {
                path: input,
                bytes: 1,
                modified,
                sha256: "ab".repeat(32),
            }],
        }
    }

    #[test]
    fn a_saved_snapshot_opens_equal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let snapshot = example(dir.path());
        let path = dir.path().join("bdc.snapshot");
        snapshot.save(&path).expect("save");
        let opened = BdcSnapshot::open(&path).expect("open");
        assert_eq!(opened, snapshot);
        // The speeds come back bit for bit (99.999999 is not rounded, an empty field stays
        // empty).
        assert_eq!(
            opened.availability.offers.get(2)[1].download.mbps(),
            Some(99.999_999)
        );
        assert_eq!(opened.availability.offers.get(2)[0].download, Speed::EMPTY);
        assert!(opened.inputs[0].unchanged());
    }

    #[test]
    fn a_truncated_or_foreign_snapshot_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bdc.snapshot");
        example(dir.path()).save(&path).expect("save");
        let bytes = std::fs::read(&path).expect("read");
        for cut in [0, 10, MAGIC.len() + 3, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).expect("write");
            let error = BdcSnapshot::open(&path).expect_err("truncated");
            assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidData,
                "cut at {cut}: {error}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(b'\n');
        std::fs::write(&path, &longer).expect("write");
        assert!(BdcSnapshot::open(&path).is_err(), "a byte after the end");
        std::fs::write(&path, b"location_id,block_geoid\n1,2\n").expect("write");
        assert!(BdcSnapshot::open(&path).is_err(), "a CSV");
    }

    #[test]
    fn a_changed_input_is_seen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let snapshot = example(dir.path());
        assert!(snapshot.inputs[0].unchanged());
        std::fs::write(&snapshot.inputs[0].path, "xy").expect("write");
        assert!(!snapshot.inputs[0].unchanged(), "another size");
        std::fs::remove_file(&snapshot.inputs[0].path).expect("remove");
        assert!(!snapshot.inputs[0].unchanged(), "gone");
    }
}
