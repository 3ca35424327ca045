//! Census geographic identifiers (METHOD.md §1): always text, never numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// A census level with a fixed GEOID length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 2 digits.
    State,
    /// 5 digits.
    County,
    /// 11 digits.
    Tract,
    /// 12 digits.
    BlockGroup,
    /// 15 digits.
    Block,
}

impl Level {
    /// Length of a GEOID of this level (METHOD.md §1).
    pub const fn geoid_len(self) -> usize {
        match self {
            Level::State => 2,
            Level::County => 5,
            Level::Tract => 11,
            Level::BlockGroup => 12,
            Level::Block => 15,
        }
    }

    /// The level's name as used in file names and the `level` output field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::State => "state",
            Level::County => "county",
            Level::Tract => "tract",
            Level::BlockGroup => "block_group",
            Level::Block => "block",
        }
    }

    /// The level of a GEOID of this many digits.
    pub const fn from_len(len: usize) -> Option<Level> {
        match len {
            2 => Some(Level::State),
            5 => Some(Level::County),
            11 => Some(Level::Tract),
            12 => Some(Level::BlockGroup),
            15 => Some(Level::Block),
            _ => None,
        }
    }

    /// The data.census.gov summary-level prefix of this level, e.g. `1500000US` (METHOD.md §1).
    pub const fn census_prefix(self) -> &'static str {
        match self {
            Level::State => "0400000US",
            Level::County => "0500000US",
            Level::Tract => "1400000US",
            Level::BlockGroup => "1500000US",
            Level::Block => "1000000US",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A census GEOID: ASCII digits whose length names its level. Leading zeros are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GeoId(Box<str>);

/// Whether one of two GEOIDs lies within the other (a tract and its block groups, or the same
/// unit): the GEOID-prefix rule, for ids that are not parsed (a plan table's area column).
pub fn nested(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

impl GeoId {
    /// Parses a GEOID, stripping a data.census.gov summary-level prefix (`1500000US...`)
    /// and surrounding whitespace.
    pub fn parse(text: &str) -> Result<GeoId, CoreError> {
        let trimmed = text.trim();
        let digits = trimmed
            .find("US")
            .filter(|&at| at == 7)
            .map_or(trimmed, |at| &trimmed[at + 2..]);
        if digits.bytes().all(|b| b.is_ascii_digit()) && Level::from_len(digits.len()).is_some() {
            Ok(GeoId(digits.into()))
        } else {
            Err(CoreError::InvalidGeoId {
                value: text.to_owned(),
            })
        }
    }

    /// The GEOID's level, from its length.
    pub fn level(&self) -> Level {
        Level::from_len(self.0.len()).expect("a GeoId is only built with a level's length")
    }

    /// The GEOID of the enclosing unit at `level` (a block's block group is its first 12
    /// digits), or `None` when `level` is not coarser than or equal to this GEOID's.
    pub fn ancestor(&self, level: Level) -> Option<&str> {
        self.prefix(level.geoid_len())
    }

    /// The first `length` digits: the id of the enclosing unit whose ids have that length (the
    /// GEOID-prefix rule of census geography), or `None` when this GEOID is shorter.
    pub fn prefix(&self, length: usize) -> Option<&str> {
        self.0.get(..length)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GeoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for GeoId {
    type Error = CoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        GeoId::parse(&value)
    }
}

impl From<GeoId> for String {
    fn from(value: GeoId) -> Self {
        value.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_are_kept() {
        let id = GeoId::parse("010010201001").expect("valid block group");
        assert_eq!(id.as_str(), "010010201001");
        assert_eq!(id.level(), Level::BlockGroup);
    }

    #[test]
    fn census_prefix_is_stripped() {
        let id = GeoId::parse("1500000US110010001011").expect("valid prefixed block group");
        assert_eq!(id.as_str(), "110010001011");
        assert_eq!(id.level(), Level::BlockGroup);
        let tract = GeoId::parse("1400000US11001000101").expect("valid prefixed tract");
        assert_eq!(tract.level(), Level::Tract);
    }

    #[test]
    fn a_block_knows_its_block_group_tract_and_county() {
        let block = GeoId::parse("110010001011000").expect("valid block");
        assert_eq!(block.ancestor(Level::BlockGroup), Some("110010001011"));
        assert_eq!(block.ancestor(Level::Tract), Some("11001000101"));
        assert_eq!(block.ancestor(Level::County), Some("11001"));
    }

    #[test]
    fn numbers_with_lost_zeros_and_junk_are_refused() {
        assert!(GeoId::parse("10010201001").is_ok(), "11 digits is a tract");
        assert!(GeoId::parse("1001020100").is_err(), "10 digits is no level");
        assert!(GeoId::parse("1.10010001011e11").is_err());
        assert!(GeoId::parse("").is_err());
        assert!(GeoId::parse("11001000101x").is_err());
    }
}
