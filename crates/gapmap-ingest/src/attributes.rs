//! A layer's attribute table (METHOD.md §10): one row per district, keyed by the layer's own
//! id (an INEI UBIGEO, a ward number; read as text, so `070101` keeps its leading zero), with
//! numeric columns named in the configuration (population, a poverty share).

use std::collections::BTreeMap;
use std::path::Path;

use crate::IngestError;
use crate::table::{Table, open_table};

/// The values of one attribute table: per id, one value per requested column (`None` where the
/// cell is empty).
pub type AttributeRows = BTreeMap<String, Vec<Option<f64>>>;

/// Reads `columns` of the CSV at `path`, keyed by its `id` column. An id given twice, an empty
/// id, or a cell that is not a number is an error naming the row.
pub fn read_attribute_table(
    path: &Path,
    id: &str,
    columns: &[&str],
) -> Result<AttributeRows, IngestError> {
    let mut wanted = vec![id];
    wanted.extend_from_slice(columns);
    let Table {
        mut reader,
        positions,
    } = open_table(path, &wanted, "the attribute table as configured")?;
    let mut rows = AttributeRows::new();
    let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record =
            record.map_err(|e| IngestError::format(path, format!("record {line}: {e}")))?;
        let field = |i: usize| record.get(positions[i]).unwrap_or("").trim();
        let key = field(0);
        if key.is_empty() {
            return Err(IngestError::Value {
                path: path.to_owned(),
                record: line,
                column: id.to_owned(),
                message: "empty id: every row needs the district's id".into(),
            });
        }
        let mut values = Vec::with_capacity(columns.len());
        for (k, column) in columns.iter().enumerate() {
            let text = field(k + 1);
            if text.is_empty() {
                values.push(None);
                continue;
            }
            let value = text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| IngestError::Value {
                    path: path.to_owned(),
                    record: line,
                    column: (*column).to_owned(),
                    message: format!("`{text}` is not a number"),
                })?;
            values.push(Some(value));
        }
        if let Some(earlier) = first_line.insert(key.to_owned(), line) {
            return Err(IngestError::Value {
                path: path.to_owned(),
                record: line,
                column: id.to_owned(),
                message: format!(
                    "id `{key}` is also in record {earlier}: one row per district; remove one"
                ),
            });
        }
        rows.insert(key.to_owned(), values);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[test]
    fn ids_stay_text_and_empty_cells_are_none() {
        let (_dir, path) = table("ubigeo,distrito,p2022\n070101,Callao,451260\n150101,Lima,\n");
        let rows = read_attribute_table(&path, "ubigeo", &["p2022"]).expect("valid");
        assert_eq!(rows["070101"], [Some(451_260.0)]);
        assert_eq!(rows["150101"], [None]);
    }

    #[test]
    fn a_repeated_id_a_word_or_a_missing_column_is_an_error_naming_it() {
        let (_dir, path) = table("ubigeo,p2022\n070101,1\n070101,2\n");
        let error = read_attribute_table(&path, "ubigeo", &["p2022"]).expect_err("twice");
        let message = error.to_string();
        assert!(
            message.contains("record 3") && message.contains("record 2"),
            "{message}"
        );
        let (_dir, path) = table("ubigeo,p2022\n070101,many\n");
        let message = read_attribute_table(&path, "ubigeo", &["p2022"])
            .expect_err("word")
            .to_string();
        assert!(
            message.contains("p2022") && message.contains("many"),
            "{message}"
        );
        let message = read_attribute_table(&path, "ubigeo", &["pobreza"])
            .expect_err("no column")
            .to_string();
        assert!(
            message.contains("pobreza") && message.contains("ubigeo, p2022"),
            "{message}"
        );
    }
}
