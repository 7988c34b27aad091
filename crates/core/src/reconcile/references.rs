//! Reference checks at plan time: what a manifest points at (assistant, phone numbers, goal
//! variable) must exist in the account, so that a bad id fails the plan instead of a write.

use crate::api::types::Assistant;
use crate::manifest::{Diagnostic, Manifest};

use super::observed::Observed;

/// Every reference problem of one manifest that is about to be created, each at the line of
/// the offending value.
pub fn check_references(
    m: &Manifest,
    observed: &Observed,
    declared: &super::resolve::DeclaredAssistants,
) -> Vec<Diagnostic> {
    let spec = &m.spec;
    let mut out = Vec::new();
    let outbound: Vec<&Assistant> = observed
        .assistants
        .iter()
        .filter(|a| a.is_outbound())
        .collect();

    let assistant = spec
        .assistant_id
        .and_then(|id| observed.assistants.iter().find(|a| a.id == id));
    if let Some(id) = spec.assistant_id {
        match assistant {
            None => out.push(
                Diagnostic::error(Some(m.locate("assistant_id")), format!("assistant_id {id} does not exist in this account"))
                    .with_field("assistant_id")
                    .with_hint(format!("outbound assistants: {}", list_assistants(&outbound))),
            ),
            Some(a) if !a.is_outbound() => out.push(
                Diagnostic::error(
                    Some(m.locate("assistant_id")),
                    format!("assistant_id {id} ({:?}) is an {} assistant; a campaign needs an outbound assistant", a.name, a.kind),
                )
                .with_field("assistant_id")
                .with_hint(format!("outbound assistants: {}", list_assistants(&outbound))),
            ),
            Some(_) => {}
        }
    }

    if let Some(ids) = &spec.phone_number_ids {
        for (i, id) in ids.iter().enumerate() {
            if !observed.phone_numbers.iter().any(|p| p.id == *id) {
                let field = format!("phone_number_ids.{i}");
                let known: Vec<String> = observed
                    .phone_numbers
                    .iter()
                    .map(|p| format!("{} ({})", p.id, p.phone_number))
                    .collect();
                out.push(
                    Diagnostic::error(
                        Some(m.locate(&field)),
                        format!("{field}: {id} is not a phone number of this account"),
                    )
                    .with_hint(format!(
                        "phone numbers: {}",
                        none_if_empty(known.join(", "))
                    ))
                    .with_field(field),
                );
            }
        }
    }

    // A declared assistant's schema was checked offline, and this plan makes the platform's
    // match it.
    let declared_here = spec
        .assistant
        .as_ref()
        .is_some_and(|n| declared.contains_key(n))
        || declared
            .values()
            .any(|id| id.is_some() && *id == spec.assistant_id);
    if let (Some(var), Some(a), false) = (
        &spec.goal_completion_variable,
        assistant.filter(|a| a.is_outbound()),
        declared_here,
    ) {
        let bools: Vec<&str> = a
            .post_call_schema
            .iter()
            .filter(|v| v.kind == "bool")
            .map(|v| v.name.as_str())
            .collect();
        let problem = match a.post_call_schema.iter().find(|v| &v.name == var) {
            None => Some(format!("goal_completion_variable {var:?} is not in the post-call schema of assistant {} ({:?})", a.id, a.name)),
            Some(v) if v.kind != "bool" => Some(format!(
                "goal_completion_variable {var:?} is a {} variable of assistant {} ({:?}); it must be a bool",
                v.kind, a.id, a.name
            )),
            Some(_) => None,
        };
        if let Some(msg) = problem {
            out.push(
                Diagnostic::error(Some(m.locate("goal_completion_variable")), msg)
                    .with_field("goal_completion_variable")
                    .with_hint(format!(
                        "bool variables of that assistant: {}",
                        none_if_empty(bools.join(", "))
                    )),
            );
        }
    }
    out
}

fn list_assistants(list: &[&Assistant]) -> String {
    let names: Vec<String> = list
        .iter()
        .map(|a| format!("{} ({:?})", a.id, a.name))
        .collect();
    none_if_empty(names.join(", "))
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        s
    }
}
