//! The typed layers (issue #14): every `<layer>.parquet` and `<layer>.fgb` of the DC package,
//! opened by readers that are not gapmap's — Arrow's Parquet reader (pyarrow) and GDAL's
//! FlatGeobuf driver (pyogrio) — has one column per METHOD.md §9 field with the same type in
//! every layer (a field empty in a layer is still a number there), GeoParquet 1.1 `geo`
//! metadata, a CRS, a spatial index, valid geometries, and the CSV's values district by
//! district. Needs python3 with pyarrow, pyogrio and shapely (`.ci/requirements.txt`); skipped
//! without them unless `GAPMAP_REQUIRE_SHAPELY=1`, as in CI.

use std::path::Path;
use std::process::Command;

use crate::util::{demo_output, python_with};

const CHECK: &str = r#"
import csv, json, sys
import pyarrow.parquet as pq
import pyogrio, shapely
out, layers = sys.argv[1], sys.argv[2].split(",")
types = {}
for layer in layers:
    with open(f"{out}/{layer}.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["geoid"] not in ("suppressed", "unassigned")]
    table = pq.read_table(f"{out}/{layer}.parquet")
    geo = json.loads(pq.read_metadata(f"{out}/{layer}.parquet").metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry", geo
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == ["MultiPolygon"], column
    assert len(column["bbox"]) == 4, column
    parquet_types = [(f.name, str(f.type)) for f in table.schema]
    info = pyogrio.read_info(f"{out}/{layer}.fgb")
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "MultiPolygon", info
    assert info["capabilities"]["fast_spatial_filter"], "no spatial index"
    fgb_types = list(zip(info["fields"], info["ogr_types"]))
    types[layer] = (parquet_types, fgb_types)
    assert table.num_rows == info["features"] == len(rows), (layer, table.num_rows, info["features"], len(rows))
    geometries = shapely.from_wkb(table.column("geometry").to_pylist())
    assert shapely.is_valid(geometries).all(), layer
    _, _, _, fgb_fields = pyogrio.raw.read(f"{out}/{layer}.fgb")
    fgb = {name: list(values) for name, values in zip(info["fields"], fgb_fields)}
    fgb_row = {geoid: i for i, geoid in enumerate(fgb["geoid"])}
    compared = 0
    for i, row in enumerate(rows):
        j = fgb_row[row["geoid"]]
        for name, text in row.items():
            value = table.column(name)[i].as_py()
            other = fgb[name][j]
            if text == "":
                assert value is None, (layer, row["geoid"], name, value)
                continue
            if isinstance(value, str):
                assert value == text == other, (layer, row["geoid"], name, value, text, other)
            else:
                assert float(text) == float(value) == float(other), (layer, row["geoid"], name, text, value, other)
            compared += 1
    print(layer, table.num_rows, compared)
first = types[layers[0]]
for layer, pair in types.items():
    assert pair == first, (layer, [a for a, b in zip(pair[0] + pair[1], first[0] + first[1]) if a != b])
print("speed_tests", dict(first[0])["speed_tests"], dict(first[1])["speed_tests"])
"#;

/// Runs [`CHECK`] on `layers` (comma-separated) of the package in `out`; returns what it printed.
fn check(out: &Path, layers: &str) -> String {
    let output = Command::new("python3")
        .args(["-c", CHECK])
        .arg(out)
        .arg(layers)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn typed_layers_open_in_arrow_and_gdal_with_one_schema_and_the_csv_values() {
    if !python_with(
        "python3",
        "pyarrow, pyogrio, shapely",
        "GAPMAP_REQUIRE_SHAPELY",
    ) {
        return;
    }
    let stdout = check(demo_output(), "block_group,tract,ward,ward_2012,anc");
    // Each layer's districts, and how many values were compared (none may be skipped).
    for (layer, districts) in [
        ("block_group", 571),
        ("tract", 206),
        ("ward", 8),
        ("ward_2012", 8),
        ("anc", 46),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{layer} ")))
            .unwrap_or_else(|| panic!("no line for {layer}:\n{stdout}"));
        let numbers: Vec<usize> = line
            .split_whitespace()
            .skip(1)
            .map(|n| n.parse().expect("a number"))
            .collect();
        assert_eq!(numbers[0], districts, "{line}");
        assert!(numbers[1] > districts * 10, "{line}");
    }
    // `speed_tests` is a whole number in every layer, including those without speeds.
    assert!(
        stdout.contains("speed_tests int64 OFTInteger64"),
        "{stdout}"
    );
}

/// With the `gdal` feature, `geopackage = true` adds `<layer>.gpkg`, typed as the FlatGeobuf:
/// GDAL (pyogrio's own build, not the one gapmap links) reads the same fields with the same
/// types, the districts, EPSG:4326 and longitude first.
#[cfg(feature = "gdal")]
#[test]
fn geopackage_layers_have_the_typed_schema() {
    if !python_with("python3", "pyogrio", "GAPMAP_REQUIRE_SHAPELY") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dc");
    crate::util::run_dc(
        &out,
        &[
            "output.geopackage=true",
            "output.charts=false",
            "output.viewer=false",
        ],
    );
    let check = r#"
import sys, pyogrio
out = sys.argv[1]
for layer in ["block_group", "tract", "ward", "ward_2012", "anc"]:
    g = pyogrio.read_info(f"{out}/{layer}.gpkg")
    f = pyogrio.read_info(f"{out}/{layer}.fgb")
    assert list(zip(g["fields"], g["ogr_types"])) == list(zip(f["fields"], f["ogr_types"])), layer
    assert g["features"] == f["features"] and g["crs"] == "EPSG:4326", (layer, g)
    assert -78 < g["total_bounds"][0] < -76 and 38 < g["total_bounds"][1] < 40, g["total_bounds"]
    print(layer, g["features"])
"#;
    let stdout = crate::util::python_script("python3", check, &out);
    assert!(
        stdout.contains("ward 8") && stdout.contains("block_group 571"),
        "{stdout}"
    );
}

/// Without the `gdal` feature, asking for GeoPackage layers is a configuration error that
/// says how to get them, before anything is read.
#[cfg(not(feature = "gdal"))]
#[test]
fn geopackage_without_gdal_is_refused_with_the_way_to_get_it() {
    let output = crate::util::gapmap(&[
        "check",
        "--config",
        "data/dc/gapmap.toml",
        "--set",
        "output.geopackage=true",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`gdal` feature"), "{stderr}");
}

/// The QGIS styles (issue #14): every `charts/<layer>_<map>.qml`, loaded by QGIS itself onto the
/// layer's FlatGeobuf and GeoJSON, colours every district as the viewer does — the classes
/// and colours of the PNG maps — withheld and empty ones grey; `<layer>.qml` is QGIS's default
/// style for the layer's files. Needs PyQGIS (Debian's python3-qgis, for the system python);
/// skipped without it unless `GAPMAP_REQUIRE_QGIS=1`, as in CI.
#[test]
fn qgis_styles_colour_every_district_as_the_maps() {
    let python = "/usr/bin/python3";
    if !python_with(python, "qgis.core", "GAPMAP_REQUIRE_QGIS") {
        return;
    }
    let output = Command::new(python)
        .args(["-c", QGIS_CHECK])
        .arg(demo_output())
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checked: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("features checked "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a count");
    // 5 layers × their maps × 2 formats, every district.
    assert!(checked > 5_000, "{stdout}");
}

const QGIS_CHECK: &str = r##"import json, sys, os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import QgsApplication, QgsVectorLayer, QgsRenderContext
app = QgsApplication([], False); app.initQgis()
out = sys.argv[1]
s = open(f"{out}/viewer/data.js").read()
data = json.loads(s[s.index("{"):s.rindex("}") + 1])
checked = 0
for layer in data["layers"]:
    name = layer["name"]
    for ext in ["fgb", "gpkg", "geojson"]:
        path = f"{out}/{name}.{ext}"
        if not os.path.exists(path): continue
        vl = QgsVectorLayer(path, name, "ogr")
        assert vl.isValid(), path
        msg, ok = vl.loadDefaultStyle()
        assert ok, (path, msg)
        for m in layer["maps"]:
            qml = f"{out}/charts/{name}_{m['id']}.qml"
            if not os.path.exists(qml): continue
            msg, ok = vl.loadNamedStyle(qml)
            assert ok, (qml, msg)
            r = vl.renderer()
            assert r.type() == "RuleRenderer", r.type()
            ctx = QgsRenderContext(); r.startRender(ctx, vl.fields())
            feats = {f["geoid"]: f for f in vl.getFeatures()}
            for i, feat in enumerate(layer["features"]):
                geoid = feat["properties"]["geoid"]
                keys = r.legendKeysForFeature(feats[geoid], ctx) - {"root"}
                assert len(keys) == 1, (qml, geoid, keys)
                got = r.rootRule().findRuleByKey(keys.pop()).symbol().color().name()
                v = m["values"][i]
                if feat["properties"].get("suppressed"):
                    want = "#d9d9d9"
                elif v is None:
                    want = "#d9d9d9"
                else:
                    k = next(j for j, u in enumerate(m["upper"]) if v <= u)
                    want = m["colours"][k]
                assert got == want, (qml, ext, geoid, v, got, want)
                checked += 1
            r.stopRender(ctx)
print("features checked", checked)
# Leave without tearing QGIS down: its exit crashes under the offscreen platform.
sys.stdout.flush()
os._exit(0)
"##;

/// A layer's own fields (METHOD.md §10, the Lima demo's HDI, extreme poverty…) are typed
/// columns too: doubles after the §9 fields in GeoParquet and FlatGeobuf, with the CSV's values.
#[test]
fn a_layers_own_fields_are_typed_numbers_in_arrow_and_gdal() {
    if !python_with(
        "python3",
        "pyarrow, pyogrio, shapely",
        "GAPMAP_REQUIRE_SHAPELY",
    ) {
        return;
    }
    let out = crate::util::lima_output();
    let stdout = check(out, "district");
    assert!(stdout.contains("district 50 "), "{stdout}");
    let types = crate::util::python_script(
        "python3",
        r#"
import sys, pyarrow.parquet as pq, pyogrio
out = sys.argv[1]
names = pq.read_schema(f"{out}/district.parquet").names
info = pyogrio.read_info(f"{out}/district.fgb")
own = dict(zip(info["fields"], info["ogr_types"]))
schema = pq.read_schema(f"{out}/district.parquet")
for name in ["population_2007", "pct_extreme_poverty", "hdi_2019", "food_vulnerability_index"]:
    print(name, names.index(name) > names.index("notes"), schema.field(name).type, own[name])
"#,
        out,
    );
    for name in [
        "population_2007",
        "pct_extreme_poverty",
        "hdi_2019",
        "food_vulnerability_index",
    ] {
        assert!(
            types.contains(&format!("{name} True double OFTReal")),
            "{types}"
        );
    }
}
