//! Lines over time: one per district, one point per quarter (the quarterly series of the
//! districts whose speed changed most).

use std::path::Path;

use plotters::prelude::*;

use super::{ChartFiles, ChartText, FONT, INK, MUTED, draw_frame, render_both};
use crate::ExportError;

/// One line: a label and a value per period (`None`: no figure, the line breaks there).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// One value per period.
    pub values: Vec<Option<f64>>,
}

const SIZE: (u32, u32) = (1200, 800);

/// Okabe and Ito's qualitative palette (colour-blind safe), without its yellow and black.
const COLOURS: [RGBColor; 7] = [
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x66, 0x66, 0x66),
];

/// Writes `<base>.png` and `<base>.svg`: a line per series over the `periods`, each point
/// marked, a legend of the lines; the y axis is titled with `text.legend_title`. At most
/// seven lines are distinguishable: more is an error of the caller.
pub fn line_chart(
    base: &Path,
    periods: &[String],
    lines: &[Line],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<ChartFiles, ExportError> {
    render_both(
        base,
        SIZE,
        |root| draw(root, periods, lines, text, format),
        |root| draw(root, periods, lines, text, format),
    )
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    periods: &[String],
    lines: &[Line],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    if lines.len() > COLOURS.len() {
        return Err(format!(
            "{} lines on one chart; at most {} are distinguishable",
            lines.len(),
            COLOURS.len()
        ));
    }
    let (top, bottom) = draw_frame(root, text)?;
    let (width, height) = root.dim_in_pixel();
    let body = root.margin(top as u32, height - bottom as u32, 20, 40);
    let values = lines.iter().flat_map(|l| l.values.iter().flatten());
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    let (low, high) = if low.is_finite() {
        let pad = ((high - low) * 0.08).max(1.0);
        ((low - pad).max(0.0), high + pad)
    } else {
        (0.0, 1.0)
    };
    let last = periods.len().saturating_sub(1).max(1) as i32;
    let legend_width = 300;
    let plot = body.margin(0, 0, 0, legend_width);
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(0..last, low..high)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(periods.len())
        .x_label_formatter(&|i| periods.get(*i as usize).cloned().unwrap_or_default())
        .x_label_style((FONT, 13).into_font().color(&INK))
        .y_label_formatter(&|v| format(*v))
        .y_label_style((FONT, 15).into_font().color(&MUTED))
        .y_desc(text.legend_title.clone())
        .axis_desc_style((FONT, 17).into_font().color(&INK))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    for (line, colour) in lines.iter().zip(COLOURS) {
        let style = ShapeStyle::from(&colour).stroke_width(3);
        // Consecutive periods with figures form a segment; a period without one breaks it.
        let mut segments: Vec<Vec<(i32, f64)>> = vec![Vec::new()];
        for (i, value) in line.values.iter().enumerate() {
            match value {
                Some(v) => segments.last_mut().expect("one").push((i as i32, *v)),
                None => segments.push(Vec::new()),
            }
        }
        for segment in segments.iter().filter(|s| !s.is_empty()) {
            chart
                .draw_series(LineSeries::new(segment.clone(), style))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(
                line.values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| Circle::new((i as i32, v), 4, colour.filled()))),
            )
            .map_err(|e| e.to_string())?;
    }
    // The legend beside the plot, in the lines' order.
    let x = width as i32 - 40 - legend_width + 20;
    let mut y = top + 20;
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    for (line, colour) in lines.iter().zip(COLOURS) {
        root.draw(&PathElement::new(
            vec![(x, y + 9), (x + 30, y + 9)],
            ShapeStyle::from(&colour).stroke_width(4),
        ))
        .map_err(e)?;
        root.draw(&Text::new(
            line.label.clone(),
            (x + 40, y),
            (FONT, 15).into_font().color(&INK),
        ))
        .map_err(e)?;
        y += 30;
    }
    Ok(())
}
