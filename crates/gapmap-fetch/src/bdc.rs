//! The FCC's BDC Public Data API (its specification, "BDC Public Data API", v1.2):
//! every call carries the `username` and `hash_value` headers (§2: an API token generated
//! under "Manage API Access" of a broadbandmap.fcc.gov account); at most 10 calls a minute.
//! - §3.1 `GET /map/listAsOfDates` → `{"status", "data": [{"data_type", "as_of_date"}]}`;
//! - §3.2 `GET /map/downloads/listAvailabilityData/{as_of_date}?category=State&subcategory=Location Coverage&technology_type=Fixed Broadband`
//!   → `{"status", "result_count", "data": [{"file_id", "state_fips", "technology_code", "file_name", "record_count", …}]}`;
//! - §3.4 `GET /map/downloads/downloadFile/availability/{file_id}` → the zip.

use std::path::Path;

use serde::Deserialize;

use crate::{Client, Endpoints, FetchError, Request, Source, State, place, record};

#[derive(Debug, Deserialize)]
struct Listing<T> {
    status: Option<String>,
    message: Option<String>,
    data: Option<Vec<T>>,
}

#[derive(Debug, Deserialize)]
struct AsOf {
    data_type: String,
    as_of_date: String,
}

#[derive(Debug, Deserialize)]
struct FileEntry {
    file_id: serde_json::Value,
    state_fips: Option<String>,
    technology_code: Option<serde_json::Value>,
    technology_code_desc: Option<String>,
    file_name: String,
    record_count: Option<serde_json::Value>,
}

/// Downloads the state's fixed-availability zips into `bdc/`; returns the as-of date.
pub(crate) fn fetch_state(
    client: &Client,
    endpoints: &Endpoints,
    (username, hash_value): (&str, &str),
    request: &Request,
    records: &mut Vec<Source>,
) -> Result<String, FetchError> {
    let headers = [("username", username), ("hash_value", hash_value)];
    let base = &endpoints.bdc_api;
    let as_of = if let Some(date) = &request.bdc_as_of {
        date.clone()
    } else {
        {
            // Listings change with each release: always asked again, never from the cache.
            let url = format!("{base}/map/listAsOfDates");
            let dates: Vec<AsOf> = listing(client, &url, &headers)?;
            dates
                .into_iter()
                .filter(|d| d.data_type == "availability")
                .map(|d| d.as_of_date)
                .max()
                .ok_or_else(|| FetchError::Reply {
                    url,
                    message: "no availability as-of date is listed".into(),
                })?
        }
    };
    let url = format!(
        "{base}/map/downloads/listAvailabilityData/{as_of}?category=State&subcategory=Location%20Coverage&technology_type=Fixed%20Broadband"
    );
    let files: Vec<FileEntry> = listing(client, &url, &headers)?;
    let state = request.state;
    let files: Vec<FileEntry> = files
        .into_iter()
        .filter(|f| {
            f.state_fips
                .as_deref()
                .is_some_and(|s| format!("{s:0>2}") == state.fips)
        })
        .collect();
    if files.is_empty() {
        return Err(FetchError::Reply {
            url,
            message: format!(
                "no fixed-broadband location coverage file of {} ({}) is listed for {as_of}",
                state.name, state.fips
            ),
        });
    }
    for file in files {
        let id = match &file.file_id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let url = format!("{base}/map/downloads/downloadFile/availability/{id}");
        let download = client
            .get(&url, &url, &headers)
            .map_err(credentials_refused)?;
        // A download that is not a readable zip is not kept.
        crate::Zipped::open(&download.path, &url).inspect_err(|_| client.forget(&download))?;
        let name = if file.file_name.to_ascii_lowercase().ends_with(".zip") {
            file.file_name.clone()
        } else {
            format!("{}.zip", file.file_name)
        };
        let name: String = name
            .chars()
            .map(|c| if c == '/' || c == '\\' { '_' } else { c })
            .collect();
        let placed = place(&download, &request.out, &format!("bdc/{name}"))?;
        let technology = file
            .technology_code_desc
            .clone()
            .or_else(|| file.technology_code.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        let rows = file
            .record_count
            .as_ref()
            .map(|r| format!(", {} records listed", r.to_string().trim_matches('"')))
            .unwrap_or_default();
        records.push(record(
            format!(
                "FCC BDC fixed broadband availability as of {as_of}, {}, {technology}{rows}",
                state.name
            ),
            &download,
            Some(placed),
        ));
    }
    Ok(as_of)
}

/// A §3.1/§3.2 listing: downloaded again on every online fetch (a new release changes it),
/// the last one used offline.
fn listing<T: for<'de> Deserialize<'de>>(
    client: &Client,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<Vec<T>, FetchError> {
    let download = client
        .get_fresh(url, url, headers)
        .map_err(credentials_refused)?;
    let bytes = std::fs::read(&download.path).map_err(|e| FetchError::io(&download.path, e))?;
    let listing: Listing<T> = serde_json::from_slice(&bytes).map_err(|e| FetchError::Reply {
        url: url.to_owned(),
        message: format!("not the BDC API's listing ({e})"),
    })?;
    if listing.status.as_deref().is_some_and(|s| s != "successful") {
        return Err(FetchError::Reply {
            url: url.to_owned(),
            message: format!(
                "the API says {}: {}",
                listing.status.unwrap_or_default(),
                listing.message.unwrap_or_default()
            ),
        });
    }
    Ok(listing.data.unwrap_or_default())
}

/// HTTP 401 or 403 from the API: the credentials, named.
fn credentials_refused(error: FetchError) -> FetchError {
    match error {
        FetchError::Status {
            url,
            status: status @ (401 | 403),
            reason,
            body,
        } => FetchError::Reply {
            url,
            message: format!(
                "HTTP {status} {reason} ({body}): the BDC API refused FCC_BDC_USERNAME and FCC_BDC_HASH_VALUE; check them (the username is the account's e-mail; a new token from Manage API Access replaces the old one)"
            ),
        },
        other => other,
    }
}

/// What to do without BDC credentials: how to get them, or how to download by hand.
pub(crate) fn without_credentials(state: State, out: &Path) -> String {
    format!(
        "FCC BDC availability was not fetched: the BDC Public Data API needs FCC_BDC_USERNAME and FCC_BDC_HASH_VALUE.\n\
         To get them: create an account at https://broadbandmap.fcc.gov/login, open your username's menu → Manage API Access → Generate, and export\n\
         \x20 FCC_BDC_USERNAME=<the account's e-mail> FCC_BDC_HASH_VALUE=<the token>, then run this fetch again (what is downloaded is kept).\n\
         Or by hand: https://broadbandmap.fcc.gov/data-download/nationwide-data → the as-of date → State: {name} → Fixed Broadband, \
         download each technology's location coverage zip (bdc_{fips}_…_fixed_broadband_….zip) into {bdc}, and uncomment the [bdc] section of {config}.",
        name = state.name,
        fips = state.fips,
        bdc = out.join("bdc").display(),
        config = out.join("gapmap.toml").display(),
    )
}
