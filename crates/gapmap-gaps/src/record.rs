//! One output row per district, with the stable field names of METHOD.md §9.

use std::borrow::Cow;

use gapmap_core::{Estimate, NotAvailable};

/// A value of an output field; `Empty` means unknown or suppressed.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text.
    Text(String),
    /// A count.
    Count(u64),
    /// A number (estimates, shares, means).
    Number(f64),
    /// Unknown or suppressed.
    Empty,
}

impl From<Option<f64>> for FieldValue {
    fn from(value: Option<f64>) -> Self {
        value
            .filter(|v| v.is_finite())
            .map_or(FieldValue::Empty, FieldValue::Number)
    }
}

impl From<Option<u64>> for FieldValue {
    fn from(value: Option<u64>) -> Self {
        value.map_or(FieldValue::Empty, FieldValue::Count)
    }
}

/// The output fields, in output order: METHOD.md §9's (with `median_income` and its MOE after
/// `cost_to_income`, the input of that ratio and of the income scatter chart), then the counts
/// by best technology (§2 "also reported"), `need_components` (§7 asks that the components used
/// be named in the output; §9 has no field for it) and `notes`. The one registry of output
/// fields: the CSV and GeoJSON columns, the table schema and [`FIELD_NAMES`] come from it.
pub const FIELDS: [Field; 64] = [
    Field {
        name: "geoid",
        kind: FieldType::String,
        unit: "",
        description: "District id: the census GEOID, or the layer's own id field",
        source: FieldSource::Identity,
        value: |r| FieldValue::Text(r.geoid.clone()),
    },
    Field {
        name: "name",
        kind: FieldType::String,
        unit: "",
        description: "District label",
        source: FieldSource::Identity,
        value: |r| FieldValue::Text(r.name.clone()),
    },
    Field {
        name: "level",
        kind: FieldType::String,
        unit: "",
        description: "tract, block_group, county, or the custom layer's name",
        source: FieldSource::Identity,
        value: |r| FieldValue::Text(r.level.clone()),
    },
    Field {
        name: "locations",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential BDC locations (METHOD.md §2); fractional where apportioned by area (§6)",
        source: FieldSource::Availability,
        value: |r| r.locations.into(),
    },
    Field {
        name: "locations_served",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations with a reliable offer of at least 100/20 Mbps and low latency (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_served.into(),
    },
    Field {
        name: "locations_underserved",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best reliable offer is at least 25/3 but below 100/20 Mbps (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_underserved.into(),
    },
    Field {
        name: "locations_unserved",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations without a reliable offer of 25/3 Mbps (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_unserved.into(),
    },
    Field {
        name: "locations_gigabit",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations with an offer of at least 1000/500 Mbps (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_gigabit.into(),
    },
    Field {
        name: "share_served",
        kind: FieldType::Number,
        unit: "share",
        description: "locations_served / locations",
        source: FieldSource::Availability,
        value: |r| r.share_served.into(),
    },
    Field {
        name: "share_underserved",
        kind: FieldType::Number,
        unit: "share",
        description: "locations_underserved / locations",
        source: FieldSource::Availability,
        value: |r| r.share_underserved.into(),
    },
    Field {
        name: "share_unserved",
        kind: FieldType::Number,
        unit: "share",
        description: "locations_unserved / locations",
        source: FieldSource::Availability,
        value: |r| r.share_unserved.into(),
    },
    Field {
        name: "households",
        kind: FieldType::Number,
        unit: "households",
        description: "ACS households, B28002_001 (§3)",
        source: FieldSource::Census,
        value: |r| value(r.households.as_ref()),
    },
    Field {
        name: "households_moe",
        kind: FieldType::Number,
        unit: "households",
        description: "90% margin of error of households",
        source: FieldSource::Census,
        value: |r| margin(r.households.as_ref()),
    },
    Field {
        name: "no_internet",
        kind: FieldType::Number,
        unit: "households",
        description: "Households with no internet access, B28002_013 (§3)",
        source: FieldSource::Census,
        value: |r| value(r.no_internet.as_ref()),
    },
    Field {
        name: "no_internet_moe",
        kind: FieldType::Number,
        unit: "households",
        description: "90% margin of error of no_internet",
        source: FieldSource::Census,
        value: |r| margin(r.no_internet.as_ref()),
    },
    Field {
        name: "share_no_internet",
        kind: FieldType::Number,
        unit: "share",
        description: "no_internet / households",
        source: FieldSource::Census,
        value: |r| value(r.share_no_internet.as_ref()),
    },
    Field {
        name: "share_no_internet_moe",
        kind: FieldType::Number,
        unit: "share",
        description: "90% margin of error of share_no_internet (proportion formula, §3)",
        source: FieldSource::Census,
        value: |r| margin(r.share_no_internet.as_ref()),
    },
    Field {
        name: "without_broadband",
        kind: FieldType::Number,
        unit: "households",
        description: "Households without a broadband subscription, B28002_001 − B28002_004 (§3)",
        source: FieldSource::Census,
        value: |r| value(r.without_broadband.as_ref()),
    },
    Field {
        name: "without_broadband_moe",
        kind: FieldType::Number,
        unit: "households",
        description: "90% margin of error of without_broadband",
        source: FieldSource::Census,
        value: |r| margin(r.without_broadband.as_ref()),
    },
    Field {
        name: "share_without_broadband",
        kind: FieldType::Number,
        unit: "share",
        description: "without_broadband / households",
        source: FieldSource::Census,
        value: |r| value(r.share_without_broadband.as_ref()),
    },
    Field {
        name: "share_without_broadband_moe",
        kind: FieldType::Number,
        unit: "share",
        description: "90% margin of error of share_without_broadband",
        source: FieldSource::Census,
        value: |r| margin(r.share_without_broadband.as_ref()),
    },
    Field {
        name: "no_computer",
        kind: FieldType::Number,
        unit: "households",
        description: "Households with no computing device, B28001_001 − B28001_002 (§3)",
        source: FieldSource::Census,
        value: |r| value(r.no_computer.as_ref()),
    },
    Field {
        name: "no_computer_moe",
        kind: FieldType::Number,
        unit: "households",
        description: "90% margin of error of no_computer",
        source: FieldSource::Census,
        value: |r| margin(r.no_computer.as_ref()),
    },
    Field {
        name: "share_no_computer",
        kind: FieldType::Number,
        unit: "share",
        description: "no_computer / households of the computer table (B28001_001)",
        source: FieldSource::Census,
        value: |r| value(r.share_no_computer.as_ref()),
    },
    Field {
        name: "share_no_computer_moe",
        kind: FieldType::Number,
        unit: "share",
        description: "90% margin of error of share_no_computer (proportion formula, §3)",
        source: FieldSource::Census,
        value: |r| margin(r.share_no_computer.as_ref()),
    },
    Field {
        name: "reference_price",
        kind: FieldType::Number,
        unit: "USD per month",
        description: "Price of the cheapest adequate (100/20) plan used for the district (§4)",
        source: FieldSource::Affordability,
        value: |r| r.reference_price.into(),
    },
    Field {
        name: "income_threshold",
        kind: FieldType::Number,
        unit: "USD per year",
        description: "12 × reference_price / share of income: below it a plan is unaffordable (§4)",
        source: FieldSource::Affordability,
        value: |r| r.income_threshold.into(),
    },
    Field {
        name: "unaffordable",
        kind: FieldType::Number,
        unit: "households",
        description: "Households with income below income_threshold, interpolated within their bracket (§4)",
        source: FieldSource::Affordability,
        value: |r| value(r.unaffordable.as_ref()),
    },
    Field {
        name: "unaffordable_moe",
        kind: FieldType::Number,
        unit: "households",
        description: "90% margin of error of unaffordable",
        source: FieldSource::Affordability,
        value: |r| margin(r.unaffordable.as_ref()),
    },
    Field {
        name: "share_unaffordable",
        kind: FieldType::Number,
        unit: "share",
        description: "unaffordable / households in the bracket table (§4)",
        source: FieldSource::Affordability,
        value: |r| value(r.share_unaffordable.as_ref()),
    },
    Field {
        name: "share_unaffordable_moe",
        kind: FieldType::Number,
        unit: "share",
        description: "90% margin of error of share_unaffordable (proportion formula, §3)",
        source: FieldSource::Affordability,
        value: |r| margin(r.share_unaffordable.as_ref()),
    },
    Field {
        name: "cost_to_income",
        kind: FieldType::Number,
        unit: "share",
        description: "12 × reference_price / median household income, for districts with their own median (§4)",
        source: FieldSource::Affordability,
        value: |r| r.cost_to_income.into(),
    },
    Field {
        name: "cost_to_income_moe",
        kind: FieldType::Number,
        unit: "share",
        description: "90% margin of error of cost_to_income from the median's (ratio formula, §3, with the price exact)",
        source: FieldSource::Affordability,
        value: |r| r.cost_to_income_moe.into(),
    },
    Field {
        name: "median_income",
        kind: FieldType::Number,
        unit: "USD per year",
        description: "Median household income, B19013_001 or the layer's table; 250001 means 250,000 or more (§3)",
        source: FieldSource::Census,
        value: |r| value(r.median_income.as_ref()),
    },
    Field {
        name: "median_income_moe",
        kind: FieldType::Number,
        unit: "USD per year",
        description: "90% margin of error of median_income",
        source: FieldSource::Census,
        value: |r| margin(r.median_income.as_ref()),
    },
    Field {
        name: "speed_tests",
        kind: FieldType::Integer,
        unit: "tests",
        description: "Ookla fixed speed tests in the district's tiles (§5); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.speed_tests.into(),
    },
    Field {
        name: "speed_mean_down_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Test-weighted mean download speed (§5); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.speed_mean_down_mbps.into(),
    },
    Field {
        name: "speed_mean_up_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Test-weighted mean upload speed (§5); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.speed_mean_up_mbps.into(),
    },
    Field {
        name: "share_slow_tests",
        kind: FieldType::Number,
        unit: "share",
        description: "Share of tests in tiles slower than the served threshold (§5); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.share_slow_tests.into(),
    },
    Field {
        name: "population",
        kind: FieldType::Number,
        unit: "persons",
        description: "Residents, from the layer's attribute table (METHOD.md §10); its source is in the metadata",
        source: FieldSource::Attribute,
        value: |r| r.population.into(),
    },
    Field {
        name: "share_poverty",
        kind: FieldType::Number,
        unit: "share",
        description: "Share of residents in poverty, from the layer's attribute table (§10); its definition and source are in the metadata",
        source: FieldSource::Attribute,
        value: |r| r.share_poverty.into(),
    },
    Field {
        name: "tests_per_1000",
        kind: FieldType::Number,
        unit: "tests per 1,000 residents per quarter",
        description: "speed_tests / population × 1,000, per quarter of the span (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.tests_per_1000.into(),
    },
    Field {
        name: "speed_change_down_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Test-weighted mean download in the latest quarter minus the baseline quarter (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.speed_change_down_mbps.into(),
    },
    Field {
        name: "speed_change_up_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Test-weighted mean upload in the latest quarter minus the baseline quarter (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.speed_change_up_mbps.into(),
    },
    Field {
        name: "share_slow_tests_change",
        kind: FieldType::Number,
        unit: "share",
        description: "share_slow_tests in the latest quarter minus the baseline quarter, in share points (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.share_slow_tests_change.into(),
    },
    Field {
        name: "tests_per_1000_change",
        kind: FieldType::Number,
        unit: "tests per 1,000 residents per quarter",
        description: "Tests per 1,000 residents in the latest quarter minus the baseline quarter (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.tests_per_1000_change.into(),
    },
    Field {
        name: "mobile_speed_tests",
        kind: FieldType::Integer,
        unit: "tests",
        description: "Ookla mobile tests in tiles whose centroid lies in the district, read beside the fixed tiles (`[ookla] mobile_tiles`, §10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_speed_tests.into(),
    },
    Field {
        name: "mobile_speed_mean_down_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Test-weighted mean mobile download (§5's rule over the mobile tiles, §10); not comparable with fixed speeds; CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_speed_mean_down_mbps.into(),
    },
    Field {
        name: "mobile_speed_mean_up_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Test-weighted mean mobile upload (§5, §10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_speed_mean_up_mbps.into(),
    },
    Field {
        name: "mobile_share_slow_tests",
        kind: FieldType::Number,
        unit: "share",
        description: "Share of mobile tests in tiles below §5's slow thresholds (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_share_slow_tests.into(),
    },
    Field {
        name: "mobile_speed_change_down_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Mean mobile download in the latest quarter minus the baseline quarter (§10); empty unless both have §5's minimum of mobile tests; CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_speed_change_down_mbps.into(),
    },
    Field {
        name: "mobile_speed_change_up_mbps",
        kind: FieldType::Number,
        unit: "Mbps",
        description: "Mean mobile upload, latest minus baseline quarter (§10); CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_speed_change_up_mbps.into(),
    },
    Field {
        name: "mobile_share_slow_tests_change",
        kind: FieldType::Number,
        unit: "share",
        description: "Share of slow mobile tests, latest minus baseline quarter (§10); positive is worse; CC BY-NC-SA 4.0",
        source: FieldSource::Speed,
        value: |r| r.mobile_share_slow_tests_change.into(),
    },
    Field {
        name: "need_index",
        kind: FieldType::Number,
        unit: "index 0–100",
        description: "Weighted mean of the available gap shares × 100 (§7); components in need_components",
        source: FieldSource::Need,
        value: |r| r.need_index.into(),
    },
    Field {
        name: "suppressed",
        kind: FieldType::String,
        unit: "",
        description: "Empty, or why the district's figures were withheld (§8)",
        source: FieldSource::Annotation,
        value: |r| {
            r.suppressed
                .clone()
                .map_or(FieldValue::Empty, FieldValue::Text)
        },
    },
    Field {
        name: "locations_best_fiber",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is fiber (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[0]).into(),
    },
    Field {
        name: "locations_best_cable",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is cable (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[1]).into(),
    },
    Field {
        name: "locations_best_copper",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is copper (DSL) (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[2]).into(),
    },
    Field {
        name: "locations_best_licensed_wireless",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is licensed fixed wireless (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[3]).into(),
    },
    Field {
        name: "locations_best_unlicensed_wireless",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is unlicensed fixed wireless (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[4]).into(),
    },
    Field {
        name: "locations_best_satellite",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is satellite (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[5]).into(),
    },
    Field {
        name: "locations_best_other",
        kind: FieldType::Number,
        unit: "locations",
        description: "Residential locations whose best offer is another technology (§2)",
        source: FieldSource::Availability,
        value: |r| r.locations_by_best_technology.map(|c| c[6]).into(),
    },
    Field {
        name: "need_components",
        kind: FieldType::String,
        unit: "",
        description: "The need index components that were available, ;-separated (§7)",
        source: FieldSource::Need,
        value: |r| text_or_empty(&r.need_components),
    },
    Field {
        name: "notes",
        kind: FieldType::String,
        unit: "",
        description: "Why a field is empty although its input was given, ;-separated",
        source: FieldSource::Annotation,
        value: |r| {
            let notes: Vec<String> = r.notes.iter().map(ToString::to_string).collect();
            text_or_empty(&notes.join("; "))
        },
    },
];

/// The output field names, in output order (from [`FIELDS`]).
pub const FIELD_NAMES: [&str; FIELDS.len()] = {
    let mut names = [""; FIELDS.len()];
    let mut i = 0;
    while i < FIELDS.len() {
        names[i] = FIELDS[i].name;
        i += 1;
    }
    names
};

/// The output field names of a layer whose own fields are `extra`: [`FIELD_NAMES`], then
/// theirs (METHOD.md §10).
pub fn field_names(extra: &[ExtraField]) -> Vec<&str> {
    FIELD_NAMES
        .iter()
        .copied()
        .chain(extra.iter().map(|f| f.name.as_str()))
        .collect()
}

/// A field's Frictionless Table Schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Text.
    String,
    /// A real number.
    Number,
    /// A whole number.
    Integer,
}

impl FieldType {
    /// The Table Schema name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Integer => "integer",
        }
    }
}

/// The input a field's figure comes from (for licenses and the charts' source lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldSource {
    /// The district's id, label and layer.
    Identity,
    /// FCC BDC availability (METHOD.md §2).
    Availability,
    /// ACS estimates (§3).
    Census,
    /// Prices and income brackets (§4).
    Affordability,
    /// Ookla speed tests (§5, §10), CC BY-NC-SA 4.0.
    Speed,
    /// A layer's own attribute tables (population, poverty; §10).
    Attribute,
    /// The need index (§7), from the others.
    Need,
    /// Why figures are withheld or empty.
    Annotation,
}

/// One output field: its schema and how a row's value is read.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Field name.
    pub name: &'static str,
    /// Its Table Schema type.
    pub kind: FieldType,
    /// Unit (`share` for fractions in [0, 1]); empty for text.
    pub unit: &'static str,
    /// Meaning, with its METHOD.md section.
    pub description: &'static str,
    /// The input it comes from.
    pub source: FieldSource,
    /// Its value in a row.
    pub value: fn(&DistrictGaps) -> FieldValue,
}

impl Field {
    /// The field of that name.
    pub fn named(name: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.name == name)
    }

    /// Whether its values are numbers (text fields are ids, labels and reasons).
    pub fn is_numeric(&self) -> bool {
        self.kind != FieldType::String
    }
}

/// The figures of one district. `None` is an empty field: unknown, not applicable, or withheld.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistrictGaps {
    /// District id (GEOID for census levels).
    pub geoid: String,
    /// Label.
    pub name: String,
    /// `tract`, `block_group`, or a custom layer's name.
    pub level: String,
    /// Residential BDC locations; `None` when no BDC input was given. Whole numbers for census
    /// levels; fractional where counts were apportioned by area (METHOD.md §6).
    pub locations: Option<f64>,
    /// Served locations.
    pub locations_served: Option<f64>,
    /// Underserved locations.
    pub locations_underserved: Option<f64>,
    /// Unserved locations.
    pub locations_unserved: Option<f64>,
    /// Locations with a 1000/500 offer.
    pub locations_gigabit: Option<f64>,
    /// Locations by the technology group of their best offer (`TechnologyGroup::ALL` order).
    pub locations_by_best_technology: Option<[f64; 7]>,
    /// Served over locations.
    pub share_served: Option<f64>,
    /// Underserved over locations.
    pub share_underserved: Option<f64>,
    /// Unserved over locations.
    pub share_unserved: Option<f64>,
    /// ACS households (B28002_001).
    pub households: Option<Estimate>,
    /// Households with no internet access (B28002_013).
    pub no_internet: Option<Estimate>,
    /// Share of households with no internet access.
    pub share_no_internet: Option<Estimate>,
    /// Households without broadband (B28002_001 − B28002_004).
    pub without_broadband: Option<Estimate>,
    /// Share of households without broadband.
    pub share_without_broadband: Option<Estimate>,
    /// Households of the computer table (B28001_001): the universe of `share_no_computer`
    /// (not an output field).
    pub computer_households: Option<Estimate>,
    /// Households with no computing device (B28001_001 − B28001_002).
    pub no_computer: Option<Estimate>,
    /// Share of households with no computing device.
    pub share_no_computer: Option<Estimate>,
    /// §4 reference price, $/month.
    pub reference_price: Option<f64>,
    /// Where `reference_price` came from (not an output field; the metadata counts it).
    pub reference_price_source: Option<crate::affordability::PriceSource>,
    /// §4 income threshold, $/year.
    pub income_threshold: Option<f64>,
    /// §4 households below the threshold.
    pub unaffordable: Option<Estimate>,
    /// §4 share of households below the threshold.
    pub share_unaffordable: Option<Estimate>,
    /// §4 `12·P / median income`.
    pub cost_to_income: Option<f64>,
    /// Its 90% margin of error, from the median's (the price is exact).
    pub cost_to_income_moe: Option<f64>,
    /// The district's own median household income (B19013_001), never rolled up (§6).
    pub median_income: Option<Estimate>,
    /// Ookla tests in the district's tiles.
    pub speed_tests: Option<u64>,
    /// Test-weighted mean download, Mbps.
    pub speed_mean_down_mbps: Option<f64>,
    /// Test-weighted mean upload, Mbps.
    pub speed_mean_up_mbps: Option<f64>,
    /// Share of tests in slow tiles.
    pub share_slow_tests: Option<f64>,
    /// Residents (a layer's attribute table, §10).
    pub population: Option<f64>,
    /// Share of residents in poverty (a layer's attribute table, §10).
    pub share_poverty: Option<f64>,
    /// Tests per 1,000 residents per quarter of the span.
    pub tests_per_1000: Option<f64>,
    /// Mean download, latest quarter minus baseline quarter, Mbps.
    pub speed_change_down_mbps: Option<f64>,
    /// Mean upload, latest minus baseline, Mbps.
    pub speed_change_up_mbps: Option<f64>,
    /// Share of slow tests, latest minus baseline.
    pub share_slow_tests_change: Option<f64>,
    /// Tests per 1,000 residents, latest minus baseline.
    pub tests_per_1000_change: Option<f64>,
    /// Ookla mobile tests in the district's mobile tiles (METHOD.md §10).
    pub mobile_speed_tests: Option<u64>,
    /// Test-weighted mean mobile download, Mbps.
    pub mobile_speed_mean_down_mbps: Option<f64>,
    /// Test-weighted mean mobile upload, Mbps.
    pub mobile_speed_mean_up_mbps: Option<f64>,
    /// Share of mobile tests in slow tiles.
    pub mobile_share_slow_tests: Option<f64>,
    /// Mean mobile download, latest minus baseline quarter, Mbps.
    pub mobile_speed_change_down_mbps: Option<f64>,
    /// Mean mobile upload, latest minus baseline, Mbps.
    pub mobile_speed_change_up_mbps: Option<f64>,
    /// Share of slow mobile tests, latest minus baseline.
    pub mobile_share_slow_tests_change: Option<f64>,
    /// §7 need index, 0–100.
    pub need_index: Option<f64>,
    /// Why figures were withheld (§8), empty otherwise.
    pub suppressed: Option<String>,
    /// Components of the need index that were available, `;`-separated.
    pub need_components: String,
    /// Why fields are empty where an input was given (e.g. an ACS sentinel).
    pub notes: Vec<Note>,
    /// The values of the layer's own fields ([`ExtraField`], METHOD.md §10), in their order;
    /// missing or `None`: empty.
    pub extra: Vec<Option<f64>>,
}

/// A field a layer's attribute table adds to its rows (METHOD.md §10): a column named in the
/// configuration, passed through as read, after the registry's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraField {
    /// Output field name.
    pub name: String,
    /// The table it is read from, as the run shows it.
    pub table: String,
    /// Its column there.
    pub column: String,
    /// Its unit, as the configuration states it.
    pub unit: String,
    /// What it is.
    pub description: String,
    /// Who published it (the table's `source`).
    pub source: String,
}

/// Why one or more fields of a row are empty, or what a reader should know of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The fields it is about, as written before the colon (`households, no_internet`).
    pub fields: Cow<'static, str>,
    /// What happened.
    pub text: String,
}

impl Note {
    /// A note about `fields`.
    pub fn new(fields: &'static str, text: impl Into<String>) -> Note {
        Note {
            fields: Cow::Borrowed(fields),
            text: text.into(),
        }
    }

    /// A note about fields named at run time (a layer's own fields, METHOD.md §10).
    pub fn about(fields: String, text: impl Into<String>) -> Note {
        Note {
            fields: Cow::Owned(fields),
            text: text.into(),
        }
    }

    /// Whether it is about `field`.
    pub fn is_about(&self, field: &str) -> bool {
        self.fields.split(", ").any(|f| f == field)
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.fields, self.text)
    }
}

fn value(e: Option<&Estimate>) -> FieldValue {
    e.map(|e| e.value).into()
}

fn margin(e: Option<&Estimate>) -> FieldValue {
    e.and_then(|e| e.moe.ok()).into()
}

impl DistrictGaps {
    /// The row as `(field, value)`: the registry's [`FIELDS`] in order, then the layer's own
    /// `extra` fields.
    pub fn fields<'a>(&self, extra: &'a [ExtraField]) -> Vec<(&'a str, FieldValue)> {
        FIELDS
            .iter()
            .map(|f| (f.name, (f.value)(self)))
            .chain(extra.iter().enumerate().map(|(i, field)| {
                (
                    field.name.as_str(),
                    self.extra.get(i).copied().flatten().into(),
                )
            }))
            .collect()
    }

    /// Sets the location counts from whole tier counts, and their shares.
    pub(crate) fn set_tiers(&mut self, counts: crate::tiers::TierCounts) {
        self.locations = Some(counts.locations as f64);
        self.locations_served = Some(counts.served as f64);
        self.locations_underserved = Some(counts.underserved as f64);
        self.locations_unserved = Some(counts.unserved as f64);
        self.locations_gigabit = Some(counts.gigabit as f64);
        self.locations_by_best_technology = Some(counts.by_best_technology.map(|n| n as f64));
        self.set_location_shares();
    }

    /// Shares of the tiers over `locations` (none without locations).
    pub(crate) fn set_location_shares(&mut self) {
        let share = |part: Option<f64>| match (part, self.locations) {
            (Some(part), Some(whole)) if whole > 0.0 => Some(part / whole),
            _ => None,
        };
        let (served, underserved, unserved) = (
            share(self.locations_served),
            share(self.locations_underserved),
            share(self.locations_unserved),
        );
        self.share_served = served;
        self.share_underserved = underserved;
        self.share_unserved = unserved;
    }

    /// Recomputes the need index from the row's shares (METHOD.md §7).
    pub fn update_need(&mut self, weights: &gapmap_core::NeedWeights) {
        let components = crate::need::NeedComponents {
            not_served: self
                .locations
                .filter(|&n| n > 0.0)
                .map(|n| (n - self.locations_served.unwrap_or(0.0)) / n),
            without_broadband: self.share_without_broadband.map(|e| e.value),
            unaffordable: self.share_unaffordable.map(|e| e.value),
            slow_tests: self.share_slow_tests,
            poverty: self.share_poverty,
        };
        if let Some((index, used)) = crate::need::need_index(&components, weights) {
            self.need_index = Some(index);
            self.need_components = used.join(";");
        } else {
            self.need_index = None;
            self.need_components.clear();
        }
    }

    /// Records why a figure is empty although its input was given.
    pub(crate) fn note(&mut self, field: &'static str, reason: NotAvailable) {
        let note = Note::new(field, reason.to_string());
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

fn text_or_empty(text: &str) -> FieldValue {
    if text.is_empty() {
        FieldValue::Empty
    } else {
        FieldValue::Text(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use gapmap_core::TechnologyGroup;

    use super::*;

    #[test]
    fn every_field_has_a_name_and_every_name_a_value() {
        let row = DistrictGaps::default();
        let fields = row.fields(&[]);
        assert_eq!(fields.len(), FIELD_NAMES.len());
        assert!(fields.iter().map(|(name, _)| name).eq(FIELD_NAMES.iter()));
    }

    /// A layer's own fields follow the registry's; a row without a value for one (a withheld
    /// district, a summary line) has it empty, never shifted.
    #[test]
    fn extra_fields_come_last_and_missing_values_are_empty() {
        let extra = [
            ExtraField {
                name: "hdi_2019".into(),
                table: "pobreza.csv".into(),
                column: "idh_2019".into(),
                unit: "index".into(),
                description: "Human development index".into(),
                source: "PNUD".into(),
            },
            ExtraField {
                name: "households".into(),
                table: "hogares.csv".into(),
                column: "hogares".into(),
                unit: "households".into(),
                description: "Households".into(),
                source: "INEI".into(),
            },
        ];
        let row = DistrictGaps {
            extra: vec![Some(0.71)],
            ..DistrictGaps::default()
        };
        let fields = row.fields(&extra);
        assert_eq!(fields.len(), FIELD_NAMES.len() + 2);
        assert_eq!(
            fields[FIELD_NAMES.len()],
            ("hdi_2019", FieldValue::Number(0.71))
        );
        assert_eq!(
            fields[FIELD_NAMES.len() + 1],
            ("households", FieldValue::Empty)
        );
        assert_eq!(
            field_names(&extra)[FIELD_NAMES.len()..],
            ["hdi_2019", "households"]
        );
        let withheld = DistrictGaps::default().fields(&extra);
        assert_eq!(withheld[FIELD_NAMES.len()].1, FieldValue::Empty);
    }

    #[test]
    fn every_field_is_described_and_shares_say_so() {
        for field in FIELDS {
            assert!(!field.description.is_empty(), "{}", field.name);
            assert_eq!(
                field.unit == "share",
                field.name.starts_with("share_")
                    || field.name.starts_with("mobile_share_")
                    || field.name.starts_with("cost_to_income"),
                "{}",
                field.name
            );
        }
    }

    #[test]
    fn best_technology_fields_follow_the_group_order() {
        let row = DistrictGaps {
            locations_by_best_technology: Some([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
            ..DistrictGaps::default()
        };
        let fields = row.fields(&[]);
        for (i, group) in TechnologyGroup::ALL.iter().enumerate() {
            let (name, value) = fields
                .iter()
                .find(|(name, _)| *name == group.field())
                .expect("a field per group");
            assert_eq!(*name, group.field());
            assert_eq!(*value, FieldValue::Number(i as f64 + 1.0));
        }
    }
}
