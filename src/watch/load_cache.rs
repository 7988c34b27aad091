//! The last load of the manifests, kept while nothing it read has changed: most passes find
//! the files as they were (a pass every interval still lists the platform), and reading,
//! parsing and validating 10,000 manifests again costs as much as a cold `plan`. Whether they
//! changed is asked of everything the load looked at (`manifest::read_log`): discovery under
//! each root is run again (a file added, removed or renamed in any directory it walked, or a
//! link that now leads elsewhere), each file read is compared by `stat` (device, inode, size,
//! modification and change times in nanoseconds; a leads file outside the watched paths
//! included), with its bytes' digest when that alone could miss a write in the same clock tick,
//! and each probed path (a leads path as written, a repository marker) by its state. Any
//! difference, or other roots (the config's paths or defaults changed), loads again.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::time::SystemTime;

use crate::manifest::read_log::{self, PathState, Probe, ReadLog, StatKey};
use crate::manifest::{LoadOutcome, Root};
use crate::reconcile::pipeline;
use crate::shown_path::ShownFrom;

/// A load and what it looked at.
pub(crate) struct Loaded {
    roots: Vec<Root>,
    log: ReadLog,
    /// Identifies the files the load read, as they were (`fingerprint`).
    pub(crate) fingerprint: u64,
    /// Taken by the pass using it and given back at its end (`keep`); `None` after a pass that
    /// could not give it back (the platform could not be read).
    outcome: Option<LoadOutcome>,
}

/// How a pass came by its load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Read, parsed and validated now.
    Read,
    /// The last pass's, nothing it read having changed.
    Reused,
}

impl Loaded {
    /// Loads `roots`, noting everything the load looks at; its problems show paths from
    /// `shown_from`.
    pub(crate) fn load(roots: &[Root], shown_from: &ShownFrom) -> Loaded {
        let (outcome, log) = read_log::recording(|| pipeline::load(roots, shown_from));
        Loaded {
            roots: roots.to_vec(),
            fingerprint: fingerprint(&log),
            log,
            outcome: Some(outcome),
        }
    }

    /// The load of `roots` for a pass: the kept one if nothing it read changed, else a new
    /// one, which `cache` then holds.
    pub(crate) fn for_pass(
        cache: &mut Option<Loaded>,
        roots: &[Root],
        shown_from: &ShownFrom,
    ) -> (LoadOutcome, Source) {
        if let Some(loaded) = cache.as_mut() {
            if loaded.outcome.is_some() && loaded.is_current(roots) {
                if let Some(outcome) = loaded.outcome.take() {
                    return (outcome, Source::Reused);
                }
            }
        }
        let mut fresh = Loaded::load(roots, shown_from);
        let outcome = fresh.outcome.take().unwrap_or_default();
        *cache = Some(fresh);
        (outcome, Source::Read)
    }

    /// Gives the load back after the pass, for the next one.
    pub(crate) fn keep(&mut self, outcome: LoadOutcome) {
        self.outcome = Some(outcome);
    }

    /// Whether loading `roots` now would read exactly what this load read. Digests settle: a
    /// file whose bytes were in doubt and are unchanged stops being read once its change time
    /// is no longer in doubt.
    pub(crate) fn is_current(&mut self, roots: &[Root]) -> bool {
        if self.log.unverifiable || self.roots != roots || self.log.discovered.len() != roots.len()
        {
            return false;
        }
        let now = SystemTime::now();
        let discovered = roots
            .iter()
            .zip(&self.log.discovered)
            .all(|(root, seen)| read_log::summary(&crate::manifest::discover_root(root)) == *seen);
        discovered
            && self.log.probes.iter().all(|(path, probe, seen)| {
                let now = PathState::of(path);
                match probe {
                    Probe::Exists => (now == PathState::Absent) == (*seen == PathState::Absent),
                    Probe::State => now == *seen,
                }
            })
            && self.log.reads.iter_mut().all(|read| {
                let Ok(meta) = std::fs::metadata(&read.path) else {
                    return false;
                };
                if StatKey::of(&meta) != read.key {
                    return false;
                }
                let Some(digest) = read.digest else {
                    return true;
                };
                if bytes_digest(&read.path, read.key.size()) != Some(digest) {
                    return false;
                }
                if !read.key.in_doubt_at(now) {
                    read.digest = None;
                }
                true
            })
    }
}

/// The digest of the regular file at `path` (never a FIFO or device put in its place), read up
/// to one byte beyond the `size` it had (more is a change anyway), or `None` when it cannot be
/// read.
fn bytes_digest(path: &std::path::Path, size: u64) -> Option<[u8; 32]> {
    let file = crate::manifest::open_regular(path).ok()?;
    let mut bytes = Vec::new();
    file.take(size.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    Some(read_log::digest_of(&bytes))
}

/// Identifies what a load read: equal for two loads that read the same files in the same
/// states (so a load dropped and made again over unchanged files keeps it).
fn fingerprint(log: &ReadLog) -> u64 {
    let mut h = DefaultHasher::new();
    log.discovered.hash(&mut h);
    for read in &log.reads {
        (&read.path, &read.key, &read.digest).hash(&mut h);
    }
    for (path, probe, state) in &log.probes {
        // A marker counts by its presence only: `.git` changes with every commit.
        match probe {
            Probe::Exists => (path, *state == PathState::Absent).hash(&mut h),
            Probe::State => (path, state).hash(&mut h),
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    fn root(path: &Path) -> Root {
        Root {
            path: path.to_path_buf(),
            defaults: None,
            others: Arc::from(Vec::new()),
            within: None,
        }
    }

    fn campaign(name: &str) -> String {
        format!("kind: Campaign\nname: {name}\nassistant_id: 9\n")
    }

    /// A directory with `m/a.yaml`, loaded once.
    fn loaded() -> (tempfile::TempDir, Vec<Root>, Loaded) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("m")).expect("mkdir");
        std::fs::write(dir.path().join("m/a.yaml"), campaign("A")).expect("write");
        let roots = vec![root(&dir.path().join("m"))];
        let loaded = Loaded::load(&roots, &ShownFrom::as_is());
        (dir, roots, loaded)
    }

    #[test]
    fn nothing_changed_is_current_and_touching_nothing_keeps_it() {
        let (dir, roots, mut loaded) = loaded();
        assert!(loaded.is_current(&roots));
        std::fs::write(dir.path().join("m/notes.txt"), "x").expect("write");
        std::fs::write(dir.path().join("m/.a.yaml.swp"), "x").expect("write");
        assert!(
            loaded.is_current(&roots),
            "files the load does not read change nothing"
        );
    }

    #[test]
    fn a_new_a_deleted_or_an_edited_file_is_a_change() {
        let (dir, roots, mut loaded) = loaded();
        std::fs::write(dir.path().join("m/b.yml"), campaign("B")).expect("write");
        assert!(!loaded.is_current(&roots), "a new manifest");

        let (dir, roots, mut loaded) = super::tests::loaded();
        std::fs::remove_file(dir.path().join("m/a.yaml")).expect("remove");
        assert!(!loaded.is_current(&roots), "a deleted manifest");

        let (dir, roots, mut loaded) = super::tests::loaded();
        std::fs::write(dir.path().join("m/a.yaml"), campaign("Z")).expect("write");
        assert!(!loaded.is_current(&roots), "an edit of the same size");
    }

    #[test]
    fn an_edit_that_keeps_size_and_times_is_caught_by_the_digest() {
        let (dir, roots, mut loaded) = loaded();
        let path = dir.path().join("m/a.yaml");
        // A write within the same clock tick as the read leaves size and times as they were:
        // stand for it by giving the recorded read today's key of the file again.
        std::fs::write(&path, campaign("Z")).expect("write");
        let meta = std::fs::metadata(&path).expect("stat");
        let read = &mut loaded.log.reads[0];
        read.key = StatKey::of(&meta);
        assert!(
            read.digest.is_some(),
            "a file written just now is in doubt: its digest is kept"
        );
        assert!(
            !loaded.is_current(&roots),
            "same stat, other bytes: a change"
        );
    }

    #[test]
    fn a_file_refused_unread_then_fixed_is_a_change() {
        let (dir, roots, _) = loaded();
        let path = dir.path().join("m/a.yaml");
        let mut big = campaign("A").into_bytes();
        big.resize(9 * 1024 * 1024, b'#');
        std::fs::write(&path, &big).expect("write");
        let mut loaded = Loaded::load(&roots, &ShownFrom::as_is());
        assert!(
            loaded.outcome.as_ref().is_some_and(LoadOutcome::has_errors),
            "a file over the size limit is refused"
        );
        assert!(loaded.is_current(&roots));
        std::fs::write(&path, campaign("A")).expect("write");
        assert!(
            !loaded.is_current(&roots),
            "the refused file, fixed: a change, though it was never read"
        );
    }

    #[test]
    fn other_roots_are_a_change() {
        let (dir, roots, mut loaded) = loaded();
        let mut other = roots.clone();
        other.push(root(&dir.path().join("n")));
        assert!(!loaded.is_current(&other));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_replaced_by_a_link_to_the_same_text_is_a_change() {
        let (dir, roots, mut loaded) = loaded();
        let elsewhere = dir.path().join("elsewhere.yaml");
        std::fs::write(&elsewhere, campaign("A")).expect("write");
        let path = dir.path().join("m/a.yaml");
        std::fs::remove_file(&path).expect("remove");
        std::os::unix::fs::symlink(&elsewhere, &path).expect("symlink");
        assert!(!loaded.is_current(&roots));
    }

    #[test]
    fn a_leads_file_read_is_followed_and_one_not_yet_there_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A marker makes `dir` the repository, so `../leads` is inside it.
        std::fs::write(dir.path().join("campaignctl.yaml"), "").expect("marker");
        std::fs::create_dir_all(dir.path().join("m")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("leads")).expect("mkdir");
        let with_leads = |file: &str| format!("{}leads:\n  file: ../leads/{file}\n", campaign("A"));
        std::fs::write(dir.path().join("m/a.yaml"), with_leads("q.csv")).expect("write");
        std::fs::write(
            dir.path().join("leads/q.csv"),
            "phone_number\n+14155550101\n",
        )
        .expect("write");
        let roots = vec![root(&dir.path().join("m"))];
        let mut loaded = Loaded::load(&roots, &ShownFrom::as_is());
        assert!(loaded.is_current(&roots));
        std::fs::write(
            dir.path().join("leads/q.csv"),
            "phone_number\n+14155550101\n+14155550102\n",
        )
        .expect("write");
        assert!(!loaded.is_current(&roots), "an edit of the leads file");

        std::fs::write(dir.path().join("m/a.yaml"), with_leads("later.csv")).expect("write");
        let mut loaded = Loaded::load(&roots, &ShownFrom::as_is());
        assert!(
            loaded.outcome.as_ref().is_some_and(LoadOutcome::has_errors),
            "the missing leads file is an error"
        );
        assert!(loaded.is_current(&roots));
        std::fs::write(
            dir.path().join("leads/later.csv"),
            "phone_number\n+14155550101\n",
        )
        .expect("write");
        assert!(
            !loaded.is_current(&roots),
            "the leads file the manifest names, created: a change"
        );
    }

    #[test]
    fn the_same_files_reloaded_keep_the_fingerprint() {
        let (dir, roots, loaded) = loaded();
        assert_eq!(
            Loaded::load(&roots, &ShownFrom::as_is()).fingerprint,
            loaded.fingerprint
        );
        std::fs::write(dir.path().join("m/a.yaml"), campaign("Q")).expect("write");
        assert_ne!(
            Loaded::load(&roots, &ShownFrom::as_is()).fingerprint,
            loaded.fingerprint
        );
    }
}
