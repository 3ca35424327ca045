//! Snapshot tests of the SVG charts: each chart is drawn from fixed inputs and compared with
//! the SVG committed under `tests/snapshots/`. A change in a chart's drawing shows up here as a
//! diff to look at; after looking (open the SVG), accept it with
//! `UPDATE_SNAPSHOTS=1 cargo test -p gapmap-export --test snapshots`.

use std::path::{Path, PathBuf};

use gapmap_export::charts::{
    ChartText, ClassMethod, MapFeature, RankedBar, Series, TierBar, Worse, choropleth,
    grouped_bars, histogram, ranked_bars, scatter, tier_bars,
};
use geo::{MultiPolygon, polygon};

fn text(title: &str) -> ChartText {
    ChartText {
        title: title.into(),
        subtitle: "Snapshot area · fixed inputs".into(),
        warning: "SIMULATED test data".into(),
        legend_title: "Share\n(of households)".into(),
        source: "Sources: hand-made test shapes.\nMethod: gapmap snapshot test.".into(),
        unit_names: ("district".into(), "districts".into()),
        no_data_label: "No households".into(),
    }
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Compares `<name>.svg` drawn in `dir` with the committed snapshot.
fn check(dir: &Path, name: &str) {
    let drawn = std::fs::read_to_string(dir.join(format!("{name}.svg"))).expect("drawn SVG");
    assert!(drawn.starts_with("<svg"), "{name}: not an SVG");
    let snapshot: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "snapshots",
        &format!("{name}.svg"),
    ]
    .iter()
    .collect();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &drawn).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1 and look at it",
            snapshot.display()
        )
    });
    if drawn != expected {
        let line = drawn
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name}.svg differs from its snapshot from line {} on:\n  drawn:    {}\n  expected: {}\nLook at {} and, if it is right, run with UPDATE_SNAPSHOTS=1",
            line + 1,
            drawn.lines().nth(line).unwrap_or(""),
            expected.lines().nth(line).unwrap_or(""),
            dir.join(format!("{name}.svg")).display()
        );
    }
}

#[test]
fn choropleth_with_classes_no_data_and_a_withheld_district() {
    let dir = tempfile::tempdir().expect("temp dir");
    let squares: Vec<MultiPolygon<f64>> = (0..6)
        .map(|i| {
            let x = -77.1 + f64::from(i % 3) * 0.02;
            let y = 38.9 + f64::from(i / 3) * 0.02;
            MultiPolygon(vec![polygon![
                (x: x, y: y), (x: x + 0.02, y: y), (x: x + 0.02, y: y + 0.02), (x: x, y: y + 0.02),
            ]])
        })
        .collect();
    let values = [
        Some(0.05),
        Some(0.10),
        Some(0.30),
        None,
        Some(0.20),
        Some(0.15),
    ];
    let names = ["A", "B", "C", "D", "E", "F"];
    let features: Vec<MapFeature<'_>> = squares
        .iter()
        .zip(values)
        .zip(names)
        .enumerate()
        .map(|(i, ((geometry, value), name))| MapFeature {
            geometry,
            value: if i == 5 { None } else { value },
            label: Some(name),
            suppressed: i == 5,
        })
        .collect();
    for (method, name) in [
        (ClassMethod::Quantiles, "choropleth_quantiles"),
        (ClassMethod::NaturalBreaks, "choropleth_natural_breaks"),
    ] {
        choropleth(
            &dir.path().join(name),
            &features,
            &text("A choropleth"),
            method,
            Worse::High,
            &percent,
        )
        .expect("drawn");
        check(dir.path(), name);
    }
}

#[test]
fn bar_charts_histogram_and_scatter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bars: Vec<RankedBar> = [("Ward 8", 22.6), ("Ward 7", 19.1), ("Ward 5", 14.0)]
        .iter()
        .map(|(label, value)| RankedBar {
            label: (*label).into(),
            value: *value,
        })
        .collect();
    ranked_bars(&dir.path().join("ranked"), &bars, &text("Ranked")).expect("drawn");
    check(dir.path(), "ranked");

    let tiers = vec![
        TierBar {
            label: "Ward 6".into(),
            shares: [0.79, 0.16, 0.05],
            locations: 5357.0,
        },
        TierBar {
            label: "Ward 1".into(),
            shares: [0.83, 0.12, 0.05],
            locations: 4392.0,
        },
    ];
    tier_bars(&dir.path().join("tiers"), &tiers, &text("Tiers")).expect("drawn");
    check(dir.path(), "tiers");

    let values: Vec<f64> = (0..40).map(|i| f64::from(i * i % 37) / 100.0).collect();
    histogram(
        &dir.path().join("histogram"),
        &values,
        &text("Histogram"),
        &percent,
    )
    .expect("drawn");
    check(dir.path(), "histogram");

    let points: Vec<(f64, f64)> = (1..30)
        .map(|i| {
            (
                f64::from(i) * 8000.0,
                0.4 - f64::from(i) * 0.01 + f64::from(i % 5) * 0.02,
            )
        })
        .collect();
    scatter(
        &dir.path().join("scatter"),
        &points,
        &text("Scatter"),
        ("Median income", "Without broadband"),
        &|v| format!("${:.0}k", v / 1000.0),
        &percent,
    )
    .expect("drawn");
    check(dir.path(), "scatter");

    let series = vec![
        Series {
            label: "at 2%".into(),
            values: vec![Some(0.30), Some(0.10)],
        },
        Series {
            label: "at 5%".into(),
            values: vec![Some(0.14), None],
        },
    ];
    grouped_bars(
        &dir.path().join("grouped"),
        &["Ward 8".into(), "Ward 3".into()],
        &series,
        &text("Grouped"),
        &percent,
    )
    .expect("drawn");
    check(dir.path(), "grouped");
}
