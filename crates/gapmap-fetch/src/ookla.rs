//! Ookla Open Data tiles, fixed or mobile: one Parquet file a quarter in the public bucket
//! (`parquet/performance/type=fixed/year=YYYY/quarter=Q/YYYY-MM-01_performance_fixed_tiles.parquet`,
//! `type=mobile/…_performance_mobile_tiles.parquet`: the layout of
//! github.com/teamookla/ookla-open-data's README), cut to the tiles whose centre lies in the
//! area's bounding box and saved small with the columns gapmap reads.

use std::path::Path;

use polars::prelude::*;

use crate::{Client, FetchError, Layout, Quarter, Request, Source, record_cut};

/// The columns kept: the quadkey and METHOD.md §5's metrics.
const COLUMNS: [&str; 6] = [
    "quadkey",
    "avg_d_kbps",
    "avg_u_kbps",
    "avg_lat_ms",
    "tests",
    "devices",
];

/// Which of Ookla's layers: `fixed` (into `ookla/`) or `mobile` (into `ookla_mobile/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fixed,
    Mobile,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Fixed => "fixed",
            Kind::Mobile => "mobile",
        }
    }

    /// The output folder of its tiles.
    fn folder(self) -> &'static str {
        match self {
            Kind::Fixed => "ookla",
            Kind::Mobile => "ookla_mobile",
        }
    }
}

/// The request's quarters (the four of its year by default) of the fixed tiles, and of the
/// mobile ones with `--mobile`, into the layout's `[ookla]` section.
pub(crate) fn fetch(
    client: &Client,
    request: &Request,
    (base, bounds): (&str, (f64, f64, f64, f64)),
    layout: &mut Layout,
    records: &mut Vec<Source>,
) -> Result<(), FetchError> {
    let quarters = if request.quarters.is_empty() {
        (1..=4)
            .map(|quarter| Quarter {
                year: request.year,
                quarter,
            })
            .collect()
    } else {
        request.quarters.clone()
    };
    let out = &request.out;
    fetch_quarters(client, (base, Kind::Fixed), &quarters, bounds, out, records)?;
    if request.mobile {
        fetch_quarters(
            client,
            (base, Kind::Mobile),
            &quarters,
            bounds,
            out,
            records,
        )?;
        layout.ookla_mobile = Some(Kind::Mobile.folder().to_owned());
    }
    layout.ookla_period = Some(period(&quarters));
    Ok(())
}

fn fetch_quarters(
    client: &Client,
    (base, kind): (&str, Kind),
    quarters: &[Quarter],
    bounds: (f64, f64, f64, f64),
    out: &Path,
    records: &mut Vec<Source>,
) -> Result<(), FetchError> {
    let name = kind.name();
    for quarter in quarters {
        let month = (quarter.quarter - 1) * 3 + 1;
        let url = format!(
            "{base}/type={name}/year={year}/quarter={q}/{year}-{month:02}-01_performance_{name}_tiles.parquet",
            year = quarter.year,
            q = quarter.quarter
        );
        let download = client.get(&url, &url, &[])?;
        let relative = format!(
            "{}/{}-q{}_{name}_tiles.parquet",
            kind.folder(),
            quarter.year,
            quarter.quarter
        );
        let kept = cut(&download.path, &url, bounds, &out.join(&relative))
            .inspect_err(|_| client.forget(&download))?;
        records.push(record_cut(
            format!("Ookla Open Data {name} tiles, {quarter}"),
            &download,
            (out, &relative),
            format!(
                "the {kept} tiles whose centre lies in the area's bounding box ({:.4}, {:.4}, {:.4}, {:.4}), columns {}",
                bounds.0,
                bounds.1,
                bounds.2,
                bounds.3,
                COLUMNS.join(", ")
            ),
        )?);
    }
    Ok(())
}

/// "2022 Q1–Q4", or the quarters listed.
pub(crate) fn period(quarters: &[Quarter]) -> String {
    let mut sorted = quarters.to_vec();
    sorted.sort();
    sorted.dedup();
    let consecutive = sorted.windows(2).all(|w| {
        let next = if w[0].quarter == 4 {
            (w[0].year + 1, 1)
        } else {
            (w[0].year, w[0].quarter + 1)
        };
        (w[1].year, w[1].quarter) == next
    });
    match sorted.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [first, .., last] if consecutive && first.year == last.year => {
            format!("{} Q{}–Q{}", first.year, first.quarter, last.quarter)
        }
        [first, .., last] if consecutive => format!("{first} – {last}"),
        all => all
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Keeps the tiles whose centre is in `bounds`; returns how many.
fn cut(
    source: &Path,
    url: &str,
    (west, south, east, north): (f64, f64, f64, f64),
    target: &Path,
) -> Result<usize, FetchError> {
    let bad = |message: String| FetchError::Reply {
        url: url.to_owned(),
        message,
    };
    let file = std::fs::File::open(source).map_err(|e| FetchError::io(source, e))?;
    let frame = ParquetReader::new(file)
        .with_columns(Some(COLUMNS.iter().map(|c| (*c).into()).collect()))
        .finish()
        .map_err(|e| bad(format!("not Ookla's Parquet tiles ({e})")))?;
    let quadkeys = frame
        .column("quadkey")
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| bad(e.to_string()))?;
    let quadkeys = quadkeys.str().map_err(|e| bad(e.to_string()))?;
    let mask: BooleanChunked = quadkeys
        .iter()
        .map(|quadkey| {
            let Some((tile_west, tile_south, tile_east, tile_north)) =
                quadkey.and_then(gapmap_core::quadkey::tile_bounds)
            else {
                return Some(false);
            };
            let x = f64::midpoint(tile_west, tile_east);
            let y = f64::midpoint(tile_south, tile_north);
            Some(x >= west && x <= east && y >= south && y <= north)
        })
        .collect();
    let mut kept = frame.filter(&mask).map_err(|e| bad(e.to_string()))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
    }
    let partial = target.with_extension("parquet.partial");
    let file = std::fs::File::create(&partial).map_err(|e| FetchError::io(&partial, e))?;
    ParquetWriter::new(file)
        .finish(&mut kept)
        .map_err(|e| FetchError::io(&partial, std::io::Error::other(e)))?;
    std::fs::rename(&partial, target).map_err(|e| FetchError::io(target, e))?;
    Ok(kept.height())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: u16, quarter: u8) -> Quarter {
        Quarter { year, quarter }
    }

    #[test]
    fn the_period_names_a_run_of_quarters_or_lists_them() {
        assert_eq!(
            period(&[q(2022, 1), q(2022, 2), q(2022, 3), q(2022, 4)]),
            "2022 Q1–Q4"
        );
        assert_eq!(period(&[q(2022, 4), q(2023, 1)]), "2022 Q4 – 2023 Q1");
        assert_eq!(period(&[q(2022, 1), q(2022, 3)]), "2022 Q1, 2022 Q3");
        assert_eq!(period(&[q(2021, 2)]), "2021 Q2");
    }
}
