//! Lifecycle end to end (issue 12): edits, renames and removals in the manifests become plans
//! that replace drafts, delete what must not exist, prune by prefix and update lead variables,
//! and never destroy anything without `--allow-delete`. The real binary against the real
//! emulator on loopback; the emulator's counters and stored campaigns say what happened.

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{campaignctl, commit_all, git, Emulator, Run, Workspace};
use serde_json::{json, Value};

/// A manifest tail that the calling-hours lint has nothing to say about.
const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// A campaign on the demo account's outbound assistant 7 with `extra` fields and these leads.
fn manifest(name: &str, extra: &str, numbers: &[&str]) -> String {
    let leads = if numbers.is_empty() {
        String::new()
    } else {
        let items: String = numbers
            .iter()
            .map(|n| format!("    - {{ phone_number: \"{n}\" }}\n"))
            .collect();
        format!("leads:\n  items:\n{items}")
    };
    format!("kind: Campaign\nname: {name}\nassistant_id: 7\n{extra}{leads}{QUIET}")
}

fn stat(emu: &Emulator, key: &str) -> u64 {
    let stats = emu.stats();
    stats[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no {key} in {stats}"))
}

fn campaign(emu: &Emulator, name: &str) -> Option<Value> {
    emu.campaigns().into_iter().find(|c| c["name"] == name)
}

fn id_of(emu: &Emulator, name: &str) -> u64 {
    campaign(emu, name)
        .and_then(|c| c["id"].as_u64())
        .unwrap_or_else(|| {
            panic!(
                "no campaign {name:?} on the platform: {:?}",
                emu.campaigns()
            )
        })
}

/// The phone numbers of a campaign's leads, sorted.
fn lead_numbers(emu: &Emulator, id: u64) -> Vec<String> {
    let mut v: Vec<String> = leads(emu, id)
        .iter()
        .filter_map(|l| l["phone_number"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

fn leads(emu: &Emulator, id: u64) -> Vec<Value> {
    let page = emu.api(
        "GET",
        &format!("user/leads?campaign_id={id}&per_page=100"),
        None,
    );
    page["data"].as_array().cloned().unwrap_or_default()
}

fn run(ws: &Workspace, emu: &Emulator, args: &[&str]) -> Run {
    campaignctl(ws.path(), Some(emu)).args(args).run()
}

/// `plan --detailed-exitcode` says 0: nothing to do.
#[track_caller]
fn assert_in_sync(ws: &Workspace, emu: &Emulator, extra: &[&str]) {
    let mut args = vec!["plan", "--detailed-exitcode", "c"];
    args.extend_from_slice(extra);
    run(ws, emu, &args).assert_code(0).assert_nothing_to_apply();
}

fn action<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["name"] == name))
        .unwrap_or_else(|| panic!("no action for {name:?} in {plan:#}"))
}

#[test]
fn a_drifted_draft_is_replaced_with_its_fields_and_leads_then_the_plan_is_empty() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let numbers = ["+14155550101", "+14155550102"];
    ws.write("c/q.yaml", manifest("Q", "max_retries: 3\n", &numbers));
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    let old = id_of(&emu, "Q");

    ws.write("c/q.yaml", manifest("Q", "max_retries: 5\n", &numbers));
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("-/+ campaign \"Q\"")
        .assert_stdout("max_retries = 3 -> 5   # forces replacement");
    let plan = run(&ws, &emu, &["plan", "c", "--format", "json"]).json();
    assert_eq!(action(&plan, "Q")["action"], "replace", "{plan:#}");
    let ops: Vec<&str> = plan["operations"]
        .as_array()
        .map(|o| o.iter().filter_map(|o| o["op"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ops, ["delete", "create", "add_leads"], "{plan:#}");
    assert_eq!(plan["operations"][0]["effects"]["destroys_data"], true);

    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-delete", "c"],
    )
    .assert_code(0)
    .assert_stdout("\"Q\" (id ")
    .assert_stdout(": deleted");
    assert_eq!(
        emu.campaigns().iter().filter(|c| c["id"] == old).count(),
        0,
        "the old draft {old} must be gone: {:?}",
        emu.campaigns()
    );
    let new = id_of(&emu, "Q");
    assert_ne!(new, old, "a new campaign replaces the draft");
    assert_eq!(
        campaign(&emu, "Q").map(|c| c["max_retries"].clone()),
        Some(json!(5)),
        "the new campaign has the manifest's fields"
    );
    assert_eq!(
        lead_numbers(&emu, new),
        numbers,
        "the manifest's leads are added again"
    );
    assert_eq!(emu.campaign_names(), ["Q"], "one campaign of the name");
    assert_in_sync(&ws, &emu, &[]);
}

#[test]
fn a_drifted_draft_holding_an_undeclared_lead_is_kept_and_the_plan_says_why() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/q.yaml",
        manifest("Q", "max_retries: 3\n", &["+14155550101"]),
    );
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    let id = id_of(&emu, "Q");
    emu.api(
        "POST",
        "user/lead",
        Some(json!({"campaign_id": id, "phone_number": "+14155550199"})),
    );

    ws.write(
        "c/q.yaml",
        manifest("Q", "max_retries: 5\n", &["+14155550101"]),
    );
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("~ campaign \"Q\"")
        .assert_stdout("holds 1 lead(s) on the platform that its manifest does not declare")
        .assert_stdout("1 lead(s) not in the manifest, left alone");
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-delete", "c"],
    )
    .assert_code(0);
    assert_eq!(
        stat(&emu, "campaigns_deleted"),
        0,
        "a draft holding an undeclared lead must never be deleted"
    );
    assert_eq!(id_of(&emu, "Q"), id);
    assert_eq!(lead_numbers(&emu, id).len(), 2, "no lead is removed");
}

#[test]
fn drifted_running_and_stopped_campaigns_are_never_deleted_and_the_plan_says_what_to_do() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/r.yaml",
        manifest("R", "max_retries: 3\nstatus: running\n", &["+14155550101"]),
    );
    ws.write(
        "c/s.yaml",
        manifest("S", "max_retries: 3\nstatus: running\n", &["+14155550102"]),
    );
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
    ws.write(
        "c/s.yaml",
        manifest("S", "max_retries: 3\nstatus: stopped\n", &["+14155550102"]),
    );
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    let (r, s) = (id_of(&emu, "R"), id_of(&emu, "S"));
    assert_eq!(
        campaign(&emu, "S").map(|c| c["status"].clone()),
        Some(json!("stopped"))
    );

    ws.write(
        "c/r.yaml",
        manifest("R", "max_retries: 5\nstatus: running\n", &["+14155550101"]),
    );
    ws.write(
        "c/s.yaml",
        manifest("S", "max_retries: 5\nstatus: stopped\n", &["+14155550102"]),
    );
    let out = run(
        &ws,
        &emu,
        &[
            "apply",
            "--auto-approve",
            "--allow-start",
            "--allow-delete",
            "c",
        ],
    );
    out.assert_code(0)
        .assert_stdout("may have run (status in-progress), so campaignctl never replaces it")
        .assert_stdout("may have run (status stopped), so campaignctl never replaces it")
        .assert_stdout("create a new campaign under a new name");
    assert_eq!(
        stat(&emu, "campaigns_deleted"),
        0,
        "a campaign that has run must never be deleted for drift"
    );
    assert_eq!((id_of(&emu, "R"), id_of(&emu, "S")), (r, s));
}

#[test]
fn status_deleted_is_held_without_allow_delete_then_deletes_once_and_plans_empty() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/q.yaml",
        manifest("Q", "status: running\n", &["+14155550101"]),
    );
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
    ws.write("c/q.yaml", "kind: Campaign\nname: Q\nstatus: deleted\n");

    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("- campaign \"Q\" (id 1) WILL DELETE")
        .assert_stdout(
            "deleting it stops its calls and removes its 1 lead(s) and its call history",
        );
    let held = run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-start", "c"],
    );
    held.assert_code(0)
        .assert_stdout("held: delete \"Q\": it destroys data; run with --allow-delete")
        .assert_only_stdout(
            "Held: 1 operation(s) not approved and not carried out; run again with --allow-delete",
        );
    assert_eq!(
        stat(&emu, "campaigns_deleted"),
        0,
        "nothing destroyed without --allow-delete"
    );
    assert!(campaign(&emu, "Q").is_some());

    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-delete", "c"],
    )
    .assert_code(0)
    .assert_only_stdout("Deleted: 1 campaign(s).");
    assert_eq!(stat(&emu, "campaigns_deleted"), 1);
    assert!(emu.campaigns().is_empty(), "{:?}", emu.campaigns());
    assert_in_sync(&ws, &emu, &[]);
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-delete", "c"],
    )
    .assert_code(0);
    assert_eq!(stat(&emu, "campaigns_deleted"), 1, "deleted exactly once");

    // The tombstone can go later: nothing is left to manage.
    std::fs::remove_file(ws.path().join("c/q.yaml")).expect("remove the manifest");
    ws.write("c/other.yaml", manifest("Other", "", &[]));
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    assert_in_sync(&ws, &emu, &[]);
}

#[test]
fn markdown_and_github_mark_destruction_as_loudly_as_calls() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/gone.yaml", manifest("Gone", "", &["+14155550101"]));
    ws.write("c/draft.yaml", manifest("Draft", "max_retries: 3\n", &[]));
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    // Created in parallel: the ids are whatever the emulator gave.
    let (gone, draft) = (id_of(&emu, "Gone"), id_of(&emu, "Draft"));
    ws.write(
        "c/gone.yaml",
        "kind: Campaign\nname: Gone\nstatus: deleted\n",
    );
    ws.write("c/draft.yaml", manifest("Draft", "max_retries: 4\n", &[]));

    let md = run(&ws, &emu, &["plan", "c", "--format", "markdown"]);
    md.assert_code(0)
        .assert_stdout(&format!("> [!CAUTION]\n> **WILL DELETE:** applying replaces the draft Draft (id {draft}): deletes it, then creates Draft anew; deletes Gone (id {gone}): removes a draft and its 1 lead(s)."))
        .assert_stdout(&format!("| 🗑️ | Gone | **WILL DELETE** | {gone} |"))
        .assert_stdout("**replace** (max\\_retries): **WILL DELETE** the draft, then create");
    assert!(
        !md.stdout.contains("No changes"),
        "a plan that only deletes is not 'no changes':\n{}",
        md.stdout
    );
    run(&ws, &emu, &["plan", "c", "--format", "github"])
        .assert_code(0)
        .assert_stdout(&format!("::warning file=c/gone.yaml,line=1,col=1,title=campaignctl%3A WILL DELETE::applying deletes campaign \"Gone\" (id {gone})"))
        .assert_stdout(&format!("title=campaignctl%3A replace (WILL DELETE)::applying deletes the draft \"Draft\" (id {draft})"));
}

#[test]
fn a_saved_plan_that_deletes_needs_allow_delete_too() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/q.yaml", manifest("Q", "", &[]));
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    ws.write("c/q.yaml", "kind: Campaign\nname: Q\nstatus: deleted\n");
    run(&ws, &emu, &["plan", "c", "--out", "q.plan"]).assert_code(0);
    run(&ws, &emu, &["apply", "q.plan"])
        .assert_code(0)
        .assert_stdout("--allow-delete");
    assert_eq!(
        stat(&emu, "campaigns_deleted"),
        0,
        "saving a plan approves no deletion"
    );
    run(&ws, &emu, &["apply", "--allow-delete", "q.plan"]).assert_code(0);
    assert_eq!(stat(&emu, "campaigns_deleted"), 1);
}

#[test]
fn prune_deletes_only_unmanaged_campaigns_under_the_prefix_and_refuses_when_unsafe() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    for name in ["ct-keep", "ct-old", "ct-older", "other"] {
        emu.api(
            "POST",
            "user/campaign",
            Some(json!({"name": name, "assistant_id": 7, "allowed_hours_start_time": "09:00", "allowed_hours_end_time": "17:00"})),
        );
    }
    ws.write("c/keep.yaml", manifest("ct-keep", "", &[]));

    // Above --max-deletes: refused, naming them.
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-delete", "--prune-prefix", "ct-", "--max-deletes", "1", "c"],
    )
    .assert_code(1)
    .assert_stderr("the plan would delete 2 campaign(s), more than --max-deletes 1: \"ct-old\" (id 2), \"ct-older\" (id 3)");
    assert_eq!(stat(&emu, "campaigns_deleted"), 0);

    // Naming a file is not the whole account: the campaigns of other files would look
    // undeclared. Refused before anything is planned, for plan, apply and watch.
    for args in [
        &["plan", "--prune-prefix", "ct-", "c/keep.yaml"][..],
        &[
            "apply",
            "--auto-approve",
            "--allow-delete",
            "--prune-prefix",
            "ct-",
            "c/keep.yaml",
        ],
        &[
            "watch",
            "--allow-delete",
            "--prune-prefix",
            "ct-",
            "c/keep.yaml",
        ],
    ] {
        run(&ws, &emu, args).assert_code(1).assert_stderr(
            "pruning deletes the campaigns under the prefix that no manifest declares, so it needs all of the account's manifests, and c/keep.yaml is a single file, not a directory; refusing to prune",
        );
    }
    assert_eq!(stat(&emu, "campaigns_deleted"), 0);

    // No manifests loaded: refused, whatever the flags.
    std::fs::create_dir_all(ws.path().join("empty")).expect("mkdir");
    run(
        &ws,
        &emu,
        &[
            "apply",
            "--auto-approve",
            "--allow-delete",
            "--prune-prefix",
            "ct-",
            "empty",
        ],
    )
    .assert_code(1)
    .assert_stderr(
        "with no manifests loaded would delete all 3 campaign(s) under the prefix; refusing",
    );
    assert_eq!(stat(&emu, "campaigns_deleted"), 0);

    run(&ws, &emu, &["plan", "--prune-prefix", "ct-", "c"])
        .assert_code(0)
        .assert_stdout("- campaign \"ct-old\" (id 2) WILL DELETE: no manifest declares it and its name starts with --prune-prefix \"ct-\"");
    run(
        &ws,
        &emu,
        &[
            "apply",
            "--auto-approve",
            "--allow-delete",
            "--prune-prefix",
            "ct-",
            "c",
        ],
    )
    .assert_code(0);
    assert_eq!(
        emu.campaign_names(),
        ["ct-keep", "other"],
        "only unmanaged campaigns under the prefix go"
    );
    assert_in_sync(&ws, &emu, &["--prune-prefix", "ct-"]);
}

#[test]
fn renamed_from_replaces_a_draft_under_the_new_name_and_a_rename_without_it_gets_a_hint() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let numbers = ["+14155550101"];
    ws.write(
        "c/q.yaml",
        manifest("Spring Promo", "max_retries: 4\n", &numbers),
    );
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    let old = id_of(&emu, "Spring Promo");

    // Without renamed_from, the plan would create a second campaign: it says so.
    ws.write(
        "c/q.yaml",
        manifest("Spring Promo 2026", "max_retries: 4\n", &numbers),
    );
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("did you rename \"Spring Promo\" (id 1)? It has the same settings")
        .assert_stdout("add renamed_from: \"Spring Promo\"");

    ws.write(
        "c/q.yaml",
        manifest(
            "Spring Promo 2026",
            "max_retries: 4\nrenamed_from: Spring Promo\n",
            &numbers,
        ),
    );
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("renamed from \"Spring Promo\"")
        .assert_stdout("name = \"Spring Promo\" -> \"Spring Promo 2026\"   # forces replacement");
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-delete", "c"],
    )
    .assert_code(0);
    assert_eq!(
        emu.campaign_names(),
        ["Spring Promo 2026"],
        "replaced under the new name"
    );
    let new = id_of(&emu, "Spring Promo 2026");
    assert_ne!(new, old);
    assert_eq!(
        lead_numbers(&emu, new),
        numbers,
        "leads carried as declared"
    );
    assert_in_sync(&ws, &emu, &[]);
}

#[test]
fn a_changed_lead_variable_is_updated_with_one_put_then_the_plan_is_empty() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let with = |name: &str| {
        format!(
            "kind: Campaign\nname: Q\nassistant_id: 7\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\", variables: {{ first_name: {name} }} }}\n    - {{ phone_number: \"+14155550102\", variables: {{ first_name: Cy }} }}\n{QUIET}"
        )
    };
    ws.write("c/q.yaml", with("Ada"));
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    let id = id_of(&emu, "Q");
    // A lead no manifest declares is counted, never touched.
    emu.api(
        "POST",
        "user/lead",
        Some(json!({"campaign_id": id, "phone_number": "+14155550199"})),
    );

    ws.write("c/q.yaml", with("Bea"));
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("\"Q\": 1 lead(s) get changed variables (first_name)")
        .assert_stdout("1 lead(s) not in the manifest, left alone");
    let before = stat(&emu, "requests");
    run(&ws, &emu, &["apply", "--auto-approve", "c"])
        .assert_code(0)
        .assert_stdout("1 lead(s) updated, 0 failed");
    assert_eq!(stat(&emu, "leads_updated"), 1, "exactly one PUT");
    assert!(stat(&emu, "requests") > before);
    let ada = leads(&emu, id)
        .into_iter()
        .find(|l| l["phone_number"] == "+14155550101")
        .map(|l| l["variables"]["first_name"].clone());
    assert_eq!(ada, Some(json!("Bea")));
    assert_eq!(lead_numbers(&emu, id).len(), 3, "no lead removed");
    assert_in_sync(&ws, &emu, &[]);
}

#[test]
fn a_removed_variable_cannot_be_removed_through_a_merge_and_the_plan_says_so() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let doc = |vars: &str| {
        format!(
            "kind: Campaign\nname: Q\nassistant_id: 7\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\", variables: {{ {vars} }} }}\n{QUIET}"
        )
    };
    ws.write("c/q.yaml", doc("a: x, b: y"));
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    ws.write("c/q.yaml", doc("a: x"));
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("1 lead(s) hold variables on the platform that the manifest does not set; updates are merged, so campaignctl cannot remove them");
}

/// The lines a child writes to stderr (its log), as they come.
fn log_lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// `watch` without `--allow-delete` holds a deletion, logs the flag, and deletes nothing.
#[test]
fn watch_holds_deletions_without_allow_delete() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Gone", "assistant_id": 7})),
    );
    ws.write(
        "c/gone.yaml",
        "kind: Campaign\nname: Gone\nstatus: deleted\n",
    );
    let mut child = campaignctl(ws.path(), Some(&emu))
        .args(["watch", "--interval", "1h", "c"])
        .spawn();
    let rx = log_lines(&mut child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut log = String::new();
    let mut held = false;
    while Instant::now() < deadline && !held {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            held = line.contains("without --allow-delete");
            log.push_str(&line);
            log.push('\n');
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        held,
        "watch did not log the held deletion with its flag; log:\n{log}"
    );
    assert_eq!(
        stat(&emu, "campaigns_deleted"),
        0,
        "watch deleted without --allow-delete"
    );
    assert_eq!(emu.campaign_names(), ["Gone"]);
}

/// `--base REF` compares the write-once fields with the manifests at REF: a draft whose timezone
/// changed is replaced (through a saved plan, which records the commit), a running campaign
/// whose timezone changed is an error that blocks the apply. Without `--base` the record of
/// what was applied is the baseline.
#[test]
fn base_catches_a_timezone_change_replacing_a_draft_and_refusing_a_running_campaign() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write("c/d.yaml", manifest("D", "", &["+14155550101"]));
    ws.write(
        "c/r.yaml",
        manifest("R", "status: running\n", &["+14155550102"]),
    );
    commit_all(&ws, "two campaigns");
    run(
        &ws,
        &emu,
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
    let draft = id_of(&emu, "D");
    let chicago = |m: String| m.replace("America/New_York", "America/Chicago");

    ws.write("c/d.yaml", chicago(manifest("D", "", &["+14155550101"])));
    // Without --base, the record of what was applied (the commit applied) is the baseline.
    run(&ws, &emu, &["plan", "c"])
        .assert_code(0)
        .assert_stdout("-/+ campaign \"D\"")
        .assert_stdout("(write-once, at the record of what was applied (commit ");
    run(
        &ws,
        &emu,
        &["plan", "--base", "HEAD", "--out", "d.plan", "c"],
    )
    .assert_code(0)
    .assert_stdout("-/+ campaign \"D\"")
    .assert_stdout(
        "timezone = \"America/New_York\" -> \"America/Chicago\"   # forces replacement (write-once, at HEAD (commit ",
    );
    let plan = run(
        &ws,
        &emu,
        &["plan", "--base", "HEAD", "--format", "json", "c"],
    )
    .json();
    let change = &action(&plan, "D")["changes"][0];
    assert_eq!(change["field"], "timezone", "{plan:#}");
    assert_eq!(change["actual"], "America/New_York", "{plan:#}");
    assert!(
        change["known_from"]
            .as_str()
            .is_some_and(|f| f.starts_with("HEAD (commit ")),
        "{plan:#}"
    );
    run(
        &ws,
        &emu,
        &["apply", "--base", "HEAD", "--auto-approve", "d.plan"],
    )
    .assert_code(1)
    .assert_stderr("cannot be combined with the saved plan");
    // Applied from another directory: the saved plan reads the same commit again.
    campaignctl(&ws.path().join("c"), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-delete", "../d.plan"])
        .run()
        .assert_code(0)
        .assert_stdout(": deleted");
    let replaced = id_of(&emu, "D");
    assert_ne!(replaced, draft, "the draft was replaced");
    assert_eq!(
        campaign(&emu, "D").map(|c| c["timezone"].clone()),
        Some(json!("America/Chicago")),
        "the replacement has the new timezone"
    );
    assert_eq!(lead_numbers(&emu, replaced), ["+14155550101"]);
    commit_all(&ws, "D in Chicago");
    assert_in_sync(&ws, &emu, &["--base", "HEAD"]);

    let running = id_of(&emu, "R");
    ws.write(
        "c/r.yaml",
        chicago(manifest("R", "status: running\n", &["+14155550102"])),
    );
    let refused = run(&ws, &emu, &["plan", "--base", "HEAD", "c"]);
    refused
        .assert_code(1)
        .assert_stderr("c/r.yaml:")
        .assert_stderr("timezone changed since HEAD (commit ")
        .assert_stderr("may have run (status in-progress)")
        .assert_only_stderr("hint: set timezone back to \"America/New_York\"");
    run(
        &ws,
        &emu,
        &[
            "apply",
            "--base",
            "HEAD",
            "--auto-approve",
            "--allow-delete",
            "c",
        ],
    )
    .assert_code(1);
    assert_eq!(
        id_of(&emu, "R"),
        running,
        "a campaign that has run is never replaced"
    );
    assert_eq!(stat(&emu, "campaigns_deleted"), 1, "only the draft went");
}

/// `--base` outside a repository, with a revision that is not there, or one that looks like an
/// option, is refused before anything is read from the platform.
#[test]
fn a_base_that_cannot_be_read_is_refused_with_a_hint() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/d.yaml", manifest("D", "", &[]));
    run(&ws, &emu, &["plan", "--base", "HEAD", "c"])
        .assert_code(1)
        .assert_stderr("--base needs a git repository")
        .assert_only_stderr("hint:");
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "one");
    run(&ws, &emu, &["plan", "--base", "no-such-branch", "c"])
        .assert_code(1)
        .assert_stderr("\"no-such-branch\" is not a commit of this repository");
    run(&ws, &emu, &["plan", "--base=--output=x", "c"])
        .assert_code(1)
        .assert_stderr("must not start with '-'");
    assert_eq!(
        stat(&emu, "requests"),
        0,
        "nothing was read from the platform"
    );
}

/// `watch` remembers the write-once values it applied: a timezone edited while it runs
/// replaces the draft it created (with --allow-delete), as `plan --base` would.
#[test]
fn watch_replaces_a_draft_whose_timezone_changed_while_it_runs() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write("c/d.yaml", manifest("D", "", &["+14155550101"]));
    let mut child = campaignctl(ws.path(), Some(&emu))
        .args([
            "watch",
            "--interval",
            "1h",
            "--debounce",
            "200ms",
            "--allow-delete",
            "c",
        ])
        .spawn();
    let rx = log_lines(&mut child);
    let mut log = String::new();
    let mut wait_for = |what: &dyn Fn(&Emulator) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            while let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
                log.push_str(&line);
                log.push('\n');
            }
            if what(&emu) {
                return true;
            }
        }
        false
    };
    let created = wait_for(&|e: &Emulator| campaign(e, "D").is_some());
    assert!(created, "watch did not create D; log:\n{log}");
    let first = id_of(&emu, "D");
    ws.write(
        "c/d.yaml",
        manifest("D", "", &["+14155550101"]).replace("America/New_York", "America/Chicago"),
    );
    let replaced = wait_for(&|e: &Emulator| {
        campaign(e, "D").is_some_and(|c| {
            c["id"] != first
                && c["timezone"] == "America/Chicago"
                && c["id"].as_u64().is_some_and(|id| !leads(e, id).is_empty())
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        replaced,
        "watch did not replace D after its timezone changed: {:?}; log:\n{log}",
        emu.campaigns()
    );
    assert_eq!(stat(&emu, "campaigns_deleted"), 1);
    assert_eq!(emu.campaign_names(), ["D"]);
    assert_eq!(lead_numbers(&emu, id_of(&emu, "D")), ["+14155550101"]);
}

/// On a terminal, deleting is its own question, after the one about writes, naming what is
/// lost. Each answer holds its own kind only (issue 19): "yes" to writes and "no" to deleting
/// creates and deletes nothing, as `--auto-approve` without `--allow-delete` would; "no" to
/// every question changes nothing; "yes" deletes.
#[test]
fn on_a_terminal_deleting_is_its_own_question_and_only_yes_deletes() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    emu.api(
        "POST",
        "user/campaign",
        Some(json!({"name": "Gone", "assistant_id": 7})),
    );
    ws.write(
        "c/gone.yaml",
        "kind: Campaign\nname: Gone\nstatus: deleted\n",
    );
    ws.write("c/new.yaml", manifest("New", "", &[]));
    let declined_all = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c"])
        .run_on_terminal(&["no", "no"]);
    declined_all
        .assert_code(1)
        .assert_stderr("Do you want to create 1 campaign(s)? This places no calls.")
        .assert_stderr("WILL DELETE: do you want to delete \"Gone\" (id ")
        .assert_stderr("apply cancelled; nothing was changed");
    assert_eq!(
        emu.campaign_names(),
        ["Gone"],
        "no to every question applies nothing: {declined_all}"
    );

    let refused = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c"])
        .run_on_terminal(&["yes", "no"]);
    refused
        .assert_code(0)
        .assert_stderr("WILL DELETE: do you want to delete \"Gone\" (id ")
        .assert_stdout("--allow-delete");
    assert!(
        !refused.stderr.contains("apply cancelled") && !refused.stdout.contains("apply cancelled"),
        "a no to deleting cancels nothing else: {refused}"
    );
    assert_eq!(stat(&emu, "campaigns_deleted"), 0, "{}", refused);
    assert_eq!(
        emu.campaign_names(),
        ["Gone", "New"],
        "the approved create ran, the refused delete is held: {}",
        refused
    );

    let deleting = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "c"])
        .run_on_terminal(&["yes"]);
    deleting.assert_code(0);
    assert!(
        !deleting.stderr.contains("Do you want to"),
        "nothing but the delete is pending, so only it is asked: {deleting}"
    );
    assert_eq!(stat(&emu, "campaigns_deleted"), 1);
    assert_eq!(emu.campaign_names(), ["New"]);
}

/// `watch --base REF` starts out comparing with REF: a timezone changed since REF, on a draft
/// the daemon has never applied, is replaced at its first pass (a restarted daemon does not
/// silently take the change as the new normal).
#[test]
fn watch_with_base_replaces_a_draft_changed_since_that_revision_at_its_first_pass() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write("c/d.yaml", manifest("D", "", &[]));
    commit_all(&ws, "D");
    run(&ws, &emu, &["apply", "--auto-approve", "c"]).assert_code(0);
    let first = id_of(&emu, "D");
    ws.write(
        "c/d.yaml",
        manifest("D", "", &[]).replace("America/New_York", "America/Chicago"),
    );
    let mut child = campaignctl(ws.path(), Some(&emu))
        .args([
            "watch",
            "--interval",
            "1h",
            "--allow-delete",
            "--base",
            "HEAD",
            "c",
        ])
        .spawn();
    let rx = log_lines(&mut child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut log = String::new();
    let replaced = loop {
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            log.push_str(&line);
            log.push('\n');
        }
        let done = campaign(&emu, "D")
            .is_some_and(|c| c["id"] != first && c["timezone"] == "America/Chicago");
        if done || Instant::now() > deadline {
            break done;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        replaced,
        "watch --base did not replace D: {:?}; log:\n{log}",
        emu.campaigns()
    );
    assert_eq!(stat(&emu, "campaigns_deleted"), 1);
}
