//! Which accounts a command runs against. Without a repository config there is one, from
//! `--api-url` / `CAMPAIGNCTL_API_URL` and the token flags, and the paths given (default
//! `campaigns`). With `campaignctl.yaml` (found upwards from the working directory within its
//! repository, or `--config`), every account it declares, or those `--account` names, each with
//! its own API, token, manifest paths and defaults; paths given on the command line narrow
//! each account to the part of its paths they cover.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::api::{parse_base_url, ApiToken, Client};
use crate::config::{self, RepoConfig, TokenSource};
use crate::manifest::Root;

use super::args::{AccountArgs, ApiArgs};
use crate::diagnostic::Diagnostic;
use crate::shown_path::ShownFrom;

/// The manifests of one account and how to reach it.
#[derive(Debug)]
pub struct AccountRun {
    /// The account's name in the config; `None` without a config.
    pub name: Option<String>,
    pub client: Client,
    pub roots: Vec<Root>,
    /// The account's `prune_prefix` from the config.
    pub prune_prefix: Option<String>,
    /// The roots are all of the account's manifests (no path narrowed them): only then are
    /// unmanaged campaigns listed, and only then does the config's `prune_prefix` apply.
    pub whole: bool,
    /// The config the account comes from (a saved plan records it).
    pub config: Option<PathBuf>,
}

impl AccountRun {
    /// The manifest paths, for scopes and saved plans.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.roots.iter().map(|r| r.path.clone()).collect()
    }

    /// How output headers name the account: `acme (https://.../api/)`.
    pub fn title(&self) -> String {
        title(self.name.as_deref(), &self.client)
    }
}

/// How output headers name an account: `acme (https://.../api/)`, or the URL without a config.
pub fn title(name: Option<&str>, client: &Client) -> String {
    match name {
        Some(name) => format!("{name} ({})", client.base_url()),
        None => client.base_url().to_string(),
    }
}

/// An account that cannot be run (its token is missing, say): reported under its name, while
/// the other accounts still run.
#[derive(Debug)]
pub struct AccountError {
    pub name: String,
    pub error: Diagnostic,
}

/// One selected account's manifests, before any client is made (all `validate` needs).
#[derive(Debug, Clone)]
pub struct Selected {
    pub account: Option<config::Account>,
    pub roots: Vec<Root>,
    pub whole: bool,
}

/// The default manifest path without a config.
pub const DEFAULT_PATH: &str = "campaigns";

/// The repository config in effect: `--config FILE`, else `campaignctl.yaml` found upwards
/// from the working directory within its repository; `None` when there is none.
pub fn config_of(
    printer: &crate::cli::Printer,
    args: &AccountArgs,
) -> Result<Option<RepoConfig>, Diagnostic> {
    let (file, found) = match &args.config {
        Some(file) => (Some(file.clone()), false),
        None => {
            let cwd = std::env::current_dir().map_err(|e| {
                Diagnostic::error(None, format!("cannot read the working directory: {e}"))
            })?;
            (config::find(&cwd), true)
        }
    };
    open_config(printer, file, found, args)
}

/// The repository config that governs `dir` (found upwards from it within its repository, as
/// from the working directory), read with every check a found config gets; `None` when there
/// is none. For a saved plan applied from elsewhere: its directory's config is the one it
/// was made with.
pub fn config_of_directory(
    printer: &crate::cli::Printer,
    dir: &Path,
    args: &AccountArgs,
) -> Result<Option<RepoConfig>, Diagnostic> {
    open_config(printer, config::find(dir), true, args)
}

/// From now on, `printer` shows paths relative to the repository that holds `dir`: the
/// nearest directory at or above it with `.git`, else `dir` itself. Found by name, not by
/// following links, so that the prefix matches the paths as they were joined (reading and
/// confinement keep using real paths). See [`crate::shown_path`].
fn show_paths_from(printer: &crate::cli::Printer, dir: &Path) {
    let Ok(cwd) = std::env::current_dir() else {
        return;
    };
    let dir = cwd.join(dir);
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .unwrap_or(&dir);
    printer.show_paths_from(ShownFrom::repository(root.to_path_buf(), cwd));
}

/// Without a config, paths are shown relative to the repository holding the working
/// directory, else to the working directory.
pub fn show_paths_from_working_directory(printer: &crate::cli::Printer) {
    show_paths_from(printer, Path::new("."));
}

/// Reads the config `file` (`found` by searching, or named by `--config`), or says why not.
fn open_config(
    printer: &crate::cli::Printer,
    file: Option<PathBuf>,
    found: bool,
    args: &AccountArgs,
) -> Result<Option<RepoConfig>, Diagnostic> {
    let Some(file) = file else {
        if !args.accounts.is_empty() {
            return Err(Diagnostic::error(
                None,
                "--account selects accounts of the repository config, and there is none",
            )
            .with_hint(format!(
                "create {} at the repository's top (see `campaignctl schema --config`), or leave out --account",
                crate::manifest::CONFIG_FILE_NAME
            )));
        }
        return Ok(None);
    };
    let file = std::path::absolute(&file).map_err(|e| {
        Diagnostic::error(
            None,
            format!("cannot find the config {}: {e}", file.display()),
        )
    })?;
    show_paths_from(printer, file.parent().unwrap_or(&file));
    if found && !crate::manifest::inside_its_repository(&file) {
        // A `campaignctl.yaml` symlink to a secret file would otherwise be read, and quoted
        // back in its parse errors.
        return Err(Diagnostic::error(
            Some(crate::diagnostic::Location::new(&file, 1, 1)),
            "the repository config is a symbolic link that leads outside the repository; it was not read",
        )
        .with_hint("make campaignctl.yaml a regular file of the repository, or name a config with --config"));
    }
    if found {
        // Said every time: a config found by searching changes where tokens are sent.
        printer.notice(&format!("Using the repository config {}", file.display()));
    }
    config::read(&file).map(Some).map_err(|problems| {
        printer.problems(&problems);
        Diagnostic::error(
            None,
            format!(
                "the repository config {} is invalid ({} error(s)); nothing was done",
                file.display(),
                problems.iter().filter(|d| d.is_error()).count()
            ),
        )
    })
}

/// The roots of the manifests to load without a config: `paths` (or `campaigns`), no defaults.
pub fn roots_without_config(paths: &[PathBuf]) -> Vec<Root> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_PATH)]
    } else {
        paths.to_vec()
    };
    paths
        .into_iter()
        .map(|path| Root {
            within: within_for(&path),
            path,
            defaults: None,
            others: Arc::from(Vec::new()),
        })
        .collect()
}

/// What a path without a config may reach (`Root::within`). The default `campaigns`, and a
/// path named inside the repository the working directory is in (`campaigns/`, or the changed
/// files a CI step lists), name the repository's own files: the repository decides what they
/// are (a pull request can make `campaigns` a symlink to `~/.config/gh`), so they stay inside
/// it. A path elsewhere (`~/drafts/x.yaml`, `/git/current/campaigns`) is the person's own choice
/// and is followed wherever it leads.
fn within_for(path: &Path) -> Option<PathBuf> {
    let here = Path::new(".");
    let in_a_repository = crate::manifest::marked_repository(here).is_ok_and(|r| r.is_some());
    if path == Path::new(DEFAULT_PATH) && !path.is_absolute() {
        return Some(here.to_path_buf());
    }
    (in_a_repository && lexically_here(path)).then(|| here.to_path_buf())
}

/// Whether `path`, as written, names something under the working directory: relative without
/// a `..` that climbs out, or absolute below it.
fn lexically_here(path: &Path) -> bool {
    if path.is_absolute() {
        return std::env::current_dir().is_ok_and(|cwd| path.starts_with(cwd));
    }
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Without a config, why the directories given are not the whole account, if they are not (the
/// default directory always is): one lies inside a larger tree of manifests (`c/sub`, where `c/other.yaml` declares campaigns
/// too), so campaigns declared beside it would look undeclared. Looked for in each directory
/// above it, up to the repository's top (the directory holding `.git`) or, outside a
/// repository, the working directory, both excluded: those usually hold other YAML
/// (workflows, compose files), and `campaignctl apply .` there is taken whole.
pub fn part_of_larger_tree(paths: &[PathBuf]) -> Option<String> {
    // The default directory is the account's root by convention, whatever lies beside it.
    if paths == [PathBuf::from(DEFAULT_PATH)] {
        return None;
    }
    let cwd = config::real_path(Path::new("."));
    paths.iter().filter(|p| p.is_dir()).find_map(|path| {
        let real = config::real_path(path);
        let top = real
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map_or_else(|| cwd.clone(), Path::to_path_buf);
        // Named as the user wrote the path (`c`, not `/tmp/x/c`) where its components allow.
        let plain = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::RootDir));
        real.ancestors()
            .enumerate()
            .skip(1)
            .take_while(|(_, dir)| *dir != top && dir.starts_with(&top))
            .find_map(|(up, dir)| {
                let named = path
                    .ancestors()
                    .nth(up)
                    .filter(|p| plain && !p.as_os_str().is_empty())
                    .unwrap_or(dir);
                let found = crate::manifest::discover(&[named.to_path_buf()]);
                let other = found
                    .files
                    .into_iter()
                    .find(|f| !config::real_path(f).starts_with(&real))?;
                Some(format!(
                    "{} is part of a larger tree of manifests ({} holds {} too), so campaigns declared beside it would look undeclared",
                    path.display(),
                    named.display(),
                    other.display()
                ))
            })
    })
}

/// The repository config that governs `path`: found from the path itself (its directory, for
/// a file), as from a working directory.
fn config_governing(path: &Path) -> Option<PathBuf> {
    let real = config::real_path(path);
    let dir = if real.is_dir() {
        real.as_path()
    } else {
        real.parent()?
    };
    config::find(dir)
}

/// Refuses a path that a repository config governs when another one (or none) is in effect:
/// planning it without its account's API and defaults would be wrong.
pub fn refuse_foreign_paths(
    paths: &[PathBuf],
    in_effect: Option<&RepoConfig>,
) -> Result<(), Diagnostic> {
    let in_effect = in_effect.map(|c| config::real_path(&c.file));
    for path in paths {
        if let Some(governing) = config_governing(path) {
            if in_effect.as_deref() != Some(config::real_path(&governing).as_path()) {
                return Err(Diagnostic::error(
                    None,
                    format!(
                        "{} belongs to the repository config {}, which is not the one in effect here",
                        path.display(),
                        governing.display()
                    ),
                )
                .with_hint(format!(
                    "run from inside that repository, or give --config {}",
                    governing.display()
                )));
            }
        }
    }
    Ok(())
}

/// Without paths and without a config, the manifests are in `campaigns/` under the working
/// directory. When it is not there, say that this was the default and where it was looked
/// for (run inside `campaigns/` itself, or outside the repository), not a made-up position in
/// a file that does not exist.
fn default_path_exists() -> Result<(), Diagnostic> {
    match std::fs::symlink_metadata(DEFAULT_PATH) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let here = std::env::current_dir()
                .map_or_else(|_| ".".to_owned(), |d| d.display().to_string());
            Err(Diagnostic::error(
                None,
                format!(
                    "no manifests to read: no path was given, and the default directory {DEFAULT_PATH}/ is not in {here}"
                ),
            )
            .with_hint(format!(
                "give the manifest files or directories (for example `campaignctl validate path/to/{DEFAULT_PATH}`), or run from the directory that holds {DEFAULT_PATH}/"
            )))
        }
        _ => Ok(()),
    }
}

/// The manifests of each selected account, without clients. Refuses paths that belong to no
/// selected account, and paths that a repository config governs when another one (or none)
/// is in effect: planning them without their account's API and defaults would be wrong.
pub fn select_roots(
    printer: &crate::cli::Printer,
    args: &AccountArgs,
    paths: &[PathBuf],
) -> Result<(Option<RepoConfig>, Vec<Selected>), Diagnostic> {
    let config = config_of(printer, args)?;
    refuse_foreign_paths(paths, config.as_ref())?;
    let Some(config) = config else {
        show_paths_from_working_directory(printer);
        if paths.is_empty() {
            default_path_exists()?;
        }
        return Ok((
            None,
            vec![Selected {
                account: None,
                roots: roots_without_config(paths),
                whole: true,
            }],
        ));
    };
    let mut selected = Vec::new();
    for account in selected_accounts(&config, &args.accounts)? {
        let roots = config::narrowed(&account.roots, paths);
        if roots.is_empty() {
            continue;
        }
        if account.prune_prefix.is_some() && account.roots.iter().any(|r| !r.path.is_dir()) {
            return Err(Diagnostic::error(None, format!(
                "account {} prunes campaigns under its prune_prefix, which needs directories as its paths, and one of its paths is not a directory",
                account.name
            ))
            .with_hint("list the account's manifest directories in paths, or remove prune_prefix"));
        }
        selected.push(Selected {
            account: Some(account.clone()),
            roots,
            whole: paths.is_empty(),
        });
    }
    if let Some(stray) = paths.iter().find(|p| {
        !selected.iter().any(|s| {
            s.roots.iter().any(|root| {
                config::same_or_inside(p, &root.path) || config::same_or_inside(&root.path, p)
            })
        })
    }) {
        return Err(Diagnostic::error(
            None,
            format!(
                "{} belongs to no {}account of {}",
                stray.display(),
                if args.accounts.is_empty() {
                    ""
                } else {
                    "selected "
                },
                config.file.display()
            ),
        )
        .with_hint(format!(
            "the accounts' paths: {}",
            config
                .accounts
                .iter()
                .map(|a| format!(
                    "{}: {}",
                    a.name,
                    a.roots
                        .iter()
                        .map(|r| r.path.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    Ok((Some(config), selected))
}

/// The accounts to run against, each with its client, or the reason it cannot run. Two
/// selected accounts that would talk to one platform account with one token are refused.
pub fn select(
    printer: &crate::cli::Printer,
    args: &AccountArgs,
    paths: &[PathBuf],
    api: &ApiArgs,
) -> Result<Vec<Result<AccountRun, AccountError>>, Diagnostic> {
    let (config, selected) = select_roots(printer, args, paths)?;
    let Some(config) = config else {
        let Selected { roots, .. } = selected.into_iter().next().expect("one account");
        return Ok(vec![Ok(AccountRun {
            name: None,
            client: super::settings::client_from(api)?,
            roots,
            prune_prefix: None,
            whole: true,
            config: None,
        })]);
    };
    refuse_connection_flags(&config, api)?;
    let names: Vec<&str> = selected
        .iter()
        .filter_map(|s| s.account.as_ref().map(|a| a.name.as_str()))
        .collect();
    refuse_one_account_twice(&config, &names, api)?;
    let mut runs = Vec::new();
    for s in selected {
        let account = s.account.expect("an account of the config");
        let run = client_for(&account, api, printer.shown_from()).map(|client| AccountRun {
            name: Some(account.name.clone()),
            client,
            roots: s.roots,
            prune_prefix: account.prune_prefix.clone(),
            whole: s.whole,
            config: Some(config.file.clone()),
        });
        runs.push(run.map_err(|error| AccountError {
            name: account.name.clone(),
            error,
        }));
    }
    Ok(runs)
}

/// With a repository config, each account names its own API URL and token: the flags that
/// would name them are refused rather than silently ignored.
fn refuse_connection_flags(config: &RepoConfig, api: &ApiArgs) -> Result<(), Diagnostic> {
    if api.api_url.is_some() || api.token_file.is_some() {
        return Err(Diagnostic::error(None, format!(
            "{} declares each account's API URL and token; --api-url, CAMPAIGNCTL_API_URL and --token-file do not apply with it",
            config.file.display()
        ))
        .with_hint("select accounts with --account NAME; to ignore the config, run outside its repository or give --config with another file"));
    }
    Ok(())
}

/// An account a command that reads no manifests talks to: its name in the config (`None`
/// without one), and its client or why it has none.
pub struct AccountClient {
    pub name: Option<String>,
    pub client: Result<Client, Diagnostic>,
}

/// The accounts a command that reads no manifests talks to (`get`): the repository config's,
/// narrowed by `--account`; without a config, the one the flags name.
pub fn select_clients(
    printer: &crate::cli::Printer,
    args: &AccountArgs,
    api: &ApiArgs,
) -> Result<Vec<AccountClient>, Diagnostic> {
    let Some(config) = config_of(printer, args)? else {
        return Ok(vec![AccountClient {
            name: None,
            client: Ok(super::settings::client_from(api)?),
        }]);
    };
    refuse_connection_flags(&config, api)?;
    Ok(selected_accounts(&config, &args.accounts)?
        .into_iter()
        .map(|account| AccountClient {
            name: Some(account.name.clone()),
            client: client_for(account, api, printer.shown_from()),
        })
        .collect())
}

/// Refuses the whole run when a selected account has the token of another account of the
/// config (selected or not): they are one platform account whatever their URLs say, and each
/// would prune the other's campaigns. Refusing only the second would leave the first to do
/// exactly that, and so would `--account` naming one of them. An account whose token cannot
/// be had is left out here; it is reported when it runs.
pub(crate) fn refuse_one_account_twice(
    config: &RepoConfig,
    selected: &[&str],
    api: &ApiArgs,
) -> Result<(), Diagnostic> {
    let identities: Vec<(&str, String)> = config
        .accounts
        .iter()
        .filter_map(|a| {
            // Only the identity is used here, never a message: paths shown as they are.
            client_for(a, api, &ShownFrom::as_is())
                .ok()
                .map(|c| (a.name.as_str(), c.account_identity()))
        })
        .collect();
    let is_selected = |name: &str| selected.contains(&name);
    for (i, (a, identity)) in identities.iter().enumerate() {
        for (b, other) in &identities[i + 1..] {
            if identity == other && (is_selected(a) || is_selected(b)) {
                return Err(Diagnostic::error(None, format!(
                    "accounts {a} and {b} of {} reach the same platform account (the same token, whatever their API URLs say): each would see the other's campaigns as unmanaged; nothing was done",
                    config.file.display()
                ))
                .with_hint("declare one account with both paths, or give each its own token"));
            }
        }
    }
    Ok(())
}

/// The accounts `--account` names (all of them without it), in name order.
pub fn selected_accounts<'c>(
    config: &'c RepoConfig,
    names: &[String],
) -> Result<Vec<&'c config::Account>, Diagnostic> {
    for name in names {
        if config.account(name).is_none() {
            let hint = match crate::manifest::suggest_closest(name, config.names()) {
                Some(meant) => format!(
                    "did you mean `{meant}`? accounts: {}",
                    config.names().join(", ")
                ),
                None => format!("accounts: {}", config.names().join(", ")),
            };
            return Err(Diagnostic::error(
                None,
                format!("no account {name:?} in {}", config.file.display()),
            )
            .with_hint(hint));
        }
    }
    Ok(config
        .accounts
        .iter()
        .filter(|a| names.is_empty() || names.contains(&a.name))
        .collect())
}

/// The client of one account: its URL (a host the environment allows, `trust::Trust`), and its
/// token from a variable or file the environment allows and the config names (never the token
/// itself). Every refusal comes before anything is read or sent, at the config's line.
pub(crate) fn client_for(
    account: &config::Account,
    api: &ApiArgs,
    shown_from: &ShownFrom,
) -> Result<Client, Diagnostic> {
    let trust = crate::trust::Trust::from_env();
    let base_url = parse_base_url(&account.api_url).map_err(|e| {
        let d = Diagnostic::from(e);
        prefix_error(
            &account.name,
            Diagnostic {
                location: Some(account.api_url_at.clone()),
                ..d
            },
        )
    })?;
    if !trust.allows_host(&base_url) {
        let host = base_url.host_str().unwrap_or_default();
        return Err(Diagnostic::error(
            Some(account.api_url_at.clone()),
            format!(
                "account {}: the API host {:?} is not one the environment allows a repository config to send a token to; nothing was read or sent",
                account.name,
                crate::escape::bounded(host, 80)
            ),
        )
        .with_hint(format!(
            "allowed: {}. If this host is yours, set {}={host} where campaignctl runs (CI settings, not the repository)",
            trust.hosts_allowed(),
            crate::trust::API_HOSTS_ENV
        )));
    }
    let token = match &account.token {
        TokenSource::File(path) => {
            let Some(real) = trust.token_file(path) else {
                return Err(Diagnostic::error(
                    Some(account.token_at.clone()),
                    format!(
                        "account {}: token_file {} is not in a directory the environment allows; it was not read",
                        account.name,
                        path.display()
                    ),
                )
                .with_hint(format!(
                    "set {}=DIR (directories separated by ':') where campaignctl runs, naming the directory that holds the token file; none is allowed by default",
                    crate::trust::TOKEN_DIRS_ENV
                )));
            };
            super::settings::read_token_file(&real).map_err(|e| prefix_error(&account.name, e))?
        }
        TokenSource::Env(var) if !trust.allows_token_env(var) => {
            return Err(Diagnostic::error(
                Some(account.token_at.clone()),
                format!(
                    "account {}: token_env {var} is not a variable the environment allows a repository config to read; it was not read",
                    account.name
                ),
            )
            .with_hint(format!(
                "name a variable starting with {}, or set {}={var} where campaignctl runs (CI settings, not the repository)",
                crate::trust::TOKEN_ENV_PREFIX,
                crate::trust::TOKEN_ENVS_ENV
            )))
        }
        TokenSource::Env(var) => match std::env::var(var) {
            Ok(raw) => ApiToken::parse(&raw).map_err(|problem| {
                Diagnostic::error(None, format!("account {}: {var} {problem}", account.name))
            })?,
            Err(_) => {
                return Err(Diagnostic::error(
                    None,
                    format!(
                        "account {}: no API token: the environment variable {var} is not set",
                        account.name
                    ),
                )
                .with_hint(format!(
                    "set {var}, as {} says for account {}, or leave the account out with --account",
                    crate::manifest::CONFIG_FILE_NAME,
                    account.name
                )))
            }
        },
    };
    let name = &account.name;
    let declared = account.location.shown(shown_from).to_string();
    let origin = crate::api::error::SettingsOrigin {
        url: format!("the api_url of account {name} ({declared})"),
        token: match &account.token {
            TokenSource::Env(var) => format!("{var} (the token_env of account {name}, {declared})"),
            TokenSource::File(path) => format!(
                "the token file {} (the token_file of account {name}, {declared})",
                path.display()
            ),
        },
    };
    super::settings::client_with_api_args(base_url, token, api)
        .map(|client| client.with_origin(origin))
        .map_err(|e| prefix_error(name, e))
}

fn prefix_error(account: &str, e: Diagnostic) -> Diagnostic {
    Diagnostic {
        message: format!("account {account}: {}", e.message),
        ..e
    }
}
