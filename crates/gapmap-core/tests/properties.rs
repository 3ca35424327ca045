//! Property tests of the MOE algebra (METHOD.md §3): whatever the estimates, a margin of error
//! is never negative and never NaN, and a share of a part in its whole stays in [0, 1].

use gapmap_core::Estimate;
use gapmap_core::moe::{difference, proportion, ratio, scale, sum};
use proptest::prelude::*;

fn estimate() -> impl Strategy<Value = Estimate> {
    (0.0..1e7f64, 0.0..1e6f64).prop_map(|(value, moe)| Estimate::new(value, moe))
}

fn moe_ok(e: &Estimate) -> bool {
    e.moe.is_ok_and(|m| m >= 0.0 && m.is_finite())
}

proptest! {
    #[test]
    fn sums_differences_and_scales_have_finite_non_negative_margins(
        parts in proptest::collection::vec(estimate(), 0..40),
        weight in 0.0..1.0f64,
    ) {
        let total = sum(&parts);
        prop_assert!(moe_ok(&total));
        prop_assert!(total.value >= 0.0);
        let expected: f64 = parts.iter().map(|p| p.value).sum();
        prop_assert!((total.value - expected).abs() <= 1e-6 * expected.max(1.0));
        if let (Some(a), Some(b)) = (parts.first(), parts.last()) {
            prop_assert!(moe_ok(&difference(*a, *b)));
            let scaled = scale(*a, weight);
            prop_assert!(moe_ok(&scaled));
            prop_assert!(scaled.value <= a.value + 1e-9);
        }
    }

    #[test]
    fn a_part_of_a_whole_is_a_share_with_a_sane_margin(
        whole in estimate(),
        fraction in 0.0..=1.0f64,
        part_moe in 0.0..1e6f64,
    ) {
        let part = Estimate::new(whole.value * fraction, part_moe);
        match proportion(part, whole) {
            Some(share) => {
                prop_assert!((0.0..=1.0).contains(&share.value), "{}", share.value);
                prop_assert!(moe_ok(&share));
            }
            None => prop_assert!(whole.value == 0.0, "only a zero whole has no share"),
        }
        if let Some(r) = ratio(part, whole) {
            prop_assert!(moe_ok(&r));
        }
    }
}
