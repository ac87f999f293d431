//! [`RelayError`]: every way a request can be refused or fail, with its HTTP status.
//!
//! Errors are answered in the Anthropic error shape, plus a `source` naming who refused:
//!
//! ```json
//! {"type":"error","error":{"type":"permission_error","message":"model \"x\" is not allowed ..."},"source":"relay"}
//! ```
//!
//! so a browser client parses relay and upstream errors the same way.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Why a request was refused by the relay or failed upstream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayError {
    /// The `Origin` header names an origin that is not configured.
    #[error("origin {origin:?} is not allowed to use this relay")]
    OriginNotAllowed {
        /// The origin the browser sent.
        origin: String,
    },
    /// No `Origin` header, and origin-less requests are not allowed.
    #[error("requests must carry an Origin header (start the relay with --allow-missing-origin for non-browser clients)")]
    MissingOrigin,
    /// The client's token bucket is empty.
    #[error("rate limit of {rate_per_minute} requests per minute (burst {burst}) reached for this client; retry after {retry_after_secs} s")]
    RateLimited {
        /// Whole seconds until one request is allowed again.
        retry_after_secs: u64,
        /// Configured refill rate.
        rate_per_minute: u32,
        /// Configured bucket size.
        burst: u32,
    },
    /// The relay was started without `ANTHROPIC_API_KEY`.
    #[error("the relay has no ANTHROPIC_API_KEY configured")]
    NoApiKey,
    /// The request body is larger than `--max-body-bytes`.
    #[error("request body is {} bytes; the limit is {limit} bytes", size.map_or_else(|| format!("more than {limit}"), |s| s.to_string()))]
    BodyTooLarge {
        /// Declared size, when the client sent `Content-Length`.
        size: Option<u64>,
        /// Configured limit.
        limit: usize,
    },
    /// The request headers did not fully arrive within `--header-read-timeout`.
    #[error("the request headers did not arrive within {}; check the network connection and send the request again", humantime::format_duration(*timeout))]
    HeaderTimeout {
        /// Configured timeout.
        timeout: Duration,
    },
    /// The body did not fully arrive within `--body-read-timeout`.
    #[error("the request body did not arrive within {} (received {received}{} bytes); check the network connection and send the request again", humantime::format_duration(*timeout), declared.map_or_else(String::new, |d| format!(" of {d}")))]
    BodyTimeout {
        /// Configured timeout.
        timeout: Duration,
        /// Bytes received before the timeout.
        received: u64,
        /// Declared size, when the client sent `Content-Length`.
        declared: Option<u64>,
    },
    /// A JSON object in the body has the same key twice: the relay would check one value and
    /// the upstream might use the other.
    #[error("the request body has the key {key:?} more than once ({place}); send each key once, since the relay cannot tell which value counts")]
    DuplicateKey {
        /// The repeated key (clipped).
        key: String,
        /// Where: `at the top level`, `in tools[0]`, `in tool_choice` …
        place: String,
    },
    /// The body is not a JSON object.
    #[error("request body is not a JSON object: {detail}")]
    InvalidJson {
        /// Parser message.
        detail: String,
    },
    /// A field is missing or has the wrong type.
    #[error("field `{field}` {problem}")]
    InvalidField {
        /// The field's name (`model`, `max_tokens`, `tools[2].name` …).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The model is not in the allowlist.
    #[error("model {model:?} is not allowed by this relay (allowed: {allowed})")]
    ModelNotAllowed {
        /// The requested model.
        model: String,
        /// The allowlist, comma-separated.
        allowed: String,
    },
    /// A declared or forced tool is not in the allowlist.
    #[error("tool {name:?} is not allowed by this relay (allowed: {allowed})")]
    ToolNotAllowed {
        /// The tool's name.
        name: String,
        /// The allowlist, comma-separated.
        allowed: String,
    },
    /// `max_tokens` exceeds `--max-tokens`.
    #[error("max_tokens is {requested}; this relay allows at most {limit}")]
    MaxTokensTooHigh {
        /// Requested value.
        requested: u64,
        /// Configured limit.
        limit: u64,
    },
    /// Anthropic answered with an error status.
    #[error("{}", upstream_summary(*status, kind, message))]
    Upstream {
        /// Upstream HTTP status, passed back unchanged.
        status: u16,
        /// Upstream error type (`authentication_error`, `overloaded_error` …).
        kind: String,
        /// Upstream message with the API key scrubbed.
        message: String,
        /// Upstream `retry-after` header, passed back.
        retry_after: Option<String>,
    },
    /// The upstream could not be reached or broke off.
    #[error("could not reach the Anthropic API at {upstream}: {detail}")]
    UpstreamUnreachable {
        /// Upstream base URL.
        upstream: String,
        /// Transport error text (no key: it is only ever in a header).
        detail: String,
    },
    /// The upstream did not finish a non-streamed answer in time.
    #[error("the Anthropic API did not answer within {secs} s")]
    UpstreamTimeout {
        /// Configured timeout.
        secs: u64,
    },
    /// No such route.
    #[error("no route {method} {path}; the relay serves POST /v1/messages and GET /health")]
    NotFound {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
    },
}

fn upstream_summary(status: u16, kind: &str, message: &str) -> String {
    let what = match status {
        401 => "Anthropic rejected the relay's API key",
        403 => "Anthropic refused the relay's API key permission",
        429 => "Anthropic rate limit reached",
        529 => "Anthropic is overloaded; try again shortly",
        500..=599 => "Anthropic API error",
        _ => "Anthropic refused the request",
    };
    format!("{what} (HTTP {status} {kind}): {message}")
}

impl RelayError {
    /// HTTP status the client receives.
    pub fn status(&self) -> StatusCode {
        use RelayError::*;
        match self {
            OriginNotAllowed { .. }
            | MissingOrigin
            | ModelNotAllowed { .. }
            | ToolNotAllowed { .. } => StatusCode::FORBIDDEN,
            RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            NoApiKey => StatusCode::SERVICE_UNAVAILABLE,
            BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            InvalidJson { .. }
            | InvalidField { .. }
            | MaxTokensTooHigh { .. }
            | DuplicateKey { .. } => StatusCode::BAD_REQUEST,
            HeaderTimeout { .. } | BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Upstream { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY)
            }
            UpstreamUnreachable { .. } => StatusCode::BAD_GATEWAY,
            UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            NotFound { .. } => StatusCode::NOT_FOUND,
        }
    }

    /// Error type in the Anthropic vocabulary (`invalid_request_error`, `rate_limit_error` …).
    pub fn kind(&self) -> &str {
        use RelayError::*;
        match self {
            OriginNotAllowed { .. }
            | MissingOrigin
            | ModelNotAllowed { .. }
            | ToolNotAllowed { .. } => "permission_error",
            RateLimited { .. } => "rate_limit_error",
            NoApiKey | UpstreamUnreachable { .. } | UpstreamTimeout { .. } => "api_error",
            BodyTooLarge { .. } => "request_too_large",
            InvalidJson { .. }
            | InvalidField { .. }
            | MaxTokensTooHigh { .. }
            | DuplicateKey { .. }
            | HeaderTimeout { .. }
            | BodyTimeout { .. } => "invalid_request_error",
            Upstream { kind, .. } => kind,
            NotFound { .. } => "not_found_error",
        }
    }

    /// `relay` when the relay refused, `upstream` when Anthropic did or could not be reached.
    pub fn source(&self) -> &'static str {
        match self {
            RelayError::Upstream { .. }
            | RelayError::UpstreamUnreachable { .. }
            | RelayError::UpstreamTimeout { .. } => "upstream",
            _ => "relay",
        }
    }

    /// The JSON body sent to the client.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "type": "error",
            "error": { "type": self.kind(), "message": self.to_string() },
            "source": self.source(),
        })
    }
}

impl IntoResponse for RelayError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            RelayError::RateLimited {
                retry_after_secs, ..
            } => Some(retry_after_secs.to_string()),
            RelayError::Upstream { retry_after, .. } => retry_after.clone(),
            _ => None,
        };
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
            .extensions_mut()
            .insert(ErrorKind(self.kind().to_string()));
        response
    }
}

/// Longest client-supplied text (an `Origin`, a path, a model name) echoed in an answer or
/// written to the audit log; longer text is clipped by [`clip`].
pub const MAX_ECHO_CHARS: usize = 200;

/// `text` cut to [`MAX_ECHO_CHARS`] characters, with a marker saying how many were left out,
/// so a client cannot make the relay echo or log an attacker-sized value.
///
/// ```
/// use audience_proxy::error::clip;
/// assert_eq!(clip("http://a.test"), "http://a.test");
/// let long = "x".repeat(250);
/// assert_eq!(clip(&long), format!("{}…[50 more characters]", "x".repeat(200)));
/// ```
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            let unit = if rest == 1 { "character" } else { "characters" };
            format!("{}…[{rest} more {unit}]", &text[..cut])
        }
    }
}

/// Response extension carrying the error type, so the audit log can record it.
#[derive(Debug, Clone)]
pub struct ErrorKind(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_numbers() {
        let e = RelayError::BodyTooLarge {
            size: Some(2_000_001),
            limit: 1_000_000,
        };
        assert_eq!(
            e.to_string(),
            "request body is 2000001 bytes; the limit is 1000000 bytes"
        );
        let e = RelayError::BodyTooLarge {
            size: None,
            limit: 10,
        };
        assert_eq!(
            e.to_string(),
            "request body is more than 10 bytes; the limit is 10 bytes"
        );
        let e = RelayError::MaxTokensTooHigh {
            requested: 9000,
            limit: 4096,
        };
        assert_eq!(
            e.to_string(),
            "max_tokens is 9000; this relay allows at most 4096"
        );
    }

    #[test]
    fn a_stalled_body_is_408_and_says_how_much_arrived() {
        let e = RelayError::BodyTimeout {
            timeout: Duration::from_millis(300),
            received: 10,
            declared: Some(100),
        };
        assert_eq!(e.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            e.to_string(),
            "the request body did not arrive within 300ms (received 10 of 100 bytes); \
             check the network connection and send the request again"
        );
        let e = RelayError::BodyTimeout {
            timeout: Duration::from_secs(30),
            received: 0,
            declared: None,
        };
        assert!(e.to_string().contains("within 30s (received 0 bytes)"));
    }

    #[test]
    fn clip_keeps_short_text_and_counts_what_it_cuts() {
        assert_eq!(clip(""), "");
        let exact = "é".repeat(MAX_ECHO_CHARS);
        assert_eq!(clip(&exact), exact);
        let long = "é".repeat(MAX_ECHO_CHARS + 1);
        assert_eq!(
            clip(&long),
            format!("{}…[1 more character]", "é".repeat(MAX_ECHO_CHARS))
        );
    }

    #[test]
    fn upstream_statuses_pass_through_including_529() {
        let e = RelayError::Upstream {
            status: 529,
            kind: "overloaded_error".into(),
            message: "Overloaded".into(),
            retry_after: None,
        };
        assert_eq!(e.status().as_u16(), 529);
        assert_eq!(e.source(), "upstream");
        assert_eq!(
            e.to_string(),
            "Anthropic is overloaded; try again shortly (HTTP 529 overloaded_error): Overloaded"
        );
    }

    #[test]
    fn rate_limited_response_has_retry_after() {
        let r = RelayError::RateLimited {
            retry_after_secs: 7,
            rate_per_minute: 6,
            burst: 1,
        }
        .into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "7");
    }
}
