//! Households, and households without internet or broadband, with MOEs (METHOD.md §3).

use gapmap_core::{AcsTables, Estimate, GeoId, NotAvailable, moe};

/// METHOD.md §3: households.
pub const HOUSEHOLDS: &str = "B28002_001";
/// METHOD.md §3: households with broadband of any type.
pub const BROADBAND_ANY: &str = "B28002_004";
/// METHOD.md §3: households with no internet access.
pub const NO_INTERNET: &str = "B28002_013";
/// METHOD.md §3: households of the computer table.
pub const COMPUTER_HOUSEHOLDS: &str = "B28001_001";
/// METHOD.md §3: households with one or more types of computing device.
pub const WITH_COMPUTER: &str = "B28001_002";

/// The adoption figures of one district; each one an estimate or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adoption {
    /// B28002_001.
    pub households: Result<Estimate, NotAvailable>,
    /// B28002_013.
    pub no_internet: Result<Estimate, NotAvailable>,
    /// B28002_001 − B28002_004.
    pub without_broadband: Result<Estimate, NotAvailable>,
    /// `no_internet / households`, `None` inside when there are no households.
    pub share_no_internet: Result<Option<Estimate>, NotAvailable>,
    /// `without_broadband / households`.
    pub share_without_broadband: Result<Option<Estimate>, NotAvailable>,
    /// B28001_001.
    pub computer_households: Result<Estimate, NotAvailable>,
    /// B28001_001 − B28001_002.
    pub no_computer: Result<Estimate, NotAvailable>,
    /// `no_computer / computer_households` (a subset of its own table's universe).
    pub share_no_computer: Result<Option<Estimate>, NotAvailable>,
}

/// Sum of one variable over `units` with the sum MOE formula; any unavailable unit makes the
/// sum unavailable (a sentinel is never averaged or summed, METHOD.md §3).
pub(crate) fn total(
    acs: &AcsTables,
    variable: &str,
    units: &[&GeoId],
) -> Result<Estimate, NotAvailable> {
    if units.is_empty() {
        return Err(NotAvailable::Missing);
    }
    let parts: Vec<Estimate> = units
        .iter()
        .map(|unit| acs.get(variable, unit))
        .collect::<Result<_, _>>()?;
    Ok(moe::sum(&parts))
}

/// Adoption of a district made of whole ACS `units` (its block groups, or itself).
pub fn adoption(acs: &AcsTables, units: &[&GeoId]) -> Adoption {
    let households = total(acs, HOUSEHOLDS, units);
    let no_internet = total(acs, NO_INTERNET, units);
    let broadband = total(acs, BROADBAND_ANY, units);
    let without_broadband = households.and_then(|h| broadband.map(|b| moe::difference(h, b)));
    let share = |part: Result<Estimate, NotAvailable>| {
        part.and_then(|p| households.map(|h| moe::proportion(p, h)))
    };
    let computer_households = total(acs, COMPUTER_HOUSEHOLDS, units);
    let with_computer = total(acs, WITH_COMPUTER, units);
    let no_computer =
        computer_households.and_then(|h| with_computer.map(|c| moe::difference(h, c)));
    Adoption {
        households,
        no_internet,
        without_broadband,
        share_no_internet: share(no_internet),
        share_without_broadband: share(without_broadband),
        computer_households,
        no_computer,
        share_no_computer: no_computer
            .and_then(|n| computer_households.map(|h| moe::proportion(n, h))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use approx::assert_relative_eq;

    use super::*;

    fn tables() -> (AcsTables, GeoId, GeoId) {
        let a = GeoId::parse("110010001011").expect("valid");
        let b = GeoId::parse("110010001021").expect("valid");
        let mut acs = AcsTables::default();
        let table = |x: (f64, f64), y: (f64, f64)| -> BTreeMap<GeoId, gapmap_core::AcsValue> {
            [
                (a.clone(), Ok(Estimate::new(x.0, x.1))),
                (b.clone(), Ok(Estimate::new(y.0, y.1))),
            ]
            .into()
        };
        acs.insert(HOUSEHOLDS, table((762.0, 132.0), (865.0, 257.0)));
        acs.insert(BROADBAND_ANY, table((744.0, 133.0), (841.0, 252.0)));
        acs.insert(NO_INTERNET, table((0.0, 14.0), (0.0, 14.0)));
        (acs, a, b)
    }

    #[test]
    fn a_tract_rolls_up_its_block_groups_by_hand() {
        let (acs, a, b) = tables();
        let result = adoption(&acs, &[&a, &b]);
        let households = result.households.expect("available");
        assert_eq!(households.value, 1627.0);
        assert_relative_eq!(
            households.moe.expect("known"),
            (132f64.powi(2) + 257f64.powi(2)).sqrt()
        );
        // Both zero estimates carry MOE 14: only the largest is kept, so the tract MOE is 14.
        let no_internet = result.no_internet.expect("available");
        assert_eq!(no_internet.value, 0.0);
        assert_relative_eq!(no_internet.moe.expect("known"), 14.0);
        // without broadband = 1627 − 1585 = 42, MOE sqrt(MOE_hh² + MOE_bb²)
        let without = result.without_broadband.expect("available");
        assert_eq!(without.value, 42.0);
        let moe_bb_sq = 133f64.powi(2) + 252f64.powi(2);
        let moe_hh_sq = 132f64.powi(2) + 257f64.powi(2);
        assert_relative_eq!(without.moe.expect("known"), (moe_hh_sq + moe_bb_sq).sqrt());
        let share = result
            .share_without_broadband
            .expect("available")
            .expect("households > 0");
        assert_relative_eq!(share.value, 42.0 / 1627.0);
        // proportion radicand 84_810.2... − (42/1627)²·83_473 > 0
        let p = 42.0 / 1627.0;
        let expected = ((moe_hh_sq + moe_bb_sq) - p * p * moe_hh_sq).sqrt() / 1627.0;
        assert_relative_eq!(share.moe.expect("known"), expected, epsilon = 1e-15);
    }

    /// Devices (issue #14: B28001 was read but not published): `no_computer = B28001_001 −
    /// B28001_002` with the difference MOE, its share over B28001_001 with the proportion MOE.
    #[test]
    fn no_computer_rolls_up_with_its_moes_by_hand() {
        let (mut acs, a, b) = tables();
        let table = |x: (f64, f64), y: (f64, f64)| -> BTreeMap<GeoId, gapmap_core::AcsValue> {
            [
                (a.clone(), Ok(Estimate::new(x.0, x.1))),
                (b.clone(), Ok(Estimate::new(y.0, y.1))),
            ]
            .into()
        };
        // Without the computer table there is no device figure, and no error.
        assert_eq!(
            adoption(&acs, &[&a]).no_computer,
            Err(NotAvailable::Missing)
        );
        acs.insert(COMPUTER_HOUSEHOLDS, table((100.0, 10.0), (50.0, 5.0)));
        acs.insert(WITH_COMPUTER, table((90.0, 9.0), (40.0, 6.0)));
        let result = adoption(&acs, &[&a, &b]);
        let no_computer = result.no_computer.expect("available");
        // 150 − 130 = 20; MOE sqrt((10² + 5²) + (9² + 6²)) = sqrt(242).
        assert_eq!(no_computer.value, 20.0);
        assert_relative_eq!(no_computer.moe.expect("known"), 242f64.sqrt());
        let share = result
            .share_no_computer
            .expect("available")
            .expect("households > 0");
        let p = 20.0 / 150.0;
        assert_relative_eq!(share.value, p);
        assert_relative_eq!(
            share.moe.expect("known"),
            (242.0 - p * p * 125.0).sqrt() / 150.0,
            epsilon = 1e-15
        );
        assert_eq!(result.computer_households.expect("available").value, 150.0);
    }

    #[test]
    fn a_unit_with_a_sentinel_makes_the_roll_up_unavailable_not_zero() {
        let (mut acs, a, b) = tables();
        acs.insert(
            NO_INTERNET,
            [
                (a.clone(), Ok(Estimate::new(3.0, 2.0))),
                (b.clone(), Err(NotAvailable::EstimateNotComputable)),
            ]
            .into(),
        );
        let result = adoption(&acs, &[&a, &b]);
        assert_eq!(result.no_internet, Err(NotAvailable::EstimateNotComputable));
        assert_eq!(
            result.share_no_internet,
            Err(NotAvailable::EstimateNotComputable)
        );
        assert!(result.households.is_ok());
    }
}
