//! Charts a planner can put in a report: choropleth maps and ranked bars, as PNG and SVG,
//! each with a title, a legend and a source line. Text uses the bundled DejaVu Sans, so a PNG
//! is the same on every machine.

mod choropleth;
mod classes;
mod grouped;
mod histogram;
mod lines;
mod qml;
mod ranked;
mod scatter;
mod stacked;
mod text;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend, WHITE};
use plotters::style::{FontStyle, RGBColor, register_font};

pub use choropleth::{
    MapFeature, Worse, choropleth, class_colours, class_count, colours_of, diverging_classes,
    map_classes,
};
pub use classes::{ClassMethod, Classes, natural_breaks, quantile_classes};
pub use grouped::{Series, grouped_bars};
pub use histogram::{bins, histogram};
pub use lines::{Line, line_chart};
pub use qml::{QmlMap, qml_text, write_qml};
pub use ranked::{RankedBar, ranked_bars};
pub use scatter::{fit, scatter};
pub use stacked::{TierBar, tier_bars};

/// Whole numbers with thousands separators: 23994.0 → "23,994".
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if value < 0.0 && digits.chars().any(|c| c != '0') {
        format!("-{grouped}")
    } else {
        grouped
    }
}

use crate::ExportError;
use crate::atomic::write_atomic;
use text::Crisp;

/// The font family every chart uses (registered from the bundled DejaVu Sans).
pub(crate) const FONT: &str = "sans-serif";

static FONTS: Once = Once::new();

/// Registers the bundled fonts once per process.
pub(crate) fn register_fonts() {
    FONTS.call_once(|| {
        let regular: &'static [u8] = include_bytes!("../../assets/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");
        // A bundled, known-good font: failure would be a build defect, not an input problem.
        register_font(FONT, FontStyle::Normal, regular)
            .unwrap_or_else(|_| panic!("bundled DejaVuSans.ttf is a valid font"));
        register_font(FONT, FontStyle::Bold, bold)
            .unwrap_or_else(|_| panic!("bundled DejaVuSans-Bold.ttf is a valid font"));
    });
}

/// The words around a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartText {
    /// The title, one line.
    pub title: String,
    /// A second line under the title (area, method, warnings); may be empty.
    pub subtitle: String,
    /// A warning line in red under the subtitle (e.g. simulated inputs); may be empty.
    pub warning: String,
    /// What the values are, above the legend or along the axis.
    pub legend_title: String,
    /// Sources and attribution, at the bottom; `\n` separates paragraphs, long lines wrap.
    pub source: String,
    /// What one mapped unit is called, singular and plural ("tract", "tracts").
    pub unit_names: (String, String),
    /// The legend label of units without a value ("No households").
    pub no_data_label: String,
}

/// A chart written in both formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    /// The PNG.
    pub png: PathBuf,
    /// The SVG.
    pub svg: PathBuf,
}

/// Colour-blind-safe sequential palette: ColorBrewer YlOrRd, 5 classes.
pub(crate) const PALETTE: [RGBColor; 5] = [
    RGBColor(0xff, 0xff, 0xb2),
    RGBColor(0xfe, 0xcc, 0x5c),
    RGBColor(0xfd, 0x8d, 0x3c),
    RGBColor(0xf0, 0x3b, 0x20),
    RGBColor(0xbd, 0x00, 0x26),
];
/// Districts with no value.
pub const NO_DATA: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const WARNING: RGBColor = RGBColor(0xb0, 0x00, 0x20);

/// Draws the title, subtitle, warning and source lines shared by every chart; returns the
/// vertical pixel span left for the chart body.
pub(crate) fn draw_frame<DB: plotters::prelude::DrawingBackend>(
    root: &plotters::drawing::DrawingArea<DB, plotters::coord::Shift>,
    text: &ChartText,
) -> Result<(i32, i32), String> {
    use plotters::prelude::{IntoFont, Text};
    let (_, height) = root.dim_in_pixel();
    let height = height as i32;
    let e = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (width, _) = root.dim_in_pixel();
    let room = width.saturating_sub(60) as f32;
    // Title, subtitle and warning each wrap at the chart's width (measured with the font that
    // draws the PNG), so that a long one is not cut at the right edge.
    let mut y = 22;
    for (i, line) in wrap(&text.title, 30.0, FontStyle::Bold, room)
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            y += 36;
        }
        root.draw(&Text::new(
            line,
            (30, y),
            (FONT, 30).into_font().style(FontStyle::Bold).color(&INK),
        ))
        .map_err(e)?;
    }
    y += 42;
    for (lines, style, colour) in [
        (&text.subtitle, FontStyle::Normal, &MUTED),
        (&text.warning, FontStyle::Bold, &WARNING),
    ] {
        if lines.is_empty() {
            continue;
        }
        for line in wrap(lines, 19.0, style, room) {
            root.draw(&Text::new(
                line,
                (30, y),
                (FONT, 19).into_font().style(style).color(colour),
            ))
            .map_err(e)?;
            y += 24;
        }
        y += 4;
    }
    let font = (FONT, 14).into_font().color(&MUTED);
    let lines = wrap(&text.source, 14.0, FontStyle::Normal, room);
    let footer_top = height - 16 - 19 * lines.len() as i32;
    for (i, line) in lines.into_iter().enumerate() {
        root.draw(&Text::new(
            line,
            (30, footer_top + 19 * i as i32),
            font.clone(),
        ))
        .map_err(e)?;
    }
    Ok((y + 12, footer_top - 12))
}

/// `text` broken into lines no wider than `room` pixels at `size` px (between words; a word
/// wider than the room stands alone); each line of `text` starts a new one.
fn wrap(text: &str, size: f32, style: FontStyle, room: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if line.is_empty() || text::text_width(&candidate, size, style) <= room {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            }
        }
        lines.push(line);
    }
    lines
}

pub(crate) fn chart_error(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::Chart {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

type Area<'a, DB> = plotters::drawing::DrawingArea<DB, plotters::coord::Shift>;

/// Renders a chart to `<base>.png` and `<base>.svg`, each written atomically: `draw_png` and
/// `draw_svg` are the same drawing code instantiated for each backend.
/// The print resolution the PNGs declare (their `pHYs` chunk): 150 dpi, so a 1200 px chart
/// prints 8 inches wide.
pub const PNG_DPI: u32 = 150;

/// An RGB buffer as PNG, with its resolution (pixels per metre) in `pHYs`.
fn encode_png(
    out: &mut dyn std::io::Write,
    size: (u32, u32),
    pixels: &[u8],
) -> std::io::Result<()> {
    let mut encoder = png::Encoder::new(out, size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Default);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let per_metre = (f64::from(PNG_DPI) / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer
        .write_image_data(pixels)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

pub(crate) fn render_both(
    base: &Path,
    size: (u32, u32),
    draw_png: impl FnOnce(&Area<'_, Crisp<'_>>) -> Result<(), String>,
    draw_svg: impl FnOnce(&Area<'_, SVGBackend<'_>>) -> Result<(), String>,
) -> Result<ChartFiles, ExportError> {
    register_fonts();
    let png = base.with_extension("png");
    let svg = base.with_extension("svg");
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let backend = Crisp(BitMapBackend::with_buffer(&mut pixels, size));
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(&png, e))?;
        draw_png(&root).map_err(|e| chart_error(&png, e))?;
        root.present().map_err(|e| chart_error(&png, e))?;
    }
    write_atomic(&png, |out| encode_png(out, size, &pixels))?;
    let mut text = String::new();
    {
        let backend = SVGBackend::with_string(&mut text, size);
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(&svg, e))?;
        draw_svg(&root).map_err(|e| chart_error(&svg, e))?;
        root.present().map_err(|e| chart_error(&svg, e))?;
    }
    write_atomic(&svg, |out| out.write_all(text.as_bytes()))?;
    Ok(ChartFiles { png, svg })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PNGs declare their print resolution (150 dpi in `pHYs`) and keep every pixel.
    #[test]
    fn a_png_says_its_resolution_and_keeps_its_pixels() {
        let (width, height) = (3u32, 2u32);
        let pixels: Vec<u8> = (0..width * height * 3)
            .map(|i| (i * 13 % 256) as u8)
            .collect();
        let mut bytes = Vec::new();
        encode_png(&mut bytes, (width, height), &pixels).expect("encoded");
        let decoder = png::Decoder::new(bytes.as_slice());
        let mut reader = decoder.read_info().expect("a PNG");
        let dims = reader.info().pixel_dims.expect("pHYs");
        assert_eq!(dims.unit, png::Unit::Meter);
        assert_eq!((dims.xppu, dims.yppu), (5906, 5906));
        // Whole pixels per metre: 5906 is 150.01 dpi.
        assert!((f64::from(dims.xppu) * 0.0254 - 150.0).abs() < 0.02);
        let mut decoded = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut decoded).expect("pixels");
        assert_eq!(decoded, pixels);
    }
}
