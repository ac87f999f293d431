//! The optional Claude assistant panel and its settings.
//!
//! Nothing here runs unless a relay is configured (the settings below, saved in this browser,
//! or `?relay=` in the page address): without one, no panel and no request. The conversation
//! logic and everything that decides what is sent live in [`crate::assistant`]; here, one job a file:
//! the panel, which shows every body before and after it is sent (this file); `settings`; `relay`,
//! which posts the bodies and reads the answers as they stream in (Stop aborts, keeping what arrived);
//! and `turn`, which runs the tools Claude asks for through the same [`WorkerClient`] the steps use.

use super::draft::AudienceDraft;
use super::WorkerClient;
use crate::assistant::conversation::{pretty, relay_endpoint, Conversation, Entry};
use crate::assistant::privacy::PrivacyRules;
use crate::browser;
use leptos::prelude::*;

use settings::{load_prefs, relay_from_address, AssistantPrefs, AssistantSettings};
use turn::send_round;

mod relay;
mod settings;
mod turn;

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
