//! `POST /user/assistant`, `PUT /user/assistant/{id}` and `DELETE /user/assistant/{id}`, under
//! the store's lock; the rules are `assistant_rules`. An update changes only the fields sent.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::app::App;
use super::assistant_rules::{apply, Write};
use super::error_response::ErrorResponse;
use super::input::Input;
use super::stats::Stats;
use super::wire::{AssistantRecord, CreatedAssistant, EnvelopeJson};

pub(crate) const ASSISTANT_NOT_FOUND: &str = "Assistant not found.";

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<(StatusCode, Json<EnvelopeJson<CreatedAssistant>>), ErrorResponse> {
    older_body(&app)?;
    let input = Input::from_json_body(&body);
    let created = app.store.write(|account| {
        let blank = blank_record();
        let mut record = apply(&input, Write::Create, blank, &account.data.phone_numbers)?;
        record.id = account.allocate_assistant_id();
        record.request_body = serde_json::from_slice(&body).ok();
        let view = created(&record);
        account.data.assistants.push(record);
        Ok(view)
    })?;
    Stats::bump(&app.stats.assistants_created);
    tracing::debug!(id = created.id, "assistant created");
    let envelope = EnvelopeJson {
        message: Some("Assistant created successfully".to_string()),
        data: created,
    };
    Ok((StatusCode::CREATED, Json(envelope)))
}

pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<EnvelopeJson<CreatedAssistant>>, ErrorResponse> {
    let id = parse_id(&id)?;
    older_body(&app)?;
    let input = Input::from_json_body(&body);
    let updated = app.store.write(|account| {
        let data = &mut account.data;
        let index = data
            .assistants
            .iter()
            .position(|a| a.id == id)
            .ok_or(ErrorResponse::NotFound(ASSISTANT_NOT_FOUND))?;
        let current = data.assistants[index].clone();
        let mut record = apply(&input, Write::Update, current, &data.phone_numbers)?;
        record.request_body = serde_json::from_slice(&body).ok();
        let view = created(&record);
        data.assistants[index] = record;
        Ok(view)
    })?;
    Stats::bump(&app.stats.assistants_updated);
    Ok(Json(EnvelopeJson {
        message: Some("Assistant updated successfully".to_string()),
        data: updated,
    }))
}

/// A platform on the older assistant body requires its own field names: every newer body
/// lacks `assistant_name`, so every write is refused naming it, as Laravel's `required` rule
/// words it.
fn older_body(app: &App) -> Result<(), ErrorResponse> {
    if app.older_assistant_api {
        return Err(ErrorResponse::invalid(
            "assistant_name",
            "The assistant name field is required.",
        ));
    }
    Ok(())
}

pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ErrorResponse> {
    let id = parse_id(&id)?;
    app.store.write(|account| {
        let data = &mut account.data;
        let before = data.assistants.len();
        data.assistants.retain(|a| a.id != id);
        if data.assistants.len() == before {
            return Err(ErrorResponse::NotFound(ASSISTANT_NOT_FOUND));
        }
        Ok(())
    })?;
    Stats::bump(&app.stats.assistants_deleted);
    Ok(Json(json!({"message": "Assistant deleted successfully"})))
}

/// A path that is not a number is a 404, as a failed route-model binding is in Laravel.
fn parse_id(raw: &str) -> Result<u64, ErrorResponse> {
    raw.parse()
        .map_err(|_| ErrorResponse::NotFound(ASSISTANT_NOT_FOUND))
}

fn blank_record() -> AssistantRecord {
    AssistantRecord {
        id: 0,
        name: String::new(),
        kind: String::new(),
        mode: None,
        status: Some("active".to_string()),
        timezone: None,
        post_call_schema: Vec::new(),
        voice_id: None,
        language_id: None,
        llm_model_id: None,
        multimodal_model_id: None,
        initial_message: None,
        system_prompt: None,
        variables: Default::default(),
        post_call_evaluation: None,
        is_webhook_active: None,
        webhook_url: None,
        max_duration: None,
        record: None,
        max_silence_duration: None,
        reengagement_interval: None,
        phone_number_id: None,
        settings: Default::default(),
        request_body: None,
    }
}

fn created(record: &AssistantRecord) -> CreatedAssistant {
    CreatedAssistant {
        id: record.id,
        name: record.name.clone(),
        status: record.status.clone(),
        kind: record.kind.clone(),
        mode: record.mode.clone(),
    }
}
