//! BEAD tiers of a location (METHOD.md §2).

use crate::{Technology, Thresholds};

/// The tier of one residential location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Some row qualifies for 100/20.
    Served,
    /// Not served; some row qualifies for 25/3.
    Underserved,
    /// Neither.
    Unserved,
}

/// Which tiers some row of a location qualifies for; rows of one location combine with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Qualification(u8);

impl Qualification {
    const SERVED: u8 = 1;
    const UNDERSERVED: u8 = 2;
    const GIGABIT: u8 = 4;

    /// No qualifying row.
    pub const NONE: Qualification = Qualification(0);

    /// What one availability row qualifies for (METHOD.md §2): a reliable technology,
    /// `low_latency` = 1 (when required) and both advertised speeds at or above the tier,
    /// inclusive. An empty speed (`None`) never qualifies.
    pub fn of_row(
        thresholds: &Thresholds,
        technology: Technology,
        download: Option<f64>,
        upload: Option<f64>,
        low_latency: bool,
    ) -> Qualification {
        // METHOD.md §2: satellite, unlicensed fixed wireless and "other" never count.
        if !thresholds.is_reliable(technology) || (thresholds.require_low_latency && !low_latency) {
            return Qualification::NONE;
        }
        let (Some(download), Some(upload)) = (download, upload) else {
            return Qualification::NONE;
        };
        let mut bits = 0;
        if thresholds.served.is_met_by(download, upload) {
            bits |= Self::SERVED;
        }
        if thresholds.underserved.is_met_by(download, upload) {
            bits |= Self::UNDERSERVED;
        }
        if thresholds.gigabit.is_met_by(download, upload) {
            bits |= Self::GIGABIT;
        }
        Qualification(bits)
    }

    /// The location's tier from the union of its rows' qualifications.
    pub fn tier(self) -> Tier {
        if self.0 & Self::SERVED != 0 {
            Tier::Served
        } else if self.0 & Self::UNDERSERVED != 0 {
            Tier::Underserved
        } else {
            Tier::Unserved
        }
    }

    /// Whether some row qualifies for the gigabit goal (1000/500 by default).
    pub fn is_gigabit(self) -> bool {
        self.0 & Self::GIGABIT != 0
    }
}

/// The best offer of a location (METHOD.md §2 "counts by best technology"): the row that gives
/// the highest tier, then the fastest advertised download, then the higher technology code so
/// the choice never depends on row order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestOffer {
    tier_rank: u8,
    download: f64,
    technology: Technology,
}

impl BestOffer {
    /// The offer of one row with its qualification.
    pub fn of_row(
        qualification: Qualification,
        technology: Technology,
        download: Option<f64>,
    ) -> Self {
        let tier_rank = match qualification.tier() {
            Tier::Served => 2,
            Tier::Underserved => 1,
            Tier::Unserved => 0,
        };
        Self {
            tier_rank,
            download: download.unwrap_or(0.0),
            technology,
        }
    }

    /// The better of two offers.
    #[must_use]
    pub fn best(self, other: BestOffer) -> BestOffer {
        let key = |o: &BestOffer| (o.tier_rank, o.download, o.technology.0);
        if key(&other).partial_cmp(&key(&self)) == Some(std::cmp::Ordering::Greater) {
            other
        } else {
            self
        }
    }

    /// The technology of the offer.
    pub fn technology(self) -> Technology {
        self.technology
    }
}

impl std::ops::BitOr for Qualification {
    type Output = Qualification;
    fn bitor(self, rhs: Self) -> Self::Output {
        Qualification(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Qualification {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CABLE: Technology = Technology(40);

    fn tier_of(
        technology: u16,
        download: Option<f64>,
        upload: Option<f64>,
        low_latency: bool,
    ) -> Tier {
        Qualification::of_row(
            &Thresholds::default(),
            Technology(technology),
            download,
            upload,
            low_latency,
        )
        .tier()
    }

    #[test]
    fn tier_edge_100_20_counts_as_served() {
        assert_eq!(tier_of(40, Some(100.0), Some(20.0), true), Tier::Served);
    }

    #[test]
    fn tier_edge_99_20_and_100_19_are_underserved_not_served() {
        assert_eq!(tier_of(40, Some(99.0), Some(20.0), true), Tier::Underserved);
        assert_eq!(
            tier_of(40, Some(100.0), Some(19.0), true),
            Tier::Underserved
        );
        assert_eq!(
            tier_of(40, Some(99.999), Some(20.0), true),
            Tier::Underserved
        );
    }

    #[test]
    fn tier_edge_25_3_is_underserved_and_below_is_unserved() {
        assert_eq!(tier_of(10, Some(25.0), Some(3.0), true), Tier::Underserved);
        assert_eq!(tier_of(10, Some(24.9), Some(3.0), true), Tier::Unserved);
        assert_eq!(tier_of(10, Some(25.0), Some(2.0), true), Tier::Unserved);
    }

    #[test]
    fn satellite_unlicensed_wireless_and_other_never_count() {
        for technology in [0, 60, 61, 70] {
            assert_eq!(
                tier_of(technology, Some(5000.0), Some(5000.0), true),
                Tier::Unserved,
                "tech {technology}"
            );
        }
        for technology in [10, 40, 50, 71, 72] {
            assert_eq!(
                tier_of(technology, Some(100.0), Some(20.0), true),
                Tier::Served,
                "tech {technology}"
            );
        }
    }

    #[test]
    fn high_latency_rows_never_qualify() {
        assert_eq!(
            tier_of(50, Some(1000.0), Some(1000.0), false),
            Tier::Unserved
        );
    }

    #[test]
    fn an_empty_speed_never_qualifies() {
        assert_eq!(tier_of(50, None, Some(1000.0), true), Tier::Unserved);
        assert_eq!(tier_of(50, Some(1000.0), None, true), Tier::Unserved);
    }

    #[test]
    fn rows_of_one_location_combine_to_the_best_tier() {
        let t = Thresholds::default();
        let dsl = Qualification::of_row(&t, Technology(10), Some(50.0), Some(5.0), true);
        let cable = Qualification::of_row(&t, CABLE, Some(300.0), Some(20.0), true);
        assert_eq!((dsl | cable).tier(), Tier::Served);
        assert_eq!((Qualification::NONE | dsl).tier(), Tier::Underserved);
    }

    #[test]
    fn the_best_offer_is_the_highest_tier_then_the_fastest() {
        let t = Thresholds::default();
        let offer = |tech: u16, down: f64, up: f64, low_latency: bool| {
            let q = Qualification::of_row(&t, Technology(tech), Some(down), Some(up), low_latency);
            BestOffer::of_row(q, Technology(tech), Some(down))
        };
        // Satellite is faster on paper but never qualifies: the 50/5 DSL line is the best offer.
        let dsl = offer(10, 50.0, 5.0, true);
        let satellite = offer(61, 250.0, 20.0, true);
        assert_eq!(dsl.best(satellite).technology(), Technology(10));
        assert_eq!(satellite.best(dsl).technology(), Technology(10));
        // Among served offers, the fastest wins.
        let cable = offer(40, 1200.0, 35.0, true);
        let fiber = offer(50, 940.0, 880.0, true);
        assert_eq!(fiber.best(cable).technology(), Technology(40));
        // With nothing qualifying, the fastest unqualified offer names the best technology.
        assert_eq!(
            offer(60, 100.0, 3.0, true)
                .best(offer(61, 250.0, 20.0, true))
                .technology(),
            Technology(61)
        );
    }

    #[test]
    fn gigabit_needs_1000_down_and_500_up() {
        let t = Thresholds::default();
        assert!(
            Qualification::of_row(&t, Technology(50), Some(1000.0), Some(500.0), true).is_gigabit()
        );
        assert!(
            !Qualification::of_row(&t, Technology(50), Some(1000.0), Some(499.0), true)
                .is_gigabit()
        );
        assert!(
            !Qualification::of_row(&t, Technology(40), Some(1200.0), Some(35.0), true).is_gigabit()
        );
    }
}
