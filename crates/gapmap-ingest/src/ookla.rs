//! Ookla fixed tiles in the block-joined form of the DC sample (METHOD.md §5): one row per
//! (2020 block, tile, quarter), a tile's values repeated for every block it intersects, without
//! quadkey or geometry.
//!
//! A tile is recognised by its full value set (`avg_d_mbps, avg_u_mbps, tests, devices,
//! avg_lat_ms, year, q`), so it is counted once per district however many of the district's
//! blocks it touches. Two different tiles with identical values in the same quarter would be
//! merged; with speeds to the kbps and counts of tests and devices that is rare, and it is the
//! best the derived form allows.

use std::collections::HashMap;
use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;

use gapmap_core::{GeoId, Level, SpeedTile, SpeedTiles};

use crate::IngestError;
use crate::table::{Table, open_table};

const COLUMNS: [&str; 8] = [
    "GEOID20",
    "avg_d_mbps",
    "avg_u_mbps",
    "tests",
    "devices",
    "avg_lat_ms",
    "year",
    "q",
];

/// Reads block-joined Ookla tiles.
pub fn read_ookla_block_tiles(path: &Path) -> Result<SpeedTiles, IngestError> {
    let mut merged = BlockTiles::default();
    merged.add(path)?;
    Ok(merged.finish())
}

/// Block-joined tile tables read one after another (per-county files, say) into one set of
/// tiles: a tile (its figures and quarter) in several files is one tile, and a (block, tile)
/// pair given twice is one pair.
#[derive(Debug, Default)]
pub struct BlockTiles {
    tiles: SpeedTiles,
    index: HashMap<[u64; 7], u32>,
    /// Each tile's quarter (`year`, `q`), as `2022Q1`.
    quarters: Vec<String>,
}

impl BlockTiles {
    /// Adds a block-joined table; returns its rows.
    pub fn add(&mut self, path: &Path) -> Result<u64, IngestError> {
        add_block_tiles(self, path)
    }

    /// The tiles, each (block, tile) pair once, in the order first read, with their quarters.
    pub fn finish(mut self) -> SpeedTiles {
        let mut seen = std::collections::HashSet::with_capacity(self.tiles.tile_blocks.len());
        self.tiles
            .tile_blocks
            .retain(|(block, tile)| seen.insert((block.clone(), *tile)));
        let mut periods = self.quarters.clone();
        periods.sort();
        periods.dedup();
        self.tiles.period_of = self
            .quarters
            .iter()
            .map(|q| periods.binary_search(q).unwrap_or_default() as u16)
            .collect();
        self.tiles.periods = periods;
        self.tiles
    }
}

fn add_block_tiles(merged: &mut BlockTiles, path: &Path) -> Result<u64, IngestError> {
    let BlockTiles {
        tiles,
        index,
        quarters,
    } = merged;
    let Table {
        mut reader,
        positions,
    } = open_table(path, &COLUMNS, "the block-joined Ookla table")?;
    let mut rows = 0;
    for (row, record) in reader.records().enumerate() {
        rows += 1;
        let line = row as u64 + 2;
        let record =
            record.map_err(|e| IngestError::format(path, format!("record {line}: {e}")))?;
        let field = |i: usize| record.get(positions[i]).unwrap_or("").trim();
        let number = |i: usize| -> Result<f64, IngestError> {
            field(i)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| IngestError::Value {
                    path: path.to_owned(),
                    record: line,
                    column: COLUMNS[i].to_owned(),
                    message: format!("`{}` is not a non-negative number", field(i)),
                })
        };
        let block = GeoId::parse(field(0))
            .ok()
            .filter(|g| g.level() == Level::Block)
            .ok_or_else(|| IngestError::Value {
                path: path.to_owned(),
                record: line,
                column: COLUMNS[0].to_owned(),
                message: format!("`{}` is not a 15-digit 2020 block GEOID", field(0)),
            })?;
        let count = |i: usize| -> Result<u64, IngestError> {
            whole_count(number(i)?).ok_or_else(|| IngestError::Value {
                path: path.to_owned(),
                record: line,
                column: COLUMNS[i].to_owned(),
                message: format!("`{}` {NOT_A_COUNT}", field(i)),
            })
        };
        let tile = SpeedTile {
            download_mbps: number(1)?,
            upload_mbps: number(2)?,
            tests: count(3)?,
            devices: count(4)?,
            latency_ms: number(5)?,
        };
        let key = [
            tile.download_mbps.to_bits(),
            tile.upload_mbps.to_bits(),
            tile.tests,
            tile.devices,
            tile.latency_ms.to_bits(),
            number(6)?.to_bits(),
            number(7)?.to_bits(),
        ];
        let (year, q) = (number(6)?, number(7)?);
        let next = tiles.tiles.len() as u32;
        let id = *index.entry(key).or_insert(next);
        if id == next {
            let quarter = (year.fract() == 0.0 && q.fract() == 0.0)
                .then(|| quarter(year as i64, q as i64))
                .flatten()
                .ok_or_else(|| IngestError::Value {
                    path: path.to_owned(),
                    record: line,
                    column: "q".into(),
                    message: format!("year {year}, q {q} is not a quarter (a year and 1–4)"),
                })?;
            tiles.tiles.push(tile);
            quarters.push(quarter);
        }
        tiles.tile_blocks.push((block, id));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tile_repeated_over_blocks_is_one_tile() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("o.csv");
        std::fs::write(
            &path,
            "GEOID20,avg_d_mbps,avg_u_mbps,tests,devices,avg_lat_ms,year,q\n\
             110010091024009,308.965,50.402,17,14,12,2022,1\n\
             110010091024010,308.965,50.402,17,14,12,2022,1\n\
             110010091024010,308.965,50.402,17,14,12,2022,2\n",
        )
        .expect("write");
        let tiles = read_ookla_block_tiles(&path).expect("valid file");
        assert_eq!(
            tiles.tiles.len(),
            2,
            "same values in another quarter is another tile"
        );
        assert_eq!(tiles.tile_blocks.len(), 3);
        assert_eq!(tiles.tile_blocks[0].1, tiles.tile_blocks[1].1);
        assert_eq!(tiles.periods, ["2022Q1", "2022Q2"]);
        assert_eq!(tiles.period_of, [0, 1]);
    }
}

/// Raw Ookla tiles (the open-data files as published): one per tile and period, read from one
/// or several files ([`RawTiles::add`]).
///
/// A tile given twice for the same period — the same file listed under two names, or a table
/// that repeats a tile once per district it touches (an "intersects" join) — is one tile:
/// counted once, and the repetitions are counted in [`RawTiles::repeated_rows`]. The same tile
/// and period with different figures is refused. Files whose period is not known (no period
/// column, none in the file name) are each their own period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTiles {
    /// Tile figures (speeds in Mbps).
    pub tiles: Vec<SpeedTile>,
    /// Each tile's quadkey.
    pub quadkeys: Vec<String>,
    /// Each tile's footprint, longitude/latitude.
    pub footprints: Vec<geo::Polygon<f64>>,
    /// Each tile's quarter (`2019Q1`), when its file said.
    pub periods: Vec<Option<String>>,
    /// Rows that repeated a tile already read for the same period, with the same figures.
    pub repeated_rows: u64,
    /// (quadkey, period or file) → (tile, where it was first read).
    index: HashMap<(String, TilePeriod), (u32, String)>,
    files: u32,
}

/// What makes two rows of one quadkey the same tile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TilePeriod {
    Quarter(String),
    /// The n-th file read, whose period is not known.
    File(u32),
}

/// The metric columns of Ookla's tile files.
const RAW_COLUMNS: [&str; 5] = ["avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices"];

/// The same with speeds in Mbps (tables converted from Ookla's, as many studies share them).
const MBPS_COLUMNS: [&str; 2] = ["avg_d_mbps", "avg_u_mbps"];

/// Why a test or device count was refused.
const NOT_A_COUNT: &str = "is not a count of tests or devices (a whole number up to 4,294,967,295 per tile): a larger one would overflow the test-weighted sums";

/// A tile's count of tests or devices: a whole number no larger than `u32::MAX` (a quarter of
/// a tile has thousands at most; sums over a layer's tiles then stay exact in `u64` and `f64`).
fn whole_count(value: f64) -> Option<u64> {
    (value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value)).then_some(value as u64)
}

fn quadkey_polygon(path: &Path, row: u64, quadkey: &str) -> Result<geo::Polygon<f64>, IngestError> {
    let (west, south, east, north) =
        gapmap_core::quadkey::tile_bounds(quadkey).ok_or_else(|| IngestError::Value {
            path: path.to_owned(),
            record: row,
            column: "quadkey".into(),
            message: format!("`{quadkey}` is not a quadkey (digits 0–3)"),
        })?;
    Ok(geo::Rect::new(
        geo::coord! { x: west, y: south },
        geo::coord! { x: east, y: north },
    )
    .to_polygon())
}

/// One row of a tile file: speeds already in Mbps.
struct TileRow<'a> {
    row: u64,
    quadkey: &'a str,
    /// Download, upload (Mbps), latency, tests, devices.
    metrics: [f64; 5],
    footprint: Option<geo::Polygon<f64>>,
    period: Option<String>,
}

impl RawTiles {
    /// Reads one more tile file into the set.
    pub fn add(&mut self, path: &Path) -> Result<(), IngestError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let file = self.files;
        self.files += 1;
        let from_name = period_of_file_name(path);
        match extension.as_str() {
            "geojson" | "json" => read_geojson_tiles(path, from_name.as_deref(), file, self),
            "parquet" | "csv" => read_table_tiles(
                path,
                extension == "parquet",
                from_name.as_deref(),
                file,
                self,
            ),
            _ => Err(IngestError::format(
                path,
                "unknown Ookla tile format: give the GeoJSON, Parquet or CSV edition",
            )),
        }
    }

    fn push(&mut self, path: &Path, file: u32, tile: TileRow<'_>) -> Result<(), IngestError> {
        let TileRow {
            row,
            quadkey,
            metrics,
            footprint,
            period,
        } = tile;
        let columns = ["download", "upload", "avg_lat_ms", "tests", "devices"];
        for (value, column) in metrics.iter().zip(columns) {
            if !(value.is_finite() && *value >= 0.0) {
                return Err(IngestError::Value {
                    path: path.to_owned(),
                    record: row,
                    column: column.into(),
                    message: format!("`{value}` is not a non-negative number"),
                });
            }
        }
        let counts = [3, 4].map(|k| {
            whole_count(metrics[k]).ok_or_else(|| IngestError::Value {
                path: path.to_owned(),
                record: row,
                column: RAW_COLUMNS[k].into(),
                message: format!("`{}` {NOT_A_COUNT}", metrics[k]),
            })
        });
        let [tests, devices] = counts;
        let (tests, devices) = (tests?, devices?);
        let footprint = match footprint {
            Some(polygon) => polygon,
            None => quadkey_polygon(path, row, quadkey)?,
        };
        let tile = SpeedTile {
            download_mbps: metrics[0],
            upload_mbps: metrics[1],
            latency_ms: metrics[2],
            tests,
            devices,
        };
        let key = (
            quadkey.to_owned(),
            period
                .clone()
                .map_or(TilePeriod::File(file), TilePeriod::Quarter),
        );
        if let Some((earlier, place)) = self.index.get(&key) {
            if self.tiles[*earlier as usize] == tile {
                self.repeated_rows += 1;
                return Ok(());
            }
            return Err(IngestError::Value {
                path: path.to_owned(),
                record: row,
                column: "quadkey".into(),
                message: format!(
                    "tile {quadkey}{} was already read with other figures ({place}): one tile has one set of figures per period; remove one of the two rows",
                    period
                        .as_deref()
                        .map_or_else(String::new, |p| format!(" of {p}")),
                ),
            });
        }
        self.index.insert(
            key,
            (
                self.tiles.len() as u32,
                format!("{}, record {row}", path.display()),
            ),
        );
        self.tiles.push(tile);
        self.quadkeys.push(quadkey.to_owned());
        self.footprints.push(footprint);
        self.periods.push(period);
        Ok(())
    }
}

/// Reads raw Ookla tiles: GeoJSON (tile polygons), Parquet (polars; the tile is rebuilt from its
/// quadkey) or CSV with a `quadkey` column (likewise). Speeds are converted from kbps to Mbps
/// (or taken as Mbps from `avg_d_mbps`/`avg_u_mbps`).
pub fn read_ookla_tiles(path: &Path) -> Result<RawTiles, IngestError> {
    let mut raw = RawTiles::default();
    raw.add(path)?;
    Ok(raw)
}

/// A quarter as `YYYYQn`.
fn quarter(year: i64, quarter: i64) -> Option<String> {
    ((1900..=2200).contains(&year) && (1..=4).contains(&quarter))
        .then(|| format!("{year}Q{quarter}"))
}

/// The quarter of a text: `2019Q1`, `2019-q1`, `2019_Q1`, or the quarter's first day
/// `2019-04-01` (Ookla's own naming), alone or inside a file name.
fn quarters_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = text.get(from..from + n)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let boundary = |at: usize| at >= bytes.len() || !bytes[at].is_ascii_digit();
    let mut found = Vec::new();
    for start in 0..bytes.len() {
        if start > 0 && bytes[start - 1].is_ascii_digit() {
            continue;
        }
        let Some(year) = digits(start, 4) else {
            continue;
        };
        let mut at = start + 4;
        // YYYY-MM-DD: the first day of a quarter.
        if bytes.get(at) == Some(&b'-')
            && let (Some(month), Some(day)) = (digits(at + 1, 2), digits(at + 4, 2))
            && bytes.get(at + 3) == Some(&b'-')
            && boundary(at + 6)
        {
            if day == 1
                && [1, 4, 7, 10].contains(&month)
                && let Some(q) = quarter(year, (month - 1) / 3 + 1)
            {
                found.push(q);
            }
            continue;
        }
        if matches!(bytes.get(at), Some(b'-' | b'_' | b' ')) {
            at += 1;
        }
        if matches!(bytes.get(at), Some(b'q' | b'Q'))
            && let Some(q) = digits(at + 1, 1)
            && boundary(at + 2)
            && let Some(q) = quarter(year, q)
        {
            found.push(q);
        }
    }
    found
}

/// The quarter a cell says when it is nothing but a quarter (`2019Q1`, `2019-q1`,
/// `2019-04-01`): a cell with more around it (`x2019Q1`, `2019Q1 est.`) is no quarter.
fn whole_quarter(text: &str) -> Option<String> {
    let text = text.trim();
    let digit_ends = text.starts_with(|c: char| c.is_ascii_digit())
        && text.ends_with(|c: char| c.is_ascii_digit());
    let found = quarters_in(text);
    match found.as_slice() {
        [one] if digit_ends && matches!(text.len(), 6 | 7 | 10) => Some(one.clone()),
        _ => None,
    }
}

/// The quarter a file's name (or Ookla's `year=Y/quarter=Q` folders) says; `None` when it says
/// none, or two different ones (a file of a span, `2019q1_2022q4`).
fn period_of_file_name(path: &Path) -> Option<String> {
    let mut year = None;
    let mut quarter_n = None;
    for part in path.components() {
        let part = part.as_os_str().to_string_lossy();
        if let Some(y) = part.strip_prefix("year=") {
            year = y.parse::<i64>().ok();
        }
        if let Some(q) = part.strip_prefix("quarter=") {
            quarter_n = q.parse::<i64>().ok();
        }
    }
    let name = path.file_name()?.to_string_lossy();
    let mut found = quarters_in(&name);
    found.dedup();
    match (found.as_slice(), year.zip(quarter_n)) {
        ([one], _) => Some(one.clone()),
        ([], Some((y, q))) => quarter(y, q),
        _ => None,
    }
}

/// Tiles of Ookla's GeoJSON edition, with their polygons.
fn read_geojson_tiles(
    path: &Path,
    from_name: Option<&str>,
    file: u32,
    raw: &mut RawTiles,
) -> Result<(), IngestError> {
    let bytes = std::fs::read(path).map_err(|e| IngestError::io(path, e))?;
    let collection: geojson::FeatureCollection =
        serde_json::from_slice(crate::table::without_bom(&bytes)).map_err(|e| {
            IngestError::format(path, format!("not a GeoJSON FeatureCollection: {e}"))
        })?;
    for (index, feature) in collection.features.iter().enumerate() {
        let row = index as u64;
        let number = |name: &str| feature.property(name).and_then(serde_json::Value::as_f64);
        let quadkey = feature
            .property("quadkey")
            .and_then(|q| {
                q.as_str()
                    .map(str::to_owned)
                    .or_else(|| q.as_u64().map(|n| n.to_string()))
            })
            .ok_or_else(|| IngestError::Feature {
                path: path.to_owned(),
                feature: index.to_string(),
                message: "no `quadkey` property: is this an Ookla tile file?".into(),
            })?;
        let mut metrics = [0.0; 5];
        for (slot, name) in metrics.iter_mut().zip(RAW_COLUMNS) {
            *slot = number(name).ok_or_else(|| IngestError::Feature {
                path: path.to_owned(),
                feature: format!("{index} (quadkey {quadkey})"),
                message: format!("no numeric `{name}`"),
            })?;
        }
        metrics[0] /= 1000.0;
        metrics[1] /= 1000.0;
        let footprint = feature
            .geometry
            .as_ref()
            .and_then(|g| geo::Polygon::<f64>::try_from(&g.value).ok());
        raw.push(
            path,
            file,
            TileRow {
                row,
                quadkey: &quadkey,
                metrics,
                footprint,
                period: from_name.map(str::to_owned),
            },
        )?;
    }
    Ok(())
}

/// Tiles of a Parquet or CSV table: a quadkey and the metrics, no polygon; the period from a
/// `year_quarter`, `year` and `quarter`, or `date` column, else from the file name.
fn read_table_tiles(
    path: &Path,
    parquet: bool,
    from_name: Option<&str>,
    file: u32,
    raw: &mut RawTiles,
) -> Result<(), IngestError> {
    use polars::prelude::*;
    let handle = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let frame = if parquet {
        ParquetReader::new(handle).finish()
    } else {
        // Quadkeys and periods are text (a quadkey of a western tile starts with 0).
        let text: Schema = ["quadkey", "year_quarter", "date"]
            .into_iter()
            .map(|c| Field::new(c.into(), DataType::String))
            .collect();
        CsvReadOptions::default()
            .with_schema_overwrite(Some(Arc::new(text)))
            .into_reader_with_file_handle(handle)
            .finish()
    }
    .map_err(|e| IngestError::format(path, format!("cannot read the table: {e}")))?;
    let has = |name: &str| frame.column(name).is_ok();
    let mbps = !has(RAW_COLUMNS[0]) && MBPS_COLUMNS.iter().all(|c| has(c));
    // A column by name, cast to `dtype`; a missing one names what the table needs.
    let column = |name: &str, dtype: DataType| -> Result<Column, IngestError> {
        frame
            .column(name)
            .map_err(|_| {
                IngestError::format(
                    path,
                    format!(
                        "missing column `{name}`: an Ookla tile table has quadkey, {} (or avg_d_mbps and avg_u_mbps for speeds in Mbps)",
                        RAW_COLUMNS.join(", ")
                    ),
                )
            })?
            .cast(&dtype)
            .map_err(|e| IngestError::format(path, format!("column `{name}`: {e}")))
    };
    let polars_error = |e: PolarsError| IngestError::format(path, e.to_string());
    let text = |name: &str| -> Result<Vec<Option<String>>, IngestError> {
        let values = column(name, DataType::String)?;
        Ok(values
            .str()
            .map_err(polars_error)?
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect())
    };
    let numbers = |name: &str| -> Result<Vec<Option<f64>>, IngestError> {
        let values = column(name, DataType::Float64)?;
        Ok(values.f64().map_err(polars_error)?.iter().collect())
    };
    let quadkeys = text("quadkey")?;
    let names = if mbps {
        [
            MBPS_COLUMNS[0],
            MBPS_COLUMNS[1],
            RAW_COLUMNS[2],
            RAW_COLUMNS[3],
            RAW_COLUMNS[4],
        ]
    } else {
        RAW_COLUMNS
    };
    let metrics: Vec<Vec<Option<f64>>> =
        names.iter().map(|c| numbers(c)).collect::<Result<_, _>>()?;
    let periods = PeriodColumns::of(&frame, path)?;
    for (index, quadkey) in quadkeys.iter().enumerate() {
        let row = index as u64 + 2;
        let quadkey = quadkey.as_deref().ok_or_else(|| IngestError::Value {
            path: path.to_owned(),
            record: row,
            column: "quadkey".into(),
            message: "empty quadkey".into(),
        })?;
        let mut values = [0.0; 5];
        for (k, slot) in values.iter_mut().enumerate() {
            *slot = metrics[k][index].ok_or_else(|| IngestError::Value {
                path: path.to_owned(),
                record: row,
                column: names[k].into(),
                message: "empty or not a number".into(),
            })?;
        }
        if !mbps {
            values[0] /= 1000.0;
            values[1] /= 1000.0;
        }
        let period = match PeriodColumns::quarter_of(&periods, index, row, path)? {
            Some(quarter) => Some(quarter),
            None => from_name.map(str::to_owned),
        };
        raw.push(
            path,
            file,
            TileRow {
                row,
                quadkey,
                metrics: values,
                footprint: None,
                period,
            },
        )?;
    }
    Ok(())
}

/// The column(s) that give each row's quarter.
enum PeriodColumns {
    /// `2019Q1` (or a quarter's first day) per row, and the column's name.
    Text(Vec<Option<String>>, &'static str),
    /// `year` and `quarter` (or `q`).
    YearQuarter(Vec<Option<i64>>, Vec<Option<i64>>, &'static str),
}

impl PeriodColumns {
    /// Every period column the table has: `year_quarter`, `year` with `quarter` (or `q`),
    /// `date`. Each row's quarter must be the same in all of them.
    fn of(frame: &polars::prelude::DataFrame, path: &Path) -> Result<Vec<Self>, IngestError> {
        use polars::prelude::*;
        let cast_error = |name: &str, e: PolarsError| {
            IngestError::format(path, format!("the period column `{name}`: {e}"))
        };
        let text = |name: &'static str| -> Result<Option<Self>, IngestError> {
            let Ok(column) = frame.column(name) else {
                return Ok(None);
            };
            let values = column
                .cast(&DataType::String)
                .map_err(|e| cast_error(name, e))?;
            let values = values.str().map_err(|e| cast_error(name, e))?;
            Ok(Some(PeriodColumns::Text(
                values.iter().map(|v| v.map(str::to_owned)).collect(),
                name,
            )))
        };
        let whole = |name: &str| -> Result<Option<Vec<Option<i64>>>, IngestError> {
            let Ok(column) = frame.column(name) else {
                return Ok(None);
            };
            let values = column
                .cast(&DataType::Int64)
                .map_err(|e| cast_error(name, e))?;
            Ok(Some(
                values
                    .i64()
                    .map_err(|e| cast_error(name, e))?
                    .iter()
                    .collect(),
            ))
        };
        let mut found: Vec<Self> = text("year_quarter")?.into_iter().collect();
        if let Some(years) = whole("year")? {
            for name in ["quarter", "q"] {
                if let Some(quarters) = whole(name)? {
                    found.push(PeriodColumns::YearQuarter(years, quarters, name));
                    break;
                }
            }
        }
        found.extend(text("date")?);
        Ok(found)
    }

    /// Row `index`'s quarter by every period column; columns that disagree are an error naming
    /// both.
    fn quarter_of(
        columns: &[Self],
        index: usize,
        row: u64,
        path: &Path,
    ) -> Result<Option<String>, IngestError> {
        let mut agreed: Option<(String, &str)> = None;
        for column in columns {
            let quarter = column.at(index, row, path)?;
            match &agreed {
                Some((earlier, name)) if *earlier != quarter => {
                    return Err(IngestError::Value {
                        path: path.to_owned(),
                        record: row,
                        column: column.name().to_owned(),
                        message: format!(
                            "the quarter is {quarter} here but {earlier} in `{name}`: the period columns contradict each other"
                        ),
                    });
                }
                Some(_) => {}
                None => agreed = Some((quarter, column.name())),
            }
        }
        Ok(agreed.map(|(quarter, _)| quarter))
    }

    fn name(&self) -> &'static str {
        match self {
            PeriodColumns::Text(_, name) | PeriodColumns::YearQuarter(_, _, name) => name,
        }
    }

    fn at(&self, index: usize, row: u64, path: &Path) -> Result<String, IngestError> {
        let (found, column, given) = match self {
            PeriodColumns::Text(values, name) => {
                let given = values[index].clone().unwrap_or_default();
                (whole_quarter(&given), *name, given)
            }
            PeriodColumns::YearQuarter(years, quarters, name) => {
                let (y, q) = (years[index], quarters[index]);
                (
                    y.zip(q).and_then(|(y, q)| quarter(y, q)),
                    *name,
                    format!(
                        "year {}, {name} {}",
                        y.map_or("(empty)".into(), |y| y.to_string()),
                        q.map_or("(empty)".into(), |q| q.to_string())
                    ),
                )
            }
        };
        found.ok_or_else(|| IngestError::Value {
            path: path.to_owned(),
            record: row,
            column: column.to_owned(),
            message: format!(
                "`{given}` is not a quarter: give `2019Q1`, the quarter's first day `2019-01-01`, or a year and a quarter 1–4"
            ),
        })
    }
}

#[cfg(test)]
mod raw_tests {
    use super::*;

    #[test]
    fn counts_are_whole_numbers_within_u32() {
        assert_eq!(whole_count(0.0), Some(0));
        assert_eq!(whole_count(4_294_967_295.0), Some(4_294_967_295));
        assert_eq!(whole_count(4_294_967_296.0), None);
        assert_eq!(whole_count(1.5), None);
        assert_eq!(whole_count(1e30), None);
    }

    // Regression (issue #12): `tests` = 1e30 overflowed the test-weighted total and published a
    // mean of 5·10¹⁸ Mbps.
    #[test]
    fn an_impossible_test_count_is_refused_with_its_row() {
        let dir = tempfile::tempdir().expect("temp dir");
        let csv = dir.path().join("tiles.csv");
        std::fs::write(
            &csv,
            "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0223000023122320,87778,93704,7,1e30,1\n",
        )
        .expect("write");
        let error = read_ookla_tiles(&csv).expect_err("1e30 tests").to_string();
        assert!(
            error.contains("tests") && error.contains("record 2"),
            "{error}"
        );
    }

    fn lanai_q1() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/maui/ookla_fixed_tiles/lanai_ookla_2023Q1.geojson")
    }

    #[test]
    fn raw_geojson_tiles_are_read_in_mbps_with_their_polygons() {
        let raw = read_ookla_tiles(&lanai_q1()).expect("Lanai Q1 tiles");
        assert_eq!(raw.tiles.len(), 19);
        assert_eq!(raw.quadkeys[0], "0223000023122320");
        assert!((raw.tiles[0].download_mbps - 87.778).abs() < 1e-12);
        assert_eq!(raw.tiles[0].tests, 1);
        // The published polygon is the quadkey's tile.
        let from_quadkey = quadkey_polygon(&lanai_q1(), 0, &raw.quadkeys[0]).expect("tile");
        let published = geo::BoundingRect::bounding_rect(&raw.footprints[0]).expect("bounds");
        let rebuilt = geo::BoundingRect::bounding_rect(&from_quadkey).expect("bounds");
        for (a, b) in [
            (published.min(), rebuilt.min()),
            (published.max(), rebuilt.max()),
        ] {
            assert!(
                (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9,
                "{a:?} vs {b:?}"
            );
        }
    }

    #[test]
    fn a_parquet_or_csv_with_only_quadkeys_gets_its_tiles_from_them() {
        use polars::prelude::*;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut frame = df!(
            "quadkey" => ["0223000023122320", "0223000023123002"],
            "tile" => ["POLYGON((...))", "POLYGON((...))"],
            "avg_d_kbps" => [87_778i64, 86_379],
            "avg_u_kbps" => [93_704i64, 17_942],
            "avg_lat_ms" => [7i64, 14],
            "tests" => [1i64, 4],
            "devices" => [1i64, 2],
        )
        .expect("frame");
        let parquet = dir.path().join("tiles.parquet");
        ParquetWriter::new(std::fs::File::create(&parquet).expect("file"))
            .finish(&mut frame)
            .expect("write parquet");
        let raw = read_ookla_tiles(&parquet).expect("parquet tiles");
        assert_eq!(raw.tiles.len(), 2);
        assert_eq!(raw.tiles[1].tests, 4);
        assert!((raw.tiles[1].upload_mbps - 17.942).abs() < 1e-12);
        let csv = dir.path().join("tiles.csv");
        std::fs::write(&csv, "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0223000023122320,87778,93704,7,1,1\n02230000231223x0,1,1,1,1,1\n")
            .expect("write");
        let message = read_ookla_tiles(&csv).expect_err("bad quadkey").to_string();
        assert!(
            message.contains("record 3") && message.contains("quadkey"),
            "{message}"
        );
    }
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn quarters_are_read_from_names_and_columns() {
        assert_eq!(quarters_in("2019Q1"), ["2019Q1"]);
        assert_eq!(quarters_in("2023-q4_fixed_tiles.parquet"), ["2023Q4"]);
        assert_eq!(quarters_in("lanai_ookla_2023Q1.geojson"), ["2023Q1"]);
        assert_eq!(
            quarters_in("2022-07-01_performance_fixed_tiles.parquet"),
            ["2022Q3"]
        );
        // A day that does not start a quarter, a fifth quarter, a longer number: none.
        assert!(quarters_in("2022-07-02").is_empty());
        assert!(quarters_in("2022Q5").is_empty());
        assert!(quarters_in("12022Q1").is_empty());
        assert!(quarters_in("2022Q12").is_empty());
        // A cell is a quarter only when it is nothing else.
        assert_eq!(whole_quarter(" 2019-q1 ").as_deref(), Some("2019Q1"));
        assert_eq!(whole_quarter("2019-10-01").as_deref(), Some("2019Q4"));
        for not_one in ["x2019Q1", "2019Q1x", "2019Q1 2019Q2", "Q1", ""] {
            assert_eq!(whole_quarter(not_one), None, "{not_one}");
        }
        let span = Path::new("lima_ookla_tiles_2019q1_2022q4.csv");
        assert_eq!(period_of_file_name(span), None, "a span is no one quarter");
        let hive = Path::new("type=fixed/year=2021/quarter=3/tiles.parquet");
        assert_eq!(period_of_file_name(hive).as_deref(), Some("2021Q3"));
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    // The Lima table's shape: speeds in Mbps, a tile repeated once per district it touches.
    #[test]
    fn a_tile_repeated_in_its_quarter_is_one_tile_and_other_figures_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let csv = write(
            dir.path(),
            "tiles.csv",
            "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,DISTRITO,year,quarter\n\
             0100300121202033,39.338,7.386,18,478,56,A,2019,1\n\
             0100300121202033,39.338,7.386,18,478,56,B,2019,1\n\
             0100300121202033,41.5,7.386,18,10,5,A,2019,2\n",
        );
        let raw = read_ookla_tiles(&csv).expect("valid table");
        assert_eq!(raw.tiles.len(), 2);
        assert_eq!(raw.repeated_rows, 1);
        assert_eq!(raw.quadkeys[0], "0100300121202033", "the leading 0 is kept");
        assert_eq!(raw.periods, [Some("2019Q1".into()), Some("2019Q2".into())]);
        assert_eq!(raw.tiles[0].download_mbps, 39.338);
        assert_eq!(raw.tiles[0].tests, 478);
        let clash = write(
            dir.path(),
            "clash.csv",
            "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,year_quarter\n\
             0100300121202033,39.338,7.386,18,478,56,2019Q1\n\
             0100300121202033,39.338,7.386,18,477,56,2019Q1\n",
        );
        let message = read_ookla_tiles(&clash)
            .expect_err("two figures")
            .to_string();
        assert!(
            message.contains("record 3")
                && message.contains("record 2")
                && message.contains("2019Q1"),
            "{message}"
        );
        let bad = write(
            dir.path(),
            "bad.csv",
            "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,date\n\
             0100300121202033,39.338,7.386,18,478,56,2019-02-01\n",
        );
        let message = read_ookla_tiles(&bad)
            .expect_err("not a quarter")
            .to_string();
        assert!(
            message.contains("date") && message.contains("2019-02-01"),
            "{message}"
        );
        // `year_quarter` and `year`/`quarter` that disagree: neither is taken.
        let contradiction = write(
            dir.path(),
            "contradiction.csv",
            "quadkey,avg_d_mbps,avg_u_mbps,avg_lat_ms,tests,devices,year,quarter,year_quarter\n\
             0100300121202033,39.338,7.386,18,478,56,2019,2,2019Q1\n",
        );
        let message = read_ookla_tiles(&contradiction)
            .expect_err("two quarters")
            .to_string();
        assert!(
            message.contains("2019Q2")
                && message.contains("2019Q1")
                && message.contains("contradict"),
            "{message}"
        );
    }

    #[test]
    fn files_of_one_quarter_share_tiles_and_files_without_one_do_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let row = "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n0223000023122320,87778,93704,7,1,1\n";
        let mut raw = RawTiles::default();
        raw.add(&write(dir.path(), "a_2023Q1.csv", row)).expect("a");
        raw.add(&write(dir.path(), "b_2023Q1.csv", row)).expect("b");
        assert_eq!((raw.tiles.len(), raw.repeated_rows), (1, 1));
        raw.add(&write(dir.path(), "c.csv", row)).expect("c");
        raw.add(&write(dir.path(), "d.csv", row)).expect("d");
        assert_eq!(raw.tiles.len(), 3, "without a quarter each file is its own");
        assert_eq!(raw.periods[1], None);
    }
}
