//! `campaignctl status` (issue 22, item 2) against the emulator: campaigns in three zones with
//! seeded leads of several statuses, at a fixed instant (`CAMPAIGNCTL_NOW`), in text (a
//! snapshot) and JSON (exact counts), and the number of requests it costs.

use std::path::Path;

use serde_json::json;

use crate::support::{campaignctl, Emulator, Run, Workspace};

/// Wednesday 2026-12-02 15:00 UTC: 10:00 in New York, 15:00 in London, 00:00 Thursday in Tokyo.
const NOW: &str = "2026-12-02T15:00:00Z";

/// The account: three managed campaigns (New York, London, Tokyo) and one no manifest names,
/// whose name carries a control character, with leads in several statuses.
const CAMPAIGNS: &str = r#"campaigns:
  - { id: 1, name: "NY Renewals", status: in-progress, assistant_id: 7, timezone: America/New_York, allowed_hours_start_time: "09:00", allowed_hours_end_time: "17:00", allowed_days: [monday, tuesday, wednesday, thursday, friday] }
  - { id: 2, name: "London Winback", status: stopped, assistant_id: 7, timezone: Europe/London, max_calls_in_parallel: 3, allowed_hours_start_time: "08:00", allowed_hours_end_time: "12:00" }
  - { id: 3, name: "Tokyo Launch", status: draft, assistant_id: 7, timezone: Asia/Tokyo, allowed_hours_start_time: "09:00", allowed_hours_end_time: "18:00" }
  - { id: 4, name: "Legacy \e[31mred", status: completed, assistant_id: 7 }
leads:
  - { id: 100, campaign_id: 1, phone_number: "+14155550100", status: created }
  - { id: 101, campaign_id: 1, phone_number: "+14155550101", status: created }
  - { id: 102, campaign_id: 1, phone_number: "+14155550102", status: created }
  - { id: 103, campaign_id: 1, phone_number: "+14155550103", status: completed }
  - { id: 104, campaign_id: 1, phone_number: "+14155550104", status: completed }
  - { id: 105, campaign_id: 1, phone_number: "+14155550105", status: reached-max-retries }
  - { id: 106, campaign_id: 2, phone_number: "+14155550106", status: blacklisted }
  - { id: 107, campaign_id: 4, phone_number: "+14155550107", status: completed }
"#;

const MANIFESTS: &[(&str, &str)] = &[
    (
        "campaigns/ny.yaml",
        "kind: Campaign\nname: NY Renewals\nassistant_id: 7\ntimezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\nallowed_days: [monday, tuesday, wednesday, thursday, friday]\n",
    ),
    // Drift: the platform runs it with 3 lines.
    (
        "campaigns/london.yaml",
        "kind: Campaign\nname: London Winback\nassistant_id: 7\ntimezone: Europe/London\nmax_calls_in_parallel: 5\nallowed_hours_start_time: \"08:00\"\nallowed_hours_end_time: \"12:00\"\n",
    ),
    (
        "campaigns/tokyo.yaml",
        "kind: Campaign\nname: Tokyo Launch\nassistant_id: 7\ntimezone: Asia/Tokyo\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"18:00\"\n",
    ),
    // Not on the platform yet.
    (
        "campaigns/paris.yaml",
        "kind: Campaign\nname: Paris Pilot\nassistant_id: 7\ntimezone: Europe/Paris\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n",
    ),
];

/// An emulator holding `campaigns` (YAML: `campaigns:` and `leads:`) beside the demo seed's
/// assistants and numbers; keep the directory while it runs.
pub(crate) fn emulator_with(campaigns: &str) -> (Emulator, tempfile::TempDir) {
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/emulator/src/demo_seed.yaml"),
    )
    .expect("the demo seed");
    let seed = demo.replace("campaigns: []\nleads: []\n", campaigns);
    assert_ne!(
        seed, demo,
        "the demo seed ends with empty campaigns and leads"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("seed.yaml");
    std::fs::write(&file, seed).expect("write the seed");
    (
        Emulator::start_with(&["--seed", &file.to_string_lossy()]),
        dir,
    )
}

fn fixture() -> (Emulator, tempfile::TempDir, Workspace) {
    let (emu, seed) = emulator_with(CAMPAIGNS);
    let ws = Workspace::new();
    for (path, text) in MANIFESTS {
        ws.write(path, text);
    }
    (emu, seed, ws)
}

fn status(ws: &Workspace, emu: &Emulator, extra: &[&str]) -> Run {
    campaignctl(ws.path(), Some(emu))
        .args(["status", "campaigns"])
        .args(extra)
        .env("CAMPAIGNCTL_NOW", NOW)
        .run()
}

#[test]
fn the_table_shows_status_sync_leads_and_windows() {
    let (emu, _seed, ws) = fixture();
    let run = status(&ws, &emu, &["--tz", "Europe/Berlin"]);
    run.assert_code(0);
    run.assert_only_stdout("6 (created 3, completed 2, reached-max-retries 1)");
    // The control character in the unmanaged campaign's name is escaped.
    run.assert_nowhere("\u{1b}");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn json_has_the_exact_counts_and_windows() {
    let (emu, _seed, ws) = fixture();
    let run = status(&ws, &emu, &["--format", "json", "--tz", "UTC"]);
    run.assert_code(0);
    let doc = run.json();
    assert_eq!(doc["kind"], "status", "{run}");
    assert_eq!(doc["now"], NOW);
    assert_eq!(doc["tz"], "UTC");
    let campaigns = doc["accounts"][0]["campaigns"]
        .as_array()
        .expect("campaigns");
    let by_name = |name: &str| {
        campaigns
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name:?} in {run}"))
            .clone()
    };
    let ny = by_name("NY Renewals");
    assert_eq!(ny["sync"], "synced", "{ny}");
    assert_eq!(ny["status"], "in-progress");
    assert_eq!(
        ny["leads"],
        json!({"total": 6, "by_status": {"created": 3, "completed": 2, "reached-max-retries": 1}})
    );
    assert_eq!(
        ny["window"],
        json!({
            "timezone": "America/New_York",
            "open": true,
            "next_open": "2026-12-03T09:00:00-05:00",
            "next_open_in_tz": "2026-12-03T14:00:00Z",
        })
    );
    let london = by_name("London Winback");
    assert_eq!(london["sync"], "out_of_sync", "drift: {london}");
    assert_eq!(london["leads"]["by_status"], json!({"blacklisted": 1}));
    assert_eq!(london["window"]["open"], false, "15:00 in London");
    assert_eq!(london["window"]["next_open"], "2026-12-03T08:00:00Z");
    let tokyo = by_name("Tokyo Launch");
    assert_eq!(tokyo["sync"], "synced", "{tokyo}");
    assert_eq!(tokyo["leads"]["total"], 0);
    assert_eq!(tokyo["window"]["open"], false, "midnight in Tokyo");
    assert_eq!(tokyo["window"]["next_open"], "2026-12-03T09:00:00+09:00");
    let paris = by_name("Paris Pilot");
    assert_eq!(paris["sync"], "missing");
    assert_eq!(paris["id"], json!(null));
    assert_eq!(paris["window"], json!(null));
    let legacy = by_name("Legacy \u{1b}[31mred");
    assert_eq!(legacy["sync"], "unmanaged");
    assert_eq!(legacy["leads"]["by_status"], json!({"completed": 1}));
    assert_eq!(legacy["window"], json!(null), "no manifest: zone unknown");
    assert_eq!(campaigns.len(), 5, "{run}");
}

#[test]
fn status_reads_the_three_lists_and_the_leads_a_page_of_100_at_a_time() {
    // 250 leads on one campaign: 3 pages of the account's leads.
    let mut seed = String::from(
        "campaigns:\n  - { id: 1, name: \"Big\", status: draft, assistant_id: 7 }\nleads:\n",
    );
    for i in 0..250 {
        seed.push_str(&format!(
            "  - {{ id: {}, campaign_id: 1, phone_number: \"+1415556{i:04}\" }}\n",
            1000 + i
        ));
    }
    let (emu, _seed) = emulator_with(&seed);
    let ws = Workspace::new();
    ws.write(
        "campaigns/big.yaml",
        "kind: Campaign\nname: Big\nassistant_id: 7\ntimezone: UTC\n",
    );
    let before = emu.stats()["requests"].as_u64().expect("requests");
    let run = status(&ws, &emu, &["--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        run.json()["accounts"][0]["campaigns"][0]["leads"]["total"],
        250
    );
    let requests = emu.stats()["requests"].as_u64().expect("requests") - before;
    assert_eq!(
        requests, 6,
        "campaigns, assistants, numbers and 3 pages of leads; {run}"
    );
}

#[test]
fn a_zone_that_is_not_one_is_refused_with_a_suggestion() {
    let ws = Workspace::new();
    let run = campaignctl(ws.path(), None)
        .args(["status", "--tz", "Europe/Berln"])
        .run();
    run.assert_code(1);
    run.assert_only_stderr("did you mean Europe/Berlin?");
}

#[test]
fn invalid_manifests_read_nothing_and_fail() {
    let (emu, _seed) = emulator_with(CAMPAIGNS);
    let ws = Workspace::new();
    ws.write(
        "campaigns/bad.yaml",
        "kind: Campaign\nname: Bad\nmax_retries: 9\n",
    );
    let before = emu.stats()["requests"].as_u64().expect("requests");
    let run = status(&ws, &emu, &[]);
    run.assert_code(1);
    run.assert_only_stderr("max_retries");
    assert_eq!(emu.stats()["requests"].as_u64().expect("requests"), before);
}

#[test]
fn an_account_that_cannot_be_read_is_an_error_in_the_document_and_exit_1() {
    // The emulator wants another token: every request is refused with 401.
    let emu = Emulator::start_as("127.0.0.1:0", "another-token", &[]);
    let ws = Workspace::new();
    for (path, text) in MANIFESTS {
        ws.write(path, text);
    }
    let run = status(&ws, &emu, &["--format", "json"]);
    run.assert_code(1);
    let account = &run.json()["accounts"][0];
    assert!(
        account["error"].as_str().is_some_and(|e| !e.is_empty()),
        "the document says why: {run}"
    );
    assert_eq!(account["campaigns"], json!(null), "{run}");
    run.assert_nowhere(crate::support::TOKEN);
}

#[test]
fn leads_to_add_make_a_campaign_out_of_sync_as_the_plan_says() {
    let (emu, _seed) = emulator_with(CAMPAIGNS);
    let ws = Workspace::new();
    // NY Renewals as on the platform, plus one lead it does not hold.
    ws.write(
        "campaigns/ny.yaml",
        format!(
            "{}leads:\n  items:\n    - {{ phone_number: \"+14155550199\" }}\n",
            MANIFESTS[0].1
        ),
    );
    // A tombstone whose campaign is gone is as its manifest wants it.
    ws.write(
        "campaigns/old.yaml",
        "kind: Campaign\nname: Old Promo\nassistant_id: 7\nstatus: deleted\n",
    );
    let run = status(&ws, &emu, &["--format", "json"]);
    run.assert_code(0);
    let doc = run.json();
    let named = |name: &str| {
        doc["accounts"][0]["campaigns"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == name))
            .unwrap_or_else(|| panic!("no {name:?}: {run}"))
            .clone()
    };
    assert_eq!(
        named("NY Renewals")["sync"],
        "out_of_sync",
        "a lead to add: {run}"
    );
    assert_eq!(named("Old Promo")["sync"], "synced", "{run}");
    assert_eq!(named("Old Promo")["id"], json!(null), "{run}");
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns", "--detailed-exitcode"])
        .run();
    plan.assert_code(2);
    plan.assert_only_stdout("NY Renewals");
}
