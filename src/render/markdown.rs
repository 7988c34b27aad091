//! `plan --format markdown`: a pull-request comment body. A summary line, a table of the
//! campaigns with their action, the errors, and a collapsible field-level diff made with
//! `similar`. The body stays under GitHub's comment limit (65,536 characters) and says so when
//! it had to leave something out.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::text::nothing_to_apply;

use serde_json::{json, Value};
use similar::TextDiff;

use crate::manifest::{Diagnostic, Location};
use crate::shown_path::ShownFrom;

use super::campaign_ops::{CampaignOps, OperationIndex};
use super::details::{WILL_CALL_NEW_LEADS, WILL_START_CALLING};
use super::lifecycle::{what_is_lost, WILL_DELETE};
use crate::reconcile::leads_and_status::CampaignDetails;
use crate::reconcile::operation::{destructions, OperationKind};
use crate::reconcile::plan::{Disposition, Explanation, Plan};

/// Upper bound of the whole body, in characters (GitHub refuses comments over 65,536).
pub const MAX_CHARS: usize = 65_000;
/// Kept free for the truncation notice and the closing of open blocks.
const RESERVE: usize = 600;

/// The plan as a Markdown comment body. `load_diagnostics` are the warnings found while
/// loading the manifests (errors stop before a plan exists).
/// Said when the plan covers part of the account only.
pub const PARTIAL_ACCOUNT: &str = "_Only part of the account was planned (files or `--target` named), so campaigns in no manifest are not listed._";

/// Paths are shown as they are.
pub fn plan_markdown(plan: &Plan, load_diagnostics: &[Diagnostic]) -> String {
    plan_markdown_scoped(plan, load_diagnostics, true, &ShownFrom::as_is())
}

/// [`plan_markdown`] of a plan that covers the whole account, or (`whole_account` false) only
/// part of it, which the comment then says: campaigns in no manifest were not looked for.
/// Paths are shown from `from`.
pub fn plan_markdown_scoped(
    plan: &Plan,
    load_diagnostics: &[Diagnostic],
    whole_account: bool,
    from: &ShownFrom,
) -> String {
    let s = plan.summary();
    let mut head = String::from("### campaignctl plan\n\n");
    let errors = plan.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let _ = writeln!(
            head,
            ":x: **The plan has {errors} error(s); nothing can be applied.**\n"
        );
    } else if !s.has_changes()
        && s.held == 0
        && s.attention == 0
        && super::write_once::not_compared(plan) == 0
    {
        let _ = writeln!(
            head,
            ":white_check_mark: **No changes.** The platform matches the manifests.\n"
        );
    } else if !s.has_changes() && s.attention > 0 {
        let _ = writeln!(head, ":warning: **{}**\n", nothing_to_apply(s.attention));
    }
    let _ = writeln!(head, "**Plan:** {s}\n");
    let nothing_else = errors == 0 && !s.has_changes() && s.held == 0 && s.attention == 0;
    if let Some((line, warn)) = super::write_once::line(plan, nothing_else) {
        let mark = if warn { ":warning: " } else { "" };
        let _ = writeln!(head, "{mark}_{}_\n", escape(&line));
    }
    if !whole_account {
        let _ = writeln!(head, "{PARTIAL_ACCOUNT}\n");
    }
    let f = s;
    if f.changes_leads_or_status() {
        // The same counts as the text plan's `Leads:` line, updates included when there are any.
        let updates = if f.leads_to_update > 0 {
            format!(", {} to update", f.leads_to_update)
        } else {
            String::new()
        };
        let _ = writeln!(
            head,
            "**Leads and status:** {} lead(s) to add{updates}, {} campaign(s) to start, {} to stop.\n",
            f.leads_to_add, f.start, f.stop
        );
    }
    // What places calls and what destroys data, read from the operations that will run.
    let calling: Vec<String> = plan
        .operations
        .iter()
        .filter(|op| op.effects().places_calls || op.effects().changes_live_calls)
        .map(|op| match &op.kind {
            OperationKind::Start { .. } => format!("starts {}", escape(&op.campaign)),
            OperationKind::UpdateAssistant { live_calls, .. }
            | OperationKind::CreateAssistant { live_calls, .. } => format!(
                "changes what assistant {} says ({})",
                escape(&op.campaign),
                escape(&live_calls.describe())
            ),
            _ => format!("adds leads to running {}", escape(&op.campaign)),
        })
        .collect();
    if !calling.is_empty() {
        let places = plan.operations.iter().any(|op| op.effects().places_calls);
        let changes = plan
            .operations
            .iter()
            .any(|op| op.effects().changes_live_calls);
        let consequence = match (places, changes) {
            (true, true) => "This places real phone calls and changes what calls under way say; it needs `--allow-start`.",
            (false, true) => "This changes what real phone calls under way say; it needs `--allow-start`.",
            _ => "This places real phone calls.",
        };
        let _ = writeln!(
            head,
            "> [!WARNING]\n> **{WILL_START_CALLING}:** applying {}. {consequence}\n",
            calling.join(", ")
        );
    }
    // Destruction is as loud as calls: its own alert, naming every campaign and what is lost.
    let deleting: Vec<String> = destructions(&plan.operations)
        .into_iter()
        .map(|d| match d.replaced_by {
            Some(create) => format!(
                "replaces the draft {} (id {}): deletes it, then creates {} anew",
                escape(&d.delete.campaign),
                d.id,
                escape(&create.campaign)
            ),
            None => format!(
                "deletes {} (id {}): {}",
                escape(&d.delete.campaign),
                d.id,
                escape(&what_is_lost(d.status, d.leads))
            ),
        })
        .collect();
    if !deleting.is_empty() {
        let _ = writeln!(
            head,
            "> [!CAUTION]\n> **{WILL_DELETE}:** applying {}. This cannot be undone; it needs `--allow-delete`.\n",
            deleting.join("; ")
        );
    }

    if let Some(line) = super::deletions::held_line(plan) {
        let _ = writeln!(head, "> [!IMPORTANT]\n> {}\n", escape(&line));
    }
    if let Some(line) = super::deletions::kept_line(plan) {
        let _ = writeln!(head, "{}\n", escape(&line));
        let _ = writeln!(head, "<details><summary>Kept for their history</summary>\n");
        for c in &plan.deletions.kept_history {
            let _ = writeln!(head, "- {}", escape(&super::deletions::kept_item(c)));
        }
        let _ = writeln!(head, "\n</details>\n");
    }

    let mut body = Budget::new(MAX_CHARS - RESERVE, head);
    let diagnostics: Vec<&Diagnostic> = plan
        .diagnostics
        .iter()
        .chain(load_diagnostics.iter())
        .collect();
    if !diagnostics.is_empty() {
        body.push("#### Problems\n\n");
        for d in &diagnostics {
            body.push(&diagnostic_item(d, from));
        }
        body.push("\n");
    }
    body.push(&super::assistants::markdown(plan, from));

    // Campaigns with something to say go in the table, creates and drift first; unchanged
    // and unmanaged campaigns fold into collapsed tables after it, so a fleet of hundreds
    // still reads as its changes (and truncation drops them first).
    let details_of = plan.leads_and_status_by_manifest();
    let operations = OperationIndex::new(&plan.operations);
    let worth_showing = |a: &Explanation| {
        operations
            .of(a.manifest.as_ref(), a.remote_id)
            .touches_leads_or_status()
            || a.manifest
                .as_ref()
                .and_then(|m| details_of.get(m))
                .is_some_and(|f| super::details::worth_explaining(f))
    };
    let mut rows: Vec<&Explanation> = plan
        .actions
        .iter()
        .filter(|a| match a.kind {
            Disposition::Create { .. }
            | Disposition::Drift { .. }
            | Disposition::Delete { .. }
            | Disposition::Replace { .. } => true,
            Disposition::Unchanged { .. } | Disposition::Absent => worth_showing(a),
            Disposition::Unmanaged => false,
        })
        .collect();
    rows.sort_by_key(|a| match a.kind {
        Disposition::Delete { .. } | Disposition::Replace { .. } => 0,
        Disposition::Create { .. } => 1,
        Disposition::Drift { .. } => 2,
        _ => 3,
    });
    const HEADER: &str = "| | Campaign | Action | Id | Manifest |\n|---|---|---|---|---|\n";
    if !rows.is_empty() {
        body.push(HEADER);
        for a in &rows {
            body.push(&row(&details_of, &operations, a, from));
        }
        body.push("\n");
    }
    // Why drift is not corrected, and rename hints: beside the table, not in its cells.
    let notes: Vec<String> = rows
        .iter()
        .filter_map(|a| {
            let note = a.note.as_ref()?;
            Some(format!("- **{}**: {}\n", escape(&a.name), escape(note)))
        })
        .collect();
    if !notes.is_empty() {
        body.push("#### Notes\n\n");
        for n in &notes {
            body.push(n);
        }
        body.push("\n");
    }

    let diffs: Vec<String> = rows
        .iter()
        .filter_map(|a| diff_block(a, operations.of(a.manifest.as_ref(), a.remote_id)))
        .collect();
    if !diffs.is_empty() && body.push("<details><summary>Field-level diff</summary>\n\n") {
        for d in &diffs {
            body.push(d);
        }
        body.force("</details>\n\n");
    }
    for (what, kind) in [
        ("unchanged campaign(s)", "unchanged"),
        (
            "unmanaged campaign(s), in no manifest and never touched",
            "unmanaged",
        ),
    ] {
        let folded: Vec<&Explanation> = plan
            .actions
            .iter()
            .filter(|a| a.kind.label() == kind && !(kind == "unchanged" && worth_showing(a)))
            .collect();
        if folded.is_empty()
            || !body.push(&format!(
                "<details><summary>{} {what}</summary>\n\n{HEADER}",
                folded.len()
            ))
        {
            continue;
        }
        for a in &folded {
            body.push(&row(&details_of, &operations, a, from));
        }
        body.force("\n</details>\n\n");
    }
    body.finish(plan.actions.len())
}

/// Appends sections while they fit; counts what did not.
struct Budget {
    out: String,
    chars: usize,
    limit: usize,
    dropped: usize,
}

impl Budget {
    fn new(limit: usize, head: String) -> Budget {
        Budget {
            chars: head.chars().count(),
            out: head,
            limit,
            dropped: 0,
        }
    }

    /// Appends `text` if it fits and nothing was dropped before it (so that the body never
    /// skips a section and goes on); whether it was appended.
    fn push(&mut self, text: &str) -> bool {
        let n = text.chars().count();
        if self.dropped == 0 && self.chars + n <= self.limit {
            self.out.push_str(text);
            self.chars += n;
            true
        } else {
            self.dropped += 1;
            false
        }
    }

    /// Closing markup is always written (the reserve leaves room for it).
    fn force(&mut self, text: &str) {
        self.out.push_str(text);
        self.chars += text.chars().count();
    }

    fn finish(mut self, campaigns: usize) -> String {
        if self.dropped > 0 {
            let _ = writeln!(
                self.out,
                "\n> [!NOTE]\n> This comment was truncated to stay under {MAX_CHARS} characters ({campaigns} campaigns in the plan). Run `campaignctl plan` for the full plan."
            );
        }
        self.out
    }
}

/// Markdown-escapes text for a table cell or a list item: user-written names must not
/// become markup, HTML, or break out of the table.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c if crate::escape::is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn location_cell(location: &Option<Location>, from: &ShownFrom) -> String {
    location
        .as_ref()
        .map(|l| format!("{}:{}", escape(&l.shown_file(from)), l.line))
        .unwrap_or_default()
}

/// One campaign's row: what its operations will do, with the why from the view (drift, a
/// deletion held, a status apply cannot act on).
fn row(
    details_of: &HashMap<&Location, &CampaignDetails>,
    operations: &OperationIndex,
    a: &Explanation,
    from: &ShownFrom,
) -> String {
    let ops = operations.of(a.manifest.as_ref(), a.remote_id);
    let fields_of = |changes: &[crate::reconcile::FieldChange]| {
        let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
        escape(&fields.join(", "))
    };
    // What happens comes from the operations; the view only says why.
    let (mut symbol, mut action) = if ops.create.is_some() {
        ("➕", "create".to_owned())
    } else if ops.replace.is_some() {
        let changes = match &a.kind {
            Disposition::Replace { changes, .. } => fields_of(changes),
            _ => String::new(),
        };
        (
            "♻️",
            format!("**replace** ({changes}): **{WILL_DELETE}** the draft, then create"),
        )
    } else if ops.delete.is_some() {
        ("🗑️", format!("**{WILL_DELETE}**"))
    } else {
        match &a.kind {
            Disposition::Drift { changes, .. } => ("⚠️", format!("drift ({})", fields_of(changes))),
            Disposition::Unchanged { .. } => ("✅", "unchanged".to_owned()),
            Disposition::Unmanaged => ("❔", "unmanaged (not touched)".to_owned()),
            Disposition::Delete {
                held: Some(held), ..
            } => ("⏸️", format!("held, not deleted: {}", escape(held))),
            Disposition::Absent => ("✅", "deleted (as declared)".to_owned()),
            // Decided, but no operation carries it out: nothing will happen, and the row
            // says so rather than promise it.
            Disposition::Create { .. }
            | Disposition::Replace { .. }
            | Disposition::Delete { .. } => (
                "⚠️",
                format!(
                    "planned as {}, but no operation carries it out",
                    a.kind.label()
                ),
            ),
        }
    };

    if ops.leads_to_add > 0 {
        let _ = write!(action, ", +{} lead(s)", ops.leads_to_add);
        if ops.new_leads_place_calls {
            let _ = write!(action, " **{WILL_CALL_NEW_LEADS}**");
        }
    }
    if !ops.lead_updates.is_empty() {
        let _ = write!(
            action,
            ", ~{} lead(s) with changed variables ({})",
            ops.lead_updates.len(),
            escape(&ops.updated_variables().join(", "))
        );
    }
    if ops.start {
        let _ = write!(action, ", **{WILL_START_CALLING}**");
    } else if ops.stop {
        action.push_str(", stop");
    }
    let details = a
        .manifest
        .as_ref()
        .and_then(|at| details_of.get(at).copied());
    if let Some(f) = details {
        // A status apply cannot act on is never shown as unchanged.
        if let Some(s) = f.status.as_ref().filter(|s| s.cannot_act.is_some()) {
            symbol = "⚠️";
            let _ = write!(
                action,
                ", **status {}: apply cannot act on it** (wanted: {})",
                escape(&s.actual),
                s.desired
            );
        }
    }
    format!(
        "| {symbol} | {} | {action} | {} | {} |\n",
        escape(&a.name),
        a.remote_id.map(|i| i.to_string()).unwrap_or_default(),
        location_cell(&a.manifest, from)
    )
}

fn diagnostic_item(d: &Diagnostic, from: &ShownFrom) -> String {
    let mut item = format!(
        "- **{}**{}: {}",
        d.severity,
        d.location
            .as_ref()
            .map(|l| format!(" {}", escape(&l.shown(from).to_string())))
            .unwrap_or_default(),
        escape(&d.message)
    );
    if let Some(hint) = &d.hint {
        let _ = write!(item, " _(hint: {})_", escape(hint));
    }
    item.push('\n');
    item
}

/// One `key: value` line per field, for diffing.
fn lines<K: std::fmt::Display>(fields: &[(K, &Value)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}: {}\n", crate::reconcile::baseline::shown(v)))
        .collect()
}

/// A fence longer than any run of backticks inside `content` (CommonMark), so that a campaign
/// name cannot close the code block early.
pub(super) fn fence_for(content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The platform side of a diff: a write-once field's value as at the baseline, marked so.
fn platform_side(changes: &[crate::reconcile::FieldChange]) -> Vec<(String, &Value)> {
    changes
        .iter()
        .map(|c| match &c.known_from {
            None => (c.field.to_owned(), &c.actual),
            Some(_) => (format!("{} ({})", c.field, c.actual_source()), &c.actual),
        })
        .collect()
}

/// The diff of one create (everything added) or drift (platform → manifest), or `None`.
/// One campaign's field-level diff: the body its create operation sends, the fields that force
/// its replacement (a replace the operations carry out), or its drift.
fn diff_block(a: &Explanation, ops: &CampaignOps) -> Option<String> {
    let (title, old, new) = match (&a.kind, ops.create.map(|op| &op.kind), ops.replace) {
        (_, Some(OperationKind::CreateCampaign { request, .. }), _) => {
            let Value::Object(body) = json!(request) else {
                return None;
            };
            let fields: Vec<(&str, &Value)> = body.iter().map(|(k, v)| (k.as_str(), v)).collect();
            (
                format!("{:?} will be created", a.name),
                String::new(),
                lines(&fields),
            )
        }
        (Disposition::Drift { changes, .. }, None, None) => {
            let actual = platform_side(changes);
            let desired: Vec<(&str, &Value)> =
                changes.iter().map(|c| (c.field, &c.desired)).collect();
            (
                format!(
                    "{:?} (id {}) has drifted: - platform, + manifest (reported, not corrected)",
                    a.name,
                    a.remote_id.unwrap_or_default()
                ),
                lines(&actual),
                lines(&desired),
            )
        }
        (Disposition::Replace { changes, .. }, None, Some(_)) => {
            let actual = platform_side(changes);
            let desired: Vec<(&str, &Value)> =
                changes.iter().map(|c| (c.field, &c.desired)).collect();
            (
                format!(
                    "{:?} (id {}) WILL BE DELETED and created anew: - platform, + manifest",
                    a.name,
                    a.remote_id.unwrap_or_default()
                ),
                lines(&actual),
                lines(&desired),
            )
        }
        _ => return None,
    };
    let diff = TextDiff::from_lines(&old, &new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header("platform", "manifest")
        .to_string();
    let fence = fence_for(&format!("{title}{text}"));
    Some(format!("{fence}diff\n# {title}\n{text}{fence}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CreateCampaign;
    use crate::reconcile::plan::FieldChange;

    fn create(name: &str) -> Explanation {
        Explanation {
            name: name.into(),
            manifest: Some(Location::new("campaigns/a.yaml", 2, 1)),
            remote_id: None,
            kind: Disposition::Create {
                request: CreateCampaign {
                    name: name.into(),
                    assistant_id: Some(7),
                    max_retries: Some(3),
                    ..CreateCampaign::default()
                }
                .into(),
            },
            note: None,
        }
    }

    /// A plan as the producer makes it: the operations derived from its view.
    fn with_operations(mut plan: Plan) -> Plan {
        plan.operations = crate::reconcile::derive::derive(&plan.actions, &plan.leads_and_status);
        plan
    }

    #[test]
    fn creates_drift_and_errors_snapshot() {
        let plan = Plan {
            assistants: Vec::new(),
            actions: vec![
                Explanation {
                    name: "Unchanged".into(),
                    manifest: Some(Location::new("campaigns/b.yaml", 1, 1)),
                    remote_id: Some(3),
                    kind: Disposition::Unchanged { write_once: vec![] },
                    note: None,
                },
                create("New | <b>bold</b>"),
                Explanation {
                    name: "Drifted".into(),
                    manifest: Some(Location::new("campaigns/c.yaml", 4, 1)),
                    remote_id: Some(5),
                    kind: Disposition::Drift {
                        changes: vec![FieldChange {
                            field: "max_retries",
                            desired: json!(5),
                            actual: json!(3),
                            known_from: None,
                        }],
                        write_once: vec![],
                    },
                    note: None,
                },
            ],
            diagnostics: vec![Diagnostic::error(
                Some(Location::new("campaigns/d.yaml", 3, 15)),
                "assistant_id 99 does not exist",
            )
            .with_hint("list assistants")],
            leads_and_status: vec![],
            operations: vec![],
            deletions: Default::default(),
            write_once_baseline: None,
        };
        let md = plan_markdown(&with_operations(plan), &[]);
        let expected = "### campaignctl plan

:x: **The plan has 1 error(s); nothing can be applied.**

**Plan:** 1 to create, 1 drifted, 1 unchanged, 0 unmanaged; 1 need attention (apply cannot act on them).

#### Problems

- **error** campaigns/d.yaml:3:15: assistant\\_id 99 does not exist _(hint: list assistants)_

| | Campaign | Action | Id | Manifest |
|---|---|---|---|---|
| ➕ | New \\| &lt;b&gt;bold&lt;/b&gt; | create |  | campaigns/a.yaml:2 |
| ⚠️ | Drifted | drift (max\\_retries) | 5 | campaigns/c.yaml:4 |

<details><summary>Field-level diff</summary>

```diff
# \"New | <b>bold</b>\" will be created
--- platform
+++ manifest
@@ -0,0 +1,3 @@
+assistant_id: 7
+max_retries: 3
+name: \"New | <b>bold</b>\"
```

```diff
# \"Drifted\" (id 5) has drifted: - platform, + manifest (reported, not corrected)
--- platform
+++ manifest
@@ -1 +1 @@
-max_retries: 3
+max_retries: 5
```

</details>

<details><summary>1 unchanged campaign(s)</summary>

| | Campaign | Action | Id | Manifest |
|---|---|---|---|---|
| ✅ | Unchanged | unchanged | 3 | campaigns/b.yaml:1 |

</details>

";
        assert_eq!(md, expected, "got:\n{md}");
    }

    #[test]
    fn a_huge_plan_is_truncated_under_the_limit_and_says_so() {
        let plan = Plan {
            assistants: Vec::new(),
            actions: (0..5_000)
                .map(|i| create(&format!("Campaign {i}")))
                .collect(),
            diagnostics: vec![],
            leads_and_status: vec![],
            operations: vec![],
            deletions: Default::default(),
            write_once_baseline: None,
        };
        let md = plan_markdown(&with_operations(plan), &[]);
        assert!(
            md.chars().count() <= MAX_CHARS,
            "{} chars",
            md.chars().count()
        );
        assert!(md.contains("This comment was truncated"), "no notice");
        assert!(
            md.contains("| ➕ | Campaign 0 | create"),
            "the first rows are kept"
        );
        assert!(
            md.trim_end().ends_with("for the full plan."),
            "the notice closes the body"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape("a\u{1b}[31mb\u{202e}c\nd"),
            "a\\u{1b}\\[31mb\\u{202e}c d",
            "ESC and bidi overrides become visible escapes, a line break a space"
        );
    }

    #[test]
    fn backticks_in_a_name_cannot_close_the_code_fence() {
        let md = plan_markdown(
            &with_operations(Plan {
                assistants: Vec::new(),
                actions: vec![create("a ``` b")],
                diagnostics: vec![],
                leads_and_status: vec![],
                operations: vec![],
                deletions: Default::default(),
                write_once_baseline: None,
            }),
            &[],
        );
        assert!(md.contains("````diff\n"), "{md}");
    }
}
