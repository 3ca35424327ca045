//! Tier bars, the histogram of one field, and income against adoption.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gapmap_export::charts::{ChartText, TierBar, histogram, scatter, thousands, tier_bars};
use gapmap_gaps::{DistrictGaps, FieldSource, FieldValue};

use crate::package::layers::PublishedLayer;
use crate::package::text::source_lines;
use crate::settings::Settings;

/// The stacked tier bars, the histogram of the configured field, and median income against
/// the share without broadband.
pub(super) fn distribution_charts(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    warning: &str,
) -> Result<Vec<PathBuf>> {
    let mut written = tier_chart(charts, settings, level, warning)?;
    written.extend(histogram_chart(charts, settings, level, warning)?);
    written.extend(income_scatter(charts, settings, level)?);
    Ok(written)
}

/// The layer's published rows (withheld districts have no figure to show).
fn published<'a>(level: &'a PublishedLayer<'_>) -> Vec<&'a DistrictGaps> {
    level
        .result
        .rows
        .iter()
        .filter(|r| r.suppressed.is_none())
        .collect()
}

/// Locations by BEAD tier, the districts with the largest gap first (§2).
fn tier_chart(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    warning: &str,
) -> Result<Vec<PathBuf>> {
    let rows = published(level);
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let (singular, plural) = (&level.names.singular, &level.names.plural);
    let unit_names = (singular.clone(), plural.clone());
    let area = &settings.area.name;
    let mut written = Vec::new();
    let mut tiers: Vec<(&DistrictGaps, [f64; 3], f64)> = rows
        .iter()
        .filter_map(|r| {
            let shares = [r.share_served?, r.share_underserved?, r.share_unserved?];
            Some((*r, shares, r.locations?))
        })
        .collect();
    if !tiers.is_empty() {
        // Largest gap first; ties by id so the chart is the same every run.
        tiers.sort_by(|a, b| {
            (b.1[1] + b.1[2])
                .total_cmp(&(a.1[1] + a.1[2]))
                .then_with(|| a.0.geoid.cmp(&b.0.geoid))
        });
        let top = settings.output.top_districts.max(1);
        let all = tiers.len() <= top;
        tiers.truncate(top);
        let bars: Vec<TierBar> = tiers
            .iter()
            .map(|(r, shares, locations)| TierBar {
                label: if r.name == r.geoid {
                    r.name.clone()
                } else {
                    format!("{} ({})", r.name, r.geoid)
                },
                shares: *shares,
                locations: *locations,
            })
            .collect();
        let title = if all {
            format!("Residential locations by BEAD tier, by {label}")
        } else {
            format!(
                "Residential locations by BEAD tier: the {} {plural} with the largest gap",
                bars.len()
            )
        };
        let text = ChartText {
            title,
            subtitle: format!(
                "{area} · served ≥ 100/20 Mbps, underserved ≥ 25/3, unserved below; reliable technologies only (METHOD.md §2)"
            ),
            warning: warning.to_owned(),
            legend_title: "Share of residential locations".into(),
            source: source_lines(settings, true, false, false),
            unit_names: unit_names.clone(),
            no_data_label: String::new(),
        };
        let files = tier_bars(&charts.join(format!("{name}_tiers")), &bars, &text)?;
        written.extend([files.png, files.svg]);
    }

    Ok(written)
}

/// The distribution of the configured `histogram_field`.
fn histogram_chart(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
    warning: &str,
) -> Result<Vec<PathBuf>> {
    let rows = published(level);
    let name = level.result.name.as_str();
    let (singular, plural) = (&level.names.singular, &level.names.plural);
    let unit_names = (singular.clone(), plural.clone());
    let area = &settings.area.name;
    let mut written = Vec::new();
    // The field was checked when the settings were read; a hand-made `Settings` naming no
    // numeric field gets no histogram.
    let Some(field) =
        gapmap_gaps::Field::named(&settings.output.histogram_field).filter(|f| f.is_numeric())
    else {
        return Ok(written);
    };
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|r| match (field.value)(r) {
            FieldValue::Number(n) => Some(n),
            FieldValue::Count(n) => Some(n as f64),
            FieldValue::Text(_) | FieldValue::Empty => None,
        })
        .collect();
    if values.len() >= 3 {
        let share = field.unit == "share";
        let availability = field.source == FieldSource::Availability;
        let name_of_field = field.name;
        let text = ChartText {
            title: format!(
                "{}: distribution over the {plural}",
                field_title(name_of_field)
            ),
            subtitle: format!(
                "{area} · {} {plural} with a value; withheld (METHOD.md §8) and empty ones left out",
                values.len()
            ),
            warning: if availability {
                warning.to_owned()
            } else {
                String::new()
            },
            legend_title: if share {
                format!("{} ({name_of_field}, share)", field_title(name_of_field))
            } else {
                format!("{} ({name_of_field})", field_title(name_of_field))
            },
            source: source_lines(
                settings,
                availability,
                field.source == FieldSource::Census,
                field.source == FieldSource::Speed,
            ),
            unit_names: unit_names.clone(),
            no_data_label: String::new(),
        };
        let format: &dyn Fn(f64) -> String = if share {
            &|v| format!("{:.0}%", v * 100.0)
        } else {
            &|v| thousands(v)
        };
        let files = histogram(
            &charts.join(format!("{name}_histogram_{name_of_field}")),
            &values,
            &text,
            format,
        )?;
        written.extend([files.png, files.svg]);
    }

    Ok(written)
}

/// Median income against the share of households without broadband (§3).
fn income_scatter(
    charts: &Path,
    settings: &Settings,
    level: &PublishedLayer<'_>,
) -> Result<Vec<PathBuf>> {
    let rows = published(level);
    let name = level.result.name.as_str();
    let label = &level.names.title;
    let (singular, plural) = (&level.names.singular, &level.names.plural);
    let unit_names = (singular.clone(), plural.clone());
    let area = &settings.area.name;
    let mut written = Vec::new();
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((r.median_income?.value, r.share_without_broadband?.value)))
        .collect();
    if points.len() >= 3 {
        let text = ChartText {
            title: format!("Median household income and households without broadband, by {label}"),
            subtitle: format!(
                "{area} · each dot a {singular}; ACS estimates with margins of error (in the data files); medians of $250,000 or more are top-coded at 250,001"
            ),
            warning: String::new(),
            legend_title: String::new(),
            source: source_lines(settings, false, true, false)
                .replace("(B28002)", "(B28002, B19013)"),
            unit_names,
            no_data_label: String::new(),
        };
        let files = scatter(
            &charts.join(format!("{name}_income_vs_without_broadband")),
            &points,
            &text,
            (
                "Median household income ($ a year)",
                "Households without broadband (share)",
            ),
            &|v| format!("${}k", thousands(v / 1000.0)),
            &|v| format!("{:.0}%", v * 100.0),
        )?;
        written.extend([files.png, files.svg]);
    }
    Ok(written)
}

/// A field's name in words, for chart titles (the field's own name stays on the axis).
pub(crate) fn field_title(field: &str) -> String {
    let known = match field {
        "share_without_broadband" => "Households without broadband",
        "share_no_internet" => "Households with no internet access",
        "share_no_computer" => "Households with no computer",
        "share_unaffordable" => "Households for whom the cheapest plan is unaffordable",
        "share_served" => "Locations served at 100/20 Mbps",
        "share_underserved" => "Locations underserved",
        "share_unserved" => "Locations unserved",
        "share_gigabit" => "Locations with a gigabit offer",
        "cost_to_income" => "Cheapest plan as a share of median income",
        "median_income" => "Median household income",
        "need_index" => "Need index",
        "speed_mean_down_mbps" => "Mean download speed (Ookla)",
        "speed_mean_up_mbps" => "Mean upload speed (Ookla)",
        "share_slow_tests" => "Share of slow speed tests",
        _ => "",
    };
    if known.is_empty() {
        let words = field.replace('_', " ");
        let mut chars = words.chars();
        chars.next().map_or_else(String::new, |c| {
            c.to_uppercase().collect::<String>() + chars.as_str()
        })
    } else {
        known.to_owned()
    }
}
