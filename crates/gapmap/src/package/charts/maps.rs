//! The choropleths of access, adoption, speed and need, and the need ranking.

use std::path::PathBuf;

use anyhow::Result;
use gapmap_export::charts::{ChartText, RankedBar, ranked_bars};
use gapmap_gaps::DistrictGaps;

use super::{LayerCharts, need_sources};
use crate::package::text::{percent, source_lines};

/// The map of homes without 100/20 service (METHOD.md §2).
pub(super) fn unserved_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let text = ChartText {
        title: format!("Homes without 100/20 Mbps service, by {}", ctx.label()),
        subtitle: format!(
            "{} · residential locations unserved or underserved (BEAD: reliable wired or licensed wireless, low latency)",
            ctx.area()
        ),
        warning: ctx.warning.clone(),
        legend_title: "Unserved + underserved\n(share of locations)".into(),
        source: source_lines(ctx.settings(), true, false, false),
        unit_names: ctx.unit_names.clone(),
        no_data_label: "No residential locations".into(),
    };
    let value = |r: &DistrictGaps| {
        r.share_unserved
            .zip(r.share_underserved)
            .map(|(a, b)| a + b)
    };
    ctx.map("unserved_underserved", value, &text, &percent)
}

/// The map of households with no internet access (§3).
pub(super) fn no_internet_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let text = ChartText {
        title: format!("Households with no internet access, by {}", ctx.label()),
        subtitle: format!(
            "{} · ACS B28002_013 over B28002_001; estimates carry margins of error (see the data files)",
            ctx.area()
        ),
        warning: String::new(),
        legend_title: "No internet access\n(share of households)".into(),
        source: source_lines(ctx.settings(), false, true, false),
        unit_names: ctx.unit_names.clone(),
        no_data_label: "No households or no estimate".into(),
    };
    let value = |r: &DistrictGaps| r.share_no_internet.map(|e| e.value);
    ctx.map("no_internet", value, &text, &percent)
}

/// The map of measured download speed (§5).
pub(super) fn speed_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let minimum = ctx.settings().thresholds.min_speed_tests;
    let text = ChartText {
        title: format!("Measured fixed download speed, by {}", ctx.label()),
        subtitle: format!(
            "{} · test-weighted mean of Ookla tile means; fewer than {minimum} tests: no figure (METHOD.md §5)",
            ctx.area()
        ),
        warning: String::new(),
        legend_title: "Mean download\n(Mbps)".into(),
        source: source_lines(ctx.settings(), false, false, true),
        unit_names: ctx.unit_names.clone(),
        no_data_label: format!("Fewer than {minimum} tests"),
    };
    let value = |r: &DistrictGaps| r.speed_mean_down_mbps;
    ctx.map("download_speed", value, &text, &|v| format!("{v:.0}"))
}

/// The map of the need index (§7).
pub(super) fn need_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let components = ctx
        .level
        .result
        .rows
        .iter()
        .find(|r| !r.need_components.is_empty())
        .map(|r| r.need_components.replace(';', ", ").replace('_', " "))
        .unwrap_or_default();
    let availability = ctx.run.inputs.locations.is_some() && components.contains("not served");
    let text = ChartText {
        title: format!("Need index, by {}", ctx.label()),
        subtitle: format!(
            "{} · 0–100, weighted mean of shares: {components} (METHOD.md §7)",
            ctx.area()
        ),
        warning: if availability {
            ctx.warning.clone()
        } else {
            String::new()
        },
        legend_title: "Need index\n(0 = no gap, 100 = all)".into(),
        source: need_sources(ctx.settings(), ctx.level, &components),
        unit_names: ctx.unit_names.clone(),
        no_data_label: "No component available".into(),
    };
    let value = |r: &DistrictGaps| r.need_index.map(|v| v / 100.0);
    ctx.map("need_index", value, &text, &|v| format!("{:.1}", v * 100.0))
}

/// The districts with the highest need, as bars (§7).
pub(super) fn need_ranking(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
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
        // At least one bar: a hand-made `Settings` may say 0 (a checked one cannot).
        ranked.truncate(settings.output.top_districts.max(1));
        let bars: Vec<RankedBar> = ranked
            .iter()
            .map(|r| RankedBar {
                label: format!("{} ({})", r.name, r.geoid),
                value: r.need_index.unwrap_or(0.0),
            })
            .collect();
        let components = ranked
            .first()
            .map(|r| r.need_components.replace(';', ", ").replace('_', " "))
            .unwrap_or_default();
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
