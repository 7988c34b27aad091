//! A repository file cannot read a secret or send one anywhere (issue 18, parts 2 and 3): files
//! outside the repository are refused unread and never quoted; a token goes only to hosts the
//! environment allows, from variables and directories the environment allows; one token is one
//! platform account whatever its URL looks like. The real binary, against the emulator or a
//! listener on loopback that must receive nothing.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::{campaignctl, git, Emulator, Run, Workspace, TOKEN};

/// What a one-line token file outside the repository holds (`~/.config/gh/hosts.yml`, a
/// `~/.aws/credentials` line, ...).
const OUTSIDE_SECRET: &str = "ghp_0utside5ecretNeverQuoted";

/// A git repository with one valid manifest, and a directory outside it holding a secret.
struct Setup {
    ws: Workspace,
    home: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let ws = Workspace::new();
        git(&ws, &["init", "-q"]);
        ws.write(
            "campaigns/ok.yaml",
            "kind: Campaign\nname: Fine\nassistant_id: 7\n",
        );
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(home.path().join(".config/gh")).expect("mkdir");
        std::fs::write(
            home.path().join(".config/gh/hosts.yml"),
            format!("{OUTSIDE_SECRET}\n"),
        )
        .expect("write secret");
        Setup { ws, home }
    }

    fn secret_file(&self) -> std::path::PathBuf {
        self.home.path().join(".config/gh/hosts.yml")
    }

    /// `ln -s <secret> <repository>/<link>`.
    fn link(&self, target: &Path, link: &str) {
        let at = self.ws.path().join(link);
        if let Some(parent) = at.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::os::unix::fs::symlink(target, at).expect("symlink");
    }
}

#[track_caller]
fn assert_secret_absent(run: &Run, secret: &str) {
    assert!(
        !run.stdout.contains(secret),
        "stdout quotes the secret:\n{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(secret),
        "stderr quotes the secret:\n{}",
        run.stderr
    );
}

const REFUSED: &str =
    "campaigns/t.yaml:1:1: error: this path resolves (through a symbolic link) outside the repository ";

#[test]
fn a_manifest_symlinked_outside_the_repository_is_refused_unread_in_validate_github() {
    let s = Setup::new();
    s.link(&s.secret_file(), "campaigns/t.yaml");
    for args in [
        &["validate", "--format", "github"][..],
        &["validate", "--format", "github", "campaigns"][..],
    ] {
        let run = campaignctl(s.ws.path(), None).args(args).run();
        run.assert_code(1);
        assert_secret_absent(&run, OUTSIDE_SECRET);
        let annotation = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .find(|l| l.starts_with("::error file=campaigns/t.yaml"))
            .unwrap_or_else(|| panic!("no annotation for the link:\n{}", run.all()));
        assert!(
            annotation.contains("resolves (through a symbolic link) outside the repository"),
            "{annotation}"
        );
    }
}

#[test]
fn a_manifest_symlinked_outside_the_repository_is_refused_unread_in_the_markdown_plan() {
    let emu = Emulator::start();
    let s = Setup::new();
    s.link(&s.secret_file(), "campaigns/t.yaml");
    let run = campaignctl(s.ws.path(), Some(&emu))
        .args(["plan", "--format", "markdown"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, OUTSIDE_SECRET);
    assert!(
        run.stdout.contains(REFUSED) || run.stderr.contains(REFUSED),
        "the refusal is reported:\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    // Nothing was planned from a refused file, and nothing asked the platform for more.
    assert_eq!(emu.stats()["campaign_create_requests"], 0);
}

/// A directory symlinked out of the repository is not walked (its files are not even listed);
/// the config's own paths and the config itself are confined the same way.
#[test]
fn a_directory_the_config_or_the_config_itself_symlinked_outside_is_refused_unread() {
    let s = Setup::new();
    s.link(&s.home.path().join(".config/gh"), "campaigns/shared");
    let run = campaignctl(s.ws.path(), None).args(["validate"]).run();
    run.assert_code(1);
    assert_secret_absent(&run, OUTSIDE_SECRET);
    assert!(
        run.stderr.contains(
            "campaigns/shared:1:1: error: this path resolves (through a symbolic link) outside the repository"
        ),
        "{}",
        run.stderr
    );
    std::fs::remove_file(s.ws.path().join("campaigns/shared")).expect("unlink");

    // An account's path that is a link out of the repository.
    s.ws.write(
        "campaignctl.yaml",
        "accounts:\n  acme:\n    api_url: https://app.autocalls.ai/api\n    token_env: CAMPAIGNCTL_API_TOKEN\n    paths: [acme]\n",
    );
    s.link(&s.secret_file(), "acme");
    let run = campaignctl(s.ws.path(), None)
        .args(["validate", "--format", "github"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, OUTSIDE_SECRET);
    assert!(
        run.all().contains("outside the repository"),
        "{}",
        run.all()
    );

    // The config itself, found by searching, as a link to a secret.
    std::fs::remove_file(s.ws.path().join("campaignctl.yaml")).expect("unlink");
    s.link(&s.secret_file(), "campaignctl.yaml");
    let run = campaignctl(s.ws.path(), None)
        .args(["validate", "--format", "github"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, OUTSIDE_SECRET);
    assert!(
        run.stderr.contains(
            "campaignctl.yaml:1:1: error: the repository config is a symbolic link that leads outside the repository; it was not read"
        ),
        "{}",
        run.stderr
    );
}

/// A file a person names on the command line is their own choice, and stays allowed; a link
/// inside the repository to another file of the repository is fine too.
#[test]
fn a_typed_path_and_a_link_within_the_repository_stay_allowed() {
    let s = Setup::new();
    s.ws.write(
        "shared/common.yaml",
        "kind: Campaign\nname: Shared\nassistant_id: 7\n",
    );
    s.link(Path::new("../shared/common.yaml"), "campaigns/common.yaml");
    campaignctl(s.ws.path(), None)
        .args(["validate"])
        .run()
        .assert_code(0);
    let outside = s.home.path().join("mine.yaml");
    std::fs::write(&outside, "kind: Campaign\nname: Mine\nassistant_id: 7\n").expect("write");
    campaignctl(s.ws.path(), None)
        .args(["validate"])
        .arg_path(&outside)
        .run()
        .assert_code(0);
}
