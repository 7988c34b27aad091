//! Request input as Laravel's middleware hands it to a controller: strings trimmed
//! (`TrimStrings`) and empty strings turned into null (`ConvertEmptyStringsToNull`), at any
//! depth. Null then counts as "not given", which is how the platform's optional fields behave.

use serde_json::{Map, Value};

#[derive(Debug, Default)]
pub(crate) struct Input {
    fields: Map<String, Value>,
}

impl Input {
    /// A JSON request body. Laravel reads a body it cannot parse as a JSON object as empty
    /// input, so the validator then reports the required fields: a malformed body is a 422
    /// ("The name field is required. ..."), not a 400, exactly as on the platform.
    pub(crate) fn from_json_body(body: &[u8]) -> Input {
        match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => Input::from_map(fields),
            _ => Input::default(),
        }
    }

    /// A query string; repeated keys keep the last value, as PHP does.
    pub(crate) fn from_query(query: Option<&str>) -> Input {
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
        Input::from_map(
            pairs
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect(),
        )
    }

    fn from_map(fields: Map<String, Value>) -> Input {
        Input {
            fields: fields.into_iter().map(|(k, v)| (k, normalise(v))).collect(),
        }
    }

    /// Whether `key` was sent as null (or blank, which Laravel turns into null).
    pub(crate) fn is_null(&self, key: &str) -> bool {
        self.fields.get(key).is_some_and(Value::is_null)
    }

    /// The value of `key`, or `None` when it is absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }
}

fn normalise(value: Value) -> Value {
    match value {
        Value::String(s) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                Value::Null
            } else {
                Value::String(trimmed.to_string())
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalise(v))).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_trimmed_and_blank_ones_become_absent() {
        let input = Input::from_json_body(
            br#"{"name":"  Q4  ","timezone":"   ","vars":{"a":" x ","b":""},"days":[" monday "]}"#,
        );
        assert_eq!(
            input.get("name"),
            Some(&json!("Q4")),
            "strings must be trimmed"
        );
        assert_eq!(
            input.get("timezone"),
            None,
            "a blank string must count as not given"
        );
        assert_eq!(
            input.get("vars"),
            Some(&json!({"a": "x", "b": null})),
            "nested strings must be normalised"
        );
        assert_eq!(
            input.get("days"),
            Some(&json!(["monday"])),
            "array items must be trimmed"
        );
    }

    #[test]
    fn unparseable_bodies_are_empty_input() {
        for body in [&b"{not json"[..], b"[1,2]", b"", b"\"text\""] {
            assert_eq!(
                Input::from_json_body(body).get("name"),
                None,
                "{body:?} must read as empty input"
            );
        }
    }

    #[test]
    fn query_strings_decode_like_php() {
        let input = Input::from_query(Some("per_page=5&phone_number=%2B1555&per_page=7&status="));
        assert_eq!(
            input.get("per_page"),
            Some(&json!("7")),
            "the last repeated key wins"
        );
        assert_eq!(
            input.get("phone_number"),
            Some(&json!("+1555")),
            "percent-decoding"
        );
        assert_eq!(input.get("status"), None, "an empty parameter is not given");
    }
}
