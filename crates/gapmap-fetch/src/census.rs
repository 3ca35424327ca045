//! The Census Data API: the state's counties, ACS 5-year tables by block group, 2020 block
//! housing units (Census Data API User Guide: a GET with `get=` variables or `group(TABLE)`,
//! `for=` the geography, `in=` its parents, `key=` optional; the reply is a JSON array of
//! arrays of strings, the header first; `…/acs/acs5/examples.html` gives `for=block%20group:*`
//! with `in=state:SS&in=county:CCC&in=tract:*`).

use std::path::Path;

use crate::{Client, Download, FetchError, Source, State, place, record};

/// ACS tables of METHOD.md §3: broadband subscription (B28002), computers (B28001), income
/// brackets (B19001) and median (B19013), households (B11001) and population (B01003).
pub const ACS_TABLES: [&str; 6] = ["B28002", "B28001", "B19001", "B19013", "B11001", "B01003"];

/// `SSCCC` for a county, `SS` for the whole state (`*`).
fn file_area(state: &str, county: &str) -> String {
    if county == "*" {
        state.to_owned()
    } else {
        format!("{state}{county}")
    }
}

/// A Census Data API reply: rows of cells, the header first.
type Rows = Vec<Vec<serde_json::Value>>;

pub(crate) struct Census<'a> {
    pub client: &'a Client,
    pub base: &'a str,
    pub key: Option<&'a str>,
    pub state: State,
    pub year: u16,
}

impl Census<'_> {
    /// A query's URL with the key (what is requested) and without it (what is recorded).
    fn urls(&self, path_and_query: &str) -> (String, String) {
        let shown = format!("{}/{path_and_query}", self.base);
        let url = match self.key {
            Some(key) => format!("{shown}&key={key}"),
            None => shown.clone(),
        };
        (url, shown)
    }

    /// Downloads a query and checks that the reply is the API's array of arrays, so that an
    /// error page answered with 200 (an invalid key) is neither used nor kept.
    fn query(&self, path_and_query: &str) -> Result<(Download, Rows), FetchError> {
        let (url, shown) = self.urls(path_and_query);
        let download = self.client.get(&url, &shown, &[])?;
        let bytes = std::fs::read(&download.path).map_err(|e| FetchError::io(&download.path, e))?;
        match serde_json::from_slice::<Rows>(&bytes) {
            Ok(rows) if !rows.is_empty() => Ok((download, rows)),
            _ => {
                self.client.forget(&download);
                let start: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
                Err(FetchError::Reply {
                    url: shown,
                    message: format!(
                        "not the Census Data API's JSON (an array of arrays, the header first); it begins: {start}{}",
                        if self.key.is_some() {
                            " — is CENSUS_API_KEY valid?"
                        } else {
                            ""
                        }
                    ),
                })
            }
        }
    }

    /// The state's counties (`(code, name)`), checked against those asked for.
    pub fn counties(
        &self,
        wanted: &[String],
    ) -> Result<(Vec<(String, String)>, Source), FetchError> {
        let query = format!(
            "{}/acs/acs5?get=NAME&for=county:*&in=state:{}",
            self.year, self.state.fips
        );
        let (download, rows) = self.query(&query)?;
        let header = &rows[0];
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h.as_str() == Some(name))
                .ok_or_else(|| FetchError::Reply {
                    url: download.url.clone(),
                    message: format!("no `{name}` column"),
                })
        };
        let (name_at, county_at) = (column("NAME")?, column("county")?);
        let mut all: Vec<(String, String)> = rows[1..]
            .iter()
            .filter_map(|row| {
                Some((
                    row.get(county_at)?.as_str()?.to_owned(),
                    row.get(name_at)?.as_str().unwrap_or_default().to_owned(),
                ))
            })
            .collect();
        all.sort();
        let chosen = if wanted.is_empty() {
            all.clone()
        } else {
            wanted
                .iter()
                .map(|code| {
                    all.iter().find(|(c, _)| c == code).cloned().ok_or_else(|| {
                        FetchError::Request(format!(
                            "county {code} is not a county of {} in the {} ACS; its counties are {}",
                            self.state.name,
                            self.year,
                            all.iter()
                                .map(|(c, n)| format!("{c} ({})", n.split(',').next().unwrap_or(n)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        let source = record(
            format!(
                "Counties of {} (ACS {} 5-year, NAME)",
                self.state.name, self.year
            ),
            &download,
            None,
        );
        Ok((chosen, source))
    }

    /// Every ACS table for the block groups of each county, as the API answers
    /// (`acs/<TABLE>_<SSCCC>.json`); for a whole state (`county` `*`: the API takes that
    /// wildcard for block groups since the 2013–2017 ACS) one reply per table
    /// (`acs/<TABLE>_<SS>.json`).
    pub fn acs_tables(
        &self,
        counties: &[(String, String)],
        out: &Path,
        records: &mut Vec<Source>,
    ) -> Result<(), FetchError> {
        let (state, year) = (self.state.fips, self.year);
        for (county, name) in counties {
            for table in ACS_TABLES {
                records.push(self.save(
                    &format!("{year}/acs/acs5?get=group({table})&for=block%20group:*&in=state:{state}&in=county:{county}&in=tract:*"),
                    out,
                    &format!("acs/{table}_{}.json", file_area(state, county)),
                    format!("ACS {}-{year} 5-year table {table}, block groups of {name}", year - 4),
                )?);
            }
        }
        Ok(())
    }

    /// 2020 housing units per block (PL 94-171 `H1_001N`), per county
    /// (`census2020/H1_<SSCCC>.json`), or for the whole state (`county` `*`).
    pub fn block_housing(
        &self,
        counties: &[(String, String)],
        out: &Path,
        records: &mut Vec<Source>,
    ) -> Result<(), FetchError> {
        let state = self.state.fips;
        for (county, name) in counties {
            records.push(self.save(
                &format!("2020/dec/pl?get=H1_001N&for=block:*&in=state:{state}&in=county:{county}&in=tract:*"),
                out,
                &format!("census2020/H1_{}.json", file_area(state, county)),
                format!("2020 Census PL 94-171 housing units (H1_001N) per block of {name}"),
            )?);
        }
        Ok(())
    }

    /// A query's reply, checked, placed at `relative` in `out`, and its record.
    fn save(
        &self,
        query: &str,
        out: &Path,
        relative: &str,
        what: String,
    ) -> Result<Source, FetchError> {
        let (download, _) = self.query(query)?;
        let file = place(&download, out, relative)?;
        Ok(record(what, &download, Some(file)))
    }
}
