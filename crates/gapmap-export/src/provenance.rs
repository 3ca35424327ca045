//! `metadata.json`: a run's provenance as one typed document — the tool, the method's rules
//! with this run's numbers, the configuration, every input with its SHA-256, what each layer
//! is and how it was made, the licenses and the warnings. Written with serde and read back the
//! same way (`gapmap batch` reads the inputs of a finished run from it).

use std::path::Path;

use gapmap_gaps::run::PriceMatch;
use serde::{Deserialize, Serialize};

use crate::ExportError;
use crate::metadata::InputFile;

/// The whole `metadata.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Which gapmap wrote it.
    pub tool: Tool,
    /// When (RFC 3339; `SOURCE_DATE_EPOCH` fixes it).
    pub generated_at: String,
    /// The area's name.
    pub area: String,
    /// Whether the availability rows are a simulation.
    pub simulated_availability: bool,
    /// What a reader must know first (empty for real data).
    pub notice: String,
    /// The method's rules, with this run's numbers.
    pub method: MethodSummary,
    /// The resolved configuration, as the run used it.
    pub configuration: serde_json::Value,
    /// Every file read, in reading order.
    pub inputs: Vec<InputFile>,
    /// What was read from each source.
    pub input_summary: InputSummary,
    /// Every published layer.
    pub layers: Vec<LayerProvenance>,
    /// Affordability's rule, prices and brackets (METHOD.md §4), when computed.
    pub affordability: Option<AffordabilityProvenance>,
    /// Every chart, relative to the package folder.
    pub charts: Vec<String>,
    /// What license covers which figures.
    pub licenses: Vec<LicenseNote>,
    /// What the run found worth saying.
    pub warnings: Vec<String>,
}

/// The tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `gapmap`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The rules of METHOD.md as this run applied them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodSummary {
    /// The method's document.
    pub reference: String,
    /// The output fields, in order.
    pub fields: Vec<String>,
    /// §2.
    pub tiers: String,
    /// §3.
    pub acs_rollup: String,
    /// §5.
    pub speed_tiles: String,
    /// §7.
    pub need_index: String,
    /// §8, with the thresholds.
    pub suppression: String,
}

/// What was read from each source (`None`: not given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    /// BDC files.
    pub bdc: Option<BdcSummary>,
    /// ACS tables.
    pub acs: Option<AcsSummary>,
    /// Ookla tiles.
    pub ookla: Option<OoklaSummary>,
    /// Block housing counts.
    pub blocks: Option<BlocksSummary>,
}

/// The BDC files read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BdcSummary {
    /// Files (zips or CSVs).
    pub files: usize,
    /// CSV members.
    pub csv_members: usize,
    /// Data rows.
    pub rows: u64,
    /// Business-only rows left out.
    pub business_rows_excluded: u64,
    /// Residential locations.
    pub residential_locations: usize,
    /// Whether they are simulated.
    pub simulated: bool,
}

/// The ACS tables read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcsSummary {
    /// Their variables.
    pub variables: Vec<String>,
    /// The 5-year period.
    pub vintage: Option<String>,
}

/// The Ookla tiles read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OoklaSummary {
    /// Tiles (tile × period).
    pub tiles: usize,
    /// Rows of the block-joined table (0 for raw tiles).
    pub tile_block_rows: usize,
    /// The quarters covered.
    pub period: Option<String>,
    /// Mobile tiles (tile × period) read beside the fixed ones (METHOD.md §10), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_tiles: Option<usize>,
}

/// The block counts read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocksSummary {
    /// Blocks.
    pub blocks: usize,
    /// Their housing units.
    pub housing_units: u64,
}

/// One published layer: what it is, how it was made, and its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerProvenance {
    /// Its name.
    pub level: String,
    /// `census level` or `layer tabulated by its own ids`.
    pub kind: String,
    /// What its own tables are.
    pub tables: Option<String>,
    /// How it was apportioned (METHOD.md §6).
    pub apportionment: Option<Apportionment>,
    /// Its districts.
    pub districts: usize,
    /// What §8 withheld.
    pub withheld: Option<WithheldCount>,
    /// Its GeoJSON file.
    pub geojson: String,
    /// Its CSV file.
    pub csv: String,
    /// The boundary file, relative to the configuration.
    pub boundaries: String,
    /// The CRS the boundaries were stored in.
    pub source_crs: String,
    /// How they were brought to WGS84.
    pub crs_handling: String,
    /// The outputs' CRS.
    pub output_crs: String,
    /// Decimals of the GeoJSON coordinates.
    pub coordinate_precision: u32,
    /// The web layer, if written.
    pub web_geojson: Option<WebLayer>,
    /// The newline-delimited layer, if written.
    pub geojsonl: Option<String>,
    /// How much of each input fell in the layer's districts.
    pub coverage: CoverageCounts,
    /// The population living in districts whose mean download is below a threshold (METHOD.md
    /// §10), for the pooled span and the latest quarter; empty without population figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub population_below_speed: Vec<PopulationBelowSpeed>,
    /// The layer's own fields from its attribute tables (METHOD.md §10), after the §9 fields
    /// in every output; empty when it has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_fields: Vec<OwnField>,
}

/// A field a layer's attribute table adds (METHOD.md §10): where each value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnField {
    /// Output field name.
    pub field: String,
    /// The table it is read from (relative to the configuration).
    pub table: String,
    /// Its column there.
    pub column: String,
    /// Its unit.
    pub unit: String,
    /// What it is.
    pub description: String,
    /// Who published it.
    pub source: String,
}

/// The residents of districts whose mean download is below a threshold (METHOD.md §10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationBelowSpeed {
    /// The threshold, Mbps (§5's slow download).
    pub download_mbps: f64,
    /// Over which tiles: `pooled` or a quarter (`2022Q4`).
    pub period: String,
    /// How many districts are below it.
    pub districts: usize,
    /// Their residents.
    pub population: f64,
    /// The residents of the districts with both a population and a mean download (not withheld).
    pub population_with_figures: f64,
    /// `population / population_with_figures`.
    pub share: Option<f64>,
}

/// How a layer was apportioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Apportionment {
    /// The source level.
    pub from: String,
    /// The method, in words.
    pub method: String,
    /// What is not apportioned.
    pub not_apportioned: String,
    /// What fell in no district.
    pub unassigned: Option<Unassigned>,
}

/// What of the source units fell in no district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    /// Residential locations.
    pub locations: Option<f64>,
    /// Households.
    pub households: Option<f64>,
}

/// Districts withheld under METHOD.md §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithheldCount {
    /// Below a threshold themselves.
    pub primary: usize,
    /// Withheld to protect them.
    pub complementary: usize,
}

/// A web-simplified layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebLayer {
    /// Its file.
    pub file: String,
    /// How it was simplified.
    pub simplification: String,
}

/// How much of each input fell in some district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageCounts {
    /// Residential locations read.
    pub locations_total: u64,
    /// Of them, in no district.
    pub locations_outside_layer: u64,
    /// ACS units read.
    pub acs_units_total: u64,
    /// Of them, in no district.
    pub acs_units_outside_layer: u64,
}

/// Affordability as configured and as matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffordabilityProvenance {
    /// The share of income.
    pub share_of_income: f64,
    /// The rule, in words.
    pub rule: String,
    /// The price where no table gives one.
    pub reference_price_fallback: Option<f64>,
    /// The price tables, as configured.
    pub price_source: PriceSources,
    /// The income brackets, as configured.
    pub bracket_source: serde_json::Value,
    /// The median income variable.
    pub median_income: Option<String>,
    /// How each census level met the price table.
    pub price_matches: Vec<PriceMatch>,
    /// The city layers' own prices and brackets.
    pub layers: Vec<LayerAffordability>,
    /// The shares the charts compare.
    pub chart_shares: Vec<f64>,
}

/// The configured price tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceSources {
    /// The area price table.
    pub area_prices: serde_json::Value,
    /// The plan table.
    pub plans: serde_json::Value,
}

/// A city layer's affordability settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerAffordability {
    /// The layer.
    pub layer: String,
    /// Its brackets.
    pub brackets: serde_json::Value,
    /// Its median income variable.
    pub median_income: Option<String>,
    /// Its price.
    pub reference_price: Option<f64>,
    /// Where that price comes from.
    pub reference_price_source: Option<String>,
}

/// Which figures a license covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AppliesTo {
    /// In words.
    Text(String),
    /// A list of fields.
    Fields(Vec<String>),
}

/// A license and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseNote {
    /// What it covers.
    pub applies_to: AppliesTo,
    /// Who published the data it covers; absent for the built-in sources.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub source: Option<Source>,
    /// The license, in words.
    pub license: String,
    /// Its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_url: Option<String>,
    /// The attribution it requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// What it means for users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Who published a licensed input: named, or a `null` where the configuration names no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The publisher.
    Named(String),
    /// Not named (written as `null`).
    Unnamed,
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Source::Named(name) => serializer.serialize_str(name),
            Source::Unnamed => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map_or(Source::Unnamed, Source::Named))
    }
}

/// A key that is present, even as `null`, is a source.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Source>, D::Error> {
    Source::deserialize(deserializer).map(Some)
}

impl Metadata {
    /// Reads a `metadata.json` a run wrote.
    pub fn read(path: &Path) -> Result<Metadata, ExportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ExportError::Metadata {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes it as pretty JSON, atomically.
    pub fn write(&self, path: &Path) -> Result<(), ExportError> {
        crate::write_atomic(path, |out| {
            serde_json::to_writer_pretty(&mut *out, self)?;
            out.write_all(b"\n")
        })
    }
}
