//! The repository config, `campaignctl.yaml`: the accounts one repository manages, each with its
//! API URL, where its token comes from (never the token itself), the manifest paths that belong
//! to it and the defaults that fill what its manifests leave out. Found from the working
//! directory upwards, or named with `--config`. Read with the manifests' own YAML reader (the
//! same size, alias and depth limits), and every problem is reported at its line.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location};
use crate::manifest::yaml::{Entry, Node, Value};
use crate::manifest::{Defaults, Root, CONFIG_FILE_NAME};

mod schema;

pub use schema::config_schema;

/// One account of the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The key under `accounts:`: how `--account`, output headers and metric labels name it.
    pub name: String,
    /// Where the account is declared in the config.
    pub location: Location,
    pub api_url: String,
    /// Where `api_url` is written: a refused host is reported there.
    pub api_url_at: Location,
    pub token: TokenSource,
    /// Where `token_env` or `token_file` is written: a refused source is reported there.
    pub token_at: Location,
    /// The manifest paths of the account (absolute: the config's directory joined with what it
    /// says), each with its defaults.
    pub roots: Vec<Root>,
    /// `prune_prefix`: campaigns under it that no manifest declares are deleted (opt-in, with
    /// the same guards as `--prune-prefix`).
    pub prune_prefix: Option<String>,
}

/// Where an account's API token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// The name of an environment variable.
    Env(String),
    /// A file (relative paths from the config's directory).
    File(PathBuf),
}

/// The repository config.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoConfig {
    pub file: PathBuf,
    /// In name order.
    pub accounts: Vec<Account>,
}

impl RepoConfig {
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.accounts.iter().map(|a| a.name.as_str()).collect()
    }
}

/// The config that applies in `start`: `campaignctl.yaml` (or `.yml`) there or in the nearest
/// directory above it, but never above the repository: the search stops at the first
/// directory that holds `.git`, and without one it looks in `start` only. A config in some
/// parent directory (a shared /tmp, a home directory) must not take over a run silently.
pub fn find(start: &Path) -> Option<PathBuf> {
    let within_repository: Vec<&Path> =
        match start.ancestors().position(|d| d.join(".git").exists()) {
            Some(top) => start.ancestors().take(top + 1).collect(),
            None => vec![start],
        };
    within_repository.into_iter().find_map(|dir| {
        [CONFIG_FILE_NAME, "campaignctl.yml"]
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Reads and checks the config at `file`. Every problem found is returned, at its line. A
/// config that another user could have written is refused: it chooses where tokens are sent.
pub fn read(file: &Path) -> Result<RepoConfig, Vec<Diagnostic>> {
    trusted(file).map_err(|why| {
        vec![Diagnostic::error(Some(Location::new(file, 1, 1)), why).with_hint(
            "the config names the API each token is sent to: make it yours and writable by you only (chmod go-w)",
        )]
    })?;
    let bytes = crate::manifest::read_file(file).map_err(|d| vec![d])?;
    parse(file, &bytes)
}

/// Whether the config is safe to follow: owned by this user (or root), and not writable by
/// its group or others.
#[cfg(unix)]
fn trusted(file: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(file).map_err(|e| format!("cannot read the config: {e}"))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "the config is owned by another user (uid {}), so it is not trusted",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "the config is writable by its group or by others (mode {:o}), so it is not trusted",
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn trusted(_: &Path) -> Result<(), String> {
    Ok(())
}

/// Checks the config's contents; `file` names it in diagnostics and anchors relative paths.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<RepoConfig, Vec<Diagnostic>> {
    let mut c = Checker {
        file,
        dir: file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        out: Vec::new(),
    };
    let text = match crate::manifest::decode_text(bytes) {
        Ok(text) => text,
        Err(p) => {
            let d = Diagnostic::error(
                Some(Location::new(file, p.mark.line, p.mark.column)),
                p.message,
            );
            return Err(vec![match p.hint {
                Some(h) => d.with_hint(h),
                None => d,
            }]);
        }
    };
    let mut documents = Vec::new();
    let problems = crate::manifest::yaml_reader::read(text, |d| {
        documents.push(d);
        std::ops::ControlFlow::Continue(())
    });
    for p in problems {
        let d = Diagnostic::error(Some(c.at_mark(p.mark.line, p.mark.column)), p.message);
        c.out.push(match p.hint {
            Some(h) => d.with_hint(h),
            None => d,
        });
    }
    if documents.len() > 1 {
        let mark = documents[1].root.mark;
        c.error(
            mark.line,
            mark.column,
            "",
            "the config is one YAML document; this is a second one".into(),
            Some("remove the `---` and what follows, or merge it into the first document"),
        );
    }
    let accounts = match documents.first() {
        Some(d) if !d.root.is_null() => c.accounts_of(&d.root),
        _ => {
            c.error(
                1,
                1,
                "accounts",
                "the config declares no accounts".into(),
                Some(EXAMPLE),
            );
            Vec::new()
        }
    };
    c.no_shared_paths(&accounts);
    if c.out.iter().any(Diagnostic::is_error) {
        return Err(c.out);
    }
    Ok(RepoConfig {
        file: file.to_path_buf(),
        accounts: with_others(accounts),
    })
}

/// Each account's roots with the real paths of every other account's roots (`Root::others`):
/// a file found under this account that is really another's is refused when loading.
fn with_others(mut accounts: Vec<Account>) -> Vec<Account> {
    let reals: Vec<(String, Vec<PathBuf>)> = accounts
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.roots.iter().map(|r| real_path(&r.path)).collect(),
            )
        })
        .collect();
    for account in &mut accounts {
        let others: Arc<[PathBuf]> = reals
            .iter()
            .filter(|(name, _)| *name != account.name)
            .flat_map(|(_, paths)| paths.iter().cloned())
            .collect();
        for root in &mut account.roots {
            root.others = others.clone();
        }
    }
    accounts
}

/// The real path of `p` where it exists (symlinks resolved), else `p` made absolute.
pub fn real_path(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

const EXAMPLE: &str = "for example:\n  accounts:\n    acme:\n      api_url: https://app.autocalls.ai/api\n      token_env: CAMPAIGNCTL_ACME_TOKEN\n      paths: [accounts/acme]";

const TOP_KEYS: [&str; 1] = ["accounts"];
const ACCOUNT_KEYS: [&str; 6] = [
    "api_url",
    "token_env",
    "token_file",
    "paths",
    "defaults",
    "prune_prefix",
];
const PATH_KEYS: [&str; 2] = ["path", "defaults"];

struct Checker<'a> {
    file: &'a Path,
    dir: PathBuf,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at_mark(&self, line: usize, column: usize) -> Location {
        Location::new(self.file, line, column)
    }

    fn at(&self, node: &Node) -> Location {
        self.at_mark(node.mark.line, node.mark.column)
    }

    fn error(
        &mut self,
        line: usize,
        column: usize,
        field: &str,
        message: String,
        hint: Option<&str>,
    ) {
        let mut d = Diagnostic::error(Some(self.at_mark(line, column)), message);
        if !field.is_empty() {
            d = d.with_field(field);
        }
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.out.push(d);
    }

    fn error_at(&mut self, node: &Node, field: &str, message: String, hint: Option<&str>) {
        self.error(node.mark.line, node.mark.column, field, message, hint);
    }

    /// The entries of a mapping, with unknown keys reported (and a suggestion).
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        field: &str,
        keys: &[&str],
    ) -> Option<Vec<(&'n str, &'n Entry)>> {
        let Value::Mapping(entries) = &node.value else {
            self.error_at(
                node,
                field,
                format!(
                    "{} must be a mapping, got {}",
                    name_of(field),
                    node.describe()
                ),
                None,
            );
            return None;
        };
        let mut out = Vec::new();
        for e in entries {
            let Some(key) = e.key.scalar().map(|s| s.text.as_str()) else {
                self.error_at(
                    &e.key,
                    field,
                    format!("keys must be strings, got {}", e.key.describe()),
                    None,
                );
                continue;
            };
            if !keys.is_empty() && !keys.contains(&key) {
                let hint = match crate::manifest::suggest_closest(key, keys.iter().copied()) {
                    Some(meant) => format!("did you mean `{meant}`?"),
                    None => format!("allowed: {}", keys.join(", ")),
                };
                self.error_at(
                    &e.key,
                    &join(field, key),
                    format!("unknown key `{}`", crate::escape::bounded(key, 60)),
                    Some(&hint),
                );
                continue;
            }
            out.push((key, e));
        }
        Some(out)
    }

    /// A non-empty string scalar.
    fn string(&mut self, node: &Node, field: &str) -> Option<String> {
        match node.scalar() {
            Some(s) if s.kind == crate::manifest::ScalarKind::Str && !s.text.trim().is_empty() => {
                Some(s.text.clone())
            }
            _ => {
                self.error_at(
                    node,
                    field,
                    format!(
                        "{field} must be a non-empty string, got {}",
                        node.describe()
                    ),
                    None,
                );
                None
            }
        }
    }

    fn accounts_of(&mut self, root: &Node) -> Vec<Account> {
        let Some(top) = self.mapping(root, "", &TOP_KEYS) else {
            return Vec::new();
        };
        let Some((_, accounts)) = top.into_iter().find(|(k, _)| *k == "accounts") else {
            self.error_at(
                root,
                "accounts",
                "missing required key `accounts`".into(),
                Some(EXAMPLE),
            );
            return Vec::new();
        };
        let Some(entries) = self.mapping(&accounts.value, "accounts", &[]) else {
            return Vec::new();
        };
        if entries.is_empty() {
            self.error_at(
                &accounts.value,
                "accounts",
                "accounts is empty".into(),
                Some(EXAMPLE),
            );
        }
        let mut out: BTreeMap<String, Account> = BTreeMap::new();
        for (name, entry) in entries {
            if !valid_account_name(name) {
                self.error_at(
                    &entry.key,
                    "accounts",
                    format!("account name `{}` is not allowed", crate::escape::bounded(name, 60)),
                    Some("use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63 characters"),
                );
                continue;
            }
            if let Some(account) = self.account(name, entry) {
                out.insert(name.to_owned(), account);
            }
        }
        out.into_values().collect()
    }

    fn account(&mut self, name: &str, entry: &Entry) -> Option<Account> {
        let prefix = format!("accounts.{name}");
        let errors_before = self.errors();
        let fields = self.mapping(&entry.value, &prefix, &ACCOUNT_KEYS)?;
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, e)| &e.value)
        };
        let api_url = match get("api_url") {
            Some(node) => self.string(node, &join(&prefix, "api_url")),
            None => {
                self.error_at(&entry.key, &join(&prefix, "api_url"), format!("account {name} has no api_url"), Some("add api_url: https://app.autocalls.ai/api (or your platform's URL, ending in /api)"));
                None
            }
        };
        let api_url_at = get("api_url").map(|n| self.at(n));
        // A query or fragment is never part of a request URL: it could only make one account
        // look like two (`?x=1`, `#f`). Refused here so that `validate` says so too.
        if let (Some(url), Some(node)) = (&api_url, get("api_url")) {
            if url::Url::parse(url.trim())
                .is_ok_and(|u| u.query().is_some() || u.fragment().is_some())
            {
                self.error_at(node, &join(&prefix, "api_url"), format!("account {name}: api_url has a query (`?...`) or fragment (`#...`); an API URL has neither"), Some("write the API's base URL alone, such as https://app.autocalls.ai/api"));
            }
        }
        let token_at = get("token_env").or(get("token_file")).map(|n| self.at(n));
        let token = match (get("token_env"), get("token_file")) {
            (Some(env), None) => self.string(env, &join(&prefix, "token_env")).and_then(|v| {
                if valid_env_name(&v) {
                    Some(TokenSource::Env(v))
                } else {
                    self.error_at(env, &join(&prefix, "token_env"), format!("token_env must name an environment variable (letters, digits and '_', not starting with a digit), got {:?}", crate::escape::bounded(&v, 60)), Some("write the variable's name, such as CAMPAIGNCTL_ACME_TOKEN, never the token itself"));
                    None
                }
            }),
            (None, Some(file)) => self.string(file, &join(&prefix, "token_file")).map(|v| TokenSource::File(self.dir.join(v))),
            (Some(env), Some(_)) => {
                self.error_at(env, &prefix, format!("account {name} sets both token_env and token_file"), Some("keep one: the token comes from one place"));
                None
            }
            (None, None) => {
                self.error_at(&entry.key, &prefix, format!("account {name} does not say where its token comes from"), Some("add token_env: CAMPAIGNCTL_NAME (a variable named CAMPAIGNCTL_*, or one CAMPAIGNCTL_TOKEN_ENVS lists) or token_file: /run/secrets/file (in a directory CAMPAIGNCTL_TOKEN_DIRS lists)"));
                None
            }
        };
        let mut account_defaults_node = None;
        if let Some(node) = get("defaults") {
            account_defaults_node = Some(node.clone());
        }
        let prune_prefix = get("prune_prefix").and_then(|n| {
            let field = join(&prefix, "prune_prefix");
            let value = self.string(n, &field)?;
            // The same rule as --prune-prefix: `prod` would also prune `production-x`.
            match crate::reconcile::lifecycle::check_prune_prefix(&value) {
                Ok(()) => Some(value),
                Err(why) => {
                    self.error_at(
                        n,
                        &field,
                        format!("{field} {why}"),
                        Some("end the prefix in a separator, such as prune_prefix: \"prod-\""),
                    );
                    None
                }
            }
        });
        let roots = match get("paths") {
            Some(node) => self.roots(node, &prefix, account_defaults_node.as_ref()),
            None => {
                self.error_at(&entry.key, &join(&prefix, "paths"), format!("account {name} has no paths"), Some("add paths: [accounts/NAME], the directories of its manifests, relative to this file"));
                Vec::new()
            }
        };
        if self.errors() > errors_before {
            return None;
        }
        Some(Account {
            name: name.to_owned(),
            location: self.at(&entry.key),
            api_url: api_url?,
            api_url_at: api_url_at?,
            token: token?,
            token_at: token_at?,
            roots,
            prune_prefix,
        })
    }

    fn errors(&self) -> usize {
        self.out.iter().filter(|d| d.is_error()).count()
    }

    fn roots(&mut self, node: &Node, prefix: &str, account_defaults: Option<&Node>) -> Vec<Root> {
        let field = join(prefix, "paths");
        let Value::Sequence(items) = &node.value else {
            self.error_at(node, &field, format!("{field} must be a list, got {}", node.describe()), Some("paths: [accounts/acme] or paths: [{path: accounts/acme/us, defaults: {timezone: America/New_York}}]"));
            return Vec::new();
        };
        if items.is_empty() {
            self.error_at(node, &field, format!("{field} is empty"), None);
        }
        let mut roots = Vec::new();
        // Each path as written (without `.` components or a trailing `/`) and as a real path,
        // with the field that named it first.
        let mut named: Vec<(PathBuf, PathBuf, String)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_field = format!("{field}.{i}");
            let (path_node, path_defaults) = match &item.value {
                Value::Scalar(_) => (Some(item), None),
                Value::Mapping(_) => {
                    let Some(fields) = self.mapping(item, &item_field, &PATH_KEYS) else {
                        continue;
                    };
                    let path = fields
                        .iter()
                        .find(|(k, _)| *k == "path")
                        .map(|(_, e)| &e.value);
                    if path.is_none() {
                        self.error_at(
                            item,
                            &item_field,
                            format!("{item_field} has no path"),
                            Some("write {path: accounts/acme/us, defaults: {...}}"),
                        );
                    }
                    let defaults = fields
                        .iter()
                        .find(|(k, _)| *k == "defaults")
                        .map(|(_, e)| &e.value);
                    (path, defaults)
                }
                Value::Sequence(_) => {
                    self.error_at(
                        item,
                        &item_field,
                        format!("{item_field} must be a path or {{path, defaults}}, got a list"),
                        None,
                    );
                    continue;
                }
            };
            let Some(path_node) = path_node else { continue };
            let Some(text) = self.string(path_node, &item_field) else {
                continue;
            };
            let Some(path) = self.relative_path(path_node, &item_field, &text) else {
                continue;
            };
            if self.repeated(path_node, &item_field, &path, &mut named) {
                continue;
            }
            let layers: Vec<&Node> = path_defaults.into_iter().chain(account_defaults).collect();
            let defaults = if layers.is_empty() {
                None
            } else {
                let d = Defaults::check(self.file, &layers, &mut self.out);
                (!d.is_empty()).then(|| Arc::new(d))
            };
            roots.push(Root {
                path: self.dir.join(path),
                defaults,
                others: Arc::from(Vec::new()),
                // The config's paths stay inside the config's repository (its directory).
                within: Some(self.dir.clone()),
            });
        }
        roots
    }

    /// Whether `path` names a directory an earlier path of the account named already (as
    /// written, or as the same real directory); if so, an error at its line. A path listed
    /// twice is a mistake the account cannot mean: a line copied instead of edited (`acme/us`
    /// twice where `acme/eu` was meant) leaves a directory out, and the second path's defaults
    /// would be ignored. A path inside another is different: it has its own defaults.
    fn repeated(
        &mut self,
        node: &Node,
        field: &str,
        path: &Path,
        named: &mut Vec<(PathBuf, PathBuf, String)>,
    ) -> bool {
        let written: PathBuf = path
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect();
        let real = real_path(&self.dir.join(&written));
        if let Some((_, _, first)) = named.iter().find(|(w, r, _)| *w == written || *r == real) {
            let message = format!(
                "{field} names the directory {} again, as {first} does; each path is listed once",
                crate::escape::bounded(&written.to_string_lossy(), 80)
            );
            self.error_at(
                node,
                field,
                message,
                Some("remove the repeated line, or correct it to the directory you meant"),
            );
            return true;
        }
        named.push((written, real, field.to_owned()));
        false
    }

    /// A path inside the config's directory: relative, without `..`.
    fn relative_path(&mut self, node: &Node, field: &str, text: &str) -> Option<PathBuf> {
        let path = Path::new(text);
        let inside = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            self.error_at(
                node,
                field,
                format!(
                    "{field} must be a path inside the config's directory, got {:?}",
                    crate::escape::bounded(text, 80)
                ),
                Some("write it relative to campaignctl.yaml, without '..' or a leading '/'"),
            );
            return None;
        }
        Some(path.to_path_buf())
    }

    /// Two accounts must not share manifests: a campaign would be applied to both. Compared
    /// as written and as real paths (a symlinked directory is the directory). Two accounts with
    /// one token source are one platform account whatever their URLs say (a token belongs to
    /// one account; `localhost` and `127.0.0.1` are one host): each would prune the other's
    /// campaigns, and they are refused too. Two sources that hold the same token are caught
    /// when the tokens are read (`cli::accounts::select`, by the token's digest).
    fn no_shared_paths(&mut self, accounts: &[Account]) {
        let real = real_path;
        for (i, a) in accounts.iter().enumerate() {
            for b in &accounts[i + 1..] {
                let same_source = match (&a.token, &b.token) {
                    (TokenSource::File(x), TokenSource::File(y)) => real(x) == real(y),
                    (x, y) => x == y,
                };
                if same_source {
                    self.out.push(
                        Diagnostic::error(
                            Some(b.location.clone()),
                            format!(
                                "accounts {} and {} take their token from the same place, so they are one platform account whatever their API URLs say: each would see the other's campaigns as unmanaged (and prune them)",
                                a.name, b.name
                            ),
                        )
                        .with_hint("declare one account with both paths, or give each its own token"),
                    );
                }
                for ra in &a.roots {
                    for rb in &b.roots {
                        let (pa, pb) = (real(&ra.path), real(&rb.path));
                        if ra.path.starts_with(&rb.path)
                            || rb.path.starts_with(&ra.path)
                            || pa.starts_with(&pb)
                            || pb.starts_with(&pa)
                        {
                            self.out.push(
                                Diagnostic::error(
                                    Some(b.location.clone()),
                                    format!(
                                        "accounts {} and {} share manifests: {} and {} overlap, so their campaigns would be applied to both accounts",
                                        a.name,
                                        b.name,
                                        ra.path.display(),
                                        rb.path.display()
                                    ),
                                )
                                .with_hint("give each account its own directory"),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// An account's roots, narrowed to `paths` when any are given: a path inside a root is loaded
/// with that root's defaults; a root inside a path is loaded whole.
pub fn narrowed(roots: &[Root], paths: &[PathBuf]) -> Vec<Root> {
    if paths.is_empty() {
        return roots.to_vec();
    }
    let mut out = Vec::new();
    for path in paths {
        for root in roots {
            if same_or_inside(path, &root.path) {
                // Inside the root (as real paths), so it stays confined as the root is.
                out.push(Root {
                    path: path.clone(),
                    ..root.clone()
                });
            } else if same_or_inside(&root.path, path) {
                out.push(root.clone());
            }
        }
    }
    out
}

/// Whether `path` is `dir` or inside it, compared as real paths (so `./a/../b` and symlinked
/// spellings agree), falling back to the words when a path does not exist.
pub fn same_or_inside(path: &Path, dir: &Path) -> bool {
    real_path(path).starts_with(real_path(dir))
}

fn name_of(field: &str) -> &str {
    if field.is_empty() {
        "the config"
    } else {
        field
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn valid_account_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<RepoConfig, Vec<Diagnostic>> {
        parse(Path::new("/repo/campaignctl.yaml"), text.as_bytes())
    }

    fn errors(text: &str) -> Vec<String> {
        config(text)
            .expect_err("the config must be refused")
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    const TWO: &str = "accounts:\n  acme:\n    api_url: https://a.example/api\n    token_env: ACME_TOKEN\n    paths: [accounts/acme]\n    defaults:\n      timezone: America/New_York\n      max_retries: 3\n    prune_prefix: \"GitOps: \"\n  beta:\n    api_url: https://b.example/api\n    token_file: secrets/beta\n    paths:\n      - path: accounts/beta/us\n        defaults: {max_retries: 5}\n      - accounts/beta/eu\n";

    #[test]
    fn accounts_with_paths_tokens_and_defaults_are_read() {
        let c = config(TWO).expect("valid");
        assert_eq!(c.names(), ["acme", "beta"]);
        let acme = c.account("acme").expect("acme");
        assert_eq!(acme.token, TokenSource::Env("ACME_TOKEN".into()));
        assert_eq!(acme.prune_prefix.as_deref(), Some("GitOps: "));
        assert_eq!(acme.roots[0].path, Path::new("/repo/accounts/acme"));
        let d = acme.roots[0].defaults.as_ref().expect("defaults");
        assert_eq!(d.fields(), ["timezone", "max_retries"]);
        let beta = c.account("beta").expect("beta");
        assert_eq!(beta.token, TokenSource::File("/repo/secrets/beta".into()));
        assert_eq!(
            beta.roots[0].defaults.as_ref().map(|d| d.fields()),
            Some(vec!["max_retries"]),
            "a path's own defaults"
        );
        assert_eq!(beta.roots[1].defaults, None);
    }

    #[test]
    fn a_bad_default_is_reported_at_its_config_line_and_dropped() {
        let text = TWO.replace("max_retries: 3", "max_retries: 99");
        let e = errors(&text);
        assert!(
            e.iter()
                .any(|d| d.starts_with("/repo/campaignctl.yaml:8:20: error: max_retries")),
            "{e:#?}"
        );
    }

    #[test]
    fn identity_and_status_cannot_be_defaults() {
        for field in ["name: X", "id: 3", "status: running", "leads: {items: []}"] {
            let text = TWO.replace("max_retries: 3", field);
            let e = errors(&text);
            assert!(
                e.iter().any(|d| d.contains("cannot be a default")),
                "{field}: {e:#?}"
            );
        }
    }

    #[test]
    fn tokens_paths_and_names_are_checked_with_their_lines() {
        let e = errors(&TWO.replace("token_env: ACME_TOKEN", "token_env: tok_abc-123"));
        assert!(
            e.iter()
                .any(|d| d.contains(":4:")
                    && d.contains("token_env must name an environment variable")),
            "{e:#?}"
        );
        let e = errors(&TWO.replace("[accounts/acme]", "[../elsewhere]"));
        assert!(
            e.iter()
                .any(|d| d.contains("inside the config's directory")),
            "{e:#?}"
        );
        let e = errors(&TWO.replace("[accounts/acme]", "[accounts/acme, ./accounts/acme/]"));
        assert!(
            e.iter().any(|d| d.contains(":5:")
                && d.contains(
                    "accounts.acme.paths.1 names the directory accounts/acme again, as accounts.acme.paths.0 does"
                )),
            "{e:#?}"
        );
        let e = errors(&TWO.replace("[accounts/acme]", "[accounts]"));
        assert!(e.iter().any(|d| d.contains("share manifests")), "{e:#?}");
        let e = errors(&TWO.replace("api_url: https://a", "api_ur: https://a"));
        assert!(
            e.iter().any(|d| d.contains("unknown key `api_ur`")),
            "{e:#?}"
        );
        assert!(
            e.iter().any(|d| d.contains("did you mean `api_url`?")),
            "{e:#?}"
        );
        let e = errors("accounts: {}\n");
        assert!(e.iter().any(|d| d.contains("accounts is empty")), "{e:#?}");
        let e = errors(&TWO.replace("  beta:", "  \"be ta\":"));
        assert!(
            e.iter()
                .any(|d| d.contains("account name `be ta` is not allowed")),
            "{e:#?}"
        );
    }

    #[test]
    fn the_config_is_found_upwards_but_never_above_the_repository() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        let nested = repo.join("a/b");
        std::fs::create_dir_all(&nested).expect("mkdir");
        std::fs::create_dir_all(repo.join(".git")).expect("mkdir .git");
        // Above the repository: never taken.
        std::fs::write(dir.path().join(CONFIG_FILE_NAME), "accounts: {}\n").expect("write");
        assert_eq!(find(&nested), None);
        std::fs::write(repo.join("campaignctl.yml"), "accounts: {}\n").expect("write");
        assert_eq!(find(&nested), Some(repo.join("campaignctl.yml")));
        std::fs::write(repo.join(CONFIG_FILE_NAME), "accounts: {}\n").expect("write");
        assert_eq!(find(&nested), Some(repo.join(CONFIG_FILE_NAME)));
        // Without a repository, only the directory itself.
        let loose = dir.path().join("loose/deeper");
        std::fs::create_dir_all(&loose).expect("mkdir");
        assert_eq!(find(&loose), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_config_others_can_write_is_not_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(&file, TWO).expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let e = read(&file).expect_err("refused");
        assert!(
            e[0].message.contains("writable by its group or by others"),
            "{e:?}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(read(&file).is_ok());
    }

    #[test]
    fn two_accounts_with_one_token_are_one_account_and_refused_whatever_their_urls() {
        for beta_url in [
            "https://a.example/api",
            "https://A.EXAMPLE:443/api/",
            "https://other.example/api",
        ] {
            let text = TWO
                .replace("https://b.example/api", beta_url)
                .replace("token_file: secrets/beta", "token_env: ACME_TOKEN");
            let e = errors(&text);
            assert!(
                e.iter()
                    .any(|d| d.contains("take their token from the same place")),
                "{beta_url}: {e:#?}"
            );
        }
    }

    #[test]
    fn an_api_url_with_a_query_or_fragment_is_refused_at_its_line() {
        for url in ["https://a.example/api?x=1", "https://a.example/api#f"] {
            let e = errors(&TWO.replace("https://a.example/api", url));
            assert!(
                e.iter().any(|d| d.starts_with(
                    "/repo/campaignctl.yaml:3:14: error: account acme: api_url has a query"
                )),
                "{url}: {e:#?}"
            );
        }
    }
}
