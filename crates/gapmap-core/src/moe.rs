//! Derived margins of error (ACS General Handbook ch. 8, METHOD.md §3).
//!
//! An MOE that is not available makes every MOE derived from it not available; the estimate
//! itself is still derived.

use crate::{Estimate, NotAvailable};

/// Sum (or difference) of estimates: `MOE = sqrt(Σ MOE_i²)`, where, among components estimated
/// as zero, only the largest MOE is included.
pub fn sum(parts: &[Estimate]) -> Estimate {
    let value = parts.iter().map(|p| p.value).sum();
    let moe = (|| {
        let mut squares = 0.0;
        let mut largest_zero_moe: f64 = 0.0;
        for part in parts {
            let moe = part.moe?;
            if part.value == 0.0 {
                largest_zero_moe = largest_zero_moe.max(moe);
            } else {
                squares += moe * moe;
            }
        }
        Ok::<f64, NotAvailable>((squares + largest_zero_moe * largest_zero_moe).sqrt())
    })();
    Estimate {
        value,
        moe,
        top_coded: false,
    }
}

/// Difference `a − b` of two estimates, with the sum MOE formula.
pub fn difference(a: Estimate, b: Estimate) -> Estimate {
    let negated = Estimate {
        value: -b.value,
        ..b
    };
    sum(&[a, negated])
}

/// Proportion `p = X / Y` with X a subset of Y:
/// `MOE_p = sqrt(MOE_X² − p²·MOE_Y²) / Y`, falling back to the ratio formula when the
/// radicand is negative. `None` when `Y` is zero (no proportion exists).
pub fn proportion(part: Estimate, whole: Estimate) -> Option<Estimate> {
    if whole.value == 0.0 {
        return None;
    }
    let p = part.value / whole.value;
    let moe = match (part.moe, whole.moe) {
        (Ok(moe_x), Ok(moe_y)) => {
            let radicand = moe_x * moe_x - p * p * moe_y * moe_y;
            if radicand >= 0.0 {
                Ok(radicand.sqrt() / whole.value)
            } else {
                Ok((moe_x * moe_x + p * p * moe_y * moe_y).sqrt() / whole.value)
            }
        }
        (Err(reason), _) | (_, Err(reason)) => Err(reason),
    };
    Some(Estimate {
        value: p,
        moe,
        top_coded: false,
    })
}

/// Ratio `R = X / Y` (X not a subset of Y): `MOE_R = sqrt(MOE_X² + R²·MOE_Y²) / Y`.
/// `None` when `Y` is zero.
pub fn ratio(numerator: Estimate, denominator: Estimate) -> Option<Estimate> {
    if denominator.value == 0.0 {
        return None;
    }
    let r = numerator.value / denominator.value;
    let moe = match (numerator.moe, denominator.moe) {
        (Ok(moe_x), Ok(moe_y)) => {
            Ok((moe_x * moe_x + r * r * moe_y * moe_y).sqrt() / denominator.value)
        }
        (Err(reason), _) | (_, Err(reason)) => Err(reason),
    };
    Some(Estimate {
        value: r,
        moe,
        top_coded: false,
    })
}

/// Apportioned share `w·X` with a fixed weight: `MOE = w·MOE_X`.
pub fn scale(estimate: Estimate, weight: f64) -> Estimate {
    Estimate {
        value: weight * estimate.value,
        moe: estimate.moe.map(|m| weight * m),
        top_coded: false,
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    fn moe_of(e: Estimate) -> f64 {
        e.moe.expect("MOE is known in this case")
    }

    #[test]
    fn sum_moe_is_root_of_sum_of_squares() {
        // sqrt(132² + 257²) = sqrt(17424 + 66049) = sqrt(83473) = 288.9169...
        let total = sum(&[Estimate::new(762.0, 132.0), Estimate::new(865.0, 257.0)]);
        assert_eq!(total.value, 1627.0);
        assert_relative_eq!(moe_of(total), 83_473f64.sqrt(), epsilon = 1e-12);
        assert_relative_eq!(moe_of(total), 288.916_943, epsilon = 1e-6);
    }

    #[test]
    fn sum_of_several_zero_estimates_takes_only_the_largest_zero_moe() {
        // Handbook ch. 8: zeros with MOE 14, 14, 19 contribute only 19.
        // sqrt(30² + 19²) = sqrt(900 + 361) = sqrt(1261)
        let total = sum(&[
            Estimate::new(0.0, 14.0),
            Estimate::new(0.0, 19.0),
            Estimate::new(0.0, 14.0),
            Estimate::new(120.0, 30.0),
        ]);
        assert_eq!(total.value, 120.0);
        assert_relative_eq!(moe_of(total), 1261f64.sqrt(), epsilon = 1e-12);
    }

    #[test]
    fn sum_with_an_unknown_moe_has_an_unknown_moe() {
        let unknown = Estimate {
            value: 5.0,
            moe: Err(NotAvailable::MoeNotComputable),
            top_coded: false,
        };
        let total = sum(&[Estimate::new(1.0, 1.0), unknown]);
        assert_eq!(total.value, 6.0);
        assert_eq!(total.moe, Err(NotAvailable::MoeNotComputable));
    }

    #[test]
    fn difference_uses_the_sum_formula() {
        // without broadband = 762 - 744 = 18, MOE sqrt(132² + 133²) = sqrt(35113)
        let d = difference(Estimate::new(762.0, 132.0), Estimate::new(744.0, 133.0));
        assert_eq!(d.value, 18.0);
        assert_relative_eq!(moe_of(d), 35_113f64.sqrt(), epsilon = 1e-12);
    }

    #[test]
    fn proportion_moe_matches_the_handbook_formula() {
        // p = 150/1000 = 0.15; sqrt(40² − 0.15²·100²) / 1000 = sqrt(1600 − 225) / 1000 = sqrt(1375)/1000
        let p =
            proportion(Estimate::new(150.0, 40.0), Estimate::new(1000.0, 100.0)).expect("Y > 0");
        assert_relative_eq!(p.value, 0.15);
        assert_relative_eq!(moe_of(p), 1375f64.sqrt() / 1000.0, epsilon = 1e-15);
    }

    #[test]
    fn proportion_with_negative_radicand_falls_back_to_the_ratio_formula() {
        // p = 0.9; 10² − 0.81·50² = 100 − 2025 < 0 → sqrt(100 + 2025)/100 = sqrt(2125)/100
        let p = proportion(Estimate::new(90.0, 10.0), Estimate::new(100.0, 50.0)).expect("Y > 0");
        assert_relative_eq!(moe_of(p), 2125f64.sqrt() / 100.0, epsilon = 1e-15);
    }

    #[test]
    fn proportion_of_zero_households_does_not_exist() {
        assert!(proportion(Estimate::new(0.0, 11.0), Estimate::new(0.0, 11.0)).is_none());
    }

    #[test]
    fn ratio_moe_matches_the_handbook_formula() {
        // R = 200/400 = 0.5; sqrt(30² + 0.25·40²)/400 = sqrt(900 + 400)/400 = sqrt(1300)/400
        let r = ratio(Estimate::new(200.0, 30.0), Estimate::new(400.0, 40.0)).expect("Y > 0");
        assert_relative_eq!(r.value, 0.5);
        assert_relative_eq!(moe_of(r), 1300f64.sqrt() / 400.0, epsilon = 1e-15);
    }

    #[test]
    fn apportioned_share_scales_the_moe() {
        let part = scale(Estimate::new(500.0, 80.0), 0.25);
        assert_relative_eq!(part.value, 125.0);
        assert_relative_eq!(moe_of(part), 20.0);
    }
}
