//! Leads: `POST /user/lead`, `GET /user/leads` (filtered, paginated), `PUT /user/leads/{id}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use super::wire::{EnvelopeJson, LeadJson};

use super::app::App;
use super::clock::UtcTime;
use super::error_response::ErrorResponse;
use super::input::Input;
use super::lead_rules::{validate_changes, validate_new};
use super::paginator::{paginate, LaravelPage, PageLinks, PageRequest};
use super::records::{defaults, StoredLead};
use super::stats::Stats;
use super::validation::Validator;

const LEAD_NOT_FOUND: &str = "Lead not found.";

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<(StatusCode, Json<EnvelopeJson<LeadJson>>), ErrorResponse> {
    let input = Input::from_json_body(&body);
    let lead = app.store.write(|account| {
        let new = validate_new(&input, &account.data.campaigns, &account.data.leads)?;
        let now = UtcTime::now().lead_format();
        let lead = StoredLead {
            id: account.allocate_lead_id(),
            campaign_id: new.campaign_id,
            phone_number: new.phone_number,
            variables: new.variables,
            status: defaults::LEAD_STATUS.to_string(),
            secondary_contacts: new.secondary_contacts,
            created_at: now.clone(),
            updated_at: now,
        };
        let wire = lead.to_wire();
        // A running campaign dials a lead as soon as it arrives: tests count those calls.
        let dialled = account
            .data
            .campaigns
            .iter()
            .any(|c| c.id == lead.campaign_id && c.status == "in-progress");
        account.data.leads.push(lead);
        Ok::<_, ErrorResponse>((wire, dialled))
    })?;
    let (lead, dialled) = lead;
    Stats::bump(&app.stats.leads_created);
    if dialled {
        Stats::bump(&app.stats.leads_created_while_running);
    }
    let envelope = EnvelopeJson {
        message: Some("Lead created successfully".to_string()),
        data: lead,
    };
    Ok((StatusCode::CREATED, Json(envelope)))
}

/// Filters are exact matches; the page URLs carry them along.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<LaravelPage<LeadJson>>, ErrorResponse> {
    let input = Input::from_query(query.as_deref());
    let mut v = Validator::new(&input);
    let campaign_id = v
        .optional("campaign_id")
        .and_then(|x| v.integer("campaign_id", x));
    let status = v
        .optional("status")
        .and_then(|x| v.string("status", x, 255));
    let phone_number = v
        .optional("phone_number")
        .and_then(|x| v.string("phone_number", x, 255));
    let page = PageRequest::read(&mut v);
    v.finish()?;
    let mut links = PageLinks::new(&headers, "/api/user/leads");
    if let Some(id) = campaign_id {
        links.query.push(("campaign_id", id.to_string()));
    }
    if let Some(status) = &status {
        links.query.push(("status", status.clone()));
    }
    if let Some(phone_number) = &phone_number {
        links.query.push(("phone_number", phone_number.clone()));
    }
    let mut leads: Vec<LeadJson> = app.store.read(|data| {
        data.leads
            .iter()
            .filter(|l| campaign_id.is_none_or(|id| i64::try_from(l.campaign_id) == Ok(id)))
            .filter(|l| status.as_ref().is_none_or(|s| &l.status == s))
            .filter(|l| phone_number.as_ref().is_none_or(|p| &l.phone_number == p))
            .map(StoredLead::to_wire)
            .collect()
    });
    leads.sort_by_key(|l| l.id);
    Ok(Json(paginate(leads, page, &links)))
}

/// Changes the given fields; `variables` are merged into the existing ones.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<EnvelopeJson<LeadJson>>, ErrorResponse> {
    let id: u64 = id
        .parse()
        .map_err(|_| ErrorResponse::NotFound(LEAD_NOT_FOUND))?;
    let input = Input::from_json_body(&body);
    let lead = app.store.write(|account| {
        let lead = account
            .data
            .leads
            .iter_mut()
            .find(|l| l.id == id)
            .ok_or(ErrorResponse::NotFound(LEAD_NOT_FOUND))?;
        let changes = validate_changes(&input)?;
        if let Some(phone_number) = changes.phone_number {
            lead.phone_number = phone_number;
        }
        if let Some(status) = changes.status {
            lead.status = status;
        }
        lead.variables.extend(changes.variables.unwrap_or_default());
        lead.updated_at = UtcTime::now().lead_format();
        Ok::<_, ErrorResponse>(lead.to_wire())
    })?;
    Stats::bump(&app.stats.leads_updated);
    Ok(Json(EnvelopeJson {
        message: Some("Lead updated successfully".to_string()),
        data: lead,
    }))
}
