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

/// How values are grouped into classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClassMethod {
    /// About equal numbers of districts per class ([`quantile_classes`]).
    #[default]
    Quantiles,
    /// Jenks natural breaks ([`natural_breaks`]).
    NaturalBreaks,
}

impl ClassMethod {
    /// Classes of `values` by this method.
    pub fn classes(self, values: &[f64], count: usize) -> Option<Classes> {
        match self {
            ClassMethod::Quantiles => quantile_classes(values, count),
            ClassMethod::NaturalBreaks => natural_breaks(values, count),
        }
    }

    /// How a legend names the method.
    pub fn label(self) -> &'static str {
        match self {
            ClassMethod::Quantiles => "Classes: quantiles",
            ClassMethod::NaturalBreaks => "Classes: natural breaks (Jenks)",
        }
    }
}

/// Jenks natural breaks: the grouping of the sorted values into up to `count` classes that
/// minimises the sum of squared deviations from the class means, found exactly by Fisher's
/// dynamic programme (O(count · n²); fine for district layers of a few thousand). Hand-written:
/// no maintained Rust crate offers it. Fewer distinct values than classes give one class per
/// value. `None` when there is no finite value.
pub fn natural_breaks(values: &[f64], count: usize) -> Option<Classes> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() || count == 0 {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    let n = sorted.len();
    let k = count.min(distinct.len());
    if k == distinct.len() {
        return Some(Classes {
            min: sorted[0],
            upper: distinct,
        });
    }
    // Prefix sums: the squared deviation of sorted[i..j] in O(1).
    let mut sum = vec![0.0; n + 1];
    let mut squares = vec![0.0; n + 1];
    for (i, v) in sorted.iter().enumerate() {
        sum[i + 1] = sum[i] + v;
        squares[i + 1] = squares[i] + v * v;
    }
    let cost = |i: usize, j: usize| {
        let m = (j - i) as f64;
        let s = sum[j] - sum[i];
        (squares[j] - squares[i] - s * s / m).max(0.0)
    };
    // best[c][j]: least cost of the first j values in c + 1 classes; start[c][j]: where the
    // last of those classes begins.
    let mut best = vec![vec![f64::INFINITY; n + 1]; k];
    let mut start = vec![vec![0usize; n + 1]; k];
    for (j, first) in best[0].iter_mut().enumerate().skip(1) {
        *first = cost(0, j);
    }
    for c in 1..k {
        for j in (c + 1)..=n {
            for i in c..j {
                let candidate = best[c - 1][i] + cost(i, j);
                if candidate < best[c][j] {
                    best[c][j] = candidate;
                    start[c][j] = i;
                }
            }
        }
    }
    let mut upper = Vec::with_capacity(k);
    let mut end = n;
    for c in (0..k).rev() {
        upper.push(sorted[end - 1]);
        end = start[c][end];
    }
    upper.reverse();
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
    fn natural_breaks_find_the_obvious_clusters() {
        // Three tight groups far apart: any sane method splits them there.
        let values = [1.0, 1.1, 1.2, 5.0, 5.1, 5.3, 9.0, 9.5, 9.9, 10.0];
        let classes = natural_breaks(&values, 3).expect("values");
        assert_eq!(classes.upper, vec![1.2, 5.3, 10.0]);
        // Quantiles would cut inside a cluster.
        let quantiles = quantile_classes(&values, 3).expect("values");
        assert_ne!(quantiles.upper, classes.upper);
        // Fewer distinct values than classes: one class each.
        let few = natural_breaks(&[2.0, 2.0, 3.0], 5).expect("values");
        assert_eq!(few.upper, vec![2.0, 3.0]);
    }

    #[test]
    fn natural_breaks_match_a_hand_computed_split() {
        // {0, 1} | {10}: cost 0.5 + 0; {0} | {1, 10}: 0 + 40.5. The first wins.
        let classes = natural_breaks(&[0.0, 1.0, 10.0], 2).expect("values");
        assert_eq!(classes.upper, vec![1.0, 10.0]);
        assert_eq!(
            ClassMethod::NaturalBreaks.classes(&[0.0, 1.0, 10.0], 2),
            Some(classes)
        );
    }

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
