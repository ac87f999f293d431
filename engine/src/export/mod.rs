//! Exports: files written from a table and its segments.
//!
//! - [`write_clustered_csv`] / [`write_clustered_csv_with`]: every input row, in order, plus extra columns
//!   such as `segment` and `segment_name`; input cells unchanged or with formulas escaped.
//! - [`personas_json`]: the personas as versioned JSON (`"schema": "audience-builder/personas"`).
//! - [`summary_csv`]: one row per segment: rank, name, size, share, conversion, tier, traits.
//! - [`customer_match`]: hashed customer-match files for ad platforms, one per chosen segment.
//! - [`destinations`]: the same for TikTok, X, LinkedIn and a generic hashed-email file (and Google and
//!   Meta through one call), rows held out or filtered out left out.
//! - [`formula`]: which cells a spreadsheet would run as a formula, and the escaping every CSV export uses.
//!   Generated cells (segment names, the summary CSV, customer-match files) are always escaped.

mod clustered_csv;
pub mod customer_match;
pub mod destinations;
mod error;
pub mod formula;
pub mod personas_json;
pub mod summary_csv;
mod upload;

pub use clustered_csv::{
    write_clustered_csv, write_clustered_csv_with, write_clustered_rows, ClusteredCsvOptions,
};
pub use error::ExportError;
