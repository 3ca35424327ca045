//! ACS estimates with their margins of error and sentinel codes (METHOD.md §3).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an ACS figure is not available: the meaning of a sentinel code, or absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAvailable {
    /// -666666666: estimate not computable (too few sample observations).
    EstimateNotComputable,
    /// -222222222 or -999999999: margin of error not computable.
    MoeNotComputable,
    /// -333333333: the median falls in an open-ended bracket.
    MedianOpenEnded,
    /// -888888888: not applicable.
    NotApplicable,
    /// Another value at or below -100,000,000: a sentinel this version does not know.
    UnknownSentinel,
    /// The unit has no row in the table, or the cell is empty.
    Missing,
    /// The table has no margin-of-error column for this variable.
    NoMoe,
}

impl NotAvailable {
    /// The reason in words, as written to outputs.
    pub const fn reason(self) -> &'static str {
        match self {
            NotAvailable::EstimateNotComputable => {
                "ACS estimate not computable (too few sample cases)"
            }
            NotAvailable::MoeNotComputable => "ACS margin of error not computable",
            NotAvailable::MedianOpenEnded => "ACS median falls in an open-ended bracket",
            NotAvailable::NotApplicable => "ACS value not applicable",
            NotAvailable::UnknownSentinel => "unknown ACS sentinel code",
            NotAvailable::Missing => "no ACS value for this unit",
            NotAvailable::NoMoe => "the table gives no margin of error",
        }
    }
}

impl fmt::Display for NotAvailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// An estimate with its 90% margin of error; the MOE may itself be unavailable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// The 90% margin of error, or why there is none.
    pub moe: Result<f64, NotAvailable>,
    /// The value is a top-code (B19013: 250001 means "250,000 or more").
    pub top_coded: bool,
}

impl Estimate {
    /// An estimate with a known MOE.
    pub const fn new(value: f64, moe: f64) -> Self {
        Self {
            value,
            moe: Ok(moe),
            top_coded: false,
        }
    }
}

/// One ACS cell: an estimate, or why there is none. Sentinels are never numbers.
pub type AcsValue = Result<Estimate, NotAvailable>;

/// METHOD.md §3: any value at or below this is a sentinel code.
const SENTINEL_CEILING: f64 = -100_000_000.0;
/// METHOD.md §3: the B19013 top-code.
const MEDIAN_INCOME_TOP_CODE: f64 = 250_001.0;

/// Whether `value` is one of the Census Bureau's numeric annotation codes (−666666666 and the
/// like, all at or below −100,000,000) rather than a figure.
pub fn is_sentinel(value: f64) -> bool {
    value <= SENTINEL_CEILING
}

fn sentinel(value: f64) -> Option<NotAvailable> {
    if value > SENTINEL_CEILING {
        return None;
    }
    // The codes are exact integers; compare as integers to avoid float equality.
    Some(match value as i64 {
        -666_666_666 => NotAvailable::EstimateNotComputable,
        -222_222_222 | -999_999_999 => NotAvailable::MoeNotComputable,
        -333_333_333 => NotAvailable::MedianOpenEnded,
        -888_888_888 => NotAvailable::NotApplicable,
        _ => NotAvailable::UnknownSentinel,
    })
}

/// Decodes one estimate/MOE pair as delivered by the Census Bureau (METHOD.md §3).
///
/// `median_income` marks a B19013-like variable, where 250001 is the top-code.
pub fn decode_acs_cell(estimate: Option<f64>, moe: Option<f64>, median_income: bool) -> AcsValue {
    let value = estimate.ok_or(NotAvailable::Missing)?;
    if let Some(reason) = sentinel(value) {
        return Err(reason);
    }
    let moe = match moe {
        None => Err(NotAvailable::Missing),
        // -555555555: estimate controlled, so the MOE is zero by definition.
        Some(m) if m as i64 == -555_555_555 => Ok(0.0),
        Some(m) => match sentinel(m) {
            Some(reason) => Err(reason),
            None if m < 0.0 => Err(NotAvailable::UnknownSentinel),
            None => Ok(m),
        },
    };
    Ok(Estimate {
        value,
        moe,
        top_coded: median_income && value >= MEDIAN_INCOME_TOP_CODE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_estimates_are_carried_as_not_available_with_the_reason() {
        assert_eq!(
            decode_acs_cell(Some(-666_666_666.0), Some(-222_222_222.0), true),
            Err(NotAvailable::EstimateNotComputable)
        );
        assert_eq!(
            decode_acs_cell(Some(-888_888_888.0), Some(-888_888_888.0), false),
            Err(NotAvailable::NotApplicable)
        );
        assert_eq!(
            decode_acs_cell(Some(-123_456_789.0), Some(1.0), false),
            Err(NotAvailable::UnknownSentinel)
        );
        assert_eq!(
            decode_acs_cell(None, Some(1.0), false),
            Err(NotAvailable::Missing)
        );
    }

    #[test]
    fn a_sentinel_moe_keeps_the_estimate_but_not_the_moe() {
        let top = decode_acs_cell(Some(250_001.0), Some(-333_333_333.0), true)
            .expect("estimate is valid");
        assert_eq!(top.value, 250_001.0);
        assert_eq!(top.moe, Err(NotAvailable::MedianOpenEnded));
        assert!(top.top_coded);
        let no_moe =
            decode_acs_cell(Some(10.0), Some(-999_999_999.0), false).expect("estimate is valid");
        assert_eq!(no_moe.moe, Err(NotAvailable::MoeNotComputable));
    }

    #[test]
    fn a_controlled_estimate_has_a_zero_moe() {
        let controlled =
            decode_acs_cell(Some(500.0), Some(-555_555_555.0), false).expect("estimate is valid");
        assert_eq!(controlled.moe, Ok(0.0));
    }

    #[test]
    fn ordinary_values_pass_through() {
        assert_eq!(
            decode_acs_cell(Some(762.0), Some(132.0), false),
            Ok(Estimate::new(762.0, 132.0))
        );
        let not_top = decode_acs_cell(Some(250_001.0), Some(5.0), false).expect("valid");
        assert!(
            !not_top.top_coded,
            "250001 is a top-code only for median income"
        );
    }
}
