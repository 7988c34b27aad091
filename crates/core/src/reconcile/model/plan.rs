//! The plan as data: the per-campaign view, the leads and status of each campaign, what was
//! decided about deletions and the write-once baseline, and the operations that carry it out.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::api::types::{CampaignStatus, CreateCampaign};
use crate::manifest::Diagnostic;
use crate::reconcile::operation::{Operation, OperationId, OperationKind};

use super::assistant_view::{AssistantDisposition, AssistantExplanation};
use super::campaign_view::{Disposition, Explanation};
use super::leads_and_status::CampaignDetails;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub actions: Vec<Explanation>,
    /// Each declared assistant: what was decided and why (`assistants::plan_assistants`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assistants: Vec<AssistantExplanation>,
    /// Plan-time errors (missing references, names held by several remote campaigns). Any
    /// error blocks the whole apply: nothing is written.
    pub diagnostics: Vec<Diagnostic>,
    /// Leads to add and status changes, per campaign (`leads_and_status`). Empty from `plan()`
    /// alone; filled by the producer, `full_plan`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads_and_status: Vec<CampaignDetails>,
    /// Every write the plan makes, in dependency order (`derive::derive`): what apply
    /// executes and approves. Derived from `actions` and `leads_and_status`.
    #[serde(default)]
    pub operations: Vec<Operation>,
    /// Why deletions are held, and the undeclared campaigns kept for their history
    /// (`deletion::delete_decision`, weighed per campaign by `disposition`).
    #[serde(default, skip_serializing_if = "Deletions::is_empty")]
    pub deletions: Deletions,
    /// What the write-once fields were compared with, or why they were not (`None`: no
    /// baseline was looked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_once_baseline: Option<WriteOnceBaseline>,
}

/// The plan's counts: the one summary every rendering (text, Markdown, GitHub, JSON, the
/// `watch` pass line) and `--detailed-exitcode` read (`Plan::summary`). What will happen is
/// counted from the operations, which are all that runs; why the rest stays as it is
/// (unchanged, drift, unmanaged, deletions held, what apply cannot act on) from the view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Every operation of the plan, of any kind: apply has something to do when it is not 0.
    pub operations: usize,
    pub create: usize,
    /// Drafts deleted and created again (their delete is not counted in `delete`).
    pub replace: usize,
    pub delete: usize,
    pub leads_to_add: usize,
    pub leads_to_update: usize,
    pub start: usize,
    pub stop: usize,
    pub unchanged: usize,
    pub drift: usize,
    pub unmanaged: usize,
    /// Deletes held (`deletion`): planned, not carried out.
    pub held: usize,
    /// Campaigns apply cannot act on (`attention`): warned about, never "No changes".
    pub attention: usize,
    /// Assistants created, updated in place, deleted.
    pub assistants_to_create: usize,
    pub assistants_to_update: usize,
    pub assistants_to_delete: usize,
    /// Assistants whose fields were edited outside git and that `watch` leaves alone.
    pub assistants_left_alone: usize,
}

impl Summary {
    /// Whether applying would write something (a create, a lead, a status change, ...): what
    /// `--detailed-exitcode` calls a non-empty plan. What apply cannot act on (drift on a
    /// campaign that has run, a status it does not know) is a warning, not a change
    /// (`attention`); unmanaged campaigns are informational.
    pub fn has_changes(&self) -> bool {
        self.operations > 0
    }

    /// Whether any lead or status changes, for the renderings' `Leads:` line.
    pub fn changes_leads_or_status(&self) -> bool {
        self.leads_to_add + self.leads_to_update + self.start + self.stop > 0
    }
}

/// The counts as every plan rendering words them: `1 to create, 0 drifted, 2 unchanged, 0
/// unmanaged.`
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to create, ", self.create)?;
        // Only when there are any, so that plans without destruction read as they always did.
        if self.replace > 0 {
            write!(f, "{} to replace, ", self.replace)?;
        }
        if self.delete > 0 {
            write!(f, "{} to delete, ", self.delete)?;
        }
        if self.held > 0 {
            write!(f, "{} deletion(s) held, ", self.held)?;
        }
        write!(
            f,
            "{} drifted, {} unchanged, {} unmanaged",
            self.drift, self.unchanged, self.unmanaged
        )?;
        // Only when there are any, as above.
        let assistants = self.assistants_to_create
            + self.assistants_to_update
            + self.assistants_to_delete
            + self.assistants_left_alone;
        if assistants > 0 {
            write!(
                f,
                "; assistants: {} to create, {} to update in place",
                self.assistants_to_create, self.assistants_to_update
            )?;
            if self.assistants_to_delete > 0 {
                write!(f, ", {} to delete", self.assistants_to_delete)?;
            }
            if self.assistants_left_alone > 0 {
                write!(
                    f,
                    ", {} edited outside git left alone",
                    self.assistants_left_alone
                )?;
            }
        }
        if self.attention > 0 {
            write!(
                f,
                "; {} need attention (apply cannot act on them)",
                self.attention
            )?;
        }
        f.write_str(".")
    }
}

impl Plan {
    /// The counts every rendering shows: what will happen (creates, replacements, deletes)
    /// counted from the operations, which are all that runs; why the rest stays as it is
    /// (unchanged, drift, unmanaged, deletions held, what apply cannot act on) from the view.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        // A delete that a create waits for is the first half of a replacement.
        let replaced: HashSet<OperationId> = self
            .operations
            .iter()
            .filter(|op| op.is_replacing_create())
            .flat_map(|op| op.depends_on.iter().copied())
            .collect();
        s.operations = self.operations.len();
        for op in &self.operations {
            match &op.kind {
                OperationKind::CreateCampaign { .. } if op.is_replacing_create() => s.replace += 1,
                OperationKind::CreateCampaign { .. } => s.create += 1,
                OperationKind::DeleteCampaign { .. } if !replaced.contains(&op.id) => s.delete += 1,
                OperationKind::DeleteCampaign { .. } => {}
                OperationKind::AddLeads { leads, .. } => s.leads_to_add += leads.len(),
                OperationKind::UpdateLeads { updates } => s.leads_to_update += updates.len(),
                OperationKind::Start { .. } => s.start += 1,
                OperationKind::Stop => s.stop += 1,
                OperationKind::CreateAssistant { .. } => s.assistants_to_create += 1,
                OperationKind::UpdateAssistant { .. } => s.assistants_to_update += 1,
                OperationKind::DeleteAssistant => s.assistants_to_delete += 1,
            }
        }
        s.assistants_left_alone = self
            .assistants
            .iter()
            .filter(|a| a.disposition == AssistantDisposition::EditedOutside)
            .count();
        for a in &self.actions {
            match a.kind {
                // A tombstone whose campaign is gone is as the manifest wants it.
                Disposition::Unchanged { .. } | Disposition::Absent => s.unchanged += 1,
                Disposition::Drift { .. } => s.drift += 1,
                Disposition::Unmanaged => s.unmanaged += 1,
                Disposition::Delete { held: Some(_), .. } => s.held += 1,
                Disposition::Create { .. }
                | Disposition::Replace { .. }
                | Disposition::Delete { held: None, .. } => {}
            }
        }
        s.attention = self.attention_count();
        s
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn creates(&self) -> impl Iterator<Item = (&Explanation, &CreateCampaign)> {
        self.actions.iter().filter_map(|a| match &a.kind {
            Disposition::Create { request } => Some((a, &**request)),
            _ => None,
        })
    }

    /// Whether applying the plan deletes a campaign (a delete or a replace).
    pub fn destroys_data(&self) -> bool {
        self.operations.iter().any(|op| op.effects().destroys_data)
    }
}

/// What the plan decided about deletions beside its actions: why every deletion is held, and
/// the undeclared campaigns kept because they have run. Empty for most plans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletions {
    /// Why every delete and replace of the account is held (the loading problems), empty when
    /// none is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
    /// Campaigns under the prune prefix that no manifest declares, kept because they have run
    /// or hold leads (`--prune-prefix` alone deletes only drafts without leads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_history: Vec<KeptCampaign>,
}

impl Deletions {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty() && self.kept_history.is_empty()
    }
}

/// An undeclared campaign under the prune prefix that was not deleted because it has history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptCampaign {
    pub name: String,
    pub id: u64,
    pub status: CampaignStatus,
    /// How many leads it holds; `None` when they could not be read.
    pub leads: Option<usize>,
}

/// What a plan's write-once fields were compared with, as every rendering says it (one line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOnceBaseline {
    /// Compared with `with` (`the record of what was applied (commit 1a2b3c4d5e6f)`, ...);
    /// `caveat` says what that baseline cannot see (HEAD does not see committed edits).
    ComparedWith {
        with: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caveat: Option<String>,
        /// Campaigns the record of what was applied holds without a commit (applied from
        /// edits not committed): not compared, with this or anything else.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        uncommitted: Vec<String>,
    },
    /// No baseline could be had: why (no git repository, no commit yet, ...).
    Unavailable { why: String },
}
