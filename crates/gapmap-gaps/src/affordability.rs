//! Affordability (METHOD.md §4): the income threshold a plan's price implies, and the
//! households below it, interpolated inside the income bracket that holds the threshold.

use std::collections::BTreeMap;

use gapmap_core::{Estimate, Plan, Provider, SpeedThreshold, moe};

/// Income brackets as data (METHOD.md §4: "brackets are data, not code"): the lower edge of
/// each bracket, ascending, the first usually 0; the last bracket is open-ended.
#[derive(Debug, Clone, PartialEq)]
pub struct BracketEdges(Vec<f64>);

impl BracketEdges {
    /// ACS B19001's 16 brackets: <10k, 10–15k, ..., 150–200k, 200k+.
    pub fn b19001() -> Self {
        Self(vec![
            0.0, 10_000.0, 15_000.0, 20_000.0, 25_000.0, 30_000.0, 35_000.0, 40_000.0, 45_000.0,
            50_000.0, 60_000.0, 75_000.0, 100_000.0, 125_000.0, 150_000.0, 200_000.0,
        ])
    }

    /// The Data Profile DP03's 10 brackets: <10k, 10–15k, 15–25k, 25–35k, 35–50k, 50–75k,
    /// 75–100k, 100–150k, 150–200k, 200k+.
    pub fn dp03() -> Self {
        Self(vec![
            0.0, 10_000.0, 15_000.0, 25_000.0, 35_000.0, 50_000.0, 75_000.0, 100_000.0, 150_000.0,
            200_000.0,
        ])
    }

    /// Any other set of lower edges; `None` unless strictly ascending, finite and non-negative.
    pub fn new(lower_edges: Vec<f64>) -> Option<Self> {
        let valid = !lower_edges.is_empty()
            && lower_edges.iter().all(|e| e.is_finite() && *e >= 0.0)
            && lower_edges.windows(2).all(|w| w[0] < w[1]);
        valid.then_some(Self(lower_edges))
    }

    /// Number of brackets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no bracket (never, for a built value).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The lower edges.
    pub fn lower_edges(&self) -> &[f64] {
        &self.0
    }
}

/// Which ACS variables hold the brackets of a table, in ascending order, and their total.
#[derive(Debug, Clone, PartialEq)]
pub struct BracketSpec {
    /// The brackets' lower edges.
    pub edges: BracketEdges,
    /// One variable per bracket (`B19001_002` ... `B19001_017`).
    pub variables: Vec<String>,
    /// The universe (`B19001_001`).
    pub total: String,
}

impl BracketSpec {
    /// ACS B19001: `B19001_002` to `B19001_017` over `B19001_001`.
    pub fn b19001() -> Self {
        Self {
            edges: BracketEdges::b19001(),
            variables: (2..=17).map(|i| format!("B19001_{i:03}")).collect(),
            total: "B19001_001".into(),
        }
    }

    /// Data Profile DP03: `DP03_0052` to `DP03_0061` over `DP03_0051`.
    pub fn dp03() -> Self {
        Self {
            edges: BracketEdges::dp03(),
            variables: (52..=61).map(|i| format!("DP03_{i:04}")).collect(),
            total: "DP03_0051".into(),
        }
    }
}

/// The affordability inputs and settings of a run (METHOD.md §4).
#[derive(Debug, Clone, PartialEq)]
pub struct AffordabilityInputs {
    /// `s`: the share of income that is affordable (0.02 by default).
    pub share_of_income: f64,
    /// The configured reference price, used where no table gives one.
    pub fallback_price: Option<f64>,
    /// Area id → monthly price (area-level table, one tier's measure).
    pub area_prices: Option<BTreeMap<String, f64>>,
    /// Plan-level offers.
    pub plans: Option<Vec<Plan>>,
    /// Income brackets among the ACS tables.
    pub brackets: Option<BracketSpec>,
    /// The median household income variable (`B19013_001`), for `cost_to_income`.
    pub median_income: Option<String>,
}

/// Where a district's reference price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    /// The area-level table has a price for this district's id.
    AreaTable,
    /// The lowest served-tier plan seen in the district.
    Plans,
    /// The configured reference price.
    Fallback,
}

/// The reference price P of a district (METHOD.md §4): the area table's price for its id, else
/// the lowest monthly price of a plan at or above the served tier seen in the district (or
/// anywhere, for plans without an area) from a provider present there, else the configured
/// price. `present` lists the providers that BDC data shows offering the served tier in the
/// district; `None` (no BDC input) lets every provider's plans count.
pub fn reference_price(
    district: &str,
    inputs: &AffordabilityInputs,
    served: SpeedThreshold,
    present: Option<&[&Provider]>,
) -> Option<(f64, PriceSource)> {
    if let Some(&price) = inputs.area_prices.as_ref().and_then(|p| p.get(district)) {
        return Some((price, PriceSource::AreaTable));
    }
    let lowest_plan = inputs.plans.iter().flatten().filter(|plan| {
        served.is_met_by(plan.download_mbps, plan.upload_mbps)
            && present.is_none_or(|providers| providers.iter().any(|p| p.is_named(&plan.provider)))
            && plan
                .area
                .as_deref()
                .is_none_or(|area| gapmap_core::nested(area, district))
    });
    if let Some(plan) = lowest_plan.min_by(|a, b| a.monthly_price.total_cmp(&b.monthly_price)) {
        return Some((plan.monthly_price, PriceSource::Plans));
    }
    inputs.fallback_price.map(|p| (p, PriceSource::Fallback))
}

/// METHOD.md §4: `T = 12·P / s` (P = $60, s = 2% → $36,000).
pub fn income_threshold(monthly_price: f64, share_of_income: f64) -> f64 {
    12.0 * monthly_price / share_of_income
}

/// Households with income below `threshold` (METHOD.md §4): every bracket wholly below it,
/// plus the fraction `(T − L) / (U − L)` of the bracket `[L, U)` that holds it. The open top
/// bracket counts wholly once the threshold passes its lower edge (METHOD.md says so: nothing
/// is known of the incomes inside it), and not at all below that.
///
/// The MOE is `sqrt(Σ MOE_full² + (f·MOE_k)²)`, computed with the sum rule of §3 (so, among
/// brackets estimated as zero, only the largest MOE enters). `counts` are the brackets'
/// estimates in the order of `edges`; `None` when their numbers differ.
pub fn households_below(
    edges: &BracketEdges,
    counts: &[Estimate],
    threshold: f64,
) -> Option<Estimate> {
    if counts.len() != edges.len() {
        return None;
    }
    let lower = edges.lower_edges();
    let mut parts = Vec::with_capacity(counts.len());
    for (k, count) in counts.iter().enumerate() {
        let low = lower[k];
        match lower.get(k + 1) {
            Some(&high) if high <= threshold => parts.push(*count),
            Some(&high) if low < threshold => {
                parts.push(moe::scale(*count, (threshold - low) / (high - low)));
            }
            // METHOD.md §4: the open top bracket counts wholly once T is above its lower edge.
            None if low < threshold => parts.push(*count),
            _ => {}
        }
    }
    if parts.is_empty() {
        // Below every bracket: nobody, with the MOE of a zero count unknown-free.
        return Some(Estimate::new(0.0, 0.0));
    }
    Some(moe::sum(&parts))
}

/// METHOD.md §4: `cost_to_income = 12·P / median household income`.
pub fn cost_to_income(monthly_price: f64, median_income: f64) -> Option<f64> {
    (median_income > 0.0).then(|| 12.0 * monthly_price / median_income)
}

/// The MOE of `cost_to_income` by METHOD.md §3's ratio formula, the price exact (MOE 0):
/// `MOE_R = sqrt(0 + R²·MOE_median²) / median = R · MOE_median / median`. `None` where the
/// median's MOE is not known (a sentinel, or a top-coded median).
pub fn cost_to_income_moe(monthly_price: f64, median_income: Estimate) -> Option<f64> {
    if median_income.top_coded {
        return None;
    }
    let price = Estimate::new(12.0 * monthly_price, 0.0);
    moe::ratio(price, median_income).and_then(|r| r.moe.ok())
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    /// `cost_to_income` with a $60 price and a median of 72,000 ± 6,000: R = 720 / 72,000 =
    /// 0.01, MOE = R · 6,000 / 72,000; none for a top-coded median.
    #[test]
    fn cost_to_income_has_the_ratio_moe_of_its_median() {
        assert_relative_eq!(cost_to_income(60.0, 72_000.0).expect("ratio"), 0.01);
        let moe = cost_to_income_moe(60.0, Estimate::new(72_000.0, 6_000.0)).expect("moe");
        assert_relative_eq!(moe, 0.01 * 6_000.0 / 72_000.0, epsilon = 1e-18);
        let top = Estimate {
            top_coded: true,
            ..Estimate::new(250_001.0, 0.0)
        };
        assert_eq!(cost_to_income_moe(60.0, top), None);
        assert_eq!(cost_to_income_moe(60.0, Estimate::new(0.0, 10.0)), None);
    }

    fn brackets(values: &[(f64, f64)]) -> Vec<Estimate> {
        values.iter().map(|&(v, m)| Estimate::new(v, m)).collect()
    }

    /// Sixteen B19001 brackets with 100 households (MOE 10 + bracket index) each.
    fn b19001_counts() -> Vec<Estimate> {
        (0..16)
            .map(|k| Estimate::new(100.0, 10.0 + f64::from(k)))
            .collect()
    }

    #[test]
    fn sixty_dollars_at_two_percent_is_a_threshold_of_36000() {
        assert_relative_eq!(income_threshold(60.0, 0.02), 36_000.0);
    }

    #[test]
    fn p60_s2_falls_inside_the_35_40k_bracket_of_b19001() {
        // T = 36,000: six brackets wholly below (<10k ... 30–35k), then 1/5 of 35–40k.
        let counts = b19001_counts();
        let result =
            households_below(&BracketEdges::b19001(), &counts, 36_000.0).expect("16 brackets");
        assert_relative_eq!(result.value, 600.0 + 100.0 * 0.2);
        // MOE² = 10² + 11² + ... + 15² + (0.2·16)²
        let full: f64 = (10..=15).map(|m| f64::from(m * m)).sum();
        assert_relative_eq!(
            result.moe.expect("known"),
            (full + (0.2f64 * 16.0).powi(2)).sqrt(),
            epsilon = 1e-12
        );
    }

    #[test]
    fn a_threshold_exactly_on_a_bracket_edge_takes_nothing_of_the_next_bracket() {
        // T = 35,000 = lower edge of 35–40k: the six brackets below, all of them, and no more.
        let counts = b19001_counts();
        let result =
            households_below(&BracketEdges::b19001(), &counts, 35_000.0).expect("16 brackets");
        assert_relative_eq!(result.value, 600.0);
        let full: f64 = (10..=15).map(|m| f64::from(m * m)).sum();
        assert_relative_eq!(result.moe.expect("known"), full.sqrt(), epsilon = 1e-12);
    }

    #[test]
    fn a_threshold_inside_the_lowest_bracket_interpolates_from_zero() {
        // T = 2,500 in [0, 10,000): a quarter of the lowest bracket; MOE 0.25·40 = 10.
        let counts = brackets(&[(400.0, 40.0), (300.0, 30.0), (200.0, 20.0)]);
        let edges = BracketEdges::new(vec![0.0, 10_000.0, 50_000.0]).expect("ascending");
        let result = households_below(&edges, &counts, 2_500.0).expect("3 brackets");
        assert_relative_eq!(result.value, 100.0);
        assert_relative_eq!(result.moe.expect("known"), 10.0);
    }

    #[test]
    fn the_open_top_bracket_counts_only_above_its_lower_edge_and_then_wholly() {
        let counts = b19001_counts();
        let edges = BracketEdges::b19001();
        let at_edge = households_below(&edges, &counts, 200_000.0).expect("16 brackets");
        assert_relative_eq!(at_edge.value, 1500.0, epsilon = 1e-9);
        let above = households_below(&edges, &counts, 240_000.0).expect("16 brackets");
        assert_relative_eq!(above.value, 1600.0, epsilon = 1e-9);
    }

    #[test]
    fn the_interpolated_bracket_moe_is_scaled_by_its_fraction() {
        // One full bracket (90 ± 30) and half of the next (80 ± 40): sqrt(30² + 20²) = sqrt(1300).
        let counts = brackets(&[(90.0, 30.0), (80.0, 40.0), (10.0, 5.0)]);
        let edges = BracketEdges::new(vec![0.0, 20_000.0, 40_000.0]).expect("ascending");
        let result = households_below(&edges, &counts, 30_000.0).expect("3 brackets");
        assert_relative_eq!(result.value, 130.0);
        assert_relative_eq!(result.moe.expect("known"), 1300f64.sqrt(), epsilon = 1e-12);
    }

    #[test]
    fn dc_county_price_to_income_reproduces_the_published_value() {
        // bbn_acs_2021_perc_income_on_internet_11001.csv, county row, perc_income_min_price_25:
        // 12 × 19.99 / 86,420 × 100 = 0.277574635501041 (as published).
        let ratio = cost_to_income(19.99, 86_420.0).expect("positive income");
        assert_relative_eq!(ratio * 100.0, 0.277_574_635_501_041, epsilon = 1e-15);
    }

    #[test]
    fn the_reference_price_prefers_the_area_table_then_served_plans_then_the_fallback() {
        let plan = |price: f64, down: f64, up: f64, area: Option<&str>| Plan {
            provider: "AT&T".into(),
            technology: "Fiber".into(),
            download_mbps: down,
            upload_mbps: up,
            monthly_price: price,
            area: area.map(str::to_owned),
        };
        let served = SpeedThreshold::new(100.0, 20.0);
        let mut inputs = AffordabilityInputs {
            share_of_income: 0.02,
            fallback_price: Some(60.0),
            area_prices: Some([("110010001011".to_owned(), 39.99)].into()),
            plans: Some(vec![
                // Cheap but not served (100/19): never the reference.
                plan(20.0, 100.0, 19.0, Some("110010002011")),
                plan(55.0, 100.0, 20.0, Some("110010002011")),
                plan(45.0, 300.0, 300.0, Some("110010003011")),
            ]),
            brackets: None,
            median_income: None,
        };
        assert_eq!(
            reference_price("110010001011", &inputs, served, None),
            Some((39.99, PriceSource::AreaTable))
        );
        assert_eq!(
            reference_price("110010002011", &inputs, served, None),
            Some((55.0, PriceSource::Plans))
        );
        assert_eq!(
            reference_price("11001000201", &inputs, served, None),
            Some((55.0, PriceSource::Plans)),
            "a tract sees its block groups' plans"
        );
        assert_eq!(
            reference_price("110010009011", &inputs, served, None),
            Some((60.0, PriceSource::Fallback))
        );
        // With BDC data, only plans of providers present in the district count.
        let att = Provider {
            id: "130077".into(),
            brand: "at&t ".into(),
        };
        let other = Provider {
            id: "130099".into(),
            brand: "Metro Fiber, LLC".into(),
        };
        assert_eq!(
            reference_price("110010002011", &inputs, served, Some(&[&att])),
            Some((55.0, PriceSource::Plans)),
            "brand names match ignoring case and spaces"
        );
        assert_eq!(
            reference_price("110010002011", &inputs, served, Some(&[&other])),
            Some((60.0, PriceSource::Fallback)),
            "AT&T's plan does not count where AT&T offers no served tier"
        );
        inputs.fallback_price = None;
        assert_eq!(reference_price("110010009011", &inputs, served, None), None);
    }

    #[test]
    fn brackets_must_ascend_and_counts_must_match_them() {
        assert!(BracketEdges::new(vec![0.0, 10.0, 10.0]).is_none());
        assert!(BracketEdges::new(vec![]).is_none());
        assert!(households_below(&BracketEdges::dp03(), &b19001_counts(), 36_000.0).is_none());
        assert_eq!(BracketEdges::dp03().len(), 10);
    }
}
