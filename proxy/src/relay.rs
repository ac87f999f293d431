//! `POST /v1/messages`: rate limit, read and check the body, forward it upstream with the key,
//! and pass the answer back — a JSON message as is, an SSE stream chunk by chunk.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Extension;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

use crate::audit::AuditCtx;
use crate::config::ApiKey;
use crate::error::RelayError;
use crate::limits::check_request;
use crate::server::{AppState, ClientIp};
use crate::usage::{self, SseScanner};

/// How far past the limit an over-size body is still read (and discarded) so the client can
/// read the 413 instead of seeing its upload cut off.
const DRAIN_BEYOND_LIMIT: usize = 8 * 1024 * 1024;
/// Largest upstream error body read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The `/v1/messages` handler.
pub async fn messages(
    State(state): State<Arc<AppState>>,
    Extension(client): Extension<ClientIp>,
    Extension(audit): Extension<AuditCtx>,
    req: Request,
) -> Result<Response, RelayError> {
    let config = &state.config;
    state.take_token(client.0, &audit)?;
    let key = config.api_key.as_ref().ok_or(RelayError::NoApiKey)?;
    let body = read_body(req, config.max_body_bytes, config.body_read_timeout).await?;
    let checked = check_request(&body, &state.policy).inspect_err(|_| {
        // Refused requests are audited with the model they asked for, when there is one.
        if let Some(model) = requested_model(&body) {
            audit.set_model(&model);
        }
    })?;
    audit.set_request(&checked.model, checked.stream);

    let mut request = state
        .http
        .post(format!("{}/v1/messages", config.upstream))
        .header("x-api-key", key.expose())
        .header("anthropic-version", &config.anthropic_version)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body);
    if !checked.stream {
        request = request.timeout(config.upstream_timeout);
    }
    let upstream = request
        .send()
        .await
        .map_err(|e| transport_error(&e, &state, key))?;

    if !upstream.status().is_success() {
        return Err(upstream_error(upstream, key).await);
    }
    let is_sse = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let request_id = upstream.headers().get("request-id").cloned();
    let status = upstream.status();

    let mut response = if is_sse {
        let stream = ScanStream {
            inner: Box::pin(upstream.bytes_stream()),
            scanner: SseScanner::default(),
            audit,
            upstream: config.upstream.clone(),
            done: false,
        };
        let mut r = Response::new(Body::from_stream(stream));
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert("x-accel-buffering", HeaderValue::from_static("no"));
        r
    } else {
        let content_type = upstream.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = upstream
            .bytes()
            .await
            .map_err(|e| transport_error(&e, &state, key))?;
        let (_, found) = usage::from_message(&bytes);
        audit.set_usage(found);
        let mut r = Response::new(Body::from(bytes));
        if let Some(ct) = content_type {
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        r
    };
    *response.status_mut() = status;
    if let Some(id) = request_id {
        response.headers_mut().insert("request-id", id);
    }
    Ok(response)
}

/// Reads the body, refusing more than `limit` bytes with 413, and a body that has not fully
/// arrived within `timeout` with 408 (a stalled upload is never forwarded).
async fn read_body(req: Request, limit: usize, timeout: Duration) -> Result<Bytes, RelayError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(size) = declared {
        if size > (limit + DRAIN_BEYOND_LIMIT) as u64 {
            return Err(RelayError::BodyTooLarge {
                size: Some(size),
                limit,
            });
        }
    }
    let mut stream = req.into_body().into_data_stream();
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let next = match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(next) => next,
            Err(_) => {
                return Err(RelayError::BodyTimeout {
                    timeout,
                    received: seen as u64,
                    declared,
                })
            }
        };
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| RelayError::InvalidJson {
            detail: format!("the request body could not be read: {e}"),
        })?;
        seen += chunk.len();
        if seen <= limit {
            buf.extend_from_slice(&chunk);
        } else if seen > limit + DRAIN_BEYOND_LIMIT {
            break;
        }
    }
    if seen > limit {
        let size = declared.or((seen <= limit + DRAIN_BEYOND_LIMIT).then_some(seen as u64));
        return Err(RelayError::BodyTooLarge { size, limit });
    }
    Ok(buf.freeze())
}

/// The `model` string of a body, cut to 100 characters (it goes in the audit log).
fn requested_model(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Peek {
        model: Option<serde_json::Value>,
    }
    let peek: Peek = serde_json::from_slice(body).ok()?;
    Some(peek.model?.as_str()?.chars().take(100).collect())
}

fn transport_error(e: &reqwest::Error, state: &AppState, key: &ApiKey) -> RelayError {
    if e.is_timeout() {
        return RelayError::UpstreamTimeout {
            secs: state.config.upstream_timeout.as_secs(),
        };
    }
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    RelayError::UpstreamUnreachable {
        upstream: state.config.upstream.clone(),
        detail: scrub(&detail, key),
    }
}

async fn upstream_error(response: reqwest::Response, key: &ApiKey) -> RelayError {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_ERROR_BODY {
            body.truncate(MAX_ERROR_BODY);
            break;
        }
    }
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let kind = error
        .and_then(|e| e.get("type"))
        .and_then(|t| t.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| default_kind(status).to_string());
    let message = match error
        .and_then(|e| e.get("message"))
        .and_then(|m| m.as_str())
    {
        Some(m) => m.to_string(),
        None if body.is_empty() => "(no message)".to_string(),
        None => String::from_utf8_lossy(&body).chars().take(500).collect(),
    };
    RelayError::Upstream {
        status,
        kind,
        message: scrub(&message, key),
        retry_after,
    }
}

fn default_kind(status: u16) -> &'static str {
    match status {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    }
}

/// Replaces every occurrence of the key with `[redacted]`.
fn scrub(text: &str, key: &ApiKey) -> String {
    text.replace(key.expose(), "[redacted]")
}

/// Passes SSE chunks through unchanged while reading usage for the audit log. A transport error
/// mid-stream becomes a final `event: error` so the client sees a clear message.
struct ScanStream {
    inner: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    scanner: SseScanner,
    audit: AuditCtx,
    upstream: String,
    done: bool,
}

impl Stream for ScanStream {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if self.scanner.feed(&chunk) {
                    let usage = self.scanner.usage;
                    self.audit.set_usage(usage);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                let error = RelayError::UpstreamUnreachable {
                    upstream: self.upstream.clone(),
                    detail: format!("the stream broke off: {e}"),
                };
                let event = format!("\n\nevent: error\ndata: {}\n\n", error.body());
                Poll::Ready(Some(Ok(Bytes::from(event))))
            }
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
