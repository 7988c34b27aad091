//! The campaign plan alone: every campaign matched and decided with no leads, baseline, prune
//! or scope (`full_plan` is the producer the product runs, with all of them). Pure, with a
//! deterministic order: manifests in load order (file, line), then unmanaged campaigns by id.

use std::collections::BTreeMap;

use crate::manifest::Manifest;
use crate::shown_path::ShownFrom;

pub use super::field_diff::diff;
pub use super::model::{DeleteReason, Disposition, Explanation, FieldChange, Plan, Summary};

use super::derive;
use super::disposition::{decide, Inputs};
use super::lifecycle::LifecycleOptions;
use super::matching::{match_campaigns, Candidate};
use super::model::Deletions;
use super::observed::Observed;

/// The campaign plan alone, with the operations its view derives. `desired` must already be
/// valid (see `manifest::load`), names resolved.
pub fn plan(desired: &[Manifest], observed: &Observed) -> Plan {
    let matching = match_campaigns(desired, observed, &|_| true, &ShownFrom::as_is());
    let options = LifecycleOptions::default();
    let unresolved = BTreeMap::new();
    let declared_assistants = BTreeMap::new();
    let inputs = Inputs {
        observed,
        options: &options,
        baseline: None,
        unresolved: &unresolved,
        leads: None,
        manifests: desired.len(),
        loading: None,
        undeclared: matching
            .candidates
            .iter()
            .filter_map(|c| match c {
                Candidate::Undeclared(r) => Some(*r),
                _ => None,
            })
            .collect(),
        declared_assistants: &declared_assistants,
    };
    let mut diagnostics = matching.diagnostics.clone();
    let mut actions = Vec::with_capacity(matching.candidates.len());
    for c in &matching.candidates {
        let d = decide(c, &inputs);
        diagnostics.extend(d.diagnostics);
        actions.push(d.action);
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let operations = derive::derive(&actions, &[]);
    Plan {
        actions,
        assistants: Vec::new(),
        diagnostics,
        leads_and_status: Vec::new(),
        operations,
        deletions: Deletions::default(),
        write_once_baseline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{
        Assistant, CampaignStatus, PhoneNumber, PostCallVariable, RemoteCampaign,
    };
    use crate::campaign::{ClockTime, Weekday};
    use crate::manifest::{CampaignSpec, Location};
    use serde_json::json;

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
                operations: 1,
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
            Disposition::Drift { changes, .. } => {
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
            Disposition::Drift {
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
        let Disposition::Drift { changes, .. } = &adopted.kind else {
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
        let Disposition::Replace {
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
                matches!(p.actions[0].kind, Disposition::Drift { .. }),
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
            matches!(p.actions[0].kind, Disposition::Drift { .. }),
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
                Disposition::Delete {
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
            matches!(gone.actions[0].kind, Disposition::Absent),
            "{gone:#?}"
        );
        assert!(
            !gone.summary().has_changes(),
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
        let Disposition::Replace {
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
            matches!(p.actions[0].kind, Disposition::Drift { .. }),
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
