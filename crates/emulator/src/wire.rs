//! The emulator's own response bodies, written from the platform's documentation
//! (docs/platform-api.md), not borrowed from the client: if a client type misnames a field, the
//! client fails to read the emulator's answer and a test catches it, instead of the mistake
//! round-tripping unnoticed through one shared struct.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `{"message": ..., "data": ...}`, the envelope of create responses.
#[derive(Debug, Serialize)]
pub(crate) struct EnvelopeJson<T> {
    pub message: Option<String>,
    pub data: T,
}

/// Laravel's error body: `{"message": ..., "errors": {"field.0": ["..."]}}` (errors on 422 only).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ErrorJson {
    pub message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// A phone number of the account, as `GET /user/assistants/phone-numbers` lists it.
#[derive(Debug, Serialize)]
pub(crate) struct PhoneNumberJson {
    pub id: u64,
    pub phone_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_label: Option<String>,
    pub is_available: bool,
}

/// A lead, as `GET /user/leads` and the create and update responses return it.
#[derive(Debug, Serialize)]
pub(crate) struct LeadJson {
    pub id: u64,
    pub campaign_id: u64,
    pub phone_number: String,
    pub variables: BTreeMap<String, serde_json::Value>,
    pub status: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary_contacts: Vec<ContactRecord>,
    pub created_at: String,
    pub updated_at: String,
}

/// The answer of `POST /user/campaigns/update-status`.
#[derive(Debug, Serialize)]
pub(crate) struct StatusChangeJson {
    pub message: Option<String>,
    pub success: bool,
    pub data: StatusChangeData,
}

#[derive(Debug, Serialize)]
pub(crate) struct StatusChangeData {
    pub campaign_id: u64,
    pub status: String,
}

/// An assistant as stored (seed and state files) and as listed: the platform returns its
/// assistants whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AssistantRecord {
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
    #[serde(default, deserialize_with = "super::records::empty_when_null")]
    pub post_call_schema: Vec<VariableRecord>,
}

impl AssistantRecord {
    pub(crate) fn is_outbound(&self) -> bool {
        self.kind == "outbound"
    }
}

/// One variable of an assistant's post-call schema; `type` is `string`, `number` or `bool`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct VariableRecord {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A secondary contact of a lead, as stored and as returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ContactRecord {
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, serde_json::Value>,
}
