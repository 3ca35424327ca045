//! Price tables (METHOD.md §4), in the two real shapes:
//! - area level, long format (`geoid, region_type, ..., measure, value`): a price per area for
//!   a speed tier, e.g. BroadbandNow's minimum 100/20 price per block group;
//! - plan level: one row per offer with provider, technology, speeds and monthly price, e.g.
//!   The Markup's AT&T offers; an optional column says where the offer was seen.

use std::collections::BTreeMap;
use std::path::Path;

use gapmap_core::Plan;

use crate::IngestError;
use crate::table::{Table, open_table};

/// Prices per area id (a GEOID of any level), for one measure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaPrices {
    /// The measure read (e.g. `min_price_100_20`).
    pub measure: String,
    /// Area id → monthly price, USD.
    pub prices: BTreeMap<String, f64>,
    /// Rows of that measure whose value was `NA` or empty.
    pub missing_values: usize,
}

/// Reads one `measure` of a long-format area price table.
pub fn read_area_prices(path: &Path, measure: &str) -> Result<AreaPrices, IngestError> {
    let Table {
        mut reader,
        positions,
    } = open_table(
        path,
        &["geoid", "measure", "value"],
        "an area-level price table (long format)",
    )?;
    let mut result = AreaPrices {
        measure: measure.to_owned(),
        ..AreaPrices::default()
    };
    let mut measures_seen = std::collections::BTreeSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record =
            record.map_err(|e| IngestError::format(path, format!("record {line}: {e}")))?;
        let field = |i: usize| record.get(positions[i]).unwrap_or("").trim();
        if field(1) != measure {
            measures_seen.insert(field(1).to_owned());
            continue;
        }
        let geoid = field(0);
        let value = field(2);
        if value.is_empty() || value.eq_ignore_ascii_case("NA") {
            result.missing_values += 1;
            continue;
        }
        let price = value
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p > 0.0)
            .ok_or_else(|| IngestError::Value {
                path: path.to_owned(),
                record: line,
                column: "value".into(),
                message: format!("`{value}` is not a monthly price in dollars"),
            })?;
        if result.prices.insert(geoid.to_owned(), price).is_some() {
            return Err(IngestError::Value {
                path: path.to_owned(),
                record: line,
                column: "geoid".into(),
                message: format!("area {geoid} has two `{measure}` prices; keep one"),
            });
        }
    }
    if result.prices.is_empty() {
        return Err(IngestError::format(
            path,
            format!(
                "no price for the measure `{measure}`; the table has the measures {}",
                measures_seen.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(result)
}

/// Which columns of a plan table hold what (the keys of `[affordability.plans]` too).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanColumns {
    /// Provider.
    pub provider: String,
    /// Technology.
    pub technology: String,
    /// Download speed, Mbps.
    pub download: String,
    /// Upload speed, Mbps.
    pub upload: String,
    /// Monthly price.
    pub price: String,
    /// Optional area GEOID column.
    pub area: Option<String>,
}

/// Reads a plan-level price table with the given column names.
pub fn read_plans(path: &Path, columns: &PlanColumns) -> Result<Vec<Plan>, IngestError> {
    let mut names = vec![
        columns.provider.as_str(),
        columns.technology.as_str(),
        columns.download.as_str(),
        columns.upload.as_str(),
        columns.price.as_str(),
    ];
    if let Some(area) = &columns.area {
        names.push(area);
    }
    let Table {
        mut reader,
        positions,
    } = open_table(path, &names, "the plan table (as configured)")?;
    let mut plans = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record =
            record.map_err(|e| IngestError::format(path, format!("record {line}: {e}")))?;
        let field = |i: usize| record.get(positions[i]).unwrap_or("").trim();
        let number = |i: usize| {
            field(i)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| IngestError::Value {
                    path: path.to_owned(),
                    record: line,
                    column: names[i].to_owned(),
                    message: format!("`{}` is not a non-negative number", field(i)),
                })
        };
        plans.push(Plan {
            provider: field(0).to_owned(),
            technology: field(1).to_owned(),
            download_mbps: number(2)?,
            upload_mbps: number(3)?,
            monthly_price: number(4)?,
            area: (positions.len() > 5)
                .then(|| field(5).to_owned())
                .filter(|a| !a.is_empty()),
        });
    }
    Ok(plans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_measure_of_a_long_table_is_read_and_na_counted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("p.csv");
        std::fs::write(
            &path,
            "geoid,region_type,region_name,year,measure,value,measure_type,measure_units\n\
             110010008021,block group,\"BG 1, Tract 8.02\",2021,min_price_100_20,39.99,price,dollars\n\
             110010008021,block group,\"BG 1, Tract 8.02\",2021,min_price_25,19.99,price,dollars\n\
             110010008022,block group,x,2021,min_price_100_20,NA,price,dollars\n\
             11001,county,x,2021,min_price_100_20,39.99,price,dollars\n",
        )
        .expect("write");
        let prices = read_area_prices(&path, "min_price_100_20").expect("valid table");
        assert_eq!(prices.prices.len(), 2);
        assert_eq!(prices.prices["110010008021"], 39.99);
        assert_eq!(prices.missing_values, 1);
        let message = read_area_prices(&path, "min_price_1000")
            .expect_err("no such measure")
            .to_string();
        assert!(message.contains("min_price_25"), "{message}");
    }

    #[test]
    fn plans_are_read_with_configured_columns() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plans.csv");
        std::fs::write(
            &path,
            "address_full,block_group,provider,price,speed_down,speed_up,technology\n\
             \"6652 Lake Glen Dr Jackson, MS 39213\",280490102032,AT&T,55.0,75.0,20.0,Not Fiber\n\
             \"1 Main St\",280490102033,AT&T,55.0,300.0,300.0,Fiber\n",
        )
        .expect("write");
        let columns = PlanColumns {
            provider: "provider".into(),
            technology: "technology".into(),
            download: "speed_down".into(),
            upload: "speed_up".into(),
            price: "price".into(),
            area: Some("block_group".into()),
        };
        let plans = read_plans(&path, &columns).expect("valid table");
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[1].download_mbps, 300.0);
        assert_eq!(plans[0].area.as_deref(), Some("280490102032"));
    }
}
