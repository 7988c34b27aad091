//! What a load looked at, for a caller that wants to know later, cheaply, whether loading again
//! could give another result (`watch` reuses its load until then). While [`recording`] runs a
//! load on this thread, the loader notes every file it read (with its metadata before the read,
//! and a digest of the bytes when the metadata alone could miss a later write), every path it
//! probed (a leads path as written, a repository marker) and what discovery found under each
//! root. Outside `recording` a note costs one thread-local check.

use std::cell::RefCell;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::discover::Discovered;

/// How close to now a file's change time must be for its metadata to be in doubt: file systems
/// stamp times from a coarse clock (a few milliseconds on Linux, 2 s on FAT), so a second write
/// within one tick of the read leaves size and times as they were. Files changed that recently
/// have their bytes' digest kept and compared (as git treats "racily clean" files).
pub const DOUBT: Duration = Duration::from_secs(2);

/// A path's identity and version as `stat` and `lstat` tell them: device, inode, type,
/// size, and modification and change times in nanoseconds (a write always moves the change
/// time, which no tool can set back). Both the link and what it leads to count, so a file
/// replaced by a symbolic link, or a link pointed elsewhere, is a different state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathState {
    Absent,
    Present {
        link: Option<StatKey>,
        target: Option<StatKey>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatKey {
    dev: u64,
    ino: u64,
    mode: u32,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl StatKey {
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn of(meta: &Metadata) -> StatKey {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            StatKey {
                dev: meta.dev(),
                ino: meta.ino(),
                mode: meta.mode(),
                size: meta.size(),
                mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
                ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let ns = |t: std::io::Result<SystemTime>| {
                t.ok()
                    .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                    .map_or(-1, |d| d.as_nanos() as i128)
            };
            StatKey {
                dev: 0,
                ino: 0,
                mode: u32::from(meta.is_dir()) | (u32::from(meta.is_file()) << 1),
                size: meta.len(),
                mtime_ns: ns(meta.modified()),
                ctime_ns: ns(meta.created()),
            }
        }
    }

    /// Whether a write after `at` could leave this key as it is: the file changed within
    /// [`DOUBT`] of `at` (or after it, by a clock ahead of ours).
    pub fn in_doubt_at(&self, at: SystemTime) -> bool {
        let at_ns = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let changed = self.mtime_ns.max(self.ctime_ns);
        changed + DOUBT.as_nanos() as i128 >= at_ns
    }
}

impl PathState {
    /// The state of `path` now.
    pub fn of(path: &Path) -> PathState {
        let Ok(link) = std::fs::symlink_metadata(path) else {
            return PathState::Absent;
        };
        let target = if link.file_type().is_symlink() {
            std::fs::metadata(path).ok().map(|m| StatKey::of(&m))
        } else {
            Some(StatKey::of(&link))
        };
        PathState::Present {
            link: link.file_type().is_symlink().then(|| StatKey::of(&link)),
            target,
        }
    }
}

/// A file the load read: its path, its metadata just before the read (from the open file), and
/// the digest of the bytes read when that metadata was in doubt ([`StatKey::in_doubt_at`]).
#[derive(Debug, Clone)]
pub struct FileRead {
    pub path: PathBuf,
    pub key: StatKey,
    pub digest: Option<[u8; 32]>,
}

/// What a probe of a path wants to know: only whether something is there (a repository
/// marker), or its whole state (a leads path as written: a link may be pointed elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Probe {
    Exists,
    State,
}

/// Everything one load looked at, in the order it looked.
#[derive(Debug, Default, Clone)]
pub struct ReadLog {
    /// Each root's discovery, in the order of the roots.
    pub discovered: Vec<(Vec<PathBuf>, Vec<String>)>,
    pub reads: Vec<FileRead>,
    pub probes: Vec<(PathBuf, Probe, PathState)>,
    /// A read could not be noted (`note_read` without metadata).
    pub unverifiable: bool,
}

thread_local! {
    static LOG: RefCell<Option<ReadLog>> = const { RefCell::new(None) };
}

/// Runs `load` (on this thread) and returns what it looked at. Not reentrant: a nested call
/// records into its own log and the outer one misses those reads, so loads are not nested.
pub fn recording<T>(load: impl FnOnce() -> T) -> (T, ReadLog) {
    let outer = LOG.with(|log| log.borrow_mut().replace(ReadLog::default()));
    let value = load();
    let log = LOG.with(|log| std::mem::replace(&mut *log.borrow_mut(), outer));
    (value, log.unwrap_or_default())
}

/// Whether a load on this thread is being recorded: work it hands to other threads must then
/// record there and [`append`] what they looked at.
pub(crate) fn is_recording() -> bool {
    LOG.with(|log| log.borrow().is_some())
}

/// Adds what a part of this load looked at on another thread (its own [`recording`]) to this
/// thread's log, if it is recording.
pub(crate) fn append(part: ReadLog) {
    note(|log| {
        log.discovered.extend(part.discovered);
        log.reads.extend(part.reads);
        log.probes.extend(part.probes);
        log.unverifiable |= part.unverifiable;
    });
}

fn note(add: impl FnOnce(&mut ReadLog)) {
    LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            add(log);
        }
    });
}

/// Notes a file read whole: `before` is the open file's metadata taken before reading. Without
/// it (the open file could not be `stat`ed) the read cannot be checked later, and the log says
/// so: a load that made it is never taken as current.
pub(crate) fn note_read(path: &Path, before: Option<&Metadata>, bytes: &[u8]) {
    note(|log| {
        let Some(before) = before else {
            log.unverifiable = true;
            return;
        };
        let key = StatKey::of(before);
        let digest = key.in_doubt_at(SystemTime::now()).then(|| digest_of(bytes));
        log.reads.push(FileRead {
            path: path.to_path_buf(),
            key,
            digest,
        });
    });
}

/// Notes a path the load probed, with its state now.
pub(crate) fn note_probe(path: &Path, probe: Probe) {
    note(|log| {
        log.probes
            .push((path.to_path_buf(), probe, PathState::of(path)))
    });
}

/// Notes what discovery found under one root.
pub(crate) fn note_discovered(found: &Discovered) {
    note(|log| log.discovered.push(summary(found)));
}

/// Discovery's result as compared: the files, and the diagnostics as written.
pub fn summary(found: &Discovered) -> (Vec<PathBuf>, Vec<String>) {
    (
        found.files.clone(),
        found.diagnostics.iter().map(ToString::to_string).collect(),
    )
}

pub fn digest_of(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loader reads files on every core; each read must still be in the log of the load
    /// that recorded it, leads files included, in file order.
    #[test]
    fn a_load_spread_over_threads_notes_every_file_it_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The repository the leads files must be inside.
        std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
        let mut expected = Vec::new();
        for i in 0..8 {
            let path = dir.path().join(format!("c{i}.yaml"));
            std::fs::write(
                &path,
                format!("kind: Campaign\nname: C{i}\nassistant_id: 7\nleads:\n  file: l{i}.csv\n"),
            )
            .expect("write");
            std::fs::write(
                dir.path().join(format!("l{i}.csv")),
                "phone_number\n+14155550100\n",
            )
            .expect("write");
            expected.push(path);
        }
        let (outcome, log) = recording(|| super::super::load(&[dir.path().to_path_buf()]));
        assert_eq!(outcome.manifests.len(), 8, "{:?}", outcome.diagnostics);
        let read: Vec<&PathBuf> = log
            .reads
            .iter()
            .map(|r| &r.path)
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        assert_eq!(
            read,
            expected.iter().collect::<Vec<_>>(),
            "every manifest, in order"
        );
        assert!(
            log.reads
                .iter()
                .filter(|r| r.path.extension().is_some_and(|e| e == "csv"))
                .count()
                + log.probes.len()
                >= 8,
            "each leads file was read or probed: {log:?}"
        );
        assert!(!is_recording(), "the recording ended with the load");
    }

    #[test]
    fn notes_are_kept_only_while_recording() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "x").expect("write");
        note_probe(&path, Probe::State);
        let ((), log) = recording(|| note_probe(&path, Probe::Exists));
        assert_eq!(log.probes.len(), 1, "only the note made while recording");
        let ((), empty) = recording(|| {});
        assert!(empty.probes.is_empty(), "each recording starts empty");
    }

    #[test]
    fn a_fresh_file_is_in_doubt_and_its_bytes_are_digested() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "x").expect("write");
        let meta = std::fs::metadata(&path).expect("stat");
        let ((), log) = recording(|| note_read(&path, Some(&meta), b"x"));
        assert_eq!(log.reads[0].digest, Some(digest_of(b"x")));
        let ((), log) = recording(|| note_read(&path, None, b"x"));
        assert!(
            log.unverifiable,
            "a read without metadata cannot be checked later"
        );
        let key = StatKey::of(&meta);
        assert!(
            !key.in_doubt_at(SystemTime::now() + DOUBT + Duration::from_secs(1)),
            "a file changed well before the read is not in doubt"
        );
    }

    #[test]
    fn a_link_and_the_file_it_replaced_are_different_states() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "x").expect("write");
        let before = PathState::of(&path);
        let other = dir.path().join("b.yaml");
        std::fs::write(&other, "x").expect("write");
        std::fs::remove_file(&path).expect("remove");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&other, &path).expect("symlink");
        assert_ne!(PathState::of(&path), before);
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(PathState::of(&path), PathState::Absent);
    }
}
