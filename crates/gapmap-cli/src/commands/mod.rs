//! One module per verb.

pub mod batch;
pub mod check;
pub mod demo;
pub mod fetch;
pub mod report;
pub mod run;
pub mod serve;
