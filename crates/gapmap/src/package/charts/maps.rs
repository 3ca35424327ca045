//! The choropleths of access, adoption, speed and need, and the need ranking.

use std::path::PathBuf;

use anyhow::Result;
use gapmap_export::charts::{ChartText, Line, RankedBar, line_chart, ranked_bars};
use gapmap_gaps::DistrictGaps;
use gapmap_gaps::periods::QuarterTable;

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
        title: format!(
            "Measured {}download speed, by {}",
            ctx.settings()
                .ookla
                .as_ref()
                .map_or("", |o| o.kind.adjective()),
            ctx.label()
        ),
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

/// The map of measured mobile download speed, when mobile tiles were read beside the fixed
/// ones (§10): its own classes, never on one scale with the fixed map.
pub(super) fn mobile_speed_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let minimum = ctx.settings().thresholds.min_speed_tests;
    let text = ChartText {
        title: format!("Measured mobile download speed, by {}", ctx.label()),
        subtitle: format!(
            "{} · test-weighted mean of Ookla mobile tile means; fewer than {minimum} tests: no figure (METHOD.md §5, §10); not comparable with fixed speeds",
            ctx.area()
        ),
        warning: String::new(),
        legend_title: "Mean mobile download\n(Mbps)".into(),
        source: source_lines(ctx.settings(), false, false, true),
        unit_names: ctx.unit_names.clone(),
        no_data_label: format!("Fewer than {minimum} mobile tests"),
    };
    let value = |r: &DistrictGaps| r.mobile_speed_mean_down_mbps;
    ctx.map("mobile_download_speed", value, &text, &|v| {
        format!("{v:.0}")
    })
}

/// The quarters of a change, as the charts say them: "2019Q1 to 2022Q4".
fn change_span(table: Option<&QuarterTable>) -> Option<(String, String)> {
    let table = table?;
    let span = table.span?;
    Some((
        table.quarters[span.baseline as usize].clone(),
        table.quarters[span.latest as usize].clone(),
    ))
}

/// The map of the change in mean download between two quarters (METHOD.md §10): diverging,
/// centred on zero, a fall warm.
pub(super) fn change_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let kind = ctx
        .settings()
        .ookla
        .as_ref()
        .map_or("", |o| o.kind.adjective());
    let value = |r: &DistrictGaps| r.speed_change_down_mbps;
    change_map_of(
        ctx,
        ctx.level.quarters.as_ref(),
        kind,
        ("download_change", &value),
    )
}

/// The same map of the mobile tiles read beside the fixed ones (§10), with its own classes.
pub(super) fn mobile_change_map(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let value = |r: &DistrictGaps| r.mobile_speed_change_down_mbps;
    change_map_of(
        ctx,
        ctx.level.mobile_quarters.as_ref(),
        "mobile ",
        ("mobile_download_change", &value),
    )
}

/// A row's value on a map.
type Pick<'a> = dyn Fn(&DistrictGaps) -> Option<f64> + 'a;

/// A change map of one kind of tiles: `quarters` is that kind's table, `kind` its adjective
/// (`mobile `, `fixed ` or empty), `stem` the map's name and `value` its field.
fn change_map_of(
    ctx: &LayerCharts<'_>,
    quarters: Option<&QuarterTable>,
    kind: &str,
    (stem, value): (&str, &Pick<'_>),
) -> Result<Vec<PathBuf>> {
    let Some((baseline, latest)) = change_span(quarters) else {
        return Ok(Vec::new());
    };
    let minimum = ctx.settings().thresholds.min_speed_tests;
    let text = ChartText {
        title: format!(
            "Change in measured {kind}download speed, {baseline} to {latest}, by {}",
            ctx.label()
        ),
        subtitle: format!(
            "{} · test-weighted mean in {latest} minus {baseline}; red: slower, blue: faster; fewer than {minimum} tests in either quarter: no figure (METHOD.md §10)",
            ctx.area()
        ),
        warning: String::new(),
        legend_title: "Change in mean\ndownload (Mbps)".into(),
        source: source_lines(ctx.settings(), false, false, true),
        unit_names: ctx.unit_names.clone(),
        no_data_label: format!("Fewer than {minimum} tests in a quarter"),
    };
    ctx.map(stem, value, &text, &|v| format!("{v:+.0}"))
}

/// The quarterly series of mean download of the districts whose download changed most
/// (METHOD.md §10), at most seven lines.
pub(super) fn quarter_series(ctx: &LayerCharts<'_>) -> Result<Vec<PathBuf>> {
    let (Some(table), Some((baseline, latest))) = (
        ctx.level.quarters.as_ref(),
        change_span(ctx.level.quarters.as_ref()),
    ) else {
        return Ok(Vec::new());
    };
    let rows = &ctx.level.result.rows;
    let mut ranked: Vec<(usize, f64)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.suppressed.is_none())
        .filter_map(|(i, r)| r.speed_change_down_mbps.map(|c| (i, c)))
        .collect();
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    // Largest change either way first; ties by id so the chart is the same every run.
    ranked.sort_by(|a, b| {
        b.1.abs()
            .total_cmp(&a.1.abs())
            .then_with(|| rows[a.0].geoid.cmp(&rows[b.0].geoid))
    });
    let with_change = ranked.len();
    ranked.truncate(7);
    let lines: Vec<Line> = ranked
        .iter()
        .map(|&(i, change)| Line {
            label: format!("{} ({change:+.0})", rows[i].name),
            values: table.rows[i]
                .as_ref()
                .map(|quarters| quarters.iter().map(|s| s.mean_down_mbps).collect())
                .unwrap_or_default(),
        })
        .collect();
    let minimum = ctx.settings().thresholds.min_speed_tests;
    let kind = ctx
        .settings()
        .ookla
        .as_ref()
        .map_or("", |o| o.kind.adjective());
    let text = ChartText {
        title: match (lines.len(), with_change) {
            (1, 1) => format!(
                "Measured {kind}download speed by quarter: the one {} with a change",
                ctx.level.names.singular
            ),
            (shown, all) if shown == all => format!(
                "Measured {kind}download speed by quarter: the {shown} {} with a change",
                ctx.level.names.plural
            ),
            (shown, _) => format!(
                "Measured {kind}download speed by quarter: the {shown} {} that changed most",
                ctx.level.names.plural
            ),
        },
        subtitle: format!(
            "{} · test-weighted mean per quarter; largest change {baseline} to {latest} (in brackets, Mbps); fewer than {minimum} tests: a gap (METHOD.md §10)",
            ctx.area()
        ),
        warning: String::new(),
        legend_title: "Mean download (Mbps)".into(),
        source: source_lines(ctx.settings(), false, false, true),
        unit_names: ctx.unit_names.clone(),
        no_data_label: String::new(),
    };
    let base = ctx
        .charts
        .join(format!("{}_download_by_quarter", ctx.level.result.name));
    let files = line_chart(&base, &table.quarters, &lines, &text, &|v| {
        format!("{v:.0}")
    })?;
    Ok(vec![files.png, files.svg])
}

/// Where the need index's components are defined: §7, and §10 for the poverty share.
fn method_sections(components: &str) -> &'static str {
    if components.contains("poverty") {
        "METHOD.md §7, §10"
    } else {
        "METHOD.md §7"
    }
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
            "{} · 0–100, weighted mean of shares: {components} ({})",
            ctx.area(),
            method_sections(&components)
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
                "{area} · need index 0–100 = weighted mean of shares: {components} ({})",
                method_sections(&components)
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
