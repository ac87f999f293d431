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
//!    be read as-is (nothing is dropped silently). An order log (one row per purchase) can then be
//!    [`rollup`]-ed to one row per customer (recency, frequency, value, RFM groups).
//! 2. [`encode`]: selected columns → a dense matrix where L1 distance is a Gower-style dissimilarity.
//! 3. [`cluster`]: size-constrained K-Medians on that matrix (every segment within share bounds, exactly).
//! 4. [`profile`]: segment profiles, defining traits, names, conversion personas and business lenses.
//! 5. [`export`]: clustered CSV, personas JSON and summary CSV.
//!
//! Ready to activate: [`filter`] keeps the rows matching `--where`-style rules (with counts per rule) before
//! segmenting, [`holdout`] draws a seeded control group in every segment, [`coverage`] counts usable
//! e-mails, phones and addresses per segment against the platforms' minimum list sizes,
//! [`export::destinations`] writes hashed upload files for six destinations, and [`compare`] puts two
//! segments side by side.
//!
//! A segmentation then lasts: [`model`] saves it as a document without any data row and applies it to
//! later files (who moved, lookalike prospects), and [`stability`] refits it to show which segments are
//! real.
//!
//! The audience-variable catalog and its hybrid (lexical + embedding) variable search are the
//! `audience-search` crate.
//!
//! # Example
//!
//! A file's bytes to ranked personas, each step with its default settings:
//!
//! ```
//! use audience_engine::cluster::{KChoice, KMediansParams, ShareBounds};
//! use audience_engine::encode::{default_selection, encode};
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::profile::{profile_segments, ProfileParams};
//!
//! // 40 customers: 20 young basic-plan members who did not buy, 20 older premium members who did.
//! let mut csv = String::from("customer,age,plan,monthly_spend,converted\n");
//! for i in 0..40 {
//!     let (age, plan, spend, converted) = match i < 20 {
//!         true => (22 + i % 5, "basic", 10 + i % 3, "no"),
//!         false => (55 + i % 5, "premium", 90 + i % 7, "yes"),
//!     };
//!     csv += &format!("C{i:03},{age},{plan},{spend},{converted}\n");
//! }
//! let table = read_table(csv.as_bytes(), &IngestOptions::default())?.table;
//! // Every usable column but the conversion column (the customer id is left out as an identifier).
//! let matrix = encode(&table, &default_selection(&table, Some("converted")))?;
//! // Two segments, each holding 40–60 % of the customers.
//! let segmentation = KMediansParams::new()
//!     .with_k(KChoice::Fixed(2))
//!     .with_bounds(Some(ShareBounds { min: 0.4, max: 0.6 }))
//!     .with_seed(7)
//!     .validate(matrix.n_rows)?
//!     .fit(&matrix)?;
//! assert_eq!(segmentation.sizes, [20, 20]);
//! assert!(segmentation.labels[..20].iter().all(|&s| s == segmentation.labels[0]));
//!
//! let params = ProfileParams::new().target("converted");
//! let report = profile_segments(&table, &segmentation.labels, &params)?;
//! let best = &report.personas[0]; // personas are ranked by conversion rate
//! assert_eq!((best.size, best.conversion.unwrap().rate), (20, Some(1.0)));
//! assert_eq!(report.personas[1].conversion.unwrap().rate, Some(0.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod audience;
pub mod cluster;
pub mod compare;
pub mod coverage;
pub mod demo;
pub mod encode;
pub mod enrich;
pub mod export;
pub mod filter;
mod hashing;
pub mod holdout;
pub mod ingest;
pub mod model;
mod parallel;
pub mod pipeline;
pub mod profile;
pub mod projection;
pub mod retrieve;
pub mod rollup;
pub mod stability;
pub mod table;
