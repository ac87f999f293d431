//! CORS for the configured origins only.
//!
//! * A request whose `Origin` is allowed gets `access-control-allow-origin: <origin>` (and
//!   `vary: origin`), on success and on errors alike, so the browser can read error bodies.
//! * A preflight (`OPTIONS` with `access-control-request-method`) from an allowed origin is
//!   answered here with 204 and the allowed methods and headers.
//! * Any other origin gets 403 and no CORS headers at all.
//! * A request without `Origin` (not a browser) is refused with 403 on `/v1/messages` unless
//!   `--allow-missing-origin` is set; `GET /health` is always served (for monitors), and so are
//!   the app's files with `--static-dir`.
//! * With `--static-dir`, the relay's own origins ([`crate::static_files::self_origins`]) are
//!   allowed in addition to the configured ones.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::audit::AuditCtx;
use crate::config::normalise_origin;
use crate::error::{clip, RelayError};
use crate::server::{AppState, ClientIp};

/// Methods a browser may use.
pub const ALLOW_METHODS: &str = "POST, GET, OPTIONS";
/// Request headers a browser may send.
pub const ALLOW_HEADERS: &str = "content-type, anthropic-version, accept";
/// Response headers a browser may read.
pub const EXPOSE_HEADERS: &str = "retry-after, request-id";
/// Seconds a browser may cache a preflight answer.
pub const MAX_AGE_SECS: &str = "600";

/// The decision for one request's `Origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginCheck {
    /// Allowed; the value to echo in `access-control-allow-origin`.
    Allowed(HeaderValue),
    /// No `Origin` header.
    Missing,
    /// Present but not configured (or not a valid origin); the value, clipped by [`clip`].
    Refused(String),
}

/// Classifies the `Origin` header against the allowlist (compared after normalisation).
pub fn check_origin(headers: &HeaderMap, allowed: &[String]) -> OriginCheck {
    let Some(value) = headers.get(header::ORIGIN) else {
        return OriginCheck::Missing;
    };
    let text = value.to_str().unwrap_or("<non-ascii>");
    match normalise_origin(text) {
        Some(o) if allowed.contains(&o) => OriginCheck::Allowed(value.clone()),
        _ => OriginCheck::Refused(clip(text)),
    }
}

/// The CORS middleware (see the module docs).
///
/// Origin refusals take a token from the client's rate-limit bucket like any other request,
/// so a client over its limit gets 429 instead of another 403.
pub async fn layer(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let config = &state.config;
    let mut allowed = config.allowed_origins.clone();
    if let Some(own) = state.self_origins.get() {
        allowed.extend(own.iter().cloned());
    }
    let refuse = |req: &Request, refusal: RelayError| {
        let client = req.extensions().get::<ClientIp>().map(|c| c.0);
        let audit = req.extensions().get::<AuditCtx>();
        let limited = match (client, audit) {
            (Some(ip), Some(audit)) => state.take_token(ip, audit).err(),
            _ => None,
        };
        limited.unwrap_or(refusal).into_response()
    };
    match check_origin(req.headers(), &allowed) {
        OriginCheck::Refused(origin) => refuse(&req, RelayError::OriginNotAllowed { origin }),
        OriginCheck::Missing => {
            let is_health = req.uri().path() == "/health";
            // With --static-dir, page loads (navigations, scripts) carry no Origin.
            let is_static = config.static_dir.is_some()
                && matches!(*req.method(), Method::GET | Method::HEAD)
                && req.uri().path() != "/v1/messages";
            if is_health || is_static || config.allow_missing_origin {
                next.run(req).await
            } else {
                refuse(&req, RelayError::MissingOrigin)
            }
        }
        OriginCheck::Allowed(origin) => {
            let preflight = req.method() == Method::OPTIONS
                && req
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
            if preflight {
                return preflight_response(origin);
            }
            let mut response = next.run(req).await;
            let h = response.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.append(header::VARY, HeaderValue::from_static("origin"));
            h.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
            response
        }
    }
}

fn preflight_response(origin: HeaderValue) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static(
            "origin, access-control-request-method, access-control-request-headers",
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, origin.parse().unwrap());
        h
    }

    #[test]
    fn origins_match_after_normalisation_and_the_original_is_echoed() {
        let allowed = vec!["http://127.0.0.1:8080".to_string()];
        assert_eq!(
            check_origin(&headers("HTTP://127.0.0.1:8080"), &allowed),
            OriginCheck::Allowed(HeaderValue::from_static("HTTP://127.0.0.1:8080"))
        );
        assert_eq!(
            check_origin(&headers("http://127.0.0.1:8081"), &allowed),
            OriginCheck::Refused("http://127.0.0.1:8081".into())
        );
        assert_eq!(
            check_origin(&headers("null"), &allowed),
            OriginCheck::Refused("null".into())
        );
        assert_eq!(
            check_origin(&HeaderMap::new(), &allowed),
            OriginCheck::Missing
        );
    }

    #[test]
    fn a_long_refused_origin_is_clipped() {
        let long = format!("http://{}.test", "a".repeat(10_000));
        let OriginCheck::Refused(seen) = check_origin(&headers(&long), &[]) else {
            panic!("a long origin was not refused");
        };
        assert_eq!(
            seen,
            format!("http://{}…[9812 more characters]", "a".repeat(193))
        );
    }
}
