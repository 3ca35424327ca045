//! A district layer as every boundary reader returns it: its districts, the CRS they were
//! stored in, and what was repaired.

use gapmap_core::Boundary;

/// The coordinate reference system a layer was stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCrs {
    /// WGS84 longitude/latitude (EPSG:4326, OGC CRS84).
    Wgs84,
    /// NAD83 longitude/latitude (EPSG:4269), passed through unchanged.
    Nad83,
    /// WGS84 / Pseudo-Mercator metres (EPSG:3857), projected to longitude/latitude.
    WebMercator,
    /// Any CRS GDAL knows, reprojected by GDAL (PROJ); the EPSG code where it has one.
    Reprojected(Option<u32>),
}

impl SourceCrs {
    /// The EPSG code, where known.
    pub const fn epsg(self) -> Option<u32> {
        match self {
            SourceCrs::Wgs84 => Some(4326),
            SourceCrs::Nad83 => Some(4269),
            SourceCrs::WebMercator => Some(3857),
            SourceCrs::Reprojected(code) => code,
        }
    }

    /// What was done to reach WGS84 longitude/latitude, for the metadata.
    pub const fn handling(self) -> &'static str {
        match self {
            SourceCrs::Wgs84 => "WGS84 longitude/latitude, unchanged",
            SourceCrs::Nad83 => {
                "NAD83 (EPSG:4269) longitude/latitude passed through unchanged as WGS84 (difference under 2 m, METHOD.md §1)"
            }
            SourceCrs::WebMercator => {
                "EPSG:3857 metres projected to WGS84 longitude/latitude (spherical inverse Mercator)"
            }
            SourceCrs::Reprojected(_) => "reprojected to WGS84 longitude/latitude by GDAL (PROJ)",
        }
    }
}

/// A district layer.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryLayer {
    /// The districts, in file order.
    pub features: Vec<Boundary>,
    /// The CRS the file was stored in.
    pub source_crs: SourceCrs,
    /// What was repaired while reading (invalid geometries), one line per feature, for the
    /// run's warnings: nothing is dropped silently.
    pub repairs: Vec<String>,
}
