//! Fleets: plans of hundreds of campaigns stay short and readable, `--target` narrows plan and
//! apply to some campaigns, and a re-plan costs a bounded number of requests. The real binary
//! against the real emulator on loopback.

use crate::support::{campaignctl, Emulator, Workspace};
use serde_json::Value;

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

fn lines(text: &str) -> usize {
    text.lines().count()
}

#[test]
fn an_unchanged_fleet_plans_in_a_few_lines_and_verbose_lists_it() {
    let emu = emulator();
    let ws = Workspace::new();
    fleet(&ws, 200, 0);
    apply_all(&ws, &emu);
    let plan = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    plan.assert_code(0)
        .assert_nothing_to_apply()
        .assert_only_stdout("Plan: 0 to create, 0 drifted, 200 unchanged, 0 unmanaged.")
        .assert_stdout("200 unchanged campaign(s) not listed (--verbose lists them).");
    assert!(
        lines(&plan.stdout) < 10,
        "200 unchanged campaigns took {} lines to say so:\n{}",
        lines(&plan.stdout),
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("is up to date"),
        "unchanged campaigns are counted, not listed:\n{}",
        plan.stdout
    );

    let verbose = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "-v"])
        .run();
    verbose.assert_code(0);
    let listed = verbose
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("= \"Fleet ") && l.contains("is up to date"))
        .count();
    assert_eq!(
        listed, 200,
        "--verbose lists every unchanged campaign:\n{}",
        verbose.stdout
    );
    assert!(
        !verbose.stdout.contains("not listed"),
        "--verbose lists everything:\n{}",
        verbose.stdout
    );
}

#[test]
fn a_drifted_campaign_is_shown_at_the_top_of_a_big_plan() {
    let emu = emulator();
    let ws = Workspace::new();
    fleet(&ws, 200, 0);
    apply_all(&ws, &emu);
    // Campaign 150 now wants 5 retries; the platform has 3. It is a draft, so the plan
    // replaces it.
    let mut docs: Vec<String> = (0..200).map(|i| campaign(i, 0)).collect();
    docs[150] = docs[150].replace("max_retries: 3", "max_retries: 5");
    ws.write("c/fleet.yaml", docs.join("---\n"));
    let plan = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    plan.assert_code(0).assert_only_stdout(
        "Plan: 0 to create, 1 to replace, 0 drifted, 199 unchanged, 0 unmanaged.",
    );
    let at = plan
        .stdout
        .lines()
        .position(|l| l.contains("-/+ campaign \"Fleet 150\""))
        .unwrap_or_else(|| panic!("no replace block for Fleet 150:\n{}", plan.stdout));
    assert!(
        at < 5,
        "the drifted campaign's block is at line {} of {}:\n{}",
        at + 1,
        lines(&plan.stdout),
        plan.stdout
    );
    assert!(
        lines(&plan.stdout) < 15,
        "one drifted campaign among 200 took {} lines:\n{}",
        lines(&plan.stdout),
        plan.stdout
    );
}

#[test]
fn references_and_leads_sit_with_their_own_campaign() {
    let emu = emulator();
    let ws = Workspace::new();
    let docs: Vec<String> = (0..3)
        .map(|i| {
            campaign(i, 2).replace(
                "assistant_id: 7\n",
                "assistant: Sales Outbound\nphone_numbers: [\"+12025550145\"]\n",
            )
        })
        .collect();
    ws.write("c/fleet.yaml", docs.join("---\n"));
    let plan = campaignctl(ws.path(), Some(&emu)).args(["plan", "c"]).run();
    plan.assert_code(0);
    let out = &plan.stdout;
    let find = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in the plan:\n{out}"))
    };
    for i in 0..3 {
        let name = format!("\"Fleet {i:03}\"");
        let block = find(&format!("+ campaign {name} {{"));
        let next = if i < 2 {
            find(&format!("+ campaign \"Fleet {:03}\" {{", i + 1))
        } else {
            out.len()
        };
        for line in [
            format!("# {name} refers to assistant \"Sales Outbound\" (id 7)"),
            format!("+ {name} gains 2 lead(s)"),
        ] {
            let at = find(&line);
            assert!(
                block < at && at < next,
                "{line:?} is not inside the block of {name} (block at byte {block}, next at {next}, line at {at}):\n{out}"
            );
        }
    }
}

#[test]
fn planning_one_file_lists_no_other_campaign_as_unmanaged() {
    let emu = emulator();
    let ws = Workspace::new();
    ws.write("c/a.yaml", campaign(1, 0));
    ws.write("c/b.yaml", campaign(2, 0));
    apply_all(&ws, &emu);
    emu.api(
        "POST",
        "user/campaign",
        Some(serde_json::json!({"name": "Hand Made", "assistant_id": 7})),
    );

    // The directory is the whole account: the hand-made campaign is unmanaged.
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .run()
        .assert_code(0)
        .assert_stdout("? \"Hand Made\" (id 3) is not in any manifest")
        .assert_stdout("2 unchanged, 1 unmanaged.");

    // One file says nothing about the rest of the account.
    let one = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c/a.yaml", "-v"])
        .run();
    one.assert_code(0)
        .assert_stdout("= \"Fleet 001\" (id ")
        .assert_stdout("1 unchanged, 0 unmanaged.")
        .assert_stdout("Only part of the account was planned");
    for other in ["Fleet 002", "Hand Made", "not in any manifest"] {
        assert!(
            !one.stdout.contains(other),
            "planning c/a.yaml mentions {other:?}:\n{}",
            one.stdout
        );
    }
    for format in ["markdown", "github"] {
        campaignctl(ws.path(), Some(&emu))
            .args(["plan", "c/a.yaml", "--format", format])
            .run()
            .assert_code(0)
            .assert_stdout("Only part of the account was planned");
    }
    let json = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c/a.yaml", "--format", "json"])
        .run()
        .json();
    assert_eq!(summary(&json)["unmanaged"], 0, "{json:#}");
    assert_eq!(json["scope"]["whole_account"], false, "{json:#}");
}

/// Three campaigns, each with one lead: "Alpha East", "Alpha West", "Beta".
fn three(ws: &Workspace) {
    let docs: Vec<String> = ["Alpha East", "Alpha West", "Beta"]
        .iter()
        .enumerate()
        .map(|(i, name)| campaign(i, 1).replace(&format!("Fleet {i:03}"), name))
        .collect();
    ws.write("c/three.yaml", docs.join("---\n"));
}

fn action_names(plan: &Value) -> Vec<String> {
    plan["actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no actions in {plan:#}"))
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn target_narrows_plan_and_apply_to_the_named_campaigns() {
    let emu = emulator();
    let ws = Workspace::new();
    three(&ws);
    emu.api(
        "POST",
        "user/campaign",
        Some(serde_json::json!({"name": "Hand Made", "assistant_id": 7})),
    );

    let plan = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--target", "Alpha *", "--format", "json"])
        .run();
    plan.assert_code(0);
    let doc = plan.json();
    assert_eq!(action_names(&doc), ["Alpha East", "Alpha West"], "{doc:#}");
    let ops: Vec<&str> = doc["operations"]
        .as_array()
        .map(|ops| ops.iter().filter_map(|o| o["campaign"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !ops.is_empty() && ops.iter().all(|c| c.starts_with("Alpha ")),
        "only the targets' operations: {ops:?}"
    );
    assert_eq!(doc["scope"]["targets"], serde_json::json!(["Alpha *"]));

    campaignctl(ws.path(), Some(&emu))
        .args([
            "apply",
            "c",
            "--auto-approve",
            "--target",
            "Alpha East",
            "--target",
            "Alpha W*",
        ])
        .run()
        .assert_code(0)
        .assert_only_stdout("Apply complete: 2 created");
    assert_eq!(
        emu.campaign_names(),
        ["Alpha East", "Alpha West", "Hand Made"],
        "Beta is not created"
    );
    assert_eq!(
        emu.stats()["leads_created"].as_u64(),
        Some(2),
        "only the targets' leads are added"
    );

    // The rest follows with a plain apply.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c", "--auto-approve"])
        .run()
        .assert_code(0)
        .assert_only_stdout("Apply complete: 1 created");
    assert_eq!(
        emu.campaign_names(),
        ["Alpha East", "Alpha West", "Beta", "Hand Made"]
    );
}

#[test]
fn an_unmatched_target_is_refused_with_a_suggestion_and_nothing_is_written() {
    let emu = emulator();
    let ws = Workspace::new();
    three(&ws);
    for args in [&["plan", "c"][..], &["apply", "c", "--auto-approve"][..]] {
        campaignctl(ws.path(), Some(&emu))
            .args(args)
            .args(["--target", "Beta", "--target", "Alpha Eastt"])
            .run()
            .assert_code(1)
            .assert_stderr("--target \"Alpha Eastt\" matches no campaign")
            .assert_stderr("did you mean \"Alpha East\"?");
    }
    assert!(emu.campaigns().is_empty(), "nothing was created");
}

#[test]
fn a_saved_plan_keeps_its_targets() {
    let emu = emulator();
    let ws = Workspace::new();
    three(&ws);
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--target", "Beta", "--out", "beta.plan"])
        .run()
        .assert_code(0);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "beta.plan", "--target", "Alpha *"])
        .run()
        .assert_code(1)
        .assert_stderr("--target cannot be combined with the saved plan");
    assert!(emu.campaigns().is_empty(), "refused before any write");
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "beta.plan"])
        .run()
        .assert_code(0)
        .assert_only_stdout("Apply complete: 1 created");
    assert_eq!(emu.campaign_names(), ["Beta"], "the plan's target only");
}

#[test]
fn a_problem_of_another_campaign_does_not_block_a_target() {
    let emu = emulator();
    let ws = Workspace::new();
    let broken = campaign(2, 0).replace("assistant_id: 7\n", "assistant: Nobody\n");
    ws.write("c/two.yaml", format!("{}---\n{broken}", campaign(1, 0)));
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c"])
        .run()
        .assert_code(1)
        .assert_stderr("Nobody");
    let targeted = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c", "--auto-approve", "--target", "Fleet 001"])
        .run();
    targeted
        .assert_code(0)
        .assert_only_stdout("Apply complete: 1 created");
    // The untargeted campaign's problem is not reported.
    targeted.assert_nowhere("Nobody");
    assert_eq!(emu.campaign_names(), ["Fleet 001"]);
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c", "--auto-approve", "--target", "Fleet 002"])
        .run()
        .assert_code(1)
        .assert_stderr("Nobody");
}

#[test]
fn without_a_terminal_an_apply_prints_lines_and_no_progress_bar() {
    // 100 ms a request, one at a time: the apply runs well past the moment after which a
    // terminal would get a bar.
    let emu = Emulator::start_with(&["--latency", "100"]);
    let ws = Workspace::new();
    fleet(&ws, 12, 0);
    let run = campaignctl(ws.path(), Some(&emu))
        .env_remove("CI")
        .args(["apply", "c", "--auto-approve", "--parallelism", "1"])
        .run();
    run.assert_code(0)
        .assert_only_stdout("Apply complete: 12 created");
    let created = run
        .stdout
        .lines()
        .filter(|l| l.contains(": created (id "))
        .count();
    assert_eq!(created, 12, "one line per operation:\n{}", run.stdout);
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains('\r') && !text.contains("/12 operations") && !text.contains("\u{1b}["),
            "a progress bar (or terminal control) without a terminal:\n{text:?}"
        );
    }
}
