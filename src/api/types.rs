//! Wire types of the platform API (PLATFORM-API.md), shared by the client and the emulator.
//! Unknown response fields are ignored; request bodies send only what is set.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::campaign::{ClockTime, Weekday};

/// One element of `GET /user/campaigns` (and `data` of the create response). The list returns
/// only these fields; everything else about a campaign cannot be observed after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteCampaign {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub max_calls_in_parallel: Option<u64>,
    #[serde(default)]
    pub mark_complete_when_no_leads: Option<bool>,
    #[serde(default)]
    pub allowed_hours_start_time: Option<ClockTime>,
    #[serde(default)]
    pub allowed_hours_end_time: Option<ClockTime>,
    #[serde(default)]
    pub allowed_days: Option<Vec<Weekday>>,
    #[serde(default)]
    pub max_retries: Option<u64>,
    #[serde(default)]
    pub retry_interval: Option<u64>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Body of `POST /user/campaign`. Only the fields a manifest sets are sent (field ownership).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateCampaign {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assistant_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_calls_in_parallel: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hours_start_time: Option<ClockTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hours_end_time: Option<ClockTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_days: Option<Vec<Weekday>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on_voicemail: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on_goal_incomplete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_completion_variable: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark_complete_when_no_leads: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_ids: Option<Vec<u64>>,
}

/// `{"message": ..., "data": ...}` envelope of create responses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(default)]
    pub message: Option<String>,
    pub data: T,
}

/// Laravel's error body: `{"message": ..., "errors": {"field.0": ["..."]}}` (errors only on 422).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// One variable of an assistant's post-call schema; `type` is `string`, `number` or `bool`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostCallVariable {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// An assistant from `GET /user/assistants/get` (all types) or `/user/assistants/outbound`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assistant {
    pub id: u64,
    pub name: String,
    /// `inbound` or `outbound`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub post_call_schema: Vec<PostCallVariable>,
}

impl Assistant {
    pub fn is_outbound(&self) -> bool {
        self.kind == "outbound"
    }
}

/// A phone number of the account, from `GET /user/assistants/phone-numbers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub id: u64,
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_available: Option<bool>,
}

/// Laravel's length-aware paginator, as `/user/assistants/get` and `/user/leads` return it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub current_page: u64,
    pub data: Vec<T>,
    pub last_page: u64,
    #[serde(default)]
    pub next_page_url: Option<String>,
    pub per_page: u64,
    pub total: u64,
    #[serde(default)]
    pub from: Option<u64>,
    #[serde(default)]
    pub to: Option<u64>,
}

/// A secondary contact of a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondaryContact {
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, serde_json::Value>,
}

/// Body of `POST /user/lead`. `allow_dupplicate` is spelled as the API spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateLead {
    pub phone_number: String,
    pub campaign_id: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub allow_dupplicate: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_contacts: Vec<SecondaryContact>,
}

/// A lead as `GET /user/leads` and the create response return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: u64,
    pub campaign_id: u64,
    pub phone_number: String,
    #[serde(default)]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Body of `POST /user/campaigns/update-status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateStatus {
    pub campaign_id: u64,
    /// `start` or `stop`.
    pub action: String,
}

/// Response of `POST /user/campaigns/update-status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateStatusResponse {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub success: bool,
    pub data: UpdateStatusData,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateStatusData {
    pub campaign_id: u64,
    pub status: String,
}
