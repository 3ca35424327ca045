//! METHOD.md §8 across the whole DC package (issue #12): no withheld block group or tract can
//! be solved for from what the package publishes. Every published figure is a linear
//! combination of block groups — a tract their sum, a ward or commission their area-weighted
//! sum, each `suppressed` line the sum of a layer's withheld rows, each `unassigned` line the
//! parts in no district — so with the published block groups known, the withheld ones are
//! unknowns and each published figure an equation. A withheld district that describes someone
//! is recoverable when its vector lies in the span of the equations. This test builds that
//! system from the CSVs and the public boundaries alone (its own elimination, not the
//! library's).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use gapmap_gaps::apportion::areal_weights;
use gapmap_ingest::read_boundaries;

use crate::util::{demo_output, gapmap, read_table, root};

/// Whether `target` is a linear combination of `equations` (Gaussian elimination).
fn determined(equations: &[Vec<f64>], target: &[f64]) -> bool {
    let columns = target.len();
    let mut rows: Vec<Vec<f64>> = equations.to_vec();
    let mut basis: Vec<(usize, Vec<f64>)> = Vec::new();
    for column in 0..columns {
        let Some(at) = (0..rows.len())
            .max_by(|&a, &b| rows[a][column].abs().total_cmp(&rows[b][column].abs()))
        else {
            break;
        };
        if rows[at][column].abs() < 1e-9 {
            continue;
        }
        let pivot = rows.swap_remove(at);
        for row in &mut rows {
            let factor = row[column] / pivot[column];
            for (value, p) in row.iter_mut().zip(&pivot) {
                *value -= factor * p;
            }
        }
        basis.push((column, pivot));
    }
    let mut rest = target.to_vec();
    for (column, pivot) in &basis {
        let factor = rest[*column] / pivot[*column];
        for (value, p) in rest.iter_mut().zip(pivot) {
            *value -= factor * p;
        }
    }
    rest.iter().all(|v| v.abs() < 1e-6)
}

#[test]
fn the_solver_finds_the_classic_leak() {
    // A tract of three block groups, one withheld: tract − siblings gives it.
    // Unknown: x. Equations: the tract (x + published) and the layer's suppressed line (x).
    assert!(determined(&[vec![1.0]], &[1.0]));
    // Two withheld in one tract, and only their sum published: neither is determined.
    assert!(!determined(&[vec![1.0, 1.0]], &[1.0, 0.0]));
    // A ward splitting them differently recovers both.
    assert!(determined(&[vec![1.0, 1.0], vec![0.3, 1.0]], &[1.0, 0.0]));
}

type Table = Vec<BTreeMap<String, String>>;

/// A combination of block groups as a row over the unknowns.
type Dense<'a> = dyn Fn(&[(usize, f64)]) -> Vec<f64> + 'a;

fn districts(table: &Table) -> impl Iterator<Item = &BTreeMap<String, String>> {
    table
        .iter()
        .filter(|r| r["geoid"] != "suppressed" && r["geoid"] != "unassigned")
}

fn withheld(row: &BTreeMap<String, String>) -> bool {
    !row["suppressed"].is_empty()
}

#[test]
fn no_withheld_district_of_the_dc_package_can_be_solved_for() {
    let out = demo_output();
    // The same run without suppression tells which withheld districts describe someone.
    let dir = tempfile::tempdir().expect("temp dir");
    let full_out = dir.path().join("full");
    let output = gapmap(&[
        "run",
        "--config",
        "data/dc/gapmap.toml",
        "--out",
        full_out.to_str().expect("utf-8"),
        "--set",
        "suppression.min_households=0",
        "--set",
        "suppression.min_locations=0",
        "--set",
        "output.charts=false",
        "--set",
        "output.viewer=false",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let full: HashMap<String, (f64, f64)> = read_table(&full_out.join("block_group.csv"))
        .iter()
        .map(|r| {
            let number = |f: &str| r[f].parse::<f64>().unwrap_or(0.0);
            (
                r["geoid"].clone(),
                (number("households"), number("locations")),
            )
        })
        .collect();

    let block_groups = read_table(&out.join("block_group.csv"));
    let base: Vec<&BTreeMap<String, String>> = districts(&block_groups).collect();
    let unknown: Vec<usize> = (0..base.len()).filter(|&i| withheld(base[i])).collect();
    let column: HashMap<usize, usize> = unknown.iter().enumerate().map(|(k, &b)| (b, k)).collect();
    assert!(
        unknown.len() >= 40,
        "the DC demo withholds block groups: {}",
        unknown.len()
    );
    let dense = |combination: &[(usize, f64)]| {
        let mut row = vec![0.0; unknown.len()];
        for (b, c) in combination {
            if let Some(&k) = column.get(b) {
                row[k] += c;
            }
        }
        row
    };
    let mut equations: Vec<Vec<f64>> = Vec::new();
    let mut targets: Vec<(String, Vec<f64>)> = Vec::new();
    // Block groups: every withheld one describing someone is a target; their line an equation.
    equations.push(vec![1.0; unknown.len()]);
    for (&b, k) in &column {
        let (households, locations) = full[&base[b]["geoid"]];
        if households > 0.0 || locations > 0.0 {
            let mut target = vec![0.0; unknown.len()];
            target[*k] = 1.0;
            targets.push((base[b]["geoid"].clone(), target));
        }
    }
    // Tracts: the sum of their block groups.
    let tracts = read_table(&out.join("tract.csv"));
    let mut line = vec![0.0; unknown.len()];
    for tract in districts(&tracts) {
        let members: Vec<(usize, f64)> = (0..base.len())
            .filter(|&b| base[b]["geoid"].starts_with(tract["geoid"].as_str()))
            .map(|b| (b, 1.0))
            .collect();
        let row = dense(&members);
        if withheld(tract) {
            line.iter_mut().zip(&row).for_each(|(l, v)| *l += v);
            let described = members.iter().any(|(b, _)| {
                let (h, l) = full[&base[*b]["geoid"]];
                h > 0.0 || l > 0.0
            });
            if described {
                targets.push((tract["geoid"].clone(), row));
            }
        } else {
            equations.push(row);
        }
    }
    equations.push(line);
    equations.extend(apportioned_equations(out, &base, &dense));
    let recoverable: Vec<&String> = targets
        .iter()
        .filter(|(_, target)| {
            target.iter().all(|v| v.abs() < 1e-12) || determined(&equations, target)
        })
        .map(|(id, _)| id)
        .collect();
    assert!(
        recoverable.is_empty(),
        "{} withheld districts can be solved for from the package: {recoverable:?}",
        recoverable.len()
    );
}

/// The equations of the apportioned layers: each published district (and each layer's
/// `suppressed` and `unassigned` lines) as the area-weighted sum of the block groups, with
/// weights computed from the public boundaries.
fn apportioned_equations(
    out: &Path,
    base: &[&BTreeMap<String, String>],
    dense: &Dense<'_>,
) -> Vec<Vec<f64>> {
    let mut out_equations = Vec::new();
    let bg_layer = read_boundaries(
        &root().join("data/dc/boundaries/cb_2020_11_bg_500k.geojson"),
        None,
        "GEOID",
        None,
    )
    .expect("block groups");
    let geometry: HashMap<&str, &geo::MultiPolygon<f64>> = bg_layer
        .features
        .iter()
        .map(|f| (f.id.as_str(), &f.geometry))
        .collect();
    let units: Vec<&geo::MultiPolygon<f64>> =
        base.iter().map(|r| geometry[r["geoid"].as_str()]).collect();
    for (name, file, id_field) in [
        (
            "ward",
            "districts/wards_2022/Wards_from_2022.geojson",
            "GEOCODE",
        ),
        (
            "ward_2012",
            "districts/wards_2012/Wards_from_2012.shp",
            "WARD",
        ),
        ("anc", "districts/anc_2022/anc-2022.geojson", "anc_id"),
    ] {
        let layer = read_boundaries(&root().join("data/dc").join(file), None, id_field, None)
            .expect("layer");
        let shapes: Vec<&geo::MultiPolygon<f64>> =
            layer.features.iter().map(|f| &f.geometry).collect();
        let weights = areal_weights(&units, &shapes);
        let table = read_table(&out.join(format!("{name}.csv")));
        let mut combinations: Vec<Vec<(usize, f64)>> = vec![Vec::new(); layer.features.len()];
        let mut unassigned = Vec::new();
        for (unit, parts) in weights.parts.iter().enumerate() {
            for &(district, weight) in parts {
                combinations[district].push((unit, weight));
            }
            unassigned.push((unit, weights.unassigned(unit)));
        }
        let mut line = dense(&[]);
        for (feature, combination) in layer.features.iter().zip(&combinations) {
            let row = table
                .iter()
                .find(|r| r["geoid"] == feature.id)
                .expect("a row per district");
            let values = dense(combination);
            if withheld(row) {
                line.iter_mut().zip(&values).for_each(|(l, v)| *l += v);
            } else {
                out_equations.push(values);
            }
        }
        out_equations.push(line);
        out_equations.push(dense(&unassigned));
    }
    out_equations
}
