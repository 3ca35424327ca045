//! 2020 block internal points from the TIGER/Line tabulation blocks of the state
//! (`TIGER2020/TABBLOCK20/tl_2020_{SS}_tabblock20.zip`, as census.gov's "TIGER/Line Shapefiles"
//! page lists them): only the zip's attribute table is read, and the counties' `GEOID20`,
//! `INTPTLAT20`, `INTPTLON20` are written as `blocks/points_<SS>.csv`, the values as published.
//! With them a city's own districts are apportioned through blocks (METHOD.md §6).

use std::fmt::Write as _;
use std::io::Cursor;
use std::path::Path;

use crate::{Client, FetchError, Source, State, Zipped, record_cut, write_atomically};

/// The columns kept, `blocks.points`' defaults.
const COLUMNS: [&str; 3] = ["GEOID20", "INTPTLAT20", "INTPTLON20"];

/// Downloads the state's blocks and writes the counties' points; returns the file written.
pub(crate) fn fetch_points(
    client: &Client,
    base: &str,
    state: State,
    prefixes: &[String],
    out: &Path,
    records: &mut Vec<Source>,
) -> Result<String, FetchError> {
    let stem = format!("tl_2020_{}_tabblock20", state.fips);
    let url = format!("{base}/TIGER2020/TABBLOCK20/{stem}.zip");
    let download = client.get(&url, &url, &[])?;
    let relative = format!("blocks/points_{}.csv", state.fips);
    let kept = cut(&download.path, &url, &stem, prefixes, &out.join(&relative))
        .inspect_err(|_| client.forget(&download))?;
    records.push(record_cut(
        format!(
            "TIGER/Line 2020 tabulation blocks of {} ({stem}.zip)",
            state.name
        ),
        &download,
        (out, &relative),
        format!(
            "{} of the {kept} blocks whose GEOID20 starts with {}, from the attribute table, values as published",
            COLUMNS.join(", "),
            prefixes.join(" or ")
        ),
    )?);
    Ok(relative)
}

fn cut(
    zip_path: &Path,
    url: &str,
    stem: &str,
    prefixes: &[String],
    target: &Path,
) -> Result<usize, FetchError> {
    let bad = |message: String| FetchError::Reply {
        url: url.to_owned(),
        message,
    };
    let dbf = Zipped::open(zip_path, url)?.member(&format!("{stem}.dbf"))?;
    let mut table = shapefile::dbase::Reader::new(Cursor::new(dbf))
        .map_err(|e| bad(format!("{stem}.dbf: {e}")))?;
    let mut csv = format!("{}\n", COLUMNS.join(","));
    let mut kept = 0;
    for (index, row) in table.iter_records().enumerate() {
        let row = row.map_err(|e| bad(format!("{stem}.dbf record {index}: {e}")))?;
        let text = |name: &str| match row.get(name) {
            Some(shapefile::dbase::FieldValue::Character(Some(value))) => {
                Ok(value.trim().to_owned())
            }
            _ => Err(bad(format!("{stem}.dbf record {index} has no {name}"))),
        };
        let geoid = text(COLUMNS[0])?;
        if !prefixes.iter().any(|p| geoid.starts_with(p.as_str())) {
            continue;
        }
        let _ = writeln!(csv, "{geoid},{},{}", text(COLUMNS[1])?, text(COLUMNS[2])?);
        kept += 1;
    }
    if kept == 0 {
        return Err(bad(format!(
            "no block whose GEOID20 starts with {}",
            prefixes.join(" or ")
        )));
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
    }
    write_atomically(target, csv.as_bytes())?;
    Ok(kept)
}
