//! The optional Claude assistant panel and its settings.
//!
//! Nothing here runs unless a relay is configured (the settings below, saved in this browser,
//! or `?relay=` in the page address): without one, no panel and no request. The conversation
//! logic and everything that decides what is sent live in [`crate::assistant`]; this file only
//! posts the bodies it builds, runs the tools through the same [`WorkerClient`] signals the steps use,
//! and shows every body before and after it is sent. Answers stream in: their text shows as it
//! arrives, and Stop aborts the request, keeping what arrived.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::draft::AudienceDraft;
use super::WorkerClient;
use crate::assistant::conversation::{
    http_error_message, pretty, relay_endpoint, Conversation, Entry, Next, PendingCall, ToolOutcome,
};
use crate::assistant::privacy::{self, PrivacyRules, DEFAULT_MIN_RECORDS};
use crate::assistant::stream::{StreamError, StreamParser, Update as StreamUpdate};
use crate::assistant::tools::{self, ToolCall, ToolError};
use crate::browser;
use crate::protocol::Response;

const STORAGE_KEY: &str = "audience-builder.assistant.v1";

/// The assistant's settings, kept in this browser's local storage (never any data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssistantPrefs {
    /// Relay address (`self` or the page's own origin); empty: no assistant.
    pub relay: String,
    /// Smallest group whose aggregates may be sent.
    pub min_records: usize,
    /// Whether tool results wait for a click before they are sent.
    pub review: bool,
}

impl Default for AssistantPrefs {
    fn default() -> Self {
        Self {
            relay: String::new(),
            min_records: DEFAULT_MIN_RECORDS,
            review: true,
        }
    }
}

fn load_prefs() -> AssistantPrefs {
    browser::load(STORAGE_KEY).unwrap_or_default()
}

/// Saves the settings; a browser that refuses keeps them for this visit only.
fn save_prefs(prefs: &AssistantPrefs) {
    let _ = browser::store(STORAGE_KEY, prefs);
}

/// `?relay=…` in the page address (for an embed), if any.
fn relay_from_address() -> Option<String> {
    browser::page_parameter("relay")
}

/// What the panel is doing.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Working(String),
    /// Tool results are ready and wait for the user's click.
    Review,
}

/// Everything the loop needs, `Copy` for closures and tasks.
#[derive(Clone, Copy)]
struct Ctx {
    engine: WorkerClient,
    draft: AudienceDraft,
    prefs: RwSignal<AssistantPrefs>,
    conv: RwSignal<Conversation>,
    phase: RwSignal<Phase>,
    endpoint: StoredValue<String>,
    /// The text of the answer streaming in (`None` when none is).
    live: RwSignal<Option<String>>,
    /// A request is on its way (the Stop button shows).
    requesting: RwSignal<bool>,
    /// Stop was pressed for the current request.
    stop_requested: StoredValue<bool>,
    /// Aborts the current request.
    abort: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
}

impl Ctx {
    fn rules(&self) -> PrivacyRules {
        PrivacyRules::new(
            self.prefs.get_untracked().min_records,
            self.engine.withheld_untracked(),
        )
    }
}

/// The engine's answer when it is not the one asked for: its failure message, or a note that it was
/// something else.
fn engine_error(response: Response) -> ToolError {
    match response {
        Response::Failed(failure) => ToolError::Engine(failure.message),
        _ => ToolError::Engine("the engine answered with something else".into()),
    }
}

/// How a request ended.
enum Answer {
    /// The whole message (streamed and assembled, or a plain JSON answer).
    Message(Value),
    /// The stream was stopped (`error: None`) or broke off: the text that arrived is kept.
    Interrupted { text: String, error: Option<String> },
}

/// POSTs `body` to the relay with an abort signal the Stop button uses. A streamed answer
/// (`text/event-stream`) is read chunk by chunk, its text shown as it arrives in `ctx.live`;
/// any other answer is read as JSON. `Err` is a message for the panel (nothing arrived).
async fn post(ctx: Ctx, url: &str, body: &Value) -> Result<Answer, String> {
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
async fn read_stream(ctx: Ctx, stream: web_sys::ReadableStream) -> Answer {
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
const WAITING: &str = "Waiting for Claude…";
/// Phase text while the answer streams in.
const ANSWERING: &str = "Claude is answering…";

/// Runs one tool through the engine and turns its result into content to send.
async fn run_tool(ctx: Ctx, call: &PendingCall) -> Result<Value, ToolError> {
    let call = tools::parse(&call.name, &call.input)?;
    let engine = ctx.engine;
    let results = || engine.results.get_untracked().ok_or(ToolError::NoSegments);
    match call {
        ToolCall::DescribeColumns => {
            let preview = engine.dataset.get_untracked().ok_or(ToolError::NoFile)?;
            Ok(privacy::describe_columns(&preview, &ctx.rules()))
        }
        ToolCall::SearchVariables { query } => {
            engine.dataset.get_untracked().ok_or(ToolError::NoFile)?;
            ctx.draft.query.set(query.clone());
            match engine.suggest(query).await {
                Response::Suggestions(suggestions) => {
                    Ok(privacy::search_results(&suggestions, &ctx.rules()))
                }
                other => Err(engine_error(other)),
            }
        }
        ToolCall::RunSegmentation(args) => {
            let preview = engine.dataset.get_untracked().ok_or(ToolError::NoFile)?;
            let current = ctx.draft.settings();
            let settings =
                tools::settings_for(&args, &preview, &engine.withheld_untracked(), current)?;
            match engine.segment(settings).await {
                Response::Segmented(results) => {
                    Ok(privacy::segmentation_summary(&results, &ctx.rules()))
                }
                other => Err(engine_error(other)),
            }
        }
        ToolCall::GetSegmentProfiles => Ok(privacy::segment_profiles(&results()?, &ctx.rules())),
        ToolCall::ExplainSegment { segment } => {
            let results = results()?;
            privacy::explain_segment(&results, segment, &ctx.rules()).ok_or(
                ToolError::NoSuchSegment {
                    segment,
                    last: results.report.n_segments.saturating_sub(1) as u32,
                },
            )
        }
    }
}

/// Sends the conversation's next request and follows the answer (tools, then again) until the
/// turn ends, an error stops it, or tool results wait for review.
fn send_round(ctx: Ctx) {
    let body = ctx.conv.with_untracked(Conversation::request_body);
    let mut refused = None;
    ctx.conv.update(|c| refused = c.sending(&body).err());
    if let Some(e) = refused {
        ctx.conv.update(|c| c.fail(e.to_string()));
        ctx.phase.set(Phase::Idle);
        return;
    }
    ctx.phase.set(Phase::Working(WAITING.into()));
    ctx.stop_requested.set_value(false);
    ctx.requesting.set(true);
    spawn_local(async move {
        let url = ctx.endpoint.get_value();
        let outcome = post(ctx, &url, &body).await;
        ctx.abort.set_value(None);
        ctx.requesting.set(false);
        ctx.live.set(None);
        let answer = match outcome {
            Ok(Answer::Message(answer)) => answer,
            Ok(Answer::Interrupted { text, error }) => {
                ctx.conv.update(|c| c.interrupted(&text, error));
                ctx.phase.set(Phase::Idle);
                return;
            }
            Err(message) => {
                ctx.conv.update(|c| c.fail(message));
                ctx.phase.set(Phase::Idle);
                return;
            }
        };
        let mut next = None;
        ctx.conv.update(|c| next = Some(c.on_answer(&answer)));
        match next {
            Some(Ok(Next::RunTools(calls))) => {
                let mut outcomes = Vec::new();
                for call in &calls {
                    ctx.phase.set(Phase::Working(format!(
                        "Running {} in this tab…",
                        call.name
                    )));
                    let (content, is_error) = match run_tool(ctx, call).await {
                        Ok(value) => (value.to_string(), false),
                        Err(error) => (error.to_string(), true),
                    };
                    outcomes.push(ToolOutcome {
                        id: call.id.clone(),
                        name: call.name.clone(),
                        content,
                        is_error,
                    });
                }
                ctx.conv.update(|c| c.add_tool_results(outcomes));
                if ctx.prefs.get_untracked().review {
                    ctx.phase.set(Phase::Review);
                } else {
                    send_round(ctx);
                }
            }
            Some(Ok(Next::Done)) | None => ctx.phase.set(Phase::Idle),
            Some(Err(e)) => {
                ctx.conv.update(|c| c.fail(e.to_string()));
                ctx.phase.set(Phase::Idle);
            }
        }
    });
}

/// The assistant: its settings (always, small) and its panel (only with a relay).
#[component]
pub fn Assistant() -> impl IntoView {
    let prefs = RwSignal::new(load_prefs());
    let from_address = relay_from_address();
    let relay = Memo::new(move |_| {
        from_address
            .clone()
            .or_else(|| Some(prefs.get().relay))
            .filter(|r| !r.trim().is_empty())
    });
    view! {
        <Show when=move || relay.get().is_some()>
            <AssistantPanel
                prefs=prefs
                relay=relay.get_untracked().unwrap_or_default()
            />
        </Show>
        <footer class="app-footer">
            <AssistantSettings prefs=prefs />
        </footer>
    }
}

/// Relay address, suppression threshold and review setting, saved in this browser.
#[component]
fn AssistantSettings(prefs: RwSignal<AssistantPrefs>) -> impl IntoView {
    let relay = RwSignal::new(prefs.get_untracked().relay);
    let min_records = RwSignal::new(prefs.get_untracked().min_records.to_string());
    let review = RwSignal::new(prefs.get_untracked().review);
    let message = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let min = match min_records.get_untracked().trim().parse::<usize>() {
            Ok(n) if n >= 2 => n,
            _ => {
                message.set(format!(
                    "The minimum group size must be a whole number of at least 2 (got {:?}).",
                    min_records.get_untracked()
                ));
                return;
            }
        };
        let next = AssistantPrefs {
            relay: relay.get_untracked().trim().to_string(),
            min_records: min,
            review: review.get_untracked(),
        };
        save_prefs(&next);
        prefs.set(next);
        message.set("Saved in this browser.".into());
    };
    view! {
        <details class="assistant-settings">
            <summary>"Claude assistant settings"</summary>
            <form on:submit=save>
                <p class="privacy-note">
                    "Optional. With a relay address the Assistant panel appears. It sends your messages, column names, catalog variables and segment aggregates, never rows; every request is shown before it is sent."
                </p>
                <label>
                    "Relay address ("<code>"self"</code>" when the relay serves this page)"
                    <input
                        type="text"
                        id="assistant-relay"
                        prop:value=move || relay.get()
                        on:input=move |ev| relay.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Smallest group whose figures may be sent"
                    <input
                        type="number"
                        min="2"
                        id="assistant-min-records"
                        prop:value=move || min_records.get()
                        on:input=move |ev| min_records.set(event_target_value(&ev))
                    />
                </label>
                <label class="inline">
                    <input
                        type="checkbox"
                        id="assistant-review"
                        prop:checked=move || review.get()
                        on:change=move |ev| review.set(event_target_checked(&ev))
                    />
                    "Review each request before sending tool results"
                </label>
                <button type="submit" class="secondary">"Save assistant settings"</button>
                <p class="status" aria-live="polite">{move || message.get()}</p>
            </form>
        </details>
    }
}

fn entry_view(entry: Entry) -> AnyView {
    match entry {
        Entry::User(text) => view! {
            <li class="msg msg-user"><strong>"You: "</strong>{text}</li>
        }
        .into_any(),
        Entry::Assistant(text) => view! {
            <li class="msg msg-claude"><strong>"Claude: "</strong>{text}</li>
        }
        .into_any(),
        Entry::Partial { text, stopped } => {
            let mark = if stopped {
                "(stopped: the rest was not received)"
            } else {
                "(incomplete: the answer broke off)"
            };
            view! {
                <li class="msg msg-claude msg-partial">
                    <strong>"Claude: "</strong>{text}" "<em class="partial-mark">{mark}</em>
                </li>
            }
            .into_any()
        }
        Entry::ToolUse { name, input } => view! {
            <li class="msg msg-tool">"Claude asks to run "<code>{name}</code>" with "<code>{input}</code></li>
        }
        .into_any(),
        Entry::ToolResult { name, content, is_error } => {
            let label = if is_error {
                format!("{name} failed (sent as an error): {content}")
            } else {
                format!("Result of {name} ({} bytes)", content.len())
            };
            view! {
                <li class="msg msg-result" class:msg-result-error=is_error>
                    <details><summary>{label}</summary><pre tabindex="0">{content}</pre></details>
                </li>
            }
            .into_any()
        }
        Entry::Sent(body) => {
            let label = format!("What was sent to the relay ({} bytes)", body.len());
            view! {
                <li class="msg msg-sent">
                    <details><summary>{label}</summary><pre class="sent-body" tabindex="0">{body}</pre></details>
                </li>
            }
            .into_any()
        }
        Entry::Error(text) => view! {
            <li class="msg msg-error"><span role="alert">{text}</span></li>
        }
        .into_any(),
    }
}

#[component]
fn AssistantPanel(prefs: RwSignal<AssistantPrefs>, relay: String) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let draft = expect_context::<AudienceDraft>();
    let origin = browser::page_origin();
    let endpoint = relay_endpoint(&relay, &origin);
    let ctx = Ctx {
        engine,
        draft,
        prefs,
        conv: RwSignal::new(Conversation::default()),
        phase: RwSignal::new(Phase::Idle),
        endpoint: StoredValue::new(endpoint.clone().unwrap_or_default()),
        live: RwSignal::new(None),
        requesting: RwSignal::new(false),
        stop_requested: StoredValue::new(false),
        abort: StoredValue::new_local(None),
    };
    let input = NodeRef::<leptos::html::Textarea>::new();
    let stop = move |_| {
        ctx.stop_requested.set_value(true);
        ctx.abort.with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        });
        // The Stop button goes away: keep the keyboard in the panel, on the next message.
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };
    let draft = RwSignal::new(String::new());
    let usable = endpoint.is_ok();
    let where_text = match &endpoint {
        Ok(url) => format!("Talks to Claude through the relay at {url}."),
        Err(_) => String::new(),
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ctx.phase.get_untracked() != Phase::Idle || !usable {
            return;
        }
        let text = draft.get_untracked();
        let mut outcome = Ok(());
        ctx.conv.update(|c| outcome = c.user_says(&text));
        match outcome {
            Ok(()) => {
                draft.set(String::new());
                send_round(ctx);
            }
            Err(e) => ctx.conv.update(|c| c.log.push(Entry::Error(e.to_string()))),
        }
    };
    let preview = move || {
        let text = draft.get();
        ctx.conv.with(|c| pretty(&c.preview_with(text.trim())))
    };
    let pending_body = move || ctx.conv.with(|c| pretty(&c.request_body()));
    let min_text = move || {
        format!(
            "Sends only your messages, column names, catalog variables and aggregates over at least {} records (smaller groups are suppressed). Never a row. Each request body is shown below.",
            prefs.get().min_records
        )
    };
    view! {
        <aside class="step assistant" id="assistant" aria-labelledby="assistant-heading">
            <h2 id="assistant-heading">"Assistant"</h2>
            <p class="privacy-note">{where_text}" "{min_text}</p>
            {endpoint.clone().err().map(|message| view! { <p class="status status-error" role="alert">{message}</p> })}
            // A chat log: entries are keyed by position (the log only grows), so only new ones
            // are announced; while an answer streams in the log is busy, so its text is
            // announced once, when it is complete, not per token.
            <div
                class="assistant-log-region"
                role="log"
                aria-label="Conversation"
                aria-busy=move || if ctx.live.get().is_some() { "true" } else { "false" }
            >
                <ol class="assistant-log">
                    <For
                        each=move || ctx.conv.with(|c| c.log.iter().cloned().enumerate().collect::<Vec<_>>())
                        key=|(i, _)| *i
                        children=move |(_, entry)| entry_view(entry)
                    />
                    {move || ctx.live.get().map(|text| view! {
                        <li class="msg msg-live"><strong>"Claude: "</strong>{text}</li>
                    })}
                </ol>
            </div>
            <div class="assistant-working">
                <p class="status assistant-phase" aria-live="polite">
                    {move || match ctx.phase.get() {
                        Phase::Working(text) => text,
                        _ => String::new(),
                    }}
                </p>
                <Show when=move || ctx.requesting.get()>
                    <button type="button" class="secondary assistant-stop" on:click=stop>
                        "Stop"
                    </button>
                </Show>
            </div>
            <Show when=move || ctx.phase.get() == Phase::Review>
                <div class="assistant-review">
                    <p>"The tool results are ready. This is exactly what will be sent:"</p>
                    <details open><summary>"What will be sent"</summary><pre class="review-body" tabindex="0">{pending_body}</pre></details>
                    <button type="button" class="send-results" on:click=move |_| send_round(ctx)>"Send tool results"</button>
                    " "
                    <button type="button" class="secondary" on:click=move |_| {
                        ctx.conv.update(|c| c.discard_tool_results());
                        ctx.phase.set(Phase::Idle);
                    }>"Don't send"</button>
                </div>
            </Show>
            <form class="assistant-form" on:submit=send>
                <label for="assistant-input">"Message to Claude"</label>
                <textarea
                    node_ref=input
                    id="assistant-input"
                    rows="3"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                ></textarea>
                <details class="draft-preview">
                    <summary>"What will be sent"</summary>
                    <pre class="preview-body" tabindex="0">{preview}</pre>
                </details>
                <button type="submit" class="assistant-send" disabled=move || !usable || ctx.phase.get() != Phase::Idle>"Send"</button>
            </form>
        </aside>
    }
}
