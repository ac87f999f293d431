//! `audience-proxy`: the relay between Audience Builder's in-browser assistant and the
//! Anthropic Messages API.
//!
//! The browser never holds the API key and never sends customer rows: the app builds each
//! request from the user's words, catalog metadata and segment aggregates, and this relay only
//! adds `x-api-key` and `anthropic-version` and enforces policy:
//!
//! | check | refusal |
//! |---|---|
//! | origin not configured (or missing) | 403, no CORS headers |
//! | client over its token bucket (origin refusals count) | 429 + `retry-after` |
//! | headers or body still arriving after `--header-read-timeout` / `--body-read-timeout` | 408 |
//! | body over `--max-body-bytes` | 413 |
//! | malformed body, a key repeated in an object, `max_tokens` over `--max-tokens` | 400 |
//! | model or tool name not allowed | 403 |
//! | no `ANTHROPIC_API_KEY` | 503 |
//!
//! Upstream errors (401, 429, 529, …) come back with their status and a clear JSON error;
//! an unreachable upstream is 502. Headers must arrive within `--header-read-timeout` and at
//! most `--max-connections` connections are served at once ([`serve`]). `"stream": true` answers are passed through chunk by chunk.
//! Every request gets one JSON line in the audit log ([`audit`]).
//!
//! # Example
//!
//! Start a relay on an ephemeral port in-process (as the tests do):
//!
//! ```no_run
//! use std::sync::Arc;
//! use audience_proxy::config::{ApiKey, Args, Config};
//! use audience_proxy::server::{serve, AppState};
//! use clap::Parser;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let args = Args::parse_from(["audience-proxy", "--allowed-origin", "http://127.0.0.1:8080"]);
//! let config = Config::from_args(args, ApiKey::new(std::env::var("ANTHROPIC_API_KEY")?))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let state = Arc::new(AppState::from_config(config)?);
//! serve(listener, state, std::future::pending()).await?;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod audit;
pub mod config;
pub mod cors;
pub mod error;
pub mod health;
pub mod limits;
pub mod relay;
pub mod server;
pub mod static_files;
pub mod usage;

pub use config::{Args, Config, ConfigError};
pub use error::RelayError;
pub use server::{router, serve, AppState, ServeError};
