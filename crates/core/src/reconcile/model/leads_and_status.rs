//! What a campaign needs beyond its creation, as data: the leads it lacks, the status change it
//! needs, and why apply may not act on it (`CannotAct`, `LeftAlone`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::manifest::{DesiredLead, DesiredStatus, Location};
use crate::reconcile::operation::LeadUpdate;
use crate::reconcile::resolve::References;

/// One campaign's details beside its disposition: what its references resolved to, the leads
/// it lacks or whose variables differ, and its status change (or why it is left as it is). Part
/// of the view (why); the operations carry out what it says will happen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CampaignDetails {
    pub name: String,
    pub manifest: Location,
    /// `None` when the campaign is created by this plan: its id is known after the create.
    pub remote_id: Option<u64>,
    pub references: References,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leads: Option<LeadsChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusChange>,
}

impl CampaignDetails {
    /// Whether applying this leads and status writes anything.
    pub fn has_changes(&self) -> bool {
        self.leads
            .as_ref()
            .is_some_and(|l| !l.to_add.is_empty() || !l.to_update.is_empty())
            || self.status.as_ref().is_some_and(|s| s.action.is_some())
    }

    /// A start left alone, and why (`applied::may_start`).
    pub fn left_alone(&self) -> Option<LeftAlone> {
        self.status.as_ref().and_then(|s| s.left_alone)
    }

    /// Whether a plan must show this campaign even when its settings are unchanged: it has
    /// something to write, or a note on a status it will not change.
    pub fn worth_showing(&self) -> bool {
        self.has_changes()
            || self.status.as_ref().is_some_and(|s| s.note.is_some())
            // A variable removed from the manifest stays on the platform (updates merge): the
            // plan must say so, or the edit would look applied.
            || self.leads.as_ref().is_some_and(|l| l.extra_variables > 0)
    }

    pub fn starts(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.action == Some(StatusAction::Start))
    }

    /// Leads added to a campaign that is already running: it dials them as they arrive.
    pub fn calls_new_leads(&self) -> bool {
        self.leads
            .as_ref()
            .is_some_and(|l| l.campaign_running && !l.to_add.is_empty())
    }

    /// Whether applying this leads and status places phone calls: a start, or leads added to a
    /// running campaign. Such changes are marked loudly, confirmed separately, and left alone
    /// by `watch` without `--allow-start`.
    pub fn places_calls(&self) -> bool {
        self.starts() || self.calls_new_leads()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeadsChange {
    /// How many leads the manifest declares.
    pub declared: usize,
    /// How many leads the campaign has on the platform now (declared or not).
    pub on_platform: usize,
    /// The declared leads whose phone number the campaign does not have yet (in full, shared
    /// with its add-leads operation; the plan JSON shows only the count).
    pub to_add: Arc<[DesiredLead]>,
    /// The campaign is running (`in-progress`) now, or in a status campaignctl does not know,
    /// and this plan does not stop it first, so leads added to it may be called.
    #[serde(default)]
    pub campaign_running: bool,
    /// Declared leads the campaign has whose declared variables differ from the platform's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_update: Vec<LeadUpdate>,
    /// Leads on the platform no manifest declares: counted, left alone (never deleted).
    #[serde(default)]
    pub undeclared: usize,
    /// Declared leads holding variables on the platform that the manifest does not set: the
    /// platform merges updates, so campaignctl cannot remove them; they stay.
    #[serde(default)]
    pub extra_variables: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusAction {
    /// Places real phone calls.
    Start,
    Stop,
}

impl StatusAction {
    /// The `action` of `POST /user/campaigns/update-status`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Start => "start",
            StatusAction::Stop => "stop",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusChange {
    pub desired: DesiredStatus,
    /// The platform's status now (`draft` for a campaign about to be created).
    pub actual: String,
    pub action: Option<StatusAction>,
    /// Why nothing is done although the status differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A start git does not ask for, left alone (`applied::may_start`): a warning, never "as
    /// wanted". `note` says the same in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_alone: Option<LeftAlone>,
    /// Set when apply cannot bring the campaign to the desired status: a warning, never "as
    /// wanted" (`attention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cannot_act: Option<CannotAct>,
}

/// Why apply cannot act on a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CannotAct {
    /// The platform reports a status campaignctl does not know, or none: nothing is started,
    /// stopped or assumed from it.
    UnknownStatus,
    /// A known status the manifest's does not lead from (a completed campaign is not restarted;
    /// `draft` never stops a running one; a paused one is not stopped).
    StatusLeftAsIs,
    /// Observable fields differ and the campaign cannot be replaced (it may have run, or holds
    /// leads no manifest declares); the API has no update.
    Drift,
    /// A start git does not ask for (a person's stop, a campaign deleted by hand, no record
    /// that campaignctl started it): left alone, with the reason in `StatusChange::left_alone`
    /// (`applied::may_start`).
    StartLeftAlone,
}

impl CannotAct {
    pub fn as_str(self) -> &'static str {
        match self {
            CannotAct::UnknownStatus => "unknown_status",
            CannotAct::StatusLeftAsIs => "status_left_as_is",
            CannotAct::Drift => "drift",
            CannotAct::StartLeftAlone => "start_left_alone",
        }
    }
}

/// Why a start that the manifest's `status: running` would otherwise ask for is not made: a
/// typed reason on the per-campaign view, so every rendering (and the rule for "what apply
/// cannot act on") can tell it from free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftAlone {
    /// The record's entry says campaignctl last left it running or a draft, and it is stopped
    /// or paused now: stopped outside campaignctl since (a person's stop wins).
    StoppedOutside,
    /// campaignctl had it running (the record says so) and it is gone from the platform or is
    /// a draft again: deleted by hand. It is created as a draft, which calls nobody.
    DeletedOutside,
    /// It is stopped or paused and no record says what campaignctl last carried out on it:
    /// it may have been stopped by a person, so it is not started (fail closed).
    NoRecord,
    /// The record exists but cannot be read, so nothing tells a person's stop or delete from a
    /// start git asks for: only a draft on the platform is started (fail closed).
    RecordUnusable,
}

impl LeftAlone {
    /// The plan's note: what is left alone, and why.
    pub fn note(self) -> &'static str {
        match self {
            LeftAlone::StoppedOutside => "stopped outside campaignctl since campaignctl last left it running or a draft; a person's stop wins, so it is left alone",
            LeftAlone::DeletedOutside => "deleted outside campaignctl after campaignctl started it; it is created again as a draft, which calls nobody, and not started",
            LeftAlone::NoRecord => "not running, and no record says what campaignctl last carried out on it; it may have been stopped by a person, so it is not started",
            LeftAlone::RecordUnusable => "the record of what was applied cannot be read, so nothing says whether a person stopped or deleted it; only a draft on the platform is started",
        }
    }

    /// How the user proceeds.
    pub fn hint(self) -> &'static str {
        match self {
            LeftAlone::StoppedOutside | LeftAlone::DeletedOutside => "to start it again, set status: stopped, apply, then set status: running (a change git asks for); or start it in the dashboard; or apply once with --self-heal-calls",
            LeftAlone::NoRecord => "the record of what was applied is kept in the git repository of the manifests (refs/campaignctl/applied/); if it should call, start it in the dashboard, or apply once with --self-heal-calls",
            LeftAlone::RecordUnusable => "inspect the record with `git show refs/campaignctl/applied/<key>:record.json` or delete it with `git update-ref -d refs/campaignctl/applied/<key>` (the warning about it names the ref); or apply once with --self-heal-calls",
        }
    }
}
