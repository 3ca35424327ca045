//! METHOD.md §4 charts: cost to income, the unaffordable share, and the sweep over shares.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::charts::{ChartText, Series, grouped_bars, thousands};
use gapmap_gaps::DistrictGaps;

use super::LayerCharts;
use crate::package::layers::PublishedLayer;
use crate::package::text::{percent, percent_share};
use crate::settings::Settings;

pub(super) fn source_for_affordability(settings: &Settings, level: &PublishedLayer<'_>) -> String {
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
pub(super) fn affordability_charts(ctx: &LayerCharts<'_>, source: &str) -> Result<Vec<PathBuf>> {
    let (settings, run, level) = (ctx.settings(), ctx.run, ctx.level);
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
    let (area, label) = (ctx.area(), ctx.label());
    let share = affordability.share_of_income;
    let text = ChartText {
        title: format!("Cheapest 100/20 plan as a share of median income, by {label}"),
        subtitle: format!(
            "{area} · cost_to_income = 12 × reference price ÷ median household income"
        ),
        warning: geography_warning.clone(),
        legend_title: "Cost to income\n(share of median income)".into(),
        source: source.to_owned(),
        unit_names: ctx.unit_names.clone(),
        no_data_label: "No price or no median income".into(),
    };
    let mut written = ctx.map(
        "cost_to_income",
        |r: &DistrictGaps| r.cost_to_income,
        &text,
        &|v| format!("{:.2}%", v * 100.0),
    )?;
    let text = ChartText {
        title: format!(
            "Households for whom a 100/20 plan costs more than {} of income, by {label}",
            percent_share(share)
        ),
        subtitle: format!(
            "{area} · share of households with income below 12 × price ÷ {}",
            percent_share(share)
        ),
        warning: geography_warning,
        legend_title: "Unaffordable\n(share of households)".into(),
        source: source.to_owned(),
        unit_names: ctx.unit_names.clone(),
        no_data_label: "No income brackets or price".into(),
    };
    written.extend(ctx.map(
        "unaffordable",
        |r: &DistrictGaps| r.share_unaffordable.map(|e| e.value),
        &text,
        &percent,
    )?);
    written.extend(affordability_sweep(
        &ctx.charts,
        settings,
        level,
        &ctx.unit_names,
        source,
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
