//! How a file's path is shown to people and machines: relative to the repository root,
//! whatever the working directory and however the path was reached.
//!
//! Files are read by their real paths (a repository config joins its account paths to its
//! own absolute directory, so a run from any directory reads the right files), but a path is
//! shown relative to the repository: GitHub attaches an annotation only to a path relative to
//! the repository, and a pull-request comment must not show the runner's layout. Every
//! rendering (text, Markdown, GitHub, JSON, logs) shows a path through [`shown`], so the choice
//! is made here once. Confinement and reading never use a shown path.
//!
//! The root is set once per process by the command line, when it knows which repository it
//! works in; until then (and in unit tests) paths are shown as they are.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// The repository root and the working directory that relative paths start from.
#[derive(Debug)]
struct ShownFrom {
    root: PathBuf,
    cwd: PathBuf,
}

static SHOWN_FROM: OnceLock<ShownFrom> = OnceLock::new();

/// Shows paths relative to `root` from now on, relative paths being taken from `cwd`. Both
/// must be absolute. The first call wins: one process works in one repository, and a path
/// must be shown the same way in every line of its output.
pub fn show_relative_to(root: PathBuf, cwd: PathBuf) {
    if root.is_absolute() && cwd.is_absolute() {
        let _ = SHOWN_FROM.set(ShownFrom {
            root: lexical(&root),
            cwd: lexical(&cwd),
        });
    }
}

/// `path` as shown: relative to the repository root when it is inside it, else as it is.
pub fn shown(path: &Path) -> Cow<'_, Path> {
    match SHOWN_FROM.get() {
        Some(from) => relative(path, &from.root, &from.cwd),
        None => Cow::Borrowed(path),
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
}
