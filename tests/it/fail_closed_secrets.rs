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

use crate::support::{campaignctl, commit_all, git, Emulator, Run, Workspace, TOKEN};

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
        // Named inside the repository (as a CI step lists changed files): the repository
        // decides what the name is, so it is confined too.
        &["validate", "--format", "github", "campaigns/t.yaml"][..],
    ] {
        let run = campaignctl(s.ws.path(), None).args(args).run();
        run.assert_code(1);
        assert_secret_absent(&run, OUTSIDE_SECRET);
        let annotation = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .find(|l| l.starts_with("::error file=campaigns/t.yaml"))
            .unwrap_or_else(|| panic!("no annotation for the link:\n{}", run));
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

    // `--base` reads git's objects, where the committed link is only its target's name, and
    // skips it: comparing with a revision quotes nothing either.
    commit_all(&s.ws, "a link out");
    let run = campaignctl(s.ws.path(), Some(&emu))
        .args(["plan", "--format", "markdown", "--base", "HEAD"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, OUTSIDE_SECRET);
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

    // The whole `campaigns` directory a link out, whether named or the default.
    std::fs::rename(s.ws.path().join("campaigns"), s.ws.path().join("old")).expect("mv");
    s.link(&s.home.path().join(".config/gh"), "campaigns");
    for args in [&["validate"][..], &["validate", "campaigns/"][..]] {
        let run = campaignctl(s.ws.path(), None).args(args).run();
        run.assert_code(1);
        assert_secret_absent(&run, OUTSIDE_SECRET);
        assert!(
            run.stderr.contains(
                ":1:1: error: this path resolves (through a symbolic link) outside the repository"
            ),
            "{args:?}: {}",
            run.stderr
        );
    }
    std::fs::remove_file(s.ws.path().join("campaigns")).expect("unlink");
    std::fs::rename(s.ws.path().join("old"), s.ws.path().join("campaigns")).expect("mv");

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
    // Annotations are the output of `--format github`: stdout.
    run.assert_stdout("outside the repository");

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
        "library/common.yaml",
        "kind: Campaign\nname: Shared\nassistant_id: 7\n",
    );
    s.link(Path::new("../library/common.yaml"), "campaigns/common.yaml");
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

/// The token of the runs below: it must never reach a host the environment did not allow.
const CI_TOKEN: &str = "tok_ci_secret_4f1e";

/// A repository whose config has one account `acme` with `api_url` and `token` (a `token_env:`
/// or `token_file:` line), its manifests in `acme/`.
fn with_config(api_url: &str, token: &str) -> Workspace {
    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    ws.write(
        "campaignctl.yaml",
        format!("accounts:\n  acme:\n    api_url: {api_url}\n    {token}\n    paths: [acme]\n"),
    );
    ws.write("acme/a.yaml", "kind: Campaign\nname: A\nassistant_id: 7\n");
    ws
}

/// A listener on loopback that counts the connections it gets: a proxy every HTTPS request of
/// campaignctl goes through, so a request to a host outside loopback is seen here without
/// leaving the machine.
struct CountingProxy {
    url: String,
    connections: Arc<AtomicUsize>,
    first_request: Arc<std::sync::Mutex<String>>,
}

impl CountingProxy {
    fn start() -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let connections = Arc::new(AtomicUsize::new(0));
        let first_request = Arc::new(std::sync::Mutex::new(String::new()));
        let (count, first) = (connections.clone(), first_request.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let mut head = [0u8; 256];
                let n = stream.read(&mut head).unwrap_or(0);
                if let Ok(mut f) = first.lock() {
                    if f.is_empty() {
                        *f = String::from_utf8_lossy(&head[..n]).into_owned();
                    }
                }
                // Dropped without an answer: the run fails, which is all it needs to do.
            }
        });
        CountingProxy {
            url,
            connections,
            first_request,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// `campaignctl plan` in `ws` with the CI token in `CAMPAIGNCTL_API_TOKEN` and every HTTPS
/// request sent through `proxy`.
fn plan_through(ws: &Workspace, proxy: &CountingProxy) -> crate::support::Cmd {
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_TOKEN", CI_TOKEN)
        .env("HTTPS_PROXY", &proxy.url)
        .env("https_proxy", &proxy.url)
        .env("ALL_PROXY", &proxy.url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("CAMPAIGNCTL_API_HOSTS")
        .args(["plan", "--timeout", "2"])
}

#[test]
fn a_config_naming_a_host_the_environment_does_not_allow_sends_no_request() {
    let proxy = CountingProxy::start();
    let ws = with_config(
        "https://attacker.invalid/api",
        "token_env: CAMPAIGNCTL_API_TOKEN",
    );
    let run = plan_through(&ws, &proxy).run();
    run.assert_code(1);
    assert_secret_absent(&run, CI_TOKEN);
    assert_eq!(
        proxy.connections(),
        0,
        "a request left for the attacker: {}",
        proxy
            .first_request
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default()
    );
    let lines: Vec<&str> = run.stderr.lines().collect();
    let refusal = lines
        .iter()
        .position(|l| {
            l.ends_with("campaignctl.yaml:3:14: error: account acme: the API host \"attacker.invalid\" is not one the environment allows a repository config to send a token to; nothing was read or sent")
        })
        .unwrap_or_else(|| panic!("no refusal at the api_url's line:\n{}", run.stderr));
    assert!(
        lines[refusal..].iter().any(|l| l
            == &"  hint: allowed: app.autocalls.ai and loopback. If this host is yours, set CAMPAIGNCTL_API_HOSTS=attacker.invalid where campaignctl runs (CI settings, not the repository)"),
        "{}",
        run.stderr
    );

    // The same run with the host allowed by the environment does go out (through the proxy):
    // the listener above would have seen a request.
    let allowed = plan_through(&ws, &proxy)
        .env("CAMPAIGNCTL_API_HOSTS", "attacker.invalid")
        .run();
    allowed.assert_code(1);
    assert!(
        proxy.connections() > 0,
        "the proxy sees requests it is sent"
    );
    assert!(
        proxy
            .first_request
            .lock()
            .map(|f| f.starts_with("CONNECT attacker.invalid:443"))
            .unwrap_or(false),
        "{:?}",
        proxy.first_request.lock().map(|f| f.clone())
    );
}

/// Whoever sets `CAMPAIGNCTL_API_HOSTS` decides exactly: without a loopback name in it, a
/// config naming loopback is refused too.
#[test]
fn the_hosts_the_environment_lists_replace_the_defaults_loopback_included() {
    let emu = Emulator::start();
    let ws = with_config(&emu.url, "token_env: CAMPAIGNCTL_API_TOKEN");
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_API_HOSTS", "app.autocalls.ai")
        .args(["plan"])
        .run();
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "error: account acme: the API host \"127.0.0.1\" is not one the environment allows"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  hint: allowed: app.autocalls.ai. If this host is yours, set CAMPAIGNCTL_API_HOSTS=127.0.0.1 where campaignctl runs"),
        "{}",
        run.stderr
    );
    assert_eq!(emu.stats()["requests"], 0, "nothing was sent");
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .env("CAMPAIGNCTL_API_HOSTS", "app.autocalls.ai, 127.0.0.1")
        .args(["plan"])
        .run()
        .assert_code(0);
}

#[test]
fn a_config_cannot_name_an_unrelated_variable_as_its_token() {
    let emu = Emulator::start();
    let ws = with_config(&emu.url, "token_env: AWS_SECRET_ACCESS_KEY");
    let run = campaignctl(ws.path(), None)
        .env("AWS_SECRET_ACCESS_KEY", TOKEN)
        .args(["plan"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, TOKEN);
    assert!(
        run.stderr.lines().any(|l| l.ends_with(
            "campaignctl.yaml:4:16: error: account acme: token_env AWS_SECRET_ACCESS_KEY is not a variable the environment allows a repository config to read; it was not read"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "  hint: name a variable starting with CAMPAIGNCTL_, or set CAMPAIGNCTL_TOKEN_ENVS=AWS_SECRET_ACCESS_KEY where campaignctl runs (CI settings, not the repository)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(emu.stats()["requests"], 0, "nothing was sent");

    // The environment may allow it, by name.
    campaignctl(ws.path(), None)
        .env("AWS_SECRET_ACCESS_KEY", TOKEN)
        .env("CAMPAIGNCTL_TOKEN_ENVS", "ACME_TOKEN,AWS_SECRET_ACCESS_KEY")
        .args(["plan"])
        .run()
        .assert_code(0);
}

#[test]
fn a_config_cannot_read_a_token_file_outside_the_directories_the_environment_allows() {
    let emu = Emulator::start();
    let secrets = tempfile::tempdir().expect("tempdir");
    let file = secrets.path().join("credentials");
    std::fs::write(&file, format!("{TOKEN}\n")).expect("write");
    let ws = with_config(&emu.url, &format!("token_file: {}", file.display()));
    let run = campaignctl(ws.path(), None).args(["plan"]).run();
    run.assert_code(1);
    assert_secret_absent(&run, TOKEN);
    assert!(
        run.stderr.lines().any(|l| l.ends_with(&format!(
            "campaignctl.yaml:4:17: error: account acme: token_file {} is not in a directory the environment allows; it was not read",
            file.display()
        ))),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("  hint: set CAMPAIGNCTL_TOKEN_DIRS=DIR"),
        "{}",
        run.stderr
    );
    assert_eq!(emu.stats()["requests"], 0, "nothing was sent");

    // A token file in the repository is refused as well, by default.
    ws.write("acme.token", format!("{TOKEN}\n"));
    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    ws.write(
        "campaignctl.yaml",
        config.replace(&file.display().to_string(), "acme.token"),
    );
    campaignctl(ws.path(), None)
        .args(["plan"])
        .run()
        .assert_code(1)
        .assert_stderr("token_file");
    assert_eq!(emu.stats()["requests"], 0, "nothing was sent");

    // With the directory allowed by the environment, the file is read.
    campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_TOKEN_DIRS", &ws.path().to_string_lossy())
        .args(["plan"])
        .run()
        .assert_code(0);
}

/// Two accounts whose URLs differ only in spelling (`127.0.0.1`, `localhost`) and whose
/// variables hold one token are one platform account: each would prune the other's campaigns,
/// under separate locks. Refused before anything is planned.
#[test]
fn two_accounts_with_one_token_are_one_account_whatever_their_urls_say() {
    let emu = Emulator::start();
    let seed = Workspace::new();
    seed.write("c/a.yaml", "kind: Campaign\nname: T-a\nassistant_id: 7\n");
    seed.write("c/b.yaml", "kind: Campaign\nname: T-b\nassistant_id: 7\n");
    campaignctl(seed.path(), Some(&emu))
        .args(["apply", "--auto-approve", "c"])
        .run()
        .assert_code(0);
    assert_eq!(emu.campaign_names(), ["T-a", "T-b"]);

    let ws = Workspace::new();
    git(&ws, &["init", "-q"]);
    let localhost = emu.url.replace("127.0.0.1", "localhost");
    ws.write(
        "campaignctl.yaml",
        format!(
            "accounts:\n  a:\n    api_url: {}\n    token_env: CAMPAIGNCTL_A_TOKEN\n    paths: [a]\n    prune_prefix: \"T-\"\n  b:\n    api_url: {localhost}\n    token_env: CAMPAIGNCTL_B_TOKEN\n    paths: [b]\n    prune_prefix: \"T-\"\n",
            emu.url
        ),
    );
    ws.write("a/a.yaml", "kind: Campaign\nname: T-a\nassistant_id: 7\n");
    ws.write("b/b.yaml", "kind: Campaign\nname: T-b\nassistant_id: 7\n");
    for only in [&[][..], &["--account", "a"][..]] {
        let run = campaignctl(ws.path(), None)
            .env("CAMPAIGNCTL_A_TOKEN", TOKEN)
            .env("CAMPAIGNCTL_B_TOKEN", TOKEN)
            .args(["apply", "--auto-approve", "--allow-delete"])
            .args(only)
            .run();
        run.assert_code(1);
        assert!(
            run.stderr.lines().any(|l| l.starts_with("error: accounts a and b of ")
                && l.ends_with("campaignctl.yaml reach the same platform account (the same token, whatever their API URLs say): each would see the other's campaigns as unmanaged; nothing was done")),
            "{only:?}: {}",
            run
        );
        assert_eq!(run.stdout, "", "{only:?}: nothing was planned");
    }
    assert_eq!(
        emu.campaign_names(),
        ["T-a", "T-b"],
        "neither account deleted the other's campaign"
    );
    assert_eq!(emu.stats()["campaigns_deleted"], 0);

    // A query or a fragment cannot make one account look like two either.
    let config = std::fs::read_to_string(ws.path().join("campaignctl.yaml")).expect("config");
    ws.write(
        "campaignctl.yaml",
        config.replace(&localhost, &format!("{}?x=1", emu.url)),
    );
    campaignctl(ws.path(), None)
        .args(["validate"])
        .run()
        .assert_code(1)
        .assert_only_stderr("error: account b: api_url has a query (`?...`) or fragment (`#...`); an API URL has neither");
}

/// Found by the adversarial review: plain http to loopback is allowed because it never leaves
/// the machine, but a proxy from the environment (`HTTP_PROXY` without a matching `NO_PROXY`,
/// common on corporate runners) carried the token in clear to the proxy.
#[test]
fn a_loopback_api_is_never_reached_through_a_proxy() {
    let proxy = CountingProxy::start();
    let ws = with_config("http://127.0.0.2:9/api", "token_env: CAMPAIGNCTL_API_TOKEN");
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_TOKEN", CI_TOKEN)
        .env("HTTP_PROXY", &proxy.url)
        .env("http_proxy", &proxy.url)
        .env("ALL_PROXY", &proxy.url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("CAMPAIGNCTL_API_HOSTS")
        .args(["plan", "--timeout", "2"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, CI_TOKEN);
    assert_eq!(
        proxy.connections(),
        0,
        "the token went to the proxy: {}",
        proxy
            .first_request
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default()
    );
}

/// Found by the adversarial review: a redirect from the API was followed to any host, which
/// the environment may not allow, with a 307 or 308 sending the request body along.
#[test]
fn a_redirect_to_another_origin_is_not_followed() {
    let elsewhere = CountingProxy::start();
    let api = TcpListener::bind("127.0.0.1:0").expect("bind");
    let api_url = format!("http://{}/api", api.local_addr().expect("addr"));
    // `localhost` is another origin than `127.0.0.1`, and the listener there counts visits.
    let location = elsewhere.url.replace("127.0.0.1", "localhost") + "/api/stolen";
    std::thread::spawn(move || {
        for stream in api.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut head = [0u8; 1024];
            let _ = stream.read(&mut head);
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    let ws = with_config(&api_url, "token_env: CAMPAIGNCTL_API_TOKEN");
    let run = campaignctl(ws.path(), None)
        .env("CAMPAIGNCTL_API_TOKEN", CI_TOKEN)
        .env_remove("CAMPAIGNCTL_API_HOSTS")
        .args(["plan", "--timeout", "2"])
        .run();
    run.assert_code(1);
    assert_secret_absent(&run, CI_TOKEN);
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
}
