//! Exports: files written from a table and its segments.
//!
//! - [`write_clustered_csv`]: every input row, in order, with its fields unchanged, plus extra columns
//!   such as `segment` and `segment_name`.
//! - [`personas_json`]: the personas as versioned JSON (`"schema": "audience-builder/personas"`).
//! - [`summary_csv`]: one row per segment: rank, name, size, share, conversion, tier, traits.

mod clustered_csv;
mod error;
pub mod personas_json;
pub mod summary_csv;

pub use clustered_csv::write_clustered_csv;
pub use error::ExportError;
