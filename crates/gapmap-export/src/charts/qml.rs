//! QGIS layer styles (`.qml`) with the classes and colours of the PNG choropleths, so a
//! planner who opens a layer in QGIS gets the same map. A rule-based renderer: one rule per
//! class on a QGIS expression of the layer's fields, withheld districts grey and hatched, the
//! rest (no value) grey — as the PNG's legend says.

use std::fmt::Write as _;
use std::path::Path;

use plotters::style::RGBColor;

use super::{Classes, NO_DATA, Worse, colours_of};
use crate::ExportError;
use crate::atomic::write_atomic;

/// What a style colours: the expression giving the map's value from the layer's fields (the
/// same value the PNG classes), its classes, which end is worse, and the legend's labels.
pub struct QmlMap<'a> {
    /// A QGIS expression, e.g. `"share_unserved" + "share_underserved"`.
    pub expression: &'a str,
    /// The PNG map's classes of that value.
    pub classes: &'a Classes,
    /// Which end is dark red.
    pub worse: Worse,
    /// How a class bound prints (as on the PNG legend).
    pub format: &'a dyn Fn(f64) -> String,
    /// The label of districts without a value.
    pub no_data: &'a str,
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn rgba(colour: RGBColor) -> String {
    format!("{},{},{},255", colour.0, colour.1, colour.2)
}

/// A fill symbol: a solid fill with a thin dark outline, and hatching over it if asked.
fn symbol(out: &mut String, name: usize, fill: RGBColor, hatched: bool) {
    let _ = write!(
        out,
        r#"   <symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="{}"/>
      <Option type="QString" name="joinstyle" value="bevel"/>
      <Option type="QString" name="outline_color" value="51,51,51,255"/>
      <Option type="QString" name="outline_style" value="solid"/>
      <Option type="QString" name="outline_width" value="0.26"/>
      <Option type="QString" name="outline_width_unit" value="MM"/>
      <Option type="QString" name="style" value="solid"/>
     </Option>
    </layer>
"#,
        rgba(fill)
    );
    if hatched {
        out.push_str(
            r#"    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option type="QString" name="color" value="115,115,115,255"/>
      <Option type="QString" name="outline_style" value="no"/>
      <Option type="QString" name="style" value="b_diagonal"/>
     </Option>
    </layer>
"#,
        );
    }
    out.push_str("   </symbol>\n");
}

/// The style's text.
pub fn qml_text(map: &QmlMap<'_>) -> String {
    let classes = map.classes;
    let colours = colours_of(classes, map.worse);
    let value = format!("({})", map.expression);
    let mut rules = String::new();
    let mut symbols = String::new();
    // Withheld first: its values are empty, and its reason is in `suppressed`.
    let _ = writeln!(
        rules,
        r#"   <rule key="withheld" symbol="0" label="Withheld to protect privacy (§8)" filter="{}"/>"#,
        xml(r#""suppressed" IS NOT NULL AND "suppressed" <> ''"#)
    );
    symbol(&mut symbols, 0, NO_DATA, true);
    // Highest class first, as the PNG legend lists them.
    for i in (0..classes.upper.len()).rev() {
        let upper = classes.upper[i];
        let (label, filter) = if i == 0 {
            (
                if classes.min == upper {
                    (map.format)(upper)
                } else {
                    format!("{} – {}", (map.format)(classes.min), (map.format)(upper))
                },
                format!("{value} >= {} AND {value} <= {upper}", classes.min),
            )
        } else {
            let lower = classes.upper[i - 1];
            (
                format!("> {} – {}", (map.format)(lower), (map.format)(upper)),
                format!("{value} > {lower} AND {value} <= {upper}"),
            )
        };
        let _ = writeln!(
            rules,
            r#"   <rule key="class{i}" symbol="{}" label="{}" filter="{}"/>"#,
            i + 1,
            xml(&label),
            xml(&format!(
                r#"({filter}) AND ("suppressed" IS NULL OR "suppressed" = '')"#
            ))
        );
        symbol(&mut symbols, i + 1, colours[i], false);
    }
    let other = classes.upper.len() + 1;
    let _ = writeln!(
        rules,
        r#"   <rule key="nodata" symbol="{other}" label="{}" filter="ELSE"/>"#,
        xml(map.no_data)
    );
    symbol(&mut symbols, other, NO_DATA, false);
    format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16" styleCategories="Symbology">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
  <rules key="root">
{rules}  </rules>
  <symbols>
{symbols}  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>2</layerGeometryType>
</qgis>
"#
    )
}

/// Writes the style to `path`.
pub fn write_qml(path: &Path, map: &QmlMap<'_>) -> Result<(), ExportError> {
    let text = qml_text(map);
    write_atomic(path, |out| out.write_all(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_a_rule_with_the_png_colour_and_bounds() {
        let classes = Classes {
            min: 0.05,
            upper: vec![0.1, 0.3],
        };
        let percent = |v: f64| format!("{:.1}%", v * 100.0);
        let text = qml_text(&QmlMap {
            expression: r#""share_unserved" + "share_underserved""#,
            classes: &classes,
            worse: Worse::Low,
            format: &percent,
            no_data: "No residential locations",
        });
        // Worse low: the lowest class is dark red (189,0,38), the top one the light end.
        let lowest = text.find(r#"label="5.0% – 10.0%""#).expect("lowest class");
        let highest = text
            .find(r#"label="&gt; 10.0% – 30.0%""#)
            .expect("highest class");
        assert!(highest < lowest, "highest first, as the PNG legend");
        assert!(text.contains(r#"<Option type="QString" name="color" value="189,0,38,255"/>"#));
        assert!(text.contains("&gt;= 0.05 AND"), "{text}");
        assert!(text.contains(r#"filter="ELSE""#));
        assert!(
            text.contains(r#"name="style" value="b_diagonal""#),
            "withheld hatched"
        );
    }
}
