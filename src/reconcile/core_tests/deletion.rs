//! Unit tests of `reconcile::deletion`'s rules as the producer decides them (in the core
//! crate), here because they build manifests with the loader: each campaign's deletion is
//! decided once from its inputs (status, leads, loading problems, `watch`'s confirmations), and
//! `--max-deletes` counts what would go.

use std::collections::HashSet;
use std::path::Path;

use serde_json::json;

use crate::manifest::parse_bytes;
use crate::reconcile::deletion::proposed_prunes;
use crate::reconcile::full_plan::plan_whole_account;
use crate::reconcile::leads_and_status::{ObservedLead, ObservedLeads};
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::observed::Observed;
use crate::reconcile::operation::Target;
use crate::reconcile::plan::{Disposition, Plan};

/// An account with these campaigns (`[id, name, status]`) and the assistant manifests use.
fn observed(campaigns: &[(u64, &str, &str)]) -> Observed {
    let campaigns: Vec<serde_json::Value> = campaigns
        .iter()
        .map(|(id, name, status)| json!({"id": id, "name": name, "status": status}))
        .collect();
    Observed {
        campaigns: serde_json::from_value(json!(campaigns)).expect("campaigns"),
        assistants: serde_json::from_value(json!([{"id": 7, "name": "Sales", "type": "outbound"}]))
            .expect("assistants"),
        ..Observed::default()
    }
}

/// A manifest of a campaign to create, so that the manifests are not empty (pruning needs some).
const KEEP: &str = "kind: Campaign\nname: Keep\nassistant_id: 7\ntimezone: Europe/Berlin\n";

fn planned(yaml: &str, o: &Observed, options: &LifecycleOptions, leads: &ObservedLeads) -> Plan {
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    plan_whole_account(&manifests, o, options, leads).plan
}

fn pruning() -> LifecycleOptions {
    LifecycleOptions {
        prune_prefix: Some("p-".into()),
        ..LifecycleOptions::default()
    }
}

fn deleted_ids(plan: &Plan) -> Vec<u64> {
    plan.operations
        .iter()
        .filter(|o| o.effects().destroys_data)
        .filter_map(|o| match o.target {
            Target::Existing { id } => Some(id),
            _ => None,
        })
        .collect()
}

fn label(plan: &Plan, name: &str) -> &'static str {
    plan.actions
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} is in the plan: {plan:#?}"))
        .kind
        .label()
}

#[test]
fn absence_deletes_only_drafts_known_to_hold_no_leads() {
    let o = observed(&[
        (1, "p-draft", "draft"),
        (2, "p-running", "in-progress"),
        (3, "p-draft-with-a-lead", "draft"),
        // Its leads were not read: it may hold some.
        (4, "p-unknown-leads", "draft"),
        (5, "p-odd-status", "archived"),
    ]);
    let leads = ObservedLeads::from([
        (1, vec![]),
        (2, vec![]),
        (3, vec![ObservedLead::number(9, "+14155550101")]),
    ]);
    let plan = planned(KEEP, &o, &pruning(), &leads);
    assert_eq!(deleted_ids(&plan), [1]);
    let kept: Vec<u64> = plan.deletions.kept_history.iter().map(|k| k.id).collect();
    assert_eq!(kept, [2, 3, 4, 5]);
    for name in [
        "p-running",
        "p-draft-with-a-lead",
        "p-unknown-leads",
        "p-odd-status",
    ] {
        assert_eq!(label(&plan, name), "unmanaged", "{name}");
    }

    let history = LifecycleOptions {
        prune_history: true,
        ..pruning()
    };
    let plan = planned(KEEP, &o, &history, &leads);
    assert_eq!(deleted_ids(&plan), [1, 2, 3, 4, 5]);
    assert!(plan.deletions.kept_history.is_empty());
}

#[test]
fn a_tombstone_deletes_a_campaign_that_has_run_unless_a_loading_problem_holds_it() {
    let o = observed(&[(1, "Q", "completed")]);
    let tombstone = "kind: Campaign\nname: Q\nstatus: deleted\n";
    let leads = ObservedLeads::from([(1, vec![ObservedLead::number(9, "+14155550101")])]);
    let plan = planned(tombstone, &o, &LifecycleOptions::default(), &leads);
    assert_eq!(deleted_ids(&plan), [1]);

    let held = LifecycleOptions {
        holds: vec!["c/a.yaml:1:1: no campaign documents in this file".into()],
        ..LifecycleOptions::default()
    };
    let plan = planned(tombstone, &o, &held, &leads);
    assert!(deleted_ids(&plan).is_empty(), "{plan:#?}");
    assert_eq!(label(&plan, "Q"), "held_delete");
    assert_eq!(plan.summary().held, 1);
    assert_eq!(plan.summary().delete, 0);
    assert_eq!(plan.deletions.held, held.holds);
}

#[test]
fn a_loading_problem_keeps_a_replacement_as_drift_and_holds_prunes() {
    let mut o = observed(&[(7, "D", "draft"), (1, "p-draft", "draft")]);
    o.campaigns[0].max_retries = Some(3);
    let d = "kind: Campaign\nname: D\nassistant_id: 7\ntimezone: Europe/Berlin\nmax_retries: 5\n";
    let held = LifecycleOptions {
        holds: vec!["c:1:1: no *.yaml or *.yml files in this directory".into()],
        ..pruning()
    };
    let leads = ObservedLeads::from([(1, vec![]), (7, vec![])]);
    let plan = planned(d, &o, &held, &leads);
    assert!(deleted_ids(&plan).is_empty(), "{plan:#?}");
    let replace = &plan.actions[0];
    assert!(
        matches!(replace.kind, Disposition::Drift { .. }),
        "{plan:#?}"
    );
    assert!(replace
        .note
        .as_deref()
        .is_some_and(|n| n.starts_with("replacing this draft is held: ")
            && n.ends_with("c:1:1: no *.yaml or *.yml files in this directory")));
    assert_eq!(label(&plan, "p-draft"), "held_delete");
}

#[test]
fn watch_holds_a_prune_until_a_pass_confirms_it() {
    let watch = LifecycleOptions {
        prunes_confirmed: Some([2].into()),
        ..pruning()
    };
    let o = observed(&[(1, "p-a", "draft"), (2, "p-b", "draft"), (3, "T", "draft")]);
    let yaml = format!("{KEEP}---\nkind: Campaign\nname: T\nstatus: deleted\n");
    let leads = ObservedLeads::from([(1, vec![]), (2, vec![]), (3, vec![])]);
    let plan = planned(&yaml, &o, &watch, &leads);
    assert_eq!(proposed_prunes(&plan), HashSet::from([1, 2]));
    assert_eq!(label(&plan, "p-a"), "held_delete");
    // A tombstone says so explicitly: it needs no second look.
    let mut deleted = deleted_ids(&plan);
    deleted.sort_unstable();
    assert_eq!(deleted, [2, 3]);
}

#[test]
fn a_prune_watch_has_not_confirmed_still_counts_against_max_deletes() {
    let watch = LifecycleOptions {
        prunes_confirmed: Some(Default::default()),
        max_deletes: 1,
        ..pruning()
    };
    let o = observed(&[(1, "p-a", "draft"), (2, "p-b", "draft")]);
    let leads = ObservedLeads::from([(1, vec![]), (2, vec![])]);
    let plan = planned(KEEP, &o, &watch, &leads);
    assert!(deleted_ids(&plan).is_empty(), "{plan:#?}");
    let refusal = plan.diagnostics.iter().find(|d| d.is_error());
    assert!(
        refusal.is_some_and(|d| d.message.contains("more than --max-deletes 1")),
        "{:#?}",
        plan.diagnostics
    );
    // A loading problem holds them for good this pass: nothing would go, nothing refused.
    let held = LifecycleOptions {
        holds: vec!["c:1:1: no campaign documents in this file".into()],
        ..watch
    };
    let plan = planned(KEEP, &o, &held, &leads);
    assert!(plan.diagnostics.is_empty(), "{:#?}", plan.diagnostics);
    assert!(proposed_prunes(&plan).is_empty());
}
