//! What can go wrong when a run's layers are computed: each error names the boundary file, the
//! feature or the layer at fault and says what to change.

use std::path::PathBuf;

use gapmap_core::Level;

/// An error of [`crate::run::compute_run`].
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A census level's feature id is not a GEOID of that level.
    #[error(
        "{}, feature {index}: `{id_field}` = `{id}` is not a {level} GEOID ({} digits); is `id_field` right for this layer?{}",
        path.display(),
        level.geoid_len(),
        if *one_digit_short { " It is one digit short: a leading zero was lost when the ids were stored as numbers; store them as text." } else { "" }
    )]
    NotALevelGeoid {
        /// The boundary file.
        path: PathBuf,
        /// The feature's position in it.
        index: usize,
        /// The configured id field.
        id_field: String,
        /// Its value.
        id: String,
        /// The level its ids must be GEOIDs of.
        level: Level,
        /// Whether the id is all digits and one short (a lost leading zero).
        one_digit_short: bool,
    },
    /// A tabulated layer's feature id is not a code its tables can be joined on.
    #[error(
        "{}, feature {index}: `{id_field}` = `{id}` is not a GEOID-like code (2, 5, 11, 12 or 15 digits) that the layer's tables can be joined on",
        path.display()
    )]
    NotGeoidLike {
        /// The boundary file.
        path: PathBuf,
        /// The feature's position in it.
        index: usize,
        /// The configured id field.
        id_field: String,
        /// Its value.
        id: String,
    },
    /// Two features of a layer share an id.
    #[error("{}: id {id} is used by more than one feature; ids must be unique", path.display())]
    DuplicateId {
        /// The boundary file.
        path: PathBuf,
        /// The repeated id.
        id: String,
    },
    /// A computed row has no feature (cannot happen for rows made from the layer's features).
    #[error("{}: no feature has the id {id}", path.display())]
    NoFeature {
        /// The boundary file.
        path: PathBuf,
        /// The row's id.
        id: String,
    },
    /// A layer is apportioned from a census level the run does not compute.
    #[error(
        "layer {layer} is apportioned from `{source_level}`, which is not a [[level]] of this run: add it"
    )]
    MissingSourceLevel {
        /// The layer.
        layer: String,
        /// The level it names.
        source_level: Level,
    },
    /// The quarters of a change are not those of the tiles.
    #[error("[ookla] baseline/latest: {message}")]
    Quarters {
        /// What is wrong.
        message: String,
    },
    /// A layer with nothing to compute from.
    #[error(
        "layer {layer} has nothing to compute: give `apportion_from`, `tables`, `attributes` or Ookla tiles (`[ookla] tiles`)"
    )]
    NothingToCompute {
        /// The layer.
        layer: String,
    },
    /// An apportioned layer that overlaps none of its source level's units.
    #[error(
        "layer {layer} does not overlap any {source_level} of this run: are its coordinates longitude/latitude in that order (axes swapped?), in the CRS its file declares, and of the same area?"
    )]
    NoOverlap {
        /// The layer.
        layer: String,
        /// Its source level.
        source_level: Level,
    },
    /// Two districts of a layer cover the same ground.
    #[error(
        "layer {layer}: districts {districts} overlap: together they cover {share:.0}% of {source_level} {unit}; a district layer must not overlap itself (is a district listed twice, or are two plans in one file?)"
    )]
    SelfOverlap {
        /// The layer.
        layer: String,
        /// The overlapping districts' ids.
        districts: String,
        /// The source level.
        source_level: Level,
        /// The unit they both cover.
        unit: String,
        /// How much of it they cover together, in percent (over 100).
        share: f64,
    },
    /// Block points without the housing counts that weigh them.
    #[error(
        "{}: block points weigh block groups by housing units: add [blocks] housing_counts",
        path.display()
    )]
    BlockPointsWithoutHousing {
        /// The block point table.
        path: PathBuf,
    },
}
