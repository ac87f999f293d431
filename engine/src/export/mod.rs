//! Exports: files written from a table and its segments.
//!
//! - [`write_clustered_csv`]: every input row, in order, with its fields unchanged, plus extra columns
//!   such as `segment` and `segment_name`.
//! - [`customer_match`]: hashed customer-match files for ad platforms, one per chosen segment.

mod clustered_csv;
pub mod customer_match;
mod error;

pub use clustered_csv::write_clustered_csv;
pub use error::ExportError;
