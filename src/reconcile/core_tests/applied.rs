//! Unit tests of `reconcile::applied` (in the core crate) over whole plans: what a run's
//! outcomes change in the record of what was applied. Here because they build manifests with
//! the loader, which reads files and so is not part of the core.

use std::path::Path;
use std::sync::Arc;

use crate::manifest::{parse_bytes, DesiredStatus};
use crate::reconcile::applied::{
    changes_of, AppliedCampaign, AppliedRecord, RecordChange, Succeeded,
};
use crate::reconcile::full_plan::plan_whole_account;
use crate::reconcile::leads_and_status::{ObservedLead, ObservedLeads};
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::observed::Observed;
use crate::reconcile::plan::Plan;

const RUNNING: &str = "kind: Campaign\nname: Q\nassistant_id: 7\nstatus: running\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";

fn planned(campaigns: serde_json::Value, record: Option<AppliedRecord>) -> Plan {
    let o = Observed {
        campaigns: serde_json::from_value(campaigns).expect("campaigns"),
        assistants: serde_json::from_value(
            serde_json::json!([{"id": 7, "name": "Sales", "type": "outbound"}]),
        )
        .expect("assistants"),
        ..Observed::default()
    };
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), RUNNING.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let options = LifecycleOptions {
        applied: record.into(),
        ..LifecycleOptions::default()
    };
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    plan_whole_account(&manifests, &o, &options, &leads).plan
}

fn status_set(changes: &[RecordChange]) -> Vec<(String, Option<u64>, Option<DesiredStatus>)> {
    changes
        .iter()
        .filter_map(|c| match c {
            RecordChange::Set { name, entry, .. } => Some((name.clone(), entry.id, entry.status)),
            RecordChange::Remove { .. } => None,
        })
        .collect()
}

#[test]
fn a_created_campaign_whose_start_was_held_is_recorded_as_the_draft_it_is() {
    let p = planned(serde_json::json!([]), None);
    let ops: Vec<&str> = p.operations.iter().map(|o| o.kind.label()).collect();
    assert_eq!(ops, ["create", "add_leads", "start"]);
    // The create and the leads done, the start held.
    let done: Succeeded = [(0, Some(9)), (1, Some(9))].into_iter().collect();
    assert_eq!(
        status_set(&changes_of(&p, &done, Some("abc"))),
        [("Q".to_owned(), Some(9), Some(DesiredStatus::Draft))]
    );
    let all: Succeeded = [(0, Some(9)), (1, Some(9)), (2, Some(9))]
        .into_iter()
        .collect();
    assert_eq!(
        status_set(&changes_of(&p, &all, None)),
        [("Q".to_owned(), Some(9), Some(DesiredStatus::Running))]
    );
    assert!(
        changes_of(&p, &Succeeded::new(), None).is_empty(),
        "a create that failed records nothing"
    );
}

#[test]
fn a_failed_start_keeps_the_entry_and_a_running_campaign_is_recorded_as_such() {
    let mut stopped = AppliedRecord::default();
    stopped.campaigns.insert(
        "Q".into(),
        AppliedCampaign {
            id: Some(3),
            status: Some(DesiredStatus::Stopped),
            commit: None,
            manifest: None,
            commit_name: None,
        },
    );
    let p = planned(
        serde_json::json!([{"id": 3, "name": "Q", "status": "stopped"}]),
        Some(stopped),
    );
    assert_eq!(
        p.operations
            .iter()
            .map(|o| o.kind.label())
            .collect::<Vec<_>>(),
        ["start"],
        "git changed stopped to running: asked for"
    );
    assert!(changes_of(&p, &Succeeded::new(), None).is_empty());

    let running = planned(
        serde_json::json!([{"id": 3, "name": "Q", "status": "in-progress"}]),
        None,
    );
    assert_eq!(
        status_set(&changes_of(&running, &Succeeded::new(), None)),
        [("Q".to_owned(), Some(3), Some(DesiredStatus::Running))]
    );
}

#[test]
fn a_stop_left_alone_changes_nothing_in_the_record() {
    let mut started = AppliedRecord::default();
    started.campaigns.insert(
        "Q".into(),
        AppliedCampaign {
            id: Some(3),
            status: Some(DesiredStatus::Running),
            commit: None,
            manifest: None,
            commit_name: None,
        },
    );
    let p = planned(
        serde_json::json!([{"id": 3, "name": "Q", "status": "stopped"}]),
        Some(started),
    );
    assert!(p.operations.is_empty());
    assert_eq!(p.starts_left_alone().count(), 1);
    assert!(!p.summary().has_changes(), "a warning, not a change");
    assert!(changes_of(&p, &Succeeded::new(), None).is_empty());
}

/// The record's commit for `Q` after a run at commit "new" over a record at "old", with the
/// write-once values of `before` as the baseline (`None`: no baseline knew Q).
fn commit_after(before: Option<&str>, campaigns: serde_json::Value) -> Option<String> {
    let o = Observed {
        campaigns: serde_json::from_value(campaigns).expect("campaigns"),
        assistants: serde_json::from_value(
            serde_json::json!([{"id": 7, "name": "Sales", "type": "outbound"}]),
        )
        .expect("assistants"),
        ..Observed::default()
    };
    let now = format!("{RUNNING}timezone: America/Chicago\n");
    let (manifests, _) = parse_bytes(Path::new("t.yaml"), now.as_bytes());
    let mut old = AppliedRecord::default();
    old.campaigns.insert(
        "Q".into(),
        AppliedCampaign {
            id: Some(3),
            status: Some(DesiredStatus::Running),
            commit: Some("old".into()),
            manifest: None,
            commit_name: None,
        },
    );
    let options = LifecycleOptions {
        applied: Some(old.clone()).into(),
        baseline: before.map(|zone| {
            let was = format!("{RUNNING}timezone: {zone}\n");
            let (was, _) = parse_bytes(Path::new("t.yaml"), was.as_bytes());
            Arc::new(crate::reconcile::baseline::Baseline::single("old", was))
        }),
        ..LifecycleOptions::default()
    };
    let leads = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    let p = plan_whole_account(&manifests, &o, &options, &leads).plan;
    old.merge(&changes_of(&p, &Succeeded::new(), Some("new")));
    old.campaigns["Q"].commit.clone()
}

#[test]
fn the_recorded_commit_moves_only_where_the_write_once_values_are_known_to_be_on_the_platform() {
    let running = serde_json::json!([{"id": 3, "name": "Q", "status": "in-progress"}]);
    assert_eq!(
        commit_after(Some("America/New_York"), running.clone()),
        Some("old".into()),
        "a write-once change refused on a campaign that has run keeps the old commit"
    );
    assert_eq!(
        commit_after(Some("America/Chicago"), running.clone()),
        Some("new".into()),
        "compared and equal: the values of the new commit are on the platform"
    );
    assert_eq!(
        commit_after(None, running),
        Some("old".into()),
        "not compared: nothing says the new values are there"
    );
    let draft = serde_json::json!([{"id": 3, "name": "Q", "status": "draft"}]);
    assert_eq!(
        commit_after(Some("America/New_York"), draft),
        Some("old".into()),
        "a replacement not carried out keeps the old commit"
    );
}

#[test]
fn an_entry_without_a_commit_keeps_none_unless_its_values_were_carried_out_or_compared() {
    use crate::reconcile::applied::CommitRule;
    let now = || Some("new".to_owned());
    assert_eq!(CommitRule::NotCompared.resolve(now(), Some(None)), None);
    assert_eq!(
        CommitRule::NotCompared.resolve(now(), None),
        now(),
        "first record"
    );
    assert_eq!(CommitRule::Refused.resolve(now(), Some(None)), None);
    assert_eq!(CommitRule::Carried.resolve(now(), Some(None)), now());
    assert_eq!(CommitRule::Verified.resolve(now(), Some(None)), now());
}
