//! Which accounts a command runs against. Without a repository config there is one, from
//! `--api-url` / `CAMPAIGNCTL_API_URL` and the token flags, and the paths given (default
//! `campaigns`). With `campaignctl.yaml` (found upwards from the working directory, or
//! `--config`), every account it declares, or those `--account` names, each with its own API,
//! token, manifest paths and defaults; paths given on the command line narrow each account to
//! the part of its paths they cover.

use std::path::{Path, PathBuf};

use crate::api::{parse_base_url, ApiToken, Client};
use crate::config::{self, RepoConfig, TokenSource};
use crate::manifest::Root;

use super::args::{AccountArgs, ApiArgs};
use super::user_error::UserError;

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
        match &self.name {
            Some(name) => format!("{name} ({})", self.client.base_url()),
            None => self.client.base_url().to_string(),
        }
    }
}

/// The default manifest path without a config.
pub const DEFAULT_PATH: &str = "campaigns";

/// The repository config in effect: `--config FILE`, else `campaignctl.yaml` found upwards
/// from the working directory; `None` when there is none.
pub fn config_of(args: &AccountArgs) -> Result<Option<RepoConfig>, UserError> {
    let file = match &args.config {
        Some(file) => Some(file.clone()),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| UserError::new(format!("cannot read the working directory: {e}")))?;
            config::find(&cwd)
        }
    };
    let file =
        match file {
            Some(f) => Some(std::path::absolute(&f).map_err(|e| {
                UserError::new(format!("cannot find the config {}: {e}", f.display()))
            })?),
            None => None,
        };
    let Some(file) = file else {
        if !args.accounts.is_empty() {
            return Err(UserError::new(
                "--account selects accounts of the repository config, and there is none",
            )
            .hint(format!(
                "create {} at the repository's top (see `campaignctl schema --config`), or leave out --account",
                crate::manifest::CONFIG_FILE_NAME
            )));
        }
        return Ok(None);
    };
    config::read(&file).map(Some).map_err(|problems| {
        crate::cli::report::problems(&problems);
        UserError::new(format!(
            "the repository config {} is invalid ({} error(s)); nothing was done",
            file.display(),
            problems.iter().filter(|d| d.is_error()).count()
        ))
    })
}

/// The roots of the manifests to load: without a config, `paths` (or `campaigns`) with no
/// defaults; with one, the selected accounts' paths narrowed to `paths`.
pub fn roots_without_config(paths: &[PathBuf]) -> Vec<Root> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_PATH)]
    } else {
        paths.to_vec()
    };
    paths
        .into_iter()
        .map(|path| Root {
            path,
            defaults: None,
        })
        .collect()
}

/// The accounts to run against, each with its client. Refuses API flags that a config makes
/// ambiguous, unknown `--account` names, and paths that belong to no selected account.
pub fn select(
    args: &AccountArgs,
    paths: &[PathBuf],
    api: &ApiArgs,
) -> Result<Vec<AccountRun>, UserError> {
    let Some(config) = config_of(args)? else {
        return Ok(vec![AccountRun {
            name: None,
            client: super::settings::client_from(api)?,
            roots: roots_without_config(paths),
            prune_prefix: None,
            whole: true,
            config: None,
        }]);
    };
    if api.api_url.is_some() || api.token_file.is_some() {
        return Err(UserError::new(format!(
            "{} declares each account's API URL and token; --api-url, CAMPAIGNCTL_API_URL and --token-file do not apply with it",
            config.file.display()
        ))
        .hint("select accounts with --account NAME; to ignore the config, run outside its repository or give --config with another file"));
    }
    let selected = selected_accounts(&config, &args.accounts)?;
    let mut runs = Vec::new();
    for account in selected {
        let roots = narrowed(&account.roots, paths)?;
        if roots.is_empty() {
            continue;
        }
        let client = client_for(account, api)?;
        runs.push(AccountRun {
            name: Some(account.name.clone()),
            client,
            roots,
            prune_prefix: account.prune_prefix.clone(),
            whole: paths.is_empty(),
            config: Some(config.file.clone()),
        });
    }
    let covered: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| {
            runs.iter().any(|r| {
                r.roots
                    .iter()
                    .any(|root| same_or_inside(p, &root.path) || same_or_inside(&root.path, p))
            })
        })
        .collect();
    if let Some(stray) = paths.iter().find(|p| !covered.contains(p)) {
        return Err(UserError::new(format!(
            "{} belongs to no {}account of {}",
            stray.display(),
            if args.accounts.is_empty() {
                ""
            } else {
                "selected "
            },
            config.file.display()
        ))
        .hint(format!(
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
    Ok(runs)
}

/// The accounts `--account` names (all of them without it), in config order.
pub fn selected_accounts<'c>(
    config: &'c RepoConfig,
    names: &[String],
) -> Result<Vec<&'c config::Account>, UserError> {
    for name in names {
        if config.account(name).is_none() {
            let hint = match crate::manifest::suggest_closest(name, config.names()) {
                Some(meant) => format!(
                    "did you mean `{meant}`? accounts: {}",
                    config.names().join(", ")
                ),
                None => format!("accounts: {}", config.names().join(", ")),
            };
            return Err(UserError::new(format!(
                "no account {name:?} in {}",
                config.file.display()
            ))
            .hint(hint));
        }
    }
    Ok(config
        .accounts
        .iter()
        .filter(|a| names.is_empty() || names.contains(&a.name))
        .collect())
}

/// An account's roots, narrowed to `paths` when any are given: a path inside a root is loaded
/// with that root's defaults; a root inside a path is loaded whole.
pub fn narrowed(roots: &[Root], paths: &[PathBuf]) -> Result<Vec<Root>, UserError> {
    if paths.is_empty() {
        return Ok(roots.to_vec());
    }
    let mut out = Vec::new();
    for path in paths {
        for root in roots {
            if same_or_inside(path, &root.path) {
                out.push(Root {
                    path: path.clone(),
                    defaults: root.defaults.clone(),
                });
            } else if same_or_inside(&root.path, path) {
                out.push(root.clone());
            }
        }
    }
    Ok(out)
}

/// Whether `path` is `dir` or inside it, compared as real paths (so `./a/../b` and symlinked
/// spellings agree), falling back to the words when a path does not exist.
fn same_or_inside(path: &Path, dir: &Path) -> bool {
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    real(path).starts_with(real(dir))
}

/// The client of one account: its URL, and its token from the variable or file the config
/// names (never the token itself).
pub(crate) fn client_for(account: &config::Account, api: &ApiArgs) -> Result<Client, UserError> {
    let base_url = parse_base_url(&account.api_url)
        .map_err(|e| UserError::new(format!("account {}: {e}", account.name)).hint(e.hint()))?;
    let token = match &account.token {
        TokenSource::File(path) => {
            super::settings::read_token_file(path).map_err(|e| prefix_error(&account.name, e))?
        }
        TokenSource::Env(var) => match std::env::var(var) {
            Ok(raw) => ApiToken::parse(&raw).map_err(|problem| {
                UserError::new(format!("account {}: {var} {problem}", account.name))
            })?,
            Err(_) => {
                return Err(UserError::new(format!(
                    "account {}: no API token: the environment variable {var} is not set",
                    account.name
                ))
                .hint(format!(
                    "set {var}, as {} says for account {}, or leave the account out with --account",
                    crate::manifest::CONFIG_FILE_NAME,
                    account.name
                )))
            }
        },
    };
    super::settings::client_with_api_args(base_url, token, api)
        .map_err(|e| prefix_error(&account.name, e))
}

fn prefix_error(account: &str, e: UserError) -> UserError {
    UserError {
        message: format!("account {account}: {}", e.message),
        hint: e.hint,
    }
}
