//! # Audience Builder app
//!
//! The browser side of Audience Builder, in three layers:
//!
//! - [`protocol`]: the messages between the page and its Web Worker (plain serde types);
//! - [`service`]: what the worker does with them, as plain Rust over the engine (tested natively);
//! - [`bridge`]: the one thin wasm boundary, where messages become JSON text and back, errors become
//!   readable messages, and the worker is spawned and talked to;
//! - [`ui`]: Leptos components; the only code that touches the DOM;
//! - [`browser`]: the page's one edge to the browser's other APIs (fetch, storage, downloads, JS errors).
#![warn(missing_docs)]

pub mod assistant;
pub mod bridge;
pub mod browser;
pub mod charts;
pub mod column_match;
pub mod protocol;
pub mod service;
pub mod ui;
