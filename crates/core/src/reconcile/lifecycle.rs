//! Lifecycle: edits, renames and removals in git become plans. The rules, as pure functions the
//! campaign's disposition (`disposition`) is decided with:
//!
//! - a drifted **draft** is replaced (delete, then create from the manifest, then its leads and
//!   start), but only when every lead it holds is declared in its manifest; a campaign that
//!   **may have run** (any status but draft, unknown and missing ones included) is never
//!   replaced, and its drift says what to do instead;
//! - `renamed_from` matches the campaign under its old name, so a rename is a replace of a
//!   draft, or drift that explains why the platform cannot rename one that has run;
//! - `--prune-prefix` deletes unmanaged campaigns under a prefix (never with no manifests;
//!   which of them may go is `deletion`'s decision);
//! - a plan never deletes more than `--max-deletes` campaigns at once (`deletion::guard_deletes`).

use std::collections::HashSet;
use std::sync::Arc;

use crate::manifest::Diagnostic;

use super::baseline::Baseline;
use super::observed::ObservedLead;

/// The default of `--max-deletes`.
pub const DEFAULT_MAX_DELETES: usize = 10;

/// The lifecycle options of a run (`plan`, `apply`, `watch` alike, and recorded in a saved plan).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LifecycleOptions {
    /// Delete every campaign no manifest declares whose name starts with this.
    #[serde(default)]
    pub prune_prefix: Option<String>,
    /// `--prune-history`: pruning also deletes campaigns that have run or hold leads
    /// (`deletion`); without it, absence deletes only drafts without leads.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prune_history: bool,
    /// Refuse a plan that deletes more campaigns than this (replacements included).
    pub max_deletes: usize,
    /// `--base REF`, and the commit it named when `baseline` was read: a saved plan records
    /// both, so `apply PLANFILE` compares with the same commit, even if REF moved since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseRevision>,
    /// The write-once values to compare with (`baseline`): read at `base`, or remembered by
    /// `watch` from its last apply. Never serialised: read again from `base`.
    #[serde(skip)]
    pub baseline: Option<Arc<Baseline>>,
    /// Without `--base`: the commits `baseline` was read at (or why there were none), so a
    /// saved plan compares with the same commits.
    #[serde(
        default,
        skip_serializing_if = "super::baseline::BaselineFrom::is_empty"
    )]
    pub baseline_from: super::baseline::BaselineFrom,
    /// `--self-heal-calls`: start a campaign git says is running whatever stopped it (a
    /// person's stop included). Off by default: a person's stop wins (`applied::may_start`).
    /// Recorded in a saved plan, so `apply PLANFILE` decides the same way.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub self_heal_calls: bool,
    /// What the run knows of the record of what campaignctl last carried out on the account. Never serialised: `apply PLANFILE` reads it again, and a plan that comes out
    /// differently because it moved is refused.
    #[serde(skip)]
    pub applied: super::applied::RecordState,
    /// The loading problems of the account's manifests (`file:line:column: message`): while
    /// there is one, every delete and replace is held (`deletion`). Filled by the pipeline from
    /// the load, so never serialised: a saved plan's apply loads again.
    #[serde(skip)]
    pub holds: Vec<String>,
    /// `watch`: the prunes a previous pass planned over the same files at least one interval
    /// before this one; every other prune is held until a later pass confirms it (`deletion`).
    /// `None` outside `watch`, where a prune needs no second look. Never serialised.
    #[serde(skip)]
    pub prunes_confirmed: Option<std::collections::BTreeSet<u64>>,
    /// `watch` without `--self-heal-calls`: each declared assistant's fields as the previous
    /// pass read them. An assistant whose manifest is as it was then but whose platform fields
    /// differ was edited outside git: left alone (`AssistantDisposition::EditedOutside`).
    /// `None` outside `watch` and on its first pass (`plan` and `apply` change it back). Never
    /// serialised.
    #[serde(skip)]
    pub assistants_seen:
        Option<Arc<std::collections::BTreeMap<String, crate::api::assistant::AssistantWrite>>>,
}

/// The git revision write-once fields are compared with (`--base REF`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BaseRevision {
    /// REF as given: a branch, tag or commit.
    pub given: String,
    /// The full commit id REF named, once read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl BaseRevision {
    /// How messages name it: `origin/main (commit 1a2b3c4d5e6f)`, or `commit 1a2b3c4d5e6f`
    /// when REF was a commit id.
    pub fn label(&self) -> String {
        match &self.commit {
            None => self.given.clone(),
            Some(commit) => {
                let short = &commit[..commit.len().min(12)];
                if commit.starts_with(&self.given) {
                    format!("commit {short}")
                } else {
                    format!("{} (commit {short})", self.given)
                }
            }
        }
    }
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        LifecycleOptions {
            prune_prefix: None,
            prune_history: false,
            max_deletes: DEFAULT_MAX_DELETES,
            base: None,
            baseline: None,
            baseline_from: Default::default(),
            self_heal_calls: false,
            applied: Default::default(),
            holds: Vec::new(),
            prunes_confirmed: None,
            assistants_seen: None,
        }
    }
}

/// The rule for a prune prefix, from `--prune-prefix` and from the config's `prune_prefix`
/// alike: not empty (it would match every campaign), and ending in a separator, not a letter or
/// digit, so that it marks a namespace rather than the start of a word: `prod` would also
/// match `production-x`. `prod-`, `GitOps: ` and `team/` are fine.
pub fn check_prune_prefix(prefix: &str) -> Result<(), String> {
    let Some(last) = prefix.chars().last().filter(|_| !prefix.trim().is_empty()) else {
        return Err("must not be empty: an empty prefix would match every campaign".into());
    };
    if last.is_alphanumeric() {
        let example = format!("{prefix}-");
        return Err(format!(
            "{prefix:?} ends in {last:?}, a letter or digit, so it would also prune names that only begin with the same letters (such as \"{prefix}X\"), not just {example:?}: a prune prefix must end in a separator such as '-', ':', '/' or a space, as in {example:?}"
        ));
    }
    Ok(())
}

/// Why replacing a draft would lose leads (its manifest's `declared` numbers against the leads
/// it holds `on_platform`, `None` when they could not be read), or `None` when it would not:
/// the replacement gets exactly the declared leads.
pub fn replacement_loses_leads(
    declared: &HashSet<&str>,
    on_platform: Option<&[ObservedLead]>,
) -> Option<String> {
    let Some(on_platform) = on_platform else {
        return Some("its leads could not be read, so campaignctl cannot tell what a replacement would lose; it is kept as drift".to_owned());
    };
    let lost = on_platform
        .iter()
        .filter(|l| !declared.contains(l.phone_number.as_str()))
        .count();
    (lost > 0).then(|| format!(
        "this draft holds {lost} lead(s) on the platform that its manifest does not declare; replacing it would delete them, so it is kept as drift. To replace it, declare those leads in the manifest's leads (the replacement gets exactly the declared ones), or change the campaign in the dashboard to match"
    ))
}

/// `--prune-prefix`: the prefix under which a campaign no manifest declares is to be deleted,
/// or `None` when it is not. Never a name outside the prefix, and never when the manifests are
/// empty (an empty checkout must not wipe the account: `full_plan` refuses such a plan).
pub fn prune_prefix_of<'o>(
    name: &str,
    manifests: usize,
    options: &'o LifecycleOptions,
) -> Option<&'o str> {
    let prefix = options.prune_prefix.as_deref()?;
    (manifests > 0 && name.starts_with(prefix)).then_some(prefix)
}

/// The refusal of a plan that would prune with no manifests loaded (`candidates`: the
/// undeclared campaigns under the prefix), or `None`.
pub fn prune_without_manifests(
    manifests: usize,
    candidates: usize,
    options: &LifecycleOptions,
) -> Option<Diagnostic> {
    let prefix = options.prune_prefix.as_deref()?;
    (manifests == 0 && candidates > 0).then(|| {
        Diagnostic::error(
            None,
            format!(
                "--prune-prefix {prefix:?} with no manifests loaded would delete all {candidates} campaign(s) under the prefix; refusing (an empty or wrong path must not wipe the account)"
            ),
        )
        .with_hint("check the manifest paths; to delete every campaign under the prefix, write a manifest with status: deleted for each")
    })
}

#[cfg(test)]
mod tests {
    use super::check_prune_prefix;

    #[test]
    fn a_prune_prefix_ends_in_a_separator() {
        for fine in ["prod-", "GitOps: ", "team/", "Q4_", "x."] {
            assert_eq!(check_prune_prefix(fine), Ok(()), "{fine:?}");
        }
        for refused in ["prod", "team2", "Équipe", "", "   "] {
            assert!(check_prune_prefix(refused).is_err(), "{refused:?}");
        }
        let why = check_prune_prefix("prod").unwrap_err();
        assert!(why.contains("\"prodX\""), "{why}");
    }
}
