//! Rendering of plans and apply reports: Terraform-style text for people, stable JSON for
//! machines. Text carries ANSI styles; the caller writes it through `anstream`, which strips
//! them when stdout is not a terminal or `NO_COLOR` is set.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::{json, Value};

use crate::manifest::{Diagnostic, Location};

use super::apply::{ApplyReport, CreateOutcome, CreateResult};
use super::plan::{Action, ActionKind, Plan};
use super::render_follow_up;

/// Version of the JSON documents `plan --format json` and `apply --format json` print.
/// Bumped only on incompatible changes; fields may be added without a bump.
pub const FORMAT_VERSION: u32 = 1;

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
    for d in diagnostics {
        let text = d.to_string();
        let severity = format!("{}:", d.severity);
        let styled = match d.severity {
            crate::manifest::Severity::Error => paint(RED, &severity),
            crate::manifest::Severity::Warning => paint(YELLOW.bold(), &severity),
        };
        let _ = writeln!(out, "{}", text.replacen(&severity, &styled, 1));
    }
    out
}

/// A diagnostic as a flat JSON object (`file`, `line`, `column` at the top level).
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "severity": d.severity,
        "file": d.location.as_ref().map(|l| l.file.display().to_string()),
        "line": d.location.as_ref().map(|l| l.line),
        "column": d.location.as_ref().map(|l| l.column),
        "field": d.field,
        "message": d.message,
        "hint": d.hint,
    })
}

fn location_json(l: &Option<Location>) -> Value {
    match l {
        Some(l) => {
            json!({"file": l.file.display().to_string(), "line": l.line, "column": l.column})
        }
        None => Value::Null,
    }
}

/// The plan as the stable JSON document described in the README.
pub fn plan_json(plan: &Plan, load_diagnostics: &[Diagnostic]) -> Value {
    let s = plan.summary();
    let diagnostics: Vec<Value> = load_diagnostics
        .iter()
        .chain(&plan.diagnostics)
        .map(diagnostic_json)
        .collect();
    let errors = load_diagnostics
        .iter()
        .chain(&plan.diagnostics)
        .filter(|d| d.is_error())
        .count();
    let mut actions: Vec<Value> = plan
        .actions
        .iter()
        .map(|a| {
            let mut o = json!({
                "action": a.kind.label(),
                "name": a.name,
                "manifest": location_json(&a.manifest),
                "id": a.remote_id,
            });
            match &a.kind {
                ActionKind::Create { request } => o["body"] = json!(request),
                ActionKind::Drift {
                    changes,
                    write_once,
                } => {
                    o["changes"] = json!(changes);
                    o["write_once"] = json!(write_once);
                }
                ActionKind::Unchanged { write_once } => o["write_once"] = json!(write_once),
                ActionKind::Unmanaged => {}
            }
            o
        })
        .collect();
    render_follow_up::annotate_actions_json(plan, &mut actions);
    json!({
        "format_version": FORMAT_VERSION,
        "summary": {"create": s.create, "unchanged": s.unchanged, "drift": s.drift, "unmanaged": s.unmanaged, "errors": errors},
        "changes": render_follow_up::changes_json(plan),
        "actions": actions,
        "diagnostics": diagnostics,
    })
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

/// One line (plus mapped diagnostics) for a finished create, printed as it completes.
pub fn create_result_text(r: &CreateResult) -> String {
    let mut out = String::new();
    match &r.outcome {
        CreateOutcome::Created { id } => {
            let _ = writeln!(
                out,
                "  {} {:?}: created (id {id})",
                paint(GREEN, "+"),
                r.name
            );
        }
        CreateOutcome::CreatedInferred { id, cause } => {
            let _ = writeln!(
                out,
                "  {} {:?}: created (id {id}), inferred: the create's response was lost ({cause}) and the campaign was found when listing again",
                paint(GREEN, "+"),
                r.name
            );
        }
        CreateOutcome::Failed {
            error,
            diagnostics,
            hint,
        } => {
            let _ = writeln!(
                out,
                "  {} {:?}: failed: {error}{}",
                paint(RED, "!"),
                r.name,
                at(&r.manifest)
            );
            for line in diagnostics_text(diagnostics).lines() {
                let _ = writeln!(out, "      {line}");
            }
            if let Some(h) = hint {
                let _ = writeln!(out, "      hint: {h}");
            }
        }
        CreateOutcome::Unknown { error } => {
            let _ = writeln!(
                out,
                "  {} {:?}: outcome unknown: {error}",
                paint(RED, "?"),
                r.name
            );
        }
    }
    out
}

/// The closing summary of an apply.
pub fn apply_summary_text(report: &ApplyReport, drifted: usize) -> String {
    let s = report.summary();
    let head = if report.all_succeeded() {
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
    line.push('.');
    if drifted > 0 {
        let _ = write!(
            line,
            " {drifted} drifted campaign(s) left as they are (no update endpoint)."
        );
    }
    line.push('\n');
    line
}

/// The apply report as JSON.
pub fn apply_json(plan: &Plan, report: &ApplyReport) -> Value {
    json!({
        "format_version": FORMAT_VERSION,
        "plan": plan_json(plan, &[])["summary"],
        "summary": report.summary(),
        "results": report.results.iter().map(|r| {
            let mut v = json!(r);
            v["manifest"] = location_json(&r.manifest);
            if let Some(diags) = v.get_mut("diagnostics") {
                if let CreateOutcome::Failed { diagnostics, .. } = &r.outcome {
                    *diags = json!(diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>());
                }
            }
            v
        }).collect::<Vec<_>>(),
    })
}
