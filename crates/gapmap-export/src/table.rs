//! The CSV table of a layer: the GeoJSON properties without geometry.

use std::path::Path;

use gapmap_gaps::{DistrictGaps, ExtraField, field_names};

use crate::ExportError;
use crate::atomic::write_atomic;
use crate::values::to_text;

/// Writes one row per district with the fields of METHOD.md §9 in their order, then the
/// layer's own `extra` fields (§10).
pub fn write_csv(
    path: &Path,
    rows: &[DistrictGaps],
    extra: &[ExtraField],
) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(field_names(extra))?;
        for row in rows {
            writer.write_record(row.fields(extra).iter().map(|(_, v)| to_text(v)))?;
        }
        writer.flush()?;
        Ok(())
    })
}

/// The columns of a layer's quarter table (`<layer>.quarters.csv`, METHOD.md §10).
pub const QUARTER_FIELDS: [&str; 8] = [
    "geoid",
    "name",
    "quarter",
    "speed_tests",
    "speed_mean_down_mbps",
    "speed_mean_up_mbps",
    "share_slow_tests",
    "tests_per_1000",
];

/// The columns of a layer's mobile quarter table (`<layer>.mobile_quarters.csv`, METHOD.md
/// §10): the same figures over the mobile tiles, named as the district table's mobile fields.
pub const MOBILE_QUARTER_FIELDS: [&str; 8] = [
    "geoid",
    "name",
    "quarter",
    "mobile_speed_tests",
    "mobile_speed_mean_down_mbps",
    "mobile_speed_mean_up_mbps",
    "mobile_share_slow_tests",
    "mobile_tests_per_1000",
];

/// Writes one row per district and quarter: the §5 figures over that quarter's tiles, and
/// tests per 1,000 residents in it, under the names `columns` ([`QUARTER_FIELDS`], or
/// [`MOBILE_QUARTER_FIELDS`] for the mobile tiles). Withheld districts (METHOD.md §8) have no
/// rows.
pub fn write_quarters_csv(
    path: &Path,
    rows: &[DistrictGaps],
    table: &gapmap_gaps::periods::QuarterTable,
    columns: &[&str; 8],
) -> Result<(), ExportError> {
    use gapmap_gaps::FieldValue;
    write_atomic(path, |out| {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(columns)?;
        for (row, quarters) in rows.iter().zip(&table.rows) {
            let Some(quarters) = quarters else { continue };
            for (quarter, speeds) in table.quarters.iter().zip(quarters) {
                let per_1000 = gapmap_gaps::periods::per_1000(speeds.tests, row.population, 1);
                let values = [
                    FieldValue::Text(row.geoid.clone()),
                    FieldValue::Text(row.name.clone()),
                    FieldValue::Text(quarter.clone()),
                    FieldValue::Count(speeds.tests),
                    speeds.mean_down_mbps.into(),
                    speeds.mean_up_mbps.into(),
                    speeds.share_slow_tests.into(),
                    per_1000.into(),
                ];
                writer.write_record(values.iter().map(to_text))?;
            }
        }
        writer.flush()?;
        Ok(())
    })
}
