//! One writer per account on one machine: an advisory file lock keyed by the account's identity
//! (a digest of its token, whatever URL it is sent to), taken by
//! `apply` for its whole run and by each `watch` pass, so a daemon and a person's apply (or two
//! CI jobs on one runner) never plan and write at the same time. Across machines the platform
//! offers no lock; the executor's verification after creates covers that (ARCHITECTURE.md,
//! "Concurrent runs").

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

/// Where lock files live: `CAMPAIGNCTL_LOCK_DIR`, else the user's runtime directory, else the
/// user's cache directory, else the system's temporary directory.
pub fn lock_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAMPAIGNCTL_LOCK_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR") {
        return PathBuf::from(dir).join("campaignctl");
    }
    if let Some(home) = std::env::var_os("HOME") {
        return PathBuf::from(home).join(".cache/campaignctl/locks");
    }
    // Shared with other users: a directory of this user's own (checked when used).
    std::env::temp_dir().join(format!("campaignctl-locks-{}", current_uid()))
}

#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn current_uid() -> u32 {
    0
}

/// Creates the lock directory private to this user (0700), or checks that an existing one is a
/// real directory that this user owns and nobody else can write: another local user must not
/// be able to plant a symlink that campaignctl would then write through.
fn prepare_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(std::io::Error::other(
            "it is not a directory (a symlink or a file)",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != current_uid() {
            return Err(std::io::Error::other("it belongs to another user"));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(std::io::Error::other(
                "others may write to it; make it private (chmod 700)",
            ));
        }
    }
    Ok(())
}

/// Opens the lock file without following a symlink, and only if it is a regular file.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    Ok(file)
}

/// The lock file of one account (`account`: its identity, a digest; the file name is a digest
/// of that, so no token is ever written, even hashed once).
pub fn lock_path(dir: &Path, account: &str) -> PathBuf {
    let digest = Sha256::digest(account.as_bytes());
    let key: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("account-{key}.lock"))
}

/// A held lock; released when dropped (and by the OS if the process dies).
#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot use the account lock file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("another campaignctl run holds the lock for {api_url} ({holder}); waited {waited:?}")]
    Timeout {
        api_url: String,
        holder: String,
        waited: Duration,
    },
    #[error("stopped while waiting for the lock for {api_url} ({holder})")]
    Cancelled { api_url: String, holder: String },
}

/// Takes the lock for `account` (`Client::account_identity`: a digest of the token, so that two
/// accounts on one platform host do not wait for each other, and one token under two spellings
/// of its URL is one lock), waiting up to `timeout`; `shown` (the API URL) names it in messages. `on_wait` is called once, with the
/// holder's description, if the lock is held by another run.
pub async fn acquire(
    account: &str,
    shown: &str,
    command: &str,
    timeout: Duration,
    cancel: &CancellationToken,
    on_wait: impl FnMut(&str),
) -> Result<AccountLock, LockError> {
    acquire_in(
        &lock_dir(),
        account,
        shown,
        command,
        timeout,
        cancel,
        on_wait,
    )
    .await
}

/// [`acquire`] with the lock directory given.
pub async fn acquire_in(
    dir: &Path,
    account: &str,
    shown: &str,
    command: &str,
    timeout: Duration,
    cancel: &CancellationToken,
    mut on_wait: impl FnMut(&str),
) -> Result<AccountLock, LockError> {
    let path = lock_path(dir, account);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    prepare_dir(dir).map_err(|source| LockError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut file = open_lock_file(&path).map_err(io)?;
    let started = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let holder = holder(&mut file);
        if !told {
            on_wait(&holder);
            told = true;
        }
        if started.elapsed() >= timeout {
            return Err(LockError::Timeout {
                api_url: shown.to_owned(),
                holder,
                waited: timeout,
            });
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
            () = cancel.cancelled() => {
                return Err(LockError::Cancelled { api_url: shown.to_owned(), holder });
            }
        }
    }
    // Who holds it, for anyone who waits: the process, the command, since when.
    let since = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let note = format!(
        "pid {} (campaignctl {command}) since unix time {since}",
        std::process::id()
    );
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(note.as_bytes()))
        .and_then(|()| file.flush());
    written.map_err(io)?;
    Ok(AccountLock { _file: file })
}

/// What the lock file says about its holder, cut to a sane length and printable.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let read = file
        .rewind()
        .and_then(|()| file.take(200).read_to_string(&mut text));
    match read {
        Ok(_) if !text.trim().is_empty() => text
            .trim()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
        _ => "a campaignctl process".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_url_has_its_own_lock_file() {
        let dir = Path::new("/locks");
        let a = lock_path(dir, "https://app.autocalls.ai/api");
        let b = lock_path(dir, "https://portal.example.com/api");
        assert_ne!(a, b);
        assert_eq!(a, lock_path(dir, "https://app.autocalls.ai/api"));
        assert!(a.starts_with(dir));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symlinked_lock_file_or_a_shared_directory_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let locks = dir.path().join("locks");
        std::fs::create_dir(&locks).expect("mkdir");
        let url = "http://127.0.0.1:1/api";
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").expect("write");
        std::os::unix::fs::symlink(&victim, lock_path(&locks, url)).expect("symlink");
        let cancel = CancellationToken::new();
        let err = acquire_in(&locks, url, url, "apply", Duration::ZERO, &cancel, |_| {})
            .await
            .expect_err("a symlink is not a lock file");
        assert!(matches!(err, LockError::Io { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("read"),
            "precious",
            "nothing was written through the symlink"
        );

        use std::os::unix::fs::PermissionsExt;
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).expect("mkdir");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let err = acquire_in(&shared, url, url, "apply", Duration::ZERO, &cancel, |_| {})
            .await
            .expect_err("a directory others may write to is refused");
        assert!(err.to_string().contains("others may write"), "{err}");
    }

    #[tokio::test]
    async fn a_second_run_waits_names_the_holder_and_gets_the_lock_once_it_is_free() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = "http://127.0.0.1:1/api";
        let cancel = CancellationToken::new();
        let first = acquire_in(
            dir.path(),
            url,
            url,
            "watch",
            Duration::ZERO,
            &cancel,
            |_| panic!("the lock is free"),
        )
        .await
        .expect("first");
        let mut seen = String::new();
        let err = acquire_in(
            dir.path(),
            url,
            url,
            "apply",
            Duration::from_millis(300),
            &cancel,
            |h| seen = h.to_owned(),
        )
        .await
        .expect_err("held");
        let me = format!("pid {} (campaignctl watch)", std::process::id());
        assert!(
            seen.starts_with(&me),
            "the waiter is told who holds it: {seen:?}"
        );
        assert!(
            matches!(&err, LockError::Timeout { holder, .. } if holder.starts_with(&me)),
            "{err}"
        );
        let other = acquire_in(
            dir.path(),
            "http://127.0.0.1:2/api",
            "http://127.0.0.1:2/api",
            "apply",
            Duration::ZERO,
            &cancel,
            |_| panic!("another account's lock is free"),
        )
        .await;
        assert!(other.is_ok(), "locks are per account");
        drop(first);
        acquire_in(
            dir.path(),
            url,
            url,
            "apply",
            Duration::from_secs(5),
            &cancel,
            |_| {},
        )
        .await
        .expect("free once the first is dropped");
    }
}
