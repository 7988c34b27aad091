//! The plan as operations, end to end: ordering from dependencies (a stop before new leads, leads
//! before a start), skipped and held outcomes, the account refusing creates, and an interrupted
//! apply. The real binary against the real emulator on loopback.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::support::{campaignctl, Emulator, Workspace};
use serde_json::Value;

/// A manifest head that the calling-hours lint has nothing to say about.
const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

fn manifest(name: &str, status: &str, numbers: &[&str]) -> String {
    let items: String = numbers
        .iter()
        .map(|n| format!("    - {{ phone_number: \"{n}\" }}\n"))
        .collect();
    format!(
        "kind: Campaign\nname: {name}\nassistant_id: 7\nstatus: {status}\nleads:\n  items:\n{items}{QUIET}"
    )
}

fn stat(emu: &Emulator, key: &str) -> u64 {
    let stats = emu.stats();
    stats[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no {key} in {stats}"))
}

fn operations(doc: &Value) -> Vec<Value> {
    doc["operations"]
        .as_array()
        .unwrap_or_else(|| panic!("no operations in {doc:#}"))
        .clone()
}

#[test]
fn a_running_campaign_is_stopped_before_its_new_lead_is_added() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/go.yaml", manifest("Go", "running", &["+14155550101"]));
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("started: it is calling");
    assert_eq!(emu.campaigns()[0]["status"], "in-progress");

    // Stop it and add a lead in one change: the lead must arrive after the stop, or the
    // running campaign calls it.
    ws.write(
        "c/go.yaml",
        manifest("Go", "stopped", &["+14155550101", "+14155550102"]),
    );
    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run()
        .json();
    let ops = operations(&plan);
    let kinds: Vec<&str> = ops.iter().filter_map(|o| o["op"].as_str()).collect();
    assert_eq!(kinds, ["stop", "add_leads"], "{plan:#}");
    assert_eq!(
        ops[1]["depends_on"],
        serde_json::json!([0]),
        "the leads wait for the stop: {plan:#}"
    );
    assert_eq!(
        ops[1]["effects"]["places_calls"], false,
        "stopped first, the new lead is not called, so --allow-start is not needed: {plan:#}"
    );

    let before = stat(&emu, "leads_created_while_running");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("\"Go\": stopped (status stopped)")
        .assert_stdout("\"Go\": 1 lead(s) added, 0 failed");
    assert_eq!(
        stat(&emu, "leads_created_while_running"),
        before,
        "a lead was added while the campaign was still running: it would have been called"
    );
    assert_eq!(emu.campaigns()[0]["status"], "stopped");
}

#[test]
fn a_refused_create_skips_that_campaigns_leads_and_start_and_sends_no_more_creates() {
    // The account may hold one campaign: the second create gets 403, the third is not sent.
    let emu = Emulator::start_with(&["--campaign-limit", "1"]);
    let ws = Workspace::new();
    for (file, name) in [("c/a.yaml", "A"), ("c/b.yaml", "B"), ("c/c.yaml", "C")] {
        ws.write(file, manifest(name, "running", &["+14155550101"]));
    }
    let run = campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "--auto-approve",
            "--allow-start",
            "--parallelism",
            "1",
            "--format",
            "json",
            "c",
        ])
        .run();
    run.assert_code(1);
    let doc = run.json();
    let outcome = |campaign: &str, op: &str| -> String {
        operations(&doc)
            .iter()
            .find(|o| o["campaign"] == campaign && o["op"] == op)
            .and_then(|o| o["outcome"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("no {op} of {campaign} in {doc:#}"))
    };
    assert_eq!(
        [
            outcome("A", "create"),
            outcome("A", "add_leads"),
            outcome("A", "start")
        ],
        ["done", "done", "done"],
        "{doc:#}"
    );
    assert_eq!(outcome("B", "create"), "failed", "{doc:#}");
    assert_eq!(
        [outcome("B", "add_leads"), outcome("B", "start")],
        ["skipped", "skipped"],
        "a failed create skips that campaign's leads and start: {doc:#}"
    );
    assert_eq!(
        [outcome("C", "create"), outcome("C", "add_leads")],
        ["skipped", "skipped"],
        "after a 403 no further create is sent: {doc:#}"
    );
    assert_eq!(
        stat(&emu, "campaign_create_requests"),
        2,
        "the third create was never sent"
    );
    let skipped_b = operations(&doc)
        .into_iter()
        .find(|o| o["campaign"] == "B" && o["op"] == "start")
        .expect("B start");
    assert!(
        skipped_b["reason"]
            .as_str()
            .is_some_and(|r| r.contains("the create of \"B\" failed")),
        "the reason names the operation it waited for: {skipped_b:#}"
    );
    assert_eq!(
        doc["summary"]["skipped"], 5,
        "B: leads and start; C: all three: {doc:#}"
    );

    // The same in text: each skipped operation is named once, with why.
    let ws2 = Workspace::new();
    ws2.write("c/d.yaml", manifest("D", "running", &["+14155550101"]));
    campaignctl(ws2.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(1)
        .assert_stdout("\"D\": failed: the platform refused the request (403)")
        .assert_stdout("\"D\": add leads skipped: the create of \"D\" failed")
        .assert_stdout("\"D\": start skipped: the create of \"D\" failed");
}

#[test]
fn auto_approve_without_allow_start_holds_leads_for_a_running_campaign() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/go.yaml", manifest("Go", "running", &["+14155550101"]));
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(0);
    ws.write(
        "c/go.yaml",
        manifest("Go", "running", &["+14155550101", "+14155550102"]),
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--format", "json", "c"])
        .run();
    run.assert_code(0);
    let doc = run.json();
    let ops = operations(&doc);
    assert_eq!(ops.len(), 1, "{doc:#}");
    assert_eq!(ops[0]["outcome"], "held", "{doc:#}");
    assert_eq!(ops[0]["flag"], "--allow-start", "{doc:#}");
    assert_eq!(
        stat(&emu, "leads_created_while_running"),
        0,
        "nobody was called"
    );
}

#[test]
fn an_interrupted_apply_reports_what_did_not_run_and_a_rerun_creates_no_duplicate() {
    // Each request takes 700 ms and one operation runs at a time: at the signal one create is
    // in flight and the others have not started.
    let emu = Emulator::start_with(&["--latency", "700"]);
    let ws = Workspace::with_samples();
    let mut child = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--parallelism", "1", "campaigns"])
        .spawn();
    let deadline = Instant::now() + Duration::from_secs(15);
    while stat(&emu, "campaign_create_requests") < 1 {
        assert!(Instant::now() < deadline, "no create was ever sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline + Duration::from_secs(15),
            "apply did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    let _ = child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out);
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    assert_eq!(status.code(), Some(1), "exit {status}\n{out}\n{err}");
    assert!(
        out.contains("skipped: not started: the run was interrupted"),
        "the report names the operations that did not run:\n{out}\n{err}"
    );
    assert!(
        out.contains("Apply failed:"),
        "and says the apply did not finish:\n{out}"
    );
    let created = emu.campaigns().len();
    assert_eq!(
        created as u64,
        stat(&emu, "campaign_create_requests"),
        "every create that was sent finished before the exit\n{out}\n{err}"
    );
    assert!(created < 4, "no create started after the signal\n{out}");

    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "campaigns"])
        .run()
        .assert_code(0);
    let mut names = emu.campaign_names();
    let total = names.len();
    names.sort();
    names.dedup();
    assert_eq!(
        (total, names.len()),
        (4, 4),
        "the re-run created the rest, each once"
    );
}

/// Three manifests with two leads each that must run.
fn racing_manifests(ws: &Workspace) {
    for name in ["R1", "R2", "R3"] {
        ws.write(
            &format!("c/{name}.yaml"),
            manifest(name, "running", &["+14155550101", "+14155550102"]),
        );
    }
}

#[test]
fn three_racing_applies_leave_every_campaign_once_started_once_and_every_lead_once() {
    // Three runs on three machines (no shared lock) apply the same manifests at once. The
    // platform has no conditional create, so each may create every campaign; verification
    // after the creates must leave one campaign per name, started once, each lead once.
    let emu = Emulator::start_with(&["--latency", "40"]);
    let workspaces: Vec<Workspace> = (0..3).map(|_| Workspace::new()).collect();
    for ws in &workspaces {
        racing_manifests(ws);
    }
    let runs: Vec<_> = workspaces
        .iter()
        .map(|ws| {
            let cmd = campaignctl(ws.path(), Some(&emu)).args([
                "apply",
                "--auto-approve",
                "--allow-start",
                "--format",
                "json",
                "c",
            ]);
            std::thread::spawn(move || cmd.run())
        })
        .collect();
    let runs: Vec<_> = runs
        .into_iter()
        .map(|t| t.join().expect("run thread"))
        .collect();
    let creates_sent = stat(&emu, "campaign_create_requests");
    let campaigns = emu.campaigns();
    let mut names: Vec<String> = emu.campaign_names();
    names.sort();
    let context = || {
        let reports: Vec<String> = runs.iter().map(|r| r.to_string()).collect();
        format!(
            "creates sent: {creates_sent}\ncampaigns: {campaigns:#?}\nruns:\n{}",
            reports.join("\n---\n")
        )
    };
    assert_eq!(
        names,
        ["R1", "R2", "R3"],
        "one campaign per name\n{}",
        context()
    );
    assert!(
        campaigns.iter().all(|c| c["status"] == "in-progress"),
        "every campaign runs\n{}",
        context()
    );
    assert_eq!(
        stat(&emu, "campaigns_started"),
        3,
        "each campaign started once\n{}",
        context()
    );
    assert_eq!(
        stat(&emu, "leads_created"),
        6,
        "each lead created once\n{}",
        context()
    );
    // A run that plans while another's copies still exist (created, not yet deleted by its
    // verification) refuses the ambiguous names and writes nothing: the designed outcome, more
    // likely on a loaded machine. Any other failure is a bug. At least one run applies.
    // The refusal is in the JSON error document on stdout, or on stderr if it came first.
    let refused_ambiguity = |run: &crate::support::Run| {
        [&run.stdout, &run.stderr].iter().any(|out| {
            out.contains("campaigns on the platform (ids")
                && out.contains("will not guess which one this manifest means")
        })
    };
    for run in &runs {
        if run.code != 0 {
            assert!(
                run.code == 1 && refused_ambiguity(run),
                "a run failed other than by refusing an ambiguous name\n{}",
                context()
            );
        }
    }
    assert!(
        runs.iter().any(|r| r.code == 0),
        "no run applied\n{}",
        context()
    );
    eprintln!("creates sent by the three runs: {creates_sent}");
}

#[test]
fn a_second_apply_on_the_same_machine_waits_for_the_lock_or_gives_up() {
    // Requests take 400 ms: the first apply holds the account's lock for a few seconds.
    let emu = Emulator::start_with(&["--latency", "400"]);
    let ws = Workspace::with_samples();
    let first = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--parallelism", "1", "campaigns"])
        .spawn();
    let deadline = Instant::now() + Duration::from_secs(15);
    while stat(&emu, "requests") < 1 {
        assert!(
            Instant::now() < deadline,
            "the first apply never reached the platform"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let impatient = campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "--auto-approve",
            "--lock-timeout",
            "0s",
            "campaigns",
        ])
        .run();
    impatient
        .assert_code(1)
        .assert_stderr("another campaignctl run holds the lock")
        .assert_stderr(&format!("pid {} (campaignctl apply)", first.id()))
        .assert_only_stderr("hint:");
    let patient = campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "--auto-approve",
            "--lock-timeout",
            "60s",
            "campaigns",
        ])
        .run();
    patient
        .assert_code(0)
        .assert_stderr("Waiting for the lock on");
    let output = first.wait_with_output().expect("first apply");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stat(&emu, "campaign_create_requests"),
        4,
        "the second apply planned after the first finished: nothing left to create"
    );
}

#[test]
fn leads_wait_for_a_fresh_status_read_even_late_in_a_long_apply() {
    // Two drafts gain leads in one apply, one operation at a time; the second is started in
    // the dashboard while the first's leads are still being added. Its leads must then be
    // held: the status read right before them, not one made at the start of the run.
    let emu = Emulator::start_with(&["--latency", "40"]);
    let ws = Workspace::new();
    let numbers: Vec<String> = (0..40).map(|i| format!("+1415555{i:04}")).collect();
    let first: Vec<&str> = numbers.iter().map(String::as_str).collect();
    ws.write("c/a.yaml", manifest("A", "draft", &first[..1]));
    ws.write("c/b.yaml", manifest("B", "draft", &["+14155559901"]));
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    ws.write("c/a.yaml", manifest("A", "draft", &first));
    ws.write(
        "c/b.yaml",
        manifest("B", "draft", &["+14155559901", "+14155559902"]),
    );
    let b_id = emu
        .campaigns()
        .iter()
        .find(|c| c["name"] == "B")
        .map(|c| c["id"].clone())
        .expect("B");
    let before = stat(&emu, "leads_created");
    let child = campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "--auto-approve",
            "--parallelism",
            "1",
            "--format",
            "json",
            "c",
        ])
        .spawn();
    let deadline = Instant::now() + Duration::from_secs(15);
    while stat(&emu, "leads_created") < before + 2 {
        assert!(Instant::now() < deadline, "A's leads were never added");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Started elsewhere, while A's leads are still going in.
    emu.api(
        "POST",
        "user/campaigns/update-status",
        Some(serde_json::json!({"campaign_id": b_id, "action": "start"})),
    );
    let output = child.wait_with_output().expect("apply");
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let b = operations(&doc)
        .into_iter()
        .find(|o| o["campaign"] == "B")
        .unwrap_or_else(|| panic!("no operation for B in {doc:#}"));
    assert_eq!(b["outcome"], "held", "{doc:#}");
    assert_eq!(
        stat(&emu, "leads_created_while_running"),
        0,
        "no lead went to the started campaign: {doc:#}"
    );
}

#[test]
fn racing_applies_with_lost_answers_still_leave_every_campaign_once() {
    // As the three racing applies above, with answers lost and server errors on the way: a run
    // may not know which copy is its own, and a delete may lose its answer too. Whatever the
    // runs report, once they (and at most a few re-runs, as a user would) are done, every name
    // is held once, started once, each lead created once.
    for seed in ["1", "2", "3"] {
        let emu = Emulator::start_with(&[
            "--latency",
            "30",
            "--drop-rate",
            "0.15",
            "--error-rate",
            "0.15",
            "--fault-seed",
            seed,
        ]);
        let workspaces: Vec<Workspace> = (0..3).map(|_| Workspace::new()).collect();
        for ws in &workspaces {
            racing_manifests(ws);
        }
        let apply = |ws: &Workspace| {
            campaignctl(ws.path(), Some(&emu))
                .args(["apply", "--auto-approve", "--allow-start", "c"])
                .env("CAMPAIGNCTL_RETRY_BASE_DELAY_MS", "20")
        };
        let runs: Vec<_> = workspaces
            .iter()
            .map(|ws| {
                let cmd = apply(ws);
                std::thread::spawn(move || cmd.run())
            })
            .collect();
        let mut log: Vec<String> = runs
            .into_iter()
            .map(|t| t.join().expect("run").to_string())
            .collect();
        // Re-runs, one at a time, until one succeeds (the recovery a user would use).
        for _ in 0..4 {
            let run = apply(&workspaces[0]).run();
            log.push(run.to_string());
            if run.code == 0 {
                break;
            }
        }
        let mut names = emu.campaign_names();
        names.sort();
        let context = format!(
            "seed {seed}\ncampaigns: {:#?}\nstats: {}\nruns:\n{}",
            emu.campaigns(),
            emu.stats(),
            log.join("\n---\n")
        );
        assert_eq!(
            names,
            ["R1", "R2", "R3"],
            "one campaign per name\n{context}"
        );
        assert_eq!(
            stat(&emu, "campaigns_started"),
            3,
            "each started once\n{context}"
        );
        assert_eq!(stat(&emu, "leads_created"), 6, "each lead once\n{context}");
    }
}
