//! Affordability (METHOD.md §4) on the real DC and Jackson inputs, checked against figures
//! computed here from the input files directly.

use std::collections::BTreeMap;

use gapmap_core::SpeedThreshold;
use gapmap_gaps::affordability::{AffordabilityInputs, PriceSource, reference_price};
use gapmap_ingest::{PlanColumns, read_plans};

use crate::util::{demo_output, gapmap, number, read_table, root};

/// DP03 per ward, read with the csv crate: (total households, 10 brackets, median).
fn dp03_by_ward() -> BTreeMap<String, (f64, Vec<f64>, f64)> {
    let path = root().join("data/dc/acs_ward_dp03/ACS_5-Year_Economic_Characteristics_DC_Ward.csv");
    let mut reader = csv::Reader::from_path(path).expect("DP03 file");
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let at = |name: &str| headers.iter().position(|h| h == name).expect("DP03 column");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            let value = |name: &str| r[at(name)].parse::<f64>().expect("number");
            let brackets = (52..=61).map(|i| value(&format!("DP03_{i:04}E"))).collect();
            (
                r[at("GEOID")].to_owned(),
                (value("DP03_0051E"), brackets, value("DP03_0062E")),
            )
        })
        .collect()
}

/// METHOD.md §4 written out once more, independently of gapmap-gaps.
fn below(threshold: f64, brackets: &[f64]) -> f64 {
    let edges = [0.0, 10e3, 15e3, 25e3, 35e3, 50e3, 75e3, 100e3, 150e3, 200e3];
    let mut households = 0.0;
    for (k, count) in brackets.iter().enumerate() {
        match edges.get(k + 1) {
            Some(&high) if high <= threshold => households += count,
            Some(&high) if edges[k] < threshold => {
                households += count * (threshold - edges[k]) / (high - edges[k]);
            }
            None if edges[k] < threshold => households += count,
            _ => {}
        }
    }
    households
}

#[test]
fn ward_affordability_matches_the_dp03_brackets_at_two_percent() {
    let mut wards = read_table(&demo_output().join("ward.csv"));
    // The wards' own rows; the `unassigned` line of the apportionment has no ward figures.
    wards.retain(|w| w["geoid"] != "unassigned");
    assert_eq!(wards.len(), 8);
    let dp03 = dp03_by_ward();
    for ward in &wards {
        let (total, brackets, median) = &dp03[&ward["geoid"]];
        let price = number(ward, "reference_price").expect("the layer's price");
        assert_eq!(price, 39.99);
        let threshold = 12.0 * price / 0.02;
        assert!((number(ward, "income_threshold").expect("T") - threshold).abs() < 1e-9);
        let expected = below(threshold, brackets);
        let unaffordable = number(ward, "unaffordable").expect("brackets given");
        assert!(
            (unaffordable - expected).abs() < 1e-6,
            "{}: {unaffordable} vs {expected}",
            ward["name"]
        );
        let share = number(ward, "share_unaffordable").expect("share");
        assert!((share - expected / total).abs() < 1e-12);
        let ratio = number(ward, "cost_to_income").expect("median given");
        assert!((ratio - 12.0 * price / median).abs() < 1e-15);
    }
    // Ward 8 is the one most in need of help to afford a plan; Ward 4 the least.
    let share = |name: &str| {
        let ward = wards.iter().find(|w| w["name"] == name).expect("ward");
        number(ward, "share_unaffordable").expect("share")
    };
    assert!(share("Ward 8") > share("Ward 7") && share("Ward 4") < share("Ward 3"));
}

#[test]
fn the_share_of_income_is_one_flag_away() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("five");
    let output = gapmap(&[
        "demo",
        "--out",
        out.to_str().expect("utf-8"),
        "--affordability-share",
        "0.05",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dp03 = dp03_by_ward();
    for ward in read_table(&out.join("ward.csv"))
        .into_iter()
        .filter(|w| w["geoid"] != "unassigned")
    {
        let threshold = number(&ward, "income_threshold").expect("T");
        assert!((threshold - 12.0 * 39.99 / 0.05).abs() < 1e-9);
        let expected = below(threshold, &dp03[&ward["geoid"]].1);
        assert!((number(&ward, "unaffordable").expect("count") - expected).abs() < 1e-6);
    }
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("metadata.json")).expect("metadata"),
    )
    .expect("JSON");
    assert_eq!(metadata["affordability"]["share_of_income"], 0.05);
    let refused = gapmap(&[
        "demo",
        "--out",
        out.to_str().expect("utf-8"),
        "--affordability-share",
        "2",
    ]);
    assert_eq!(refused.status.code(), Some(2), "a share of 200% is refused");
}

#[test]
fn block_group_cost_to_income_uses_the_2010_prices_where_geoids_match() {
    // Prices per 2010 block group, read here from the long table.
    let mut prices = BTreeMap::new();
    let mut reader = csv::Reader::from_path(
        root().join("data/dc/prices/bbn_2021_internet_package_price_11001.csv"),
    )
    .expect("price table");
    for record in reader.records() {
        let r = record.expect("row");
        if &r[4] == "min_price_100_20" {
            prices.insert(r[0].to_owned(), r[5].parse::<f64>().expect("price"));
        }
    }
    let mut medians = BTreeMap::new();
    let mut reader = csv::Reader::from_path(
        root().join("data/dc/acs_2021_5yr_blockgroup/2021_11001_b19013-001.csv"),
    )
    .expect("B19013");
    for record in reader.records() {
        let r = record.expect("row");
        let median: f64 = r[0].parse().expect("number");
        if median > 0.0 {
            medians.insert(r[3].to_owned(), median);
        }
    }
    let rows = read_table(&demo_output().join("block_group.csv"));
    let mut matched = 0;
    for row in &rows {
        let geoid = &row["geoid"];
        match (prices.get(geoid), medians.get(geoid)) {
            (Some(_), Some(_)) if !row["suppressed"].is_empty() => {
                // Withheld (METHOD.md §8): no figure about its households, this ratio included.
                matched += 1;
                assert_eq!(number(row, "cost_to_income"), None, "{geoid}");
            }
            (Some(price), Some(median)) => {
                matched += 1;
                let ratio = number(row, "cost_to_income").expect("price and median");
                assert!((ratio - 12.0 * price / median).abs() < 1e-15, "{geoid}");
            }
            _ => assert_eq!(number(row, "cost_to_income"), None, "{geoid}"),
        }
    }
    assert_eq!(
        matched, 328,
        "block groups with both a 2010-GEOID price and a 2017–21 median"
    );
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(demo_output().join("metadata.json")).expect("metadata"),
    )
    .expect("JSON");
    let block_groups = metadata["affordability"]["price_matches"]
        .as_array()
        .expect("price matches")
        .iter()
        .find(|m| m["level"] == "block_group")
        .expect("block group level")
        .clone();
    assert_eq!(block_groups["with_table_price"], 366);
    assert_eq!(block_groups["with_cost_to_income"], 328);
    assert!(
        metadata["warnings"]
            .to_string()
            .contains("2010 census geography")
    );
}

#[test]
fn jackson_plans_flatten_to_one_price_for_every_speed() {
    // The Markup's AT&T offers: every address is offered $55 whatever the speed. The reference
    // price of a block group is the cheapest plan meeting 100/20 there; those below 100/20
    // never count, however cheap.
    let columns = PlanColumns {
        provider: "provider".into(),
        technology: "technology".into(),
        download: "speed_down".into(),
        upload: "speed_up".into(),
        price: "price".into(),
        area: Some("block_group".into()),
    };
    let plans = read_plans(
        &root().join("data/plans/markup_2022_jackson_att_plans.csv"),
        &columns,
    )
    .expect("plan table");
    assert_eq!(plans.len(), 3819);
    assert!(plans.iter().all(|p| p.monthly_price == 55.0));
    let served = SpeedThreshold::new(100.0, 20.0);
    let block_groups: std::collections::BTreeSet<&str> =
        plans.iter().filter_map(|p| p.area.as_deref()).collect();
    let inputs = AffordabilityInputs {
        share_of_income: 0.02,
        fallback_price: None,
        area_prices: None,
        plans: Some(plans.clone()),
        brackets: None,
        median_income: None,
    };
    let mut with_served_plan = 0;
    for block_group in &block_groups {
        let has_served = plans.iter().any(|p| {
            p.area.as_deref() == Some(*block_group)
                && served.is_met_by(p.download_mbps, p.upload_mbps)
        });
        match reference_price(block_group, &inputs, served, None) {
            Some((price, PriceSource::Plans)) => {
                assert!(has_served);
                assert_eq!(price, 55.0);
                with_served_plan += 1;
            }
            None => assert!(!has_served, "{block_group}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        with_served_plan > 0 && with_served_plan < block_groups.len(),
        "{with_served_plan} of {}",
        block_groups.len()
    );
}
