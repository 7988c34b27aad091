//! Write-once fields compared with a baseline. The platform never returns a campaign's
//! assistant, timezone, phone numbers, retry flags or goal variable, so a change to them in a
//! manifest cannot be seen by reading the platform. It can be seen by comparing the manifest
//! with what it said before: at a git revision (`plan --base REF`), or when `watch` last applied
//! it. Pure: the baseline's manifests are read by the caller.
//!
//! A changed write-once field on a **draft** replaces it, like any other drift of a draft. On a
//! campaign that **may have run** it is an error: the platform cannot change the field and
//! campaignctl never replaces such a campaign, so the plan must not look as if it were applied.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::api::types::RemoteCampaign;
use crate::campaign::WRITE_ONCE_FIELDS;
use crate::manifest::{normalize_phone, CampaignSpec, Diagnostic, Location, Manifest};

use super::observed::Observed;
use super::plan::{check_replace, Action, ActionKind, FieldChange, Plan};
use super::resolve::resolve_names;

/// What the manifests said before, for the write-once fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// Where the values come from, as messages name it: `git revision 1a2b3c4d` or `the last
    /// apply of this watch`.
    pub source: String,
    /// The manifests as they were (names not yet resolved: they are resolved against the same
    /// account as the current ones, so `assistant: Sales` and `assistant_id: 7` compare equal).
    pub manifests: Vec<Manifest>,
}

/// The value each write-once field has in `spec`, in `WRITE_ONCE_FIELDS` order; `Null` when the
/// manifest leaves it to the platform's default. A reference that did not resolve keeps its
/// name, so an unresolvable baseline never compares equal to an id by accident.
pub fn write_once_values(spec: &CampaignSpec) -> Vec<(&'static str, Value)> {
    WRITE_ONCE_FIELDS
        .iter()
        .map(|&field| {
            let v = match field {
                "assistant_id" => match (spec.assistant_id, &spec.assistant) {
                    (Some(id), _) => json!(id),
                    (None, Some(name)) => json!(name),
                    (None, None) => Value::Null,
                },
                "timezone" => json!(spec.timezone),
                "phone_number_ids" => match (&spec.phone_number_ids, &spec.phone_numbers) {
                    (Some(ids), _) => {
                        let mut ids = ids.clone();
                        ids.sort_unstable();
                        ids.dedup();
                        json!(ids)
                    }
                    (None, Some(numbers)) => {
                        let mut numbers: Vec<String> = numbers
                            .iter()
                            .map(|n| normalize_phone(n).unwrap_or_else(|| n.clone()))
                            .collect();
                        numbers.sort_unstable();
                        numbers.dedup();
                        json!(numbers)
                    }
                    (None, None) => Value::Null,
                },
                "retry_on_voicemail" => json!(spec.retry_on_voicemail),
                "retry_on_goal_incomplete" => json!(spec.retry_on_goal_incomplete),
                "goal_completion_variable" => json!(spec.goal_completion_variable),
                other => unreachable!("write-once field {other} has no value here"),
            };
            (field, v)
        })
        .collect()
}

/// The write-once fields that differ between `before` and `now` (both resolved).
fn write_once_changes(before: &CampaignSpec, now: &CampaignSpec, source: &str) -> Vec<FieldChange> {
    write_once_values(before)
        .into_iter()
        .zip(write_once_values(now))
        .filter(|((_, was), (_, is))| was != is)
        .map(|((field, was), (_, is))| FieldChange {
            field,
            desired: is,
            actual: was,
            known_from: Some(source.to_owned()),
        })
        .collect()
}

/// Compares the write-once fields of every existing campaign a manifest declares with the
/// baseline, where the baseline knows the campaign (by its name, or by `renamed_from`). A
/// campaign the baseline knows has its write-once fields compared (they are no longer listed
/// as "not compared"); a change replaces a draft and is an error on a campaign that may have
/// run. Runs on the campaign plan, before its leads are read.
pub fn compare_write_once(
    plan: &mut Plan,
    resolved: &[Manifest],
    baseline: &Baseline,
    observed: &Observed,
) {
    let before = resolve_names(&baseline.manifests, observed).manifests;
    let before: HashMap<&str, &Manifest> =
        before.iter().map(|m| (m.spec.name.as_str(), m)).collect();
    let now: HashMap<&Location, &Manifest> = resolved.iter().map(|m| (&m.location, m)).collect();
    let remote: HashMap<u64, &RemoteCampaign> =
        observed.campaigns.iter().map(|c| (c.id, c)).collect();
    let mut errors = Vec::new();
    for a in &mut plan.actions {
        let (Some(m), Some(remote)) = (
            a.manifest.as_ref().and_then(|at| now.get(at)),
            a.remote_id.and_then(|id| remote.get(&id)),
        ) else {
            continue;
        };
        let Some(was) = before.get(m.spec.name.as_str()).or_else(|| {
            m.spec
                .renamed_from
                .as_deref()
                .and_then(|old| before.get(old))
        }) else {
            continue;
        };
        if !forget_not_compared(&mut a.kind) {
            continue;
        }
        let changes = write_once_changes(&was.spec, &m.spec, &baseline.source);
        if changes.is_empty() {
            continue;
        }
        errors.extend(apply_changes(a, m, remote, changes, &baseline.source));
        if matches!(a.kind, ActionKind::Replace { .. }) {
            check_replace(a, m, observed);
        }
    }
    plan.diagnostics.extend(errors);
}

/// Empties the "write-once, not compared" list of an action that compares fields; `false` for
/// actions that do not (creates, deletes, unmanaged campaigns).
fn forget_not_compared(kind: &mut ActionKind) -> bool {
    match kind {
        ActionKind::Unchanged { write_once }
        | ActionKind::Drift { write_once, .. }
        | ActionKind::Replace { write_once, .. } => {
            write_once.clear();
            true
        }
        _ => false,
    }
}

/// Adds the write-once changes to the action: a draft is replaced; a campaign that may have run
/// keeps them as drift, with one error per field.
fn apply_changes(
    a: &mut Action,
    m: &Manifest,
    remote: &RemoteCampaign,
    write_once: Vec<FieldChange>,
    source: &str,
) -> Vec<Diagnostic> {
    let spec = &m.spec;
    let mut changes = match std::mem::replace(&mut a.kind, ActionKind::Unmanaged) {
        ActionKind::Drift { changes, .. } | ActionKind::Replace { changes, .. } => changes,
        _ => Vec::new(),
    };
    let errors = if remote.status.may_have_run() {
        write_once
            .iter()
            .map(|c| {
                Diagnostic::error(
                    Some(m.locate(c.field)),
                    format!(
                        "{} changed since {source} ({} -> {}), but campaign {:?} (id {}) may have run (status {}): the platform cannot change a write-once field, and campaignctl never replaces a campaign that has run",
                        c.field,
                        shown(&c.actual),
                        shown(&c.desired),
                        remote.name,
                        remote.id,
                        remote.status.label()
                    ),
                )
                .with_field(c.field)
                .with_hint(format!(
                    "set {} back to {}, or create a new campaign under a new name and stop or delete this one",
                    c.field,
                    shown(&c.actual)
                ))
            })
            .collect()
    } else {
        Vec::new()
    };
    changes.extend(write_once);
    match super::lifecycle::why_not_replaced(spec, remote) {
        None => {
            a.kind = ActionKind::Replace {
                changes,
                write_once: Vec::new(),
                request: spec.create_request(),
                renamed_from: (spec.name != remote.name).then(|| remote.name.clone()),
            };
        }
        Some(why) => {
            a.kind = ActionKind::Drift {
                changes,
                write_once: Vec::new(),
            };
            a.note.get_or_insert(why);
        }
    }
    errors
}

/// A value as messages show it; `Null` is a field the manifest leaves unset.
pub fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(not set)".to_owned(),
        v => serde_json::to_string(v).unwrap_or_else(|_| v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::manifest::parse_bytes;
    use crate::reconcile::full_plan::{add_leads_and_status, plan_campaigns_with};
    use crate::reconcile::leads_and_status::{ObservedLead, ObservedLeads};
    use crate::reconcile::lifecycle::LifecycleOptions;

    fn observed(status: &str) -> Observed {
        Observed {
            campaigns: serde_json::from_value(
                json!([{"id": 3, "name": "Q", "status": status, "max_retries": 3}]),
            )
            .expect("campaigns"),
            assistants: serde_json::from_value(json!([
                {"id": 7, "name": "Sales", "type": "outbound"},
                {"id": 8, "name": "Support", "type": "outbound"}
            ]))
            .expect("assistants"),
            ..Observed::default()
        }
    }

    fn manifests(yaml: &str) -> Vec<Manifest> {
        let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        manifests
    }

    fn planned(before: &str, now: &str, o: &Observed) -> Plan {
        let options = LifecycleOptions {
            baseline: Some(Arc::new(Baseline {
                source: "git revision abc".into(),
                manifests: manifests(before),
            })),
            ..LifecycleOptions::default()
        };
        let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
        add_leads_and_status(plan_campaigns_with(&manifests(now), o, &options), o, &leads).plan
    }

    const BEFORE: &str = "kind: Campaign\nname: Q\nassistant: Sales\ntimezone: America/New_York\nmax_retries: 3\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";

    #[test]
    fn a_changed_timezone_replaces_a_draft_and_names_the_baseline() {
        let now = BEFORE.replace("America/New_York", "Europe/Berlin");
        let p = planned(BEFORE, &now, &observed("draft"));
        let ActionKind::Replace { changes, .. } = &p.actions[0].kind else {
            panic!("a draft whose timezone changed is replaced: {p:#?}");
        };
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].field, "timezone");
        assert_eq!(changes[0].actual, json!("America/New_York"));
        assert_eq!(changes[0].known_from.as_deref(), Some("git revision abc"));
        assert!(!p.has_errors(), "{:?}", p.diagnostics);
    }

    #[test]
    fn a_changed_timezone_on_a_campaign_that_ran_is_an_error_at_its_line() {
        let now = BEFORE.replace("America/New_York", "Europe/Berlin");
        let p = planned(BEFORE, &now, &observed("in-progress"));
        assert!(
            matches!(p.actions[0].kind, ActionKind::Drift { .. }),
            "never replaced: {p:#?}"
        );
        let error = p
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(error.location.as_ref().map(|l| l.line), Some(4));
        assert!(
            error
                .message
                .contains("timezone changed since git revision abc")
                && error.message.contains("may have run"),
            "{error:?}"
        );
        assert!(
            !p.operations.iter().any(|o| o.effects.destroys_data),
            "{:?}",
            p.operations
        );
    }

    #[test]
    fn an_assistant_by_name_equals_the_same_assistant_by_id_and_nothing_is_not_compared() {
        let now = BEFORE.replace("assistant: Sales", "assistant_id: 7");
        let p = planned(BEFORE, &now, &observed("draft"));
        let ActionKind::Unchanged { write_once } = &p.actions[0].kind else {
            panic!("the same assistant: {p:#?}");
        };
        assert!(
            write_once.is_empty(),
            "compared, so not listed: {write_once:?}"
        );

        let other = BEFORE.replace("assistant: Sales", "assistant: Support");
        let p = planned(BEFORE, &other, &observed("stopped"));
        assert!(p.has_errors(), "another assistant on a stopped campaign");
    }

    #[test]
    fn a_campaign_the_baseline_does_not_know_is_left_as_not_compared() {
        let before = BEFORE.replace("name: Q", "name: Other");
        let now = BEFORE.replace("America/New_York", "Europe/Berlin");
        let p = planned(&before, &now, &observed("in-progress"));
        let ActionKind::Unchanged { write_once } = &p.actions[0].kind else {
            panic!("{p:#?}");
        };
        assert_eq!(write_once, &["assistant_id", "timezone"]);
        assert!(!p.has_errors());
    }
}
