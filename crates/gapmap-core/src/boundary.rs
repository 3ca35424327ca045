//! A district's outline, as every reader produces it and every layer computation takes it.

use geo::MultiPolygon;

/// One district of a layer: its id, its label and its longitude/latitude polygons.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// The id field's value, as text.
    pub id: String,
    /// The name field's value (the id when no name field is given).
    pub name: String,
    /// Longitude/latitude polygons.
    pub geometry: MultiPolygon<f64>,
}
