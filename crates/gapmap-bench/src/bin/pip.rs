//! `pip`: the points-in-polygons workload with gapmap's own code: polygons read by
//! gapmap-ingest (GeoJSON), points from a CSV (`x,y`), each point assigned to the polygon
//! holding it by `gapmap_gaps::apportion::assign_points` (R-tree + point-in-polygon, rayon),
//! and the count per polygon written as CSV.
//!
//! `pip <polygons.geojson> <points.csv> <out.csv>`

use std::io::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, polygons, points, out] = args.as_slice() else {
        anyhow::bail!("usage: pip <polygons.geojson> <points.csv> <out.csv>");
    };
    let started = Instant::now();
    let layer = gapmap_ingest::read_boundaries(std::path::Path::new(polygons), None, "id", None)?;
    let text = std::fs::read(points).with_context(|| format!("cannot read {points}"))?;
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect();
    let parsed: Vec<Option<geo::Point<f64>>> = {
        use rayon::prelude::*;
        lines
            .par_iter()
            .map(|line| {
                let line = std::str::from_utf8(line).ok()?;
                let (x, y) = line.split_once(',')?;
                Some(geo::Point::new(
                    x.trim().parse().ok()?,
                    y.trim().parse().ok()?,
                ))
            })
            .collect()
    };
    let read = started.elapsed().as_secs_f64();
    let geometries: Vec<&geo::MultiPolygon<f64>> =
        layer.features.iter().map(|f| &f.geometry).collect();
    let ids: Vec<&str> = layer.features.iter().map(|f| f.id.as_str()).collect();
    let owners = gapmap_gaps::apportion::assign_points(&parsed, &geometries, &ids);
    let mut counts = vec![0u64; ids.len()];
    for owner in owners.into_iter().flatten() {
        counts[owner] += 1;
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(file, "id,points")?;
    for (id, count) in ids.iter().zip(&counts) {
        writeln!(file, "{id},{count}")?;
    }
    file.flush()?;
    eprintln!(
        "{} points into {} polygons: read {read:.2} s, total {:.2} s",
        parsed.len(),
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
