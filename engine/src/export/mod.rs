//! Exports: personas JSON and segment summary CSV.

pub mod personas_json;
pub mod summary_csv;
