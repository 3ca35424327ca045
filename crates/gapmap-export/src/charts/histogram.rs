//! A histogram of one field over the districts of a layer.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{ChartFiles, ChartText, FONT, INK, MUTED, PALETTE, draw_frame, render_both};
use crate::ExportError;

const SIZE: (u32, u32) = (1200, 800);

/// Equal-width bins over `[min, max]` of the finite values: `(lower edge, count)`; the last bin
/// holds its upper edge. Empty without values.
pub fn bins(values: &[f64], count: usize) -> (f64, Vec<(f64, usize)>) {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() || count == 0 {
        return (0.0, Vec::new());
    }
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let width = if max > min {
        (max - min) / count as f64
    } else {
        1.0
    };
    let mut counts = vec![0usize; count];
    for v in finite {
        let at = (((v - min) / width) as usize).min(count - 1);
        counts[at] += 1;
    }
    (
        width,
        counts
            .into_iter()
            .enumerate()
            .map(|(i, n)| (min + i as f64 * width, n))
            .collect(),
    )
}

/// Writes `<base>.png` and `<base>.svg`: the number of districts per bin of `values` (20 equal
/// bins), with the mean and median marked. `format` prints a value on the x axis.
pub fn histogram(
    base: &Path,
    values: &[f64],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<ChartFiles, ExportError> {
    render_both(
        base,
        SIZE,
        |root| draw(root, values, text, format),
        |root| draw(root, values, text, format),
    )
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    values: &[f64],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (top, bottom) = draw_frame(root, text)?;
    let (_, height) = root.dim_in_pixel();
    let body = root.margin(top as u32, height - bottom as u32, 20, 40);
    let (width, bins) = bins(values, 20);
    let Some(&(first, _)) = bins.first() else {
        return Err("no value to draw".into());
    };
    let last = first + width * bins.len() as f64;
    let tallest = bins.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let mut chart = ChartBuilder::on(&body)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .build_cartesian_2d(first..last, 0.0..(tallest as f64 * 1.1))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&|v| format(*v))
        // Counts: whole ticks only (8 wards gave 0, 0.5, 1, … printed as 0, 0, 1, 1, 2, 2).
        .y_labels((tallest + 1).min(10))
        .y_label_formatter(&|v| {
            if (v - v.round()).abs() < 1e-9 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .x_label_style((FONT, 15).into_font().color(&MUTED))
        .y_label_style((FONT, 15).into_font().color(&MUTED))
        .x_desc(text.legend_title.clone())
        .y_desc(format!("Number of {}", text.unit_names.1))
        .axis_desc_style((FONT, 17).into_font().color(&INK))
        .x_labels(10)
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(bins.iter().map(|&(lower, n)| {
            let mut rect = Rectangle::new(
                [(lower, 0.0), (lower + width, n as f64)],
                PALETTE[2].filled(),
            );
            rect.set_margin(0, 0, 1, 1);
            rect
        }))
        .map_err(|e| e.to_string())?;
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        f64::midpoint(sorted[sorted.len() / 2 - 1], sorted[sorted.len() / 2])
    };
    let top_y = tallest as f64 * 1.1;
    // Each label beside its own line, on the side away from the other line, so that neither
    // line runs through the other's label.
    let (left_is_mean, gap) = (mean < median, (last - first) * 0.006);
    for (value, name, style) in [
        (mean, "mean", ShapeStyle::from(&INK).stroke_width(2)),
        (
            median,
            "median",
            ShapeStyle::from(&PALETTE[4]).stroke_width(2),
        ),
    ] {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(value, 0.0), (value, top_y)],
                style,
            )))
            .map_err(|e| e.to_string())?;
        let on_left = (name == "mean") == left_is_mean && mean != median;
        let (x, anchor) = if on_left {
            (value - gap, HPos::Right)
        } else {
            (value + gap, HPos::Left)
        };
        chart
            .plotting_area()
            .draw(&Text::new(
                format!("{name} {}", format(value)),
                (x, top_y * if name == "mean" { 0.97 } else { 0.91 }),
                (FONT, 15)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(anchor, VPos::Top)),
            ))
            .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_lands_in_one_bin_and_the_maximum_in_the_last() {
        let values = [0.0, 0.1, 0.25, 0.5, 1.0, f64::NAN];
        let (width, bins) = bins(&values, 4);
        assert_eq!(width, 0.25);
        assert_eq!(
            bins.iter().map(|b| b.1).sum::<usize>(),
            5,
            "NaN is not counted"
        );
        assert_eq!(
            bins.iter().map(|b| b.1).collect::<Vec<_>>(),
            vec![2, 1, 1, 1]
        );
        assert_eq!(bins[3].0, 0.75);
    }
}
