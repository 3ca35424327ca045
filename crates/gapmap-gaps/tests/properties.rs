//! Property tests of the district figures: apportionment conserves totals (METHOD.md §6),
//! shares stay in [0, 1], suppression keeps totals through its `suppressed` line (§8), and the
//! result does not depend on the number of threads.

use gapmap_core::{Estimate, NeedWeights};
use gapmap_gaps::DistrictGaps;
use gapmap_gaps::apportion::{apportion, areal_weights};
use gapmap_gaps::suppress::{Suppression, suppress};
use geo::{MultiPolygon, Rect, coord};
use proptest::prelude::*;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![
        Rect::new(coord! { x: x0, y: y0 }, coord! { x: x1, y: y1 }).to_polygon(),
    ])
}

/// A unit row with whole tier counts and ACS estimates.
fn unit(i: usize, served: u8, under: u8, unserved: u8, households: u16) -> DistrictGaps {
    let locations = f64::from(served) + f64::from(under) + f64::from(unserved);
    let households = f64::from(households);
    let mut row = DistrictGaps {
        geoid: format!("{i:012}"),
        name: format!("unit {i}"),
        level: "block_group".into(),
        locations: Some(locations),
        locations_served: Some(f64::from(served)),
        locations_underserved: Some(f64::from(under)),
        locations_unserved: Some(f64::from(unserved)),
        locations_gigabit: Some(0.0),
        households: Some(Estimate::new(households, 10.0)),
        no_internet: Some(Estimate::new((households / 7.0).floor(), 5.0)),
        without_broadband: Some(Estimate::new((households / 4.0).floor(), 6.0)),
        ..DistrictGaps::default()
    };
    row.share_served = (locations > 0.0).then(|| f64::from(served) / locations);
    row
}

fn total(rows: &[&DistrictGaps], field: Field) -> f64 {
    rows.iter().map(|r| field(r)).sum()
}

type Field = fn(&DistrictGaps) -> f64;
/// Unit counts: served, underserved, unserved, households.
type Counts = (u8, u8, u8, u16);
/// A district box over the unit grid: x, y, width, height in units.
type Box = (f64, f64, f64, f64);

const FIELDS: [(&str, Field); 6] = [
    ("locations", |r| r.locations.unwrap_or(0.0)),
    ("served", |r| r.locations_served.unwrap_or(0.0)),
    ("underserved", |r| r.locations_underserved.unwrap_or(0.0)),
    ("unserved", |r| r.locations_unserved.unwrap_or(0.0)),
    ("households", |r| r.households.map_or(0.0, |e| e.value)),
    ("no_internet", |r| r.no_internet.map_or(0.0, |e| e.value)),
];

fn layout() -> impl Strategy<Value = (Vec<Counts>, Vec<Box>)> {
    (
        proptest::collection::vec((0..50u8, 0..50u8, 0..50u8, 0..2000u16), 16),
        // Up to five districts: random rectangles over (part of) the 4 × 4 grid of units.
        proptest::collection::vec((0.0..3.5f64, 0.0..3.5f64, 0.3..3.0f64, 0.3..3.0f64), 1..5),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn apportionment_conserves_every_count_and_keeps_shares_in_range((counts, boxes) in layout()) {
        // A 4 × 4 grid of 0.01° units near Washington, DC.
        let units: Vec<MultiPolygon<f64>> = (0..16)
            .map(|i| {
                let (x, y) = (-77.0 + f64::from(i % 4) * 0.01, 38.9 + f64::from(i / 4) * 0.01);
                rect(x, y, x + 0.01, y + 0.01)
            })
            .collect();
        // Districts must not overlap: cut each box to the right of the previous ones.
        let mut districts = Vec::new();
        let mut left = 0.0;
        for (x, y, w, h) in boxes {
            let x0 = x.max(left);
            let x1 = (x0 + w).min(4.0);
            if x1 - x0 < 0.05 {
                continue;
            }
            left = x1;
            districts.push(rect(-77.0 + x0 * 0.01, 38.9 + y * 0.01, -77.0 + x1 * 0.01, 38.9 + (y + h).min(4.0) * 0.01));
        }
        prop_assume!(!districts.is_empty());
        let rows: Vec<DistrictGaps> = counts
            .iter()
            .enumerate()
            .map(|(i, &(s, u, n, h))| unit(i, s, u, n, h))
            .collect();
        let unit_refs: Vec<&MultiPolygon<f64>> = units.iter().collect();
        let district_refs: Vec<&MultiPolygon<f64>> = districts.iter().collect();
        let weights = areal_weights(&unit_refs, &district_refs);
        let names: Vec<(String, String)> = (0..districts.len())
            .map(|i| (format!("d{i}"), format!("District {i}")))
            .collect();
        let result = apportion("test", &names, &rows, &weights, &NeedWeights::default());
        let before: Vec<&DistrictGaps> = rows.iter().collect();
        let after: Vec<&DistrictGaps> = result.rows.iter().chain(std::iter::once(&result.unassigned)).collect();
        for (name, field) in FIELDS {
            let (a, b) = (total(&before, field), total(&after, field));
            prop_assert!((a - b).abs() < 1e-6 * a.max(1.0), "{name}: {a} before, {b} after");
        }
        for row in &result.rows {
            for share in [row.share_served, row.share_underserved, row.share_unserved,
                          row.share_no_internet.map(|e| e.value), row.share_without_broadband.map(|e| e.value)]
                .into_iter()
                .flatten()
            {
                prop_assert!((0.0..=1.0 + 1e-12).contains(&share), "share {share}");
            }
            for moe in [row.households, row.no_internet, row.share_no_internet].into_iter().flatten() {
                prop_assert!(moe.moe.is_ok_and(|m| m >= 0.0 && m.is_finite()));
            }
        }
        // The same on one thread.
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        let again = single.install(|| {
            let weights = areal_weights(&unit_refs, &district_refs);
            apportion("test", &names, &rows, &weights, &NeedWeights::default())
        });
        prop_assert_eq!(again, result);
    }

    #[test]
    fn suppression_keeps_totals_and_never_publishes_a_small_district(
        counts in proptest::collection::vec((0..30u8, 0..30u8, 0..30u8, 0..200u16), 1..30),
        min_households in 0.0..60.0f64,
        min_locations in 0.0..60.0f64,
    ) {
        let mut rows: Vec<DistrictGaps> = counts
            .iter()
            .enumerate()
            .map(|(i, &(s, u, n, h))| unit(i, s, u, n, h))
            .collect();
        let before: Vec<DistrictGaps> = rows.clone();
        let rule = Suppression { min_households, min_locations };
        let withheld = suppress(&mut rows, &rule, &NeedWeights::default());
        let published: Vec<&DistrictGaps> = rows.iter().chain(withheld.line.as_ref()).collect();
        let all: Vec<&DistrictGaps> = before.iter().collect();
        for (name, field) in FIELDS {
            let (a, b) = (total(&all, field), total(&published, field));
            prop_assert!((a - b).abs() < 1e-6 * a.max(1.0), "{name}: {a} before, {b} after");
        }
        for (row, original) in rows.iter().zip(&before) {
            let small = original.households.is_some_and(|h| h.value < min_households)
                || original.locations.is_some_and(|n| n < min_locations);
            if small {
                prop_assert!(row.suppressed.is_some() && row.households.is_none() && row.locations.is_none());
            }
        }
        // A withheld group is never a single district, unless every district is withheld.
        let hidden = rows.iter().filter(|r| r.suppressed.is_some()).count();
        prop_assert!(hidden != 1 || rows.len() == 1, "{hidden} withheld of {}", rows.len());
    }
}
