//! How the producer decides one campaign for the inputs that more than one rule reads (a loading
//! problem, `--max-deletes`, `watch`'s confirmation, undeclared leads, a write-once change on a
//! campaign that has run): each case pins the campaign's disposition, its note, what it
//! destroys and the refusal, whatever order the rules run in.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use crate::shown_path::ShownFrom;

use crate::manifest::parse_bytes;
use crate::reconcile::baseline::Baseline;
use crate::reconcile::full_plan::{plan_whole_account, PlanInputs};
use crate::reconcile::leads_and_status::{ObservedLead, ObservedLeads};
use crate::reconcile::lifecycle::LifecycleOptions;
use crate::reconcile::observed::Observed;
use crate::reconcile::operation::Target;
use crate::reconcile::plan::Plan;
use crate::reconcile::scope::Scope;

/// A draft `Q` (id 3) whose max_retries differs from its manifest's, holding one lead, and an
/// unmanaged draft `p-old` (id 4) under the prune prefix, holding none.
fn observed(q_status: &str) -> Observed {
    Observed {
        campaigns: serde_json::from_value(json!([
            {"id": 3, "name": "Q", "status": q_status, "max_retries": 3},
            {"id": 4, "name": "p-old", "status": "draft"}
        ]))
        .expect("campaigns"),
        assistants: serde_json::from_value(json!([{"id": 7, "name": "Sales", "type": "outbound"}]))
            .expect("assistants"),
        ..Observed::default()
    }
}

const Q: &str = "kind: Campaign\nname: Q\nassistant_id: 7\ntimezone: Europe/Berlin\nmax_retries: 5\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";

fn leads(q: &[&str]) -> ObservedLeads {
    let q = q
        .iter()
        .enumerate()
        .map(|(i, n)| ObservedLead::number(i as u64 + 1, n))
        .collect();
    ObservedLeads::from([(3, q), (4, vec![])])
}

fn planned(yaml: &str, o: &Observed, leads: &ObservedLeads, options: &LifecycleOptions) -> Plan {
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    plan_whole_account(&manifests, o, options, leads).plan
}

/// What the plan decided about one campaign: its label and note, whether an operation destroys
/// it, and the plan's first error.
fn decided(p: &Plan, name: &str) -> (String, Option<String>, bool, Option<String>) {
    let a = p
        .actions
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} is in the plan: {p:#?}"));
    let destroyed = p.operations.iter().any(|o| {
        o.effects().destroys_data
            && matches!(o.target, Target::Existing { id } if Some(id) == a.remote_id)
    });
    let error = p
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(|d| d.message.clone());
    (a.kind.label().to_owned(), a.note.clone(), destroyed, error)
}

fn pruning() -> LifecycleOptions {
    LifecycleOptions {
        prune_prefix: Some("p-".into()),
        ..LifecycleOptions::default()
    }
}

#[test]
fn a_loading_problem_keeps_the_replacement_as_drift_and_holds_the_prune() {
    let options = LifecycleOptions {
        holds: vec!["c/b.yaml:1:1: no campaign documents in this file".into()],
        ..pruning()
    };
    let p = planned(Q, &observed("draft"), &leads(&["+14155550101"]), &options);
    let (label, note, destroyed, error) = decided(&p, "Q");
    assert_eq!((label.as_str(), destroyed, error), ("drift", false, None));
    assert!(
        note.is_some_and(|n| n.starts_with("replacing this draft is held: ")
            && n.ends_with("c/b.yaml:1:1: no campaign documents in this file"))
    );
    let (label, _, destroyed, _) = decided(&p, "p-old");
    assert_eq!((label.as_str(), destroyed), ("held_delete", false));
}

#[test]
fn past_max_deletes_the_plan_is_refused_and_names_a_replacement_and_a_prune() {
    let options = LifecycleOptions {
        max_deletes: 1,
        ..pruning()
    };
    let p = planned(Q, &observed("draft"), &leads(&["+14155550101"]), &options);
    let (label, _, _, error) = decided(&p, "Q");
    assert_eq!(label, "replace");
    let error = error.expect("refused");
    assert!(
        error.contains("would delete 2 campaign(s), more than --max-deletes 1")
            && error.contains("\"Q\" (id 3)")
            && error.contains("\"p-old\" (id 4)"),
        "{error}"
    );
}

#[test]
fn a_prune_watch_has_not_confirmed_is_held_and_one_it_has_is_carried_out() {
    let unconfirmed = LifecycleOptions {
        prunes_confirmed: Some(Default::default()),
        ..pruning()
    };
    let o = observed("draft");
    let p = planned(Q, &o, &leads(&["+14155550101"]), &unconfirmed);
    let (label, note, destroyed, error) = decided(&p, "p-old");
    assert_eq!(
        (label.as_str(), note, destroyed, error),
        ("held_delete", None, false, None)
    );
    assert_eq!(
        crate::reconcile::deletion::proposed_prunes(&p),
        [4].into(),
        "proposed for the next pass to confirm"
    );
    // The replacement is not a prune: it needs no second look.
    assert!(decided(&p, "Q").2);

    let confirmed = LifecycleOptions {
        prunes_confirmed: Some([4].into()),
        ..pruning()
    };
    let p = planned(Q, &o, &leads(&["+14155550101"]), &confirmed);
    assert_eq!(decided(&p, "p-old"), ("delete".into(), None, true, None));
}

#[test]
fn a_draft_holding_an_undeclared_lead_stays_drift_and_the_prune_still_goes() {
    let p = planned(
        Q,
        &observed("draft"),
        &leads(&["+14155550101", "+14155550199"]),
        &pruning(),
    );
    let (label, note, destroyed, error) = decided(&p, "Q");
    assert_eq!((label.as_str(), destroyed, error), ("drift", false, None));
    assert!(note.is_some_and(|n| n.starts_with("this draft holds 1 lead(s) on the platform")));
    assert!(decided(&p, "p-old").2);
}

#[test]
fn a_write_once_change_on_a_campaign_that_ran_is_drift_and_an_error_never_a_replace() {
    let (before, _) = parse_bytes(
        Path::new("t.yaml"),
        Q.replace("Europe/Berlin", "America/New_York").as_bytes(),
    );
    let options = LifecycleOptions {
        baseline: Some(Arc::new(Baseline::single("git revision abc", before))),
        ..pruning()
    };
    let p = planned(
        Q,
        &observed("in-progress"),
        &leads(&["+14155550101"]),
        &options,
    );
    let (label, _, destroyed, error) = decided(&p, "Q");
    assert_eq!((label.as_str(), destroyed), ("drift", false));
    let error = error.expect("an error");
    assert!(
        error.contains("timezone changed since git revision abc"),
        "{error}"
    );
    // The same change on a draft replaces it.
    let p = planned(Q, &observed("draft"), &leads(&["+14155550101"]), &options);
    assert_eq!(decided(&p, "Q").0, "replace");
}

/// Which leads a plan reads is a query over the inputs, asked before any lead is known: the
/// draft to replace (even while a loading problem holds its replacement, so the plan can say
/// what it would lose) and the prune candidate, each once, with the leads its manifest declares.
#[test]
fn the_leads_to_read_are_decided_from_the_inputs_alone() {
    let (manifests, _) = parse_bytes(Path::new("t.yaml"), Q.as_bytes());
    let o = observed("draft");
    let as_is = ShownFrom::as_is();
    for holds in [
        vec![],
        vec!["c/b.yaml:1:1: no campaign documents in this file".into()],
    ] {
        let options = LifecycleOptions { holds, ..pruning() };
        let inputs = PlanInputs::new(
            manifests.clone(),
            &o,
            &options,
            &Scope::whole_account(),
            &as_is,
        );
        assert_eq!(inputs.leads_to_read(), [(3, 1), (4, 0)]);
    }
    let without_prune = PlanInputs::new(
        manifests,
        &o,
        &LifecycleOptions::default(),
        &Scope::whole_account(),
        &as_is,
    );
    assert_eq!(without_prune.leads_to_read(), [(3, 1)]);
}
