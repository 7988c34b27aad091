//! The checks across documents that assistants bring: an assistant's name (and adopted id)
//! declared once, and a campaign's `goal_completion_variable` checked against the post-call
//! schema of the assistant it names, when the repository declares that assistant, and that
//! assistant declared outbound: a campaign places outbound calls.

use std::collections::HashMap;

use campaignctl_core::manifest::{AssistantManifest, Manifest};

use crate::diagnostic::Diagnostic;
use crate::shown_path::ShownFrom;

/// Every assistant whose name (or adopted id) is declared more than once is an error at each
/// later copy, and no copy is kept: which one is meant cannot be known.
pub fn reject_repeated_assistants(
    assistants: Vec<AssistantManifest>,
    out: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> Vec<AssistantManifest> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_id: HashMap<u64, usize> = HashMap::new();
    let mut repeated = vec![false; assistants.len()];
    for (i, a) in assistants.iter().enumerate() {
        let keys = [
            by_name
                .get(a.name.as_str())
                .copied()
                .map(|f| (f, "name", a.name.clone())),
            a.id.and_then(|id| by_id.get(&id).copied())
                .map(|f| (f, "id", a.id.unwrap_or_default().to_string())),
        ];
        for (first, what, value) in keys.into_iter().flatten() {
            repeated[first] = true;
            repeated[i] = true;
            let field = if what == "name" { "name" } else { "id" };
            out.push(
                Diagnostic::error(
                    Some(a.location_of(field).clone()),
                    format!(
                        "assistant {what} {value} is also declared at {}",
                        assistants[first].location_of(field).shown(shown_from)
                    ),
                )
                .with_field(field)
                .with_hint("each assistant is declared once: remove one of them"),
            );
        }
        by_name.entry(a.name.as_str()).or_insert(i);
        if let Some(id) = a.id {
            by_id.entry(id).or_insert(i);
        }
    }
    assistants
        .into_iter()
        .zip(repeated)
        .filter_map(|(a, r)| (!r).then_some(a))
        .collect()
}

/// A campaign naming a declared assistant (`assistant: NAME`) may only set a
/// `goal_completion_variable` that the assistant's declared schema holds as `bool`: the
/// platform refuses anything else at create time. Such a campaign is reported at that line
/// and not kept.
pub fn check_goal_variables(
    manifests: Vec<Manifest>,
    assistants: &[AssistantManifest],
    out: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) -> Vec<Manifest> {
    let declared: HashMap<&str, &AssistantManifest> = assistants
        .iter()
        .filter(|a| !a.deleted)
        .map(|a| (a.name.as_str(), a))
        .collect();
    manifests
        .into_iter()
        .filter(|m| {
            let spec = &m.spec;
            let (Some(name), Some(variable)) =
                (spec.assistant.as_deref(), spec.goal_completion_variable.as_deref())
            else {
                return true;
            };
            let Some(assistant) = declared.get(name) else {
                return true;
            };
            let found = assistant.schema().iter().find(|v| v.name == variable);
            let problem = match found {
                Some(v) if v.kind == "bool" => return true,
                Some(v) => format!(
                    "goal_completion_variable \"{variable}\" is a {} in the post-call schema of assistant \"{name}\"; it must be a bool",
                    v.kind
                ),
                None => format!(
                    "goal_completion_variable \"{variable}\" is not in the post-call schema of assistant \"{name}\""
                ),
            };
            let bools: Vec<&str> = assistant
                .schema()
                .iter()
                .filter(|v| v.kind == "bool")
                .map(|v| v.name.as_str())
                .collect();
            let hint = if bools.is_empty() {
                format!(
                    "declare a bool variable in post_call_schema at {}",
                    assistant.location_of("post_call_schema").shown(shown_from)
                )
            } else {
                format!("the assistant's bool variables: {}", bools.join(", "))
            };
            out.push(
                Diagnostic::error(Some(m.locate("goal_completion_variable")), problem)
                    .with_field("goal_completion_variable")
                    .with_hint(hint),
            );
            false
        })
        .collect()
}

/// A campaign naming a declared `type: inbound` assistant: a campaign only places outbound
/// calls, so the platform would refuse it, or worse, a hand-edited platform would run it with an
/// assistant written to answer calls. Reported at the campaign's `assistant:` line; the campaign
/// is kept (the error stops the run anyway), so what uses the assistant stays known to the plan.
pub fn check_assistant_direction(
    manifests: &[Manifest],
    assistants: &[AssistantManifest],
    out: &mut Vec<Diagnostic>,
    shown_from: &ShownFrom,
) {
    let inbound: HashMap<&str, &AssistantManifest> = assistants
        .iter()
        .filter(|a| !a.deleted && a.fields.kind.as_deref() == Some("inbound"))
        .map(|a| (a.name.as_str(), a))
        .collect();
    for m in manifests {
        let Some(name) = m.spec.assistant.as_deref() else {
            continue;
        };
        let Some(assistant) = inbound.get(name) else {
            continue;
        };
        out.push(
            Diagnostic::error(
                Some(m.locate("assistant")),
                format!(
                    "assistant \"{name}\" is declared type inbound (at {}); a campaign places outbound calls",
                    assistant.location_of("type").shown(shown_from)
                ),
            )
            .with_field("assistant")
            .with_hint("name an outbound assistant, or declare this one type: outbound"),
        );
    }
}
