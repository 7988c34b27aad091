//! The JSON Schema of `campaignctl.yaml` (`campaignctl schema --config`), for editors, generated
//! with schemars from a schema-only mirror of the config, as the manifest's schema is. The
//! reader (`config::parse`) reads the file position by position, so that every problem has a
//! line, into types that hold more than the file says; the mirror below says only what the file
//! holds. Tests keep the two in step: the same keys, and the same verdict on sample configs.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;

/// The config's JSON Schema (draft 2020-12). Unset keys are left out of a config, never written
/// as `null`, so optional keys do not accept null (the reader refuses it too).
pub fn config_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut value = generator.into_root_schema_for::<ConfigFile>().to_value();
    without_null(&mut value);
    value
}

/// `campaignctl.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "campaignctl repository config (campaignctl.yaml)")]
#[allow(dead_code)] // Only its schema is used.
struct ConfigFile {
    /// The accounts this repository manages, by name (used by --account, in output and as the
    /// `account` metric label).
    #[schemars(extend(
        "minProperties" = 1,
        "propertyNames" = {"pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}
    ))]
    accounts: BTreeMap<String, Account>,
}

/// One account: its API, where its token comes from (never the token itself), its manifests.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["token_env"]}, {"required": ["token_file"]}]))]
#[allow(dead_code)] // Only its schema is used.
struct Account {
    /// The platform API base URL, usually ending in /api, without a query or fragment. https,
    /// or http to a loopback address. A token is sent only to the platform's host
    /// (app.autocalls.ai) or loopback, or instead to exactly the hosts CAMPAIGNCTL_API_HOSTS
    /// lists in the environment.
    #[schemars(length(min = 1))]
    api_url: String,
    /// The name of the environment variable that holds the API token (never the token itself):
    /// one starting with CAMPAIGNCTL_, or one CAMPAIGNCTL_TOKEN_ENVS lists in the environment.
    #[schemars(pattern(r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    token_env: Option<String>,
    /// A file holding the API token, relative to campaignctl.yaml or absolute; read only inside
    /// a directory CAMPAIGNCTL_TOKEN_DIRS lists in the environment (none by default).
    #[schemars(length(min = 1))]
    token_file: Option<String>,
    /// The account's manifest files and directories.
    #[schemars(length(min = 1))]
    paths: Vec<PathEntry>,
    defaults: Option<Defaults>,
    /// Delete campaigns whose name starts with this and that no manifest declares (needs
    /// --allow-delete to apply).
    #[schemars(length(min = 1))]
    prune_prefix: Option<String>,
}

/// A path alone, or with its own defaults.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only its schema is used.
enum PathEntry {
    Path(RelativePath),
    WithDefaults(PathWithDefaults),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only its schema is used.
struct PathWithDefaults {
    path: RelativePath,
    defaults: Option<Defaults>,
}

#[derive(Deserialize)]
#[allow(dead_code)] // Only its schema is used.
struct RelativePath(String);

impl JsonSchema for RelativePath {
    fn schema_name() -> Cow<'static, str> {
        "RelativePath".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "pattern": "^(?!/)(?!.*(^|/)\\.\\.(/|$)).*$",
            "description": "A manifest file or directory, relative to campaignctl.yaml, inside its directory."
        })
    }
}

/// The manifest's own field schemas (`manifest::schema`), less the fields that cannot be
/// defaults, with the definitions they refer to.
#[derive(Deserialize)]
#[allow(dead_code)] // Only its schema is used.
struct Defaults(BTreeMap<String, serde_json::Value>);

impl JsonSchema for Defaults {
    fn schema_name() -> Cow<'static, str> {
        "Defaults".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut manifest = crate::manifest::schema::manifest_schema();
        let mut fields = manifest["properties"].take();
        if let Some(fields) = fields.as_object_mut() {
            for (field, _) in crate::manifest::NOT_DEFAULTABLE {
                fields.remove(field);
            }
        }
        // The fields refer to some of the manifest's definitions (`ClockTime`, `Weekday`):
        // those come along, the rest (a manifest's `Leads`, ...) would be noise.
        let used = fields.to_string();
        if let serde_json::Value::Object(definitions) = manifest["$defs"].take() {
            generator.definitions_mut().extend(
                definitions
                    .into_iter()
                    .filter(|(name, _)| used.contains(&format!("\"#/$defs/{name}\""))),
            );
        }
        json_schema!({
            "description": "Field values for the manifests that leave them out. A manifest's own value wins; a path's defaults win over its account's.",
            "type": "object",
            "additionalProperties": false,
            "properties": fields
        })
    }
}

/// schemars lets an `Option` be `null` (`"type": ["string", "null"]`, or an `anyOf` with a null
/// alternative); a config leaves an unset key out instead, so the schema refuses `null`.
fn without_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if let [single] = types.as_slice() {
                    let single = single.clone();
                    object.insert("type".to_owned(), single);
                }
            }
            if let Some(Value::Array(alternatives)) = object.get_mut("anyOf") {
                alternatives.retain(|a| a.get("type").is_none_or(|t| t != "null"));
                if let [Value::Object(single)] = alternatives.as_slice() {
                    let single = single.clone();
                    object.remove("anyOf");
                    for (key, rule) in single {
                        object.entry(key).or_insert(rule);
                    }
                }
            }
            object.values_mut().for_each(without_null);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::super::{parse, ACCOUNT_KEYS, PATH_KEYS, TOP_KEYS};
    use super::*;

    /// The config the accounts guide (docs/accounts.md) shows, as written there.
    fn readme_config() -> String {
        let readme = include_str!("../../docs/accounts.md");
        let start = readme
            .find("# yaml-language-server: $schema=./campaignctl.schema.json")
            .expect("docs/accounts.md shows a campaignctl.yaml");
        let block = &readme[start..];
        block[..block.find("```").expect("the block ends")].to_owned()
    }

    /// Configs the reader accepts.
    fn good_configs() -> Vec<String> {
        vec![
            readme_config(),
            "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_file: secrets/a\n    paths:\n      - path: accounts/a/us\n        defaults: {max_retries: 5, allowed_hours_start_time: '09:00', allowed_days: [monday]}\n      - accounts/a/eu\n".to_owned(),
        ]
    }

    /// Configs the reader refuses for their shape, with what is wrong.
    fn bad_configs() -> Vec<(&'static str, &'static str)> {
        vec![
            ("an unknown top-level key", "accounts: {}\nextra: 1\n"),
            ("an unknown account key", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [a]\n    colour: red\n"),
            ("an unknown path key", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [{path: a, label: x}]\n"),
            ("an unknown default", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [a]\n    defaults: {colour: red}\n"),
            ("a default that cannot be one", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [a]\n    defaults: {name: x}\n"),
            ("no accounts", "accounts: {}\n"),
            ("no token source", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    paths: [a]\n"),
            ("two token sources", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    token_file: t\n    paths: [a]\n"),
            ("no paths", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n"),
            ("a path leaving the directory", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [../a]\n"),
            ("a null prune prefix", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [a]\n    prune_prefix: ~\n"),
            ("an account name with a space", "accounts:\n  'a b':\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_A\n    paths: [a]\n"),
            ("a token variable that is no name", "accounts:\n  a:\n    api_url: https://app.autocalls.ai/api\n    token_env: 'A-B'\n    paths: [a]\n"),
        ]
    }

    fn as_json(text: &str) -> Value {
        campaignctl_emulator::yaml::document(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn reader_accepts(text: &str) -> bool {
        parse(Path::new("/repo/campaignctl.yaml"), text.as_bytes()).is_ok()
    }

    #[test]
    fn the_schema_compiles_and_every_reference_resolves() {
        let schema = config_schema();
        jsonschema::validator_for(&schema).expect("a valid JSON Schema");
        let mut refs = Vec::new();
        collect_refs(&schema, &mut refs);
        assert!(!refs.is_empty(), "the schema refers to its definitions");
        for reference in refs {
            let name = reference.strip_prefix("#/$defs/").unwrap_or(&reference);
            assert!(
                schema["$defs"].get(name).is_some(),
                "{reference} names no definition of the config schema"
            );
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref") {
                    out.push(reference.clone());
                }
                object.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_schema_and_the_reader_accept_the_same_sample_configs() {
        let validator = jsonschema::validator_for(&config_schema()).expect("a valid schema");
        for text in good_configs() {
            assert!(reader_accepts(&text), "the reader refuses:\n{text}");
            let errors: Vec<String> = validator
                .iter_errors(&as_json(&text))
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "the schema refuses {errors:?}:\n{text}");
        }
    }

    #[test]
    fn the_schema_and_the_reader_refuse_unknown_keys_and_wrong_shapes() {
        let validator = jsonschema::validator_for(&config_schema()).expect("a valid schema");
        for (what, text) in bad_configs() {
            assert!(!reader_accepts(text), "the reader accepts {what}:\n{text}");
            assert!(
                !validator.is_valid(&as_json(text)),
                "the schema accepts {what}:\n{text}"
            );
        }
    }

    #[test]
    fn the_schema_names_exactly_the_keys_the_reader_reads() {
        let schema = config_schema();
        let keys = |value: &Value| -> Vec<String> {
            let mut keys: Vec<String> = value["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .cloned()
                .collect();
            keys.sort();
            keys
        };
        let sorted = |names: &[&str]| {
            let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            names.sort();
            names
        };
        assert_eq!(keys(&schema), sorted(&TOP_KEYS), "top-level keys");
        let account = &schema["$defs"]["Account"];
        assert_eq!(keys(account), sorted(&ACCOUNT_KEYS), "account keys");
        let with_defaults = &schema["$defs"]["PathWithDefaults"];
        assert_eq!(keys(with_defaults), sorted(&PATH_KEYS), "path keys");
    }

    #[test]
    fn the_schema_offers_every_defaultable_manifest_field_and_no_other() {
        let schema = config_schema();
        let defaults = schema["$defs"]["Defaults"]["properties"]
            .as_object()
            .expect("defaults properties");
        for field in ["timezone", "max_retries", "allowed_days", "assistant"] {
            assert!(defaults.contains_key(field), "{field} missing");
        }
        for (field, _) in crate::manifest::NOT_DEFAULTABLE {
            assert!(
                !defaults.contains_key(field),
                "{field} must not be a default"
            );
        }
    }
}
