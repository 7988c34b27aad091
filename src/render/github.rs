//! GitHub Actions workflow commands (`::error file=...,line=...::message`), so that validation
//! and plan problems show on the pull request's diff. Printed with `--format github`, and in
//! addition to the normal output when `GITHUB_ACTIONS=true`.

use std::fmt::Write as _;

use crate::escape;
use crate::manifest::{Diagnostic, Location, Severity};

use super::details::{WILL_CALL_NEW_LEADS, WILL_START_CALLING};
use super::lifecycle::{what_is_lost, WILL_DELETE};
use crate::reconcile::leads_and_status::StatusAction;
use crate::reconcile::plan::{ActionKind, Plan};

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

fn command(level: &str, location: Option<&Location>, title: &str, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(l) = location {
        props.push(format!("file={}", escape_property(&l.shown_file())));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{level} {}::{}\n", props.join(","), escape_data(message))
}

/// One annotation per diagnostic (at most [`MAX_ANNOTATIONS`], then a notice saying how many
/// more there were); the hint goes on a second line of the message. A line break inside the
/// message or hint themselves (from input) is shown escaped, as in text output.
pub fn diagnostics(diagnostics: &[Diagnostic]) -> String {
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
            "notice",
            None,
            "campaignctl",
            &format!("... and {more} more problem(s), not shown"),
        ));
    }
    out
}

/// Annotations for a plan: its errors, a warning per drifted campaign, a notice per create.
pub fn plan(plan: &Plan, load_diagnostics: &[Diagnostic]) -> String {
    let mut out = diagnostics(load_diagnostics);
    out.push_str(&diagnostics(&plan.diagnostics));
    for a in &plan.actions {
        match &a.kind {
            ActionKind::Create { .. } => out.push_str(&command(
                "notice",
                a.manifest.as_ref(),
                "campaignctl: create",
                &format!("campaign {:?} will be created", a.name),
            )),
            ActionKind::Drift { changes, .. } => {
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
            ActionKind::Delete {
                held: Some(held), ..
            } => out.push_str(&command(
                "notice",
                a.manifest.as_ref(),
                "campaignctl: deletion held",
                &format!(
                    "campaign {:?} (id {}) is not deleted now: {held}",
                    a.name,
                    a.remote_id.unwrap_or_default()
                ),
            )),
            ActionKind::Delete { status, leads, .. } => out.push_str(&command(
                "warning",
                a.manifest.as_ref(),
                &format!("campaignctl: {WILL_DELETE}"),
                &format!(
                    "applying deletes campaign {:?} (id {}): {}; needs --allow-delete",
                    a.name,
                    a.remote_id.unwrap_or_default(),
                    what_is_lost(status, *leads)
                ),
            )),
            ActionKind::Replace { changes, .. } => {
                let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
                out.push_str(&command(
                    "warning",
                    a.manifest.as_ref(),
                    &format!("campaignctl: replace ({WILL_DELETE})"),
                    &format!(
                        "applying deletes the draft {:?} (id {}) and creates it anew ({} differ); needs --allow-delete",
                        a.name,
                        a.remote_id.unwrap_or_default(),
                        fields.join(", ")
                    ),
                ))
            }
            ActionKind::Unchanged { .. } | ActionKind::Unmanaged | ActionKind::Absent => {}
        }
        if let (Some(note), ActionKind::Drift { .. } | ActionKind::Create { .. }) =
            (&a.note, &a.kind)
        {
            out.push_str(&command(
                "notice",
                a.manifest.as_ref(),
                "campaignctl: note",
                &format!("{:?}: {note}", a.name),
            ));
        }
    }
    if let Some(line) = super::deletions::held_line(plan) {
        out.push_str(&command(
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
            "notice",
            None,
            "campaignctl: kept for their history",
            &format!("{line}\n{}", items.join("\n")),
        ));
    }
    for f in &plan.leads_and_status {
        if let Some(n) = f.leads.as_ref().map(|l| l.to_add.len()).filter(|n| *n > 0) {
            let calls = f.calls_new_leads();
            out.push_str(&command(
                if calls { "warning" } else { "notice" },
                Some(&f.manifest),
                "campaignctl: leads",
                &if calls {
                    format!(
                        "campaign {:?} gains {n} lead(s) and {WILL_CALL_NEW_LEADS}: it is running",
                        f.name
                    )
                } else {
                    format!("campaign {:?} gains {n} lead(s)", f.name)
                },
            ));
        }
        match f.status.as_ref().and_then(|s| s.action) {
            Some(StatusAction::Start) => out.push_str(&command(
                "warning",
                Some(&f.manifest),
                &format!("campaignctl: {WILL_START_CALLING}"),
                &format!(
                    "applying starts campaign {:?}: it places real phone calls",
                    f.name
                ),
            )),
            Some(StatusAction::Stop) => out.push_str(&command(
                "notice",
                Some(&f.manifest),
                "campaignctl: stop",
                &format!("applying stops campaign {:?}", f.name),
            )),
            None => {}
        }
    }
    out
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
            diagnostics(&[d]),
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
        let out = diagnostics(&[d]);
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
        let out = diagnostics(&many);
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
        assert_eq!(diagnostics(&[d]), "::warning title=campaignctl::w\n");
    }
}
