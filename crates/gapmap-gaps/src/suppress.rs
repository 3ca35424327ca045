//! METHOD.md §8: districts with few households or few locations get their counts and shares
//! withheld (empty, with the reason in `suppressed`); a `suppressed` line sums them, so a
//! table's totals still add up.
//!
//! §8 stops there, but that alone does not protect anyone: when one district is withheld, the
//! `suppressed` line (or the area's total minus the published districts) is that district.
//! So complementary suppression follows the primary rule: while the withheld group has fewer
//! than two districts, or together fewer households or locations than the thresholds, the
//! smallest published district is withheld too.

use gapmap_core::moe;
use serde::{Deserialize, Serialize};

use crate::DistrictGaps;
use crate::apportion::Sums;

/// The thresholds of METHOD.md §8 (configurable; 20 and 20 by default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Suppression {
    /// A district with fewer households (ACS estimate) is withheld.
    pub min_households: f64,
    /// A district with fewer residential locations is withheld.
    pub min_locations: f64,
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression {
            min_households: 20.0,
            min_locations: 20.0,
        }
    }
}

/// What [`suppress`] withheld.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Withheld {
    /// Districts below a threshold themselves.
    pub primary: usize,
    /// Districts withheld so that the small ones cannot be recovered.
    pub complementary: usize,
    /// Their sum (`geoid` = `suppressed`), for tables; `None` when nothing was withheld.
    pub line: Option<DistrictGaps>,
}

impl Suppression {
    /// Why a district is below the thresholds, if it is. A figure that is unknown (no input)
    /// does not suppress.
    fn reason(&self, row: &DistrictGaps) -> Option<String> {
        let few_households = row
            .households
            .is_some_and(|h| h.value < self.min_households);
        let few_locations = row.locations.is_some_and(|n| n < self.min_locations);
        let households = format!("fewer than {} households", self.min_households);
        let locations = format!("fewer than {} residential locations", self.min_locations);
        match (few_households, few_locations) {
            (true, true) => Some(format!("{households} and {locations} (METHOD.md §8)")),
            (true, false) => Some(format!("{households} (METHOD.md §8)")),
            (false, true) => Some(format!("{locations} (METHOD.md §8)")),
            (false, false) => None,
        }
    }

    /// Whether a group of withheld districts is itself large enough to publish as a sum.
    fn group_is_safe(&self, members: usize, households: f64, locations: Option<f64>) -> bool {
        members >= 2
            && households >= self.min_households
            && locations.is_none_or(|n| n >= self.min_locations)
    }
}

fn size(row: &DistrictGaps) -> (f64, f64) {
    (
        row.households.map_or(0.0, |h| h.value),
        row.locations.unwrap_or(0.0),
    )
}

/// Which districts of a layer METHOD.md §8 withholds, and why, before anything is emptied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Per row, why it is withheld (`None`: published).
    pub reasons: Vec<Option<String>>,
    /// Rows below a threshold themselves.
    pub primary: usize,
    /// Rows withheld to protect them.
    pub complementary: usize,
}

impl Plan {
    /// Whether row `index` is withheld.
    pub fn is_withheld(&self, index: usize) -> bool {
        self.reasons.get(index).is_some_and(Option::is_some)
    }

    /// Withholds a published row to protect others, with `reason`.
    pub fn withhold(&mut self, index: usize, reason: &str) {
        if !self.is_withheld(index) {
            self.reasons[index] = Some(reason.to_owned());
            self.complementary += 1;
        }
    }
}

/// The districts of one layer to withhold: those below a threshold (primary), then the
/// smallest published ones until the withheld group has at least two districts and reaches
/// both thresholds together (complementary), so no small district is the difference between
/// the layer's totals and its published rows.
pub fn plan(rows: &[DistrictGaps], rule: &Suppression) -> Plan {
    let mut withheld: Vec<Option<String>> = rows.iter().map(|r| rule.reason(r)).collect();
    let primary = withheld.iter().flatten().count();
    let mut complementary = 0;
    if primary > 0 {
        loop {
            let members: Vec<&DistrictGaps> = rows
                .iter()
                .zip(&withheld)
                .filter(|(_, w)| w.is_some())
                .map(|(r, _)| r)
                .collect();
            let households: f64 = members.iter().map(|r| size(r).0).sum();
            let any_locations = members.iter().any(|r| r.locations.is_some());
            let locations = any_locations.then(|| members.iter().map(|r| size(r).1).sum());
            if rule.group_is_safe(members.len(), households, locations) {
                break;
            }
            // The smallest published district (fewest households, then locations, then id).
            let next = rows
                .iter()
                .enumerate()
                .filter(|(i, _)| withheld[*i].is_none())
                .min_by(|(_, a), (_, b)| by_size(a, b))
                .map(|(i, _)| i);
            let Some(next) = next else { break };
            withheld[next] = Some(
                "complementary: withheld so that a smaller withheld district cannot be recovered from the totals (METHOD.md §8)"
                    .to_owned(),
            );
            complementary += 1;
        }
    }
    Plan {
        reasons: withheld,
        primary,
        complementary,
    }
}

/// Orders districts smallest first: fewest households, then locations, then id.
pub(crate) fn by_size(a: &DistrictGaps, b: &DistrictGaps) -> std::cmp::Ordering {
    let (ha, la) = size(a);
    let (hb, lb) = size(b);
    ha.total_cmp(&hb)
        .then(la.total_cmp(&lb))
        .then_with(|| a.geoid.cmp(&b.geoid))
}

/// Withholds the figures of small districts (and complementary ones) in place; returns what was
/// withheld and the line that sums them. Location and ACS counts, shares, affordability,
/// speeds and the need index are emptied; the id, name, reference price and income threshold
/// (facts about the area's prices, not its people) stay.
pub fn suppress(
    rows: &mut [DistrictGaps],
    rule: &Suppression,
    weights: &gapmap_core::NeedWeights,
) -> Withheld {
    let planned = plan(rows, rule);
    apply(rows, planned, weights)
}

/// Empties the rows `plan` withholds and sums them into the `suppressed` line.
pub fn apply(
    rows: &mut [DistrictGaps],
    plan: Plan,
    weights: &gapmap_core::NeedWeights,
) -> Withheld {
    let Plan {
        reasons: withheld,
        primary,
        complementary,
    } = plan;
    let mut sums = Sums::default();
    let mut unaffordable = Vec::new();
    let mut members = 0;
    for (row, reason) in rows.iter_mut().zip(withheld) {
        let Some(reason) = reason else { continue };
        members += 1;
        sums.add(row, 1.0);
        unaffordable.extend(row.unaffordable);
        *row = DistrictGaps {
            geoid: std::mem::take(&mut row.geoid),
            name: std::mem::take(&mut row.name),
            level: std::mem::take(&mut row.level),
            reference_price: row.reference_price,
            reference_price_source: row.reference_price_source,
            income_threshold: row.income_threshold,
            suppressed: Some(reason),
            ..DistrictGaps::default()
        };
    }
    let line = (members > 0).then(|| {
        let level = rows.first().map(|r| r.level.clone()).unwrap_or_default();
        let mut line = sums.into_row(
            "suppressed".into(),
            format!("Withheld districts ({members})"),
            &level,
            weights,
        );
        if unaffordable.len() == members {
            let total = moe::sum(&unaffordable);
            line.share_unaffordable = line.households.and_then(|h| moe::proportion(total, h));
            line.unaffordable = Some(total);
        }
        line.update_need(weights);
        line.suppressed = Some(format!(
            "sum of the {members} withheld districts; not a district"
        ));
        line
    });
    Withheld {
        primary,
        complementary,
        line,
    }
}

#[cfg(test)]
mod tests {
    use gapmap_core::{Estimate, NeedWeights};

    use super::*;

    fn row(id: &str, households: f64, locations: f64) -> DistrictGaps {
        DistrictGaps {
            geoid: id.into(),
            name: id.into(),
            level: "tract".into(),
            households: Some(Estimate::new(households, 10.0)),
            no_internet: Some(Estimate::new(households / 10.0, 5.0)),
            without_broadband: Some(Estimate::new(households / 5.0, 5.0)),
            locations: Some(locations),
            locations_served: Some(locations),
            locations_underserved: Some(0.0),
            locations_unserved: Some(0.0),
            locations_gigabit: Some(0.0),
            reference_price: Some(50.0),
            ..DistrictGaps::default()
        }
    }

    #[test]
    fn thresholds_hold_at_their_exact_edges() {
        let rule = Suppression::default();
        assert!(rule.reason(&row("a", 20.0, 20.0)).is_none(), "20 is enough");
        assert!(rule.reason(&row("a", 19.999, 20.0)).is_some());
        assert!(rule.reason(&row("a", 20.0, 19.0)).is_some());
        let unknown = DistrictGaps::default();
        assert!(
            rule.reason(&unknown).is_none(),
            "no input, nothing to withhold"
        );
    }

    #[test]
    fn one_small_district_takes_the_next_smallest_with_it_and_totals_add_up() {
        let mut rows = vec![
            row("a", 500.0, 600.0),
            row("b", 12.0, 30.0),
            row("c", 90.0, 100.0),
            row("d", 40.0, 45.0),
        ];
        let before: f64 = rows
            .iter()
            .map(|r| r.households.map_or(0.0, |h| h.value))
            .sum();
        let withheld = suppress(&mut rows, &Suppression::default(), &NeedWeights::default());
        assert_eq!(withheld.primary, 1);
        assert_eq!(
            withheld.complementary, 1,
            "d, the smallest published, goes too"
        );
        assert!(
            rows[1]
                .suppressed
                .as_deref()
                .is_some_and(|r| r.contains("fewer than 20 households"))
        );
        assert!(
            rows[3]
                .suppressed
                .as_deref()
                .is_some_and(|r| r.starts_with("complementary"))
        );
        assert!(rows[0].suppressed.is_none() && rows[2].suppressed.is_none());
        for hidden in [&rows[1], &rows[3]] {
            assert!(hidden.households.is_none() && hidden.locations.is_none());
            assert!(hidden.share_served.is_none() && hidden.need_index.is_none());
            assert_eq!(
                hidden.reference_price,
                Some(50.0),
                "prices are not about people"
            );
        }
        let line = withheld.line.expect("a suppressed line");
        assert_eq!(line.geoid, "suppressed");
        assert_eq!(line.households.map(|h| h.value), Some(52.0));
        assert_eq!(line.locations, Some(75.0));
        let after: f64 = rows
            .iter()
            .chain(std::iter::once(&line))
            .map(|r| r.households.map_or(0.0, |h| h.value))
            .sum();
        assert_eq!(after, before, "published districts + the line = the total");
    }

    #[test]
    fn nothing_small_nothing_withheld() {
        let mut rows = vec![row("a", 500.0, 600.0), row("b", 20.0, 20.0)];
        let withheld = suppress(&mut rows, &Suppression::default(), &NeedWeights::default());
        assert_eq!((withheld.primary, withheld.complementary), (0, 0));
        assert!(withheld.line.is_none());
        assert!(rows.iter().all(|r| r.households.is_some()));
    }

    #[test]
    fn two_small_districts_that_together_reach_the_thresholds_need_no_complement() {
        let mut rows = vec![
            row("a", 500.0, 600.0),
            row("b", 12.0, 30.0),
            row("c", 15.0, 10.0),
        ];
        let withheld = suppress(&mut rows, &Suppression::default(), &NeedWeights::default());
        assert_eq!((withheld.primary, withheld.complementary), (2, 0));
        assert!(rows[0].households.is_some());
    }
}
