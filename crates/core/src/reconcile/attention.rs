//! What apply cannot act on: a campaign that differs from its manifest in a way no operation
//! fixes (a status campaignctl does not know or does not change from, drift on a campaign that
//! cannot be replaced). One rule for all of them: each is a warning (so `--deny-warnings`
//! fails), is never shown as "as wanted" or "No changes" in any rendering, and is not a change
//! (`--detailed-exitcode` stays 0: 2 is reserved for what apply would do). The plan's summary
//! counts them (`Summary::attention`) and every renderer reads [`Plan::attention`].
//!
//! A new case plugs in by giving the campaign's `StatusChange` a `cannot_act` kind (with its
//! `note`), or by being a `Drift` action; the warning, the count and the renderings follow.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location};

pub use super::model::CannotAct;

use super::model::{CampaignDetails, Disposition, Plan};

/// One thing apply cannot act on, as renderers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attention<'a> {
    pub name: &'a str,
    pub remote_id: Option<u64>,
    /// The manifest that declares the campaign.
    pub manifest: Option<&'a Location>,
    pub kind: CannotAct,
}

impl Plan {
    /// Everything apply cannot act on, in plan order: drift first (by action), then statuses.
    pub fn attention(&self) -> Vec<Attention<'_>> {
        let drift = self
            .actions
            .iter()
            .filter(|a| matches!(a.kind, Disposition::Drift { .. }))
            .map(|a| Attention {
                name: &a.name,
                remote_id: a.remote_id,
                manifest: a.manifest.as_ref(),
                kind: CannotAct::Drift,
            });
        let status = self.leads_and_status.iter().filter_map(|f| {
            Some(Attention {
                name: &f.name,
                remote_id: f.remote_id,
                manifest: Some(&f.manifest),
                kind: f.cannot_act()?,
            })
        });
        drift.chain(status).collect()
    }

    /// How many campaigns need attention (a campaign with drift and an unknown status counts
    /// once).
    pub fn attention_count(&self) -> usize {
        self.attention()
            .iter()
            .map(|a| (a.name, a.remote_id))
            .collect::<BTreeSet<_>>()
            .len()
    }
}

impl CampaignDetails {
    /// Why apply cannot bring this campaign's status to the manifest's, if it cannot.
    pub fn cannot_act(&self) -> Option<CannotAct> {
        self.status.as_ref().and_then(|s| s.cannot_act)
    }
}

/// The warning for a status apply cannot act on, at `at` (the manifest's `status:` line), or
/// `None`. Drift has its own note and annotation: it is counted, not warned twice.
pub fn status_warning(f: &CampaignDetails, at: Location) -> Option<Diagnostic> {
    let s = f.status.as_ref()?;
    let kind = s.cannot_act?;
    let id = f
        .remote_id
        .map(|id| format!(" (id {id})"))
        .unwrap_or_default();
    // A start left alone says why, and how to start it again.
    if let (CannotAct::StartLeftAlone, Some(why)) = (kind, s.left_alone) {
        return Some(
            Diagnostic::warning(
                Some(at),
                format!("campaign {:?}{id} is not started: {}", f.name, why.note()),
            )
            .with_field("status")
            .with_hint(why.hint()),
        );
    }
    let message = match kind {
        CannotAct::UnknownStatus => format!(
            "campaign {:?}{id} is in status \"{}\", which campaignctl does not know; apply cannot act on it",
            f.name, s.actual
        ),
        _ => format!(
            "campaign {:?}{id} is in status {} and the manifest wants {}; apply cannot act on it: {}",
            f.name,
            s.actual,
            s.desired,
            s.note.as_deref().unwrap_or("left as it is")
        ),
    };
    Some(
        Diagnostic::warning(Some(at), message)
            .with_field("status")
            .with_hint("look at the campaign in the dashboard: change it there, or the manifest's status to match"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CampaignStatus;
    use crate::manifest::DesiredStatus;
    use crate::reconcile::leads_and_status::{status_change, StatusChange};
    use crate::reconcile::resolve::References;

    fn campaign(name: &str, status: StatusChange) -> CampaignDetails {
        CampaignDetails {
            name: name.into(),
            manifest: Location::new(format!("{name}.yaml"), 1, 1),
            remote_id: Some(5),
            references: References::default(),
            leads: None,
            status: Some(status),
        }
    }

    #[test]
    fn a_status_left_alone_is_counted_warned_and_not_a_change() {
        let plan = Plan {
            actions: Vec::new(),
            assistants: Vec::new(),
            diagnostics: Vec::new(),
            deletions: Default::default(),
            write_once_baseline: None,
            leads_and_status: vec![
                campaign(
                    "A",
                    status_change(
                        DesiredStatus::Running,
                        &CampaignStatus::parse(Some("archived")),
                    ),
                ),
                campaign(
                    "B",
                    status_change(DesiredStatus::Running, &CampaignStatus::InProgress),
                ),
            ],
            operations: Vec::new(),
        };
        let attention = plan.attention();
        assert_eq!(attention.len(), 1);
        assert_eq!(
            (attention[0].name, attention[0].kind),
            ("A", CannotAct::UnknownStatus)
        );
        assert_eq!(plan.summary().attention, 1);
        assert!(
            !plan.summary().has_changes(),
            "nothing for apply to do: not exit 2"
        );
        let warning = status_warning(&plan.leads_and_status[0], Location::new("A.yaml", 4, 9));
        assert!(warning.is_some_and(|d| !d.is_error()));
        assert!(status_warning(&plan.leads_and_status[1], Location::new("B.yaml", 4, 9)).is_none());
    }

    #[test]
    fn a_new_case_plugs_in_with_left_alone() {
        let left = StatusChange::not_acting(
            DesiredStatus::Running,
            &CampaignStatus::Stopped,
            CannotAct::StatusLeftAsIs,
            "why, and what to do",
        );
        let f = campaign("C", left);
        assert_eq!(f.cannot_act(), Some(CannotAct::StatusLeftAsIs));
        assert!(f.worth_showing() && !f.has_changes());
        let warning = status_warning(&f, Location::new("C.yaml", 4, 9)).map(|d| d.message);
        assert_eq!(
            warning.as_deref(),
            Some("campaign \"C\" (id 5) is in status stopped and the manifest wants running; apply cannot act on it: why, and what to do")
        );
    }
}
