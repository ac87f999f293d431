//! The router, shared state, the audit middleware and [`serve`].

use std::future::{poll_fn, Future};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower_service::Service;

use crate::audit::{AuditCtx, AuditLog, AuditedBody, RequestFacts};
use crate::config::Config;
use crate::error::{clip, ErrorKind, RelayError};
use crate::limits::{client_key, Policy, RateLimiter};
use crate::{cors, health, relay, static_files};

/// The relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The audit log file could not be opened.
    #[error("cannot open the audit log {path}: {source}")]
    AuditLog {
        /// The configured path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The HTTP client (TLS setup) could not be built.
    #[error("cannot build the upstream HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// The server stopped with an I/O error.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// The client address the rate limit and audit log use, put in request extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Everything handlers share.
#[derive(Debug)]
pub struct AppState {
    /// Validated settings.
    pub config: Config,
    /// What request bodies may contain.
    pub policy: Policy,
    /// Per-client token buckets.
    pub limiter: RateLimiter,
    /// The audit log.
    pub audit: Arc<AuditLog>,
    /// Upstream HTTP client (rustls + ring, connection pool).
    pub http: reqwest::Client,
    /// With `--static-dir`: the relay's own origins, set by [`serve`] once the port is bound.
    pub self_origins: OnceLock<Vec<String>>,
}

impl AppState {
    /// Builds the state from a config, writing audit lines to `audit`.
    pub fn new(config: Config, audit: AuditLog) -> Result<Self, ServeError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(config.upstream_timeout)
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self {
            policy: Policy {
                allowed_models: config.allowed_models.clone(),
                allowed_tools: config.allowed_tools.clone(),
                max_tokens: config.max_tokens,
            },
            limiter: RateLimiter::new(config.rate_per_minute, config.burst),
            audit: Arc::new(audit),
            http,
            self_origins: OnceLock::new(),
            config,
        })
    }

    /// Takes a rate-limit token for `client`. A refusal is 429; only the first of a run is
    /// audited, the others are counted on the client's next granted request.
    pub fn take_token(&self, client: IpAddr, audit: &AuditCtx) -> Result<(), RelayError> {
        match self.limiter.check(client) {
            Ok(granted) => {
                audit.set_refusals_not_logged(granted.unlogged_refusals);
                Ok(())
            }
            Err(refused) => {
                if !refused.first {
                    audit.leave_unlogged();
                }
                Err(RelayError::RateLimited {
                    retry_after_secs: refused.retry_after_secs,
                    rate_per_minute: self.config.rate_per_minute,
                    burst: self.config.burst,
                })
            }
        }
    }

    /// Builds the state, opening the configured audit log.
    pub fn from_config(config: Config) -> Result<Self, ServeError> {
        let audit = AuditLog::open(&config.audit).map_err(|source| ServeError::AuditLog {
            path: format!("{:?}", config.audit),
            source,
        })?;
        Self::new(config, audit)
    }
}

/// The relay's routes: `POST /v1/messages`, `GET /health`, CORS and the audit log around all.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/messages", post(relay::messages))
        .route("/health", get(health::health))
        .fallback(fallback)
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(state.clone(), cors::layer))
        .layer(middleware::from_fn_with_state(state.clone(), audit_layer))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` completes, then lets open requests finish.
///
/// Each connection is served by hyper's HTTP/1 server with a header-read timeout
/// ([`Config::header_read_timeout`]: a client still sending headers after it, or idle between
/// keep-alive requests for that long, is disconnected), and at most
/// [`Config::max_connections`] connections are served at once: further ones are not accepted
/// (they wait in the operating system's queue) until a connection closes. A connection that
/// timed out with part of a request received is answered 408 before it is closed.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    if state.config.static_dir.is_some() {
        let _ = state
            .self_origins
            .set(static_files::self_origins(listener.local_addr()?));
    }
    let max_connections = state
        .config
        .max_connections
        .min(Semaphore::MAX_PERMITS)
        .min(u32::MAX as usize)
        .max(1);
    let header_timeout = state.config.header_read_timeout;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let app = router(state);
    let slots = Arc::new(Semaphore::new(max_connections));
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        // A free slot first, then a connection: over the cap, clients wait in the accept queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            Box::pin(Service::call(&mut app, req))
        });
        let mut conn = http.serve_connection(TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let finished = tokio::select! {
                done = poll_fn(|cx| conn.poll_without_shutdown(cx)) => Some(done),
                _ = stopped.wait_for(|stop| *stop) => None,
            };
            let done = match finished {
                Some(done) => done,
                None => {
                    Pin::new(&mut conn).graceful_shutdown();
                    poll_fn(|cx| conn.poll_without_shutdown(cx)).await
                }
            };
            // Other errors are the client's (reset, malformed request): nothing to report.
            if let Err(e) = done {
                if e.is_timeout() {
                    let parts = conn.into_parts();
                    answer_header_timeout(parts.io.into_inner(), &parts.read_buf, header_timeout)
                        .await;
                }
            }
            // Dropping the connection closes the socket.
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: having them all back means all are done.
    let _ = slots.acquire_many(max_connections as u32).await;
    Ok(())
}

/// A connection whose request headers did not all arrive within the header-read timeout: when
/// part of a request was received, it is answered 408 before closing; an idle connection (no
/// byte of a new request) is just closed. The answer gets at most a second to be written.
async fn answer_header_timeout(mut stream: TcpStream, received: &[u8], timeout: Duration) {
    if received.is_empty() {
        return;
    }
    let body = RelayError::HeaderTimeout { timeout }.body().to_string();
    let response = format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

/// After a failed `accept`: a connection that died before it was accepted is skipped; anything
/// else (out of file descriptors …) is reported and retried after a pause instead of spinning.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    eprintln!("audience-proxy: cannot accept a connection: {e}; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Unknown routes: a file of `--static-dir` when configured, else a JSON 404.
async fn fallback(State(state): State<Arc<AppState>>, req: Request) -> Response {
    match &state.config.static_dir {
        Some(root) => static_files::serve_file(root, req.method(), req.uri().path()).await,
        None => RelayError::NotFound {
            method: clip(req.method().as_str()),
            path: clip(req.uri().path()),
        }
        .into_response(),
    }
}

/// Records one audit line per request, written when the response body ends.
async fn audit_layer(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let time = SystemTime::now();
    let start = Instant::now();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |c| c.0);
    let ip = client_key(peer, req.headers(), state.config.trust_forwarded_for);
    // Client-supplied text is clipped: a client cannot write an attacker-sized line.
    let facts = RequestFacts {
        client: ip.to_string(),
        origin: req
            .headers()
            .get(header::ORIGIN)
            .map(|v| clip(v.to_str().unwrap_or("<non-ascii>"))),
        method: clip(req.method().as_str()),
        path: clip(req.uri().path()),
    };
    let ctx = AuditCtx::default();
    req.extensions_mut().insert(ctx.clone());
    req.extensions_mut().insert(ClientIp(ip));
    let response = next.run(req).await.into_response();
    let status = response.status().as_u16();
    let error = response
        .extensions()
        .get::<ErrorKind>()
        .map(|k| k.0.clone());
    let (parts, body) = response.into_parts();
    let body = AuditedBody::new(
        body,
        state.audit.clone(),
        ctx,
        facts,
        time,
        start,
        status,
        error,
    );
    Response::from_parts(parts, Body::new(body))
}
