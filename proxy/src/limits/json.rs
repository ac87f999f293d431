//! A JSON parse that refuses duplicate object keys.
//!
//! `serde_json` keeps the last value of a repeated key, while another parser (the upstream's)
//! may keep the first: a body such as `{"model":"big-model","model":"allowed-model"}` would be
//! checked on one value and served on the other. [`parse_strict`] refuses any object, at any
//! depth, that has the same key twice (compared after unescaping, so `"mod\u0065l"` is
//! `"model"`), and says which key and where.
//!
//! ```
//! use audience_proxy::limits::json::{parse_strict, StrictError};
//!
//! let v = parse_strict(br#"{"model":"m","tools":[{"name":"a"}]}"#).unwrap();
//! assert_eq!(v["tools"][0]["name"], "a");
//!
//! let Err(StrictError::Duplicate(d)) = parse_strict(br#"{"tools":[{"name":"a","name":"b"}]}"#)
//! else { panic!("the duplicate was not found") };
//! assert_eq!((d.key.as_str(), d.place.as_str()), ("name", "in tools[0]"));
//! ```

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::clip;

/// A key found twice in one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The key (clipped to a readable length).
    pub key: String,
    /// The object it is in: `at the top level`, or `in ` and a path such as `tools[0]`.
    pub place: String,
}

/// Why [`parse_strict`] refused a body.
#[derive(Debug)]
pub enum StrictError {
    /// An object has the same key twice.
    Duplicate(Duplicate),
    /// The body is not JSON.
    Json(serde_json::Error),
}

/// Parses `body` as one JSON value, refusing duplicate keys in any object.
pub fn parse_strict(body: &[u8]) -> Result<Value, StrictError> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = Strict {
        path: &Path::Root,
        found: &found,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    parsed.map_err(|e| match found.into_inner() {
        Some(duplicate) => StrictError::Duplicate(duplicate),
        None => StrictError::Json(e),
    })
}

/// Where a value sits, built on the stack while parsing and rendered only for a message.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                if !matches!(parent, Path::Root) {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                parent.render(out);
                out.push_str(&format!("[{i}]"));
            }
        }
    }

    fn place(&self) -> String {
        if matches!(self, Path::Root) {
            return "at the top level".to_string();
        }
        let mut out = String::new();
        self.render(&mut out);
        format!("in {}", clip(&out))
    }
}

/// Deserializes any JSON value into a [`Value`], recording the first duplicate key.
#[derive(Clone, Copy)]
struct Strict<'a> {
    path: &'a Path<'a>,
    found: &'a RefCell<Option<Duplicate>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let path = Path::Index(self.path, out.len());
            let seed = Strict {
                path: &path,
                found: self.found,
            };
            match seq.next_element_seed(seed)? {
                Some(value) => out.push(value),
                None => return Ok(Value::Array(out)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                *self.found.borrow_mut() = Some(Duplicate {
                    key: clip(&key),
                    place: self.path.place(),
                });
                return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            let value = {
                let path = Path::Key(self.path, &key);
                map.next_value_seed(Strict {
                    path: &path,
                    found: self.found,
                })?
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn duplicate(body: &str) -> Option<(String, String)> {
        match parse_strict(body.as_bytes()) {
            Err(StrictError::Duplicate(d)) => Some((d.key, d.place)),
            _ => None,
        }
    }

    #[test]
    fn a_body_without_duplicates_parses_to_the_same_value_as_serde_json() {
        let body = r#"{"model":"m","max_tokens":5,"stream":false,"n":null,"f":-2.5,"i":-7,
            "big":18446744073709551615,"messages":[{"role":"user","content":[{"type":"text","text":"hé\n"}]}],
            "tools":[],"o":{}}"#;
        let strict = parse_strict(body.as_bytes()).unwrap();
        let plain: Value = serde_json::from_str(body).unwrap();
        assert_eq!(strict, plain);
        assert_eq!(strict["big"], json!(u64::MAX));
    }

    #[test]
    fn duplicates_are_found_at_the_top_level_and_in_nested_objects_with_their_place() {
        assert_eq!(
            duplicate(r#"{"model":"a","max_tokens":1,"model":"b"}"#),
            Some(("model".into(), "at the top level".into()))
        );
        assert_eq!(
            duplicate(r#"{"max_tokens":1,"max_tokens":2}"#),
            Some(("max_tokens".into(), "at the top level".into()))
        );
        assert_eq!(
            duplicate(r#"{"tools":[{"name":"a"},{"name":"a","name":"b"}]}"#),
            Some(("name".into(), "in tools[1]".into()))
        );
        assert_eq!(
            duplicate(r#"{"tool_choice":{"type":"tool","name":"a","name":"b"}}"#),
            Some(("name".into(), "in tool_choice".into()))
        );
        assert_eq!(
            duplicate(r#"{"messages":[{"content":[{"type":"text","type":"image"}]}]}"#),
            Some(("type".into(), "in messages[0].content[0]".into()))
        );
    }

    #[test]
    fn escaped_spellings_of_the_same_key_are_duplicates() {
        assert_eq!(
            duplicate(r#"{"model":"a","mod\u0065l":"b"}"#),
            Some(("model".into(), "at the top level".into()))
        );
    }

    #[test]
    fn the_same_key_in_different_objects_is_not_a_duplicate() {
        let body = r#"{"name":"x","tools":[{"name":"a"},{"name":"b"}],"o":{"name":"c"}}"#;
        assert!(parse_strict(body.as_bytes()).is_ok());
    }

    #[test]
    fn malformed_json_and_trailing_text_are_json_errors() {
        for body in ["{not json", r#"{"a":1} x"#, "", r#"{"a":"#] {
            assert!(
                matches!(parse_strict(body.as_bytes()), Err(StrictError::Json(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let body = "[".repeat(100_000);
        assert!(matches!(
            parse_strict(body.as_bytes()),
            Err(StrictError::Json(_))
        ));
    }
}
