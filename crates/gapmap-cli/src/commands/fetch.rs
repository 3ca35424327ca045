//! `gapmap fetch`: the arguments checked, then `gapmap_fetch::fetch` (issue #15).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use gapmap_fetch::{Client, Credentials, Endpoints, Policy, Request, Skip, State};

use crate::args::{FetchArgs, FetchSkip};

/// The default cache: `$XDG_CACHE_HOME/gapmap`, else `~/.cache/gapmap`.
fn default_cache() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("gapmap"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".cache").join("gapmap"))
        .context(
            "no cache folder: neither XDG_CACHE_HOME nor HOME is set; give one with --cache DIR",
        )
}

/// The arguments checked: a known state, three-digit counties, quarters, an as-of date.
fn request(options: &FetchArgs) -> Result<Request> {
    let Some(state) = State::find(&options.state) else {
        bail!(
            "`{}` is not a state: give its USPS abbreviation ({}), FIPS code or name",
            options.state,
            State::all_usps()
        );
    };
    let mut counties = Vec::new();
    for county in &options.county {
        let county = county.trim();
        // A five-digit code of this state is accepted too (51001).
        let code = county
            .strip_prefix(state.fips)
            .filter(|c| c.len() == 3)
            .unwrap_or(county);
        if code.len() != 3 {
            bail!(
                "--county {county}: a five-digit code must start with {}'s {}; give the county's three-digit FIPS code, such as 001",
                state.name,
                state.fips
            );
        }
        if !counties.iter().any(|c| c == code) {
            counties.push(code.to_owned());
        }
    }
    if options.mobile && options.skip.contains(&FetchSkip::Ookla) {
        bail!(
            "--mobile fetches Ookla's mobile tiles beside the fixed ones: it cannot go with --skip ookla"
        );
    }
    let request = Request {
        state,
        counties,
        year: options.year,
        quarters: options.quarter.clone(),
        bdc_as_of: options.bdc_as_of.clone(),
        block_points: options.block_points,
        mobile: options.mobile,
        skip: Skip {
            acs: options.skip.contains(&FetchSkip::Acs),
            blocks: options.skip.contains(&FetchSkip::Blocks),
            ookla: options.skip.contains(&FetchSkip::Ookla),
            bdc: options.skip.contains(&FetchSkip::Bdc),
        },
        out: options.out.clone(),
    };
    Ok(request)
}

pub fn fetch(options: &FetchArgs, quiet: bool) -> Result<serde_json::Value> {
    let request = request(options)?;
    let endpoints = Endpoints::from_env();
    let cache = match &options.cache {
        Some(cache) => cache.clone(),
        None => default_cache()?,
    };
    let mut policy = Policy {
        quiet,
        ..Policy::default()
    };
    policy.intervals.push((
        gapmap_fetch::http::host_of(&endpoints.bdc_api),
        endpoints.bdc_interval,
    ));
    if let Some(ms) = std::env::var("GAPMAP_FETCH_BACKOFF_MS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        policy.backoff = std::time::Duration::from_millis(ms);
    }
    let client = Client::new(&cache, options.offline, policy)
        .with_context(|| format!("cannot use the cache folder {}", cache.display()))?;
    let fetched = gapmap_fetch::fetch(&request, &endpoints, &Credentials::from_env(), &client)
        .context("the fetch stopped; what was downloaded is kept in the cache, and running the same command again resumes")?;
    for note in &fetched.notes {
        eprintln!("note: {note}");
    }
    if !quiet {
        let cached = fetched.records.iter().filter(|r| r.from_cache).count();
        eprintln!(
            "{} sources ({} downloaded, {cached} from the cache {}) in {}",
            fetched.records.len(),
            fetched.records.len() - cached,
            cache.display(),
            request.out.display()
        );
        eprintln!(
            "next: gapmap run --config {} --out out/{}",
            fetched.config.display(),
            request
                .out
                .file_name()
                .map_or_else(|| "area".to_owned(), |n| n.to_string_lossy().into_owned())
        );
    }
    Ok(serde_json::json!({
        "files": [fetched.config.display().to_string(), fetched.sources.display().to_string()],
        "cache": cache.display().to_string(),
        "sources": fetched.records,
        "notes": fetched.notes,
    }))
}
