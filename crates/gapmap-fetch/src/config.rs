//! The `gapmap.toml` a fetch writes: the sources it downloaded, METHOD.md's defaults written
//! out, and what is missing said in comments.

use std::fmt::Write as _;

use crate::Layout;

/// A census level's boundaries.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    pub kind: &'static str,
    pub boundaries: String,
    pub name_field: Option<String>,
}

/// A TOML string (quoted and escaped).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

pub(crate) fn render(layout: &Layout) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# gapmap run configuration written by `gapmap fetch` ({}).\n\
         # Paths are relative to this file; sources.json beside it gives every file's URL, date and SHA-256.\n\
         # docs/configuration.md describes every key.\n",
        concat!("gapmap ", env!("CARGO_PKG_VERSION"))
    );
    let _ = writeln!(
        out,
        "[area]\nname = {}\nboundaries_source = {}\n",
        quoted(&layout.area_name),
        quoted(&layout.boundaries_source)
    );
    match &layout.bdc_vintage {
        Some(vintage) => {
            let _ = writeln!(
                out,
                "[bdc]\n# The state's fixed-availability zips (one per technology) from the FCC's BDC Public Data API.\nfiles = [\"bdc\"]\nvintage = {}\n",
                quoted(vintage)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# No FCC BDC availability was fetched (see `gapmap fetch --help`): put the state's\n\
                 # fixed-availability zips in bdc/ and uncomment these lines.\n\
                 # [bdc]\n# files = [\"bdc\"]\n# vintage = \"as of YYYY-MM-DD\"\n"
            );
        }
    }
    if let Some(vintage) = &layout.acs_vintage {
        let _ = writeln!(
            out,
            "[acs]\n# Census Data API replies, one per table and county.\ntables = [\"acs\"]\nvintage = {}\n",
            quoted(vintage)
        );
    }
    render_blocks(&mut out, layout);
    if let Some(period) = &layout.ookla_period {
        let _ = writeln!(
            out,
            "[ookla]\n# Ookla's fixed tiles of each quarter, cut to the area (each goes to the district holding its centre).\ntiles = [\"ookla\"]\n{}period = {}\n",
            layout.ookla_mobile.as_ref().map_or_else(String::new, |folder| format!(
                "# Its mobile tiles of the same quarters, published apart (METHOD.md §10).\nmobile_tiles = [{}]\n",
                quoted(folder)
            )),
            quoted(period)
        );
    }
    if layout.acs_vintage.is_some() {
        let _ = writeln!(
            out,
            "[affordability]\n# METHOD.md §4. No price table is fetched: add [affordability.area_prices] or\n\
             # `reference_price` (the lowest 100/20 plan's monthly price) for affordability figures.\n\
             share_of_income = 0.02\nmedian_income = \"B19013_001\"\nbrackets = {{ preset = \"B19001\" }}\n"
        );
    }
    for level in &layout.levels {
        let _ = writeln!(
            out,
            "[[level]]\nlevel = {}\nboundaries = {}\nid_field = \"GEOID\"",
            quoted(level.kind),
            quoted(&level.boundaries)
        );
        if let Some(name) = &level.name_field {
            let _ = writeln!(out, "name_field = {}", quoted(name));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "# METHOD.md's defaults, written out.\n\
         [thresholds]\n\
         served = {{ download = 100, upload = 20 }}\n\
         underserved = {{ download = 25, upload = 3 }}\n\
         gigabit = {{ download = 1000, upload = 500 }}\n\
         reliable_technologies = [10, 40, 50, 71, 72]\n\
         require_low_latency = true\n\
         slow_tile = {{ download = 25, upload = 3 }}\n\
         min_speed_tests = 50\n\n\
         [suppression]\n\
         min_households = 20\n\
         min_locations = 20"
    );
    out
}

/// `[blocks]`: the counts, and the points when fetched.
fn render_blocks(out: &mut String, layout: &Layout) {
    if layout.blocks {
        let _ = writeln!(
            out,
            "[blocks]\n# 2020 housing units per block (PL 94-171 H1_001N), one reply per county.\nhousing_counts = [\"census2020\"]"
        );
        match &layout.block_points {
            Some(points) => {
                let _ = writeln!(
                    out,
                    "# 2020 block internal points (TIGER/Line): a [[layer]] of your districts is apportioned through blocks.\npoints = {{ file = {} }}\n",
                    quoted(points)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "# `gapmap fetch --block-points` adds the blocks' internal points, to apportion a [[layer]] of\n# your own districts through blocks rather than by area (METHOD.md §6).\n"
                );
            }
        }
    }
}
