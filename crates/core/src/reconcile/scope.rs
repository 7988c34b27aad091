//! What part of the account a plan speaks for. A plan of the whole account's manifests lists
//! the campaigns no manifest names (unmanaged); a plan of some files, or narrowed with
//! `--target`, says nothing about the rest of the account. `--target` narrows the inputs the
//! producer decides (`full_plan`): only the named campaigns are decided, so only their actions,
//! leads, status, operations and problems are planned, while every manifest still claims the
//! campaign it adopts or names (a targeted manifest never takes an untargeted one's campaign).
//!
//! The whole account is planned when no `--target` is given and every path given is a
//! directory (the default `campaigns/` included): a directory is taken as the manifest root.
//! Naming a file plans that file's campaigns only.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};

use crate::manifest::{Diagnostic, Manifest};

/// The `--target` patterns: campaign names, or glob patterns over them (`Q4 *`, `Fleet 0??`).
#[derive(Debug, Clone)]
pub struct Targets {
    patterns: Vec<String>,
    /// `None` where the pattern is no valid glob (`Q4 [EU`): it then matches its exact name.
    matchers: Vec<Option<GlobMatcher>>,
}

impl Targets {
    /// `None` when there are no patterns (everything is targeted).
    pub fn new(patterns: &[String]) -> Option<Targets> {
        if patterns.is_empty() {
            return None;
        }
        let matchers = patterns
            .iter()
            .map(|p| Glob::new(p).ok().map(|g| g.compile_matcher()))
            .collect();
        Some(Targets {
            patterns: patterns.to_vec(),
            matchers,
        })
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    fn pattern_matches(&self, i: usize, name: &str) -> bool {
        // A name is always its own pattern, even when it holds glob characters (`Q4 [EU]`).
        self.patterns[i] == name || self.matchers[i].as_ref().is_some_and(|m| m.is_match(name))
    }

    pub fn matches(&self, name: &str) -> bool {
        (0..self.patterns.len()).any(|i| self.pattern_matches(i, name))
    }

    /// Every pattern that matches no manifest's campaign, each with a message (and a
    /// did-you-mean when one name is clearly closest). Empty when all match.
    pub fn unmatched(&self, manifests: &[Manifest]) -> Vec<String> {
        self.unmatched_with(manifests, &[])
    }

    /// [`Targets::unmatched`], where a pattern may also name one of `assistants` (the
    /// assistants the manifests declare: `--target` narrows them as it narrows campaigns).
    pub fn unmatched_with(&self, manifests: &[Manifest], assistants: &[&str]) -> Vec<String> {
        let names: Vec<&str> = manifests
            .iter()
            .map(|m| m.spec.name.as_str())
            .chain(assistants.iter().copied())
            .collect();
        (0..self.patterns.len())
            .filter(|&i| !names.iter().any(|n| self.pattern_matches(i, n)))
            .map(|i| {
                let pattern = &self.patterns[i];
                let mut message =
                    format!("--target {pattern:?} matches no campaign of the manifests planned");
                if let Some(close) = closest_name(pattern, &names) {
                    message.push_str(&format!("; did you mean {close:?}?"));
                }
                message
            })
            .collect()
    }
}

/// The name closest to `pattern` (compared case-insensitively, spaces as underscores, as
/// field names are), if one clearly is: the did-you-mean of an unmatched `--target`, over one
/// account's names or (with a repository config) every account's.
pub fn closest_name<'a>(pattern: &str, names: &[&'a str]) -> Option<&'a str> {
    let folded: Vec<String> = names
        .iter()
        .map(|n| n.to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let close = crate::manifest::suggest_closest(pattern, folded.iter().map(String::as_str))?;
    let at = folded.iter().position(|f| f == close)?;
    Some(names[at])
}

/// What a plan covers.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `None`: every campaign of the manifests planned.
    pub targets: Option<Targets>,
    /// The manifests planned are the whole account's (see the module docs): only then are
    /// unmanaged campaigns listed.
    pub whole_account: bool,
    /// Why they are not, in a clause (`--target names some campaigns only`), for the message
    /// that refuses pruning; `None` when they are whole.
    pub why_partial: Option<String>,
}

impl Scope {
    /// The whole account (what `watch` and `demo` plan).
    pub fn whole_account() -> Scope {
        Scope {
            targets: None,
            whole_account: true,
            why_partial: None,
        }
    }

    /// The scope of planning `paths` with `targets` (module docs): the whole account only when
    /// every path is a directory and there are no targets. `is_dir` asks the file system
    /// (the caller's: the core reads no files).
    pub fn of(
        paths: &[PathBuf],
        targets: Option<Targets>,
        is_dir: impl Fn(&Path) -> bool,
    ) -> Scope {
        let why_partial = if targets.is_some() {
            Some("--target names some campaigns only".to_owned())
        } else {
            paths
                .iter()
                .find(|p| !is_dir(p))
                .map(|p| format!("{} is a single file, not a directory", p.display()))
        };
        Scope {
            targets,
            whole_account: why_partial.is_none(),
            why_partial,
        }
    }

    /// Marks the scope as part of the account, for `why` (a clause), unless it already is.
    pub fn narrowed(mut self, why: impl Into<String>) -> Scope {
        if self.whole_account {
            self.whole_account = false;
            self.why_partial = Some(why.into());
        }
        self
    }

    /// `--prune-prefix` deletes what no manifest declares, so it needs every manifest of the
    /// account: its config `paths`, the default directory or a directory given whole; not a
    /// subdirectory of them, a single file or `--target`.
    pub fn allows_prune(&self) -> Result<(), Diagnostic> {
        if self.whole_account {
            return Ok(());
        }
        let why = self
            .why_partial
            .as_deref()
            .unwrap_or("only part of the account is planned");
        Err(Diagnostic::error(
            None,
            format!("pruning deletes the campaigns under the prefix that no manifest declares, so it needs all of the account's manifests, and {why}; refusing to prune"),
        )
        .with_hint("run without paths (the default directory, or the config's paths for each account) and without --target, or name the account's whole manifest directory; to delete single campaigns, give their manifests status: deleted"))
    }

    /// Whether a managed campaign of this name is in scope.
    pub fn includes(&self, name: &str) -> bool {
        self.targets.as_ref().is_none_or(|t| t.matches(name))
    }

    /// The target patterns, empty when there are none.
    pub fn target_patterns(&self) -> &[String] {
        self.targets.as_ref().map_or(&[], |t| t.patterns())
    }
}
