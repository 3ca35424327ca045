//! Any OGR vector source through GDAL (the `gdal` feature): Shapefile, zipped Shapefile
//! (`/vsizip/`), GeoPackage, FlatGeobuf, GeoJSON, KML, ... in any CRS GDAL knows, reprojected to
//! WGS84 longitude/latitude with GDAL's own transformation.
//!
//! GDAL objects never leave this module: features become `geo` multipolygons here, before any
//! parallel step (a GDAL dataset is not `Sync`).

use std::path::Path;

use gdal::Dataset;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::LayerAccess;
use geo::MultiPolygon;

use crate::IngestError;
use crate::layer::{BoundaryLayer, SourceCrs};
use gapmap_core::Boundary;

fn gdal_error(path: &Path, what: &str, e: &gdal::errors::GdalError) -> IngestError {
    IngestError::format(path, format!("{what}: {e}"))
}

/// Reads the layer `layer` (or the only layer) of an OGR source.
pub(crate) fn read_ogr(
    path: &Path,
    layer: Option<&str>,
    id_field: &str,
    name_field: Option<&str>,
) -> Result<BoundaryLayer, IngestError> {
    let dataset = Dataset::open(path).map_err(|e| gdal_error(path, "GDAL cannot open it", &e))?;
    let names: Vec<String> = dataset.layers().map(|l| l.name()).collect();
    let mut source = match layer {
        Some(name) => dataset.layer_by_name(name).map_err(|_| {
            IngestError::format(
                path,
                format!(
                    "no layer `{name}`; the source has the layers {}",
                    names.join(", ")
                ),
            )
        })?,
        None if names.len() == 1 => dataset
            .layer(0)
            .map_err(|e| gdal_error(path, "cannot open its layer", &e))?,
        None => {
            return Err(IngestError::format(
                path,
                format!(
                    "the source has {} layers ({}); name one with `layer`",
                    names.len(),
                    names.join(", ")
                ),
            ));
        }
    };
    let mut from = source.spatial_ref().ok_or_else(|| {
        IngestError::format(
            path,
            "the layer has no CRS: assign one (ogr2ogr -a_srs EPSG:XXXX) and try again",
        )
    })?;
    from.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let epsg = from.auth_code().ok().and_then(|c| u32::try_from(c).ok());
    let mut to =
        SpatialRef::from_epsg(4326).map_err(|e| gdal_error(path, "cannot build EPSG:4326", &e))?;
    to.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let transform = CoordTransform::new(&from, &to)
        .map_err(|e| gdal_error(path, "no transformation to WGS84", &e))?;

    let mut features = Vec::new();
    for (index, feature) in source.features().enumerate() {
        let bad = |message: String| IngestError::Feature {
            path: path.to_owned(),
            feature: index.to_string(),
            message,
        };
        let text = |field: &str| -> Result<Option<String>, IngestError> {
            let at = feature
                .field_index(field)
                .map_err(|_| bad(format!("no field `{field}` in the layer")))?;
            Ok(feature
                .field_as_string(at)
                .map_err(|e| bad(format!("cannot read `{field}`: {e}")))?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()))
        };
        let id = text(id_field)?
            .ok_or_else(|| bad(format!("no value for the id field `{id_field}`")))?;
        let name = match name_field {
            Some(field) => {
                text(field)?.ok_or_else(|| bad(format!("no value for the name field `{field}`")))?
            }
            None => id.clone(),
        };
        let geometry = feature
            .geometry()
            .ok_or_else(|| bad(format!("feature `{id}` has no geometry")))?
            .transform(&transform)
            .map_err(|e| bad(format!("feature `{id}` cannot be reprojected: {e}")))?
            .to_geo()
            .map_err(|e| bad(format!("feature `{id}`: unreadable geometry: {e}")))?;
        let geometry = match geometry {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => return Err(bad(format!("feature `{id}` is not a polygon"))),
        };
        features.push(Boundary { id, name, geometry });
    }
    Ok(BoundaryLayer {
        repairs: Vec::new(),
        features,
        source_crs: SourceCrs::Reprojected(epsg),
    })
}
