//! see main.rs
