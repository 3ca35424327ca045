//! Errors of the core rules: malformed identifiers and impossible thresholds.

/// What a core constructor refused, with enough context for the user to fix the input.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CoreError {
    /// A GEOID that is not all ASCII digits or has a length no census level has.
    #[error(
        "`{value}` is not a census GEOID: expected 2, 5, 11, 12 or 15 digits (state, county, tract, block group, block), kept as text with leading zeros"
    )]
    InvalidGeoId {
        /// The text as found in the input.
        value: String,
    },
    /// A threshold configuration that cannot be applied.
    #[error("invalid threshold `{name}`: {reason}")]
    InvalidThreshold {
        /// The configuration key.
        name: &'static str,
        /// Why it was refused.
        reason: String,
    },
}
