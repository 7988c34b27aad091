//! Write-once fields (which the platform never returns) compared without `--base`, in each flow
//! people use (issue 19, item 1): a pull-request check compares with the merge-base of its
//! target, a repository that applied compares with the record of what was applied, local edits
//! compare with HEAD, and without any baseline the plan says what it did not compare instead of
//! "No changes". A real git repository, the real binary, the emulator on loopback.

use std::path::Path;

use crate::support::{campaignctl, commit_all, git, Emulator, Run, Workspace};
use serde_json::Value;

/// A manifest tail that the calling-hours lint has nothing to say about.
const HOURS: &str = "allowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// A campaign on the emulator's outbound assistant 7, in `zone`, with one lead.
fn manifest(name: &str, zone: &str, extra: &str, number: &str) -> String {
    format!(
        "kind: Campaign\nname: {name}\nassistant_id: 7\ntimezone: {zone}\n{extra}{HOURS}leads:\n  items:\n    - {{ phone_number: \"{number}\" }}\n"
    )
}

/// A draft D and a running campaign R, both in `zone`.
fn write_both(ws: &Workspace, zone: &str) {
    ws.write("c/d.yaml", manifest("D", zone, "", "+14155550101"));
    ws.write(
        "c/r.yaml",
        manifest("R", zone, "status: running\n", "+14155550102"),
    );
}

fn run(dir: &Path, emu: &Emulator, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = campaignctl(dir, Some(emu));
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd.args(args).run()
}

/// Runs git in `dir` (a clone), isolated from the user's configuration like `support::git`;
/// its standard output.
fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "protocol.file.allow=always"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn short(commit: &str) -> &str {
    &commit[..12]
}

/// The record of what was applied, as written in the repository at `dir`.
fn record(dir: &Path) -> Value {
    let refname = git_in(
        dir,
        &["for-each-ref", "--format=%(refname)", "refs/campaignctl/"],
    );
    assert!(!refname.is_empty(), "no record was written");
    serde_json::from_str(&git_in(dir, &["show", &format!("{refname}:record.json")]))
        .expect("record.json is JSON")
}

/// D and R created and R started, with no git repository yet: so no record of what was applied.
fn applied_without_record(emu: &Emulator, ws: &Workspace) {
    write_both(ws, "America/New_York");
    run(
        ws.path(),
        emu,
        &[],
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
}

#[track_caller]
fn assert_never_no_changes(r: &Run) {
    assert!(
        !r.stdout.contains("No changes") && !r.stderr.contains("No changes"),
        "said No changes:\nstdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
}

/// A pull-request check (GitHub's `GITHUB_BASE_REF`) compares with the merge-base of HEAD and
/// `origin/<target>`, not the target's tip, where another merge moved D to Denver since: the
/// draft's edit is a replacement from New York, the running campaign's is an error. A shallow
/// clone gets an error that names what to add to the checkout step.
#[test]
fn a_pull_request_check_compares_with_the_merge_base_of_its_target() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    applied_without_record(&emu, &ws);
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "D and R in New York");
    git(&ws, &["checkout", "-q", "-b", "pr"]);
    write_both(&ws, "America/Chicago");
    commit_all(&ws, "the pull request: both to Chicago");
    git(&ws, &["checkout", "-q", "main"]);
    ws.write(
        "c/d.yaml",
        manifest("D", "America/Denver", "", "+14155550101"),
    );
    commit_all(&ws, "merged since: D to Denver");
    git(&ws, &["update-ref", "refs/remotes/origin/main", "main"]);
    git(&ws, &["checkout", "-q", "pr"]);
    let merge_base = git_in(ws.path(), &["merge-base", "HEAD", "main"]);
    let pr = [("GITHUB_BASE_REF", "main")];

    let both = run(ws.path(), &emu, &pr, &["plan", "--detailed-exitcode", "c"]);
    both.assert_code(1);
    assert_never_no_changes(&both);
    let source = format!(
        "the merge-base of origin/main (commit {})",
        short(&merge_base)
    );
    assert!(
        both.stdout.contains(&format!(
            "timezone = \"America/New_York\" -> \"America/Chicago\"   # forces replacement (write-once, at {source})"
        )),
        "{}",
        both.stdout
    );
    assert!(
        both.stdout.contains("-/+ campaign \"D\""),
        "{}",
        both.stdout
    );
    assert!(
        both.stderr.contains(&format!(
            "c/r.yaml:4:11: error: timezone changed since {source} (\"America/New_York\" -> \"America/Chicago\"), but campaign \"R\""
        )),
        "{}",
        both.stderr
    );
    // The tip is not the baseline.
    both.assert_nowhere("Denver");

    let draft = run(
        ws.path(),
        &emu,
        &pr,
        &["plan", "--detailed-exitcode", "--target", "D", "c"],
    );
    draft.assert_code(2);
    assert!(
        draft
            .stdout
            .lines()
            .any(|l| l == format!("Write-once fields compared with {source}.")),
        "{}",
        draft.stdout
    );

    // A shallow clone of the pull request's branch: first without the target, then with it
    // but without the history they share.
    let shallow = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", ws.path().display());
    git_in(
        shallow.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "pr", &url, "clone",
        ],
    );
    let clone = shallow.path().join("clone");
    let missing = run(&clone, &emu, &pr, &["plan", "c"]);
    missing.assert_code(1);
    assert_eq!(
        missing.stderr,
        "error: GITHUB_BASE_REF names the target origin/main, which this clone does not have, so write-once fields cannot be compared with the pull request's merge-base\n  hint: add `fetch-depth: 0` under `with:` in the actions/checkout step (it fetches every branch with its history), or run `git fetch --no-tags origin main` then `git fetch --deepen=1000` before campaignctl\n"
    );
    assert_eq!(missing.stdout, "");
    git_in(
        &clone,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    let too_shallow = run(&clone, &emu, &pr, &["plan", "c"]);
    too_shallow.assert_code(1);
    assert!(
        too_shallow.stderr.starts_with("error: cannot find the merge-base of HEAD and origin/main (GITHUB_BASE_REF): this clone is shallow and holds no commit they share, so write-once fields cannot be compared with it\n  hint: add `fetch-depth: 0`"),
        "{}",
        too_shallow.stderr
    );
    git_in(&clone, &["fetch", "-q", "--unshallow", "origin"]);
    run(&clone, &emu, &pr, &["plan", "--target", "D", "c"])
        .assert_code(0)
        .assert_stdout(&format!("Write-once fields compared with {source}."));

    // GitLab names the target branch and the merge-base itself; the generic variable too.
    for env in [
        vec![("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")],
        vec![
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", merge_base.as_str()),
        ],
    ] {
        run(ws.path(), &emu, &env, &["plan", "--target", "D", "c"])
            .assert_code(0)
            .assert_stdout(&format!("at {source})"));
    }
    run(
        ws.path(),
        &emu,
        &[("CAMPAIGNCTL_BASE", "main")],
        &["plan", "--target", "D", "c"],
    )
    .assert_code(0)
    .assert_stdout(&format!(
        "at the merge-base of main (commit {})",
        short(&merge_base)
    ));
}

/// After an apply, the record names the commit each campaign's write-once values came from:
/// an edit committed since (which HEAD cannot see) is a replacement of the draft and an error
/// for the running campaign. A replacement held (no --allow-delete) leaves D's commit where it
/// was, so the next plan still shows it; a saved plan compares with the same commit; once
/// carried out, the record moves and the plan says "No changes".
#[test]
fn the_record_of_what_was_applied_is_the_baseline_and_moves_only_with_what_was_carried_out() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    // Locks and saved plans are not manifests: a clean tree is what the record names.
    ws.write(".gitignore", ".campaignctl-locks/\n*.plan\n");
    write_both(&ws, "America/New_York");
    commit_all(&ws, "D and R in New York");
    let first = git_in(ws.path(), &["rev-parse", "HEAD"]);
    run(
        ws.path(),
        &emu,
        &[],
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
    assert_eq!(
        record(ws.path())["campaigns"]["D"]["commit"],
        first.as_str()
    );

    write_both(&ws, "America/Chicago");
    commit_all(&ws, "both to Chicago, committed, not applied");
    let source = format!("the record of what was applied (commit {})", short(&first));
    let both = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    both.assert_code(1);
    assert_never_no_changes(&both);
    assert!(
        both.stdout.contains(&format!(
            "timezone = \"America/New_York\" -> \"America/Chicago\"   # forces replacement (write-once, at {source})"
        )),
        "{}",
        both.stdout
    );
    assert!(
        both.stderr.contains(&format!(
            "c/r.yaml:4:11: error: timezone changed since {source}"
        )),
        "{}",
        both.stderr
    );
    // The refused apply records nothing for R.
    run(
        ws.path(),
        &emu,
        &[],
        &["apply", "--auto-approve", "--allow-delete", "c"],
    )
    .assert_code(1);
    assert_eq!(
        record(ws.path())["campaigns"]["R"]["commit"],
        first.as_str()
    );

    ws.write(
        "c/r.yaml",
        manifest("R", "America/New_York", "status: running\n", "+14155550102"),
    );
    commit_all(&ws, "R back to New York");
    let draft_id = emu
        .campaigns()
        .iter()
        .find(|c| c["name"] == "D")
        .map(|c| c["id"].clone());
    // Held: no --allow-delete. D keeps its old commit, so the change is still there after.
    run(ws.path(), &emu, &[], &["apply", "--auto-approve", "c"]).assert_code(0);
    assert_eq!(
        record(ws.path())["campaigns"]["D"]["commit"],
        first.as_str()
    );
    let again = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    again.assert_code(2);
    assert!(
        again.stdout.contains("-/+ campaign \"D\""),
        "{}",
        again.stdout
    );

    // A saved plan records the commit, and applies with it from another directory.
    run(ws.path(), &emu, &[], &["plan", "--out", "d.plan", "c"]).assert_code(0);
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.path().join("d.plan")).expect("plan file"),
    )
    .expect("plan file is JSON");
    assert!(
        saved
            .to_string()
            .contains(&format!("\"commit\":\"{first}\"")),
        "the saved plan records the record's commit: {saved}"
    );
    campaignctl(&ws.path().join("c"), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-delete", "../d.plan"])
        .run()
        .assert_code(0)
        .assert_stdout(": deleted");
    let replaced = emu.campaigns().iter().find(|c| c["name"] == "D").cloned();
    assert_ne!(replaced.as_ref().map(|c| c["id"].clone()), draft_id);
    assert_eq!(
        replaced.map(|c| c["timezone"].clone()),
        Some(Value::from("America/Chicago"))
    );
    let head = git_in(ws.path(), &["rev-parse", "HEAD"]);
    assert_eq!(record(ws.path())["campaigns"]["D"]["commit"], head.as_str());
    let clean = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    clean.assert_code(0);
    let lines: Vec<&str> = clean.stdout.lines().collect();
    assert!(
        lines.contains(&"No changes. The platform matches the manifests."),
        "{}",
        clean.stdout
    );
    assert!(
        lines.contains(
            &format!(
                "Write-once fields compared with the record of what was applied (commit {}).",
                short(&head)
            )
            .as_str()
        ),
        "{}",
        clean.stdout
    );
}

/// Without a record, local edits not committed yet compare with HEAD, and the plan says that
/// edits committed but not applied cannot be seen that way.
#[test]
fn an_uncommitted_edit_is_compared_with_head() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    applied_without_record(&emu, &ws);
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "D and R in New York");
    let head = git_in(ws.path(), &["rev-parse", "HEAD"]);
    let compared = format!(
        "Write-once fields compared with HEAD (commit {}); edits already committed but not applied cannot be seen this way (the record of what was applied, kept by apply, sees them).",
        short(&head)
    );
    let clean = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    clean.assert_code(0);
    assert!(
        clean.stdout.ends_with(&format!(
            "No changes. The platform matches the manifests.\nPlan: 0 to create, 0 drifted, 2 unchanged, 0 unmanaged.\n2 unchanged campaign(s) not listed (--verbose lists them).\n{compared}\n"
        )),
        "{}",
        clean.stdout
    );

    ws.write(
        "c/d.yaml",
        manifest("D", "America/Chicago", "", "+14155550101"),
    );
    let draft = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    draft.assert_code(2);
    assert_never_no_changes(&draft);
    assert!(
        draft.stdout.contains(&format!(
            "timezone = \"America/New_York\" -> \"America/Chicago\"   # forces replacement (write-once, at HEAD (commit {}))",
            short(&head)
        )),
        "{}",
        draft.stdout
    );
    assert!(draft.stdout.contains(&compared), "{}", draft.stdout);

    ws.write(
        "c/r.yaml",
        manifest("R", "America/Chicago", "status: running\n", "+14155550102"),
    );
    let ran = run(ws.path(), &emu, &[], &["plan", "--format", "json", "c"]);
    ran.assert_code(1);
    let doc = ran.json();
    assert_eq!(
        doc["write_once_baseline"]["compared_with"]["with"],
        format!("HEAD (commit {})", short(&head)).as_str(),
        "{doc:#}"
    );
    assert!(
        doc["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["severity"] == "error"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(&format!(
                        "timezone changed since HEAD (commit {})",
                        short(&head)
                    ))))),
        "{doc:#}"
    );
}

/// Without git there is no baseline: the plan says on one line which campaigns' write-once
/// fields were not compared and why, in text and Markdown, and never "No changes"; exit 0
/// still means nothing else to apply.
#[test]
fn without_a_baseline_the_plan_says_what_it_did_not_compare_once() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    applied_without_record(&emu, &ws);
    let line = "Nothing to apply in what could be compared, but the write-once fields (assistant, timezone, phone numbers, retry flags, goal variable) of 2 existing campaign(s) were not compared: the manifests are not in a git repository, so there is no record of what was applied and no commit to compare with (--base REF names one).";
    let text = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    text.assert_code(0);
    assert_never_no_changes(&text);
    assert_eq!(
        text.stdout,
        format!("Plan: 0 to create, 0 drifted, 2 unchanged, 0 unmanaged.\n2 unchanged campaign(s) not listed (--verbose lists them).\n{line}\n")
    );
    let md = run(ws.path(), &emu, &[], &["plan", "--format", "markdown", "c"]);
    md.assert_code(0);
    assert_never_no_changes(&md);
    assert_eq!(
        md.stdout.matches("were not compared").count(),
        1,
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains(":warning: _Nothing to apply in what could be compared"),
        "{}",
        md.stdout
    );
    let json = run(ws.path(), &emu, &[], &["plan", "--format", "json", "c"]).json();
    assert!(
        json["write_once_baseline"]["unavailable"]["why"]
            .as_str()
            .is_some_and(|w| w.starts_with("the manifests are not in a git repository")),
        "{json:#}"
    );
}

/// Apply on merge without a record: GitHub's push event payload names the commit the push
/// started from (`before`), and the edit the push brought is seen, where HEAD would not see it.
#[test]
fn an_apply_on_push_compares_with_the_commit_the_push_started_from() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    applied_without_record(&emu, &ws);
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "D and R in New York");
    let before = git_in(ws.path(), &["rev-parse", "HEAD"]);
    ws.write(
        "c/d.yaml",
        manifest("D", "America/Chicago", "", "+14155550101"),
    );
    commit_all(&ws, "merged: D to Chicago");
    let event = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        event.path(),
        format!("{{\"before\": \"{before}\", \"ref\": \"refs/heads/main\"}}"),
    )
    .expect("payload");
    let path = event.path().to_string_lossy().into_owned();
    let push = [
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_EVENT_PATH", path.as_str()),
    ];
    let plan = run(
        ws.path(),
        &emu,
        &push,
        &["plan", "--detailed-exitcode", "c"],
    );
    plan.assert_code(2);
    assert_never_no_changes(&plan);
    assert!(
        plan.stdout.contains(&format!(
            "timezone = \"America/New_York\" -> \"America/Chicago\"   # forces replacement (write-once, at the commit before the push (commit {}))",
            short(&before)
        )),
        "{}",
        plan.stdout
    );
    run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"])
        .assert_code(0)
        .assert_stdout("Write-once fields compared with HEAD");
}

/// A campaign that has run, renamed in the same commit that changes its assistant: the record's
/// entry is found by the campaign's id, so its values are those of the commit it was applied
/// from, under the name it had there; the change is an error, not a name drift compared with
/// HEAD, and the refused apply leaves the entry's commit where it was.
#[test]
fn a_rename_does_not_hide_a_write_once_change_on_a_campaign_that_has_run() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n*.plan\n");
    let running = |name: &str, extra: &str| {
        manifest(
            name,
            "America/New_York",
            &format!("{extra}status: running\n"),
            "+14155550103",
        )
    };
    ws.write("c/s.yaml", running("S", ""));
    commit_all(&ws, "S, running");
    let first = git_in(ws.path(), &["rev-parse", "HEAD"]);
    run(
        ws.path(),
        &emu,
        &[],
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
    assert_eq!(
        record(ws.path())["campaigns"]["S"]["commit"],
        first.as_str()
    );

    ws.write(
        "c/s.yaml",
        running("T", "renamed_from: S\n").replace("assistant_id: 7", "assistant_id: 8"),
    );
    commit_all(&ws, "S renamed to T, on assistant 8");
    let source = format!("the record of what was applied (commit {})", short(&first));
    let plan = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    plan.assert_code(1);
    assert_never_no_changes(&plan);
    assert!(
        plan.stderr.contains(&format!(
            "c/s.yaml:3:15: error: assistant_id changed since {source} (7 -> 8), but campaign \"S\""
        )),
        "stdout:\n{}\nstderr:\n{}",
        plan.stdout,
        plan.stderr
    );
    assert!(
        !plan.stdout.contains("compared with HEAD"),
        "{}",
        plan.stdout
    );
    run(ws.path(), &emu, &[], &["apply", "--auto-approve", "c"]).assert_code(1);
    let after = record(ws.path());
    assert_eq!(
        after["campaigns"]["S"]["commit"],
        first.as_str(),
        "{after:#}"
    );
    assert!(after["campaigns"].get("T").is_none(), "{after:#}");
}

/// An apply from edits not committed records the draft without a commit. A later commit that
/// changes its assistant is not compared with HEAD (which already holds the edit): the plan
/// says on its one line that it was not compared and why, never "No changes", and the apply
/// does not move the entry to HEAD, so the change is not hidden for good.
#[test]
fn a_campaign_applied_from_uncommitted_edits_is_not_compared_with_a_later_commit() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n*.plan\n");
    commit_all(&ws, "an empty repository");
    ws.write(
        "c/d.yaml",
        manifest("D", "America/New_York", "", "+14155550101"),
    );
    run(ws.path(), &emu, &[], &["apply", "--auto-approve", "c"]).assert_code(0);
    let applied = record(ws.path());
    assert!(
        applied["campaigns"]["D"].get("commit").is_none(),
        "{applied:#}"
    );

    commit_all(&ws, "D in New York");
    let applied_from = git_in(ws.path(), &["rev-parse", "HEAD"]);
    ws.write(
        "c/d.yaml",
        manifest("D", "America/New_York", "", "+14155550101")
            .replace("assistant_id: 7", "assistant_id: 8"),
    );
    commit_all(&ws, "D on assistant 8");
    let line = "Nothing to apply in what could be compared, but the write-once fields (assistant, timezone, phone numbers, retry flags, goal variable) of 1 existing campaign(s) were not compared: the record of what was applied holds 1 of them without a commit (applied from edits not committed), so no commit says what is on the platform, and a later one could hide a change made since (--base REF names the commit they came from).";
    let plan = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    plan.assert_code(0);
    assert_never_no_changes(&plan);
    assert_eq!(
        plan.stdout,
        format!("Plan: 0 to create, 0 drifted, 1 unchanged, 0 unmanaged.\n1 unchanged campaign(s) not listed (--verbose lists them).\n{line}\n")
    );
    let apply = run(ws.path(), &emu, &[], &["apply", "--auto-approve", "c"]);
    apply.assert_code(0);
    assert_never_no_changes(&apply);
    let after = record(ws.path());
    assert!(after["campaigns"]["D"].get("commit").is_none(), "{after:#}");
    run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"])
        .assert_code(0)
        .assert_stdout(line);
    // The way out the line names: the commit the values came from.
    run(
        ws.path(),
        &emu,
        &[],
        &["plan", "--detailed-exitcode", "--base", &applied_from, "c"],
    )
    .assert_code(2)
    .assert_stdout("-/+ campaign \"D\"");
}

/// An apply with one manifest file edited and not committed records HEAD for the campaigns
/// whose files are as HEAD has them, and no commit only for the edited one: the common local
/// flow keeps comparing the others, and a later committed change to them is seen.
#[test]
fn an_apply_with_one_file_edited_records_head_for_the_files_as_committed() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n*.plan\n");
    write_both(&ws, "America/New_York");
    commit_all(&ws, "D and R in New York");
    let head = git_in(ws.path(), &["rev-parse", "HEAD"]);
    ws.write(
        "c/r.yaml",
        format!(
            "# edited, not committed\n{}",
            manifest("R", "America/New_York", "status: running\n", "+14155550102")
        ),
    );
    run(
        ws.path(),
        &emu,
        &[],
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);
    let applied = record(ws.path());
    assert_eq!(
        applied["campaigns"]["D"]["commit"],
        head.as_str(),
        "{applied:#}"
    );
    assert!(
        applied["campaigns"]["R"].get("commit").is_none(),
        "{applied:#}"
    );

    write_both(&ws, "America/New_York");
    ws.write(
        "c/d.yaml",
        manifest("D", "America/Chicago", "", "+14155550101"),
    );
    commit_all(&ws, "D to Chicago");
    let plan = run(ws.path(), &emu, &[], &["plan", "--detailed-exitcode", "c"]);
    plan.assert_code(2);
    assert!(
        plan.stdout.contains(&format!(
            "timezone = \"America/New_York\" -> \"America/Chicago\"   # forces replacement (write-once, at the record of what was applied (commit {}))",
            short(&head)
        )),
        "{}",
        plan.stdout
    );
}

/// A campaign that has run, renamed in the same commit that sets a write-once field it left to
/// the platform's default (a warning: it may be the same value): the apply goes ahead (a warning
/// does not stop it), and the record, which now keys the campaign by its new name, keeps the
/// commit it was applied from with the name it had there, so the next plan still compares with
/// that commit and warns again, instead of not comparing it at all.
#[test]
fn a_renamed_campaign_that_kept_its_commit_is_read_under_its_old_name() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(".gitignore", ".campaignctl-locks/\n*.plan\n");
    ws.write(
        "c/s.yaml",
        manifest("S", "America/New_York", "status: running\n", "+14155550103"),
    );
    commit_all(&ws, "S, running");
    let first = git_in(ws.path(), &["rev-parse", "HEAD"]);
    run(
        ws.path(),
        &emu,
        &[],
        &["apply", "--auto-approve", "--allow-start", "c"],
    )
    .assert_code(0);

    ws.write(
        "c/s.yaml",
        manifest(
            "T",
            "America/New_York",
            "renamed_from: S\nstatus: running\nretry_on_voicemail: false\n",
            "+14155550103",
        ),
    );
    commit_all(&ws, "S renamed to T, voicemail retries set");
    let warning = format!(
        "warning: retry_on_voicemail changed since the record of what was applied (commit {}) ((not set) -> false)",
        short(&first)
    );
    let renamed = run(ws.path(), &emu, &[], &["apply", "--auto-approve", "c"]);
    renamed.assert_code(0);
    assert!(renamed.stderr.contains(&warning), "{}", renamed.stderr);
    let after = record(ws.path());
    assert_eq!(
        after["campaigns"]["T"]["commit"],
        first.as_str(),
        "{after:#}"
    );
    assert_eq!(after["campaigns"]["T"]["commit_name"], "S", "{after:#}");
    let plan = run(ws.path(), &emu, &[], &["plan", "c"]);
    plan.assert_code(0);
    assert!(
        plan.stderr.contains(&warning),
        "stdout:\n{}\nstderr:\n{}",
        plan.stdout,
        plan.stderr
    );
    assert!(!plan.stdout.contains("not compared"), "{}", plan.stdout);
}
