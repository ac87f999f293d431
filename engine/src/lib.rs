//! # Audience Builder engine
//!
//! Everything Audience Builder computes lives here, as plain Rust that builds natively and for
//! `wasm32-unknown-unknown`; nothing in this crate touches a browser API. The app's Web Worker and the
//! `audience` command-line tool both call the same functions, so the browser and the CLI give the same
//! answers for the same file, settings and seed.
//!
//! The pipeline, one module per step:
//!
//! 1. [`ingest`]: bytes of a messy CSV → a typed [`table::Table`] plus a report of every row that could not
//!    be read as-is (nothing is dropped silently).
//! 2. [`encode`]: selected columns → a dense matrix where L1 distance is a Gower-style dissimilarity.
//! 3. [`cluster`]: size-constrained K-Medians on that matrix (every segment within share bounds, exactly).
//! 4. [`profile`]: segment profiles, defining traits, names, conversion personas and business lenses.
//! 5. [`export`]: clustered CSV, personas JSON and summary CSV.
//!
//! The audience-variable catalog and its hybrid (lexical + embedding) variable search are the
//! `audience-search` crate.
#![warn(missing_docs)]

pub mod cluster;
pub mod demo;
pub mod encode;
pub mod enrich;
pub mod export;
pub mod ingest;
pub mod profile;
pub mod projection;
pub mod table;
