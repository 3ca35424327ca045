//! Grouped vertical bars: one group per district, one bar per series (e.g. the share
//! unaffordable at 2% and at 5% of income).

use std::path::Path;

use plotters::prelude::*;

use super::{ChartFiles, ChartText, FONT, INK, MUTED, PALETTE, draw_frame, render_both};
use crate::ExportError;

/// One series of bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// One value per category; `None` draws no bar.
    pub values: Vec<Option<f64>>,
}

const SIZE: (u32, u32) = (1200, 800);

/// Writes `<base>.png` and `<base>.svg`: a group of bars per category, a legend of the series,
/// each bar labelled with `format(value)`; the y axis is titled with `text.legend_title`.
pub fn grouped_bars(
    base: &Path,
    categories: &[String],
    series: &[Series],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<ChartFiles, ExportError> {
    render_both(
        base,
        SIZE,
        |root| draw(root, categories, series, text, format),
        |root| draw(root, categories, series, text, format),
    )
}

/// Series colours: spread over the palette so that neighbours differ clearly.
fn colour(index: usize, count: usize) -> RGBColor {
    let at = if count <= 1 {
        3
    } else {
        1 + index * (PALETTE.len() - 2) / (count - 1)
    };
    PALETTE[at.min(PALETTE.len() - 1)]
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    categories: &[String],
    series: &[Series],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let (top, bottom) = draw_frame(root, text)?;
    let (_, height) = root.dim_in_pixel();
    let body = root.margin(top as u32, height - bottom as u32, 20, 40);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |a, &b| a.max(b));
    let y_max = if max > 0.0 { max * 1.15 } else { 1.0 };
    let groups = categories.len().max(1);
    let per_group = series.len().max(1);
    // Each bar spans two slots (so its centre is a whole slot for its label) and each group
    // ends with a one-slot gap.
    let width = (2 * per_group + 1) as i32;
    let slots = groups as i32 * width;
    let mut chart = ChartBuilder::on(&body)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(0..slots, 0.0..y_max)
        .map_err(|e| e.to_string())?;
    let label_of = |slot: &i32| {
        // Label each group once, under its centre.
        if slot % width == per_group as i32 {
            categories
                .get((slot / width) as usize)
                .cloned()
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(slots as usize)
        .x_label_formatter(&label_of)
        .x_label_style((FONT, 16).into_font().color(&INK))
        .y_label_formatter(&|v| format(*v))
        .y_label_style((FONT, 15).into_font().color(&MUTED))
        .y_desc(text.legend_title.clone())
        .axis_desc_style((FONT, 17).into_font().color(&INK))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    for (s, one) in series.iter().enumerate() {
        let fill = colour(s, series.len());
        let bars = one.values.iter().enumerate().filter_map(|(g, v)| {
            v.map(|value| {
                let x = g as i32 * width + 2 * s as i32;
                let mut bar = Rectangle::new([(x, 0.0), (x + 2, value)], fill.filled());
                bar.set_margin(0, 0, 3, 3);
                bar
            })
        });
        chart
            .draw_series(bars)
            .map_err(|e| e.to_string())?
            .label(one.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 22, y + 8)], fill.filled()));
        let labels = one.values.iter().enumerate().filter_map(|(g, v)| {
            v.map(|value| {
                let x = g as i32 * width + 2 * s as i32 + 1;
                Text::new(
                    format(value),
                    (x, value + y_max * 0.01),
                    (FONT, 13)
                        .into_font()
                        .color(&INK)
                        .pos(plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Bottom,
                        )),
                )
            })
        });
        chart.draw_series(labels).map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(180, 180, 180))
        .label_font((FONT, 16).into_font().color(&INK))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}
