//! The composite need index (METHOD.md §7).

use gapmap_core::NeedWeights;

/// The components of the index, by their names in `need_components`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NeedComponents {
    /// Share of locations not served.
    pub not_served: Option<f64>,
    /// Share of households without broadband.
    pub without_broadband: Option<f64>,
    /// Share of households for whom broadband is unaffordable.
    pub unaffordable: Option<f64>,
    /// Share of tests in slow tiles.
    pub slow_tests: Option<f64>,
    /// Share of residents in poverty (METHOD.md §10).
    pub poverty: Option<f64>,
}

/// `need = 100 · Σ w_i·c_i / Σ w_i` over the available components with a positive weight;
/// returns the index and the names of the components used, or `None` when none is available.
pub fn need_index(
    components: &NeedComponents,
    weights: &NeedWeights,
) -> Option<(f64, Vec<&'static str>)> {
    let all = [
        ("not_served", components.not_served, weights.not_served),
        (
            "without_broadband",
            components.without_broadband,
            weights.without_broadband,
        ),
        (
            "unaffordable",
            components.unaffordable,
            weights.unaffordable,
        ),
        ("slow_tests", components.slow_tests, weights.slow_tests),
        ("poverty", components.poverty, weights.poverty),
    ];
    let mut weighted = 0.0;
    let mut weight_sum = 0.0;
    let mut used = Vec::new();
    for (name, value, weight) in all {
        if let Some(value) = value
            && weight > 0.0
        {
            weighted += weight * value.clamp(0.0, 1.0);
            weight_sum += weight;
            used.push(name);
        }
    }
    (weight_sum > 0.0).then(|| (100.0 * weighted / weight_sum, used))
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    #[test]
    fn missing_components_are_left_out_and_named() {
        let components = NeedComponents {
            not_served: Some(0.2),
            without_broadband: Some(0.1),
            unaffordable: None,
            slow_tests: Some(0.3),
            poverty: None,
        };
        let (index, used) =
            need_index(&components, &NeedWeights::default()).expect("three components");
        assert_relative_eq!(index, 100.0 * 0.6 / 3.0);
        assert_eq!(used, ["not_served", "without_broadband", "slow_tests"]);
    }

    // METHOD.md §10: a city outside the US has slow tests and poverty, nothing else.
    #[test]
    fn slow_tests_and_poverty_alone_make_an_index() {
        let components = NeedComponents {
            slow_tests: Some(0.4),
            poverty: Some(0.1),
            ..Default::default()
        };
        let (index, used) = need_index(&components, &NeedWeights::default()).expect("two");
        assert_relative_eq!(index, 25.0);
        assert_eq!(used, ["slow_tests", "poverty"]);
    }

    #[test]
    fn weights_apply_and_no_component_gives_no_index() {
        let components = NeedComponents {
            not_served: Some(1.0),
            without_broadband: Some(0.0),
            ..Default::default()
        };
        let weights = NeedWeights {
            not_served: 3.0,
            without_broadband: 1.0,
            ..Default::default()
        };
        let (index, _) = need_index(&components, &weights).expect("two components");
        assert_relative_eq!(index, 75.0);
        assert_eq!(
            need_index(&NeedComponents::default(), &NeedWeights::default()),
            None
        );
    }
}
