//! Layers with a fixed schema: GeoParquet 1.1 and FlatGeobuf. Every field has the type its
//! Table Schema entry gives (METHOD.md §9: text, whole number or number) in every layer,
//! whatever its values — a field empty in one layer is still a number there, which GeoJSON
//! cannot say (readers guess a type from the values). Geometries are those of the GeoJSON
//! layers ([`published_geometry`]), always as MultiPolygons; WGS84 longitude/latitude.
//!
//! GeoParquet through polars (its Parquet writer, with the `geo` file metadata of the
//! GeoParquet 1.1 specification), WKB and FlatGeobuf through geozero and the flatgeobuf crate
//! (with its packed Hilbert R-tree, so readers fetch only the features of a window).

use std::path::Path;

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use gapmap_gaps::{DistrictGaps, FIELDS, FieldType, FieldValue};
use geo::{BoundingRect, MultiPolygon};
use geozero::wkb::WkbDialect;
use geozero::{ColumnValue, CoordDimensions, PropertyProcessor, ToWkb};
use polars::prelude::*;

use crate::ExportError;
use crate::atomic::write_atomic;
use crate::geojson::published_geometry;

/// The name of the geometry column.
const GEOMETRY: &str = "geometry";

/// A field's value in its schema type: `None` is empty (unknown or withheld).
pub(crate) enum Typed {
    Text(Option<String>),
    Integer(Option<i64>),
    Number(Option<f64>),
}

/// Largest integer an f64 holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `value` as the type of `kind`; a value the type cannot hold (a fraction in a whole-number
/// field) is an error naming the field and the district, never a silent rounding.
fn typed(
    kind: FieldType,
    value: FieldValue,
    field: &str,
    row: &DistrictGaps,
) -> std::io::Result<Typed> {
    let wrong = |what: &str| {
        std::io::Error::other(format!(
            "district {}: field `{field}` ({}) holds {what}",
            row.geoid,
            kind.as_str()
        ))
    };
    Ok(match (kind, value) {
        (FieldType::String, FieldValue::Text(text)) => Typed::Text(Some(text)),
        (FieldType::String, FieldValue::Empty) => Typed::Text(None),
        (FieldType::Integer, FieldValue::Empty) => Typed::Integer(None),
        (FieldType::Integer, FieldValue::Count(count)) => Typed::Integer(Some(
            i64::try_from(count).map_err(|_| wrong("a count beyond 64 bits"))?,
        )),
        (FieldType::Integer, FieldValue::Number(n)) if n.fract() == 0.0 && n.abs() < EXACT => {
            Typed::Integer(Some(n as i64))
        }
        (FieldType::Number, FieldValue::Empty) => Typed::Number(None),
        (FieldType::Number, FieldValue::Number(n)) => Typed::Number(Some(n)),
        (FieldType::Number, FieldValue::Count(count)) => Typed::Number(Some(count as f64)),
        (_, FieldValue::Text(text)) => return Err(wrong(&format!("the text {text:?}"))),
        (_, other) => return Err(wrong(&format!("{other:?}"))),
    })
}

/// Every field of every row, typed, by field.
pub(crate) fn columns(
    features: &[(&DistrictGaps, &MultiPolygon<f64>)],
) -> std::io::Result<Vec<Vec<Typed>>> {
    FIELDS
        .iter()
        .map(|field| {
            features
                .iter()
                .map(|(row, _)| typed(field.kind, (field.value)(row), field.name, row))
                .collect()
        })
        .collect()
}

/// Writes a GeoParquet 1.1 file: one column per METHOD.md §9 field with its fixed type, and
/// `geometry` as WKB MultiPolygons, described by the file's `geo` metadata.
pub fn write_geoparquet(
    path: &Path,
    features: &[(&DistrictGaps, &MultiPolygon<f64>)],
    precision: u32,
) -> Result<(), ExportError> {
    write_atomic(path, |out| {
        let mut series: Vec<Column> = Vec::with_capacity(FIELDS.len() + 1);
        for (field, values) in FIELDS.iter().zip(columns(features)?) {
            let name = PlSmallStr::from_static(field.name);
            let column = match field.kind {
                FieldType::String => Column::new(name, text_values(values)),
                FieldType::Integer => Column::new(name, integer_values(values)),
                FieldType::Number => Column::new(name, number_values(values)),
            };
            series.push(column);
        }
        let mut bounds: Option<geo::Rect<f64>> = None;
        let mut wkb: Vec<Vec<u8>> = Vec::with_capacity(features.len());
        for (row, geometry) in features {
            let published = published_geometry(geometry, precision);
            if let Some(rect) = published.bounding_rect() {
                bounds = Some(bounds.map_or(rect, |b| union(b, rect)));
            }
            let bytes = geo::Geometry::MultiPolygon(published)
                .to_wkb_dialect(WkbDialect::Wkb, CoordDimensions::xy(), None, Vec::new())
                .map_err(|e| std::io::Error::other(format!("district {}: WKB: {e}", row.geoid)))?;
            wkb.push(bytes);
        }
        let geometry = BinaryChunked::from_iter_values(
            PlSmallStr::from_static(GEOMETRY),
            wkb.iter().map(Vec::as_slice),
        );
        series.push(geometry.into_series().into_column());
        let mut frame = DataFrame::new(features.len(), series).map_err(std::io::Error::other)?;
        let bbox = bounds.map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]);
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

fn text_values(values: Vec<Typed>) -> Vec<Option<String>> {
    values
        .into_iter()
        .map(|v| match v {
            Typed::Text(t) => t,
            _ => None,
        })
        .collect()
}

fn integer_values(values: Vec<Typed>) -> Vec<Option<i64>> {
    values
        .into_iter()
        .map(|v| match v {
            Typed::Integer(i) => i,
            _ => None,
        })
        .collect()
}

fn number_values(values: Vec<Typed>) -> Vec<Option<f64>> {
    values
        .into_iter()
        .map(|v| match v {
            Typed::Number(n) => n,
            _ => None,
        })
        .collect()
}

/// Writes a FlatGeobuf file with a spatial index: one nullable column per METHOD.md §9 field
/// with its fixed type (`String`, `Long`, `Double`), MultiPolygons in EPSG:4326.
pub fn write_flatgeobuf(
    path: &Path,
    layer: &str,
    features: &[(&DistrictGaps, &MultiPolygon<f64>)],
    precision: u32,
) -> Result<(), ExportError> {
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
        let mut fgb = FgbWriter::create_with_options(layer, GeometryType::MultiPolygon, options)
            .map_err(fgb_error)?;
        for field in &FIELDS {
            let kind = match field.kind {
                FieldType::String => ColumnType::String,
                FieldType::Integer => ColumnType::Long,
                FieldType::Number => ColumnType::Double,
            };
            fgb.add_column(field.name, kind, |_, column| {
                column.nullable = true;
            });
        }
        let columns = columns(features)?;
        for (index, (_, geometry)) in features.iter().enumerate() {
            let published = geo::Geometry::MultiPolygon(published_geometry(geometry, precision));
            let mut failed = None;
            fgb.add_feature_geom(published, |feature| {
                for (at, (field, values)) in FIELDS.iter().zip(&columns).enumerate() {
                    let value = match &values[index] {
                        Typed::Text(Some(text)) => ColumnValue::String(text),
                        Typed::Integer(Some(i)) => ColumnValue::Long(*i),
                        Typed::Number(Some(n)) => ColumnValue::Double(*n),
                        // Empty: absent from the feature, which FlatGeobuf reads as null.
                        _ => continue,
                    };
                    if let Err(e) = feature.property(at, field.name, &value) {
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
            write_geoparquet(&path, &rows, 6).expect("write");
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
        let error = typed(
            FieldType::Integer,
            FieldValue::Number(2.5),
            "speed_tests",
            &row,
        )
        .err()
        .expect("refused");
        assert!(
            error
                .to_string()
                .contains("district 11001: field `speed_tests`"),
            "{error}"
        );
        assert!(matches!(
            typed(
                FieldType::Integer,
                FieldValue::Number(3.0),
                "speed_tests",
                &row
            ),
            Ok(Typed::Integer(Some(3)))
        ));
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
        write_flatgeobuf(&path, "layer", &[(&row, &geometry)], 6).expect("write");
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
