//! One `kind: Assistant` document to an [`AssistantManifest`]: keys as the platform names them,
//! every documented rule checked offline at the value's line (docs/platform-api.md,
//! "Assistants"), and `system_prompt`/`initial_message` inline or `{ file: PATH }`, a text file
//! inside the repository (the same confinement as a leads file).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use campaignctl_core::api::assistant::AssistantWrite;
use campaignctl_core::api::types::PostCallVariable;
use campaignctl_core::manifest::{as_platform_stores_text, AssistantManifest, TextSource};

use super::fields::FieldChecker;
use super::files::{self, LeadsPathError};
use super::scalar::ScalarKind;
use super::suggest;
use super::yaml::{excerpt, Document, Node, Value};
use crate::diagnostic::{Diagnostic, Location};
use crate::shown_path::ShownFrom;

/// The keys of an assistant manifest, as the platform names them.
pub const ASSISTANT_FIELDS: &[&str] = &[
    "kind",
    "id",
    "name",
    "status",
    "type",
    "mode",
    "voice_id",
    "language_id",
    "llm_model_id",
    "multimodal_model_id",
    "timezone",
    "initial_message",
    "system_prompt",
    "phone_number_id",
    "variables",
    "post_call_schema",
    "post_call_evaluation",
    "is_webhook_active",
    "webhook_url",
    "max_duration",
    "max_silence_duration",
    "reengagement_interval",
    "record",
    "llm_temperature",
    "speech_speed",
    "voice_stability",
    "voice_similarity",
    "endpoint_type",
    "endpoint_sensitivity",
    "interrupt_sensitivity",
    "ambient_sound",
];

/// Required to create one (the platform's create rules). A tombstone needs only its name, and so
/// does a manifest that adopts an existing assistant with `id:`: it is never created (an id the
/// platform does not list is an error, not a create), and its fields are updated one by one.
const REQUIRED: &[&str] = &[
    "name",
    "type",
    "mode",
    "voice_id",
    "language_id",
    "timezone",
    "initial_message",
    "system_prompt",
];
const NAME_MAX: usize = 255;
const INITIAL_MESSAGE_MAX: usize = 200;
const SYSTEM_PROMPT_MAX: usize = 65_535;
const DESCRIPTION_MAX: usize = 1000;
const WEBHOOK_URL_MAX: usize = 2048;
/// A prompt file bigger than this is refused before reading it whole.
const MAX_PROMPT_FILE_BYTES: u64 = 1024 * 1024;
/// The timers' undocumented range, decided in docs/platform-api.md.
const TIMER_MAX_SECONDS: u64 = 86_400;
const TYPES: &[&str] = &["inbound", "outbound"];
const MODES: &[&str] = &["pipeline", "multimodal", "dualplex"];
const VARIABLE_TYPES: &[&str] = &["string", "number", "bool"];
const ENDPOINT_TYPES: &[&str] = &["vad", "ai"];

/// Whether `document` is a `kind: Assistant` document (so the campaign rules do not apply).
pub fn is_assistant(document: &Document) -> bool {
    let Value::Mapping(entries) = &document.root.value else {
        return false;
    };
    entries.iter().any(|e| {
        e.key.scalar().is_some_and(|k| k.text == "kind")
            && e.value
                .scalar()
                .is_some_and(|v| v.kind == ScalarKind::Str && v.text == "Assistant")
    })
}

/// One `kind: Assistant` document checked against every documented rule; without `read_files` (a document at a git revision, whose prompt files
/// would be read from the working tree, not the revision) a prompt kept in a file is left
/// unset: only the fields written in the document are known.
pub fn check_assistant(
    file: &Arc<Path>,
    document: &Document,
    out: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
    read_files: bool,
) -> Option<AssistantManifest> {
    let Value::Mapping(entries) = &document.root.value else {
        return None;
    };
    let mut check = FieldChecker::new(file, None, out, shown_from);
    let mut positions: BTreeMap<String, Location> = BTreeMap::new();
    let mut fields = AssistantWrite::default();
    let mut sources = BTreeMap::new();
    let mut id = None;
    let mut deleted = false;
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for entry in entries {
        let Some(key) = entry.key.scalar().map(|s| s.text.as_str()) else {
            let message = format!("field names must be strings, got {}", entry.key.describe());
            check.error("", entry.key.mark, message, None);
            continue;
        };
        let Some(&key) = ASSISTANT_FIELDS.iter().find(|f| **f == key) else {
            let hint = match suggest::closest(key, ASSISTANT_FIELDS.iter().copied()) {
                Some(meant) => format!("did you mean `{meant}`?"),
                None => format!("allowed fields: {}", ASSISTANT_FIELDS.join(", ")),
            };
            let message = format!("unknown field `{}` in an assistant", excerpt(key));
            check.error(key, entry.key.mark, message, Some(hint));
            continue;
        };
        let node = &entry.value;
        positions.insert(key.to_owned(), check.location(node.mark));
        seen.insert(key, node);
        let mut reader = Reader {
            check: &mut check,
            positions: &mut positions,
            read_files,
        };
        match key {
            "kind" => {}
            "id" => id = reader.check.positive_id(key, node),
            "name" => {
                fields.name = reader.check.text(
                    key,
                    node,
                    NAME_MAX,
                    "the platform trims names, so campaignctl would never find this one",
                )
            }
            "status" => deleted = reader.status(node),
            "type" => fields.kind = reader.one_of(key, node, TYPES),
            "mode" => fields.mode = reader.one_of(key, node, MODES),
            "voice_id" => fields.voice_id = reader.check.positive_id(key, node),
            "language_id" => fields.language_id = reader.check.positive_id(key, node),
            "llm_model_id" => fields.llm_model_id = reader.check.positive_id(key, node),
            "multimodal_model_id" => {
                fields.multimodal_model_id = reader.check.positive_id(key, node)
            }
            "phone_number_id" => fields.phone_number_id = reader.check.positive_id(key, node),
            "timezone" => fields.timezone = reader.check.timezone(node),
            "initial_message" => {
                fields.initial_message =
                    reader
                        .prompt(key, node, INITIAL_MESSAGE_MAX)
                        .map(|(text, source)| {
                            sources.insert("initial_message", source);
                            text
                        })
            }
            "system_prompt" => {
                fields.system_prompt =
                    reader
                        .prompt(key, node, SYSTEM_PROMPT_MAX)
                        .map(|(text, source)| {
                            sources.insert("system_prompt", source);
                            text
                        })
            }
            "variables" => fields.variables = reader.variables(node),
            "post_call_schema" => fields.post_call_schema = reader.schema(node),
            "post_call_evaluation" => fields.post_call_evaluation = reader.check.boolean(key, node),
            "is_webhook_active" => fields.is_webhook_active = reader.check.boolean(key, node),
            "record" => fields.record = reader.check.boolean(key, node),
            "webhook_url" => fields.webhook_url = reader.url(node),
            "max_duration" => fields.max_duration = reader.timer(key, node),
            "max_silence_duration" => fields.max_silence_duration = reader.timer(key, node),
            "reengagement_interval" => fields.reengagement_interval = reader.timer(key, node),
            "llm_temperature" => fields.llm_temperature = reader.number(key, node, 0.0, 1.0),
            "speech_speed" => fields.speech_speed = reader.number(key, node, 0.7, 1.2),
            "voice_stability" => fields.voice_stability = reader.number(key, node, 0.0, 1.0),
            "voice_similarity" => fields.voice_similarity = reader.number(key, node, 0.0, 1.0),
            "endpoint_sensitivity" => {
                fields.endpoint_sensitivity = reader.number(key, node, 0.0, 5.0)
            }
            "interrupt_sensitivity" => {
                fields.interrupt_sensitivity = reader.number(key, node, 0.0, 5.0)
            }
            "endpoint_type" => fields.endpoint_type = reader.one_of(key, node, ENDPOINT_TYPES),
            "ambient_sound" => {
                fields.ambient_sound =
                    reader
                        .check
                        .text(key, node, NAME_MAX, "the platform trims it")
            }
            _ => {}
        }
    }
    let root = document.root.mark;
    let required: &[&str] = if deleted || id.is_some() {
        &["name"]
    } else {
        REQUIRED
    };
    for field in required {
        if !seen.contains_key(field) {
            let hint = match *field {
                "name" => "add a name: it is how campaignctl finds the assistant on the platform",
                "system_prompt" | "initial_message" => {
                    "write it inline, or keep it in a file beside the manifest: { file: prompt.md }"
                }
                _ => "the platform requires it to create an assistant",
            };
            check.error(
                field,
                root,
                format!("missing required field {field}"),
                Some(hint.to_owned()),
            );
        }
    }
    if !deleted {
        mode_rules(&mut check, &seen, fields.mode.as_deref(), root);
        if fields.is_webhook_active == Some(true) && !seen.contains_key("webhook_url") {
            let at = seen.get("is_webhook_active").map_or(root, |n| n.mark);
            check.error(
                "webhook_url",
                at,
                "webhook_url is required when is_webhook_active is true".to_owned(),
                Some("add webhook_url: https://..., or set is_webhook_active: false".to_owned()),
            );
        }
    }
    let valid = check.errors == 0 && document.clean;
    let location = check.location(root);
    let name = fields.name.clone()?;
    valid.then_some(AssistantManifest {
        name,
        id,
        deleted,
        fields,
        sources,
        location,
        positions,
    })
}

/// `llm_model_id` belongs to `pipeline`, `multimodal_model_id` to `multimodal` and `dualplex`:
/// the mode's own is required, the other's is refused (a change of mode resets it anyway).
fn mode_rules(
    check: &mut FieldChecker<'_>,
    seen: &HashMap<&str, &Node>,
    mode: Option<&str>,
    root: super::yaml::Mark,
) {
    let Some(mode) = mode else { return };
    let (needed, other) = if mode == "pipeline" {
        ("llm_model_id", "multimodal_model_id")
    } else {
        ("multimodal_model_id", "llm_model_id")
    };
    if !seen.contains_key(needed) {
        let at = seen.get("mode").map_or(root, |n| n.mark);
        check.error(
            needed,
            at,
            format!("mode {mode} requires {needed}"),
            Some(format!("add {needed}: the id of the model this mode uses")),
        );
    }
    if let Some(node) = seen.get(other) {
        check.error(
            other,
            node.mark,
            format!("{other} does not apply to mode {mode}"),
            Some(format!("remove {other}, or change mode")),
        );
    }
}

/// The per-kind readers, reporting through the campaign's `FieldChecker`.
struct Reader<'c, 'o> {
    check: &'c mut FieldChecker<'o>,
    positions: &'c mut BTreeMap<String, Location>,
    /// Whether prompt files are read (not at a git revision).
    read_files: bool,
}

impl Reader<'_, '_> {
    fn status(&mut self, node: &Node) -> bool {
        let text = node.scalar().map(|s| s.text.as_str());
        if text == Some("deleted") {
            return true;
        }
        let message = format!(
            "status of an assistant can only be \"deleted\" (it must not exist), got {}",
            node.describe()
        );
        self.check.error(
            "status",
            node.mark,
            message,
            Some("remove status to keep the assistant, or write status: deleted".to_owned()),
        );
        false
    }

    fn one_of(&mut self, field: &str, node: &Node, allowed: &[&str]) -> Option<String> {
        let text = node
            .scalar()
            .filter(|s| s.kind == ScalarKind::Str)
            .map(|s| s.text.as_str());
        if let Some(t) = text.filter(|t| allowed.contains(t)) {
            return Some(t.to_owned());
        }
        let hint = text
            .and_then(|t| suggest::closest(t, allowed.iter().copied()))
            .map(|meant| format!("did you mean \"{meant}\"?"));
        let message = format!(
            "{field} must be one of {}, got {}",
            allowed.join(", "),
            node.describe()
        );
        self.check.error(field, node.mark, message, hint);
        None
    }

    fn timer(&mut self, field: &str, node: &Node) -> Option<u64> {
        self.check
            .integer_in(field, node, 0..=TIMER_MAX_SECONDS, " seconds")
    }

    fn number(&mut self, field: &str, node: &Node, low: f64, high: f64) -> Option<f64> {
        let value = node
            .scalar()
            .filter(|s| matches!(s.kind, ScalarKind::Int(_) | ScalarKind::Float))
            .and_then(|s| s.text.parse::<f64>().ok())
            .filter(|n| n.is_finite());
        match value {
            Some(n) if (low..=high).contains(&n) => Some(n),
            _ => {
                let message = format!(
                    "{field} must be a number from {low} to {high}, got {}",
                    node.describe()
                );
                self.check.error(field, node.mark, message, None);
                None
            }
        }
    }

    fn url(&mut self, node: &Node) -> Option<String> {
        let text = self.check.text(
            "webhook_url",
            node,
            WEBHOOK_URL_MAX,
            "the platform trims it",
        )?;
        match url::Url::parse(&text) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => Some(text),
            _ => {
                let message = format!(
                    "webhook_url must be an http(s) URL, got \"{}\"",
                    excerpt(&text)
                );
                self.check.error(
                    "webhook_url",
                    node.mark,
                    message,
                    Some("for example: webhook_url: https://example.com/hooks/calls".to_owned()),
                );
                None
            }
        }
    }

    /// `variables`: a mapping of names to strings, numbers or booleans.
    fn variables(&mut self, node: &Node) -> Option<BTreeMap<String, serde_json::Value>> {
        let Value::Mapping(entries) = &node.value else {
            let message = format!("variables must be a mapping, got {}", node.describe());
            self.check.error(
                "variables",
                node.mark,
                message,
                Some("for example: variables: { company: Acme }".to_owned()),
            );
            return None;
        };
        let mut out = BTreeMap::new();
        let mut valid = true;
        for entry in entries {
            let Some(name) = entry.key.scalar().map(|s| s.text.clone()) else {
                valid = false;
                continue;
            };
            let field = format!("variables.{name}");
            self.positions
                .insert(field.clone(), self.check.location(entry.value.mark));
            let value = entry.value.scalar().and_then(|s| match s.kind {
                ScalarKind::Str => Some(serde_json::Value::String(
                    as_platform_stores_text(&s.text).to_owned(),
                )),
                ScalarKind::Bool(b) => Some(serde_json::Value::Bool(b)),
                ScalarKind::Int(n) => Some(serde_json::Value::from(n)),
                ScalarKind::Float => s
                    .text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(serde_json::Value::Number),
                _ => None,
            });
            match value {
                Some(v) => {
                    out.insert(name, v);
                }
                None => {
                    let message = format!(
                        "{field} must be a string, a number or true/false, got {}",
                        entry.value.describe()
                    );
                    self.check.error(&field, entry.value.mark, message, None);
                    valid = false;
                }
            }
        }
        valid.then_some(out)
    }

    /// `post_call_schema`: a list of `{name, type, description}`, names of letters, digits
    /// and underscores, each once; types `string`, `number`, `bool`.
    fn schema(&mut self, node: &Node) -> Option<Vec<PostCallVariable>> {
        let items = self.check.list(
            "post_call_schema",
            node,
            "variables",
            "{ name: meeting_booked, type: bool, description: A meeting was booked }",
        )?;
        let mut out = Vec::with_capacity(items.len());
        let mut valid = true;
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("post_call_schema.{i}");
            self.positions
                .insert(at.clone(), self.check.location(item.mark));
            let Value::Mapping(entries) = &item.value else {
                let message = format!(
                    "{at} must be a mapping {{ name, type, description }}, got {}",
                    item.describe()
                );
                self.check.error(&at, item.mark, message, None);
                valid = false;
                continue;
            };
            let (mut name, mut kind, mut description) = (None, None, None);
            let mut item_valid = true;
            for entry in entries {
                let key = entry.key.scalar().map(|s| s.text.as_str()).unwrap_or("");
                let field = format!("{at}.{key}");
                self.positions
                    .insert(field.clone(), self.check.location(entry.value.mark));
                match key {
                    "name" => name = self.variable_name(&field, &entry.value),
                    "type" => kind = self.one_of(&field, &entry.value, VARIABLE_TYPES),
                    "description" => {
                        description = self.check.text(
                            &field,
                            &entry.value,
                            DESCRIPTION_MAX,
                            "the platform trims it",
                        );
                        item_valid &= description.is_some();
                    }
                    _ => {
                        let message = format!(
                            "unknown field `{}` in {at}; allowed: name, type, description",
                            excerpt(key)
                        );
                        self.check.error(&field, entry.key.mark, message, None);
                        item_valid = false;
                    }
                }
            }
            let (Some(name), Some(kind)) = (name, kind) else {
                for (missing, what) in [("name", "a name"), ("type", "a type")] {
                    if !entries
                        .iter()
                        .any(|e| e.key.scalar().is_some_and(|k| k.text == missing))
                    {
                        let message = format!("{at} must have {what}");
                        self.check.error(&at, item.mark, message, None);
                    }
                }
                valid = false;
                continue;
            };
            if let Some(j) = first.get(&name) {
                let message =
                    format!("{at}.name: \"{name}\" is declared twice (also post_call_schema.{j})");
                self.check.error(
                    &format!("{at}.name"),
                    item.mark,
                    message,
                    Some("remove one of them".to_owned()),
                );
                valid = false;
                continue;
            }
            first.insert(name.clone(), i);
            valid &= item_valid;
            out.push(PostCallVariable {
                name,
                kind,
                description,
            });
        }
        valid.then_some(out)
    }

    fn variable_name(&mut self, field: &str, node: &Node) -> Option<String> {
        let name = self
            .check
            .text(field, node, NAME_MAX, "the platform trims it")?;
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(name);
        }
        let suggested: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let message = format!(
            "{field} may hold only letters, digits and underscores, got \"{}\"",
            excerpt(&name)
        );
        self.check.error(
            field,
            node.mark,
            message,
            Some(format!("for example: {suggested}")),
        );
        None
    }

    /// A text inline, or `{ file: PATH }` (relative to the manifest, inside the repository),
    /// as the platform will store it (trimmed), non-empty and at most `max_chars` characters.
    fn prompt(
        &mut self,
        field: &str,
        node: &Node,
        max_chars: usize,
    ) -> Option<(String, TextSource)> {
        let (raw, source, mark) = match &node.value {
            Value::Scalar(s) if s.kind == ScalarKind::Str => {
                (s.text.clone(), TextSource::Inline, node.mark)
            }
            Value::Mapping(entries) => {
                let file = entries
                    .iter()
                    .find(|e| e.key.scalar().is_some_and(|k| k.text == "file"));
                let others = entries
                    .iter()
                    .any(|e| e.key.scalar().is_none_or(|k| k.text != "file"));
                let Some(file) = file.filter(|_| !others) else {
                    self.check.error(
                        field,
                        node.mark,
                        format!("{field} must be a text, or {{ file: PATH }} naming a text file"),
                        Some(format!(
                            "for example: {field}: {{ file: prompts/sales.md }}"
                        )),
                    );
                    return None;
                };
                let relative = file
                    .value
                    .scalar()
                    .filter(|s| s.kind == ScalarKind::Str && !s.text.trim().is_empty())
                    .map(|s| s.text.clone());
                let Some(relative) = relative else {
                    let message = format!(
                        "{field}.file must be the path of a text file, got {}",
                        file.value.describe()
                    );
                    self.check
                        .error(&format!("{field}.file"), file.value.mark, message, None);
                    return None;
                };
                if !self.read_files {
                    return None;
                }
                let text = self.read_text(field, &relative, file.value.mark)?;
                (text, TextSource::File(relative), file.value.mark)
            }
            _ => {
                let message = format!("{field} must be a text, got {}", node.describe());
                self.check.error(
                    field,
                    node.mark,
                    message,
                    Some(format!(
                        "quote it, or keep it in a file: {field}: {{ file: prompt.md }}"
                    )),
                );
                return None;
            }
        };
        let text = as_platform_stores_text(&raw);
        let chars = text.chars().count();
        if chars == 0 || chars > max_chars {
            let found = if chars == 0 {
                "an empty text".to_owned()
            } else {
                format!("{chars} characters")
            };
            self.check.error(
                field,
                mark,
                format!("{field} must be a non-empty text of at most {max_chars} characters, got {found}"),
                None,
            );
            return None;
        }
        Some((text.to_owned(), source))
    }

    /// The UTF-8 text of a prompt file, confined as leads files are.
    fn read_text(
        &mut self,
        field: &str,
        relative: &str,
        mark: super::yaml::Mark,
    ) -> Option<String> {
        let key = format!("{field}.file");
        let manifest = self.check.file().to_path_buf();
        let shown = manifest.parent().unwrap_or(Path::new("")).join(relative);
        let real = match files::resolve_leads(&manifest, relative) {
            Ok(real) => real,
            Err(refused) => {
                let (message, hint) = match refused {
                    LeadsPathError::Absolute => (
                        format!(
                            "{key} must be a path relative to the manifest, got \"{}\"",
                            excerpt(relative)
                        ),
                        "keep the prompt in the repository, beside the manifest".to_owned(),
                    ),
                    LeadsPathError::Missing => (
                        format!("{key}: no file {}", shown.display()),
                        "the path is relative to the manifest's directory".to_owned(),
                    ),
                    LeadsPathError::Outside { .. } => (
                        format!(
                            "{key}: {} resolves outside the repository; it was not read",
                            shown.display()
                        ),
                        "keep the prompt in the repository, beside the manifest".to_owned(),
                    ),
                    LeadsPathError::NotRegular(kind) => (
                        format!("{key}: {} is a {kind}, not a file", shown.display()),
                        "name a regular text file".to_owned(),
                    ),
                };
                self.check.error(&key, mark, message, Some(hint));
                return None;
            }
        };
        super::read_log::note_probe(&real, super::read_log::Probe::State);
        let cannot = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", shown.display());
        let file = match files::open_regular(&real) {
            Ok(f) => f,
            Err(e) => {
                self.check.error(&key, mark, cannot(&e), None);
                return None;
            }
        };
        let before = file.metadata().ok();
        let mut bytes = Vec::new();
        if let Err(e) = file.take(MAX_PROMPT_FILE_BYTES + 1).read_to_end(&mut bytes) {
            self.check.error(&key, mark, cannot(&e), None);
            return None;
        }
        if bytes.len() as u64 > MAX_PROMPT_FILE_BYTES {
            let message = format!("{key}: {} is larger than 1 MiB", shown.display());
            self.check.error(&key, mark, message, None);
            return None;
        }
        super::read_log::note_read(&real, before.as_ref(), &bytes);
        match String::from_utf8(bytes) {
            Ok(text) => Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned()),
            Err(_) => {
                let message = format!("{key}: {} is not UTF-8 text", shown.display());
                self.check.error(&key, mark, message, None);
                None
            }
        }
    }
}
