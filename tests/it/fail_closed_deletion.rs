//! Fail closed (issue 18, item 1): absence never destroys call history, and bad or partial
//! input never deletes anything. The real binary against the emulator on loopback, seeded with
//! campaigns that have run (in-progress, completed, with leads) beside drafts without leads.
//! Each case was reproduced on the earlier main, where it deleted campaigns.

use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{campaignctl, git, Emulator, Run, Workspace, TOKEN};

/// A manifest tail that the calling-hours lint has nothing to say about, and that matches the
/// seeded campaigns' observable fields.
const QUIET: &str = "timezone: America/New_York\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// The flags of every reproduction: prune under `prod-`, deleting approved, nobody asked.
const PRUNE: &[&str] = &[
    "--prune-prefix",
    "prod-",
    "--allow-delete",
    "--auto-approve",
];

fn manifest(name: &str) -> String {
    format!("kind: Campaign\nname: {name}\nassistant_id: 7\n{QUIET}")
}

/// A seeded campaign: its id, name and status.
type Seeded<'a> = (u64, &'a str, &'a str);

/// An emulator whose account holds `campaigns` (id, name, status) and, for each campaign id in
/// `with_leads`, one lead. The seed file lives in its own directory, outside the workspace.
fn seeded(campaigns: &[Seeded], with_leads: &[u64]) -> (Emulator, tempfile::TempDir) {
    let numbers: Vec<Vec<String>> = campaigns
        .iter()
        .map(|(id, _, _)| {
            with_leads
                .iter()
                .filter(|l| *l == id)
                .map(|id| format!("+1415555{id:04}"))
                .collect()
        })
        .collect();
    let numbers: Vec<Vec<&str>> = numbers
        .iter()
        .map(|n| n.iter().map(String::as_str).collect())
        .collect();
    let all: Vec<crate::support::Seeded> = campaigns
        .iter()
        .zip(&numbers)
        .map(|((id, name, status), n)| (*id, *name, *status, n.as_slice()))
        .collect();
    crate::support::seeded(&all)
}

fn run(ws: &Workspace, emu: &Emulator, args: &[&str]) -> Run {
    campaignctl(ws.path(), Some(emu)).args(args).run()
}

fn apply(ws: &Workspace, emu: &Emulator, path: &str) -> Run {
    let mut args = vec!["apply"];
    args.extend_from_slice(PRUNE);
    args.push(path);
    run(ws, emu, &args)
}

fn names(emu: &Emulator) -> Vec<String> {
    let mut names = emu.campaign_names();
    names.sort();
    names
}

fn deleted(emu: &Emulator) -> u64 {
    emu.stats()["campaigns_deleted"].as_u64().expect("counter")
}

#[track_caller]
fn assert_stdout_has(run: &Run, needle: &str) {
    assert!(
        run.stdout.contains(needle),
        "stdout lacks {needle:?}\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

/// The account of the reproductions: `prod-running` (in progress, one lead), declared in
/// `c/a.yaml`; `prod-keep`, declared in `c/keep.yaml`; `prod-stale`, a draft without leads
/// that nobody declares (what pruning is for).
fn account() -> (Emulator, tempfile::TempDir, Workspace) {
    let (emu, seed) = seeded(
        &[
            (1, "prod-running", "in-progress"),
            (2, "prod-keep", "draft"),
            (3, "prod-stale", "draft"),
        ],
        &[1],
    );
    let ws = Workspace::new();
    ws.write("c/a.yaml", manifest("prod-running"));
    ws.write("c/keep.yaml", manifest("prod-keep"));
    (emu, seed, ws)
}

#[test]
fn an_empty_file_holds_every_deletion_of_the_account_and_deletes_nothing() {
    for (what, contents) in [
        ("empty", ""),
        ("only comments", "# moved to the archive\n"),
        ("a bare document marker", "---\n"),
        ("a null document", "~\n"),
    ] {
        let (emu, _seed, ws) = account();
        ws.write("c/a.yaml", contents);
        ws.write("c/new.yaml", manifest("prod-new"));
        let out = apply(&ws, &emu, "c");
        out.assert_code(0);
        assert_eq!(deleted(&emu), 0, "{what}: nothing is deleted\n{}", out);
        assert_eq!(
            names(&emu),
            ["prod-keep", "prod-new", "prod-running", "prod-stale"],
            "{what}: the in-progress campaign and the undeclared draft stay; the create proceeds"
        );
        // The draft nobody declares is held, not deleted, with the reason in the plan.
        assert_stdout_has(
            &out,
            "  # campaign \"prod-stale\" (id 3) HELD, NOT DELETED: no manifest declares it and its name starts with --prune-prefix \"prod-\"\n      # a manifest file or path of this account could not be read whole, so the manifests may be incomplete and nothing is deleted: c/a.yaml:1:1: no campaign documents in this file\n",
        );
        assert_stdout_has(
            &out,
            "Plan: 1 to create, 1 deletion(s) held, 0 drifted, 1 unchanged, 1 unmanaged.\n",
        );
        assert_stdout_has(&out, "Deletions held: every delete and replace of this account waits, because 1 manifest file(s) or path(s) could not be read whole, so the manifests may be incomplete: c/a.yaml:1:1: no campaign documents in this file.");
        assert_stdout_has(&out, "1 campaign(s) under the prune prefix that no manifest declares have run or hold leads, so they are kept");
        assert!(
            out.stderr
                .contains("c/a.yaml:1:1: warning: no campaign documents in this file"),
            "{what}: the warning is on stderr:\n{}",
            out.stderr
        );
        out.assert_nowhere("WILL DELETE");
    }
}

#[test]
fn a_tombstone_and_a_replacement_are_held_too_while_a_file_is_empty() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-running", "in-progress"),
            (2, "prod-gone", "completed"),
            (3, "prod-draft", "draft"),
        ],
        &[1],
    );
    let ws = Workspace::new();
    ws.write("c/a.yaml", "");
    ws.write(
        "c/gone.yaml",
        format!("{}status: deleted\n", manifest("prod-gone")),
    );
    // A draft that differs from its manifest would be replaced (deleted, then created).
    ws.write(
        "c/draft.yaml",
        format!("{}max_retries: 5\n", manifest("prod-draft")),
    );
    let out = apply(&ws, &emu, "c");
    out.assert_code(0);
    assert_eq!(deleted(&emu), 0, "{}", out);
    assert_stdout_has(&out, "  # campaign \"prod-gone\" (id 2) HELD, NOT DELETED: its manifest says status: deleted (c/gone.yaml:1:1)\n");
    assert_stdout_has(&out, "replacing this draft is held: a manifest file or path of this account could not be read whole");

    // Once the file is fixed, the tombstone and the replacement proceed.
    ws.write("c/a.yaml", manifest("prod-running"));
    apply(&ws, &emu, "c").assert_code(0);
    assert_eq!(
        deleted(&emu),
        2,
        "the tombstone, and the first half of the replacement"
    );
    assert_eq!(names(&emu), ["prod-draft", "prod-running"]);
}

#[test]
fn a_file_cut_off_after_its_first_document_deletes_nothing_that_has_run() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-one", "draft"),
            (2, "prod-running", "in-progress"),
            (3, "prod-done", "completed"),
            (4, "prod-draft-with-leads", "draft"),
            (5, "prod-stale", "draft"),
        ],
        &[2, 4],
    );
    let ws = Workspace::new();
    // The file declared prod-one, prod-running and prod-done; a full disk kept the first
    // document only. That is valid YAML: nothing can tell it from a file of one campaign.
    ws.write("c/all.yaml", format!("{}---\n", manifest("prod-one")));
    let plan = run(&ws, &emu, &["plan", "--prune-prefix", "prod-", "c"]);
    plan.assert_code(0);
    assert_eq!(
        plan.stdout,
        "campaignctl compared the manifests with the platform:\n\n  - campaign \"prod-stale\" (id 5) WILL DELETE: no manifest declares it and its name starts with --prune-prefix \"prod-\"\n      # removes a draft and its 0 lead(s)\n\n  ? \"prod-running\" (id 2) is not in any manifest; it is left alone\n  ? \"prod-done\" (id 3) is not in any manifest; it is left alone\n  ? \"prod-draft-with-leads\" (id 4) is not in any manifest; it is left alone\n\nPlan: 0 to create, 1 to delete, 0 drifted, 1 unchanged, 3 unmanaged.\n3 campaign(s) under the prune prefix that no manifest declares have run or hold leads, so they are kept: absence never deletes call history (a manifest with status: deleted deletes one; --prune-history deletes them all). (--verbose lists them)\n1 unchanged campaign(s) not listed (--verbose lists them).\nThe write-once fields (assistant, timezone, phone numbers, retry flags, goal variable) of 1 existing campaign(s) were not compared: the manifests are not in a git repository, so there is no record of what was applied and no commit to compare with (--base REF names one).\n",
    );
    let verbose = run(&ws, &emu, &["plan", "-v", "--prune-prefix", "prod-", "c"]);
    assert_stdout_has(&verbose, "--prune-history deletes them all).\n    \"prod-running\" (id 2, status in-progress, 1 lead(s))\n    \"prod-done\" (id 3, status completed, 0 lead(s))\n    \"prod-draft-with-leads\" (id 4, status draft, 1 lead(s))\n");

    apply(&ws, &emu, "c").assert_code(0);
    assert_eq!(
        names(&emu),
        [
            "prod-done",
            "prod-draft-with-leads",
            "prod-one",
            "prod-running"
        ],
        "only the draft without leads nobody declares is pruned"
    );
}

#[test]
fn prune_history_deletes_campaigns_that_have_run_only_with_allow_delete_and_within_max_deletes() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-one", "draft"),
            (2, "prod-running", "in-progress"),
            (3, "prod-done", "completed"),
        ],
        &[2],
    );
    let ws = Workspace::new();
    ws.write("c/one.yaml", manifest("prod-one"));
    let flags = ["--prune-prefix", "prod-", "--prune-history"];
    // Counted toward --max-deletes.
    let mut args = vec![
        "apply",
        "--auto-approve",
        "--allow-delete",
        "--max-deletes",
        "1",
    ];
    args.extend_from_slice(&flags);
    args.push("c");
    run(&ws, &emu, &args)
        .assert_code(1)
        .assert_stderr("the plan would delete 2 campaign(s), more than --max-deletes 1");
    // Without --allow-delete: held by approval.
    let mut args = vec!["apply", "--auto-approve"];
    args.extend_from_slice(&flags);
    args.push("c");
    run(&ws, &emu, &args).assert_code(0);
    assert_eq!(deleted(&emu), 0);
    // A saved plan records it: applying the file prunes the same two.
    let mut args = vec!["plan", "--out", "p.plan"];
    args.extend_from_slice(&flags);
    args.push("c");
    run(&ws, &emu, &args)
        .assert_code(0)
        .assert_stdout("- campaign \"prod-running\" (id 2) WILL DELETE");
    run(&ws, &emu, &["apply", "--allow-delete", "p.plan"]).assert_code(0);
    assert_eq!(names(&emu), ["prod-one"]);
}

#[test]
fn a_config_path_without_manifests_holds_the_deletions_and_a_lost_path_deletes_no_history() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-us", "in-progress"),
            (2, "prod-eu-running", "in-progress"),
            (3, "prod-eu-draft", "draft"),
        ],
        &[1, 2],
    );
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    let config = |paths: &str| {
        format!(
            "accounts:\n  acme:\n    api_url: {}\n    token_env: CAMPAIGNCTL_ACME_TOKEN\n    prune_prefix: \"prod-\"\n    paths:\n{paths}",
            emu.url
        )
    };
    ws.write(
        "campaignctl.yaml",
        config("      - acme/us\n      - acme/eu\n"),
    );
    ws.write("acme/us/us.yaml", manifest("prod-us"));
    std::fs::create_dir_all(ws.path().join("acme/eu")).expect("mkdir");
    let apply_all = || {
        campaignctl(ws.path(), None)
            .env("CAMPAIGNCTL_ACME_TOKEN", TOKEN)
            .args(["apply", "--auto-approve", "--allow-delete"])
            .run()
    };
    let out = apply_all();
    out.assert_code(0);
    assert_eq!(deleted(&emu), 0, "{}", out);
    assert_stdout_has(
        &out,
        "acme/eu:1:1: no *.yaml or *.yml files in this directory",
    );
    assert_stdout_has(&out, "campaign \"prod-eu-draft\" (id 3) HELD, NOT DELETED");

    // One of the account's paths is not the whole account.
    let part = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", TOKEN)
        .args([
            "apply",
            "--auto-approve",
            "--allow-delete",
            "--prune-prefix",
            "prod-",
            "acme/us",
        ])
        .run();
    part.assert_code(1);
    assert!(
        part.stderr.contains("error: pruning deletes the campaigns under the prefix that no manifest declares, so it needs all of the account's manifests, and the paths given cover only part of account acme's paths; refusing to prune\n"),
        "{}",
        part.stderr
    );

    // The config cut off so that the list loses `- acme/eu`: nothing says a path is missing,
    // and the campaign that has run is still kept (the draft without leads is pruned: it
    // never called anyone).
    ws.write("campaignctl.yaml", config("      - acme/us\n"));
    let out = apply_all();
    out.assert_code(0);
    assert_eq!(names(&emu), ["prod-eu-running", "prod-us"], "{}", out);
}

#[test]
fn pruning_a_subdirectory_or_with_a_prefix_that_is_a_word_is_refused() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-sub", "draft"),
            (2, "prod-other", "draft"),
            (3, "production-x", "draft"),
        ],
        &[],
    );
    let ws = Workspace::new();
    ws.write("c/sub/sub.yaml", manifest("prod-sub"));
    ws.write("c/other.yaml", manifest("prod-other"));

    let out = apply(&ws, &emu, "c/sub");
    out.assert_code(1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: pruning deletes the campaigns under the prefix that no manifest declares, so it needs all of the account's manifests, and c/sub is part of a larger tree of manifests (c holds c/other.yaml too), so campaigns declared beside it would look undeclared; refusing to prune\n  hint: run without paths (the default directory, or the config's paths for each account) and without --target, or name the account's whole manifest directory; to delete single campaigns, give their manifests status: deleted\n"
    );
    for args in [
        &["plan", "--prune-prefix", "prod-", "c/sub"][..],
        &[
            "watch",
            "--allow-delete",
            "--prune-prefix",
            "prod-",
            "c/sub",
        ],
    ] {
        run(&ws, &emu, args)
            .assert_code(1)
            .assert_stderr("c/sub is part of a larger tree of manifests");
    }
    // The whole directory is fine.
    apply(&ws, &emu, "c").assert_code(0);
    assert_eq!(names(&emu), ["prod-other", "prod-sub", "production-x"]);

    // `prod` would also match `production-x`: refused by the flag and by the config.
    let out = run(
        &ws,
        &emu,
        &[
            "apply",
            "--auto-approve",
            "--allow-delete",
            "--prune-prefix",
            "prod",
            "c",
        ],
    );
    out.assert_code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("error: invalid value 'prod' for '--prune-prefix <PREFIX>': \"prod\" ends in 'd', a letter or digit, so it would also prune names that only begin with the same letters (such as \"prodX\"), not just \"prod-\": a prune prefix must end in a separator such as '-', ':', '/' or a space, as in \"prod-\"\n"),
        "{}",
        out.stderr
    );
    for fine in ["prod-", "GitOps: ", "team/"] {
        run(&ws, &emu, &["plan", "--prune-prefix", fine, "c"]).assert_code(0);
    }
    let repo = Workspace::new();
    git(&repo, &["init", "-q"]);
    repo.write(
        "campaignctl.yaml",
        format!("accounts:\n  acme:\n    api_url: {}\n    token_env: CAMPAIGNCTL_ACME_TOKEN\n    prune_prefix: prod\n    paths: [c]\n", emu.url),
    );
    repo.write("c/other.yaml", manifest("prod-other"));
    let out = campaignctl(repo.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", TOKEN)
        .args(["apply", "--auto-approve", "--allow-delete"])
        .run();
    out.assert_code(1).assert_only_stderr("campaignctl.yaml:5:19: error: accounts.acme.prune_prefix \"prod\" ends in 'd', a letter or digit");
    assert_eq!(names(&emu), ["prod-other", "prod-sub", "production-x"]);
}

#[test]
fn the_json_markdown_and_github_plans_show_the_held_deletions_and_the_kept_campaigns() {
    let (emu, _seed, ws) = account();
    ws.write("c/a.yaml", "");
    let json = run(
        &ws,
        &emu,
        &["plan", "--format", "json", "--prune-prefix", "prod-", "c"],
    );
    json.assert_code(0);
    let doc = json.json();
    assert_eq!(doc["summary"]["held"], 1, "{doc:#}");
    assert_eq!(doc["summary"]["delete"], 0, "{doc:#}");
    let held: Vec<&serde_json::Value> = doc["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["action"] == "held_delete")
        .collect();
    assert_eq!(held.len(), 1, "{doc:#}");
    assert_eq!(held[0]["name"], "prod-stale");
    assert!(held[0]["delete"]["held"]
        .as_str()
        .is_some_and(|h| h.ends_with("c/a.yaml:1:1: no campaign documents in this file")));
    assert_eq!(
        doc["deletions"]["held"],
        serde_json::json!(["c/a.yaml:1:1: no campaign documents in this file"])
    );
    assert_eq!(
        doc["deletions"]["kept_history"],
        serde_json::json!([{"name": "prod-running", "id": 1, "status": "in-progress", "leads": 1}])
    );
    assert!(
        doc["operations"].as_array().expect("operations").is_empty(),
        "a held deletion is carried out by no operation: {doc:#}"
    );

    // apply --format json says what it did not delete, and why.
    let applied = run(
        &ws,
        &emu,
        &[
            "apply",
            "--format",
            "json",
            "--auto-approve",
            "--allow-delete",
            "--prune-prefix",
            "prod-",
            "c",
        ],
    );
    applied.assert_code(0);
    let report = applied.json();
    assert_eq!(report["plan"]["held"], 1, "{report:#}");
    assert_eq!(report["deletions"], doc["deletions"], "{report:#}");
    assert_eq!(deleted(&emu), 0);

    let md = run(
        &ws,
        &emu,
        &[
            "plan",
            "--format",
            "markdown",
            "--prune-prefix",
            "prod-",
            "c",
        ],
    );
    assert_stdout_has(
        &md,
        "> [!IMPORTANT]\n> Deletions held: every delete and replace of this account waits",
    );
    assert_stdout_has(&md, "<details><summary>Kept for their history</summary>\n\n- \"prod-running\" (id 1, status in-progress, 1 lead(s))\n");
    assert_stdout_has(&md, "| ⏸️ | prod-stale | held, not deleted:");
    assert!(!md.stdout.contains("WILL DELETE"), "{}", md.stdout);

    let gh = run(
        &ws,
        &emu,
        &["plan", "--format", "github", "--prune-prefix", "prod-", "c"],
    );
    assert_stdout_has(&gh, "::notice title=campaignctl%3A deletion held::campaign \"prod-stale\" (id 3) is not deleted now:");
    assert_stdout_has(
        &gh,
        "::warning title=campaignctl%3A deletions held::Deletions held:",
    );
    assert_stdout_has(&gh, "::notice title=campaignctl%3A kept for their history::1 campaign(s) under the prune prefix");
}

/// A running `campaignctl watch`, its stderr collected; killed on drop.
struct Watch {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Watch {
    fn start(ws: &Workspace, emu: &Emulator, args: &[&str]) -> Watch {
        let mut child = campaignctl(ws.path(), Some(emu))
            .args(["watch", "--debounce", "50ms", "--log-format", "json"])
            .args(args)
            .spawn();
        let log = crate::support::collect_stderr(&mut child);
        Watch { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until the log holds `needle` `times` times.
    #[track_caller]
    fn wait_for(&self, needle: &str, times: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.log().matches(needle).count() < times {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} ({times}x) in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_deletes_by_absence_only_what_two_passes_an_interval_apart_agree_on() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-running", "in-progress"),
            (2, "prod-draft", "draft"),
            (3, "prod-keep", "draft"),
        ],
        &[1],
    );
    let ws = Workspace::new();
    let both = format!(
        "{}---\n{}",
        manifest("prod-running"),
        manifest("prod-draft")
    );
    ws.write("c/a.yaml", &both);
    ws.write("c/keep.yaml", manifest("prod-keep"));
    let watch = Watch::start(
        &ws,
        &emu,
        &[
            "--interval",
            "10s",
            "--allow-delete",
            "--prune-prefix",
            "prod-",
            "c",
        ],
    );
    watch.wait_for("\"message\":\"pass\"", 1);
    // The reproduction: the file emptied, then restored a moment later.
    ws.write("c/a.yaml", "");
    watch.wait_for("\"message\":\"pass\"", 2);
    assert_eq!(deleted(&emu), 0, "log:\n{}", watch.log());
    watch.wait_for("deletion held", 1);
    ws.write("c/a.yaml", &both);
    // Cut off after its first document (valid YAML), then restored within the interval: the
    // draft's deletion is planned once, then dropped.
    watch.wait_for("\"message\":\"pass\"", 3);
    ws.write("c/a.yaml", manifest("prod-running"));
    watch.wait_for("seen missing from the manifests in one pass only", 1);
    ws.write("c/a.yaml", &both);
    watch.wait_for("deletion dropped", 1);
    assert_eq!(deleted(&emu), 0, "log:\n{}", watch.log());
    assert_eq!(
        emu.stats()["campaigns_created"].as_u64(),
        Some(0),
        "nothing re-created: log:\n{}",
        watch.log()
    );

    // Gone for good (the same files over two passes an interval apart): deleted.
    ws.write("c/a.yaml", manifest("prod-running"));
    let deadline = Instant::now() + Duration::from_secs(40);
    while deleted(&emu) == 0 {
        assert!(
            Instant::now() < deadline,
            "the draft was never deleted; log:\n{}",
            watch.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        names(&emu),
        ["prod-keep", "prod-running"],
        "log:\n{}",
        watch.log()
    );
}

/// Found by the adversarial review: a tombstone whose file was cut off so that `id: 41` read
/// `id: 4` deleted campaign 4, a completed campaign no manifest named. A tombstone deletes only
/// the campaign its manifest names; an id naming another campaign is an error, and nothing is
/// applied while it stands.
#[test]
fn a_tombstone_whose_id_names_another_campaign_deletes_nothing() {
    let (emu, _seed) = seeded(
        &[
            (1, "prod-running", "in-progress"),
            (4, "prod-done", "completed"),
        ],
        &[1],
    );
    let ws = Workspace::new();
    ws.write("c/a.yaml", manifest("prod-running"));
    let tombstone = "kind: Campaign\nname: prod-old\nstatus: deleted\nid: 41\n";
    ws.write("c/old.yaml", tombstone);
    apply(&ws, &emu, "c").assert_code(0);
    assert_eq!(deleted(&emu), 0);

    // Cut off by one byte: `id: 4`.
    ws.write("c/old.yaml", &tombstone[..tombstone.len() - 2]);
    let out = apply(&ws, &emu, "c");
    out.assert_code(1);
    assert_eq!(deleted(&emu), 0, "{}", out);
    assert_eq!(names(&emu), ["prod-done", "prod-running"]);
    assert!(
        out.stderr.contains("c/old.yaml:4:5: error: campaign id 4 is \"prod-done\" on the platform, not \"prod-old\"; status: deleted deletes only the campaign its manifest names, so nothing is deleted"),
        "stderr:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "hint: check the id; to delete campaign 4, write its current name: name: \"prod-done\""
        ),
        "stderr:\n{}",
        out.stderr
    );

    // Written with the campaign's own name, the same tombstone deletes it.
    ws.write(
        "c/old.yaml",
        "kind: Campaign\nname: prod-done\nstatus: deleted\nid: 4\n",
    );
    apply(&ws, &emu, "c").assert_code(0);
    assert_eq!(names(&emu), ["prod-running"]);
}
