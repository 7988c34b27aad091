//! The plan: a pure function of (desired manifests, observed state). No I/O, no clock, and a
//! deterministic order: manifests in load order (file, line), then unmanaged campaigns by id.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::json;

use crate::api::types::RemoteCampaign;
use crate::manifest::{Diagnostic, Manifest};

pub use super::field_diff::diff;
pub use super::model::{Action, ActionKind, DeleteReason, FieldChange, Plan, Summary};

use super::derive;
use super::field_diff::write_once_fields;
use super::model::Deletions;
use super::observed::Observed;
use super::references::check_references;
use super::replaceable::{add_rename_hints, unreplaceable_note, why_not_replaced};

/// The campaign plan alone, with the operations its view derives (no leads, status, baseline or
/// prune: `full_plan` adds those). `desired` must already be valid (see `manifest::load`).
pub fn plan(desired: &[Manifest], observed: &Observed) -> Plan {
    let mut plan = classify(desired, observed);
    plan.operations = derive::derive(&plan.actions, &[]);
    plan
}

/// Classifies every manifest and every remote campaign: the view only, without operations
/// (the producer, `full_plan`, derives them once when the view is complete).
///
/// A manifest with `id` adopts that campaign: it is matched by id, never created, and its name
/// is compared like any other observable field. Every other manifest is matched by name among
/// the campaigns no manifest adopts.
pub fn classify(desired: &[Manifest], observed: &Observed) -> Plan {
    let by_id: HashMap<u64, &RemoteCampaign> =
        observed.campaigns.iter().map(|c| (c.id, c)).collect();
    let adopted: HashMap<u64, &Manifest> = desired
        .iter()
        .filter_map(|m| m.spec.id.map(|id| (id, m)))
        .collect();
    let mut by_name: BTreeMap<&str, Vec<&RemoteCampaign>> = BTreeMap::new();
    for c in &observed.campaigns {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }
    let declared_names: HashSet<&str> = desired.iter().map(|m| m.spec.name.as_str()).collect();

    let mut actions = Vec::with_capacity(desired.len() + observed.campaigns.len());
    let mut diagnostics = Vec::new();
    let mut matched: HashSet<u64> = HashSet::new();
    for m in desired {
        let spec = &m.spec;
        if let Some(id) = spec.id {
            match by_id.get(&id) {
                // A tombstone deletes only the campaign it names: an id alone (a typo, a copy,
                // a file cut off so that `id: 41` reads `id: 4`) must never delete another
                // campaign's history. Refused, so that nothing is applied while it stands.
                Some(remote)
                    if spec.is_deleted()
                        && remote.name != spec.name
                        && spec.renamed_from.as_deref() != Some(remote.name.as_str()) =>
                {
                    matched.insert(id);
                    diagnostics.push(
                        Diagnostic::error(
                            Some(m.locate("id")),
                            format!(
                                "campaign id {id} is {:?} on the platform, not {:?}; status: deleted deletes only the campaign its manifest names, so nothing is deleted",
                                remote.name, spec.name
                            ),
                        )
                        .with_field("id")
                        .with_hint(format!(
                            "check the id; to delete campaign {id}, write its current name: name: {:?}",
                            remote.name
                        )),
                    );
                }
                Some(remote) if spec.is_deleted() => {
                    matched.insert(id);
                    actions.push(delete_action(m, remote));
                }
                Some(remote) => {
                    matched.insert(id);
                    actions.push(compare(m, remote));
                }
                None if spec.is_deleted() => actions.push(absent(m)),
                None => diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("id")),
                        format!(
                            "campaign id {id} ({:?}) does not exist on the platform; campaignctl will not create a different campaign in its place",
                            spec.name
                        ),
                    )
                    .with_field("id")
                    .with_hint("if it was deleted on purpose, delete this manifest (or set status: deleted); to create it anew, remove `id:` and set assistant_id"),
                ),
            }
            continue;
        }
        let free_holders = |name: &str| -> (Vec<&RemoteCampaign>, Vec<&RemoteCampaign>) {
            by_name
                .get(name)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .partition(|c| adopted.contains_key(&c.id))
        };
        let (held, free) = free_holders(&spec.name);
        match free.as_slice() {
            [] if !held.is_empty() => {
                let holder = held[0];
                let adopter = adopted[&holder.id];
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by campaign id {}, which {} adopts by id; creating it would make two campaigns of one name",
                            spec.name,
                            holder.id,
                            adopter.locate("id")
                        ),
                    )
                    .with_field("name")
                    .with_hint("rename one of the two manifests"),
                );
            }
            [] if spec.is_deleted() => actions.push(absent(m)),
            [] => {
                // Renamed in git: the campaign may still be on the platform under its old name.
                let old = spec
                    .renamed_from
                    .as_deref()
                    .map(|old| (old, free_holders(old).1));
                match old {
                    Some((old, _)) if declared_names.contains(old) => diagnostics.push(
                        Diagnostic::error(
                            Some(m.locate("renamed_from")),
                            format!(
                                "renamed_from {old:?} is the name of another manifest; one campaign cannot be both"
                            ),
                        )
                        .with_field("renamed_from")
                        .with_hint("remove renamed_from, or rename the other manifest"),
                    ),
                    Some((_, olds)) if olds.len() == 1 => {
                        let remote = olds[0];
                        matched.insert(remote.id);
                        actions.push(compare_checked(m, remote, observed));
                    }
                    Some((old, olds)) if olds.len() > 1 => {
                        matched.extend(olds.iter().map(|c| c.id));
                        diagnostics.push(
                            Diagnostic::error(
                                Some(m.locate("renamed_from")),
                                format!(
                                    "renamed_from {old:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one was renamed",
                                    olds.len(),
                                    ids_text(&olds)
                                ),
                            )
                            .with_field("renamed_from")
                            .with_hint("delete or rename the extra campaigns in the dashboard, or remove renamed_from"),
                        );
                    }
                    _ => {
                        diagnostics.extend(check_references(m, observed));
                        actions.push(Action {
                            name: spec.name.clone(),
                            manifest: Some(m.location.clone()),
                            remote_id: None,
                            kind: ActionKind::Create {
                                request: spec.create_request(),
                            },
                            note: None,
                        });
                    }
                }
            }
            [remote] if spec.is_deleted() => {
                matched.insert(remote.id);
                actions.push(delete_action(m, remote));
            }
            // A rename onto a name another campaign holds, while the campaign to rename is
            // still there: taking over either would be a guess (and replacing the old one
            // would leave two campaigns of one name). Once the old name is gone, the rename
            // is done and `renamed_from` is inert.
            [remote]
                if spec
                    .renamed_from
                    .as_deref()
                    .is_some_and(|old| !free_holders(old).1.is_empty()) =>
            {
                matched.insert(remote.id);
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("renamed_from")),
                        format!(
                            "renamed_from: {:?} onto {:?}, a name campaign {} already holds; the platform would have two campaigns of one name",
                            spec.renamed_from.as_deref().unwrap_or_default(),
                            spec.name,
                            remote.id
                        ),
                    )
                    .with_field("renamed_from")
                    .with_hint("choose a name no campaign holds, or delete the campaign holding it first (status: deleted in its manifest), or remove renamed_from to manage that campaign instead"),
                );
            }
            [remote] => {
                matched.insert(remote.id);
                actions.push(compare_checked(m, remote, observed));
            }
            many => {
                matched.extend(many.iter().map(|c| c.id));
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one this manifest means",
                            spec.name,
                            many.len(),
                            ids_text(many)
                        ),
                    )
                    .with_field("name")
                    .with_hint("delete or rename the extra campaigns in the dashboard so that one campaign holds the name, or pin this manifest to one of them with `id:`"),
                );
            }
        }
    }

    let mut unmanaged: Vec<&RemoteCampaign> = observed
        .campaigns
        .iter()
        .filter(|c| !matched.contains(&c.id))
        .collect();
    unmanaged.sort_by_key(|c| c.id);
    actions.extend(unmanaged.into_iter().map(|c| Action {
        name: c.name.clone(),
        manifest: None,
        remote_id: Some(c.id),
        kind: ActionKind::Unmanaged,
        note: None,
    }));
    add_rename_hints(&mut actions, desired, observed);

    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Plan {
        actions,
        diagnostics,
        leads_and_status: Vec::new(),
        operations: Vec::new(),
        deletions: Deletions::default(),
        write_once_baseline: None,
    }
}

fn ids_text(campaigns: &[&RemoteCampaign]) -> String {
    let ids: Vec<String> = campaigns.iter().map(|c| c.id.to_string()).collect();
    ids.join(", ")
}

/// `status: deleted` for a campaign that exists.
fn delete_action(m: &Manifest, remote: &RemoteCampaign) -> Action {
    Action {
        name: remote.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: Some(remote.id),
        kind: ActionKind::Delete {
            reason: DeleteReason::Manifest,
            status: remote.status.clone(),
            leads: None,
            held: None,
        },
        note: None,
    }
}

/// `status: deleted` for a campaign that does not exist: satisfied.
fn absent(m: &Manifest) -> Action {
    Action {
        name: m.spec.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: None,
        kind: ActionKind::Absent,
        note: None,
    }
}

/// [`compare`], and a replace whose create would fail on its references is kept as drift.
fn compare_checked(m: &Manifest, remote: &RemoteCampaign, observed: &Observed) -> Action {
    let mut action = compare(m, remote);
    check_replace(&mut action, m, observed);
    action
}

/// A replace whose create would fail on its references (`m`'s) is kept as drift.
pub(super) fn check_replace(action: &mut Action, m: &Manifest, observed: &Observed) {
    if matches!(action.kind, ActionKind::Replace { .. }) {
        let problems = check_references(m, observed);
        if problems.iter().any(Diagnostic::is_error) {
            action.keep_as_drift(unreplaceable_note(&problems));
        }
    }
}

/// The action for a manifest matched to `remote`: unchanged, replaced (a draft that differs)
/// or drift (anything that may have run, or cannot be created from the manifest).
fn compare(m: &Manifest, remote: &RemoteCampaign) -> Action {
    let spec = &m.spec;
    let mut changes = Vec::new();
    if spec.name != remote.name {
        // A campaign adopted by id, or one renamed with renamed_from.
        changes.push(FieldChange {
            field: "name",
            desired: json!(spec.name),
            actual: json!(remote.name),
            known_from: None,
        });
    }
    changes.extend(diff(spec, remote));
    let write_once = write_once_fields(spec);
    let (kind, note) = if changes.is_empty() {
        (ActionKind::Unchanged { write_once }, None)
    } else {
        match why_not_replaced(spec, remote) {
            None => (
                ActionKind::Replace {
                    changes,
                    write_once,
                    request: spec.create_request(),
                    renamed_from: (spec.name != remote.name).then(|| remote.name.clone()),
                    leads: None,
                },
                None,
            ),
            Some(why) => (
                ActionKind::Drift {
                    changes,
                    write_once,
                },
                Some(why),
            ),
        }
    };
    Action {
        name: spec.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: Some(remote.id),
        kind,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Assistant, CampaignStatus, PhoneNumber, PostCallVariable};
    use crate::campaign::{ClockTime, Weekday};
    use crate::manifest::{CampaignSpec, Location};

    fn manifest(spec: CampaignSpec) -> Manifest {
        Manifest {
            spec,
            location: Location::new("c.yaml", 1, 1),
            positions: crate::manifest::Positions::new(std::path::Path::new("c.yaml").into(), None),
        }
    }

    fn spec(name: &str) -> CampaignSpec {
        CampaignSpec {
            name: name.into(),
            assistant_id: Some(7),
            ..CampaignSpec::default()
        }
    }

    fn remote(id: u64, name: &str) -> RemoteCampaign {
        RemoteCampaign {
            id,
            name: name.into(),
            // Running: drift on it is reported, never corrected (a draft would be replaced).
            status: CampaignStatus::InProgress,
            max_calls_in_parallel: Some(3),
            mark_complete_when_no_leads: Some(true),
            allowed_hours_start_time: ClockTime::parse_api("00:00:00"),
            allowed_hours_end_time: ClockTime::parse_api("23:59:00"),
            allowed_days: Some(vec![
                Weekday::Friday,
                Weekday::Monday,
                Weekday::Saturday,
                Weekday::Sunday,
                Weekday::Thursday,
                Weekday::Tuesday,
                Weekday::Wednesday,
            ]),
            max_retries: Some(3),
            retry_interval: Some(60),
            created_at: None,
            updated_at: None,
            unreadable: Default::default(),
        }
    }

    fn observed(campaigns: Vec<RemoteCampaign>) -> Observed {
        Observed {
            campaigns,
            assistants: vec![Assistant {
                id: 7,
                name: "Sales".into(),
                kind: "outbound".into(),
                mode: None,
                status: None,
                timezone: None,
                post_call_schema: vec![PostCallVariable {
                    name: "booked".into(),
                    kind: "bool".into(),
                    description: None,
                }],
                listed: Default::default(),
            }],
            phone_numbers: vec![PhoneNumber {
                id: 45,
                phone_number: "+12025550145".into(),
                country_code: None,
                type_label: None,
                is_available: None,
            }],
        }
    }

    #[test]
    fn missing_campaign_is_created_with_only_the_set_fields() {
        let mut s = spec("A");
        s.max_retries = Some(2);
        let p = plan(&[manifest(s)], &observed(vec![]));
        assert_eq!(
            p.summary(),
            Summary {
                create: 1,
                ..Summary::default()
            }
        );
        let (_, req) = p.creates().next().expect("one create");
        let body = serde_json::to_value(req).expect("json");
        assert_eq!(
            body,
            json!({"name": "A", "assistant_id": 7, "max_retries": 2}),
            "unset fields must not be sent"
        );
    }

    #[test]
    fn unset_fields_are_not_compared_whatever_the_platform_defaults() {
        let p = plan(&[manifest(spec("A"))], &observed(vec![remote(1, "A")]));
        assert_eq!(
            p.summary(),
            Summary {
                unchanged: 1,
                ..Summary::default()
            },
            "{p:#?}"
        );
    }

    #[test]
    fn times_with_seconds_equal_times_without() {
        let mut s = spec("A");
        s.allowed_hours_start_time = ClockTime::parse_hi("00:00");
        s.allowed_hours_end_time = ClockTime::parse_hi("23:59");
        let p = plan(&[manifest(s)], &observed(vec![remote(1, "A")]));
        assert_eq!(
            p.summary().unchanged,
            1,
            "09:00 must equal 09:00:00: {p:#?}"
        );
    }

    #[test]
    fn day_order_and_repeats_do_not_matter() {
        use Weekday::*;
        let mut s = spec("A");
        s.allowed_days = Some(vec![
            Sunday, Saturday, Friday, Thursday, Wednesday, Tuesday, Monday,
        ]);
        let p = plan(&[manifest(s.clone())], &observed(vec![remote(1, "A")]));
        assert_eq!(p.summary().unchanged, 1, "days are a set: {p:#?}");

        s.allowed_days = Some(vec![Monday]);
        let p = plan(&[manifest(s)], &observed(vec![remote(1, "A")]));
        match &p.actions[0].kind {
            ActionKind::Drift { changes, .. } => {
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].field, "allowed_days");
                assert_eq!(changes[0].desired, json!(["monday"]));
            }
            other => panic!("expected drift, got {other:?}"),
        }
    }

    #[test]
    fn drift_lists_each_differing_field_and_names_write_once_fields() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        s.retry_interval = Some(60);
        s.timezone = Some("UTC".into());
        let p = plan(&[manifest(s)], &observed(vec![remote(4, "A")]));
        assert_eq!(p.actions[0].remote_id, Some(4));
        match &p.actions[0].kind {
            ActionKind::Drift {
                changes,
                write_once,
            } => {
                assert_eq!(
                    changes,
                    &vec![FieldChange {
                        field: "max_retries",
                        desired: json!(5),
                        actual: json!(3),
                        known_from: None,
                    }]
                );
                assert_eq!(write_once, &vec!["assistant_id", "timezone"]);
            }
            other => panic!("expected drift, got {other:?}"),
        }
    }

    #[test]
    fn a_field_the_list_did_not_return_is_not_drift() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        let mut r = remote(1, "A");
        r.max_retries = None;
        assert_eq!(
            plan(&[manifest(s)], &observed(vec![r])).summary().unchanged,
            1
        );
    }

    #[test]
    fn duplicate_remote_names_are_an_error_not_a_guess() {
        let p = plan(
            &[manifest(spec("A"))],
            &observed(vec![remote(1, "A"), remote(2, "A")]),
        );
        assert!(
            p.has_errors(),
            "two remote campaigns with a managed name must be an error"
        );
        assert!(
            p.diagnostics[0].message.contains("ids 1, 2"),
            "{}",
            p.diagnostics[0].message
        );
        assert!(
            p.actions.is_empty(),
            "no action for an ambiguous name, and the twins are not 'unmanaged': {p:#?}"
        );
    }

    #[test]
    fn duplicate_unmanaged_names_are_both_reported_and_sorted_by_id() {
        let p = plan(&[], &observed(vec![remote(9, "X"), remote(3, "X")]));
        let ids: Vec<_> = p.actions.iter().map(|a| a.remote_id).collect();
        assert_eq!(ids, vec![Some(3), Some(9)]);
        assert!(!p.has_errors());
    }

    #[test]
    fn references_are_checked_for_creates() {
        let mut s = spec("A");
        s.assistant_id = Some(99);
        s.phone_number_ids = Some(vec![45, 46]);
        let p = plan(&[manifest(s)], &observed(vec![]));
        let msgs: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("assistant_id 99 does not exist")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("46 is not a phone number")),
            "{msgs:?}"
        );

        let mut s = spec("B");
        s.goal_completion_variable = Some("nope".into());
        let p = plan(&[manifest(s)], &observed(vec![]));
        assert!(
            p.diagnostics[0]
                .message
                .contains("not in the post-call schema"),
            "{:?}",
            p.diagnostics
        );
        assert_eq!(
            p.diagnostics[0].hint.as_deref(),
            Some("bool variables of that assistant: booked")
        );
    }

    #[test]
    fn plan_is_deterministic() {
        let ms = vec![manifest(spec("B")), manifest(spec("A"))];
        let obs = observed(vec![remote(5, "Z"), remote(2, "Y"), remote(1, "A")]);
        let names = |p: &Plan| p.actions.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&plan(&ms, &obs)), vec!["B", "A", "Y", "Z"]);
        assert_eq!(names(&plan(&ms, &obs)), names(&plan(&ms, &obs)));
    }
    fn adopting(id: u64, name: &str) -> CampaignSpec {
        CampaignSpec {
            id: Some(id),
            name: name.into(),
            ..CampaignSpec::default()
        }
    }

    #[test]
    fn a_manifest_with_id_adopts_that_campaign_and_compares_its_name() {
        let p = plan(
            &[manifest(adopting(2, "Renamed"))],
            &observed(vec![remote(1, "Other"), remote(2, "Original")]),
        );
        assert_eq!(
            p.summary(),
            Summary {
                drift: 1,
                unmanaged: 1,
                // Drift on an adopted campaign is what apply cannot act on.
                attention: 1,
                ..Summary::default()
            },
            "{p:#?}"
        );
        let adopted = &p.actions[0];
        assert_eq!(adopted.remote_id, Some(2));
        let ActionKind::Drift { changes, .. } = &adopted.kind else {
            panic!("expected drift on the name, got {adopted:#?}");
        };
        assert_eq!(
            changes,
            &[FieldChange {
                field: "name",
                desired: json!("Renamed"),
                actual: json!("Original"),
                known_from: None,
            }]
        );
    }

    #[test]
    fn an_adopted_campaign_that_no_longer_exists_is_an_error_never_a_create() {
        let p = plan(
            &[manifest(adopting(9, "Gone"))],
            &observed(vec![remote(1, "Gone")]),
        );
        assert_eq!(p.creates().count(), 0, "{p:#?}");
        assert!(p.has_errors());
        assert!(
            p.diagnostics[0]
                .to_string()
                .contains("campaign id 9 (\"Gone\") does not exist"),
            "{}",
            p.diagnostics[0]
        );
        assert_eq!(
            p.summary().unmanaged,
            1,
            "the same-named campaign is not silently taken over"
        );
    }

    fn with_status(mut r: RemoteCampaign, status: &str) -> RemoteCampaign {
        r.status = CampaignStatus::parse(Some(status));
        r
    }

    #[test]
    fn a_drifted_draft_is_replaced_and_anything_that_may_have_run_is_not() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        let p = plan(
            &[manifest(s.clone())],
            &observed(vec![with_status(remote(4, "A"), "draft")]),
        );
        let ActionKind::Replace {
            changes, request, ..
        } = &p.actions[0].kind
        else {
            panic!("a drifted draft is replaced: {p:#?}");
        };
        assert_eq!(changes[0].field, "max_retries");
        assert_eq!(
            request.max_retries,
            Some(5),
            "created with the manifest's fields"
        );
        assert_eq!(p.summary().replace, 1);
        let kinds: Vec<&str> = p.operations.iter().map(|o| o.kind.label()).collect();
        assert_eq!(kinds, ["delete", "create"], "delete first, then create");
        assert!(p.operations[0].effects().destroys_data);
        assert_eq!(p.operations[1].depends_on, [0]);

        for status in ["in-progress", "stopped", "completed", "paused", "mystery"] {
            let p = plan(
                &[manifest(s.clone())],
                &observed(vec![with_status(remote(4, "A"), status)]),
            );
            assert!(
                matches!(p.actions[0].kind, ActionKind::Drift { .. }),
                "{status}: never replaced: {p:#?}"
            );
            let note = p.actions[0].note.as_deref().unwrap_or_default();
            assert!(
                note.contains("never replaces") && note.contains("new name"),
                "{status}: the drift says why and what to do: {note}"
            );
            assert!(p.operations.is_empty(), "{status}: nothing is written");
        }
        let mut none = remote(4, "A");
        none.status = CampaignStatus::NotReturned;
        let p = plan(&[manifest(s)], &observed(vec![none]));
        assert!(
            matches!(p.actions[0].kind, ActionKind::Drift { .. }),
            "no status is not a draft"
        );
    }

    #[test]
    fn status_deleted_deletes_an_existing_campaign_and_is_satisfied_once_it_is_gone() {
        let mut s = spec("A");
        s.status = Some(crate::manifest::DesiredStatus::Deleted);
        let p = plan(&[manifest(s.clone())], &observed(vec![remote(4, "A")]));
        assert!(
            matches!(
                p.actions[0].kind,
                ActionKind::Delete {
                    reason: DeleteReason::Manifest,
                    ..
                }
            ),
            "{p:#?}"
        );
        assert_eq!(p.operations.len(), 1);
        assert_eq!(p.operations[0].kind.label(), "delete");
        assert!(p.operations[0].effects().destroys_data);
        let gone = plan(&[manifest(s)], &observed(vec![]));
        assert!(
            matches!(gone.actions[0].kind, ActionKind::Absent),
            "{gone:#?}"
        );
        assert!(
            !gone.has_changes(),
            "a tombstone whose campaign is gone plans nothing"
        );
        assert_eq!(gone.summary().unchanged, 1);
    }

    #[test]
    fn renamed_from_replaces_a_draft_and_explains_why_a_campaign_that_ran_is_not() {
        let mut s = spec("New");
        s.renamed_from = Some("Old".into());
        let p = plan(
            &[manifest(s.clone())],
            &observed(vec![with_status(remote(4, "Old"), "draft")]),
        );
        let ActionKind::Replace {
            renamed_from,
            changes,
            ..
        } = &p.actions[0].kind
        else {
            panic!("a renamed draft is replaced: {p:#?}");
        };
        assert_eq!(renamed_from.as_deref(), Some("Old"));
        assert_eq!(changes[0].field, "name");
        assert_eq!(
            p.operations[0].campaign, "Old",
            "the delete names the old campaign"
        );
        assert_eq!(p.operations[1].campaign, "New");
        assert_eq!(
            p.summary().unmanaged,
            0,
            "the old campaign is the manifest's"
        );

        let p = plan(&[manifest(s.clone())], &observed(vec![remote(4, "Old")]));
        assert!(
            matches!(p.actions[0].kind, ActionKind::Drift { .. }),
            "{p:#?}"
        );
        let note = p.actions[0].note.as_deref().unwrap_or_default();
        assert!(note.contains("cannot rename"), "{note}");
        assert!(p.operations.is_empty());

        let done = plan(&[manifest(s)], &observed(vec![remote(9, "New")]));
        assert_eq!(
            done.summary().unchanged,
            1,
            "after the rename, renamed_from is inert"
        );
    }

    #[test]
    fn a_create_beside_a_similar_unmanaged_campaign_with_the_same_settings_gets_a_rename_hint() {
        let mut s = spec("Q4 Outreach 2026");
        s.max_retries = Some(3);
        let p = plan(
            &[manifest(s.clone())],
            &observed(vec![remote(4, "Q4 Outreach")]),
        );
        let note = p.actions[0].note.as_deref().unwrap_or_default();
        assert!(
            note.contains("did you rename \"Q4 Outreach\" (id 4)"),
            "{p:#?}"
        );
        s.max_retries = Some(5);
        let p = plan(&[manifest(s)], &observed(vec![remote(4, "Q4 Outreach")]));
        assert_eq!(p.actions[0].note, None, "different settings: no hint");
    }

    #[test]
    fn a_name_held_by_an_adopted_campaign_is_not_created_again() {
        let p = plan(
            &[
                manifest(adopting(1, "New name")),
                manifest(spec("Old name")),
            ],
            &observed(vec![remote(1, "Old name")]),
        );
        assert_eq!(p.creates().count(), 0, "{p:#?}");
        assert!(
            p.diagnostics[0]
                .to_string()
                .contains("held by campaign id 1"),
            "{}",
            p.diagnostics[0]
        );
    }
}
