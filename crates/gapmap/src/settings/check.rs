//! The checks that follow parsing: values in range, unique output names, supported levels,
//! and every input file present (all missing ones listed at once).

use std::path::Path;

use anyhow::{Context, Result, bail};
use gapmap_core::Level;

use super::{Settings, check_price, check_share};

impl Settings {
    pub(super) fn check(&self, base: &Path, config: &Path) -> Result<()> {
        self.check_options(config)?;
        self.check_names_and_layers(config)?;
        self.check_levels(config)?;
        self.check_paths(base, config)
    }

    /// Output options, the Ookla section and affordability's shares and brackets.
    fn check_options(&self, config: &Path) -> Result<()> {
        let field = self.output.histogram_field.as_str();
        if !gapmap_gaps::Field::named(field).is_some_and(gapmap_gaps::Field::is_numeric) {
            let numeric: Vec<&str> = gapmap_gaps::FIELDS
                .iter()
                .filter(|f| f.is_numeric())
                .map(|f| f.name)
                .collect();
            bail!(
                "{}: [output] histogram_field = \"{field}\" is not a numeric output field; use one of {}",
                config.display(),
                numeric.join(", ")
            );
        }
        let precision = self.output.coordinate_precision;
        if !(4..=15).contains(&precision) {
            bail!(
                "{}: [output] coordinate_precision = {precision}: give 4 to 15 decimals (6 ≈ 0.1 m, the default); fewer collapse districts' vertices onto a coarse grid, and f64 holds no more than 15",
                config.display()
            );
        }
        if self.output.geopackage && !cfg!(feature = "gdal") {
            bail!(
                "{}: [output] geopackage = true needs gapmap built with its `gdal` feature (cargo install gapmap-cli --features gdal, with libgdal-dev); the GeoParquet and FlatGeobuf layers have the same typed schema",
                config.display()
            );
        }
        if self.output.top_districts == 0 {
            bail!(
                "{}: [output] top_districts = 0: the bar charts show at least one district (20 by default)",
                config.display()
            );
        }
        if !(self.output.web_simplify_m >= 0.0 && self.output.web_simplify_m.is_finite()) {
            bail!(
                "{}: [output] web_simplify_m must be a distance in metres, 0 or more (0 writes no web layers)",
                config.display()
            );
        }
        if let Some(ookla) = &self.ookla
            && ookla.block_tiles.is_empty() == ookla.tiles.is_empty()
        {
            bail!(
                "{}: [ookla] needs exactly one of `block_tiles` (the block-joined table) and `tiles` (raw tile files)",
                config.display()
            );
        }
        if let Some(ookla) = &self.ookla
            && !ookla.mobile_tiles.is_empty()
            && ookla.kind != super::OoklaKind::Fixed
        {
            bail!(
                "{}: [ookla] mobile_tiles are read beside fixed tiles, and this run's `tiles` are {}: set `kind = \"fixed\"` if they are Ookla's fixed layer, or run the mobile tiles alone (`tiles = …`, `kind = \"mobile\"`)",
                config.display(),
                if ookla.kind == super::OoklaKind::Mobile {
                    "mobile already (`kind = \"mobile\"`)"
                } else {
                    "of a layer the source does not name (`kind = \"unstated\"`), which may be mobile"
                }
            );
        }
        if let Some(affordability) = &self.affordability {
            check_share(affordability.share_of_income)
                .with_context(|| format!("in [affordability] of {}", config.display()))?;
            check_price(affordability.reference_price)
                .with_context(|| format!("in [affordability] of {}", config.display()))?;
            if let Some(key) = affordability
                .plans
                .as_ref()
                .and_then(|p| p.unknown.keys().next())
            {
                bail!(
                    "{}: [affordability.plans] has no key `{key}`: it takes file, provider, technology, download, upload, price, area, source and license",
                    config.display()
                );
            }
            for share in &affordability.chart_shares {
                check_share(*share).with_context(|| {
                    format!("in affordability.chart_shares of {}", config.display())
                })?;
            }
            if let Some(brackets) = &affordability.brackets {
                brackets
                    .spec()
                    .with_context(|| format!("in [affordability] of {}", config.display()))?;
            }
        }
        Ok(())
    }

    /// Unique output names, suppression thresholds, and each layer's name and brackets.
    fn check_names_and_layers(&self, config: &Path) -> Result<()> {
        let mut names: Vec<&str> = Vec::new();
        for name in self
            .levels
            .iter()
            .map(|l| l.level.as_str())
            .chain(self.layers.iter().map(|l| l.name.as_str()))
        {
            if names.contains(&name) {
                bail!(
                    "{}: `{name}` is configured twice (as [[level]] or [[layer]]): its output files would overwrite each other; keep one or rename the layer",
                    config.display()
                );
            }
            names.push(name);
        }
        for (key, value) in [
            ("min_households", self.suppression.min_households),
            ("min_locations", self.suppression.min_locations),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                bail!(
                    "{}: [suppression] {key} = {value}: a threshold is a count, 0 or more (0 withholds nothing)",
                    config.display()
                );
            }
        }
        for layer in &self.layers {
            let plain = !layer.name.is_empty()
                && layer
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !plain {
                bail!(
                    "{}: layer name `{}` names its output files: use letters, digits, `_` and `-` only",
                    config.display(),
                    layer.name
                );
            }
            check_price(layer.reference_price)
                .with_context(|| format!("in layer {} of {}", layer.name, config.display()))?;
            if let Some(brackets) = &layer.brackets {
                brackets
                    .spec()
                    .with_context(|| format!("in layer {} of {}", layer.name, config.display()))?;
            }
            let mut own = std::collections::BTreeSet::new();
            for table in &layer.attributes {
                if table.population.is_none()
                    && table.share_poverty.is_none()
                    && table.columns.is_empty()
                {
                    bail!(
                        "{}: an attribute table of layer {} ({}) names no column: give `population`, `share_poverty` and/or `columns = [{{ column = \"…\", unit = \"…\", description = \"…\" }}]` (the column names in the table)",
                        config.display(),
                        layer.name,
                        table.file.display()
                    );
                }
                for column in &table.columns {
                    check_own_field(column.field(), &mut own).with_context(|| {
                        format!(
                            "{}: layer {}, attribute table {}, column `{}`",
                            config.display(),
                            layer.name,
                            table.file.display(),
                            column.column
                        )
                    })?;
                }
            }
            if self.levels.iter().any(|l| l.level.as_str() == layer.name) {
                bail!(
                    "{}: layer `{}` has the name of a census level; name it differently",
                    config.display(),
                    layer.name
                );
            }
        }
        Ok(())
    }

    /// Thresholds and the census levels.
    fn check_levels(&self, config: &Path) -> Result<()> {
        self.thresholds
            .validate()
            .with_context(|| format!("in [thresholds] of {}", config.display()))?;
        self.need_weights
            .validate()
            .with_context(|| format!("in [need_weights] of {}", config.display()))?;
        if self.levels.is_empty() && self.layers.is_empty() {
            bail!(
                "{} defines no [[level]] and no [[layer]]: add a census level, e.g.\n[[level]]\nlevel = \"tract\"\nboundaries = \"tracts.geojson\"\nor a layer of your own districts ([[layer]] with name, boundaries and id_field)",
                config.display()
            );
        }
        for level in &self.levels {
            if !matches!(
                level.level,
                Level::Tract | Level::BlockGroup | Level::County
            ) {
                bail!(
                    "{}: level `{}` is not supported; use tract, block_group or county",
                    config.display(),
                    level.level
                );
            }
        }
        Ok(())
    }

    /// Every input file named exists (all missing ones listed at once).
    fn check_paths(&self, base: &Path, config: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut expect = |key: &str, path: &Path| {
            let full = base.join(path);
            if !full.exists() {
                missing.push(format!(
                    "  {key} = {} (looked for {})",
                    path.display(),
                    full.display()
                ));
            }
        };
        if let Some(bdc) = &self.bdc {
            bdc.files.iter().for_each(|p| expect("bdc.files", p));
        }
        if let Some(acs) = &self.acs {
            acs.tables.iter().for_each(|p| expect("acs.tables", p));
        }
        if let Some(blocks) = &self.blocks {
            blocks
                .housing_counts
                .iter()
                .for_each(|p| expect("blocks.housing_counts", p));
            if let Some(points) = &blocks.points {
                points
                    .file
                    .iter()
                    .for_each(|p| expect("blocks.points.file", p));
            }
        }
        if let Some(ookla) = &self.ookla {
            ookla
                .block_tiles
                .iter()
                .for_each(|p| expect("ookla.block_tiles", p));
            ookla.tiles.iter().for_each(|p| expect("ookla.tiles", p));
            ookla
                .mobile_tiles
                .iter()
                .for_each(|p| expect("ookla.mobile_tiles", p));
        }
        for level in &self.levels {
            let role = format!("level {} boundaries", level.level);
            level.boundaries.iter().for_each(|p| expect(&role, p));
        }
        if let Some(affordability) = &self.affordability {
            if let Some(prices) = &affordability.area_prices {
                prices
                    .file
                    .iter()
                    .for_each(|p| expect("affordability.area_prices.file", p));
            }
            if let Some(plans) = &affordability.plans {
                plans
                    .file
                    .iter()
                    .for_each(|p| expect("affordability.plans.file", p));
            }
        }
        for layer in &self.layers {
            let role = format!("layer {} boundaries", layer.name);
            layer.boundaries.iter().for_each(|p| expect(&role, p));
            for table in &layer.tables {
                expect(&format!("layer {} tables", layer.name), table);
            }
            for table in &layer.attributes {
                expect(&format!("layer {} attributes", layer.name), &table.file);
            }
        }
        if !missing.is_empty() {
            bail!(
                "{} names input files that do not exist:\n{}\nPaths are relative to the configuration's folder.",
                config.display(),
                missing.join("\n")
            );
        }
        Ok(())
    }
}

/// The geometry and feature-id columns of the typed formats (GeoParquet, FlatGeobuf,
/// GeoPackage through GDAL) and of the tools that load them: no field of a layer's own.
const RESERVED: [&str; 6] = [
    "geometry",
    "geom",
    "the_geom",
    "wkb_geometry",
    "fid",
    "ogc_fid",
];

/// A layer's own field name (METHOD.md §10): a plain name (it is a column in every format,
/// SQL included), not one of METHOD.md §9's fields, and not given twice in the layer.
fn check_own_field(name: &str, seen: &mut std::collections::BTreeSet<String>) -> Result<()> {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63;
    if !plain {
        bail!(
            "field `{name}`: a field name is lower-case letters, digits and `_`, starting with a letter, at most 63 characters; set `field = \"…\"` to name it"
        );
    }
    if RESERVED.contains(&name) {
        bail!(
            "field `{name}` is the name of a geometry or feature-id column in GeoParquet, GeoPackage or the tools reading them; give the column another `field` name"
        );
    }
    if gapmap_gaps::Field::named(name).is_some() {
        bail!(
            "field `{name}` is a field gapmap computes (METHOD.md §9); give the column another `field` name (`{name}_source`, say), or give it as `population`/`share_poverty` if it is one of those"
        );
    }
    if !seen.insert(name.to_owned()) {
        bail!("field `{name}` is given twice in this layer; name one differently");
    }
    Ok(())
}
