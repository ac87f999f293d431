//! `audience-proxy`: see `proxy/README.md` and `audience-proxy --help`.

use std::process::ExitCode;
use std::sync::Arc;

use audience_proxy::config::{ApiKey, Args, Config};
use audience_proxy::server::{serve, AppState, ServeError};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    let key = std::env::var("ANTHROPIC_API_KEY")
        .ok()
        .and_then(ApiKey::new);
    let config = match Config::from_args(args, key) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("audience-proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("audience-proxy: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("audience-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), ServeError> {
    let addr = config.listen;
    if config.api_key.is_none() {
        eprintln!("audience-proxy: ANTHROPIC_API_KEY is not set; /health reports 503 and requests are refused");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let state = Arc::new(AppState::from_config(config)?);
    eprintln!(
        "audience-proxy: listening on http://{} → {} (origins: {})",
        listener.local_addr()?,
        state.config.upstream,
        state.config.allowed_origins.join(", ")
    );
    if let Some(dir) = &state.config.static_dir {
        eprintln!(
            "audience-proxy: serving the app from {} at http://{}/ (its own origin is allowed)",
            dir.display(),
            listener.local_addr()?
        );
    }
    serve(listener, state, shutdown_signal()).await
}

/// Ctrl-C, or SIGTERM on Unix (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    eprintln!("audience-proxy: shutting down");
}
