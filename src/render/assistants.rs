//! The declared assistants in every rendering of a plan: one block per assistant with
//! something to say (a create, an update in place with each changed field, a prompt as a
//! unified diff of its lines, a delete, a refused delete, edits left alone), what an update
//! changes for calls under way, and the same as a Markdown section whose prompt diffs fold
//! into `<details>`. What will happen is read from the operations; the why from the view.

use std::collections::HashMap;
use std::fmt::Write as _;

use similar::TextDiff;

use crate::escape;
use crate::manifest::Location;
use crate::reconcile::model::{AssistantDisposition, AssistantFieldChange};
use crate::reconcile::operation::{LiveCalls, Operation, OperationKind, Resource};
use crate::reconcile::plan::Plan;
use crate::shown_path::ShownFrom;

use super::style::{paint, CYAN, DIM, GREEN, RED, YELLOW};

/// Lines of context around each change in a prompt's diff.
const DIFF_CONTEXT: usize = 2;

/// Each assistant's operation, by the manifest that declares it: built once per rendering (a
/// search of the plan's operations for each assistant would scan every campaign's too).
pub(super) fn operations_by_manifest(plan: &Plan) -> HashMap<&Location, &Operation> {
    plan.operations
        .iter()
        .filter(|op| op.kind.resource() == Resource::Assistant)
        .filter_map(|op| Some((op.manifest.as_ref()?, op)))
        .collect()
}

pub(super) fn live_calls_of(op: Option<&Operation>) -> Option<&LiveCalls> {
    match op.map(|op| &op.kind) {
        Some(
            OperationKind::UpdateAssistant { live_calls, .. }
            | OperationKind::CreateAssistant { live_calls, .. },
        ) if live_calls.any() => Some(live_calls),
        _ => None,
    }
}

/// A value as shown on one line: escaped, quoted when text (a number or a flag as it is),
/// `(not set)` when absent.
fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) if v.parse::<f64>().is_ok() || v == "true" || v == "false" => v.clone(),
        Some(v) => format!("{:?}", escape::text(v)),
        None => "(not set)".to_owned(),
    }
}

/// `text` ending in a line break: the platform stores texts trimmed, so neither side has one,
/// and a diff would end with git's "No newline at end of file" for no difference of substance.
fn with_final_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    }
}

/// `text` with each line (split at `\n` only) escaped: the diff is taken of the lines as shown,
/// so a lone `\r` (which the diff would take for a line end of its own) or another control
/// character can never shift a line's `+`/`-` mark onto the next, nor reach the terminal.
fn shown_lines(text: &str) -> String {
    text.split('\n')
        .map(escape::text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unified diff of a text field, `platform` before, `manifest` after, every line escaped.
pub fn text_diff(change: &AssistantFieldChange) -> String {
    let before = with_final_newline(&shown_lines(change.live.as_deref().unwrap_or_default()));
    let after = with_final_newline(&shown_lines(change.declared.as_deref().unwrap_or_default()));
    let before_label = if change.from_baseline {
        "baseline"
    } else {
        "platform"
    };
    let diff = TextDiff::from_lines(&before, &after);
    let unified = diff
        .unified_diff()
        .context_radius(DIFF_CONTEXT)
        .header(before_label, "manifest")
        .to_string();
    let mut out = String::with_capacity(unified.len());
    for line in unified.lines() {
        out.push_str(&escape::text(line));
        out.push('\n');
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Every assistant block of the text plan, in manifest order; unchanged assistants are only
/// counted unless `verbose`. Empty when the plan declares no assistant.
pub fn text(plan: &Plan, verbose: bool, from: &ShownFrom) -> (String, usize) {
    let mut out = String::new();
    let mut hidden = 0;
    let ops = operations_by_manifest(plan);
    for a in &plan.assistants {
        let op = ops.get(&a.manifest).copied();
        let at = format!(" ({})", a.manifest.shown(from));
        let id = a
            .remote_id
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        let name = escape::text(&a.name);
        match (&a.disposition, op.map(|op| &op.kind)) {
            (
                AssistantDisposition::Create,
                Some(OperationKind::CreateAssistant { request, .. }),
            ) => {
                let _ = writeln!(
                    out,
                    "  {}",
                    paint(DIM, format!("# assistant {name:?} will be created{at}"))
                );
                let _ = writeln!(out, "  {} assistant {name:?} {{", paint(GREEN, "+"));
                if let serde_json::Value::Object(fields) = serde_json::json!(request) {
                    let width = fields.keys().map(String::len).max().unwrap_or(0);
                    for (k, v) in &fields {
                        let v = match v {
                            serde_json::Value::String(s) if s.contains('\n') => {
                                format!("<<{} lines>>", s.lines().count())
                            }
                            _ => escape::json(&v.to_string()).into_owned(),
                        };
                        let _ = writeln!(out, "      {} {k:width$} = {v}", paint(GREEN, "+"));
                    }
                }
                let _ = writeln!(out, "    }}");
            }
            (AssistantDisposition::Update | AssistantDisposition::EditedOutside, _) => {
                let left = a.disposition == AssistantDisposition::EditedOutside;
                let heading = if left {
                    format!("# assistant {name:?}{id} was edited outside git; watch leaves it (--self-heal-calls changes it back){at}")
                } else {
                    format!("# assistant {name:?}{id} will be updated in place{at}")
                };
                let _ = writeln!(out, "  {}", paint(DIM, heading));
                let symbol = if left {
                    paint(CYAN, "?")
                } else {
                    paint(YELLOW, "~")
                };
                let _ = writeln!(out, "  {symbol} assistant {name:?} {{");
                for change in &a.changes {
                    let field = escape::text(&change.field);
                    let from_git = if change.from_baseline {
                        paint(
                            DIM,
                            " (compared with the baseline: the platform does not return it)",
                        )
                    } else {
                        String::new()
                    };
                    if change.is_text() {
                        let _ = writeln!(out, "      {} {field}:{from_git}", paint(YELLOW, "~"));
                        for line in text_diff(change).lines() {
                            let styled = if line.starts_with("+++") || line.starts_with("---") {
                                paint(DIM, line)
                            } else if line.starts_with('+') {
                                paint(GREEN, line)
                            } else if line.starts_with('-') {
                                paint(RED, line)
                            } else if line.starts_with("@@") {
                                paint(CYAN, line)
                            } else {
                                line.to_owned()
                            };
                            let _ = writeln!(out, "          {styled}");
                        }
                    } else {
                        let _ = writeln!(
                            out,
                            "      {} {field} = {} -> {}{from_git}",
                            paint(YELLOW, "~"),
                            shown(&change.live),
                            shown(&change.declared)
                        );
                    }
                }
                let _ = writeln!(out, "    }}");
            }
            (AssistantDisposition::Delete, Some(_)) => {
                let _ = writeln!(
                    out,
                    "  {}",
                    paint(DIM, format!("# assistant {name:?}{id} will be deleted{at}"))
                );
                let _ = writeln!(out, "  {} assistant {name:?}{id}: its prompt, post-call schema and settings are lost", paint(RED, "-"));
            }
            (AssistantDisposition::DeleteRefused { why }, _) => {
                let _ = writeln!(
                    out,
                    "  {} assistant {name:?}{id} is not deleted: {}{at}",
                    paint(YELLOW, "!"),
                    escape::text(&why.describe())
                );
            }
            (AssistantDisposition::AdoptedIdMissing { id }, _) => {
                let _ = writeln!(
                    out,
                    "  {} assistant {name:?} adopts id {id}, which the account does not have{at}",
                    paint(RED, "!")
                );
            }
            (AssistantDisposition::Absent, _) => {
                if verbose {
                    let _ = writeln!(out, "    assistant {name:?} is deleted, as declared{at}");
                } else {
                    hidden += 1;
                }
                continue;
            }
            _ => {
                if verbose {
                    let _ = writeln!(out, "    assistant {name:?}{id} is unchanged{at}");
                } else {
                    hidden += 1;
                }
                continue;
            }
        }
        if let Some(live) = live_calls_of(op) {
            let _ = writeln!(
                out,
                "    {}",
                paint(
                    YELLOW,
                    format!(
                        "! this changes what live calls say ({}): it needs --allow-start",
                        escape::text(&live.describe())
                    )
                )
            );
        }
        if !a.not_compared.is_empty() {
            let _ = writeln!(
                out,
                "    {}",
                paint(
                    DIM,
                    format!(
                        "not compared (the platform does not return them, and no baseline knows them): {}",
                        a.not_compared.join(", ")
                    )
                )
            );
        }
        out.push('\n');
    }
    (out, hidden)
}

/// The assistants' section of the Markdown plan (empty when nothing is to say): a line per
/// assistant with something to say, each text change as a diff folded into `<details>`.
pub fn markdown(plan: &Plan, from: &ShownFrom) -> String {
    let mut out = String::new();
    let ops = operations_by_manifest(plan);
    for a in &plan.assistants {
        let op = ops.get(&a.manifest).copied();
        let name = super::markdown::escape(&a.name);
        let at = super::markdown::escape(&a.manifest.shown(from).to_string());
        let line = match &a.disposition {
            AssistantDisposition::Create => format!("- :heavy_plus_sign: assistant **{name}** will be created ({at})"),
            AssistantDisposition::Update => format!("- :pencil2: assistant **{name}** will be updated in place ({at})"),
            AssistantDisposition::EditedOutside => format!("- :grey_question: assistant **{name}** was edited outside git; `watch` leaves it without `--self-heal-calls` ({at})"),
            AssistantDisposition::Delete => format!("- :x: assistant **{name}** will be deleted: its prompt, post-call schema and settings are lost ({at})"),
            AssistantDisposition::DeleteRefused { why } => format!("- :warning: assistant **{name}** is not deleted: {} ({at})", super::markdown::escape(&why.describe())),
            AssistantDisposition::AdoptedIdMissing { id } => format!("- :x: assistant **{name}** adopts id {id}, which the account does not have ({at})"),
            AssistantDisposition::Unchanged | AssistantDisposition::Absent => continue,
        };
        out.push_str(&line);
        out.push('\n');
        if let Some(live) = live_calls_of(op) {
            let _ = writeln!(
                out,
                "  - :warning: **changes what live calls say** ({}): needs `--allow-start`",
                super::markdown::escape(&live.describe())
            );
        }
        for change in &a.changes {
            // A field's name is one of campaignctl's own (`classify`), shown in code as it is.
            let field = &change.field;
            if change.is_text() {
                let diff = text_diff(change);
                let fence = super::markdown::fence_for(&diff);
                let _ = writeln!(
                    out,
                    "\n<details><summary><code>{field}</code> (diff)</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n"
                );
            } else {
                let _ = writeln!(
                    out,
                    "  - `{field}`: {} → {}{}",
                    super::markdown::escape(&shown(&change.live)),
                    super::markdown::escape(&shown(&change.declared)),
                    if change.from_baseline {
                        " (compared with the baseline)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("### Assistants\n\n{out}\n")
}

/// The line of an assistant operation's result as apply prints it (`None`: not an assistant's
/// operation, or an outcome every operation words alike: unknown, skipped, held).
pub fn result_text(r: &crate::reconcile::executor::OperationResult) -> Option<String> {
    use crate::reconcile::executor::Outcome;
    let verb = match r.op {
        "create_assistant" => "created",
        "update_assistant" => "updated in place",
        "delete_assistant" => "deleted",
        _ => return None,
    };
    let name = escape::text(&r.campaign);
    let symbol = match r.op {
        "create_assistant" => paint(GREEN, "+"),
        "update_assistant" => paint(YELLOW, "~"),
        _ => paint(RED, "-"),
    };
    match &r.outcome {
        Outcome::Done { id, note, .. } => {
            let id = id.map(|id| format!(" (id {id})")).unwrap_or_default();
            let note = note
                .as_ref()
                .map(|n| format!(": {}", escape::text(n)))
                .unwrap_or_default();
            Some(format!("  {symbol} assistant {name:?}: {verb}{id}{note}\n"))
        }
        Outcome::Inferred { id, cause, .. } => {
            let id = id.map(|id| format!(" (id {id})")).unwrap_or_default();
            Some(format!(
                "  {symbol} assistant {name:?}: {verb}{id}, inferred: the answer was lost ({}) and the assistant was found when listing again\n",
                escape::text(cause)
            ))
        }
        _ => None,
    }
}
