//! Parsed rows → one entry per residential location, folded in parallel shards.
//!
//! A location goes to the shard its id hashes to, a `(block, provider)` pair to the shard its
//! block hashes to, so each shard owns its part of the table and no lock is taken; the shards
//! are merged once at the end. A location is 16 bytes while its state is read (id, block,
//! offer set) and 8 after: files are read state by state when their names say the state (the
//! FCC's `bdc_<FIPS>_…`), and a location never crosses a state, so the id tables hold one
//! state at a time.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

use gapmap_core::{Availability, GeoId, Offer, OfferSets, Provider};

use super::rows::{Parsed, Row, TEXT_ID};
use crate::IngestError;

/// Rows probed ahead at once in the location and block tables ([`Shard::fold`]).
const LOOKAHEAD: usize = 16;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The part of a parsed chunk one shard folds.
pub(super) struct ShardWork {
    path: Arc<Path>,
    records_before: u64,
    rows: Vec<Row>,
    /// `(index into rows, id)` of rows with a text location id.
    text_ids: Vec<(usize, Box<str>)>,
    /// The chunk's `(provider_id, brand_name)`, indexed by [`Row::provider`].
    providers: Arc<Vec<(String, String)>>,
    /// `(block, chunk provider, offer)` of this shard's blocks, without repeats in a row.
    offers: Vec<(u64, u16, Offer)>,
}

/// Splits a parsed chunk among `shards` shards.
pub(super) fn partition(parsed: Parsed, shards: usize) -> Vec<ShardWork> {
    let hasher = foldhash::fast::FixedState::with_seed(0x9e37_79b9);
    let providers = Arc::new(parsed.providers);
    let mut work: Vec<ShardWork> = (0..shards)
        .map(|_| ShardWork {
            path: parsed.path.clone(),
            records_before: parsed.records_before,
            rows: Vec::with_capacity(parsed.rows.len() / shards + 16),
            text_ids: Vec::new(),
            providers: providers.clone(),
            offers: Vec::new(),
        })
        .collect();
    let mut text_ids = parsed.text_ids.into_iter().peekable();
    for (i, row) in parsed.rows.into_iter().enumerate() {
        let text = text_ids.next_if(|(at, _)| *at == i).map(|(_, t)| t);
        let by_location = match &text {
            Some(text) => hasher.hash_one(text),
            None => hasher.hash_one(row.location),
        };
        let shard = &mut work[(by_location % shards as u64) as usize];
        if let Some(text) = text {
            shard.text_ids.push((shard.rows.len(), text));
        }
        shard.rows.push(row);
        let entry = (row.block, row.provider, row.offer);
        let offers = &mut work[(hasher.hash_one(row.block) % shards as u64) as usize].offers;
        if offers.last() != Some(&entry) {
            offers.push(entry);
        }
    }
    work
}

/// One shard's part of the table.
#[derive(Default)]
pub(super) struct Shard {
    /// Block GEOIDs as numbers, by first sight.
    blocks: Vec<u64>,
    block_index: FastMap<u64, u32>,
    last_block: Option<(u64, u32)>,
    /// The state being read: `location id → (block, offer set)`.
    locations: FastMap<u64, (u32, u32)>,
    /// Locations of states already read: `(id, block, offer set)`.
    done: Vec<(u64, u32, u32)>,
    /// How many states (or groups of files) were read.
    states_read: usize,
    text_ids: FastMap<Box<str>, u64>,
    providers: Vec<Provider>,
    provider_index: FastMap<Provider, u16>,
    provider_offers: FastMap<(u32, u16), u32>,
    offers: OfferSets,
    /// The state FIPS code every block must have, when the files are named for one.
    state: Option<u64>,
    /// Distinct locations of the states already read.
    pub(super) locations_read: usize,
}

impl Shard {
    /// Starts a state (or the one group of files not named for a state): the previous
    /// state's locations are kept without their ids.
    pub(super) fn start_state(&mut self, state: Option<u64>) {
        self.close_state();
        self.state = state;
    }

    fn close_state(&mut self) {
        let locations = std::mem::take(&mut self.locations);
        if !locations.is_empty() {
            self.states_read += 1;
        }
        self.locations_read += locations.len();
        self.done.reserve(locations.len());
        self.done.extend(
            locations
                .into_iter()
                .map(|(id, (block, set))| (id, block, set)),
        );
    }

    /// The first location id read in two states (each state's ids are distinct already),
    /// with its two blocks. Sorts `done` by id, in place.
    fn id_in_two_states(&mut self) -> Option<(u64, u64, u64)> {
        if self.states_read < 2 {
            return None;
        }
        self.done.sort_unstable_by_key(|&(id, _, _)| id);
        let pair = self.done.windows(2).find(|w| w[0].0 == w[1].0)?;
        Some((
            pair[0].0,
            self.blocks[pair[0].1 as usize],
            self.blocks[pair[1].1 as usize],
        ))
    }

    fn block(&mut self, key: u64, path: &Path, record: Option<u64>) -> Result<u32, IngestError> {
        if let Some((last, index)) = self.last_block
            && last == key
        {
            return Ok(index);
        }
        let index = if let Some(&index) = self.block_index.get(&key) {
            index
        } else {
            if let Some(state) = self.state
                && key / 10_u64.pow(13) != state
            {
                let message = format!(
                    "block {key:015} is in state {:02}, but the file is named for state {state:02} (bdc_{state:02}_…): give each state's files their FCC names, or rename the file",
                    key / 10_u64.pow(13)
                );
                return Err(match record {
                    Some(record) => IngestError::Value {
                        path: path.to_owned(),
                        record,
                        column: "block_geoid".into(),
                        message,
                    },
                    None => IngestError::format(path, message),
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

    /// Folds this shard's part of a chunk in.
    pub(super) fn fold(&mut self, work: ShardWork) -> Result<(), IngestError> {
        let path = &*work.path;
        let mut text_ids = work.text_ids.into_iter().peekable();
        for (i, row) in work.rows.iter().enumerate() {
            // The table is far larger than the caches and ids come in no order: each probe
            // waits on memory (a quarter of the whole read). Probing the next rows ahead, whose
            // results are not needed yet, lets those waits overlap; the probe of each row
            // then finds its entry cached.
            if i % LOOKAHEAD == 0 {
                for ahead in work.rows[i..].iter().take(LOOKAHEAD) {
                    std::hint::black_box(self.locations.get(&ahead.location));
                    std::hint::black_box(self.block_index.get(&ahead.block));
                }
            }
            let record = work.records_before + 1 + u64::from(row.record);
            let block = self.block(row.block, path, Some(record))?;
            let location = if row.location == TEXT_ID {
                let (_, text) = text_ids
                    .next_if(|(at, _)| *at == i)
                    .expect("every text id row has its text");
                self.location_key(&text)
            } else {
                row.location
            };
            let (first, set) = self
                .locations
                .entry(location)
                .or_insert((block, OfferSets::EMPTY));
            if *first != block {
                let first = *first;
                return Err(IngestError::LocationInTwoBlocks {
                    location_id: self.location_name(location),
                    first_block: format!("{:015}", self.blocks[first as usize]),
                    second_block: format!("{:015}", row.block),
                    path: path.to_owned(),
                });
            }
            *set = self.offers.add(*set, row.offer);
        }
        let providers: Vec<u16> = work
            .providers
            .iter()
            .map(|(id, brand)| self.provider(id, brand, path))
            .collect::<Result<_, _>>()?;
        for (block, provider, offer) in work.offers {
            let key = (self.block(block, path, None)?, providers[provider as usize]);
            let set = self
                .provider_offers
                .get(&key)
                .copied()
                .unwrap_or(OfferSets::EMPTY);
            let added = self.offers.add(set, offer);
            if added != set {
                self.provider_offers.insert(key, added);
            }
        }
        Ok(())
    }
}

/// The availability of every location read, blocks and providers in a fixed order whatever
/// the order the files and chunks came in and however they were sharded.
pub(super) fn merge(mut shards: Vec<Shard>) -> Result<(Availability, usize), IngestError> {
    for shard in &mut shards {
        shard.close_state();
        if let Some((id, first, second)) = shard.id_in_two_states() {
            return Err(IngestError::LocationInTwoBlocks {
                location_id: shard.location_name(id),
                first_block: format!("{first:015}"),
                second_block: format!("{second:015}"),
                path: format!(
                    "the files of states {:02} and {:02}",
                    first / 10_u64.pow(13),
                    second / 10_u64.pow(13)
                )
                .into(),
            });
        }
    }
    let locations_read = shards.iter().map(|s| s.locations_read).sum();
    let mut keys: Vec<u64> = shards
        .iter()
        .flat_map(|s| s.blocks.iter().copied())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut providers: Vec<Provider> = shards
        .iter()
        .flat_map(|s| s.providers.iter().cloned())
        .collect();
    providers.sort_unstable();
    providers.dedup();
    // The sets locations and providers end with, numbered in their own order: the table does
    // not depend on how rows were sharded or in which order chunks came.
    let mut used: Vec<Box<[Offer]>> = vec![Box::default()];
    for shard in &shards {
        let mut referenced = vec![false; shard.offers.len()];
        for &(_, _, set) in &shard.done {
            referenced[set as usize] = true;
        }
        for &set in shard.provider_offers.values() {
            referenced[set as usize] = true;
        }
        used.extend(
            (0..shard.offers.len() as u32)
                .filter(|&set| referenced[set as usize])
                .map(|set| Box::from(shard.offers.get(set))),
        );
    }
    used.sort_unstable();
    used.dedup();
    let offers = OfferSets::from_sets(used);
    let mut locations = Vec::with_capacity(shards.iter().map(|s| s.done.len()).sum());
    let mut provider_offers = Vec::new();
    for shard in shards {
        // Each shard is dropped once its locations are moved: memory peaks at 24 bytes a
        // location here, not 32.
        let block_rank: Vec<u32> = shard
            .blocks
            .iter()
            .map(|key| keys.binary_search(key).expect("every key is listed") as u32)
            .collect();
        let provider_rank: Vec<u16> = shard
            .providers
            .iter()
            .map(|p| {
                providers
                    .binary_search(p)
                    .expect("every provider is listed") as u16
            })
            .collect();
        // Sets no location or provider ends with (passed through while folding) map nowhere.
        let set_rank: Vec<u32> = (0..shard.offers.len() as u32)
            .map(|set| offers.find(shard.offers.get(set)).unwrap_or(u32::MAX))
            .collect();
        locations.extend(
            shard
                .done
                .iter()
                .map(|&(_, block, set)| (block_rank[block as usize], set_rank[set as usize])),
        );
        provider_offers.extend(shard.provider_offers.into_iter().map(
            |((block, provider), set)| {
                (
                    block_rank[block as usize],
                    provider_rank[provider as usize],
                    set_rank[set as usize],
                )
            },
        ));
    }
    locations.sort_unstable();
    provider_offers.sort_unstable();
    let blocks = keys
        .iter()
        .map(|key| GeoId::parse(&format!("{key:015}")).expect("15 digits are a block GEOID"))
        .collect();
    Ok((
        Availability {
            blocks,
            locations,
            offers,
            providers,
            provider_offers,
        },
        locations_read,
    ))
}
