//! The Messages API's streamed events as typed values, each enum with an `Unknown`/`Other` arm for the
//! types the API may add: its versioning policy asks clients to skip them.
//! [`super::stream::MessageAssembler`] matches on these instead of walking `serde_json::Value`.
//!
//! The `type` field picks the variant and the variant's fields decode as a plain serde struct. (Serde's
//! own `#[serde(tag = "type")]` enums do the same but buffer every field first, which costs the page
//! far more wasm.)

use serde::de::{DeserializeOwned, Error as _};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One event's `data`.
#[derive(Clone, Debug, PartialEq)]
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
        usage: Option<Map<String, Value>>,
    },
    /// The message is complete.
    MessageStop,
    /// Keeps the connection open.
    Ping,
    /// The API failed mid-stream (e.g. `overloaded_error`).
    Error {
        /// The error's type and message.
        error: ApiError,
    },
    /// An event type this client does not know: skipped.
    Unknown,
}

/// The type of a content block, read from its start event.
#[derive(Clone, Debug, PartialEq)]
pub enum ContentBlock {
    /// Text, possibly with a first piece.
    Text {
        /// The text it starts with (usually empty).
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
    Other,
}

/// A piece of a content block.
#[derive(Clone, Debug, PartialEq)]
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

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

fn type_of(fields: &Map<String, Value>) -> Result<&str, serde_json::Error> {
    match fields.get("type") {
        Some(Value::String(kind)) => Ok(kind),
        Some(_) => Err(serde_json::Error::custom("`type` is not a string")),
        None => Err(serde_json::Error::missing_field("type")),
    }
}

#[derive(Deserialize)]
struct Indexed {
    index: usize,
}

#[derive(Deserialize)]
struct MessageStartData {
    message: Map<String, Value>,
}

#[derive(Deserialize)]
struct BlockStartData {
    index: usize,
    content_block: Map<String, Value>,
}

#[derive(Deserialize)]
struct BlockDeltaData {
    index: usize,
    delta: Map<String, Value>,
}

#[derive(Deserialize)]
struct MessageDeltaData {
    delta: MessageDelta,
    #[serde(default)]
    usage: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct ErrorData {
    #[serde(default)]
    error: ApiError,
}

#[derive(Deserialize)]
struct TextData {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct ToolUseData {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct TextDeltaData {
    text: String,
}

#[derive(Deserialize)]
struct JsonDeltaData {
    partial_json: String,
}

impl StreamEvent {
    /// Decodes an event's data; its `type` is `kind`. A missing or mistyped field is an error naming it.
    pub fn from_data(kind: &str, data: Value) -> Result<Self, serde_json::Error> {
        Ok(match kind {
            "message_start" => StreamEvent::MessageStart {
                message: decode::<MessageStartData>(data)?.message,
            },
            "content_block_start" => {
                let BlockStartData {
                    index,
                    content_block,
                } = decode(data)?;
                StreamEvent::ContentBlockStart {
                    index,
                    content_block,
                }
            }
            "content_block_delta" => {
                let BlockDeltaData { index, delta } = decode(data)?;
                StreamEvent::ContentBlockDelta {
                    index,
                    delta: Delta::from_fields(delta)?,
                }
            }
            "content_block_stop" => StreamEvent::ContentBlockStop {
                index: decode::<Indexed>(data)?.index,
            },
            "message_delta" => {
                let MessageDeltaData { delta, usage } = decode(data)?;
                StreamEvent::MessageDelta { delta, usage }
            }
            "message_stop" => StreamEvent::MessageStop,
            "ping" => StreamEvent::Ping,
            "error" => StreamEvent::Error {
                error: decode::<ErrorData>(data)?.error,
            },
            _ => StreamEvent::Unknown,
        })
    }
}

impl ContentBlock {
    /// Reads a block's type (and a tool call's id and name) from its start event.
    pub fn from_fields(fields: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        let value = || Value::Object(fields.clone());
        Ok(match type_of(fields)? {
            "text" => ContentBlock::Text {
                text: decode::<TextData>(value())?.text,
            },
            "tool_use" => {
                let ToolUseData { id, name } = decode(value())?;
                ContentBlock::ToolUse { id, name }
            }
            _ => ContentBlock::Other,
        })
    }
}

impl Delta {
    /// Reads a delta.
    pub fn from_fields(fields: Map<String, Value>) -> Result<Self, serde_json::Error> {
        let kind = type_of(&fields)?.to_string();
        Ok(match kind.as_str() {
            "text_delta" => Delta::TextDelta {
                text: decode::<TextDeltaData>(Value::Object(fields))?.text,
            },
            "input_json_delta" => Delta::InputJsonDelta {
                partial_json: decode::<JsonDeltaData>(Value::Object(fields))?.partial_json,
            },
            _ => Delta::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> StreamEvent {
        let kind = value["type"].as_str().unwrap().to_string();
        StreamEvent::from_data(&kind, value).unwrap()
    }

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
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
        assert_eq!(
            ContentBlock::from_fields(&fields(
                json!({"type": "tool_use", "id": "tu_1", "name": "describe_columns", "input": {}})
            ))
            .unwrap(),
            ContentBlock::ToolUse {
                id: "tu_1".into(),
                name: "describe_columns".into()
            }
        );
        assert_eq!(
            ContentBlock::from_fields(&fields(json!({"type": "thinking", "thinking": ""})))
                .unwrap(),
            ContentBlock::Other
        );
    }

    #[test]
    fn a_missing_field_is_a_decoding_error_that_names_it() {
        let error =
            StreamEvent::from_data("content_block_stop", json!({"type": "content_block_stop"}))
                .unwrap_err();
        assert!(
            error.to_string().contains("missing field `index`"),
            "{error}"
        );
        let no_type = ContentBlock::from_fields(&Map::new()).unwrap_err();
        assert!(
            no_type.to_string().contains("missing field `type`"),
            "{no_type}"
        );
    }
}
