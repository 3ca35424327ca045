//! ACS tables (METHOD.md §3), in two shapes:
//! - the Census API form of the sample: `<VAR>E, <VAR>M, <VAR>MA, GEOID21`;
//! - the data.census.gov download: `GEO_ID, NAME, <VAR>E, <VAR>M, ...`, GEOIDs prefixed with
//!   their summary level (`1500000US...`) and a second row of labels.
//!
//! Sentinels (numeric codes, or the download's `-`, `**`, `***`, `*****`, `(X)`, `N`) become
//! "not available" with their reason; they are never numbers.

use std::collections::BTreeMap;
use std::path::Path;

use gapmap_core::{AcsValue, Estimate, GeoId, Level, NotAvailable, decode_acs_cell};

use crate::IngestError;

/// Columns that may hold the unit's GEOID.
const GEOID_COLUMNS: [&str; 7] = [
    "GEO_ID", "GEOID", "GEOID21", "GEOID20", "GEOID10", "geoid", "ucgid",
];

/// One ACS table file: every variable it holds, by unit.
#[derive(Debug, Clone, PartialEq)]
pub struct AcsFile {
    /// The level of its units (all units of a file share one level).
    pub level: Level,
    /// Variable (`B28002_001`) → unit → value.
    pub variables: BTreeMap<String, BTreeMap<GeoId, AcsValue>>,
    /// The census geography of its GEOIDs, where the GEOID column names it (`GEOID10` → 2010,
    /// `GEOID20`/`GEOID21` → 2020).
    pub geography: Option<u16>,
}

/// A variable's estimate column: `B28002_001E` → `B28002_001`.
fn variable_of(column: &str) -> Option<&str> {
    let name = column.strip_suffix('E')?;
    let (table, number) = name.split_once('_')?;
    let table_ok = table.len() >= 4
        && table.starts_with(|c: char| c.is_ascii_uppercase())
        && table.chars().all(|c| c.is_ascii_alphanumeric());
    let number_ok = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit());
    (table_ok && number_ok).then_some(name)
}

/// A data.census.gov cell: a number, or one of its annotation strings.
fn cell(text: &str, is_moe: bool) -> Result<Option<f64>, NotAvailable> {
    let t = text.trim();
    match t {
        "" => Ok(None),
        "-" | "N" => Err(if is_moe {
            NotAvailable::MoeNotComputable
        } else {
            NotAvailable::EstimateNotComputable
        }),
        "**" => Err(NotAvailable::MoeNotComputable),
        "***" => Err(NotAvailable::MedianOpenEnded),
        // `*****`: the estimate is controlled; its MOE is zero.
        "*****" => Ok(Some(0.0)),
        "(X)" => Err(NotAvailable::NotApplicable),
        _ => {
            // "250,000+" is the top-code, "2,500-" the bottom of an open-ended median.
            let cleaned = t.replace(',', "");
            if let Some(top) = cleaned.strip_suffix('+') {
                return top
                    .parse::<f64>()
                    .map(|v| Some(v + 1.0))
                    .map_err(|_| NotAvailable::UnknownSentinel);
            }
            if cleaned.ends_with('-') {
                return Err(NotAvailable::MedianOpenEnded);
            }
            // `inf`, `NaN` parse as floats but are no figure.
            cleaned
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or(NotAvailable::UnknownSentinel)
        }
    }
}

/// Annotations that data.census.gov writes in margin-of-error columns only: in an estimate
/// column they mean the columns are shifted or mislabelled.
const MOE_ONLY: [&str; 3] = ["**", "***", "*****"];

/// What is wrong with a numeric cell that is neither a figure nor a sentinel code: ACS counts,
/// medians and margins of error are never negative.
fn negative(value: Option<f64>, what: &str) -> Option<String> {
    value
        .filter(|v| *v < 0.0 && !gapmap_core::is_sentinel(*v) && *v != -555_555_555.0)
        .map(|v| {
            format!(
                "{v} is a negative {what}: ACS {what}s are never negative, and Census annotation codes are −100,000,000 or less; check the column"
            )
        })
}

/// Reads one ACS table file in either CSV shape, or a Census Data API reply (`.json`).
pub fn read_acs(path: &Path) -> Result<AcsFile, IngestError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let csv = census_api_json(path)?;
        let reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(std::io::Cursor::new(csv));
        return read_acs_records(path, reader);
    }
    let reader = crate::table::csv_reader(path, csv::ReaderBuilder::new().flexible(false))?;
    read_acs_records(path, reader)
}

/// The Census Data API's geography columns, in the order of its hierarchy; their codes joined
/// make the GEOID (state 2 digits, county 3, tract 6, then block group 1 or block 4: a block
/// reply has no block group column, the block's first digit being its block group).
const API_GEOGRAPHY: [&str; 5] = ["state", "county", "tract", "block group", "block"];

/// A cell of a Census Data API reply: the API sends strings, but a number or `null` is read
/// too (as its text, or empty).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ApiCell {
    Text(String),
    Number(serde_json::Number),
    Missing(()),
}

impl ApiCell {
    fn text(self) -> String {
        match self {
            Self::Text(text) => text,
            Self::Number(number) => number.to_string(),
            Self::Missing(()) => String::new(),
        }
    }
}

/// A Census Data API reply as CSV text with a `GEOID` column. The reply is a JSON array of
/// arrays of strings, the header first, the geography columns the query named (`for=` and
/// `in=`) after the variables (Census Data API User Guide, "Core concepts" and "Example
/// queries"); a cell may be `null`. A `GEO_ID` or `ucgid` column, when asked for, is the id.
pub(crate) fn census_api_json(path: &Path) -> Result<Vec<u8>, IngestError> {
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_owned(),
        source,
    })?;
    let not_api = |what: String| {
        IngestError::format(
            path,
            format!(
                "{what}: a Census Data API reply is an array of arrays, the header row first (as api.census.gov answers `get=...&for=block group:*&in=state:11 county:001`)"
            ),
        )
    };
    let rows: Vec<Vec<ApiCell>> = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| not_api(format!("not JSON of that shape ({e})")))?;
    let mut rows = rows.into_iter();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| not_api("an empty array".into()))?
        .into_iter()
        .map(ApiCell::text)
        .collect();
    let id = header.iter().position(|h| h == "GEO_ID" || h == "ucgid");
    let geography: Vec<usize> = API_GEOGRAPHY
        .iter()
        .filter_map(|g| header.iter().position(|h| h == g))
        .collect();
    if id.is_none() && geography.is_empty() {
        return Err(not_api(format!(
            "no geography column (GEO_ID, ucgid, or {}) among {}",
            API_GEOGRAPHY.join(", "),
            header.join(", ")
        )));
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        out.write_record(record)
            .map_err(|e| IngestError::format(path, e.to_string()))
    };
    let mut columns = header.clone();
    if id.is_none() {
        columns.push("GEOID".into());
    }
    write(&mut out, &columns)?;
    for (index, row) in rows.enumerate() {
        if row.len() != header.len() {
            return Err(IngestError::Value {
                path: path.to_owned(),
                record: index as u64 + 2,
                column: String::new(),
                message: format!(
                    "row {} has {} cells but the header has {}: the reply was cut or is not one query's",
                    index + 2,
                    row.len(),
                    header.len()
                ),
            });
        }
        let mut record: Vec<String> = row.into_iter().map(ApiCell::text).collect();
        if id.is_none() {
            let geoid: String = geography.iter().map(|&i| record[i].as_str()).collect();
            record.push(geoid);
        }
        write(&mut out, &record)?;
    }
    out.into_inner()
        .map_err(|e| IngestError::format(path, e.to_string()))
}

fn read_acs_records<R: std::io::Read>(
    path: &Path,
    mut reader: csv::Reader<R>,
) -> Result<AcsFile, IngestError> {
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let (geoid_column, variables) = columns(path, &headers)?;
    let mut values: BTreeMap<String, BTreeMap<GeoId, AcsValue>> = variables
        .iter()
        .map(|(v, _, _)| (v.clone(), BTreeMap::new()))
        .collect();
    let mut level: Option<Level> = None;
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_error(path, &e))?;
        let line = index as u64 + 2;
        let geoid_text = record.get(geoid_column).unwrap_or("");
        // data.census.gov's second row holds labels ("Geography", "Estimate!!Total:").
        // Only that row is skipped: its GEOID cell has no digit and its first estimate cell is
        // a label, not a number or an annotation.
        let first_estimate = record.get(variables[0].1).unwrap_or("");
        if index == 0
            && !geoid_text.chars().any(|c| c.is_ascii_digit())
            && cell(first_estimate, false) == Err(NotAvailable::UnknownSentinel)
        {
            continue;
        }
        // Numbers written with a decimal point (`110010001011.0`) by a spreadsheet.
        let geoid_clean = geoid_text.trim().trim_end_matches(".0");
        let geoid = GeoId::parse(geoid_clean).map_err(|_| IngestError::Value {
            path: path.to_owned(),
            record: line,
            column: headers[geoid_column].clone(),
            message: format!(
                "`{geoid_text}` is not a GEOID (2, 5, 11, 12 or 15 digits); if it was stored as a number, its leading zero is lost: re-export it as text"
            ),
        })?;
        match level {
            None => level = Some(geoid.level()),
            Some(l) if l != geoid.level() => {
                return Err(IngestError::Value {
                    path: path.to_owned(),
                    record: line,
                    column: headers[geoid_column].clone(),
                    message: format!(
                        "GEOID {geoid} is a {} but earlier rows are {l}s: one file must hold one level (a lost leading zero turns a block group into a tract)",
                        geoid.level()
                    ),
                });
            }
            Some(_) => {}
        }
        for (variable, estimate_column, moe_column) in &variables {
            let columns = (*estimate_column, *moe_column);
            let value = acs_value(path, &headers, &record, line, variable, columns)?;
            let table = values.get_mut(variable).expect("every variable has a map");
            // A unit repeated with the same figures (files of overlapping counties joined into
            // one) is one unit; with other figures the table contradicts itself.
            match table.get(&geoid) {
                Some(earlier) if *earlier != value => {
                    return Err(IngestError::Value {
                        path: path.to_owned(),
                        record: line,
                        column: headers[geoid_column].clone(),
                        message: format!(
                            "GEOID {geoid} appears twice with different {variable} figures; keep one row per unit"
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    table.insert(geoid.clone(), value);
                }
            }
        }
    }
    let level = level.ok_or_else(|| IngestError::format(path, "the table has no data rows"))?;
    let geography = match headers[geoid_column].as_str() {
        "GEOID10" => Some(2010),
        "GEOID20" | "GEOID21" => Some(2020),
        _ => None,
    };
    Ok(AcsFile {
        level,
        variables: values,
        geography,
    })
}

/// The variables of an ACS table: (variable, estimate column, MOE column if any).
type Variables = Vec<(String, usize, Option<usize>)>;

/// The GEOID column and the variables' columns, or what is missing.
fn columns(path: &Path, headers: &[String]) -> Result<(usize, Variables), IngestError> {
    let geoid_column = GEOID_COLUMNS
        .iter()
        .find_map(|name| headers.iter().position(|h| h == name))
        .ok_or_else(|| {
            IngestError::format(
                path,
                format!(
                    "no GEOID column: expected one of {} among the columns {}",
                    GEOID_COLUMNS.join(", "),
                    headers.join(", ")
                ),
            )
        })?;
    let variables: Variables = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let variable = variable_of(h)?;
            let moe = headers.iter().position(|m| *m == format!("{variable}M"));
            Some((variable.to_owned(), i, moe))
        })
        .collect();
    if variables.is_empty() {
        return Err(IngestError::format(
            path,
            format!(
                "no ACS estimate column (like B28002_001E) among the columns {}",
                headers.join(", ")
            ),
        ));
    }
    Ok((geoid_column, variables))
}

/// One variable's cell (and its MOE cell) of a record: an estimate, or why there is none; a
/// cell that is neither a number nor an ACS annotation is an error naming the row and column.
fn acs_value(
    path: &Path,
    headers: &[String],
    record: &csv::StringRecord,
    line: u64,
    variable: &str,
    (estimate_column, moe_column): (usize, Option<usize>),
) -> Result<AcsValue, IngestError> {
    let bad = |column: usize, message: String| IngestError::Value {
        path: path.to_owned(),
        record: line,
        column: headers[column].clone(),
        message,
    };
    let estimate_text = record.get(estimate_column).unwrap_or("");
    if MOE_ONLY.contains(&estimate_text.trim()) {
        return Err(bad(
            estimate_column,
            format!(
                "`{estimate_text}` is an annotation of margins of error, not of estimates: is the column an estimate (…E) column?"
            ),
        ));
    }
    let value: AcsValue = match cell(estimate_text, false) {
        Err(NotAvailable::UnknownSentinel) => {
            return Err(bad(
                estimate_column,
                format!("`{estimate_text}` is neither a number nor an ACS annotation"),
            ));
        }
        Err(reason) => Err(reason),
        Ok(estimate) => {
            if let Some(message) = negative(estimate, "estimate") {
                return Err(bad(estimate_column, message));
            }
            let moe = match moe_column {
                None => Err(NotAvailable::NoMoe),
                Some(c) => {
                    let moe_text = record.get(c).unwrap_or("");
                    let moe = cell(moe_text, true);
                    if let Some(message) = negative(moe.ok().flatten(), "margin of error") {
                        return Err(bad(c, message));
                    }
                    match moe {
                        Err(NotAvailable::UnknownSentinel) => {
                            return Err(bad(
                                c,
                                format!("`{moe_text}` is neither a number nor an ACS annotation"),
                            ));
                        }
                        other => other,
                    }
                }
            };
            let median_income = variable.starts_with("B19013");
            match moe {
                Ok(moe) => decode_acs_cell(estimate, moe, median_income),
                Err(reason) => {
                    decode_acs_cell(estimate, Some(0.0), median_income).map(|e| Estimate {
                        moe: Err(reason),
                        ..e
                    })
                }
            }
        }
    };
    Ok(value)
}

fn csv_error(path: &Path, e: &csv::Error) -> IngestError {
    match e.position() {
        Some(position) => IngestError::Value {
            path: path.to_owned(),
            record: position.record() + 1,
            column: "(whole record)".into(),
            message: e.to_string(),
        },
        None => IngestError::format(path, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    fn geoid(text: &str) -> GeoId {
        GeoId::parse(text).expect("valid GEOID")
    }

    fn write_named(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    // Issue #15: the Census Data API's reply (`get=NAME,B28002_001E,…&for=block group:*&in=state:11
    // county:001 tract:000101`) reads as the same table in CSV, annotations and nulls included.
    #[test]
    fn a_census_api_reply_reads_as_its_csv() {
        let (_a, json) = write_named(
            "b28002.json",
            r#"[["NAME","B28002_001E","B28002_001M","B28002_013E","B28002_013M","state","county","tract","block group"],
["Block Group 1; Census Tract 1.01; District of Columbia","535","101","0","13","11","001","000101","1"],
["Block Group 2; Census Tract 1.01; District of Columbia","-666666666","-222222222",null,null,"11","001","000101","2"]]"#,
        );
        let (_b, csv) = write_named(
            "b28002.csv",
            "GEOID,B28002_001E,B28002_001M,B28002_013E,B28002_013M
             110010001011,535,101,0,13
             110010001012,-666666666,-222222222,,
",
        );
        let from_json = read_acs(&json).expect("the reply reads");
        assert_eq!(from_json, read_acs(&csv).expect("the CSV reads"));
        assert_eq!(from_json.level, Level::BlockGroup);
        let households = &from_json.variables["B28002_001"];
        assert_eq!(households.len(), 2);
        assert!(households.contains_key(&geoid("110010001012")));
        // With `GEO_ID` asked for, that is the id.
        let (_c, with_id) = write_named(
            "id.json",
            r#"[["B28002_001E","B28002_001M","GEO_ID","state","county","tract","block group"],
["535","101","1500000US110010001011","11","001","000101","1"]]"#,
        );
        let file = read_acs(&with_id).expect("the reply reads");
        assert!(file.variables["B28002_001"].contains_key(&geoid("110010001011")));
        // Numbers sent as JSON numbers read as their text.
        let (_d, numbers) = write_named(
            "numbers.json",
            r#"[["NAME","B28002_001E","B28002_001M","B28002_013E","B28002_013M","state","county","tract","block group"],
["Block Group 1; Census Tract 1.01; District of Columbia",535,101,0,13,"11","001","000101","1"],
["Block Group 2; Census Tract 1.01; District of Columbia",-666666666,-222222222,null,null,"11","001","000101","2"]]"#,
        );
        assert_eq!(read_acs(&numbers).expect("the reply reads"), from_json);
    }

    #[test]
    fn a_reply_of_another_shape_is_refused_naming_what_is_wrong() {
        for (text, expected) in [
            (r#"{"error": "unknown variable"}"#, "array of arrays"),
            ("[]", "an empty array"),
            (
                r#"[["B28002_001E","NAME"],["5","x"]]"#,
                "no geography column",
            ),
            (
                r#"[["B28002_001E","state","county","tract","block group"],["5","11","001","000101"]]"#,
                "row 2 has 4 cells but the header has 5",
            ),
        ] {
            let (_d, path) = write_named("reply.json", text);
            let error = read_acs(&path).expect_err("refused").to_string();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(error.contains("reply.json"), "{error}");
        }
    }

    #[test]
    fn the_sample_form_with_sentinels_is_read() {
        let (_dir, path) = write(
            "B19013_001E,B19013_001M,B19013_001MA,GEOID21\n\
             157276.0,77174.0,,110010001011\n\
             -666666666.0,-222222222.0,**,110010001021\n\
             250001.0,-333333333.0,***,110010001022\n",
        );
        let file = read_acs(&path).expect("valid table");
        assert_eq!(file.level, Level::BlockGroup);
        let table = &file.variables["B19013_001"];
        assert_eq!(
            table[&geoid("110010001011")],
            Ok(Estimate::new(157_276.0, 77_174.0))
        );
        assert_eq!(
            table[&geoid("110010001021")],
            Err(NotAvailable::EstimateNotComputable)
        );
        let top = table[&geoid("110010001022")].expect("top-coded estimate is a value");
        assert!(top.top_coded);
        assert_eq!(top.moe, Err(NotAvailable::MedianOpenEnded));
    }

    #[test]
    fn the_data_census_gov_form_with_prefixes_and_a_label_row_is_read() {
        let (_dir, path) = write(
            "GEO_ID,NAME,B28002_001E,B28002_001M,B28002_013E,B28002_013M\n\
             Geography,Geographic Area Name,Estimate!!Total:,Margin of Error!!Total:,Estimate!!No Internet access,Margin of Error!!No Internet access\n\
             1500000US110010001011,\"Block Group 1; Census Tract 1.01; District of Columbia\",762,132,0,14\n\
             1500000US110010001021,\"Block Group 1; Census Tract 1.02\",\"1,865\",257,-,**\n",
        );
        let file = read_acs(&path).expect("valid table");
        assert_eq!(file.variables.len(), 2);
        assert_eq!(
            file.variables["B28002_001"][&geoid("110010001021")],
            Ok(Estimate::new(1865.0, 257.0))
        );
        assert_eq!(
            file.variables["B28002_013"][&geoid("110010001011")],
            Ok(Estimate::new(0.0, 14.0))
        );
        assert_eq!(
            file.variables["B28002_013"][&geoid("110010001021")],
            Err(NotAvailable::EstimateNotComputable)
        );
    }

    #[test]
    fn a_geoid_that_lost_its_leading_zero_is_refused_with_the_row() {
        let (_dir, path) =
            write("B28002_001E,B28002_001M,GEOID\n10.0,2.0,010010201001\n12.0,3.0,10010201002\n");
        let message = read_acs(&path).expect_err("mixed levels").to_string();
        assert!(message.contains("record 3"), "{message}");
        assert!(
            message.contains("one file must hold one level"),
            "{message}"
        );
    }

    #[test]
    fn only_a_label_row_is_skipped_not_a_first_row_with_a_broken_geoid() {
        let (_dir, path) = write("B28002_001E,B28002_001M,GEOID\n10.0,2.0,N/A\n");
        let message = read_acs(&path).expect_err("broken GEOID").to_string();
        assert!(
            message.contains("record 2") && message.contains("`N/A` is not a GEOID"),
            "{message}"
        );
    }

    #[test]
    fn a_table_without_geoid_column_names_what_it_expected() {
        let (_dir, path) = write("B28002_001E,B28002_001M,FIPS\n10.0,2.0,110010001011\n");
        let message = read_acs(&path).expect_err("no GEOID column").to_string();
        assert!(message.contains("no GEOID column"), "{message}");
    }

    #[test]
    fn a_missing_moe_column_leaves_the_moe_unknown() {
        let (_dir, path) = write("B28002_001E,GEOID\n10.0,110010001011\n");
        let file = read_acs(&path).expect("valid table");
        let value = file.variables["B28002_001"][&geoid("110010001011")].expect("estimate");
        assert_eq!(value.moe, Err(NotAvailable::NoMoe));
    }
}
