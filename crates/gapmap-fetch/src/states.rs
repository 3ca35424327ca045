//! The states, the District of Columbia and the territories the Census Bureau and the FCC
//! publish, by FIPS code (ANSI INCITS 38; the 56 codes of the FCC's BDC releases).

/// A state or territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// Two-digit FIPS code: `"51"`.
    pub fips: &'static str,
    /// USPS abbreviation: `"VA"`.
    pub usps: &'static str,
    /// Name: `"Virginia"`.
    pub name: &'static str,
}

const STATES: [(&str, &str, &str); 56] = [
    ("01", "AL", "Alabama"),
    ("02", "AK", "Alaska"),
    ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"),
    ("06", "CA", "California"),
    ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"),
    ("10", "DE", "Delaware"),
    ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"),
    ("13", "GA", "Georgia"),
    ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"),
    ("17", "IL", "Illinois"),
    ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"),
    ("20", "KS", "Kansas"),
    ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"),
    ("23", "ME", "Maine"),
    ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"),
    ("26", "MI", "Michigan"),
    ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"),
    ("29", "MO", "Missouri"),
    ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"),
    ("32", "NV", "Nevada"),
    ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"),
    ("35", "NM", "New Mexico"),
    ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"),
    ("38", "ND", "North Dakota"),
    ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"),
    ("41", "OR", "Oregon"),
    ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"),
    ("45", "SC", "South Carolina"),
    ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"),
    ("48", "TX", "Texas"),
    ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"),
    ("51", "VA", "Virginia"),
    ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"),
    ("55", "WI", "Wisconsin"),
    ("56", "WY", "Wyoming"),
    ("60", "AS", "American Samoa"),
    ("66", "GU", "Guam"),
    ("69", "MP", "Northern Mariana Islands"),
    ("72", "PR", "Puerto Rico"),
    ("78", "VI", "U.S. Virgin Islands"),
];

impl State {
    /// A state by its USPS abbreviation, FIPS code or name (any case).
    pub fn find(text: &str) -> Option<Self> {
        let text = text.trim();
        STATES
            .iter()
            .find(|(fips, usps, name)| {
                *fips == text || usps.eq_ignore_ascii_case(text) || name.eq_ignore_ascii_case(text)
            })
            .map(|&(fips, usps, name)| Self { fips, usps, name })
    }

    /// Every abbreviation, for an error message.
    pub fn all_usps() -> String {
        STATES
            .iter()
            .map(|(_, usps, _)| *usps)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_found_by_abbreviation_code_or_name() {
        let virginia = State::find("va").expect("VA");
        assert_eq!((virginia.fips, virginia.name), ("51", "Virginia"));
        assert_eq!(State::find("51"), Some(virginia));
        assert_eq!(State::find("virginia"), Some(virginia));
        assert_eq!(State::find("ZZ"), None);
        assert_eq!(State::find("03"), None, "03 was never assigned");
    }

    #[test]
    fn the_fifty_six_codes_are_unique() {
        let mut fips: Vec<_> = STATES.iter().map(|s| s.0).collect();
        fips.dedup();
        assert_eq!(fips.len(), 56);
        assert!(
            fips.windows(2).all(|w| w[0] < w[1]),
            "sorted, so dedup saw every repeat"
        );
    }
}
