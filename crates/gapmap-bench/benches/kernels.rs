//! Criterion micro-benchmarks of gapmap's hot kernels: tier classification of one row, the MOE
//! roll-up of a level, and point-in-polygon assignment of tile centroids.
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use gapmap_core::{Estimate, Qualification, Technology, Thresholds};
use gapmap_gaps::apportion::assign_points;
use geo::{MultiPolygon, Point, Rect, coord};
use std::hint::black_box;

fn tiers(c: &mut Criterion) {
    let thresholds = Thresholds::default();
    let rows: Vec<(u16, f64, f64, bool)> = (0..10_000)
        .map(|i| {
            let tech = [10, 40, 50, 60, 61, 70, 71][i % 7];
            (
                tech,
                f64::from((i * 37 % 1200) as u32),
                f64::from((i * 11 % 600) as u32),
                i % 5 != 0,
            )
        })
        .collect();
    c.bench_function("tier classification, 10k rows", |b| {
        b.iter(|| {
            let mut served = 0u32;
            for &(tech, down, up, low) in &rows {
                let q =
                    Qualification::of_row(&thresholds, Technology(tech), Some(down), Some(up), low);
                served += u32::from(q.tier() == gapmap_core::Tier::Served);
            }
            black_box(served)
        });
    });
}

fn moe_rollup(c: &mut Criterion) {
    let parts: Vec<Estimate> = (0..571)
        .map(|i| Estimate::new(f64::from(i % 900 + 10), f64::from(i % 120 + 5)))
        .collect();
    c.bench_function("MOE roll-up, 571 block groups into one county", |b| {
        b.iter(|| black_box(gapmap_core::moe::sum(black_box(&parts))));
    });
}

fn point_in_polygon(c: &mut Criterion) {
    // A 100 × 100 grid of districts and 100k points.
    let districts: Vec<MultiPolygon<f64>> = (0..10_000)
        .map(|i| {
            let (x, y) = (f64::from(i % 100) * 0.01, f64::from(i / 100) * 0.01);
            MultiPolygon(vec![
                Rect::new(coord! { x: x, y: y }, coord! { x: x + 0.01, y: y + 0.01 }).to_polygon(),
            ])
        })
        .collect();
    let refs: Vec<&MultiPolygon<f64>> = districts.iter().collect();
    let ids: Vec<String> = (0..10_000).map(|i| format!("{i:05}")).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let points: Vec<Option<Point<f64>>> = (0..100_000u32)
        .map(|i| {
            Some(Point::new(
                f64::from(i * 7919 % 99_991) / 99_991.0,
                f64::from(i * 104_729 % 99_989) / 99_989.0,
            ))
        })
        .collect();
    let mut group = c.benchmark_group("point in polygon");
    group.sample_size(10);
    group.bench_function("100k points into 10k districts", |b| {
        b.iter(|| black_box(assign_points(black_box(&points), &refs, &id_refs)));
    });
    group.finish();
}

criterion_group!(benches, tiers, moe_rollup, point_in_polygon);
criterion_main!(benches);
