//! The static viewer: `index.html` and `viewer/` in the output folder, a Leaflet map of every
//! layer that works from the folder with no server and no internet (Leaflet is vendored, the
//! data is a script, not fetched JSON).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ExportError;
use crate::atomic::write_atomic;
use crate::charts::{ClassMethod, Worse, class_count, colours_of, diverging_classes};
use crate::tiles::{TileFeature, TileProp};

const LEAFLET_JS: &[u8] = include_bytes!("../assets/leaflet/leaflet.js");
const LEAFLET_CSS: &[u8] = include_bytes!("../assets/leaflet/leaflet.css");
const LEAFLET_LICENSE: &[u8] = include_bytes!("../assets/leaflet/LICENSE");
const PMTILES_JS: &[u8] = include_bytes!("../assets/pmtiles/pmtiles.js");
const PMTILES_LICENSE: &[u8] = include_bytes!("../assets/pmtiles/LICENSE");
const VIEWER_JS: &[u8] = include_bytes!("../assets/viewer/viewer.js");
const VIEWER_CSS: &[u8] = include_bytes!("../assets/viewer/viewer.css");
const INDEX_HTML: &str = include_str!("../assets/viewer/index.html");

/// How the viewer prints a value (viewer.js's `fmt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    /// A share as a percentage with one decimal.
    Percent,
    /// A share as a percentage with two decimals (small ratios such as cost to income).
    Percent2,
    /// A 0–1 value shown as an index 0–100.
    Index,
    /// Megabits per second.
    Mbps,
    /// Whole dollars.
    Dollars,
    /// Dollars and cents.
    Price,
    /// A count.
    Count,
    /// A number with one decimal.
    Number1,
}

/// One choropleth of a layer, classed like the PNG map of the same field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewerMap {
    /// Short id (`need_index`), for `?map=` links.
    pub id: String,
    /// Title in the map menu.
    pub title: String,
    /// Legend title.
    pub legend: String,
    /// How values print.
    pub format: ValueFormat,
    /// Legend label of districts without a value.
    #[serde(rename = "noData")]
    pub no_data: String,
    /// One value per feature, in feature order (`None`: no value).
    pub values: Vec<Option<f64>>,
    /// Which end is worse: the dark red one, as on the PNG maps.
    #[serde(skip)]
    pub worse: Worse,
}

/// A chart of the layer, shown under the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewerChart {
    /// Caption.
    pub title: String,
    /// Path of the PNG, relative to the output folder.
    pub png: String,
    /// Path of the SVG.
    pub svg: String,
}

/// A data file of the layer, linked under the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewerFile {
    /// Path relative to the output folder.
    pub path: String,
    /// What it is.
    pub label: String,
}

/// One district layer of the viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewerLayer {
    /// Layer name (`ward`), for `?layer=` links.
    pub name: String,
    /// Menu title (`Ward`).
    pub title: String,
    /// What its districts are called, plural.
    pub plural: String,
    /// GeoJSON features (web geometry), in the order of every map's values.
    pub features: Vec<Value>,
    /// Its maps; the first is shown first.
    pub maps: Vec<ViewerMap>,
    /// Its charts.
    pub charts: Vec<ViewerChart>,
    /// Its data files.
    pub files: Vec<ViewerFile>,
    /// Drawn from vector tiles (`viewer/<name>.pmtiles`, read by range requests) instead of
    /// embedded in `data.js`: for layers too large to load whole.
    pub tiled: bool,
    /// The layer's own fields, shown in its popup after the common ones.
    pub own: Vec<OwnPopupField>,
}

/// The page's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerText {
    /// Page title.
    pub title: String,
    /// Line under it.
    pub subtitle: String,
    /// A warning in red (simulated inputs); may be empty.
    pub warning: String,
    /// Attribution shown on the map (sources and licenses).
    pub attribution: String,
    /// Footer (method, version, licenses).
    pub footer: String,
    /// Links to package-wide files: (path, label).
    pub links: Vec<(String, String)>,
}

/// A field shown in the click popup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopupField {
    /// Property name.
    pub field: &'static str,
    /// Label.
    pub label: &'static str,
    /// How it prints.
    pub format: ValueFormat,
    /// The property holding its margin of error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moe: Option<&'static str>,
}

/// What the popup shows, in order (empty fields are skipped).
pub const POPUP_FIELDS: [PopupField; 19] = [
    p(
        "locations",
        "Residential locations",
        ValueFormat::Count,
        None,
    ),
    p(
        "share_served",
        "Served (100/20)",
        ValueFormat::Percent,
        None,
    ),
    p(
        "share_underserved",
        "Underserved",
        ValueFormat::Percent,
        None,
    ),
    p("share_unserved", "Unserved", ValueFormat::Percent, None),
    p(
        "households",
        "Households",
        ValueFormat::Count,
        Some("households_moe"),
    ),
    p(
        "share_no_internet",
        "No internet access",
        ValueFormat::Percent,
        Some("share_no_internet_moe"),
    ),
    p(
        "share_without_broadband",
        "Without broadband",
        ValueFormat::Percent,
        Some("share_without_broadband_moe"),
    ),
    p(
        "share_no_computer",
        "No computer",
        ValueFormat::Percent,
        Some("share_no_computer_moe"),
    ),
    p(
        "share_unaffordable",
        "Unaffordable",
        ValueFormat::Percent,
        Some("share_unaffordable_moe"),
    ),
    p(
        "reference_price",
        "Reference price / month",
        ValueFormat::Price,
        None,
    ),
    p(
        "cost_to_income",
        "Cost to median income",
        ValueFormat::Percent2,
        Some("cost_to_income_moe"),
    ),
    p(
        "median_income",
        "Median household income",
        ValueFormat::Dollars,
        Some("median_income_moe"),
    ),
    p(
        "speed_mean_down_mbps",
        "Mean download (Ookla)",
        ValueFormat::Mbps,
        None,
    ),
    p(
        "mobile_speed_mean_down_mbps",
        "Mean mobile download (Ookla)",
        ValueFormat::Mbps,
        None,
    ),
    p(
        "speed_change_down_mbps",
        "Download change, baseline → latest quarter",
        ValueFormat::Mbps,
        None,
    ),
    p("population", "Residents", ValueFormat::Count, None),
    p(
        "tests_per_1000",
        "Tests per 1,000 residents per quarter",
        ValueFormat::Number1,
        None,
    ),
    p("share_poverty", "In poverty", ValueFormat::Percent, None),
    p(
        "need_index",
        "Need index (0–100)",
        ValueFormat::Number1,
        None,
    ),
];

/// A field of the layer's own (METHOD.md §10) in the popup, after [`POPUP_FIELDS`]: its name
/// and unit, the value as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnPopupField {
    /// Property name (also the label: it is the name the tables use).
    pub field: String,
    /// Its unit.
    pub unit: String,
}

const fn p(
    field: &'static str,
    label: &'static str,
    format: ValueFormat,
    moe: Option<&'static str>,
) -> PopupField {
    PopupField {
        field,
        label,
        format,
        moe,
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn hex(colour: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}

/// Writes `index.html` and `viewer/` into `out`; returns the files written. Each map's classes
/// are computed here with `method` over the values of districts not withheld, exactly as the
/// PNG choropleths do, and coloured with the same palette.
pub fn write_viewer(
    out: &Path,
    text: &ViewerText,
    layers: &[ViewerLayer],
    method: ClassMethod,
) -> Result<Vec<PathBuf>, ExportError> {
    let folder = out.join("viewer");
    let mut written = Vec::new();
    for (name, bytes) in [
        ("leaflet.js", LEAFLET_JS),
        ("leaflet.css", LEAFLET_CSS),
        ("LEAFLET-LICENSE", LEAFLET_LICENSE),
        ("pmtiles.js", PMTILES_JS),
        ("PMTILES-LICENSE", PMTILES_LICENSE),
        ("viewer.js", VIEWER_JS),
        ("viewer.css", VIEWER_CSS),
    ] {
        let path = folder.join(name);
        write_atomic(&path, |w| w.write_all(bytes))?;
        written.push(path);
    }
    let mut layers_json = Vec::new();
    for layer in layers {
        let withheld: Vec<bool> = layer
            .features
            .iter()
            .map(|f| f["properties"]["suppressed"].is_string())
            .collect();
        let maps: Vec<Value> = layer
            .maps
            .iter()
            .filter_map(|m| map_json(m, &withheld, method, layer.tiled))
            .collect();
        if maps.is_empty() {
            continue;
        }
        let mut json = serde_json::json!({
            "type": "FeatureCollection",
            "name": layer.name,
            "title": layer.title,
            "plural": layer.plural,
            "maps": maps,
            "charts": layer.charts,
            "files": layer.files,
            "own": layer.own,
        });
        if layer.tiled {
            let file = format!("{}.pmtiles", layer.name);
            let path = folder.join(&file);
            let features = tile_features(layer)?;
            if let Some(summary) =
                crate::tiles::write_pmtiles(&path, &layer.name, &features, &text.attribution)?
            {
                json["tiles"] = file.into();
                json["count"] = features.len().into();
                json["bounds"] = bounds(&features).into();
                json["minZoom"] = summary.min_zoom.into();
                json["maxZoom"] = summary.max_zoom.into();
                written.push(path);
            }
        } else {
            json["features"] = layer.features.clone().into();
        }
        layers_json.push(json);
    }
    let data = serde_json::json!({
        "attribution": text.attribution,
        "noData": hex(crate::charts::NO_DATA),
        "popup": POPUP_FIELDS,
        "layers": layers_json,
    });
    let path = folder.join("data.js");
    write_atomic(&path, |w| {
        w.write_all(b"window.GAPMAP = ")?;
        serde_json::to_writer(&mut *w, &data)?;
        w.write_all(b";\n")
    })?;
    written.push(path);

    let links: String = text
        .links
        .iter()
        .map(|(path, label)| {
            format!(
                "<li><a href=\"{}\">{}</a> – {}</li>",
                html_escape(path),
                html_escape(path),
                html_escape(label)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let warning = if text.warning.is_empty() {
        String::new()
    } else {
        format!("<p class=\"warning\">{}</p>", html_escape(&text.warning))
    };
    let html = INDEX_HTML
        .replace("{{TITLE}}", &html_escape(&text.title))
        .replace("{{SUBTITLE}}", &html_escape(&text.subtitle))
        .replace("{{WARNING}}", &warning)
        .replace("{{PACKAGE_LINKS}}", &links)
        .replace("{{FOOTER}}", &html_escape(&text.footer));
    let index = out.join("index.html");
    write_atomic(&index, |w| w.write_all(html.as_bytes()))?;
    written.push(index);
    Ok(written)
}

/// A map's entry in `data.js`: its classes and colours, computed over the districts not
/// withheld as the PNG maps do; for a tiled layer without the values (they are in the tiles) but
/// with the legend's counts of withheld and missing districts.
fn map_json(m: &ViewerMap, withheld: &[bool], method: ClassMethod, tiled: bool) -> Option<Value> {
    let values: Vec<f64> = m
        .values
        .iter()
        .zip(withheld)
        .filter(|(_, w)| !**w)
        .filter_map(|(v, _)| *v)
        .collect();
    let classes = match m.worse {
        Worse::Falling | Worse::Rising => diverging_classes(&values, method)?,
        Worse::High | Worse::Low => method.classes(&values, class_count(values.len()))?,
    };
    let colours: Vec<String> = colours_of(&classes, m.worse).into_iter().map(hex).collect();
    let mut json = serde_json::to_value(m).ok()?;
    json["min"] = classes.min.into();
    json["upper"] = classes.upper.clone().into();
    json["colours"] = colours.into();
    json["method"] = method.label().into();
    if tiled {
        let held = withheld.iter().filter(|w| **w).count();
        let missing = m
            .values
            .iter()
            .zip(withheld)
            .filter(|(v, w)| v.is_none() && !**w)
            .count();
        if let Some(object) = json.as_object_mut() {
            object.remove("values");
        }
        json["withheld"] = held.into();
        json["missing"] = missing.into();
    }
    Some(json)
}

/// A layer's districts as tile features: id, withheld flag and one value per map (`m0`, `m1`,
/// …, absent when withheld or missing) at every zoom; name, the reason a district is withheld
/// and the popup's figures at the deepest zoom.
fn tile_features(layer: &ViewerLayer) -> Result<Vec<TileFeature>, ExportError> {
    let failed = |i: usize, message: String| ExportError::Value {
        layer: layer.name.clone(),
        message: format!("district {i} has no polygon geometry for the tiles: {message}"),
    };
    layer
        .features
        .iter()
        .enumerate()
        .map(|(i, feature)| {
            let geometry = geojson::Geometry::deserialize(&feature["geometry"])
                .map_err(|e| failed(i, e.to_string()))?;
            let geometry = match geo::Geometry::<f64>::try_from(geometry)
                .map_err(|e| failed(i, e.to_string()))?
            {
                geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => return Err(failed(i, format!("{other:?}").chars().take(40).collect())),
            };
            let p = &feature["properties"];
            let text = |key: &str| p[key].as_str().map(|s| TileProp::Text(s.to_owned()));
            let withheld = p["suppressed"].is_string();
            let mut everywhere = Vec::new();
            if let Some(id) = text("geoid") {
                everywhere.push(("geoid".to_owned(), id));
            }
            everywhere.push(("withheld".to_owned(), TileProp::Flag(withheld)));
            if !withheld {
                for (k, m) in layer.maps.iter().enumerate() {
                    if let Some(v) = m.values[i] {
                        everywhere.push((format!("m{k}"), TileProp::Number(v)));
                    }
                }
            }
            let mut detail = Vec::new();
            for key in ["name", "suppressed"] {
                if let Some(v) = text(key) {
                    detail.push((key.to_owned(), v));
                }
            }
            let own = layer.own.iter().map(|f| f.field.as_str());
            for f in &POPUP_FIELDS {
                for key in std::iter::once(f.field).chain(f.moe) {
                    if let Some(v) = p[key].as_f64() {
                        detail.push((key.to_owned(), TileProp::Number(v)));
                    }
                }
            }
            for key in own {
                if let Some(v) = p[key].as_f64() {
                    detail.push((key.to_owned(), TileProp::Number(v)));
                }
            }
            Ok(TileFeature {
                geometry,
                everywhere,
                detail,
            })
        })
        .collect()
}

/// West, south, east, north of the features.
fn bounds(features: &[TileFeature]) -> Vec<f64> {
    crate::tiles::layer_bounds(features).map_or_else(Vec::new, |r| {
        vec![r.min().x, r.min().y, r.max().x, r.max().y]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_vendored_leaflet_is_the_real_one() {
        assert_eq!(html_escape("<b>&\"</b>"), "&lt;b&gt;&amp;&quot;&lt;/b&gt;");
        let head = std::str::from_utf8(&LEAFLET_JS[..200]).unwrap_or("");
        assert!(head.contains("Leaflet 1.9.4"), "{head}");
        assert!(INDEX_HTML.contains("viewer/leaflet.js") && INDEX_HTML.contains("viewer/data.js"));
    }
}
