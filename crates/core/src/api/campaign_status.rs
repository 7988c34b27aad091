//! A campaign's status on the platform, parsed once from the list (docs/platform-api.md,
//! "Campaign statuses"). The documented set is not complete, so anything else is kept as
//! `Unknown` and treated as unsafe; a campaign whose status the list leaves out is
//! `NotReturned`. Serialised as the platform's own string (`null` when not returned), so JSON
//! output and saved plans read as before.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum CampaignStatus {
    /// `draft`: created, never started. Places no calls.
    Draft,
    /// `in-progress`: running, dialling its leads.
    InProgress,
    /// `stopped`.
    Stopped,
    /// `completed`.
    Completed,
    /// `paused` (mentioned only in the product guide).
    Paused,
    /// A status campaignctl does not know, as the platform sent it, escaped (`escape::text`),
    /// so no output can show it raw.
    Unknown(String),
    /// The list did not say.
    #[default]
    NotReturned,
}

/// What the plan shows for a campaign whose status the platform did not return.
pub const NOT_RETURNED_LABEL: &str = "(not returned by the platform)";

impl CampaignStatus {
    /// Reads the platform's value.
    pub fn parse(wire: Option<&str>) -> CampaignStatus {
        match wire {
            None => CampaignStatus::NotReturned,
            Some("draft") => CampaignStatus::Draft,
            Some("in-progress") => CampaignStatus::InProgress,
            Some("stopped") => CampaignStatus::Stopped,
            Some("completed") => CampaignStatus::Completed,
            Some("paused") => CampaignStatus::Paused,
            // Kept escaped: it is the platform's text, shown in every output, and an unknown
            // status means the same whatever it says. Escaping is idempotent, so a saved plan
            // reads back the same status.
            Some(other) => CampaignStatus::Unknown(crate::escape::text(other).into_owned()),
        }
    }

    /// The platform's string, `None` when it sent none.
    pub fn as_wire(&self) -> Option<&str> {
        match self {
            CampaignStatus::Draft => Some("draft"),
            CampaignStatus::InProgress => Some("in-progress"),
            CampaignStatus::Stopped => Some("stopped"),
            CampaignStatus::Completed => Some("completed"),
            CampaignStatus::Paused => Some("paused"),
            CampaignStatus::Unknown(s) => Some(s),
            CampaignStatus::NotReturned => None,
        }
    }

    /// For people and for `status.actual` in the JSON plan.
    pub fn label(&self) -> &str {
        self.as_wire().unwrap_or(NOT_RETURNED_LABEL)
    }

    /// Whether a campaign in this status may dial leads added to it, now or without another
    /// start: running, and every status campaignctl does not know (paused, anything new, or
    /// none returned). An unknown state is never assumed to be safe.
    pub fn dials_new_leads(&self) -> bool {
        !matches!(
            self,
            CampaignStatus::Draft | CampaignStatus::Stopped | CampaignStatus::Completed
        )
    }

    /// Whether the campaign may have placed calls (and so holds call history): every status
    /// but `draft`, unknown ones included. Such a campaign is never replaced.
    pub fn may_have_run(&self) -> bool {
        *self != CampaignStatus::Draft
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for CampaignStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_wire().serialize(s)
    }
}

impl<'de> Deserialize<'de> for CampaignStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = Option::<String>::deserialize(d)?;
        Ok(CampaignStatus::parse(wire.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_status_reads_back_as_sent_and_unknown_ones_are_kept() {
        for s in [
            "draft",
            "in-progress",
            "stopped",
            "completed",
            "paused",
            "archived",
        ] {
            let status = CampaignStatus::parse(Some(s));
            assert_eq!(status.as_wire(), Some(s));
            assert_eq!(
                serde_json::to_value(&status).ok(),
                Some(serde_json::json!(s))
            );
        }
        assert_eq!(
            CampaignStatus::parse(Some("archived")),
            CampaignStatus::Unknown("archived".into())
        );
        assert_eq!(
            serde_json::to_value(CampaignStatus::NotReturned).ok(),
            Some(serde_json::Value::Null)
        );
    }

    #[test]
    fn an_unknown_status_is_kept_escaped_and_reads_back_the_same() {
        let status = CampaignStatus::parse(Some("weird\n::error::S\u{1b}]0;x\u{7}"));
        assert_eq!(status.label(), "weird\\n::error::S\\u{1b}]0;x\\u{7}");
        assert_eq!(
            CampaignStatus::parse(status.as_wire()),
            status,
            "a saved plan reads the same status back"
        );
    }

    #[test]
    fn only_draft_stopped_and_completed_are_safe_for_new_leads() {
        let dials = |s: Option<&str>| CampaignStatus::parse(s).dials_new_leads();
        assert!(!dials(Some("draft")) && !dials(Some("stopped")) && !dials(Some("completed")));
        assert!(dials(Some("in-progress")) && dials(Some("paused")));
        assert!(
            dials(Some("mystery")) && dials(None),
            "unknown is never safe"
        );
    }

    #[test]
    fn only_a_draft_has_never_run() {
        assert!(!CampaignStatus::Draft.may_have_run());
        for s in [
            Some("in-progress"),
            Some("stopped"),
            Some("completed"),
            Some("x"),
            None,
        ] {
            assert!(CampaignStatus::parse(s).may_have_run(), "{s:?}");
        }
    }
}
