//! PNG text placed glyph by glyph as the font says: plotters' ab_glyph renderer (0.3.7) puts each
//! glyph at its pen position rounded to a whole pixel and without its left side bearing, so
//! letters crowd and gap ("Meth od", "AN Cs", "avai labi l ity"; issue #14 also read "30.1%" as
//! "301%"), and it drew bold text regular. `Crisp` wraps the bitmap backend and draws text
//! itself with ab_glyph — kerning, bearings, sub-pixel pen positions — in the same layout box
//! (plotters' own estimate, so nothing else on a chart moves) and with the same anchors and
//! rotations. Everything else is the bitmap backend's. The SVGs are unaffected: their text is
//! drawn by whatever renders them.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};

/// The bundled DejaVu Sans, regular and bold, as ab_glyph fonts.
fn font(style: FontStyle) -> &'static FontRef<'static> {
    static REGULAR: OnceLock<FontRef<'static>> = OnceLock::new();
    static BOLD: OnceLock<FontRef<'static>> = OnceLock::new();
    let parse = |bytes: &'static [u8]| {
        FontRef::try_from_slice(bytes)
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans is a valid font"))
    };
    match style {
        FontStyle::Bold => {
            BOLD.get_or_init(|| parse(include_bytes!("../../assets/DejaVuSans-Bold.ttf")))
        }
        _ => REGULAR.get_or_init(|| parse(include_bytes!("../../assets/DejaVuSans.ttf"))),
    }
}

/// The pixels (x, y, coverage) of `text` at `size` px, the baseline at `size / 2` below y = 0
/// as plotters places it, x from 0.
pub(crate) fn glyph_pixels(text: &str, size: f32, style: FontStyle) -> Vec<(i32, i32, f32)> {
    let font = font(style);
    let scaled = font.as_scaled(size);
    let mut pen = 0f32;
    let mut previous = None;
    let mut pixels = Vec::new();
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            pen += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, point(pen, size / 2.0));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|x, y, coverage| {
                if coverage > 0.0 {
                    pixels.push((left + x as i32, top + y as i32, coverage));
                }
            });
        }
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    pixels
}

/// The width in pixels of `text` at `size` px, as [`glyph_pixels`] lays it out.
pub(crate) fn text_width(text: &str, size: f32, style: FontStyle) -> f32 {
    let scaled = font(style).as_scaled(size);
    let mut width = 0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// The bitmap backend, with text drawn by [`glyph_pixels`].
pub(crate) struct Crisp<'a>(pub(crate) BitMapBackend<'a>);

impl DrawingBackend for Crisp<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // The box plotters laid the chart out with, anchored as plotters anchors it.
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        for (x, y, coverage) in glyph_pixels(text, style.size() as f32, style.style()) {
            let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let mixed = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                self.0.draw_pixel((x, y), mixed)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inked pixels (coverage ≥ 0.5) of `text` at `size` px.
    fn inked(text: &str, size: f32) -> Vec<(i32, i32)> {
        glyph_pixels(text, size, FontStyle::Normal)
            .into_iter()
            .filter(|p| p.2 >= 0.5)
            .map(|p| (p.0, p.1))
            .collect()
    }

    /// For the pair `ab`: the empty pixel columns between a's ink and b's as drawn, and as the
    /// font puts them (a's advance and the pair's kerning, less a's ink right edge, plus b's
    /// left side bearing).
    fn gap(a: char, b: char, size: f32) -> (f32, f32) {
        let f = font(FontStyle::Normal).as_scaled(size);
        let (ia, ib) = (f.glyph_id(a), f.glyph_id(b));
        let ink = |id| f.font().outline(id).expect("an outline").bounds;
        let k = f.h_scale_factor();
        let expected = f.h_advance(ia) + f.kern(ia, ib) + ink(ib).min.x * k - ink(ia).max.x * k;
        let right = inked(&a.to_string(), size)
            .iter()
            .map(|p| p.0)
            .max()
            .expect("ink");
        let left = inked(&format!("{a}{b}"), size)
            .iter()
            .map(|p| p.0)
            .filter(|x| *x > right)
            .min()
            .expect("the second glyph is drawn");
        ((left - right - 1) as f32, expected)
    }

    #[test]
    fn glyphs_keep_the_fonts_spacing() {
        // Plotters 0.3.7 drew each glyph without its left side bearing at a whole-pixel pen:
        // checked once by hand with its renderer on these pairs at 24 px, "th" had a 1 px gap
        // where the font has 2.4 and "AN" 0 where it has 2.2 ("Meth od", "AN Cs"), failing
        // this test; the others were within a pixel.
        for size in [13.0f32, 16.0, 24.0] {
            for (a, b) in [
                ('3', '.'),
                ('t', 'h'),
                ('h', 'o'),
                ('l', 'i'),
                ('i', 'l'),
                ('A', 'N'),
            ] {
                let (drawn, font) = gap(a, b, size);
                assert!(
                    (drawn - font).abs() <= 1.0,
                    "{a}{b} at {size} px: gap {drawn}, font {font:.2}"
                );
            }
        }
    }

    #[test]
    fn a_decimal_point_sits_on_the_baseline() {
        for size in [13.0f32, 16.0, 24.0] {
            let digit = inked("3", size);
            let right = digit.iter().map(|p| p.0).max().expect("ink");
            let bottom = digit.iter().map(|p| p.1).max().expect("ink");
            let point_bottom = inked("3.", size)
                .iter()
                .filter(|p| p.0 > right)
                .map(|p| p.1)
                .max()
                .expect("the point is drawn");
            assert!(
                (point_bottom - bottom).abs() <= 1,
                "{size} px: {point_bottom} vs {bottom}"
            );
        }
    }
}
