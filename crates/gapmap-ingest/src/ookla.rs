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
}

impl BlockTiles {
    /// Adds a block-joined table; returns its rows.
    pub fn add(&mut self, path: &Path) -> Result<u64, IngestError> {
        add_block_tiles(&mut self.tiles, &mut self.index, path)
    }

    /// The tiles, each (block, tile) pair once, in the order first read.
    pub fn finish(mut self) -> SpeedTiles {
        let mut seen = std::collections::HashSet::with_capacity(self.tiles.tile_blocks.len());
        self.tiles
            .tile_blocks
            .retain(|(block, tile)| seen.insert((block.clone(), *tile)));
        self.tiles
    }
}

fn add_block_tiles(
    tiles: &mut SpeedTiles,
    index: &mut HashMap<[u64; 7], u32>,
    path: &Path,
) -> Result<u64, IngestError> {
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
            number(6)? as u64,
            number(7)? as u64,
        ];
        let next = tiles.tiles.len() as u32;
        let id = *index.entry(key).or_insert(next);
        if id == next {
            tiles.tiles.push(tile);
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
    }
}

/// Raw Ookla tiles (the open-data files as published): one row per tile and period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTiles {
    /// Tile figures (speeds in Mbps).
    pub tiles: Vec<SpeedTile>,
    /// Each tile's quadkey.
    pub quadkeys: Vec<String>,
    /// Each tile's footprint, longitude/latitude.
    pub footprints: Vec<geo::Polygon<f64>>,
}

/// The metric columns of Ookla's tile files.
const RAW_COLUMNS: [&str; 5] = ["avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices"];

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

impl RawTiles {
    fn push(
        &mut self,
        path: &Path,
        row: u64,
        quadkey: &str,
        metrics: [f64; 5],
        footprint: Option<geo::Polygon<f64>>,
    ) -> Result<(), IngestError> {
        for (value, column) in metrics.iter().zip(RAW_COLUMNS) {
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
        self.tiles.push(SpeedTile {
            download_mbps: metrics[0] / 1000.0,
            upload_mbps: metrics[1] / 1000.0,
            latency_ms: metrics[2],
            tests,
            devices,
        });
        self.quadkeys.push(quadkey.to_owned());
        self.footprints.push(footprint);
        Ok(())
    }
}

/// Reads raw Ookla tiles: GeoJSON (tile polygons), Parquet (polars; the tile is rebuilt from its
/// quadkey) or CSV with a `quadkey` column (likewise). Speeds are converted from kbps to Mbps.
pub fn read_ookla_tiles(path: &Path) -> Result<RawTiles, IngestError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut raw = RawTiles::default();
    match extension.as_str() {
        "geojson" | "json" => read_geojson_tiles(path, &mut raw)?,
        "parquet" | "csv" => read_table_tiles(path, extension == "parquet", &mut raw)?,
        _ => {
            return Err(IngestError::format(
                path,
                "unknown Ookla tile format: give the GeoJSON, Parquet or CSV edition",
            ));
        }
    }
    Ok(raw)
}

/// Tiles of Ookla's GeoJSON edition, with their polygons.
fn read_geojson_tiles(path: &Path, raw: &mut RawTiles) -> Result<(), IngestError> {
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
        let footprint = feature
            .geometry
            .as_ref()
            .and_then(|g| geo::Polygon::<f64>::try_from(&g.value).ok());
        raw.push(path, row, &quadkey, metrics, footprint)?;
    }
    Ok(())
}

/// Tiles of a Parquet or CSV table: a quadkey and the metrics, no polygon.
fn read_table_tiles(path: &Path, parquet: bool, raw: &mut RawTiles) -> Result<(), IngestError> {
    use polars::prelude::*;
    let file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let frame = if parquet {
        ParquetReader::new(file).finish()
    } else {
        CsvReadOptions::default()
            .into_reader_with_file_handle(file)
            .finish()
    }
    .map_err(|e| IngestError::format(path, format!("cannot read the table: {e}")))?;
    // A column by name, cast to `dtype`; a missing one names what the table needs.
    let column = |name: &str, dtype: DataType| -> Result<Column, IngestError> {
        frame
            .column(name)
            .map_err(|_| {
                IngestError::format(
                    path,
                    format!(
                        "missing column `{name}`: an Ookla tile table has quadkey, {}",
                        RAW_COLUMNS.join(", ")
                    ),
                )
            })?
            .cast(&dtype)
            .map_err(|e| IngestError::format(path, e.to_string()))
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
    let metrics: Vec<Vec<Option<f64>>> = RAW_COLUMNS
        .iter()
        .map(|c| numbers(c))
        .collect::<Result<_, _>>()?;
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
                column: RAW_COLUMNS[k].into(),
                message: "empty or not a number".into(),
            })?;
        }
        raw.push(path, row, quadkey, values, None)?;
    }
    Ok(())
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
