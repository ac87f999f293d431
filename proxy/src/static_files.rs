//! `--static-dir`: the relay also serves the built app, so the page and the relay share one
//! origin and the app's Content-Security-Policy can stay `connect-src 'self'`.
//!
//! * Only `GET` and `HEAD`; `/` and folders serve their `index.html`.
//! * Paths with `..`, backslashes or NUL are refused (nothing outside the folder is served).
//! * Every file gets `x-content-type-options: nosniff`, `referrer-policy: no-referrer` and
//!   `cache-control: no-cache`; HTML also gets [`CSP`], the same policy as the page's meta tag.
//! * The relay's own origin is allowed for CORS automatically ([`self_origins`]).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::RelayError;

/// The Content-Security-Policy sent with HTML files: exactly the app's meta policy
/// (`app/index.html`), as a header as well.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self'; img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// The origins under which a browser reaches a relay listening on `addr`: `http://ip:port`,
/// plus `http://localhost:port` for loopback; an unspecified address (`0.0.0.0`, `::`) gives the
/// loopback forms. Public host names must be added with `--allowed-origin`.
pub fn self_origins(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let ip = addr.ip();
    let text = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{port}"),
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}"),
    };
    let mut out = Vec::new();
    if ip.is_unspecified() {
        out.push(format!("http://127.0.0.1:{port}"));
        out.push(format!("http://[::1]:{port}"));
    } else {
        out.push(text(ip));
    }
    if ip.is_loopback() || ip.is_unspecified() {
        out.push(format!("http://localhost:{port}"));
    }
    out
}

/// The file under `root` that `path` (a URL path) names, or `None` if the path tries to leave
/// `root` or is not plain text. Percent-escapes are decoded first.
pub fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut out = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => out.push(s),
        }
    }
    if decoded.ends_with('/') || decoded.is_empty() {
        out.push("index.html");
    }
    Some(out)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `content-type` for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves one file of `root` for `method` and `path`; anything else is a JSON 404/405.
pub async fn serve_file(root: &Path, method: &Method, path: &str) -> Response {
    let not_found = || {
        RelayError::NotFound {
            method: method.to_string(),
            path: path.to_string(),
        }
        .into_response()
    };
    if method != Method::GET && method != Method::HEAD {
        return not_found();
    }
    let Some(mut file) = resolve(root, path) else {
        return not_found();
    };
    if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        file.push("index.html");
    }
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return not_found();
    };
    let kind = content_type(&file);
    let mut response = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if kind.starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_folder() {
        let root = Path::new("/srv/dist");
        assert_eq!(resolve(root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(root, "/app.js"), Some(root.join("app.js")));
        assert_eq!(
            resolve(root, "/catalog/a%20b.bin"),
            Some(root.join("catalog").join("a b.bin"))
        );
        assert_eq!(resolve(root, "/demo/"), Some(root.join("demo/index.html")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(root, "/a%5c..%5cb"), None);
        assert_eq!(resolve(root, "/%zz"), None);
    }

    #[test]
    fn self_origins_cover_loopback_names() {
        assert_eq!(
            self_origins("127.0.0.1:8787".parse().unwrap()),
            ["http://127.0.0.1:8787", "http://localhost:8787"]
        );
        assert_eq!(
            self_origins("0.0.0.0:9000".parse().unwrap()),
            [
                "http://127.0.0.1:9000",
                "http://[::1]:9000",
                "http://localhost:9000"
            ]
        );
        assert_eq!(
            self_origins("192.168.1.5:80".parse().unwrap()),
            ["http://192.168.1.5:80"]
        );
    }

    #[test]
    fn html_javascript_and_wasm_get_their_types() {
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.js")),
            "text/javascript; charset=utf-8"
        );
    }
}
