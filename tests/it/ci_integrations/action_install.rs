//! The GitHub Action's install script (`scripts/action/install.sh`) against a stand-in release:
//! it installs the archive only when it matches the release's SHA256SUMS (a cached archive
//! included), refuses a release without checksums, and compiles with `cargo install --locked`
//! of the same tag only when the release has no archive for the runner. `gh` and `cargo` are
//! stand-ins on PATH; nothing leaves the machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const ASSET: &str = "campaignctl-0.1.0-x86_64-unknown-linux-gnu.tar.gz";

/// `gh release view` lists the files of `release/`; `gh release download --pattern P --dir D`
/// copies `release/P` into D.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$3" = v0.1.0 ] && [ "$5" = acme/campaignctl ] || { echo "unexpected: $*" >&2; exit 2; }
case "$1 $2" in
"release view") ls "$here/release" ;;
"release download")
  # release download TAG --repo R --pattern P --dir D
  [ -f "$here/release/$7" ] || { echo "no assets match the file pattern" >&2; exit 1; }
  cp "$here/release/$7" "$9" ;;
*) echo "unexpected: $*" >&2; exit 2 ;;
esac
"#;

/// Records its arguments and installs a stand-in campaignctl under `--root`.
const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
set -eu
echo "$*" >>"$(dirname "$0")/../cargo.log"
root=$4
mkdir -p "$root/bin"
printf '#!/bin/sh\necho campaignctl 0.1.0 compiled\n' >"$root/bin/campaignctl"
chmod +x "$root/bin/campaignctl"
"#;

struct Release {
    dir: tempfile::TempDir,
}

impl Release {
    /// A release holding the archive of a stand-in binary and, if `sums`, its SHA256SUMS.
    fn new(sums: bool) -> Release {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in [("bin/gh", FAKE_GH), ("bin/cargo", FAKE_CARGO)] {
            write_executable(&dir.path().join(name), text);
        }
        let staging = dir.path().join("staging");
        write_executable(
            &staging.join("campaignctl"),
            "#!/bin/sh\necho campaignctl 0.1.0\n",
        );
        std::fs::create_dir_all(dir.path().join("release")).expect("mkdir");
        let archive = dir.path().join("release").join(ASSET);
        let out = Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(&staging)
            .arg("campaignctl")
            .output()
            .expect("tar runs");
        assert!(out.status.success(), "tar: {out:?}");
        if sums {
            let digest = Sha256::digest(std::fs::read(&archive).expect("the archive"));
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            std::fs::write(
                dir.path().join("release/SHA256SUMS"),
                format!(
                    "{hex}  {ASSET}\n{}  campaignctl-0.1.0-other.tar.gz\n",
                    "0".repeat(64)
                ),
            )
            .expect("SHA256SUMS");
        }
        Release { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs the install script as action.yml does, for `target` ("" when the release builds
    /// nothing for the runner).
    fn install(&self, target: &str) -> Output {
        let path = format!("{}:/usr/bin:/bin", self.path("bin").display());
        Command::new("bash")
            .arg(Path::new(REPO).join("scripts/action/install.sh"))
            .env_clear()
            .env("PATH", path)
            .env("VERSION", "0.1.0")
            .env("TARGET", target)
            .env("DIR", self.path("cache"))
            .env("REPO", "acme/campaignctl")
            .env("GH_TOKEN", "ghs_github_token")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_PATH", self.path("github_path"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .output()
            .expect("bash runs the install script")
    }
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_release_archive_is_installed_only_when_it_matches_the_checksums() {
    let release = Release::new(true);
    let target = "x86_64-unknown-linux-gnu";
    let out = release.install(target);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("campaignctl 0.1.0"), "{}", said(&out));
    let on_path = std::fs::read_to_string(release.path("github_path")).expect("GITHUB_PATH");
    assert_eq!(on_path.trim(), release.path("cache/bin").to_string_lossy());
    assert!(release.path("cache/bin/campaignctl").is_file());

    // A cached archive is checked again on the next run: an altered one is refused, removed,
    // and not run.
    let cached = release.path(&format!("cache/{ASSET}"));
    let mut bytes = std::fs::read(&cached).expect("the cached archive");
    bytes.push(0);
    std::fs::write(&cached, bytes).expect("alter the cache");
    let out = release.install(target);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("does not match the release's SHA256SUMS"),
        "{}",
        said(&out)
    );
    assert!(!cached.exists(), "the altered archive is removed");
    assert!(
        !release.path("cargo.log").exists(),
        "a mismatch never falls back to compiling"
    );

    // Without the cache, it is downloaded again and passes.
    let out = release.install(target);
    assert!(out.status.success(), "{}", said(&out));
}

#[test]
fn a_release_without_checksums_is_refused() {
    let release = Release::new(false);
    let out = release.install("x86_64-unknown-linux-gnu");
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("no SHA256SUMS: refusing to run a binary that cannot be verified"),
        "{}",
        said(&out)
    );
    assert!(!release.path("cache/bin/campaignctl").exists());
}

#[test]
fn a_runner_without_a_release_archive_compiles_the_same_tag_locked() {
    let release = Release::new(true);
    let out = release.install("riscv64gc-unknown-linux-gnu");
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("::warning title=campaignctl install::release v0.1.0 of acme/campaignctl has no campaignctl-0.1.0-riscv64gc-unknown-linux-gnu.tar.gz"),
        "{}",
        said(&out)
    );
    let cargo = std::fs::read_to_string(release.path("cargo.log")).expect("cargo ran");
    let root = release.path("cache/cargo");
    assert_eq!(
        cargo.trim(),
        format!(
            "install --locked --root {} --git https://github.com/acme/campaignctl --tag v0.1.0 campaignctl",
            root.display()
        )
    );
    // The compiled binary is cached: the next run neither downloads nor compiles.
    std::fs::remove_file(release.path("cargo.log")).expect("cargo.log");
    let out = release.install("riscv64gc-unknown-linux-gnu");
    assert!(out.status.success(), "{}", said(&out));
    assert!(!release.path("cargo.log").exists(), "{}", said(&out));
}
