//! Which files to load: a file named explicitly is taken whatever its extension; a directory is
//! walked recursively (following symlinks, since git-sync delivers a symlinked directory; loops
//! are detected), in file-name order, skipping hidden entries and keeping `*.yaml` and `*.yml`.
//! A file reached twice (two arguments, two symlinks) is loaded once.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Location};

#[derive(Debug, Default)]
pub struct Discovered {
    /// In argument order, each directory's files in walk order.
    pub files: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The files under `paths`, each typed on the command line: a file named is taken wherever it
/// leads; a directory's files stay inside its repository (see [`discover_root`]).
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Found::default();
    for path in paths {
        found.path(path, None);
    }
    found.out
}

/// The files under one root. A file found by walking a directory must resolve (symlinks
/// followed) inside the repository (`files::marked_repository`): the root's `within`
/// directory's, or for a directory typed on the command line, the directory's own (itself
/// when no marker is found). A root that came from the config or the default must itself
/// resolve inside its `within` repository. A file that does not is refused without being
/// opened: a symlink a pull request adds (`campaigns/t.yaml -> ~/.config/gh/hosts.yml`) must
/// not make campaignctl read a secret and quote it back in a diagnostic.
pub fn discover_root(root: &super::Root) -> Discovered {
    let mut found = Found::default();
    found.path(&root.path, root.within.as_deref());
    found.out
}

/// The repository a root must stay inside: that of `within` (else `within` itself), or for a
/// typed directory, that of the directory (else the directory). `None` when it cannot be
/// resolved (a missing path is reported by the walk itself).
fn bound_of(path: &Path, within: Option<&Path>) -> Option<PathBuf> {
    let start = within.unwrap_or(path);
    match super::files::marked_repository(start) {
        Ok(Some(root)) => Some(root),
        Ok(None) => fs::canonicalize(start).ok(),
        Err(_) => None,
    }
}

/// A file or directory that resolves outside the repository: refused, not read.
fn outside(path: &Path, bound: &Path) -> Diagnostic {
    Diagnostic::error(
        Some(at(path)),
        format!(
            "this path resolves (through a symbolic link) outside the repository {}; it was not read",
            bound.display()
        ),
    )
    .with_hint("campaignctl reads only files inside the repository on its behalf: replace the link with the file itself, or name the file on the command line if you mean to read it")
}

impl Found {
    fn path(&mut self, path: &Path, within: Option<&Path>) {
        let bound = bound_of(path, within);
        // A root from the config or the default is confined like the files under it.
        if within.is_some() && path.exists() {
            if let Some(bound) = &bound {
                if super::files::resolves_outside(path, bound) {
                    self.out.diagnostics.push(outside(path, bound));
                    return;
                }
            }
        }
        // `metadata` follows symlinks: a symlink to a directory is walked like the directory.
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => self.walk(path, bound.as_deref()),
            Ok(meta) if meta.is_file() && is_config_name(path) => self.out.diagnostics.push(
                Diagnostic::error(
                    Some(at(path)),
                    "this is the repository config, not a manifest; it was not read as one",
                )
                .with_hint("give the manifest files or directories; the config's accounts name their own paths"),
            ),
            Ok(meta) if meta.is_file() => self.add(path),
            // A FIFO would block the run until a writer comes, a device would feed it without
            // end: neither is opened.
            Ok(meta) => self.out.diagnostics.push(
                Diagnostic::error(
                    Some(at(path)),
                    format!(
                        "this path is {}, not a regular file; it was not read",
                        super::files::kind(meta.file_type())
                    ),
                )
                .with_hint(
                    "give a manifest file, or a directory to search for *.yaml and *.yml files",
                ),
            ),
            // No `file:1:1`: there is no such file, so no line or column to point at (and no
            // file an annotation could attach to).
            Err(e) if e.kind() == ErrorKind::NotFound => self.out.diagnostics.push(
                Diagnostic::error(
                    None,
                    format!("{}: no such file or directory", path.display()),
                )
                .with_hint(
                    "give a manifest file, or a directory to search for *.yaml and *.yml files",
                ),
            ),
            Err(e) => self.out.diagnostics.push(Diagnostic::error(
                Some(at(path)),
                format!("cannot read this path: {e}"),
            )),
        }
    }
}

/// Why an entry named like a manifest (`*.yaml`, `*.yml`) found by walking is not read as one,
/// as a warning at the entry: a directory (its files are searched like any directory's), a
/// FIFO, socket or device (never opened: a FIFO would block the run, a device feed it without
/// end), or a saved plan (`plan --out`). `None` for a regular file to read. Skipping any of
/// them silently would let a plan delete what the entry was meant to declare.
fn skipped_because(path: &Path, kind: fs::FileType) -> Option<Diagnostic> {
    let (message, hint) = if kind.is_dir() {
        (
            "this is a directory named like a manifest; its files are searched like any directory's, and it is not read as a manifest".to_owned(),
            "rename the directory without .yaml or .yml; while it is named so, no deletion of this account is carried out",
        )
    } else if !kind.is_file() {
        (
            format!(
                "this path is {}, not a regular file; it was not read",
                super::files::kind(kind)
            ),
            "replace it with a regular file, or remove it; while it is here, no deletion of this account is carried out",
        )
    } else if is_saved_plan(path) {
        (
            SAVED_PLAN_SKIPPED.to_owned(),
            "keep saved plans outside the manifest directories; while it is here, no deletion of this account is carried out",
        )
    } else {
        return None;
    };
    Some(Diagnostic::warning(Some(at(path)), message).with_hint(hint))
}

/// The warning at a saved plan found by walking.
const SAVED_PLAN_SKIPPED: &str =
    "this file is a saved plan (`campaignctl plan --out`), not a manifest; it was not read as one";

/// Drops from `load` the warning at the saved plan `plan`, the one being written
/// (`plan --out`) or applied (`apply FILE`): that file is known for what it is, a plan kept
/// beside the manifests on purpose (`plan --out campaigns/reviewed.yaml`), and the plan made
/// while it is there must be the one recomputed from it. Any other saved plan in the tree
/// stays a loading problem (a manifest overwritten by `--out` would lose its campaigns).
pub fn forget_saved_plan(load: &mut super::LoadOutcome, plan: &Path) {
    let Ok(plan) = fs::canonicalize(plan) else {
        return;
    };
    load.diagnostics.retain(|d| {
        d.message != SAVED_PLAN_SKIPPED
            || d.location
                .as_ref()
                .is_none_or(|at| fs::canonicalize(&at.file).ok().as_ref() != Some(&plan))
    });
}

/// A path-level problem is reported at the start of the path itself.
fn at(path: &Path) -> Location {
    Location::new(path, 1, 1)
}

pub(super) fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

/// The `kind` that marks a saved plan (`plan --out`), a JSON document.
pub const SAVED_PLAN_KIND: &str = "campaignctl/saved-plan";

/// Whether `path` holds a saved plan, by its content (a JSON object whose opening carries the
/// saved-plan `kind`), whatever its name. Cheap: reads at most the first 4 KiB. A plan saved
/// as `campaigns/reviewed.yaml` is therefore not read as a manifest.
pub fn is_saved_plan(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(4096);
    if file.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    opens_a_saved_plan(&head)
}

/// Whether these bytes open a saved plan (see [`is_saved_plan`]); looks at the first 4 KiB.
pub(super) fn opens_a_saved_plan(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    text.trim_start().starts_with('{') && text.contains(&format!("\"kind\": \"{SAVED_PLAN_KIND}\""))
}

/// The repository config's file name (`campaignctl.yaml`): never read as a manifest.
pub const CONFIG_FILE_NAME: &str = "campaignctl.yaml";

/// Whether `path` is named like the repository config (any case: a case-insensitive file
/// system finds it under either spelling).
pub fn is_config_name(path: &Path) -> bool {
    path.file_name().and_then(OsStr::to_str).is_some_and(|n| {
        n.eq_ignore_ascii_case(CONFIG_FILE_NAME) || n.eq_ignore_ascii_case("campaignctl.yml")
    })
}

pub(super) fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

#[derive(Default)]
struct Found {
    out: Discovered,
    seen: HashSet<PathBuf>,
}

impl Found {
    fn add(&mut self, path: &Path) {
        // The canonical path identifies the file however it was reached.
        let identity = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.seen.insert(identity) {
            self.out.files.push(path.to_path_buf());
        }
    }

    fn walk(&mut self, dir: &Path, bound: Option<&Path>) {
        let mut manifests = 0;
        // Entries through a symbolic link that leads out of the repository: reported, and
        // neither descended into nor opened.
        let mut refused: Vec<PathBuf> = Vec::new();
        let walker = WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            // The root is exempt: `campaignctl plan .` must work.
            .filter_entry(|e| {
                if e.depth() > 0 && is_hidden(e.file_name()) {
                    return false;
                }
                let leaves = e.depth() > 0
                    && e.path_is_symlink()
                    && bound.is_some_and(|b| super::files::resolves_outside(e.path(), b));
                if leaves && (e.file_type().is_dir() || is_manifest_name(e.path())) {
                    refused.push(e.path().to_path_buf());
                }
                !leaves
            });
        // Entries named like manifests that are not read as one: each a warning, so that a
        // load with one holds every deletion of its account (docs/deletion.md, rule 2).
        let mut skipped = 0;
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if !is_manifest_name(entry.path()) || entry.depth() == 0 {
                        continue;
                    }
                    let kind = entry.file_type();
                    if kind.is_file() && is_config_name(entry.path()) {
                        // The repository config itself, when a path holds the repository's
                        // top: it is read as the config, so nothing is missing.
                        continue;
                    }
                    match skipped_because(entry.path(), kind) {
                        None => {
                            manifests += 1;
                            self.add(entry.path());
                        }
                        Some(why) => {
                            skipped += 1;
                            self.out.diagnostics.push(why);
                        }
                    }
                }
                Err(error) => self.walk_error(dir, &error),
            }
        }
        if let Some(bound) = bound {
            for path in &refused {
                self.out.diagnostics.push(outside(path, bound));
            }
        }
        if manifests == 0 && refused.is_empty() && skipped == 0 {
            self.out.diagnostics.push(
                Diagnostic::warning(Some(at(dir)), "no *.yaml or *.yml files in this directory")
                    .with_hint(
                        "hidden files and directories (names starting with '.') are skipped",
                    ),
            );
        }
    }

    fn walk_error(&mut self, dir: &Path, error: &walkdir::Error) {
        let path = error.path().unwrap_or(dir);
        let diagnostic = if let Some(ancestor) = error.loop_ancestor() {
            // Everything under the loop is reached through the ancestor anyway: nothing is lost.
            Diagnostic::warning(
                Some(at(path)),
                format!(
                    "symbolic link loop: this leads back to {}; not followed",
                    ancestor.display()
                ),
            )
        } else {
            let reason = error
                .io_error()
                .map_or_else(|| error.to_string(), ToString::to_string);
            let message = format!("cannot read this path: {reason}");
            // A broken link or unreadable entry that may hold manifests blocks the run; anything
            // else (a dangling `notes.txt` link) is only worth a warning.
            if is_manifest_name(path)
                || error.depth() == 0
                || fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
            {
                Diagnostic::error(Some(at(path)), message)
            } else {
                Diagnostic::warning(Some(at(path)), message)
            }
        };
        self.out.diagnostics.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, relative: &str) {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create test directory");
        }
        fs::write(path, "kind: Campaign\n").expect("write test file");
    }

    fn relative(root: &Path, files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|f| {
                f.strip_prefix(root)
                    .unwrap_or(f)
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn directories_are_walked_in_name_order_keeping_yaml_files_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for name in [
            "b.yaml",
            "a.yml",
            "c.YAML",
            "sub/z.yaml",
            "sub/a.yaml",
            "notes.txt",
            "a.yaml~",
            ".hidden.yaml",
            ".git/config.yaml",
            "sub/.swap.yml",
            "README.md",
        ] {
            touch(root, name);
        }
        let found = discover(&[root.to_path_buf()]);
        assert_eq!(
            relative(root, &found.files),
            ["a.yml", "b.yaml", "c.YAML", "sub/a.yaml", "sub/z.yaml"],
            "walk must be sorted by name, recursive, yaml-only, and skip hidden entries and backups"
        );
        assert!(
            found.diagnostics.is_empty(),
            "no diagnostics expected: {:?}",
            found.diagnostics
        );
    }

    #[test]
    fn an_explicit_file_is_taken_whatever_its_extension_and_only_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(dir.path(), "campaign.txt");
        let file = dir.path().join("campaign.txt");
        let found = discover(&[
            file.clone(),
            file.clone(),
            dir.path().join(".").join("campaign.txt"),
        ]);
        assert_eq!(found.files, [file], "an explicit .txt file is loaded, once");
    }

    #[test]
    fn a_file_named_and_inside_a_named_directory_is_loaded_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(dir.path(), "a.yaml");
        let found = discover(&[dir.path().join("a.yaml"), dir.path().to_path_buf()]);
        assert_eq!(
            found.files.len(),
            1,
            "the same file reached twice is loaded once: {:?}",
            found.files
        );
    }

    #[test]
    fn a_missing_path_is_an_error_naming_the_path_without_a_position() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nope.yaml");
        let found = discover(std::slice::from_ref(&missing));
        assert!(found.files.is_empty(), "nothing to load");
        let d = &found.diagnostics[..];
        assert_eq!(d.len(), 1, "one diagnostic: {d:?}");
        assert_eq!(
            d[0].to_string().lines().next(),
            Some(format!("error: {}: no such file or directory", missing.display()).as_str()),
            "a missing path is named, with no made-up line and column"
        );
        assert!(d[0].hint.is_some(), "a missing path gets a hint");
    }

    #[test]
    fn an_empty_directory_is_a_warning() {
        let dir = tempfile::tempdir().expect("temp dir");
        let found = discover(&[dir.path().to_path_buf()]);
        assert_eq!(
            found.diagnostics.len(),
            1,
            "one warning: {:?}",
            found.diagnostics
        );
        assert!(
            !found.diagnostics[0].is_error(),
            "an empty directory is not an error"
        );
    }

    #[test]
    fn entries_named_like_manifests_but_not_read_as_one_are_warnings_naming_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        touch(root, "a.yaml");
        touch(root, "eu.yaml/b.yaml");
        fs::write(
            root.join("reviewed.yaml"),
            format!("{{\n  \"kind\": \"{SAVED_PLAN_KIND}\"\n}}\n"),
        )
        .expect("write a saved plan");
        let found = discover(&[root.to_path_buf()]);
        assert_eq!(
            relative(root, &found.files),
            ["a.yaml", "eu.yaml/b.yaml"],
            "the directory's files are still searched"
        );
        let shown: Vec<(String, bool)> = found
            .diagnostics
            .iter()
            .map(|d| {
                let file = d
                    .location
                    .as_ref()
                    .map(|l| l.file.to_path_buf())
                    .unwrap_or_default();
                (relative(root, &[file])[0].clone(), d.is_error())
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("eu.yaml".to_owned(), false),
                ("reviewed.yaml".to_owned(), false)
            ],
            "one warning at each: {:?}",
            found.diagnostics
        );
        let mut load = crate::manifest::LoadOutcome {
            manifests: Vec::new(),
            assistants: Vec::new(),
            diagnostics: found.diagnostics,
            files: 0,
            ..Default::default()
        };
        forget_saved_plan(&mut load, &root.join("reviewed.yaml"));
        assert_eq!(
            load.diagnostics.len(),
            1,
            "only the plan being written or applied is forgiven: {:?}",
            load.diagnostics
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_named_explicitly_is_refused_unread() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo failed");
        let found = discover(&[fifo, PathBuf::from("/dev/zero")]);
        assert!(found.files.is_empty(), "nothing to read: {:?}", found.files);
        let shown: Vec<String> = found
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(
            shown,
            [
                "this path is a FIFO (named pipe), not a regular file; it was not read",
                "this path is a character device, not a regular file; it was not read",
            ],
            "each is an error naming its kind"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directories_are_followed_and_loops_do_not_hang() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        touch(root, "real/a.yaml");
        std::os::unix::fs::symlink(root.join("real"), root.join("current")).expect("symlink");
        std::os::unix::fs::symlink(root, root.join("real/loop")).expect("symlink loop");
        let found = discover(&[root.join("current")]);
        assert_eq!(
            relative(root, &found.files),
            ["current/a.yaml"],
            "the symlinked directory is walked"
        );
        let found = discover(&[root.to_path_buf()]);
        assert_eq!(
            found.files.len(),
            1,
            "a.yaml is reached through `current` and `real` but loaded once: {:?}",
            found.files
        );
        assert!(
            found.diagnostics.iter().all(|d| !d.is_error()),
            "a symlink loop is a warning, not an error: {:?}",
            found.diagnostics
        );
    }
}
