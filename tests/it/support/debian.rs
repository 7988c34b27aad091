//! Tools from Debian's packages that tests run (promtool): found where they are, else
//! installed with apt-get, once, under a file lock in target/ (test binaries may run at once,
//! and dpkg takes one installer at a time). CI runs as root on a fresh Debian machine with the
//! package registry reachable and nothing installed, so the tests install what they need.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// How long apt-get waits for dpkg's own lock (another installer on the machine) before it
/// gives up, in seconds.
const DPKG_LOCK_TIMEOUT: &str = "600";

/// The path of `binary` from Debian's `package`: on PATH or among the package's files when it
/// is installed, else after `apt-get install -y --no-install-recommends PACKAGE` (with an
/// `apt-get update` first, once per test process). Panics saying what failed and how to
/// install it by hand when it cannot.
pub fn ensure_debian_tool(binary: &str, package: &str) -> PathBuf {
    if let Some(found) = find(binary, package) {
        return found;
    }
    // One installer per process at a time; the file lock serialises processes.
    static IN_PROCESS: Mutex<()> = Mutex::new(());
    let _guard = IN_PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    let lock_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("debian-install.lock");
    let lock = std::fs::File::create(&lock_path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
    lock.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
    // Another process may have installed it while this one waited.
    if let Some(found) = find(binary, package) {
        return found;
    }
    static UPDATED: OnceLock<Result<(), String>> = OnceLock::new();
    let updated = UPDATED.get_or_init(|| apt(&["update"]));
    if let Err(e) = updated {
        panic!("{binary} is not installed and `apt-get update` failed: {e}\nhint: install it by hand: apt-get install {package}");
    }
    if let Err(e) = apt(&["install", "-y", "--no-install-recommends", package]) {
        panic!("{binary} is not installed and `apt-get install {package}` failed: {e}\nhint: the tests install Debian packages as root with the package registry reachable; install it by hand: apt-get install {package}");
    }
    find(binary, package).unwrap_or_else(|| {
        panic!("`apt-get install {package}` succeeded but no {binary} was found on PATH or among the package's files (dpkg -L {package})")
    })
}

/// `binary` on PATH, or among the files of `package` when it is installed.
fn find(binary: &str, package: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(binary))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let listed = Command::new("dpkg").args(["-L", package]).output().ok()?;
        if !listed.status.success() {
            return None;
        }
        String::from_utf8_lossy(&listed.stdout)
            .lines()
            .map(PathBuf::from)
            .find(|p| p.file_name().is_some_and(|n| n == binary) && p.is_file())
    })
}

/// `apt-get ARGS`, without questions; the error says how it ended and what it printed last.
fn apt(args: &[&str]) -> Result<(), String> {
    let out = Command::new("apt-get")
        .args(["-o", &format!("DPkg::Lock::Timeout={DPKG_LOCK_TIMEOUT}")])
        .args(["-q"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .map_err(|e| format!("cannot run apt-get: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(10).collect();
    Err(format!(
        "apt-get {} ended with {}:\n{}",
        args.join(" "),
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}
