//! GeoPackage layers through GDAL (the `gdal` feature): the typed schema of the GeoParquet
//! and FlatGeobuf layers ([`crate::typed`]) in the OGC format QGIS and ArcGIS open natively.
//! GDAL writes by path, so the file is written under a temporary name beside it
//! ([`TempPath`]) and renamed when complete, as every other output.

use std::path::Path;

use gapmap_gaps::FieldType;
use gdal::DriverManager;
use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{
    Feature, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
};
use geozero::ColumnValue;

use crate::ExportError;
use crate::atomic::TempPath;
use crate::typed::TypedLayer;

/// Writes `<layer>` as a GeoPackage: one column per METHOD.md §9 field with its fixed type
/// (String, Integer64, Real), MultiPolygons in EPSG:4326.
pub fn write_geopackage(path: &Path, name: &str, layer: &TypedLayer) -> Result<(), ExportError> {
    let temporary = TempPath::beside(path)?;
    write(temporary.path(), name, layer).map_err(|source| ExportError::Io {
        path: path.to_owned(),
        source,
    })?;
    temporary.commit()
}

fn write(path: &Path, name: &str, layer: &TypedLayer) -> std::io::Result<()> {
    let gdal = |what: &str, e: gdal::errors::GdalError| {
        std::io::Error::other(format!("GDAL, {what}: {e}"))
    };
    let driver =
        DriverManager::get_driver_by_name("GPKG").map_err(|e| gdal("no GPKG driver", e))?;
    let mut dataset = driver
        .create_vector_only(path)
        .map_err(|e| gdal("creating the GeoPackage", e))?;
    let mut srs = SpatialRef::from_epsg(4326).map_err(|e| gdal("EPSG:4326", e))?;
    // Longitude first, as the geometries are (EPSG:4326's own order is latitude first).
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let out = dataset
        .create_layer(LayerOptions {
            name,
            srs: Some(&srs),
            ty: OGRwkbGeometryType::wkbMultiPolygon,
            options: None,
        })
        .map_err(|e| gdal("creating the layer", e))?;
    let definitions: Vec<(&str, OGRFieldType::Type)> = layer
        .fields
        .iter()
        .map(|(name, kind)| {
            let kind = match kind {
                FieldType::String => OGRFieldType::OFTString,
                FieldType::Integer => OGRFieldType::OFTInteger64,
                FieldType::Number => OGRFieldType::OFTReal,
            };
            (name.as_str(), kind)
        })
        .collect();
    out.create_defn_fields(&definitions)
        .map_err(|e| gdal("defining the fields", e))?;
    for (index, wkb) in layer.wkb()?.iter().enumerate() {
        let mut feature = Feature::new(out.defn()).map_err(|e| gdal("a feature", e))?;
        feature
            .set_geometry(Geometry::from_wkb(wkb).map_err(|e| gdal("a geometry", e))?)
            .map_err(|e| gdal("a geometry", e))?;
        for (at, values) in layer.columns.iter().enumerate() {
            let set = match values.get(index) {
                Some(ColumnValue::String(text)) => feature.set_field_string(at, text),
                Some(ColumnValue::Long(i)) => feature.set_field_integer64(at, i),
                Some(ColumnValue::Double(n)) => feature.set_field_double(at, n),
                _ => feature.set_field_null(at),
            };
            set.map_err(|e| gdal("a field", e))?;
        }
        feature
            .create(&out)
            .map_err(|e| gdal("writing a feature", e))?;
    }
    dataset
        .close()
        .map_err(|e| gdal("closing the GeoPackage", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use gapmap_gaps::DistrictGaps;
    use geo::{MultiPolygon, polygon};

    use super::*;

    /// Read back with GDAL: every field with its type, an empty number still a Real, EPSG:4326.
    #[test]
    fn a_geopackage_reads_back_typed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let row = DistrictGaps {
            geoid: "11001".into(),
            speed_tests: Some(7),
            ..DistrictGaps::default()
        };
        let geometry = MultiPolygon(vec![polygon![
            (x: -77.0, y: 38.0), (x: -76.9, y: 38.0), (x: -76.9, y: 38.1), (x: -77.0, y: 38.1),
        ]]);
        let path = dir.path().join("ward.gpkg");
        // A layer's own field (METHOD.md §10) after the §9 fields, a Real like them.
        let own = [gapmap_gaps::ExtraField {
            name: "hdi_2019".into(),
            table: "hdi.csv".into(),
            column: "idh".into(),
            unit: "index 0–1".into(),
            description: "Human development index".into(),
            source: "synthetic".into(),
        }];
        let row = DistrictGaps {
            extra: vec![Some(0.7)],
            ..row
        };
        let layer = TypedLayer::new("ward", &[(&row, &geometry)], &own, 6).expect("typed");
        write_geopackage(&path, "ward", &layer).expect("written");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        let dataset = gdal::Dataset::open(&path).expect("GDAL opens it");
        let mut layer = dataset.layer_by_name("ward").expect("the layer");
        assert_eq!(layer.feature_count(), 1);
        let fields: Vec<(String, u32)> = layer
            .defn()
            .fields()
            .map(|f| (f.name(), f.field_type()))
            .collect();
        assert_eq!(fields.len(), gapmap_gaps::FIELDS.len() + 1);
        assert_eq!(fields.last().map(|(n, _)| n.as_str()), Some("hdi_2019"));
        let kind = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, t)| *t);
        assert_eq!(kind("hdi_2019"), Some(OGRFieldType::OFTReal));
        assert_eq!(kind("speed_tests"), Some(OGRFieldType::OFTInteger64));
        assert_eq!(kind("share_served"), Some(OGRFieldType::OFTReal));
        assert_eq!(kind("geoid"), Some(OGRFieldType::OFTString));
        let srs = layer.spatial_ref().expect("a CRS");
        assert_eq!(srs.auth_code().ok(), Some(4326));
        let feature = layer.features().next().expect("a feature");
        let tests = feature.field_index("speed_tests").expect("index");
        assert_eq!(feature.field_as_integer64(tests).ok().flatten(), Some(7));
        let share = feature.field_index("share_served").expect("index");
        assert_eq!(feature.field_as_double(share).ok().flatten(), None);
    }
}
