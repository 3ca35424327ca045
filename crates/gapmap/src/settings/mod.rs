//! The run configuration (`gapmap.toml`): inputs, levels, thresholds and output options.
//! Unknown keys are errors, so a typo never silently falls back to a default; `check.rs`
//! checks values and paths once parsed.

mod check;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapmap_core::{Level, NeedWeights, Thresholds};
use gapmap_gaps::suppress::Suppression;
use serde::{Deserialize, Serialize};

/// A whole run configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The area the run covers.
    pub area: Area,
    /// FCC BDC fixed-availability files.
    pub bdc: Option<BdcSettings>,
    /// ACS tables.
    pub acs: Option<AcsSettings>,
    /// 2020 block housing counts.
    pub blocks: Option<BlockSettings>,
    /// Ookla tiles.
    pub ookla: Option<OoklaSettings>,
    /// Affordability (METHOD.md §4).
    pub affordability: Option<AffordabilitySettings>,
    /// The census levels to compute (none for a run outside the US, or of a city's own
    /// layers only).
    #[serde(rename = "level", default)]
    pub levels: Vec<LevelSettings>,
    /// The city's own district layers (wards, commissions): apportioned from a census level
    /// and/or joined to tables tabulated by their own ids (e.g. DP03 per ward).
    #[serde(rename = "layer", default)]
    pub layers: Vec<LayerSettings>,
    /// METHOD.md §2, §5 thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// METHOD.md §7 weights.
    #[serde(default)]
    pub need_weights: NeedWeights,
    /// METHOD.md §8 suppression thresholds.
    #[serde(default)]
    pub suppression: Suppression,
    /// Output options.
    #[serde(default)]
    pub output: OutputSettings,
}

/// The area.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Its name, as shown in chart titles.
    pub name: String,
    /// Where the boundaries come from, for the charts' source line.
    #[serde(default = "default_boundaries_source")]
    pub boundaries_source: String,
}

fn default_boundaries_source() -> String {
    "U.S. Census Bureau 2020 cartographic boundaries".into()
}

/// BDC inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BdcSettings {
    /// Zips or CSVs, or folders of them.
    pub files: Vec<PathBuf>,
    /// The BDC release (e.g. "J24, as of 2024-06-30").
    pub vintage: String,
    /// The rows are a simulation, not FCC data: outputs say so.
    #[serde(default)]
    pub simulated: bool,
}

/// ACS inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcsSettings {
    /// Table files, or folders of them.
    pub tables: Vec<PathBuf>,
    /// The 5-year period, e.g. "2017-2021".
    pub vintage: String,
}

/// Block counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSettings {
    /// The long-format 2020 housing counts: a file, a list, or folders (one per county; a
    /// block in two files must have the same counts).
    #[serde(deserialize_with = "one_or_many")]
    pub housing_counts: Vec<PathBuf>,
    /// Block internal points: with them, layers are apportioned through blocks (METHOD.md §6)
    /// instead of by area.
    pub points: Option<BlockPointSettings>,
}

/// A table of block internal points.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockPointSettings {
    /// The table (CSV): a file, a list, or folders (one per county; a block in two files must
    /// have the same point).
    #[serde(deserialize_with = "one_or_many")]
    pub file: Vec<PathBuf>,
    /// Block GEOID column.
    #[serde(default = "default_point_id")]
    pub id: String,
    /// Latitude column.
    #[serde(default = "default_point_latitude")]
    pub latitude: String,
    /// Longitude column.
    #[serde(default = "default_point_longitude")]
    pub longitude: String,
}

fn default_point_id() -> String {
    "GEOID20".into()
}

fn default_point_latitude() -> String {
    "INTPTLAT20".into()
}

fn default_point_longitude() -> String {
    "INTPTLON20".into()
}

/// Ookla tiles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OoklaSettings {
    /// Block-joined tiles (`GEOID20, avg_d_mbps, ...`), each tile repeated for every block it
    /// touches: a file, a list of files or folders of them (one per county, say; a tile in
    /// several files is one tile).
    #[serde(default, deserialize_with = "one_or_many")]
    pub block_tiles: Vec<PathBuf>,
    /// Raw tile files as Ookla publishes them (GeoJSON, Parquet, CSV with quadkeys), or folders
    /// of them: a file, a list or folders; tiles go to the district holding their centroid
    /// (METHOD.md §5).
    #[serde(default, deserialize_with = "one_or_many")]
    pub tiles: Vec<PathBuf>,
    /// Ookla's mobile tiles, read beside the fixed ones (`kind = "fixed"`) and published
    /// apart in the `mobile_*` fields (METHOD.md §10): raw tile files or folders, like `tiles`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub mobile_tiles: Vec<PathBuf>,
    /// The quarters covered, e.g. "2022 Q1–Q4".
    pub period: String,
    /// Which of Ookla's layers the tiles are.
    #[serde(default)]
    pub kind: OoklaKind,
    /// The quarter a change is measured from (`2019Q1`); the tiles' first by default.
    pub baseline: Option<String>,
    /// The quarter a change is measured to (`2022Q4`); the tiles' last by default.
    pub latest: Option<String>,
}

/// Which of Ookla's layers the tiles are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OoklaKind {
    /// `type=fixed`: fixed broadband (METHOD.md §5).
    #[default]
    Fixed,
    /// `type=mobile`: mobile tests, computed as fixed ones are (§5) and called mobile; a run
    /// is of one kind (fixed tiles are refused in it).
    Mobile,
    /// The source does not say (a table shared by a study): the speeds are not called fixed.
    Unstated,
}

impl OoklaKind {
    /// How charts call the measured speeds: "fixed download speed" or "download speed".
    pub fn adjective(self) -> &'static str {
        match self {
            OoklaKind::Fixed => "fixed ",
            OoklaKind::Mobile => "mobile ",
            OoklaKind::Unstated => "",
        }
    }
}

/// A path or a list of paths, as a file key of `gapmap.toml` takes them.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a path or a list of paths")]
    enum OneOrMany {
        One(PathBuf),
        Many(Vec<PathBuf>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(path) => vec![path],
        OneOrMany::Many(paths) => paths,
    })
}

/// One census level.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSettings {
    /// `tract`, `block_group` or `county`.
    pub level: Level,
    /// GeoJSON, Shapefile (also zipped), or any OGR source with the `gdal` feature.
    #[serde(deserialize_with = "one_or_many")]
    pub boundaries: Vec<PathBuf>,
    /// The layer inside a multi-layer source (GeoPackage, a zip of shapefiles).
    pub layer: Option<String>,
    /// The field holding the GEOID.
    #[serde(default = "default_id_field")]
    pub id_field: String,
    /// The field holding the label.
    pub name_field: Option<String>,
}

/// Affordability settings and inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffordabilitySettings {
    /// `s`: affordable when 12·P ≤ s · income (0.02); `--affordability-share` overrides it.
    #[serde(default = "default_share")]
    pub share_of_income: f64,
    /// P where no price table gives one, $/month (none: such districts get no price).
    pub reference_price: Option<f64>,
    /// An area-level price table.
    pub area_prices: Option<AreaPriceSettings>,
    /// A plan-level price table.
    pub plans: Option<PlanSettings>,
    /// Income brackets among the `[acs]` tables.
    pub brackets: Option<BracketSettings>,
    /// Median household income variable among the `[acs]` tables (e.g. B19013_001).
    pub median_income: Option<String>,
    /// Shares at which the affordability chart compares layers (e.g. [0.02, 0.05]).
    #[serde(default)]
    pub chart_shares: Vec<f64>,
}

fn default_share() -> f64 {
    0.02
}

/// An area-level price table (long format).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaPriceSettings {
    /// The table: a file, a list, or folders (one per county; an area in two files must have
    /// one price).
    #[serde(deserialize_with = "one_or_many")]
    pub file: Vec<PathBuf>,
    /// The measure giving the lowest served-tier price (e.g. `min_price_100_20`).
    pub measure: String,
    /// The census geography of its GEOIDs (`2010` or `2020`).
    pub geography: u16,
    /// Who published it, for the metadata and charts.
    pub source: String,
    /// Its license.
    pub license: String,
}

/// A plan-level price table and its columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanSettings {
    /// The table: a file, a list, or folders (their plans together).
    #[serde(deserialize_with = "one_or_many")]
    pub file: Vec<PathBuf>,
    /// Which columns hold the provider, technology, speeds, price and area (the reader's own
    /// type, so the two cannot drift apart).
    #[serde(flatten)]
    pub columns: gapmap_ingest::PlanColumns,
    /// Who published it.
    pub source: String,
    /// Its license.
    pub license: String,
    /// Keys that are none of the above: refused when the settings are checked (serde cannot
    /// deny unknown fields beside a flattened struct).
    #[serde(flatten, skip_serializing)]
    pub unknown: std::collections::BTreeMap<String, toml::Value>,
}

/// Income brackets: a preset (`B19001`, `DP03`) or explicit edges and variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BracketSettings {
    /// `B19001` or `DP03`.
    pub preset: Option<String>,
    /// Lower edges of the brackets, ascending (with `variables` and `total`).
    pub lower_edges: Option<Vec<f64>>,
    /// One variable per bracket.
    pub variables: Option<Vec<String>>,
    /// The total (universe) variable.
    pub total: Option<String>,
}

impl BracketSettings {
    /// The bracket specification, or what is wrong with it.
    pub fn spec(&self) -> Result<gapmap_gaps::affordability::BracketSpec> {
        use gapmap_gaps::affordability::{BracketEdges, BracketSpec};
        match (
            &self.preset,
            &self.lower_edges,
            &self.variables,
            &self.total,
        ) {
            (Some(preset), None, None, None) => match preset.to_ascii_uppercase().as_str() {
                "B19001" => Ok(BracketSpec::b19001()),
                "DP03" => Ok(BracketSpec::dp03()),
                other => bail!(
                    "unknown bracket preset `{other}`: use B19001 or DP03, or give lower_edges, variables and total"
                ),
            },
            (None, Some(edges), Some(variables), Some(total)) => {
                let edges = BracketEdges::new(edges.clone())
                    .context("brackets.lower_edges must be non-negative and strictly ascending")?;
                if edges.len() != variables.len() {
                    bail!(
                        "brackets: {} lower edges but {} variables; give one variable per bracket",
                        edges.len(),
                        variables.len()
                    );
                }
                Ok(BracketSpec {
                    edges,
                    variables: variables.clone(),
                    total: total.clone(),
                })
            }
            _ => bail!(
                "brackets: give either `preset`, or all of `lower_edges`, `variables` and `total`"
            ),
        }
    }
}

/// A layer of the city's own districts: apportioned from a census level, tabulated by its own
/// ids, or both.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSettings {
    /// The layer's name (file names and the `level` field), e.g. `ward`.
    pub name: String,
    /// How charts call one district and several ("ANC", "ANCs"); the name by default.
    pub unit_names: Option<(String, String)>,
    /// GeoJSON, Shapefile (also zipped), or any OGR source with the `gdal` feature.
    #[serde(deserialize_with = "one_or_many")]
    pub boundaries: Vec<PathBuf>,
    /// The layer inside a multi-layer source.
    pub layer: Option<String>,
    /// The field whose value joins the tables' GEOID column.
    pub id_field: String,
    /// The label field.
    pub name_field: Option<String>,
    /// The census level whose units are apportioned to this layer by area (METHOD.md §6).
    pub apportion_from: Option<Level>,
    /// Tables keyed by the layer's ids (ACS-style columns).
    #[serde(default)]
    pub tables: Vec<PathBuf>,
    /// What the tables are (shown in metadata and charts).
    pub tables_source: Option<String>,
    /// The tables' and boundaries' license.
    pub license: String,
    /// Income brackets in those tables.
    pub brackets: Option<BracketSettings>,
    /// Median income variable in those tables.
    pub median_income: Option<String>,
    /// The reference price for this layer's districts, $/month.
    pub reference_price: Option<f64>,
    /// Where that price comes from.
    pub reference_price_source: Option<String>,
    /// Attribute tables keyed by the layer's ids: population, poverty (METHOD.md §10).
    #[serde(default)]
    pub attributes: Vec<AttributeSettings>,
}

/// One attribute table of a layer (CSV), and which of its columns give which figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeSettings {
    /// The table.
    pub file: PathBuf,
    /// Its column holding the layer's ids (read as text).
    pub id: String,
    /// The column of residents (`population`).
    pub population: Option<String>,
    /// The column of the share of residents in poverty (`share_poverty`).
    pub share_poverty: Option<String>,
    /// `share` (0–1, the default) or `percent` (0–100): how `share_poverty` is written.
    #[serde(default)]
    pub share_poverty_unit: ShareUnit,
    /// Any other numeric columns, each an output field of its own, passed through as read.
    #[serde(default)]
    pub columns: Vec<AttributeColumn>,
    /// What the figures are and who published them (metadata, charts).
    pub source: String,
    /// Its license.
    pub license: String,
}

/// A column of an attribute table published as a field of the layer (METHOD.md §10):
/// households, a median income, an index — its values as read, in the unit stated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeColumn {
    /// The column in the table.
    pub column: String,
    /// The output field (`hdi_2019`): lower-case letters, digits and `_`, not a field of
    /// METHOD.md §9; the column's name by default.
    pub field: Option<String>,
    /// Its unit, as the source states it (`households`, `PEN per month`, `index 0–1`).
    pub unit: String,
    /// What it is (the table schema's description).
    pub description: String,
    /// Who published this column, where the table's `source` does not say (a compilation of
    /// several sources).
    pub source: Option<String>,
}

impl AttributeColumn {
    /// The output field's name.
    pub fn field(&self) -> &str {
        self.field.as_deref().unwrap_or(&self.column)
    }
}

/// How a share is written in a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareUnit {
    /// A fraction in [0, 1].
    #[default]
    Share,
    /// A percentage in [0, 100].
    Percent,
}

fn default_id_field() -> String {
    "GEOID".into()
}

/// Output options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each is an independent on/off key of [output] in gapmap.toml"
)]
pub struct OutputSettings {
    /// Decimals of GeoJSON coordinates (6 ≈ 0.1 m).
    pub coordinate_precision: u32,
    /// Write charts.
    pub charts: bool,
    /// How many districts the ranked and stacked bar charts show.
    pub top_districts: usize,
    /// How choropleths (and the viewer) class values: quantiles or natural breaks (Jenks).
    pub classification: Classification,
    /// Tolerance, in metres, of the topology-preserving simplification of the web layers
    /// (`<layer>.web.geojson`, used by the viewer); 0 writes no web layers. The full-resolution
    /// layer is always written.
    pub web_simplify_m: f64,
    /// When to also write a layer as newline-delimited GeoJSON (`<layer>.geojsonl`).
    pub geojsonl: GeojsonSeq,
    /// Also write each layer as GeoParquet 1.1 (`<layer>.parquet`): every field with its fixed
    /// type, WKB geometry.
    pub geoparquet: bool,
    /// Also write each layer as FlatGeobuf with a spatial index (`<layer>.fgb`), typed as the
    /// GeoParquet.
    pub flatgeobuf: bool,
    /// Also write each layer as a GeoPackage (`<layer>.gpkg`), typed as the GeoParquet; needs
    /// gapmap built with the `gdal` feature.
    pub geopackage: bool,
    /// The field of the histogram chart.
    pub histogram_field: String,
    /// Write the static viewer (`index.html` and `viewer/`).
    pub viewer: bool,
    /// When the viewer draws a layer from vector tiles (`viewer/<layer>.pmtiles`, read by HTTP
    /// range requests, so the page needs a web server) instead of embedding it in
    /// `viewer/data.js` (which works from the folder): `large` (5,000 districts or more),
    /// `always` or `never`.
    pub viewer_tiles: ViewerTiles,
}

/// When the viewer reads a layer from vector tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewerTiles {
    /// Never: every layer is embedded in `data.js`.
    Never,
    /// For layers of at least 5,000 districts.
    Large,
    /// For every layer.
    Always,
}

impl ViewerTiles {
    /// Whether a layer of `features` districts is drawn from tiles.
    pub fn applies(self, features: usize) -> bool {
        match self {
            ViewerTiles::Never => false,
            ViewerTiles::Large => features >= 5_000,
            ViewerTiles::Always => true,
        }
    }
}

/// How values are grouped into colour classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Classes holding about equal numbers of districts.
    Quantiles,
    /// Jenks natural breaks (Fisher's exact optimisation): classes of similar values.
    NaturalBreaks,
}

/// When a layer is also written as GeoJSON text sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeojsonSeq {
    /// Never.
    Never,
    /// For layers of at least 10,000 districts.
    Large,
    /// For every layer.
    Always,
}

impl GeojsonSeq {
    /// Whether a layer of `features` features gets a `.geojsonl`.
    pub fn applies(self, features: usize) -> bool {
        match self {
            GeojsonSeq::Never => false,
            GeojsonSeq::Large => features >= 10_000,
            GeojsonSeq::Always => true,
        }
    }
}

impl Default for OutputSettings {
    fn default() -> Self {
        Self {
            coordinate_precision: 6,
            charts: true,
            top_districts: 20,
            classification: Classification::Quantiles,
            web_simplify_m: 10.0,
            geojsonl: GeojsonSeq::Large,
            geoparquet: true,
            flatgeobuf: true,
            geopackage: false,
            histogram_field: "share_without_broadband".into(),
            viewer: true,
            viewer_tiles: ViewerTiles::Large,
        }
    }
}

impl Settings {
    /// Parses and checks the text of a configuration stored at `path` (named in errors), whose
    /// relative paths are relative to `base`.
    pub fn parse(text: &str, base: &Path, path: &Path) -> Result<Settings> {
        let settings: Settings = toml::from_str(text)
            .with_context(|| format!("{} is not a valid gapmap configuration", path.display()))?;
        settings.check(base, path)?;
        Ok(settings)
    }
}

/// A share of income must be a fraction in (0, 1].
pub fn check_share(share: f64) -> Result<()> {
    if share.is_finite() && share > 0.0 && share <= 1.0 {
        Ok(())
    } else {
        bail!(
            "the affordability share must be a fraction of income in (0, 1], e.g. 0.02 for 2%; got {share}"
        )
    }
}

/// A monthly price, when given, must be a positive amount of dollars (METHOD.md §4: 0 would
/// make every plan affordable, a negative one every threshold negative).
pub fn check_price(price: Option<f64>) -> Result<()> {
    match price {
        Some(p) if !(p.is_finite() && p > 0.0) => {
            bail!("reference_price = {p}: a monthly price in dollars, more than 0 (e.g. 39.99)")
        }
        _ => Ok(()),
    }
}

/// Expands folders into their files with one of `extensions`, sorted; files stay as given.
pub fn expand(base: &Path, paths: &[PathBuf], extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let full = base.join(path);
        if full.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&full)
                .with_context(|| format!("cannot list {}", full.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
                })
                .collect();
            if found.is_empty() {
                bail!(
                    "{} holds no .{} file",
                    full.display(),
                    extensions.join(" or .")
                );
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(full);
        }
    }
    // A file named twice (itself and its folder, or two spellings of one path) would have its
    // rows counted twice.
    let mut seen: Vec<(PathBuf, &PathBuf)> = Vec::new();
    for file in &files {
        let canonical = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        if let Some((_, first)) = seen.iter().find(|(c, _)| *c == canonical) {
            bail!(
                "{} is listed twice ({} and {}): its rows would count twice; name each file once",
                canonical.display(),
                first.display(),
                file.display()
            );
        }
        seen.push((canonical, file));
    }
    Ok(files)
}
