//! The manifests as they were at a git revision (`plan --base REF`), read through the `git`
//! command: the same paths as now, discovered by the same rules (a file named explicitly is
//! taken whatever its extension; a directory gives its `*.yaml` and `*.yml` files, hidden ones
//! skipped), parsed by the same loader. Nothing is checked out and the working tree is not
//! touched. Only regular files are read (never a symlink or a submodule), each at most
//! `MAX_FILE_BYTES`, and the revision is passed to git after `--end-of-options`, so no value of
//! it is read as an option.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::discover::{is_hidden, is_manifest_name, opens_a_saved_plan};
use super::loader::parse_without_leads;
use super::text::MAX_FILE_BYTES;
use super::{Defaults, Diagnostic, LoadOutcome, LoadedFile, Manifest, Root};

/// The manifests at a revision.
#[derive(Debug)]
pub struct AtRevision {
    /// The full commit id `REF` names.
    pub commit: String,
    pub manifests: Vec<Manifest>,
    /// The assistant manifests there (prompts kept in files left unset: the working tree's
    /// files are not the revision's).
    pub assistants: Vec<campaignctl_core::manifest::AssistantManifest>,
    /// Problems in those manifests: their campaigns are missing from `manifests`.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
    /// How many of `files` were not read from git: the working tree's copy was loaded from
    /// the same bytes with the same defaults, so its loaded manifests were taken.
    pub reused: usize,
    /// REF is the commit checked out: whatever is committed compares equal to itself.
    pub is_head: bool,
}

/// The longest revision accepted: a full SHA-256 id with a suffix such as `~12` fits easily.
const MAX_REVISION_LEN: usize = 256;

/// Checks a revision as given on the command line, before git sees it.
pub fn check_revision(rev: &str) -> Result<(), String> {
    if rev.is_empty() {
        return Err("must not be empty".into());
    }
    if rev.len() > MAX_REVISION_LEN {
        return Err(format!("is longer than {MAX_REVISION_LEN} characters"));
    }
    if rev.starts_with('-') {
        return Err("must not start with '-' (a revision, not an option)".into());
    }
    if rev.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

/// Turns a repository config's contents into an account's roots, with their defaults; `Err`
/// when the config is not usable (invalid, or without the account).
pub type RootsOf<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<Root>, String>;

/// The repository config at the revision, for the defaults its manifests were read with.
pub struct ConfigAtRevision<'a> {
    /// The config file (as now; its path relative to the repository is read at the revision).
    pub file: &'a Path,
    /// The account's roots from the config's contents at the revision.
    pub roots: RootsOf<'a>,
}

/// Reads the manifests under `paths` (as given now, relative to the working directory) at the
/// git revision `rev`, each with the defaults of the repository config at that revision (when
/// `config` is given and the config existed there).
///
/// `loaded`, the load of the working tree, saves reading and parsing again what it already
/// parsed (a fleet's manifests at HEAD are as many as the manifests themselves): a file the
/// revision holds with the very bytes the load read (the same blob id) and that the load read
/// with the same defaults gives the load's manifests, without their leads and named by the
/// path a read from git would give. The result is the same either way (the manifests, the
/// diagnostics, `files`); only `reused` differs (`tests/it/baseline_reuse.rs`). A load with errors is not used: its
/// manifests are not every valid document of each file.
pub fn load_at_revision(
    rev: &str,
    paths: &[PathBuf],
    config: Option<&ConfigAtRevision<'_>>,
    loaded: Option<&LoadOutcome>,
) -> Result<AtRevision, Diagnostic> {
    check_revision(rev).map_err(|why| Diagnostic::error(None, format!("--base {rev:?} {why}")))?;
    let cwd = std::env::current_dir()
        .map_err(|e| Diagnostic::error(None, format!("cannot read the working directory: {e}")))?;
    // The repository is the one that holds the manifests (a saved plan may be applied from
    // elsewhere), found from the first path that exists.
    let anchor = repository_anchor(paths, &cwd);
    let top = git(&anchor, ["rev-parse", "--show-toplevel"].map(OsStr::new))
        .map_err(|e| {
            Diagnostic::error(None, format!("--base needs a git repository: {e}")).with_hint(
                "run campaignctl inside the git repository that holds the manifests, or leave out --base",
            )
        })?;
    let top = PathBuf::from(OsString::from_vec(trim_line(top)));
    let commit = git(
        &top,
        [
            OsStr::new("rev-parse"),
            OsStr::new("--verify"),
            OsStr::new("--quiet"),
            OsStr::new("--end-of-options"),
            &OsString::from(format!("{rev}^{{commit}}")),
        ],
    )
    .map_err(|_| {
        Diagnostic::error(None, format!("--base {rev:?} is not a commit of this repository"))
            .with_hint("give a branch, tag or commit id, such as origin/main or HEAD~1; in CI, fetch the base branch first (a shallow clone may not have it)")
    })?;
    let commit = String::from_utf8_lossy(&trim_line(commit)).into_owned();
    let real_top = top
        .canonicalize()
        .map_err(|e| Diagnostic::error(None, format!("cannot read {}: {e}", top.display())))?;
    let mut wanted = Vec::new();
    for path in paths {
        // Paths that do not exist now are reported by the current load, not here.
        let Ok(real) = cwd.join(path).canonicalize() else {
            continue;
        };
        let Ok(relative) = real.strip_prefix(&real_top) else {
            return Err(Diagnostic::error(
                None,
                format!(
                    "{} is outside the git repository at {}, so --base cannot read it at {rev:?}",
                    path.display(),
                    top.display()
                ),
            ));
        };
        wanted.push(Wanted {
            relative: relative.to_path_buf(),
            explicit_file: real.is_file(),
        });
    }
    let roots = match config {
        Some(config) => roots_at(&top, &real_top, &commit, config)?,
        None => Vec::new(),
    };
    let blobs = list_blobs(&top, &commit, &wanted)?;
    let reusable = loaded
        .filter(|l| !l.has_errors())
        .map(Reusable::new)
        .unwrap_or_default();
    // Each file at the revision with its defaults there, and the loaded file that stands for
    // it, if any; only the others are read from git.
    let planned: Vec<AtFile<'_>> = blobs
        .iter()
        .map(|blob| {
            let file = top.join(&blob.path);
            let real = real_top.join(&blob.path);
            let defaults = defaults_of(&file, &real, &roots);
            let loaded = reusable.same_as(&real, &blob.oid, defaults.as_deref());
            AtFile {
                blob,
                file,
                defaults,
                loaded,
            }
        })
        .collect();
    let from_git: Vec<&Blob> = planned
        .iter()
        .filter(|f| f.loaded.is_none())
        .map(|f| f.blob)
        .collect();
    let mut contents = read_blobs(&top, &from_git)?.into_iter();
    let head = git(
        &top,
        ["rev-parse", "--verify", "--quiet", "HEAD"].map(OsStr::new),
    )
    .ok()
    .map(trim_line);
    let mut out = AtRevision {
        is_head: head.as_deref() == Some(commit.as_bytes()),
        commit,
        manifests: Vec::new(),
        assistants: Vec::new(),
        diagnostics: Vec::new(),
        files: 0,
        reused: 0,
    };
    // Sized for the manifests taken (all of them when nothing changed): grown by doubling, a
    // fleet's list would hold room for thousands more.
    out.manifests.reserve(
        planned
            .iter()
            .filter_map(|f| f.loaded)
            .map(|l| reusable.manifests_of(&l.path).count())
            .sum(),
    );
    for AtFile {
        file,
        defaults,
        loaded: same,
        ..
    } in planned
    {
        if let Some(same) = same {
            // A saved plan is never loaded as manifests (discovery skips it, and its bytes
            // would be errors), so these bytes are not one: counted, as when read from git.
            out.files += 1;
            out.reused += 1;
            let file: Arc<Path> = Arc::from(file);
            out.manifests.extend(
                reusable
                    .manifests_of(&same.path)
                    .map(|m| m.values_elsewhere(&file)),
            );
            out.assistants.extend(reusable.assistants_of(&same.path));
            continue;
        }
        let Some(bytes) = contents.next() else {
            return Err(Diagnostic::error(
                None,
                "git cat-file answered fewer objects than asked",
            ));
        };
        if opens_a_saved_plan(&bytes) {
            continue;
        }
        out.files += 1;
        // Only the write-once fields matter here: leads files are not read (they are the
        // working tree's, not the revision's).
        let (manifests, assistants, diagnostics) =
            parse_without_leads(&file, &bytes, defaults.as_deref());
        out.manifests.extend(manifests.into_iter().map(|mut m| {
            m.forget_positions();
            m
        }));
        out.assistants.extend(assistants);
        out.diagnostics.extend(diagnostics);
    }
    tracing::debug!(
        commit = %out.commit,
        files = out.files,
        reused = out.reused,
        read_from_git = out.files - out.reused,
        "manifests at a revision: files the working tree holds unchanged taken from its load"
    );
    Ok(out)
}

/// A file at the revision: its blob, its path as read from git, the defaults there, and the
/// loaded file whose manifests stand for it (`None`: read from git).
struct AtFile<'a> {
    blob: &'a Blob,
    file: PathBuf,
    defaults: Option<Arc<Defaults>>,
    loaded: Option<&'a LoadedFile>,
}

/// What a load of the working tree offers the revision: its files by real path, and its
/// manifests by the path of the file they came from.
#[derive(Default)]
struct Reusable<'a> {
    files: HashMap<&'a Path, &'a LoadedFile>,
    manifests: HashMap<&'a Path, Vec<&'a Manifest>>,
    assistants: HashMap<&'a Path, Vec<&'a campaignctl_core::manifest::AssistantManifest>>,
}

impl<'a> Reusable<'a> {
    fn new(load: &'a LoadOutcome) -> Reusable<'a> {
        let mut manifests: HashMap<&Path, Vec<&Manifest>> = HashMap::new();
        for m in &load.manifests {
            manifests.entry(&m.location.file).or_default().push(m);
        }
        let mut assistants: HashMap<&Path, Vec<_>> = HashMap::new();
        for a in &load.assistants {
            assistants.entry(&*a.location.file).or_default().push(a);
        }
        Reusable {
            assistants,
            files: load
                .loaded
                .iter()
                .filter(|f| f.blob_id.is_some())
                .map(|f| (f.real.as_path(), f))
                .collect(),
            manifests,
        }
    }

    /// The loaded file whose manifests stand for the revision's file at `real` with blob id
    /// `oid`, read there with `defaults`: the same file, the same bytes, the same defaults.
    /// A file without campaigns is read from git: its warning ("no campaign documents") is
    /// part of what a read gives, and such files are few.
    fn same_as(
        &self,
        real: &Path,
        oid: &str,
        defaults: Option<&Defaults>,
    ) -> Option<&'a LoadedFile> {
        let file = *self.files.get(real)?;
        if !self.manifests.contains_key(file.path.as_path()) {
            return None;
        }
        let same =
            file.blob_id.is_some_and(|id| id.is(oid)) && file.defaults.as_deref() == defaults;
        same.then_some(file)
    }

    /// The assistants loaded from the file at `path`, as a read at the revision gives them: a
    /// prompt kept in a file unset (the working tree's file is not the revision's).
    fn assistants_of(
        &self,
        path: &Path,
    ) -> impl Iterator<Item = campaignctl_core::manifest::AssistantManifest> + '_ {
        self.assistants.get(path).into_iter().flatten().map(|a| {
            let mut a = (*a).clone();
            for (field, source) in &a.sources {
                if matches!(source, campaignctl_core::manifest::TextSource::File(_)) {
                    match *field {
                        "system_prompt" => a.fields.system_prompt = None,
                        _ => a.fields.initial_message = None,
                    }
                }
            }
            a
        })
    }

    /// The manifests loaded from the file at `path` (as found), in the order of the file.
    fn manifests_of(&self, path: &Path) -> impl Iterator<Item = &'a Manifest> + '_ {
        self.manifests.get(path).into_iter().flatten().copied()
    }
}

/// The account's roots as the config at `commit` declares them (none when the config did not
/// exist there).
fn roots_at(
    top: &Path,
    real_top: &Path,
    commit: &str,
    config: &ConfigAtRevision<'_>,
) -> Result<Vec<Root>, Diagnostic> {
    let real = config.file.canonicalize().map_err(|e| {
        Diagnostic::error(None, format!("cannot read {}: {e}", config.file.display()))
    })?;
    let Ok(relative) = real.strip_prefix(real_top) else {
        return Ok(Vec::new());
    };
    let listed = list_blobs(
        top,
        commit,
        &[Wanted {
            relative: relative.to_path_buf(),
            explicit_file: true,
        }],
    )?;
    let listed: Vec<&Blob> = listed.iter().collect();
    let Some(contents) = read_blobs(top, &listed)?.into_iter().next() else {
        return Ok(Vec::new());
    };
    (config.roots)(&contents).map_err(|why| {
        Diagnostic::error(None, format!(
            "the repository config at {commit} cannot be used: {why}"
        ))
        .with_hint("--base compares with manifests read with that revision's defaults; pick a revision whose campaignctl.yaml is valid and declares the account")
    })
}

/// The defaults for the manifest `file` (`real`: its path in the real repository directory):
/// those of the most specific root that holds it.
fn defaults_of(file: &Path, real: &Path, roots: &[Root]) -> Option<Arc<Defaults>> {
    roots
        .iter()
        .filter(|r| {
            let root = r.path.canonicalize().unwrap_or_else(|_| r.path.clone());
            file.starts_with(&r.path) || real.starts_with(&root)
        })
        .max_by_key(|r| r.path.components().count())
        .and_then(|r| r.defaults.clone())
}

/// One path to read at the revision, relative to the repository's top.
struct Wanted {
    relative: PathBuf,
    /// A file named explicitly: taken whatever its extension.
    explicit_file: bool,
}

/// A file at the revision.
struct Blob {
    oid: String,
    path: PathBuf,
}

/// The regular files under the wanted paths at `commit` that are manifests by the discovery
/// rules, in path order, each once.
fn list_blobs(top: &Path, commit: &str, wanted: &[Wanted]) -> Result<Vec<Blob>, Diagnostic> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<OsString> = ["ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--"]
        .iter()
        .map(OsString::from)
        .collect();
    for w in wanted {
        args.push(if w.relative.as_os_str().is_empty() {
            OsString::from(".")
        } else {
            w.relative.clone().into_os_string()
        });
    }
    let listing = git(top, &args)
        .map_err(|e| Diagnostic::error(None, format!("cannot list the files at {commit}: {e}")))?;
    let mut blobs = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        // "<mode> <type> <oid> <size>\t<path>"
        let Some(tab) = entry.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let (head, path) = (
            &entry[..tab],
            Path::new(OsStr::from_bytes(&entry[tab + 1..])),
        );
        let fields: Vec<&[u8]> = head
            .split(|b| *b == b' ')
            .filter(|f| !f.is_empty())
            .collect();
        let [mode, kind, oid, size] = fields[..] else {
            continue;
        };
        // Regular files only: a symlink's blob is its target's name, a submodule is a commit.
        if kind != b"blob" || !(mode == b"100644" || mode == b"100755") {
            continue;
        }
        if !is_wanted(path, wanted) {
            continue;
        }
        let Some(size) = std::str::from_utf8(size)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        else {
            // `-`: the object is not in this clone (a partial or shallow one).
            return Err(Diagnostic::error(None, format!(
                "{} at {commit} is not in this clone, so its manifests cannot be compared",
                path.display()
            ))
            .with_hint("fetch the base revision with its file contents (e.g. `git fetch origin main` without --filter), or leave out --base"));
        };
        if size > MAX_FILE_BYTES {
            continue;
        }
        blobs.push(Blob {
            oid: String::from_utf8_lossy(oid).into_owned(),
            path: path.to_path_buf(),
        });
    }
    blobs.sort_by(|a, b| a.path.cmp(&b.path));
    blobs.dedup_by(|a, b| a.path == b.path);
    Ok(blobs)
}

/// Whether `path` (relative to the top) is a manifest by the rules of discovery for the wanted
/// path it is under.
fn is_wanted(path: &Path, wanted: &[Wanted]) -> bool {
    wanted.iter().any(|w| {
        if w.explicit_file {
            return path == w.relative;
        }
        let Ok(below) = path.strip_prefix(&w.relative) else {
            return false;
        };
        is_manifest_name(path) && !below.iter().any(is_hidden)
    })
}

/// The contents of `blobs`, in order, through one `git cat-file --batch`.
fn read_blobs(top: &Path, blobs: &[&Blob]) -> Result<Vec<Vec<u8>>, Diagnostic> {
    if blobs.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git_command(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Diagnostic::error(None, spawn_problem(&e)))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let request: String = blobs.iter().map(|b| format!("{}\n", b.oid)).collect();
    // Written from a thread: git answers while it reads, and a full pipe must not deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_end(&mut stdout)
        .map_err(|e| Diagnostic::error(None, format!("cannot read from git: {e}")))?;
    let _ = writer.join();
    let status = child
        .wait()
        .map_err(|e| Diagnostic::error(None, format!("git did not finish: {e}")))?;
    if !status.success() {
        return Err(Diagnostic::error(
            None,
            format!("git cat-file failed ({status})"),
        ));
    }
    parse_batch(&stdout, blobs.len())
        .ok_or_else(|| Diagnostic::error(None, "git cat-file answered in an unexpected form"))
}

/// Splits `git cat-file --batch` output: per object "<oid> <type> <size>\n<contents>\n".
fn parse_batch(mut out: &[u8], count: usize) -> Option<Vec<Vec<u8>>> {
    let mut contents = Vec::with_capacity(count);
    for _ in 0..count {
        let newline = out.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&out[..newline]).ok()?;
        let size: usize = header.rsplit(' ').next()?.parse().ok()?;
        let body = out.get(newline + 1..newline + 1 + size)?;
        contents.push(body.to_vec());
        out = out.get(newline + 1 + size + 1..)?;
    }
    Some(contents)
}

pub(crate) fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        // Paths are literal (no globs), and git never prompts or pages.
        .arg("--literal-pathspecs")
        .arg("--no-pager")
        .env("GIT_TERMINAL_PROMPT", "0")
        // A partial clone would fetch missing objects over the network, through whatever
        // transport the repository's own config names: never. A missing object is an error.
        .env("GIT_NO_LAZY_FETCH", "1")
        .stdin(Stdio::null());
    // The repository is the one that holds the manifests, not one the environment points at.
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_CEILING_DIRECTORIES",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs git in `dir` and returns its standard output, or its first line of complaint.
pub(crate) fn git<I, S>(dir: &Path, args: I) -> Result<Vec<u8>, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = git_command(dir)
        .args(args)
        .output()
        .map_err(|e| spawn_problem(&e))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or("").trim();
    Err(if first.is_empty() {
        format!("git failed ({})", out.status)
    } else {
        crate::escape::text(first).into_owned()
    })
}

fn spawn_problem(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "git was not found on PATH".to_owned()
    } else {
        format!("cannot run git: {e}")
    }
}

/// Where to ask git for the repository that holds `paths`: the first that exists (a
/// directory, or a file's directory), relative to `cwd`; else `cwd`. A saved plan may be
/// applied from elsewhere, so the repository is the manifests', not the working directory's.
pub(crate) fn repository_anchor(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    paths
        .iter()
        .map(|p| cwd.join(p))
        .find_map(|p| match p.metadata() {
            Ok(m) if m.is_dir() => Some(p),
            Ok(_) => p.parent().map(Path::to_path_buf),
            Err(_) => None,
        })
        .unwrap_or_else(|| cwd.to_path_buf())
}

pub(crate) fn trim_line(mut bytes: Vec<u8>) -> Vec<u8> {
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_that_git_could_read_as_options_or_that_hide_characters_are_refused() {
        for bad in [
            "",
            "-h",
            "--output=/tmp/x",
            "main branch",
            "a\u{1b}[31m",
            "a\nb",
        ] {
            assert!(check_revision(bad).is_err(), "{bad:?} must be refused");
        }
        for good in [
            "main",
            "origin/main",
            "HEAD~1",
            "v1.2.3",
            "1a2b3c4d",
            "HEAD^",
        ] {
            assert_eq!(check_revision(good), Ok(()), "{good:?}");
        }
        assert!(check_revision(&"a".repeat(MAX_REVISION_LEN + 1)).is_err());
    }

    #[test]
    fn a_batch_answer_is_split_by_its_sizes_even_when_contents_hold_newlines() {
        let out = b"aaa blob 5\nx\ny\nz\nbbb blob 0\n\n";
        assert_eq!(
            parse_batch(out, 2),
            Some(vec![b"x\ny\nz".to_vec(), Vec::new()])
        );
        assert_eq!(parse_batch(b"aaa blob 99\nshort\n", 1), None);
        assert_eq!(parse_batch(b"aaa missing\n", 1), None);
    }

    #[test]
    fn discovery_rules_at_a_revision_match_those_of_the_working_tree() {
        let dir = [Wanted {
            relative: PathBuf::from("campaigns"),
            explicit_file: false,
        }];
        assert!(is_wanted(Path::new("campaigns/a.yaml"), &dir));
        assert!(is_wanted(Path::new("campaigns/sub/b.YML"), &dir));
        assert!(!is_wanted(Path::new("campaigns/.hidden/b.yaml"), &dir));
        assert!(!is_wanted(Path::new("campaigns/notes.txt"), &dir));
        assert!(!is_wanted(Path::new("other/a.yaml"), &dir));
        let file = [Wanted {
            relative: PathBuf::from("x/q4.conf"),
            explicit_file: true,
        }];
        assert!(is_wanted(Path::new("x/q4.conf"), &file));
        assert!(!is_wanted(Path::new("x/q5.conf"), &file));
    }
}
