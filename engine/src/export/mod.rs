//! Exports: files written from a table and its segments.
//!
//! - [`write_clustered_csv`]: every input row, in order, with its fields unchanged, plus extra columns
//!   such as `segment` and `segment_name`.
//! - [`personas_json`]: the personas as versioned JSON (`"schema": "audience-builder/personas"`).
//! - [`summary_csv`]: one row per segment: rank, name, size, share, conversion, tier, traits.
//! - [`customer_match`]: hashed customer-match files for ad platforms, one per chosen segment.

mod clustered_csv;
pub mod customer_match;
mod error;
pub mod personas_json;
pub mod summary_csv;

pub use clustered_csv::write_clustered_csv;
pub use error::ExportError;
