//! The record of what campaignctl carried out on an account, as data: per campaign, the declared
//! status it last brought about (and the campaign's id, and the commit the manifests came from),
//! and the one rule that reads it, "a person's stop wins". Reading and writing the record is
//! `campaignctl`'s `reconcile::applied_record`.
//!
//! Why a record: the platform shows only where a campaign is now. A campaign that git says is
//! running and the platform says is stopped was either never started, or stopped by a person
//! (an emergency stop in the dashboard). Only what campaignctl itself carried out tells them
//! apart, so a campaign is started only when git asks for it: it is new, or its declared status
//! changed since what the record says was carried out (Argo CD's `selfHeal: false`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::types::CampaignStatus;
use crate::manifest::DesiredStatus;

pub use super::model::LeftAlone;

use super::model::{Disposition, Plan};
use super::operation::{OperationId, OperationKind};

/// The record's layout version; a record of a newer version is not read (fail closed).
pub const RECORD_VERSION: u32 = 1;

/// What campaignctl has put on one platform account, by campaign name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedRecord {
    pub version: u32,
    #[serde(default)]
    pub campaigns: BTreeMap<String, AppliedCampaign>,
}

impl Default for AppliedRecord {
    fn default() -> Self {
        AppliedRecord {
            version: RECORD_VERSION,
            campaigns: BTreeMap::new(),
        }
    }
}

/// What a run knows of the account's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RecordState {
    /// No record can be kept (outside a git repository): nothing says what campaignctl carried
    /// out, so only what has never run is started.
    #[default]
    Absent,
    /// The record as read (empty when none was written yet: a first run).
    Read(Arc<AppliedRecord>),
    /// A record exists and cannot be read (corrupt, or written by a newer campaignctl): it may
    /// hold the very entries that tell a person's stop from a held start, so every start is
    /// held but that of a draft on the platform (`LeftAlone::RecordUnusable`).
    Unusable,
}

impl RecordState {
    /// The record, when one was read.
    pub fn record(&self) -> Option<&AppliedRecord> {
        match self {
            RecordState::Read(r) => Some(r),
            RecordState::Absent | RecordState::Unusable => None,
        }
    }

    pub fn is_unusable(&self) -> bool {
        matches!(self, RecordState::Unusable)
    }
}

impl From<Option<AppliedRecord>> for RecordState {
    fn from(record: Option<AppliedRecord>) -> RecordState {
        record.map_or(RecordState::Absent, |r| RecordState::Read(Arc::new(r)))
    }
}

/// One campaign as campaignctl last left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedCampaign {
    /// The campaign's id on the platform when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The declared `status:` last settled (`None`: the manifest declared none): carried out
    /// (the platform was brought to it, or already was), or, for a campaign deleted by hand and
    /// created again as a draft, left alone on purpose. Never advanced for a change held for
    /// approval, skipped or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DesiredStatus>,
    /// The commit whose write-once values (never returned by the platform) the campaign has:
    /// the first baseline of every later plan (`baseline_source`). It moves only as
    /// `CommitRule` says: to the run's commit when the campaign was created or replaced from
    /// it, or its values compared equal; never for a write-once change not carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The name the campaign had at `commit`, when it was renamed since and kept that commit
    /// (its write-once values were not carried out or compared at the new name): the record's
    /// commit is read for the campaign under this name. `None`: its name now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_name: Option<String>,
    /// The manifest file that declared the campaign, as the run named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

impl AppliedRecord {
    /// A campaign's entry: by id when the campaign exists on the platform (`id`), by name only
    /// for one this plan creates. An entry under the same name with another id is another
    /// campaign (a stale entry of a campaign since renamed, adopted or deleted), never this
    /// one's: taking it would let a stopped campaign inherit the status of whatever held its
    /// name before.
    pub fn lookup(&self, name: &str, id: Option<u64>) -> Option<&AppliedCampaign> {
        match id {
            // Under its own name first: the usual case, without reading every entry (a plan
            // looks up each of its campaigns).
            Some(id) => self
                .campaigns
                .get(name)
                .filter(|c| c.id == Some(id))
                .or_else(|| self.campaigns.values().find(|c| c.id == Some(id))),
            None => self.campaigns.get(name),
        }
    }

    /// Applies one run's changes on top of this record (the one read now, which another run
    /// may have moved): each campaign the run carried something out on takes the run's entry,
    /// every other campaign keeps what it has. Returns whether anything changed.
    pub fn merge(&mut self, changes: &[RecordChange]) -> bool {
        // What each entry a change altered held before it, moved out as it is replaced or
        // removed (the first time only): whether anything changed is these compared with what
        // the entries hold after, with no copy of the record. A run changes every campaign it
        // planned (`watch` merges 10,000 changes into 10,000 entries on an idle pass), and most
        // set an entry to what it already is: those touch nothing.
        let mut before: HashMap<String, Option<AppliedCampaign>> = HashMap::new();
        let mut note = |name: &str, was: Option<AppliedCampaign>| {
            if !before.contains_key(name) {
                before.insert(name.to_owned(), was);
            }
        };
        // How many entries hold each id, so a change learns without reading every entry
        // whether another name holds its id (rare: a rename, an adoption by `id:`).
        let mut holders: HashMap<u64, usize> = HashMap::with_capacity(self.campaigns.len());
        for id in self.campaigns.values().filter_map(|c| c.id) {
            *holders.entry(id).or_default() += 1;
        }
        let gone = |holders: &mut HashMap<u64, usize>, e: Option<&AppliedCampaign>| {
            if let Some(n) = e.and_then(|e| e.id).and_then(|id| holders.get_mut(&id)) {
                *n = n.saturating_sub(1);
            }
        };
        for change in changes {
            match change {
                RecordChange::Set {
                    name,
                    renamed_from,
                    entry,
                    commit,
                } => {
                    let renamed = renamed_from.as_ref().and_then(|old| {
                        let e = self.campaigns.remove(old)?;
                        gone(&mut holders, Some(&e));
                        note(old, Some(e.clone()));
                        Some((old.clone(), e))
                    });
                    // One entry per campaign: an entry of the same id under another name is
                    // this campaign before a rename (or an adoption by `id:`), and would
                    // otherwise be found by id with a status that is no longer the last.
                    // In name order (the record's), as they were taken before: the last one is
                    // kept below.
                    let same_id: Vec<String> = match entry.id {
                        Some(id) => {
                            let held = holders.get(&id).copied().unwrap_or(0);
                            let own = self.campaigns.get(name).is_some_and(|c| c.id == Some(id));
                            if held == 0 || (held == 1 && own) {
                                Vec::new()
                            } else {
                                self.campaigns
                                    .iter()
                                    .filter(|(n, c)| *n != name && c.id == Some(id))
                                    .map(|(n, _)| n.clone())
                                    .collect()
                            }
                        }
                        None => Vec::new(),
                    };
                    let mut before_rename = None;
                    for n in same_id {
                        if let Some(e) = self.campaigns.remove(&n) {
                            gone(&mut holders, Some(&e));
                            note(&n, Some(e.clone()));
                            before_rename = Some((n, e));
                        }
                    }
                    // What the old entry gives the new one: its name, commit and commit name.
                    let old: Option<(String, Option<String>, Option<String>)> = renamed
                        .or(before_rename)
                        .map(|(n, o)| (n, o.commit, o.commit_name))
                        .or_else(|| {
                            self.campaigns
                                .get(name)
                                .map(|e| (name.clone(), e.commit.clone(), e.commit_name.clone()))
                        });
                    let mut entry = entry.clone();
                    let now = entry.commit.take();
                    entry.commit = commit.resolve(
                        now.clone(),
                        old.as_ref().map(|(_, commit, _)| commit.clone()),
                    );
                    // An old commit kept under a new name declared the campaign under the old one.
                    entry.commit_name = match &old {
                        Some((old_name, _, commit_name))
                            if entry.commit.is_some() && entry.commit != now =>
                        {
                            commit_name
                                .clone()
                                .or_else(|| Some(old_name.clone()))
                                .filter(|at| at != name)
                        }
                        _ => None,
                    };
                    if self.campaigns.get(name) == Some(&entry) {
                        continue;
                    }
                    if let Some(id) = entry.id {
                        *holders.entry(id).or_default() += 1;
                    }
                    let was = self.campaigns.insert(name.clone(), entry);
                    gone(&mut holders, was.as_ref());
                    note(name, was);
                }
                RecordChange::Remove { name } => {
                    let was = self.campaigns.remove(name);
                    gone(&mut holders, was.as_ref());
                    if was.is_some() {
                        note(name, was);
                    }
                }
            }
        }
        let version = std::mem::replace(&mut self.version, RECORD_VERSION);
        version != RECORD_VERSION
            || before
                .iter()
                .any(|(name, was)| self.campaigns.get(name) != was.as_ref())
    }
}

/// One campaign's change to the record after a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordChange {
    Set {
        name: String,
        renamed_from: Option<String>,
        /// The entry; its `commit` is this run's, which `commit` says whether to take.
        entry: AppliedCampaign,
        commit: CommitRule,
    },
    /// The campaign was deleted by this run (`status: deleted`, a prune).
    Remove { name: String },
}

/// Whether a campaign's recorded commit (whose write-once values are on the platform) moves to
/// this run's. It moves only where this run carried the values out, or saw that the platform
/// already has them; a write-once change refused, held or not compared keeps the old commit, so
/// the next plan still sees the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitRule {
    /// Created (or replaced) by this run from its manifests: this run's commit, even `None`
    /// (edits not committed: nothing else names the values carried out).
    Carried,
    /// The write-once values were compared and equal: this run's commit, or the old one when
    /// the files were not committed as read.
    Verified,
    /// Not compared (no baseline knew the campaign): the old commit; this run's only when
    /// the record has no entry for it yet (the first record of a campaign is what it was
    /// applied from). An entry without a commit keeps none: nothing says its values on the
    /// platform are this run's.
    NotCompared,
    /// A write-once change this run did not carry out (a campaign that has run cannot take it):
    /// the old commit, or none.
    Refused,
}

impl CommitRule {
    /// The commit to record, from this run's (`now`) and the entry recorded before (`old`:
    /// `None` when there was no entry, `Some(None)` for an entry without a commit).
    pub fn resolve(self, now: Option<String>, old: Option<Option<String>>) -> Option<String> {
        match self {
            CommitRule::Carried => now,
            CommitRule::Verified => now.or(old.flatten()),
            CommitRule::NotCompared => old.unwrap_or(now),
            CommitRule::Refused => old.flatten(),
        }
    }

    /// The rule for a campaign this run did not create, from its action.
    fn of_action(action: Option<&super::model::Explanation>) -> CommitRule {
        match action.map(|a| &a.kind) {
            Some(Disposition::Drift {
                changes,
                write_once,
            }) => {
                if changes.iter().any(|c| c.known_from.is_some()) {
                    CommitRule::Refused
                } else if write_once.is_empty() {
                    CommitRule::Verified
                } else {
                    CommitRule::NotCompared
                }
            }
            Some(Disposition::Unchanged { write_once }) if write_once.is_empty() => {
                CommitRule::Verified
            }
            _ => CommitRule::NotCompared,
        }
    }
}

/// What the rule needs to know about one campaign whose manifest says `status: running` and
/// whose platform status would allow a start.
pub struct StartContext<'a> {
    /// What the run knows of the account's record.
    pub record: &'a RecordState,
    pub name: &'a str,
    /// `None` for a campaign this plan creates.
    pub remote_id: Option<u64>,
    /// `--self-heal-calls`: start whatever git says should run, as before.
    pub self_heal: bool,
}

/// Whether git asks for a start from `actual` (draft, stopped or paused; `Draft` for a campaign
/// about to be created), or why it is left alone. The rule, with the entry found by id (by name
/// only for a create, `AppliedRecord::lookup`):
/// - a campaign the record has and the platform no longer has, or has as a draft again where
///   the entry says `running`, was deleted by a person: created again as a draft, not started;
/// - a draft is started: a held start is still asked for, and nobody stops a draft;
/// - a stopped or paused campaign is started only when the entry says the declared status last
///   carried out was `stopped` (git changed it to running since: the manifest has no `paused`); an entry saying
///   `running` or `draft` means it was stopped outside campaignctl since, and no entry means
///   nothing says who stopped it: both are left alone;
/// - with a record that exists but cannot be read, only a draft on the platform is started.
pub fn may_start(ctx: &StartContext<'_>, actual: &CampaignStatus) -> Result<(), LeftAlone> {
    if ctx.self_heal {
        return Ok(());
    }
    let draft = *actual == CampaignStatus::Draft;
    let record = match ctx.record {
        RecordState::Unusable if draft && ctx.remote_id.is_some() => return Ok(()),
        RecordState::Unusable => return Err(LeftAlone::RecordUnusable),
        RecordState::Absent => None,
        RecordState::Read(r) => Some(r.as_ref()),
    };
    let entry = record.and_then(|r| r.lookup(ctx.name, ctx.remote_id));
    let Some(remote_id) = ctx.remote_id else {
        // A create: campaignctl had a campaign of this name, and it is gone.
        return match entry {
            Some(_) => Err(LeftAlone::DeletedOutside),
            None => Ok(()),
        };
    };
    if draft {
        let had_it_running = |e: &AppliedCampaign| e.status == Some(DesiredStatus::Running);
        // A draft under a name campaignctl had running, with another id than the entry's
        // (the record was not written after it was created again): still a re-creation.
        let by_name = record
            .and_then(|r| r.campaigns.get(ctx.name))
            .filter(|e| e.id != Some(remote_id));
        return match entry.or(by_name) {
            Some(e) if had_it_running(e) => Err(LeftAlone::DeletedOutside),
            _ => Ok(()),
        };
    }
    match entry.map(|e| e.status) {
        Some(Some(DesiredStatus::Stopped)) => Ok(()),
        Some(Some(DesiredStatus::Running | DesiredStatus::Draft)) => Err(LeftAlone::StoppedOutside),
        // No entry, one whose manifest declared no status, or a tombstone carried out (then this
        // is not the campaign it deleted): nothing says who stopped it.
        Some(Some(DesiredStatus::Deleted) | None) | None => Err(LeftAlone::NoRecord),
    }
}

/// How a run's operations ended, as the record needs it: the operations that succeeded, with
/// the campaign id each established or acted on.
pub type Succeeded = HashMap<OperationId, Option<u64>>;

/// The record changes of a run that executed `plan`: per campaign, only what was carried out.
/// A campaign whose status change was held, skipped or failed keeps its entry; one created
/// whose start did not happen is recorded as the draft it is; one deleted is removed.
/// `commit` is the commit the manifests came from, when known; a campaign's recorded commit
/// moves to it only as `CommitRule` says (never for a write-once change not carried out).
pub fn changes_of(plan: &Plan, succeeded: &Succeeded, commit: Option<&str>) -> Vec<RecordChange> {
    let mut ops_of: HashMap<&crate::manifest::Location, Vec<&super::operation::Operation>> =
        HashMap::new();
    for op in &plan.operations {
        if let Some(m) = &op.manifest {
            ops_of.entry(m).or_default().push(op);
        }
    }
    let mut changes = Vec::new();
    for action in &plan.actions {
        if let Disposition::Delete { .. } = action.kind {
            let deleted = plan.operations.iter().any(|op| {
                matches!(op.kind, OperationKind::DeleteCampaign { .. })
                    && op.campaign == action.name
                    && succeeded.contains_key(&op.id)
            });
            if deleted {
                changes.push(RecordChange::Remove {
                    name: action.name.clone(),
                });
            }
        }
    }
    let actions_of: HashMap<&crate::manifest::Location, &super::model::Explanation> = plan
        .actions
        .iter()
        .filter_map(|a| Some((a.manifest.as_ref()?, a)))
        .collect();
    for f in &plan.leads_and_status {
        let ops = ops_of.get(&f.manifest).map_or(&[][..], Vec::as_slice);
        let created = ops
            .iter()
            .find(|op| matches!(op.kind, OperationKind::CreateCampaign { .. }));
        let id = match created {
            Some(op) => match succeeded.get(&op.id) {
                Some(id) => *id,
                // Not created: nothing of it is on the platform.
                None => continue,
            },
            None => f.remote_id,
        };
        let Some(id) = id else { continue };
        let status_op = ops
            .iter()
            .find(|op| matches!(op.kind, OperationKind::Start { .. } | OperationKind::Stop));
        let status = match (&f.status, status_op) {
            (None, _) => None,
            (Some(s), Some(op)) if succeeded.contains_key(&op.id) => Some(s.desired),
            // A create carried out, its start not: a draft, still asked to start.
            (Some(_), Some(_)) if created.is_some() => Some(DesiredStatus::Draft),
            (Some(_), Some(_)) => continue,
            // Nothing to do: the platform is as declared, unless the plan said why not.
            (Some(s), None) if s.note.is_none() && s.left_alone.is_none() => Some(s.desired),
            // Deleted by hand and created again as a draft, on purpose not started: settled, so
            // the next run does not take the draft for one whose start was merely held.
            (Some(s), None) if s.left_alone == Some(LeftAlone::DeletedOutside) => Some(s.desired),
            (Some(_), None) => continue,
        };
        let action = actions_of.get(&f.manifest).copied();
        let renamed_from = action.and_then(|a| match &a.kind {
            Disposition::Replace { renamed_from, .. } => renamed_from.clone(),
            _ => None,
        });
        let commit_rule = match created {
            Some(_) => CommitRule::Carried,
            None => CommitRule::of_action(action),
        };
        changes.push(RecordChange::Set {
            name: f.name.clone(),
            renamed_from,
            commit: commit_rule,
            entry: AppliedCampaign {
                id: Some(id),
                status,
                commit: commit.map(str::to_owned),
                manifest: Some(f.manifest.file.display().to_string()),
                commit_name: None,
            },
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: DesiredStatus) -> AppliedRecord {
        let mut r = AppliedRecord::default();
        r.campaigns.insert(
            "Q".into(),
            AppliedCampaign {
                id: Some(4),
                status: Some(status),
                commit: None,
                manifest: None,
                commit_name: None,
            },
        );
        r
    }

    fn decide(
        record: Option<&AppliedRecord>,
        id: Option<u64>,
        actual: CampaignStatus,
    ) -> Result<(), LeftAlone> {
        may_start(
            &StartContext {
                record: &RecordState::from(record.cloned()),
                name: "Q",
                remote_id: id,
                self_heal: false,
            },
            &actual,
        )
    }

    #[test]
    fn a_stop_after_campaignctl_started_it_wins() {
        let running = record(DesiredStatus::Running);
        assert_eq!(
            decide(Some(&running), Some(4), CampaignStatus::Stopped),
            Err(LeftAlone::StoppedOutside)
        );
        assert_eq!(
            decide(Some(&running), Some(4), CampaignStatus::Paused),
            Err(LeftAlone::StoppedOutside)
        );
        assert_eq!(
            decide(Some(&running), None, CampaignStatus::Draft),
            Err(LeftAlone::DeletedOutside),
            "gone and created again: a draft, not started"
        );
        assert_eq!(
            decide(Some(&running), Some(6), CampaignStatus::Draft),
            Err(LeftAlone::DeletedOutside),
            "the draft created again, on the next run"
        );
        let held = record(DesiredStatus::Draft);
        assert_eq!(
            decide(Some(&held), None, CampaignStatus::Draft),
            Err(LeftAlone::DeletedOutside),
            "a draft campaignctl made and a person deleted is not started either"
        );
    }

    #[test]
    fn a_status_changed_in_git_or_a_draft_never_started_is_asked_for() {
        let stopped = record(DesiredStatus::Stopped);
        assert_eq!(
            decide(Some(&stopped), Some(4), CampaignStatus::Stopped),
            Ok(())
        );
        let draft = record(DesiredStatus::Draft);
        assert_eq!(decide(Some(&draft), Some(4), CampaignStatus::Draft), Ok(()));
        assert_eq!(decide(None, None, CampaignStatus::Draft), Ok(()), "new");
        assert_eq!(decide(None, Some(4), CampaignStatus::Draft), Ok(()));
    }

    #[test]
    fn without_a_record_a_stopped_campaign_is_not_started() {
        assert_eq!(
            decide(None, Some(4), CampaignStatus::Stopped),
            Err(LeftAlone::NoRecord)
        );
        let other = AppliedRecord::default();
        assert_eq!(
            decide(Some(&other), Some(4), CampaignStatus::Stopped),
            Err(LeftAlone::NoRecord)
        );
        let healing = StartContext {
            record: &RecordState::Absent,
            name: "Q",
            remote_id: Some(4),
            self_heal: true,
        };
        assert_eq!(may_start(&healing, &CampaignStatus::Stopped), Ok(()));
    }

    #[test]
    fn a_renamed_campaign_is_found_by_id() {
        let running = record(DesiredStatus::Running);
        let running = RecordState::from(Some(running));
        let ctx = StartContext {
            record: &running,
            name: "Q renamed",
            remote_id: Some(4),
            self_heal: false,
        };
        assert_eq!(
            may_start(&ctx, &CampaignStatus::Stopped),
            Err(LeftAlone::StoppedOutside)
        );
    }

    #[test]
    fn an_entry_under_the_name_with_another_id_is_another_campaign() {
        // "Q" (id 4) was stopped by git; campaign 1 now carries the name (renamed or adopted).
        let stale = record(DesiredStatus::Stopped);
        assert_eq!(
            decide(Some(&stale), Some(1), CampaignStatus::Stopped),
            Err(LeftAlone::NoRecord)
        );
        let mut both = stale.clone();
        both.campaigns.insert(
            "A".into(),
            AppliedCampaign {
                id: Some(1),
                status: Some(DesiredStatus::Running),
                commit: None,
                manifest: None,
                commit_name: None,
            },
        );
        assert_eq!(
            decide(Some(&both), Some(1), CampaignStatus::Stopped),
            Err(LeftAlone::StoppedOutside),
            "found by its id under its old name"
        );
        assert_eq!(
            decide(Some(&stale), None, CampaignStatus::Draft),
            Err(LeftAlone::DeletedOutside),
            "a create looks by name"
        );
    }

    #[test]
    fn a_held_start_stopped_by_a_person_is_left_alone() {
        let held = record(DesiredStatus::Draft);
        assert_eq!(decide(Some(&held), Some(4), CampaignStatus::Draft), Ok(()));
        assert_eq!(
            decide(Some(&held), Some(4), CampaignStatus::Stopped),
            Err(LeftAlone::StoppedOutside)
        );
        assert_eq!(
            decide(Some(&held), Some(4), CampaignStatus::Paused),
            Err(LeftAlone::StoppedOutside)
        );
        let mut undeclared = held.clone();
        if let Some(e) = undeclared.campaigns.get_mut("Q") {
            e.status = None;
        }
        assert_eq!(
            decide(Some(&undeclared), Some(4), CampaignStatus::Stopped),
            Err(LeftAlone::NoRecord)
        );
    }

    #[test]
    fn an_unusable_record_starts_only_a_draft_on_the_platform() {
        let decide = |id, actual| {
            may_start(
                &StartContext {
                    record: &RecordState::Unusable,
                    name: "Q",
                    remote_id: id,
                    self_heal: false,
                },
                &actual,
            )
        };
        assert_eq!(decide(Some(4), CampaignStatus::Draft), Ok(()));
        assert_eq!(
            decide(None, CampaignStatus::Draft),
            Err(LeftAlone::RecordUnusable)
        );
        assert_eq!(
            decide(Some(4), CampaignStatus::Stopped),
            Err(LeftAlone::RecordUnusable)
        );
    }

    #[test]
    fn a_merge_keeps_one_entry_per_campaign_id() {
        let mut now = record(DesiredStatus::Running);
        now.merge(&[RecordChange::Set {
            name: "Q renamed".into(),
            renamed_from: None,
            entry: AppliedCampaign {
                id: Some(4),
                status: Some(DesiredStatus::Stopped),
                commit: Some("new".into()),
                manifest: None,
                commit_name: None,
            },
            commit: CommitRule::NotCompared,
        }]);
        assert_eq!(now.campaigns.keys().collect::<Vec<_>>(), ["Q renamed"]);
        assert_eq!(
            now.lookup("Q renamed", Some(4)).and_then(|e| e.status),
            Some(DesiredStatus::Stopped)
        );
    }

    #[test]
    fn a_merge_takes_the_runs_campaigns_and_keeps_the_others() {
        let mut now = record(DesiredStatus::Running);
        now.campaigns.insert(
            "Other".into(),
            AppliedCampaign {
                id: Some(9),
                status: Some(DesiredStatus::Stopped),
                commit: None,
                manifest: None,
                commit_name: None,
            },
        );
        let changed = now.merge(&[
            RecordChange::Set {
                name: "New".into(),
                renamed_from: Some("Q".into()),
                entry: AppliedCampaign {
                    id: Some(5),
                    status: Some(DesiredStatus::Draft),
                    commit: Some("abc".into()),
                    manifest: None,
                    commit_name: None,
                },
                commit: CommitRule::Carried,
            },
            RecordChange::Remove {
                name: "Other".into(),
            },
        ]);
        assert!(changed);
        assert_eq!(now.campaigns.keys().collect::<Vec<_>>(), ["New"]);
        assert!(!now.clone().merge(&[]), "nothing to change");
    }

    /// Whether a merge changed the record is whether the record differs from before it, as a
    /// whole-record comparison would say, though only the entries it touched are compared:
    /// the same changes again change nothing, and a campaign removed then set back as it was
    /// is no change.
    #[test]
    fn a_merge_says_changed_exactly_when_the_record_differs() {
        let set = |status| RecordChange::Set {
            name: "Q".into(),
            renamed_from: None,
            entry: AppliedCampaign {
                id: Some(4),
                status: Some(status),
                commit: None,
                manifest: None,
                commit_name: None,
            },
            commit: CommitRule::NotCompared,
        };
        let mut now = record(DesiredStatus::Running);
        let changes = [set(DesiredStatus::Stopped)];
        let before = now.clone();
        assert!(now.merge(&changes), "a new status");
        assert_ne!(now, before);
        let before = now.clone();
        assert!(!now.merge(&changes), "the same changes again");
        assert_eq!(now, before);
        let restored = [
            RecordChange::Remove { name: "Q".into() },
            set(DesiredStatus::Stopped),
        ];
        assert!(!now.merge(&restored), "removed and set back as it was");
        assert_eq!(now, before);
        let mut older = now.clone();
        older.version = 0;
        assert!(older.merge(&[]), "the layout version moves");
    }
}
