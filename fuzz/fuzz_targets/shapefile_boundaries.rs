//! District layers as Shapefile: the .shp and .dbf (the input split in two), no .prj.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (shp, dbf) = common::split(data);
    let path = common::file("layer.shp", shp);
    common::file("layer.dbf", dbf);
    let _ = gapmap_ingest::read_boundaries(&path, None, "GEOID", None);
});
