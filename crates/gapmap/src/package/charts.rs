//! The charts of a layer (plotters, through gapmap-export): choropleths of every gap, the
//! districts with the highest need, tier bars, a histogram, income against adoption, and the
//! affordability sweep.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::charts::{
    ChartText, MapFeature, RankedBar, Series, TierBar, choropleth, grouped_bars, histogram,
    ranked_bars, scatter, thousands, tier_bars,
};
use gapmap_gaps::{DistrictGaps, FieldSource, FieldValue};

use super::text::{class_method, percent, percent_share, source_lines};
use super::{PublishedLayer, Run};
use crate::settings::Settings;

fn source_for_affordability(settings: &Settings, level: &PublishedLayer<'_>) -> String {
    let mut parts = Vec::new();
    if let Some(tables) = &level.tabulated_by {
        parts.push(tables.clone());
    } else if let Some(acs) = &settings.acs {
        parts.push(format!("U.S. Census Bureau ACS {} 5-year", acs.vintage));
    }
    if let Some(prices) = settings
        .affordability
        .as_ref()
        .and_then(|a| a.area_prices.as_ref())
    {
        if level.tabulated_by.is_none() {
            parts.push(prices.source.clone());
        }
    }
    format!(
        "Sources: {}.\nMethod: gapmap {} (METHOD.md §4): unaffordable when 12 × price > share × annual household income; households below the threshold interpolated within their income bracket.",
        parts.join("; "),
        env!("CARGO_PKG_VERSION")
    )
}

/// Maps of `cost_to_income` and `share_unaffordable`, and the unaffordable share at each chart
/// share side by side (METHOD.md §4).
fn affordability_charts(
    charts: &Path,
    settings: &Settings,
    run: &Run<'_>,
    level: &PublishedLayer<'_>,
    unit_names: &(String, String),
    source: &str,
) -> Result<Vec<PathBuf>> {
    // Prices of another census geography are joined by GEOID: the maps say so.
    let geography_warning = settings
        .affordability
        .as_ref()
        .and_then(|a| a.area_prices.as_ref())
        .filter(|p| p.geography != 2020 && level.tabulated_by.is_none())
        .and_then(|p| {
            run.results.run.price_matches.iter().find(|m| m.level == level.result.name).map(|m| {
                format!(
                    "Prices are per {} census area, joined to 2020 areas by GEOID: {} of {} matched",
                    p.geography, m.with_table_price, m.districts
                )
            })
        })
        .unwrap_or_default();
    let Some(affordability) = &settings.affordability else {
        return Ok(Vec::new());
    };
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let area = &settings.area.name;
    let label = &level.names.title;
    let geometry = |i: usize| &level.layer.features[level.geometry_index[i]].geometry;
    let labelled = rows.len() <= 12;
    let mut written = Vec::new();
    let share = affordability.share_of_income;
    if rows.iter().any(|r| r.cost_to_income.is_some()) {
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| MapFeature {
                label: labelled.then(|| rows[i].name.as_str()),
                geometry: geometry(i),
                value: r.cost_to_income,
                suppressed: r.suppressed.is_some(),
            })
            .collect();
        let text = ChartText {
            title: format!("Cheapest 100/20 plan as a share of median income, by {label}"),
            subtitle: format!(
                "{area} · cost_to_income = 12 × reference price ÷ median household income"
            ),
            warning: geography_warning.clone(),
            legend_title: "Cost to income\n(share of median income)".into(),
            source: source.to_owned(),
            unit_names: unit_names.clone(),
            no_data_label: "No price or no median income".into(),
        };
        written.extend(map_files(
            &charts.join(format!("{name}_cost_to_income")),
            &features,
            &text,
            settings,
            &|v| format!("{:.2}%", v * 100.0),
        )?);
    }
    if rows.iter().any(|r| r.share_unaffordable.is_some()) {
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| MapFeature {
                label: labelled.then(|| rows[i].name.as_str()),
                geometry: geometry(i),
                value: r.share_unaffordable.map(|e| e.value),
                suppressed: r.suppressed.is_some(),
            })
            .collect();
        let text = ChartText {
            title: format!(
                "Households for whom a 100/20 plan costs more than {} of income, by {label}",
                percent_share(share)
            ),
            subtitle: format!(
                "{area} · share of households with income below 12 × price ÷ {}",
                percent_share(share)
            ),
            warning: geography_warning.clone(),
            legend_title: "Unaffordable\n(share of households)".into(),
            source: source.to_owned(),
            unit_names: unit_names.clone(),
            no_data_label: "No income brackets or price".into(),
        };
        written.extend(map_files(
            &charts.join(format!("{name}_unaffordable")),
            &features,
            &text,
            settings,
            &percent,
        )?);
    }
    written.extend(affordability_sweep(
        charts, settings, level, unit_names, source,
    )?);
    Ok(written)
}

/// The unaffordable share of every district at each chart share, side by side (§4).
fn affordability_sweep(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    unit_names: &(String, String),
    source: &str,
) -> Result<Vec<PathBuf>> {
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let area = &settings.area.name;
    let label = &level.names.title;
    let mut written = Vec::new();
    if !level.by_share.is_empty() {
        let categories: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
        let series: Vec<Series> = level
            .by_share
            .iter()
            .map(|sweep| Series {
                label: format!("at {} of income", percent_share(sweep.share)),
                values: sweep.values.clone(),
            })
            .collect();
        let thresholds: Vec<String> = level
            .by_share
            .iter()
            .map(|sweep| &sweep.share)
            .filter_map(|share| {
                rows.iter().find_map(|r| r.reference_price).map(|p| {
                    format!(
                        "${} ({})",
                        thousands(12.0 * p / share),
                        percent_share(*share)
                    )
                })
            })
            .collect();
        let prices: std::collections::BTreeSet<String> = rows
            .iter()
            .filter_map(|r| r.reference_price)
            .map(|p| format!("${p:.2}"))
            .collect();
        let text = ChartText {
            title: format!("Households for whom broadband is unaffordable, by {label}"),
            subtitle: format!(
                "{area} · {} a month for a 100/20 plan; households with income below {}",
                prices.into_iter().collect::<Vec<_>>().join(", "),
                thresholds.join(" / ")
            ),
            warning: String::new(),
            legend_title: "Share of households".into(),
            source: source.to_owned(),
            unit_names: unit_names.clone(),
            no_data_label: String::new(),
        };
        let shares: Vec<String> = level
            .by_share
            .iter()
            .map(|sweep| format!("{:.0}", sweep.share * 100.0))
            .collect();
        let files = grouped_bars(
            &charts.join(format!("{name}_unaffordable_at_{}pct", shares.join("_"))),
            &categories,
            &series,
            &text,
            &percent,
        )?;
        written.extend([files.png, files.svg]);
    }
    Ok(written)
}

/// A choropleth as PNG and SVG; the two paths, for the list of written files.
fn map_files(
    base: &Path,
    features: &[MapFeature<'_>],
    text: &ChartText,
    settings: &Settings,
    format: &dyn Fn(f64) -> String,
) -> Result<[PathBuf; 2]> {
    let files = choropleth(base, features, text, class_method(settings), format)?;
    Ok([files.png, files.svg])
}

/// The sources of the need index's components that a layer actually used.
fn need_sources(settings: &Settings, level: &PublishedLayer<'_>, components: &str) -> String {
    let mut text = source_lines(
        settings,
        components.contains("not served"),
        components.contains("without broadband"),
        components.contains("slow"),
    );
    if components.contains("unaffordable")
        && let Some(tables) = &level.tabulated_by
    {
        text = text.replacen("Sources: ", &format!("Sources: {tables}; "), 1);
    }
    text
}

/// What every chart of one layer shares.
struct LayerCharts<'a> {
    run: &'a Run<'a>,
    level: &'a PublishedLayer<'a>,
    /// The charts folder.
    charts: PathBuf,
    /// The warning of simulated availability figures (empty for real data).
    warning: String,
    /// What one district and several are called.
    unit_names: (String, String),
}

impl LayerCharts<'_> {
    /// Whether some district has a value of `field`.
    fn any(&self, field: fn(&DistrictGaps) -> Option<f64>) -> bool {
        self.level.result.rows.iter().any(|r| field(r).is_some())
    }

    /// A district of a map: labelled on small layers (wards), where a reader looks for names;
    /// no value where withheld.
    fn feature(&self, row: &DistrictGaps, value: Option<f64>, index: usize) -> MapFeature<'_> {
        let rows = &self.level.result.rows;
        let level = self.level;
        MapFeature {
            label: (rows.len() <= 12).then(|| rows[index].name.as_str()),
            geometry: &level.layer.features[level.geometry_index[index]].geometry,
            value: if row.suppressed.is_some() {
                None
            } else {
                value
            },
            suppressed: row.suppressed.is_some(),
        }
    }
}

/// Every chart of a layer; returns the files written, in order.
pub(crate) fn charts_for(
    out: &Path,
    run: &Run<'_>,
    level: &PublishedLayer<'_>,
) -> Result<Vec<PathBuf>> {
    let settings = run.settings;
    let simulated = settings.bdc.as_ref().is_some_and(|b| b.simulated);
    let ctx = LayerCharts {
        run,
        level,
        charts: out.join("charts"),
        warning: if simulated {
            "SIMULATED availability data: for demonstration only, not FCC figures".to_owned()
        } else {
            String::new()
        },
        unit_names: (level.names.singular.clone(), level.names.plural.clone()),
    };
    let mut written = Vec::new();
    written.extend(unserved_map(&ctx)?);
    written.extend(no_internet_map(&ctx)?);
    written.extend(affordability_charts(
        &ctx.charts,
        settings,
        run,
        level,
        &ctx.unit_names,
        &source_for_affordability(settings, level),
    )?);
    written.extend(speed_map(&ctx)?);
    written.extend(need_map(&ctx)?);
    written.extend(need_ranking(&ctx)?);
    written.extend(distribution_charts(
        &ctx.charts,
        settings,
        level,
        &ctx.warning,
    )?);
    Ok(written)
}

/// The map of homes without 100/20 service (METHOD.md §2).
fn unserved_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let LayerCharts {
        run,
        level,
        charts,
        warning,
        unit_names,
        ..
    } = ctx;
    let settings = run.settings;
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let area = &settings.area.name;
    let mut written = Vec::new();
    if ctx.any(|r| r.share_unserved) {
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let value = r
                    .share_unserved
                    .zip(r.share_underserved)
                    .map(|(a, b)| a + b);
                ctx.feature(r, value, i)
            })
            .collect();
        let text = ChartText {
            title: format!("Homes without 100/20 Mbps service, by {label}"),
            subtitle: format!(
                "{area} · residential locations unserved or underserved (BEAD: reliable wired or licensed wireless, low latency)"
            ),
            warning: warning.clone(),
            legend_title: "Unserved + underserved\n(share of locations)".into(),
            source: source_lines(settings, true, false, false),
            unit_names: unit_names.clone(),
            no_data_label: "No residential locations".into(),
        };
        written.extend(map_files(
            &charts.join(format!("{name}_unserved_underserved")),
            &features,
            &text,
            settings,
            &percent,
        )?);
    }
    Ok(written)
}

/// The map of households with no internet access (§3).
fn no_internet_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let LayerCharts {
        run,
        level,
        charts,
        unit_names,
        ..
    } = ctx;
    let settings = run.settings;
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let area = &settings.area.name;
    let mut written = Vec::new();
    if ctx.any(|r| r.share_no_internet.map(|e| e.value)) {
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ctx.feature(r, r.share_no_internet.map(|e| e.value), i))
            .collect();
        let text = ChartText {
            title: format!("Households with no internet access, by {label}"),
            subtitle: format!(
                "{area} · ACS B28002_013 over B28002_001; estimates carry margins of error (see the data files)"
            ),
            warning: String::new(),
            legend_title: "No internet access\n(share of households)".into(),
            source: source_lines(settings, false, true, false),
            unit_names: unit_names.clone(),
            no_data_label: "No households or no estimate".into(),
        };
        written.extend(map_files(
            &charts.join(format!("{name}_no_internet")),
            &features,
            &text,
            settings,
            &percent,
        )?);
    }
    Ok(written)
}

/// The map of measured download speed (§5).
fn speed_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let LayerCharts {
        run,
        level,
        charts,
        unit_names,
        ..
    } = ctx;
    let settings = run.settings;
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let area = &settings.area.name;
    let mut written = Vec::new();
    if ctx.any(|r| r.speed_mean_down_mbps) {
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ctx.feature(r, r.speed_mean_down_mbps, i))
            .collect();
        let text = ChartText {
            title: format!("Measured fixed download speed, by {label}"),
            subtitle: format!(
                "{area} · test-weighted mean of Ookla tile means; fewer than {} tests: no figure (METHOD.md §5)",
                settings.thresholds.min_speed_tests
            ),
            warning: String::new(),
            legend_title: "Mean download\n(Mbps)".into(),
            source: source_lines(settings, false, false, true),
            unit_names: unit_names.clone(),
            no_data_label: format!("Fewer than {} tests", settings.thresholds.min_speed_tests),
        };
        written.extend(map_files(
            &charts.join(format!("{name}_download_speed")),
            &features,
            &text,
            settings,
            &|v| format!("{v:.0}"),
        )?);
    }
    Ok(written)
}

/// The map of the need index (§7).
fn need_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let LayerCharts {
        run,
        level,
        charts,
        warning,
        unit_names,
        ..
    } = ctx;
    let settings = run.settings;
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let area = &settings.area.name;
    let mut written = Vec::new();
    if ctx.any(|r| r.need_index) {
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ctx.feature(r, r.need_index.map(|v| v / 100.0), i))
            .collect();
        let components = rows
            .iter()
            .find(|r| !r.need_components.is_empty())
            .map(|r| r.need_components.replace(';', ", ").replace('_', " "))
            .unwrap_or_default();
        let text = ChartText {
            title: format!("Need index, by {label}"),
            subtitle: format!(
                "{area} · 0–100, weighted mean of shares: {components} (METHOD.md §7)"
            ),
            warning: if run.inputs.locations.is_some() && components.contains("not served") {
                warning.clone()
            } else {
                String::new()
            },
            legend_title: "Need index\n(0 = no gap, 100 = all)".into(),
            source: need_sources(settings, level, &components),
            unit_names: unit_names.clone(),
            no_data_label: "No component available".into(),
        };
        written.extend(map_files(
            &charts.join(format!("{name}_need_index")),
            &features,
            &text,
            settings,
            &|v| format!("{:.1}", v * 100.0),
        )?);
    }
    Ok(written)
}

/// The districts with the highest need, as bars (§7).
fn need_ranking(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let LayerCharts {
        run,
        level,
        charts,
        warning,
        unit_names,
        ..
    } = ctx;
    let settings = run.settings;
    let rows = &level.result.rows;
    let name = level.result.name.as_str();
    let plural = &level.names.plural;
    let area = &settings.area.name;
    let mut written = Vec::new();
    let mut ranked: Vec<&DistrictGaps> = rows
        .iter()
        .filter(|r| r.need_index.is_some() && r.suppressed.is_none())
        .collect();
    if !ranked.is_empty() {
        // Highest need first; ties by GEOID so the chart is the same every run.
        ranked.sort_by(|a, b| {
            b.need_index
                .unwrap_or(0.0)
                .total_cmp(&a.need_index.unwrap_or(0.0))
                .then_with(|| a.geoid.cmp(&b.geoid))
        });
        ranked.truncate(settings.output.top_districts);
        let bars: Vec<RankedBar> = ranked
            .iter()
            .map(|r| RankedBar {
                label: format!("{} ({})", r.name, r.geoid),
                value: r.need_index.unwrap_or(0.0),
            })
            .collect();
        let components = ranked[0]
            .need_components
            .replace(';', ", ")
            .replace('_', " ");
        let text = ChartText {
            title: format!("The {} {plural} with the highest need", bars.len()),
            subtitle: format!(
                "{area} · need index 0–100 = weighted mean of shares: {components} (METHOD.md §7)"
            ),
            warning: warning.clone(),
            legend_title: "Need index (0 = no gap, 100 = every component at 100%)".into(),
            source: need_sources(settings, level, &components),
            unit_names: unit_names.clone(),
            no_data_label: String::new(),
        };
        let files = ranked_bars(
            &charts.join(format!("{name}_need_top{}", bars.len())),
            &bars,
            &text,
        )?;
        written.extend([files.png, files.svg]);
    }
    Ok(written)
}

/// The stacked tier bars, the histogram of the configured field, and median income against
/// the share without broadband.
fn distribution_charts(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    warning: &str,
) -> Result<Vec<PathBuf>> {
    let mut written = tier_chart(charts, settings, level, warning)?;
    written.extend(histogram_chart(charts, settings, level, warning)?);
    written.extend(income_scatter(charts, settings, level)?);
    Ok(written)
}

/// Locations by BEAD tier, the districts with the largest gap first (§2).
fn tier_chart(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    warning: &str,
) -> Result<Vec<PathBuf>> {
    let rows: Vec<&DistrictGaps> = level
        .result
        .rows
        .iter()
        .filter(|r| r.suppressed.is_none())
        .collect();
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let singular = &level.names.singular;
    let plural = &level.names.plural;
    let unit_names = (singular.clone(), plural.clone());
    let area = &settings.area.name;
    let mut written = Vec::new();
    let mut tiers: Vec<(&DistrictGaps, [f64; 3], f64)> = rows
        .iter()
        .filter_map(|r| {
            let shares = [r.share_served?, r.share_underserved?, r.share_unserved?];
            Some((*r, shares, r.locations?))
        })
        .collect();
    if !tiers.is_empty() {
        // Largest gap first; ties by id so the chart is the same every run.
        tiers.sort_by(|a, b| {
            (b.1[1] + b.1[2])
                .total_cmp(&(a.1[1] + a.1[2]))
                .then_with(|| a.0.geoid.cmp(&b.0.geoid))
        });
        let all = tiers.len() <= settings.output.top_districts;
        tiers.truncate(settings.output.top_districts);
        let bars: Vec<TierBar> = tiers
            .iter()
            .map(|(r, shares, locations)| TierBar {
                label: if r.name == r.geoid {
                    r.name.clone()
                } else {
                    format!("{} ({})", r.name, r.geoid)
                },
                shares: *shares,
                locations: *locations,
            })
            .collect();
        let title = if all {
            format!("Residential locations by BEAD tier, by {label}")
        } else {
            format!(
                "Residential locations by BEAD tier: the {} {plural} with the largest gap",
                bars.len()
            )
        };
        let text = ChartText {
            title,
            subtitle: format!(
                "{area} · served ≥ 100/20 Mbps, underserved ≥ 25/3, unserved below; reliable technologies only (METHOD.md §2)"
            ),
            warning: warning.to_owned(),
            legend_title: "Share of residential locations".into(),
            source: source_lines(settings, true, false, false),
            unit_names: unit_names.clone(),
            no_data_label: String::new(),
        };
        let files = tier_bars(&charts.join(format!("{name}_tiers")), &bars, &text)?;
        written.extend([files.png, files.svg]);
    }

    Ok(written)
}

/// The distribution of the configured `histogram_field`.
fn histogram_chart(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    warning: &str,
) -> Result<Vec<PathBuf>> {
    let rows: Vec<&DistrictGaps> = level
        .result
        .rows
        .iter()
        .filter(|r| r.suppressed.is_none())
        .collect();
    let name = level.result.name.as_str();
    let singular = &level.names.singular;
    let plural = &level.names.plural;
    let unit_names = (singular.clone(), plural.clone());
    let area = &settings.area.name;
    let mut written = Vec::new();
    // The field was checked when the settings were read; a hand-made `Settings` naming no
    // numeric field gets no histogram.
    let Some(field) =
        gapmap_gaps::Field::named(&settings.output.histogram_field).filter(|f| f.is_numeric())
    else {
        return Ok(written);
    };
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|r| match (field.value)(r) {
            FieldValue::Number(n) => Some(n),
            FieldValue::Count(n) => Some(n as f64),
            FieldValue::Text(_) | FieldValue::Empty => None,
        })
        .collect();
    if values.len() >= 3 {
        let share = field.unit == "share";
        let availability = field.source == FieldSource::Availability;
        let name_of_field = field.name;
        let text = ChartText {
            title: format!("Distribution of {name_of_field} over the {plural}"),
            subtitle: format!(
                "{area} · {} {plural} with a value; withheld (METHOD.md §8) and empty ones left out",
                values.len()
            ),
            warning: if availability {
                warning.to_owned()
            } else {
                String::new()
            },
            legend_title: if share {
                format!("{name_of_field} (share)")
            } else {
                name_of_field.to_owned()
            },
            source: source_lines(
                settings,
                availability,
                field.source == FieldSource::Census,
                field.source == FieldSource::Speed,
            ),
            unit_names: unit_names.clone(),
            no_data_label: String::new(),
        };
        let format: &dyn Fn(f64) -> String = if share {
            &|v| format!("{:.0}%", v * 100.0)
        } else {
            &|v| thousands(v)
        };
        let files = histogram(
            &charts.join(format!("{name}_histogram_{name_of_field}")),
            &values,
            &text,
            format,
        )?;
        written.extend([files.png, files.svg]);
    }

    Ok(written)
}

/// Median income against the share of households without broadband (§3).
fn income_scatter(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
) -> Result<Vec<PathBuf>> {
    let rows: Vec<&DistrictGaps> = level
        .result
        .rows
        .iter()
        .filter(|r| r.suppressed.is_none())
        .collect();
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let singular = &level.names.singular;
    let plural = &level.names.plural;
    let unit_names = (singular.clone(), plural.clone());
    let area = &settings.area.name;
    let mut written = Vec::new();
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((r.median_income?.value, r.share_without_broadband?.value)))
        .collect();
    if points.len() >= 3 {
        let text = ChartText {
            title: format!("Median household income and households without broadband, by {label}"),
            subtitle: format!(
                "{area} · each dot a {singular}; ACS estimates with margins of error (in the data files); medians of $250,000 or more are top-coded at 250,001"
            ),
            warning: String::new(),
            legend_title: String::new(),
            source: source_lines(settings, false, true, false)
                .replace("(B28002)", "(B28002, B19013)"),
            unit_names,
            no_data_label: String::new(),
        };
        let files = scatter(
            &charts.join(format!("{name}_income_vs_without_broadband")),
            &points,
            &text,
            (
                "Median household income ($ a year)",
                "Households without broadband (share)",
            ),
            &|v| format!("${}k", thousands(v / 1000.0)),
            &|v| format!("{:.0}%", v * 100.0),
        )?;
        written.extend([files.png, files.svg]);
    }
    Ok(written)
}
