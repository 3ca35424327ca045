//! 2020 Census housing-unit and group-quarters counts per block, long format
//! (`geoid, year, measure, value`), with a `TOTAL` row per measure that is skipped; or the
//! Census Data API's PL 94-171 reply (`.json`: `H1_001N` per block, as `gapmap fetch` saves it).

use std::collections::BTreeMap;
use std::path::Path;

use gapmap_core::{BlockHousing, GeoId, Level};

use crate::IngestError;
use crate::table::{Table, open_table};

/// Reads the block counts; `TOTAL` rows are checked against the sum of the blocks.
pub fn read_block_housing(path: &Path) -> Result<BTreeMap<GeoId, BlockHousing>, IngestError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return read_pl_reply(path);
    }
    let Table {
        mut reader,
        positions,
    } = open_table(
        path,
        &["geoid", "measure", "value"],
        "the 2020 block count table (long format)",
    )?;
    let (geoid_at, measure_at, value_at) = (positions[0], positions[1], positions[2]);
    let mut blocks: BTreeMap<GeoId, BlockHousing> = BTreeMap::new();
    let mut totals = BlockHousing::default();
    let mut seen: std::collections::HashMap<(String, String), (u64, u64)> =
        std::collections::HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record =
            record.map_err(|e| IngestError::format(path, format!("record {line}: {e}")))?;
        let bad = |column: &str, message: String| IngestError::Value {
            path: path.to_owned(),
            record: line,
            column: column.to_owned(),
            message,
        };
        let geoid_text = record.get(geoid_at).unwrap_or("").trim();
        let value_text = record.get(value_at).unwrap_or("").trim();
        let value: u64 = value_text
            .parse()
            .map_err(|_| bad("value", format!("`{value_text}` is not a whole count")))?;
        let measure = record.get(measure_at).unwrap_or("").trim();
        let is_total = geoid_text.eq_ignore_ascii_case("TOTAL");
        let slot = if is_total {
            &mut totals
        } else {
            let geoid = GeoId::parse(geoid_text)
                .ok()
                .filter(|g| g.level() == Level::Block)
                .ok_or_else(|| {
                    bad(
                        "geoid",
                        format!("`{geoid_text}` is not a 15-digit block GEOID"),
                    )
                })?;
            blocks.entry(geoid).or_default()
        };
        let field = match measure {
            "total_housing_units" => &mut slot.housing_units,
            "total_group_quarters" => &mut slot.group_quarters,
            other => {
                return Err(bad(
                    "measure",
                    format!(
                        "unknown measure `{other}`: expected total_housing_units or total_group_quarters"
                    ),
                ));
            }
        };
        // A block's measure given twice: the same count is a harmless repeat; two counts
        // contradict each other, and neither is guessed.
        match seen.insert((geoid_text.to_owned(), measure.to_owned()), (value, line)) {
            Some((earlier, at)) if earlier != value => {
                return Err(bad(
                    "value",
                    format!(
                        "{geoid_text} {measure} is {value} here but {earlier} on record {at}: keep one row per block and measure"
                    ),
                ));
            }
            _ => *field = value,
        }
    }
    let sum: u64 = blocks.values().map(|b| b.housing_units).sum();
    if totals.housing_units != 0 && totals.housing_units != sum {
        return Err(IngestError::format(
            path,
            format!(
                "the TOTAL row says {} housing units but the blocks sum to {sum}: the file is incomplete",
                totals.housing_units
            ),
        ));
    }
    Ok(blocks)
}

/// The PL 94-171 variable of housing units (2020 Census, table H1: occupancy status, total).
const PL_HOUSING_UNITS: &str = "H1_001N";

/// A Census Data API reply of `get=H1_001N&for=block:*&in=state:SS&in=county:CCC&in=tract:*`
/// (`…/data/2020/dec/pl`): housing units per block; the API has no group-quarters count per
/// block (P5 counts people), so that stays 0.
fn read_pl_reply(path: &Path) -> Result<BTreeMap<GeoId, BlockHousing>, IngestError> {
    let csv = crate::acs::census_api_json(path)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(std::io::Cursor::new(csv));
    let headers = reader
        .headers()
        .map_err(|e| IngestError::format(path, e.to_string()))?
        .clone();
    let at = |name: &str| headers.iter().position(|h| h == name);
    // The id census_api_json added from the geography columns, or the `GEO_ID`/`ucgid` asked
    // for (`1000000US…`).
    let id_at = at("GEOID").or_else(|| at("GEO_ID")).or_else(|| at("ucgid"));
    let (Some(value_at), Some(geoid_at)) = (at(PL_HOUSING_UNITS), id_at) else {
        return Err(IngestError::format(
            path,
            format!(
                "a block-count reply needs {PL_HOUSING_UNITS} and the block geography (state, county, tract, block); it has {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let mut blocks = BTreeMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|e| IngestError::format(path, format!("row {line}: {e}")))?;
        let bad = |column: &str, message: String| IngestError::Value {
            path: path.to_owned(),
            record: line,
            column: column.to_owned(),
            message,
        };
        let geoid_text = record.get(geoid_at).unwrap_or("");
        let geoid = GeoId::parse(geoid_text)
            .ok()
            .filter(|g| g.level() == Level::Block)
            .ok_or_else(|| {
                bad(
                    "block",
                    format!("`{geoid_text}` is not a 15-digit block GEOID: query `for=block:*`"),
                )
            })?;
        let text = record.get(value_at).unwrap_or("").trim();
        let housing_units: u64 = text
            .parse()
            .map_err(|_| bad(PL_HOUSING_UNITS, format!("`{text}` is not a whole count")))?;
        let housing = BlockHousing {
            housing_units,
            group_quarters: 0,
        };
        if let Some(earlier) = blocks.insert(geoid, housing)
            && earlier != housing
        {
            return Err(bad(
                PL_HOUSING_UNITS,
                format!(
                    "block {geoid_text} is given twice, with {} and {housing_units} housing units",
                    earlier.housing_units
                ),
            ));
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pl_reply_gives_housing_units_per_block() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("H1_51001.json");
        std::fs::write(
            &path,
            r#"[["H1_001N","state","county","tract","block"],
["12","51","001","090100","1000"],
["0","51","001","090100","1001"]]"#,
        )
        .expect("write");
        let blocks = read_block_housing(&path).expect("a PL reply");
        assert_eq!(blocks.len(), 2);
        let first = blocks[&GeoId::parse("510010901001000").expect("valid")];
        assert_eq!((first.housing_units, first.group_quarters), (12, 0));

        // With `GEO_ID` asked for, that is the id.
        std::fs::write(
            &path,
            r#"[["GEO_ID","H1_001N","state","county","tract","block"],["1000000US510010901001000","12","51","001","090100","1000"]]"#,
        )
        .expect("write");
        let with_id = read_block_housing(&path).expect("a reply with GEO_ID");
        assert_eq!(with_id, blocks.into_iter().take(1).collect());

        std::fs::write(
            &path,
            r#"[["H1_001N","state","county","tract"],["12","51","001","090100"]]"#,
        )
        .expect("write");
        let message = read_block_housing(&path).expect_err("tracts").to_string();
        assert!(message.contains("not a 15-digit block GEOID"), "{message}");

        std::fs::write(
            &path,
            r#"[["P1_001N","state","county","tract","block"],["12","51","001","090100","1000"]]"#,
        )
        .expect("write");
        let message = read_block_housing(&path).expect_err("no H1").to_string();
        assert!(message.contains("needs H1_001N"), "{message}");
    }

    #[test]
    fn total_rows_are_skipped_and_checked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("b.csv");
        std::fs::write(
            &path,
            "geoid,year,measure,value\n110010001011000,2021,total_housing_units,495\n110010001011001,2021,total_housing_units,5\n\
             110010001011000,2021,total_group_quarters,2\nTOTAL,2021,total_housing_units,500\nTOTAL,2021,total_group_quarters,2\n",
        )
        .expect("write");
        let blocks = read_block_housing(&path).expect("valid file");
        assert_eq!(blocks.len(), 2);
        let first = blocks[&GeoId::parse("110010001011000").expect("valid")];
        assert_eq!((first.housing_units, first.group_quarters), (495, 2));

        std::fs::write(&path, "geoid,year,measure,value\n110010001011000,2021,total_housing_units,495\nTOTAL,2021,total_housing_units,500\n")
            .expect("write");
        let message = read_block_housing(&path)
            .expect_err("total mismatch")
            .to_string();
        assert!(message.contains("TOTAL row says 500"), "{message}");
    }

    // Regression (issue #12): a block given twice with different counts kept the last.
    #[test]
    fn a_block_given_twice_with_different_counts_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("b.csv");
        let header = "geoid,year,measure,value\n";
        let row = |n: u64| format!("110010001011000,2020,total_housing_units,{n}\n");
        std::fs::write(&path, format!("{header}{}{}", row(495), row(495))).expect("write");
        assert_eq!(
            read_block_housing(&path)
                .expect("a repeat is harmless")
                .len(),
            1
        );
        std::fs::write(&path, format!("{header}{}{}", row(495), row(12))).expect("write");
        let message = read_block_housing(&path)
            .expect_err("contradiction")
            .to_string();
        assert!(
            message.contains("record 3") && message.contains("495") && message.contains("12"),
            "{message}"
        );
    }
}

/// Reads block internal points (METHOD.md §6): a table with the block GEOID and its internal
/// point's latitude and longitude (TIGER tabblock20: `GEOID20`, `INTPTLAT20`, `INTPTLON20`).
pub fn read_block_points(
    path: &Path,
    id: &str,
    latitude: &str,
    longitude: &str,
) -> Result<Vec<(GeoId, geo::Point<f64>)>, IngestError> {
    let Table {
        mut reader,
        positions,
    } = open_table(path, &[id, latitude, longitude], "a block point table")?;
    let mut points = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record =
            record.map_err(|e| IngestError::format(path, format!("record {line}: {e}")))?;
        let field = |i: usize| record.get(positions[i]).unwrap_or("").trim();
        let bad = |column: &str, message: String| IngestError::Value {
            path: path.to_owned(),
            record: line,
            column: column.to_owned(),
            message,
        };
        let geoid = GeoId::parse(field(0))
            .ok()
            .filter(|g| g.level() == Level::Block)
            .ok_or_else(|| bad(id, format!("`{}` is not a 15-digit block GEOID", field(0))))?;
        let coordinate = |i: usize, column: &str, limit: f64| {
            field(i)
                .trim_start_matches('+')
                .parse::<f64>()
                .ok()
                .filter(|v| v.abs() <= limit)
                .ok_or_else(|| {
                    bad(
                        column,
                        format!("`{}` is not a coordinate in degrees", field(i)),
                    )
                })
        };
        let (y, x) = (
            coordinate(1, latitude, 90.0)?,
            coordinate(2, longitude, 180.0)?,
        );
        points.push((geoid, geo::Point::new(x, y)));
    }
    Ok(points)
}

#[cfg(test)]
mod point_tests {
    use super::*;

    #[test]
    fn tiger_style_points_with_signs_are_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("points.csv");
        std::fs::write(
            &path,
            "GEOID20,INTPTLAT20,INTPTLON20\n110010001011000,+38.9093,-077.0479\n",
        )
        .expect("write");
        let points =
            read_block_points(&path, "GEOID20", "INTPTLAT20", "INTPTLON20").expect("valid");
        assert_eq!(points[0].0.as_str(), "110010001011000");
        assert_eq!((points[0].1.x(), points[0].1.y()), (-77.0479, 38.9093));
        std::fs::write(
            &path,
            "GEOID20,INTPTLAT20,INTPTLON20\n110010001011000,138.9,-77.0\n",
        )
        .expect("write");
        let message = read_block_points(&path, "GEOID20", "INTPTLAT20", "INTPTLON20")
            .expect_err("bad latitude")
            .to_string();
        assert!(
            message.contains("record 2, column `INTPTLAT20`"),
            "{message}"
        );
    }
}
