//! Command-line flags, environment variables and the validated [`Config`].
//!
//! Flags and environment variables come in as [`Args`] (clap). [`Config::from_args`] checks
//! them and returns a typed [`ConfigError`] naming the bad value. The API key is read only from
//! the `ANTHROPIC_API_KEY` environment variable (never a flag, so it never shows in `ps`) and is
//! held in an [`ApiKey`] whose `Debug` output is redacted.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Models allowed when no `--allowed-model` is given: current Claude aliases and snapshots.
pub const DEFAULT_MODELS: &[&str] = &[
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5",
    "claude-opus-4-5-20251101",
    "claude-opus-4-1",
    "claude-opus-4-1-20250805",
    "claude-sonnet-4-0",
    "claude-sonnet-4-20250514",
];

/// Tools allowed when no `--allowed-tool` is given: the assistant's in-browser tools.
pub const DEFAULT_TOOLS: &[&str] = &[
    "search_variables",
    "describe_columns",
    "run_segmentation",
    "get_segment_profiles",
    "explain_segment",
];

/// How long a client may take to send a request's headers, when not configured.
pub const DEFAULT_HEADER_READ_TIMEOUT: &str = "10s";

/// How long a client may take to send a request's body, when not configured.
pub const DEFAULT_BODY_READ_TIMEOUT: &str = "30s";

/// Connections served at once, when not configured.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The Anthropic API's public base URL.
pub const DEFAULT_UPSTREAM: &str = "https://api.anthropic.com";

/// The `anthropic-version` header sent upstream unless configured otherwise.
pub const DEFAULT_ANTHROPIC_VERSION: &str = "2023-06-01";

/// Flags and environment variables of `audience-proxy`.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "audience-proxy",
    version,
    about = "Relay for Audience Builder's assistant: holds the Anthropic API key (ANTHROPIC_API_KEY) and enforces allowlists, limits and CORS."
)]
pub struct Args {
    /// Address and port to listen on.
    #[arg(long, env = "AUDIENCE_PROXY_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Base URL of the Anthropic API (the relay posts to `<upstream>/v1/messages`).
    #[arg(long, env = "AUDIENCE_PROXY_UPSTREAM", default_value = DEFAULT_UPSTREAM)]
    pub upstream: String,
    /// `anthropic-version` header sent upstream.
    #[arg(long, env = "ANTHROPIC_VERSION", default_value = DEFAULT_ANTHROPIC_VERSION)]
    pub anthropic_version: String,
    /// Browser origin allowed to call the relay, e.g. `http://127.0.0.1:8080` (repeatable;
    /// comma-separated in the environment variable).
    #[arg(
        long = "allowed-origin",
        env = "AUDIENCE_PROXY_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Accept requests that carry no `Origin` header (non-browser clients such as curl).
    #[arg(long, env = "AUDIENCE_PROXY_ALLOW_MISSING_ORIGIN")]
    pub allow_missing_origin: bool,
    /// Model the client may ask for (repeatable; replaces the default list).
    #[arg(long = "allowed-model", env = "AUDIENCE_PROXY_ALLOWED_MODELS", value_delimiter = ',',
          default_values = DEFAULT_MODELS)]
    pub allowed_models: Vec<String>,
    /// Tool name the request may declare in `tools[].name` (repeatable; replaces the default list).
    #[arg(long = "allowed-tool", env = "AUDIENCE_PROXY_ALLOWED_TOOLS", value_delimiter = ',',
          default_values = DEFAULT_TOOLS)]
    pub allowed_tools: Vec<String>,
    /// Largest request body accepted, in bytes (larger → 413).
    #[arg(
        long,
        env = "AUDIENCE_PROXY_MAX_BODY_BYTES",
        default_value_t = 1_048_576
    )]
    pub max_body_bytes: usize,
    /// Largest `max_tokens` a request may ask for (larger → 400).
    #[arg(long, env = "AUDIENCE_PROXY_MAX_TOKENS", default_value_t = 4096)]
    pub max_tokens: u64,
    /// Sustained requests per minute per client (token bucket refill rate).
    #[arg(long, env = "AUDIENCE_PROXY_RATE_PER_MINUTE", default_value_t = 30)]
    pub rate_per_minute: u32,
    /// Requests a client may make at once before the per-minute rate applies (bucket size).
    #[arg(long, env = "AUDIENCE_PROXY_BURST", default_value_t = 10)]
    pub burst: u32,
    /// Identify clients by the last `X-Forwarded-For` address (only behind a trusted reverse proxy).
    #[arg(long, env = "AUDIENCE_PROXY_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// JSON-lines audit log file (appended); `-` or absent means stdout.
    #[arg(long, env = "AUDIENCE_PROXY_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// Seconds the upstream may stay silent before the request fails (502/504); a non-streamed
    /// answer must also be complete within this time.
    #[arg(
        long,
        env = "AUDIENCE_PROXY_UPSTREAM_TIMEOUT_SECS",
        default_value_t = 600
    )]
    pub upstream_timeout_secs: u64,
    /// Longest time a client may take to send a request's headers (e.g. `10s`, `500ms`); a
    /// request still incomplete after this is answered 408 and its connection closed. Idle
    /// keep-alive connections are also closed after this time.
    #[arg(long, env = "AUDIENCE_PROXY_HEADER_READ_TIMEOUT", default_value = DEFAULT_HEADER_READ_TIMEOUT,
          value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// Longest time a client may take to send a request's body once its headers are in
    /// (e.g. `30s`); a body still arriving after this is answered 408 and never forwarded.
    #[arg(long, env = "AUDIENCE_PROXY_BODY_READ_TIMEOUT", default_value = DEFAULT_BODY_READ_TIMEOUT,
          value_parser = parse_duration)]
    pub body_read_timeout: Duration,
    /// Connections served at once; further connections wait to be accepted until one closes.
    #[arg(long, env = "AUDIENCE_PROXY_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Also serve the built app from this folder (e.g. `dist`), same-origin with the relay: the
    /// relay's own origin is then allowed automatically and `--allowed-origin` becomes optional.
    #[arg(long, env = "AUDIENCE_PROXY_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
}

/// The Anthropic API key. Its `Debug` and `Display` never show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; an empty or all-blank string is no key at all.
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into().trim().to_string();
        (!key.is_empty()).then_some(Self(key))
    }

    /// The secret itself, for the upstream header and for scrubbing text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// Where audit lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditTarget {
    /// Standard output.
    Stdout,
    /// A file, created if missing and appended to.
    File(PathBuf),
}

/// Validated relay settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Upstream base URL without a trailing slash.
    pub upstream: String,
    /// `anthropic-version` header value.
    pub anthropic_version: String,
    /// The API key, if configured; without it the relay answers 503.
    pub api_key: Option<ApiKey>,
    /// Allowed browser origins, normalised (`scheme://host[:port]`, no trailing slash).
    pub allowed_origins: Vec<String>,
    /// Whether requests without an `Origin` header are served.
    pub allow_missing_origin: bool,
    /// Allowed model names (exact match).
    pub allowed_models: Vec<String>,
    /// Allowed tool names (exact match).
    pub allowed_tools: Vec<String>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Largest accepted `max_tokens`.
    pub max_tokens: u64,
    /// Token-bucket refill rate per client, requests per minute.
    pub rate_per_minute: u32,
    /// Token-bucket size per client.
    pub burst: u32,
    /// Whether `X-Forwarded-For` identifies the client.
    pub trust_forwarded_for: bool,
    /// Audit log destination.
    pub audit: AuditTarget,
    /// Longest upstream silence, and longest wait for a complete non-streamed answer.
    pub upstream_timeout: Duration,
    /// The built app to serve on every other `GET` path, if any.
    pub static_dir: Option<PathBuf>,
    /// Longest time to receive a request's headers (and longest keep-alive idle time).
    pub header_read_timeout: Duration,
    /// Longest time to receive a request's body.
    pub body_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

/// A flag or environment variable with a value the relay cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The upstream base URL is not `http(s)://host...`.
    #[error("--upstream {0:?} is not an http:// or https:// URL")]
    BadUpstream(String),
    /// An allowed origin is not `scheme://host[:port]`.
    #[error("--allowed-origin {0:?} is not an origin of the form http(s)://host[:port] (no path)")]
    BadOrigin(String),
    /// No origin is allowed and origin-less requests are refused, so nothing could be served.
    #[error("no --allowed-origin given (and neither --allow-missing-origin nor --static-dir set): every request would be refused")]
    NoOrigins,
    /// `--static-dir` is not a folder holding `index.html`.
    #[error("--static-dir {0:?} is not a folder with an index.html (build the app first: scripts/build.sh writes dist/)")]
    BadStaticDir(PathBuf),
    /// An allowlist is empty.
    #[error("the {0} allowlist is empty: give at least one --allowed-{0}")]
    EmptyAllowlist(&'static str),
    /// A numeric limit is zero.
    #[error("--{name} is {value}; it must be at least 1")]
    ZeroLimit {
        /// The flag's name.
        name: &'static str,
        /// The value given.
        value: u64,
    },
    /// A timeout is zero.
    #[error("--{name} is 0; give a duration such as 10s or 500ms")]
    ZeroTimeout {
        /// The flag's name.
        name: &'static str,
    },
}

impl Config {
    /// Checks `args` and combines them with the API key from the environment.
    ///
    /// ```
    /// use audience_proxy::config::{Args, ApiKey, Config};
    /// use clap::Parser;
    ///
    /// let args = Args::parse_from(["audience-proxy", "--allowed-origin", "http://127.0.0.1:8080/"]);
    /// let config = Config::from_args(args, ApiKey::new("sk-test")).unwrap();
    /// assert_eq!(config.allowed_origins, ["http://127.0.0.1:8080"]);
    /// assert_eq!(config.upstream, "https://api.anthropic.com");
    /// assert_eq!(format!("{:?}", config.api_key), "Some(ApiKey([redacted]))");
    /// ```
    pub fn from_args(args: Args, api_key: Option<ApiKey>) -> Result<Self, ConfigError> {
        let upstream = args.upstream.trim().trim_end_matches('/').to_string();
        let valid_upstream = ["http://", "https://"].iter().any(|s| {
            upstream
                .strip_prefix(s)
                .is_some_and(|rest| !rest.is_empty())
        });
        if !valid_upstream {
            return Err(ConfigError::BadUpstream(args.upstream));
        }
        let allowed_origins = args
            .allowed_origins
            .iter()
            .map(|o| normalise_origin(o).ok_or_else(|| ConfigError::BadOrigin(o.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(dir) = &args.static_dir {
            if !dir.join("index.html").is_file() {
                return Err(ConfigError::BadStaticDir(dir.clone()));
            }
        }
        if allowed_origins.is_empty() && !args.allow_missing_origin && args.static_dir.is_none() {
            return Err(ConfigError::NoOrigins);
        }
        let allowed_models = clean_list(args.allowed_models);
        if allowed_models.is_empty() {
            return Err(ConfigError::EmptyAllowlist("model"));
        }
        let allowed_tools = clean_list(args.allowed_tools);
        if allowed_tools.is_empty() {
            return Err(ConfigError::EmptyAllowlist("tool"));
        }
        for (name, value) in [
            ("max-body-bytes", args.max_body_bytes as u64),
            ("max-tokens", args.max_tokens),
            ("rate-per-minute", u64::from(args.rate_per_minute)),
            ("burst", u64::from(args.burst)),
            ("upstream-timeout-secs", args.upstream_timeout_secs),
            ("max-connections", args.max_connections as u64),
        ] {
            if value == 0 {
                return Err(ConfigError::ZeroLimit { name, value });
            }
        }
        for (name, value) in [
            ("header-read-timeout", args.header_read_timeout),
            ("body-read-timeout", args.body_read_timeout),
        ] {
            if value.is_zero() {
                return Err(ConfigError::ZeroTimeout { name });
            }
        }
        let audit = match args.audit_log {
            Some(p) if p.as_os_str() != "-" => AuditTarget::File(p),
            _ => AuditTarget::Stdout,
        };
        Ok(Self {
            listen: args.listen,
            upstream,
            anthropic_version: args.anthropic_version,
            api_key,
            allowed_origins,
            allow_missing_origin: args.allow_missing_origin,
            allowed_models,
            allowed_tools,
            max_body_bytes: args.max_body_bytes,
            max_tokens: args.max_tokens,
            rate_per_minute: args.rate_per_minute,
            burst: args.burst,
            trust_forwarded_for: args.trust_forwarded_for,
            audit,
            upstream_timeout: Duration::from_secs(args.upstream_timeout_secs),
            static_dir: args.static_dir,
            header_read_timeout: args.header_read_timeout,
            body_read_timeout: args.body_read_timeout,
            max_connections: args.max_connections,
        })
    }
}

/// Parses a duration flag: `10s`, `500ms`, `1m 30s` (humantime), or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(text)
        .map_err(|e| format!("{e}; give a duration such as 10s, 500ms or 1m"))
}

/// `scheme://host[:port]` in lower case without a trailing slash, or `None` if `origin` has a
/// path, query, credentials or an unknown scheme.
pub fn normalise_origin(origin: &str) -> Option<String> {
    let lower = origin.trim().to_ascii_lowercase();
    let lower = lower.strip_suffix('/').unwrap_or(&lower);
    let (scheme, host) = lower.split_once("://")?;
    let ok_scheme = scheme == "http" || scheme == "https";
    let ok_host = !host.is_empty()
        && !host.contains(['/', '?', '#', '@', ' '])
        && host.chars().all(|c| c.is_ascii_graphic());
    (ok_scheme && ok_host).then(|| lower.to_string())
}

fn clean_list(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in list.into_iter().map(|s| s.trim().to_string()) {
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["audience-proxy"];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    #[test]
    fn defaults_allow_the_five_assistant_tools_and_current_models() {
        let c = Config::from_args(args(&["--allowed-origin", "http://a.test"]), None).unwrap();
        assert_eq!(c.allowed_tools, DEFAULT_TOOLS);
        assert!(c.allowed_models.iter().any(|m| m == "claude-sonnet-4-5"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(c.anthropic_version, "2023-06-01");
        assert_eq!(c.audit, AuditTarget::Stdout);
        assert!(c.api_key.is_none());
    }

    #[test]
    fn repeated_flags_replace_the_defaults() {
        let c = Config::from_args(
            args(&[
                "--allowed-origin=http://a.test",
                "--allowed-origin=https://B.test:8443/",
                "--allowed-model=m1",
                "--allowed-model=m2",
                "--allowed-tool=t1",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(c.allowed_origins, ["http://a.test", "https://b.test:8443"]);
        assert_eq!(c.allowed_models, ["m1", "m2"]);
        assert_eq!(c.allowed_tools, ["t1"]);
    }

    #[test]
    fn origins_with_paths_or_other_schemes_are_refused() {
        for bad in [
            "http://a.test/app",
            "ftp://a.test",
            "a.test",
            "http://",
            "http://u@a.test",
        ] {
            let err = Config::from_args(args(&["--allowed-origin", bad]), None).unwrap_err();
            assert_eq!(err, ConfigError::BadOrigin(bad.to_string()), "{bad}");
        }
    }

    #[test]
    fn no_origin_at_all_is_refused_unless_missing_origins_are_allowed() {
        assert_eq!(
            Config::from_args(args(&[]), None).unwrap_err(),
            ConfigError::NoOrigins
        );
        assert!(Config::from_args(args(&["--allow-missing-origin"]), None).is_ok());
    }

    #[test]
    fn zero_limits_name_the_flag() {
        let err = Config::from_args(args(&["--allowed-origin=http://a.test", "--burst=0"]), None)
            .unwrap_err();
        assert_eq!(err.to_string(), "--burst is 0; it must be at least 1");
    }

    #[test]
    fn read_timeouts_and_the_connection_cap_have_defaults_and_accept_units() {
        let c = Config::from_args(args(&["--allowed-origin=http://a.test"]), None).unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.body_read_timeout, Duration::from_secs(30));
        assert_eq!(c.max_connections, 256);
        let c = Config::from_args(
            args(&[
                "--allowed-origin=http://a.test",
                "--header-read-timeout=300ms",
                "--body-read-timeout=2",
                "--max-connections=3",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_millis(300));
        assert_eq!(c.body_read_timeout, Duration::from_secs(2));
        assert_eq!(c.max_connections, 3);
    }

    #[test]
    fn zero_or_unreadable_timeouts_are_refused_with_the_flag_named() {
        let err = Config::from_args(
            args(&["--allowed-origin=http://a.test", "--body-read-timeout=0s"]),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--body-read-timeout is 0; give a duration such as 10s or 500ms"
        );
        let err = Config::from_args(
            args(&["--allowed-origin=http://a.test", "--max-connections=0"]),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--max-connections is 0; it must be at least 1"
        );
        let parsed = Args::try_parse_from([
            "audience-proxy",
            "--allowed-origin=http://a.test",
            "--header-read-timeout=soon",
        ]);
        let message = parsed.unwrap_err().to_string();
        assert!(
            message.contains("give a duration such as 10s, 500ms or 1m"),
            "{message}"
        );
    }

    #[test]
    fn bad_upstream_is_refused_and_trailing_slash_dropped() {
        let err = Config::from_args(
            args(&["--allowed-origin=http://a.test", "--upstream=localhost"]),
            None,
        )
        .unwrap_err();
        assert_eq!(err, ConfigError::BadUpstream("localhost".into()));
        let c = Config::from_args(
            args(&[
                "--allowed-origin=http://a.test",
                "--upstream=http://127.0.0.1:9/",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(c.upstream, "http://127.0.0.1:9");
    }

    #[test]
    fn blank_keys_are_no_keys_and_keys_are_redacted_in_debug() {
        assert!(ApiKey::new("  ").is_none());
        let k = ApiKey::new("sk-secret").unwrap();
        assert_eq!(k.expose(), "sk-secret");
        assert!(!format!("{k:?}").contains("sk-secret"));
    }

    #[test]
    fn dash_audit_log_means_stdout() {
        let c = Config::from_args(
            args(&["--allowed-origin=http://a.test", "--audit-log=-"]),
            None,
        )
        .unwrap();
        assert_eq!(c.audit, AuditTarget::Stdout);
        let c = Config::from_args(
            args(&["--allowed-origin=http://a.test", "--audit-log=x.jsonl"]),
            None,
        )
        .unwrap();
        assert_eq!(c.audit, AuditTarget::File("x.jsonl".into()));
    }
}
