//! The GitHub Action's scripts run for real against the emulator, as a runner would run them:
//! the plan goes to the job summary and the outputs, exit 2 passes and exit 1 fails, and the
//! pull request gets one comment, edited in place on the next run. `gh` is a stand-in on PATH
//! that serves the pull request's comments from a file and records what it is asked to write
//! (the scripts need bash and jq, as GitHub's runners have).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{commit_all, git, Emulator, Workspace, BIN, TOKEN};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A stand-in for GitHub's CLI: `gh api --paginate URL` prints `comments.json`; `gh api
/// --method M URL --input FILE` appends `{method, url, body, token}` to `writes.jsonl`.
const FAKE_GH: &str = r#"#!/usr/bin/env python3
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
assert args[0] == "api", args
if "--paginate" in args:
    sys.stdout.write(open(os.path.join(here, "comments.json")).read())
    sys.exit(0)
method = args[args.index("--method") + 1]
url = [a for a in args[1:] if a.startswith("repos/")][0]
body = json.load(open(args[args.index("--input") + 1]))["body"]
with open(os.path.join(here, "writes.jsonl"), "a") as log:
    log.write(json.dumps({"method": method, "url": url, "body": body, "token": os.environ.get("GH_TOKEN")}) + "\n")
print("{}")
"#;

/// One runner: a repository with manifests, the runner's files, and the fake `gh`.
struct Runner {
    ws: Workspace,
    runner: tempfile::TempDir,
}

impl Runner {
    fn new(manifest: &str) -> Runner {
        let jq = Command::new("jq").arg("--version").output();
        assert!(
            jq.is_ok_and(|o| o.status.success()),
            "the action's scripts need jq (GitHub's runners have it); install it to run this test"
        );
        let ws = Workspace::new();
        ws.write("campaigns/winter.yaml", manifest);
        git(&ws, &["init", "-q"]);
        commit_all(&ws, "manifests");
        // origin: where the record of what was applied is fetched from and pushed to.
        let origin = ws.path().join(".origin.git");
        git(&ws, &["init", "-q", "--bare", &origin.to_string_lossy()]);
        git(&ws, &["remote", "add", "origin", &origin.to_string_lossy()]);
        git(&ws, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
        let runner = tempfile::tempdir().expect("tempdir");
        let gh = runner.path().join("bin/gh");
        std::fs::create_dir_all(gh.parent().expect("bin")).expect("mkdir");
        std::fs::write(&gh, FAKE_GH).expect("write gh");
        make_executable(&gh);
        std::fs::write(runner.path().join("bin/comments.json"), "[]").expect("comments");
        std::fs::write(
            runner.path().join("event.json"),
            r#"{"pull_request": {"number": 7}}"#,
        )
        .expect("event");
        Runner { ws, runner }
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.runner.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap_or_default()
    }

    fn set_comments(&self, comments: serde_json::Value) {
        std::fs::write(self.file("bin/comments.json"), comments.to_string()).expect("comments");
    }

    /// What the fake `gh` was asked to write, in order.
    fn writes(&self) -> Vec<serde_json::Value> {
        self.read("bin/writes.jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// Runs `scripts/action/run.sh` as action.yml does, in a pull request's job.
    fn run(&self, emu: &Emulator, command: &str) -> Output {
        self.run_on(emu, command, "pull_request")
    }

    /// Runs `scripts/action/run.sh` as action.yml does, in a job of the `event`.
    fn run_on(&self, emu: &Emulator, command: &str, event: &str) -> Output {
        let bin_dir = Path::new(BIN).parent().expect("the binary's directory");
        let path =
            std::env::join_paths([self.file("bin"), bin_dir.to_path_buf()].into_iter().chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
            ))
            .expect("PATH");
        Command::new("bash")
            .arg(Path::new(REPO).join("scripts/action/run.sh"))
            .current_dir(self.ws.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.runner.path())
            .env("COMMAND", command)
            .env("PATHS", "campaigns/")
            .env("FETCH_RECORD", "true")
            .env("PUSH_RECORD", "true")
            .env("COMMENT", "true")
            .env("COMMENT_KEY", "acme")
            .env("ACTION_PATH", REPO)
            .env("GH_TOKEN", "ghs_github_token")
            .env("RUNNER_TEMP", self.runner.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", self.file("event.json"))
            .env("GITHUB_REPOSITORY", "acme/campaigns")
            .env("GITHUB_STEP_SUMMARY", self.file("summary.md"))
            .env("GITHUB_OUTPUT", self.file("output"))
            .env("CAMPAIGNCTL_API_URL", &emu.url)
            .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
            .env("CAMPAIGNCTL_LOCK_DIR", self.runner.path().join("locks"))
            .env("NO_COLOR", "1")
            .output()
            .expect("bash runs the action's script")
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const WINTER: &str = "kind: Campaign\nname: Winter\nassistant_id: 9\ntimezone: Europe/London\n";
const MARKER: &str = "<!-- campaignctl-plan: acme -->";

#[test]
fn the_action_plans_into_the_summary_and_one_comment_edited_in_place() {
    let emu = Emulator::start();
    let runner = Runner::new(WINTER);

    // A plan with changes (exit 2) passes the check, and the first run comments.
    let out = runner.run(&emu, "plan");
    assert!(out.status.success(), "exit 2 passes:\n{}", said(&out));
    assert!(
        runner.read("output").contains("exitcode=2\n"),
        "the plan's exit code is an output: {:?}",
        runner.read("output")
    );
    let summary = runner.read("summary.md");
    assert!(
        summary.contains("Winter"),
        "the plan is in the job summary:\n{summary}"
    );
    let writes = runner.writes();
    assert_eq!(writes.len(), 1, "one comment: {writes:?}");
    assert_eq!(writes[0]["method"], "POST");
    assert_eq!(writes[0]["url"], "repos/acme/campaigns/issues/7/comments");
    assert_eq!(writes[0]["token"], "ghs_github_token");
    let body = writes[0]["body"].as_str().expect("a body");
    assert!(
        body.starts_with(MARKER) && body.contains("Winter"),
        "the comment starts with its marker and holds the plan:\n{body}"
    );
    assert!(
        !said(&out).contains(TOKEN) && !body.contains(TOKEN),
        "the platform token never shows"
    );

    // The next run finds its comment by the marker (not someone else's) and edits it.
    runner.set_comments(serde_json::json!([
        {"id": 5, "body": "Looks good, but see <!-- campaignctl-plan: acme -->"},
        {"id": 9, "body": format!("{MARKER}\nan older plan")},
    ]));
    let out = runner.run(&emu, "plan");
    assert!(out.status.success(), "{}", said(&out));
    let writes = runner.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[1]["method"], "PATCH");
    assert_eq!(writes[1]["url"], "repos/acme/campaigns/issues/comments/9");
}

#[test]
fn a_failed_plan_fails_the_check_and_replaces_the_comment() {
    let emu = Emulator::start();
    let runner = Runner::new(&format!("{WINTER}max_retries: 9\n"));
    runner.set_comments(serde_json::json!([{"id": 9, "body": format!("{MARKER}\nan older plan")}]));

    let out = runner.run(&emu, "plan");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an error fails the check:\n{}",
        said(&out)
    );
    assert!(
        said(&out).contains("campaigns/winter.yaml:5:14: error: max_retries"),
        "the job's log says why:\n{}",
        said(&out)
    );
    let summary = runner.read("summary.md");
    assert!(summary.contains("campaignctl plan failed"), "{summary}");
    let writes = runner.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        writes[0]["method"], "PATCH",
        "the old plan is not left standing"
    );
    assert!(
        writes[0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("campaignctl plan failed")),
        "{writes:?}"
    );

    // validate: the problem as an annotation on the diff, and campaignctl's exit code.
    let out = runner.run(&emu, "validate");
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("::error file=campaigns/winter.yaml,line=5"),
        "the problem is an annotation:\n{}",
        said(&out)
    );
}

#[test]
fn the_apply_job_applies_the_plan_it_shows_and_pushes_the_record() {
    let emu = Emulator::start();
    let runner = Runner::new(WINTER);

    let out = runner.run_on(&emu, "apply", "push");
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(emu.campaign_names(), ["Winter"], "{}", said(&out));
    assert!(runner.read("summary.md").contains("Winter"));
    assert!(
        runner.writes().is_empty(),
        "no comment outside a pull request"
    );
    let origin = runner.ws.path().join(".origin.git");
    let refs = Command::new("git")
        .arg("--git-dir")
        .arg(&origin)
        .args(["for-each-ref", "--format=%(refname)", "refs/campaignctl/"])
        .output()
        .expect("git runs");
    let refs = String::from_utf8_lossy(&refs.stdout);
    assert!(
        refs.starts_with("refs/campaignctl/applied/"),
        "the record was pushed to origin: {refs:?}\n{}",
        said(&out)
    );

    // The next merge's job runs in a fresh clone: it fetches the record, and finds nothing
    // to do.
    let record = refs.lines().next().expect("a record ref");
    git(&runner.ws, &["update-ref", "-d", record]);
    std::fs::remove_file(runner.file("output")).expect("a fresh job's outputs");
    let out = runner.run_on(&emu, "apply", "push");
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        runner.read("output").starts_with("exitcode=0\n"),
        "{:?}",
        runner.read("output")
    );
    git(&runner.ws, &["rev-parse", "--verify", "-q", record]);
}
