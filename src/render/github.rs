//! GitHub Actions workflow commands (`::error file=...,line=...::message`), so that validation
//! and plan problems show on the pull request's diff. Printed with `--format github`, and in
//! addition to the normal output when `GITHUB_ACTIONS=true`.

use std::fmt::Write as _;

use crate::escape;
use crate::manifest::{Diagnostic, Location, Severity};
use crate::shown_path::ShownFrom;

use super::campaign_ops::OperationIndex;
use super::details::{WILL_CALL_NEW_LEADS, WILL_START_CALLING};
use super::lifecycle::{what_is_lost, WILL_DELETE};
use crate::reconcile::operation::{Operation, Target};
use crate::reconcile::plan::{Disposition, Plan};

/// Whether we run inside GitHub Actions (the runner sets `GITHUB_ACTIONS=true`).
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Escapes a command's message (GitHub's `escapeData`, and other control characters too).
fn escape_data(s: &str) -> String {
    escape::github_data(s)
}

/// Escapes a property value (GitHub's `escapeProperty`, and other control characters too).
fn escape_property(s: &str) -> String {
    escape::github_property(s)
}

/// At most this many diagnostics become annotations in one list; the rest are counted.
pub const MAX_ANNOTATIONS: usize = crate::manifest::MAX_DIAGNOSTICS_SHOWN;

/// One workflow command, its `file` shown from `from` (GitHub attaches an annotation only to a
/// path relative to the repository).
fn command(
    from: &ShownFrom,
    level: &str,
    location: Option<&Location>,
    title: &str,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(l) = location {
        props.push(format!("file={}", escape_property(&l.shown_file(from))));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{level} {}::{}\n", props.join(","), escape_data(message))
}

/// One annotation per diagnostic (at most [`MAX_ANNOTATIONS`], then a notice saying how many
/// more there were); the hint goes on a second line of the message. A line break inside the
/// message or hint themselves (from input) is shown escaped, as in text output. Paths are shown
/// from `from`.
pub fn diagnostics(diagnostics: &[Diagnostic], from: &ShownFrom) -> String {
    let mut out = String::new();
    for d in diagnostics.iter().take(MAX_ANNOTATIONS) {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = escape::text(&d.message).into_owned();
        if let Some(hint) = &d.hint {
            let _ = write!(message, "\nhint: {}", escape::text(hint));
        }
        out.push_str(&command(
            from,
            level,
            d.location.as_ref(),
            "campaignctl",
            &message,
        ));
    }
    if let Some(more) = diagnostics
        .len()
        .checked_sub(MAX_ANNOTATIONS)
        .filter(|n| *n > 0)
    {
        out.push_str(&command(
            from,
            "notice",
            None,
            "campaignctl",
            &format!("... and {more} more problem(s), not shown"),
        ));
    }
    out
}

/// Annotations for a plan: its errors, a warning per drifted campaign, a notice per create,
/// a warning per delete, replace, start and lead added to a running campaign, a notice per
/// other lead change and stop. What will happen is read from the operations; drift, notes and
/// held deletions (which nothing carries out) from the view. Paths are shown from `from`.
pub fn plan(plan: &Plan, load_diagnostics: &[Diagnostic], from: &ShownFrom) -> String {
    let mut out = diagnostics(load_diagnostics, from);
    out.push_str(&diagnostics(&plan.diagnostics, from));
    out.push_str(&assistants(plan, from));
    let operations = OperationIndex::new(&plan.operations);
    for a in &plan.actions {
        let ops = operations.of(a.manifest.as_ref(), a.remote_id);
        if ops.create.is_some() {
            out.push_str(&command(
                from,
                "notice",
                a.manifest.as_ref(),
                "campaignctl: create",
                &format!("campaign {:?} will be created", a.name),
            ));
        } else if let Some((delete, _)) = ops.replace {
            let fields: Vec<&str> = match &a.kind {
                Disposition::Replace { changes, .. } => changes.iter().map(|c| c.field).collect(),
                _ => Vec::new(),
            };
            out.push_str(&command(
from,
                "warning",
                a.manifest.as_ref(),
                &format!("campaignctl: replace ({WILL_DELETE})"),
                &format!(
                    "applying deletes the draft {:?} (id {}) and creates it anew ({} differ); needs --allow-delete",
                    a.name,
                    target_id(delete),
                    fields.join(", ")
                ),
            ));
        } else if let (Some(delete), Some((status, leads))) = (ops.delete, ops.deleted()) {
            out.push_str(&command(
                from,
                "warning",
                a.manifest.as_ref(),
                &format!("campaignctl: {WILL_DELETE}"),
                &format!(
                    "applying deletes campaign {:?} (id {}): {}; needs --allow-delete",
                    a.name,
                    target_id(delete),
                    what_is_lost(status, leads)
                ),
            ));
        } else {
            match &a.kind {
                Disposition::Drift { changes, .. } => {
                    let fields: Vec<String> = changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{}: manifest {}, {} {}",
                                c.field,
                                c.desired,
                                c.actual_source(),
                                c.actual
                            )
                        })
                        .collect();
                    out.push_str(&command(
from,
                        "warning",
                        a.manifest.as_ref(),
                        "campaignctl: drift",
                        &format!(
                            "campaign {:?} (id {}) differs from the manifest (reported, not corrected)\n{}",
                            a.name,
                            a.remote_id.unwrap_or_default(),
                            fields.join("\n")
                        ),
                    ));
                }
                Disposition::Delete {
                    held: Some(held), ..
                } => out.push_str(&command(
                    from,
                    "notice",
                    a.manifest.as_ref(),
                    "campaignctl: deletion held",
                    &format!(
                        "campaign {:?} (id {}) is not deleted now: {held}",
                        a.name,
                        a.remote_id.unwrap_or_default()
                    ),
                )),
                // Decided, but no operation carries it out: nothing will happen, and the
                // annotation says so rather than promise it.
                Disposition::Create { .. }
                | Disposition::Replace { .. }
                | Disposition::Delete { .. } => out.push_str(&command(
                    from,
                    "warning",
                    a.manifest.as_ref(),
                    "campaignctl: not carried out",
                    &format!(
                        "campaign {:?} is planned as {}, but no operation carries it out",
                        a.name,
                        a.kind.label()
                    ),
                )),
                Disposition::Unchanged { .. } | Disposition::Unmanaged | Disposition::Absent => {}
            }
        }
        if let (Some(note), Disposition::Drift { .. } | Disposition::Create { .. }) =
            (&a.note, &a.kind)
        {
            out.push_str(&command(
                from,
                "notice",
                a.manifest.as_ref(),
                "campaignctl: note",
                &format!("{:?}: {note}", a.name),
            ));
        }
    }
    if let Some(line) = super::deletions::held_line(plan) {
        out.push_str(&command(
            from,
            "warning",
            None,
            "campaignctl: deletions held",
            &line,
        ));
    }
    if let Some(line) = super::deletions::kept_line(plan) {
        let items: Vec<String> = plan
            .deletions
            .kept_history
            .iter()
            .map(super::deletions::kept_item)
            .collect();
        out.push_str(&command(
            from,
            "notice",
            None,
            "campaignctl: kept for their history",
            &format!("{line}\n{}", items.join("\n")),
        ));
    }
    for a in &plan.actions {
        let ops = operations.of(a.manifest.as_ref(), a.remote_id);
        let at = a.manifest.as_ref();
        let n = ops.leads_to_add;
        if n > 0 {
            let calls = ops.new_leads_place_calls;
            out.push_str(&command(
                from,
                if calls { "warning" } else { "notice" },
                at,
                "campaignctl: leads",
                &if calls {
                    format!(
                        "campaign {:?} gains {n} lead(s) and {WILL_CALL_NEW_LEADS}: it is running",
                        a.name
                    )
                } else {
                    format!("campaign {:?} gains {n} lead(s)", a.name)
                },
            ));
        }
        if !ops.lead_updates.is_empty() {
            out.push_str(&command(
from,
                "notice",
                at,
                "campaignctl: lead variables",
                &format!(
                    "campaign {:?}: {} lead(s) get changed variables ({}); merged into the platform's, places no calls",
                    a.name,
                    ops.lead_updates.len(),
                    ops.updated_variables().join(", ")
                ),
            ));
        }
        if ops.start {
            out.push_str(&command(
                from,
                "warning",
                at,
                &format!("campaignctl: {WILL_START_CALLING}"),
                &format!(
                    "applying starts campaign {:?}: it places real phone calls",
                    a.name
                ),
            ));
        } else if ops.stop {
            out.push_str(&command(
                from,
                "notice",
                at,
                "campaignctl: stop",
                &format!("applying stops campaign {:?}", a.name),
            ));
        }
    }
    out
}

/// One annotation per declared assistant with something to say, at its manifest: a warning
/// where a call hears it or data is lost, a notice otherwise.
fn assistants(plan: &Plan, from: &ShownFrom) -> String {
    use crate::reconcile::model::AssistantDisposition as D;
    let mut out = String::new();
    let ops = super::assistants::operations_by_manifest(plan);
    for a in &plan.assistants {
        let op = ops.get(&a.manifest).copied();
        let heard = super::assistants::live_calls_of(op).map(|live| live.describe());
        let fields: Vec<&str> = a.changes.iter().map(|c| c.field.as_str()).collect();
        let (level, title, message) = match (&a.disposition, heard) {
            (D::Create, _) => ("notice", "campaignctl: create assistant".to_owned(), format!("assistant {:?} will be created", a.name)),
            (D::Update, Some(heard)) => (
                "warning",
                format!("campaignctl: {WILL_START_CALLING}"),
                format!("applying changes assistant {:?} ({}), heard by {heard}; needs --allow-start", a.name, fields.join(", ")),
            ),
            (D::Update, None) => ("notice", "campaignctl: update assistant".to_owned(), format!("assistant {:?} will be updated in place: {}", a.name, fields.join(", "))),
            (D::Delete, _) => (
                "warning",
                format!("campaignctl: {WILL_DELETE}"),
                format!("applying deletes assistant {:?}: its prompt, post-call schema and settings; needs --allow-delete", a.name),
            ),
            (D::DeleteRefused { why }, _) => ("warning", "campaignctl: assistant kept".to_owned(), format!("assistant {:?} is not deleted: {}", a.name, why.describe())),
            (D::EditedOutside, _) => ("warning", "campaignctl: assistant edited outside git".to_owned(), format!("assistant {:?} differs from its manifest ({}); watch leaves it without --self-heal-calls", a.name, fields.join(", "))),
            (D::AdoptedIdMissing { .. } | D::Unchanged | D::Absent, _) => continue,
        };
        out.push_str(&command(from, level, Some(&a.manifest), &title, &message));
    }
    out
}

/// The id of the campaign an operation acts on (0 for one this plan creates, which a delete
/// never is).
fn target_id(op: &Operation) -> u64 {
    match op.target {
        Target::Existing { id } => id,
        Target::Created { .. } => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_error_commands_with_escaped_properties_and_message() {
        let d = Diagnostic::error(
            Some(Location::new("camp,aigns/a:b.yaml", 3, 15)),
            "max_retries must be between 1 and 5, got 9 (100%)",
        )
        .with_hint("set 1 to 5");
        assert_eq!(
            diagnostics(&[d], &ShownFrom::as_is()),
            "::error file=camp%2Caigns/a%3Ab.yaml,line=3,col=15,title=campaignctl::max_retries must be between 1 and 5, got 9 (100%25)%0Ahint: set 1 to 5\n"
        );
    }

    #[test]
    fn input_cannot_start_a_workflow_command_line() {
        let d = Diagnostic::error(
            Some(Location::new("x\n::error::file.yaml", 1, 1)),
            "unknown field `k\n::error::injected`",
        )
        .with_hint("h\r\n::warning::also");
        let out = diagnostics(&[d], &ShownFrom::as_is());
        assert_eq!(out.lines().count(), 1, "one command, one line: {out:?}");
        assert!(
            out.starts_with("::error file=x%0A%3A%3Aerror%3A%3Afile.yaml,line=1,col=1,"),
            "the file property is escaped: {out}"
        );
        assert!(
            out.contains("unknown field `k\\n::error::injected`%0Ahint: h\\r\\n::warning::also"),
            "line breaks from input are shown escaped: {out}"
        );
    }

    #[test]
    fn the_number_of_annotations_is_bounded() {
        let many: Vec<Diagnostic> = (0..MAX_ANNOTATIONS + 5)
            .map(|i| Diagnostic::error(None, format!("problem {i}")))
            .collect();
        let out = diagnostics(&many, &ShownFrom::as_is());
        assert_eq!(
            out.lines().count(),
            MAX_ANNOTATIONS + 1,
            "bounded, plus one notice"
        );
        assert!(
            out.ends_with("::notice title=campaignctl::... and 5 more problem(s), not shown\n"),
            "the rest are counted: {}",
            out.lines().last().unwrap_or_default()
        );
    }

    #[test]
    fn a_problem_without_a_file_has_no_file_property() {
        let d = Diagnostic::warning(None, "w");
        assert_eq!(
            diagnostics(&[d], &ShownFrom::as_is()),
            "::warning title=campaignctl::w\n"
        );
    }
}
