//! The optional Claude assistant, as plain Rust (tested natively; the panel is in `ui`).
//!
//! - [`privacy`]: the only code that turns local state into request content (metadata and
//!   aggregates over at least `min_records` records);
//! - [`tools`]: the tools' JSON schemas and checked inputs;
//! - [`conversation`]: the tool-use loop as a state machine, plus error messages and the relay
//!   address check;
//! - [`stream`]: the Messages API's server-sent events, assembled into the same message;
//! - [`events`]: those events' data as typed serde enums.

pub mod conversation;
pub mod events;
pub mod privacy;
pub mod stream;
pub mod tools;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod stream_tests;
#[cfg(test)]
mod tests;
