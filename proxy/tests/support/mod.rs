//! Test support: a scripted fake Anthropic upstream, an in-process relay on an ephemeral port,
//! and a bounded load driver (shared with `examples/load.rs`).
#![allow(dead_code)]

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use audience_proxy::config::{ApiKey, Args, Config};
use audience_proxy::server::{serve, AppState, ServeError};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use clap::Parser;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The API key the relay holds in tests.
pub const KEY: &str = "sk-ant-test-SECRET-0123456789abcdef";
/// The browser origin the relay allows in tests.
pub const ORIGIN: &str = "http://127.0.0.1:8080";
/// An allowed model.
pub const MODEL: &str = "claude-haiku-4-5";

/// What the fake upstream answers.
#[derive(Clone)]
pub enum Script {
    /// `"stream": true` → SSE; `tools` present → a `tool_use` message; else echo the last user text.
    Normal,
    /// Like `Normal`, but an SSE stream holds back `message_delta` and `message_stop` until the
    /// gate is notified.
    GatedStream(Arc<Notify>),
    /// Never answers (sleeps an hour).
    Silent,
    /// Always this status, JSON body and optional `retry-after`.
    Error {
        status: u16,
        body: String,
        retry_after: Option<&'static str>,
    },
}

/// One request the fake upstream received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, byte for byte.
    pub body: Bytes,
}

/// A running fake upstream.
pub struct Fake {
    /// Base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// Every request received, in arrival order.
    pub recorded: Arc<Mutex<Vec<Recorded>>>,
}

impl Fake {
    /// Requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }
}

#[derive(Clone)]
struct FakeState {
    script: Script,
    recorded: Arc<Mutex<Vec<Recorded>>>,
}

/// Starts a fake Anthropic API on 127.0.0.1 with an ephemeral port.
pub async fn fake_upstream(script: Script) -> Fake {
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let state = FakeState {
        script,
        recorded: recorded.clone(),
    };
    let app = Router::new()
        .route("/v1/messages", post(fake_messages))
        .with_state(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Fake { url, recorded }
}

/// The SSE events of the scripted stream, as (chunks before the gate, chunks after it).
/// `message_start` is split across two chunks on purpose.
pub fn sse_chunks() -> (Vec<String>, Vec<String>) {
    let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let start = event(
        "message_start",
        json!({"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant",
            "model":MODEL,"content":[],"stop_reason":null,
            "usage":{"input_tokens":25,"output_tokens":1}}}),
    );
    let (a, b) = start.split_at(40);
    let mut before = vec![a.to_string(), b.to_string()];
    before.push(event(
        "content_block_start",
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
    ));
    for piece in ["Hel", "lo", " world"] {
        before.push(event(
            "content_block_delta",
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":piece}}),
        ));
    }
    before.push(event(
        "content_block_stop",
        json!({"type":"content_block_stop","index":0}),
    ));
    let after = vec![
        event(
            "message_delta",
            json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}),
        ),
        event("message_stop", json!({"type":"message_stop"})),
    ];
    (before, after)
}

async fn fake_messages(
    State(state): State<FakeState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.recorded.lock().unwrap().push(Recorded {
        headers,
        body: body.clone(),
    });
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let gate = match &state.script {
        Script::Error {
            status,
            body,
            retry_after,
        } => {
            let mut r = (StatusCode::from_u16(*status).unwrap(), body.clone()).into_response();
            r.headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().unwrap());
            }
            return r;
        }
        Script::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            None
        }
        Script::GatedStream(gate) => Some(gate.clone()),
        Script::Normal => None,
    };
    if request["stream"] == json!(true) {
        let (before, after) = sse_chunks();
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
        tokio::spawn(async move {
            for c in before {
                let _ = tx.send(Bytes::from(c)).await;
            }
            if let Some(gate) = gate {
                gate.notified().await;
            }
            for c in after {
                let _ = tx.send(Bytes::from(c)).await;
            }
        });
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
        });
        let mut r = Response::new(Body::from_stream(stream));
        r.headers_mut()
            .insert("content-type", "text/event-stream".parse().unwrap());
        r.headers_mut()
            .insert("request-id", "req_fake_stream".parse().unwrap());
        return r;
    }
    let message = if let Some(tool) = request["tools"][0]["name"].as_str() {
        json!({"id":"msg_t","type":"message","role":"assistant","model":MODEL,
            "content":[{"type":"text","text":"Let me search."},
                       {"type":"tool_use","id":"toolu_01","name":tool,"input":{"query":"eco-minded urban"}}],
            "stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":9}})
    } else {
        let last = request["messages"]
            .as_array()
            .and_then(|m| m.last())
            .cloned()
            .unwrap_or(Value::Null);
        let text = last["content"].as_str().unwrap_or("").to_string();
        json!({"id":"msg_e","type":"message","role":"assistant","model":MODEL,
            "content":[{"type":"text","text":format!("echo: {text}")}],
            "stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":7}})
    };
    let mut r = axum::Json(message).into_response();
    r.headers_mut()
        .insert("request-id", "req_fake".parse().unwrap());
    r
}

/// A running relay.
#[derive(Clone)]
pub struct Relay {
    /// Base URL.
    pub url: String,
    /// Its audit log file.
    pub audit_path: PathBuf,
}

impl Relay {
    /// The audit lines written so far, parsed.
    pub fn audit_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.audit_path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    /// Waits (up to 10 s) until the audit log has at least `n` lines, then returns them all.
    pub async fn wait_audit_lines(&self, n: usize) -> Vec<Value> {
        for _ in 0..1000 {
            let lines = self.audit_lines();
            if lines.len() >= n {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.audit_lines()
    }

    /// The raw audit file text.
    pub fn audit_text(&self) -> String {
        std::fs::read_to_string(&self.audit_path).unwrap_or_default()
    }
}

static RELAYS: AtomicUsize = AtomicUsize::new(0);

/// Starts a relay in-process on 127.0.0.1 with an ephemeral port, allowing [`ORIGIN`] and
/// forwarding to `upstream`; `extra` flags are appended; `key` is the API key (None: no key).
pub async fn start_relay(upstream: &str, extra: &[&str], key: Option<&str>) -> Relay {
    start_relay_until(upstream, extra, key, std::future::pending())
        .await
        .0
}

/// [`start_relay`] that shuts down when `shutdown` completes; the handle ends when `serve` returns.
pub async fn start_relay_until(
    upstream: &str,
    extra: &[&str],
    key: Option<&str>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (Relay, JoinHandle<Result<(), ServeError>>) {
    let n = RELAYS.fetch_add(1, Ordering::SeqCst);
    let audit_path = std::env::temp_dir().join(format!(
        "audience-proxy-test-{}-{n}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&audit_path);
    let audit_arg = audit_path.to_str().unwrap().to_string();
    let mut argv = vec![
        "audience-proxy",
        "--allowed-origin",
        ORIGIN,
        "--upstream",
        upstream,
        "--audit-log",
        &audit_arg,
    ];
    argv.extend_from_slice(extra);
    let config = Config::from_args(Args::parse_from(argv), key.and_then(ApiKey::new)).unwrap();
    let state = Arc::new(AppState::from_config(config).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(serve(listener, state, shutdown));
    (Relay { url, audit_path }, handle)
}

/// POSTs `body` as JSON to the relay's `/v1/messages`, with an `Origin` header when given.
pub async fn post_message(relay: &Relay, origin: Option<&str>, body: String) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}/v1/messages", relay.url))
        .header("content-type", "application/json")
        .body(body);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    req.send().await.unwrap()
}

/// A Messages API body asking `model` for `max_tokens` with one user message.
pub fn message_body(model: &str, max_tokens: u64, text: &str) -> Value {
    json!({"model": model, "max_tokens": max_tokens,
           "messages": [{"role": "user", "content": text}]})
}

/// Result of a bounded load run.
pub struct LoadReport {
    /// Requests answered 200 with the expected body.
    pub ok: usize,
    /// Description of each failed request.
    pub failures: Vec<String>,
    /// Latency of every request, sorted.
    pub latencies: Vec<Duration>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl LoadReport {
    /// The `p`-th percentile latency (nearest rank).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

/// Sends `total` requests, `concurrency` at a time, to `relay`; every `stream_every`-th one
/// (if non-zero) asks for a stream. Each body carries a unique marker that the echo must return;
/// streams must arrive byte for byte.
pub async fn run_load(
    relay: &str,
    total: usize,
    concurrency: usize,
    stream_every: usize,
) -> LoadReport {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let (before, after) = sse_chunks();
    let expected_stream: String = before.into_iter().chain(after).collect();
    let url = format!("{relay}/v1/messages");
    let start = Instant::now();
    let results: Vec<(Result<(), String>, Duration)> = futures_util::stream::iter(0..total)
        .map(|i| {
            let client = client.clone();
            let url = url.clone();
            let expected_stream = expected_stream.clone();
            async move {
                let marker = format!("load-request-{i}");
                let streamed = stream_every > 0 && i % stream_every == 0;
                let mut body = message_body(MODEL, 64, &marker);
                if streamed {
                    body["stream"] = json!(true);
                }
                let t0 = Instant::now();
                let outcome = async {
                    let r = client
                        .post(&url)
                        .header("origin", ORIGIN)
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await
                        .map_err(|e| format!("request {i}: {e}"))?;
                    let status = r.status();
                    let text = r
                        .text()
                        .await
                        .map_err(|e| format!("request {i} body: {e}"))?;
                    if status != StatusCode::OK {
                        return Err(format!("request {i}: status {status}: {text}"));
                    }
                    let intact = if streamed {
                        text == expected_stream
                    } else {
                        let v: Value =
                            serde_json::from_str(&text).map_err(|e| format!("request {i}: {e}"))?;
                        v["content"][0]["text"] == json!(format!("echo: {marker}"))
                    };
                    if intact {
                        Ok(())
                    } else {
                        Err(format!("request {i}: body not intact: {text}"))
                    }
                }
                .await;
                (outcome, t0.elapsed())
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = start.elapsed();
    let mut latencies: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    latencies.sort();
    let failures: Vec<String> = results.into_iter().filter_map(|(r, _)| r.err()).collect();
    LoadReport {
        ok: total - failures.len(),
        failures,
        latencies,
        elapsed,
    }
}
