//! `gapmap fetch`: the public inputs of a US county, several counties or a whole state,
//! downloaded into a cache and laid out with a `gapmap.toml` ready for `gapmap run`, every
//! source's URL, date and SHA-256 in `sources.json` (issue #15).
//!
//! | source | service | documented at |
//! |---|---|---|
//! | block group, tract and county boundaries | Census cartographic boundary files (`www2.census.gov/geo/tiger/GENZ{year}/shp/`) | census.gov, "Cartographic Boundary Files – Shapefile" |
//! | ACS 5-year tables by block group | Census Data API (`api.census.gov/data/{year}/acs/acs5`) | Census Data API User Guide; `…/acs/acs5/examples.html` |
//! | 2020 block housing units | Census Data API, decennial PL 94-171 (`…/data/2020/dec/pl`, `H1_001N`) | `…/dec/pl/variables.html` |
//! | fixed speed tiles (and mobile, with `--mobile`) | Ookla Open Data, the public bucket's Parquet (`ookla-open-data.s3.amazonaws.com/parquet/performance/…`) | github.com/teamookla/ookla-open-data, README |
//! | BDC fixed availability | FCC BDC Public Data API (`broadbandmap.fcc.gov/api/public/map/…`) | "BDC Public Data API" specification, §3.1, §3.2, §3.4 |
//!
//! Every URL can be pointed at a mirror (`Endpoints::from_env`): the tests serve every one of
//! them from 127.0.0.1.

mod bdc;
mod boundaries;
mod census;
mod config;
pub mod http;
mod ookla;
mod points;
mod states;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use http::{Client, Download, Policy};
pub use states::State;

/// What went wrong, naming the URL or file.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP {status} {reason}{}", if body.is_empty() { String::new() } else { format!(" ({body})") })]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// Its reason phrase.
        reason: String,
        /// The start of the reply.
        body: String,
    },
    /// No connection, or it broke.
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The reply was shorter than the server said it would be.
    #[error("{url}: the download was cut short ({bytes} of {expected} bytes)")]
    Truncated {
        /// The URL.
        url: String,
        /// Bytes received.
        bytes: u64,
        /// Bytes announced (`Content-Length`).
        expected: u64,
    },
    /// Every attempt failed.
    #[error("{last} (gave up after {attempts} attempts)")]
    GaveUp {
        /// The URL.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: Box<FetchError>,
    },
    /// `--offline`, and the cache does not hold the file.
    #[error("{url} is not in the cache ({}): run once without --offline to download it", cache.display())]
    NotCached {
        /// The URL.
        url: String,
        /// The cache folder.
        cache: PathBuf,
    },
    /// `--offline`, and the cache's copy is not the file that was downloaded.
    #[error("the cached copy of {url} ({}) is damaged: its SHA-256 is not the one recorded when it was downloaded; run without --offline to download it again", path.display())]
    Damaged {
        /// The URL.
        url: String,
        /// The cached file.
        path: PathBuf,
    },
    /// A reply is not of the shape the service documents.
    #[error("{url}: {message}")]
    Reply {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The request cannot be served (an unknown county, a bad quarter).
    #[error("{0}")]
    Request(String),
}

impl FetchError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Where each service is. `public()` is the agencies' own; a mirror (or the tests' server)
/// replaces any of them.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The Census Data API: `https://api.census.gov/data`.
    pub census_api: String,
    /// The cartographic boundary files: `https://www2.census.gov/geo/tiger`.
    pub boundaries: String,
    /// Ookla's Parquet performance tiles: `https://ookla-open-data.s3.amazonaws.com/parquet/performance`.
    pub ookla: String,
    /// The FCC BDC Public Data API: `https://broadbandmap.fcc.gov/api/public`.
    pub bdc_api: String,
    /// Least time between two BDC API calls: the specification allows 10 calls a minute.
    pub bdc_interval: Duration,
}

impl Endpoints {
    /// The agencies' own services.
    pub fn public() -> Self {
        Self {
            census_api: "https://api.census.gov/data".into(),
            boundaries: "https://www2.census.gov/geo/tiger".into(),
            ookla: "https://ookla-open-data.s3.amazonaws.com/parquet/performance".into(),
            bdc_api: "https://broadbandmap.fcc.gov/api/public".into(),
            bdc_interval: Duration::from_secs(6),
        }
    }

    /// `public()`, with any of `GAPMAP_CENSUS_API`, `GAPMAP_CENSUS_BOUNDARIES`,
    /// `GAPMAP_OOKLA`, `GAPMAP_BDC_API` (base URLs of mirrors) and `GAPMAP_BDC_INTERVAL_MS`
    /// set in the environment taking their place.
    pub fn from_env() -> Self {
        let mut endpoints = Self::public();
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().trim_end_matches('/').to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = var("GAPMAP_CENSUS_API") {
            endpoints.census_api = v;
        }
        if let Some(v) = var("GAPMAP_CENSUS_BOUNDARIES") {
            endpoints.boundaries = v;
        }
        if let Some(v) = var("GAPMAP_OOKLA") {
            endpoints.ookla = v;
        }
        if let Some(v) = var("GAPMAP_BDC_API") {
            endpoints.bdc_api = v;
        }
        if let Some(ms) = var("GAPMAP_BDC_INTERVAL_MS").and_then(|v| v.parse().ok()) {
            endpoints.bdc_interval = Duration::from_millis(ms);
        }
        endpoints
    }
}

/// Keys for the services that take them, from the environment.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `CENSUS_API_KEY`: optional (the API answers a few hundred keyless calls a day).
    pub census_key: Option<String>,
    /// `FCC_BDC_USERNAME` and `FCC_BDC_HASH_VALUE`: the BDC API's `username` and
    /// `hash_value` headers.
    pub bdc: Option<(String, String)>,
}

impl Credentials {
    /// From `CENSUS_API_KEY`, `FCC_BDC_USERNAME` and `FCC_BDC_HASH_VALUE`.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            census_key: var("CENSUS_API_KEY"),
            bdc: var("FCC_BDC_USERNAME").zip(var("FCC_BDC_HASH_VALUE")),
        }
    }
}

/// A quarter of Ookla's tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    /// The year.
    pub year: u16,
    /// 1–4.
    pub quarter: u8,
}

impl std::str::FromStr for Quarter {
    type Err = String;

    /// `2022Q1`, `2022-Q1` or `2022q1`.
    fn from_str(text: &str) -> Result<Self, String> {
        let upper = text.trim().to_ascii_uppercase();
        let (year, quarter) = upper
            .split_once('Q')
            .ok_or_else(|| format!("`{text}` is not a quarter: write it as 2022Q1"))?;
        let year: u16 = year
            .trim_end_matches('-')
            .parse()
            .map_err(|_| format!("`{text}` is not a quarter: write it as 2022Q1"))?;
        let quarter: u8 = quarter
            .parse()
            .ok()
            .filter(|q| (1..=4).contains(q))
            .ok_or_else(|| format!("`{text}`: the quarter is 1, 2, 3 or 4"))?;
        // Ookla's open data starts with 2019 Q1.
        if year < 2019 {
            return Err(format!("`{text}`: Ookla's open data starts with 2019Q1"));
        }
        Ok(Self { year, quarter })
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} Q{}", self.year, self.quarter)
    }
}

/// Sources a fetch may leave out.
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::struct_excessive_bools)] // four independent switches, as `--skip` gives them
pub struct Skip {
    /// No ACS tables.
    pub acs: bool,
    /// No 2020 block counts.
    pub blocks: bool,
    /// No Ookla tiles.
    pub ookla: bool,
    /// No BDC files.
    pub bdc: bool,
}

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Request {
    /// The state.
    pub state: State,
    /// Its counties (three-digit FIPS codes); none: the whole state.
    pub counties: Vec<String>,
    /// The ACS 5-year release (its last year) and the boundaries' vintage.
    pub year: u16,
    /// Ookla quarters; none: the four of `year`.
    pub quarters: Vec<Quarter>,
    /// The BDC as-of date (`2023-06-30`); none: the latest the API lists.
    pub bdc_as_of: Option<String>,
    /// Also the 2020 block internal points (TIGER/Line: the state's whole block file, tens to
    /// hundreds of MB), for a city's own districts apportioned through blocks.
    pub block_points: bool,
    /// Also Ookla's mobile tiles of the same quarters, read beside the fixed ones
    /// (`[ookla] mobile_tiles`, METHOD.md §10).
    pub mobile: bool,
    /// What to leave out.
    pub skip: Skip,
    /// The folder to write.
    pub out: PathBuf,
}

/// One source as `sources.json` records it.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// What it is.
    pub what: String,
    /// The URL (without keys).
    pub url: String,
    /// When it was downloaded (RFC 3339).
    pub fetched: String,
    /// SHA-256 of what was downloaded.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// Where it is in the output folder, when it is there as downloaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Files made from it (cut to the area), with their own checksums.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<Derived>,
    /// Whether this fetch took it from the cache.
    #[serde(skip)]
    pub from_cache: bool,
}

/// A file made from a download.
#[derive(Debug, Clone, Serialize)]
pub struct Derived {
    /// Where it is in the output folder.
    pub file: String,
    /// What was done.
    pub how: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// What a fetch did.
#[derive(Debug)]
pub struct Fetched {
    /// The configuration written.
    pub config: PathBuf,
    /// The sources written.
    pub sources: PathBuf,
    /// Every source.
    pub records: Vec<Source>,
    /// What the user should know (a part left out and how to add it).
    pub notes: Vec<String>,
}

/// What `fetch` gathers for the configuration.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub area_name: String,
    pub boundaries_source: String,
    pub levels: Vec<config::Level>,
    pub acs_vintage: Option<String>,
    pub blocks: bool,
    pub block_points: Option<String>,
    pub ookla_period: Option<String>,
    /// The folder of Ookla's mobile tiles, when fetched.
    pub ookla_mobile: Option<String>,
    pub bdc_vintage: Option<String>,
}

/// Downloads what `request` names and writes `gapmap.toml` and `sources.json` in its folder.
pub fn fetch(
    request: &Request,
    endpoints: &Endpoints,
    credentials: &Credentials,
    client: &Client,
) -> Result<Fetched, FetchError> {
    let out = &request.out;
    prepare_folder(out)?;
    let mut records = Vec::new();
    let mut notes = Vec::new();
    let census = census::Census {
        client,
        base: &endpoints.census_api,
        key: credentials.census_key.as_deref(),
        state: request.state,
        year: request.year,
    };
    let (counties, county_record) = census.counties(&request.counties)?;
    records.push(county_record);
    let area_name = area_name(request.state, &counties, request.counties.is_empty());

    let cut = boundaries::fetch_levels(
        client,
        &endpoints.boundaries,
        request,
        &counties,
        &mut records,
    )?;
    let mut layout = Layout {
        area_name,
        boundaries_source: format!(
            "U.S. Census Bureau {} cartographic boundary files, 1:500,000",
            request.year
        ),
        levels: cut.levels,
        ..Layout::default()
    };
    census_tables(
        &census,
        (request, endpoints),
        &counties,
        &mut layout,
        &mut records,
    )?;
    if !request.skip.ookla {
        ookla::fetch(
            client,
            request,
            (&endpoints.ookla, cut.bounds),
            &mut layout,
            &mut records,
        )?;
    }
    if !request.skip.bdc {
        match &credentials.bdc {
            Some((username, hash_value)) => {
                let as_of = bdc::fetch_state(
                    client,
                    endpoints,
                    (username, hash_value),
                    request,
                    &mut records,
                )?;
                layout.bdc_vintage = Some(format!("as of {as_of}"));
            }
            None => notes.push(bdc::without_credentials(request.state, out)),
        }
    }
    prune(out, &records, request.skip.bdc || credentials.bdc.is_none())?;
    let sources = out.join("sources.json");
    write_atomically(
        &sources,
        &serde_json::to_vec_pretty(&serde_json::json!({
            "fetched_by": concat!("gapmap ", env!("CARGO_PKG_VERSION")),
            "state": request.state.fips,
            "counties": counties.iter().map(|c| format!("{}{}", request.state.fips, c.0)).collect::<Vec<_>>(),
            "sources": records,
        }))
        .map_err(|e| FetchError::io(&sources, std::io::Error::other(e)))?,
    )?;
    let config = out.join("gapmap.toml");
    write_atomically(&config, config::render(&layout).as_bytes())?;
    Ok(Fetched {
        config,
        sources,
        records,
        notes,
    })
}

/// The Census Data API's tables (ACS, PL 94-171) and, when asked for, the block points.
fn census_tables(
    census: &census::Census<'_>,
    (request, endpoints): (&Request, &Endpoints),
    counties: &[(String, String)],
    layout: &mut Layout,
    records: &mut Vec<Source>,
) -> Result<(), FetchError> {
    let out = &request.out;
    // A whole state is asked for in one query per table (`county:*`).
    let scope = if request.counties.is_empty() {
        vec![("*".to_owned(), request.state.name.to_owned())]
    } else {
        counties.to_vec()
    };
    if !request.skip.acs {
        census.acs_tables(&scope, out, records)?;
        layout.acs_vintage = Some(format!("{}-{}", request.year - 4, request.year));
    }
    if !request.skip.blocks {
        census.block_housing(&scope, out, records)?;
        layout.blocks = true;
        if request.block_points {
            let prefixes: Vec<String> = counties
                .iter()
                .map(|(c, _)| format!("{}{c}", request.state.fips))
                .collect();
            layout.block_points = Some(points::fetch_points(
                census.client,
                &endpoints.boundaries,
                request.state,
                &prefixes,
                out,
                records,
            )?);
        }
    }
    Ok(())
}

/// The folders a fetch fills; `bdc/` is also where a user puts the files downloaded by hand.
const FOLDERS: [&str; 7] = [
    "boundaries",
    "acs",
    "census2020",
    "blocks",
    "ookla",
    "ookla_mobile",
    "bdc",
];

/// Marks a folder as written by `gapmap fetch` from its first file on, so that a fetch that
/// stopped can be run again into it.
const MARKER: &str = ".gapmap-fetch";

/// The output folder: new, empty, or an earlier fetch's (never a folder of the user's). An
/// earlier fetch's configuration is removed first, so that a fetch that stops leaves nothing a
/// run would take for a complete area.
fn prepare_folder(out: &Path) -> Result<(), FetchError> {
    let occupied = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
    if occupied && !out.join(MARKER).exists() {
        return Err(FetchError::Request(format!(
            "{} is not empty and was not written by `gapmap fetch`: give a new folder with --out",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| FetchError::io(out, e))?;
    for file in ["gapmap.toml", "sources.json"] {
        let path = out.join(file);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| FetchError::io(&path, e))?;
        }
    }
    let marker = out.join(MARKER);
    std::fs::write(
        &marker,
        "This folder is written by `gapmap fetch`: a new fetch into it replaces what it wrote.\n",
    )
    .map_err(|e| FetchError::io(&marker, e))
}

/// Removes what an earlier fetch left in the folders that this one did not write (another
/// county's tables, another quarter's tiles), which a folder in `gapmap.toml` would read. The
/// `bdc/` folder is kept when this fetch wrote no BDC file (the user may have put them there).
fn prune(out: &Path, records: &[Source], keep_bdc: bool) -> Result<(), FetchError> {
    let written: std::collections::BTreeSet<PathBuf> = records
        .iter()
        .flat_map(|r| r.file.iter().chain(r.derived.iter().map(|d| &d.file)))
        .map(|file| out.join(file))
        .collect();
    for folder in FOLDERS {
        if folder == "bdc" && keep_bdc {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(out.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && !written.contains(&path) {
                std::fs::remove_file(&path).map_err(|e| FetchError::io(&path, e))?;
            }
        }
    }
    Ok(())
}

/// "Accomack County and Northampton County, Virginia", or the state's name.
fn area_name(state: State, counties: &[(String, String)], whole_state: bool) -> String {
    if whole_state {
        return state.name.to_owned();
    }
    let names: Vec<&str> = counties
        .iter()
        .map(|(_, name)| name.split(',').next().unwrap_or(name).trim())
        .collect();
    let listed = match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    format!("{listed}, {}", state.name)
}

/// Writes a file whole or not at all (a temporary beside it, renamed).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    let partial = path.with_file_name(name);
    std::fs::write(&partial, bytes).map_err(|e| FetchError::io(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| FetchError::io(path, e))
}

/// Places a downloaded file in the output folder (a hard link to the cache's copy where the
/// file system allows, a copy otherwise) and says where, relative to the folder.
pub(crate) fn place(download: &Download, out: &Path, relative: &str) -> Result<String, FetchError> {
    let target = out.join(relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
    }
    let _ = std::fs::remove_file(&target);
    if std::fs::hard_link(&download.path, &target).is_err() {
        std::fs::copy(&download.path, &target).map_err(|e| FetchError::io(&target, e))?;
    }
    Ok(relative.to_owned())
}

/// The record of a download.
pub(crate) fn record(what: String, download: &Download, file: Option<String>) -> Source {
    Source {
        what,
        url: download.url.clone(),
        fetched: download.fetched.clone(),
        sha256: download.sha256.clone(),
        bytes: download.bytes,
        file,
        derived: Vec::new(),
        from_cache: download.from_cache,
    }
}

/// The record of a download and the one file cut from it.
pub(crate) fn record_cut(
    what: String,
    download: &Download,
    (out, relative): (&Path, &str),
    how: String,
) -> Result<Source, FetchError> {
    let mut source = record(what, download, None);
    source.derived.push(derived(out, relative, how)?);
    Ok(source)
}

/// A downloaded zip's members by name: `member("x.dbf")` is its bytes, or an error naming the
/// URL.
pub(crate) struct Zipped<'a> {
    archive: zip::ZipArchive<std::io::BufReader<std::fs::File>>,
    url: &'a str,
}

impl<'a> Zipped<'a> {
    pub(crate) fn open(path: &Path, url: &'a str) -> Result<Self, FetchError> {
        let file = std::fs::File::open(path).map_err(|e| FetchError::io(path, e))?;
        let archive =
            zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| FetchError::Reply {
                url: url.to_owned(),
                message: format!("not a zip: {e}"),
            })?;
        Ok(Self { archive, url })
    }

    /// The names of its members.
    pub(crate) fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(Result::ok)
            .map(std::borrow::Cow::into_owned)
            .collect()
    }

    pub(crate) fn member(&mut self, name: &str) -> Result<Vec<u8>, FetchError> {
        use std::io::Read as _;
        let bad = |message: String| FetchError::Reply {
            url: self.url.to_owned(),
            message,
        };
        let mut bytes = Vec::new();
        self.archive
            .by_name(name)
            .map_err(|e| bad(format!("no {name} in the zip: {e}")))?
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        Ok(bytes)
    }
}

/// A derived file's record.
pub(crate) fn derived(out: &Path, relative: &str, how: String) -> Result<Derived, FetchError> {
    let path = out.join(relative);
    let file = std::fs::File::open(&path).map_err(|e| FetchError::io(&path, e))?;
    let (sha256, bytes) = http::sha256_of(file).map_err(|e| FetchError::io(&path, e))?;
    Ok(Derived {
        file: relative.to_owned(),
        how,
        sha256,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_in_the_usual_spellings_and_refuse_others() {
        let q: Quarter = "2022Q1".parse().expect("2022Q1");
        assert_eq!((q.year, q.quarter), (2022, 1));
        assert_eq!(
            "2023-q4".parse::<Quarter>(),
            Ok(Quarter {
                year: 2023,
                quarter: 4
            })
        );
        assert!("2022Q5".parse::<Quarter>().is_err());
        let early = "2018Q4".parse::<Quarter>().expect_err("too early");
        assert!(early.contains("2019Q1"), "{early}");
        assert!("spring".parse::<Quarter>().is_err());
    }

    #[test]
    fn the_area_is_named_by_its_counties_or_its_state() {
        let va = State::find("VA").expect("VA");
        let counties = vec![
            ("001".to_owned(), "Accomack County, Virginia".to_owned()),
            ("131".to_owned(), "Northampton County, Virginia".to_owned()),
        ];
        assert_eq!(
            area_name(va, &counties, false),
            "Accomack County and Northampton County, Virginia"
        );
        assert_eq!(area_name(va, &counties, true), "Virginia");
    }
}
