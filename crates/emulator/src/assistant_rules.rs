//! The rules of `POST /user/assistant` and `PUT /user/assistant/{id}` (docs/platform-api.md,
//! "Assistants"): a create checks every field and requires the core ones; an update checks
//! only the fields it carries, against the assistant as it will be (a `mode` sent needs its
//! model id, an active webhook needs a URL). Where the documentation is silent (the timers'
//! ranges, `system_prompt`'s length) the emulator takes the conservative reading written there.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error_response::ErrorResponse;
use super::input::Input;
use super::records::StoredPhoneNumber;
use super::validation::{label, Validator};
use super::wire::{AssistantRecord, VariableRecord};

const NAME_MAX: usize = 255;
const INITIAL_MESSAGE_MAX: usize = 200;
/// Undocumented; a MySQL `TEXT` column holds 65,535 bytes, so that many characters at most.
const SYSTEM_PROMPT_MAX: usize = 65_535;
const WEBHOOK_URL_MAX: usize = 2048;
/// Undocumented ranges of the timers (seconds): the emulator accepts 0..=86,400.
const TIMER_RANGE: std::ops::RangeInclusive<u64> = 0..=86_400;
const TYPES: &[&str] = &["inbound", "outbound"];
const MODES: &[&str] = &["pipeline", "multimodal", "dualplex"];
const VARIABLE_TYPES: &[&str] = &["string", "number", "bool"];
const ENDPOINT_TYPES: &[&str] = &["vad", "ai"];

/// The tuning fields the list never returns: name and numeric range, or `None` for a string.
const SETTINGS: &[(&str, Option<(f64, f64)>)] = &[
    ("llm_temperature", Some((0.0, 1.0))),
    ("speech_speed", Some((0.7, 1.2))),
    ("voice_stability", Some((0.0, 1.0))),
    ("voice_similarity", Some((0.0, 1.0))),
    ("endpoint_sensitivity", Some((0.0, 5.0))),
    ("interrupt_sensitivity", Some((0.0, 5.0))),
    ("endpoint_type", None),
    ("ambient_sound", None),
];

/// Whether a request creates (everything required) or updates (only what is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    Create,
    Update,
}

/// A field a create requires and an update may leave out.
fn wanted<'a>(v: &mut Validator<'a>, write: Write, key: &str) -> Option<&'a Value> {
    match write {
        Write::Create => v.required(key),
        Write::Update => v.optional(key),
    }
}

/// Checks `input` and returns `current` (a blank record for a create) with the request applied,
/// as the platform would store it; nothing is stored here.
pub(crate) fn apply(
    input: &Input,
    write: Write,
    mut record: AssistantRecord,
    phone_numbers: &[StoredPhoneNumber],
) -> Result<AssistantRecord, ErrorResponse> {
    let mut v = Validator::new(input);
    if let Some(name) = wanted(&mut v, write, "name").and_then(|x| v.string("name", x, NAME_MAX)) {
        record.name = name;
    }
    if let Some(id) = wanted(&mut v, write, "voice_id").and_then(|x| id(&mut v, "voice_id", x)) {
        record.voice_id = Some(id);
    }
    if let Some(id) =
        wanted(&mut v, write, "language_id").and_then(|x| id(&mut v, "language_id", x))
    {
        record.language_id = Some(id);
    }
    if let Some(kind) = wanted(&mut v, write, "type").and_then(|x| one_of(&mut v, "type", x, TYPES))
    {
        record.kind = kind;
    }
    let mode = wanted(&mut v, write, "mode").and_then(|x| one_of(&mut v, "mode", x, MODES));
    if let Some(mode) = &mode {
        if record.mode.as_ref() != Some(mode) {
            // A change of mode resets the mode-specific settings.
            record.llm_model_id = None;
            record.multimodal_model_id = None;
        }
        record.mode = Some(mode.clone());
    }
    if let Some(tz) = wanted(&mut v, write, "timezone").and_then(|x| v.timezone("timezone", x)) {
        record.timezone = Some(tz);
    }
    if let Some(text) = wanted(&mut v, write, "initial_message")
        .and_then(|x| v.string("initial_message", x, INITIAL_MESSAGE_MAX))
    {
        record.initial_message = Some(text);
    }
    if let Some(text) = wanted(&mut v, write, "system_prompt")
        .and_then(|x| v.string("system_prompt", x, SYSTEM_PROMPT_MAX))
    {
        record.system_prompt = Some(text);
    }
    model_ids(&mut v, mode.as_deref(), &mut record);
    if input_has_null(input, "phone_number_id") {
        record.phone_number_id = None;
    } else if let Some(x) = v.optional("phone_number_id") {
        match id(&mut v, "phone_number_id", x) {
            Some(n) if phone_numbers.iter().any(|p| p.id == n) => record.phone_number_id = Some(n),
            Some(_) => v.fail_selected("phone_number_id"),
            None => {}
        }
    }
    if let Some(map) = v.optional("variables").and_then(|x| v.map("variables", x)) {
        // Decided: the value sent replaces the stored one whole (docs/platform-api.md).
        record.variables = map.into_iter().collect::<BTreeMap<_, _>>();
    }
    if let Some(items) = v
        .optional("post_call_schema")
        .and_then(|x| v.list("post_call_schema", x))
    {
        record.post_call_schema = schema(&mut v, items);
    }
    booleans(&mut v, &mut record);
    timers(&mut v, &mut record);
    if let Some(url) = v
        .optional("webhook_url")
        .and_then(|x| v.string("webhook_url", x, WEBHOOK_URL_MAX))
    {
        if url.starts_with("https://") || url.starts_with("http://") {
            record.webhook_url = Some(url);
        } else {
            v.fail(
                "webhook_url",
                format!("The {} field must be a valid URL.", label("webhook_url")),
            );
        }
    }
    if record.is_webhook_active == Some(true) && record.webhook_url.is_none() {
        v.fail(
            "webhook_url",
            "The webhook url field is required when is webhook active is true.",
        );
    }
    settings(&mut v, &mut record);
    v.finish()?;
    Ok(record)
}

/// `llm_model_id` is required for `pipeline`, `multimodal_model_id` for the other modes, when
/// the mode is sent (a create always sends it).
fn model_ids(v: &mut Validator<'_>, mode: Option<&str>, record: &mut AssistantRecord) {
    for (key, needed_by) in [
        ("llm_model_id", &["pipeline"][..]),
        ("multimodal_model_id", &["multimodal", "dualplex"][..]),
    ] {
        let required = mode.is_some_and(|m| needed_by.contains(&m));
        let value = if required {
            let given = v.optional(key);
            if given.is_none() {
                v.fail(
                    key,
                    format!(
                        "The {} field is required when mode is {}.",
                        label(key),
                        mode.unwrap_or_default()
                    ),
                );
            }
            given
        } else {
            v.optional(key)
        };
        if let Some(n) = value.and_then(|x| id(v, key, x)) {
            match key {
                "llm_model_id" => record.llm_model_id = Some(n),
                _ => record.multimodal_model_id = Some(n),
            }
        }
    }
}

fn booleans(v: &mut Validator<'_>, record: &mut AssistantRecord) {
    let fields: [(&str, &mut Option<bool>); 3] = [
        ("post_call_evaluation", &mut record.post_call_evaluation),
        ("is_webhook_active", &mut record.is_webhook_active),
        ("record", &mut record.record),
    ];
    for (key, slot) in fields {
        if let Some(b) = v.optional(key).and_then(|x| v.boolean(key, x)) {
            *slot = Some(b);
        }
    }
}

fn timers(v: &mut Validator<'_>, record: &mut AssistantRecord) {
    let fields: [(&str, &mut Option<u64>); 3] = [
        ("max_duration", &mut record.max_duration),
        ("max_silence_duration", &mut record.max_silence_duration),
        ("reengagement_interval", &mut record.reengagement_interval),
    ];
    for (key, slot) in fields {
        if let Some(n) = v
            .optional(key)
            .and_then(|x| v.integer(key, x))
            .and_then(|n| v.between(key, n, &TIMER_RANGE))
        {
            *slot = Some(n);
        }
    }
}

fn settings(v: &mut Validator<'_>, record: &mut AssistantRecord) {
    for (key, range) in SETTINGS {
        let Some(x) = v.optional(key) else { continue };
        let kept = match range {
            Some((lo, hi)) => v.number_between(key, x, *lo, *hi).map(Value::from),
            None if *key == "endpoint_type" => one_of(v, key, x, ENDPOINT_TYPES).map(Value::String),
            None => v.string(key, x, NAME_MAX).map(Value::String),
        };
        if let Some(value) = kept {
            record.settings.insert((*key).to_string(), value);
        }
    }
}

/// `post_call_schema.*.name` (letters, digits, underscore), `.type` (string|number|bool),
/// `.description` (a string).
fn schema(v: &mut Validator<'_>, items: &[Value]) -> Vec<VariableRecord> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name_key = format!("post_call_schema.{i}.name");
        let type_key = format!("post_call_schema.{i}.type");
        let name = match item.get("name").filter(|n| !n.is_null()) {
            None => {
                v.fail(&name_key, format!("The {name_key} field is required."));
                None
            }
            Some(n) => v.string(&name_key, n, NAME_MAX).filter(|n| {
                let ok = n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    v.fail(
                        &name_key,
                        format!("The {name_key} field format is invalid."),
                    );
                }
                ok
            }),
        };
        let kind = match item.get("type").filter(|t| !t.is_null()) {
            None => {
                v.fail(&type_key, format!("The {type_key} field is required."));
                None
            }
            Some(t) => one_of(v, &type_key, t, VARIABLE_TYPES),
        };
        let description = item
            .get("description")
            .filter(|d| !d.is_null())
            .and_then(|d| v.string(&format!("post_call_schema.{i}.description"), d, 1000));
        if let (Some(name), Some(kind)) = (name, kind) {
            out.push(VariableRecord {
                name,
                kind,
                description,
            });
        }
    }
    out
}

fn id(v: &mut Validator<'_>, key: &str, x: &Value) -> Option<u64> {
    let n = v.integer(key, x)?;
    let id = u64::try_from(n).ok().filter(|n| *n >= 1);
    if id.is_none() {
        v.fail(key, format!("The {} field must be at least 1.", label(key)));
    }
    id
}

fn one_of(v: &mut Validator<'_>, key: &str, x: &Value, allowed: &[&str]) -> Option<String> {
    v.one_of(key, x, |s| allowed.contains(&s).then(|| s.to_string()))
}

/// Whether the request sends `key` as an explicit null (`phone_number_id: null` unassigns).
fn input_has_null(input: &Input, key: &str) -> bool {
    input.is_null(key)
}
