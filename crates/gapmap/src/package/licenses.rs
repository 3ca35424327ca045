//! The licenses of a package, typed once and shown three ways: `metadata.json`'s notes (what
//! each covers, in words), the Data Package's license objects (for the package and for each
//! file), and methodology.md's list. Built-in sources carry their license by construction; only
//! a license the configuration names in words is recognised from its text (`declared`).

use gapmap_export::provenance::{AppliesTo, LicenseNote, Source};
use serde_json::{Value, json};

use super::layers::PublishedLayer;
use super::text::{OOKLA_ATTRIBUTION, ookla_fields};
use crate::settings::Settings;

/// One licensed input of a run.
pub(crate) enum Grant<'a> {
    /// Census Bureau data and everything derived from it: public domain.
    Census,
    /// BDC availability: public domain, or CC0 for simulated rows.
    Availability {
        /// The rows are a labelled simulation.
        simulated: bool,
    },
    /// Ookla's open data: CC BY-NC-SA 4.0 with its attribution.
    Ookla,
    /// An area price table, under the license the configuration gives.
    AreaPrices { source: &'a str, license: &'a str },
    /// A plan price table, likewise.
    Plans { source: &'a str, license: &'a str },
    /// A city layer's boundaries and tables, likewise.
    Layer {
        name: &'a str,
        source: Option<&'a str>,
        license: &'a str,
    },
    /// A city layer's attribute table (population, poverty), likewise.
    Attributes {
        name: &'a str,
        fields: String,
        source: &'a str,
        license: &'a str,
    },
}

/// Every grant of a run, in one order for every view.
pub(crate) fn grants(settings: &Settings) -> Vec<Grant<'_>> {
    let mut grants = Vec::new();
    // Census Bureau data only where the run reads some (a city outside the US reads none).
    if !settings.levels.is_empty() || settings.acs.is_some() || settings.blocks.is_some() {
        grants.push(Grant::Census);
    }
    if let Some(bdc) = &settings.bdc {
        grants.push(Grant::Availability {
            simulated: bdc.simulated,
        });
    }
    if settings.ookla.is_some() {
        grants.push(Grant::Ookla);
    }
    if let Some(affordability) = &settings.affordability {
        if let Some(prices) = &affordability.area_prices {
            grants.push(Grant::AreaPrices {
                source: &prices.source,
                license: &prices.license,
            });
        }
        if let Some(plans) = &affordability.plans {
            grants.push(Grant::Plans {
                source: &plans.source,
                license: &plans.license,
            });
        }
    }
    for layer in &settings.layers {
        grants.push(Grant::Layer {
            name: &layer.name,
            source: layer.tables_source.as_deref(),
            license: &layer.license,
        });
        for table in &layer.attributes {
            let fields: Vec<&str> = [
                table
                    .population
                    .as_ref()
                    .map(|_| "population, tests_per_1000, tests_per_1000_change"),
                table.share_poverty.as_ref().map(|_| "share_poverty"),
            ]
            .into_iter()
            .flatten()
            .collect();
            grants.push(Grant::Attributes {
                name: &layer.name,
                fields: fields.join(", "),
                source: &table.source,
                license: &table.license,
            });
        }
    }
    grants
}

/// A Data Package license object for a license the configuration names in words: the one
/// place a license is recognised from text (the configuration has no SPDX key).
fn declared(title: &str) -> Value {
    const KNOWN: [(&str, &str, &str); 4] = [
        (
            "CC BY-NC-SA 4.0",
            "CC-BY-NC-SA-4.0",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        ),
        (
            "CC BY 4.0",
            "CC-BY-4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "CC0",
            "CC0-1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "Public domain",
            "other-pd",
            "https://www.usa.gov/government-copyright",
        ),
    ];
    KNOWN
        .iter()
        .find(|(key, _, _)| title.contains(key))
        .map_or_else(
            || json!({"name": "other-at", "title": title}),
            |(_, name, path)| json!({"name": name, "path": path, "title": title}),
        )
}

fn object(name: &str, path: &str, title: &str) -> Value {
    json!({"name": name, "path": path, "title": title})
}

const PUBLIC_DOMAIN: &str = "https://www.usa.gov/government-copyright";

impl Grant<'_> {
    /// `metadata.json`'s note: what the license covers, in words.
    pub(crate) fn note(&self) -> LicenseNote {
        let simple = |applies_to: &str, source: Option<Source>, license: &str| LicenseNote {
            applies_to: AppliesTo::Text(applies_to.to_owned()),
            source,
            license: license.to_owned(),
            license_url: None,
            attribution: None,
            note: None,
        };
        let availability = "availability fields (locations*, share_served/underserved/unserved)";
        match self {
            Grant::Census => simple(
                "Census data: ACS estimates, boundaries, block counts, and the fields derived from them",
                None,
                "Public domain (U.S. Government work, 17 U.S.C. §105)",
            ),
            Grant::Availability { simulated: true } => simple(
                availability,
                None,
                "CC0 (simulated availability rows, not FCC data)",
            ),
            Grant::Availability { simulated: false } => simple(
                availability,
                None,
                "Public domain (FCC, U.S. Government work)",
            ),
            Grant::Ookla => LicenseNote {
                applies_to: AppliesTo::Fields(
                    ookla_fields()
                        .into_iter()
                        .chain(["need_index"])
                        .map(str::to_owned)
                        .collect(),
                ),
                source: None,
                license: "CC BY-NC-SA 4.0".to_owned(),
                license_url: Some("https://creativecommons.org/licenses/by-nc-sa/4.0/".to_owned()),
                attribution: Some(OOKLA_ATTRIBUTION.to_owned()),
                note: Some(
                    "Outputs that include Ookla-derived fields are non-commercial and share-alike."
                        .to_owned(),
                ),
            },
            Grant::AreaPrices { source, license } => simple(
                "reference_price, cost_to_income (area price table)",
                Some(Source::Named((*source).to_owned())),
                license,
            ),
            Grant::Plans { source, license } => simple(
                "reference_price (plan table)",
                Some(Source::Named((*source).to_owned())),
                license,
            ),
            Grant::Layer {
                name,
                source,
                license,
            } => simple(
                &format!("layer {name}: boundaries and tables"),
                Some(source.map_or(Source::Unnamed, |s| Source::Named(s.to_owned()))),
                license,
            ),
            Grant::Attributes {
                name,
                fields,
                source,
                license,
            } => simple(
                &format!("layer {name}: {fields}"),
                Some(Source::Named((*source).to_owned())),
                license,
            ),
        }
    }

    /// The Data Package license object, for the package as a whole.
    pub(crate) fn for_package(&self) -> Value {
        match self {
            Grant::Census => object(
                "other-pd",
                PUBLIC_DOMAIN,
                "Public domain (U.S. Government work, 17 U.S.C. §105): Census Bureau data and the figures derived from it",
            ),
            Grant::Availability { simulated: true } => object(
                "CC0-1.0",
                "https://creativecommons.org/publicdomain/zero/1.0/",
                "CC0 1.0: SIMULATED availability rows in the FCC format, not FCC data",
            ),
            Grant::Availability { simulated: false } => object(
                "other-pd",
                PUBLIC_DOMAIN,
                "Public domain (U.S. Government work): FCC Broadband Data Collection",
            ),
            Grant::Ookla => object(
                "CC-BY-NC-SA-4.0",
                "https://creativecommons.org/licenses/by-nc-sa/4.0/",
                &format!(
                    "CC BY-NC-SA 4.0: Ookla-derived fields and every chart or file that shows them. {OOKLA_ATTRIBUTION}"
                ),
            ),
            Grant::AreaPrices { source, license } | Grant::Plans { source, license } => {
                declared(&format!("{license}: {source}"))
            }
            Grant::Layer { name, license, .. } => declared(&format!("{license}: layer {name}")),
            Grant::Attributes {
                name,
                fields,
                source,
                license,
            } => declared(&format!("{license}: layer {name}, {fields} ({source})")),
        }
    }

    /// The Data Package license object on a layer's table or map, when the grant covers that
    /// layer's figures (`None` otherwise).
    pub(crate) fn for_layer(&self, level: &PublishedLayer<'_>) -> Option<Value> {
        match self {
            Grant::Census | Grant::Availability { simulated: false } => Some(self.for_package()),
            Grant::Availability { simulated: true } => Some(object(
                "CC0-1.0",
                "https://creativecommons.org/publicdomain/zero/1.0/",
                "CC0 1.0: availability fields come from SIMULATED rows in the FCC format, not FCC data",
            )),
            Grant::Ookla => level
                .result
                .rows
                .iter()
                .any(|r| r.speed_tests.is_some())
                .then(|| {
                    object(
                        "CC-BY-NC-SA-4.0",
                        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
                        &format!(
                            "CC BY-NC-SA 4.0: the fields {} (and need_index where it uses slow tests) are derived from Ookla data. {OOKLA_ATTRIBUTION}",
                            ookla_fields().join(", ")
                        ),
                    )
                }),
            // Census-keyed prices reach a layer only when it is not tabulated by its own ids.
            Grant::AreaPrices { source, license } => level.tabulated_by.is_none().then(|| {
                declared(&format!(
                    "{license}: reference_price, cost_to_income ({source})"
                ))
            }),
            Grant::Plans { source, license } => level
                .tabulated_by
                .is_none()
                .then(|| declared(&format!("{license}: reference_price ({source})"))),
            Grant::Layer { name, license, .. } => (*name == level.result.name)
                .then(|| declared(&format!("{license}: layer boundaries and tables"))),
            Grant::Attributes {
                name,
                fields,
                source,
                license,
            } => (*name == level.result.name)
                .then(|| declared(&format!("{license}: {fields} ({source})"))),
        }
    }
}
