//! A remote assistant as a `kind: Assistant` manifest that adopts it with `id:`: the fields the
//! platform's list returned, as it returned them, and a commented line per field the list
//! leaves out. Prompts stay inline on stdout (a YAML block scalar when they have several lines)
//! and go into their own files under `--out`. Before anything is written, each document is read
//! back by the loader and must plan no change against the assistant it came from.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::HEADER;
use crate::api::types::Assistant;
use crate::diagnostic::Diagnostic;
use crate::manifest;
use crate::reconcile::assistants::{classify, AssistantContext, AssistantDecision, UNLISTED};

/// Where the prompts of an exported assistant go.
pub enum Layout<'a> {
    /// All in the one document (stdout).
    Inline,
    /// `system_prompt`, and an `initial_message` of several lines, into files under
    /// `prompts/`, beside the manifest; `stem` names them, with the assistant's id.
    Files { stem: &'a str },
}

/// One exported assistant: its manifest, and the prompt files it names (path relative to the
/// manifest, contents: exactly what the platform returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistantDocument {
    pub manifest: String,
    pub prompts: Vec<(String, String)>,
}

/// The manifest of `a`. Values are written as JSON (valid YAML: strings double-quoted with
/// escapes, so no name can be misread), as for campaigns; a prompt of several lines inline is
/// a literal block written by yaml-rust2's emitter, kept only when it reads back as the same
/// text (else it is a JSON string too).
pub fn document(a: &Assistant, api_url: &str, layout: &Layout<'_>) -> AssistantDocument {
    let listed = &a.listed;
    let mut prompts = Vec::new();
    let mut text = format!(
        "{}{} (assistant id {}).\n\
         # `id` pins the assistant. The platform's assistant list does not return the fields\n\
         # commented out below: fill in each from the dashboard for this manifest to manage it.\n",
        HEADER, api_url, a.id,
    );
    let mut line = |key: &str, value: serde_json::Value| {
        let _ = writeln!(text, "{key}: {value}");
    };
    line("kind", json!("Assistant"));
    line("id", json!(a.id));
    line("name", json!(a.name));
    line("type", json!(a.kind));
    if let Some(v) = listed.voice_id {
        line("voice_id", json!(v));
    }
    if let Some(v) = listed.phone_number_id {
        line("phone_number_id", json!(v));
    }
    if let Some(v) = &a.timezone {
        line("timezone", json!(v));
    }
    // The platform stores a prompt trimmed; one that is empty once trimmed cannot be declared.
    let present = |t: &Option<String>| t.clone().filter(|t| !t.trim().is_empty());
    if let Some(initial) = present(&listed.initial_message) {
        let file = match layout {
            Layout::Files { stem } if initial.trim().contains('\n') => {
                Some(format!("prompts/{stem}-{}-initial-message.md", a.id))
            }
            _ => None,
        };
        text.push_str(&prompt_entry(
            "initial_message",
            initial,
            file,
            &mut prompts,
        ));
    }
    if let Some(system) = present(&listed.system_prompt) {
        let file = match layout {
            Layout::Files { stem } => Some(format!("prompts/{stem}-{}.md", a.id)),
            Layout::Inline => None,
        };
        text.push_str(&prompt_entry("system_prompt", system, file, &mut prompts));
    }
    let mut line = |key: &str, value: serde_json::Value| {
        let _ = writeln!(text, "{key}: {value}");
    };
    if let Some(v) = &listed.variables {
        line("variables", json!(v));
    }
    // The list cannot tell an empty schema from none: an empty one is left unmanaged.
    if !a.post_call_schema.is_empty() {
        let items: Vec<SchemaItem<'_>> = a
            .post_call_schema
            .iter()
            .map(|v| SchemaItem {
                name: &v.name,
                kind: &v.kind,
                description: v.description.as_deref(),
            })
            .collect();
        line("post_call_schema", json!(items));
    }
    for (key, value) in [
        ("post_call_evaluation", listed.post_call_evaluation),
        ("is_webhook_active", listed.is_webhook_active),
    ] {
        if let Some(v) = value {
            line(key, json!(v));
        }
    }
    if let Some(v) = &listed.webhook_url {
        line("webhook_url", json!(v));
    }
    for (key, value) in [
        ("max_duration", listed.max_duration),
        ("max_silence_duration", listed.max_silence_duration),
        ("reengagement_interval", listed.reengagement_interval),
    ] {
        if let Some(v) = value {
            line(key, json!(v));
        }
    }
    if let Some(v) = listed.record {
        line("record", json!(v));
    }
    for field in UNLISTED {
        let _ = writeln!(
            text,
            "# {field}:   (not returned by the platform's assistant list; compared with git once declared)"
        );
    }
    AssistantDocument {
        manifest: text,
        prompts,
    }
}

/// A post-call variable as written: its keys in the documented order, no `description: null`.
#[derive(serde::Serialize)]
struct SchemaItem<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

/// `key: { file: PATH }` with the text kept for the file, or the text inline.
fn prompt_entry(
    key: &str,
    text: String,
    file: Option<String>,
    prompts: &mut Vec<(String, String)>,
) -> String {
    match file {
        Some(path) => {
            let entry = format!("{key}: {}\n", file_reference(&path));
            prompts.push((path, text));
            entry
        }
        None => inline_text(key, &text),
    }
}

/// How a manifest names a prompt file: `{ file: "PATH" }` (the path as a JSON string).
pub fn file_reference(path: &str) -> String {
    format!("{{ file: {} }}", json!(path))
}

/// `key: TEXT` as one YAML entry ending in a line break: a literal block for a text of several
/// lines when it reads back unchanged, else a double-quoted JSON string.
fn inline_text(key: &str, text: &str) -> String {
    if text.contains('\n') {
        if let Some(block) = literal_block(key, text) {
            return block;
        }
    }
    format!("{key}: {}\n", json!(text))
}

fn literal_block(key: &str, text: &str) -> Option<String> {
    use yaml_rust2::yaml::Hash;
    use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};
    let mut entry = Hash::new();
    entry.insert(Yaml::String(key.to_owned()), Yaml::String(text.to_owned()));
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    emitter.dump(&Yaml::Hash(entry)).ok()?;
    let body = out
        .strip_prefix("---\n")
        .unwrap_or(&out)
        .trim_end_matches('\n');
    // A block cannot hold every text (a line break at its end beyond one, a carriage return,
    // a first line that begins with a space): only a block that reads back as the same text
    // is kept.
    let back = YamlLoader::load_from_str(body).ok()?;
    let same = back.first().and_then(|d| d[key].as_str()) == Some(text);
    same.then(|| format!("{body}\n"))
}

/// Whether `manifest_text` (at `path`, its prompt files beside it) reads back, through the
/// loader, as a valid manifest of `live` that plans no change; the error says why not.
pub fn check(live: &Assistant, path: &Path, manifest_text: &str) -> Result<(), Diagnostic> {
    let cannot = |why: String| {
        Diagnostic::error(None, format!("cannot export assistant {}: {why}", live.id))
    };
    let (loaded, diagnostics) = manifest::parse_assistant_bytes(path, manifest_text.as_bytes());
    if let Some(d) = diagnostics.iter().find(|d| d.is_error()) {
        let field = d
            .field
            .as_deref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        return Err(cannot(format!(
            "the platform returned a value campaignctl cannot represent{field}: {}",
            d.message
        )));
    }
    let [manifest] = loaded.as_slice() else {
        return Err(cannot(format!(
            "its manifest read back as {} assistants, not one",
            loaded.len()
        )));
    };
    let plan = classify(
        std::slice::from_ref(manifest),
        std::slice::from_ref(live),
        &AssistantContext::default(),
    );
    match plan.first().map(|p| &p.decision) {
        Some(AssistantDecision::Unchanged { .. }) => Ok(()),
        Some(AssistantDecision::Update { changes, .. }) => {
            let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
            Err(cannot(format!(
                "its manifest would plan a change of {}",
                fields.join(", ")
            )))
        }
        other => Err(cannot(format!("its manifest would plan {other:?}"))),
    }
}

/// Names shared by several assistants cannot become valid manifests together: the name is an
/// assistant's identity, as a campaign's is.
pub fn warn_about_shared_names(assistants: &[Assistant]) {
    let mut by_name: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for a in assistants {
        by_name.entry(a.name.as_str()).or_default().push(a.id);
    }
    for (name, ids) in by_name.iter().filter(|(_, ids)| ids.len() > 1) {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        anstream::eprintln!(
            "warning: assistants {} share the name {name:?}; their manifests will not validate together until all but one are renamed in the dashboard or deleted",
            ids.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::assistant::ListedAssistantFields;

    fn live(prompt: &str) -> Assistant {
        Assistant {
            id: 7,
            name: "Ada: \"the\" agent".into(),
            kind: "outbound".into(),
            timezone: Some("Europe/Berlin".into()),
            listed: ListedAssistantFields {
                system_prompt: Some(prompt.into()),
                initial_message: Some("Hi:\n  there".into()),
                ..ListedAssistantFields::default()
            },
            ..Assistant::default()
        }
    }

    /// Texts a literal block cannot hold as they are, or that YAML would read as something
    /// else if written plainly.
    const HARD: &[&str] = &[
        "one line: with a colon",
        "yes",
        "two\nlines",
        "- a list?\n- no: text",
        "  begins with spaces\nthen not",
        "ends with line breaks\n\n\n",
        "ends with spaces  \n  ",
        "carriage\r\nreturns\r\n",
        "next line\u{85}and separators\u{2028}here",
        "tabs\n\tinside\n",
        "---\n...\n%TAG ! x\n# not a comment\n&anchor *alias |",
        "bell \u{7} and delete \u{7f}\nin text",
        "Ünïcödé ✓ — 日本語\n\u{feff}with a BOM inside",
    ];

    #[test]
    fn every_inline_text_reads_back_exactly() {
        for text in HARD {
            let entry = inline_text("system_prompt", text);
            let back = yaml_rust2::YamlLoader::load_from_str(&entry).unwrap_or_else(|e| {
                panic!("{text:?} wrote YAML that does not parse: {e}\n{entry}")
            });
            assert_eq!(
                back.first().and_then(|d| d["system_prompt"].as_str()),
                Some(*text),
                "written as:\n{entry}"
            );
        }
    }

    #[test]
    fn a_multi_line_text_that_a_block_holds_is_a_block() {
        assert_eq!(
            inline_text("system_prompt", "You are Ada.\n  - be brief"),
            "system_prompt: |-\n  You are Ada.\n    - be brief\n"
        );
    }

    #[test]
    fn every_exported_document_reads_back_through_the_loader_and_plans_no_change() {
        for text in HARD {
            let assistant = live(text);
            let doc = document(&assistant, "http://127.0.0.1:1/api/", &Layout::Inline);
            if let Err(e) = check(&assistant, Path::new("assistant 7"), &doc.manifest) {
                panic!("{text:?}: {e}\n{}", doc.manifest);
            }
        }
    }

    #[test]
    fn a_manifest_that_would_plan_a_change_is_refused() {
        // The loader stores a variable trimmed, as the platform would; a listed value that is
        // not would plan an update right after the export.
        let mut assistant = live("You are Ada.");
        assistant.listed.variables =
            Some(BTreeMap::from([("company".to_owned(), json!(" Acme "))]));
        let doc = document(&assistant, "http://127.0.0.1:1/api/", &Layout::Inline);
        let refused = check(&assistant, Path::new("assistant 7"), &doc.manifest)
            .expect_err("a change would be planned");
        assert!(
            refused.message.contains(
                "cannot export assistant 7: its manifest would plan a change of variables"
            ),
            "{refused}"
        );
    }

    #[test]
    fn files_layout_names_the_prompt_files_and_keeps_their_text_exactly() {
        let assistant = live("You are Ada.\n");
        let doc = document(
            &assistant,
            "http://127.0.0.1:1/api/",
            &Layout::Files {
                stem: "ada-the-agent",
            },
        );
        assert!(
            doc.manifest.contains(
                "\ninitial_message: { file: \"prompts/ada-the-agent-7-initial-message.md\" }\n"
            ) && doc
                .manifest
                .contains("\nsystem_prompt: { file: \"prompts/ada-the-agent-7.md\" }\n"),
            "{}",
            doc.manifest
        );
        assert_eq!(
            doc.prompts,
            vec![
                (
                    "prompts/ada-the-agent-7-initial-message.md".to_owned(),
                    "Hi:\n  there".to_owned()
                ),
                (
                    "prompts/ada-the-agent-7.md".to_owned(),
                    "You are Ada.\n".to_owned()
                ),
            ]
        );
    }
}
