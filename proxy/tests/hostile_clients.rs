//! Clients that stall, hog connections, send ambiguous bodies or attacker-sized headers
//! (issue #12, defect 6). All on 127.0.0.1 against a fake upstream; every wait is bounded, and
//! no test asserts how fast anything happens.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// The longest any test waits for something that must happen.
const BOUND: Duration = Duration::from_secs(20);

async fn connect(relay: &Relay) -> TcpStream {
    let addr = relay.url.strip_prefix("http://").unwrap();
    TcpStream::connect(addr).await.unwrap()
}

/// Reads until the relay closes the connection (or resets it); panics if it is still open
/// after [`BOUND`]. Returns what was received.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(BOUND, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the relay kept a stalled connection open for {BOUND:?}; received so far: {:?}",
        String::from_utf8_lossy(&received)
    );
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_client_that_stalls_while_sending_headers_is_disconnected_and_nothing_goes_upstream() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &["--header-read-timeout", "300ms"], Some(KEY)).await;

    // Half the headers, then silence (slowloris).
    let mut half = connect(&relay).await;
    half.write_all(
        format!("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\nContent-Ty")
            .as_bytes(),
    )
    .await
    .unwrap();
    // A connection that never sends a byte.
    let mut silent = connect(&relay).await;

    // Part of a request arrived: it is answered 408, then closed.
    let answer = read_until_closed(&mut half).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    let e: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        e["error"]["message"],
        "the request headers did not arrive within 300ms; \
         check the network connection and send the request again"
    );
    // Nothing arrived: there is nothing to answer, the connection is just closed.
    assert_eq!(read_until_closed(&mut silent).await, "");
    assert!(fake.requests().is_empty());

    // The relay still serves a client that sends its request in time.
    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_and_never_forwarded() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &["--body-read-timeout", "300ms"], Some(KEY)).await;

    let mut stream = connect(&relay).await;
    let head = format!(
        "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
        .write_all(br#"{"model":"claude-haiku"#)
        .await
        .unwrap();

    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    let (headers, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        headers
            .to_ascii_lowercase()
            .contains(&format!("access-control-allow-origin: {ORIGIN}")),
        "the page can read the refusal: {headers}"
    );
    let e: Value = serde_json::from_str(body).unwrap();
    assert_eq!(e["error"]["type"], "invalid_request_error");
    assert_eq!(
        e["error"]["message"],
        "the request body did not arrive within 300ms (received 22 of 200 bytes); \
         check the network connection and send the request again"
    );
    assert!(fake.requests().is_empty(), "a partial body went upstream");
    let lines = relay.wait_audit_lines(1).await;
    assert_eq!(lines[0]["status"], 408);
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_closes() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(
        &fake.url,
        &["--max-connections", "2", "--header-read-timeout", "60s"],
        Some(KEY),
    )
    .await;
    // Two idle connections take both slots.
    let first = connect(&relay).await;
    let _second = connect(&relay).await;

    let request = {
        let relay = relay.clone();
        tokio::spawn(async move {
            post_message(
                &relay,
                Some(ORIGIN),
                message_body(MODEL, 10, "x").to_string(),
            )
            .await
            .status()
            .as_u16()
        })
    };
    let mut request = Box::pin(request);
    // While both slots are held, the third connection is not served.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut request)
            .await
            .is_err(),
        "a third connection was served while the cap of 2 was reached"
    );
    assert!(fake.requests().is_empty());

    // Freeing one slot lets it through.
    drop(first);
    let status = tokio::time::timeout(BOUND, request)
        .await
        .expect("the waiting connection was never served after a slot was freed")
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn duplicate_model_or_max_tokens_keys_are_400_and_never_forwarded() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &["--max-tokens", "1000"], Some(KEY)).await;
    let cases = [
        (
            format!(
                r#"{{"model":"claude-opus-4-5","model":"{MODEL}","max_tokens":10,"messages":[]}}"#
            ),
            "model",
            "at the top level",
        ),
        (
            format!(r#"{{"model":"{MODEL}","max_tokens":100000,"max_tokens":10,"messages":[]}}"#),
            "max_tokens",
            "at the top level",
        ),
        (
            format!(
                r#"{{"model":"{MODEL}","max_tokens":10,"messages":[],
                    "tools":[{{"name":"read_customer_rows","name":"search_variables"}}]}}"#
            ),
            "name",
            "in tools[0]",
        ),
    ];
    for (body, key, place) in cases {
        let r = post_message(&relay, Some(ORIGIN), body.clone()).await;
        assert_eq!(r.status(), 400, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["type"], "invalid_request_error");
        assert_eq!(
            e["error"]["message"],
            format!(
                "the request body has the key \"{key}\" more than once ({place}); \
                 send each key once, since the relay cannot tell which value counts"
            )
        );
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[tokio::test]
async fn a_ten_kilobyte_origin_is_not_echoed_in_full_and_its_audit_line_is_bounded() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let huge = format!("http://{}.test", "a".repeat(10_000));
    let r = post_message(
        &relay,
        Some(&huge),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    assert_eq!(r.status(), 403);
    let text = r.text().await.unwrap();
    assert!(text.len() < 1_000, "{} bytes answered", text.len());
    let e: Value = serde_json::from_str(&text).unwrap();
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "http://{}…[9812 more characters]",
            "a".repeat(193)
        )),
        "{message}"
    );

    // A 10 kB path is clipped the same way in the 404 and the log.
    let long_path = format!("/{}", "p".repeat(10_000));
    let r = reqwest::Client::new()
        .get(format!("{}{long_path}", relay.url))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().len() < 1_000);

    let lines = relay.wait_audit_lines(2).await;
    assert_eq!(lines.len(), 2);
    for line in relay.audit_text().lines() {
        assert!(line.len() < 1_000, "an audit line of {} bytes", line.len());
    }
    assert!(lines[0]["origin"]
        .as_str()
        .unwrap()
        .ends_with("…[9812 more characters]"));
    assert!(lines[1]["path"]
        .as_str()
        .unwrap()
        .ends_with("…[9801 more characters]"));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn repeated_origin_refusals_get_429_after_the_burst_and_do_not_flood_the_log() {
    let fake = fake_upstream(Script::Normal).await;
    // 6 per minute = a token every 10 s; burst of 2.
    let relay = start_relay(
        &fake.url,
        &["--rate-per-minute", "6", "--burst", "2"],
        Some(KEY),
    )
    .await;
    let body = message_body(MODEL, 10, "x").to_string();
    for _ in 0..2 {
        let r = post_message(&relay, Some("http://evil.test"), body.clone()).await;
        assert_eq!(r.status(), 403);
    }
    for origin in [Some("http://evil.test"), None, Some(ORIGIN)] {
        let r = post_message(&relay, origin, body.clone()).await;
        assert_eq!(r.status(), 429, "{origin:?}");
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=10).contains(&retry), "retry-after {retry}");
        if origin != Some(ORIGIN) {
            assert!(
                r.headers().get("access-control-allow-origin").is_none(),
                "{origin:?}"
            );
        }
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["type"], "rate_limit_error");
    }
    assert!(fake.requests().is_empty());
    // Only the first 429 of the run is logged (the rest are counted on the client's next
    // granted request), so a client hammering the relay cannot flood the log.
    reqwest::get(format!("{}/health", relay.url))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let lines = relay.wait_audit_lines(4).await;
    let mut statuses: Vec<u64> = lines
        .iter()
        .map(|l| l["status"].as_u64().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 403, 403, 429], "{}", relay.audit_text());
}

#[tokio::test]
async fn a_streamed_answer_that_outlasts_the_header_timeout_is_not_cut() {
    let gate = Arc::new(Notify::new());
    let fake = fake_upstream(Script::GatedStream(gate.clone())).await;
    let relay = start_relay(&fake.url, &["--header-read-timeout", "200ms"], Some(KEY)).await;
    let mut body = message_body(MODEL, 100, "stream please");
    body["stream"] = json!(true);
    let mut r = post_message(&relay, Some(ORIGIN), body.to_string()).await;
    assert_eq!(r.status(), 200);
    let (before, after) = sse_chunks();
    let mut received = String::new();
    while received.len() < before.concat().len() {
        let chunk = r.chunk().await.unwrap().expect("stream ended early");
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    // The answer pauses for several header timeouts; the timeout is for requests, not answers.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    gate.notify_one();
    while let Some(chunk) = r.chunk().await.unwrap() {
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert_eq!(received, before.concat() + &after.concat());
}

#[tokio::test]
async fn shutdown_finishes_the_answer_in_flight_closes_idle_connections_and_returns() {
    let gate = Arc::new(Notify::new());
    let fake = fake_upstream(Script::GatedStream(gate.clone())).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (relay, served) = start_relay_until(&fake.url, &[], Some(KEY), async {
        let _ = stopped.await;
    })
    .await;
    let mut idle = connect(&relay).await;
    let mut body = message_body(MODEL, 100, "stream please");
    body["stream"] = json!(true);
    let mut r = post_message(&relay, Some(ORIGIN), body.to_string()).await;
    assert_eq!(r.status(), 200);
    let first = r.chunk().await.unwrap().expect("the stream started");

    stop.send(()).unwrap();
    read_until_closed(&mut idle).await;
    gate.notify_one();
    let mut received = String::from_utf8(first.to_vec()).unwrap();
    while let Some(chunk) = r.chunk().await.unwrap() {
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let (before, after) = sse_chunks();
    assert_eq!(received, before.concat() + &after.concat());
    let result = tokio::time::timeout(BOUND, served)
        .await
        .expect("serve did not return after shutdown")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    let addr = relay.url.strip_prefix("http://").unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the relay still accepts connections after shutdown"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &["--header-read-timeout", "300ms"], Some(KEY)).await;
    let mut stream = connect(&relay).await;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    // One answer, then the connection is closed while idle, without a second (408) answer.
    let received = read_until_closed(&mut stream).await;
    assert!(received.starts_with("HTTP/1.1 200 "), "{received}");
    assert_eq!(received.matches("HTTP/1.1 ").count(), 1, "{received}");
}
