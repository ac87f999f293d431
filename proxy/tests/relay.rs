//! End-to-end relay tests against a fake Anthropic upstream, all on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;
use tokio::sync::Notify;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Status, all headers as text, and body text.
async fn parts(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let headers = format!("{:?}", r.headers());
    (status, headers, r.text().await.unwrap())
}

fn cors_headers(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

#[tokio::test]
async fn the_key_is_added_upstream_and_never_appears_in_the_answer() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let body = message_body(MODEL, 100, "hello there").to_string();
    let r = client()
        .post(format!("{}/v1/messages", relay.url))
        .header("origin", ORIGIN)
        .header("x-api-key", "sk-from-the-browser-must-not-pass")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(r.headers()["request-id"], "req_fake");
    let (status, headers, text) = parts(r).await;
    assert_eq!(status, 200);
    assert!(!headers.contains(KEY) && !text.contains(KEY));
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["content"][0]["text"], "echo: hello there");

    let seen = fake.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers["x-api-key"], KEY);
    assert_eq!(seen[0].headers["anthropic-version"], "2023-06-01");
    assert_eq!(
        seen[0].body,
        body.as_bytes(),
        "the body goes upstream byte for byte"
    );
}

#[tokio::test]
async fn a_tool_use_answer_passes_through_unchanged() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let mut body = message_body(MODEL, 100, "find eco-minded urban millennials");
    body["tools"] = json!([{"name":"search_variables","description":"d","input_schema":{"type":"object"}},
                           {"name":"run_segmentation","description":"d","input_schema":{"type":"object"}}]);
    let (status, _, text) = parts(post_message(&relay, Some(ORIGIN), body.to_string()).await).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["stop_reason"], "tool_use");
    assert_eq!(answer["content"][1]["type"], "tool_use");
    assert_eq!(answer["content"][1]["name"], "search_variables");
    assert_eq!(answer["content"][1]["input"]["query"], "eco-minded urban");
}

#[tokio::test]
async fn disallowed_models_and_tools_are_refused_and_nothing_goes_upstream() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;

    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body("claude-3-opus-20240229", 100, "x").to_string(),
    )
    .await;
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        ORIGIN,
        "errors stay readable by the page"
    );
    let (status, _, text) = parts(r).await;
    assert_eq!(status, 403);
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["type"], "error");
    assert_eq!(e["error"]["type"], "permission_error");
    assert_eq!(e["source"], "relay");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("claude-3-opus-20240229"));

    let mut body = message_body(MODEL, 100, "x");
    body["tools"] = json!([{"name":"search_variables"},{"name":"read_customer_rows"}]);
    let (status, _, text) = parts(post_message(&relay, Some(ORIGIN), body.to_string()).await).await;
    assert_eq!(status, 403);
    assert!(text.contains("read_customer_rows"));

    let (status, _, _) = parts(post_message(&relay, Some(ORIGIN), "{not json".into()).await).await;
    assert_eq!(status, 400);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn an_over_size_body_is_413_with_or_without_content_length() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &["--max-body-bytes", "2000"], Some(KEY)).await;
    let big = message_body(MODEL, 100, &"x".repeat(5000)).to_string();

    let (status, _, text) = parts(post_message(&relay, Some(ORIGIN), big.clone()).await).await;
    assert_eq!(status, 413);
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["error"]["type"], "request_too_large");
    assert_eq!(
        e["error"]["message"],
        format!(
            "request body is {} bytes; the limit is 2000 bytes",
            big.len()
        )
    );

    // Chunked upload: no Content-Length, the relay counts while reading.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(1000)
        .map(|c| Ok(String::from_utf8(c.to_vec()).unwrap()))
        .collect();
    let r = client()
        .post(format!("{}/v1/messages", relay.url))
        .header("origin", ORIGIN)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);

    // Exactly at the limit is fine.
    let mut at_limit = message_body(MODEL, 100, "");
    let pad = 2000 - at_limit.to_string().len();
    at_limit["messages"][0]["content"] = json!("y".repeat(pad));
    assert_eq!(at_limit.to_string().len(), 2000);
    let (status, _, _) =
        parts(post_message(&relay, Some(ORIGIN), at_limit.to_string()).await).await;
    assert_eq!(status, 200);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn max_tokens_above_the_limit_is_400_with_a_json_error() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &["--max-tokens", "1000"], Some(KEY)).await;
    let (status, _, text) = parts(
        post_message(
            &relay,
            Some(ORIGIN),
            message_body(MODEL, 1001, "x").to_string(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["error"]["type"], "invalid_request_error");
    assert_eq!(
        e["error"]["message"],
        "max_tokens is 1001; this relay allows at most 1000"
    );
    let (status, _, _) = parts(
        post_message(
            &relay,
            Some(ORIGIN),
            message_body(MODEL, 1000, "x").to_string(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn wrong_or_missing_origins_get_403_and_no_cors_headers() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let body = message_body(MODEL, 10, "x").to_string();
    for origin in [
        Some("http://evil.test"),
        Some("http://127.0.0.1:8081"),
        Some("null"),
        None,
    ] {
        let r = post_message(&relay, origin, body.clone()).await;
        assert_eq!(r.status(), 403, "{origin:?}");
        assert!(
            cors_headers(&r).is_empty(),
            "{origin:?}: {:?}",
            cors_headers(&r)
        );
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["type"], "permission_error");
    }
    // A preflight from a wrong origin is refused the same way.
    let r = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/messages", relay.url),
        )
        .header("origin", "http://evil.test")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(cors_headers(&r).is_empty());
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_gets_the_cors_headers() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let r = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/messages", relay.url),
        )
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("content-type"));
    assert_eq!(h["access-control-max-age"], "600");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn over_rate_clients_get_429_with_retry_after() {
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
        assert_eq!(
            post_message(&relay, Some(ORIGIN), body.clone())
                .await
                .status(),
            200
        );
    }
    let r = post_message(&relay, Some(ORIGIN), body.clone()).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "retry-after {retry}");
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        r.headers()["access-control-expose-headers"],
        "retry-after, request-id"
    );
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "rate_limit_error");
    assert_eq!(e["source"], "relay");
    assert_eq!(
        fake.requests().len(),
        2,
        "the refused request never went upstream"
    );
}

#[tokio::test]
async fn forwarded_for_separates_clients_only_when_trusted() {
    let fake = fake_upstream(Script::Normal).await;
    let body = message_body(MODEL, 10, "x").to_string();
    let send = |relay_url: String, xff: &'static str| {
        let body = body.clone();
        async move {
            client()
                .post(format!("{relay_url}/v1/messages"))
                .header("origin", ORIGIN)
                .header("x-forwarded-for", xff)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let trusted = start_relay(
        &fake.url,
        &[
            "--rate-per-minute",
            "1",
            "--burst",
            "1",
            "--trust-forwarded-for",
        ],
        Some(KEY),
    )
    .await;
    assert_eq!(send(trusted.url.clone(), "203.0.113.1").await, 200);
    assert_eq!(send(trusted.url.clone(), "203.0.113.2").await, 200);
    assert_eq!(send(trusted.url.clone(), "203.0.113.1").await, 429);
    let untrusted = start_relay(
        &fake.url,
        &["--rate-per-minute", "1", "--burst", "1"],
        Some(KEY),
    )
    .await;
    assert_eq!(send(untrusted.url.clone(), "203.0.113.1").await, 200);
    assert_eq!(
        send(untrusted.url.clone(), "203.0.113.2").await,
        429,
        "a forged header does not buy a new bucket"
    );
}

#[tokio::test]
async fn a_streamed_answer_arrives_as_sse_events_in_order_without_buffering() {
    let gate = Arc::new(Notify::new());
    let fake = fake_upstream(Script::GatedStream(gate.clone())).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let mut body = message_body(MODEL, 100, "stream please");
    body["stream"] = json!(true);
    let mut r = post_message(&relay, Some(ORIGIN), body.to_string()).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);

    let (before, after) = sse_chunks();
    let before: String = before.concat();
    let mut received = String::new();
    // Everything before the gate must reach the client while the upstream is still open:
    // a buffering relay would hang here (the guard fails the test instead of waiting forever).
    tokio::time::timeout(Duration::from_secs(20), async {
        while received.len() < before.len() {
            let chunk = r.chunk().await.unwrap().expect("stream ended early");
            received.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    })
    .await
    .expect("events before the gate were held back by the relay");
    assert_eq!(received, before);
    gate.notify_one();
    while let Some(chunk) = r.chunk().await.unwrap() {
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert_eq!(received, before + &after.concat());
    let events: Vec<&str> = received
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(
        events,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let lines = relay.wait_audit_lines(1).await;
    assert_eq!(lines[0]["stream"], true);
    assert_eq!(
        lines[0]["usage"],
        json!({"input_tokens": 25, "output_tokens": 15})
    );
}

async fn upstream_failure(
    status: u16,
    body: Value,
    retry_after: Option<&'static str>,
) -> (reqwest::Response, Fake) {
    let fake = fake_upstream(Script::Error {
        status,
        body: body.to_string(),
        retry_after,
    })
    .await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    (r, fake)
}

#[tokio::test]
async fn upstream_401_is_passed_back_clearly_without_the_key() {
    // The fake upstream echoes the key in its message; the relay must scrub it.
    let body = json!({"type":"error","error":{"type":"authentication_error","message":format!("invalid x-api-key: {KEY}")}});
    let (r, fake) = upstream_failure(401, body, None).await;
    assert_eq!(fake.requests().len(), 1);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let (status, headers, text) = parts(r).await;
    assert_eq!(status, 401);
    assert!(!text.contains(KEY) && !headers.contains(KEY), "{text}");
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["error"]["type"], "authentication_error");
    assert_eq!(e["source"], "upstream");
    assert_eq!(
        e["error"]["message"],
        "Anthropic rejected the relay's API key (HTTP 401 authentication_error): invalid x-api-key: [redacted]"
    );
}

#[tokio::test]
async fn upstream_429_and_529_keep_their_status_and_retry_after() {
    let body = json!({"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}});
    let (r, _) = upstream_failure(429, body, Some("30")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "30");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "rate_limit_error");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Anthropic rate limit reached (HTTP 429"));

    let body = json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}});
    let (r, _) = upstream_failure(529, body, None).await;
    assert_eq!(r.status().as_u16(), 529);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "overloaded_error");
    assert_eq!(
        e["error"]["message"],
        "Anthropic is overloaded; try again shortly (HTTP 529 overloaded_error): Overloaded"
    );

    // A non-JSON error body still yields a typed, clear error.
    let fake = fake_upstream(Script::Error {
        status: 503,
        body: "upstream connect error".into(),
        retry_after: None,
    })
    .await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    assert_eq!(r.status(), 503);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "api_error");
    assert_eq!(
        e["error"]["message"],
        "Anthropic API error (HTTP 503 api_error): upstream connect error"
    );
}

#[tokio::test]
async fn a_dead_upstream_is_a_clear_502() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = format!("http://127.0.0.1:{port}");
    let relay = start_relay(&dead, &[], Some(KEY)).await;
    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let text = r.text().await.unwrap();
    assert!(!text.contains(KEY));
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["error"]["type"], "api_error");
    assert_eq!(e["source"], "upstream");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("could not reach the Anthropic API at {dead}: ")),
        "{message}"
    );
}

#[tokio::test]
async fn a_silent_upstream_is_a_clear_504() {
    let fake = fake_upstream(Script::Silent).await;
    let relay = start_relay(&fake.url, &["--upstream-timeout-secs", "1"], Some(KEY)).await;
    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    assert_eq!(r.status(), 504);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "api_error");
    assert_eq!(
        e["error"]["message"],
        "the Anthropic API did not answer within 1 s"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn without_a_key_health_is_503_and_requests_are_refused() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], None).await;
    let r = client()
        .get(format!("{}/health", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["status"], "no_api_key");
    let r = post_message(
        &relay,
        Some(ORIGIN),
        message_body(MODEL, 10, "x").to_string(),
    )
    .await;
    assert_eq!(r.status(), 503);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e["error"]["message"],
        "the relay has no ANTHROPIC_API_KEY configured"
    );
    assert!(fake.requests().is_empty());

    let ready = start_relay(&fake.url, &["--allowed-model", MODEL], Some(KEY)).await;
    let r = client()
        .get(format!("{}/health", ready.url))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let text = r.text().await.unwrap();
    assert!(!text.contains(KEY));
    let h: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["upstream"], fake.url);
    assert_eq!(h["models"], json!([MODEL]));
}

#[tokio::test]
async fn the_audit_log_has_one_line_per_request_with_usage_and_no_content() {
    const SECRET_TEXT: &str = "PLANTED-CONTENT-MARKER-7f3a";
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;

    let plain = message_body(MODEL, 10, SECRET_TEXT);
    let mut streamed = plain.clone();
    streamed["stream"] = json!(true);
    let mut tools = plain.clone();
    tools["tools"] = json!([{"name":"explain_segment"}]);
    let denied = message_body("not-a-model", 10, SECRET_TEXT);
    for body in [&plain, &streamed, &tools, &denied] {
        let r = post_message(&relay, Some(ORIGIN), body.to_string()).await;
        r.bytes().await.unwrap();
    }
    post_message(&relay, Some("http://evil.test"), plain.to_string())
        .await
        .bytes()
        .await
        .unwrap();
    client()
        .get(format!("{}/health", relay.url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();

    let lines = relay.wait_audit_lines(6).await;
    assert_eq!(lines.len(), 6, "{}", relay.audit_text());
    let text = relay.audit_text();
    assert!(!text.contains(SECRET_TEXT) && !text.contains("echo") && !text.contains(KEY));
    for line in &lines {
        assert!(line["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(line["client"], "127.0.0.1");
        assert!(line["latency_ms"].as_f64().unwrap() >= 0.0);
    }
    let by_status = |status: u16, path: &str| -> Vec<&Value> {
        lines
            .iter()
            .filter(|l| l["status"] == status && l["path"] == path)
            .collect()
    };
    let ok = by_status(200, "/v1/messages");
    assert_eq!(ok.len(), 3);
    let mut usages: Vec<(Value, Value)> = ok
        .iter()
        .map(|l| (l["stream"].clone(), l["usage"].clone()))
        .collect();
    usages.sort_by_key(|(s, u)| (s.to_string(), u.to_string()));
    assert_eq!(
        usages,
        [
            (
                json!(false),
                json!({"input_tokens": 11, "output_tokens": 7})
            ),
            (
                json!(false),
                json!({"input_tokens": 20, "output_tokens": 9})
            ),
            (
                json!(true),
                json!({"input_tokens": 25, "output_tokens": 15})
            ),
        ]
    );
    assert!(ok
        .iter()
        .all(|l| l["model"] == MODEL && l["origin"] == ORIGIN));
    let forbidden = by_status(403, "/v1/messages");
    assert_eq!(forbidden.len(), 2);
    assert!(forbidden
        .iter()
        .all(|l| l["error"] == "permission_error" && l.get("usage").is_none()));
    assert!(forbidden.iter().any(|l| l["model"] == "not-a-model"));
    assert!(forbidden
        .iter()
        .any(|l| l["origin"] == "http://evil.test" && l["model"].is_null()));
    assert_eq!(by_status(200, "/health").len(), 1);
}
