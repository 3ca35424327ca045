//! Speeds by quarter, change between two quarters and tests per resident (METHOD.md §10).
//!
//! Every figure of a quarter is the §5 figure over that quarter's tiles only; a change is the
//! latest quarter's figure minus the baseline's, and is empty unless both quarters reach the
//! §5 minimum of tests (a mean over 12 tests would move by chance, not by the network).

use gapmap_core::{SpeedTiles, Thresholds};

use crate::DistrictGaps;
use crate::record::Note;
use crate::speeds::{Speeds, speeds};

/// The two quarters a change is measured between, as indices into [`SpeedTiles::periods`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeSpan {
    /// The earlier quarter.
    pub baseline: u16,
    /// The later quarter.
    pub latest: u16,
}

impl ChangeSpan {
    /// The span between `baseline` and `latest` (their names, `2019Q1`), or the first and last
    /// quarter of the tiles by default; `None` with fewer than two quarters. A name that is no
    /// quarter of the tiles is an error naming those that are.
    pub fn resolve(
        tiles: &SpeedTiles,
        baseline: Option<&str>,
        latest: Option<&str>,
    ) -> Result<Option<ChangeSpan>, String> {
        let find = |name: Option<&str>, default: Option<usize>| -> Result<Option<u16>, String> {
            match name {
                None => Ok(default.map(|d| d as u16)),
                Some(name) => tiles
                    .periods
                    .iter()
                    .position(|p| p.eq_ignore_ascii_case(name.trim()))
                    .map(|p| Some(p as u16))
                    .ok_or_else(|| {
                        format!(
                            "`{name}` is not a quarter of the Ookla tiles; they cover {}",
                            if tiles.periods.is_empty() {
                                "no known quarter (no period column or quarter in the file names)"
                                    .to_owned()
                            } else {
                                tiles.periods.join(", ")
                            }
                        )
                    }),
            }
        };
        let count = tiles.periods.len();
        let baseline = find(baseline, (count >= 2).then_some(0))?;
        let latest = find(latest, count.checked_sub(1).filter(|_| count >= 2))?;
        match (baseline, latest) {
            (Some(b), Some(l)) if b < l => Ok(Some(ChangeSpan {
                baseline: b,
                latest: l,
            })),
            (Some(b), Some(l)) => Err(format!(
                "the baseline quarter {} is not before the latest quarter {}",
                tiles.periods[b as usize], tiles.periods[l as usize]
            )),
            _ => Ok(None),
        }
    }
}

/// Per quarter (in [`SpeedTiles::periods`] order), the §5 figures over the tiles `ids`
/// (ascending) of that quarter.
pub fn by_quarter(tiles: &SpeedTiles, ids: &[u32], thresholds: &Thresholds) -> Vec<Speeds> {
    let mut of_quarter: Vec<Vec<u32>> = vec![Vec::new(); tiles.periods.len()];
    for &id in ids {
        if let Some(&period) = tiles.period_of.get(id as usize) {
            of_quarter[period as usize].push(id);
        }
    }
    of_quarter
        .iter()
        .map(|ids| speeds(tiles, ids, thresholds))
        .collect()
}

/// Tests per 1,000 residents in `quarters` quarters.
pub fn per_1000(tests: u64, population: Option<f64>, quarters: usize) -> Option<f64> {
    population
        .filter(|p| *p > 0.0 && quarters > 0)
        .map(|p| tests as f64 / p * 1000.0 / quarters as f64)
}

/// The §5 figures of the latest quarter minus the baseline's (METHOD.md §10), each `None`
/// unless both quarters have the minimum of tests; `short` says which do not.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Mean download, Mbps.
    pub down: Option<f64>,
    /// Mean upload, Mbps.
    pub up: Option<f64>,
    /// Share of slow tests.
    pub slow: Option<f64>,
    /// `2019Q1 has 48 tests` (and the other quarter), when a quarter is below the minimum.
    pub short: Option<String>,
}

/// The change between `span`'s quarters of `quarters` (figures per quarter named `names`).
pub fn change(quarters: &[Speeds], span: ChangeSpan, names: &[String]) -> Change {
    let (before, after) = (
        &quarters[span.baseline as usize],
        &quarters[span.latest as usize],
    );
    let minus = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a);
    let short: Vec<String> = [(span.baseline, before), (span.latest, after)]
        .iter()
        .filter(|(_, s)| s.mean_down_mbps.is_none())
        .map(|(p, s)| {
            let noun = if s.tests == 1 { "test" } else { "tests" };
            format!("{} has {} {noun}", names[*p as usize], s.tests)
        })
        .collect();
    Change {
        down: minus(before.mean_down_mbps, after.mean_down_mbps),
        up: minus(before.mean_up_mbps, after.mean_up_mbps),
        slow: minus(before.share_slow_tests, after.share_slow_tests),
        short: (!short.is_empty()).then(|| {
            format!(
                "{}, fewer than the minimum for speed figures (METHOD.md §5, §10)",
                short.join(" and ")
            )
        }),
    }
}

/// Sets a row's tests per 1,000 residents and its change fields from its figures per quarter;
/// says in the row's notes why a change is empty.
pub fn fill_change(
    row: &mut DistrictGaps,
    quarters: &[Speeds],
    span: Option<ChangeSpan>,
    names: &[String],
) {
    if let Some(tests) = row.speed_tests {
        row.tests_per_1000 = per_1000(tests, row.population, quarters.len().max(1));
    }
    let Some(span) = span else { return };
    let (before, after) = (
        &quarters[span.baseline as usize],
        &quarters[span.latest as usize],
    );
    let Change {
        down,
        up,
        slow,
        short,
    } = change(quarters, span, names);
    row.speed_change_down_mbps = down;
    row.speed_change_up_mbps = up;
    row.share_slow_tests_change = slow;
    row.tests_per_1000_change = per_1000(before.tests, row.population, 1)
        .zip(per_1000(after.tests, row.population, 1))
        .map(|(a, b)| b - a);
    if let Some(short) = short {
        row.notes.push(Note::new(
            "speed_change_down_mbps, speed_change_up_mbps, share_slow_tests_change",
            short,
        ));
    }
}

/// Sets a row's mobile figures (METHOD.md §10) from the mobile tiles placed in it, pooled and,
/// where the quarters are known, their change; returns the figures per quarter.
pub fn fill_mobile(
    row: &mut DistrictGaps,
    tiles: &SpeedTiles,
    ids: &[u32],
    thresholds: &Thresholds,
    span: Option<ChangeSpan>,
) -> Vec<Speeds> {
    let pooled = speeds(tiles, ids, thresholds);
    row.mobile_speed_tests = Some(pooled.tests);
    row.mobile_speed_mean_down_mbps = pooled.mean_down_mbps;
    row.mobile_speed_mean_up_mbps = pooled.mean_up_mbps;
    row.mobile_share_slow_tests = pooled.share_slow_tests;
    if tiles.periods.is_empty() {
        return Vec::new();
    }
    let quarters = by_quarter(tiles, ids, thresholds);
    if let Some(span) = span {
        let Change {
            down,
            up,
            slow,
            short,
        } = change(&quarters, span, &tiles.periods);
        row.mobile_speed_change_down_mbps = down;
        row.mobile_speed_change_up_mbps = up;
        row.mobile_share_slow_tests_change = slow;
        if let Some(short) = short {
            row.notes.push(Note::new(
                "mobile_speed_change_down_mbps, mobile_speed_change_up_mbps, mobile_share_slow_tests_change",
                format!("mobile tiles: {short}"),
            ));
        }
    }
    quarters
}

/// The figures of every quarter of a layer's rows (in row order), published as
/// `<layer>.quarters.csv`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuarterTable {
    /// The quarters, ascending.
    pub quarters: Vec<String>,
    /// Per row, per quarter; `None` for a withheld district (METHOD.md §8).
    pub rows: Vec<Option<Vec<Speeds>>>,
    /// The change's quarters, when there are two.
    pub span: Option<ChangeSpan>,
}

#[cfg(test)]
mod tests {
    use gapmap_core::SpeedTile;

    use super::*;

    fn tile(download_mbps: f64, tests: u64) -> SpeedTile {
        SpeedTile {
            download_mbps,
            upload_mbps: 10.0,
            latency_ms: 10.0,
            tests,
            devices: 1,
        }
    }

    fn tiles(list: &[(f64, u64, u16)]) -> SpeedTiles {
        SpeedTiles {
            tiles: list.iter().map(|&(d, t, _)| tile(d, t)).collect(),
            periods: vec!["2019Q1".into(), "2019Q2".into(), "2019Q3".into()],
            period_of: list.iter().map(|&(_, _, p)| p).collect(),
            ..SpeedTiles::default()
        }
    }

    #[test]
    fn change_is_latest_minus_baseline_over_each_quarters_tiles() {
        // Q1: 60 tests at 20 Mbps (slow); Q3: 30 at 50 and 30 at 110.
        let t = tiles(&[(20.0, 60, 0), (50.0, 30, 2), (110.0, 30, 2)]);
        let quarters = by_quarter(&t, &[0, 1, 2], &Thresholds::default());
        assert_eq!(quarters[1].tests, 0, "no tile in Q2");
        let span = ChangeSpan::resolve(&t, None, None)
            .expect("valid")
            .expect("3 quarters");
        assert_eq!((span.baseline, span.latest), (0, 2));
        let mut row = DistrictGaps {
            speed_tests: Some(120),
            population: Some(2000.0),
            ..DistrictGaps::default()
        };
        fill_change(&mut row, &quarters, Some(span), &t.periods);
        // (30·50 + 30·110)/60 − 20 = 80 − 20
        assert_eq!(row.speed_change_down_mbps, Some(60.0));
        assert_eq!(row.speed_change_up_mbps, Some(0.0));
        assert_eq!(row.share_slow_tests_change, Some(-1.0));
        // 60/2000·1000 in each quarter: no change; 120 tests over 3 quarters = 20 per 1,000.
        assert_eq!(row.tests_per_1000_change, Some(0.0));
        assert_eq!(row.tests_per_1000, Some(20.0));
        assert!(row.notes.is_empty());
    }

    #[test]
    fn a_quarter_below_the_minimum_or_without_tests_gives_no_change_and_says_why() {
        // Baseline with 49 tests; a district with tests in the latest quarter only.
        let t = tiles(&[(20.0, 49, 0), (50.0, 60, 2)]);
        let span = ChangeSpan::resolve(&t, Some("2019q1"), Some("2019Q3"))
            .expect("valid")
            .expect("span");
        for ids in [&[0u32, 1][..], &[1][..]] {
            let quarters = by_quarter(&t, ids, &Thresholds::default());
            let mut row = DistrictGaps {
                population: Some(1000.0),
                ..DistrictGaps::default()
            };
            fill_change(&mut row, &quarters, Some(span), &t.periods);
            assert_eq!(row.speed_change_down_mbps, None);
            assert_eq!(row.share_slow_tests_change, None);
            let tests_before = if ids.len() == 2 { 49.0 } else { 0.0 };
            assert_eq!(row.tests_per_1000_change, Some(60.0 - tests_before));
            let note = &row.notes[0];
            assert!(
                note.to_string()
                    .contains(&format!("2019Q1 has {tests_before} tests")),
                "{note}"
            );
        }
        // 50 tests exactly is enough.
        let t = tiles(&[(20.0, 50, 0), (50.0, 60, 2)]);
        let quarters = by_quarter(&t, &[0, 1], &Thresholds::default());
        let mut row = DistrictGaps::default();
        fill_change(&mut row, &quarters, Some(span), &t.periods);
        assert_eq!(row.speed_change_down_mbps, Some(30.0));
        assert_eq!(row.tests_per_1000_change, None, "no population");
    }

    #[test]
    fn unknown_or_reversed_quarters_are_refused() {
        let t = tiles(&[(20.0, 50, 0)]);
        let error = ChangeSpan::resolve(&t, Some("2020Q1"), None).expect_err("unknown");
        assert!(error.contains("2019Q1, 2019Q2, 2019Q3"), "{error}");
        let error = ChangeSpan::resolve(&t, Some("2019Q3"), Some("2019Q1")).expect_err("reversed");
        assert!(error.contains("not before"), "{error}");
        let one = SpeedTiles {
            periods: vec!["2019Q1".into()],
            ..SpeedTiles::default()
        };
        assert_eq!(ChangeSpan::resolve(&one, None, None), Ok(None));
    }
}
