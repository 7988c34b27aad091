//! How a file's path is shown to people and machines: relative to the repository root,
//! whatever the working directory and however the path was reached.
//!
//! Files are read by their real paths (a repository config joins its account paths to its
//! own absolute directory, so a run from any directory reads the right files), but a path is
//! shown relative to the repository: GitHub attaches an annotation only to a path relative to
//! the repository, and a pull-request comment must not show the runner's layout. Every
//! rendering (text, Markdown, GitHub, JSON, logs) shows a path through a [`ShownFrom`], so the
//! choice is made here once. Confinement and reading never use a shown path.
//!
//! The root is a value, not process state: the command line decides it when it knows which
//! repository it works in and passes it to whatever shows a path; until then (and in unit
//! tests) paths are shown as they are ([`ShownFrom::as_is`]).

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// Where shown paths start from: the repository root and the working directory that relative
/// paths are taken from, or nowhere (paths shown as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShownFrom {
    repository: Option<Repository>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Repository {
    root: PathBuf,
    cwd: PathBuf,
}

impl ShownFrom {
    /// Paths shown as they are: before the repository is known, and in unit tests.
    pub const fn as_is() -> ShownFrom {
        ShownFrom { repository: None }
    }

    /// Paths shown relative to `root`, relative paths being taken from `cwd`. Both must be
    /// absolute; when either is not, paths are shown as they are.
    pub fn repository(root: PathBuf, cwd: PathBuf) -> ShownFrom {
        let repository = (root.is_absolute() && cwd.is_absolute()).then(|| Repository {
            root: lexical(&root),
            cwd: lexical(&cwd),
        });
        ShownFrom { repository }
    }

    /// `path` as shown: relative to the repository root when it is inside it, else as it is.
    pub fn path<'p>(&self, path: &'p Path) -> Cow<'p, Path> {
        match &self.repository {
            Some(from) => relative(path, &from.root, &from.cwd),
            None => Cow::Borrowed(path),
        }
    }
}

/// `path` relative to `root` when, taken from `cwd` and with `.` and `..` resolved as
/// written, it is inside `root`; else `path` unchanged (a file outside the repository keeps
/// the path that reaches it).
fn relative<'p>(path: &'p Path, root: &Path, cwd: &Path) -> Cow<'p, Path> {
    let whole = lexical(&cwd.join(path));
    match whole.strip_prefix(root) {
        Ok(inside) if !inside.as_os_str().is_empty() => Cow::Owned(inside.to_path_buf()),
        _ => Cow::Borrowed(path),
    }
}

/// `path` with `.` dropped and each `..` taking away the component before it, without asking
/// the file system: the path as the user wrote it, not where symbolic links lead.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown_in(path: &str, root: &str, cwd: &str) -> String {
        relative(Path::new(path), Path::new(root), Path::new(cwd))
            .display()
            .to_string()
    }

    #[test]
    fn paths_inside_the_root_are_shown_relative_to_it_from_any_directory() {
        let root = "/home/runner/work/repo";
        let file = "/home/runner/work/repo/accounts/acme/winter.yaml";
        assert_eq!(shown_in(file, root, root), "accounts/acme/winter.yaml");
        assert_eq!(
            shown_in(file, root, "/home/runner/work/repo/accounts"),
            "accounts/acme/winter.yaml",
            "an absolute path does not depend on the working directory"
        );
        assert_eq!(
            shown_in(
                "./acme/winter.yaml",
                root,
                "/home/runner/work/repo/accounts"
            ),
            "accounts/acme/winter.yaml",
            "a relative path is taken from the working directory"
        );
        assert_eq!(
            shown_in(
                "../accounts/acme/./winter.yaml",
                root,
                "/home/runner/work/repo/docs"
            ),
            "accounts/acme/winter.yaml"
        );
    }

    #[test]
    fn paths_outside_the_root_are_shown_as_they_are() {
        let root = "/repo";
        assert_eq!(
            shown_in("/elsewhere/x.yaml", root, root),
            "/elsewhere/x.yaml"
        );
        assert_eq!(shown_in("../other/x.yaml", root, root), "../other/x.yaml");
        assert_eq!(
            shown_in("/repo", root, root),
            "/repo",
            "the root itself is not empty"
        );
        assert_eq!(
            shown_in("/repository/x.yaml", root, root),
            "/repository/x.yaml",
            "a prefix of a component is not inside"
        );
    }

    /// Two runs in one process (two repositories, or a test beside a run) each show a path
    /// from their own root: with the root process-wide, the first run's would have won.
    #[test]
    fn two_roots_in_one_process_show_the_same_path_each_from_its_own() {
        let path = Path::new("/work/mono/team-a/accounts/acme/q4.yaml");
        let mono = ShownFrom::repository("/work/mono".into(), "/work/mono".into());
        let team = ShownFrom::repository("/work/mono/team-a".into(), "/tmp".into());
        assert_eq!(mono.path(path), Path::new("team-a/accounts/acme/q4.yaml"));
        assert_eq!(team.path(path), Path::new("accounts/acme/q4.yaml"));
        assert_eq!(
            ShownFrom::as_is().path(path),
            path,
            "without a root a path is shown as it is"
        );
        assert_eq!(
            ShownFrom::repository("relative/root".into(), "/tmp".into()),
            ShownFrom::as_is(),
            "a root that is not absolute shows paths as they are"
        );
    }
}
