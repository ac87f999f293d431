//! Token usage from upstream answers: the `usage` object of a JSON message, or the
//! `message_start` / `message_delta` events of a server-sent-event stream.
//!
//! ```
//! use audience_proxy::usage::SseScanner;
//!
//! let mut scan = SseScanner::default();
//! // Events may be split anywhere across network chunks.
//! scan.feed(b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-haiku-4-5\",\"usa");
//! scan.feed(b"ge\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n");
//! scan.feed(b"event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":15}}\n\n");
//! assert_eq!(scan.usage.input_tokens, Some(25));
//! assert_eq!(scan.usage.output_tokens, Some(15));
//! assert_eq!(scan.model.as_deref(), Some("claude-haiku-4-5"));
//! ```

use serde::Serialize;
use serde_json::Value;

/// Longest SSE line the scanner keeps while waiting for its end; longer lines are skipped
/// (usage events are small, long lines are content).
const MAX_LINE: usize = 64 * 1024;

/// Token counts reported by the upstream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Input tokens billed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Output tokens billed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Tokens written to the prompt cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    /// Tokens read from the prompt cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
}

impl Usage {
    /// Overwrites the counts present in a `usage` JSON object (stream deltas are cumulative).
    pub fn update_from(&mut self, usage: &Value) {
        let get = |k: &str| usage.get(k).and_then(Value::as_u64);
        for (slot, key) in [
            (&mut self.input_tokens, "input_tokens"),
            (&mut self.output_tokens, "output_tokens"),
            (
                &mut self.cache_creation_input_tokens,
                "cache_creation_input_tokens",
            ),
            (&mut self.cache_read_input_tokens, "cache_read_input_tokens"),
        ] {
            if let Some(v) = get(key) {
                *slot = Some(v);
            }
        }
    }

    /// Whether no count is known.
    pub fn is_empty(&self) -> bool {
        *self == Usage::default()
    }
}

/// The `model` and `usage` of a non-streamed Messages API answer, if it is JSON.
pub fn from_message(body: &[u8]) -> (Option<String>, Usage) {
    let mut usage = Usage::default();
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (None, usage);
    };
    if let Some(u) = value.get("usage") {
        usage.update_from(u);
    }
    (
        value
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        usage,
    )
}

/// Reads usage from an SSE byte stream without holding more than one line.
#[derive(Debug, Default)]
pub struct SseScanner {
    line: Vec<u8>,
    skipping: bool,
    /// Usage seen so far.
    pub usage: Usage,
    /// Model named by `message_start`.
    pub model: Option<String>,
}

impl SseScanner {
    /// Scans one network chunk; returns whether the usage or model changed.
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        let mut changed = false;
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            let complete = piece.ends_with(b"\n");
            if !self.skipping {
                if self.line.len() + piece.len() > MAX_LINE {
                    self.skipping = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(piece);
                }
            }
            if complete {
                if !self.skipping {
                    changed |= self.scan_line();
                }
                self.line.clear();
                self.skipping = false;
            }
        }
        changed
    }

    fn scan_line(&mut self) -> bool {
        let Some(data) = self.line.strip_prefix(b"data:") else {
            return false;
        };
        // Only usage-bearing events are parsed; content deltas are skipped cheaply.
        if !contains(data, b"\"message_start\"") && !contains(data, b"\"message_delta\"") {
            return false;
        }
        let Ok(event) = serde_json::from_slice::<Value>(data) else {
            return false;
        };
        match event.get("type").and_then(Value::as_str) {
            Some("message_start") => {
                let message = event.get("message");
                if let Some(u) = message.and_then(|m| m.get("usage")) {
                    self.usage.update_from(u);
                }
                if let Some(m) = message.and_then(|m| m.get("model")).and_then(Value::as_str) {
                    self.model = Some(m.to_string());
                }
                true
            }
            Some("message_delta") => {
                if let Some(u) = event.get("usage") {
                    self.usage.update_from(u);
                }
                true
            }
            _ => false,
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = concat!(
        "event: message_start\r\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":3,\"output_tokens\":1}}}\r\n\r\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\\\"message_delta\\\" usage 999\"}}\n\n",
        "event: message_delta\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":42}}\n\n",
        "event: message_stop\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    );

    fn expected() -> Usage {
        Usage {
            input_tokens: Some(12),
            output_tokens: Some(42),
            cache_creation_input_tokens: None,
            cache_read_input_tokens: Some(3),
        }
    }

    #[test]
    fn usage_is_the_same_whatever_the_chunk_boundaries() {
        let bytes = STREAM.as_bytes();
        for size in [1, 2, 7, 64, bytes.len()] {
            let mut scan = SseScanner::default();
            for chunk in bytes.chunks(size) {
                scan.feed(chunk);
            }
            assert_eq!(scan.usage, expected(), "chunk size {size}");
            assert_eq!(scan.model.as_deref(), Some("m"));
        }
    }

    #[test]
    fn text_that_mentions_message_delta_does_not_change_usage() {
        let mut scan = SseScanner::default();
        let text_only = "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"\\\"message_delta\\\" {\\\"usage\\\":{\\\"output_tokens\\\":5}}\"}}\n";
        assert!(!scan.feed(text_only.as_bytes()));
        assert!(scan.usage.is_empty());
    }

    #[test]
    fn overlong_lines_are_skipped_and_scanning_resumes() {
        let mut scan = SseScanner::default();
        let long = format!("data: {}\n", "x".repeat(MAX_LINE * 2));
        scan.feed(long.as_bytes());
        scan.feed(b"data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":4}}\n");
        assert_eq!(scan.usage.output_tokens, Some(4));
    }

    #[test]
    fn message_json_usage_and_model_are_read() {
        let (model, usage) =
            from_message(br#"{"model":"m","usage":{"input_tokens":5,"output_tokens":6}}"#);
        assert_eq!(model.as_deref(), Some("m"));
        assert_eq!(
            (usage.input_tokens, usage.output_tokens),
            (Some(5), Some(6))
        );
        assert_eq!(from_message(b"not json"), (None, Usage::default()));
    }
}
