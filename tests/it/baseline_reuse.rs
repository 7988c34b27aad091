//! The write-once baseline at a commit takes the manifests of the files the working tree holds
//! unchanged (the same bytes as the commit's blob) from the run's own load, instead of reading
//! and parsing them from git again (issue 20). The plan must be the one a read of every file
//! from git gives: each test plans a state of the working tree twice, as it is and with every
//! manifest file made to differ from HEAD by a trailing comment (then every file is read from
//! git, as before this change), and compares the two JSON plans and everything else on
//! stderr. The debug log says how many files were taken and how many read from git.

use std::path::PathBuf;
use std::sync::Arc;

use crate::support::{campaignctl, commit_all, git, Emulator, Run, Workspace};

/// The debug event of `manifest::at_revision` and nothing else.
const LOG: &str = "campaignctl::manifest::at_revision=debug";

/// What the event says, as `key=value` fields.
const EVENT: &str = "manifests at a revision";

/// A campaign on the emulator's outbound assistant 7, in `zone`, with one lead (leads are not
/// read at a revision: the load's copy must give the same manifest without them).
fn campaign(name: &str, zone: &str, extra: &str, number: &str) -> String {
    format!(
        "kind: Campaign\nname: {name}\nassistant_id: 7\ntimezone: {zone}\n{extra}allowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\nleads:\n  items:\n    - {{ phone_number: \"{number}\" }}\n"
    )
}

/// Three files: two drafts in one file, a draft, and a running campaign; applied before the
/// repository exists (so there is no record of what was applied and HEAD is the baseline),
/// then committed.
fn committed_fleet() -> (Emulator, Workspace) {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/a.yaml",
        format!(
            "{}---\n{}",
            campaign("A1", "America/New_York", "", "+14155550101"),
            campaign("A2", "America/New_York", "", "+14155550102")
        ),
    );
    ws.write(
        "c/b.yaml",
        campaign("B", "America/New_York", "", "+14155550103"),
    );
    ws.write(
        "c/r.yaml",
        campaign("R", "America/New_York", "status: running\n", "+14155550104"),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(0);
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "the fleet");
    (emu, ws)
}

fn plan(ws: &Workspace, emu: &Emulator) -> Run {
    campaignctl(ws.path(), Some(emu))
        .env("RUST_LOG", LOG)
        .args(["plan", "--format", "json", "c"])
        .run()
}

/// The files (found, taken from the load, read from git) the one debug event of a run says.
#[track_caller]
fn counts(run: &Run) -> (usize, usize, usize) {
    let events: Vec<&str> = run.stderr.lines().filter(|l| l.contains(EVENT)).collect();
    let [event] = events[..] else {
        panic!("expected one `{EVENT}` event\n{run}");
    };
    let field = |key: &str| -> usize {
        event
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key}= in {event:?}"))
    };
    (field("files"), field("reused"), field("read_from_git"))
}

/// stderr without the debug event.
fn problems(run: &Run) -> String {
    run.stderr
        .lines()
        .filter(|l| !l.contains(EVENT))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The manifest files under `c` now.
fn manifest_files(ws: &Workspace) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(ws.path().join("c"))
        .expect("c is a directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Plans the working tree as it is, then with every manifest file differing from HEAD (a
/// comment at its end changes no manifest, no line and no column), and asserts both plans
/// and both stderrs are the same. Returns the plan as it is, and its (files, reused,
/// read from git).
#[track_caller]
fn same_plan_as_when_read_from_git(ws: &Workspace, emu: &Emulator) -> (Run, (usize, usize, usize)) {
    same_as_when_read_from_git(ws, || plan(ws, emu))
}

/// [`same_plan_as_when_read_from_git`] for the plan `plan` makes.
#[track_caller]
fn same_as_when_read_from_git(
    ws: &Workspace,
    plan: impl Fn() -> Run,
) -> (Run, (usize, usize, usize)) {
    let reused = plan();
    let files = manifest_files(ws);
    let originals: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    for (file, bytes) in files.iter().zip(&originals) {
        let mut changed = bytes.clone();
        changed.extend_from_slice(b"# differs from HEAD: read from git\n");
        std::fs::write(file, changed).expect("write");
    }
    let from_git = plan();
    for (file, bytes) in files.iter().zip(&originals) {
        std::fs::write(file, bytes).expect("write back");
    }
    let (found, taken, read) = counts(&from_git);
    assert_eq!(
        taken, 0,
        "the control run took a file from the load\n{from_git}"
    );
    assert_eq!(read, found, "{from_git}");
    assert_eq!(
        reused.code, from_git.code,
        "exit codes\n{reused}\n---\n{from_git}"
    );
    assert_eq!(
        reused.json(),
        from_git.json(),
        "the plan differs from the one made reading every file from git\n{reused}\n---\n{from_git}"
    );
    assert_eq!(problems(&reused), problems(&from_git), "stderr differs");
    let counted = counts(&reused);
    (reused, counted)
}

/// A committed, clean working tree: every file at HEAD is taken from the load, none is read
/// from git, and nothing differs.
#[test]
fn a_committed_tree_reads_no_manifest_from_git() {
    let (emu, ws) = committed_fleet();
    let (run, counted) = same_plan_as_when_read_from_git(&ws, &emu);
    run.assert_code(0);
    assert_eq!(counted, (3, 3, 0), "{run}");
    let doc = run.json();
    assert!(
        doc["write_once_baseline"]["compared_with"]["with"]
            .as_str()
            .is_some_and(|w| w.starts_with("HEAD (commit ")),
        "{doc:#}"
    );
}

/// An edited file is read from git, the others are taken: the write-once change is still
/// found against HEAD (a replacement of the draft, an error on the running campaign).
#[test]
fn a_file_edited_since_head_is_read_from_git_and_its_change_found() {
    let (emu, ws) = committed_fleet();
    ws.write(
        "c/b.yaml",
        campaign("B", "America/Chicago", "", "+14155550103"),
    );
    ws.write(
        "c/r.yaml",
        campaign("R", "America/Chicago", "status: running\n", "+14155550104"),
    );
    let (run, counted) = same_plan_as_when_read_from_git(&ws, &emu);
    run.assert_code(1);
    assert_eq!(counted, (3, 1, 2), "{run}");
    let text = run.stdout.as_str();
    assert!(
        text.contains("timezone changed since HEAD (commit "),
        "the running campaign's write-once change is not reported\n{run}"
    );
    assert!(text.contains("America/Chicago"), "{run}");
}

/// A file not committed yet has nothing at HEAD; the committed ones are taken from the load.
#[test]
fn an_untracked_file_is_not_at_head_and_the_others_are_taken() {
    let (emu, ws) = committed_fleet();
    ws.write(
        "c/new.yaml",
        campaign("N", "America/Denver", "", "+14155550105"),
    );
    let (run, counted) = same_plan_as_when_read_from_git(&ws, &emu);
    run.assert_code(0);
    assert_eq!(counted, (3, 3, 0), "{run}");
    assert!(run.stdout.contains("\"N\""), "{run}");
}

/// A file deleted from the working tree is still at HEAD: read from git, since nothing was
/// loaded for it.
#[test]
fn a_file_deleted_from_the_tree_is_read_from_git() {
    let (emu, ws) = committed_fleet();
    std::fs::remove_file(ws.path().join("c/b.yaml")).expect("remove");
    let (run, counted) = same_plan_as_when_read_from_git(&ws, &emu);
    run.assert_code(0);
    assert_eq!(counted, (3, 2, 1), "{run}");
}

/// A file moved (not committed) and its campaign renamed with `renamed_from` and a write-once
/// edit: the old path is read from git, the renamed campaign is compared with the old name's
/// values there.
#[test]
fn a_renamed_file_and_campaign_are_compared_with_the_old_ones_at_head() {
    let (emu, ws) = committed_fleet();
    std::fs::remove_file(ws.path().join("c/r.yaml")).expect("remove");
    ws.write(
        "c/renamed.yaml",
        campaign(
            "R2",
            "America/Chicago",
            "renamed_from: R\nstatus: running\n",
            "+14155550104",
        ),
    );
    let (run, counted) = same_plan_as_when_read_from_git(&ws, &emu);
    run.assert_code(1);
    assert_eq!(counted, (3, 2, 1), "{run}");
    assert!(
        run.stdout.contains("timezone changed since HEAD (commit "),
        "the renamed campaign's write-once change is not reported\n{run}"
    );
}

/// `apply`, `apply PLANFILE` and `status` read the baseline from the same load as `plan`.
#[test]
fn apply_a_saved_plan_and_status_take_the_unchanged_files_from_their_load() {
    let (emu, ws) = committed_fleet();
    let with_log = |args: &[&str]| {
        campaignctl(ws.path(), Some(&emu))
            .env("RUST_LOG", LOG)
            .args(args)
            .run()
    };
    for args in [
        &["apply", "--auto-approve", "c"][..],
        &["plan", "--out", "reviewed.plan", "c"],
        &["apply", "reviewed.plan"],
        &["status", "c"],
    ] {
        let run = with_log(args);
        run.assert_code(0);
        assert_eq!(counts(&run), (3, 3, 0), "{args:?}\n{run}");
    }
}

/// With a repository config, the files are read at a commit (here the one the record of what
/// was applied names) with the defaults the config had there: while the config is as
/// committed, every file is taken from the load; once a default changed, no file was loaded
/// with that commit's defaults, so all are read from git and the changed default is a
/// write-once change.
#[test]
fn files_loaded_with_other_defaults_than_heads_config_are_read_from_git() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let config = format!(
        "accounts:\n  acme:\n    api_url: {}\n    token_env: ACME_TOKEN\n    paths: [c]\n    defaults:\n      timezone: America/New_York\n",
        emu.url
    );
    ws.write("campaignctl.yaml", &config);
    let draft = |name: &str| {
        format!("kind: Campaign\nname: {name}\nassistant_id: 7\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n")
    };
    ws.write("c/a.yaml", draft("A"));
    ws.write("c/b.yaml", draft("B"));
    git(&ws, &["init", "-q"]);
    let acme = |args: &[&str]| {
        campaignctl(ws.path(), None)
            .env("CAMPAIGNCTL_TOKEN_ENVS", "ACME_TOKEN")
            .env("ACME_TOKEN", crate::support::TOKEN)
            .env("RUST_LOG", LOG)
            .args(args)
            .run()
    };
    commit_all(&ws, "acme");
    // Applied from that commit: the record of what was applied names it, and is the baseline.
    acme(&["apply", "--auto-approve"]).assert_code(0);
    let plan = || acme(&["plan", "--format", "json"]);

    let (run, counted) = same_as_when_read_from_git(&ws, plan);
    run.assert_code(0);
    assert_eq!(counted, (2, 2, 0), "{run}");

    ws.write(
        "campaignctl.yaml",
        config.replace("timezone: America/New_York", "timezone: America/Denver"),
    );
    let (run, counted) = same_as_when_read_from_git(&ws, plan);
    run.assert_code(0);
    assert_eq!(counted, (2, 0, 2), "{run}");
    assert!(
        run.stdout
            .contains("\"with\": \"the record of what was applied (commit "),
        "{run}"
    );
    assert!(run.stdout.contains("America/Denver"), "{run}");
}

/// In process, the strongest form: the manifests and diagnostics at HEAD taken from a load are
/// equal, field by field and position by position, to those read from git, for files with
/// leads, several documents, an assistant document, a file without campaigns and a file with
/// a problem at HEAD.
#[test]
fn manifests_taken_from_the_load_equal_those_read_from_git() {
    let ws = Workspace::new();
    ws.write(
        "c/a.yaml",
        format!(
            "{}---\n{}",
            campaign("A1", "America/New_York", "", "+14155550101"),
            campaign("A2", "Europe/Paris", "max_retries: 2\n", "+14155550102")
        ),
    );
    ws.write("c/leads.csv", "phone_number\n+14155550109\n");
    ws.write(
        "c/f.yaml",
        "kind: Campaign\nname: F\nassistant: Ada\ngoal_completion_variable: booked\nphone_numbers: [\"+14155550100\"]\nleads: { file: leads.csv }\n",
    );
    ws.write("c/prompts/ada.md", "You are Ada.\n");
    ws.write(
        "c/assistant.yaml",
        "kind: Assistant\nname: Ada\ntype: outbound\nmode: pipeline\nvoice_id: 3\nlanguage_id: 1\nllm_model_id: 5\ntimezone: Europe/Berlin\ninitial_message: Hello.\nsystem_prompt: { file: prompts/ada.md }\npost_call_schema:\n  - { name: booked, type: bool }\n---\nkind: Campaign\nname: G\nassistant_id: 7\n",
    );
    ws.write("c/broken.yaml", "kind: Campaign\nname: H\ntimezone: 5\n");
    // No campaign in it: a warning when read, so it is read from git.
    ws.write("c/empty.yaml", "# campaigns to come\n");
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "the fleet");
    // The broken file is fixed in the tree: the load has no errors, and HEAD's copy (read from
    // git) still has its problem.
    ws.write(
        "c/broken.yaml",
        "kind: Campaign\nname: H\nassistant_id: 7\n",
    );
    let root = ws.path().join("c");
    let roots = [campaignctl::manifest::Root {
        path: root.clone(),
        defaults: None,
        others: Arc::from(Vec::new()),
        within: None,
    }];
    let load = campaignctl::manifest::load_roots_with(
        &roots,
        &campaignctl_core::shown_path::ShownFrom::as_is(),
        campaignctl::manifest::BlobIds::Note,
    );
    assert!(!load.has_errors(), "{:#?}", load.diagnostics);
    let paths = [root];
    let from_git = at_head(&paths, None);
    let taken = at_head(&paths, Some(&load));
    assert_eq!(from_git.reused, 0);
    assert_eq!(
        taken.reused, 3,
        "a.yaml, f.yaml and assistant.yaml are unchanged"
    );
    assert_eq!(taken.files, from_git.files);
    assert_eq!(taken.manifests, from_git.manifests);
    assert_eq!(taken.diagnostics, from_git.diagnostics);
    let assistants = |at: &campaignctl::manifest::AtRevision| {
        at.assistants
            .iter()
            .map(|a| (a.name.clone(), a.fields.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        assistants(&taken),
        assistants(&from_git),
        "the assistants of a file taken from the load are those git gives, prompt files unread"
    );
    assert_eq!(assistants(&taken).len(), 1);
    assert!(taken.assistants[0].fields.system_prompt.is_none());
    assert!(
        from_git.diagnostics.iter().any(|d| d.is_error()),
        "HEAD's broken.yaml must have its problem: {:#?}",
        from_git.diagnostics
    );
    assert!(taken.manifests.iter().all(|m| m.spec.leads.is_none()));
    assert!(
        taken
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no campaign documents")),
        "{:#?}",
        taken.diagnostics
    );
}

fn at_head(
    paths: &[PathBuf],
    load: Option<&campaignctl::manifest::LoadOutcome>,
) -> campaignctl::manifest::AtRevision {
    campaignctl::manifest::load_at_revision("HEAD", paths, None, load).expect("HEAD is read")
}

/// A load that was not asked for blob ids, or that has errors, gives nothing: every file is
/// read from git.
#[test]
fn a_load_without_blob_ids_or_with_errors_is_not_taken() {
    let ws = Workspace::new();
    ws.write(
        "c/a.yaml",
        campaign("A", "America/New_York", "", "+14155550101"),
    );
    ws.write("c/b.yaml", "kind: Campaign\nname: B\nassistant_id: 7\n");
    git(&ws, &["init", "-q"]);
    commit_all(&ws, "two files");
    let root = ws.path().join("c");
    let roots = [campaignctl::manifest::Root {
        path: root.clone(),
        defaults: None,
        others: Arc::from(Vec::new()),
        within: None,
    }];
    let shown = campaignctl_core::shown_path::ShownFrom::as_is();
    let paths = [root];
    let unnoted = campaignctl::manifest::load_roots_with(
        &roots,
        &shown,
        campaignctl::manifest::BlobIds::Skip,
    );
    assert_eq!(at_head(&paths, Some(&unnoted)).reused, 0);
    ws.write("c/b.yaml", "kind: Campaign\nname: B\nassistant_id: seven\n");
    let with_errors = campaignctl::manifest::load_roots_with(
        &roots,
        &shown,
        campaignctl::manifest::BlobIds::Note,
    );
    assert!(with_errors.has_errors());
    let at = at_head(&paths, Some(&with_errors));
    assert_eq!((at.files, at.reused), (2, 0));
}
