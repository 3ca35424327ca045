//! One output row per district, with the stable field names of METHOD.md §9.

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
/// `cost_to_income`, the input of that ratio and of the income scatter chart), then the counts by best technology (§2
/// "also reported"), `need_components` (§7 asks that the components used be named in the
/// output; §9 has no field for it) and `notes`.
pub const FIELD_NAMES: [&str; 44] = [
    "geoid",
    "name",
    "level",
    "locations",
    "locations_served",
    "locations_underserved",
    "locations_unserved",
    "locations_gigabit",
    "share_served",
    "share_underserved",
    "share_unserved",
    "households",
    "households_moe",
    "no_internet",
    "no_internet_moe",
    "share_no_internet",
    "share_no_internet_moe",
    "without_broadband",
    "without_broadband_moe",
    "share_without_broadband",
    "share_without_broadband_moe",
    "reference_price",
    "income_threshold",
    "unaffordable",
    "unaffordable_moe",
    "share_unaffordable",
    "cost_to_income",
    "median_income",
    "median_income_moe",
    "speed_tests",
    "speed_mean_down_mbps",
    "speed_mean_up_mbps",
    "share_slow_tests",
    "need_index",
    "suppressed",
    "locations_best_fiber",
    "locations_best_cable",
    "locations_best_copper",
    "locations_best_licensed_wireless",
    "locations_best_unlicensed_wireless",
    "locations_best_satellite",
    "locations_best_other",
    "need_components",
    "notes",
];

/// How a field is described to a portal (Frictionless Table Schema): name, type, unit and
/// meaning, in [`FIELD_NAMES`] order. Shares are fractions in [0, 1]; `_moe` fields are 90%
/// margins of error (METHOD.md §9).
pub const FIELD_SCHEMA: [FieldSchema; 44] = [
    f(
        "geoid",
        "string",
        "",
        "District id: the census GEOID, or the layer's own id field",
    ),
    f("name", "string", "", "District label"),
    f(
        "level",
        "string",
        "",
        "tract, block_group, county, or the custom layer's name",
    ),
    f(
        "locations",
        "number",
        "locations",
        "Residential BDC locations (METHOD.md §2); fractional where apportioned by area (§6)",
    ),
    f(
        "locations_served",
        "number",
        "locations",
        "Residential locations with a reliable offer of at least 100/20 Mbps and low latency (§2)",
    ),
    f(
        "locations_underserved",
        "number",
        "locations",
        "Residential locations whose best reliable offer is at least 25/3 but below 100/20 Mbps (§2)",
    ),
    f(
        "locations_unserved",
        "number",
        "locations",
        "Residential locations without a reliable offer of 25/3 Mbps (§2)",
    ),
    f(
        "locations_gigabit",
        "number",
        "locations",
        "Residential locations with an offer of at least 1000/500 Mbps (§2)",
    ),
    f(
        "share_served",
        "number",
        "share",
        "locations_served / locations",
    ),
    f(
        "share_underserved",
        "number",
        "share",
        "locations_underserved / locations",
    ),
    f(
        "share_unserved",
        "number",
        "share",
        "locations_unserved / locations",
    ),
    f(
        "households",
        "number",
        "households",
        "ACS households, B28002_001 (§3)",
    ),
    f(
        "households_moe",
        "number",
        "households",
        "90% margin of error of households",
    ),
    f(
        "no_internet",
        "number",
        "households",
        "Households with no internet access, B28002_013 (§3)",
    ),
    f(
        "no_internet_moe",
        "number",
        "households",
        "90% margin of error of no_internet",
    ),
    f(
        "share_no_internet",
        "number",
        "share",
        "no_internet / households",
    ),
    f(
        "share_no_internet_moe",
        "number",
        "share",
        "90% margin of error of share_no_internet (proportion formula, §3)",
    ),
    f(
        "without_broadband",
        "number",
        "households",
        "Households without a broadband subscription, B28002_001 − B28002_004 (§3)",
    ),
    f(
        "without_broadband_moe",
        "number",
        "households",
        "90% margin of error of without_broadband",
    ),
    f(
        "share_without_broadband",
        "number",
        "share",
        "without_broadband / households",
    ),
    f(
        "share_without_broadband_moe",
        "number",
        "share",
        "90% margin of error of share_without_broadband",
    ),
    f(
        "reference_price",
        "number",
        "USD per month",
        "Price of the cheapest adequate (100/20) plan used for the district (§4)",
    ),
    f(
        "income_threshold",
        "number",
        "USD per year",
        "12 × reference_price / share of income: below it a plan is unaffordable (§4)",
    ),
    f(
        "unaffordable",
        "number",
        "households",
        "Households with income below income_threshold, interpolated within their bracket (§4)",
    ),
    f(
        "unaffordable_moe",
        "number",
        "households",
        "90% margin of error of unaffordable",
    ),
    f(
        "share_unaffordable",
        "number",
        "share",
        "unaffordable / households in the bracket table (§4)",
    ),
    f(
        "cost_to_income",
        "number",
        "share",
        "12 × reference_price / median household income, for districts with their own median (§4)",
    ),
    f(
        "median_income",
        "number",
        "USD per year",
        "Median household income, B19013_001 or the layer's table; 250001 means 250,000 or more (§3)",
    ),
    f(
        "median_income_moe",
        "number",
        "USD per year",
        "90% margin of error of median_income",
    ),
    f(
        "speed_tests",
        "integer",
        "tests",
        "Ookla fixed speed tests in the district's tiles (§5); CC BY-NC-SA 4.0",
    ),
    f(
        "speed_mean_down_mbps",
        "number",
        "Mbps",
        "Test-weighted mean download speed (§5); CC BY-NC-SA 4.0",
    ),
    f(
        "speed_mean_up_mbps",
        "number",
        "Mbps",
        "Test-weighted mean upload speed (§5); CC BY-NC-SA 4.0",
    ),
    f(
        "share_slow_tests",
        "number",
        "share",
        "Share of tests in tiles slower than the served threshold (§5); CC BY-NC-SA 4.0",
    ),
    f(
        "need_index",
        "number",
        "index 0–100",
        "Weighted mean of the available gap shares × 100 (§7); components in need_components",
    ),
    f(
        "suppressed",
        "string",
        "",
        "Empty, or why the district's figures were withheld (§8)",
    ),
    f(
        "locations_best_fiber",
        "number",
        "locations",
        "Residential locations whose best offer is fiber (§2)",
    ),
    f(
        "locations_best_cable",
        "number",
        "locations",
        "Residential locations whose best offer is cable (§2)",
    ),
    f(
        "locations_best_copper",
        "number",
        "locations",
        "Residential locations whose best offer is copper (DSL) (§2)",
    ),
    f(
        "locations_best_licensed_wireless",
        "number",
        "locations",
        "Residential locations whose best offer is licensed fixed wireless (§2)",
    ),
    f(
        "locations_best_unlicensed_wireless",
        "number",
        "locations",
        "Residential locations whose best offer is unlicensed fixed wireless (§2)",
    ),
    f(
        "locations_best_satellite",
        "number",
        "locations",
        "Residential locations whose best offer is satellite (§2)",
    ),
    f(
        "locations_best_other",
        "number",
        "locations",
        "Residential locations whose best offer is another technology (§2)",
    ),
    f(
        "need_components",
        "string",
        "",
        "The need index components that were available, ;-separated (§7)",
    ),
    f(
        "notes",
        "string",
        "",
        "Why a field is empty although its input was given, ;-separated",
    ),
];

/// One field's description for a table schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSchema {
    /// Field name.
    pub name: &'static str,
    /// Frictionless type: `string`, `number` or `integer`.
    pub kind: &'static str,
    /// Unit (`share` for fractions in [0, 1]); empty for text.
    pub unit: &'static str,
    /// Meaning, with its METHOD.md section.
    pub description: &'static str,
}

const fn f(
    name: &'static str,
    kind: &'static str,
    unit: &'static str,
    description: &'static str,
) -> FieldSchema {
    FieldSchema {
        name,
        kind,
        unit,
        description,
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
    /// §7 need index, 0–100.
    pub need_index: Option<f64>,
    /// Why figures were withheld (§8), empty otherwise.
    pub suppressed: Option<String>,
    /// Components of the need index that were available, `;`-separated.
    pub need_components: String,
    /// Why fields are empty where an input was given (e.g. an ACS sentinel), `;`-separated.
    pub notes: Vec<String>,
}

fn value(e: Option<&Estimate>) -> FieldValue {
    e.map(|e| e.value).into()
}

fn margin(e: Option<&Estimate>) -> FieldValue {
    e.and_then(|e| e.moe.ok()).into()
}

impl DistrictGaps {
    /// The row as `(field, value)` in [`FIELD_NAMES`] order.
    pub fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        let mut values = vec![
            FieldValue::Text(self.geoid.clone()),
            FieldValue::Text(self.name.clone()),
            FieldValue::Text(self.level.clone()),
            self.locations.into(),
            self.locations_served.into(),
            self.locations_underserved.into(),
            self.locations_unserved.into(),
            self.locations_gigabit.into(),
            self.share_served.into(),
            self.share_underserved.into(),
            self.share_unserved.into(),
            value(self.households.as_ref()),
            margin(self.households.as_ref()),
            value(self.no_internet.as_ref()),
            margin(self.no_internet.as_ref()),
            value(self.share_no_internet.as_ref()),
            margin(self.share_no_internet.as_ref()),
            value(self.without_broadband.as_ref()),
            margin(self.without_broadband.as_ref()),
            value(self.share_without_broadband.as_ref()),
            margin(self.share_without_broadband.as_ref()),
            self.reference_price.into(),
            self.income_threshold.into(),
            value(self.unaffordable.as_ref()),
            margin(self.unaffordable.as_ref()),
            value(self.share_unaffordable.as_ref()),
            self.cost_to_income.into(),
            value(self.median_income.as_ref()),
            margin(self.median_income.as_ref()),
            self.speed_tests.into(),
            self.speed_mean_down_mbps.into(),
            self.speed_mean_up_mbps.into(),
            self.share_slow_tests.into(),
            self.need_index.into(),
            self.suppressed
                .clone()
                .map_or(FieldValue::Empty, FieldValue::Text),
        ];
        let best = self.locations_by_best_technology;
        values.extend((0..7).map(|i| best.map(|counts| counts[i]).into()));
        values.extend([
            text_or_empty(&self.need_components),
            text_or_empty(&self.notes.join("; ")),
        ]);
        FIELD_NAMES.into_iter().zip(values).collect()
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
    pub(crate) fn note(&mut self, field: &str, reason: NotAvailable) {
        let note = format!("{field}: {reason}");
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
        let fields = row.fields();
        assert_eq!(fields.len(), FIELD_NAMES.len());
        assert!(fields.iter().map(|(name, _)| name).eq(FIELD_NAMES.iter()));
    }

    #[test]
    fn the_schema_describes_every_field_in_order() {
        assert!(
            FIELD_SCHEMA
                .iter()
                .map(|f| f.name)
                .eq(FIELD_NAMES.iter().copied())
        );
        for field in FIELD_SCHEMA {
            assert!(!field.description.is_empty(), "{}", field.name);
            assert_eq!(
                field.unit == "share",
                field.name.starts_with("share_") || field.name == "cost_to_income",
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
        let fields = row.fields();
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
