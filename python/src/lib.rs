//! Audience Builder's engine for Python: the `audience_builder` package's native module (`_native`).
//!
//! The logic is plain Rust, tested by `cargo test` without a Python interpreter:
//! [`segment`] runs `audience segment`'s steps on CSV bytes, [`personas`] profiles a segmentation made
//! elsewhere (from counts of its rows, or from its labelled rows), [`spark`] holds the per-partition and driver
//! steps of the Spark segmentation. The PyO3 bindings (`bindings`, feature `python`, which the wheel
//! build turns on) only convert arguments and map each [`error::FailureKind`] to a Python exception.

pub mod error;
pub mod globals;
pub mod personas;
pub mod segment;
pub mod spark;

#[cfg(feature = "python")]
mod bindings;
