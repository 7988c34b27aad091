//! Write-once fields compared with a baseline. The platform never returns a campaign's
//! assistant, timezone, phone numbers, retry flags or goal variable, so a change to them in a
//! manifest cannot be seen by reading the platform. It can be seen by comparing the manifest
//! with what it said before: at a git revision (`plan --base REF`), or when `watch` last applied
//! it. Pure: the baseline's manifests are read by the caller.
//!
//! A changed write-once field on a **draft** replaces it, like any other drift of a draft. On a
//! campaign that **may have run** it is an error: the platform cannot change the field and
//! campaignctl never replaces such a campaign, so the plan must not look as if it were applied.
//! Only a change between two written values is that certain. When one side leaves the field to
//! the platform's default (which campaignctl cannot read), the change may be no change at all:
//! a draft is still replaced (so it surely has the manifest's value), but for a campaign that
//! has run it is a warning. A reference that does not resolve (an assistant renamed in the
//! dashboard since) cannot be compared, and the field stays "not compared".

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::types::RemoteCampaign;
use crate::campaign::fields::WRITE_ONCE;
use crate::manifest::{AssistantManifest, CampaignSpec, Diagnostic, Manifest};

pub use super::model::WriteOnceBaseline;

use super::baseline_memo::ResolvedMemo;
use super::model::FieldChange;
use super::observed::Observed;
use super::resolve::{DeclaredAssistants, Resolver};

/// What the manifests said before, for the write-once fields: parts from different sources,
/// the first that knows a campaign wins (`watch` puts what it applied before `--base REF`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    pub parts: Vec<BaselinePart>,
    /// The assistant manifests of the same sources, first source first: the fields the
    /// platform's assistant list does not return are compared with them.
    pub assistants: Vec<AssistantManifest>,
    /// `parts` with names resolved, for the account's references they were resolved with.
    resolved: ResolvedMemo<Index>,
}

/// Manifests from one source.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselinePart {
    /// Where the values come from, as messages name it: `origin/main (commit 1a2b3c4d5e6f)` or
    /// `the values this watch last applied`.
    pub source: String,
    /// The manifests as they were (names resolved again against the account, so
    /// `assistant: Sales` and `assistant_id: 7` compare equal).
    pub manifests: Vec<Manifest>,
    /// For the record's commits: the platform id each campaign was recorded with, by the name
    /// it had at this commit. Then a campaign is found here by its id only (the entry found by
    /// id, whatever it is called now), never by a name that another campaign may have held; a
    /// campaign found so whose name `manifests` lacks is known and gives no values, so it is
    /// not compared, never compared with a later source (which would hold edits made since, not
    /// what is on the platform). `None`: found by adopted id, name or `renamed_from`.
    pub ids: Option<BTreeMap<String, u64>>,
}

impl Baseline {
    /// A baseline of one source.
    pub fn single(source: impl Into<String>, manifests: Vec<Manifest>) -> Baseline {
        Baseline::new(vec![BaselinePart {
            source: source.into(),
            manifests,
            ids: None,
        }])
    }

    /// A baseline of these sources, first wins per campaign.
    pub fn new(parts: Vec<BaselinePart>) -> Baseline {
        Baseline {
            parts,
            assistants: Vec::new(),
            resolved: ResolvedMemo::default(),
        }
    }

    /// This baseline, with the assistant manifests of its sources (first source first).
    pub fn with_assistants(mut self, assistants: Vec<AssistantManifest>) -> Baseline {
        self.assistants = assistants;
        self
    }

    /// The baseline's assistants by name, the first source's where several know one.
    pub fn assistants_by_name(&self) -> BTreeMap<&str, &AssistantManifest> {
        let mut by_name = BTreeMap::new();
        for a in &self.assistants {
            by_name.entry(a.name.as_str()).or_insert(a);
        }
        by_name
    }

    /// How many times the baseline's names were resolved against the account since it was
    /// made: once, and again only when the account's assistants or phone numbers changed
    /// (`watch` compares every pass with the same baseline, and its metrics count this).
    pub fn resolutions(&self) -> u64 {
        self.resolved.resolutions()
    }
}

/// Where a run's write-once baseline came from, found without `--base` (the record of what was
/// applied, the pull request's merge-base, the push's previous commit, `HEAD`): what a saved
/// plan records, so `apply PLANFILE` reads the same commits again, and never looks afresh.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineFrom {
    /// The commits read, first wins per campaign.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<BaseCommit>,
    /// Why no baseline could be had, when none could.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// Campaigns the record of what was applied holds without a commit (applied from edits not
    /// committed), by name with their platform ids: known, with no values, so not compared with
    /// any later source.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub uncommitted: BTreeMap<String, u64>,
}

impl BaselineFrom {
    /// Nothing was looked for (a plan with `--base`, or made before baselines were automatic).
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty() && self.unavailable.is_none() && self.uncommitted.is_empty()
    }
}

/// One commit whose manifests give write-once values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseCommit {
    pub kind: BaseKind,
    /// The full commit id.
    pub commit: String,
    /// The campaigns (by name) whose values are read at it: the record's entries at this
    /// commit; `None`: every campaign the manifests there declare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaigns: Option<Vec<String>>,
    /// The record's commits: the platform id of each of `campaigns`, by the name it had here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<BTreeMap<String, u64>>,
}

/// Why a commit is the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum BaseKind {
    /// The record of what was applied names it for its campaigns.
    Record,
    /// The merge-base of HEAD and the pull request's target (`target`: `origin/main`).
    MergeBase { target: String },
    /// The commit the push being applied started from.
    PushBefore,
    /// HEAD, for edits not committed yet.
    Head,
}

impl BaseCommit {
    /// How messages name it: `the record of what was applied (commit 1a2b3c4d5e6f)`.
    pub fn label(&self) -> String {
        let short = &self.commit[..self.commit.len().min(12)];
        match &self.kind {
            BaseKind::Record => format!("the record of what was applied (commit {short})"),
            BaseKind::MergeBase { target } => {
                format!("the merge-base of {target} (commit {short})")
            }
            BaseKind::PushBefore => format!("the commit before the push (commit {short})"),
            BaseKind::Head => format!("HEAD (commit {short})"),
        }
    }
}

/// Why nothing was compared when every source of the baseline lacks the manifests.
pub const NOT_COMMITTED: &str = "no commit of the baseline holds these manifests (they are not committed yet, or were applied from edits not committed); commit them, or pass --base REF";

/// What HEAD cannot see, as the plan says it when HEAD is (part of) the baseline.
pub const HEAD_CAVEAT: &str = "edits already committed but not applied cannot be seen this way (the record of what was applied, kept by apply, sees them)";

/// What a plan made with `options` compared its write-once fields with: the sources of the
/// baseline in order, or why there was none. `None` when nothing was looked for.
/// `used`: the sources that knew a campaign of the plan (`Index::compare`); when none did,
/// every source of the baseline is named.
pub fn described(
    used: &[String],
    baseline: Option<&Baseline>,
    from: &BaselineFrom,
) -> Option<WriteOnceBaseline> {
    match baseline.filter(|b| !b.parts.is_empty()) {
        Some(b) => {
            let mut sources: Vec<&str> = Vec::new();
            // A part without manifests (the record's entries without a commit) gives no values.
            for p in b.parts.iter().filter(|p| !p.manifests.is_empty()) {
                let named = used.is_empty() || used.contains(&p.source);
                if named && !sources.contains(&p.source.as_str()) {
                    sources.push(&p.source);
                }
            }
            // No source held any manifest (none committed yet, or only the record's entries
            // without a commit): nothing was compared, and the plan must say so, not name an
            // empty baseline.
            if sources.is_empty() {
                return Some(WriteOnceBaseline::Unavailable {
                    why: from
                        .unavailable
                        .clone()
                        .unwrap_or_else(|| NOT_COMMITTED.to_owned()),
                });
            }
            let head = from
                .commits
                .iter()
                .any(|c| c.kind == BaseKind::Head && sources.contains(&c.label().as_str()));
            Some(WriteOnceBaseline::ComparedWith {
                with: sources.join(", then "),
                caveat: head.then(|| HEAD_CAVEAT.to_owned()),
                uncommitted: from.uncommitted.keys().cloned().collect(),
            })
        }
        None => from
            .unavailable
            .clone()
            .map(|why| WriteOnceBaseline::Unavailable { why }),
    }
}

/// The value each write-once field has in `spec`, in `WRITE_ONCE_FIELDS` order, normalised as
/// the table says: `Some(Null)` when the manifest leaves it to the platform's default, `None`
/// when it names something that did not resolve (then it cannot be compared).
pub fn write_once_values(spec: &CampaignSpec) -> Vec<(&'static str, Option<Value>)> {
    WRITE_ONCE
        .iter()
        .map(|&field| {
            let by_name = field.named_by().and_then(|name| spec.get(name));
            let v = match (spec.get(field), by_name) {
                (Some(v), _) => Some(v.to_json()),
                (None, Some(_)) => None,
                (None, None) => Some(Value::Null),
            };
            (field.name(), v)
        })
        .collect()
}

/// The comparison of one campaign's write-once fields with its baseline.
struct Compared {
    changes: Vec<FieldChange>,
    /// Fields that could not be compared (a reference that does not resolve on one side).
    not_compared: Vec<&'static str>,
}

/// The write-once fields that differ between `before` and `now` (both resolved), as
/// `write_once_values` gives them.
fn compare_fields(before: &[WriteOnceValue], now: Vec<WriteOnceValue>, source: &str) -> Compared {
    let mut out = Compared {
        changes: Vec::new(),
        not_compared: Vec::new(),
    };
    for ((field, was), (_, is)) in before.iter().zip(now) {
        match (was, is) {
            (Some(was), Some(is)) if *was != is => out.changes.push(FieldChange {
                field,
                desired: is,
                actual: was.clone(),
                known_from: Some(source.to_owned()),
            }),
            (Some(_), Some(_)) => {}
            _ => out.not_compared.push(field),
        }
    }
    out
}

/// One write-once field's value, as `write_once_values` gives it.
type WriteOnceValue = (&'static str, Option<Value>);

/// One source's write-once values by campaign name and by adopted id; a name or id a source
/// holds twice is ambiguous and compares nothing (`Some(None)`).
struct PartIndex {
    source: String,
    /// Each manifest's write-once values, names resolved.
    values: Vec<Vec<WriteOnceValue>>,
    by_name: HashMap<String, Option<usize>>,
    by_id: HashMap<u64, Option<usize>>,
    ids: Option<BTreeMap<String, u64>>,
}

/// The baseline's sources in order, names resolved against the account: the first that knows
/// a campaign gives its values. Kept by the baseline while the account's references are the
/// same (`baseline_memo`), so it holds values only, not the manifests they came from.
pub struct Index {
    parts: Vec<PartIndex>,
}

impl Index {
    /// Resolves the names of `parts` against `observed` ("assistant: Sales" and
    /// "assistant_id: 7" then compare equal) and indexes their write-once values.
    fn new(parts: &[BaselinePart], observed: &Observed) -> Index {
        let declared = DeclaredAssistants::new();
        let resolver = Resolver::new(observed, &declared);
        let parts = parts
            .iter()
            .map(
                |BaselinePart {
                     source,
                     manifests,
                     ids,
                 }| {
                    let mut by_name: HashMap<String, Option<usize>> = HashMap::new();
                    let mut by_id: HashMap<u64, Option<usize>> = HashMap::new();
                    let mut values = Vec::with_capacity(manifests.len());
                    for (i, m) in manifests.iter().enumerate() {
                        // Resolved one at a time, and copied only when it names something:
                        // the baseline's manifests stay as they were read.
                        let m = if m.spec.assistant.is_some() || m.spec.phone_numbers.is_some() {
                            let mut copy = m.clone();
                            resolver.resolve_over(&mut copy, &mut Vec::new());
                            Cow::Owned(copy)
                        } else {
                            Cow::Borrowed(m)
                        };
                        if let Some(id) = m.spec.id {
                            by_id.entry(id).and_modify(|e| *e = None).or_insert(Some(i));
                        }
                        values.push(write_once_values(&m.spec));
                        by_name
                            .entry(m.spec.name.clone())
                            .and_modify(|e| *e = None)
                            .or_insert(Some(i));
                    }
                    PartIndex {
                        source: source.clone(),
                        values,
                        by_name,
                        by_id,
                        ids: ids.clone(),
                    }
                },
            )
            .collect();
        Index { parts }
    }

    /// The baseline of `spec`, the manifest of the platform campaign `remote_id`: from the first
    /// source that knows it. The record's commits know it by its id (the entry found by id, under
    /// the name it had at that commit, so a rename since hides nothing); other sources by its
    /// adopted id, its name, or the name it was renamed from. `None`: no source gives values
    /// (none knows it, the first that does holds it twice, or the record has it without a
    /// commit): its write-once fields are not compared, never compared with a later source.
    fn of(&self, spec: &CampaignSpec, remote_id: u64) -> Option<(&[WriteOnceValue], &str)> {
        for p in &self.parts {
            let found = match &p.ids {
                Some(ids) => ids
                    .iter()
                    .find(|(_, id)| **id == remote_id)
                    // A recorded name the commit does not declare gives no values.
                    .map(|(name, _)| p.by_name.get(name.as_str()).copied().flatten()),
                None => match spec.id {
                    Some(id) => p.by_id.get(&id).copied(),
                    None => p.by_name.get(spec.name.as_str()).copied().or_else(|| {
                        let old = spec.renamed_from.as_deref()?;
                        p.by_name.get(old).copied()
                    }),
                },
            };
            if let Some(found) = found {
                return found.map(|i| (p.values[i].as_slice(), p.source.as_str()));
            }
        }
        None
    }
}

/// The baseline with its manifests' names resolved again against the account, so
/// `assistant: Sales` and `assistant_id: 7` compare equal, and indexed: what a plan compares
/// with. Made once per baseline and state of the account's references (`baseline_memo`), so
/// `watch`'s idle passes share it.
#[derive(Clone)]
pub struct ResolvedBaseline(Arc<Index>);

impl ResolvedBaseline {
    pub fn new(baseline: &Baseline, observed: &Observed) -> ResolvedBaseline {
        ResolvedBaseline(
            baseline
                .resolved
                .get_or_make(observed, || Index::new(&baseline.parts, observed)),
        )
    }

    /// Its sources indexed by campaign name and adopted id, first source first.
    pub fn index(&self) -> &Index {
        &self.0
    }
}

/// One campaign's write-once fields compared with the baseline (`Index::compare`).
#[derive(Debug)]
pub struct WriteOnceComparison<'a> {
    /// The source that knew the campaign.
    pub source: &'a str,
    /// The fields that differ (`actual`: the baseline's value, `known_from`: `source`).
    pub changes: Vec<FieldChange>,
    /// Fields that could not be compared (a reference that does not resolve on one side).
    pub not_compared: Vec<&'static str>,
    /// An error (or, when one side is unset, a warning) per changed field of a campaign that
    /// may have run: the platform cannot change it, and such a campaign is never replaced.
    pub diagnostics: Vec<Diagnostic>,
}

impl Index {
    /// Compares the write-once fields of `m` (resolved), which manages the platform campaign
    /// `remote`, with the first source that knows it (by recorded id, adopted id, name or
    /// `renamed_from`); `None` when no source gives values, so nothing is compared. Pure: a
    /// change is a decision input (`disposition`), which replaces a draft and keeps a campaign
    /// that may have run as drift.
    pub fn compare(
        &self,
        m: &Manifest,
        remote: &RemoteCampaign,
    ) -> Option<WriteOnceComparison<'_>> {
        let (was, source) = self.of(&m.spec, remote.id)?;
        let compared = compare_fields(was, write_once_values(&m.spec), source);
        let diagnostics = if remote.status.may_have_run() {
            compared
                .changes
                .iter()
                .map(|c| ran_campaign_diagnostic(c, m, remote, source))
                .collect()
        } else {
            Vec::new()
        };
        Some(WriteOnceComparison {
            source,
            changes: compared.changes,
            not_compared: compared.not_compared,
            diagnostics,
        })
    }
}

/// What a write-once change to a campaign that may have run is: an error when both values are
/// written (the campaign surely keeps the old one), a warning when one is the platform's
/// default (it may be the same value).
fn ran_campaign_diagnostic(
    c: &FieldChange,
    m: &Manifest,
    remote: &RemoteCampaign,
    source: &str,
) -> Diagnostic {
    let what = format!(
        "{} changed since {source} ({} -> {}), but campaign {:?} (id {}) may have run (status {}): the platform cannot change a write-once field, and campaignctl never replaces a campaign that has run",
        c.field,
        shown(&c.actual),
        shown(&c.desired),
        remote.name,
        remote.id,
        remote.status.label()
    );
    let location = Some(m.locate(c.field));
    if c.actual.is_null() || c.desired.is_null() {
        Diagnostic::warning(
            location,
            format!("{what}; one side is the platform's default, which campaignctl cannot read, so the campaign may already have this value"),
        )
        .with_field(c.field)
        .with_hint("if the default differs, create a new campaign under a new name with this value, and stop or delete this one")
    } else {
        Diagnostic::error(location, what)
            .with_field(c.field)
            .with_hint(format!(
                "set {} back to {}, or create a new campaign under a new name and stop or delete this one",
                c.field,
                shown(&c.actual)
            ))
    }
}

/// A value as messages show it; `Null` is a field the manifest leaves unset.
pub fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(not set)".to_owned(),
        // Escaped: the value may be the platform's, with characters serde leaves raw.
        v => crate::escape::json(&serde_json::to_string(v).unwrap_or_else(|_| v.to_string()))
            .into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(source: &str) -> BaselinePart {
        BaselinePart {
            source: source.to_owned(),
            manifests: Vec::new(),
            ids: None,
        }
    }

    /// A baseline whose every source lacks the manifests (none committed yet) compared nothing:
    /// the plan says why, and never "compared with ." (a new user saw that after `export`).
    #[test]
    fn a_baseline_without_any_manifest_is_no_baseline_not_an_empty_name() {
        let baseline = Baseline::new(vec![part("HEAD (commit 1a2b3c4d5e6f)")]);
        assert_eq!(
            described(&[], Some(&baseline), &BaselineFrom::default()),
            Some(WriteOnceBaseline::Unavailable {
                why: NOT_COMMITTED.to_owned()
            })
        );
        let from = BaselineFrom {
            unavailable: Some("no commit yet".to_owned()),
            ..BaselineFrom::default()
        };
        assert_eq!(
            described(&[], Some(&baseline), &from),
            Some(WriteOnceBaseline::Unavailable {
                why: "no commit yet".to_owned()
            }),
            "the reason found while reading the baseline wins"
        );
    }
}
