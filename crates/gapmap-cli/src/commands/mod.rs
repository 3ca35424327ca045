//! One module per verb.

pub mod batch;
pub mod demo;
pub mod run;
