//! `methodology.md`: METHOD.md's rules with this run's numbers.

use std::fmt::Write as _;

use gapmap_export::provenance::Metadata;
use gapmap_gaps::FIELDS;

use super::datapackage::package_licenses;
use super::text::{OOKLA_ATTRIBUTION, percent_share};

use crate::settings::Settings;

/// What methodology.md is a view of: the resolved settings (the rules' numbers) and the run's
/// typed provenance (inputs, layers, what was withheld, warnings).
struct Doc<'a> {
    settings: &'a Settings,
    metadata: &'a Metadata,
}

/// `methodology.md`: METHOD.md's rules with this run's numbers, so a reader can recompute any
/// figure from the inputs listed with their SHA-256.
pub(crate) fn methodology_text(settings: &Settings, metadata: &Metadata) -> String {
    let run = &Doc { settings, metadata };
    let mut m = String::new();
    header(&mut m, run);
    inputs(&mut m, run);
    access(&mut m, run);
    adoption(&mut m, run);
    affordability(&mut m, run);
    speed(&mut m, run);
    levels(&mut m, run);
    need(&mut m, run);
    privacy(&mut m, run);
    fields(&mut m, run);
    quarters(&mut m, run);
    closing(&mut m, run);
    m
}

/// The title, the version and the simulation notice.
fn header(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let _ = writeln!(
        m,
        "# Methodology: broadband gaps in {}\n",
        settings.area.name
    );
    let _ = writeln!(
        m,
        "Computed by gapmap {} following METHOD.md, with the values below: every threshold, weight and source this run used. Section numbers refer to METHOD.md. Field definitions are in `datapackage.json` (table schema) and in §9 below.\n",
        env!("CARGO_PKG_VERSION")
    );
    if settings.bdc.as_ref().is_some_and(|b| b.simulated) {
        let _ = writeln!(
            m,
            "> **Simulated availability.** The BDC rows of this run are a labelled simulation in the FCC format. Location counts, tiers and everything built on them are a demonstration, not facts.\n"
        );
    }
}

/// Every input with its SHA-256, and the vintages.
fn inputs(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let _ = writeln!(
        m,
        "## Inputs\n\n| role | file | bytes | SHA-256 |\n|---|---|---:|---|"
    );
    for f in &run.metadata.inputs {
        let _ = writeln!(
            m,
            "| {} | `{}` | {} | `{}` |",
            f.role, f.path, f.bytes, f.sha256
        );
    }
    if let Some(bdc) = &settings.bdc {
        let _ = writeln!(m, "\nBDC vintage: {}.", bdc.vintage);
    }
    if let Some(acs) = &settings.acs {
        let _ = writeln!(m, "ACS: {} 5-year estimates.", acs.vintage);
    }
    if let Some(ookla) = &settings.ookla {
        let _ = writeln!(
            m,
            "Ookla open data: {}; {}.",
            ookla.period,
            match ookla.kind {
                crate::settings::OoklaKind::Fixed => "fixed tiles",
                crate::settings::OoklaKind::Mobile => "mobile network tiles",
                crate::settings::OoklaKind::Unstated =>
                    "tiles whose layer (fixed or mobile) the source does not name",
            }
        );
    }
}

/// §2: the tiers and their thresholds.
fn access(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    if settings.bdc.is_none() {
        let _ = writeln!(
            m,
            "\n## §2 Access: BEAD tiers of residential locations\n\nNot computed in this run (no `[bdc]` section): the location and tier fields are empty."
        );
        return;
    }
    let t = &settings.thresholds;
    let reliable: Vec<String> = t.reliable_technologies.iter().map(u16::to_string).collect();
    let _ = writeln!(
        m,
        "\n## §2 Access: BEAD tiers of residential locations\n\n\
         Each residential location (BDC `location_id`; business-only rows excluded) counts once, by its best offer over every provider and technology.\n\n\
         - **Served**: some offer with a reliable technology (codes {}){} at ≥ {} Mbps down and ≥ {} Mbps up.\n\
         - **Underserved**: not served, and some reliable offer at ≥ {} / {} Mbps.\n\
         - **Unserved**: neither.\n\
         - **Gigabit**: some offer at ≥ {} / {} Mbps.\n\n\
         `share_*` = count / `locations`. Speeds are compared with ≥ exactly at the threshold.",
        reliable.join(", "),
        if t.require_low_latency {
            ", low latency (`low_latency` = 1)"
        } else {
            ""
        },
        t.served.download,
        t.served.upload,
        t.underserved.download,
        t.underserved.upload,
        t.gigabit.download,
        t.gigabit.upload
    );
}

/// §3: the ACS variables and the MOE formulas.
fn adoption(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    if settings.acs.is_none() && settings.layers.iter().all(|l| l.tables.is_empty()) {
        let _ = writeln!(
            m,
            "\n## §3 Adoption: ACS households\n\nNot computed in this run (no `[acs]` section and no layer tables): the household fields are empty."
        );
        return;
    }
    let _ = writeln!(
        m,
        "\n## §3 Adoption: ACS households\n\n\
         - `households` = B28002_001, `no_internet` = B28002_013, `without_broadband` = B28002_001 − B28002_004.\n\
         - Sums over units: MOE = √(Σ MOEᵢ²), counting only the largest MOE among zero estimates. Difference: √(MOE_a² + MOE_b²).\n\
         - Shares p = X / Y with MOE = √(MOE_X² − p²·MOE_Y²) / Y, or with + under the root when the radicand is negative.\n\
         - Census sentinels (-666666666 and the like) are never numbers: the field is empty and `notes` says why."
    );
}

/// §4: share of income, prices, brackets.
fn affordability(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let _ = writeln!(m, "\n## §4 Affordability\n");
    if let Some(a) = &settings.affordability {
        let _ = writeln!(
            m,
            "- Share of income: **{}**. A plan at price P a month is unaffordable for a household with annual income below T = 12 × P / {}.\n\
             - Reference price P: {}{}.\n\
             - Households below T: from the income brackets ({}), linear interpolation within the bracket holding T, MOE of the interpolated part scaled by its fraction.\n\
             - `cost_to_income` = 12 × P / median household income ({}), only where the district is a unit of the table (a median is never rolled up).",
            percent_share(a.share_of_income),
            a.share_of_income,
            a.area_prices.as_ref().map_or_else(String::new, |p| format!(
                "the area price table's `{}` ({}), else ",
                p.measure, p.source
            )),
            a.reference_price.map_or_else(
                || "no fallback".to_owned(),
                |p| format!("the configured ${p:.2} a month")
            ),
            a.brackets
                .as_ref()
                .map_or_else(|| "none".to_owned(), |b| format!("{b:?}")),
            a.median_income.as_deref().unwrap_or("not given"),
        );
        for layer in &settings.layers {
            if let Some(price) = layer.reference_price {
                let _ = writeln!(
                    m,
                    "- Layer `{}`: its own tables ({}), reference price ${price:.2} ({}).",
                    layer.name,
                    layer.tables_source.as_deref().unwrap_or("own tables"),
                    layer
                        .reference_price_source
                        .as_deref()
                        .unwrap_or("configured")
                );
            }
        }
    } else {
        let _ = writeln!(
            m,
            "Not computed in this run (no `[affordability]` section)."
        );
    }
}

/// §5: measured speed.
fn speed(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let t = &settings.thresholds;
    let _ = writeln!(
        m,
        "\n## §5 Measured speed (Ookla)\n\n\
         - Means are test-weighted over the district's tiles; a district with fewer than **{}** tests gets no speed figures.\n\
         - `share_slow_tests`: share of tests in tiles below {} / {} Mbps.\n\
         - Ookla data is CC BY-NC-SA 4.0: {OOKLA_ATTRIBUTION}",
        t.min_speed_tests, t.slow_tile.download, t.slow_tile.upload
    );
}

/// One line per attribute table (METHOD.md §10): what it gives, joined on what.
fn attribute_lines(settings: &crate::settings::Settings) -> Vec<String> {
    settings
        .layers
        .iter()
        .flat_map(|layer| {
            layer.attributes.iter().map(move |table| {
                let columns: Vec<String> = [
                    table
                        .population
                        .as_ref()
                        .map(|c| format!("`population` ← `{c}`")),
                    table.share_poverty.as_ref().map(|c| {
                        format!(
                            "`share_poverty` ← `{c}`{}",
                            if table.share_poverty_unit == crate::settings::ShareUnit::Percent {
                                " ÷ 100"
                            } else {
                                ""
                            }
                        )
                    }),
                ]
                .into_iter()
                .flatten()
                .chain(
                    table
                        .columns
                        .iter()
                        .map(|c| format!("`{}` ← `{}` ({}, as read)", c.field(), c.column, c.unit)),
                )
                .collect();
                format!(
                    "- `{}`: `{}` joined on `{}` = `{}`: {} ({}; {}).",
                    layer.name,
                    table.file.display(),
                    table.id,
                    layer.id_field,
                    columns.join(", "),
                    table.source,
                    table.license
                )
            })
        })
        .collect()
}

/// §10: quarters, change and attribute tables, where the run has them.
fn quarters(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let raw_tiles = settings.ookla.as_ref().is_some_and(|o| !o.tiles.is_empty());
    let attributes = attribute_lines(settings);
    let mobile = settings
        .ookla
        .as_ref()
        .is_some_and(|o| !o.mobile_tiles.is_empty());
    if !raw_tiles && !mobile && attributes.is_empty() {
        return;
    }
    let _ = writeln!(m, "\n## §10 Quarters, change and attribute tables\n");
    if let Some(ookla) = settings.ookla.as_ref().filter(|_| raw_tiles) {
        let _ = writeln!(
            m,
            "- Each tile's quarter is read from its table (`year_quarter`, `year` and `quarter`, `date`) or file name; a tile repeated for its quarter with the same figures counts once. `<layer>.quarters.csv` has §5's figures per district and quarter (where the quarters are known).\n\
             - Change = the latest quarter's figure minus the baseline's ({} to {}), empty unless both quarters have at least {} tests; `tests_per_1000` = tests / population × 1,000 per quarter of the span.",
            ookla
                .baseline
                .as_deref()
                .unwrap_or("the first quarter of the tiles"),
            ookla.latest.as_deref().unwrap_or("the last"),
            settings.thresholds.min_speed_tests
        );
    }
    if let Some(ookla) = settings
        .ookla
        .as_ref()
        .filter(|o| !o.mobile_tiles.is_empty())
    {
        let _ = writeln!(
            m,
            "- Ookla's mobile tiles ({}) are read beside the fixed ones by the same rules — placed by centroid, §5's thresholds and minimum, quarters, and a change between the configured baseline and latest quarters or, by default, the mobile tiles' own first and last quarter (the mobile change map's title names them) — and published apart: the `mobile_*` fields and `<layer>.mobile_quarters.csv`. They are not comparable with fixed speeds and enter no need index.",
            ookla
                .mobile_tiles
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for line in attributes {
        let _ = writeln!(m, "{line}");
    }
    for layer in &run.metadata.layers {
        for figure in &layer.population_below_speed {
            let _ = writeln!(
                m,
                "- `{}`, {}: {} districts with a mean download below {} Mbps, home to {:.0} of the {:.0} residents of the districts with both figures ({}).",
                layer.level,
                if figure.period == "pooled" {
                    "all quarters pooled".to_owned()
                } else {
                    figure.period.clone()
                },
                figure.districts,
                figure.download_mbps,
                figure.population,
                figure.population_with_figures,
                figure
                    .share
                    .map_or_else(|| "no share".to_owned(), crate::package::text::percent)
            );
        }
    }
}

/// §6: how each layer got its figures.
fn levels(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let _ = writeln!(m, "\n## §6 Levels and apportionment\n");
    for layer in &run.metadata.layers {
        let from = layer.apportionment.as_ref().map(|a| &a.from);
        let how = match (from, &layer.tables) {
            (Some(from), Some(tables)) => format!(
                "apportioned from {from} (areal overlay, geodesic areas; counts × area share, MOE × weight), affordability from its own tables: {tables}"
            ),
            (Some(from), None) => format!(
                "apportioned from {from} (areal overlay, geodesic areas; counts × area share, MOE × weight)"
            ),
            (None, Some(tables)) => format!("tabulated by its own ids: {tables}"),
            (None, None) if settings.levels.iter().any(|l| l.level.as_str() == layer.level) => {
                "census level: block groups summed, by GEOID prefix".to_owned()
            }
            (None, None) => "the layer's own districts, by their own ids (METHOD.md §10): Ookla tiles by centroid (§5), attribute tables joined on the id".to_owned(),
        };
        let _ = writeln!(
            m,
            "- `{}` ({} districts): {how}.",
            layer.level, layer.districts
        );
    }
}

/// §7: the need index and its weights.
fn need(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let w = &settings.need_weights;
    let _ = writeln!(
        m,
        "\n## §7 Need index\n\n\
         need_index = 100 × Σ wᵢ cᵢ / Σ wᵢ over the available components (named in `need_components`), with weights: not served {}, without broadband {}, unaffordable {}, slow tests {}, poverty {} (a layer's attribute table, §10).",
        w.not_served, w.without_broadband, w.unaffordable, w.slow_tests, w.poverty
    );
}

/// §8: suppression and what it withheld.
fn privacy(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    let _ = writeln!(
        m,
        "\n## §8 Privacy and suppression\n\n\
         - A district with fewer than **{}** households or **{}** residential locations has its counts and shares withheld (empty; reason in `suppressed`).\n\
         - Complementary suppression (beyond METHOD.md, which would let one withheld district be recovered from the totals): the smallest published districts are withheld too, until the withheld group has at least two districts and reaches both thresholds together; then, across the package, further block groups until no withheld census district with a household or a location can be solved for from any published figure (the other levels, the apportioned layers, the `suppressed` and `unassigned` lines).\n\
         - Each layer's `<layer>.summary.csv` has a `suppressed` line summing the withheld districts (and, for an apportioned layer, the `unassigned` line), so the district table's columns plus these lines add up to the area's totals.\n\
         - No location-level row is published anywhere.\n",
        settings.suppression.min_households, settings.suppression.min_locations
    );
    for layer in &run.metadata.layers {
        if let Some(w) = &layer.withheld {
            let _ = writeln!(
                m,
                "- `{}`: {} withheld as small, {} withheld to protect them.",
                layer.level, w.primary, w.complementary
            );
        }
    }
}

/// §9: the fields, then each layer's own (§10).
fn fields(m: &mut String, run: &Doc<'_>) {
    let _ = writeln!(
        m,
        "\n## §9 Fields\n\n| field | type | unit | meaning |\n|---|---|---|---|"
    );
    for f in FIELDS {
        let _ = writeln!(
            m,
            "| `{}` | {} | {} | {} |",
            f.name,
            f.kind.as_str(),
            f.unit,
            f.description
        );
    }
    for layer in &run.metadata.layers {
        for f in &layer.own_fields {
            let _ = writeln!(
                m,
                "| `{}` (layer `{}` only, §10) | number | {} | {}: column `{}` of `{}`, as read ({}) |",
                f.field, layer.level, f.unit, f.description, f.column, f.table, f.source
            );
        }
    }
}

/// The run's warnings and the licenses.
fn closing(m: &mut String, run: &Doc<'_>) {
    let settings = run.settings;
    if !run.metadata.warnings.is_empty() {
        let _ = writeln!(m, "\n## Warnings of this run\n");
        for warning in &run.metadata.warnings {
            let _ = writeln!(m, "- {warning}");
        }
    }
    let _ = writeln!(m, "\n## Licenses\n");
    for l in package_licenses(settings) {
        let _ = writeln!(m, "- {}", l["title"].as_str().unwrap_or(""));
    }
}
