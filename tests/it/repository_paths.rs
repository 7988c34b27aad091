//! Paths and headings fit the repository (issue 19, item 4): with a repository config, whose
//! account paths are read as absolute paths, every output shows a manifest's path relative to
//! the repository's top, from its top or from a subdirectory: GitHub attaches annotations only
//! to such paths, and a pull-request comment must not show the runner's layout. Inside GitHub
//! Actions, `plan` and `apply` annotate problems as `validate` does, whatever `--format`.

use crate::support::{campaignctl, git, Emulator, Run, Workspace};

const WINTER: &str = "accounts/acme/winter.yaml";
const BAD: &str = "accounts/acme/bad.yaml";

fn manifest(name: &str, extra: &str) -> String {
    format!("kind: Campaign\nname: {name}\nassistant_id: 7\ntimezone: America/Chicago\nallowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\"\n{extra}")
}

/// A git repository whose config declares account `acme` on `emu`, with one valid manifest.
fn repository(emu: &Emulator) -> Workspace {
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaignctl.yaml",
        format!(
            "accounts:\n  acme:\n    api_url: {}\n    token_env: CAMPAIGNCTL_ACME_TOKEN\n    paths: [accounts/acme]\n",
            emu.url
        ),
    );
    ws.write(WINTER, manifest("Winter", ""));
    std::fs::create_dir_all(ws.path().join("accounts/acme/deep")).expect("mkdir");
    ws
}

/// campaignctl in `dir` of the repository (`""`: its top), with the account's token.
fn run_in(ws: &Workspace, dir: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = campaignctl(&ws.path().join(dir), None)
        .env("CAMPAIGNCTL_ACME_TOKEN", crate::support::TOKEN)
        .args(args);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd.run()
}

/// Every `file` field anywhere in a JSON document.
fn files_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("file", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => files_in(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| files_in(v, out)),
        _ => {}
    }
}

#[track_caller]
fn assert_no_absolute_path(ws: &Workspace, text: &str, what: &str) {
    let top = ws.path().to_string_lossy();
    assert!(
        !text.contains(top.as_ref()),
        "{what} shows the runner's layout ({top}):\n{text}"
    );
}

#[test]
fn every_format_shows_repository_relative_paths_from_the_top_and_from_a_subdirectory() {
    let emu = Emulator::start();
    let ws = repository(&emu);
    for dir in ["", "accounts/acme/deep"] {
        let github = run_in(&ws, dir, &[], &["plan", "--format", "github"]);
        github
            .assert_code(0)
            .assert_stdout(&format!("::notice file={WINTER},line=1"));
        assert_no_absolute_path(&ws, &github.stdout, "plan --format github");

        let markdown = run_in(&ws, dir, &[], &["plan", "--format", "markdown"]);
        markdown
            .assert_code(0)
            .assert_stdout(&format!("{WINTER}:1"));
        assert_no_absolute_path(&ws, &markdown.stdout, "plan --format markdown");

        let json = run_in(&ws, dir, &[], &["plan", "--format", "json"]);
        json.assert_code(0);
        let mut files = Vec::new();
        files_in(&json.json(), &mut files);
        assert!(
            files.iter().any(|f| f == WINTER),
            "plan --format json from {dir:?} names no {WINTER}: {files:?}"
        );
        assert_no_absolute_path(&ws, &json.stdout, "plan --format json");
    }
}

#[test]
fn diagnostics_and_json_errors_name_the_repository_relative_path_from_a_subdirectory() {
    let emu = Emulator::start();
    let ws = repository(&emu);
    ws.write(BAD, manifest("Bad", "max_retries: 9\n"));
    let text = run_in(&ws, "accounts/acme/deep", &[], &["plan"]);
    text.assert_code(1)
        .assert_only_stderr(&format!("{BAD}:7:14: error:"));
    assert_no_absolute_path(&ws, &text.stdout, "plan's stdout");

    let json = run_in(
        &ws,
        "accounts/acme/deep",
        &[],
        &["plan", "--format", "json"],
    );
    json.assert_code(1);
    let mut files = Vec::new();
    files_in(&json.json(), &mut files);
    assert_eq!(files, [BAD], "the JSON error document's diagnostics");

    let validate = run_in(&ws, "accounts", &[], &["validate", "--format", "json"]);
    validate.assert_code(1);
    let mut files = Vec::new();
    files_in(&validate.json(), &mut files);
    assert_eq!(files, [BAD], "validate --format json's diagnostics");
}

#[test]
fn without_a_config_paths_are_relative_to_the_git_repository_holding_the_working_directory() {
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write("campaigns/bad.yaml", manifest("Bad", "max_retries: 9\n"));
    std::fs::create_dir_all(ws.path().join("docs")).expect("mkdir");
    let run = campaignctl(&ws.path().join("docs"), None)
        .args(["validate", "../campaigns"])
        .run();
    run.assert_code(1).assert_nowhere("../campaigns/bad.yaml");
    assert!(
        run.stderr.starts_with("campaigns/bad.yaml:7:14: error:"),
        "the diagnostic names the repository-relative path:\n{run}"
    );
}

#[test]
fn markdown_gives_each_account_a_heading_above_its_plan() {
    let emu = Emulator::start();
    let ws = repository(&emu);
    let run = run_in(&ws, "", &[], &["plan", "--format", "markdown"]);
    run.assert_code(0);
    let heading = format!("## Account acme (`{}", emu.url);
    let at = run
        .stdout
        .find(&heading)
        .unwrap_or_else(|| panic!("no Markdown heading {heading:?} for the account:\n{run}"));
    let plan = run
        .stdout
        .find("### campaignctl plan")
        .unwrap_or_else(|| panic!("no plan heading:\n{run}"));
    assert!(at < plan, "the account's heading opens its section:\n{run}");
    run.assert_nowhere("Account acme (http");
}

#[test]
fn plan_and_apply_annotate_problems_inside_github_actions_whatever_the_format() {
    let emu = Emulator::start();
    let ws = repository(&emu);
    ws.write(BAD, manifest("Bad", "max_retries: 9\n"));
    let actions = [("GITHUB_ACTIONS", "true")];
    let annotation = format!("::error file={BAD},line=7,col=14,");
    let text_line = format!("{BAD}:7:14: error:");

    // Text on stdout: the annotation there, the text on stderr.
    let plan = run_in(&ws, "accounts", &actions, &["plan"]);
    plan.assert_code(1)
        .assert_only_stdout(&annotation)
        .assert_only_stderr(&text_line);

    // A document on stdout: the annotations go to stderr, and stdout stays one document.
    for format in ["json", "markdown"] {
        let run = run_in(&ws, "accounts", &actions, &["plan", "--format", format]);
        run.assert_code(1).assert_only_stderr(&annotation);
    }
    run_in(&ws, "accounts", &actions, &["plan", "--format", "json"]).json();

    let apply = run_in(&ws, "accounts", &actions, &["apply", "--auto-approve"]);
    apply
        .assert_code(1)
        .assert_only_stdout(&annotation)
        .assert_only_stderr(&text_line);
    let apply_json = run_in(
        &ws,
        "accounts",
        &actions,
        &["apply", "--auto-approve", "--format", "json"],
    );
    apply_json.assert_code(1).assert_only_stderr(&annotation);
    assert!(emu.campaign_names().is_empty(), "nothing was applied");

    // Outside GitHub Actions, no annotation anywhere.
    run_in(&ws, "accounts", &[], &["plan"])
        .assert_code(1)
        .assert_nowhere("::error");
}
