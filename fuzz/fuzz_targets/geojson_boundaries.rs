//! District layers as GeoJSON: any JSON, any geometry, ids of any type.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::file("layer.geojson", data);
    if let Ok(layer) = gapmap_ingest::read_boundaries(&path, None, "GEOID", Some("NAME")) {
        assert!(!layer.features.is_empty(), "an empty layer is an error");
    }
});
