//! The account resources a manifest refers to: outbound assistants, all assistants (paginated,
//! with post-call schemas), and phone numbers (optionally by direction).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;

use super::wire::{AssistantRecord, PhoneNumberJson};

use super::app::App;
use super::error_response::ErrorResponse;
use super::input::Input;
use super::paginator::{paginate, LaravelPage, PageLinks, PageRequest};
use super::records::Direction;
use super::validation::Validator;

/// `GET /user/assistants/outbound`: a bare array.
pub(crate) async fn outbound(State(app): State<Arc<App>>) -> Json<Vec<AssistantRecord>> {
    Json(app.store.read(|data| {
        data.assistants
            .iter()
            .filter(|a| a.is_outbound())
            .cloned()
            .collect()
    }))
}

/// `GET /user/assistants/get`: every assistant, inbound and outbound, by id.
pub(crate) async fn paginated(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<LaravelPage<AssistantRecord>>, ErrorResponse> {
    let input = Input::from_query(query.as_deref());
    let mut v = Validator::new(&input);
    let request = PageRequest::read(&mut v);
    v.finish()?;
    let mut assistants = app.store.read(|data| data.assistants.clone());
    assistants.sort_by_key(|a| a.id);
    let links = PageLinks::new(&headers, "/api/user/assistants/get");
    Ok(Json(paginate(assistants, request, &links)))
}

/// `GET /user/assistants/phone-numbers[?type=inbound|outbound]`: a bare array.
pub(crate) async fn phone_numbers(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<PhoneNumberJson>>, ErrorResponse> {
    let input = Input::from_query(query.as_deref());
    let mut v = Validator::new(&input);
    let direction = v
        .optional("type")
        .and_then(|x| v.one_of("type", x, Direction::parse));
    v.finish()?;
    Ok(Json(app.store.read(|data| {
        data.phone_numbers
            .iter()
            .filter(|p| direction.is_none_or(|d| p.direction == d))
            .map(|p| p.to_wire())
            .collect()
    })))
}
