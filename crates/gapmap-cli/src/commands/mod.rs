//! One module per verb.

pub mod demo;
pub mod run;
