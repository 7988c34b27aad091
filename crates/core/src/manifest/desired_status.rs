//! The `status` a manifest asks a campaign to be in. Only `running` can place calls, so the
//! default is `draft`: without the field, campaignctl never starts or stops a campaign.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesiredStatus {
    /// Left as created; never started, never stopped.
    #[default]
    Draft,
    /// Started once its leads exist. Starting places real phone calls.
    Running,
    /// Stopped if it is running.
    Stopped,
    /// The campaign must not exist: deleted if it does (with its leads and call history, so
    /// only with `--allow-delete`), and nothing to do once it is gone (a tombstone).
    Deleted,
}

impl DesiredStatus {
    pub const ALL: [DesiredStatus; 4] = [
        DesiredStatus::Draft,
        DesiredStatus::Running,
        DesiredStatus::Stopped,
        DesiredStatus::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DesiredStatus::Draft => "draft",
            DesiredStatus::Running => "running",
            DesiredStatus::Stopped => "stopped",
            DesiredStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<DesiredStatus> {
        DesiredStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl fmt::Display for DesiredStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
