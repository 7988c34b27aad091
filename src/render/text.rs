//! Terraform-style text for people: the plan, diagnostics, each operation's result as it
//! completes, and the apply summary. Text carries ANSI styles; the caller writes it through
//! `anstream`, which strips them when stdout is not a terminal or `NO_COLOR` is set (`cli::output`
//! renders it `without_styles` for such a stream, so there is nothing to strip).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::style::{paint, styled, BOLD, CYAN, DIM, GREEN, RED, YELLOW};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::manifest::{Diagnostic, Location};
use crate::reconcile::executor::{OperationResult, Outcome, Report};
use crate::reconcile::operation::OperationKind;
use crate::reconcile::plan::{Disposition, Explanation, Plan};
use crate::shown_path::ShownFrom;

use super::campaign_ops::{CampaignOps, OperationIndex};
use super::details;

/// ` (file:line:column)` of a campaign's manifest, its path shown from `from`.
pub(super) fn at(location: &Option<Location>, from: &ShownFrom) -> String {
    location
        .as_ref()
        .map(|l| format!(" ({})", l.shown(from)))
        .unwrap_or_default()
}

fn value(v: &Value) -> String {
    let json = serde_json::to_string(v).unwrap_or_else(|_| v.to_string());
    // Copied again only when something in it had to be escaped.
    match crate::escape::json(&json) {
        std::borrow::Cow::Borrowed(_) => json,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// How much of a plan the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanTextOptions {
    /// List unchanged campaigns (and their leads and status) and every unmanaged campaign.
    pub verbose: bool,
    /// The manifests planned are the whole account's; otherwise the text says that unmanaged
    /// campaigns are not listed.
    pub whole_account: bool,
}

impl Default for PlanTextOptions {
    fn default() -> PlanTextOptions {
        PlanTextOptions {
            verbose: false,
            whole_account: true,
        }
    }
}

/// Unmanaged campaigns listed without `--verbose`; the rest are counted.
const UNMANAGED_SHOWN: usize = 10;

/// The plan as text, Terraform style, with the default options, paths shown as they are.
pub fn plan_text(plan: &Plan) -> String {
    plan_text_with(plan, PlanTextOptions::default(), &ShownFrom::as_is())
}

/// The plan as text: one block per campaign with something to say (a create, drift, leads to
/// add, a status change or note), its references, leads and status lines inside it; unchanged
/// campaigns are only counted unless `verbose`; unmanaged campaigns at the end. Paths are
/// shown from `from`.
pub fn plan_text_with(plan: &Plan, options: PlanTextOptions, from: &ShownFrom) -> String {
    let mut out = String::new();
    // Writing to a `String` cannot fail.
    let _ = write_plan_text(&mut out, plan, options, from);
    out
}

/// [`plan_text_with`] written to `out` as it is rendered, block by block: a plan of 10,000
/// creates is megabytes of text, which `cli::output` streams through its buffered writer
/// rather than holding whole.
pub fn write_plan_text(
    out: &mut dyn std::fmt::Write,
    plan: &Plan,
    options: PlanTextOptions,
    from: &ShownFrom,
) -> std::fmt::Result {
    let details_of = plan.leads_and_status_by_manifest();
    let operations = OperationIndex::new(&plan.operations);
    let s = plan.summary();
    // A plan with errors says so first, as Terraform does, with the `error:` every other message
    // starts with (as rustc and cargo): its blocks below are what it would do once the errors
    // are fixed, not what apply will do now.
    let errors = plan.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        writeln!(
            out,
            "{} the plan has {errors} error(s), listed after it; nothing will be applied until they are fixed.\n",
            paint(RED, "error:")
        )?;
    }
    let mut body = Body::new(out);
    // Assistants first: they are written before the campaigns that use them.
    let (assistants, assistants_hidden) = super::assistants::text(plan, options.verbose, from);
    body.push(&assistants)?;
    let mut hidden = 0usize;
    let mut unmanaged: Vec<&Explanation> = Vec::new();
    let mut block = String::new();
    for action in &plan.actions {
        let f = action
            .manifest
            .as_ref()
            .and_then(|m| details_of.get(m).copied());
        let ops = operations.of(action.manifest.as_ref(), action.remote_id);
        match action.kind {
            Disposition::Unmanaged => {
                unmanaged.push(action);
                continue;
            }
            Disposition::Unchanged { .. }
                if !options.verbose
                    && !ops.touches_leads_or_status()
                    && !f.is_some_and(details::worth_explaining) =>
            {
                hidden += 1;
                continue;
            }
            _ => {}
        }
        block.clear();
        action_text(&mut block, action, ops, from);
        if let Some(f) = f {
            details::details_text(&mut block, f, ops);
        }
        body.push(&block)?;
        // A block of several lines stands apart; one-line blocks (unchanged) stay together.
        if block.lines().count() > 1 {
            body.push("\n")?;
        }
    }
    let shown = if options.verbose {
        unmanaged.len()
    } else {
        UNMANAGED_SHOWN
    };
    for a in unmanaged.iter().take(shown) {
        block.clear();
        action_text(&mut block, a, operations.of(None, None), from);
        body.push(&block)?;
    }
    if unmanaged.len() > shown {
        body.push(&format!(
            "  {} ... and {} more unmanaged campaign(s), not listed (--verbose lists them)\n",
            paint(CYAN, "?"),
            unmanaged.len() - shown
        ))?;
    }
    let out = body.end()?;

    // "No changes" only when nothing differs at all: what apply cannot act on is said instead,
    // and so are write-once fields that were not compared (`write_once::line`).
    let nothing_else = errors == 0 && !s.has_changes() && s.held == 0 && s.attention == 0;
    let write_once = super::write_once::line(plan, nothing_else);
    if errors == 0 && !s.has_changes() && s.held == 0 {
        if s.attention > 0 {
            writeln!(
                out,
                "{}",
                paint(YELLOW.bold(), nothing_to_apply(s.attention))
            )?;
        } else if !write_once.as_ref().is_some_and(|(_, warn)| *warn) {
            writeln!(
                out,
                "{}",
                paint(
                    GREEN.bold(),
                    "No changes. The platform matches the manifests."
                )
            )?;
        }
    }
    if errors > 0 {
        writeln!(
            out,
            "{} {s} {}",
            paint(BOLD, "Plan:"),
            paint(RED, format!("{errors} error(s): nothing will be applied."))
        )?;
    } else {
        writeln!(out, "{} {s}", paint(BOLD, "Plan:"))?;
    }
    if let Some(line) = details::leads_and_status_summary_text(&s) {
        out.write_str(&line)?;
    }
    if let Some(line) = super::deletions::held_line(plan) {
        writeln!(out, "{}", paint(YELLOW, line))?;
    }
    if let Some(line) = super::deletions::kept_line(plan) {
        if options.verbose {
            writeln!(out, "{line}")?;
            for c in &plan.deletions.kept_history {
                writeln!(out, "    {}", super::deletions::kept_item(c))?;
            }
        } else {
            writeln!(out, "{line} (--verbose lists them)")?;
        }
    }
    if hidden > 0 {
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                format!("{hidden} unchanged campaign(s) not listed (--verbose lists them).")
            )
        )?;
    }
    if assistants_hidden > 0 {
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                format!(
                    "{assistants_hidden} unchanged assistant(s) not listed (--verbose lists them)."
                )
            )
        )?;
    }
    if let Some((line, warn)) = write_once {
        let style = if warn { YELLOW } else { DIM };
        writeln!(out, "{}", paint(style, line))?;
    }
    if !options.whole_account {
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                "Only part of the account was planned (files or --target named), so campaigns in no manifest are not listed."
            )
        )?;
    }
    if s.drift > 0 {
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                "Drift is reported, not corrected: the platform API has no update endpoint. Change the campaign in the dashboard, or the manifest to match."
            )
        )?;
    }
    Ok(())
}

/// The blocks of a plan as they are written: under a heading written before the first, and
/// ended by a blank line (unless the last block ended with one already). No blocks, no heading.
struct Body<'a> {
    out: &'a mut dyn std::fmt::Write,
    started: bool,
    /// The last two characters written, for the blank line at the end.
    tail: [char; 2],
}

impl<'a> Body<'a> {
    fn new(out: &'a mut dyn std::fmt::Write) -> Body<'a> {
        Body {
            out,
            started: false,
            tail: ['\0'; 2],
        }
    }

    fn push(&mut self, text: &str) -> std::fmt::Result {
        if text.is_empty() {
            return Ok(());
        }
        if !self.started {
            self.started = true;
            writeln!(
                self.out,
                "campaignctl compared the manifests with the platform:\n"
            )?;
        }
        for c in text
            .chars()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            self.tail = [self.tail[1], c];
        }
        self.out.write_str(text)
    }

    /// Ends the body, and gives the writer back for what follows it.
    fn end(self) -> Result<&'a mut dyn std::fmt::Write, std::fmt::Error> {
        if self.started && self.tail != ['\n', '\n'] {
            self.out.write_char('\n')?;
        }
        Ok(self.out)
    }
}

/// The line of a plan that has nothing to apply and `attention` campaigns apply cannot act on.
pub fn nothing_to_apply(attention: usize) -> String {
    format!(
        "Nothing to apply, but {attention} campaign(s) need attention: apply cannot act on them."
    )
}

/// One campaign's block: what its operations will do (create, replace, delete), else what the
/// view says about a campaign they leave as it is (drift, up to date, unmanaged, a deletion
/// held, a tombstone).
fn action_text(out: &mut String, a: &Explanation, ops: &CampaignOps, from: &ShownFrom) {
    let id = a
        .remote_id
        .map(|id| format!(" (id {id})"))
        .unwrap_or_default();
    if let Some(OperationKind::CreateCampaign { request, .. }) = ops.create.map(|op| &op.kind) {
        let _ = writeln!(
            out,
            "  {}",
            styled(
                DIM,
                format_args!("# {:?} will be created{}", a.name, at(&a.manifest, from))
            )
        );
        let _ = writeln!(out, "  {} campaign {:?} {{", styled(GREEN, "+"), a.name);
        // The body as it is sent, each field's JSON read back as written, in name order,
        // without building a `serde_json::Value` (a map and a string per field) per create.
        let shown = serde_json::to_string(request).and_then(|body| {
            let fields = serde_json::from_str::<BTreeMap<&str, &RawValue>>(&body)?;
            fields_text(out, &fields);
            Ok(())
        });
        // Not for any request campaignctl builds (fixed field names, no maps); said, not left
        // as an empty block, if one ever is.
        if let Err(e) = shown {
            let _ = writeln!(out, "      (the request body cannot be shown: {e})");
        }
        let _ = writeln!(out, "    }}");
    } else if !super::lifecycle::operation_text(out, a, ops, from) {
        campaign_left_text(out, a, &id, from);
    }
    super::lifecycle::note_text(out, a);
}

/// A create's fields, one `+ name = value` line each, values as the body sends them.
fn fields_text(out: &mut String, fields: &BTreeMap<&str, &RawValue>) {
    let width = fields.keys().map(|k| k.len()).max().unwrap_or(0);
    for (k, v) in fields {
        let _ = writeln!(
            out,
            "      {} {k:width$} = {}",
            styled(GREEN, "+"),
            crate::escape::json(v.get())
        );
    }
}

/// The block of a campaign no operation creates, replaces or deletes.
fn campaign_left_text(out: &mut String, a: &Explanation, id: &str, from: &ShownFrom) {
    match &a.kind {
        Disposition::Drift {
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
                        at(&a.manifest, from)
                    )
                )
            );
            let _ = writeln!(out, "  {} campaign {:?} {{", paint(YELLOW, "~"), a.name);
            let width = changes.iter().map(|c| c.field.len()).max().unwrap_or(0);
            for c in changes {
                let from = match &c.known_from {
                    Some(_) => format!("   {}", paint(DIM, format!("# {}", c.actual_source()))),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "      {} {:width$} = {} -> {}{from}",
                    paint(YELLOW, "~"),
                    c.field,
                    crate::reconcile::baseline::shown(&c.actual),
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
                            "# write-once, not readable, not compared: {} (compare them with a git revision: --base REF)",
                            write_once.join(", ")
                        )
                    )
                );
            }
            let _ = writeln!(out, "    }}");
        }
        Disposition::Unchanged { write_once } => {
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
                at(&a.manifest, from),
                paint(DIM, note)
            );
        }
        Disposition::Unmanaged => {
            let _ = writeln!(
                out,
                "  {} {:?}{id} is not in any manifest; it is left alone",
                paint(CYAN, "?"),
                a.name
            );
        }
        Disposition::Delete { held: Some(_), .. } | Disposition::Absent => {
            super::lifecycle::held_or_absent_text(out, a, from)
        }
        // Decided, but no operation carries it out: nothing will happen, and the plan says so
        // rather than promise it.
        Disposition::Create { .. } | Disposition::Replace { .. } | Disposition::Delete { .. } => {
            let _ = writeln!(
                out,
                "  {} {:?}{id}: planned as {}, but no operation carries it out",
                paint(YELLOW, "!"),
                a.name,
                a.kind.label()
            );
        }
    }
}

/// Diagnostics as text, one per line (plus hint lines), `error:` in red, paths shown from
/// `from`.
pub fn diagnostics_text(diagnostics: &[Diagnostic], from: &ShownFrom) -> String {
    let mut out = String::new();
    let shown = crate::manifest::MAX_DIAGNOSTICS_SHOWN;
    let mut sources = super::excerpt::Sources::default();
    for d in diagnostics.iter().take(shown) {
        let text = d.shown(from).to_string();
        let severity = format!("{}:", d.severity);
        let styled = match d.severity {
            crate::manifest::Severity::Error => paint(RED, &severity),
            crate::manifest::Severity::Warning => paint(YELLOW.bold(), &severity),
        };
        let text = text.replacen(&severity, &styled, 1);
        // The `file:line:column: severity: message` line, the source line with a caret under
        // the column, then the hint.
        let (head, hint) = match text.split_once("\n  hint: ") {
            Some((head, hint)) => (head, Some(hint)),
            None => (text.as_str(), None),
        };
        let _ = writeln!(out, "{head}");
        if let Some(excerpt) = d
            .location
            .as_ref()
            .and_then(|at| sources.excerpt(at, d.severity))
        {
            let _ = writeln!(out, "{excerpt}");
        }
        if let Some(hint) = hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
    }
    if let Some(more) = diagnostics.len().checked_sub(shown).filter(|&n| n > 0) {
        let _ = writeln!(out, "... and {more} more problem(s), not shown");
    }
    out
}

/// One line (plus mapped diagnostics) for a finished operation, printed as it completes, paths
/// shown from `from`.
pub fn operation_result_text(r: &OperationResult, from: &ShownFrom) -> String {
    if let Some(line) = super::lifecycle::operation_result_text(r) {
        return line;
    }
    if let Some(line) = super::assistants::result_text(r) {
        return line;
    }
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
            if op == "update_leads" {
                let _ = writeln!(out, "  {} {name:?}: {error}", paint(RED, "!"),);
            } else if op == "add_leads" {
                let _ = writeln!(
                    out,
                    "  {} {name:?}: {} lead(s) added, {} failed",
                    paint(RED, "!"),
                    leads_added.unwrap_or(0),
                    lead_failures.len()
                );
            } else {
                // Named per operation: a failed assistant write (or delete) is not a stop.
                let verb = match op {
                    "start" => "could not start",
                    "stop" => "could not stop",
                    "delete" | "delete_assistant" => "could not delete",
                    "create_assistant" => "could not create",
                    "update_assistant" => "could not update",
                    _ => "failed",
                };
                let _ = writeln!(
                    out,
                    "  {} {name:?}: {verb}: {error}{}",
                    paint(RED, "!"),
                    at(&r.manifest, from)
                );
            }
            for failure in lead_failures {
                let _ = writeln!(
                    out,
                    "      {}: {} {}: {}",
                    failure.source.shown(from),
                    paint(RED, "error:"),
                    failure.phone_number,
                    failure.error
                );
            }
            for line in diagnostics_text(diagnostics, from).lines() {
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
    if s.joined > 0 {
        let _ = write!(
            line,
            ", {} already created by a run at the same time",
            s.joined
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
    let assistants = |op: &str| {
        report
            .results
            .iter()
            .filter(|r| r.op == op && r.outcome.succeeded())
            .count()
    };
    let (created, updated, deleted) = (
        assistants("create_assistant"),
        assistants("update_assistant"),
        assistants("delete_assistant"),
    );
    if created + updated + deleted > 0 {
        let _ = write!(
            line,
            " Assistants: {created} created, {updated} updated in place, {deleted} deleted."
        );
    }
    if drifted > 0 {
        let _ = write!(
            line,
            " {drifted} drifted campaign(s) left as they are (no update endpoint)."
        );
    }
    line.push('\n');
    let leads_and_status = report
        .results
        .iter()
        .any(|r| matches!(r.op, "add_leads" | "start" | "stop"));
    if leads_and_status {
        let _ = writeln!(
            line,
            "Leads: {} added. Status: {} started, {} stopped.",
            s.leads_added, s.started, s.stopped
        );
    }
    if let Some(more) = super::lifecycle::apply_summary_line(report) {
        line.push_str(&more);
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
