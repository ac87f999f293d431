//! Talking to the relay: one POST per round, its streamed answer read as it arrives (Stop aborts it).

use crate::assistant::conversation::http_error_message;
use crate::assistant::stream::{StreamError, StreamParser, Update as StreamUpdate};
use crate::browser;
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{Ctx, Phase};

/// How a request ended.
pub(super) enum Answer {
    /// The whole message (streamed and assembled, or a plain JSON answer).
    Message(Value),
    /// The stream was stopped (`error: None`) or broke off: the text that arrived is kept.
    Interrupted { text: String, error: Option<String> },
}

/// POSTs `body` to the relay with an abort signal the Stop button uses. A streamed answer
/// (`text/event-stream`) is read chunk by chunk, its text shown as it arrives in `ctx.live`;
/// any other answer is read as JSON. `Err` is a message for the panel (nothing arrived).
pub(super) async fn post(ctx: Ctx, url: &str, body: &Value) -> Result<Answer, String> {
    let headers = web_sys::Headers::new().map_err(|_| "Could not build the request headers.")?;
    headers
        .set("content-type", "application/json")
        .map_err(|_| "Could not build the request headers.")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body.to_string()));
    let controller = web_sys::AbortController::new().ok();
    if let Some(c) = &controller {
        init.set_signal(Some(&c.signal()));
    }
    ctx.abort.set_value(controller);
    let stopped_early = || Answer::Interrupted {
        text: String::new(),
        error: None,
    };
    let unreachable = |_| {
        format!("Could not reach the relay at {url} (network error): is it running, and was this page opened from its address?")
    };
    let fetched = browser::fetch(url, Some(&init)).await;
    if fetched.is_err() && ctx.stop_requested.get_value() {
        return Ok(stopped_early());
    }
    let response = fetched.map_err(unreachable)?;
    let status = response.status();
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let retry_after = header("retry-after");
    let is_stream = (200..300).contains(&status)
        && header("content-type").is_some_and(|t| t.starts_with("text/event-stream"));
    if is_stream {
        if let Some(stream) = response.body() {
            return Ok(read_stream(ctx, stream).await);
        }
    }
    let text = match browser::response_text(&response).await {
        Ok(text) => text,
        Err(_) if ctx.stop_requested.get_value() => return Ok(stopped_early()),
        Err(_) => String::new(),
    };
    if !(200..300).contains(&status) {
        return Err(http_error_message(status, retry_after.as_deref(), &text));
    }
    serde_json::from_str(&text)
        .map(Answer::Message)
        .map_err(|e| format!("The relay's answer is not JSON ({e}); nothing was run."))
}

/// Reads a streamed answer to its end, showing its text as it arrives.
pub(super) async fn read_stream(ctx: Ctx, stream: web_sys::ReadableStream) -> Answer {
    let mut parser = StreamParser::default();
    let mut received = 0usize;
    let interrupted = |parser: &StreamParser, error: Option<StreamError>| {
        let text = parser.text();
        let error = error.map(|e| e.panel_message(!text.trim().is_empty()));
        Answer::Interrupted { text, error }
    };
    let reader: web_sys::ReadableStreamDefaultReader = match stream.get_reader().dyn_into() {
        Ok(reader) => reader,
        Err(_) => {
            let error = StreamError::Disconnected {
                received,
                detail: "the browser gave no reader for the answer".into(),
            };
            return interrupted(&parser, Some(error));
        }
    };
    let cancel = |reader: &web_sys::ReadableStreamDefaultReader| {
        let _ = reader.cancel();
    };
    loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(_) if ctx.stop_requested.get_value() => return interrupted(&parser, None),
            Err(e) => {
                let error = StreamError::Disconnected {
                    received,
                    detail: browser::error_text(&e),
                };
                return interrupted(&parser, Some(error));
            }
        };
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            if ctx.stop_requested.get_value() {
                return interrupted(&parser, None);
            }
            return match parser.finish() {
                Ok(message) => Answer::Message(message),
                Err(e) => interrupted(&parser, Some(e)),
            };
        }
        let bytes = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|a| a.to_vec())
            .unwrap_or_default();
        received += bytes.len();
        let updates = match parser.feed(&bytes) {
            Ok(updates) => updates,
            Err(e) => {
                cancel(&reader);
                return interrupted(&parser, Some(e));
            }
        };
        let mut changed = false;
        for update in updates {
            match update {
                StreamUpdate::Text { .. } => changed = true,
                StreamUpdate::ToolUse { name, .. } => {
                    ctx.phase
                        .set(Phase::Working(format!("Claude asks to run {name}…")));
                }
                _ => {}
            }
        }
        if changed {
            let text = parser.text();
            if ctx.phase.get_untracked() == Phase::Working(WAITING.into()) {
                ctx.phase.set(Phase::Working(ANSWERING.into()));
            }
            ctx.live.set(Some(text));
        }
        if parser.is_done() {
            cancel(&reader);
            return match parser.finish() {
                Ok(message) => Answer::Message(message),
                Err(e) => interrupted(&parser, Some(e)),
            };
        }
    }
}

/// Phase text while the request waits for the first text.
pub(super) const WAITING: &str = "Waiting for Claude…";
/// Phase text while the answer streams in.
pub(super) const ANSWERING: &str = "Claude is answering…";
