//! Unit tests of `reconcile::lifecycle` (in the core crate), here because they build manifests
//! with the loader, which reads files and so is not part of the core.

use std::path::Path;

use crate::reconcile::leads_and_status::ObservedLeads;
use crate::reconcile::lifecycle::*;
use crate::reconcile::observed::Observed;
use crate::reconcile::plan::{Disposition, Plan};

use crate::manifest::parse_bytes;
use crate::reconcile::full_plan::plan_whole_account;
use crate::reconcile::leads_and_status::ObservedLead;

fn observed(campaigns: serde_json::Value) -> Observed {
    Observed {
        campaigns: serde_json::from_value(campaigns).expect("campaigns"),
        assistants: serde_json::from_value(
            serde_json::json!([{"id": 7, "name": "Sales", "type": "outbound"}]),
        )
        .expect("assistants"),
        ..Observed::default()
    }
}

fn planned(yaml: &str, o: &Observed, leads: &ObservedLeads, options: &LifecycleOptions) -> Plan {
    let (manifests, diagnostics) = parse_bytes(Path::new("t.yaml"), yaml.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    plan_whole_account(&manifests, o, options, leads).plan
}

const DRAFT: &str = "kind: Campaign\nname: Q\nassistant_id: 7\nmax_retries: 5\nstatus: running\nleads:\n  items:\n    - { phone_number: \"+14155550101\" }\n";

#[test]
fn a_draft_is_replaced_with_its_leads_and_start_only_when_every_lead_is_declared() {
    let o =
        observed(serde_json::json!([{"id": 3, "name": "Q", "status": "draft", "max_retries": 3}]));
    let declared = ObservedLeads::from([(3, vec![ObservedLead::number(1, "+14155550101")])]);
    let p = planned(DRAFT, &o, &declared, &LifecycleOptions::default());
    let kinds: Vec<&str> = p.operations.iter().map(|o| o.kind.label()).collect();
    assert_eq!(kinds, ["delete", "create", "add_leads", "start"], "{p:#?}");
    assert_eq!(
        p.operations[2].depends_on,
        [1],
        "leads go to the new campaign"
    );
    assert!(p.operations[3].effects().places_calls && !p.operations[0].effects().places_calls);

    let extra = ObservedLeads::from([(
        3,
        vec![
            ObservedLead::number(1, "+14155550101"),
            ObservedLead::number(2, "+14155550199"),
        ],
    )]);
    let p = planned(DRAFT, &o, &extra, &LifecycleOptions::default());
    assert!(
        matches!(p.actions[0].kind, Disposition::Drift { .. }),
        "{p:#?}"
    );
    let note = p.actions[0].note.as_deref().unwrap_or_default();
    assert!(
        note.contains("1 lead(s) on the platform that its manifest does not declare"),
        "{note}"
    );
    assert!(
        !p.operations.iter().any(|o| o.effects().destroys_data),
        "a draft holding an undeclared lead is never deleted: {:?}",
        p.operations
    );
}

#[test]
fn prune_deletes_only_unmanaged_campaigns_under_the_prefix_with_guards() {
    let o = observed(serde_json::json!([
        {"id": 1, "name": "team-a/Q", "status": "draft"},
        {"id": 2, "name": "team-a/old", "status": "in-progress"},
        {"id": 3, "name": "team-b/other", "status": "draft"},
        {"id": 4, "name": "Q", "status": "draft"}
    ]));
    let options = LifecycleOptions {
        prune_prefix: Some("team-a/".into()),
        max_deletes: 10,
        ..LifecycleOptions::default()
    };
    let yaml = "kind: Campaign\nname: team-a/Q\nassistant_id: 7\n";
    let deleted = |p: &Plan| -> Vec<u64> {
        p.operations
            .iter()
            .filter(|o| o.effects().destroys_data)
            .filter_map(|o| match o.target {
                crate::reconcile::operation::Target::Existing { id } => Some(id),
                _ => None,
            })
            .collect()
    };
    // The only candidate has run: absence alone keeps it, and the plan says so.
    let p = planned(yaml, &o, &ObservedLeads::new(), &options);
    assert!(deleted(&p).is_empty(), "{p:#?}");
    assert_eq!(
        p.deletions
            .kept_history
            .iter()
            .map(|k| k.id)
            .collect::<Vec<_>>(),
        [2]
    );
    assert!(!p.has_errors());

    // --prune-history deletes it: only the unmanaged campaign under the prefix.
    let options = LifecycleOptions {
        prune_history: true,
        ..options
    };
    let p = planned(yaml, &o, &ObservedLeads::new(), &options);
    assert_eq!(
        deleted(&p),
        [2],
        "only the unmanaged campaign under the prefix: {p:#?}"
    );
    assert!(!p.has_errors());

    let tight = LifecycleOptions {
        max_deletes: 0,
        ..options.clone()
    };
    let p = planned(yaml, &o, &ObservedLeads::new(), &tight);
    assert!(p.has_errors(), "above --max-deletes the plan is refused");
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.message.contains("\"team-a/old\" (id 2)")),
        "and names them: {:?}",
        p.diagnostics
    );

    let empty = plan_whole_account(&[], &o, &options, &ObservedLeads::new()).plan;
    assert!(empty.has_errors(), "no manifests: refused");
    assert!(
        !empty
            .actions
            .iter()
            .any(|a| matches!(a.kind, Disposition::Delete { .. })),
        "and nothing is marked for deletion"
    );
}
