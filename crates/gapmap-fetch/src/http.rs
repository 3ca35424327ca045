//! Downloads through a cache keyed by URL: every file is kept with the SHA-256 and size it had
//! when it arrived, checked again before it is reused; failed requests are retried with
//! backoff, servers' rate limits respected, and each download shows a progress bar on a
//! terminal (a plain line otherwise).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::FetchError;

/// One file as the cache holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Download {
    /// The URL, without secrets (the Census API key is never recorded).
    pub url: String,
    /// When it was downloaded (RFC 3339, UTC).
    pub fetched: String,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Where the cache keeps it.
    #[serde(skip)]
    pub path: PathBuf,
    /// Whether this run took it from the cache.
    #[serde(skip)]
    pub from_cache: bool,
}

/// How a client behaves: retries, backoff, rate limits, progress.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Attempts after the first, for HTTP 429, 5xx, a cut download or a broken connection.
    pub retries: u32,
    /// The first wait; doubled after each failed attempt (a `Retry-After` header wins).
    pub backoff: Duration,
    /// Least time between two requests to a host (`host` → interval), for documented rate
    /// limits.
    pub intervals: Vec<(String, Duration)>,
    /// No progress bars or lines.
    pub quiet: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            retries: 4,
            backoff: Duration::from_secs(2),
            intervals: Vec::new(),
            quiet: false,
        }
    }
}

/// An HTTP client with a cache.
pub struct Client {
    agent: ureq::Agent,
    cache: PathBuf,
    offline: bool,
    policy: Policy,
    last_call: Mutex<HashMap<String, Instant>>,
}

/// Longest wait a `Retry-After` header may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

impl Client {
    /// A client keeping its files in `cache`; `offline` answers from the cache only.
    pub fn new(cache: &Path, offline: bool, policy: Policy) -> Result<Self, FetchError> {
        std::fs::create_dir_all(cache).map_err(|e| FetchError::io(cache, e))?;
        let agent = ureq::Agent::config_builder()
            // Statuses are read here, to retry 429 and 5xx and name the others.
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .user_agent(concat!(
                "gapmap/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/gapmap/gapmap)"
            ))
            .build()
            .into();
        Ok(Self {
            agent,
            cache: cache.to_owned(),
            offline,
            policy,
            last_call: Mutex::new(HashMap::new()),
        })
    }

    /// The file at `url`, from the cache when it holds an intact copy, downloaded otherwise.
    /// `shown` is the URL without secrets: the cache key and what is recorded; `headers` go
    /// with the request (never recorded).
    pub fn get(
        &self,
        url: &str,
        shown: &str,
        headers: &[(&str, &str)],
    ) -> Result<Download, FetchError> {
        let path = self.cache_path(shown);
        let meta_path = meta_path(&path);
        if let Some(cached) = self.cached(&path, &meta_path, shown)? {
            return Ok(cached);
        }
        if self.offline {
            return Err(FetchError::NotCached {
                url: shown.to_owned(),
                cache: self.cache.clone(),
            });
        }
        let download = self.download(url, shown, headers, &path)?;
        let meta = serde_json::to_vec_pretty(&download).map_err(|e| FetchError::Io {
            path: meta_path.clone(),
            source: std::io::Error::other(e),
        })?;
        std::fs::write(&meta_path, meta).map_err(|e| FetchError::io(&meta_path, e))?;
        Ok(download)
    }

    /// Like [`Client::get`], but online the file is always downloaded again (a listing that
    /// changes with each release); offline, the last copy is used.
    pub fn get_fresh(
        &self,
        url: &str,
        shown: &str,
        headers: &[(&str, &str)],
    ) -> Result<Download, FetchError> {
        if !self.offline {
            let _ = std::fs::remove_file(meta_path(&self.cache_path(shown)));
        }
        self.get(url, shown, headers)
    }

    /// Drops a file from the cache (a reply found unusable after it arrived).
    pub fn forget(&self, download: &Download) {
        let _ = std::fs::remove_file(meta_path(&download.path));
        let _ = std::fs::remove_file(&download.path);
    }

    /// The cache's copy when it is intact; a damaged one (its SHA-256 is not the recorded
    /// one: cut short, or changed) is dropped and downloaded again, or refused offline.
    fn cached(
        &self,
        path: &Path,
        meta_path: &Path,
        shown: &str,
    ) -> Result<Option<Download>, FetchError> {
        let Ok(meta) = std::fs::read(meta_path) else {
            return Ok(None);
        };
        let Ok(mut recorded) = serde_json::from_slice::<Download>(&meta) else {
            return Ok(None);
        };
        let intact = std::fs::File::open(path)
            .ok()
            .and_then(|file| sha256_of(file).ok())
            .is_some_and(|(sha256, bytes)| sha256 == recorded.sha256 && bytes == recorded.bytes);
        if !intact {
            if self.offline {
                return Err(FetchError::Damaged {
                    url: shown.to_owned(),
                    path: path.to_owned(),
                });
            }
            let _ = std::fs::remove_file(meta_path);
            return Ok(None);
        }
        path.clone_into(&mut recorded.path);
        recorded.from_cache = true;
        Ok(Some(recorded))
    }

    fn download(
        &self,
        url: &str,
        shown: &str,
        headers: &[(&str, &str)],
        path: &Path,
    ) -> Result<Download, FetchError> {
        let mut wait = self.policy.backoff;
        let mut attempt = 0;
        loop {
            self.respect_interval(url);
            let failure = match self.attempt(url, shown, headers, path) {
                Ok(download) => return Ok(download),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Again { error, after }) => {
                    if let Some(after) = after {
                        wait = after.min(MAX_RETRY_AFTER);
                    }
                    error
                }
            };
            if attempt >= self.policy.retries {
                return Err(FetchError::GaveUp {
                    url: shown.to_owned(),
                    attempts: attempt + 1,
                    last: Box::new(failure),
                });
            }
            if !self.policy.quiet {
                eprintln!("{failure}; trying again in {} s", wait.as_secs_f64());
            }
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    fn attempt(
        &self,
        url: &str,
        shown: &str,
        headers: &[(&str, &str)],
        path: &Path,
    ) -> Result<Download, Attempt> {
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = request.call().map_err(|e| Attempt::Again {
            error: FetchError::Transport {
                url: shown.to_owned(),
                message: e.to_string(),
            },
            after: None,
        })?;
        let status = response.status().as_u16();
        if status != 200 {
            let after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = response
                .body_mut()
                .with_config()
                .limit(4096)
                .read_to_string()
                .unwrap_or_default();
            let error = FetchError::Status {
                url: shown.to_owned(),
                status,
                reason: response
                    .status()
                    .canonical_reason()
                    .unwrap_or("")
                    .to_owned(),
                body: body.chars().take(300).collect(),
            };
            return Err(if status == 429 || (500..600).contains(&status) {
                Attempt::Again { error, after }
            } else {
                Attempt::Final(error)
            });
        }
        let expected: Option<u64> = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        // Per process: two fetches sharing the cache never write one partial file.
        let partial = path.with_extension(format!("part-{}", std::process::id()));
        let written = self
            .save(response.body_mut().as_reader(), &partial, shown, expected)
            .map_err(|error| Attempt::Again { error, after: None })?;
        let (sha256, bytes) = written;
        if let Some(expected) = expected
            && expected != bytes
        {
            let _ = std::fs::remove_file(&partial);
            return Err(Attempt::Again {
                error: FetchError::Truncated {
                    url: shown.to_owned(),
                    bytes,
                    expected,
                },
                after: None,
            });
        }
        std::fs::rename(&partial, path).map_err(|e| Attempt::Final(FetchError::io(path, e)))?;
        Ok(Download {
            url: shown.to_owned(),
            fetched: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            sha256,
            bytes,
            path: path.to_owned(),
            from_cache: false,
        })
    }

    /// Streams a body to `partial`, hashing it; a broken stream is a cut download.
    fn save(
        &self,
        mut body: impl Read,
        partial: &Path,
        shown: &str,
        expected: Option<u64>,
    ) -> Result<(String, u64), FetchError> {
        let bar = self.bar(shown, expected);
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(partial).map_err(|e| FetchError::io(partial, e))?,
        );
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let read = match body.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    bar.abandon();
                    drop(file);
                    let _ = std::fs::remove_file(partial);
                    return Err(match expected {
                        Some(expected) => FetchError::Truncated {
                            url: shown.to_owned(),
                            bytes,
                            expected,
                        },
                        None => FetchError::Transport {
                            url: shown.to_owned(),
                            message: e.to_string(),
                        },
                    });
                }
            };
            hasher.update(&buffer[..read]);
            file.write_all(&buffer[..read])
                .map_err(|e| FetchError::io(partial, e))?;
            bytes += read as u64;
            bar.set_position(bytes);
        }
        file.flush().map_err(|e| FetchError::io(partial, e))?;
        bar.finish_and_clear();
        if !self.policy.quiet && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprintln!("downloaded {shown} ({bytes} bytes)");
        }
        Ok((hex(&hasher.finalize()), bytes))
    }

    fn bar(&self, shown: &str, expected: Option<u64>) -> indicatif::ProgressBar {
        if self.policy.quiet {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            expected,
            indicatif::ProgressDrawTarget::stderr(),
        );
        let template = if expected.is_some() {
            "{msg} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec}"
        } else {
            "{msg} {spinner} {bytes} {bytes_per_sec}"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        let name = shown.rsplit('/').next().unwrap_or(shown);
        bar.set_message(name.chars().take(60).collect::<String>());
        bar
    }

    /// Waits until the host's documented interval since the last request has passed.
    fn respect_interval(&self, url: &str) {
        let host = host_of(url);
        let Some(interval) = self
            .policy
            .intervals
            .iter()
            .find(|(h, _)| *h == host)
            .map(|(_, i)| *i)
        else {
            return;
        };
        let mut last = self
            .last_call
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(previous) = last.get(&host) {
            if let Some(left) = interval.checked_sub(previous.elapsed()) {
                std::thread::sleep(left);
            }
        }
        last.insert(host, Instant::now());
    }

    /// `cache/<first 16 hex of the URL's SHA-256>-<its last path segment>`.
    fn cache_path(&self, shown: &str) -> PathBuf {
        let digest = hex(&Sha256::digest(shown.as_bytes()));
        let tail: String = shown
            .split('?')
            .next()
            .unwrap_or(shown)
            .rsplit('/')
            .next()
            .unwrap_or("")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        self.cache.join(format!("{}-{tail}", &digest[..16]))
    }
}

enum Attempt {
    Again {
        error: FetchError,
        after: Option<Duration>,
    },
    Final(FetchError),
}

fn meta_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".source.json");
    path.with_file_name(name)
}

/// `scheme://host[:port]` of a URL.
pub fn host_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// SHA-256 (hex) and size of what a reader yields.
pub fn sha256_of(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut reader, &mut hasher)?;
    Ok((hex(&hasher.finalize()), bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
