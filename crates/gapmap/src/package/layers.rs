//! What the package's writers read: the run's settings, inputs and results, and each
//! computed layer beside the boundaries it was computed on.

use std::ops::Deref;

use gapmap_gaps::run::ComputedLayer;
use gapmap_ingest::BoundaryLayer;

use crate::compute::Results;
use crate::load::Inputs;
use crate::settings::Settings;

/// A computed layer with the boundaries it was computed on.
pub(crate) struct PublishedLayer<'a> {
    /// The figures.
    pub computed: &'a ComputedLayer,
    /// The layer's districts as read.
    pub layer: &'a BoundaryLayer,
    /// The boundary file.
    pub boundaries: &'a str,
}

impl Deref for PublishedLayer<'_> {
    type Target = ComputedLayer;

    fn deref(&self) -> &ComputedLayer {
        self.computed
    }
}

/// Everything a package is written from.
pub(crate) struct Run<'a> {
    /// The resolved settings.
    pub settings: &'a Settings,
    /// What was read.
    pub inputs: &'a Inputs,
    /// What was computed.
    pub results: &'a Results,
    /// Every layer, in publication order.
    pub layers: Vec<PublishedLayer<'a>>,
}
