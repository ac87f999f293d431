//! Native tests of the streamed-answer parser: the Messages API's documented event sequences,
//! chunks split anywhere (inside a UTF-8 character, between the two newlines ending an event),
//! mid-stream errors and malformed events, and how the conversation keeps a partial answer.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::conversation::{Conversation, Entry, Next};
use super::stream::{
    MessageAssembler, SseDecoder, SseEvent, StreamError, StreamParser, Update, MAX_LINE_BYTES,
};

/// The documented text-only stream ("Basic streaming request").
const TEXT_STREAM: &str = r#"event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}

"#;

/// The documented tool-use stream ("Streaming request with tool use"), with multi-byte text
/// (2-, 3- and 4-byte UTF-8 characters) so that chunk splits fall inside characters.
const TOOL_STREAM: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather for San Francisco "}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"— grüße 🌁"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", CA:"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" Francisc"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"o,"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" CA\""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":", "}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"unit\": \"fah"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"renheit\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

"#;

const TOOL_TEXT: &str = "Okay, let's check the weather for San Francisco — grüße 🌁, CA:";

/// The non-streamed answer the tool-use stream stands for.
fn tool_message() -> Value {
    json!({
        "id": "msg_014p7gG3wDgGV9EUtLvnow3U", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "text", "text": TOOL_TEXT},
            {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather",
             "input": {"location": "San Francisco, CA", "unit": "fahrenheit"}},
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 472, "output_tokens": 89},
    })
}

/// Feeds `chunks` in order; the updates and the final result.
fn run(chunks: &[&[u8]]) -> (Vec<Update>, Result<Value, StreamError>, String) {
    let mut parser = StreamParser::default();
    let mut updates = Vec::new();
    for chunk in chunks {
        match parser.feed(chunk) {
            Ok(u) => updates.extend(u),
            Err(e) => return (updates, Err(e), parser.text()),
        }
    }
    let text = parser.text();
    (updates, parser.finish(), text)
}

fn texts(updates: &[Update]) -> String {
    updates
        .iter()
        .filter_map(|u| match u {
            Update::Text { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_documented_text_stream_assembles_into_the_non_streamed_message() {
    let (updates, message, text) = run(&[TEXT_STREAM.as_bytes()]);
    assert_eq!(
        message.unwrap(),
        json!({
            "id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "Hello!"}], "model": "claude-sonnet-4-5",
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 25, "output_tokens": 15},
        })
    );
    assert_eq!(text, "Hello!");
    assert_eq!(
        updates,
        vec![
            Update::Started,
            Update::Nothing, // the empty text block
            Update::Nothing, // ping
            Update::Text {
                index: 0,
                delta: "Hello".into()
            },
            Update::Text {
                index: 0,
                delta: "!".into()
            },
            Update::BlockDone { index: 0 },
            Update::StopReason("end_turn".into()),
            Update::Done,
        ]
    );
}

#[test]
fn the_documented_tool_stream_gives_the_loop_the_same_tool_call() {
    let (updates, message, _) = run(&[TOOL_STREAM.as_bytes()]);
    let message = message.unwrap();
    assert_eq!(message, tool_message());
    assert_eq!(texts(&updates), TOOL_TEXT);
    assert!(updates.contains(&Update::ToolUse {
        index: 1,
        name: "get_weather".into()
    }));
    // The conversation takes it exactly as it takes the non-streamed answer.
    let mut streamed = Conversation::default();
    let mut plain = Conversation::default();
    for c in [&mut streamed, &mut plain] {
        c.user_says("weather?").unwrap();
        c.sending(&c.request_body()).unwrap();
    }
    let next = streamed.on_answer(&message).unwrap();
    assert_eq!(plain.on_answer(&tool_message()).unwrap(), next);
    assert_eq!(streamed, plain);
    let Next::RunTools(calls) = next else {
        panic!("a tool call was expected, got {next:?}")
    };
    assert_eq!(calls[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
    assert_eq!(calls[0].input["unit"], "fahrenheit");
}

#[test]
fn every_two_chunk_split_and_byte_by_byte_feeding_give_the_same_message() {
    let bytes = TOOL_STREAM.as_bytes();
    // The interesting cut points exist: inside the 4-byte 🌁 and between the two newlines.
    let emoji = TOOL_STREAM.find('🌁').unwrap();
    let blank = TOOL_STREAM.find("\n\n").unwrap();
    for cut in [emoji + 1, emoji + 2, emoji + 3, blank + 1] {
        let (_, message, _) = run(&[&bytes[..cut], &bytes[cut..]]);
        assert_eq!(message.unwrap(), tool_message(), "cut at byte {cut}");
    }
    for cut in 0..=bytes.len() {
        let (updates, message, _) = run(&[&bytes[..cut], &bytes[cut..]]);
        assert_eq!(message.as_ref(), Ok(&tool_message()), "cut at byte {cut}");
        assert_eq!(texts(&updates), TOOL_TEXT, "cut at byte {cut}");
    }
    let singles: Vec<&[u8]> = bytes.chunks(1).collect();
    let (updates, message, _) = run(&singles);
    assert_eq!(message.unwrap(), tool_message());
    assert_eq!(texts(&updates), TOOL_TEXT);
}

#[test]
fn crlf_and_cr_line_ends_read_the_same() {
    for end in ["\r\n", "\r"] {
        let stream = TOOL_STREAM.replace('\n', end);
        let bytes = stream.as_bytes();
        let (_, whole, _) = run(&[bytes]);
        assert_eq!(whole.unwrap(), tool_message(), "line end {end:?}");
        // A chunk ending between \r and \n must not read as two line ends.
        for cut in 0..=bytes.len() {
            let (_, message, _) = run(&[&bytes[..cut], &bytes[cut..]]);
            assert_eq!(
                message.as_ref(),
                Ok(&tool_message()),
                "{end:?} cut at {cut}"
            );
        }
    }
}

#[test]
fn the_decoder_keeps_event_names_across_any_split_of_any_line_end() {
    for end in ["\n", "\r\n", "\r"] {
        let text = [
            "event: a",
            "data: 1",
            "",
            "event: b",
            "data: ü🌁",
            "data: 3",
            "",
            "",
        ]
        .join(end);
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let mut d = SseDecoder::default();
            let mut events = d.feed(&bytes[..cut]).unwrap();
            events.extend(d.feed(&bytes[cut..]).unwrap());
            assert_eq!(
                events,
                vec![event("a", "1"), event("b", "ü🌁\n3")],
                "{end:?} cut at {cut}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any split into any number of chunks gives the same message and the same text, with
    /// the text arriving in order.
    #[test]
    fn any_chunking_gives_the_same_message(
        cuts in proptest::collection::vec(0usize..=TOOL_STREAM.len(), 0..40),
        crlf in any::<bool>(),
    ) {
        let stream = if crlf { TOOL_STREAM.replace('\n', "\r\n") } else { TOOL_STREAM.to_string() };
        let bytes = stream.as_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for cut in cuts {
            chunks.push(&bytes[at..cut]);
            at = cut;
        }
        chunks.push(&bytes[at..]);
        let (updates, message, text) = run(&chunks);
        prop_assert_eq!(message, Ok(tool_message()));
        prop_assert_eq!(texts(&updates), TOOL_TEXT);
        prop_assert_eq!(text, TOOL_TEXT);
    }

    /// Arbitrary bytes never panic: the parser answers with a message or a typed error.
    #[test]
    fn arbitrary_bytes_give_a_typed_error_not_a_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let (_, message, _) = run(&[&bytes]);
        prop_assert!(message.is_err());
    }
}

/// The text stream cut after "Hello", then `tail`.
fn hello_then(tail: &str) -> String {
    let cut = TEXT_STREAM.find("event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"!\"").unwrap();
    format!("{}{tail}", &TEXT_STREAM[..cut])
}

#[test]
fn an_overloaded_error_mid_stream_is_typed_and_the_partial_text_is_kept() {
    let stream = hello_then(
        "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n",
    );
    // One chunk holds the text and the error: the text before the error is still kept.
    let (_, result, text) = run(&[stream.as_bytes()]);
    assert_eq!(text, "Hello");
    let error = result.unwrap_err();
    assert_eq!(
        error,
        StreamError::Api {
            kind: "overloaded_error".into(),
            message: "Overloaded".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "Claude is overloaded and stopped mid-answer: try again in a minute (overloaded_error: Overloaded)"
    );
}

#[test]
fn the_relays_broken_stream_event_is_an_api_error() {
    // What proxy/src/relay.rs appends when the upstream connection breaks mid-stream.
    let stream = hello_then(
        "\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"could not reach the Anthropic API at http://127.0.0.1:9: the stream broke off\"},\"source\":\"upstream\"}\n\n",
    );
    let (_, result, text) = run(&[stream.as_bytes()]);
    assert_eq!(text, "Hello");
    let error = result.unwrap_err();
    assert!(matches!(&error, StreamError::Api { kind, .. } if kind == "api_error"));
    assert!(
        error
            .to_string()
            .starts_with("Claude's API failed mid-answer (api_error: could not reach"),
        "{error}"
    );
}

#[test]
fn a_dropped_connection_is_incomplete_and_keeps_the_text() {
    let stream = hello_then("");
    let (_, result, text) = run(&[stream.as_bytes()]);
    assert_eq!(text, "Hello");
    assert_eq!(
        result,
        Err(StreamError::Incomplete {
            detail: "no message_stop after 1 content block".into()
        })
    );
    // Cut inside an event: the event is dropped and the message is incomplete.
    let (_, result, _) = run(&[&TEXT_STREAM.as_bytes()[..TEXT_STREAM.len() - 5]]);
    assert!(
        matches!(result, Err(StreamError::Incomplete { .. })),
        "{result:?}"
    );
    // Nothing at all.
    assert_eq!(
        run(&[b""]).1,
        Err(StreamError::Incomplete {
            detail: "no message_start".into()
        })
    );
}

fn event(name: &str, data: &str) -> SseEvent {
    SseEvent {
        event: name.into(),
        data: data.into(),
    }
}

/// An assembler that has seen `message_start` and a text block 0 and tool block 1.
fn started() -> MessageAssembler {
    let mut a = MessageAssembler::default();
    a.on_event(&event(
        "message_start",
        r#"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}"#,
    ))
    .unwrap();
    a.on_event(&event(
        "content_block_start",
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
    ))
    .unwrap();
    a.on_event(&event(
        "content_block_start",
        r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"run_segmentation","input":{}}}"#,
    ))
    .unwrap();
    a
}

fn json_part(index: usize, part: &str) -> SseEvent {
    event(
        "content_block_delta",
        &json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "input_json_delta", "partial_json": part}})
        .to_string(),
    )
}

fn stop(index: usize) -> SseEvent {
    event(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": index}).to_string(),
    )
}

#[test]
fn malformed_events_are_typed_errors() {
    // Data that is not JSON.
    let e = started()
        .on_event(&event(
            "content_block_delta",
            "{\"type\": \"content_block_delta\", ",
        ))
        .unwrap_err();
    assert!(
        matches!(&e, StreamError::Malformed { event, detail } if event == "content_block_delta" && detail.starts_with("its data is not JSON")),
        "{e:?}"
    );
    // A delta without `delta`.
    assert_eq!(
        started().on_event(&event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0}"#
        )),
        Err(StreamError::Malformed {
            event: "content_block_delta".into(),
            detail: "missing field `delta`".into()
        })
    );
    // A tool call without its name, and a delta that is not an object.
    assert_eq!(
        started().on_event(&event(
            "content_block_start",
            r#"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"tu_1"}}"#
        )),
        Err(StreamError::Malformed {
            event: "content_block_start".into(),
            detail: "its content block: missing field `name`".into()
        })
    );
    assert!(matches!(
        started().on_event(&event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0,"delta":5}"#
        )),
        Err(StreamError::Malformed { .. })
    ));
    // A delta for a block never started.
    assert_eq!(
        started().on_event(&json_part(5, "{}")),
        Err(StreamError::OutOfOrder {
            event: "content_block_delta".into(),
            detail: "content block 5 was never started (2 blocks so far)".into()
        })
    );
    // Text sent to a tool block.
    assert_eq!(
        started().on_event(&event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"hi"}}"#
        )),
        Err(StreamError::DeltaMismatch {
            index: 1,
            block: "tool_use".into(),
            delta: "text_delta".into()
        })
    );
    // A block started at the wrong index.
    let e = started()
        .on_event(&event(
            "content_block_start",
            r#"{"type":"content_block_start","index":7,"content_block":{"type":"text","text":""}}"#,
        ))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the stream's `content_block_start` event came out of order (block 7 started, but 2 blocks came before it)"
    );
    // Content before message_start.
    assert!(matches!(
        MessageAssembler::default().on_event(&stop(0)),
        Err(StreamError::OutOfOrder { .. })
    ));
    // message_stop with a block still open.
    assert_eq!(
        started().on_event(&event("message_stop", r#"{"type":"message_stop"}"#)),
        Err(StreamError::OutOfOrder {
            event: "message_stop".into(),
            detail: "content block 0 was never stopped".into()
        })
    );
}

#[test]
fn tool_input_is_parsed_when_its_block_stops() {
    // Split JSON that is broken once joined.
    let mut a = started();
    a.on_event(&json_part(1, "{\"k\": ")).unwrap();
    a.on_event(&json_part(1, "4,")).unwrap();
    let e = a.on_event(&stop(1)).unwrap_err();
    assert!(
        matches!(&e, StreamError::ToolInput { index: 1, name, bytes: 8, .. } if name == "run_segmentation"),
        "{e:?}"
    );
    assert!(e.to_string().starts_with(
        "the input of tool call `run_segmentation` (content block 1, 8 bytes) is not a JSON object:"
    ));
    // JSON that is not an object.
    let mut a = started();
    a.on_event(&json_part(1, "[1, 2]")).unwrap();
    assert!(matches!(
        a.on_event(&stop(1)),
        Err(StreamError::ToolInput { detail, .. }) if detail == "it is an array"
    ));
    // No parts at all: an empty input object, as the API documents for tools without input.
    let mut a = started();
    a.on_event(&stop(0)).unwrap();
    a.on_event(&stop(1)).unwrap();
    a.on_event(&event("message_stop", r#"{"type":"message_stop"}"#))
        .unwrap();
    assert_eq!(a.finish().unwrap()["content"][1]["input"], json!({}));
}

#[test]
fn unknown_events_and_deltas_are_skipped() {
    let mut a = started();
    assert_eq!(
        a.on_event(&event("future_event", r#"{"type":"future_event","x":1}"#)),
        Ok(Update::Nothing)
    );
    assert_eq!(
        a.on_event(&event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}"#
        )),
        Ok(Update::Nothing)
    );
}

#[test]
fn invalid_utf8_and_endless_lines_are_typed_errors() {
    let mut bytes = b"event: ping\ndata: {\"type\": \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\"}\n\n");
    assert_eq!(
        SseDecoder::default().feed(&bytes),
        Err(StreamError::InvalidUtf8 {
            line: 2,
            valid_up_to: 16
        })
    );
    let long = vec![b'a'; MAX_LINE_BYTES + 1];
    assert_eq!(
        SseDecoder::default().feed(&long),
        Err(StreamError::LineTooLong {
            line: 1,
            bytes: MAX_LINE_BYTES + 1,
            limit: MAX_LINE_BYTES
        })
    );
}

#[test]
fn the_sse_format_details_are_followed() {
    let mut d = SseDecoder::default();
    let events = d
        .feed(
            "\u{feff}: a comment\nevent:a\ndata:1\ndata: 2\nid: 9\nretry: 10\n\n\
             data\n\n\
             event: no-data\n\n\
             data:  two spaces\n\n"
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(
        events,
        vec![
            event("a", "1\n2"),
            event("message", ""),
            event("message", " two spaces"),
        ]
    );
    // An event is only complete at its blank line.
    assert_eq!(d.feed(b"data: x\n").unwrap(), vec![]);
    assert_eq!(d.feed(b"\n").unwrap(), vec![event("message", "x")]);
}

#[test]
fn requests_ask_for_a_stream() {
    let mut c = Conversation::default();
    c.user_says("hi").unwrap();
    assert_eq!(c.request_body()["stream"], json!(true));
    assert_eq!(c.preview_with("draft")["stream"], json!(true));
}

#[test]
fn a_stopped_answer_keeps_its_text_and_the_history_stays_valid() {
    let mut c = Conversation::default();
    c.user_says("describe my segments").unwrap();
    c.sending(&c.request_body()).unwrap();
    c.interrupted("Segment 1 is mostly ", None);
    assert_eq!(
        c.log.last(),
        Some(&Entry::Partial {
            text: "Segment 1 is mostly ".into(),
            stopped: true
        })
    );
    // Claude sees what it said (trailing space trimmed), and the next message follows it.
    c.user_says("go on").unwrap();
    let messages = c.request_body()["messages"].clone();
    assert_eq!(
        messages,
        json!([
            {"role": "user", "content": [{"type": "text", "text": "describe my segments"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Segment 1 is mostly"}]},
            {"role": "user", "content": [{"type": "text", "text": "go on"}]},
        ])
    );
}

#[test]
fn a_failed_stream_keeps_its_text_then_says_why() {
    let mut c = Conversation::default();
    c.user_says("hi").unwrap();
    c.sending(&c.request_body()).unwrap();
    c.interrupted("Hel", Some("Claude is overloaded".into()));
    let n = c.log.len();
    assert_eq!(
        c.log[n - 2..],
        [
            Entry::Partial {
                text: "Hel".into(),
                stopped: false
            },
            Entry::Error("Claude is overloaded".into()),
        ]
    );
    assert_eq!(c.messages.len(), 2);
    // Stopped before any text: no assistant message, and the history still ends with the user.
    let mut c = Conversation::default();
    c.user_says("hi").unwrap();
    c.sending(&c.request_body()).unwrap();
    c.interrupted("  ", None);
    assert_eq!(
        c.log.last(),
        Some(&Entry::Error("Stopped before Claude answered.".into()))
    );
    assert_eq!(c.messages.len(), 1);
    c.user_says("again").unwrap();
    assert_eq!(c.messages.len(), 1, "merged into the same user turn");
}

#[test]
fn panel_messages_say_what_happened_and_what_was_kept() {
    let overloaded = StreamError::Api {
        kind: "overloaded_error".into(),
        message: "Overloaded".into(),
    };
    assert_eq!(
        overloaded.panel_message(true),
        "Claude is overloaded and stopped mid-answer: try again in a minute (overloaded_error: Overloaded). The text that arrived is kept above; nothing else was run."
    );
    let dropped = StreamError::Disconnected {
        received: 1234,
        detail: "network error".into(),
    };
    assert_eq!(
        dropped.panel_message(false),
        "Claude's answer did not finish: the connection broke off after 1234 bytes of the answer (network error). Nothing was run."
    );
    let malformed = StreamError::Malformed {
        event: "message_start".into(),
        detail: "no `message` object".into(),
    };
    assert_eq!(
        malformed.panel_message(false),
        "Claude's answer could not be read: the stream's `message_start` event is malformed (no `message` object). Nothing was run."
    );
}
