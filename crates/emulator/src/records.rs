//! The emulated account as stored: the format of seed files and of the state file (one format,
//! so a state file is also a valid seed), and the wire views the routes derive from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::schedule::{Day, TimeOfDay};
use super::wire::{AssistantRecord, ContactRecord, LeadJson, PhoneNumberJson};

use super::clock::UtcTime;

/// Platform defaults for fields a create request leaves out (docs/platform-api.md, "Create a campaign").
pub(crate) mod defaults {
    use crate::schedule::TimeOfDay;

    pub const MAX_CALLS_IN_PARALLEL: u64 = 3;
    pub const START: TimeOfDay = TimeOfDay { hour: 0, minute: 0 };
    pub const END: TimeOfDay = TimeOfDay {
        hour: 23,
        minute: 59,
    };
    pub const MAX_RETRIES: u64 = 3;
    pub const RETRY_INTERVAL: u64 = 60;
    pub const MARK_COMPLETE_WHEN_NO_LEADS: bool = true;
    pub const CAMPAIGN_STATUS: &str = "draft";
    pub const LEAD_STATUS: &str = "created";
}

/// The `user_id` every campaign reports: the emulator serves a single account.
const USER_ID: u64 = 1;

/// Everything the emulator knows about its one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountData {
    pub account: AccountSettings,
    #[serde(default, deserialize_with = "empty_when_null")]
    pub assistants: Vec<AssistantRecord>,
    #[serde(default, deserialize_with = "empty_when_null")]
    pub phone_numbers: Vec<StoredPhoneNumber>,
    #[serde(default, deserialize_with = "empty_when_null")]
    pub campaigns: Vec<StoredCampaign>,
    #[serde(default, deserialize_with = "empty_when_null")]
    pub leads: Vec<StoredLead>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountSettings {
    /// Default timezone of new campaigns.
    pub timezone: String,
    /// How many campaigns the plan allows; creating one more is a 403.
    pub campaign_limit: usize,
}

/// Whether a number takes or places calls; the API does not return it, but filters on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub(crate) fn parse(s: &str) -> Option<Direction> {
        match s {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredPhoneNumber {
    pub id: u64,
    pub phone_number: String,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub type_label: Option<String>,
    #[serde(default = "yes")]
    pub is_available: bool,
    pub direction: Direction,
}

impl StoredPhoneNumber {
    pub(crate) fn to_wire(&self) -> PhoneNumberJson {
        PhoneNumberJson {
            id: self.id,
            phone_number: self.phone_number.clone(),
            country_code: self.country_code.clone(),
            type_label: self.type_label.clone(),
            is_available: self.is_available,
        }
    }
}

/// A campaign with every field the platform keeps, observable or not. Seeded campaigns may leave
/// out what a create could have left out.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredCampaign {
    pub id: u64,
    pub name: String,
    #[serde(default = "draft")]
    pub status: String,
    pub assistant_id: u64,
    /// Empty in a seed means "the account's timezone"; filled in when the seed is loaded.
    #[serde(default)]
    pub timezone: String,
    #[serde(default = "default_max_calls")]
    pub max_calls_in_parallel: u64,
    #[serde(default = "default_start")]
    pub allowed_hours_start_time: TimeOfDay,
    #[serde(default = "default_end")]
    pub allowed_hours_end_time: TimeOfDay,
    /// In the order the create request gave them (the list sorts them, see `listed`).
    #[serde(default = "all_days", deserialize_with = "empty_when_null")]
    pub allowed_days: Vec<Day>,
    #[serde(default = "default_max_retries")]
    pub max_retries: u64,
    #[serde(default = "default_retry_interval")]
    pub retry_interval: u64,
    #[serde(default)]
    pub retry_on_voicemail: bool,
    #[serde(default)]
    pub retry_on_goal_incomplete: bool,
    #[serde(default)]
    pub goal_completion_variable: Option<String>,
    #[serde(default = "default_mark_complete")]
    pub mark_complete_when_no_leads: bool,
    #[serde(default, deserialize_with = "empty_when_null")]
    pub phone_number_ids: Vec<u64>,
    #[serde(default = "campaign_now")]
    pub created_at: String,
    #[serde(default = "campaign_now")]
    pub updated_at: String,
    /// The exact JSON body of the create request, for tests of field ownership.
    #[serde(default)]
    pub request_body: Option<serde_json::Value>,
}

/// What `GET /user/campaigns` and the create response show of a campaign: write-once fields
/// (assistant, timezone, numbers, retry flags, goal variable) are left out, as the platform does.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListedCampaign {
    pub id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    pub name: String,
    pub status: String,
    pub max_calls_in_parallel: u64,
    pub mark_complete_when_no_leads: bool,
    pub allowed_hours_start_time: String,
    pub allowed_hours_end_time: String,
    pub allowed_days: Vec<Day>,
    pub max_retries: u64,
    pub retry_interval: u64,
    pub created_at: String,
    pub updated_at: String,
}

impl StoredCampaign {
    /// The list's view: with `user_id`, and days in alphabetical order. The platform returns days
    /// in its own order, not the request's; sorting them by name makes the emulator just as
    /// unhelpful, so clients have to compare day lists as sets.
    pub(crate) fn listed(&self) -> ListedCampaign {
        let mut view = self.created();
        view.user_id = Some(USER_ID);
        view.allowed_days.sort_by_key(|d| d.as_str());
        view
    }

    /// The create response's view: like the documented example, no `user_id`, days as sent.
    pub(crate) fn created(&self) -> ListedCampaign {
        ListedCampaign {
            id: self.id,
            user_id: None,
            name: self.name.clone(),
            status: self.status.clone(),
            max_calls_in_parallel: self.max_calls_in_parallel,
            mark_complete_when_no_leads: self.mark_complete_when_no_leads,
            allowed_hours_start_time: self.allowed_hours_start_time.with_seconds(),
            allowed_hours_end_time: self.allowed_hours_end_time.with_seconds(),
            allowed_days: self.allowed_days.clone(),
            max_retries: self.max_retries,
            retry_interval: self.retry_interval,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredLead {
    pub id: u64,
    pub campaign_id: u64,
    pub phone_number: String,
    #[serde(default)]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default = "created")]
    pub status: String,
    #[serde(default, deserialize_with = "empty_when_null")]
    pub secondary_contacts: Vec<ContactRecord>,
    #[serde(default = "lead_now")]
    pub created_at: String,
    #[serde(default = "lead_now")]
    pub updated_at: String,
}

impl StoredLead {
    pub(crate) fn to_wire(&self) -> LeadJson {
        LeadJson {
            id: self.id,
            campaign_id: self.campaign_id,
            phone_number: self.phone_number.clone(),
            variables: self.variables.clone(),
            status: self.status.clone(),
            secondary_contacts: self.secondary_contacts.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

/// A list written as YAML's null (`leads:` with nothing under it) is an empty list, as seeds
/// have always been read; a list left out takes its default.
pub(crate) fn empty_when_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

// serde's `default = "..."` takes function paths only.
fn yes() -> bool {
    true
}
fn draft() -> String {
    defaults::CAMPAIGN_STATUS.to_string()
}
fn created() -> String {
    defaults::LEAD_STATUS.to_string()
}
fn default_max_calls() -> u64 {
    defaults::MAX_CALLS_IN_PARALLEL
}
fn default_start() -> TimeOfDay {
    defaults::START
}
fn default_end() -> TimeOfDay {
    defaults::END
}
pub(crate) fn all_days() -> Vec<Day> {
    Day::ALL.to_vec()
}
fn default_mark_complete() -> bool {
    defaults::MARK_COMPLETE_WHEN_NO_LEADS
}
fn default_max_retries() -> u64 {
    defaults::MAX_RETRIES
}
fn default_retry_interval() -> u64 {
    defaults::RETRY_INTERVAL
}
fn campaign_now() -> String {
    UtcTime::now().campaign_format()
}
fn lead_now() -> String {
    UtcTime::now().lead_format()
}
