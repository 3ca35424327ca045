//! The inputs of the method, as readers hand them over: already parsed, already validated.

use std::collections::{BTreeMap, HashMap};

use crate::{AcsValue, GeoId, NotAvailable, Qualification, Technology};

/// One residential BDC location, reduced to what the method needs: its block and the union of
/// its rows' qualifications. Location ids are dropped once rows are merged (METHOD.md §8:
/// aggregates only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocationSummary {
    /// Index into [`LocationTable::blocks`].
    pub block: u32,
    /// What the location's rows qualify for.
    pub qualification: Qualification,
    /// The technology of its best offer.
    pub best_technology: Technology,
}

/// A provider as the BDC files name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Provider {
    /// `provider_id`.
    pub id: String,
    /// `brand_name`.
    pub brand: String,
}

impl Provider {
    /// Whether a price table's provider text names this provider: its brand or its id,
    /// ignoring case and surrounding space.
    pub fn is_named(&self, text: &str) -> bool {
        let text = text.trim();
        text.eq_ignore_ascii_case(self.brand.trim()) || text == self.id.trim()
    }
}

/// Every residential location of a BDC input, each once (METHOD.md §2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationTable {
    /// The distinct block GEOIDs, indexed by [`LocationSummary::block`].
    pub blocks: Vec<GeoId>,
    /// One entry per distinct residential `location_id`.
    pub locations: Vec<LocationSummary>,
    /// The providers named in the files.
    pub providers: Vec<Provider>,
    /// `(block, provider)`: the provider offers the served tier to some residential location
    /// of the block (METHOD.md §4: a plan's price counts only where its provider is present).
    pub served_by: Vec<(u32, u16)>,
}

impl LocationTable {
    /// The block of a location.
    pub fn block_of(&self, location: &LocationSummary) -> &GeoId {
        &self.blocks[location.block as usize]
    }
}

/// ACS tables by variable (`B28002_001`), each by unit GEOID.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcsTables {
    tables: HashMap<String, BTreeMap<GeoId, AcsValue>>,
}

impl AcsTables {
    /// The first unit (by GEOID) where `part`'s estimate exceeds `whole`'s, with both values:
    /// a count larger than its universe (more households without internet than households)
    /// cannot be, and would publish a share above 1.
    pub fn exceeding(&self, part: &str, whole: &str) -> Option<(&GeoId, f64, f64)> {
        let (parts, wholes) = (self.tables.get(part)?, self.tables.get(whole)?);
        parts.iter().find_map(|(unit, value)| {
            let part = value.as_ref().ok()?.value;
            let whole = wholes.get(unit)?.as_ref().ok()?.value;
            (part > whole).then_some((unit, part, whole))
        })
    }

    /// Adds (or replaces) one variable's values.
    pub fn insert(&mut self, variable: impl Into<String>, values: BTreeMap<GeoId, AcsValue>) {
        self.tables.insert(variable.into(), values);
    }

    /// Whether `variable` was read.
    pub fn has(&self, variable: &str) -> bool {
        self.tables.contains_key(variable)
    }

    /// One cell; a unit missing from a table is [`NotAvailable::Missing`].
    pub fn get(&self, variable: &str, unit: &GeoId) -> AcsValue {
        self.tables
            .get(variable)
            .and_then(|values| values.get(unit))
            .copied()
            .unwrap_or(Err(NotAvailable::Missing))
    }

    /// All units of one variable, in GEOID order.
    pub fn units(&self, variable: &str) -> impl Iterator<Item = &GeoId> {
        self.tables
            .get(variable)
            .into_iter()
            .flat_map(BTreeMap::keys)
    }

    /// Every unit of any variable, in GEOID order.
    pub fn all_units(&self) -> std::collections::BTreeSet<&GeoId> {
        self.tables.values().flat_map(BTreeMap::keys).collect()
    }

    /// The variables read, sorted.
    pub fn variables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tables.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

/// One advertised internet plan (METHOD.md §4).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Provider name or id as the price table gives it.
    pub provider: String,
    /// Technology as the table gives it (free text).
    pub technology: String,
    /// Advertised download, Mbps.
    pub download_mbps: f64,
    /// Advertised upload, Mbps.
    pub upload_mbps: f64,
    /// Monthly price, USD.
    pub monthly_price: f64,
    /// Where the offer was seen (a GEOID), when the table says.
    pub area: Option<String>,
}

/// 2020 Census housing units and group quarters of one block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockHousing {
    /// Housing units.
    pub housing_units: u64,
    /// Group quarters.
    pub group_quarters: u64,
}

/// One Ookla tile in one period (METHOD.md §5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedTile {
    /// Test-weighted mean download, Mbps.
    pub download_mbps: f64,
    /// Test-weighted mean upload, Mbps.
    pub upload_mbps: f64,
    /// Mean latency, ms.
    pub latency_ms: f64,
    /// Number of tests.
    pub tests: u64,
    /// Number of devices.
    pub devices: u64,
}

/// Ookla tiles and the blocks each one touches; a tile may touch many blocks and must be
/// counted once per district.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeedTiles {
    /// Distinct tiles (per period).
    pub tiles: Vec<SpeedTile>,
    /// `(block, index into tiles)`, one pair per block a tile touches.
    pub tile_blocks: Vec<(GeoId, u32)>,
    /// The periods the tiles are of (`2019Q1`, ...), ascending; empty when the inputs did not
    /// say (then every tile is of the pooled span only).
    pub periods: Vec<String>,
    /// Per tile (in `tiles` order), the index of its period in `periods`; empty when `periods`
    /// is.
    pub period_of: Vec<u16>,
}

impl SpeedTiles {
    /// The tiles of period `period` (an index into `periods`), ascending.
    pub fn of_period(&self, period: u16) -> impl Iterator<Item = u32> + '_ {
        self.period_of
            .iter()
            .enumerate()
            .filter(move |(_, p)| **p == period)
            .map(|(tile, _)| tile as u32)
    }
}
