//! Ranked horizontal bars: the districts with the highest value of a field.

use std::path::Path;

use plotters::prelude::*;

use super::{ChartFiles, ChartText, FONT, INK, MUTED, PALETTE, draw_frame, render_both};
use crate::ExportError;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedBar {
    /// The label (district name).
    pub label: String,
    /// The value.
    pub value: f64,
}

const SIZE: (u32, u32) = (1200, 1000);

/// Writes `<base>.png` and `<base>.svg`: `bars` (already ranked, highest first) as horizontal
/// bars with their values printed, the axis titled with `text.legend_title`.
pub fn ranked_bars(
    base: &Path,
    bars: &[RankedBar],
    text: &ChartText,
) -> Result<ChartFiles, ExportError> {
    render_both(
        base,
        SIZE,
        |root| draw(root, bars, text),
        |root| draw(root, bars, text),
    )
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    bars: &[RankedBar],
    text: &ChartText,
) -> Result<(), String> {
    let (top, bottom) = draw_frame(root, text)?;
    let (width, height) = root.dim_in_pixel();
    let body = root.margin(top as u32, height - bottom as u32, 20, 40);
    let _ = width;
    let count = bars.len().max(1) as i32;
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let x_max = if max > 0.0 { max * 1.12 } else { 1.0 };
    let mut chart = ChartBuilder::on(&body)
        .x_label_area_size(50)
        .y_label_area_size(330)
        .build_cartesian_2d(0.0..x_max, (0..(count - 1).max(0)).into_segmented())
        .map_err(|e| e.to_string())?;
    let label_of = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            // Highest value at the top: segment 0 is at the bottom.
            let rank = (count - 1 - *i) as usize;
            bars.get(rank)
                .map(|b| format!("{}. {}", rank + 1, b.label))
                .unwrap_or_default()
        }
        SegmentValue::Last => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(bars.len().max(1))
        .y_label_formatter(&label_of)
        .y_label_style((FONT, 15).into_font().color(&INK))
        .x_label_style((FONT, 15).into_font().color(&MUTED))
        .x_desc(text.legend_title.clone())
        .axis_desc_style((FONT, 17).into_font().color(&INK))
        .x_labels(8)
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let colour = PALETTE[3];
    chart
        .draw_series(bars.iter().enumerate().map(|(rank, bar)| {
            let i = count - 1 - rank as i32;
            let mut rect = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (bar.value, SegmentValue::Exact(i + 1)),
                ],
                colour.filled(),
            );
            rect.set_margin(4, 4, 0, 0);
            rect
        }))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(bars.iter().enumerate().map(|(rank, bar)| {
            let i = count - 1 - rank as i32;
            Text::new(
                format!("{:.1}", bar.value),
                (bar.value + x_max * 0.008, SegmentValue::CenterOf(i)),
                (FONT, 14)
                    .into_font()
                    .color(&INK)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            )
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}
