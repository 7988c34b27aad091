//! One declared assistant's part of the plan as data: what was decided about it and why (the
//! fields that differ, those that could not be compared). What runs is the plan's operations;
//! this is what the renderings show beside them.

use serde::{Deserialize, Serialize};

use crate::manifest::Location;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistantExplanation {
    pub name: String,
    /// The manifest that declares it.
    pub manifest: Location,
    /// The platform's id, when it exists.
    pub remote_id: Option<u64>,
    pub disposition: AssistantDisposition,
    /// The fields that differ (an update, or edits `watch` leaves alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<AssistantFieldChange>,
    /// Fields the manifest declares that the list does not return and no baseline knows:
    /// not compared, so a plan of this assistant is never called "in sync" for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_compared: Vec<String>,
}

/// What was decided about one declared assistant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssistantDisposition {
    /// No assistant has the name: create it.
    Create,
    /// Fields differ: update them in place, and only them.
    Update,
    /// Every field compared matches.
    Unchanged,
    /// `status: deleted`, and it exists: delete it (`--allow-delete`).
    Delete,
    /// `status: deleted`, held: a campaign may still use it.
    DeleteRefused { why: DeleteRefused },
    /// `status: deleted`, and it is already gone.
    Absent,
    /// `id:` adopts an assistant the platform does not list (an error of the plan).
    AdoptedIdMissing { id: u64 },
    /// Fields were changed outside git (the manifest declares what the baseline did, the
    /// platform differs): `watch` leaves them unless `--self-heal-calls` (plan and apply
    /// change them back).
    EditedOutside,
}

/// Why an assistant's `status: deleted` is not carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeleteRefused {
    /// Campaigns declared in the repository name it (their names).
    UsedBy { campaigns: Vec<String> },
    /// The account has campaigns no manifest declares; the campaign list does not return
    /// `assistant_id`, so whether they use it cannot be known.
    UndeclaredCampaigns { count: usize },
}

impl DeleteRefused {
    /// Why, in words, for every rendering.
    pub fn describe(&self) -> String {
        match self {
            DeleteRefused::UsedBy { campaigns } => format!(
                "campaigns declared here use it: {}",
                campaigns.join(", ")
            ),
            DeleteRefused::UndeclaredCampaigns { count } => format!(
                "the account has {count} campaign(s) no manifest declares, and the platform's campaign list does not say which assistant they use"
            ),
        }
    }
}

/// One field that differs: its name and both values as shown in a plan (`None`: not set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistantFieldChange {
    pub field: String,
    pub live: Option<String>,
    pub declared: Option<String>,
    /// Compared with the git baseline, since the platform's list does not return it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_baseline: bool,
}

impl AssistantFieldChange {
    /// Whether the change is long text best shown as a line diff (the prompts).
    pub fn is_text(&self) -> bool {
        matches!(self.field.as_str(), "system_prompt" | "initial_message")
    }
}
