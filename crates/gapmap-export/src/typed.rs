//! Layers with a fixed schema: GeoParquet 1.1 and FlatGeobuf (and GeoPackage, with the `gdal`
//! feature). Every field has the type its Table Schema entry gives (METHOD.md §9: text, whole
//! number or number) in every layer, whatever its values — a field empty in one layer is still
//! a number there, which GeoJSON cannot say (readers guess a type from the values). Geometries
//! are those of the GeoJSON layers ([`published_geometry`]), always as MultiPolygons; WGS84
//! longitude/latitude. A layer is typed once ([`TypedLayer`]) for all of these formats.
//!
//! GeoParquet through polars (its Parquet writer, with the `geo` file metadata of the
//! GeoParquet 1.1 specification), WKB and FlatGeobuf through geozero and the flatgeobuf crate
//! (with its packed Hilbert R-tree, so readers fetch only the features of a window).

use std::path::Path;

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use gapmap_gaps::{DistrictGaps, ExtraField, FIELDS, FieldType, FieldValue};
use geo::{BoundingRect, MultiPolygon};
use geozero::wkb::WkbDialect;
use geozero::{ColumnValue, CoordDimensions, PropertyProcessor, ToWkb};
use polars::prelude::*;

use crate::ExportError;
use crate::atomic::write_atomic;
use crate::geojson::published_geometry;

/// The name of the geometry column.
const GEOMETRY: &str = "geometry";

/// Largest integer an f64 holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// One field's values for every district, in its schema type (`None`: empty, unknown or
/// withheld).
pub(crate) enum TypedColumn {
    Text(Vec<Option<String>>),
    Integer(Vec<Option<i64>>),
    Number(Vec<Option<f64>>),
}

impl TypedColumn {
    fn of(kind: FieldType, len: usize) -> TypedColumn {
        match kind {
            FieldType::String => TypedColumn::Text(Vec::with_capacity(len)),
            FieldType::Integer => TypedColumn::Integer(Vec::with_capacity(len)),
            FieldType::Number => TypedColumn::Number(Vec::with_capacity(len)),
        }
    }

    /// Appends `value` in the column's type; a value the type cannot hold (a fraction in a
    /// whole-number field) is an error naming the field and the district, never a rounding.
    fn push(&mut self, value: FieldValue, field: &str, row: &DistrictGaps) -> Result<(), String> {
        let wrong = |what: &str| format!("district {}: field `{field}` holds {what}", row.geoid);
        match (self, value) {
            (TypedColumn::Text(c), FieldValue::Text(text)) => c.push(Some(text)),
            (TypedColumn::Text(c), FieldValue::Empty) => c.push(None),
            (TypedColumn::Integer(c), FieldValue::Empty) => c.push(None),
            (TypedColumn::Integer(c), FieldValue::Count(count)) => c.push(Some(
                i64::try_from(count).map_err(|_| wrong("a count beyond 64 bits"))?,
            )),
            (TypedColumn::Integer(c), FieldValue::Number(n))
                if n.fract() == 0.0 && n.abs() < EXACT =>
            {
                c.push(Some(n as i64));
            }
            (TypedColumn::Number(c), FieldValue::Empty) => c.push(None),
            (TypedColumn::Number(c), FieldValue::Number(n)) => c.push(Some(n)),
            (TypedColumn::Number(c), FieldValue::Count(count)) => c.push(Some(count as f64)),
            (_, FieldValue::Text(text)) => return Err(wrong(&format!("the text {text:?}"))),
            (_, other) => return Err(wrong(&format!("{other:?}"))),
        }
        Ok(())
    }

    /// District `index`'s value, `None` when empty.
    pub(crate) fn get(&self, index: usize) -> Option<ColumnValue<'_>> {
        match self {
            TypedColumn::Text(c) => c[index].as_deref().map(ColumnValue::String),
            TypedColumn::Integer(c) => c[index].map(ColumnValue::Long),
            TypedColumn::Number(c) => c[index].map(ColumnValue::Double),
        }
    }
}

/// A layer typed once for every typed format: each METHOD.md §9 field as a column of its
/// schema type, each district's geometry as published.
pub struct TypedLayer {
    /// Per field, its name and type: [`FIELDS`] in order, then the layer's own (numbers).
    pub(crate) fields: Vec<(String, FieldType)>,
    /// Per field, its values.
    pub(crate) columns: Vec<TypedColumn>,
    /// Per district, [`published_geometry`].
    pub(crate) geometries: Vec<MultiPolygon<f64>>,
}

impl TypedLayer {
    /// Types the districts of layer `name`: their fields (the layer's own `extra` fields, METHOD.md
    /// §10, last, as numbers), and their geometries rounded to `precision` decimals as in the
    /// GeoJSON.
    pub fn new(
        name: &str,
        features: &[(&DistrictGaps, &MultiPolygon<f64>)],
        extra: &[ExtraField],
        precision: u32,
    ) -> Result<TypedLayer, ExportError> {
        let fields: Vec<(String, FieldType)> = FIELDS
            .iter()
            .map(|f| (f.name.to_owned(), f.kind))
            .chain(extra.iter().map(|f| (f.name.clone(), FieldType::Number)))
            .collect();
        let mut columns: Vec<TypedColumn> = fields
            .iter()
            .map(|(_, kind)| TypedColumn::of(*kind, features.len()))
            .collect();
        for (row, _) in features {
            for (column, (field, value)) in columns.iter_mut().zip(row.fields(extra)) {
                column
                    .push(value, field, row)
                    .map_err(|message| ExportError::Value {
                        layer: name.to_owned(),
                        message,
                    })?;
            }
        }
        let geometries = features
            .iter()
            .map(|(_, geometry)| published_geometry(geometry, precision))
            .collect();
        Ok(TypedLayer {
            fields,
            columns,
            geometries,
        })
    }

    /// Each district's geometry as WKB (MultiPolygon, XY).
    pub(crate) fn wkb(&self) -> std::io::Result<Vec<Vec<u8>>> {
        self.geometries
            .iter()
            .map(|geometry| {
                geo::Geometry::MultiPolygon(geometry.clone())
                    .to_wkb_dialect(WkbDialect::Wkb, CoordDimensions::xy(), None, Vec::new())
                    .map_err(|e| std::io::Error::other(format!("WKB: {e}")))
            })
            .collect()
    }
}

/// Writes a GeoParquet 1.1 file: one column per METHOD.md §9 field with its fixed type, and
/// `geometry` as WKB MultiPolygons, described by the file's `geo` metadata.
pub fn write_geoparquet(path: &Path, layer: &TypedLayer) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        let mut series: Vec<Column> = Vec::with_capacity(layer.fields.len() + 1);
        for ((field, _), values) in layer.fields.iter().zip(&layer.columns) {
            let name = PlSmallStr::from(field.as_str());
            series.push(match values {
                TypedColumn::Text(v) => Column::new(name, v),
                TypedColumn::Integer(v) => Column::new(name, v),
                TypedColumn::Number(v) => Column::new(name, v),
            });
        }
        let wkb = layer.wkb()?;
        let geometry = BinaryChunked::from_iter_values(
            PlSmallStr::from_static(GEOMETRY),
            wkb.iter().map(Vec::as_slice),
        );
        series.push(geometry.into_series().into_column());
        let mut frame =
            DataFrame::new(layer.geometries.len(), series).map_err(std::io::Error::other)?;
        let bbox = layer
            .geometries
            .iter()
            .filter_map(BoundingRect::bounding_rect)
            .reduce(union)
            .map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]);
        let geo = serde_json::json!({
            "version": "1.1.0",
            "primary_column": GEOMETRY,
            "columns": {
                GEOMETRY: {
                    "encoding": "WKB",
                    "geometry_types": ["MultiPolygon"],
                    "orientation": "counterclockwise",
                    "bbox": bbox,
                }
            }
        });
        ParquetWriter::new(out)
            .with_compression(ParquetCompression::Zstd(None))
            .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
                "geo".to_owned(),
                geo.to_string(),
            )])))
            .finish(&mut frame)
            .map_err(std::io::Error::other)?;
        Ok(())
    })
}

fn union(a: geo::Rect<f64>, b: geo::Rect<f64>) -> geo::Rect<f64> {
    geo::Rect::new(
        geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// Writes a FlatGeobuf file with a spatial index: one nullable column per METHOD.md §9 field
/// with its fixed type (`String`, `Long`, `Double`), MultiPolygons in EPSG:4326.
pub fn write_flatgeobuf(path: &Path, name: &str, layer: &TypedLayer) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        let options = FgbWriterOptions {
            write_index: true,
            promote_to_multi: true,
            crs: FgbCrs {
                code: 4326,
                ..FgbCrs::default()
            },
            ..FgbWriterOptions::default()
        };
        let fgb_error = |e: flatgeobuf::Error| std::io::Error::other(format!("FlatGeobuf: {e}"));
        let mut fgb = FgbWriter::create_with_options(name, GeometryType::MultiPolygon, options)
            .map_err(fgb_error)?;
        for (field, kind) in &layer.fields {
            let kind = match kind {
                FieldType::String => ColumnType::String,
                FieldType::Integer => ColumnType::Long,
                FieldType::Number => ColumnType::Double,
            };
            fgb.add_column(field, kind, |_, column| {
                column.nullable = true;
            });
        }
        for (index, geometry) in layer.geometries.iter().enumerate() {
            let mut failed = None;
            fgb.add_feature_geom(geo::Geometry::MultiPolygon(geometry.clone()), |feature| {
                for (at, ((field, _), values)) in
                    layer.fields.iter().zip(&layer.columns).enumerate()
                {
                    // Empty: absent from the feature, which FlatGeobuf reads as null.
                    let Some(value) = values.get(index) else {
                        continue;
                    };
                    if let Err(e) = feature.property(at, field, &value) {
                        failed.get_or_insert(e);
                    }
                }
            })
            .map_err(|e| std::io::Error::other(format!("FlatGeobuf: {e}")))?;
            if let Some(e) = failed {
                return Err(std::io::Error::other(format!("FlatGeobuf property: {e}")));
            }
        }
        fgb.write(out).map_err(fgb_error)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use geo::polygon;

    use super::*;

    fn square(x: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: 38.0), (x: x + 0.01, y: 38.0), (x: x + 0.01, y: 38.01), (x: x, y: 38.01),
        ]])
    }

    /// A layer whose numeric fields are all empty still types them as numbers; a whole-number
    /// field is 64-bit, a number a double, text UTF-8, and the geometry WKB.
    #[test]
    fn an_all_empty_field_keeps_its_type_in_geoparquet() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = DistrictGaps {
            geoid: "11001".into(),
            ..DistrictGaps::default()
        };
        let with_tests = DistrictGaps {
            geoid: "11002".into(),
            speed_tests: Some(12),
            ..DistrictGaps::default()
        };
        let (a, b) = (square(-77.0), square(-76.9));
        for (name, rows) in [
            ("empty", vec![(&empty, &a)]),
            ("both", vec![(&empty, &a), (&with_tests, &b)]),
        ] {
            let path = dir.path().join(format!("{name}.parquet"));
            let layer = TypedLayer::new(name, &rows, &[], 6).expect("typed");
            write_geoparquet(&path, &layer).expect("write");
            let file = std::fs::File::open(&path).expect("open");
            let frame = ParquetReader::new(file).finish().expect("read back");
            assert_eq!(frame.height(), rows.len());
            let dtype = |column: &str| frame.column(column).expect(column).dtype().clone();
            assert_eq!(dtype("geoid"), DataType::String, "{name}");
            assert_eq!(dtype("speed_tests"), DataType::Int64, "{name}");
            assert_eq!(dtype("share_served"), DataType::Float64, "{name}");
            assert_eq!(dtype(GEOMETRY), DataType::Binary, "{name}");
            assert_eq!(frame.width(), FIELDS.len() + 1);
        }
    }

    /// A fraction in a whole-number field is refused by name, not rounded.
    #[test]
    fn a_fraction_in_a_whole_number_field_is_an_error() {
        let row = DistrictGaps {
            geoid: "11001".into(),
            ..DistrictGaps::default()
        };
        let mut column = TypedColumn::of(FieldType::Integer, 2);
        let error = column
            .push(FieldValue::Number(2.5), "speed_tests", &row)
            .expect_err("refused");
        assert!(
            error.contains("district 11001: field `speed_tests`"),
            "{error}"
        );
        column
            .push(FieldValue::Number(3.0), "speed_tests", &row)
            .expect("a whole number");
        assert!(matches!(column.get(0), Some(ColumnValue::Long(3))));
    }

    /// The FlatGeobuf header lists every field with its type, nullable, and the file has an
    /// index and EPSG:4326.
    #[test]
    fn flatgeobuf_declares_every_field_typed_with_an_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let row = DistrictGaps {
            geoid: "11001".into(),
            speed_tests: Some(7),
            ..DistrictGaps::default()
        };
        let geometry = square(-77.0);
        let path = dir.path().join("layer.fgb");
        let layer = TypedLayer::new("layer", &[(&row, &geometry)], &[], 6).expect("typed");
        write_flatgeobuf(&path, "layer", &layer).expect("write");
        let mut file = std::io::BufReader::new(std::fs::File::open(&path).expect("open"));
        let reader = flatgeobuf::FgbReader::open(&mut file).expect("a FlatGeobuf file");
        let header = reader.header();
        assert_eq!(header.features_count(), 1);
        assert!(header.index_node_size() > 0, "spatial index");
        assert_eq!(header.crs().map(|c| c.code()), Some(4326));
        let columns = header.columns().expect("columns");
        assert_eq!(columns.len(), FIELDS.len());
        for (column, field) in columns.iter().zip(&FIELDS) {
            assert_eq!(column.name(), field.name);
            assert!(column.nullable());
            let expected = match field.kind {
                FieldType::String => ColumnType::String,
                FieldType::Integer => ColumnType::Long,
                FieldType::Number => ColumnType::Double,
            };
            assert_eq!(column.type_(), expected, "{}", field.name);
        }
    }
}
