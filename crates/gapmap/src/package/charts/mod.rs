//! The charts of a layer (plotters, through gapmap-export): choropleths of every gap, the
//! districts with the highest need, tier bars, a histogram, income against adoption, and the
//! affordability sweep.

mod affordability;
pub(crate) mod distribution;
mod maps;

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::charts::{
    ChartText, MapFeature, QmlMap, Worse, choropleth, map_classes, write_qml,
};
use gapmap_gaps::DistrictGaps;

use super::text::{class_method, source_lines};
use crate::package::layers::{PublishedLayer, Run};
use crate::settings::Settings;
use affordability::{affordability_charts, source_for_affordability};
use distribution::distribution_charts;
use maps::{
    change_map, mobile_change_map, mobile_speed_map, need_map, need_ranking, no_internet_map,
    quarter_series, speed_map, unserved_map,
};

/// A choropleth as PNG and SVG; the two paths, for the list of written files.
pub(super) fn map_files(
    base: &Path,
    features: &[MapFeature<'_>],
    text: &ChartText,
    settings: &Settings,
    worse: Worse,
    format: &dyn Fn(f64) -> String,
) -> Result<[PathBuf; 2]> {
    let files = choropleth(base, features, text, class_method(settings), worse, format)?;
    Ok([files.png, files.svg])
}

/// The QGIS expression of a map's value from the layer's fields (the value its PNG classes).
pub(crate) fn qgis_expression(map: &str) -> Option<&'static str> {
    Some(match map {
        "unserved_underserved" => r#""share_unserved" + "share_underserved""#,
        "no_internet" => r#""share_no_internet""#,
        "without_broadband" => r#""share_without_broadband""#,
        "cost_to_income" => r#""cost_to_income""#,
        "unaffordable" => r#""share_unaffordable""#,
        "download_speed" => r#""speed_mean_down_mbps""#,
        "mobile_download_speed" => r#""mobile_speed_mean_down_mbps""#,
        "download_change" => r#""speed_change_down_mbps""#,
        "mobile_download_change" => r#""mobile_speed_change_down_mbps""#,
        // The PNG classes the index over 100 (its legend prints it back in 0–100).
        "need_index" => r#""need_index" / 100"#,
        _ => return None,
    })
}

/// Which end of a map is worse, by the map's name: one rule for the PNG maps and the viewer
/// (warm = worse). Every map shows a share or an index where more is worse, except the
/// measured download speed, where less is.
pub(crate) fn worse_end(map: &str) -> Worse {
    match map {
        "download_speed" | "mobile_download_speed" => Worse::Low,
        // A change: diverging at zero, a fall warm.
        "download_change" | "mobile_download_change" => Worse::Falling,
        _ => Worse::High,
    }
}

/// The sources of the need index's components that a layer actually used.
pub(super) fn need_sources(
    settings: &Settings,
    level: &PublishedLayer<'_>,
    components: &str,
) -> String {
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
    // The poverty share's table (METHOD.md §10).
    if components.contains("poverty") {
        let poverty: Vec<&str> = settings
            .layers
            .iter()
            .filter(|l| l.name == level.result.name)
            .flat_map(|l| &l.attributes)
            .filter(|t| t.share_poverty.is_some())
            .map(|t| t.source.as_str())
            .collect();
        if !poverty.is_empty() {
            text = text.replacen(
                "Sources: ",
                &format!("Sources: {}; ", poverty.join("; ")),
                1,
            );
        }
    }
    text
}

/// What every chart of one layer shares.
pub(super) struct LayerCharts<'a> {
    pub(super) run: &'a Run<'a>,
    pub(super) level: &'a PublishedLayer<'a>,
    /// The charts folder.
    pub(super) charts: PathBuf,
    /// The warning of simulated availability figures (empty for real data).
    pub(super) warning: String,
    /// What one district and several are called.
    pub(super) unit_names: (String, String),
}

impl LayerCharts<'_> {
    /// The run's settings.
    pub(super) fn settings(&self) -> &Settings {
        self.run.settings
    }

    /// The area's name, as subtitles start.
    pub(super) fn area(&self) -> &str {
        &self.run.settings.area.name
    }

    /// How titles call the layer's units ("census tract").
    pub(super) fn label(&self) -> &str {
        &self.level.names.title
    }

    /// A choropleth of `value` as `charts/<layer>_<stem>.{png,svg}` (withheld districts
    /// empty); nothing when no district has a value.
    pub(super) fn map(
        &self,
        stem: &str,
        value: impl Fn(&DistrictGaps) -> Option<f64>,
        text: &ChartText,
        format: &dyn Fn(f64) -> String,
    ) -> Result<Vec<PathBuf>> {
        let rows = &self.level.result.rows;
        if !rows.iter().any(|r| value(r).is_some()) {
            return Ok(Vec::new());
        }
        let features: Vec<MapFeature<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| self.feature(r, value(r), i))
            .collect();
        let base = self
            .charts
            .join(format!("{}_{stem}", self.level.result.name));
        let mut written = map_files(
            &base,
            &features,
            text,
            self.settings(),
            worse_end(stem),
            format,
        )?
        .to_vec();
        // The same classes and colours as a QGIS style; the need index's is also the layer's
        // default style (`<layer>.qml` beside its files, which QGIS loads with them).
        if let (Some(expression), Some(classes)) = (
            qgis_expression(stem),
            map_classes(&features, class_method(self.settings()), worse_end(stem)),
        ) {
            let map = QmlMap {
                expression,
                classes: &classes,
                worse: worse_end(stem),
                format,
                no_data: &text.no_data_label,
            };
            let style = base.with_extension("qml");
            write_qml(&style, &map)?;
            written.push(style);
            if stem == "need_index"
                && let Some(out) = self.charts.parent()
            {
                let default = out.join(format!("{}.qml", self.level.result.name));
                write_qml(&default, &map)?;
                written.push(default);
            }
        }
        Ok(written)
    }

    /// A district of a map: labelled on small layers (wards), where a reader looks for names;
    /// no value where withheld.
    pub(super) fn feature(
        &self,
        row: &DistrictGaps,
        value: Option<f64>,
        index: usize,
    ) -> MapFeature<'_> {
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
        &ctx,
        &source_for_affordability(settings, level),
    )?);
    written.extend(speed_map(&ctx)?);
    written.extend(mobile_speed_map(&ctx)?);
    written.extend(change_map(&ctx)?);
    written.extend(mobile_change_map(&ctx)?);
    written.extend(quarter_series(&ctx)?);
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
