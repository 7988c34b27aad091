//! What the environment lets a repository file make campaignctl do with a token: the hosts it
//! may be sent to, the variables it may be read from, the directories a token file may be in.
//! The repository config is written by whoever can open a pull request; the environment (CI
//! settings, the daemon's unit) by whoever runs campaignctl. So the defaults are closed (the
//! platform's own host and loopback; variables named `CAMPAIGNCTL_*`; no token file) and only
//! the environment widens them, as Atlantis keeps server-side settings out of a repository's
//! reach. URLs and token files given on the command line or by `CAMPAIGNCTL_API_URL` are the
//! environment's own and are not checked here.

use std::path::{Path, PathBuf};

use url::Url;

/// Lists (comma-separated) the hosts a repository config may send tokens to, instead of the
/// platform's own host and loopback (list `localhost` or `127.0.0.1` to keep loopback).
pub const API_HOSTS_ENV: &str = "CAMPAIGNCTL_API_HOSTS";

/// Lists (comma-separated) variables besides `CAMPAIGNCTL_*` that a config's `token_env` may
/// name.
pub const TOKEN_ENVS_ENV: &str = "CAMPAIGNCTL_TOKEN_ENVS";

/// Lists (as `PATH` does, `:`-separated) the directories a config's `token_file` may be in.
pub const TOKEN_DIRS_ENV: &str = "CAMPAIGNCTL_TOKEN_DIRS";

/// The prefix of the variables a config's `token_env` may name without being listed.
pub const TOKEN_ENV_PREFIX: &str = "CAMPAIGNCTL_";

/// The platform's own public API (docs/platform-api.md), the default `--api-url`.
pub const PLATFORM_API_URL: &str = "https://app.autocalls.ai/api";

/// The platform's own public API host, allowed by default (from [`PLATFORM_API_URL`]).
pub fn platform_host() -> String {
    Url::parse(PLATFORM_API_URL)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What the environment allows, read once per run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// `CAMPAIGNCTL_API_HOSTS`, lowercased; `None` when unset or empty (the platform's host
    /// and loopback).
    pub hosts: Option<Vec<String>>,
    /// `CAMPAIGNCTL_TOKEN_ENVS`.
    pub token_envs: Vec<String>,
    /// `CAMPAIGNCTL_TOKEN_DIRS`, as given.
    pub token_dirs: Vec<PathBuf>,
}

impl Trust {
    /// From the environment variables above.
    pub fn from_env() -> Trust {
        let list = |name: &str| -> Vec<String> {
            std::env::var(name)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let hosts: Vec<String> = list(API_HOSTS_ENV)
            .into_iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        Trust {
            hosts: (!hosts.is_empty()).then_some(hosts),
            token_envs: list(TOKEN_ENVS_ENV),
            token_dirs: std::env::var_os(TOKEN_DIRS_ENV)
                .map(|v| {
                    std::env::split_paths(&v)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The hosts a config may name, for messages.
    pub fn hosts_allowed(&self) -> String {
        match &self.hosts {
            Some(hosts) => hosts.join(", "),
            None => format!("{} and loopback", platform_host()),
        }
    }

    /// Whether a token may be sent to `url`'s host: the platform's host or loopback, or exactly
    /// those `CAMPAIGNCTL_API_HOSTS` lists instead (whoever sets it decides, loopback included).
    /// Compared as the URL parser writes the host (lowercase, punycode, IPv6 in brackets):
    /// `APP.autocalls.ai` is the platform, `app.autocalls.ai.` is not.
    pub fn allows_host(&self, url: &Url) -> bool {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        match &self.hosts {
            Some(hosts) => hosts.contains(&host),
            None => is_loopback(url) || host == platform_host(),
        }
    }

    /// Whether a config's `token_env` may name `var`.
    pub fn allows_token_env(&self, var: &str) -> bool {
        var.starts_with(TOKEN_ENV_PREFIX) || self.token_envs.iter().any(|v| v == var)
    }

    /// The path to read a config's `token_file` at: its real path (symlinks resolved, so that
    /// what is read is what was checked), when it is inside an allowed directory; else `None`
    /// (a link in an allowed directory to `/etc/shadow` is outside). Only metadata is read to
    /// find out; a path that does not resolve is judged by its words, so a refusal says
    /// nothing about whether a file exists.
    pub fn token_file(&self, path: &Path) -> Option<PathBuf> {
        // A path that does not resolve is judged by its words with `..` taken lexically, so
        // that `ALLOWED/../../etc/missing` is refused as `/etc/passwd` is: the answer must not
        // tell whether a file outside exists.
        let real = std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path).map(|p| lexically_normal(&p)))
            .unwrap_or_else(|_| path.to_path_buf());
        self.token_dirs
            .iter()
            .any(|dir| {
                std::fs::canonicalize(dir).is_ok_and(|dir| real.starts_with(&dir) && real != dir)
            })
            .then_some(real)
    }
}

/// `path` with `.` dropped and each `..` removing the component before it, without reading
/// the file system.
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// localhost, 127.0.0.0/8 or ::1: this machine.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn by_default_only_the_platform_and_loopback_are_allowed() {
        let t = Trust::default();
        assert_eq!(platform_host(), "app.autocalls.ai");
        for ok in [
            "https://app.autocalls.ai/api",
            "https://APP.AUTOCALLS.AI:443/api",
            "http://127.0.0.1:8080/api",
            "http://127.0.0.2/api",
            "http://localhost/api",
            "http://[::1]:9/api",
        ] {
            assert!(t.allows_host(&url(ok)), "{ok}");
        }
        for refused in [
            "https://attacker.example/api",
            "https://app.autocalls.ai.attacker.example/api",
            "https://autocalls.ai/api",
            "https://10.0.0.1/api",
        ] {
            assert!(!t.allows_host(&url(refused)), "{refused}");
        }
    }

    #[test]
    fn the_environment_lists_other_hosts_instead_of_the_platform() {
        let t = Trust {
            hosts: Some(vec!["portal.reseller.example".into()]),
            ..Trust::default()
        };
        assert!(t.allows_host(&url("https://Portal.Reseller.example/api")));
        assert!(!t.allows_host(&url("http://127.0.0.1:1/api")), "not listed");
        assert!(!t.allows_host(&url("https://app.autocalls.ai/api")));
        let t = Trust {
            hosts: Some(vec!["127.0.0.1".into(), "[::1]".into()]),
            ..Trust::default()
        };
        assert!(t.allows_host(&url("http://127.0.0.1:1/api")));
        assert!(t.allows_host(&url("http://[::1]:1/api")));
        assert!(!t.allows_host(&url("http://localhost:1/api")));
    }

    #[test]
    fn token_variables_need_the_prefix_or_a_listing() {
        let t = Trust {
            token_envs: vec!["ACME_TOKEN".into()],
            ..Trust::default()
        };
        assert!(t.allows_token_env("CAMPAIGNCTL_API_TOKEN"));
        assert!(t.allows_token_env("CAMPAIGNCTL_ACME"));
        assert!(t.allows_token_env("ACME_TOKEN"));
        assert!(!t.allows_token_env("AWS_SECRET_ACCESS_KEY"));
        assert!(!t.allows_token_env("ACME_TOKEN_2"));
        assert!(!t.allows_token_env("campaignctl_x"));
    }

    #[cfg(unix)]
    #[test]
    fn token_files_only_under_allowed_directories_links_resolved() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secrets = dir.path().join("secrets");
        std::fs::create_dir(&secrets).expect("mkdir");
        std::fs::write(secrets.join("acme"), "t\n").expect("write");
        std::fs::write(dir.path().join("other"), "t\n").expect("write");
        std::os::unix::fs::symlink(dir.path().join("other"), secrets.join("link"))
            .expect("symlink");
        let none = Trust::default();
        assert!(
            none.token_file(&secrets.join("acme")).is_none(),
            "none by default"
        );
        let t = Trust {
            token_dirs: vec![secrets.clone()],
            ..Trust::default()
        };
        assert!(t.token_file(&secrets.join("acme")).is_some());
        assert!(t.token_file(&secrets.join("link")).is_none(), "a link out");
        assert!(t.token_file(&secrets.join("../other")).is_none());
        assert!(t.token_file(Path::new("/etc/passwd")).is_none());
        assert!(t.token_file(&secrets).is_none(), "the directory itself");
        // Found by the adversarial review: a path that does not resolve was judged with its
        // `..` kept, so the refusal told whether a file outside exists.
        assert!(
            t.token_file(&secrets.join("../../../../etc/no-such-file"))
                .is_none(),
            "a missing file outside is refused as an existing one is"
        );
        assert!(
            t.token_file(&secrets.join("missing")).is_some(),
            "a missing file inside is allowed (its read then fails)"
        );
    }
}
