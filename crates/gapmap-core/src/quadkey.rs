//! Web-Mercator tiles named by quadkey (Ookla's zoom-16 tiles, METHOD.md §5).

/// A tile's bounds in longitude/latitude: `(west, south, east, north)`.
pub type TileBounds = (f64, f64, f64, f64);

/// The bounds of the tile a quadkey names, or `None` when it holds anything but the digits
/// 0–3 (or more than 30 of them).
pub fn tile_bounds(quadkey: &str) -> Option<TileBounds> {
    let zoom = quadkey.len();
    if zoom == 0 || zoom > 30 {
        return None;
    }
    let (mut x, mut y) = (0u64, 0u64);
    for digit in quadkey.bytes() {
        let d = match digit {
            b'0'..=b'3' => u64::from(digit - b'0'),
            _ => return None,
        };
        x = (x << 1) | (d & 1);
        y = (y << 1) | (d >> 1);
    }
    let n = (1u64 << zoom) as f64;
    let longitude = |x: f64| x / n * 360.0 - 180.0;
    let latitude = |y: f64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y / n))
            .sinh()
            .atan()
            .to_degrees()
    };
    Some((
        longitude(x as f64),
        latitude(y as f64 + 1.0),
        longitude(x as f64 + 1.0),
        latitude(y as f64),
    ))
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    #[test]
    fn a_maui_quadkey_gives_the_tile_ookla_published() {
        // lanai_ookla_2023Q1.geojson: quadkey 0223000023122320 has the polygon
        // [-156.95068359375, 20.8074715768065] – [-156.945190429688, 20.802336592979].
        let (west, south, east, north) = tile_bounds("0223000023122320").expect("valid quadkey");
        assert_relative_eq!(west, -156.950_683_593_75, epsilon = 1e-12);
        assert_relative_eq!(east, -156.945_190_429_688, epsilon = 1e-11);
        assert_relative_eq!(north, 20.807_471_576_806_5, epsilon = 1e-11);
        assert_relative_eq!(south, 20.802_336_592_979, epsilon = 1e-11);
    }

    // A Lima tile (southern and western hemisphere), against the tile formulas evaluated
    // independently: x = 18755, y = 34987 at zoom 16.
    #[test]
    fn a_lima_quadkey_gives_its_tile_and_centre() {
        let (west, south, east, north) = tile_bounds("2100300121202033").expect("valid quadkey");
        assert_relative_eq!(west, -76.975_708_007_812_5, epsilon = 1e-12);
        assert_relative_eq!(east, -76.970_214_843_75, epsilon = 1e-12);
        assert_relative_eq!(south, -12.103_780_891_645_819, epsilon = 1e-12);
        assert_relative_eq!(north, -12.098_409_789_924_855, epsilon = 1e-12);
        // The centroid gapmap places tiles by (METHOD.md §5): the rectangle's centre.
        let tile = geo::Rect::new(
            geo::coord! { x: west, y: south },
            geo::coord! { x: east, y: north },
        )
        .to_polygon();
        let centre = geo::Centroid::centroid(&tile).expect("a tile has area");
        assert_relative_eq!(centre.x(), -76.972_961_425_781_25, epsilon = 1e-12);
        assert_relative_eq!(centre.y(), -12.101_095_340_785_337, epsilon = 1e-12);
    }

    #[test]
    fn the_first_level_splits_the_world_in_four() {
        assert_eq!(tile_bounds("0").map(|b| (b.0, b.2)), Some((-180.0, 0.0)));
        assert_eq!(
            tile_bounds("3").map(|b| (b.0, b.2, b.3)),
            Some((0.0, 180.0, 0.0))
        );
        assert!(tile_bounds("0124").is_none());
        assert!(tile_bounds("").is_none());
    }
}
