//! Residential locations by BEAD tier, per block then per district (METHOD.md §2).

use std::ops::AddAssign;

use gapmap_core::{LocationTable, Tier};
use rayon::prelude::*;

/// Locations of a unit by tier; `served + underserved + unserved = locations` by construction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TierCounts {
    /// Distinct residential locations.
    pub locations: u64,
    /// Some row qualifies for the served tier.
    pub served: u64,
    /// Not served, some row qualifies for the underserved tier.
    pub underserved: u64,
    /// Neither.
    pub unserved: u64,
    /// Some row qualifies for the gigabit goal.
    pub gigabit: u64,
}

impl AddAssign for TierCounts {
    fn add_assign(&mut self, rhs: Self) {
        self.locations += rhs.locations;
        self.served += rhs.served;
        self.underserved += rhs.underserved;
        self.unserved += rhs.unserved;
        self.gigabit += rhs.gigabit;
    }
}

/// Tier counts of every block of `table`, indexed like `table.blocks`. Each location is
/// counted once: the table holds one entry per residential `location_id`.
pub fn counts_by_block(table: &LocationTable) -> Vec<TierCounts> {
    let blocks = table.blocks.len();
    table
        .locations
        .par_iter()
        .fold(
            || vec![TierCounts::default(); blocks],
            |mut counts, location| {
                let slot = &mut counts[location.block as usize];
                slot.locations += 1;
                match location.qualification.tier() {
                    Tier::Served => slot.served += 1,
                    Tier::Underserved => slot.underserved += 1,
                    Tier::Unserved => slot.unserved += 1,
                }
                if location.qualification.is_gigabit() {
                    slot.gigabit += 1;
                }
                counts
            },
        )
        .reduce(
            || vec![TierCounts::default(); blocks],
            |mut left, right| {
                for (l, r) in left.iter_mut().zip(right) {
                    *l += r;
                }
                left
            },
        )
}

#[cfg(test)]
mod tests {
    use gapmap_core::{GeoId, LocationSummary, Qualification, Technology, Thresholds};

    use super::*;

    #[test]
    fn tiers_partition_the_locations_of_each_block() {
        let t = Thresholds::default();
        let q = |tech: u16, down: f64, up: f64| {
            Qualification::of_row(&t, Technology(tech), Some(down), Some(up), true)
        };
        let table = LocationTable {
            blocks: vec![
                GeoId::parse("110010001011000").expect("valid"),
                GeoId::parse("110010001011001").expect("valid"),
            ],
            locations: vec![
                LocationSummary {
                    block: 0,
                    qualification: q(50, 1000.0, 1000.0),
                },
                LocationSummary {
                    block: 0,
                    qualification: q(40, 300.0, 10.0),
                },
                LocationSummary {
                    block: 0,
                    qualification: q(60, 300.0, 30.0),
                },
                LocationSummary {
                    block: 1,
                    qualification: q(40, 100.0, 20.0),
                },
            ],
        };
        let counts = counts_by_block(&table);
        assert_eq!(
            counts[0],
            TierCounts {
                locations: 3,
                served: 1,
                underserved: 1,
                unserved: 1,
                gigabit: 1
            }
        );
        assert_eq!(
            counts[1],
            TierCounts {
                locations: 1,
                served: 1,
                underserved: 0,
                unserved: 0,
                gigabit: 0
            }
        );
    }
}
