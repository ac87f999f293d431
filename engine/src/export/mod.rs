//! Exports: files written from a table and its segments.
//!
//! - [`write_clustered_csv`]: every input row, in order, with its fields unchanged, plus extra columns
//!   such as `segment` and `segment_name`.

mod clustered_csv;
mod error;

pub use clustered_csv::write_clustered_csv;
pub use error::ExportError;
