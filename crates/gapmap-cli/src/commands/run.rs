//! `gapmap run`: resolved configuration → inputs → figures → package, through the `gapmap`
//! library; this file only reports.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use gapmap::{Config, Overrides, Results};

/// Reads `config`, computes every layer and writes the package into `out`.
pub fn run(config: &Path, out: &Path, overrides: &Overrides) -> Result<()> {
    let started = Instant::now();
    let config = Config::resolve(config, overrides)?;
    gapmap::check_out(out)?;
    eprintln!("reading inputs of {}", config.settings.area.name);
    let inputs = gapmap::load(&config)?;
    let results = gapmap::compute(&config, &inputs)?;
    report(&config, &results);
    let written = gapmap::publish(out, &config, &inputs, &results)?;
    for path in &written {
        println!("{}", path.display());
    }
    eprintln!(
        "wrote {} files to {} in {:.2} s",
        written.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What the run found, on stderr: prices matched, districts withheld, warnings.
fn report(config: &Config, results: &Results) {
    let measure = config
        .settings
        .affordability
        .as_ref()
        .and_then(|a| a.area_prices.as_ref())
        .map(|p| p.measure.as_str());
    if let Some(measure) = measure {
        for matched in &results.run.price_matches {
            eprintln!(
                "  prices: {} of {} {} districts found a `{measure}` price in the area table; {} have a cost_to_income",
                matched.with_table_price,
                matched.districts,
                matched.level,
                matched.with_cost_to_income
            );
        }
    }
    for layer in &results.run.layers {
        eprintln!(
            "  {}: {} districts, {} withheld as small (METHOD.md §8) and {} to protect them",
            layer.result.name,
            layer.result.rows.len(),
            layer.withheld.primary,
            layer.withheld.complementary,
        );
    }
    for warning in &results.warnings {
        eprintln!("warning: {warning}");
    }
}
