//! The tool-use loop as a plain state machine: request bodies in, Messages API answers out.
//!
//! The page drives it: [`Conversation::user_says`] → POST [`Conversation::request_body`] →
//! [`Conversation::on_answer`] → run the returned tool calls → [`Conversation::add_tool_results`]
//! → POST again, until the answer's `stop_reason` is `end_turn` or [`MAX_ROUNDS`] requests have
//! been made for one user message. Requests ask for a streamed answer; [`super::stream`]
//! assembles it into the same message a non-streamed answer is, and
//! [`Conversation::interrupted`] keeps the part of an answer that was stopped or broke off.

use serde_json::{json, Value};

use super::tools;

/// Requests per user message, at most (the first plus tool-result rounds).
pub const MAX_ROUNDS: usize = 8;
/// The model asked for (in the relay's default allowlist).
pub const MODEL: &str = "claude-sonnet-4-5";
/// `max_tokens` of every request (the relay's default limit is 4096).
pub const MAX_TOKENS: u64 = 2048;

/// The system prompt: what the assistant can do and what it never sees.
pub const SYSTEM: &str = "You are the assistant inside Audience Builder, a privacy-first audience segmentation tool that runs in the user's browser. \
You never see customer rows: tools return column metadata, catalog variables and aggregates over at least a minimum number of records; smaller groups are suppressed. \
To build an audience: call search_variables with the user's description, then run_segmentation (optionally with columns, k, min_share, max_share), then get_segment_profiles, and explain the personas briefly. \
Segments are shown to the user in the app as soon as run_segmentation returns.";

/// One thing to show in the panel, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// The user's message.
    User(String),
    /// Claude's text.
    Assistant(String),
    /// The part of Claude's text that arrived before the answer was stopped or broke off.
    Partial {
        /// The text that arrived.
        text: String,
        /// `true`: the user pressed Stop; `false`: the stream failed (an [`Entry::Error`]
        /// follows with the reason).
        stopped: bool,
    },
    /// Claude asked for a tool.
    ToolUse {
        /// Tool name.
        name: String,
        /// Its input, as JSON text.
        input: String,
    },
    /// A tool ran (or failed); `content` is exactly what is sent back.
    ToolResult {
        /// Tool name.
        name: String,
        /// The content sent.
        content: String,
        /// Whether it is an error result.
        is_error: bool,
    },
    /// A request body that was sent, pretty-printed.
    Sent(String),
    /// Something went wrong; the text says what.
    Error(String),
}

/// A `tool_use` block waiting for its result.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingCall {
    /// The block's id.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Tool input.
    pub input: Value,
}

/// What to do after an answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Run these tools and send their results.
    RunTools(Vec<PendingCall>),
    /// The turn is over.
    Done,
}

/// A tool's outcome, ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolOutcome {
    /// The `tool_use` id it answers.
    pub id: String,
    /// Tool name (for the panel).
    pub name: String,
    /// The result (JSON text) or the error message.
    pub content: String,
    /// Whether it is an error.
    pub is_error: bool,
}

/// The loop could not go on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoopError {
    /// The answer is not a Messages API message.
    #[error("the relay's answer is not a Claude message ({0}); nothing was run")]
    Malformed(String),
    /// Too many rounds for one user message.
    #[error("stopped after {0} requests for one message (the limit); ask again to continue")]
    TooManyRounds(usize),
    /// The message is empty.
    #[error("type a message first")]
    EmptyMessage,
    /// The previous answer still waits for tool results.
    #[error("the assistant is still working on the previous message")]
    Busy,
}

/// One conversation with its history (the `messages` sent each time) and display log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conversation {
    /// Messages API history.
    pub messages: Vec<Value>,
    /// What the panel shows.
    pub log: Vec<Entry>,
    /// Requests made for the current user message.
    pub rounds: usize,
    /// Tool calls of the last answer not yet answered.
    pub pending: Vec<PendingCall>,
}

impl Conversation {
    /// The request body for `messages`.
    pub fn body_for(messages: &[Value]) -> Value {
        json!({
            "model": MODEL,
            "max_tokens": MAX_TOKENS,
            "system": SYSTEM,
            "tools": tools::definitions(),
            "messages": messages,
            "stream": true,
        })
    }

    /// The next request body.
    pub fn request_body(&self) -> Value {
        Self::body_for(&self.messages)
    }

    /// The body that would be sent if the user sent `draft` now (for the live preview).
    pub fn preview_with(&self, draft: &str) -> Value {
        let mut messages = self.messages.clone();
        push_user_content(&mut messages, vec![json!({"type": "text", "text": draft})]);
        Self::body_for(&messages)
    }

    /// Adds the user's message (starting a new turn).
    pub fn user_says(&mut self, text: &str) -> Result<(), LoopError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(LoopError::EmptyMessage);
        }
        if !self.pending.is_empty() {
            return Err(LoopError::Busy);
        }
        push_user_content(
            &mut self.messages,
            vec![json!({"type": "text", "text": text})],
        );
        self.log.push(Entry::User(text.to_string()));
        self.rounds = 0;
        Ok(())
    }

    /// Records that `body` is being sent (counts the round; refuses past [`MAX_ROUNDS`]).
    pub fn sending(&mut self, body: &Value) -> Result<(), LoopError> {
        if self.rounds >= MAX_ROUNDS {
            return Err(LoopError::TooManyRounds(MAX_ROUNDS));
        }
        self.rounds += 1;
        self.log.push(Entry::Sent(pretty(body)));
        Ok(())
    }

    /// Takes an answer; returns the tool calls to run, or [`Next::Done`].
    pub fn on_answer(&mut self, answer: &Value) -> Result<Next, LoopError> {
        let content = answer
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| LoopError::Malformed("no content array".into()))?;
        let stop = answer
            .get("stop_reason")
            .and_then(Value::as_str)
            .unwrap_or("");
        let mut calls = Vec::new();
        for block in content {
            match block.get("type").and_then(Value::as_str) {
                Some("text") => {
                    let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                    if !text.trim().is_empty() {
                        self.log.push(Entry::Assistant(text.to_string()));
                    }
                }
                Some("tool_use") => {
                    let id = block.get("id").and_then(Value::as_str);
                    let name = block.get("name").and_then(Value::as_str);
                    let (Some(id), Some(name)) = (id, name) else {
                        return Err(LoopError::Malformed(
                            "a tool_use block without id or name".into(),
                        ));
                    };
                    let input = block.get("input").cloned().unwrap_or(Value::Null);
                    self.log.push(Entry::ToolUse {
                        name: name.to_string(),
                        input: input.to_string(),
                    });
                    calls.push(PendingCall {
                        id: id.to_string(),
                        name: name.to_string(),
                        input,
                    });
                }
                _ => {}
            }
        }
        self.messages
            .push(json!({"role": "assistant", "content": content}));
        if calls.is_empty() {
            match stop {
                "max_tokens" => self.log.push(Entry::Error(
                    "The answer was cut off at the token limit.".into(),
                )),
                "refusal" => self.log.push(Entry::Error(
                    "Claude declined to answer this request.".into(),
                )),
                _ => {}
            }
            return Ok(Next::Done);
        }
        if self.rounds >= MAX_ROUNDS {
            // Keep the history valid: drop the unanswered tool calls.
            self.messages.pop();
            return Err(LoopError::TooManyRounds(MAX_ROUNDS));
        }
        self.pending = calls.clone();
        Ok(Next::RunTools(calls))
    }

    /// Adds the tools' results as the next user message.
    pub fn add_tool_results(&mut self, outcomes: Vec<ToolOutcome>) {
        let blocks: Vec<Value> = outcomes
            .iter()
            .map(|o| {
                let mut b =
                    json!({"type": "tool_result", "tool_use_id": o.id, "content": o.content});
                if o.is_error {
                    b["is_error"] = json!(true);
                }
                b
            })
            .collect();
        for o in outcomes {
            self.log.push(Entry::ToolResult {
                name: o.name,
                content: o.content,
                is_error: o.is_error,
            });
        }
        push_user_content(&mut self.messages, blocks);
        self.pending.clear();
    }

    /// Drops tool results the user chose not to send, with the tool calls they answer, so the
    /// history stays valid and nothing of them is sent later.
    pub fn discard_tool_results(&mut self) {
        let is_results = self.messages.last().is_some_and(|m| {
            m["role"] == "user"
                && m["content"]
                    .as_array()
                    .is_some_and(|c| c.iter().all(|b| b["type"] == "tool_result"))
        });
        if is_results {
            self.messages.pop();
            if self
                .messages
                .last()
                .is_some_and(|m| m["role"] == "assistant")
            {
                self.messages.pop();
            }
            self.log.push(Entry::Error(
                "Not sent: the tool results were discarded.".into(),
            ));
        }
    }

    /// Ends a streamed answer that did not complete: the user stopped it (`error` is `None`) or
    /// the stream failed. The text that arrived is kept, on screen and in the history (as an
    /// assistant message, so Claude sees what it said); tool calls that had begun are dropped
    /// and nothing is run.
    pub fn interrupted(&mut self, text: &str, error: Option<String>) {
        let stopped = error.is_none();
        if !text.trim().is_empty() {
            self.log.push(Entry::Partial {
                text: text.to_string(),
                stopped,
            });
            self.messages.push(json!({
                "role": "assistant",
                "content": [{"type": "text", "text": text.trim_end()}],
            }));
        }
        match error {
            Some(message) => self.log.push(Entry::Error(message)),
            None if text.trim().is_empty() => self
                .log
                .push(Entry::Error("Stopped before Claude answered.".into())),
            None => {}
        }
    }

    /// Abandons the current turn after an error: unanswered tool calls are dropped so the
    /// history stays valid, and the error is logged.
    pub fn fail(&mut self, message: String) {
        if !self.pending.is_empty() {
            self.messages.pop();
            self.pending.clear();
        }
        self.log.push(Entry::Error(message));
    }
}

fn push_user_content(messages: &mut Vec<Value>, blocks: Vec<Value>) {
    if let Some(last) = messages.last_mut() {
        if last["role"] == "user" {
            if let Some(content) = last["content"].as_array_mut() {
                content.extend(blocks);
                return;
            }
        }
    }
    messages.push(json!({"role": "user", "content": blocks}));
}

/// JSON pretty-printed (what the panel shows as "sent").
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// A clear message for a failed relay answer: `status`, its `retry-after` header and body.
pub fn http_error_message(status: u16, retry_after: Option<&str>, body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let detail = parsed
        .as_ref()
        .and_then(|v| v.pointer("/error/message"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let source = parsed
        .as_ref()
        .and_then(|v| v.get("source"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let who = if source == "relay" {
        "The relay"
    } else {
        "Claude's API"
    };
    let head = match status {
        401 => "The API key was refused (401): the relay's ANTHROPIC_API_KEY is missing, wrong or revoked.".to_string(),
        403 => format!("{who} refused the request (403): this page's origin, the model or a tool is not allowed (start the relay with --static-dir or --allowed-origin for this page)."),
        413 => "The request is too large for the relay (413): start a new conversation, or raise --max-body-bytes.".to_string(),
        429 => match retry_after {
            Some(s) => format!("Too many requests (429): try again in {s} s."),
            None => "Too many requests (429): wait a minute and try again.".to_string(),
        },
        529 => "Claude is overloaded (529): try again in a minute.".to_string(),
        503 => format!("{who} is not available (503): is ANTHROPIC_API_KEY set where the relay runs?"),
        502 | 504 => format!("The relay could not reach Claude's API ({status})."),
        s if s >= 500 => format!("{who} failed ({s})."),
        s => format!("{who} refused the request ({s})."),
    };
    match detail {
        Some(d) if !d.is_empty() => format!("{head} Details: {d}"),
        _ => head,
    }
}

/// Where to POST, given the configured relay and the page's origin; `Err` explains why a
/// cross-origin relay cannot work under the page's `connect-src 'self'` policy.
pub fn relay_endpoint(relay: &str, page_origin: &str) -> Result<String, String> {
    let relay = relay.trim().trim_end_matches('/');
    if relay.is_empty() || relay == "self" {
        return Ok(format!("{page_origin}/v1/messages"));
    }
    if relay.starts_with('/') {
        return Ok(format!("{page_origin}{relay}/v1/messages"));
    }
    let lower = relay.to_ascii_lowercase();
    let Some((scheme, rest)) = lower.split_once("://") else {
        return Err(format!(
            "The relay address {relay:?} is not a URL such as http://127.0.0.1:8787."
        ));
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "The relay address {relay:?} must start with http:// or https://."
        ));
    }
    let authority = rest.split('/').next().unwrap_or("");
    let origin = format!("{scheme}://{authority}");
    if origin != page_origin.to_ascii_lowercase() {
        return Err(format!(
            "The relay at {origin} is on another origin than this page ({page_origin}). The page's security policy only lets it talk to its own origin, so the browser would block every request. Start the relay with --static-dir dist and open the app from the relay's address instead."
        ));
    }
    Ok(format!("{relay}/v1/messages"))
}
