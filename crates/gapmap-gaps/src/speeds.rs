//! Measured speeds from Ookla tiles (METHOD.md §5).

use gapmap_core::{SpeedTiles, Thresholds};

/// Speed figures of one district.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speeds {
    /// Tests in the district's tiles.
    pub tests: u64,
    /// Test-weighted mean download, Mbps; `None` below the minimum number of tests.
    pub mean_down_mbps: Option<f64>,
    /// Test-weighted mean upload, Mbps.
    pub mean_up_mbps: Option<f64>,
    /// Share of tests in tiles below the slow threshold.
    pub share_slow_tests: Option<f64>,
}

/// Speeds over the tiles `tile_ids` (each counted once: pass them deduplicated and sorted,
/// so the float sums run in one order and the output is the same every run).
pub fn speeds(tiles: &SpeedTiles, tile_ids: &[u32], thresholds: &Thresholds) -> Speeds {
    let mut tests = 0u64;
    let mut down = 0.0;
    let mut up = 0.0;
    let mut slow = 0u64;
    for &id in tile_ids {
        let tile = &tiles.tiles[id as usize];
        tests += tile.tests;
        down += tile.tests as f64 * tile.download_mbps;
        up += tile.tests as f64 * tile.upload_mbps;
        // METHOD.md §5: slow means avg_d < 25 or avg_u < 3, i.e. not meeting 25/3.
        if !thresholds
            .slow_tile
            .is_met_by(tile.download_mbps, tile.upload_mbps)
        {
            slow += tile.tests;
        }
    }
    // METHOD.md §5: fewer than 50 tests get no speed figures (Ookla's guidance).
    if tests < thresholds.min_speed_tests || tests == 0 {
        return Speeds {
            tests,
            mean_down_mbps: None,
            mean_up_mbps: None,
            share_slow_tests: None,
        };
    }
    let n = tests as f64;
    Speeds {
        tests,
        mean_down_mbps: Some(down / n),
        mean_up_mbps: Some(up / n),
        share_slow_tests: Some(slow as f64 / n),
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use gapmap_core::SpeedTile;

    use super::*;

    fn tile(download_mbps: f64, upload_mbps: f64, tests: u64) -> SpeedTile {
        SpeedTile {
            download_mbps,
            upload_mbps,
            latency_ms: 10.0,
            tests,
            devices: 1,
        }
    }

    #[test]
    fn means_are_test_weighted_and_slow_share_counts_tests() {
        let tiles = SpeedTiles {
            tiles: vec![
                tile(100.0, 10.0, 30),
                tile(20.0, 5.0, 10),
                tile(300.0, 2.9, 20),
            ],
            ..SpeedTiles::default()
        };
        let s = speeds(&tiles, &[0, 1, 2], &Thresholds::default());
        assert_eq!(s.tests, 60);
        // (30·100 + 10·20 + 20·300) / 60 = 9200 / 60
        assert_relative_eq!(s.mean_down_mbps.expect("60 tests"), 9200.0 / 60.0);
        // (30·10 + 10·5 + 20·2.9) / 60 = 408 / 60
        assert_relative_eq!(s.mean_up_mbps.expect("60 tests"), 408.0 / 60.0);
        // tile 1 (20 < 25 down) and tile 2 (2.9 < 3 up) are slow: 30 of 60 tests
        assert_relative_eq!(s.share_slow_tests.expect("60 tests"), 0.5);
    }

    #[test]
    fn edge_25_3_is_not_slow_and_49_tests_get_no_figures() {
        let tiles = SpeedTiles {
            tiles: vec![tile(25.0, 3.0, 49), tile(25.0, 3.0, 1)],
            ..SpeedTiles::default()
        };
        let few = speeds(&tiles, &[0], &Thresholds::default());
        assert_eq!(few.tests, 49);
        assert_eq!(few.mean_down_mbps, None);
        let enough = speeds(&tiles, &[0, 1], &Thresholds::default());
        assert_eq!(enough.share_slow_tests, Some(0.0));
    }
}

/// Sets the speed fields of `row` from its tiles (indices into `tiles.tiles`, ascending).
pub fn fill(
    row: &mut crate::DistrictGaps,
    tiles: &SpeedTiles,
    ids: &[u32],
    thresholds: &Thresholds,
) {
    let s = speeds(tiles, ids, thresholds);
    row.speed_tests = Some(s.tests);
    row.speed_mean_down_mbps = s.mean_down_mbps;
    row.speed_mean_up_mbps = s.mean_up_mbps;
    row.share_slow_tests = s.share_slow_tests;
}

/// METHOD.md §5: each tile belongs to the district holding its centroid; a centroid on a shared
/// edge goes to the district with the smallest id, so the result does not depend on order.
/// Returns, per district, the indices of its tiles (ascending), and the tiles in no district.
pub fn assign_by_centroid(
    footprints: &[geo::Polygon<f64>],
    districts: &[&geo::MultiPolygon<f64>],
    ids: &[&str],
) -> (Vec<Vec<u32>>, Vec<u32>) {
    use geo::Centroid;
    use rayon::prelude::*;
    let centroids: Vec<Option<geo::Point<f64>>> =
        footprints.par_iter().map(Centroid::centroid).collect();
    let owners = crate::apportion::assign_points(&centroids, districts, ids);
    let mut members = vec![Vec::new(); districts.len()];
    let mut outside = Vec::new();
    for (tile, owner) in owners.into_iter().enumerate() {
        match owner {
            Some(d) => members[d].push(tile as u32),
            None => outside.push(tile as u32),
        }
    }
    (members, outside)
}

#[cfg(test)]
mod assignment_tests {
    use geo::polygon;

    use super::*;

    #[test]
    fn a_tile_goes_to_the_district_holding_its_centroid_and_an_edge_to_the_smallest_id() {
        let square = |x0: f64| {
            geo::MultiPolygon(vec![
                polygon![(x: x0, y: 0.0), (x: x0 + 1.0, y: 0.0), (x: x0 + 1.0, y: 1.0), (x: x0, y: 1.0)],
            ])
        };
        let (left, right) = (square(0.0), square(1.0));
        let tile = |x0: f64| polygon![(x: x0, y: 0.4), (x: x0 + 0.2, y: 0.4), (x: x0 + 0.2, y: 0.6), (x: x0, y: 0.6)];
        // Mostly in the right square but centred in the left one; centred on the shared edge;
        // centred outside both.
        let tiles = [tile(0.85), tile(0.9), tile(2.5)];
        let (members, outside) = assign_by_centroid(&tiles, &[&right, &left], &["B", "A"]);
        assert_eq!(
            members[1],
            vec![0, 1],
            "the centroid decides; the edge goes to id A"
        );
        assert!(members[0].is_empty());
        assert_eq!(outside, vec![2]);
    }
}
