//! Where the write-once baseline comes from when `--base` is not given, so that a write-once
//! edit is seen in every flow without a flag. The platform never returns write-once fields, so
//! only git can say what they were; per campaign, the first source that knows it wins:
//!
//! 1. the record of what was applied (`reconcile::applied_record`): the commit whose
//!    write-once values each campaign was last applied from (first choice everywhere: it is
//!    what is on the platform, whoever applied it and whatever was merged since);
//! 2. for the campaigns it does not have, one commit from the environment: the merge-base of
//!    HEAD and the pull request's target (`CAMPAIGNCTL_BASE`, GitHub's `GITHUB_BASE_REF`,
//!    GitLab's `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`), never the target's tip, which would
//!    blame this pull request for what was merged since; else the commit a push started from
//!    (GitHub's push event payload `before`, GitLab's `CI_COMMIT_BEFORE_SHA`); else `HEAD`,
//!    which sees edits not committed yet, and not those committed but not applied.
//!
//! Outside a git repository (or without git, or before the first commit) there is none, and
//! the plan says so instead of "No changes". The commits used are kept in the lifecycle
//! options (`BaselineFrom`), so a saved plan reads exactly the same ones again.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::manifest::at_revision::{check_revision, git, repository_anchor, trim_line};
use crate::manifest::{LoadOutcome, Manifest, Root};
use crate::reconcile::applied::AppliedRecord;
use crate::reconcile::baseline::{BaseCommit, BaseKind, Baseline, BaselineFrom, BaselinePart};
use crate::reconcile::lifecycle::LifecycleOptions;

/// The account a run reads a repository config's defaults for: its name and the config file.
pub type ConfigAccount<'a> = Option<(&'a str, &'a Path)>;

/// The environment, as this module reads it (a function, so tests can give their own).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment; an empty value counts as unset (CI systems set some to "").
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A push event's payload larger than this is not read (GitHub's are far smaller).
const MAX_EVENT_BYTES: u64 = 32 * 1024 * 1024;

/// How a run finds its write-once baseline when `--base` is not given.
#[derive(Clone, Copy)]
pub enum Look<'a> {
    /// A fresh run (`plan`, `apply`, `watch`), with the record of what was applied if any.
    Afresh(Option<&'a AppliedRecord>),
    /// A saved plan: exactly the commits it recorded, nothing looked for again.
    AsSaved,
}

/// Finds the baseline of a fresh run (`plan`, `apply`, `watch` at start) over `paths`: the
/// record's commits, then the environment's or HEAD. Fills `baseline` and `baseline_from`.
/// `loaded`: the run's load of the working tree, whose manifests stand for the files a commit
/// holds unchanged (`manifest::load_at_revision`).
pub fn automatic(
    printer: &crate::cli::Printer,
    mut lifecycle: LifecycleOptions,
    paths: &[PathBuf],
    account: ConfigAccount<'_>,
    record: Option<&AppliedRecord>,
    env: Env<'_>,
    loaded: Option<&LoadOutcome>,
) -> Result<LifecycleOptions, Diagnostic> {
    let top = match repository_top(paths) {
        Ok(top) => top,
        Err(why) => {
            lifecycle.baseline_from = BaselineFrom {
                commits: Vec::new(),
                unavailable: Some(why),
                uncommitted: BTreeMap::new(),
            };
            return Ok(lifecycle);
        }
    };
    let (mut commits, uncommitted) =
        record.map_or_else(Default::default, |r| record_commits(printer, &top, r));
    match fallback(&top, env)? {
        Some(commit) => commits.push(commit),
        None if commits.is_empty() => {
            lifecycle.baseline_from.unavailable = Some(
                "the git repository of the manifests has no commit yet, and no record of what was applied".to_owned(),
            );
            return Ok(lifecycle);
        }
        None => {}
    }
    lifecycle.baseline_from = BaselineFrom {
        commits,
        unavailable: None,
        uncommitted,
    };
    // A baseline found on its own that cannot be read (a path outside the repository, a
    // partial clone) compares nothing, and the plan says why; it does not stop the plan, as
    // `--base` given explicitly does.
    let unread = lifecycle.clone();
    match read_saved(printer, lifecycle, paths, account, loaded) {
        Ok(read) => Ok(read),
        Err(e) => {
            let mut lifecycle = unread;
            lifecycle.baseline_from = BaselineFrom {
                commits: Vec::new(),
                unavailable: Some(format!(
                    "the manifests at the baseline cannot be read: {}",
                    e.message
                )),
                uncommitted: BTreeMap::new(),
            };
            Ok(lifecycle)
        }
    }
}

/// Reads the commits `lifecycle.baseline_from` names (a fresh run's, or a saved plan's, which
/// is never looked for again) into `lifecycle.baseline`, taking from `loaded` the manifests of
/// the files a commit holds unchanged.
pub fn read_saved(
    printer: &crate::cli::Printer,
    mut lifecycle: LifecycleOptions,
    paths: &[PathBuf],
    account: ConfigAccount<'_>,
    loaded: Option<&LoadOutcome>,
) -> Result<LifecycleOptions, Diagnostic> {
    if lifecycle.baseline_from.commits.is_empty() {
        return Ok(lifecycle);
    }
    let mut read: HashMap<&str, Vec<Manifest>> = HashMap::new();
    let mut parts = Vec::new();
    // The assistants of every commit read, first source first.
    let mut assistants = Vec::new();
    let uncommitted = &lifecycle.baseline_from.uncommitted;
    if !uncommitted.is_empty() {
        // Known by id, with no values: never compared with a later source (HEAD, a
        // merge-base), which holds edits made since, not what is on the platform.
        parts.push(BaselinePart {
            source: "the record of what was applied (applied from edits not committed)".to_owned(),
            manifests: Vec::new(),
            ids: Some(uncommitted.clone()),
        });
    }
    // How many sources still need each commit's manifests: the last one takes them instead of
    // a copy (a fleet's manifests at HEAD are as large as the manifests themselves).
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for base in &lifecycle.baseline_from.commits {
        *uses.entry(base.commit.as_str()).or_default() += 1;
    }
    for base in &lifecycle.baseline_from.commits {
        let commit = base.commit.as_str();
        if !read.contains_key(commit) {
            let at = manifests_at(commit, paths, account, loaded)?;
            warn_problems(printer, &at.diagnostics, &base.label());
            read.insert(commit, at.manifests);
            assistants.extend(at.assistants);
        }
        let left = uses.get_mut(commit).map(|n| {
            *n -= 1;
            *n
        });
        let wanted = |m: &Manifest| {
            base.campaigns
                .as_ref()
                .is_none_or(|names| names.contains(&m.spec.name))
        };
        let manifests: Vec<Manifest> = if left == Some(0) {
            let all = read.remove(commit).unwrap_or_default();
            all.into_iter().filter(|m| wanted(m)).collect()
        } else {
            let all = read.get(commit).map_or(&[][..], Vec::as_slice);
            all.iter().filter(|m| wanted(m)).cloned().collect()
        };
        parts.push(BaselinePart {
            source: base.label(),
            manifests,
            ids: base.ids.clone(),
        });
    }
    lifecycle.baseline = Some(std::sync::Arc::new(
        Baseline::new(parts).with_assistants(assistants),
    ));
    Ok(lifecycle)
}

/// The manifests under `paths` at `rev`, read with the repository config's defaults at that
/// revision (otherwise a default would look like a change to every campaign it fills); those
/// of a file the revision holds as `loaded` read it are taken from `loaded`.
pub fn manifests_at(
    rev: &str,
    paths: &[PathBuf],
    account: ConfigAccount<'_>,
    loaded: Option<&LoadOutcome>,
) -> Result<crate::manifest::AtRevision, Diagnostic> {
    let roots_at = |bytes: &[u8]| -> Result<Vec<Root>, String> {
        let Some((name, file)) = account else {
            return Ok(Vec::new());
        };
        let config = crate::config::parse(file, bytes)
            .map_err(|problems| format!("it has {} problem(s)", problems.len()))?;
        config
            .account(name)
            .map(|a| a.roots.clone())
            .ok_or_else(|| format!("it does not declare account {name}"))
    };
    let config_at = account.map(|(_, file)| crate::manifest::ConfigAtRevision {
        file,
        roots: &roots_at,
    });
    crate::manifest::load_at_revision(rev, paths, config_at.as_ref(), loaded)
}

/// Says that manifests at a baseline had problems: their campaigns are not compared with it.
pub fn warn_problems(printer: &crate::cli::Printer, diagnostics: &[Diagnostic], source: &str) {
    let problems: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if let Some(first) = problems.first() {
        printer.problems(&[Diagnostic::warning(
            None,
            format!(
                "{} problem(s) in the manifests at {source} (first: {}): the campaigns they declared there are not compared with it",
                problems.len(),
                first.shown(printer.shown_from())
            ),
        )]);
    }
}

/// The top directory of the git repository holding `paths`, or why there is none.
fn repository_top(paths: &[PathBuf]) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir()
        .map_err(|e| format!("the working directory cannot be read ({e})"))?;
    let anchor = repository_anchor(paths, &cwd);
    match git(&anchor, ["rev-parse", "--show-toplevel"]) {
        Ok(top) => Ok(PathBuf::from(
            String::from_utf8_lossy(&trim_line(top)).into_owned(),
        )),
        Err(e) if e.contains("not found on PATH") => {
            Err("git was not found on PATH, so no commit and no record of what was applied could be read".to_owned())
        }
        Err(e) if e.contains("not a git repository") => Err(
            "the manifests are not in a git repository, so there is no record of what was applied and no commit to compare with".to_owned(),
        ),
        Err(e) => Err(format!("git cannot read the repository of the manifests ({e})")),
    }
}

/// The full id of the commit `rev` names in the repository at `top`, if it has it.
fn commit_of(top: &Path, rev: &str) -> Option<String> {
    let out = git(
        top,
        [
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .ok()?;
    let id = String::from_utf8_lossy(&trim_line(out)).into_owned();
    (!id.is_empty()).then_some(id)
}

/// The record's commits, each with the campaigns recorded at it (by name there, and by the id
/// each was recorded with, which is how a plan finds a campaign's entry whatever it is called
/// now), in commit order; and the ids of the entries without a commit (applied from edits not
/// committed), which no later source may stand in for. A commit this clone does not have is
/// left out with a warning (its campaigns fall to the next source).
fn record_commits(
    printer: &crate::cli::Printer,
    top: &Path,
    record: &AppliedRecord,
) -> (Vec<BaseCommit>, BTreeMap<String, u64>) {
    let mut by_commit: BTreeMap<&str, Vec<(String, Option<u64>)>> = BTreeMap::new();
    let mut uncommitted = BTreeMap::new();
    for (name, entry) in &record.campaigns {
        match (entry.commit.as_deref(), entry.id) {
            // Read under the name it had at the commit (renamed since, the commit kept).
            (Some(commit), id) => by_commit.entry(commit).or_default().push((
                entry.commit_name.clone().unwrap_or_else(|| name.clone()),
                id,
            )),
            (None, Some(id)) => {
                uncommitted.insert(name.clone(), id);
            }
            (None, None) => {}
        }
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (commit, campaigns) in by_commit {
        match check_revision(commit)
            .ok()
            .and_then(|()| commit_of(top, commit))
        {
            Some(full) => out.push(BaseCommit {
                kind: BaseKind::Record,
                commit: full,
                ids: Some(
                    campaigns
                        .iter()
                        .filter_map(|(name, id)| Some((name.clone(), (*id)?)))
                        .collect(),
                ),
                campaigns: Some(campaigns.into_iter().map(|(name, _)| name).collect()),
            }),
            None => missing.push(commit),
        }
    }
    if let Some(first) = missing.first() {
        let short = &first[..first.len().min(12)];
        printer.problems(&[Diagnostic::warning(
            None,
            format!(
                "the record of what was applied names {} commit(s) this clone does not have (first: {short}); their campaigns' write-once fields are compared with the next baseline instead",
                missing.len()
            ),
        )
        .with_hint("fetch the whole history: `fetch-depth: 0` in the actions/checkout step (GitHub), `GIT_DEPTH: 0` (GitLab), or `git fetch --unshallow`")]);
    }
    (out, uncommitted)
}

/// Where a CI system is told to fetch more history.
#[derive(Clone, Copy)]
enum Ci {
    GitHub,
    GitLab,
    Other,
}

impl Ci {
    fn hint(self, branch: Option<&str>) -> String {
        let fetch = branch.map_or_else(String::new, |b| {
            format!(", or run `git fetch --no-tags origin {b}` then `git fetch --deepen=1000` before campaignctl")
        });
        match self {
            Ci::GitHub => format!("add `fetch-depth: 0` under `with:` in the actions/checkout step (it fetches every branch with its history){fetch}"),
            Ci::GitLab => format!("set `GIT_DEPTH: \"0\"` in the job's `variables:` (a full clone){fetch}"),
            Ci::Other => format!("fetch the whole history (`git fetch --unshallow`){fetch}, or pass --base REF"),
        }
    }
}

/// The commit for the campaigns the record does not have: the environment's, else HEAD
/// (`None`: no commit yet).
fn fallback(top: &Path, env: Env<'_>) -> Result<Option<BaseCommit>, Diagnostic> {
    if let Some(rev) = env("CAMPAIGNCTL_BASE") {
        return merge_base(top, &rev, "CAMPAIGNCTL_BASE", Ci::Other, None).map(Some);
    }
    if let Some(branch) = env("GITHUB_BASE_REF") {
        let target = format!("origin/{branch}");
        return merge_base(top, &target, "GITHUB_BASE_REF", Ci::GitHub, Some(&branch)).map(Some);
    }
    if let Some(branch) = env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") {
        let target = format!("origin/{branch}");
        // GitLab computes the merge-base itself; use it when this clone has it.
        if let Some(sha) = env("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
            if let Some(commit) = check_revision(&sha)
                .ok()
                .and_then(|()| commit_of(top, &sha))
            {
                return Ok(Some(BaseCommit {
                    kind: BaseKind::MergeBase { target },
                    commit,
                    campaigns: None,
                    ids: None,
                }));
            }
        }
        return merge_base(
            top,
            &target,
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
            Ci::GitLab,
            Some(&branch),
        )
        .map(Some);
    }
    if let Some((before, ci)) = push_before(env)? {
        let Some(commit) = commit_of(top, &before) else {
            let short = &before[..before.len().min(12)];
            return Err(Diagnostic::error(
                None,
                format!("the push being applied started from commit {short}, which this clone does not have, so write-once fields cannot be compared with it"),
            )
            .with_hint(ci.hint(None)));
        };
        return Ok(Some(BaseCommit {
            kind: BaseKind::PushBefore,
            commit,
            campaigns: None,
            ids: None,
        }));
    }
    Ok(commit_of(top, "HEAD").map(|commit| BaseCommit {
        kind: BaseKind::Head,
        commit,
        campaigns: None,
        ids: None,
    }))
}

/// The merge-base of HEAD and `target` (named by the variable `var`), or an error saying what
/// to add to the checkout step when the clone lacks the target or enough history.
fn merge_base(
    top: &Path,
    target: &str,
    var: &str,
    ci: Ci,
    branch: Option<&str>,
) -> Result<BaseCommit, Diagnostic> {
    check_revision(target)
        .map_err(|why| Diagnostic::error(None, format!("{var} names {target:?}, which {why}")))?;
    let Some(tip) = commit_of(top, target) else {
        return Err(Diagnostic::error(
            None,
            format!("{var} names the target {target}, which this clone does not have, so write-once fields cannot be compared with the pull request's merge-base"),
        )
        .with_hint(ci.hint(branch)));
    };
    match git(top, ["merge-base", "HEAD", tip.as_str()]) {
        Ok(out) => Ok(BaseCommit {
            kind: BaseKind::MergeBase {
                target: target.to_owned(),
            },
            commit: String::from_utf8_lossy(&trim_line(out)).into_owned(),
            campaigns: None,
            ids: None,
        }),
        Err(_) => {
            let shallow = git(top, ["rev-parse", "--is-shallow-repository"])
                .is_ok_and(|out| trim_line(out) == b"true");
            let why = if shallow {
                "this clone is shallow and holds no commit they share"
            } else {
                "they share no commit"
            };
            Err(Diagnostic::error(
                None,
                format!("cannot find the merge-base of HEAD and {target} ({var}): {why}, so write-once fields cannot be compared with it"),
            )
            .with_hint(ci.hint(branch)))
        }
    }
}

/// The commit a push started from, as the CI system says it: GitHub's push event payload
/// (`before`, in the file `GITHUB_EVENT_PATH`; there is no variable for it), or GitLab's
/// `CI_COMMIT_BEFORE_SHA`. `None` outside a push, or for a push that created the branch
/// (all zeros: nothing came before).
fn push_before(env: Env<'_>) -> Result<Option<(String, Ci)>, Diagnostic> {
    let zeros = |s: &str| s.bytes().all(|b| b == b'0');
    if env("GITHUB_EVENT_NAME").as_deref() == Some("push") {
        if let Some(path) = env("GITHUB_EVENT_PATH") {
            let before = read_event_before(Path::new(&path)).map_err(|why| {
                Diagnostic::error(None, format!("cannot read the push event payload at {path}: {why}"))
                    .with_hint("run campaignctl in the job of the push event, or set CAMPAIGNCTL_BASE to the commit to compare with")
            })?;
            return Ok(before
                .filter(|b| !zeros(b) && check_revision(b).is_ok())
                .map(|b| (b, Ci::GitHub)));
        }
    }
    if let Some(before) = env("CI_COMMIT_BEFORE_SHA") {
        if !zeros(&before) && check_revision(&before).is_ok() {
            return Ok(Some((before, Ci::GitLab)));
        }
    }
    Ok(None)
}

/// `before` of a GitHub push event payload.
fn read_event_before(path: &Path) -> Result<Option<String>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_EVENT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    let payload: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("not JSON ({e})"))?;
    Ok(payload
        .get("before")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// A repository with two commits; their ids, oldest first.
    fn repository() -> (tempfile::TempDir, [String; 2]) {
        let dir = tempfile::tempdir().expect("temp dir");
        let git_ok = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .current_dir(dir.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
                .args(args)
                .output()
                .expect("git runs");
            assert!(out.status.success(), "{args:?}");
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        git_ok(&["init", "-q"]);
        let mut ids = Vec::new();
        for n in ["one", "two"] {
            git_ok(&["commit", "-q", "--allow-empty", "-m", n]);
            ids.push(git_ok(&["rev-parse", "HEAD"]));
        }
        let [a, b] = <[String; 2]>::try_from(ids).expect("two commits");
        (dir, [a, b])
    }

    #[test]
    fn a_push_says_where_it_started_from_and_a_new_branch_started_from_nothing() {
        let payload = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(
            payload.path(),
            br#"{"before": "1a2b3c", "after": "4d5e6f"}"#,
        )
        .expect("write");
        let path = payload.path().to_string_lossy().into_owned();
        let github = |name: &str| match name {
            "GITHUB_EVENT_NAME" => Some("push".to_owned()),
            "GITHUB_EVENT_PATH" => Some(path.clone()),
            _ => None,
        };
        assert!(matches!(push_before(&github), Ok(Some((b, Ci::GitHub))) if b == "1a2b3c"));
        let pull_request = |name: &str| match name {
            "GITHUB_EVENT_NAME" => Some("pull_request".to_owned()),
            "GITHUB_EVENT_PATH" => Some(path.clone()),
            _ => None,
        };
        assert!(matches!(push_before(&pull_request), Ok(None)));
        let gitlab = env_of(&[("CI_COMMIT_BEFORE_SHA", "9f8e7d")]);
        assert!(matches!(push_before(&gitlab), Ok(Some((b, Ci::GitLab))) if b == "9f8e7d"));
        let created = env_of(&[(
            "CI_COMMIT_BEFORE_SHA",
            "0000000000000000000000000000000000000000",
        )]);
        assert!(matches!(push_before(&created), Ok(None)));
    }

    #[test]
    fn the_environment_names_the_commit_and_a_missing_one_is_an_error_with_what_to_fetch() {
        let (dir, [first, second]) = repository();
        let head = fallback(dir.path(), &env_of(&[])).expect("HEAD");
        assert_eq!(
            head.map(|c| (c.kind, c.commit)),
            Some((BaseKind::Head, second))
        );
        let generic =
            fallback(dir.path(), &env_of(&[("CAMPAIGNCTL_BASE", "HEAD~1")])).expect("merge-base");
        assert_eq!(generic.map(|c| c.commit), Some(first.clone()));
        let pushed =
            fallback(dir.path(), &env_of(&[("CI_COMMIT_BEFORE_SHA", &first)])).expect("push");
        assert_eq!(
            pushed.map(|c| (c.kind, c.commit)),
            Some((BaseKind::PushBefore, first))
        );
        let gone = fallback(
            dir.path(),
            &env_of(&[("CI_COMMIT_BEFORE_SHA", "1234567890abcdef")]),
        )
        .expect_err("not in the clone");
        assert!(
            gone.to_string().contains("this clone does not have"),
            "{gone}"
        );
        let no_target = fallback(dir.path(), &env_of(&[("GITHUB_BASE_REF", "main")]))
            .expect_err("no origin/main");
        assert!(
            no_target.to_string().contains("fetch-depth: 0"),
            "{no_target}"
        );
    }
}
