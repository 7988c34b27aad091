//! The wire types of writing assistants (`POST /user/assistant`, `PUT /user/assistant/{id}`),
//! the listed fields beyond what campaigns need, and how a 422 from a platform still on the
//! older assistant body is recognised (docs/platform-api.md, "Assistants").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::types::PostCallVariable;

/// What `GET /user/assistants/get` returns of an assistant besides its id, name, type, status,
/// timezone and post-call schema (those are `Assistant`'s own fields). The list leaves out
/// `mode`, `language_id`, `llm_model_id`, `multimodal_model_id` and the tuning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListedAssistantFields {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    pub voice_id: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub initial_message: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub system_prompt: Option<String>,
    /// PHP serialises an empty map as `[]`: read as an empty map.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "php_map"
    )]
    pub variables: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub post_call_evaluation: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub is_webhook_active: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub webhook_url: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    pub max_duration: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub record: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    pub max_silence_duration: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    pub reengagement_interval: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    pub phone_number_id: Option<u64>,
}

// The list is read leniently, field by field: Laravel returns a boolean column as `0`/`1`
// unless the model casts it, and an id or a number of seconds may come back as a string. A
// value of another shape reads as unknown (`None`) rather than failing the whole list, and a
// declared value then plans an update that writes it again.

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        serde_json::Value::String(s) => match s.trim() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    })
}

fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

fn php_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, serde_json::Value>>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Array(items) if items.is_empty() => Ok(Some(BTreeMap::new())),
        serde_json::Value::Object(map) => Ok(Some(map.into_iter().collect())),
        _ => Ok(None),
    }
}

/// The body of an assistant create or update, newer shape. Only the fields set are sent: a
/// create sends what the manifest declares, an update only what changed (the platform's `PUT`
/// changes only the fields it carries). `variables` and `post_call_schema` are always sent
/// whole, since the documentation does not say whether an update merges them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssistantWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_model_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multimodal_model_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_call_schema: Option<Vec<PostCallVariable>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_call_evaluation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_webhook_active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_silence_duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reengagement_interval: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech_speed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_stability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_similarity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_sensitivity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupt_sensitivity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambient_sound: Option<String>,
}

/// The `data` of a create's answer: `{id, name, status, type, mode}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedAssistant {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
}

/// Fields of the older create body that the newer one renamed; a 422 naming one of them means
/// the platform (or a reseller's copy of it) still expects the older body.
pub const OLDER_SHAPE_FIELDS: &[&str] = &[
    "assistant_name",
    "language",
    "llm_model",
    "calls_direction",
    "engine_type",
    "max_call_duration",
    "record_call",
    "re_engagement_interval",
];

/// The first older-shape field a 422's `errors` names, if any.
pub fn older_shape_field<'a>(
    error_fields: impl IntoIterator<Item = &'a String>,
) -> Option<&'a str> {
    error_fields.into_iter().map(String::as_str).find(|field| {
        let base = field.split('.').next().unwrap_or(field);
        OLDER_SHAPE_FIELDS.contains(&base)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_sends_only_the_fields_set() {
        let body = AssistantWrite {
            system_prompt: Some("You are Ada.".into()),
            ..AssistantWrite::default()
        };
        assert_eq!(
            serde_json::to_value(&body).ok(),
            Some(serde_json::json!({"system_prompt": "You are Ada."})),
            "nothing but the changed field may be sent"
        );
    }

    #[test]
    fn an_empty_php_array_is_an_empty_map_of_variables() {
        let listed: Result<ListedAssistantFields, _> =
            serde_json::from_value(serde_json::json!({"variables": []}));
        assert_eq!(
            listed.ok().and_then(|l| l.variables),
            Some(BTreeMap::new()),
            "`[]` must read as no variables, not fail the whole list"
        );
    }

    #[test]
    fn listed_fields_of_another_shape_never_fail_the_list() {
        let listed: ListedAssistantFields = serde_json::from_value(serde_json::json!({
            "record": 1, "post_call_evaluation": "0", "voice_id": "3",
            "max_duration": 1.5, "webhook_url": null, "system_prompt": 7, "variables": "x"
        }))
        .unwrap_or_else(|e| panic!("the list must be read: {e}"));
        assert_eq!(listed.record, Some(true), "0/1 booleans");
        assert_eq!(listed.post_call_evaluation, Some(false), "string booleans");
        assert_eq!(listed.voice_id, Some(3), "numeric strings");
        assert_eq!(
            listed.max_duration, None,
            "a fraction is unknown, not an error"
        );
        assert_eq!(listed.system_prompt, None, "a non-string prompt is unknown");
        assert_eq!(listed.variables, None, "a non-map is unknown");
    }

    #[test]
    fn older_shape_fields_are_recognised_in_a_422() {
        let errors = ["assistant_name".to_string(), "voice_id".to_string()];
        assert_eq!(
            older_shape_field(&errors),
            Some("assistant_name"),
            "older field found"
        );
        let newer = ["name".to_string(), "post_call_schema.0.name".to_string()];
        assert_eq!(
            older_shape_field(&newer),
            None,
            "newer fields are not older ones"
        );
    }
}
