//! Snapshots of the renderings people and CI read: the text plan, the Markdown comment and the
//! GitHub annotations, for one plan that has a bit of everything (a create with leads and a
//! start, drift, an unchanged campaign, an unmanaged one, a stop before new leads, a plan-time
//! error). A change to any of them shows up as a reviewable diff of the snapshot
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test it renderings`).

use std::path::Path;

use campaignctl::manifest::parse_bytes;
use campaignctl::reconcile::full_plan::plan_whole_account;
use campaignctl::reconcile::leads_and_status::ObservedLeads;
use campaignctl::reconcile::lifecycle::LifecycleOptions;
use campaignctl::reconcile::{Observed, Plan};
use campaignctl::render::{github, markdown, text};

const MANIFESTS: &str = r#"kind: Campaign
name: New with leads
assistant: Sales Outbound
timezone: America/New_York
allowed_hours_start_time: "09:00"
allowed_hours_end_time: "17:00"
status: running
leads:
  items:
    - { phone_number: "+14155550101", variables: { first_name: Ada } }
---
kind: Campaign
name: Drifted
assistant_id: 7
max_retries: 2
allowed_days: [monday, friday]
---
kind: Campaign
name: In sync
assistant_id: 7
max_calls_in_parallel: 3
---
kind: Campaign
name: Stop me
assistant_id: 7
status: stopped
leads:
  items:
    - { phone_number: "+14155550102" }
---
kind: Campaign
name: Broken
assistant_id: 404
"#;

fn plan() -> Plan {
    let (manifests, diagnostics) =
        parse_bytes(Path::new("campaigns/all.yaml"), MANIFESTS.as_bytes());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let observed = Observed {
        campaigns: serde_json::from_value(serde_json::json!([
            {"id": 11, "name": "Drifted", "status": "draft", "max_retries": 3,
             "allowed_days": ["monday", "tuesday"]},
            {"id": 12, "name": "In sync", "status": "stopped", "max_calls_in_parallel": 3},
            {"id": 13, "name": "Stop me", "status": "in-progress"},
            {"id": 14, "name": "Legacy Outreach", "status": "completed"}
        ]))
        .expect("campaigns"),
        assistants: serde_json::from_value(serde_json::json!([
            {"id": 7, "name": "Sales Outbound", "type": "outbound"}
        ]))
        .expect("assistants"),
        phone_numbers: Vec::new(),
    };
    let leads = ObservedLeads::from([(11, vec![]), (12, vec![]), (13, vec![])]);
    plan_whole_account(&manifests, &observed, &LifecycleOptions::default(), &leads).plan
}

fn plain(styled: &str) -> String {
    anstream::adapter::strip_str(styled).to_string()
}

#[test]
fn text_plan() {
    insta::assert_snapshot!(plain(&text::plan_text(&plan())));
}

#[test]
fn markdown_comment() {
    insta::assert_snapshot!(markdown::plan_markdown(&plan(), &[]));
}

#[test]
fn github_annotations() {
    insta::assert_snapshot!(github::plan(&plan(), &[], &Default::default()));
}
