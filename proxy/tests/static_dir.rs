//! `--static-dir`: the relay serves the built app same-origin and allows its own origin.

mod support;

use serde_json::json;
use support::*;

fn app_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("audience-proxy-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("demo")).unwrap();
    std::fs::write(dir.join("index.html"), "<!DOCTYPE html><title>app</title>").unwrap();
    std::fs::write(dir.join("app.wasm"), [0u8, 97, 115, 109]).unwrap();
    std::fs::write(dir.join("demo").join("leads.csv"), "a,b\n1,2\n").unwrap();
    dir
}

#[tokio::test]
async fn the_app_is_served_with_security_headers_and_its_origin_may_post() {
    let fake = fake_upstream(Script::Normal).await;
    let dir = app_dir();
    let dir_arg = dir.to_str().unwrap().to_string();
    let relay = start_relay(&fake.url, &["--static-dir", &dir_arg], Some(KEY)).await;
    let http = reqwest::Client::new();

    // Page loads carry no Origin header.
    let index = http.get(format!("{}/", relay.url)).send().await.unwrap();
    assert_eq!(index.status(), 200);
    let h = index.headers().clone();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert_eq!(
        index.text().await.unwrap(),
        "<!DOCTYPE html><title>app</title>"
    );

    let wasm = http
        .get(format!("{}/app.wasm", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert!(wasm.headers().get("content-security-policy").is_none());
    let csv = http
        .get(format!("{}/demo/leads.csv", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.text().await.unwrap(), "a,b\n1,2\n");

    for bad in [
        "/missing.js",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/demo/%2e%2e/%2e%2e/x",
    ] {
        let r = http
            .get(format!("{}{bad}", relay.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }

    // The relay's own origin (the page it served) may post, without being configured.
    let own = relay.url.clone();
    let body = message_body(MODEL, 64, "hello").to_string();
    let r = post_message(&relay, Some(&own), body.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], own.as_str());
    let localhost = own.replace("127.0.0.1", "localhost");
    let r = post_message(&relay, Some(&localhost), body.clone()).await;
    assert_eq!(r.status(), 200);

    // Another origin is still refused, and a POST without Origin too.
    let r = post_message(&relay, Some("http://evil.example"), body.clone()).await;
    assert_eq!(r.status(), 403);
    let r = post_message(&relay, None, body).await;
    assert_eq!(r.status(), 403);
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn without_static_dir_other_paths_stay_json_404() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(&fake.url, &[], Some(KEY)).await;
    let r = reqwest::Client::new()
        .get(format!("{}/", relay.url))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["type"], json!("not_found_error"));
}

#[test]
fn a_static_dir_without_index_html_is_refused_at_start() {
    use audience_proxy::config::{ApiKey, Args, Config, ConfigError};
    use clap::Parser;
    let empty = std::env::temp_dir().join(format!("audience-proxy-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let args = Args::parse_from(["audience-proxy", "--static-dir", empty.to_str().unwrap()]);
    let err = Config::from_args(args, ApiKey::new("k")).unwrap_err();
    assert_eq!(err, ConfigError::BadStaticDir(empty.clone()));
    assert!(err.to_string().contains("index.html"), "{err}");
    // With an app folder, no --allowed-origin is needed.
    let dir = app_dir();
    let args = Args::parse_from(["audience-proxy", "--static-dir", dir.to_str().unwrap()]);
    assert!(Config::from_args(args, ApiKey::new("k")).is_ok());
}
