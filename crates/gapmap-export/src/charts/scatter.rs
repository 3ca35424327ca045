//! A scatter of two fields over the districts (median income against the share without
//! broadband), with the least-squares line and Pearson's r.

use std::path::Path;

use plotters::prelude::*;

use super::{ChartFiles, ChartText, FONT, INK, MUTED, PALETTE, draw_frame, render_both};
use crate::ExportError;

const SIZE: (u32, u32) = (1200, 900);

/// The least-squares line `y = a + b·x` and Pearson's r of the points; `None` with fewer than
/// three points or no spread in x.
pub fn fit(points: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 3 {
        return None;
    }
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - my).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let r = if syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        0.0
    };
    Some((my - slope * mx, slope, r))
}

/// Writes `<base>.png` and `<base>.svg`. `axes` are the x and y axis titles; `format_x` and
/// `format_y` print axis values.
pub fn scatter(
    base: &Path,
    points: &[(f64, f64)],
    text: &ChartText,
    axes: (&str, &str),
    format_x: &dyn Fn(f64) -> String,
    format_y: &dyn Fn(f64) -> String,
) -> Result<ChartFiles, ExportError> {
    render_both(
        base,
        SIZE,
        |root| draw(root, points, text, axes, format_x, format_y),
        |root| draw(root, points, text, axes, format_x, format_y),
    )
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    points: &[(f64, f64)],
    text: &ChartText,
    axes: (&str, &str),
    format_x: &dyn Fn(f64) -> String,
    format_y: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (top, bottom) = draw_frame(root, text)?;
    let (_, height) = root.dim_in_pixel();
    let body = root.margin(top as u32, height - bottom as u32, 20, 40);
    let x_max = points.iter().map(|p| p.0).fold(0.0_f64, f64::max) * 1.05;
    let y_max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max) * 1.08;
    let mut chart = ChartBuilder::on(&body)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_max.max(1.0), 0.0..y_max.max(0.01))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| format_x(*v))
        .y_label_formatter(&|v| format_y(*v))
        .x_label_style((FONT, 15).into_font().color(&MUTED))
        .y_label_style((FONT, 15).into_font().color(&MUTED))
        .x_desc(axes.0)
        .y_desc(axes.1)
        .axis_desc_style((FONT, 17).into_font().color(&INK))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 5, ShapeStyle::from(&PALETTE[3].mix(0.55)).filled())),
        )
        .map_err(|e| e.to_string())?;
    if let Some((intercept, slope, r)) = fit(points) {
        let line = |x: f64| (intercept + slope * x).clamp(0.0, y_max);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, line(0.0)), (x_max, line(x_max))],
                ShapeStyle::from(&INK).stroke_width(2),
            )))
            .map_err(|e| e.to_string())?;
        chart
            .plotting_area()
            .draw(&Text::new(
                format!(
                    "Least-squares line · Pearson r = {r:.2} · {} {}",
                    points.len(),
                    text.unit_names.1
                ),
                (x_max * 0.45, y_max * 0.95),
                (FONT, 16).into_font().color(&INK),
            ))
            .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_line_has_r_one_and_its_own_coefficients() {
        let points = [(1.0, 3.0), (2.0, 5.0), (3.0, 7.0), (4.0, 9.0)];
        let (a, b, r) = fit(&points).expect("a fit");
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        assert!((r - 1.0).abs() < 1e-12);
        // y = 1 − x/10 on three points: r = −1.
        let (_, b, r) = fit(&[(0.0, 1.0), (5.0, 0.5), (10.0, 0.0)]).expect("a fit");
        assert!((b + 0.1).abs() < 1e-12 && (r + 1.0).abs() < 1e-12);
        assert!(
            fit(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]).is_none(),
            "no spread in x"
        );
    }
}
