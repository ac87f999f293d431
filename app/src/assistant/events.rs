//! The Messages API's streamed events as typed serde values (`#[serde(tag = "type")]`), each enum with an
//! `Unknown`/`Other` arm for the types the API may add: its versioning policy asks clients to skip them.
//! [`super::stream::MessageAssembler`] matches on these instead of walking `serde_json::Value`.

use serde::Deserialize;
use serde_json::{Map, Value};

/// One event's `data`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// The message's id, model, role and first usage figures.
    MessageStart {
        /// The message so far (no content yet).
        message: Map<String, Value>,
    },
    /// A content block begins.
    ContentBlockStart {
        /// Its position in the message.
        index: usize,
        /// The block as it starts (kept whole: blocks of unknown type go back to the API as they came).
        content_block: Map<String, Value>,
    },
    /// More of a content block.
    ContentBlockDelta {
        /// The block.
        index: usize,
        /// What arrived.
        delta: Delta,
    },
    /// A content block is complete.
    ContentBlockStop {
        /// The block.
        index: usize,
    },
    /// Top-level changes: the stop reason and cumulative usage.
    MessageDelta {
        /// Stop reason and sequence.
        delta: MessageDelta,
        /// Usage figures to merge into the message's.
        #[serde(default)]
        usage: Option<Map<String, Value>>,
    },
    /// The message is complete.
    MessageStop,
    /// Keeps the connection open.
    Ping,
    /// The API failed mid-stream (e.g. `overloaded_error`).
    Error {
        /// The error's type and message.
        #[serde(default)]
        error: ApiError,
    },
    /// An event type this client does not know: skipped.
    #[serde(other)]
    Unknown,
}

/// The type of a content block, read from its start event.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    /// Text, possibly with a first piece.
    Text {
        /// The text it starts with (usually empty).
        #[serde(default)]
        text: String,
    },
    /// A tool call, whose input arrives as `input_json_delta` pieces.
    ToolUse {
        /// The call's id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// Thinking, server tools and later types: kept, not shown.
    #[serde(other)]
    Other,
}

/// A piece of a content block.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Delta {
    /// More text.
    TextDelta {
        /// The text.
        text: String,
    },
    /// More of a tool call's input JSON.
    InputJsonDelta {
        /// A piece of the JSON text.
        partial_json: String,
    },
    /// Thinking, signatures, citations and later types: not shown.
    #[serde(other)]
    Other,
}

/// The top-level fields of a `message_delta`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct MessageDelta {
    /// Why the answer stopped (`end_turn`, `tool_use`, …).
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// The stop sequence that ended it, if one did.
    #[serde(default)]
    pub stop_sequence: Option<Value>,
}

/// The `error` of an `error` event.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ApiError {
    /// Its type, e.g. `overloaded_error`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The API's message.
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> StreamEvent {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn known_events_decode_to_their_variants_and_unknown_types_to_unknown_arms() {
        assert_eq!(
            event(
                json!({"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": "Hi"}})
            ),
            StreamEvent::ContentBlockDelta {
                index: 2,
                delta: Delta::TextDelta { text: "Hi".into() }
            }
        );
        assert_eq!(
            event(
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "…"}})
            ),
            StreamEvent::ContentBlockDelta {
                index: 0,
                delta: Delta::Other
            }
        );
        assert_eq!(
            event(json!({"type": "brand_new_event", "x": 1})),
            StreamEvent::Unknown
        );
        assert_eq!(
            event(
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            ),
            StreamEvent::Error {
                error: ApiError {
                    kind: "overloaded_error".into(),
                    message: "Overloaded".into()
                }
            }
        );
        let block: ContentBlock = serde_json::from_value(
            json!({"type": "tool_use", "id": "tu_1", "name": "describe_columns", "input": {}}),
        )
        .unwrap();
        assert_eq!(
            block,
            ContentBlock::ToolUse {
                id: "tu_1".into(),
                name: "describe_columns".into()
            }
        );
        let other: ContentBlock =
            serde_json::from_value(json!({"type": "thinking", "thinking": ""})).unwrap();
        assert_eq!(other, ContentBlock::Other);
    }

    #[test]
    fn a_missing_field_is_a_decoding_error_that_names_it() {
        let error = serde_json::from_value::<StreamEvent>(json!({"type": "content_block_stop"}))
            .unwrap_err();
        assert!(
            error.to_string().contains("missing field `index`"),
            "{error}"
        );
    }
}
