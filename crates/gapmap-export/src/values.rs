//! How field values are written, the same in GeoJSON and CSV.

use gapmap_gaps::FieldValue;

/// Largest integer an f64 holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// A number as text: integers without a decimal point, others in the shortest form that reads
/// back to the same f64.
pub(crate) fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < EXACT {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

pub(crate) fn to_json(value: &FieldValue) -> serde_json::Value {
    match value {
        FieldValue::Text(text) => serde_json::Value::String(text.clone()),
        FieldValue::Count(count) => serde_json::Value::from(*count),
        FieldValue::Number(n) if n.fract() == 0.0 && n.abs() < EXACT => {
            serde_json::Value::from(*n as i64)
        }
        FieldValue::Number(n) => serde_json::Number::from_f64(*n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        FieldValue::Empty => serde_json::Value::Null,
    }
}

pub(crate) fn to_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::Count(count) => count.to_string(),
        FieldValue::Number(n) => number_text(*n),
        FieldValue::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_lose_the_decimal_point_and_fractions_round_trip() {
        assert_eq!(number_text(762.0), "762");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(0.15), "0.15");
        let third = 1.0 / 3.0;
        assert_eq!(number_text(third).parse::<f64>().expect("number"), third);
        assert_eq!(to_json(&FieldValue::Number(762.0)).to_string(), "762");
        assert_eq!(to_json(&FieldValue::Empty).to_string(), "null");
    }
}
