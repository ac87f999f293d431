//! Streamed answers: the Messages API's server-sent events, fed as byte chunks, assembled into
//! the same message JSON a non-streamed request returns (so [`super::conversation`] takes either).
//!
//! Two layers, both plain Rust:
//! - [`SseDecoder`]: bytes → [`SseEvent`]s (the `text/event-stream` format: `event:`/`data:`
//!   fields, events ended by a blank line, `\n`, `\r\n` or `\r` line ends). Chunks may be split
//!   anywhere, also inside a UTF-8 character or between the two newlines that end an event.
//! - [`MessageAssembler`]: events → an assembled message, reporting each step as an [`Update`]
//!   for the panel (text as it arrives). `input_json_delta` parts are joined and parsed at
//!   `content_block_stop`; an `error` event (e.g. `overloaded_error`) ends the stream with
//!   [`StreamError::Api`].
//!
//! [`StreamParser`] chains the two. Unknown event and delta types are skipped, as the API's
//! versioning policy asks.

use serde_json::{json, Map, Value};

use super::events::{ContentBlock, Delta, StreamEvent};

/// Longest line accepted, in bytes (a guard against a stream that never ends a line).
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Why a stream could not be read or assembled.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StreamError {
    /// The API sent an `error` event mid-stream.
    #[error("{}", api_message(kind, message))]
    Api {
        /// Error type, e.g. `overloaded_error`.
        kind: String,
        /// The API's message.
        message: String,
    },
    /// An event's data is not the JSON the Messages API sends.
    #[error("the stream's `{event}` event is malformed ({detail})")]
    Malformed {
        /// Event type.
        event: String,
        /// What is wrong.
        detail: String,
    },
    /// An event came where the Messages API never sends it.
    #[error("the stream's `{event}` event came out of order ({detail})")]
    OutOfOrder {
        /// Event type.
        event: String,
        /// What is wrong.
        detail: String,
    },
    /// A delta does not fit the content block it is for.
    #[error("a `{delta}` delta arrived for content block {index}, which is a `{block}` block")]
    DeltaMismatch {
        /// Content block index.
        index: usize,
        /// The block's type.
        block: String,
        /// The delta's type.
        delta: String,
    },
    /// A tool call's input, once complete, is not a JSON object.
    #[error("the input of tool call `{name}` (content block {index}, {bytes} bytes) is not a JSON object: {detail}")]
    ToolInput {
        /// Content block index.
        index: usize,
        /// Tool name.
        name: String,
        /// Length of the joined partial JSON.
        bytes: usize,
        /// The parse error.
        detail: String,
    },
    /// A line is not UTF-8.
    #[error("line {line} of the stream is not UTF-8 (at byte {valid_up_to} of the line)")]
    InvalidUtf8 {
        /// Line number, from 1.
        line: usize,
        /// Valid bytes before the fault.
        valid_up_to: usize,
    },
    /// A line is longer than [`MAX_LINE_BYTES`].
    #[error("line {line} of the stream is longer than {limit} bytes ({bytes} so far)")]
    LineTooLong {
        /// Line number, from 1.
        line: usize,
        /// Bytes buffered.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The connection broke off while the answer was being read.
    #[error("the connection broke off after {received} bytes of the answer ({detail})")]
    Disconnected {
        /// Bytes of the answer received.
        received: usize,
        /// What the browser said.
        detail: String,
    },
    /// The stream ended before `message_stop`.
    #[error("the answer broke off before it was complete ({detail})")]
    Incomplete {
        /// How far it got.
        detail: String,
    },
}

impl StreamError {
    /// The message the panel shows; `kept_text` says whether part of the answer arrived (and
    /// is kept on screen).
    pub fn panel_message(&self, kept_text: bool) -> String {
        let kept = if kept_text {
            " The text that arrived is kept above; nothing else was run."
        } else {
            " Nothing was run."
        };
        let head = match self {
            StreamError::Api { .. } => capitalized(&self.to_string()),
            StreamError::Disconnected { .. } | StreamError::Incomplete { .. } => {
                format!("Claude's answer did not finish: {self}.")
            }
            _ => format!("Claude's answer could not be read: {self}."),
        };
        let head = if head.ends_with('.') {
            head
        } else {
            format!("{head}.")
        };
        format!("{head}{kept}")
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn api_message(kind: &str, message: &str) -> String {
    let head = match kind {
        "overloaded_error" => "Claude is overloaded and stopped mid-answer: try again in a minute",
        "rate_limit_error" => {
            "Claude's rate limit stopped the answer mid-way: wait a minute and try again"
        }
        "api_error" => "Claude's API failed mid-answer",
        _ => "Claude's API stopped the answer",
    };
    if message.is_empty() {
        format!("{head} ({kind})")
    } else {
        format!("{head} ({kind}: {message})")
    }
}

/// One server-sent event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field (`message` when absent, as the format says).
    pub event: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// Decodes `text/event-stream` bytes into events, chunk by chunk.
#[derive(Debug, Default)]
pub struct SseDecoder {
    /// Bytes of the line not yet ended.
    pending: Vec<u8>,
    /// The previous chunk ended in `\r` (a following `\n` belongs to the same line end).
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    lines: usize,
}

impl SseDecoder {
    /// Feeds the next chunk; returns the events it completes.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, StreamError> {
        let mut events = Vec::new();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' && i == start {
                    start = i + 1;
                    continue;
                }
            }
            if b == b'\n' || b == b'\r' {
                self.pending.extend_from_slice(&bytes[start..i]);
                self.end_line(&mut events)?;
                self.after_cr = b == b'\r';
                start = i + 1;
            }
        }
        self.pending.extend_from_slice(&bytes[start..]);
        if self.pending.len() > MAX_LINE_BYTES {
            return Err(StreamError::LineTooLong {
                line: self.lines + 1,
                bytes: self.pending.len(),
                limit: MAX_LINE_BYTES,
            });
        }
        Ok(events)
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) -> Result<(), StreamError> {
        self.lines += 1;
        let raw = std::mem::take(&mut self.pending);
        let mut line = String::from_utf8(raw).map_err(|e| StreamError::InvalidUtf8 {
            line: self.lines,
            valid_up_to: e.utf8_error().valid_up_to(),
        })?;
        if self.lines == 1 && line.starts_with('\u{feff}') {
            line.remove(0);
        }
        if line.is_empty() {
            if self.has_data {
                events.push(SseEvent {
                    event: if self.event.is_empty() {
                        "message".to_string()
                    } else {
                        std::mem::take(&mut self.event)
                    },
                    data: std::mem::take(&mut self.data),
                });
            }
            self.event.clear();
            self.data.clear();
            self.has_data = false;
            return Ok(());
        }
        if line.starts_with(':') {
            return Ok(()); // a comment
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {} // `id`, `retry` and unknown fields do not matter here
        }
        Ok(())
    }
}

/// What an event changed, for the panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// `message_start`: the answer has begun.
    Started,
    /// Text arrived for content block `index`.
    Text {
        /// Content block index.
        index: usize,
        /// The new text.
        delta: String,
    },
    /// A tool call began (its input follows as JSON parts).
    ToolUse {
        /// Content block index.
        index: usize,
        /// Tool name.
        name: String,
    },
    /// Content block `index` is complete.
    BlockDone {
        /// Content block index.
        index: usize,
    },
    /// `message_delta`: the stop reason is known.
    StopReason(String),
    /// `message_stop`: the message is complete.
    Done,
    /// Nothing visible changed (`ping`, a skipped unknown event, an input JSON part).
    Nothing,
}

#[derive(Clone, Debug, PartialEq)]
enum Block {
    Text(String),
    ToolUse {
        id: String,
        name: String,
        json: String,
        input: Option<Value>,
    },
    /// Any other block type, kept as started (e.g. a server tool result).
    Other(Value),
}

/// Assembles Messages API stream events into the message a non-streamed request returns.
#[derive(Clone, Debug, Default)]
pub struct MessageAssembler {
    message: Option<Map<String, Value>>,
    blocks: Vec<Block>,
    open: Vec<bool>,
    stop_reason: Option<String>,
    stop_sequence: Option<Value>,
    done: bool,
}

fn malformed(event: &str, detail: impl Into<String>) -> StreamError {
    StreamError::Malformed {
        event: event.to_string(),
        detail: detail.into(),
    }
}

fn out_of_order(event: &str, detail: impl Into<String>) -> StreamError {
    StreamError::OutOfOrder {
        event: event.to_string(),
        detail: detail.into(),
    }
}

impl MessageAssembler {
    /// Takes one event; returns what it changed.
    pub fn on_event(&mut self, event: &SseEvent) -> Result<Update, StreamError> {
        let name = event.event.as_str();
        if name == "ping" {
            return Ok(Update::Nothing);
        }
        let mut data: Value = serde_json::from_str(&event.data)
            .map_err(|e| malformed(name, format!("its data is not JSON: {e}")))?;
        // The type inside the data is authoritative (the `event:` line repeats it, and stands in for it).
        let kind = match data.as_object_mut() {
            Some(fields) => fields
                .entry("type")
                .or_insert_with(|| Value::String(name.to_string()))
                .as_str()
                .unwrap_or(name)
                .to_string(),
            None => name.to_string(),
        };
        let kind = kind.as_str();
        let typed =
            StreamEvent::from_data(kind, data).map_err(|e| malformed(kind, e.to_string()))?;
        match typed {
            StreamEvent::Error { error } => {
                return Err(StreamError::Api {
                    kind: if error.kind.is_empty() {
                        "error".into()
                    } else {
                        error.kind
                    },
                    message: error.message,
                })
            }
            StreamEvent::Ping => return Ok(Update::Nothing),
            _ => {}
        }
        if self.done {
            return Err(out_of_order(kind, "after message_stop"));
        }
        if self.message.is_none()
            && !matches!(
                typed,
                StreamEvent::MessageStart { .. } | StreamEvent::Unknown
            )
        {
            return Err(out_of_order(kind, "before message_start"));
        }
        match typed {
            StreamEvent::MessageStart { message } => {
                if self.message.is_some() {
                    return Err(out_of_order(kind, "a second message_start"));
                }
                self.message = Some(message);
                Ok(Update::Started)
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                if index != self.blocks.len() {
                    return Err(out_of_order(
                        kind,
                        format!(
                            "block {index} started, but {} blocks came before it",
                            self.blocks.len()
                        ),
                    ));
                }
                let started = ContentBlock::from_fields(&content_block)
                    .map_err(|e| malformed(kind, format!("its content block: {e}")))?;
                let raw = Value::Object(content_block);
                let (block, update) = match started {
                    ContentBlock::Text { text } => {
                        let update = if text.is_empty() {
                            Update::Nothing
                        } else {
                            Update::Text {
                                index,
                                delta: text.clone(),
                            }
                        };
                        (Block::Text(text), update)
                    }
                    ContentBlock::ToolUse { id, name } => {
                        let update = Update::ToolUse {
                            index,
                            name: name.clone(),
                        };
                        (
                            Block::ToolUse {
                                id,
                                name,
                                json: String::new(),
                                input: None,
                            },
                            update,
                        )
                    }
                    ContentBlock::Other => (Block::Other(raw), Update::Nothing),
                };
                self.blocks.push(block);
                self.open.push(true);
                Ok(update)
            }
            StreamEvent::ContentBlockDelta { index, delta } => {
                let index = self.open_block(kind, index)?;
                let mismatch = |block: &Block, delta: &str| StreamError::DeltaMismatch {
                    index,
                    block: block_type(block),
                    delta: delta.to_string(),
                };
                match delta {
                    Delta::TextDelta { text } => {
                        match &mut self.blocks[index] {
                            Block::Text(t) => t.push_str(&text),
                            other => return Err(mismatch(other, "text_delta")),
                        }
                        Ok(Update::Text { index, delta: text })
                    }
                    Delta::InputJsonDelta { partial_json } => {
                        match &mut self.blocks[index] {
                            Block::ToolUse { json, .. } => json.push_str(&partial_json),
                            other => return Err(mismatch(other, "input_json_delta")),
                        }
                        Ok(Update::Nothing)
                    }
                    Delta::Other => Ok(Update::Nothing), // thinking, signature, citations…: not shown
                }
            }
            StreamEvent::ContentBlockStop { index } => {
                let index = self.open_block(kind, index)?;
                self.open[index] = false;
                if let Block::ToolUse {
                    name, json, input, ..
                } = &mut self.blocks[index]
                {
                    let parsed = if json.trim().is_empty() {
                        Ok(json!({}))
                    } else {
                        serde_json::from_str::<Value>(json).map_err(|e| e.to_string())
                    };
                    match parsed {
                        Ok(v) if v.is_object() => *input = Some(v),
                        Ok(v) => {
                            return Err(StreamError::ToolInput {
                                index,
                                name: name.clone(),
                                bytes: json.len(),
                                detail: format!("it is {}", json_kind(&v)),
                            })
                        }
                        Err(detail) => {
                            return Err(StreamError::ToolInput {
                                index,
                                name: name.clone(),
                                bytes: json.len(),
                                detail,
                            })
                        }
                    }
                }
                Ok(Update::BlockDone { index })
            }
            StreamEvent::MessageDelta { delta, usage } => {
                if let (Some(usage), Some(message)) = (usage, self.message.as_mut()) {
                    let merged = message
                        .entry("usage")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Some(merged) = merged.as_object_mut() {
                        merged.extend(usage);
                    }
                }
                if let Some(sequence) = delta.stop_sequence {
                    self.stop_sequence = Some(sequence);
                }
                match delta.stop_reason {
                    Some(reason) => {
                        self.stop_reason = Some(reason.clone());
                        Ok(Update::StopReason(reason))
                    }
                    None => Ok(Update::Nothing),
                }
            }
            StreamEvent::MessageStop => {
                if let Some(index) = self.open.iter().position(|&o| o) {
                    return Err(out_of_order(
                        kind,
                        format!("content block {index} was never stopped"),
                    ));
                }
                self.done = true;
                Ok(Update::Done)
            }
            StreamEvent::Error { .. } | StreamEvent::Ping | StreamEvent::Unknown => {
                Ok(Update::Nothing)
            }
        }
    }

    fn open_block(&self, event: &str, index: usize) -> Result<usize, StreamError> {
        match self.open.get(index) {
            Some(true) => Ok(index),
            Some(false) => Err(out_of_order(
                event,
                format!("content block {index} was already stopped"),
            )),
            None => Err(out_of_order(
                event,
                format!(
                    "content block {index} was never started ({} blocks so far)",
                    self.blocks.len()
                ),
            )),
        }
    }

    /// Whether `message_stop` has arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// All text received so far, blocks joined by a blank line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            if let Block::Text(t) = block {
                if t.is_empty() {
                    continue;
                }
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                out.push_str(t);
            }
        }
        out
    }

    /// The complete message, shaped as a non-streamed answer (`content`, `stop_reason`,
    /// `stop_sequence`, `usage` and the `message_start` fields); an error before `message_stop`.
    pub fn finish(&self) -> Result<Value, StreamError> {
        if !self.done {
            return Err(StreamError::Incomplete {
                detail: match &self.message {
                    None => "no message_start".to_string(),
                    Some(_) => {
                        let n = self.blocks.len();
                        let s = if n == 1 { "" } else { "s" };
                        format!("no message_stop after {n} content block{s}")
                    }
                },
            });
        }
        let mut message = self.message.clone().unwrap_or_default();
        let content: Vec<Value> = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Text(text) => json!({"type": "text", "text": text}),
                Block::ToolUse {
                    id, name, input, ..
                } => json!({"type": "tool_use", "id": id, "name": name,
                            "input": input.clone().unwrap_or_else(|| json!({}))}),
                Block::Other(v) => v.clone(),
            })
            .collect();
        message.insert("content".into(), Value::Array(content));
        message.insert(
            "stop_reason".into(),
            self.stop_reason
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        message.insert(
            "stop_sequence".into(),
            self.stop_sequence.clone().unwrap_or(Value::Null),
        );
        Ok(Value::Object(message))
    }
}

fn block_type(block: &Block) -> String {
    match block {
        Block::Text(_) => "text".into(),
        Block::ToolUse { .. } => "tool_use".into(),
        Block::Other(v) => v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string(),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Bytes in, updates out, the assembled message at the end.
#[derive(Debug, Default)]
pub struct StreamParser {
    decoder: SseDecoder,
    assembler: MessageAssembler,
}

impl StreamParser {
    /// Feeds a chunk of the response body; returns the updates it completed, in order. On an
    /// error, the events before it in the chunk have been applied ([`Self::text`] holds their
    /// text).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<Update>, StreamError> {
        let events = self.decoder.feed(bytes)?;
        events.iter().map(|e| self.assembler.on_event(e)).collect()
    }

    /// Whether `message_stop` has arrived.
    pub fn is_done(&self) -> bool {
        self.assembler.is_done()
    }

    /// All text received so far.
    pub fn text(&self) -> String {
        self.assembler.text()
    }

    /// The body ended: the assembled message, or why it is incomplete.
    pub fn finish(&self) -> Result<Value, StreamError> {
        self.assembler.finish()
    }
}
