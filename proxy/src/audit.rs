//! The JSON-lines audit log: one line per request (except repeated rate-limit refusals, which
//! are counted: see [`crate::limits::rate`]), written when the response body has been sent
//! completely (or the client went away), so streamed answers are logged with their final usage
//! and full latency. Client-supplied text (origin, method, path) is clipped to 200 characters.
//!
//! A line holds time, client address, origin, method, path, model, stream flag, status,
//! latency, token usage and the error type — never message content and never the API key:
//!
//! ```json
//! {"time":"2025-06-01T12:00:00.123Z","client":"127.0.0.1","origin":"http://127.0.0.1:8080","method":"POST","path":"/v1/messages","model":"claude-haiku-4-5","stream":true,"status":200,"latency_ms":812.4,"usage":{"input_tokens":25,"output_tokens":15}}
//! ```

use std::fs::OpenOptions;
use std::io::{self, BufWriter, LineWriter, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use serde::Serialize;

use crate::config::AuditTarget;
use crate::usage::Usage;

/// One audit line.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    /// RFC 3339 UTC time the request arrived.
    pub time: String,
    /// Client address the rate limit applies to.
    pub client: String,
    /// `Origin` header, if any.
    pub origin: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Request path (no query string).
    pub path: String,
    /// Requested model, once the body was read.
    pub model: Option<String>,
    /// Whether a stream was requested.
    pub stream: Option<bool>,
    /// Status sent to the client.
    pub status: u16,
    /// Milliseconds from request arrival to the last byte of the response.
    pub latency_ms: f64,
    /// Token usage reported by the upstream.
    #[serde(skip_serializing_if = "Usage::is_empty")]
    pub usage: Usage,
    /// Error type (`rate_limit_error`, `overloaded_error` …) when the request failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Rate-limit refusals (429) of this client that got no line of their own since its last
    /// logged one: only the first 429 of a run is logged.
    #[serde(skip_serializing_if = "is_zero")]
    pub refusals_not_logged: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where audit lines are written. Write failures are reported on stderr, never to clients.
pub struct AuditLog {
    sink: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditLog")
    }
}

impl AuditLog {
    /// Opens the configured target (a file is created if needed and appended to).
    pub fn open(target: &AuditTarget) -> io::Result<Self> {
        match target {
            AuditTarget::Stdout => Ok(Self::to_writer(LineWriter::new(io::stdout()))),
            AuditTarget::File(path) => {
                let file = OpenOptions::new().create(true).append(true).open(path)?;
                Ok(Self::to_writer(BufWriter::new(file)))
            }
        }
    }

    /// Audit lines go to `writer`, flushed after each line.
    pub fn to_writer(writer: impl Write + Send + 'static) -> Self {
        Self {
            sink: Mutex::new(Box::new(writer)),
        }
    }

    /// Writes one line.
    pub fn write(&self, record: &AuditRecord) {
        let mut line = match serde_json::to_vec(record) {
            Ok(line) => line,
            Err(e) => return eprintln!("audience-proxy: cannot encode an audit line: {e}"),
        };
        line.push(b'\n');
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = sink.write_all(&line).and_then(|()| sink.flush()) {
            eprintln!("audience-proxy: cannot write the audit log: {e}");
        }
    }
}

/// What handlers learn about a request while serving it.
#[derive(Debug, Default)]
struct Findings {
    model: Option<String>,
    stream: Option<bool>,
    usage: Usage,
    unlogged: bool,
    refusals_not_logged: u64,
}

/// Shared per-request audit state, put in the request's extensions for handlers to fill in.
#[derive(Debug, Clone, Default)]
pub struct AuditCtx(Arc<Mutex<Findings>>);

impl AuditCtx {
    fn with<R>(&self, f: impl FnOnce(&mut Findings) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Records the requested model and stream flag.
    pub fn set_request(&self, model: &str, stream: bool) {
        self.with(|f| {
            f.model = Some(model.to_string());
            f.stream = Some(stream);
        });
    }

    /// Records the model of a request that was refused before being fully checked.
    pub fn set_model(&self, model: &str) {
        self.with(|f| f.model = Some(model.to_string()));
    }

    /// Writes no line for this request (a repeated rate-limit refusal, counted instead).
    pub fn leave_unlogged(&self) {
        self.with(|f| f.unlogged = true);
    }

    /// Records how many earlier refusals of this client were left unlogged.
    pub fn set_refusals_not_logged(&self, count: u64) {
        self.with(|f| f.refusals_not_logged = count);
    }

    /// Records the latest usage.
    pub fn set_usage(&self, usage: Usage) {
        self.with(|f| f.usage = usage);
    }
}

/// The fields known when the request arrives.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    /// Client address.
    pub client: String,
    /// `Origin` header.
    pub origin: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
}

/// Writes the line once, when the body ends or is dropped.
struct Pending {
    log: Arc<AuditLog>,
    ctx: AuditCtx,
    facts: RequestFacts,
    time: SystemTime,
    start: Instant,
    status: u16,
    error: Option<String>,
}

impl Pending {
    fn write(self) {
        let findings = self.ctx.with(std::mem::take);
        if findings.unlogged {
            return;
        }
        let latency = self.start.elapsed().as_secs_f64() * 1000.0;
        self.log.write(&AuditRecord {
            time: humantime::format_rfc3339_millis(self.time).to_string(),
            client: self.facts.client,
            origin: self.facts.origin,
            method: self.facts.method,
            path: self.facts.path,
            model: findings.model,
            stream: findings.stream,
            status: self.status,
            latency_ms: (latency * 100.0).round() / 100.0,
            usage: findings.usage,
            error: self.error,
            refusals_not_logged: findings.refusals_not_logged,
        });
    }
}

/// A response body that writes the audit line when it finishes.
pub struct AuditedBody {
    inner: Body,
    pending: Option<Pending>,
}

impl AuditedBody {
    /// Wraps `inner`; the line is written with the findings in `ctx` at the end of the body.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        inner: Body,
        log: Arc<AuditLog>,
        ctx: AuditCtx,
        facts: RequestFacts,
        time: SystemTime,
        start: Instant,
        status: u16,
        error: Option<String>,
    ) -> Self {
        Self {
            inner,
            pending: Some(Pending {
                log,
                ctx,
                facts,
                time,
                start,
                status,
                error,
            }),
        }
    }

    fn finish(&mut self) {
        if let Some(p) = self.pending.take() {
            p.write();
        }
    }
}

impl http_body::Body for AuditedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for AuditedBody {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_line_is_written_when_the_body_is_dropped_with_findings() {
        let buf = Shared::default();
        let log = Arc::new(AuditLog::to_writer(buf.clone()));
        let ctx = AuditCtx::default();
        let facts = RequestFacts {
            client: "127.0.0.1".into(),
            origin: Some("http://a.test".into()),
            method: "POST".into(),
            path: "/v1/messages".into(),
        };
        let body = AuditedBody::new(
            Body::from("x"),
            log,
            ctx.clone(),
            facts,
            SystemTime::UNIX_EPOCH,
            Instant::now(),
            200,
            None,
        );
        ctx.set_request("m", true);
        ctx.set_usage(Usage {
            input_tokens: Some(3),
            output_tokens: Some(4),
            ..Usage::default()
        });
        assert!(buf.0.lock().unwrap().is_empty());
        drop(body);
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["time"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["model"], "m");
        assert_eq!(v["stream"], true);
        assert_eq!(v["usage"]["input_tokens"], 3);
        assert_eq!(v["usage"]["output_tokens"], 4);
        assert_eq!(v["status"], 200);
        assert!(v.get("error").is_none());
        assert!(v.get("refusals_not_logged").is_none());
    }

    #[test]
    fn an_unlogged_request_writes_nothing_and_a_count_is_written_when_not_zero() {
        let buf = Shared::default();
        let log = Arc::new(AuditLog::to_writer(buf.clone()));
        let body = |ctx: &AuditCtx| {
            AuditedBody::new(
                Body::from("x"),
                log.clone(),
                ctx.clone(),
                RequestFacts {
                    client: "127.0.0.1".into(),
                    origin: None,
                    method: "POST".into(),
                    path: "/v1/messages".into(),
                },
                SystemTime::UNIX_EPOCH,
                Instant::now(),
                429,
                Some("rate_limit_error".into()),
            )
        };
        let skipped = AuditCtx::default();
        skipped.leave_unlogged();
        drop(body(&skipped));
        assert!(buf.0.lock().unwrap().is_empty());
        let counted = AuditCtx::default();
        counted.set_refusals_not_logged(7);
        drop(body(&counted));
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["refusals_not_logged"], 7);
    }
}
