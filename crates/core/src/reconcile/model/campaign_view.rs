//! One campaign's part of the plan as data: what was decided about it (`Disposition`), its
//! field changes and notes. Decided by `plan` (and the rules beside it); read by renderers.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::types::{CampaignStatus, CreateCampaign};
use crate::campaign::field_name;
use crate::manifest::Location;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Explanation {
    pub name: String,
    /// The manifest that declares the campaign; `None` for unmanaged campaigns.
    pub manifest: Option<Location>,
    /// The remote campaign id, when it exists.
    pub remote_id: Option<u64>,
    pub kind: Disposition,
    /// What the operator should know beside the action: why drift is not corrected by a
    /// replace and what to do instead, or that a create looks like a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a campaign is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeleteReason {
    /// Its manifest says `status: deleted`.
    Manifest,
    /// No manifest declares it and its name starts with `--prune-prefix`.
    Prune { prefix: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Disposition {
    /// No campaign has the name: create it with exactly the manifest's fields. The body is
    /// the create operation's (`derive` shares it), held once however many refer to it.
    Create { request: Arc<CreateCampaign> },
    /// Every observable field the manifest sets matches. `write_once` lists the fields the
    /// manifest sets that cannot be read back, so are not compared.
    Unchanged {
        #[serde(deserialize_with = "field_name::deserialize_vec")]
        write_once: Vec<field_name::Name>,
    },
    /// Observable fields differ. The API has no update endpoint, so this is reported only.
    Drift {
        changes: Vec<FieldChange>,
        #[serde(deserialize_with = "field_name::deserialize_vec")]
        write_once: Vec<field_name::Name>,
    },
    /// A remote campaign no manifest names: reported, never touched (unless pruned).
    Unmanaged,
    /// The campaign must not exist (`status: deleted`, or pruned): delete it, with its leads
    /// and call history. Needs `--allow-delete`.
    Delete {
        reason: DeleteReason,
        /// Its status when planned (a running campaign stops calling when deleted).
        status: CampaignStatus,
        /// How many leads it holds, when they were read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leads: Option<usize>,
        /// Why it is not deleted now (`deletion`): a loading problem of the account, or a prune
        /// `watch` has not confirmed yet. A held delete derives no operation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        held: Option<String>,
    },
    /// A draft whose observable fields differ (or whose name changed, `renamed_from`): the
    /// API cannot update it, and a draft has placed no calls, so it is deleted and created
    /// again from the manifest (with the manifest's leads). Only when every lead it holds is
    /// declared in the manifest.
    Replace {
        /// The fields that force the replacement (`name` for a rename).
        changes: Vec<FieldChange>,
        #[serde(deserialize_with = "field_name::deserialize_vec")]
        write_once: Vec<field_name::Name>,
        /// The create that follows the delete: exactly the manifest's fields (shared with the
        /// create operation, as `Create`'s).
        request: Arc<CreateCampaign>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        renamed_from: Option<String>,
        /// How many leads the draft held when they were read (`disposition`):
        /// its delete is refused if the count differs by then, since a lead added by hand in
        /// between would be deleted with the draft.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leads: Option<usize>,
    },
    /// `status: deleted` and no campaign holds the name: nothing to do (a tombstone).
    Absent,
}

impl Disposition {
    pub fn label(&self) -> &'static str {
        match self {
            Disposition::Create { .. } => "create",
            Disposition::Unchanged { .. } => "unchanged",
            Disposition::Drift { .. } => "drift",
            Disposition::Unmanaged => "unmanaged",
            Disposition::Delete { held: None, .. } => "delete",
            Disposition::Delete { held: Some(_), .. } => "held_delete",
            Disposition::Replace { .. } => "replace",
            Disposition::Absent => "absent",
        }
    }
}

/// One field whose value on the platform differs from the manifest's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    #[serde(deserialize_with = "field_name::deserialize")]
    pub field: field_name::Name,
    pub desired: Value,
    /// The platform's value: read from it for an observable field; for a write-once field,
    /// which the platform never returns, the value at `known_from` (`baseline`).
    pub actual: Value,
    /// Where a write-once field's `actual` comes from (`git revision 1a2b3c4d`); `None` for a
    /// field read from the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_from: Option<String>,
}

impl FieldChange {
    /// Where `actual` comes from, as renderings name it: `platform`, or for a write-once field
    /// `write-once, at main (commit 1a2b3c4d)`.
    pub fn actual_source(&self) -> String {
        match &self.known_from {
            None => "platform".to_owned(),
            Some(from) => format!("write-once, at {from}"),
        }
    }
}
