//! Every polygon the DC package publishes is valid as GEOS sees it (shapely's `is_valid`, the
//! check QGIS, geopandas and R's sf make) and has no repeated consecutive position (which s2
//! refuses): full-resolution and web layers alike (issue #12). Needs python3 with shapely
//! (`.ci/requirements.txt`); skipped without it unless `GAPMAP_REQUIRE_SHAPELY=1`, as in CI.

use std::process::Command;

use crate::util::{demo_output, maui_output, python_with};

const CHECK: &str = r#"
import glob, json, sys
from shapely.geometry import shape
from shapely.validation import explain_validity
problems, checked = [], 0
for path in sorted(glob.glob(sys.argv[1] + "/*.geojson")):
    for feature in json.load(open(path))["features"]:
        checked += 1
        geometry = feature["geometry"]
        name = path.rsplit("/", 1)[-1] + " " + str(feature["properties"]["geoid"])
        polygon = shape(geometry)
        if not polygon.is_valid:
            problems.append(name + ": " + explain_validity(polygon))
        parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for part in parts:
            for ring in part:
                if any(a == b for a, b in zip(ring, ring[1:])):
                    problems.append(name + ": repeated consecutive position")
print(checked)
print("\n".join(problems))
"#;

#[test]
fn every_published_polygon_is_valid_under_geos() {
    if !python_with("python3", "shapely", "GAPMAP_REQUIRE_SHAPELY") {
        return;
    }
    let (_maui_dir, maui) = maui_output();
    // DC: 571 block groups, 206 tracts, 8 + 8 wards, 46 ANCs; Maui: 2 counties; each twice.
    for (out, polygons) in [
        (demo_output().to_path_buf(), 2 * (571 + 206 + 8 + 8 + 46)),
        (maui, 2 * 2),
    ] {
        let output = Command::new("python3")
            .args(["-c", CHECK])
            .arg(&out)
            .output()
            .expect("python3 runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines();
        let checked: usize = lines.next().and_then(|l| l.parse().ok()).expect("a count");
        assert_eq!(checked, polygons, "{}", out.display());
        let problems: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
