//! What the README promises and a new user found otherwise (issue 19, item 6, and the error
//! document and prefix of item 2): each test drives the real binary as the user did.

use std::process::{Command, Stdio};

use crate::support::{campaignctl, Emulator, Workspace, BIN};

const WINDOW: &str = "allowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n";

/// A stdout whose reader has gone (`schema | head`): a pipe whose read end is closed before the
/// command writes, so every write fails with EPIPE, deterministically.
fn run_into_closed_pipe(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut fds = [0; 2];
    // SAFETY: pipe writes two new descriptors into fds.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both were just opened and are owned by nothing else.
    let (read, write) = unsafe {
        use std::os::fd::FromRawFd;
        (
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        )
    };
    drop(read);
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::from(write))
        .stderr(Stdio::piped())
        .output()
        .expect("run campaignctl");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_on_stdout_is_a_normal_end_said_nothing_about() {
    let ws = Workspace::with_samples();
    for args in [
        &["schema"][..],
        &["schema", "--config"],
        &["completions", "bash"],
        &["validate", "--format", "github", "campaigns"],
    ] {
        let (code, stderr) = run_into_closed_pipe(ws.path(), args);
        assert_eq!((code, stderr.as_str()), (0, ""), "`{}`", args.join(" "));
    }
}

#[test]
fn the_caret_underlines_the_whole_value() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        format!(
            "kind: Campaign\nname: \"Winter Promos\"\nassistant: Sales Outbund\ntimezone: America/New_York\n{WINDOW}"
        ),
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns"])
        .run();
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "campaigns/a.yaml:3:12: error: no outbound assistant is named \"Sales Outbund\"\n  |\n3 | assistant: Sales Outbund\n  |            ^^^^^^^^^^^^^\n"
        ),
        "{}",
        run.stderr
    );
    // A quoted name, to its closing quote.
    ws.write(
        "campaigns/a.yaml",
        format!("kind: Campaign\nname: \"Winter Promos\"\nassistant_id: 7\ntimezone: America/New_York\nmax_retries: 99\n{WINDOW}---\nkind: Campaign\nname: \"Winter Promos\"\nassistant_id: 7\n"),
    );
    let run = campaignctl(ws.path(), None)
        .args(["validate", "campaigns"])
        .run();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("10 | name: \"Winter Promos\"\n   |       ^^^^^^^^^^^^^^^\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_message_starts_with_lowercase_error_and_the_error_document_counts_what_a_plan_does() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        format!("kind: Campaign\nname: A\nassistant: Nobody\ntimezone: America/New_York\n{WINDOW}"),
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "campaigns"])
        .run();
    run.assert_code(1);
    assert!(
        run.stdout
            .starts_with("error: the plan has 1 error(s), listed after it;"),
        "{}",
        run.stdout
    );
    run.assert_nowhere("Error:");

    // The document a plan writes and the one written when nothing could be planned carry the
    // same summary keys, `replace` and `delete` included.
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v["summary"]
            .as_object()
            .expect("a summary")
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    ws.write(
        "campaigns/a.yaml",
        format!("kind: Campaign\nname: A\nassistant_id: 7\ntimezone: America/New_York\n{WINDOW}"),
    );
    let planned = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "campaigns"])
        .run();
    planned.assert_code(0);
    ws.write(
        "campaigns/a.yaml",
        "kind: Campaign\nname: A\nmax_retries: 99\n",
    );
    let failed = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--format", "json", "campaigns"])
        .run();
    failed.assert_code(1);
    assert_eq!(keys(&failed.json()), keys(&planned.json()));
    assert_eq!(failed.json()["summary"]["replace"], 0);
    assert_eq!(failed.json()["summary"]["delete"], 0);
    assert_eq!(failed.json()["summary"]["errors"], 2, "{}", failed.stdout);
}

#[test]
fn a_missing_default_directory_is_named_with_where_it_was_looked_for() {
    let ws = Workspace::with_samples();
    let inside = ws.path().join("campaigns");
    let run = campaignctl(&inside, None).args(["validate"]).run();
    run.assert_code(1);
    let here = inside.canonicalize().expect("real path");
    assert_eq!(
        run.stderr,
        format!(
            "error: no manifests to read: no path was given, and the default directory campaigns/ is not in {}\n  hint: give the manifest files or directories (for example `campaignctl validate path/to/campaigns`), or run from the directory that holds campaigns/\n",
            here.display()
        )
    );
    assert_eq!(run.stdout, "");
    // A path given that does not exist: named, with no made-up line and column.
    let run = campaignctl(ws.path(), None)
        .args(["validate", "nowhere"])
        .run();
    run.assert_code(1);
    assert!(
        run.stderr
            .starts_with("error: nowhere: no such file or directory\n  hint: give a manifest file, or a directory"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("nowhere:1:1"), "{}", run.stderr);
}

#[test]
fn the_demo_works_from_anywhere_and_records_nothing_in_the_repository_it_runs_in() {
    // Outside the clone: the built-in samples.
    let empty = Workspace::new();
    let run = campaignctl(empty.path(), None).args(["demo"]).run();
    run.assert_code(0);
    assert!(
        run.stdout.starts_with(
            "No campaigns/ here: the demo plans its built-in sample manifests, written to "
        ),
        "{}",
        run.stdout
    );
    // Outside git the write-once fields cannot be compared, and the last plan says so.
    run.assert_nothing_to_apply();
    // In a git repository with its own manifests: the throwaway emulator's apply leaves no
    // record of what was applied behind.
    let ws = Workspace::with_samples();
    crate::support::git(&ws, &["init", "-q"]);
    crate::support::commit_all(&ws, "samples");
    let run = campaignctl(ws.path(), None).args(["demo"]).run();
    run.assert_code(0);
    // Committed samples: their write-once fields are compared with HEAD, as the README says.
    assert!(
        run.stdout
            .contains("No changes. The platform matches the manifests."),
        "{}",
        run.stdout
    );
    let refs = Command::new("git")
        .current_dir(ws.path())
        .args(["for-each-ref", "refs/campaignctl/"])
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&refs.stdout), "");
}

#[test]
fn validate_reports_every_problem_of_a_leads_file_in_one_run() {
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        format!("kind: Campaign\nname: A\nassistant_id: 7\ntimezone: America/New_York\n{WINDOW}leads: {{ file: leads.csv }}\n"),
    );
    ws.write(
        "campaigns/leads.csv",
        "phone_number,first_name\n+14155550101,Ann\n4155550102,Bob\n+14155550103\n+14155550101,Ann again\n+14155550104,Dee\n",
    );
    let run = campaignctl(ws.path(), None)
        .args(["validate", "campaigns"])
        .run();
    run.assert_code(1);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(
        errors,
        [
            "campaigns/leads.csv:3:1: error: phone_number \"4155550102\" is not an E.164 phone number",
            "campaigns/leads.csv:4:1: error: this row has 1 field(s) but the header row has 2",
            "campaigns/leads.csv:5:1: error: lead +14155550101 is listed twice: at campaigns/leads.csv:2 and at campaigns/leads.csv:5",
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("3 error(s) in 1 file(s); nothing was sent to the platform.\n"),
        "{}",
        run.stderr
    );
}

/// The second account's token: the first account's emulator refuses it.
const BETA_TOKEN: &str = "tok_beta_account_2b8d";

/// A repository with a config of two accounts, `acme` and `beta`, each on its own emulator.
fn two_accounts(acme: &Emulator, beta: &Emulator) -> Workspace {
    let ws = Workspace::new();
    crate::support::git(&ws, &["init", "-q"]);
    ws.write(
        "campaignctl.yaml",
        format!(
            "accounts:\n  acme:\n    api_url: {}\n    token_env: CAMPAIGNCTL_ACME_TOKEN\n    paths: [accounts/acme]\n  beta:\n    api_url: {}\n    token_env: CAMPAIGNCTL_BETA_TOKEN\n    paths: [accounts/beta]\n",
            acme.url, beta.url
        ),
    );
    let manifest = |name: &str| {
        format!("kind: Campaign\nname: \"{name}\"\nassistant_id: 7\ntimezone: America/New_York\n{WINDOW}")
    };
    ws.write("accounts/acme/a.yaml", manifest("Acme: Winter Promos"));
    // A campaign of beta's that lints (its calling window is not set): its warning is about a
    // campaign no --target of acme's names.
    ws.write(
        "accounts/beta/b.yaml",
        "kind: Campaign\nname: Beta one\nassistant_id: 7\ntimezone: America/New_York\n",
    );
    ws
}

fn in_accounts(ws: &Workspace, args: &[&str]) -> crate::support::Run {
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", crate::support::TOKEN)
        .env("CAMPAIGNCTL_BETA_TOKEN", BETA_TOKEN)
        .args(args)
        .run()
}

#[test]
fn with_a_config_a_misspelt_target_gets_a_did_you_mean_and_an_account_not_targeted_is_left_out() {
    let (acme, beta) = (
        Emulator::start(),
        Emulator::start_as("127.0.0.1:0", BETA_TOKEN, &[]),
    );
    let ws = two_accounts(&acme, &beta);
    let run = in_accounts(&ws, &["plan", "--target", "Acme: Winter Promo"]);
    run.assert_code(1);
    let config = format!(
        "Using the repository config {}\n",
        ws.path().join("campaignctl.yaml").display()
    );
    assert_eq!(
        run.stderr.strip_prefix(&config).unwrap_or(&run.stderr),
        "error: --target \"Acme: Winter Promo\" matches no campaign of the selected accounts; did you mean \"Acme: Winter Promos\"?\n  hint: --target takes a campaign name (the manifest's `name`) or a glob pattern such as 'Q4 *'; nothing was planned\n"
    );

    let run = in_accounts(&ws, &["plan", "--target", "Acme: Winter Promos"]);
    run.assert_code(0);
    assert!(run.stdout.contains("Account acme ("), "{}", run.stdout);
    // beta has no campaign --target names: nothing of it is shown.
    run.assert_nowhere("beta").assert_nowhere("Beta");
    let run = in_accounts(
        &ws,
        &["apply", "--auto-approve", "--target", "Acme: Winter Promos"],
    );
    run.assert_code(0);
    run.assert_nowhere("beta").assert_nowhere("Beta");
    assert_eq!(acme.campaign_names(), ["Acme: Winter Promos"]);
    assert_eq!(beta.campaign_names(), Vec::<String>::new());
}

#[test]
fn messages_speak_of_campaigns_and_fields_not_of_the_plan_s_internals() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "campaigns/a.yaml",
        format!("kind: Campaign\nname: Spring\nassistant_id: 7\ntimezone: America/New_York\nmax_retries: 2\n{WINDOW}"),
    );
    // A saved plan whose create body was edited (the file holds it once, in its operation).
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--out", "all.plan"])
        .run()
        .assert_code(0);
    let file = ws.path().join("all.plan");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("plan")).expect("JSON");
    doc["plans"][0]["plan"]["operations"][0]["request"]["assistant_id"] = serde_json::json!(8);
    std::fs::write(&file, serde_json::to_string_pretty(&doc).expect("JSON")).expect("write");
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "all.plan"])
        .run();
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "does not match the plan its inputs give now: the create of campaign \"Spring\": assistant_id is 8 in the file but 7 now;"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("plan.operations") && !run.stderr.contains("request"),
        "{}",
        run.stderr
    );

    // A replacement whose delete is held: its create waits for the delete, said so.
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run()
        .assert_code(0);
    ws.write(
        "campaigns/a.yaml",
        format!("kind: Campaign\nname: Spring\nassistant_id: 7\ntimezone: America/New_York\nmax_retries: 3\n{WINDOW}"),
    );
    let run = campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve"])
        .run();
    run.assert_stdout("waits for the delete of \"Spring\", which is held");
    run.assert_nowhere("operation #");
}

#[test]
fn with_log_format_json_every_stderr_line_is_json() {
    let (acme, beta) = (
        Emulator::start(),
        Emulator::start_as("127.0.0.1:0", BETA_TOKEN, &[]),
    );
    let ws = two_accounts(&acme, &beta);
    // beta's token is not set: watch refuses to start, after saying which config it uses.
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", crate::support::TOKEN)
        .args(["watch", "--log-format", "json"])
        .run();
    run.assert_code(1);
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}\nstderr:\n{}", run.stderr))
        })
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert_eq!(
        lines[0]["message"],
        format!(
            "Using the repository config {}",
            ws.path().join("campaignctl.yaml").display()
        )
    );
    assert_eq!(lines[1]["level"], "ERROR");
    assert!(
        lines[1]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("error: ") && m.contains("CAMPAIGNCTL_BETA_TOKEN")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn a_saved_plan_made_with_a_config_applies_from_any_directory() {
    let (acme, beta) = (
        Emulator::start(),
        Emulator::start_as("127.0.0.1:0", BETA_TOKEN, &[]),
    );
    let ws = two_accounts(&acme, &beta);
    in_accounts(&ws, &["plan", "--out", "all.plan"]).assert_code(0);
    // Outside any repository, without --config: the plan's own directory's config, checked as
    // a found config is, is the one in effect.
    let elsewhere = Workspace::new();
    let plan = ws.path().join("all.plan");
    let run = campaignctl(elsewhere.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", crate::support::TOKEN)
        .env("CAMPAIGNCTL_BETA_TOKEN", BETA_TOKEN)
        .args(["apply"])
        .arg_path(&plan)
        .run();
    run.assert_code(0);
    assert!(
        run.stderr.starts_with(&format!(
            "Using the repository config {}\n",
            ws.path().join("campaignctl.yaml").display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(acme.campaign_names(), ["Acme: Winter Promos"]);
    assert_eq!(beta.campaign_names(), ["Beta one"]);

    // A config others may write is refused there as anywhere.
    in_accounts(&ws, &["plan", "--out", "again.plan"]).assert_code(0);
    let config = ws.path().join("campaignctl.yaml");
    let mode = |m| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(m)).expect("chmod");
    };
    mode(0o666);
    let run = campaignctl(elsewhere.path(), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", crate::support::TOKEN)
        .env("CAMPAIGNCTL_BETA_TOKEN", BETA_TOKEN)
        .args(["apply"])
        .arg_path(&ws.path().join("again.plan"))
        .run();
    mode(0o644);
    run.assert_code(1)
        .assert_stderr("writable by you only (chmod go-w)");
}

#[test]
fn a_fresh_export_passes_deny_warnings_shows_the_status_and_marks_what_the_platform_does_not_return(
) {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/r.yaml",
        format!("kind: Campaign\nname: Runner\nassistant_id: 7\ntimezone: America/Chicago\n{WINDOW}status: running\nleads:\n  items:\n    - {{ phone_number: \"+14155550101\" }}\n---\nkind: Campaign\nname: Drafty\nassistant_id: 7\ntimezone: America/Chicago\n{WINDOW}"),
    );
    campaignctl(ws.path(), Some(&emu))
        .args(["apply", "--auto-approve", "--allow-start", "c"])
        .run()
        .assert_code(0);
    campaignctl(ws.path(), Some(&emu))
        .args(["export", "--out", "exported"])
        .run()
        .assert_code(0);
    let runner = std::fs::read_to_string(ws.path().join("exported/runner.yaml")).expect("export");
    assert!(runner.contains("\nstatus: \"running\"\n"), "{runner}");
    assert!(
        runner.contains(
            "\n# timezone:   (not returned by the platform; set when the campaign was created)\n"
        ),
        "{runner}"
    );
    let drafty = std::fs::read_to_string(ws.path().join("exported/drafty.yaml")).expect("export");
    assert!(drafty.contains("\nstatus: \"draft\"\n"), "{drafty}");

    // The whole export, assistants included, passes --deny-warnings and plans nothing.
    let run = campaignctl(ws.path(), None)
        .args(["validate", "--deny-warnings", "exported"])
        .run();
    run.assert_code(0);
    assert_eq!(run.stderr, "", "no warning on a fresh export");
    campaignctl(ws.path(), Some(&emu))
        .args(["plan", "--detailed-exitcode", "--deny-warnings", "exported"])
        .run()
        .assert_code(0)
        .assert_only_stdout("No changes.");
    // A manifest that creates its campaign is still told to set its zone.
    ws.write(
        "new/n.yaml",
        format!("kind: Campaign\nname: New\nassistant_id: 7\n{WINDOW}"),
    );
    campaignctl(ws.path(), None)
        .args(["validate", "new"])
        .run()
        .assert_code(0)
        .assert_stderr("sets no timezone");
}
