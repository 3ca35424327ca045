//! Residential locations by BEAD tier, per block then per district (METHOD.md §2).

use std::ops::AddAssign;

use gapmap_core::{LocationTable, Tier};

// `by_best_technology` is indexed by `TechnologyGroup as usize`: the enum's order is ALL's.
const _: () = assert!(gapmap_core::TechnologyGroup::Other as usize == 6);
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
    /// Locations by the technology group of their best offer, in `TechnologyGroup::ALL` order.
    pub by_best_technology: [u64; 7],
}

impl AddAssign for TierCounts {
    fn add_assign(&mut self, rhs: Self) {
        self.locations += rhs.locations;
        self.served += rhs.served;
        self.underserved += rhs.underserved;
        self.unserved += rhs.unserved;
        self.gigabit += rhs.gigabit;
        for (mine, theirs) in self
            .by_best_technology
            .iter_mut()
            .zip(rhs.by_best_technology)
        {
            *mine += theirs;
        }
    }
}

/// Tier counts of every block of `table`, indexed like `table.blocks`. Each location is
/// counted once: the table holds one entry per residential `location_id`.
///
/// A table sorted by block (as readers hand it over) is counted block by block in parallel,
/// with one count per block in memory; per-thread arrays of every block's counts would take
/// 96 bytes × blocks × splits (gigabytes for a nation's 8 million blocks).
pub fn counts_by_block(table: &LocationTable) -> Vec<TierCounts> {
    let blocks = table.blocks.len();
    let locations = &table.locations;
    let mut counts = vec![TierCounts::default(); blocks];
    if !locations.is_sorted_by_key(|l| l.block) {
        for location in locations {
            add(&mut counts[location.block as usize], *location);
        }
        return counts;
    }
    counts.par_iter_mut().enumerate().for_each(|(block, slot)| {
        let block = block as u32;
        let start = locations.partition_point(|l| l.block < block);
        for location in locations[start..].iter().take_while(|l| l.block == block) {
            add(slot, *location);
        }
    });
    counts
}

fn add(slot: &mut TierCounts, location: gapmap_core::LocationSummary) {
    slot.locations += 1;
    match location.qualification.tier() {
        Tier::Served => slot.served += 1,
        Tier::Underserved => slot.underserved += 1,
        Tier::Unserved => slot.unserved += 1,
    }
    if location.qualification.is_gigabit() {
        slot.gigabit += 1;
    }
    slot.by_best_technology[location.best_technology.group() as usize] += 1;
}

#[cfg(test)]
mod tests {
    use gapmap_core::{GeoId, LocationSummary, Qualification, Technology, Thresholds};

    use super::*;

    #[test]
    fn tiers_partition_the_locations_of_each_block() {
        let t = Thresholds::default();
        let location = |block: u32, tech: u16, down: f64, up: f64| LocationSummary {
            block,
            qualification: Qualification::of_row(&t, Technology(tech), Some(down), Some(up), true),
            best_technology: Technology(tech),
        };
        let table = LocationTable {
            blocks: vec![
                GeoId::parse("110010001011000").expect("valid"),
                GeoId::parse("110010001011001").expect("valid"),
            ],
            locations: vec![
                location(0, 50, 1000.0, 1000.0),
                location(0, 40, 300.0, 10.0),
                location(0, 60, 300.0, 30.0),
                location(1, 40, 100.0, 20.0),
            ],
            ..LocationTable::default()
        };
        let counts = counts_by_block(&table);
        assert_eq!(
            counts[0],
            TierCounts {
                locations: 3,
                served: 1,
                underserved: 1,
                unserved: 1,
                gigabit: 1,
                // fiber, cable, copper, licensed, unlicensed, satellite, other
                by_best_technology: [1, 1, 0, 0, 0, 1, 0],
            }
        );
        assert_eq!(
            counts[1],
            TierCounts {
                locations: 1,
                served: 1,
                underserved: 0,
                unserved: 0,
                gigabit: 0,
                by_best_technology: [0, 1, 0, 0, 0, 0, 0],
            }
        );
        // The same locations out of block order take the other path, to the same counts.
        let mut shuffled = table.clone();
        shuffled.locations.rotate_left(1);
        assert!(!shuffled.locations.is_sorted_by_key(|l| l.block));
        assert_eq!(counts_by_block(&shuffled), counts);
        // A block without locations counts zero.
        let mut empty_block = table.clone();
        empty_block
            .blocks
            .push(GeoId::parse("110010001011002").expect("valid"));
        assert_eq!(counts_by_block(&empty_block)[2], TierCounts::default());
    }
}
