//! Classification of values into a few colour classes.

/// Class upper bounds, ascending; a value belongs to the first class whose bound it does not
/// exceed. `min` is the lowest value, for the first label.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    /// The smallest value classified.
    pub min: f64,
    /// Upper bound of each class (the last one is the largest value).
    pub upper: Vec<f64>,
}

impl Classes {
    /// The class index of `value`.
    pub fn of(&self, value: f64) -> usize {
        self.upper
            .iter()
            .position(|&u| value <= u)
            .unwrap_or(self.upper.len().saturating_sub(1))
    }

    /// The lower bound of class `i` (the previous class's upper bound, or the minimum).
    pub fn lower(&self, i: usize) -> f64 {
        if i == 0 { self.min } else { self.upper[i - 1] }
    }
}

/// Quantile classes: up to `count` classes holding about equal numbers of districts. Equal
/// bounds (many districts with the same value, often 0) merge, so there may be fewer classes.
/// `None` when there is no finite value.
pub fn quantile_classes(values: &[f64], count: usize) -> Option<Classes> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() || count == 0 {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mut upper: Vec<f64> = (1..=count)
        .map(|k| {
            // Nearest rank: the value below which k/count of the districts fall.
            let rank = (k * n).div_ceil(count).max(1) - 1;
            sorted[rank.min(n - 1)]
        })
        .collect();
    upper.dedup();
    Some(Classes {
        min: sorted[0],
        upper,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_values_make_five_classes_of_two() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let classes = quantile_classes(&values, 5).expect("values");
        assert_eq!(classes.upper, vec![2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(classes.of(1.0), 0);
        assert_eq!(classes.of(2.0), 0, "bounds are inclusive");
        assert_eq!(classes.of(2.5), 1);
        assert_eq!(classes.of(10.0), 4);
        assert_eq!(classes.lower(1), 2.0);
    }

    #[test]
    fn many_zeros_merge_into_one_class() {
        let mut values = vec![0.0; 8];
        values.extend([0.5, 1.0]);
        let classes = quantile_classes(&values, 5).expect("values");
        assert_eq!(
            classes.upper,
            vec![0.0, 1.0],
            "four of five quantiles are 0"
        );
        assert_eq!(classes.of(0.0), 0);
        assert!(quantile_classes(&[f64::NAN], 5).is_none());
    }
}
