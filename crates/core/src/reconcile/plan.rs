//! The plan: a pure function of (desired manifests, observed state). No I/O, no clock, and a
//! deterministic order: manifests in load order (file, line), then unmanaged campaigns by id.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::types::{CampaignStatus, CreateCampaign, RemoteCampaign};
use crate::campaign::field_name;
use crate::campaign::fields::{OBSERVABLE, WRITE_ONCE};
use crate::manifest::{CampaignSpec, Diagnostic, Location, Manifest};

use super::deletion::Deletions;
use super::leads_and_status::LeadsAndStatus;
use super::observed::Observed;
use super::operation::{self, Operation};
use super::references::check_references;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub actions: Vec<Action>,
    /// Plan-time errors (missing references, names held by several remote campaigns). Any
    /// error blocks the whole apply: nothing is written.
    pub diagnostics: Vec<Diagnostic>,
    /// Leads to add and status changes, per campaign (`leads_and_status`). Empty from `plan()`
    /// alone; filled by `full_plan::add_leads_and_status`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads_and_status: Vec<LeadsAndStatus>,
    /// Every write the plan makes, in dependency order (`operation::derive`): what apply
    /// executes and approves. Derived from `actions` and `leads_and_status`.
    #[serde(default)]
    pub operations: Vec<Operation>,
    /// Why deletions are held, and the undeclared campaigns kept for their history
    /// (`deletion::decide`).
    #[serde(default, skip_serializing_if = "Deletions::is_empty")]
    pub deletions: Deletions,
    /// What the write-once fields were compared with, or why they were not (`None`: no
    /// baseline was looked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_once_baseline: Option<super::baseline::WriteOnceBaseline>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Action {
    pub name: String,
    /// The manifest that declares the campaign; `None` for unmanaged campaigns.
    pub manifest: Option<Location>,
    /// The remote campaign id, when it exists.
    pub remote_id: Option<u64>,
    pub kind: ActionKind,
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
pub enum ActionKind {
    /// No campaign has the name: create it with exactly the manifest's fields.
    Create { request: CreateCampaign },
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
        /// The create that follows the delete: exactly the manifest's fields.
        request: CreateCampaign,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        renamed_from: Option<String>,
        /// How many leads the draft held when they were read (`lifecycle::settle_with_leads`):
        /// its delete is refused if the count differs by then, since a lead added by hand in
        /// between would be deleted with the draft.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leads: Option<usize>,
    },
    /// `status: deleted` and no campaign holds the name: nothing to do (a tombstone).
    Absent,
}

impl ActionKind {
    pub fn label(&self) -> &'static str {
        match self {
            ActionKind::Create { .. } => "create",
            ActionKind::Unchanged { .. } => "unchanged",
            ActionKind::Drift { .. } => "drift",
            ActionKind::Unmanaged => "unmanaged",
            ActionKind::Delete { held: None, .. } => "delete",
            ActionKind::Delete { held: Some(_), .. } => "held_delete",
            ActionKind::Replace { .. } => "replace",
            ActionKind::Absent => "absent",
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub unchanged: usize,
    pub drift: usize,
    pub unmanaged: usize,
    #[serde(default)]
    pub replace: usize,
    #[serde(default)]
    pub delete: usize,
    /// Deletes held (`deletion`): planned, not carried out.
    #[serde(default)]
    pub held: usize,
    /// Campaigns apply cannot act on (`attention`): warned about, never "No changes".
    #[serde(default)]
    pub attention: usize,
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
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for a in &self.actions {
            match a.kind {
                ActionKind::Create { .. } => s.create += 1,
                // A tombstone whose campaign is gone is as the manifest wants it.
                ActionKind::Unchanged { .. } | ActionKind::Absent => s.unchanged += 1,
                ActionKind::Drift { .. } => s.drift += 1,
                ActionKind::Unmanaged => s.unmanaged += 1,
                ActionKind::Replace { .. } => s.replace += 1,
                ActionKind::Delete { held: None, .. } => s.delete += 1,
                ActionKind::Delete { held: Some(_), .. } => s.held += 1,
            }
        }
        s.attention = self.attention_count();
        s
    }

    /// Whether applying would write something (a create, a lead, a status change): what
    /// `--detailed-exitcode` calls a non-empty plan. What apply cannot act on (drift on a
    /// campaign that has run, a status it does not know) is a warning, not a change
    /// (`attention`); unmanaged campaigns are informational.
    pub fn has_changes(&self) -> bool {
        self.has_writes()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn creates(&self) -> impl Iterator<Item = (&Action, &CreateCampaign)> {
        self.actions.iter().filter_map(|a| match &a.kind {
            ActionKind::Create { request } => Some((a, request)),
            _ => None,
        })
    }

    /// Whether applying the plan deletes a campaign (a delete or a replace).
    pub fn destroys_data(&self) -> bool {
        self.operations.iter().any(|op| op.effects.destroys_data)
    }
}

/// Computes the plan. `desired` must already be valid (see `manifest::load`).
///
/// A manifest with `id` adopts that campaign: it is matched by id, never created, and its name
/// is compared like any other observable field. Every other manifest is matched by name among
/// the campaigns no manifest adopts.
pub fn plan(desired: &[Manifest], observed: &Observed) -> Plan {
    let by_id: HashMap<u64, &RemoteCampaign> =
        observed.campaigns.iter().map(|c| (c.id, c)).collect();
    let adopted: HashMap<u64, &Manifest> = desired
        .iter()
        .filter_map(|m| m.spec.id.map(|id| (id, m)))
        .collect();
    let mut by_name: BTreeMap<&str, Vec<&RemoteCampaign>> = BTreeMap::new();
    for c in &observed.campaigns {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }
    let declared_names: HashSet<&str> = desired.iter().map(|m| m.spec.name.as_str()).collect();

    let mut actions = Vec::with_capacity(desired.len() + observed.campaigns.len());
    let mut diagnostics = Vec::new();
    let mut matched: HashSet<u64> = HashSet::new();
    for m in desired {
        let spec = &m.spec;
        if let Some(id) = spec.id {
            match by_id.get(&id) {
                // A tombstone deletes only the campaign it names: an id alone (a typo, a copy,
                // a file cut off so that `id: 41` reads `id: 4`) must never delete another
                // campaign's history. Refused, so that nothing is applied while it stands.
                Some(remote)
                    if spec.is_deleted()
                        && remote.name != spec.name
                        && spec.renamed_from.as_deref() != Some(remote.name.as_str()) =>
                {
                    matched.insert(id);
                    diagnostics.push(
                        Diagnostic::error(
                            Some(m.locate("id")),
                            format!(
                                "campaign id {id} is {:?} on the platform, not {:?}; status: deleted deletes only the campaign its manifest names, so nothing is deleted",
                                remote.name, spec.name
                            ),
                        )
                        .with_field("id")
                        .with_hint(format!(
                            "check the id; to delete campaign {id}, write its current name: name: {:?}",
                            remote.name
                        )),
                    );
                }
                Some(remote) if spec.is_deleted() => {
                    matched.insert(id);
                    actions.push(delete_action(m, remote));
                }
                Some(remote) => {
                    matched.insert(id);
                    actions.push(compare(m, remote));
                }
                None if spec.is_deleted() => actions.push(absent(m)),
                None => diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("id")),
                        format!(
                            "campaign id {id} ({:?}) does not exist on the platform; campaignctl will not create a different campaign in its place",
                            spec.name
                        ),
                    )
                    .with_field("id")
                    .with_hint("if it was deleted on purpose, delete this manifest (or set status: deleted); to create it anew, remove `id:` and set assistant_id"),
                ),
            }
            continue;
        }
        let free_holders = |name: &str| -> (Vec<&RemoteCampaign>, Vec<&RemoteCampaign>) {
            by_name
                .get(name)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .partition(|c| adopted.contains_key(&c.id))
        };
        let (held, free) = free_holders(&spec.name);
        match free.as_slice() {
            [] if !held.is_empty() => {
                let holder = held[0];
                let adopter = adopted[&holder.id];
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by campaign id {}, which {} adopts by id; creating it would make two campaigns of one name",
                            spec.name,
                            holder.id,
                            adopter.locate("id")
                        ),
                    )
                    .with_field("name")
                    .with_hint("rename one of the two manifests"),
                );
            }
            [] if spec.is_deleted() => actions.push(absent(m)),
            [] => {
                // Renamed in git: the campaign may still be on the platform under its old name.
                let old = spec
                    .renamed_from
                    .as_deref()
                    .map(|old| (old, free_holders(old).1));
                match old {
                    Some((old, _)) if declared_names.contains(old) => diagnostics.push(
                        Diagnostic::error(
                            Some(m.locate("renamed_from")),
                            format!(
                                "renamed_from {old:?} is the name of another manifest; one campaign cannot be both"
                            ),
                        )
                        .with_field("renamed_from")
                        .with_hint("remove renamed_from, or rename the other manifest"),
                    ),
                    Some((_, olds)) if olds.len() == 1 => {
                        let remote = olds[0];
                        matched.insert(remote.id);
                        actions.push(compare_checked(m, remote, observed));
                    }
                    Some((old, olds)) if olds.len() > 1 => {
                        matched.extend(olds.iter().map(|c| c.id));
                        diagnostics.push(
                            Diagnostic::error(
                                Some(m.locate("renamed_from")),
                                format!(
                                    "renamed_from {old:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one was renamed",
                                    olds.len(),
                                    ids_text(&olds)
                                ),
                            )
                            .with_field("renamed_from")
                            .with_hint("delete or rename the extra campaigns in the dashboard, or remove renamed_from"),
                        );
                    }
                    _ => {
                        diagnostics.extend(check_references(m, observed));
                        actions.push(Action {
                            name: spec.name.clone(),
                            manifest: Some(m.location.clone()),
                            remote_id: None,
                            kind: ActionKind::Create {
                                request: spec.create_request(),
                            },
                            note: None,
                        });
                    }
                }
            }
            [remote] if spec.is_deleted() => {
                matched.insert(remote.id);
                actions.push(delete_action(m, remote));
            }
            // A rename onto a name another campaign holds, while the campaign to rename is
            // still there: taking over either would be a guess (and replacing the old one
            // would leave two campaigns of one name). Once the old name is gone, the rename
            // is done and `renamed_from` is inert.
            [remote]
                if spec
                    .renamed_from
                    .as_deref()
                    .is_some_and(|old| !free_holders(old).1.is_empty()) =>
            {
                matched.insert(remote.id);
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("renamed_from")),
                        format!(
                            "renamed_from: {:?} onto {:?}, a name campaign {} already holds; the platform would have two campaigns of one name",
                            spec.renamed_from.as_deref().unwrap_or_default(),
                            spec.name,
                            remote.id
                        ),
                    )
                    .with_field("renamed_from")
                    .with_hint("choose a name no campaign holds, or delete the campaign holding it first (status: deleted in its manifest), or remove renamed_from to manage that campaign instead"),
                );
            }
            [remote] => {
                matched.insert(remote.id);
                actions.push(compare_checked(m, remote, observed));
            }
            many => {
                matched.extend(many.iter().map(|c| c.id));
                diagnostics.push(
                    Diagnostic::error(
                        Some(m.locate("name")),
                        format!(
                            "campaign name {:?} is held by {} campaigns on the platform (ids {}); campaignctl will not guess which one this manifest means",
                            spec.name,
                            many.len(),
                            ids_text(many)
                        ),
                    )
                    .with_field("name")
                    .with_hint("delete or rename the extra campaigns in the dashboard so that one campaign holds the name, or pin this manifest to one of them with `id:`"),
                );
            }
        }
    }

    let mut unmanaged: Vec<&RemoteCampaign> = observed
        .campaigns
        .iter()
        .filter(|c| !matched.contains(&c.id))
        .collect();
    unmanaged.sort_by_key(|c| c.id);
    actions.extend(unmanaged.into_iter().map(|c| Action {
        name: c.name.clone(),
        manifest: None,
        remote_id: Some(c.id),
        kind: ActionKind::Unmanaged,
        note: None,
    }));
    super::lifecycle::add_rename_hints(&mut actions, desired, observed);

    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let operations = operation::derive(&actions, &[]);
    Plan {
        actions,
        diagnostics,
        leads_and_status: Vec::new(),
        operations,
        deletions: Deletions::default(),
        write_once_baseline: None,
    }
}

fn ids_text(campaigns: &[&RemoteCampaign]) -> String {
    let ids: Vec<String> = campaigns.iter().map(|c| c.id.to_string()).collect();
    ids.join(", ")
}

/// `status: deleted` for a campaign that exists.
fn delete_action(m: &Manifest, remote: &RemoteCampaign) -> Action {
    Action {
        name: remote.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: Some(remote.id),
        kind: ActionKind::Delete {
            reason: DeleteReason::Manifest,
            status: remote.status.clone(),
            leads: None,
            held: None,
        },
        note: None,
    }
}

/// `status: deleted` for a campaign that does not exist: satisfied.
fn absent(m: &Manifest) -> Action {
    Action {
        name: m.spec.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: None,
        kind: ActionKind::Absent,
        note: None,
    }
}

/// [`compare`], and a replace whose create would fail on its references is kept as drift.
fn compare_checked(m: &Manifest, remote: &RemoteCampaign, observed: &Observed) -> Action {
    let mut action = compare(m, remote);
    check_replace(&mut action, m, observed);
    action
}

/// A replace whose create would fail on its references (`m`'s) is kept as drift.
pub(super) fn check_replace(action: &mut Action, m: &Manifest, observed: &Observed) {
    if matches!(action.kind, ActionKind::Replace { .. }) {
        let problems = check_references(m, observed);
        if problems.iter().any(Diagnostic::is_error) {
            super::lifecycle::keep_unreplaceable(action, &problems);
        }
    }
}

/// The action for a manifest matched to `remote`: unchanged, replaced (a draft that differs)
/// or drift (anything that may have run, or cannot be created from the manifest).
fn compare(m: &Manifest, remote: &RemoteCampaign) -> Action {
    let spec = &m.spec;
    let mut changes = Vec::new();
    if spec.name != remote.name {
        // A campaign adopted by id, or one renamed with renamed_from.
        changes.push(FieldChange {
            field: "name",
            desired: json!(spec.name),
            actual: json!(remote.name),
            known_from: None,
        });
    }
    changes.extend(diff(spec, remote));
    let write_once = write_once_fields(spec);
    let (kind, note) = if changes.is_empty() {
        (ActionKind::Unchanged { write_once }, None)
    } else {
        match super::lifecycle::why_not_replaced(spec, remote) {
            None => (
                ActionKind::Replace {
                    changes,
                    write_once,
                    request: spec.create_request(),
                    renamed_from: (spec.name != remote.name).then(|| remote.name.clone()),
                    leads: None,
                },
                None,
            ),
            Some(why) => (
                ActionKind::Drift {
                    changes,
                    write_once,
                },
                Some(why),
            ),
        }
    };
    Action {
        name: spec.name.clone(),
        manifest: Some(m.location.clone()),
        remote_id: Some(remote.id),
        kind,
        note,
    }
}

/// The write-once fields this manifest sets, in manifest field order.
fn write_once_fields(spec: &CampaignSpec) -> Vec<&'static str> {
    WRITE_ONCE
        .iter()
        .filter(|&&f| spec.get(f).is_some())
        .map(|f| f.name())
        .collect()
}

/// Observable fields the manifest sets whose normalised values differ from the platform's.
/// A field the platform did not return is not compared (it cannot be observed).
pub fn diff(spec: &CampaignSpec, remote: &RemoteCampaign) -> Vec<FieldChange> {
    // Borrowed values are compared; JSON is built only for a field that differs (building it
    // for every field of every campaign was a fifth of planning a large fleet).
    let mut changes = Vec::new();
    for field in OBSERVABLE {
        if let (Some(desired), Some(actual)) = (spec.get(field), remote.get(field)) {
            if !desired.same(&actual) {
                changes.push(FieldChange {
                    field: field.name(),
                    desired: desired.to_json(),
                    actual: actual.to_json(),
                    known_from: None,
                });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Assistant, CampaignStatus, PhoneNumber, PostCallVariable};
    use crate::campaign::{ClockTime, Weekday};

    fn manifest(spec: CampaignSpec) -> Manifest {
        Manifest {
            spec,
            location: Location::new("c.yaml", 1, 1),
            positions: crate::manifest::Positions::new(std::path::Path::new("c.yaml").into(), None),
        }
    }

    fn spec(name: &str) -> CampaignSpec {
        CampaignSpec {
            name: name.into(),
            assistant_id: Some(7),
            ..CampaignSpec::default()
        }
    }

    fn remote(id: u64, name: &str) -> RemoteCampaign {
        RemoteCampaign {
            id,
            name: name.into(),
            // Running: drift on it is reported, never corrected (a draft would be replaced).
            status: CampaignStatus::InProgress,
            max_calls_in_parallel: Some(3),
            mark_complete_when_no_leads: Some(true),
            allowed_hours_start_time: ClockTime::parse_api("00:00:00"),
            allowed_hours_end_time: ClockTime::parse_api("23:59:00"),
            allowed_days: Some(vec![
                Weekday::Friday,
                Weekday::Monday,
                Weekday::Saturday,
                Weekday::Sunday,
                Weekday::Thursday,
                Weekday::Tuesday,
                Weekday::Wednesday,
            ]),
            max_retries: Some(3),
            retry_interval: Some(60),
            created_at: None,
            updated_at: None,
            unreadable: Default::default(),
        }
    }

    fn observed(campaigns: Vec<RemoteCampaign>) -> Observed {
        Observed {
            campaigns,
            assistants: vec![Assistant {
                id: 7,
                name: "Sales".into(),
                kind: "outbound".into(),
                mode: None,
                status: None,
                timezone: None,
                post_call_schema: vec![PostCallVariable {
                    name: "booked".into(),
                    kind: "bool".into(),
                    description: None,
                }],
            }],
            phone_numbers: vec![PhoneNumber {
                id: 45,
                phone_number: "+12025550145".into(),
                country_code: None,
                type_label: None,
                is_available: None,
            }],
        }
    }

    #[test]
    fn missing_campaign_is_created_with_only_the_set_fields() {
        let mut s = spec("A");
        s.max_retries = Some(2);
        let p = plan(&[manifest(s)], &observed(vec![]));
        assert_eq!(
            p.summary(),
            Summary {
                create: 1,
                ..Summary::default()
            }
        );
        let (_, req) = p.creates().next().expect("one create");
        let body = serde_json::to_value(req).expect("json");
        assert_eq!(
            body,
            json!({"name": "A", "assistant_id": 7, "max_retries": 2}),
            "unset fields must not be sent"
        );
    }

    #[test]
    fn unset_fields_are_not_compared_whatever_the_platform_defaults() {
        let p = plan(&[manifest(spec("A"))], &observed(vec![remote(1, "A")]));
        assert_eq!(
            p.summary(),
            Summary {
                unchanged: 1,
                ..Summary::default()
            },
            "{p:#?}"
        );
    }

    #[test]
    fn times_with_seconds_equal_times_without() {
        let mut s = spec("A");
        s.allowed_hours_start_time = ClockTime::parse_hi("00:00");
        s.allowed_hours_end_time = ClockTime::parse_hi("23:59");
        let p = plan(&[manifest(s)], &observed(vec![remote(1, "A")]));
        assert_eq!(
            p.summary().unchanged,
            1,
            "09:00 must equal 09:00:00: {p:#?}"
        );
    }

    #[test]
    fn day_order_and_repeats_do_not_matter() {
        use Weekday::*;
        let mut s = spec("A");
        s.allowed_days = Some(vec![
            Sunday, Saturday, Friday, Thursday, Wednesday, Tuesday, Monday,
        ]);
        let p = plan(&[manifest(s.clone())], &observed(vec![remote(1, "A")]));
        assert_eq!(p.summary().unchanged, 1, "days are a set: {p:#?}");

        s.allowed_days = Some(vec![Monday]);
        let p = plan(&[manifest(s)], &observed(vec![remote(1, "A")]));
        match &p.actions[0].kind {
            ActionKind::Drift { changes, .. } => {
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].field, "allowed_days");
                assert_eq!(changes[0].desired, json!(["monday"]));
            }
            other => panic!("expected drift, got {other:?}"),
        }
    }

    #[test]
    fn drift_lists_each_differing_field_and_names_write_once_fields() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        s.retry_interval = Some(60);
        s.timezone = Some("UTC".into());
        let p = plan(&[manifest(s)], &observed(vec![remote(4, "A")]));
        assert_eq!(p.actions[0].remote_id, Some(4));
        match &p.actions[0].kind {
            ActionKind::Drift {
                changes,
                write_once,
            } => {
                assert_eq!(
                    changes,
                    &vec![FieldChange {
                        field: "max_retries",
                        desired: json!(5),
                        actual: json!(3),
                        known_from: None,
                    }]
                );
                assert_eq!(write_once, &vec!["assistant_id", "timezone"]);
            }
            other => panic!("expected drift, got {other:?}"),
        }
    }

    #[test]
    fn a_field_the_list_did_not_return_is_not_drift() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        let mut r = remote(1, "A");
        r.max_retries = None;
        assert_eq!(
            plan(&[manifest(s)], &observed(vec![r])).summary().unchanged,
            1
        );
    }

    #[test]
    fn duplicate_remote_names_are_an_error_not_a_guess() {
        let p = plan(
            &[manifest(spec("A"))],
            &observed(vec![remote(1, "A"), remote(2, "A")]),
        );
        assert!(
            p.has_errors(),
            "two remote campaigns with a managed name must be an error"
        );
        assert!(
            p.diagnostics[0].message.contains("ids 1, 2"),
            "{}",
            p.diagnostics[0].message
        );
        assert!(
            p.actions.is_empty(),
            "no action for an ambiguous name, and the twins are not 'unmanaged': {p:#?}"
        );
    }

    #[test]
    fn duplicate_unmanaged_names_are_both_reported_and_sorted_by_id() {
        let p = plan(&[], &observed(vec![remote(9, "X"), remote(3, "X")]));
        let ids: Vec<_> = p.actions.iter().map(|a| a.remote_id).collect();
        assert_eq!(ids, vec![Some(3), Some(9)]);
        assert!(!p.has_errors());
    }

    #[test]
    fn references_are_checked_for_creates() {
        let mut s = spec("A");
        s.assistant_id = Some(99);
        s.phone_number_ids = Some(vec![45, 46]);
        let p = plan(&[manifest(s)], &observed(vec![]));
        let msgs: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("assistant_id 99 does not exist")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("46 is not a phone number")),
            "{msgs:?}"
        );

        let mut s = spec("B");
        s.goal_completion_variable = Some("nope".into());
        let p = plan(&[manifest(s)], &observed(vec![]));
        assert!(
            p.diagnostics[0]
                .message
                .contains("not in the post-call schema"),
            "{:?}",
            p.diagnostics
        );
        assert_eq!(
            p.diagnostics[0].hint.as_deref(),
            Some("bool variables of that assistant: booked")
        );
    }

    #[test]
    fn plan_is_deterministic() {
        let ms = vec![manifest(spec("B")), manifest(spec("A"))];
        let obs = observed(vec![remote(5, "Z"), remote(2, "Y"), remote(1, "A")]);
        let names = |p: &Plan| p.actions.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&plan(&ms, &obs)), vec!["B", "A", "Y", "Z"]);
        assert_eq!(names(&plan(&ms, &obs)), names(&plan(&ms, &obs)));
    }
    fn adopting(id: u64, name: &str) -> CampaignSpec {
        CampaignSpec {
            id: Some(id),
            name: name.into(),
            ..CampaignSpec::default()
        }
    }

    #[test]
    fn a_manifest_with_id_adopts_that_campaign_and_compares_its_name() {
        let p = plan(
            &[manifest(adopting(2, "Renamed"))],
            &observed(vec![remote(1, "Other"), remote(2, "Original")]),
        );
        assert_eq!(
            p.summary(),
            Summary {
                drift: 1,
                unmanaged: 1,
                // Drift on an adopted campaign is what apply cannot act on.
                attention: 1,
                ..Summary::default()
            },
            "{p:#?}"
        );
        let adopted = &p.actions[0];
        assert_eq!(adopted.remote_id, Some(2));
        let ActionKind::Drift { changes, .. } = &adopted.kind else {
            panic!("expected drift on the name, got {adopted:#?}");
        };
        assert_eq!(
            changes,
            &[FieldChange {
                field: "name",
                desired: json!("Renamed"),
                actual: json!("Original"),
                known_from: None,
            }]
        );
    }

    #[test]
    fn an_adopted_campaign_that_no_longer_exists_is_an_error_never_a_create() {
        let p = plan(
            &[manifest(adopting(9, "Gone"))],
            &observed(vec![remote(1, "Gone")]),
        );
        assert_eq!(p.creates().count(), 0, "{p:#?}");
        assert!(p.has_errors());
        assert!(
            p.diagnostics[0]
                .to_string()
                .contains("campaign id 9 (\"Gone\") does not exist"),
            "{}",
            p.diagnostics[0]
        );
        assert_eq!(
            p.summary().unmanaged,
            1,
            "the same-named campaign is not silently taken over"
        );
    }

    fn with_status(mut r: RemoteCampaign, status: &str) -> RemoteCampaign {
        r.status = CampaignStatus::parse(Some(status));
        r
    }

    #[test]
    fn a_drifted_draft_is_replaced_and_anything_that_may_have_run_is_not() {
        let mut s = spec("A");
        s.max_retries = Some(5);
        let p = plan(
            &[manifest(s.clone())],
            &observed(vec![with_status(remote(4, "A"), "draft")]),
        );
        let ActionKind::Replace {
            changes, request, ..
        } = &p.actions[0].kind
        else {
            panic!("a drifted draft is replaced: {p:#?}");
        };
        assert_eq!(changes[0].field, "max_retries");
        assert_eq!(
            request.max_retries,
            Some(5),
            "created with the manifest's fields"
        );
        assert_eq!(p.summary().replace, 1);
        let kinds: Vec<&str> = p.operations.iter().map(|o| o.kind.label()).collect();
        assert_eq!(kinds, ["delete", "create"], "delete first, then create");
        assert!(p.operations[0].effects.destroys_data);
        assert_eq!(p.operations[1].depends_on, [0]);

        for status in ["in-progress", "stopped", "completed", "paused", "mystery"] {
            let p = plan(
                &[manifest(s.clone())],
                &observed(vec![with_status(remote(4, "A"), status)]),
            );
            assert!(
                matches!(p.actions[0].kind, ActionKind::Drift { .. }),
                "{status}: never replaced: {p:#?}"
            );
            let note = p.actions[0].note.as_deref().unwrap_or_default();
            assert!(
                note.contains("never replaces") && note.contains("new name"),
                "{status}: the drift says why and what to do: {note}"
            );
            assert!(p.operations.is_empty(), "{status}: nothing is written");
        }
        let mut none = remote(4, "A");
        none.status = CampaignStatus::NotReturned;
        let p = plan(&[manifest(s)], &observed(vec![none]));
        assert!(
            matches!(p.actions[0].kind, ActionKind::Drift { .. }),
            "no status is not a draft"
        );
    }

    #[test]
    fn status_deleted_deletes_an_existing_campaign_and_is_satisfied_once_it_is_gone() {
        let mut s = spec("A");
        s.status = Some(crate::manifest::DesiredStatus::Deleted);
        let p = plan(&[manifest(s.clone())], &observed(vec![remote(4, "A")]));
        assert!(
            matches!(
                p.actions[0].kind,
                ActionKind::Delete {
                    reason: DeleteReason::Manifest,
                    ..
                }
            ),
            "{p:#?}"
        );
        assert_eq!(p.operations.len(), 1);
        assert_eq!(p.operations[0].kind.label(), "delete");
        assert!(p.operations[0].effects.destroys_data);
        let gone = plan(&[manifest(s)], &observed(vec![]));
        assert!(
            matches!(gone.actions[0].kind, ActionKind::Absent),
            "{gone:#?}"
        );
        assert!(
            !gone.has_changes(),
            "a tombstone whose campaign is gone plans nothing"
        );
        assert_eq!(gone.summary().unchanged, 1);
    }

    #[test]
    fn renamed_from_replaces_a_draft_and_explains_why_a_campaign_that_ran_is_not() {
        let mut s = spec("New");
        s.renamed_from = Some("Old".into());
        let p = plan(
            &[manifest(s.clone())],
            &observed(vec![with_status(remote(4, "Old"), "draft")]),
        );
        let ActionKind::Replace {
            renamed_from,
            changes,
            ..
        } = &p.actions[0].kind
        else {
            panic!("a renamed draft is replaced: {p:#?}");
        };
        assert_eq!(renamed_from.as_deref(), Some("Old"));
        assert_eq!(changes[0].field, "name");
        assert_eq!(
            p.operations[0].campaign, "Old",
            "the delete names the old campaign"
        );
        assert_eq!(p.operations[1].campaign, "New");
        assert_eq!(
            p.summary().unmanaged,
            0,
            "the old campaign is the manifest's"
        );

        let p = plan(&[manifest(s.clone())], &observed(vec![remote(4, "Old")]));
        assert!(
            matches!(p.actions[0].kind, ActionKind::Drift { .. }),
            "{p:#?}"
        );
        let note = p.actions[0].note.as_deref().unwrap_or_default();
        assert!(note.contains("cannot rename"), "{note}");
        assert!(p.operations.is_empty());

        let done = plan(&[manifest(s)], &observed(vec![remote(9, "New")]));
        assert_eq!(
            done.summary().unchanged,
            1,
            "after the rename, renamed_from is inert"
        );
    }

    #[test]
    fn a_create_beside_a_similar_unmanaged_campaign_with_the_same_settings_gets_a_rename_hint() {
        let mut s = spec("Q4 Outreach 2026");
        s.max_retries = Some(3);
        let p = plan(
            &[manifest(s.clone())],
            &observed(vec![remote(4, "Q4 Outreach")]),
        );
        let note = p.actions[0].note.as_deref().unwrap_or_default();
        assert!(
            note.contains("did you rename \"Q4 Outreach\" (id 4)"),
            "{p:#?}"
        );
        s.max_retries = Some(5);
        let p = plan(&[manifest(s)], &observed(vec![remote(4, "Q4 Outreach")]));
        assert_eq!(p.actions[0].note, None, "different settings: no hint");
    }

    #[test]
    fn a_name_held_by_an_adopted_campaign_is_not_created_again() {
        let p = plan(
            &[
                manifest(adopting(1, "New name")),
                manifest(spec("Old name")),
            ],
            &observed(vec![remote(1, "Old name")]),
        );
        assert_eq!(p.creates().count(), 0, "{p:#?}");
        assert!(
            p.diagnostics[0]
                .to_string()
                .contains("held by campaign id 1"),
            "{}",
            p.diagnostics[0]
        );
    }
}
