//! The CSV table of a layer: the GeoJSON properties without geometry.

use std::path::Path;

use gapmap_gaps::{DistrictGaps, FIELD_NAMES};

use crate::ExportError;
use crate::atomic::write_atomic;
use crate::values::to_text;

/// Writes one row per district with the fields of METHOD.md §9, in [`FIELD_NAMES`] order.
pub fn write_csv(path: &Path, rows: &[DistrictGaps]) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(FIELD_NAMES)?;
        for row in rows {
            writer.write_record(row.fields().iter().map(|(_, v)| to_text(v)))?;
        }
        writer.flush()?;
        Ok(())
    })
}
