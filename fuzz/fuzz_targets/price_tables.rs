//! Price tables: the area-level long table and the plan-level table.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = common::file("prices.csv", data);
    let _ = gapmap_ingest::read_area_prices(&path, "min_price_100_20");
    let columns = gapmap_ingest::PlanColumns {
        provider: "provider".into(),
        technology: "technology".into(),
        download: "speed_down".into(),
        upload: "speed_up".into(),
        price: "price".into(),
        area: Some("block_group".into()),
    };
    let _ = gapmap_ingest::read_plans(&path, &columns);
});
