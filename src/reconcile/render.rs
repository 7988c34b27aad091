//! Rendering of plans and apply reports: Terraform-style text for people, stable JSON for
//! machines. Text carries ANSI styles; the caller writes it through `anstream`, which strips
//! them when stdout is not a terminal or `NO_COLOR` is set.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use serde_json::{json, Value};

use crate::api::types::CreateCampaign;
use crate::campaign::field_name;
use crate::manifest::{Diagnostic, FlatDiagnostic, Location};

use super::executor::{OperationResult, Outcome, Report, ReportSummary};
use super::follow_up::{FollowUpSummary, StatusChange};
use super::operation::{Effects, Operation, OperationKind, Target};
use super::plan::{Action, ActionKind, FieldChange, Plan};
use super::render_follow_up;
use super::resolve::References;

/// Version of the JSON documents `plan --format json` and `apply --format json` print.
/// Bumped only on incompatible changes; fields may be added without a bump.
pub const FORMAT_VERSION: u32 = 2;

const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const RED: Style = AnsiColor::Red.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

fn at(location: &Option<Location>) -> String {
    location
        .as_ref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default()
}

fn value(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| v.to_string())
}

/// The plan as text, Terraform style.
pub fn plan_text(plan: &Plan) -> String {
    let mut out = String::new();
    let s = plan.summary();
    if s.create > 0 || s.drift > 0 {
        let _ = writeln!(
            out,
            "campaignctl compared the manifests with the platform:\n"
        );
    }
    for action in &plan.actions {
        action_text(&mut out, action);
    }
    out.push_str(&render_follow_up::follow_ups_text(plan));
    if !plan.actions.is_empty() {
        out.push('\n');
    }
    if s.create == 0 && s.drift == 0 && !plan.has_writes() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                GREEN.bold(),
                "No changes. The platform matches the manifests."
            )
        );
    }
    let _ = writeln!(out, "{} {s}", paint(BOLD, "Plan:"));
    if let Some(line) = render_follow_up::follow_up_summary_text(plan) {
        out.push_str(&line);
    }
    if s.drift > 0 {
        let _ = writeln!(
            out,
            "{}",
            paint(
                DIM,
                "Drift is reported, not corrected: the platform API has no update endpoint. Change the campaign in the dashboard, or the manifest to match."
            )
        );
    }
    out
}

fn action_text(out: &mut String, a: &Action) {
    let id = a
        .remote_id
        .map(|id| format!(" (id {id})"))
        .unwrap_or_default();
    match &a.kind {
        ActionKind::Create { request } => {
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    DIM,
                    format!("# {:?} will be created{}", a.name, at(&a.manifest))
                )
            );
            let _ = writeln!(out, "  {} campaign {:?} {{", paint(GREEN, "+"), a.name);
            if let Value::Object(fields) = json!(request) {
                let width = fields.keys().map(String::len).max().unwrap_or(0);
                for (k, v) in &fields {
                    let _ = writeln!(out, "      {} {k:width$} = {}", paint(GREEN, "+"), value(v));
                }
            }
            let _ = writeln!(out, "    }}\n");
        }
        ActionKind::Drift {
            changes,
            write_once,
        } => {
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    DIM,
                    format!(
                        "# {:?}{id} has drifted from its manifest{}",
                        a.name,
                        at(&a.manifest)
                    )
                )
            );
            let _ = writeln!(out, "  {} campaign {:?} {{", paint(YELLOW, "~"), a.name);
            let width = changes.iter().map(|c| c.field.len()).max().unwrap_or(0);
            for c in changes {
                let _ = writeln!(
                    out,
                    "      {} {:width$} = {} -> {}",
                    paint(YELLOW, "~"),
                    c.field,
                    value(&c.actual),
                    value(&c.desired)
                );
            }
            if !write_once.is_empty() {
                let _ = writeln!(
                    out,
                    "        {}",
                    paint(
                        DIM,
                        format!(
                            "# write-once, not readable, not compared: {}",
                            write_once.join(", ")
                        )
                    )
                );
            }
            let _ = writeln!(out, "    }}\n");
        }
        ActionKind::Unchanged { write_once } => {
            let note = if write_once.is_empty() {
                String::new()
            } else {
                format!("; write-once, not compared: {}", write_once.join(", "))
            };
            let _ = writeln!(
                out,
                "  {} {:?}{id} is up to date{}{}",
                paint(DIM, "="),
                a.name,
                at(&a.manifest),
                paint(DIM, note)
            );
        }
        ActionKind::Unmanaged => {
            let _ = writeln!(
                out,
                "  {} {:?}{id} is not in any manifest; it is left alone",
                paint(CYAN, "?"),
                a.name
            );
        }
    }
}

/// Diagnostics as text, one per line (plus hint lines), `error:` in red.
pub fn diagnostics_text(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    let shown = crate::manifest::MAX_DIAGNOSTICS_SHOWN;
    for d in diagnostics.iter().take(shown) {
        let text = d.to_string();
        let severity = format!("{}:", d.severity);
        let styled = match d.severity {
            crate::manifest::Severity::Error => paint(RED, &severity),
            crate::manifest::Severity::Warning => paint(YELLOW.bold(), &severity),
        };
        let _ = writeln!(out, "{}", text.replacen(&severity, &styled, 1));
    }
    if let Some(more) = diagnostics.len().checked_sub(shown).filter(|&n| n > 0) {
        let _ = writeln!(out, "... and {more} more problem(s), not shown");
    }
    out
}

/// A diagnostic as a flat JSON object (`file`, `line`, `column` at the top level).
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    json!(d.flat())
}

/// The plan as the stable JSON document described in the README.
pub fn plan_json(plan: &Plan, load_diagnostics: &[Diagnostic]) -> Value {
    json!(PlanDocument::new(plan, load_diagnostics))
}

/// `plan --format json`.
#[derive(Serialize)]
pub struct PlanDocument<'a> {
    format_version: u32,
    summary: PlanSummaryJson,
    /// Leads to add and status changes.
    changes: FollowUpSummary,
    actions: Vec<ActionJson<'a>>,
    operations: Vec<OperationJson<'a>>,
    diagnostics: Vec<FlatDiagnostic<'a>>,
}

#[derive(Serialize, Clone, Copy)]
pub struct PlanSummaryJson {
    create: usize,
    unchanged: usize,
    drift: usize,
    unmanaged: usize,
    errors: usize,
}

/// One campaign's classification, with its leads, status and references when it has them.
#[derive(Serialize)]
struct ActionJson<'a> {
    action: &'static str,
    name: &'a str,
    manifest: Option<&'a Location>,
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
    status: Option<&'a StatusChange>,
}

#[derive(Serialize)]
struct LeadsJson {
    declared: usize,
    on_platform: usize,
    to_add: usize,
    campaign_running: bool,
}

/// One operation: what it does, to which campaign, its effects and what it waits for. Leads
/// are counted, not listed (their variables stay out of CI logs).
#[derive(Serialize)]
struct OperationJson<'a> {
    id: usize,
    op: &'static str,
    campaign: &'a str,
    /// The existing campaign's id; `null` for one this plan creates.
    campaign_id: Option<u64>,
    manifest: Option<&'a Location>,
    effects: Effects,
    depends_on: &'a [usize],
    #[serde(skip_serializing_if = "Option::is_none")]
    leads: Option<usize>,
}

impl<'a> PlanDocument<'a> {
    pub fn new(plan: &'a Plan, load_diagnostics: &'a [Diagnostic]) -> PlanDocument<'a> {
        let all = || load_diagnostics.iter().chain(&plan.diagnostics);
        PlanDocument {
            format_version: FORMAT_VERSION,
            summary: plan_summary_json(plan, all().filter(|d| d.is_error()).count()),
            changes: plan.follow_up_summary(),
            actions: plan.actions.iter().map(|a| action_json(plan, a)).collect(),
            operations: plan.operations.iter().map(operation_json).collect(),
            diagnostics: all().map(Diagnostic::flat).collect(),
        }
    }
}

fn plan_summary_json(plan: &Plan, errors: usize) -> PlanSummaryJson {
    let s = plan.summary();
    PlanSummaryJson {
        create: s.create,
        unchanged: s.unchanged,
        drift: s.drift,
        unmanaged: s.unmanaged,
        errors,
    }
}

fn action_json<'a>(plan: &'a Plan, a: &'a Action) -> ActionJson<'a> {
    let mut o = ActionJson {
        action: a.kind.label(),
        name: &a.name,
        manifest: a.manifest.as_ref(),
        id: a.remote_id,
        body: None,
        changes: None,
        write_once: None,
        references: None,
        leads: None,
        status: None,
    };
    match &a.kind {
        ActionKind::Create { request } => o.body = Some(request),
        ActionKind::Drift {
            changes,
            write_once,
        } => {
            o.changes = Some(changes);
            o.write_once = Some(write_once);
        }
        ActionKind::Unchanged { write_once } => o.write_once = Some(write_once),
        ActionKind::Unmanaged => {}
    }
    let follow_up = a
        .manifest
        .as_ref()
        .and_then(|at| plan.follow_ups.iter().find(|f| &f.manifest == at));
    if let Some(f) = follow_up {
        o.references = Some(&f.references).filter(|r| !r.is_empty());
        o.leads = f.leads.as_ref().map(|l| LeadsJson {
            declared: l.declared,
            on_platform: l.on_platform,
            to_add: l.to_add.len(),
            campaign_running: l.campaign_running,
        });
        o.status = f.status.as_ref();
    }
    o
}

fn operation_json(op: &Operation) -> OperationJson<'_> {
    OperationJson {
        id: op.id,
        op: op.kind.label(),
        campaign: &op.campaign,
        campaign_id: match op.target {
            Target::Existing { id } => Some(id),
            Target::Created { .. } => None,
        },
        manifest: op.manifest.as_ref(),
        effects: op.effects,
        depends_on: &op.depends_on,
        leads: match &op.kind {
            OperationKind::AddLeads { leads, .. } => Some(leads.len()),
            _ => None,
        },
    }
}

/// A JSON document for a run that stopped before planning (invalid manifests, API down).
pub fn failure_json(diagnostics: &[Diagnostic], error: Option<&str>) -> Value {
    json!({
        "format_version": FORMAT_VERSION,
        "summary": {"create": 0, "unchanged": 0, "drift": 0, "unmanaged": 0, "errors": diagnostics.iter().filter(|d| d.is_error()).count() + usize::from(error.is_some())},
        "actions": [],
        "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
        "error": error,
    })
}

/// One line (plus mapped diagnostics) for a finished operation, printed as it completes.
pub fn operation_result_text(r: &OperationResult) -> String {
    let mut out = String::new();
    let name = &r.campaign;
    match (&r.outcome, r.op) {
        (
            Outcome::Done {
                id: Some(id), note, ..
            },
            "create",
        ) => {
            let note = note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {name:?}: created (id {id}){note}",
                paint(GREEN, "+")
            );
        }
        (
            Outcome::Inferred {
                id: Some(id),
                cause,
                ..
            },
            "create",
        ) => {
            let _ = writeln!(
                out,
                "  {} {name:?}: created (id {id}), inferred: the create's response was lost ({cause}) and the campaign was found when listing again",
                paint(GREEN, "+"),
            );
        }
        (
            Outcome::Done {
                leads_added,
                leads_found,
                ..
            },
            "add_leads",
        ) => {
            let found = match leads_found {
                Some(n) if *n > 0 => format!(", {n} already there"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} {name:?}: {} lead(s) added{found}, 0 failed",
                paint(GREEN, "+"),
                leads_added.unwrap_or(0),
            );
        }
        (Outcome::Done { status, .. } | Outcome::Inferred { status, .. }, op) => {
            let what = if op == "start" {
                "started: it is calling"
            } else {
                "stopped"
            };
            let inferred = if matches!(r.outcome, Outcome::Inferred { .. }) {
                ", inferred from a fresh read after the answer was lost"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {} {name:?}: {what} (status {}){inferred}",
                paint(RED, "!"),
                status.as_deref().unwrap_or("unknown")
            );
        }
        (
            Outcome::Failed {
                error,
                diagnostics,
                hint,
                lead_failures,
                leads_added,
            },
            op,
        ) => {
            if op == "add_leads" {
                let _ = writeln!(
                    out,
                    "  {} {name:?}: {} lead(s) added, {} failed",
                    paint(RED, "!"),
                    leads_added.unwrap_or(0),
                    lead_failures.len()
                );
            } else {
                let verb = match op {
                    "create" => "failed",
                    "start" => "could not start",
                    _ => "could not stop",
                };
                let _ = writeln!(
                    out,
                    "  {} {name:?}: {verb}: {error}{}",
                    paint(RED, "!"),
                    at(&r.manifest)
                );
            }
            for failure in lead_failures {
                let _ = writeln!(
                    out,
                    "      {}: {} {}: {}",
                    failure.source,
                    paint(RED, "error:"),
                    failure.phone_number,
                    failure.error
                );
            }
            for line in diagnostics_text(diagnostics).lines() {
                let _ = writeln!(out, "      {line}");
            }
            if let Some(h) = hint {
                let _ = writeln!(out, "      hint: {h}");
            }
        }
        (Outcome::Unknown { error }, op) => {
            let what = if op == "create" {
                "outcome unknown"
            } else {
                "outcome of the {op} unknown"
            };
            let _ = writeln!(
                out,
                "  {} {name:?}: {}: {error}",
                paint(RED, "?"),
                what.replace("{op}", op)
            );
        }
        (Outcome::Skipped { reason }, op) => {
            let _ = writeln!(
                out,
                "  {} {name:?}: {} skipped: {reason}",
                paint(YELLOW, "-"),
                op.replace('_', " ")
            );
        }
        (Outcome::Held { reason, .. }, _) => {
            let _ = writeln!(out, "  {} {name:?}: held: {reason}", paint(YELLOW, "~"));
        }
    }
    out
}

/// The closing summary of an apply.
pub fn apply_summary_text(report: &Report, drifted: usize) -> String {
    let s = report.summary();
    let head = if report.no_failures() {
        paint(GREEN.bold(), "Apply complete:")
    } else {
        paint(RED, "Apply failed:")
    };
    let mut line = format!("{head} {} created", s.created);
    if s.inferred > 0 {
        let _ = write!(
            line,
            " ({} inferred after an ambiguous response)",
            s.inferred
        );
    }
    let _ = write!(line, ", {} failed", s.failed);
    if s.unknown > 0 {
        let _ = write!(line, ", {} unknown", s.unknown);
    }
    if s.skipped > 0 {
        let _ = write!(line, ", {} skipped", s.skipped);
    }
    line.push('.');
    if drifted > 0 {
        let _ = write!(
            line,
            " {drifted} drifted campaign(s) left as they are (no update endpoint)."
        );
    }
    line.push('\n');
    let follow_ups = report
        .results
        .iter()
        .any(|r| matches!(r.op, "add_leads" | "start" | "stop"));
    if follow_ups {
        let _ = writeln!(
            line,
            "Leads: {} added. Status: {} started, {} stopped.",
            s.leads_added, s.started, s.stopped
        );
    }
    if s.held > 0 {
        let mut flags: Vec<&str> = report
            .held()
            .filter_map(|r| match &r.outcome {
                Outcome::Held { flag, .. } => Some(*flag),
                _ => None,
            })
            .collect();
        flags.sort_unstable();
        flags.dedup();
        let _ = writeln!(
            line,
            "{} {} operation(s) not approved and not carried out; run again with {} to allow them.",
            paint(YELLOW.bold(), "Held:"),
            s.held,
            flags.join(" ")
        );
    }
    line
}

/// `apply --format json`.
#[derive(Serialize)]
pub struct ApplyDocument<'a> {
    format_version: u32,
    /// The plan's summary (as in `plan --format json`).
    plan: PlanSummaryJson,
    summary: ReportSummary,
    /// Every operation of the plan with its outcome, in plan order.
    operations: &'a [OperationResult],
}

/// The apply report as JSON.
pub fn apply_json(plan: &Plan, report: &Report) -> Value {
    json!(ApplyDocument {
        format_version: FORMAT_VERSION,
        plan: plan_summary_json(plan, 0),
        summary: report.summary(),
        operations: &report.results,
    })
}
