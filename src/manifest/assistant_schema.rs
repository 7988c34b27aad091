//! The JSON Schema of a `kind: Assistant` document, generated with schemars as the campaign's
//! is, and the schema of a manifest document of either kind (`campaignctl schema`): by `kind`,
//! an assistant or a campaign. A unit test holds the properties to the loader's keys
//! (`assistant_document::ASSISTANT_FIELDS`).

use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde_json::json;

/// An assistant manifest: one YAML document per assistant, keys as the platform names them.
/// The name is its identity. Fields left out are not sent; the platform requires the ones
/// listed as required to create one (a tombstone, or a manifest adopting one by `id`, creates
/// nothing).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "campaignctl Assistant manifest",
    extend(
        "anyOf" = [
            {"required": ["type", "mode", "voice_id", "language_id", "timezone", "initial_message", "system_prompt"]},
            {"properties": {"status": {"const": "deleted"}}, "required": ["status"]},
            {"required": ["id"]}
        ],
        "allOf" = [
            {"if": {"properties": {"mode": {"const": "pipeline"}}, "required": ["mode"]},
             "then": {"required": ["llm_model_id"], "not": {"required": ["multimodal_model_id"]}}},
            {"if": {"properties": {"mode": {"enum": ["multimodal", "dualplex"]}}, "required": ["mode"]},
             "then": {"required": ["multimodal_model_id"], "not": {"required": ["llm_model_id"]}}},
            {"if": {"properties": {"is_webhook_active": {"const": true}}, "required": ["is_webhook_active"]},
             "then": {"required": ["webhook_url"]}}
        ]
    )
)]
#[allow(dead_code)] // Only its schema is used.
struct AssistantManifest {
    /// Always `Assistant`.
    kind: AssistantKind,
    /// Adopts an existing assistant by its platform id, whatever its name.
    #[schemars(range(min = 1))]
    id: Option<u64>,
    /// The assistant's name: its identity on the platform.
    #[schemars(length(min = 1, max = 255))]
    name: String,
    /// `deleted`: the assistant must not exist (with `--allow-delete`). Assistants are never
    /// deleted because a manifest is absent.
    status: Option<Deleted>,
    /// `inbound` or `outbound`.
    #[serde(rename = "type")]
    kind_of_calls: Option<CallType>,
    /// `pipeline`, `multimodal` or `dualplex`. Not returned by the platform's list: compared
    /// with the git baseline.
    mode: Option<Mode>,
    #[schemars(range(min = 1))]
    voice_id: Option<u64>,
    /// Not returned by the platform's list.
    #[schemars(range(min = 1))]
    language_id: Option<u64>,
    /// The model of mode `pipeline`. Not returned by the platform's list.
    #[schemars(range(min = 1))]
    llm_model_id: Option<u64>,
    /// The model of modes `multimodal` and `dualplex`. Not returned by the platform's list.
    #[schemars(range(min = 1))]
    multimodal_model_id: Option<u64>,
    /// IANA time zone name, e.g. Europe/Berlin.
    timezone: Option<String>,
    /// The first thing the assistant says (at most 200 characters), inline or in a file.
    initial_message: Option<Text>,
    /// The system prompt, inline or `{ file: PATH }` (relative to the manifest, inside the
    /// repository). Compared as the platform stores it: trimmed.
    system_prompt: Option<Text>,
    #[schemars(range(min = 1))]
    phone_number_id: Option<u64>,
    #[serde(default)]
    #[schemars(schema_with = "variables_schema")]
    variables: Option<BTreeMap<String, serde_json::Value>>,
    /// What the platform extracts after each call; a campaign's `goal_completion_variable`
    /// must be one of its `bool` variables.
    post_call_schema: Option<Vec<Variable>>,
    post_call_evaluation: Option<bool>,
    is_webhook_active: Option<bool>,
    /// Required while `is_webhook_active` is true.
    #[schemars(length(min = 1, max = 2048))]
    webhook_url: Option<String>,
    /// Seconds.
    #[schemars(range(max = 86400))]
    max_duration: Option<u64>,
    /// Seconds.
    #[schemars(range(max = 86400))]
    max_silence_duration: Option<u64>,
    /// Seconds.
    #[schemars(range(max = 86400))]
    reengagement_interval: Option<u64>,
    record: Option<bool>,
    #[schemars(range(min = 0.0, max = 1.0))]
    llm_temperature: Option<f64>,
    #[schemars(range(min = 0.7, max = 1.2))]
    speech_speed: Option<f64>,
    #[schemars(range(min = 0.0, max = 1.0))]
    voice_stability: Option<f64>,
    #[schemars(range(min = 0.0, max = 1.0))]
    voice_similarity: Option<f64>,
    endpoint_type: Option<EndpointType>,
    #[schemars(range(min = 0.0, max = 5.0))]
    endpoint_sensitivity: Option<f64>,
    #[schemars(range(min = 0.0, max = 5.0))]
    interrupt_sensitivity: Option<f64>,
    #[schemars(length(min = 1, max = 255))]
    ambient_sound: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
enum AssistantKind {
    Assistant,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Deleted {
    Deleted,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum CallType {
    Inbound,
    Outbound,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Mode {
    Pipeline,
    Multimodal,
    Dualplex,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum EndpointType {
    Vad,
    Ai,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum VariableType {
    String,
    Number,
    Bool,
}

/// One variable of the post-call schema.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Variable {
    /// Letters, digits and underscores.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_]+$"))]
    name: String,
    #[serde(rename = "type")]
    kind: VariableType,
    description: Option<String>,
}

/// A text inline, or `{ file: PATH }`.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Text {
    Inline(String),
    File(TextFile),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TextFile {
    /// A text file, relative to the manifest, inside the repository.
    file: String,
}

fn variables_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean"]}
    })
}

/// The assistant document's schema (draft 2020-12), unset fields left out rather than null.
pub fn assistant_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut value = generator
        .into_root_schema_for::<AssistantManifest>()
        .to_value();
    if let Some(properties) = value
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        properties
            .values_mut()
            .for_each(super::schema::disallow_null);
    }
    value
}

/// The schema of one manifest document of either kind: `kind: Assistant` is an assistant,
/// anything else a campaign (as the loader reads it).
pub fn document_schema() -> serde_json::Value {
    let mut campaign = super::schema::manifest_schema();
    let mut assistant = assistant_schema();
    let mut defs = serde_json::Map::new();
    for schema in [&mut campaign, &mut assistant] {
        if let Some(serde_json::Value::Object(more)) =
            schema.as_object_mut().and_then(|o| o.remove("$defs"))
        {
            defs.extend(more);
        }
        if let Some(o) = schema.as_object_mut() {
            o.remove("$schema");
        }
    }
    defs.insert("CampaignManifest".to_owned(), campaign);
    defs.insert("AssistantManifest".to_owned(), assistant);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "campaignctl manifest",
        "description": "One YAML document: a campaign (kind: Campaign) or an assistant (kind: Assistant).",
        "if": {"properties": {"kind": {"const": "Assistant"}}, "required": ["kind"]},
        "then": {"$ref": "#/$defs/AssistantManifest"},
        "else": {"$ref": "#/$defs/CampaignManifest"},
        "$defs": defs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assistant_schema_describes_exactly_the_keys_the_loader_accepts() {
        let schema = assistant_schema();
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = super::super::assistant_document::ASSISTANT_FIELDS.to_vec();
        properties.sort_unstable();
        keys.sort_unstable();
        assert_eq!(
            properties, keys,
            "the schema and the loader must list the same keys"
        );
        assert_eq!(schema["additionalProperties"], false);
        assert!(
            !schema["properties"].to_string().contains("null"),
            "unset fields are left out, never null: {}",
            schema["properties"]
        );
    }

    #[test]
    fn a_document_is_checked_as_its_kind_says() {
        let schema = document_schema();
        let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
        let assistant = json!({
            "kind": "Assistant", "name": "Ada", "type": "outbound", "mode": "pipeline",
            "voice_id": 3, "language_id": 1, "llm_model_id": 5, "timezone": "UTC",
            "initial_message": "Hi", "system_prompt": {"file": "prompts/ada.md"},
            "post_call_schema": [{"name": "booked", "type": "bool"}]
        });
        assert!(
            validator.is_valid(&assistant),
            "a valid assistant: {:?}",
            validator
                .iter_errors(&assistant)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
        let mut no_model = assistant.clone();
        no_model.as_object_mut().map(|o| o.remove("llm_model_id"));
        assert!(
            !validator.is_valid(&no_model),
            "pipeline needs llm_model_id"
        );
        let campaign = json!({"kind": "Campaign", "name": "Q4", "assistant": "Ada"});
        assert!(validator.is_valid(&campaign), "a campaign still validates");
        let mixed =
            json!({"kind": "Campaign", "name": "Q4", "assistant": "Ada", "mode": "pipeline"});
        assert!(
            !validator.is_valid(&mixed),
            "assistant keys are not campaign keys"
        );
    }

    #[test]
    fn an_assistant_adopted_by_id_needs_only_its_name() {
        let validator = jsonschema::validator_for(&document_schema()).expect("a valid JSON Schema");
        let adopted = json!({"kind": "Assistant", "id": 7, "name": "Ada", "type": "outbound"});
        assert!(
            validator.is_valid(&adopted),
            "an adopted assistant is never created: {:?}",
            validator
                .iter_errors(&adopted)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
        let created = json!({"kind": "Assistant", "name": "Ada", "type": "outbound"});
        assert!(
            !validator.is_valid(&created),
            "without id, the fields a create needs are required"
        );
    }
}
