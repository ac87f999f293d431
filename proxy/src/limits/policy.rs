//! What a `POST /v1/messages` body may contain.
//!
//! The body is parsed only to check it; the original bytes are what goes upstream.
//!
//! ```
//! use audience_proxy::limits::{check_request, Policy};
//!
//! let policy = Policy {
//!     allowed_models: vec!["claude-haiku-4-5".into()],
//!     allowed_tools: vec!["search_variables".into()],
//!     max_tokens: 1024,
//! };
//! let body = br#"{"model":"claude-haiku-4-5","max_tokens":512,
//!   "tools":[{"name":"search_variables","input_schema":{"type":"object"}}],
//!   "messages":[{"role":"user","content":"hi"}]}"#;
//! let checked = check_request(body, &policy).unwrap();
//! assert_eq!(checked.model, "claude-haiku-4-5");
//! assert!(!checked.stream);
//!
//! let too_many = br#"{"model":"claude-haiku-4-5","max_tokens":2048,"messages":[]}"#;
//! assert_eq!(check_request(too_many, &policy).unwrap_err().status().as_u16(), 400);
//! ```

use serde_json::Value;

use crate::error::{clip, RelayError};
use crate::limits::json::{parse_strict, Duplicate, StrictError};

/// The allowlists and limits a request body is checked against.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Allowed `model` values.
    pub allowed_models: Vec<String>,
    /// Allowed `tools[].name` values (and `tool_choice.name`).
    pub allowed_tools: Vec<String>,
    /// Largest allowed `max_tokens`.
    pub max_tokens: u64,
}

/// The parts of an accepted request the relay needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRequest {
    /// The requested model.
    pub model: String,
    /// The requested `max_tokens`.
    pub max_tokens: u64,
    /// Whether the client asked for a server-sent-event stream.
    pub stream: bool,
}

/// Checks a request body: a JSON object, with no key repeated in any object, with an allowed `model`, an integer `max_tokens` within
/// the limit, an optional boolean `stream`, and only allowed tool names in `tools` and
/// `tool_choice`. Malformed fields are 400; disallowed models and tools are 403.
pub fn check_request(body: &[u8], policy: &Policy) -> Result<CheckedRequest, RelayError> {
    let value = parse_strict(body).map_err(|e| match e {
        StrictError::Duplicate(Duplicate { key, place }) => RelayError::DuplicateKey { key, place },
        StrictError::Json(e) => RelayError::InvalidJson {
            detail: e.to_string(),
        },
    })?;
    let Value::Object(obj) = value else {
        return Err(RelayError::InvalidJson {
            detail: format!("found {}", json_kind(&value)),
        });
    };
    let field = |name: &str, problem: String| RelayError::InvalidField {
        field: name.into(),
        problem,
    };

    let model = match obj.get("model") {
        Some(Value::String(m)) => m.clone(),
        Some(other) => {
            return Err(field(
                "model",
                format!("must be a string, found {}", json_kind(other)),
            ))
        }
        None => return Err(field("model", "is required".into())),
    };
    if !policy.allowed_models.contains(&model) {
        return Err(RelayError::ModelNotAllowed {
            model: clip(&model),
            allowed: policy.allowed_models.join(", "),
        });
    }

    let max_tokens = match obj.get("max_tokens") {
        Some(Value::Number(n)) => n.as_u64().filter(|&n| n > 0).ok_or_else(|| {
            field(
                "max_tokens",
                format!("must be a positive integer, found {n}"),
            )
        })?,
        Some(other) => {
            return Err(field(
                "max_tokens",
                format!("must be a positive integer, found {}", json_kind(other)),
            ))
        }
        None => return Err(field("max_tokens", "is required".into())),
    };
    if max_tokens > policy.max_tokens {
        return Err(RelayError::MaxTokensTooHigh {
            requested: max_tokens,
            limit: policy.max_tokens,
        });
    }

    let stream = match obj.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(field(
                "stream",
                format!("must be true or false, found {}", json_kind(other)),
            ))
        }
    };

    let tool_allowed = |name: &str| policy.allowed_tools.iter().any(|t| t == name);
    let not_allowed = |name: &str| RelayError::ToolNotAllowed {
        name: clip(name),
        allowed: policy.allowed_tools.join(", "),
    };
    match obj.get("tools") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tools)) => {
            for (i, tool) in tools.iter().enumerate() {
                match tool.get("name") {
                    Some(Value::String(name)) if tool_allowed(name) => {}
                    Some(Value::String(name)) => return Err(not_allowed(name)),
                    _ => {
                        return Err(field(
                            &format!("tools[{i}].name"),
                            "must be a string".into(),
                        ))
                    }
                }
            }
        }
        Some(other) => {
            return Err(field(
                "tools",
                format!("must be an array, found {}", json_kind(other)),
            ))
        }
    }
    if let Some(choice) = obj.get("tool_choice") {
        if choice.get("type").and_then(Value::as_str) == Some("tool") {
            match choice.get("name").and_then(Value::as_str) {
                Some(name) if tool_allowed(name) => {}
                Some(name) => return Err(not_allowed(name)),
                None => return Err(field("tool_choice.name", "must be a string".into())),
            }
        }
    }
    Ok(CheckedRequest {
        model,
        max_tokens,
        stream,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            allowed_models: vec!["m-ok".into()],
            allowed_tools: vec!["search_variables".into(), "run_segmentation".into()],
            max_tokens: 1000,
        }
    }

    fn check(body: &str) -> Result<CheckedRequest, RelayError> {
        check_request(body.as_bytes(), &policy())
    }

    #[test]
    fn a_valid_request_reports_model_tokens_and_stream() {
        let r = check(r#"{"model":"m-ok","max_tokens":1000,"stream":true,
            "tools":[{"name":"run_segmentation"}],"tool_choice":{"type":"tool","name":"search_variables"}}"#)
        .unwrap();
        assert_eq!(
            r,
            CheckedRequest {
                model: "m-ok".into(),
                max_tokens: 1000,
                stream: true
            }
        );
    }

    #[test]
    fn disallowed_model_is_403_and_names_it() {
        let e = check(r#"{"model":"m-bad","max_tokens":10}"#).unwrap_err();
        assert_eq!(e.status().as_u16(), 403);
        assert_eq!(
            e.to_string(),
            r#"model "m-bad" is not allowed by this relay (allowed: m-ok)"#
        );
    }

    #[test]
    fn any_disallowed_tool_is_403_even_after_allowed_ones() {
        let e = check(r#"{"model":"m-ok","max_tokens":10,"tools":[{"name":"search_variables"},{"name":"bash"}]}"#)
            .unwrap_err();
        assert_eq!(
            e,
            RelayError::ToolNotAllowed {
                name: "bash".into(),
                allowed: "search_variables, run_segmentation".into()
            }
        );
        let e = check(
            r#"{"model":"m-ok","max_tokens":10,"tool_choice":{"type":"tool","name":"bash"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.status().as_u16(), 403);
    }

    #[test]
    fn max_tokens_over_the_limit_is_400_with_both_numbers() {
        let e = check(r#"{"model":"m-ok","max_tokens":1001}"#).unwrap_err();
        assert_eq!(
            e,
            RelayError::MaxTokensTooHigh {
                requested: 1001,
                limit: 1000
            }
        );
        assert_eq!(e.status().as_u16(), 400);
    }

    #[test]
    fn duplicate_model_or_max_tokens_is_400_whichever_value_comes_last() {
        // Before: serde_json kept the last value, so these passed the check.
        for body in [
            r#"{"model":"m-bad","model":"m-ok","max_tokens":10}"#,
            r#"{"model":"m-ok","max_tokens":99999,"max_tokens":10}"#,
            r#"{"model":"m-ok","max_tokens":10,"tools":[{"name":"bash","name":"search_variables"}]}"#,
        ] {
            let e = check(body).unwrap_err();
            assert_eq!(e.status().as_u16(), 400, "{body}");
            assert!(matches!(e, RelayError::DuplicateKey { .. }), "{body}: {e}");
        }
        assert_eq!(
            check(r#"{"model":"m-bad","model":"m-ok","max_tokens":10}"#)
                .unwrap_err()
                .to_string(),
            "the request body has the key \"model\" more than once (at the top level); \
             send each key once, since the relay cannot tell which value counts"
        );
    }

    #[test]
    fn an_attacker_sized_model_name_is_clipped_in_the_refusal() {
        let body = format!(r#"{{"model":"{}","max_tokens":10}}"#, "m".repeat(10_000));
        let e = check(&body).unwrap_err();
        assert_eq!(e.status().as_u16(), 403);
        assert!(e.to_string().len() < 400, "{}", e.to_string().len());
        assert!(e.to_string().contains("[9800 more characters]"));
    }

    #[test]
    fn malformed_bodies_are_400_with_the_field_named() {
        let cases = [
            ("[1]", "request body is not a JSON object: found an array"),
            (r#"{"max_tokens":1}"#, "field `model` is required"),
            (
                r#"{"model":7,"max_tokens":1}"#,
                "field `model` must be a string, found a number",
            ),
            (r#"{"model":"m-ok"}"#, "field `max_tokens` is required"),
            (
                r#"{"model":"m-ok","max_tokens":0}"#,
                "field `max_tokens` must be a positive integer, found 0",
            ),
            (
                r#"{"model":"m-ok","max_tokens":2.5}"#,
                "field `max_tokens` must be a positive integer, found 2.5",
            ),
            (
                r#"{"model":"m-ok","max_tokens":1,"stream":"yes"}"#,
                "field `stream` must be true or false, found a string",
            ),
            (
                r#"{"model":"m-ok","max_tokens":1,"tools":{}}"#,
                "field `tools` must be an array, found an object",
            ),
            (
                r#"{"model":"m-ok","max_tokens":1,"tools":[{"type":"x"}]}"#,
                "field `tools[0].name` must be a string",
            ),
        ];
        for (body, message) in cases {
            let e = check(body).unwrap_err();
            assert_eq!(e.status().as_u16(), 400, "{body}");
            assert_eq!(e.to_string(), message, "{body}");
        }
        assert!(check("{not json")
            .unwrap_err()
            .to_string()
            .starts_with("request body is not a JSON object: key must be a string"));
    }
}
