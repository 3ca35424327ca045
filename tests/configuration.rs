//! docs/configuration.md names every key the settings take (issue #15). The keys are asked of
//! the settings themselves: each section refuses an unknown key and lists the ones it knows, so
//! a key added to the code and not to the page fails here.

use std::collections::BTreeSet;

use crate::util::{gapmap, root};

/// The keys gapmap lists when a section holds an unknown one.
fn known_keys(section: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("probe.toml");
    std::fs::write(&path, format!("{section}\nunknown_probe_key = 1\n")).expect("write");
    let output = gapmap(&["check", "--config", path.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let listed = stderr.split_once("expected").map_or_else(
        || panic!("{section}: no list of keys in {stderr}"),
        |(_, rest)| rest.lines().next().unwrap_or(""),
    );
    listed
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_configuration_page_names_every_key() {
    let page = std::fs::read_to_string(root().join("docs/configuration.md")).expect("the page");
    let documented: BTreeSet<&str> = page.split('`').skip(1).step_by(2).collect();
    // (section header, the keys' prefix on the page)
    let sections = [
        ("", ""),
        ("[area]", "area."),
        ("[bdc]", "bdc."),
        ("[acs]", "acs."),
        ("[blocks]", "blocks."),
        ("[blocks.points]", "blocks.points."),
        ("[ookla]", "ookla."),
        ("[affordability]", "affordability."),
        ("[affordability.area_prices]", "affordability.area_prices."),
        ("[affordability.brackets]", "affordability.brackets."),
        ("[thresholds]", "thresholds."),
        ("[thresholds.served]", "thresholds.served."),
        ("[need_weights]", "need_weights."),
        ("[suppression]", "suppression."),
        ("[output]", "output."),
        ("[[level]]", "level."),
        ("[[layer]]", "layer."),
    ];
    let mut missing = Vec::new();
    let mut checked = 0;
    for (section, prefix) in sections {
        let keys = known_keys(section);
        assert!(!keys.is_empty(), "{section}: no keys listed");
        for key in keys {
            checked += 1;
            let name = if prefix.is_empty() {
                // Top-level keys are sections: the page has a heading for each.
                format!("[{key}]")
            } else {
                format!("{prefix}{key}")
            };
            let found = documented.contains(name.as_str())
                || (prefix.is_empty() && documented.contains(format!("[[{key}]]").as_str()));
            if !found {
                missing.push(name);
            }
        }
    }
    // The plan table's keys (a flattened struct: the settings refuse unknown ones while checking).
    for key in [
        "file",
        "provider",
        "technology",
        "download",
        "upload",
        "price",
        "area",
        "source",
        "license",
    ] {
        let name = format!("affordability.plans.{key}");
        if !documented.contains(name.as_str()) {
            missing.push(name);
        }
    }
    assert!(checked > 80, "{checked} keys asked");
    assert!(
        missing.is_empty(),
        "docs/configuration.md lacks {missing:?}"
    );
}
