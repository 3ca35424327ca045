//! Parsed rows → one entry per residential location, in one table shared by every file.
//!
//! A location is 16 bytes while reading (its id, its block, its offer set) and 8 once its
//! state is done: files are read state by state when their names say the state (the FCC's
//! `bdc_<FIPS>_…`), and a location never crosses a state, so the id table holds one state at a
//! time.

use std::collections::HashMap;
use std::path::Path;

use gapmap_core::{Availability, GeoId, OfferSets, Provider};

use super::BdcStats;
use super::rows::{Parsed, TEXT_ID};
use crate::IngestError;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The rows folded so far.
#[derive(Default)]
pub(super) struct Folder {
    /// Block GEOIDs as numbers, by first sight.
    blocks: Vec<u64>,
    block_index: FastMap<u64, u32>,
    last_block: Option<(u64, u32)>,
    /// The state being read: `location id → (block, offer set)`.
    locations: FastMap<u64, (u32, u32)>,
    /// States already read: `(block, offer set)`.
    done: Vec<(u32, u32)>,
    text_ids: FastMap<Box<str>, u64>,
    providers: Vec<Provider>,
    provider_index: FastMap<Provider, u16>,
    provider_offers: FastMap<(u32, u16), u32>,
    offers: OfferSets,
    /// The state FIPS code every block must have, when the files are named for one.
    state: Option<u64>,
    pub(super) stats: BdcStats,
}

impl Folder {
    /// Starts a state (or the one group of files not named for a state): the previous
    /// state's locations are kept without their ids.
    pub(super) fn start_state(&mut self, state: Option<u64>) {
        self.close_state();
        self.state = state;
    }

    fn close_state(&mut self) {
        let locations = std::mem::take(&mut self.locations);
        self.stats.locations += locations.len();
        self.done.extend(locations.into_values());
        self.text_ids = FastMap::default();
    }

    fn block(&mut self, key: u64, path: &Path, record: u64) -> Result<u32, IngestError> {
        if let Some((last, index)) = self.last_block
            && last == key
        {
            return Ok(index);
        }
        let index = if let Some(&index) = self.block_index.get(&key) {
            index
        } else {
            let text = format!("{key:015}");
            if let Some(state) = self.state
                && key / 10_u64.pow(13) != state
            {
                return Err(IngestError::Value {
                    path: path.to_owned(),
                    record,
                    column: "block_geoid".into(),
                    message: format!(
                        "block {text} is in state {:02}, but the file is named for state {state:02} (bdc_{state:02}_…): give each state's files their FCC names, or rename the file",
                        key / 10_u64.pow(13)
                    ),
                });
            }
            let index = u32::try_from(self.blocks.len()).expect("fewer than 2^32 blocks");
            self.blocks.push(key);
            self.block_index.insert(key, index);
            index
        };
        self.last_block = Some((key, index));
        Ok(index)
    }

    fn provider(&mut self, id: &str, brand: &str, path: &Path) -> Result<u16, IngestError> {
        let key = Provider {
            id: id.to_owned(),
            brand: brand.to_owned(),
        };
        if let Some(&index) = self.provider_index.get(&key) {
            return Ok(index);
        }
        let index = u16::try_from(self.providers.len()).map_err(|_| {
            IngestError::format(
                path,
                "more than 65,535 distinct providers: this is not a BDC release",
            )
        })?;
        self.providers.push(key.clone());
        self.provider_index.insert(key, index);
        Ok(index)
    }

    fn location_key(&mut self, text: &str) -> u64 {
        if let Some(&key) = self.text_ids.get(text) {
            return key;
        }
        let key = TEXT_ID | self.text_ids.len() as u64;
        self.text_ids.insert(text.into(), key);
        key
    }

    fn location_name(&self, key: u64) -> String {
        if key & TEXT_ID == 0 {
            return key.to_string();
        }
        self.text_ids
            .iter()
            .find_map(|(text, &k)| (k == key).then(|| text.to_string()))
            .unwrap_or_default()
    }

    /// Folds one parsed chunk in.
    pub(super) fn fold(&mut self, chunk: Parsed) -> Result<(), IngestError> {
        let path = &*chunk.path;
        self.stats.rows += chunk.records;
        self.stats.business_rows += chunk.business_rows;
        let providers: Vec<u16> = chunk
            .providers
            .iter()
            .map(|(id, brand)| self.provider(id, brand, path))
            .collect::<Result<_, _>>()?;
        let mut text_ids = chunk.text_ids.into_iter().peekable();
        let mut last_provider: Option<((u32, u16), u32)> = None;
        for (i, row) in chunk.rows.iter().enumerate() {
            let record = chunk.records_before + 1 + u64::from(row.record);
            let block = self.block(row.block, path, record)?;
            let location = if row.location == TEXT_ID {
                let (_, text) = text_ids
                    .next_if(|(at, _)| *at == i)
                    .expect("every text id row has its text");
                self.location_key(&text)
            } else {
                row.location
            };
            match self.locations.get_mut(&location) {
                Some((first, set)) if *first == block => {
                    *set = self.offers.add(*set, row.offer);
                }
                Some((first, _)) => {
                    let first = *first;
                    return Err(IngestError::LocationInTwoBlocks {
                        location_id: self.location_name(location),
                        first_block: format!("{:015}", self.blocks[first as usize]),
                        second_block: format!("{:015}", row.block),
                        path: path.to_owned(),
                    });
                }
                None => {
                    let set = self.offers.add(OfferSets::EMPTY, row.offer);
                    self.locations.insert(location, (block, set));
                }
            }
            let key = (block, providers[row.provider as usize]);
            let set = match last_provider {
                Some((last, set)) if last == key => set,
                _ => self
                    .provider_offers
                    .get(&key)
                    .copied()
                    .unwrap_or(OfferSets::EMPTY),
            };
            let set = self.offers.add(set, row.offer);
            if last_provider != Some((key, set)) {
                self.provider_offers.insert(key, set);
            }
            last_provider = Some((key, set));
        }
        Ok(())
    }

    /// The availability of every location read, blocks and providers in a fixed order
    /// whatever the order the files and chunks came in.
    pub(super) fn finish(mut self) -> (Availability, BdcStats) {
        self.close_state();
        let mut order: Vec<u32> = (0..self.blocks.len() as u32).collect();
        order.sort_unstable_by_key(|&b| self.blocks[b as usize]);
        let mut rank = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        let mut provider_order: Vec<u16> = (0..self.providers.len() as u16).collect();
        provider_order
            .sort_unstable_by(|&a, &b| self.providers[a as usize].cmp(&self.providers[b as usize]));
        let mut provider_rank = vec![0u16; provider_order.len()];
        for (new, &old) in provider_order.iter().enumerate() {
            provider_rank[old as usize] = new as u16;
        }
        let mut locations = self.done;
        for (block, _) in &mut locations {
            *block = rank[*block as usize];
        }
        locations.sort_unstable();
        let mut provider_offers: Vec<(u32, u16, u32)> = self
            .provider_offers
            .into_iter()
            .map(|((block, provider), set)| {
                (rank[block as usize], provider_rank[provider as usize], set)
            })
            .collect();
        provider_offers.sort_unstable();
        let blocks = order
            .iter()
            .map(|&b| {
                GeoId::parse(&format!("{:015}", self.blocks[b as usize]))
                    .expect("15 digits are a block GEOID")
            })
            .collect();
        let providers = provider_order
            .iter()
            .map(|&p| self.providers[p as usize].clone())
            .collect();
        self.offers.freeze();
        (
            Availability {
                blocks,
                locations,
                offers: self.offers,
                providers,
                provider_offers,
            },
            self.stats,
        )
    }
}
