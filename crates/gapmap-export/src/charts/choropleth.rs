//! Choropleth maps of one field over a district layer.

use std::path::Path;

use geo::{Area, BoundingRect, InteriorPoint, MultiPolygon};
use plotters::prelude::*;

use super::{
    ChartFiles, ChartText, ClassMethod, Classes, FONT, INK, MUTED, NO_DATA, PALETTE, draw_frame,
    render_both,
};
use crate::ExportError;

/// One district on the map.
#[derive(Debug, Clone, Copy)]
pub struct MapFeature<'a> {
    /// Longitude/latitude polygons.
    pub geometry: &'a MultiPolygon<f64>,
    /// The value, or `None` for no data.
    pub value: Option<f64>,
    /// A label drawn on the district (for layers of a few districts, such as wards).
    pub label: Option<&'a str>,
    /// Figures withheld (METHOD.md §8): drawn grey and hatched, and counted apart in the legend.
    pub suppressed: bool,
}

const SIZE: (u32, u32) = (1200, 1050);
const LEGEND_WIDTH: i32 = 330;
/// Pixels between hatch lines.
const HATCH_SPACING: f64 = 7.0;

/// Which end of a map's values is the worse one. One colour rule holds for every map and the
/// viewer: warm and dark is worse — a high share unserved, a low download speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worse {
    /// Higher values are worse (shares without service, need): the top class is darkest.
    High,
    /// Lower values are worse (speeds): the bottom class is darkest.
    Low,
    /// A change where a fall is worse (a speed's): classes split at zero, warm (ColorBrewer
    /// RdBu's reds) at and below it, cool (its blues) above, darkest at either extreme.
    Falling,
    /// A change where a rise is worse (the share of slow tests): warm above zero.
    Rising,
}

/// ColorBrewer RdBu (6 classes, colour-blind safe): its three reds and its three blues, each
/// darkest first.
const REDS: [RGBColor; 3] = [
    RGBColor(0xb2, 0x18, 0x2b),
    RGBColor(0xef, 0x8a, 0x62),
    RGBColor(0xfd, 0xdb, 0xc7),
];
const BLUES: [RGBColor; 3] = [
    RGBColor(0x21, 0x66, 0xac),
    RGBColor(0x67, 0xa9, 0xcf),
    RGBColor(0xd1, 0xe5, 0xf0),
];

/// Classes of a change, split at zero: up to three of the values at or below zero (quantiles
/// or breaks of them, the last closing at 0) and up to three above it. `None` without a value.
pub fn diverging_classes(values: &[f64], method: ClassMethod) -> Option<Classes> {
    let (below, above): (Vec<f64>, Vec<f64>) = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .partition(|v| *v <= 0.0);
    let side = |side: &[f64]| method.classes(side, side.len().div_ceil(3).clamp(1, 3));
    let mut upper = Vec::new();
    let mut min = None;
    if let Some(classes) = side(&below) {
        min = Some(classes.min);
        upper.extend(classes.upper);
        if let Some(last) = upper.last_mut() {
            *last = 0.0;
        }
    }
    if let Some(classes) = side(&above) {
        min = min.or(Some(0.0));
        upper.extend(classes.upper);
    }
    Some(Classes { min: min?, upper })
}

/// The colours of diverging classes: reds for those at or below zero, blues above (the other
/// way round when a rise is worse), darkest at either extreme; one class on a side takes that
/// side's middle colour.
fn diverging_colours(classes: &Classes, worse: Worse) -> Vec<RGBColor> {
    let below = classes.upper.iter().filter(|u| **u <= 0.0).count();
    let above = classes.upper.len() - below;
    // A side's colours from its extreme towards zero.
    let side = |ramp: [RGBColor; 3], n: usize| -> Vec<RGBColor> {
        match n {
            0 => Vec::new(),
            1 => vec![ramp[1]],
            2 => vec![ramp[0], ramp[2]],
            _ => ramp.to_vec(),
        }
    };
    let (low, high) = match worse {
        Worse::Rising => (BLUES, REDS),
        _ => (REDS, BLUES),
    };
    let mut colours = side(low, below);
    colours.extend(side(high, above).into_iter().rev());
    colours
}

/// The colours of a map's classes, lowest class first (the PNG maps, the viewer and the QGIS
/// styles use the same).
pub fn colours_of(classes: &Classes, worse: Worse) -> Vec<RGBColor> {
    match worse {
        Worse::Falling | Worse::Rising => diverging_colours(classes, worse),
        _ => class_colours(classes.upper.len(), worse),
    }
}

/// Writes `<base>.png` and `<base>.svg`: the districts coloured by class of their value
/// (`method`; ColorBrewer YlOrRd, its dark red at the `worse` end), grey where there is no value, grey and hatched where it was
/// withheld, with a legend of the classes and their district counts. `format` prints a class
/// bound (e.g. as a percentage). The map fits any layer's extent, whatever its scale.
pub fn choropleth(
    base: &Path,
    features: &[MapFeature<'_>],
    text: &ChartText,
    method: ClassMethod,
    worse: Worse,
    format: &dyn Fn(f64) -> String,
) -> Result<ChartFiles, ExportError> {
    render_both(
        base,
        SIZE,
        |root| draw(root, features, text, (method, worse), format),
        |root| draw(root, features, text, (method, worse), format),
    )
}

/// How many classes a map of `districts` valued districts gets: five, but about three
/// districts per class on a small layer (8 wards: 3 classes, not 5 of one or two wards), and
/// never fewer than two. The PNG maps and the viewer use the same.
pub fn class_count(districts: usize) -> usize {
    districts.div_ceil(3).clamp(2, PALETTE.len())
}

/// The values a map classes: those of the districts not withheld.
fn map_values(features: &[MapFeature<'_>]) -> Vec<f64> {
    features
        .iter()
        .filter(|f| !f.suppressed)
        .filter_map(|f| f.value)
        .collect()
}

/// A map's classes as [`choropleth`] draws them (the viewer and the QGIS styles use the same).
pub fn map_classes(
    features: &[MapFeature<'_>],
    method: ClassMethod,
    worse: Worse,
) -> Option<Classes> {
    let values = map_values(features);
    match worse {
        Worse::Falling | Worse::Rising => diverging_classes(&values, method),
        Worse::High | Worse::Low => method.classes(&values, class_count(values.len())),
    }
}

/// The colours of `classes`, lowest class first: fewer classes than the palette are spread
/// over the whole ramp, so the worse end is always the darkest (the viewer uses the same).
pub fn class_colours(classes: usize, worse: Worse) -> Vec<RGBColor> {
    let mut colours = ramp(classes);
    if worse == Worse::Low {
        colours.reverse();
    }
    colours
}

fn ramp(classes: usize) -> Vec<RGBColor> {
    if classes >= PALETTE.len() {
        return PALETTE.to_vec();
    }
    (0..classes)
        .map(|i| {
            // One class (every district the same value): nothing is better or worse than
            // anything else, so the middle of the ramp, not its alarming end.
            let at = if classes == 1 {
                PALETTE.len() / 2
            } else {
                i * (PALETTE.len() - 1) / (classes - 1)
            };
            PALETTE[at]
        })
        .collect()
}

/// Diagonal hatching inside a polygon given in pixels: lines every `spacing` pixels, clipped to
/// the polygon (holes excluded) with geo's boolean operations.
fn hatch_lines(polygon: &geo::Polygon<f64>, spacing: f64) -> Vec<Vec<(i32, i32)>> {
    use geo::BooleanOps;
    let Some(rect) = polygon.bounding_rect() else {
        return Vec::new();
    };
    let (min, max) = (rect.min(), rect.max());
    let span = (max.x - min.x) + (max.y - min.y);
    let mut lines = Vec::new();
    let mut offset = 0.0;
    while offset <= span {
        // Lines of slope −1 (from bottom-left to top-right on screen).
        let start = geo::coord! { x: min.x + offset - (max.y - min.y), y: max.y };
        let end = geo::coord! { x: min.x + offset, y: min.y };
        lines.push(geo::LineString::new(vec![start, end]));
        offset += spacing;
    }
    let clipped = polygon.clip(&geo::MultiLineString::new(lines), false);
    clipped
        .0
        .iter()
        .map(|line| {
            line.coords()
                .map(|c| (c.x.round() as i32, c.y.round() as i32))
                .collect()
        })
        .collect()
}

/// Equirectangular projection scaled by cos(latitude) at the layer's centre: true shape at
/// city scale, where the curvature of the Earth does not show.
struct Projection {
    min_x: f64,
    max_y: f64,
    cos_lat: f64,
    scale: f64,
    offset: (f64, f64),
}

impl Projection {
    fn fit(features: &[MapFeature<'_>], area: (i32, i32, i32, i32)) -> Option<Projection> {
        let mut bounds: Option<geo::Rect<f64>> = None;
        for feature in features {
            if let Some(rect) = feature.geometry.bounding_rect() {
                bounds = Some(match bounds {
                    None => rect,
                    Some(b) => geo::Rect::new(
                        geo::coord! { x: b.min().x.min(rect.min().x), y: b.min().y.min(rect.min().y) },
                        geo::coord! { x: b.max().x.max(rect.max().x), y: b.max().y.max(rect.max().y) },
                    ),
                });
            }
        }
        let bounds = bounds?;
        let cos_lat = f64::midpoint(bounds.min().y, bounds.max().y)
            .to_radians()
            .cos();
        let width = (bounds.width() * cos_lat).max(1e-9);
        let height = bounds.height().max(1e-9);
        let (left, top, right, bottom) = area;
        let (pixel_width, pixel_height) = (f64::from(right - left), f64::from(bottom - top));
        let scale = (pixel_width / width).min(pixel_height / height);
        let offset = (
            f64::from(left) + (pixel_width - width * scale) / 2.0,
            f64::from(top) + (pixel_height - height * scale) / 2.0,
        );
        Some(Projection {
            min_x: bounds.min().x,
            max_y: bounds.max().y,
            cos_lat,
            scale,
            offset,
        })
    }

    /// A polygon in pixels, for hatching.
    fn polygon(&self, polygon: &geo::Polygon<f64>) -> geo::Polygon<f64> {
        let pixels = |ring: &geo::LineString<f64>| -> geo::LineString<f64> {
            ring.coords()
                .map(|c| {
                    geo::coord! {
                        x: self.offset.0 + (c.x - self.min_x) * self.cos_lat * self.scale,
                        y: self.offset.1 + (self.max_y - c.y) * self.scale,
                    }
                })
                .collect()
        };
        geo::Polygon::new(
            pixels(polygon.exterior()),
            polygon.interiors().iter().map(pixels).collect(),
        )
    }

    fn ring(&self, ring: &geo::LineString<f64>) -> Vec<(i32, i32)> {
        let mut points: Vec<(i32, i32)> = ring
            .coords()
            .map(|c| {
                (
                    (self.offset.0 + (c.x - self.min_x) * self.cos_lat * self.scale).round() as i32,
                    (self.offset.1 + (self.max_y - c.y) * self.scale).round() as i32,
                )
            })
            .collect();
        points.dedup();
        points
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    features: &[MapFeature<'_>],
    text: &ChartText,
    (method, worse): (ClassMethod, Worse),
    format: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let (top, bottom) = draw_frame(root, text)?;
    let (width, _) = root.dim_in_pixel();
    let map_right = width as i32 - LEGEND_WIDTH;
    let projection = Projection::fit(features, (30, top, map_right - 20, bottom))
        .ok_or("the layer has no geometry")?;

    let values = map_values(features);
    let classes = map_classes(features, method, worse);
    let palette = classes
        .as_ref()
        .map_or_else(Vec::new, |c| colours_of(c, worse));
    let colour_of = |feature: &MapFeature<'_>| match (feature.value, &classes) {
        (Some(v), Some(c)) if !feature.suppressed => palette[c.of(v)],
        _ => NO_DATA,
    };
    draw_districts(root, features, &projection, &colour_of)?;
    draw_labels(root, features, &projection, format)?;
    draw_scale_bar(root, &projection, (30, bottom), map_right - 50)?;
    let legend = Legend {
        x: map_right + 10,
        top,
        classes: classes.as_ref(),
        palette: &palette,
        values: &values,
        method,
    };
    draw_legend(root, &legend, features, text, format)
}

/// The fills (largest district first), the hatching of withheld districts, the borders.
fn draw_districts<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    features: &[MapFeature<'_>],
    projection: &Projection,
    colour_of: &dyn Fn(&MapFeature<'_>) -> RGBColor,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // Largest first, so a district inside another's hole is drawn over the hole.
    let mut order: Vec<&MapFeature<'_>> = features.iter().collect();
    order.sort_by(|a, b| {
        b.geometry
            .unsigned_area()
            .total_cmp(&a.geometry.unsigned_area())
    });
    let border = ShapeStyle::from(&RGBAColor(40, 40, 40, 0.55)).stroke_width(1);
    for feature in &order {
        let fill = colour_of(feature);
        for polygon in &feature.geometry.0 {
            root.draw(&Polygon::new(
                projection.ring(polygon.exterior()),
                fill.filled(),
            ))
            .map_err(e)?;
            for hole in polygon.interiors() {
                root.draw(&Polygon::new(projection.ring(hole), WHITE.filled()))
                    .map_err(e)?;
            }
        }
    }
    let hatch = ShapeStyle::from(&RGBColor(0x73, 0x73, 0x73)).stroke_width(1);
    for feature in order.iter().filter(|f| f.suppressed) {
        for polygon in &feature.geometry.0 {
            for line in hatch_lines(&projection.polygon(polygon), HATCH_SPACING) {
                root.draw(&PathElement::new(line, hatch)).map_err(e)?;
            }
        }
    }
    for feature in &order {
        for polygon in &feature.geometry.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                root.draw(&PathElement::new(projection.ring(ring), border))
                    .map_err(e)?;
            }
        }
    }

    Ok(())
}

/// Each labelled district's name at its interior point, and its value under it (a small layer:
/// a reader looks for names and numbers), haloed in white.
fn draw_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    features: &[MapFeature<'_>],
    projection: &Projection,
    format: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // Labels at each district's interior point, over the fills and borders.
    let label_font = (FONT, 16)
        .into_font()
        .style(FontStyle::Bold)
        .color(&INK)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
    for feature in features {
        // The interior point only for a labelled district: it is a costly search (geo's
        // `relate`), and most layers have no labels.
        if let Some(label) = feature.label
            && let Some(point) = feature.geometry.interior_point()
        {
            let at = projection.ring(&geo::LineString::from(vec![point.0]));
            if let Some(&(x, y)) = at.first() {
                let value = feature.value.filter(|_| !feature.suppressed).map(format);
                let lines: Vec<(String, i32)> = match value {
                    Some(value) => vec![(label.to_owned(), y - 9), (value, y + 9)],
                    None => vec![(label.to_owned(), y)],
                };
                let halo = label_font.clone().color(&WHITE);
                for (text, y) in &lines {
                    for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                        root.draw(&Text::new(text.clone(), (x + dx, y + dy), halo.clone()))
                            .map_err(e)?;
                    }
                    root.draw(&Text::new(text.clone(), (x, *y), label_font.clone()))
                        .map_err(e)?;
                }
            }
        }
    }

    Ok(())
}

/// Metres in a degree of latitude on the sphere of the equirectangular projection.
const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// The longest round length (1, 2 or 5 × a power of ten, in metres) that fits in `pixels` at a
/// projection of `pixels_per_degree` (of latitude), with its length in pixels.
fn scale_bar_length(pixels_per_degree: f64, pixels: f64) -> Option<(f64, f64)> {
    let metres_per_pixel = METRES_PER_DEGREE / pixels_per_degree;
    let fits = pixels * metres_per_pixel;
    if !(fits.is_finite() && fits > 0.0) {
        return None;
    }
    let power = 10f64.powf(fits.log10().floor());
    let round = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&l| l <= fits)?;
    Some((round, round / metres_per_pixel))
}

/// A scale bar at the map's bottom left: a round distance about a fifth of the map's width
/// (the equirectangular projection keeps distances true at city scale).
fn draw_scale_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    projection: &Projection,
    (left, bottom): (i32, i32),
    width: i32,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let Some((metres, pixels)) = scale_bar_length(projection.scale, f64::from(width) / 5.0) else {
        return Ok(());
    };
    let (x0, y) = (left + 10, bottom - 12);
    let x1 = x0 + pixels.round() as i32;
    let ink = ShapeStyle::from(&INK).stroke_width(2);
    root.draw(&PathElement::new(vec![(x0, y), (x1, y)], ink))
        .map_err(e)?;
    for x in [x0, x1] {
        root.draw(&PathElement::new(vec![(x, y - 6), (x, y + 1)], ink))
            .map_err(e)?;
    }
    let text = if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    };
    root.draw(&Text::new(
        text,
        (x1 + 8, y - 8),
        (FONT, 14).into_font().color(&INK),
    ))
    .map_err(e)?;
    Ok(())
}

/// What the legend shows.
struct Legend<'a> {
    x: i32,
    top: i32,
    classes: Option<&'a Classes>,
    palette: &'a [RGBColor],
    values: &'a [f64],
    method: ClassMethod,
}

/// The legend: a swatch per class with its range and count, then withheld and empty ones.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    legend: &Legend<'_>,
    features: &[MapFeature<'_>],
    text: &ChartText,
    format: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let hatch = ShapeStyle::from(&RGBColor(0x73, 0x73, 0x73)).stroke_width(1);
    let (palette, values, method) = (legend.palette, legend.values, legend.method);
    // Legend.
    let x = legend.x;
    let mut y = legend.top + 10;
    for line in text.legend_title.lines() {
        root.draw(&Text::new(
            line.to_owned(),
            (x, y),
            (FONT, 20).into_font().style(FontStyle::Bold).color(&INK),
        ))
        .map_err(e)?;
        y += 26;
    }
    y += 12;
    let swatch = |y: i32, colour: RGBColor| {
        root.draw(&Rectangle::new([(x, y), (x + 40, y + 26)], colour.filled()))?;
        root.draw(&Rectangle::new(
            [(x, y), (x + 40, y + 26)],
            ShapeStyle::from(&RGBColor(90, 90, 90)).stroke_width(1),
        ))
    };
    let label_font = (FONT, 17).into_font().color(&INK);
    let count_font = (FONT, 14).into_font().color(&MUTED);
    // A class's range (or what its swatch means) and how many districts it holds.
    let entry = |label: String, count: usize, y: i32| {
        root.draw(&Text::new(label, (x + 52, y + 1), label_font.clone()))?;
        let noun = if count == 1 {
            &text.unit_names.0
        } else {
            &text.unit_names.1
        };
        root.draw(&Text::new(
            format!("{count} {noun}"),
            (x + 52, y + 20),
            count_font.clone(),
        ))
    };
    if let Some(classes) = legend.classes {
        for (i, upper) in classes.upper.iter().enumerate().rev() {
            let lower = classes.lower(i);
            let members = values.iter().filter(|&&v| classes.of(v) == i).count();
            swatch(y, palette[i]).map_err(e)?;
            let label = if i == 0 && (lower - upper).abs() < f64::EPSILON {
                format(*upper)
            } else if i == 0 {
                format!("{} – {}", format(lower), format(*upper))
            } else {
                format!("> {} – {}", format(lower), format(*upper))
            };
            entry(label, members, y).map_err(e)?;
            y += 50;
        }
    }
    let withheld = features.iter().filter(|f| f.suppressed).count();
    if withheld > 0 {
        swatch(y, NO_DATA).map_err(e)?;
        for step in 0..5 {
            let x0 = x + step * 9;
            root.draw(&PathElement::new(
                vec![
                    (x0, y + 26),
                    ((x0 + 26).min(x + 40), y + 26 - ((x0 + 26).min(x + 40) - x0)),
                ],
                hatch,
            ))
            .map_err(e)?;
        }
        entry("Withheld to protect privacy (§8)".to_owned(), withheld, y).map_err(e)?;
        y += 50;
    }
    let missing = features.len() - values.len() - withheld;
    if missing > 0 {
        swatch(y, NO_DATA).map_err(e)?;
        entry(text.no_data_label.clone(), missing, y).map_err(e)?;
        y += 50;
    }
    root.draw(&Text::new(
        method.label().to_owned(),
        (x, y + 8),
        count_font.clone(),
    ))
    .map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Warm is worse on every map: the darkest colour goes to the top class where more is
    /// worse, to the bottom class where less is (speeds), with the same colours in between. A
    /// single class is neither: the middle colour.
    #[test]
    fn the_darkest_class_is_the_worse_end() {
        let darkest = PALETTE[PALETTE.len() - 1];
        // A change: two classes below zero (darkest first), three above (lightest first).
        let change = diverging_classes(
            &[
                -9.0, -5.0, -1.0, -0.5, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0,
            ],
            ClassMethod::Quantiles,
        )
        .expect("values");
        assert_eq!(change.upper.iter().filter(|u| **u <= 0.0).count(), 2);
        assert_eq!(change.upper[1], 0.0, "the warm side closes at zero");
        assert_eq!(change.of(0.0), 1);
        assert_eq!(change.of(0.1), 2);
        assert_eq!(
            colours_of(&change, Worse::Falling),
            [REDS[0], REDS[2], BLUES[2], BLUES[1], BLUES[0]]
        );
        assert_eq!(
            colours_of(&change, Worse::Rising),
            [BLUES[0], BLUES[2], REDS[2], REDS[1], REDS[0]]
        );
        let all_up = diverging_classes(&[1.0, 2.0], ClassMethod::Quantiles).expect("values");
        assert_eq!(all_up.min, 0.0);
        assert_eq!(colours_of(&all_up, Worse::Falling), [BLUES[1]]);
        assert_eq!(class_colours(1, Worse::High), [PALETTE[2]]);
        assert_eq!(class_colours(1, Worse::Low), [PALETTE[2]]);
        for classes in 2..=PALETTE.len() {
            let high = class_colours(classes, Worse::High);
            let low = class_colours(classes, Worse::Low);
            assert_eq!(high.len(), classes);
            assert_eq!(high.last(), Some(&darkest), "{classes} classes");
            assert_eq!(low.first(), Some(&darkest), "{classes} classes");
            assert_eq!(
                low.iter().rev().collect::<Vec<_>>(),
                high.iter().collect::<Vec<_>>()
            );
        }
    }

    /// Five classes, but about three districts per class on small layers, at least two.
    #[test]
    fn small_layers_get_fewer_classes() {
        assert_eq!(class_count(571), 5);
        assert_eq!(class_count(46), 5);
        assert_eq!(class_count(8), 3);
        assert_eq!(class_count(6), 2);
        assert_eq!(class_count(2), 2);
        assert_eq!(class_count(1), 2);
    }

    /// The scale bar is the longest 1-2-5 length that fits: at 2,000 px per degree (a city),
    /// 200 px span 200 × 55.6 m = 11.1 km, so 10 km in 180 px.
    #[test]
    fn the_scale_bar_is_a_round_length_that_fits() {
        let (metres, pixels) = scale_bar_length(2_000.0, 200.0).expect("a length");
        assert_eq!(metres, 10_000.0);
        assert!((pixels - 10_000.0 / (METRES_PER_DEGREE / 2_000.0)).abs() < 1e-9);
        assert!(pixels <= 200.0);
        let (metres, _) = scale_bar_length(2_000.0, 60.0).expect("a length");
        assert_eq!(metres, 2_000.0);
        assert_eq!(scale_bar_length(0.0, 60.0), None);
    }
}
