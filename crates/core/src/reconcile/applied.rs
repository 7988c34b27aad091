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

use serde::{Deserialize, Serialize};

use crate::api::types::CampaignStatus;
use crate::manifest::DesiredStatus;

use super::operation::{OperationId, OperationKind};
use super::plan::{ActionKind, Plan};

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
    /// The manifest file that declared the campaign, as the run named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

impl AppliedRecord {
    /// A campaign's entry, by name, or by id when it was renamed since.
    pub fn lookup(&self, name: &str, id: Option<u64>) -> Option<&AppliedCampaign> {
        self.campaigns.get(name).or_else(|| {
            let id = id?;
            self.campaigns.values().find(|c| c.id == Some(id))
        })
    }

    /// Applies one run's changes on top of this record (the one read now, which another run
    /// may have moved): each campaign the run carried something out on takes the run's entry,
    /// every other campaign keeps what it has. Returns whether anything changed.
    pub fn merge(&mut self, changes: &[RecordChange]) -> bool {
        let before = self.clone();
        for change in changes {
            match change {
                RecordChange::Set {
                    name,
                    renamed_from,
                    entry,
                    commit,
                } => {
                    let old = match renamed_from {
                        Some(old) => self.campaigns.remove(old),
                        None => None,
                    }
                    .or_else(|| self.campaigns.get(name).cloned());
                    let mut entry = entry.clone();
                    entry.commit = commit.resolve(entry.commit.take(), old.and_then(|o| o.commit));
                    self.campaigns.insert(name.clone(), entry);
                }
                RecordChange::Remove { name } => {
                    self.campaigns.remove(name);
                }
            }
        }
        self.version = RECORD_VERSION;
        *self != before
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
    /// there is none yet (the first record of a campaign is what it was applied from).
    NotCompared,
    /// A write-once change this run did not carry out (a campaign that has run cannot take it):
    /// the old commit, or none.
    Refused,
}

impl CommitRule {
    /// The commit to record, from this run's (`now`) and the one recorded before (`old`).
    pub fn resolve(self, now: Option<String>, old: Option<String>) -> Option<String> {
        match self {
            CommitRule::Carried => now,
            CommitRule::Verified => now.or(old),
            CommitRule::NotCompared => old.or(now),
            CommitRule::Refused => old,
        }
    }

    /// The rule for a campaign this run did not create, from its action.
    fn of_action(action: Option<&super::plan::Action>) -> CommitRule {
        match action.map(|a| &a.kind) {
            Some(ActionKind::Drift {
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
            Some(ActionKind::Unchanged { write_once }) if write_once.is_empty() => {
                CommitRule::Verified
            }
            _ => CommitRule::NotCompared,
        }
    }
}

/// Why a start that the manifest's `status: running` would otherwise ask for is not made: a
/// typed reason on the per-campaign view, so every rendering (and the rule for "what apply
/// cannot act on") can tell it from free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftAlone {
    /// campaignctl started it (the record says `running` was carried out) and it was stopped
    /// or paused outside campaignctl since: a person's stop wins.
    StoppedOutside,
    /// campaignctl had it running (the record says so) and it is gone from the platform or is
    /// a draft again: deleted by hand. It is created as a draft, which calls nobody.
    DeletedOutside,
    /// It is stopped or paused and no record says what campaignctl last carried out on it:
    /// it may have been stopped by a person, so it is not started (fail closed).
    NoRecord,
}

impl LeftAlone {
    /// The plan's note: what is left alone, and why.
    pub fn note(self) -> &'static str {
        match self {
            LeftAlone::StoppedOutside => "stopped outside campaignctl after campaignctl started it; a person's stop wins, so it is left alone",
            LeftAlone::DeletedOutside => "deleted outside campaignctl after campaignctl started it; it is created again as a draft, which calls nobody, and not started",
            LeftAlone::NoRecord => "not running, and no record says what campaignctl last carried out on it; it may have been stopped by a person, so it is not started",
        }
    }

    /// How the user proceeds.
    pub fn hint(self) -> &'static str {
        match self {
            LeftAlone::StoppedOutside | LeftAlone::DeletedOutside => "to start it again, set status: stopped, apply, then set status: running (a change git asks for); or start it in the dashboard; or apply once with --self-heal-calls",
            LeftAlone::NoRecord => "the record of what was applied is kept in the git repository of the manifests (refs/campaignctl/applied/); if it should call, start it in the dashboard, or apply once with --self-heal-calls",
        }
    }
}

/// What the rule needs to know about one campaign whose manifest says `status: running` and
/// whose platform status would allow a start.
pub struct StartContext<'a> {
    /// The record of the account, if one could be read.
    pub record: Option<&'a AppliedRecord>,
    pub name: &'a str,
    /// `None` for a campaign this plan creates.
    pub remote_id: Option<u64>,
    /// `--self-heal-calls`: start whatever git says should run, as before.
    pub self_heal: bool,
}

/// Whether git asks for a start from `actual` (draft, stopped or paused; `Draft` for a campaign
/// about to be created), or why it is left alone. The rule: a campaign the record has and the
/// platform no longer has was deleted by a person (created again as a draft, not started); with
/// an entry, start unless `running` is what was last settled (then the campaign was stopped or
/// deleted outside campaignctl since); without one, start only what has never run (a draft, or
/// a new campaign): a draft whose start was held still counts as asked for, and nobody stops a
/// draft.
pub fn may_start(ctx: &StartContext<'_>, actual: &CampaignStatus) -> Result<(), LeftAlone> {
    if ctx.self_heal {
        return Ok(());
    }
    let never_ran = *actual == CampaignStatus::Draft;
    let entry = ctx.record.and_then(|r| r.lookup(ctx.name, ctx.remote_id));
    match entry {
        // campaignctl had it, and it is gone: whatever it was, a person deleted it.
        Some(_) if ctx.remote_id.is_none() => Err(LeftAlone::DeletedOutside),
        Some(e) if e.status == Some(DesiredStatus::Running) => Err(if never_ran {
            LeftAlone::DeletedOutside
        } else {
            LeftAlone::StoppedOutside
        }),
        Some(_) => Ok(()),
        None if never_ran => Ok(()),
        None => Err(LeftAlone::NoRecord),
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
        if let ActionKind::Delete { .. } = action.kind {
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
    let actions_of: HashMap<&crate::manifest::Location, &super::plan::Action> = plan
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
            ActionKind::Replace { renamed_from, .. } => renamed_from.clone(),
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
                record,
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
            record: None,
            name: "Q",
            remote_id: Some(4),
            self_heal: true,
        };
        assert_eq!(may_start(&healing, &CampaignStatus::Stopped), Ok(()));
    }

    #[test]
    fn a_renamed_campaign_is_found_by_id() {
        let running = record(DesiredStatus::Running);
        let ctx = StartContext {
            record: Some(&running),
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
    fn a_merge_takes_the_runs_campaigns_and_keeps_the_others() {
        let mut now = record(DesiredStatus::Running);
        now.campaigns.insert(
            "Other".into(),
            AppliedCampaign {
                id: Some(9),
                status: Some(DesiredStatus::Stopped),
                commit: None,
                manifest: None,
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
}
