//! METHOD.md §8 across a whole package: no withheld figure of a census level may be derivable
//! from what the package publishes — the other levels it nests in or is made of, the layers
//! apportioned from it, and every layer's `suppressed` and `unassigned` lines.
//!
//! Every published figure is a linear combination of the districts of the finest census level
//! (the base: block groups in a usual run): a tract is the sum of its block groups, an
//! apportioned ward the weighted sum of the block groups it overlaps, a `suppressed` line the
//! sum of a layer's withheld rows. With the published base districts known, the withheld ones
//! are the unknowns, and each published figure that involves them is an equation. A withheld
//! census district is recoverable when its vector (restricted to the unknowns) lies in the span
//! of those equations; then one more base district is withheld — the smallest published one
//! whose withholding provably makes it unrecoverable (`exact_breaker`), else the smallest of
//! the tightest equation involving it — and the check repeats until nothing is recoverable.
//! The same rule then holds for every field, since a whole row is withheld.
//!
//! Apportioned figures that themselves are withheld (a small ward) are not protected targets:
//! they are weighted estimates of published block groups, not counts of a district's people.
//! With block points, a layer's location counts come through blocks rather than block groups;
//! the check uses the block groups' housing-unit weights for all of its fields.

use foldhash::HashMap;

use crate::record::DistrictGaps;
use crate::run::{ComputedLayer, LayerKind};
use crate::suppress::{Plan, by_size};

/// A sparse combination of base districts: (base row, coefficient).
pub(crate) type Combination = Vec<(usize, f64)>;

/// Every row of every layer (and each layer's `unassigned` line) as a combination of the
/// base level's rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Structure {
    /// The base layer's index.
    pub base: usize,
    /// Per layer, per row.
    pub rows: Vec<Vec<Combination>>,
    /// Per layer, its `unassigned` line.
    pub unassigned: Vec<Option<Combination>>,
}

const REASON: &str = "complementary: withheld so that a withheld district cannot be recovered from the other levels and layers of the package (METHOD.md §8)";

/// The base layer: the census level with the longest GEOIDs.
fn base_of(layers: &[ComputedLayer]) -> Option<usize> {
    layers
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l.kind {
            LayerKind::Census(level) => Some((level.geoid_len(), i)),
            _ => None,
        })
        .max()
        .map(|(_, i)| i)
}

impl Structure {
    /// The combinations of a run's layers, or `None` without a census level.
    pub(crate) fn of(layers: &[ComputedLayer]) -> Option<Structure> {
        let base = base_of(layers)?;
        let base_rows = &layers[base].result.rows;
        let mut structure = Structure {
            base,
            rows: Vec::new(),
            unassigned: Vec::new(),
        };
        for layer in layers {
            let (rows, unassigned) = match layer.kind {
                LayerKind::Census(_) => (census_rows(&layer.result.rows, base_rows), None),
                LayerKind::Apportioned { from, .. } => {
                    apportioned_rows(layer, layers, &structure.rows, from)
                }
                LayerKind::Tabulated => (vec![Vec::new(); layer.result.rows.len()], None),
            };
            structure.rows.push(rows);
            structure.unassigned.push(unassigned);
        }
        Some(structure)
    }
}

/// A census level's rows: each the sum of the base rows whose GEOID it prefixes.
fn census_rows(rows: &[DistrictGaps], base: &[DistrictGaps]) -> Vec<Combination> {
    let Some(length) = rows.first().map(|r| r.geoid.len()) else {
        return Vec::new();
    };
    let mut members: HashMap<&str, Combination> = HashMap::default();
    for (b, row) in base.iter().enumerate() {
        if let Some(key) = row.geoid.get(..length) {
            members.entry(key).or_default().push((b, 1.0));
        }
    }
    rows.iter()
        .map(|r| members.get(r.geoid.as_str()).cloned().unwrap_or_default())
        .collect()
}

/// An apportioned layer's rows: the weighted sums of its source rows' combinations, and the
/// `unassigned` line.
fn apportioned_rows(
    layer: &ComputedLayer,
    layers: &[ComputedLayer],
    done: &[Vec<Combination>],
    from: gapmap_core::Level,
) -> (Vec<Combination>, Option<Combination>) {
    let rows = &layer.result.rows;
    let (Some(weights), Some(source)) = (
        &layer.apportionment,
        layers
            .iter()
            .position(|l| l.kind == LayerKind::Census(from)),
    ) else {
        return (vec![Vec::new(); rows.len()], None);
    };
    let row_of: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.geoid.as_str(), i))
        .collect();
    let mut combinations: Vec<HashMap<usize, f64>> = vec![HashMap::default(); rows.len()];
    let mut unassigned: HashMap<usize, f64> = HashMap::default();
    for (unit, parts) in weights.weights.parts.iter().enumerate() {
        let unit_combination = &done[source][unit];
        for &(district, weight) in parts {
            let Some(&row) = weights
                .districts
                .get(district)
                .and_then(|id| row_of.get(id.as_str()))
            else {
                continue;
            };
            for &(b, c) in unit_combination {
                *combinations[row].entry(b).or_default() += weight * c;
            }
        }
        let rest = weights.weights.unassigned(unit);
        if rest > 0.0 {
            for &(b, c) in unit_combination {
                *unassigned.entry(b).or_default() += rest * c;
            }
        }
    }
    let sorted = |map: HashMap<usize, f64>| {
        let mut combination: Combination = map.into_iter().collect();
        combination.sort_by_key(|(b, _)| *b);
        combination
    };
    (
        combinations.into_iter().map(sorted).collect(),
        (!unassigned.is_empty()).then(|| sorted(unassigned)),
    )
}

/// The span of a set of equations over the unknowns, in reduced row echelon form, with how
/// each row was made from the equations (`transforms`) and the combinations of equations that
/// vanish (`null`: a basis of the left null space).
struct Span {
    rows: Vec<Vec<f64>>,
    pivots: Vec<usize>,
    transforms: Vec<Vec<f64>>,
    null: Vec<Vec<f64>>,
}

/// Coefficients smaller than this (relative to 1) count as zero: weights are fractions of
/// geodesic areas (slivers under 1e-4 are dropped), sums are whole.
const TOLERANCE: f64 = 1e-9;

impl Span {
    fn of(equations: Vec<Vec<f64>>, unknowns: usize) -> Span {
        let count = equations.len();
        let mut rows: Vec<(Vec<f64>, Vec<f64>)> = equations
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let mut transform = vec![0.0; count];
                transform[i] = 1.0;
                (e, transform)
            })
            .collect();
        let mut pivots = Vec::new();
        let mut rank = 0;
        for column in 0..unknowns {
            let Some(best) = (rank..rows.len())
                .max_by(|&a, &b| rows[a].0[column].abs().total_cmp(&rows[b].0[column].abs()))
            else {
                break;
            };
            if rows[best].0[column].abs() < TOLERANCE {
                continue;
            }
            rows.swap(rank, best);
            let pivot = rows[rank].0[column];
            let (row, transform) = &mut rows[rank];
            for value in row.iter_mut().chain(transform.iter_mut()) {
                *value /= pivot;
            }
            let (pivot_row, pivot_transform) = rows[rank].clone();
            for (other, (row, transform)) in rows.iter_mut().enumerate() {
                let factor = row[column];
                if other != rank && factor.abs() >= TOLERANCE {
                    for (value, p) in row[column..].iter_mut().zip(&pivot_row[column..]) {
                        *value -= factor * p;
                    }
                    for (value, p) in transform.iter_mut().zip(&pivot_transform) {
                        *value -= factor * p;
                    }
                }
            }
            pivots.push(column);
            rank += 1;
        }
        let null = rows.split_off(rank).into_iter().map(|(_, t)| t).collect();
        let (rows, transforms) = rows.into_iter().unzip();
        Span {
            rows,
            pivots,
            transforms,
            null,
        }
    }

    /// Whether `target` is a combination of the equations (its value can be solved for).
    fn contains(&self, target: &[f64]) -> bool {
        let mut rest = target.to_vec();
        for (row, &column) in self.rows.iter().zip(&self.pivots) {
            let factor = rest[column];
            if factor.abs() >= TOLERANCE {
                for (value, coefficient) in rest.iter_mut().zip(row) {
                    *value -= factor * coefficient;
                }
            }
        }
        rest.iter().all(|v| v.abs() < TOLERANCE * 1e3)
    }

    /// For a target in the span, one combination of the equations that gives it.
    fn solution(&self, target: &[f64]) -> Vec<f64> {
        let mut y = vec![
            0.0;
            self.null
                .first()
                .map_or(0, Vec::len)
                .max(self.transforms.first().map_or(0, Vec::len),)
        ];
        for (transform, &column) in self.transforms.iter().zip(&self.pivots) {
            let factor = target[column];
            for (value, t) in y.iter_mut().zip(transform) {
                *value += factor * t;
            }
        }
        y
    }
}

/// A combination restricted to the unknowns, as a dense vector (`None`: it involves none).
fn restricted(combination: &Combination, column: &HashMap<usize, usize>) -> Vec<f64> {
    let mut dense = vec![0.0; column.len()];
    for &(b, c) in combination {
        if let Some(&k) = column.get(&b) {
            dense[k] += c;
        }
    }
    dense
}

/// A published figure that involves an unknown: its coefficients on the unknowns, and on
/// every base district (to tell what withholding one more would change).
struct Equation {
    dense: Vec<f64>,
    full: HashMap<usize, f64>,
    /// The base layer's `suppressed` line: withholding a district adds it here.
    base_line: bool,
}

/// Every figure the package publishes that involves an unknown: published rows, each
/// layer's `suppressed` line and its `unassigned` line.
fn equations(
    structure: &Structure,
    plans: &[Plan],
    column: &HashMap<usize, usize>,
) -> Vec<Equation> {
    let mut equations = Vec::new();
    let mut keep = |full: HashMap<usize, f64>, base_line: bool| {
        let mut dense = vec![0.0; column.len()];
        for (b, c) in &full {
            if let Some(&k) = column.get(b) {
                dense[k] += c;
            }
        }
        if dense.iter().any(|v| v.abs() >= TOLERANCE) {
            equations.push(Equation {
                dense,
                full,
                base_line,
            });
        }
    };
    let sum = |combinations: &mut dyn Iterator<Item = &Combination>| {
        let mut full: HashMap<usize, f64> = HashMap::default();
        for combination in combinations {
            for &(b, c) in combination {
                *full.entry(b).or_default() += c;
            }
        }
        full
    };
    for (layer, rows) in structure.rows.iter().enumerate() {
        let mut withheld = Vec::new();
        for (index, combination) in rows.iter().enumerate() {
            if plans[layer].is_withheld(index) {
                withheld.push(combination);
            } else {
                keep(sum(&mut std::iter::once(combination)), false);
            }
        }
        keep(sum(&mut withheld.into_iter()), layer == structure.base);
        if let Some(unassigned) = &structure.unassigned[layer] {
            keep(sum(&mut std::iter::once(unassigned)), false);
        }
    }
    equations
}

/// The smallest published base district whose withholding makes `target` unrecoverable, by
/// linear algebra: with `y` a combination of the equations giving the target, withholding `b`
/// adds a column `c` (b's coefficients in each equation); the target stays recoverable unless
/// `c` lies in the equations' column space (every left-null vector is orthogonal to it) and
/// `y · c` is not zero.
fn exact_breaker(
    span: &Span,
    equations: &[Equation],
    columns: &Columns,
    target: &[f64],
    published: &dyn Fn(usize) -> bool,
    base_rows: &[DistrictGaps],
) -> Option<usize> {
    let y = span.solution(target);
    let mut candidates: Vec<usize> = Vec::new();
    for (equation, weight) in equations.iter().zip(&y) {
        if weight.abs() < TOLERANCE {
            continue;
        }
        for &b in equation.full.keys() {
            if published(b) && !candidates.contains(&b) {
                candidates.push(b);
            }
        }
    }
    let dot = |v: &[f64], c: &[(usize, f64)]| c.iter().map(|&(e, x)| v[e] * x).sum::<f64>();
    candidates
        .into_iter()
        .filter(|&b| {
            let c = columns.of(b);
            span.null.iter().all(|z| dot(z, &c).abs() < 1e-7) && dot(&y, &c).abs() >= 1e-7
        })
        .min_by(|&a, &b| by_size(&base_rows[a], &base_rows[b]))
}

/// Each base district's coefficients in the equations (what withholding it adds to them),
/// indexed once per round: asking every equation for every candidate of every target was
/// most of the demo's serial time.
struct Columns {
    /// Per base district, `(equation, coefficient)` in equation order.
    listed: HashMap<usize, Vec<(usize, f64)>>,
    /// The equations that are the base layer's `suppressed` line, in order.
    base_lines: Vec<usize>,
}

impl Columns {
    fn index(equations: &[Equation]) -> Columns {
        let mut listed: HashMap<usize, Vec<(usize, f64)>> = HashMap::default();
        for (e, equation) in equations.iter().enumerate() {
            for (&b, &c) in &equation.full {
                listed.entry(b).or_default().push((e, c));
            }
        }
        for column in listed.values_mut() {
            column.sort_unstable_by_key(|&(e, _)| e);
        }
        let base_lines = equations
            .iter()
            .enumerate()
            .filter_map(|(e, equation)| equation.base_line.then_some(e))
            .collect();
        Columns { listed, base_lines }
    }

    /// `b`'s column: its coefficient in each equation, plus 1 in a `suppressed` line of the
    /// base layer (withholding `b` adds it there), the zeros left out.
    fn of(&self, district: usize) -> Vec<(usize, f64)> {
        let listed = self.listed.get(&district).map_or(&[][..], Vec::as_slice);
        let (mut in_listed, mut in_lines) = (0, 0);
        let mut column = Vec::with_capacity(listed.len() + self.base_lines.len());
        loop {
            let line = self.base_lines.get(in_lines).copied();
            let from_listed = match (listed.get(in_listed), line) {
                (None, None) => break,
                (Some(&(equation, _)), Some(line)) => equation <= line,
                (Some(_), None) => true,
                (None, Some(_)) => false,
            };
            let (equation, coefficient) = if from_listed {
                let (equation, coefficient) = listed[in_listed];
                in_listed += 1;
                if line == Some(equation) {
                    in_lines += 1;
                    (equation, coefficient + 1.0)
                } else {
                    (equation, coefficient)
                }
            } else {
                in_lines += 1;
                (line.unwrap_or_default(), 1.0)
            };
            if coefficient.abs() >= TOLERANCE {
                column.push((equation, coefficient));
            }
        }
        column
    }
}

/// Withholds base districts until no withheld census district can be solved for from what
/// the package publishes; returns how many were added.
pub(crate) fn protect(
    layers: &[ComputedLayer],
    structure: &Structure,
    plans: &mut [Plan],
) -> usize {
    let base_rows = &layers[structure.base].result.rows;
    let mut added = 0;
    loop {
        let unknowns: Vec<usize> = (0..base_rows.len())
            .filter(|&b| plans[structure.base].is_withheld(b))
            .collect();
        let column: HashMap<usize, usize> =
            unknowns.iter().enumerate().map(|(k, &b)| (b, k)).collect();
        let equations = equations(structure, plans, &column);
        let span = Span::of(
            equations.iter().map(|e| e.dense.clone()).collect(),
            unknowns.len(),
        );
        let columns = Columns::index(&equations);
        let published = |b: usize| !plans[structure.base].is_withheld(b);
        let mut chosen: Vec<usize> = Vec::new();
        // One breaker per recoverable district per round: on the DC demo that withheld fewer
        // districts (131) than one breaker per round (423).
        for (layer, computed) in layers.iter().enumerate() {
            if !matches!(computed.kind, LayerKind::Census(_)) {
                continue;
            }
            for (index, combination) in structure.rows[layer].iter().enumerate() {
                if !plans[layer].is_withheld(index)
                    || combination.is_empty()
                    || describes_no_one(&computed.result.rows[index])
                {
                    continue;
                }
                let target = restricted(combination, &column);
                let empty = target.iter().all(|v| v.abs() < TOLERANCE);
                if !(empty || span.contains(&target)) {
                    continue;
                }
                let exact = if empty {
                    None
                } else {
                    exact_breaker(&span, &equations, &columns, &target, &published, base_rows)
                };
                let next = exact
                    .or_else(|| breaker(structure, plans, base_rows, combination, &column, empty));
                if let Some(next) = next
                    && !chosen.contains(&next)
                {
                    chosen.push(next);
                }
            }
        }
        if chosen.is_empty() {
            return added;
        }
        for b in chosen {
            plans[structure.base].withhold(b, REASON);
            added += 1;
        }
    }
}

/// A district with no household and no residential location (a park, a rail yard): its
/// zeros describe no one, so it is withheld (METHOD.md §8) but needs no protection.
fn describes_no_one(row: &DistrictGaps) -> bool {
    row.households.is_none_or(|h| h.value == 0.0) && row.locations.is_none_or(|n| n == 0.0)
}

/// The base district to withhold next for a recoverable target: where the target's own base
/// districts are all published, the smallest of them; otherwise the smallest published one of
/// the tightest published figure (fewest base districts) that involves one of its unknowns.
fn breaker(
    structure: &Structure,
    plans: &[Plan],
    base_rows: &[DistrictGaps],
    target: &Combination,
    column: &HashMap<usize, usize>,
    empty: bool,
) -> Option<usize> {
    let published = |b: &usize| !plans[structure.base].is_withheld(*b);
    let smallest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.min_by(|&a, &b| by_size(&base_rows[a], &base_rows[b]))
    };
    if empty {
        return smallest(&mut target.iter().map(|(b, _)| *b).filter(published));
    }
    let unknown_of_target: Vec<usize> = target
        .iter()
        .map(|(b, _)| *b)
        .filter(|b| column.contains_key(b))
        .collect();
    let published_rows = || {
        structure.rows.iter().enumerate().flat_map(|(layer, rows)| {
            rows.iter()
                .enumerate()
                .filter(move |(index, _)| !plans[layer].is_withheld(*index))
                .map(|(_, combination)| combination)
        })
    };
    let tightest = published_rows()
        .filter(|combination| {
            combination
                .iter()
                .any(|(b, _)| unknown_of_target.contains(b))
        })
        .filter(|combination| combination.iter().any(|(b, _)| published(b)))
        .min_by_key(|combination| combination.len())?;
    smallest(&mut tightest.iter().map(|(b, _)| *b).filter(published))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_in_the_span_is_found_and_one_outside_is_not() {
        // x0 + x1 = a, x1 + x2 = b: neither x0 nor x1 alone, but x0 − x2 is determined.
        let span = Span::of(vec![vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 1.0]], 3);
        assert!(!span.contains(&[1.0, 0.0, 0.0]));
        assert!(!span.contains(&[0.0, 1.0, 0.0]));
        assert!(span.contains(&[1.0, 0.0, -1.0]));
        assert!(span.contains(&[1.0, 2.0, 1.0]));
        // With x0 + x2 = c as well, everything is.
        let span = Span::of(
            vec![
                vec![1.0, 1.0, 0.0],
                vec![0.0, 1.0, 1.0],
                vec![1.0, 0.0, 1.0],
            ],
            3,
        );
        assert!(span.contains(&[0.0, 1.0, 0.0]));
    }

    /// A base district's column as indexed equals asking every equation for it, as the
    /// check did before the index: in equation order, the `suppressed` line's 1 added, zeros
    /// (including a −1 cancelled by that 1) left out.
    #[test]
    fn an_indexed_column_is_the_column_of_every_equation() {
        let equation = |full: &[(usize, f64)], base_line: bool| Equation {
            dense: Vec::new(),
            full: full.iter().copied().collect(),
            base_line,
        };
        let equations = vec![
            equation(&[(0, 1.0), (2, 0.25)], false),
            equation(&[(1, 1.0), (2, -1.0)], true),
            equation(&[(2, 0.5), (3, 1e-12)], false),
            equation(&[], true),
            equation(&[(0, 0.75), (3, 2.0)], false),
        ];
        let naive = |b: usize| -> Vec<(usize, f64)> {
            equations
                .iter()
                .enumerate()
                .filter_map(|(e, equation)| {
                    let c = equation.full.get(&b).copied().unwrap_or(0.0)
                        + if equation.base_line { 1.0 } else { 0.0 };
                    (c.abs() >= TOLERANCE).then_some((e, c))
                })
                .collect()
        };
        let columns = Columns::index(&equations);
        for b in 0..6 {
            assert_eq!(columns.of(b), naive(b), "district {b}");
        }
        assert_eq!(columns.of(2), [(0, 0.25), (2, 0.5), (3, 1.0)]);
        assert_eq!(columns.of(5), [(1, 1.0), (3, 1.0)]);
    }
}
