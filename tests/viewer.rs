//! The static viewer in a real browser (headless Chromium): layers embedded in `data.js` from the
//! folder, and large layers drawn from vector tiles (PMTiles, range requests) served by
//! `gapmap serve` — a 41,112-district layer among them (issue #14).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use gapmap_export::charts::{ClassMethod, Worse};
use gapmap_export::viewer::{ValueFormat, ViewerLayer, ViewerMap, ViewerText, write_viewer};
use geo::InteriorPoint;

use crate::util::{demo_output, python_with, root};

/// Debian's Chromium, where installed. `.ci/run` installs it; a machine without it skips the
/// browser test with a message, unless `GAPMAP_REQUIRE_BROWSER` is set (CI sets it).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|name| Path::new("/usr/bin").join(name))
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("GAPMAP_REQUIRE_BROWSER").is_none(),
            "GAPMAP_REQUIRE_BROWSER is set but no Chromium is installed (apt-get install chromium)"
        );
        eprintln!("skipping the browser test: no Chromium (apt-get install chromium)");
    }
    found
}

fn headless(browser: &Path, profile: &Path, args: &[&str], url: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=8000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs")
}

#[test]
fn the_viewer_draws_every_district_from_the_folder_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let out = demo_output();
    let profile = tempfile::tempdir().expect("profile");
    let index = out.join("index.html");
    for (layer, open, districts) in [("ward", "11008", 8), ("block_group", "110010001011", 571)] {
        let url = format!("file://{}?layer={layer}&open={open}", index.display());
        let output = headless(&browser, profile.path(), &["--dump-dom"], &url);
        let dom = String::from_utf8_lossy(&output.stdout);
        assert!(
            dom.contains(&format!("data-features=\"{districts}\"")),
            "{layer}: the map did not draw {districts} districts:\n{}",
            &dom[..dom.len().min(2000)]
        );
        // Leaflet drew one SVG path per polygon part: at least one per district.
        let paths = dom.matches("leaflet-interactive").count();
        assert!(paths >= districts, "{layer}: {paths} paths");
        // The click popup of the district opened with its figures.
        assert!(
            dom.contains(&format!("data-opened=\"{open}\"")),
            "{layer}: popup"
        );
        assert!(
            dom.contains("leaflet-popup-content"),
            "{layer}: popup content"
        );
        assert!(
            dom.contains("Residential locations"),
            "{layer}: popup figures"
        );
        // The legend shows the classes of the need index (the first map).
        assert!(dom.contains("legend-title"), "{layer}: legend");
    }
    // A screenshot for people to look at (target/viewer-screenshot.png).
    let shot = root().join("target/viewer-screenshot.png");
    let url = format!("file://{}?layer=ward", index.display());
    let output = headless(
        &browser,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1000",
        ],
        &url,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.len() > 50_000 && png.starts_with(b"\x89PNG"),
        "{} bytes",
        png.len()
    );
}

// Issue #16: a city's own fields (the Lima demo's HDI, extreme poverty…) and its population
// and change are in the popup, each own field with its unit.
#[test]
fn the_lima_popup_shows_population_change_and_the_layers_own_fields() {
    let Some(browser) = chromium() else { return };
    let profile = tempfile::tempdir().expect("profile");
    let index = crate::util::lima_output().join("index.html");
    let url = format!("file://{}?open=150103", index.display());
    let output = headless(&browser, profile.path(), &["--dump-dom"], &url);
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("data-opened=\"150103\""), "no popup");
    // Ate: 702,815 residents in 2022, HDI 0.687 (0.686854… in the table).
    for text in [
        "Residents</th><td>702,815",
        "Download change, baseline → latest quarter",
        "hdi_2019</th><td>0.687 <span class=\"muted\">index 0–1</span>",
        "pct_extreme_poverty",
    ] {
        assert!(dom.contains(text), "{text} not in the popup");
    }
}

// Issue #14: the address holds the view, so a view can be shared; an unknown name is said; a
// phone-sized window folds the legend away from the districts.
#[test]
fn the_viewer_address_round_trips_and_a_phone_folds_the_legend() {
    let Some(browser) = chromium() else { return };
    let profile = tempfile::tempdir().expect("profile");
    let index = demo_output().join("index.html");
    let body = |url: &str, args: &[&str]| -> String {
        let output = headless(
            &browser,
            profile.path(),
            &[&["--dump-dom"], args].concat(),
            url,
        );
        let dom = String::from_utf8_lossy(&output.stdout).into_owned();
        let start = dom.find("<body").expect("a body");
        dom[start..].to_owned()
    };
    // A link naming only the layer and a district: the page completes the address.
    let dom = body(
        &format!("file://{}?layer=tract&open=11001000101", index.display()),
        &[],
    );
    let address = "?layer=tract&amp;map=need_index&amp;open=11001000101";
    assert!(
        dom.contains(&format!("data-address=\"{address}\"")),
        "{}",
        &dom[..300]
    );
    // That address opens the same view.
    let shared = format!(
        "file://{}{}",
        index.display(),
        address.replace("&amp;", "&")
    );
    let dom = body(&shared, &[]);
    for expected in [
        "data-layer=\"tract\"",
        "data-map=\"need_index\"",
        "data-opened=\"11001000101\"",
        &format!("data-address=\"{address}\""),
    ] {
        assert!(dom.contains(expected), "{expected}: {}", &dom[..300]);
    }
    // A layer the package does not have is named, and the first layer shown instead.
    let dom = body(
        &format!("file://{}?layer=wards&map=need_index", index.display()),
        &[],
    );
    assert!(dom.contains("data-unknown=\"no layer"), "{}", &dom[..400]);
    assert!(
        dom.contains("The link asks for no layer"),
        "the notice is shown"
    );
    assert!(dom.contains("data-layer=\"block_group\""));
    // 400 px wide: the legend starts folded; 1280 px: open.
    let dom = body(
        &format!("file://{}?layer=ward", index.display()),
        &["--window-size=400,800"],
    );
    assert!(
        dom.contains("class=\"legend folded"),
        "phone: folded legend"
    );
    let dom = body(
        &format!("file://{}?layer=ward", index.display()),
        &["--window-size=1280,900"],
    );
    assert!(!dom.contains("legend folded"), "desktop: open legend");
    assert!(
        dom.contains("legend-toggle"),
        "desktop: the legend can fold"
    );
}

/// `gapmap serve` on a folder (any free port), stopped when dropped; its request log (one line
/// per request: method, path, status, body bytes) in a file.
struct Served {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Served {
    fn start(dir: &Path) -> Served {
        let log = dir.with_extension("requests.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_gapmap"))
            .args(["serve", dir.to_str().expect("utf-8"), "--port", "0", "-v"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("gapmap serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("serve prints its address");
        let url = line
            .split(" at ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Served { child, url, log }
    }

    /// Bytes of response bodies sent so far.
    fn bytes_sent(&self) -> u64 {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `<body …>` tag of the page after it settled.
fn body_of(browser: &Path, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile");
    let output = headless(
        browser,
        profile.path(),
        &[&["--dump-dom"], args].concat(),
        url,
    );
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    let start = dom
        .find("<body")
        .unwrap_or_else(|| panic!("no body for {url}"));
    dom[start..].to_owned()
}

/// The value of `data-<name>` in a body tag.
fn data(body: &str, name: &str) -> Option<String> {
    let key = format!("data-{name}=\"");
    let start = body.find(&key)? + key.len();
    Some(body[start..].split('"').next()?.replace("&amp;", "&"))
}

fn shift(value: &mut serde_json::Value, dx: f64, dy: f64) {
    if let Some(items) = value.as_array_mut() {
        if items.len() == 2 && items.iter().all(serde_json::Value::is_number) {
            let x = items[0].as_f64().expect("x") + dx;
            let y = items[1].as_f64().expect("y") + dy;
            *value = serde_json::json!([x, y]);
        } else {
            for item in items {
                shift(item, dx, dy);
            }
        }
    }
}

/// The bench's layer of a state's size: the demo's 571 block groups (web geometry, figures and
/// all) copied `columns` × `rows` times side by side, each copy with its own ids — 9 by 8 make
/// 41,112 districts over 2.25° by 2°. Returns the layer and a point inside one named district
/// of the last copy.
fn layer_of_copies(columns: u32, rows: u32) -> (ViewerLayer, String, (f64, f64)) {
    let text = std::fs::read_to_string(demo_output().join("block_group.web.geojson"))
        .expect("the demo's web layer");
    let collection: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON");
    let originals = collection["features"].as_array().expect("features");
    let mut features = Vec::new();
    for copy in 0..columns * rows {
        let (dx, dy) = (
            f64::from(copy % columns) * 0.25,
            -f64::from(copy / columns) * 0.25,
        );
        for f in originals {
            let mut f = f.clone();
            shift(&mut f["geometry"]["coordinates"], dx, dy);
            let id = format!(
                "{copy:02}{}",
                f["properties"]["geoid"].as_str().expect("id")
            );
            f["properties"]["geoid"] = id.into();
            features.push(f);
        }
    }
    let values = |field: &str| -> Vec<Option<f64>> {
        features
            .iter()
            .map(|f| f["properties"][field].as_f64())
            .collect()
    };
    let maps = vec![
        ViewerMap {
            id: "need_index".into(),
            title: "Need index".into(),
            legend: "Need index".into(),
            format: ValueFormat::Number1,
            no_data: "No figure".into(),
            values: values("need_index"),
            worse: Worse::High,
        },
        ViewerMap {
            id: "share_without_broadband".into(),
            title: "Households without broadband".into(),
            legend: "Without broadband".into(),
            format: ValueFormat::Percent,
            no_data: "No ACS figure".into(),
            values: values("share_without_broadband"),
            worse: Worse::High,
        },
    ];
    // A district not withheld in the last copy, and a point inside it.
    let (geoid, point) = features
        .iter()
        .rev()
        .find(|f| !f["properties"]["suppressed"].is_string())
        .map(|f| {
            let g: geojson::Geometry =
                serde_json::from_value(f["geometry"].clone()).expect("geometry");
            let g: geo::Geometry<f64> = g.try_into().expect("polygon");
            let p = g.interior_point().expect("a point");
            (
                f["properties"]["geoid"].as_str().expect("id").to_owned(),
                (p.y(), p.x()),
            )
        })
        .expect("a district");
    let layer = ViewerLayer {
        name: "block_group".into(),
        title: "Block group".into(),
        plural: "block groups".into(),
        features,
        maps,
        charts: Vec::new(),
        files: Vec::new(),
        tiled: true,
        own: Vec::new(),
    };
    (layer, geoid, point)
}

/// The words of the test pages.
fn page_text(title: &str) -> ViewerText {
    ViewerText {
        title: title.into(),
        subtitle: "The DC demo's block groups, copied 72 times (a state's size).".into(),
        warning: String::new(),
        attribution: "Census Bureau; FCC BDC (SIMULATED)".into(),
        footer: String::new(),
        links: Vec::new(),
    }
}

// Issue #14: a state's block groups draw from a small download — the tiles in view, not the
// layer — and a shared link, a click and a phone work on them as on the small layers.
#[test]
fn a_layer_of_41112_districts_draws_from_a_small_download() {
    let Some(browser) = chromium() else { return };
    let dir = root().join("target/viewer-41112");
    let _ = std::fs::remove_dir_all(&dir);
    let (layer, geoid, (lat, lon)) = layer_of_copies(9, 8);
    write_viewer(
        &dir,
        &page_text("41,112 block groups"),
        &[layer],
        ClassMethod::Quantiles,
    )
    .expect("viewer written");
    let archive = std::fs::metadata(dir.join("viewer/block_group.pmtiles"))
        .expect("the tiles")
        .len();
    let data_js = std::fs::metadata(dir.join("viewer/data.js"))
        .expect("data.js")
        .len();
    assert!(
        data_js < 20_000,
        "data.js holds no geometry: {data_js} bytes"
    );

    let server = Served::start(&dir);
    let page = format!("{}index.html?layer=block_group", server.url);
    let body = body_of(&browser, &page, &["--window-size=1280,900"]);
    assert_eq!(
        data(&body, "features").as_deref(),
        Some("41112"),
        "{body:.400}"
    );
    let tiles: u64 = data(&body, "tiles-drawn")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    assert!(tiles >= 4, "{tiles} tiles drawn: {body:.400}");
    let first = data(&body, "first-map-ms").expect("the first map was drawn");
    let read: u64 = data(&body, "bytes")
        .and_then(|b| b.parse().ok())
        .expect("bytes read");
    let sent = server.bytes_sent();
    eprintln!(
        "41,112 districts: archive {archive} bytes, data.js {data_js} bytes; first map after {first} ms (browser clock), {tiles} tiles, {read} bytes of tiles read, {sent} bytes served in all"
    );
    assert!(
        read < archive / 4 && read < 2_000_000,
        "the first map read {read} of the archive's {archive} bytes"
    );
    assert!(sent < 2_600_000, "{sent} bytes served for the first map");
    assert!(data(&body, "no-ranges").is_none(), "ranges answered");

    // A shared link to a district (its place and zoom) opens its popup, and the address the
    // page writes is the same link.
    let link = format!("?layer=block_group&map=need_index&open={geoid}&at={lat:.5},{lon:.5},13");
    let body = body_of(&browser, &format!("{}index.html{link}", server.url), &[]);
    assert_eq!(
        data(&body, "opened").as_deref(),
        Some(geoid.as_str()),
        "{body:.600}"
    );
    let address = data(&body, "address").expect("an address");
    let again = body_of(&browser, &format!("{}index.html{address}", server.url), &[]);
    assert_eq!(data(&again, "opened").as_deref(), Some(geoid.as_str()));
    assert_eq!(data(&again, "address"), Some(address));
    // A view without a popup (a zoomed part of the layer) is kept in the address too, and a
    // link to it opens that view.
    let view = format!("?layer=block_group&map=need_index&at={lat:.5},{lon:.5},12");
    let body = body_of(&browser, &format!("{}index.html{view}", server.url), &[]);
    let kept = format!("at={lat:.5}%2C{lon:.5}%2C12");
    assert!(
        data(&body, "address").is_some_and(|a| a.contains(&kept)),
        "{kept}: {body:.600}"
    );
    assert!(data(&body, "opened").is_none());
    // A district that is not at that place is said, not silently replaced.
    let wrong = link.replace(&geoid, "000");
    let body = body_of(&browser, &format!("{}index.html{wrong}", server.url), &[]);
    assert!(data(&body, "opened").is_none());
    assert!(
        data(&body, "unknown").is_some_and(|u| u.contains("no district")),
        "{body:.600}"
    );

    // A phone: the legend folds, the tiles still draw.
    let body = body_of(&browser, &page, &["--window-size=400,800"]);
    assert!(
        body.contains("class=\"legend folded"),
        "phone: folded legend"
    );
    assert!(data(&body, "tiles-drawn").is_some(), "{body:.400}");
    // A screenshot for people to look at (target/viewer-41112.png).
    let profile = tempfile::tempdir().expect("profile");
    let shot = root().join("target/viewer-41112.png");
    headless(
        &browser,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1000",
        ],
        &page,
    );
    assert!(std::fs::metadata(&shot).is_ok_and(|m| m.len() > 50_000));
}

/// The DC demo's configuration run with every layer tiled (`viewer_tiles = "always"`), once.
fn tiled_output() -> &'static Path {
    static TILED: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = TILED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("tiled");
        crate::util::run_dc(
            &out,
            &["output.viewer_tiles=\"always\"", "output.charts=false"],
        );
        (dir, out)
    });
    out
}

// `[output] viewer_tiles` through a run: every layer tiled, drawn from `gapmap serve` with the
// same figures in the popup, and a page opened from the folder says it needs a server.
#[test]
fn a_run_with_tiled_layers_serves_them_and_says_what_a_folder_cannot() {
    let Some(browser) = chromium() else { return };
    let out = tiled_output();
    for layer in ["block_group", "tract", "ward", "ward_2012", "anc"] {
        assert!(
            out.join(format!("viewer/{layer}.pmtiles")).is_file(),
            "{layer}"
        );
    }
    // From the folder: the page says what to do instead of drawing nothing.
    let body = body_of(
        &browser,
        &format!("file://{}?layer=ward", out.join("index.html").display()),
        &[],
    );
    assert_eq!(data(&body, "needs-server").as_deref(), Some("true"));
    assert!(body.contains("gapmap serve"), "{body:.600}");
    // From a server: every ward drawn, and a ward's popup has the CSV's figures.
    let server = Served::start(out);
    let url = format!(
        "{}index.html?layer=ward&map=need_index&open=11008&at=38.85,-76.99,13",
        server.url
    );
    let profile = tempfile::tempdir().expect("profile");
    let output = headless(&browser, profile.path(), &["--dump-dom"], &url);
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("<body").expect("body");
    assert_eq!(data(&dom[start..], "features").as_deref(), Some("8"));
    assert_eq!(
        data(&dom[start..], "opened").as_deref(),
        Some("11008"),
        "{:.600}",
        &dom[start..]
    );
    let rows = crate::util::read_table(&out.join("ward.csv"));
    let ward = rows.iter().find(|r| r["geoid"] == "11008").expect("ward 8");
    let households: f64 = ward["households"].parse().expect("households");
    let shown = format!("{}", households.round() as i64);
    let grouped = shown
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).expect("digits"))
        .collect::<Vec<_>>()
        .join(",");
    assert!(dom.contains(&grouped), "households {grouped} in the popup");
}

// The archives are PMTiles and Mapbox Vector Tiles as GDAL reads them (its own PMTiles and MVT
// drivers, in pyogrio's wheel): at the deepest zoom every district of the CSV with its id, the
// CSV's figures, valid polygons; withheld districts flagged and without figures.
#[test]
fn the_tiles_open_in_gdal_with_every_district_and_its_figures() {
    if !python_with("python3", "pyogrio, geopandas", "GAPMAP_REQUIRE_SHAPELY") {
        return;
    }
    let check = r#"
import csv, math, sys, pyogrio
out = sys.argv[1]
for layer in ["block_group", "tract", "ward", "ward_2012", "anc"]:
    path = f"{out}/viewer/{layer}.pmtiles"
    assert [list(l) for l in pyogrio.list_layers(path)] == [[layer, "Polygon"]], pyogrio.list_layers(path)
    df = pyogrio.read_dataframe(path, layer=layer)
    rows = {r["geoid"]: r for r in csv.DictReader(open(f"{out}/{layer}.csv"))}
    assert set(df.geoid) == set(rows), (layer, set(rows) ^ set(df.geoid))
    assert df.geometry.is_valid.all(), layer
    checked = 0
    for _, f in df.iterrows():
        r = rows[f.geoid]
        assert bool(f.withheld) == (r["suppressed"] != ""), (layer, f.geoid)
        for field in ["households", "share_without_broadband", "need_index", "locations"]:
            if field not in df.columns:
                continue
            value, want = f[field], r.get(field, "")
            if r["suppressed"] or want == "":
                assert value is None or math.isnan(value), (layer, f.geoid, field, value)
            else:
                assert abs(value - float(want)) <= 1e-9 * max(1.0, abs(float(want))), (layer, f.geoid, field, value, want)
                checked += 1
    assert checked > len(rows), (layer, checked)
    print(layer, len(rows), checked)
"#;
    let stdout = crate::util::python_script("python3", check, tiled_output());
    assert!(
        stdout.contains("ward 8") && stdout.contains("block_group 571"),
        "{stdout}"
    );
}

// For bench/RESULTS.md: the same 41,112 districts embedded in `data.js` as before issue #14,
// for timing the two side by side (`cargo test --test e2e -- --ignored embedded`).
#[test]
#[ignore = "writes an 80 MB page for a manual comparison"]
fn a_layer_of_41112_districts_embedded_for_comparison() {
    let dir = root().join("target/viewer-41112-embedded");
    let _ = std::fs::remove_dir_all(&dir);
    let (mut layer, _, _) = layer_of_copies(9, 8);
    layer.tiled = false;
    let text = page_text("41,112 block groups (embedded)");
    write_viewer(&dir, &text, &[layer], ClassMethod::Quantiles).expect("viewer written");
    let size = std::fs::metadata(dir.join("viewer/data.js"))
        .expect("data.js")
        .len();
    eprintln!("embedded: data.js {size} bytes");
    assert!(size > 20_000_000, "{size}");
}

// For bench/RESULTS.md: the nation's size, 239,820 districts (420 copies, 21 by 20), as tiles —
// how long they take to write, and what the first map reads
// (`cargo test --test e2e -- --ignored nation --nocapture`).
#[test]
#[ignore = "writes a 240,000-district archive for a manual measurement"]
fn a_layer_of_the_nations_size_as_tiles_for_measurement() {
    let Some(browser) = chromium() else { return };
    let dir = root().join("target/viewer-nation");
    let _ = std::fs::remove_dir_all(&dir);
    let (layer, _, _) = layer_of_copies(21, 20);
    let started = std::time::Instant::now();
    write_viewer(
        &dir,
        &page_text("239,820 block groups"),
        &[layer],
        ClassMethod::Quantiles,
    )
    .expect("viewer written");
    let seconds = started.elapsed().as_secs_f64();
    let archive = std::fs::metadata(dir.join("viewer/block_group.pmtiles"))
        .expect("the tiles")
        .len();
    let server = Served::start(&dir);
    let page = format!("{}index.html?layer=block_group", server.url);
    let body = body_of(&browser, &page, &["--window-size=1280,900"]);
    assert_eq!(
        data(&body, "features").as_deref(),
        Some("239820"),
        "{body:.400}"
    );
    eprintln!(
        "239,820 districts: written in {seconds:.1} s, archive {archive} bytes; first map: {} tiles, {} bytes of tiles read, {} bytes served in all, {} ms (browser clock)",
        data(&body, "tiles-drawn").unwrap_or_default(),
        data(&body, "bytes").unwrap_or_default(),
        server.bytes_sent(),
        data(&body, "first-map-ms").unwrap_or_default()
    );
}
