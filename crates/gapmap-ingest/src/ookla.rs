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
    let Table {
        mut reader,
        positions,
    } = open_table(path, &COLUMNS, "the block-joined Ookla table")?;
    let mut tiles = SpeedTiles::default();
    let mut index: HashMap<[u64; 7], u32> = HashMap::new();
    for (row, record) in reader.records().enumerate() {
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
        let tile = SpeedTile {
            download_mbps: number(1)?,
            upload_mbps: number(2)?,
            tests: number(3)? as u64,
            devices: number(4)? as u64,
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
    Ok(tiles)
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
