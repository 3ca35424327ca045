//! What the BDC files say about each residential location, before any threshold is applied
//! (METHOD.md §2): a reader keeps, per location, the offers no other offer of the location beats
//! under every threshold set, and tiers are computed from them afterwards. A run or a batch with
//! several threshold sets reads the files once.
//!
//! Locations with the same offers (a building's flats, a street served by the same providers)
//! share one interned *offer set*, so a location costs its block and a set id: 8 bytes in the
//! finished table.

use std::collections::HashMap;

use crate::{
    BestOffer, GeoId, LocationSummary, LocationTable, Provider, Qualification, Technology,
    Thresholds,
};

/// An advertised speed as read: the bits of the `f64` plus one, `0` being an empty field.
/// Exact for any non-negative number, and ordered like the speeds (the bits of non-negative
/// doubles order like their values), an empty field below every number (it never qualifies,
/// METHOD.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Speed(u64);

impl Speed {
    /// An empty speed field.
    pub const EMPTY: Speed = Speed(0);

    /// The speed of `mbps`, or `None` when it is negative or not finite.
    pub fn from_mbps(mbps: f64) -> Option<Speed> {
        // `+ 0.0` turns −0 into 0, whose bits are the smallest.
        (mbps.is_finite() && mbps >= 0.0).then(|| Speed((mbps + 0.0).to_bits() + 1))
    }

    /// The speed in Mbps, exactly as read; `None` for an empty field.
    pub fn mbps(self) -> Option<f64> {
        (self.0 > 0).then(|| f64::from_bits(self.0 - 1))
    }
}

/// One availability row reduced to what any threshold set looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Offer {
    /// The FCC technology code.
    pub technology: u16,
    /// `low_latency` = 1.
    pub low_latency: bool,
    /// Advertised download.
    pub download: Speed,
    /// Advertised upload.
    pub upload: Speed,
}

impl Offer {
    /// Whether this offer is at least as good as `other` under every threshold set: same
    /// technology, latency no worse, both speeds no lower.
    fn covers(&self, other: &Offer) -> bool {
        self.technology == other.technology
            && (self.low_latency || !other.low_latency)
            && self.download >= other.download
            && self.upload >= other.upload
    }

    /// What the offer qualifies for under `thresholds`.
    pub fn qualification(&self, thresholds: &Thresholds) -> Qualification {
        Qualification::of_row(
            thresholds,
            Technology(self.technology),
            self.download.mbps(),
            self.upload.mbps(),
            self.low_latency,
        )
    }
}

/// At most this many remembered transitions (about 40 MB); beyond, the cache starts over.
const ADDED_CAP: usize = 1 << 20;

/// Interned offer sets: each set is the offers of one location (or one provider in one block)
/// that no other of its offers covers, sorted. Set 0 is the empty set.
#[derive(Debug, Clone)]
pub struct OfferSets {
    sets: Vec<Box<[Offer]>>,
    index: HashMap<Box<[Offer]>, u32, foldhash::fast::RandomState>,
    /// `(set, offer)` → the set with the offer added: most rows repeat a transition seen before.
    added: HashMap<(u32, Offer), u32, foldhash::fast::RandomState>,
}

impl Default for OfferSets {
    fn default() -> Self {
        let mut sets = OfferSets {
            sets: Vec::new(),
            index: HashMap::default(),
            added: HashMap::default(),
        };
        sets.intern(Vec::new());
        sets
    }
}

impl PartialEq for OfferSets {
    fn eq(&self, other: &Self) -> bool {
        self.sets == other.sets
    }
}

impl OfferSets {
    /// The id of the empty set.
    pub const EMPTY: u32 = 0;

    /// Sets given whole: each sorted, no offer covering another, the empty set first and no
    /// set twice (a reader's merge of its parts' sets).
    pub fn from_sets(sets: Vec<Box<[Offer]>>) -> OfferSets {
        debug_assert!(sets.first().is_some_and(|s| s.is_empty()));
        let index = sets
            .iter()
            .enumerate()
            .map(|(id, set)| (set.clone(), id as u32))
            .collect();
        OfferSets {
            sets,
            index,
            added: HashMap::default(),
        }
    }

    /// The id of a set held, given its offers (sorted, as [`Self::get`] returns them).
    pub fn find(&self, offers: &[Offer]) -> Option<u32> {
        self.index.get(offers).copied()
    }

    fn intern(&mut self, offers: Vec<Offer>) -> u32 {
        if let Some(&id) = self.index.get(offers.as_slice()) {
            return id;
        }
        let id = u32::try_from(self.sets.len()).expect("fewer than 2^32 distinct offer sets");
        let offers: Box<[Offer]> = offers.into();
        self.sets.push(offers.clone());
        self.index.insert(offers, id);
        id
    }

    /// The set `set` with `offer` added (and the offers it covers dropped).
    pub fn add(&mut self, set: u32, offer: Offer) -> u32 {
        if let Some(&id) = self.added.get(&(set, offer)) {
            return id;
        }
        let current = &self.sets[set as usize];
        let id = if current.iter().any(|o| o.covers(&offer)) {
            set
        } else {
            let mut offers: Vec<Offer> = current
                .iter()
                .copied()
                .filter(|o| !offer.covers(o))
                .collect();
            offers.push(offer);
            offers.sort_unstable();
            self.intern(offers)
        };
        // The transitions seen grow with the rows' variety, not with locations: bounded.
        if self.added.len() >= ADDED_CAP {
            self.added.clear();
        }
        self.added.insert((set, offer), id);
        id
    }

    /// The offers of a set.
    pub fn get(&self, set: u32) -> &[Offer] {
        &self.sets[set as usize]
    }

    /// The number of distinct sets (the empty one included).
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether only the empty set is held.
    pub fn is_empty(&self) -> bool {
        self.sets.len() <= 1
    }

    /// What a location with the offers of `set` qualifies for, and its best offer's technology
    /// (METHOD.md §2), under `thresholds`.
    pub fn classify(&self, set: u32, thresholds: &Thresholds) -> (Qualification, Technology) {
        let mut qualification = Qualification::NONE;
        let mut best: Option<BestOffer> = None;
        for offer in self.get(set) {
            let q = offer.qualification(thresholds);
            qualification |= q;
            let this = BestOffer::of_row(q, Technology(offer.technology), offer.download.mbps());
            best = Some(best.map_or(this, |b| b.best(this)));
        }
        (
            qualification,
            best.map_or(Technology(0), BestOffer::technology),
        )
    }
}

/// Every residential location of a BDC input with its offers, before thresholds: what a reader
/// hands over. [`Availability::classify`] gives the tiers for one threshold set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Availability {
    /// The distinct block GEOIDs, in GEOID order.
    pub blocks: Vec<GeoId>,
    /// One `(block, offer set)` per distinct residential `location_id`, sorted.
    pub locations: Vec<(u32, u32)>,
    /// The offer sets the locations point to.
    pub offers: OfferSets,
    /// The providers named in the files.
    pub providers: Vec<Provider>,
    /// `(block, provider, offer set)`: what each provider offers the residential locations of
    /// a block, sorted.
    pub provider_offers: Vec<(u32, u16, u32)>,
}

impl Availability {
    /// The tiers of every location under `thresholds` (METHOD.md §2), and which providers offer
    /// the served tier in which block (§4).
    pub fn classify(&self, thresholds: &Thresholds) -> LocationTable {
        let classes: Vec<(Qualification, Technology)> = (0..self.offers.len() as u32)
            .map(|set| self.offers.classify(set, thresholds))
            .collect();
        let mut locations: Vec<LocationSummary> = self
            .locations
            .iter()
            .map(|&(block, set)| {
                let (qualification, best_technology) = classes[set as usize];
                LocationSummary {
                    block,
                    qualification,
                    best_technology,
                }
            })
            .collect();
        locations.sort_unstable_by_key(|l| {
            (
                l.block,
                l.qualification.tier() as u8,
                l.qualification.is_gigabit(),
                l.best_technology,
            )
        });
        let served_by = self
            .provider_offers
            .iter()
            .filter(|&&(_, _, set)| classes[set as usize].0.tier() == crate::Tier::Served)
            .map(|&(block, provider, _)| (block, provider))
            .collect();
        LocationTable {
            blocks: self.blocks.clone(),
            locations,
            providers: self.providers.clone(),
            served_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tier;

    fn offer(technology: u16, download: f64, upload: f64, low_latency: bool) -> Offer {
        Offer {
            technology,
            low_latency,
            download: Speed::from_mbps(download).expect("a speed"),
            upload: Speed::from_mbps(upload).expect("a speed"),
        }
    }

    #[test]
    fn speeds_round_trip_exactly_and_order_like_numbers() {
        let texts = [
            "0",
            "0.2",
            "0.768",
            "4.9799999999999995",
            "99.999",
            "100",
            "1e300",
        ];
        let speeds: Vec<Speed> = texts
            .iter()
            .map(|t| Speed::from_mbps(t.parse().expect("number")).expect("a speed"))
            .collect();
        for (text, speed) in texts.iter().zip(&speeds) {
            assert_eq!(speed.mbps(), text.parse().ok(), "{text}");
        }
        assert!(
            speeds.windows(2).all(|w| w[0] < w[1]),
            "ordered like the values"
        );
        assert!(Speed::EMPTY < speeds[0]);
        assert_eq!(Speed::from_mbps(-0.0), Speed::from_mbps(0.0));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Speed::from_mbps(bad), None, "{bad}");
        }
        assert_eq!(Speed::EMPTY.mbps(), None);
    }

    #[test]
    fn a_covered_offer_is_dropped_and_order_does_not_matter() {
        let mut sets = OfferSets::default();
        let a = sets.add(OfferSets::EMPTY, offer(40, 100.0, 20.0, true));
        let ab = sets.add(a, offer(40, 50.0, 10.0, true));
        assert_eq!(ab, a, "50/10 cable is covered by 100/20 cable");
        let abc = sets.add(ab, offer(40, 1000.0, 5.0, true));
        assert_eq!(sets.get(abc).len(), 2, "1000/5 and 100/20 are both kept");
        let c = sets.add(OfferSets::EMPTY, offer(40, 1000.0, 5.0, true));
        let ca = sets.add(c, offer(40, 100.0, 20.0, true));
        assert_eq!(ca, abc, "the same set whatever the order");
        let high = sets.add(ca, offer(40, 100.0, 20.0, false));
        assert_eq!(high, ca, "a high-latency twin is covered");
        let offers_of_a = sets.get(a).to_vec();
        let union = offers_of_a.into_iter().fold(c, |set, o| sets.add(set, o));
        assert_eq!(union, abc, "adding a set's offers gives the union");
    }

    #[test]
    fn tiers_at_the_edges_after_reading() {
        let mut sets = OfferSets::default();
        let t = Thresholds::default();
        let tier = |sets: &mut OfferSets, o: Offer| {
            let set = sets.add(OfferSets::EMPTY, o);
            sets.classify(set, &t).0.tier()
        };
        assert_eq!(tier(&mut sets, offer(40, 100.0, 20.0, true)), Tier::Served);
        assert_eq!(
            tier(&mut sets, offer(40, 99.0, 20.0, true)),
            Tier::Underserved
        );
        assert_eq!(
            tier(&mut sets, offer(40, 100.0, 19.0, true)),
            Tier::Underserved
        );
        assert_eq!(
            tier(&mut sets, offer(40, 99.999, 20.0, true)),
            Tier::Underserved
        );
        assert_eq!(
            tier(&mut sets, offer(60, 5000.0, 500.0, true)),
            Tier::Unserved
        );
        let empty = Offer {
            technology: 40,
            low_latency: true,
            download: Speed::EMPTY,
            upload: Speed::from_mbps(20.0).expect("speed"),
        };
        let zero = Thresholds {
            served: crate::SpeedThreshold::new(0.0, 0.0),
            ..Thresholds::default()
        };
        let set = sets.add(OfferSets::EMPTY, empty);
        assert_eq!(
            sets.classify(set, &zero).0.tier(),
            Tier::Unserved,
            "an empty download never qualifies, even at 0/0"
        );
    }
}
