//! What a client may send: per-client rate limits ([`rate`]), and the request policy
//! (body size, model and tool allowlists, `max_tokens`; [`policy`]), read with a JSON parse
//! that refuses duplicate keys ([`json`]).

pub mod json;
pub mod policy;
pub mod rate;

pub use policy::{check_request, CheckedRequest, Policy};
pub use rate::{client_key, Granted, RateLimiter, Refused};
