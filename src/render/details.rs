//! Rendering of leads and status changes (references, leads, status) in plans and apply reports. Starting a
//! campaign places real calls, so it is marked with `!` and in capitals, never only in colour.

use std::fmt::Write as _;

use super::campaign_ops::CampaignOps;
use super::style::{paint, DIM, GREEN, RED, YELLOW};
use crate::reconcile::leads_and_status::{CampaignDetails, StatusAction};
use crate::reconcile::plan::Summary;
use crate::reconcile::resolve::References;

/// The words shown for starting a campaign, in the plan and in the confirmation.
pub const WILL_START_CALLING: &str = "WILL START CALLING";
/// The words shown for leads added to a campaign that is running (it calls them).
pub const WILL_CALL_NEW_LEADS: &str = "WILL CALL THEM";

/// Whether the view has something to explain about a campaign its operations leave alone: a
/// note on a status it will not change, or variables on the platform the manifest no longer
/// sets (updates merge, so the plan must say they stay, or the edit would look applied).
pub fn worth_explaining(f: &CampaignDetails) -> bool {
    f.status.as_ref().is_some_and(|s| s.note.is_some())
        || f.leads.as_ref().is_some_and(|l| l.extra_variables > 0)
}

/// One campaign's references, leads and status lines, printed with its block in the plan: what
/// will happen from its operations (`ops`), the totals and the why from the view (`f`).
pub fn details_text(out: &mut String, f: &CampaignDetails, ops: &CampaignOps) {
    if !f.references.is_empty() {
        // For a campaign that exists, the references are the manifest's wish: the platform
        // never returns them, so they are not presented as what the campaign uses.
        let line = match f.remote_id {
            None => format!("# {:?} refers to {}", f.name, references_text(&f.references)),
            Some(_) => format!(
                "# the manifest of {:?} names {}; write-once: the platform does not say which the campaign uses",
                f.name,
                references_text(&f.references)
            ),
        };
        let _ = writeln!(out, "  {}", paint(DIM, line));
    }
    if let Some(l) = &f.leads {
        let gains = ops.leads_to_add;
        let undeclared = if l.undeclared > 0 {
            format!("; {} lead(s) not in the manifest, left alone", l.undeclared)
        } else {
            String::new()
        };
        let detail = format!(
            "{} declared, {} on the platform; leads are never removed{undeclared}",
            l.declared, l.on_platform
        );
        if gains > 0 && ops.new_leads_place_calls {
            let _ = writeln!(
                out,
                "  {} {:?} gains {gains} lead(s) and {}: the campaign is running ({detail})",
                paint(RED, "!"),
                f.name,
                paint(RED, WILL_CALL_NEW_LEADS)
            );
        } else if gains > 0 {
            let after_stop = if ops.stop {
                ", added once it is stopped"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {} {:?} gains {gains} lead(s){after_stop} ({detail})",
                paint(GREEN, "+"),
                f.name
            );
        } else {
            let _ = writeln!(
                out,
                "  {} {:?} has all its leads ({detail})",
                paint(DIM, "="),
                f.name
            );
        }
        if !ops.lead_updates.is_empty() {
            let _ = writeln!(
                out,
                "  {} {:?}: {} lead(s) get changed variables ({}); merged into the platform's, places no calls",
                paint(YELLOW, "~"),
                f.name,
                ops.lead_updates.len(),
                ops.updated_variables().join(", ")
            );
        }
        if l.extra_variables > 0 {
            let _ = writeln!(
                out,
                "      {}",
                paint(
                    DIM,
                    format!(
                        "# {} lead(s) hold variables on the platform that the manifest does not set; updates are merged, so campaignctl cannot remove them (change them in the dashboard)",
                        l.extra_variables
                    )
                )
            );
        }
    }
    if let Some(s) = &f.status {
        let action = if ops.start {
            Some(StatusAction::Start)
        } else if ops.stop {
            Some(StatusAction::Stop)
        } else {
            None
        };
        match action {
            Some(StatusAction::Start) => {
                let _ = writeln!(
                    out,
                    "  {} {:?} {}: status {} -> running, after its leads are added",
                    paint(RED, "!"),
                    f.name,
                    paint(RED, WILL_START_CALLING),
                    s.actual
                );
            }
            Some(StatusAction::Stop) => {
                let _ = writeln!(
                    out,
                    "  {} {:?} will be stopped: status {} -> stopped (calls under way are aborted)",
                    paint(YELLOW, "-"),
                    f.name,
                    s.actual
                );
            }
            None => match &s.cannot_act {
                // Apply cannot bring it to the manifest's status: a warning, never "as wanted".
                Some(_) => {
                    let id = f
                        .remote_id
                        .map(|id| format!(" (id {id})"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  {} {:?}{id} status {}: {} (the manifest wants {})",
                        paint(YELLOW.bold(), "!"),
                        f.name,
                        s.actual,
                        s.note.as_deref().unwrap_or("left as it is"),
                        s.desired
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {} {:?} status {} is as wanted ({})",
                        paint(DIM, "="),
                        f.name,
                        s.actual,
                        s.desired
                    );
                }
            },
        }
    }
}

fn references_text(r: &References) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &r.assistant {
        parts.push(format!("assistant {:?} (id {})", a.name, a.id));
    }
    if !r.phone_numbers.is_empty() {
        let numbers: Vec<String> = r
            .phone_numbers
            .iter()
            .map(|p| format!("{} (id {})", p.name, p.id))
            .collect();
        parts.push(format!("phone numbers {}", numbers.join(", ")));
    }
    parts.join(", ")
}

/// The summary line of the leads and status changes, when there is anything to do.
pub fn leads_and_status_summary_text(s: &Summary) -> Option<String> {
    if !s.changes_leads_or_status() {
        return None;
    }
    let updates = if s.leads_to_update > 0 {
        format!(", {} to update", s.leads_to_update)
    } else {
        String::new()
    };
    let start = if s.start > 0 {
        paint(RED, format!("{} to start ({WILL_START_CALLING})", s.start))
    } else {
        "0 to start".to_owned()
    };
    Some(format!(
        "Leads: {} to add{updates}. Status: {start}, {} to stop.\n",
        s.leads_to_add, s.stop
    ))
}
