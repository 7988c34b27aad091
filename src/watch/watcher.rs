//! Following the manifest files with notify. What is watched is itself recomputed each time
//! (level-triggered like the passes): git-sync and Kubernetes ConfigMap volumes deliver an
//! update by atomically swapping a symlink, so the directory a path resolves to changes
//! under a watch that still points at the old one. For every symlink on a watched path the
//! directory holding the link is watched too, which sees the swap; the next `refresh` then
//! moves the recursive watch to the new target.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// One OS-level watch: a path and whether it covers the tree under it.
type Watch = (PathBuf, bool);

pub(crate) struct ManifestWatcher {
    watcher: RecommendedWatcher,
    paths: Vec<PathBuf>,
    active: BTreeSet<Watch>,
}

impl ManifestWatcher {
    /// Starts watching `paths`; each relevant event sends one `()` on `events`. A full
    /// channel drops the signal, which loses nothing: one is already waiting to be read.
    pub(crate) fn new(paths: &[PathBuf], events: mpsc::Sender<()>) -> notify::Result<Self> {
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            match event {
                Ok(event) if is_noise(&event) => {}
                Ok(event) => {
                    debug!(kind = ?event.kind, paths = ?event.paths, "file event");
                    let _ = events.try_send(());
                }
                // An error (an overflowed event queue, a removed watch) may hide a change.
                Err(e) => {
                    warn!("file watcher: {e}");
                    let _ = events.try_send(());
                }
            }
        })?;
        let paths = paths
            .iter()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
            .collect();
        let mut w = ManifestWatcher {
            watcher,
            paths,
            active: BTreeSet::new(),
        };
        w.refresh();
        Ok(w)
    }

    /// Re-resolves the watched paths and brings the OS watches in line with them.
    pub(crate) fn refresh(&mut self) {
        let wanted = watch_plan(&self.paths);
        for stale in self.active.difference(&wanted) {
            // The directory may be gone (an old ConfigMap generation): nothing to undo then.
            let _ = self.watcher.unwatch(&stale.0);
            debug!(path = %stale.0.display(), "stopped watching");
        }
        let mut active = BTreeSet::new();
        for watch in &wanted {
            if self.active.contains(watch) {
                active.insert(watch.clone());
                continue;
            }
            let mode = if watch.1 {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            match self.watcher.watch(&watch.0, mode) {
                Ok(()) => {
                    debug!(path = %watch.0.display(), recursive = watch.1, "watching");
                    active.insert(watch.clone());
                }
                // Retried at the next refresh; the interval pass covers the gap.
                Err(e) => warn!("cannot watch {}: {e}", watch.0.display()),
            }
        }
        self.active = active;
    }
}

/// The watches that follow `paths`: each existing directory recursively at its resolved
/// location; a file's directory (editors replace files by renaming a temp file over them); the
/// directory holding each symlink on the way; and, for a path that does not exist yet, its
/// nearest existing ancestor, so its creation is noticed.
fn watch_plan(paths: &[PathBuf]) -> BTreeSet<Watch> {
    let mut plan = BTreeSet::new();
    for path in paths {
        let mut prefix = PathBuf::new();
        for component in path.components() {
            prefix.push(component);
            if prefix.is_symlink() {
                if let Some(parent) = prefix.parent() {
                    plan.insert((resolved(parent), false));
                }
            }
        }
        match std::fs::canonicalize(path) {
            Ok(target) if target.is_dir() => {
                plan.insert((target, true));
            }
            Ok(target) => {
                if let Some(parent) = target.parent() {
                    plan.insert((parent.to_path_buf(), false));
                }
            }
            Err(_) => {
                if let Some(existing) = path.ancestors().skip(1).find(|a| a.is_dir()) {
                    plan.insert((resolved(existing), false));
                }
            }
        }
    }
    plan
}

fn resolved(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Events that can never change a manifest: reads (including the daemon's own), and editor
/// scratch files (vim's swap files and its `4913` probe, `~` backups). Everything else goes to
/// the fingerprint check, which decides; hidden names are not noise here, because a ConfigMap
/// update is a rename of the hidden `..data` link.
fn is_noise(event: &Event) -> bool {
    if let EventKind::Access(kind) = event.kind {
        return kind != AccessKind::Close(AccessMode::Write);
    }
    !event.paths.is_empty()
        && event
            .paths
            .iter()
            .all(|p| p.file_name().is_some_and(is_scratch_name))
}

fn is_scratch_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    let vim_swap = name.starts_with('.')
        && [".swp", ".swo", ".swx", ".swpx"]
            .iter()
            .any(|ext| name.ends_with(ext));
    vim_swap || name.ends_with('~') || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind, RenameMode};

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        e
    }

    #[test]
    fn reads_and_editor_scratch_files_are_noise() {
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let write = EventKind::Modify(ModifyKind::Any);
        assert!(is_noise(&event(open, &["/m/a.yaml"])));
        assert!(is_noise(&event(write, &["/m/.a.yaml.swp"])));
        assert!(is_noise(&event(write, &["/m/a.yaml~"])));
        assert!(is_noise(&event(
            EventKind::Create(CreateKind::File),
            &["/m/4913"]
        )));
    }

    #[test]
    fn writes_renames_and_link_swaps_are_not_noise() {
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert!(!is_noise(&event(closed, &["/m/a.yaml"])));
        assert!(!is_noise(&event(rename, &["/m/.a.yaml.tmp", "/m/a.yaml"])));
        assert!(!is_noise(&event(
            rename,
            &["/cfg/..data_tmp", "/cfg/..data"]
        )));
        assert!(!is_noise(&event(EventKind::Any, &[])));
    }

    #[test]
    fn a_symlinked_root_is_watched_at_its_target_and_beside_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("rev1")).unwrap();
        std::os::unix::fs::symlink(root.join("rev1"), root.join("current")).unwrap();
        let plan = watch_plan(&[root.join("current")]);
        assert_eq!(
            plan,
            BTreeSet::from([(root.clone(), false), (root.join("rev1"), true)])
        );
    }

    #[test]
    fn a_file_is_watched_through_its_directory_and_a_missing_path_through_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(root.join("a.yaml"), "").unwrap();
        assert_eq!(
            watch_plan(&[root.join("a.yaml")]),
            BTreeSet::from([(root.clone(), false)])
        );
        assert_eq!(
            watch_plan(&[root.join("later/campaigns")]),
            BTreeSet::from([(root.clone(), false)])
        );
    }
}
