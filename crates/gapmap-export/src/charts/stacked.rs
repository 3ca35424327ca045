//! Stacked horizontal bars: each district's locations split into served, underserved and
//! unserved (METHOD.md §2), as shares that add up to 100%.

use std::path::Path;

use plotters::prelude::*;

use super::{ChartFiles, ChartText, FONT, INK, MUTED, draw_frame, render_both};
use crate::ExportError;

/// One district's bar: shares of its locations, each in [0, 1], adding up to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct TierBar {
    /// The label (district name).
    pub label: String,
    /// Served, underserved, unserved shares.
    pub shares: [f64; 3],
    /// Residential locations (printed after the bar).
    pub locations: f64,
}

/// Colour-blind-safe: a blue for served against orange and dark red for the gaps (ColorBrewer
/// RdYlBu ends), distinguishable in deuteranopia and protanopia.
const COLOURS: [RGBColor; 3] = [
    RGBColor(0x91, 0xbf, 0xdb),
    RGBColor(0xfc, 0x8d, 0x59),
    RGBColor(0xb2, 0x18, 0x2b),
];
const NAMES: [&str; 3] = [
    "Served (100/20)",
    "Underserved (25/3 – 100/20)",
    "Unserved (< 25/3)",
];

/// Writes `<base>.png` and `<base>.svg`: one bar per district, in the order given (put the
/// largest gap first), with a legend of the three tiers.
pub fn tier_bars(
    base: &Path,
    bars: &[TierBar],
    text: &ChartText,
) -> Result<ChartFiles, ExportError> {
    let height = (260 + 34 * bars.len().max(4)) as u32;
    render_both(
        base,
        (1200, height.clamp(600, 1400)),
        |root| draw(root, bars, text),
        |root| draw(root, bars, text),
    )
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    bars: &[TierBar],
    text: &ChartText,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (top, bottom) = draw_frame(root, text)?;
    // The legend, one line under the titles.
    let mut x = 30;
    for (colour, name) in COLOURS.iter().zip(NAMES) {
        root.draw(&Rectangle::new(
            [(x, top), (x + 22, top + 18)],
            colour.filled(),
        ))
        .map_err(e)?;
        root.draw(&Text::new(
            name,
            (x + 30, top + 1),
            (FONT, 16).into_font().color(&INK),
        ))
        .map_err(e)?;
        x += 60 + 9 * name.len() as i32;
    }
    let (_, height) = root.dim_in_pixel();
    let body = root.margin((top + 34) as u32, height - bottom as u32, 20, 40);
    let count = bars.len().max(1) as i32;
    let mut chart = ChartBuilder::on(&body)
        .x_label_area_size(50)
        .y_label_area_size(330)
        .build_cartesian_2d(0.0..1.0, (0..(count - 1).max(0)).into_segmented())
        .map_err(|e| e.to_string())?;
    let label_of = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => bars
            .get((count - 1 - *i) as usize)
            .map(|b| b.label.clone())
            .unwrap_or_default(),
        SegmentValue::Last => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(bars.len().max(1))
        .y_label_formatter(&label_of)
        .x_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .y_label_style((FONT, 15).into_font().color(&INK))
        .x_label_style((FONT, 15).into_font().color(&MUTED))
        .x_desc(text.legend_title.clone())
        .axis_desc_style((FONT, 17).into_font().color(&INK))
        .x_labels(11)
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    for (rank, bar) in bars.iter().enumerate() {
        let i = count - 1 - rank as i32;
        let mut from = 0.0;
        for (share, colour) in bar.shares.iter().zip(COLOURS) {
            let to = (from + share).min(1.0);
            let mut rect = Rectangle::new(
                [
                    (from, SegmentValue::Exact(i)),
                    (to, SegmentValue::Exact(i + 1)),
                ],
                colour.filled(),
            );
            rect.set_margin(3, 3, 0, 0);
            chart.plotting_area().draw(&rect).map_err(e)?;
            from = to;
        }
        // The gap, printed in the bar's served part (dark on light blue).
        let gap = bar.shares[1] + bar.shares[2];
        chart
            .plotting_area()
            .draw(&Text::new(
                format!(
                    "{:.1}% not served · {} locations",
                    gap * 100.0,
                    super::thousands(bar.locations)
                ),
                (0.01, SegmentValue::CenterOf(i)),
                (FONT, 13)
                    .into_font()
                    .color(&INK)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            ))
            .map_err(e)?;
    }
    Ok(())
}
