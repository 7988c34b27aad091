//! Fleets: plans of hundreds of campaigns stay short and readable, `--target` narrows plan and
//! apply to some campaigns, and a re-plan costs a bounded number of requests. The real binary
//! against the real emulator on loopback.

mod support;

use serde_json::Value;
use support::{campaignctl, Emulator, Workspace};

/// A manifest head that the calling-hours lint has nothing to say about.
const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// Campaign `i` of a fleet: `leads` inline leads, numbers unique across the fleet.
fn campaign(i: usize, leads: usize) -> String {
    let mut doc =
        format!("kind: Campaign\nname: Fleet {i:03}\nassistant_id: 7\nmax_retries: 3\n{QUIET}");
    if leads > 0 {
        doc.push_str("leads:\n  items:\n");
        for l in 0..leads {
            doc.push_str(&format!(
                "    - {{ phone_number: \"+1415{:07}\" }}\n",
                i * 100 + l
            ));
        }
    }
    doc
}

/// `n` campaigns in one file, `c/fleet.yaml`.
fn fleet(ws: &Workspace, n: usize, leads: usize) {
    let docs: Vec<String> = (0..n).map(|i| campaign(i, leads)).collect();
    ws.write("c/fleet.yaml", docs.join("---\n"));
}

/// An emulator that holds a fleet (its default campaign limit is 50).
fn emulator() -> Emulator {
    Emulator::start_with(&["--campaign-limit", "100000"])
}

fn requests(emu: &Emulator) -> u64 {
    let stats = emu.stats();
    stats["requests"]
        .as_u64()
        .unwrap_or_else(|| panic!("no request count in {stats}"))
}

fn apply_all(ws: &Workspace, emu: &Emulator) {
    campaignctl(ws.path(), Some(emu))
        .args(["apply", "--auto-approve", "--parallelism", "8", "c"])
        .run()
        .assert_code(0);
}

fn summary(plan: &Value) -> &Value {
    &plan["summary"]
}

#[test]
fn a_replan_of_300_campaigns_with_3_leads_each_takes_at_most_15_requests() {
    let emu = emulator();
    let ws = Workspace::new();
    fleet(&ws, 300, 3);
    apply_all(&ws, &emu);
    assert_eq!(
        emu.stats()["leads_created"].as_u64(),
        Some(900),
        "setup: every lead created"
    );
    let before = requests(&emu);
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run();
    plan.assert_code(0);
    let doc = plan.json();
    assert_eq!(
        summary(&doc)["unchanged"],
        300,
        "the re-plan sees the fleet: {}",
        summary(&doc)
    );
    assert_eq!(doc["changes"]["leads_to_add"], 0, "and all its leads");
    let used = requests(&emu) - before;
    assert!(
        used <= 15,
        "a re-plan of 300 campaigns x 3 leads sent {used} requests; at most 15 expected (3 lists + 9 pages of account-wide leads)"
    );
}
