//! YAML text as JSON values, read with yaml-rust2 (the parser campaignctl reads manifests with):
//! seed and state files are YAML or JSON, and the JSON the routes serve is what they hold.
//! Public because the product's tests and benchmarks read their YAML fixtures the same way.

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Every document of `text`, in order. Duplicate keys are an error (yaml-rust2's), and so are
/// keys that are not strings, numbers or booleans, and floats JSON cannot hold (`.nan`, `.inf`).
pub fn documents(text: &str) -> Result<Vec<Value>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    docs.iter().map(|doc| to_json(doc, "")).collect()
}

/// The one document of `text`; none or several is an error.
pub fn document(text: &str) -> Result<Value, String> {
    let mut docs = documents(text)?;
    match docs.len() {
        1 => Ok(docs.remove(0)),
        0 => Err("the file holds no YAML document".to_owned()),
        n => Err(format!("the file holds {n} YAML documents, expected one")),
    }
}

/// `at` is the path of `node`, for errors (`campaigns[2].name`).
fn to_json(node: &Yaml, at: &str) -> Result<Value, String> {
    let here = |detail: &str| {
        if at.is_empty() {
            detail.to_owned()
        } else {
            format!("{at}: {detail}")
        }
    };
    Ok(match node {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Real(text) => node
            .as_f64()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| here(&format!("`{text}` is not a number JSON can hold")))?,
        Yaml::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, value) in entries {
                let key = match key {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    _ => return Err(here("a mapping key must be a string")),
                };
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                let value = to_json(value, &path)?;
                map.insert(key, value);
            }
            Value::Object(map)
        }
        // The loader resolves aliases to their nodes; one left over has no anchor.
        Yaml::Alias(_) | Yaml::BadValue => return Err(here("an alias without an anchor")),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn yaml_and_json_read_to_the_same_values() {
        let yaml = "a: 1\nb: [x, 2.5, true, null]\nc: {d: '09:00'}\n";
        let json = r#"{"a": 1, "b": ["x", 2.5, true, null], "c": {"d": "09:00"}}"#;
        let expected = json!({"a": 1, "b": ["x", 2.5, true, null], "c": {"d": "09:00"}});
        assert_eq!(document(yaml), Ok(expected.clone()), "YAML");
        assert_eq!(document(json), Ok(expected), "JSON is YAML");
    }

    #[test]
    fn aliases_are_resolved_and_documents_kept_apart() {
        let docs = documents("a: &x [1]\nb: *x\n---\nc: 2\n");
        assert_eq!(
            docs,
            Ok(vec![json!({"a": [1], "b": [1]}), json!({"c": 2})]),
            "two documents, the alias expanded"
        );
    }

    #[test]
    fn what_json_cannot_hold_is_an_error_naming_where() {
        for (text, expected) in [
            ("a: 1\na: 2\n", "duplicated key"),
            ("a:\n  - {b: .nan}\n", "a[0].b"),
            ("? [1]\n: x\n", "mapping key"),
            ("a: [1\n", "while parsing"),
            ("", "no YAML document"),
            ("a: 1\n---\nb: 2\n", "2 YAML documents"),
        ] {
            let err = document(text).expect_err(text);
            assert!(
                err.contains(expected),
                "{text:?}: expected {expected:?} in {err:?}"
            );
        }
    }
}
