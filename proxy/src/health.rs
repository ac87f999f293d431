//! `GET /health`: readiness without calling the upstream.
//!
//! 200 `{"status":"ok","upstream":…,"models":[…],"tools":[…],"max_tokens":…}` when an API key is
//! configured, 503 with `"status":"no_api_key"` otherwise. The key itself is never shown.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::server::AppState;

/// The health handler.
pub async fn health(State(state): State<Arc<AppState>>) -> Response {
    let c = &state.config;
    let ready = c.api_key.is_some();
    let body = serde_json::json!({
        "status": if ready { "ok" } else { "no_api_key" },
        "upstream": c.upstream,
        "models": c.allowed_models,
        "tools": c.allowed_tools,
        "max_tokens": c.max_tokens,
        "max_body_bytes": c.max_body_bytes,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}
