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

/// An assistant as stored (seed and state files). The routes show it through `ListedAssistant`
/// (the paginated list, without the engine fields) or `OutboundAssistant` (with `mode`); the
/// inspection route shows it whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AssistantRecord {
    pub id: u64,
    pub name: String,
    /// `inbound` or `outbound`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `pipeline`, `multimodal` or `dualplex`; not in the paginated list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "super::records::empty_when_null")]
    pub post_call_schema: Vec<VariableRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<u64>,
    /// Not in the paginated list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_id: Option<u64>,
    /// Not in the paginated list; cleared by a change of `mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_model_id: Option<u64>,
    /// Not in the paginated list; cleared by a change of `mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multimodal_model_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_call_evaluation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_webhook_active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_silence_duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reengagement_interval: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<u64>,
    /// The voice and engine tuning (`llm_temperature`, `speech_speed`, ...): accepted,
    /// validated and kept, never listed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// The body of the last create or update as received (before trimming): tests check which
    /// fields a client sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<serde_json::Value>,
}

impl AssistantRecord {
    pub(crate) fn is_outbound(&self) -> bool {
        self.kind == "outbound"
    }

    /// As `GET /user/assistants/get` lists it.
    pub(crate) fn listed(&self) -> ListedAssistant {
        ListedAssistant {
            id: self.id,
            name: self.name.clone(),
            kind: self.kind.clone(),
            status: self.status.clone(),
            voice_id: self.voice_id,
            timezone: self.timezone.clone(),
            initial_message: self.initial_message.clone(),
            system_prompt: self.system_prompt.clone(),
            variables: self.variables.clone(),
            post_call_schema: self.post_call_schema.clone(),
            post_call_evaluation: self.post_call_evaluation,
            is_webhook_active: self.is_webhook_active,
            webhook_url: self.webhook_url.clone(),
            max_duration: self.max_duration,
            record: self.record,
            max_silence_duration: self.max_silence_duration,
            reengagement_interval: self.reengagement_interval,
            phone_number_id: self.phone_number_id,
            tools: Vec::new(),
        }
    }

    /// As `GET /user/assistants/outbound` lists it: the paginated list's fields and `mode`.
    pub(crate) fn outbound(&self) -> OutboundAssistant {
        OutboundAssistant {
            listed: self.listed(),
            mode: self.mode.clone(),
        }
    }
}

/// An assistant in `GET /user/assistants/get`: as documented, without `mode`, `language_id`,
/// `llm_model_id` and `multimodal_model_id`, which a client knows only from what it sent.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListedAssistant {
    pub id: u64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: Option<String>,
    pub voice_id: Option<u64>,
    pub timezone: Option<String>,
    pub initial_message: Option<String>,
    pub system_prompt: Option<String>,
    pub variables: BTreeMap<String, serde_json::Value>,
    pub post_call_schema: Vec<VariableRecord>,
    pub post_call_evaluation: Option<bool>,
    pub is_webhook_active: Option<bool>,
    pub webhook_url: Option<String>,
    pub max_duration: Option<u64>,
    pub record: Option<bool>,
    pub max_silence_duration: Option<u64>,
    pub reengagement_interval: Option<u64>,
    pub phone_number_id: Option<u64>,
    /// The emulator keeps no tools; the field is there because the platform lists it.
    pub tools: Vec<serde_json::Value>,
}

/// An assistant in `GET /user/assistants/outbound`, which carries `mode`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutboundAssistant {
    #[serde(flatten)]
    pub listed: ListedAssistant,
    pub mode: Option<String>,
}

/// The `data` of a create's answer.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CreatedAssistant {
    pub id: u64,
    pub name: String,
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: Option<String>,
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
