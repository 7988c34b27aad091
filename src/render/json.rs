//! Stable JSON for machines: `plan --format json` and `apply --format json`, from typed
//! `Serialize` structs over the one plan and report. The README's JSON section documents them.

use std::collections::HashMap;

use serde::ser::SerializeStruct as _;
use serde::Serialize;
use serde_json::{json, Value};

use crate::api::types::CreateCampaign;
use crate::campaign::field_name;
use crate::diagnostic::ShownLocation;
use crate::manifest::DesiredStatus;
use crate::manifest::{Diagnostic, FlatDiagnostic, Location};
use crate::reconcile::attention::CannotAct;
use crate::reconcile::deletion::Deletions;
use crate::reconcile::executor::{OperationResult, Outcome, Report, ReportSummary};
use crate::reconcile::leads_and_status::{CampaignDetails, StatusAction};
use crate::reconcile::model::LeftAlone;
use crate::shown_path::ShownFrom;

use super::campaign_ops::{CampaignOps, OperationIndex};
use crate::reconcile::operation::{Operation, OperationId, OperationKind, Resource, Target};
use crate::reconcile::plan::{DeleteReason, Disposition, Explanation, FieldChange, Plan, Summary};
use crate::reconcile::resolve::References;

/// Version of the JSON documents `plan --format json` and `apply --format json` print.
/// Bumped only on incompatible changes; fields may be added without a bump.
pub const FORMAT_VERSION: u32 = 2;

/// A diagnostic as a flat JSON object (`file`, `line`, `column` at the top level), its path
/// shown from `from`.
pub fn diagnostic_json(d: &Diagnostic, from: &ShownFrom) -> Value {
    json!(d.flat(from))
}

/// The plan as the stable JSON document described in the README, paths shown from `from`.
pub fn plan_json(plan: &Plan, load_diagnostics: &[Diagnostic], from: &ShownFrom) -> Value {
    json!(PlanDocument::new(plan, load_diagnostics, from))
}

/// `plan --format json`.
#[derive(Serialize)]
pub struct PlanDocument<'a> {
    format_version: u32,
    summary: SummaryJson,
    /// Leads to add and status changes.
    changes: ChangesJson,
    actions: Vec<ActionJson<'a>>,
    /// Each declared assistant: what was decided, the fields that differ (both values), those
    /// not compared. Absent when the manifests declare none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    assistants: Vec<AssistantJson<'a>>,
    operations: Vec<OperationJson<'a>>,
    /// Why every deletion is held, and the undeclared campaigns kept for their history.
    #[serde(skip_serializing_if = "Deletions::is_empty")]
    deletions: &'a Deletions,
    diagnostics: Vec<FlatDiagnostic<'a>>,
    /// What write-once fields were compared with, or why not (absent: nothing was looked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    write_once_baseline: Option<&'a crate::reconcile::baseline::WriteOnceBaseline>,
}

/// The document's `summary`: the plan's counts (`Plan::summary`, the one summary every
/// rendering reads) as the stable JSON names them, with the run's errors (load problems
/// included). `held` is left out when there are none, as the text summary does.
#[derive(Clone, Copy)]
pub struct SummaryJson {
    counts: Summary,
    errors: usize,
}

impl Serialize for SummaryJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = &self.counts;
        let mut out = serializer.serialize_struct("summary", 9)?;
        out.serialize_field("create", &c.create)?;
        out.serialize_field("unchanged", &c.unchanged)?;
        out.serialize_field("drift", &c.drift)?;
        out.serialize_field("unmanaged", &c.unmanaged)?;
        out.serialize_field("replace", &c.replace)?;
        out.serialize_field("delete", &c.delete)?;
        if c.held > 0 {
            out.serialize_field("held", &c.held)?;
        } else {
            out.skip_field("held")?;
        }
        // Campaigns apply cannot act on (drift it cannot replace, a status it does not know or
        // change from): warnings, not changes.
        out.serialize_field("attention", &c.attention)?;
        out.serialize_field("errors", &self.errors)?;
        out.end()
    }
}

/// The document's `changes`: the leads to add and update and the status changes, from the
/// same summary.
pub struct ChangesJson(Summary);

impl Serialize for ChangesJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = &self.0;
        let mut out = serializer.serialize_struct("changes", 4)?;
        out.serialize_field("leads_to_add", &c.leads_to_add)?;
        out.serialize_field("leads_to_update", &c.leads_to_update)?;
        out.serialize_field("start", &c.start)?;
        out.serialize_field("stop", &c.stop)?;
        out.end()
    }
}

/// One declared assistant's part of the plan.
#[derive(Serialize)]
struct AssistantJson<'a> {
    name: &'a str,
    manifest: ShownLocation,
    id: Option<u64>,
    #[serde(flatten)]
    disposition: &'a crate::reconcile::model::AssistantDisposition,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    changes: &'a [crate::reconcile::model::AssistantFieldChange],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    not_compared: &'a [String],
}

/// One campaign's classification, with its leads, status and references when it has them.
#[derive(Serialize)]
struct ActionJson<'a> {
    action: &'static str,
    name: &'a str,
    manifest: Option<ShownLocation>,
    id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a CreateCampaign>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a [FieldChange]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    write_once: Option<&'a [field_name::Name]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    references: Option<&'a References>,
    #[serde(skip_serializing_if = "Option::is_none")]
    leads: Option<LeadsJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<StatusJson<'a>>,
    /// Replace: the campaign's name before a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    renamed_from: Option<&'a str>,
    /// Delete: why, the campaign's status, and how many leads go with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    delete: Option<DeleteJson<'a>>,
    /// Why drift is not corrected by a replace, or a rename hint on a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// Why apply cannot act on this campaign (`attention`), if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    cannot_act: Option<CannotAct>,
}

#[derive(Serialize)]
struct DeleteJson<'a> {
    reason: &'a DeleteReason,
    status: &'a crate::api::types::CampaignStatus,
    leads: Option<usize>,
    /// Why it is not deleted now (`reconcile::deletion`); the action is then `held_delete`
    /// and no operation carries it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    held: Option<&'a str>,
}

/// A campaign's status: the manifest's and the platform's, and why apply leaves it (the view),
/// with the `action` its operations take.
#[derive(Serialize)]
struct StatusJson<'a> {
    desired: &'a DesiredStatus,
    actual: &'a str,
    action: Option<StatusAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    left_alone: Option<LeftAlone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cannot_act: Option<CannotAct>,
}

/// A campaign's leads: the totals from the view, `to_add` and `to_update` from its operations.
#[derive(Serialize)]
struct LeadsJson {
    declared: usize,
    on_platform: usize,
    to_add: usize,
    to_update: usize,
    undeclared: usize,
    extra_variables: usize,
    campaign_running: bool,
}

/// One operation: what it does, to which campaign, its effects and what it waits for. Leads
/// are counted, not listed (their variables stay out of CI logs).
#[derive(Serialize)]
struct OperationJson<'a> {
    id: usize,
    op: &'static str,
    /// The campaign's name; absent for an assistant's operation, which names `assistant`.
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assistant: Option<&'a str>,
    /// The existing campaign's (or assistant's) id; `null` for one this plan creates.
    campaign_id: Option<u64>,
    manifest: Option<ShownLocation>,
    effects: EffectsJson,
    depends_on: &'a [usize],
    #[serde(skip_serializing_if = "Option::is_none")]
    leads: Option<usize>,
    /// An assistant create or update: the fields its request carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<String>>,
    /// An assistant write heard by calls under way: who hears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    live_calls: Option<&'a crate::reconcile::operation::LiveCalls>,
}

impl<'a> PlanDocument<'a> {
    /// The document of `plan`, its paths shown from `from`.
    pub fn new(
        plan: &'a Plan,
        load_diagnostics: &'a [Diagnostic],
        from: &ShownFrom,
    ) -> PlanDocument<'a> {
        let all = || load_diagnostics.iter().chain(&plan.diagnostics);
        let summary = plan_summary_json(plan, all().filter(|d| d.is_error()).count());
        PlanDocument {
            format_version: FORMAT_VERSION,
            summary,
            changes: ChangesJson(summary.counts),
            actions: {
                let details_of = plan.leads_and_status_by_manifest();
                let operations = OperationIndex::new(&plan.operations);
                plan.actions
                    .iter()
                    .map(|a| {
                        let ops = operations.of(a.manifest.as_ref(), a.remote_id);
                        action_json(&details_of, ops, a, from)
                    })
                    .collect()
            },
            assistants: plan
                .assistants
                .iter()
                .map(|a| AssistantJson {
                    name: &a.name,
                    manifest: a.manifest.shown(from),
                    id: a.remote_id,
                    disposition: &a.disposition,
                    changes: &a.changes,
                    not_compared: &a.not_compared,
                })
                .collect(),
            operations: plan
                .operations
                .iter()
                .map(|op| operation_json(op, from))
                .collect(),
            deletions: &plan.deletions,
            diagnostics: all().map(|d| d.flat(from)).collect(),
            write_once_baseline: plan.write_once_baseline.as_ref(),
        }
    }
}

fn plan_summary_json(plan: &Plan, errors: usize) -> SummaryJson {
    SummaryJson {
        counts: plan.summary(),
        errors,
    }
}

/// One campaign's entry: its classification and why from the view, the leads and status
/// changes its operations make (`ops`).
fn action_json<'a>(
    details_of: &HashMap<&Location, &'a CampaignDetails>,
    ops: &CampaignOps,
    a: &'a Explanation,
    from: &ShownFrom,
) -> ActionJson<'a> {
    let mut o = ActionJson {
        action: a.kind.label(),
        name: &a.name,
        manifest: a.manifest.as_ref().map(|l| l.shown(from)),
        id: a.remote_id,
        body: None,
        changes: None,
        write_once: None,
        references: None,
        leads: None,
        status: None,
        renamed_from: None,
        delete: None,
        note: a.note.as_deref(),
        cannot_act: None,
    };
    match &a.kind {
        Disposition::Create { request } => o.body = Some(&**request),
        Disposition::Drift {
            changes,
            write_once,
        } => {
            o.changes = Some(changes);
            o.write_once = Some(write_once);
            o.cannot_act = Some(CannotAct::Drift);
        }
        Disposition::Unchanged { write_once } => o.write_once = Some(write_once),
        Disposition::Replace {
            changes,
            write_once,
            request,
            renamed_from,
            ..
        } => {
            o.body = Some(&**request);
            o.changes = Some(changes);
            o.write_once = Some(write_once);
            o.renamed_from = renamed_from.as_deref();
        }
        Disposition::Delete {
            reason,
            status,
            leads,
            held,
        } => {
            o.delete = Some(DeleteJson {
                reason,
                status,
                leads: *leads,
                held: held.as_deref(),
            })
        }
        Disposition::Unmanaged | Disposition::Absent => {}
    }
    let details = a
        .manifest
        .as_ref()
        .and_then(|at| details_of.get(at).copied());
    if let Some(f) = details {
        o.references = Some(&f.references).filter(|r| !r.is_empty());
        o.leads = f.leads.as_ref().map(|l| LeadsJson {
            declared: l.declared,
            on_platform: l.on_platform,
            to_add: ops.leads_to_add,
            to_update: ops.lead_updates.len(),
            undeclared: l.undeclared,
            extra_variables: l.extra_variables,
            campaign_running: l.campaign_running,
        });
        o.status = f.status.as_ref().map(|s| StatusJson {
            desired: &s.desired,
            actual: &s.actual,
            action: if ops.start {
                Some(StatusAction::Start)
            } else if ops.stop {
                Some(StatusAction::Stop)
            } else {
                None
            },
            note: s.note.as_deref(),
            left_alone: s.left_alone,
            cannot_act: s.cannot_act,
        });
        o.cannot_act = o.cannot_act.or(f.cannot_act());
    }
    o
}

/// An operation's effects as the document has always shown them: `writes` is true of every
/// operation (the model does not store it), the other two are `Operation::effects`.
#[derive(Serialize)]
struct EffectsJson {
    writes: bool,
    places_calls: bool,
    /// Only when true (an assistant write heard by calls under way), so documents of plans
    /// without one read as before.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    changes_live_calls: bool,
    destroys_data: bool,
}

fn operation_json<'a>(op: &'a Operation, from: &ShownFrom) -> OperationJson<'a> {
    let effects = op.effects();
    OperationJson {
        id: op.id,
        op: op.kind.label(),
        campaign: named(op.kind.resource(), Resource::Campaign, &op.campaign),
        assistant: named(op.kind.resource(), Resource::Assistant, &op.campaign),
        campaign_id: match op.target {
            Target::Existing { id } => Some(id),
            Target::Created { .. } => None,
        },
        manifest: op.manifest.as_ref().map(|l| l.shown(from)),
        effects: EffectsJson {
            writes: true,
            places_calls: effects.places_calls,
            changes_live_calls: effects.changes_live_calls,
            destroys_data: effects.destroys_data,
        },
        depends_on: &op.depends_on,
        leads: match &op.kind {
            OperationKind::AddLeads { leads, .. } => Some(leads.len()),
            OperationKind::UpdateLeads { updates } => Some(updates.len()),
            OperationKind::DeleteCampaign { leads, .. } => *leads,
            _ => None,
        },
        fields: match &op.kind {
            OperationKind::CreateAssistant { request, .. }
            | OperationKind::UpdateAssistant { request, .. } => Some(request_fields(request)),
            _ => None,
        },
        live_calls: match &op.kind {
            OperationKind::CreateAssistant { live_calls, .. }
            | OperationKind::UpdateAssistant { live_calls, .. }
                if live_calls.any() =>
            {
                Some(live_calls)
            }
            _ => None,
        },
    }
}

/// `name` under the key of `key` (`campaign` or `assistant`) when the operation acts on that
/// kind of resource: one of the two keys, never both.
fn named(resource: Resource, key: Resource, name: &str) -> Option<&str> {
    (resource == key).then_some(name)
}

/// The resource an operation's label acts on (a result carries the label, not the kind).
fn resource_of(label: &str) -> Resource {
    if label.ends_with("_assistant") {
        Resource::Assistant
    } else {
        Resource::Campaign
    }
}

/// The names of the fields an assistant request carries, as the platform names them.
fn request_fields(request: &crate::api::assistant::AssistantWrite) -> Vec<String> {
    match serde_json::to_value(request) {
        Ok(Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A JSON document for a run that stopped before planning (invalid manifests, API down, a
/// `--target` that matches nothing). `error` is the error the run ends with, as a diagnostic, so
/// the document carries its `hint` as the text on stderr does. Paths are shown from `from`.
pub fn failure_json(
    diagnostics: &[Diagnostic],
    error: Option<&Diagnostic>,
    from: &ShownFrom,
) -> Value {
    let mut doc = json!({
        "format_version": FORMAT_VERSION,
        // The plan document's summary type, so both carry the same counts (all zero here).
        "summary": SummaryJson {
            counts: Summary::default(),
            errors: diagnostics.iter().filter(|d| d.is_error()).count() + usize::from(error.is_some()),
        },
        "actions": [],
        "diagnostics": diagnostics.iter().map(|d| diagnostic_json(d, from)).collect::<Vec<_>>(),
        "error": error.map(|e| e.message.as_str()),
    });
    // Added only when there is one, as the diagnostics' `hint` is.
    if let Some(hint) = error.and_then(|e| e.hint.as_deref()) {
        doc["hint"] = json!(hint);
    }
    doc
}

/// `apply --format json`.
#[derive(Serialize)]
pub struct ApplyDocument<'a> {
    format_version: u32,
    /// The plan's summary (as in `plan --format json`).
    plan: SummaryJson,
    summary: ReportSummary,
    /// Every operation of the plan with its outcome, in plan order.
    operations: Vec<ResultJson<'a>>,
    /// Why deletions were held, and the undeclared campaigns kept for their history (as in
    /// `plan --format json`): what apply did not do, and why.
    #[serde(skip_serializing_if = "Deletions::is_empty")]
    deletions: &'a Deletions,
}

/// One operation and its outcome, as `apply --format json` shows it: the result's paths (its
/// manifest, a failure's diagnostics, the leads that could not be added) shown as the run
/// shows them.
#[derive(Serialize)]
struct ResultJson<'a> {
    id: OperationId,
    op: &'static str,
    /// The campaign's name; an assistant's operation names `assistant` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assistant: Option<&'a str>,
    campaign_id: Option<u64>,
    manifest: Option<ShownLocation>,
    #[serde(flatten)]
    outcome: &'a Outcome,
    /// A failure's field errors, mapped to manifest lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnostics: Vec<FlatDiagnostic<'a>>,
    /// For add_leads: the leads that could not be added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lead_failures: Vec<LeadFailureJson<'a>>,
}

#[derive(Serialize)]
struct LeadFailureJson<'a> {
    phone_number: &'a str,
    source: ShownLocation,
    error: &'a str,
}

fn result_json<'a>(r: &'a OperationResult, from: &ShownFrom) -> ResultJson<'a> {
    let (diagnostics, lead_failures) = match &r.outcome {
        Outcome::Failed {
            diagnostics,
            lead_failures,
            ..
        } => (diagnostics.as_slice(), lead_failures.as_slice()),
        _ => (&[][..], &[][..]),
    };
    ResultJson {
        id: r.id,
        op: r.op,
        campaign: named(resource_of(r.op), Resource::Campaign, &r.campaign),
        assistant: named(resource_of(r.op), Resource::Assistant, &r.campaign),
        campaign_id: r.campaign_id,
        manifest: r.manifest.as_ref().map(|l| l.shown(from)),
        outcome: &r.outcome,
        diagnostics: diagnostics.iter().map(|d| d.flat(from)).collect(),
        lead_failures: lead_failures
            .iter()
            .map(|f| LeadFailureJson {
                phone_number: &f.phone_number,
                source: f.source.shown(from),
                error: &f.error,
            })
            .collect(),
    }
}

/// The apply report as JSON, paths shown from `from`.
pub fn apply_json(plan: &Plan, report: &Report, from: &ShownFrom) -> Value {
    json!(ApplyDocument {
        format_version: FORMAT_VERSION,
        plan: plan_summary_json(plan, 0),
        summary: report.summary(),
        operations: report
            .results
            .iter()
            .map(|r| result_json(r, from))
            .collect(),
        deletions: &plan.deletions,
    })
}
