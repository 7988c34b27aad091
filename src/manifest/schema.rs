//! The JSON Schema of the manifest format (`campaignctl schema`), generated with schemars from
//! the Rust type below rather than written by hand. Editors with the YAML language server use
//! it to complete and check manifests.
//!
//! The loader (`validate.rs`) reads manifests position by position so that every error has a
//! line; this type describes the same format for editors. The Rust type gives each field's type
//! and description; the field table (`campaign::fields`) gives its limits, which lists are sets,
//! and which fields are write-once, as the loader uses them. A unit test keeps the two in step:
//! the schema's properties must be exactly the table's fields.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde_json::json;

use crate::campaign::fields::{self, Access, FieldDef, FIELDS};

/// Stand-ins for the domain types `ClockTime`, `Weekday` and `DesiredStatus` (of the core
/// crate) in the schema: a JSON Schema impl must sit with a type of this crate. Only their
/// schemas are used, under the domain types' names.
#[derive(Deserialize)]
#[allow(dead_code)]
struct ClockTime(String);
#[derive(Deserialize)]
#[allow(dead_code)]
struct Weekday(String);
#[derive(Deserialize)]
#[allow(dead_code)]
struct DesiredStatus(String);

/// A campaign manifest: one YAML document per campaign. Keys are the platform API's own field
/// names. Fields left out are not managed: they are neither sent nor compared.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "campaignctl Campaign manifest",
    extend(
        "anyOf" = [{"required": ["assistant_id"]}, {"required": ["assistant"]}, {"required": ["id"]}, {"properties": {"status": {"const": "deleted"}}, "required": ["status"]}],
        "allOf" = [
            {"not": {"required": ["assistant", "assistant_id"]}},
            {"not": {"required": ["phone_numbers", "phone_number_ids"]}}
        ]
    )
)]
#[allow(dead_code)] // Only its schema is used.
struct CampaignManifest {
    /// Always `Campaign`.
    kind: Kind,
    /// Adopts an existing campaign by its platform id (as `campaignctl export` writes). The
    /// campaign is then matched by id rather than by name, and never created.
    id: Option<u64>,
    /// The campaign's name: its identity on the platform. The platform trims whitespace.
    name: String,
    /// Id of an outbound assistant (GET /user/assistants/outbound). Required unless `id` is
    /// set.
    assistant_id: Option<u64>,
    /// IANA time zone name, e.g. America/New_York.
    #[serde(default)] // schema_with hides the Option: keep the field optional
    #[schemars(schema_with = "timezone_schema")]
    timezone: Option<String>,
    /// Calls placed at once.
    max_calls_in_parallel: Option<u64>,
    /// Start of the calling window, H:i (e.g. "09:00"), in the campaign's time zone.
    allowed_hours_start_time: Option<ClockTime>,
    /// End of the calling window, H:i (e.g. "17:00").
    allowed_hours_end_time: Option<ClockTime>,
    /// Days on which calls may be placed. A set: order does not matter, no repeats.
    allowed_days: Option<Vec<Weekday>>,
    /// Attempts per lead.
    max_retries: Option<u64>,
    /// Minutes between attempts.
    retry_interval: Option<u64>,
    /// Retry when a voicemail answered.
    retry_on_voicemail: Option<bool>,
    /// Retry when the goal was not reached.
    retry_on_goal_incomplete: Option<bool>,
    /// A bool variable of the assistant's post-call schema that marks the goal reached.
    goal_completion_variable: Option<String>,
    /// Mark the campaign complete when it runs out of leads.
    mark_complete_when_no_leads: Option<bool>,
    /// Ids of the account's phone numbers to call from. Distinct.
    phone_number_ids: Option<Vec<u64>>,
    /// The name of an outbound assistant, resolved to its id when planning. Instead of
    /// assistant_id (not both).
    assistant: Option<String>,
    /// The account's phone numbers (E.164, e.g. "+12025550145"), resolved to ids when
    /// planning. Instead of phone_number_ids (not both).
    phone_numbers: Option<Vec<String>>,
    /// Leads the campaign must have: a CSV file, inline items, or both. Only missing leads
    /// are added; leads are never removed.
    leads: Option<Leads>,
    /// The status the campaign should be in. `draft` (the default) never starts it; `running`
    /// starts it once its leads exist, which places real phone calls; `stopped` stops it;
    /// `deleted` deletes it with its leads and call history (needs `--allow-delete`).
    status: Option<DesiredStatus>,
    /// The campaign's previous name, when this manifest renames it. A draft under that name
    /// is replaced under the new one (its leads must all be declared here); a campaign that
    /// has run cannot be renamed, and the plan says what to do instead.
    renamed_from: Option<String>,
}

/// An E.164 number, allowing the spaces, dashes, dots and parentheses people paste.
const PHONE_PATTERN: &str = r"^\+[0-9 ().-]{7,30}$";

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["file"]}, {"required": ["items"]}]))]
#[allow(dead_code)] // Only its schema is used.
struct Leads {
    /// A CSV file, relative to the manifest, with a `phone_number` column; every other column
    /// becomes a variable.
    #[schemars(length(min = 1))]
    file: Option<String>,
    /// Inline leads.
    items: Option<Vec<Lead>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only its schema is used.
struct Lead {
    /// E.164; a lead's identity within its campaign.
    #[schemars(pattern(PHONE_PATTERN))]
    phone_number: String,
    /// The lead's variables: strings, numbers or booleans.
    #[serde(default)]
    #[schemars(schema_with = "variables_schema")]
    variables: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

fn variables_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean"]}
    })
}

impl JsonSchema for DesiredStatus {
    fn schema_name() -> Cow<'static, str> {
        "DesiredStatus".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = crate::manifest::DesiredStatus::ALL
            .iter()
            .map(|d| d.as_str())
            .collect();
        json_schema!({ "type": "string", "enum": names })
    }
}

#[derive(Deserialize, JsonSchema)]
enum Kind {
    Campaign,
}

impl JsonSchema for ClockTime {
    fn schema_name() -> Cow<'static, str> {
        "ClockTime".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A time of day, H:i (two-digit hour 00-23, two-digit minute).",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            "examples": ["09:00", "17:30"]
        })
    }
}

impl JsonSchema for Weekday {
    fn schema_name() -> Cow<'static, str> {
        "Weekday".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = crate::campaign::Weekday::ALL
            .iter()
            .map(|d| d.as_str())
            .collect();
        json_schema!({ "type": "string", "enum": names })
    }
}

/// Every zone of the bundled tz database, so that editors can complete them.
fn timezone_schema(_: &mut SchemaGenerator) -> Schema {
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    json_schema!({
        "type": "string",
        "enum": names
    })
}

/// The manifest format's JSON Schema (draft 2020-12). Unset fields are left out of a manifest,
/// never written as `null`, so optional fields do not accept null.
pub fn manifest_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<CampaignManifest>();
    let mut value = schema.to_value();
    if let Some(properties) = value
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        properties.values_mut().for_each(disallow_null);
        for def in FIELDS {
            if let Some(property) = properties.get_mut(def.name) {
                from_the_table(def, property);
            }
        }
    }
    value
}

/// What the field table says of a field's values (its limits, whether a list is a set) and of
/// the field (write-once), added to the property the Rust type describes.
fn from_the_table(def: &FieldDef, property: &mut serde_json::Value) {
    use fields::Kind;
    let rules = match def.kind {
        Kind::PositiveId => json!({"minimum": 1}),
        Kind::Text { max_chars, .. } => json!({"minLength": 1, "maxLength": max_chars}),
        Kind::Integer { min, max, .. } => json!({"minimum": min, "maximum": max}),
        Kind::Ids => json!({"items": {"minimum": 1}}),
        Kind::PhoneNumbers => json!({"items": {"pattern": PHONE_PATTERN}}),
        _ => json!({}),
    };
    merge(property, rules);
    if def.kind.normalisation() == fields::Normalisation::Set {
        merge(property, json!({"uniqueItems": true}));
    }
    if def.access == Access::WriteOnce {
        if let Some(serde_json::Value::String(text)) = property.get_mut("description") {
            text.push_str(" Write-once: the list endpoint does not return it.");
        }
    }
}

/// Adds `rules` to `property`, object into object.
fn merge(property: &mut serde_json::Value, rules: serde_json::Value) {
    match (property, rules) {
        (serde_json::Value::Object(property), serde_json::Value::Object(rules)) => {
            for (key, rule) in rules {
                merge(property.entry(key).or_insert(serde_json::Value::Null), rule);
            }
        }
        (property, rule) => *property = rule,
    }
}

/// schemars lets an `Option` field be `null`; a manifest leaves an unset field out instead,
/// and the loader refuses `null`, so the schema must too.
pub(super) fn disallow_null(property: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(object) = property.as_object_mut() else {
        return;
    };
    if object.get("default").is_some_and(Value::is_null) {
        object.remove("default");
    }
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [single] = types.as_slice() {
            let single = single.clone();
            object.insert("type".to_owned(), single);
        }
    }
    if let Some(Value::Array(alternatives)) = object.get("anyOf") {
        let kept: Vec<Value> = alternatives
            .iter()
            .filter(|a| a.get("type").is_none_or(|t| t != "null"))
            .cloned()
            .collect();
        object.remove("anyOf");
        if let [single] = kept.as_slice() {
            if let Some(inner) = single.as_object() {
                for (k, v) in inner {
                    object.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        } else {
            object.insert("anyOf".to_owned(), Value::Array(kept));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{limits, MANIFEST_FIELDS};

    #[test]
    fn the_schema_describes_exactly_the_fields_the_loader_accepts() {
        let schema = manifest_schema();
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = MANIFEST_FIELDS.to_vec();
        properties.sort_unstable();
        fields.sort_unstable();
        assert_eq!(
            properties, fields,
            "schema.rs and campaign::MANIFEST_FIELDS must list the same fields"
        );
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["kind", "name"]));
        assert!(
            !schema["properties"].to_string().contains("null"),
            "unset fields are left out, never null: {}",
            schema["properties"]
        );
        assert_eq!(
            schema["properties"]["max_retries"]["maximum"],
            *limits::MAX_RETRIES.end()
        );
        for def in FIELDS {
            let property = &schema["properties"][def.name];
            assert_eq!(
                property["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("Write-once")),
                def.access == Access::WriteOnce,
                "the schema says `{}` is write-once exactly when the field table does",
                def.name
            );
            if let fields::Kind::Text { max_chars, .. } = def.kind {
                assert_eq!(property["maxLength"], max_chars, "{}", def.name);
            }
        }
        assert!(
            schema["properties"]["timezone"]["enum"]
                .as_array()
                .is_some_and(|zones| zones.iter().any(|z| z == "America/New_York")),
            "time zones come from the tz database"
        );
    }
}
