//! The account resources a manifest refers to: outbound assistants (with `mode`), all
//! assistants (paginated, 10 per page by default, without the engine fields), and phone numbers
//! (optionally by direction). Writing assistants is `assistant_write`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;

use super::wire::{ListedAssistant, OutboundAssistant, PhoneNumberJson};

use super::app::App;
use super::error_response::ErrorResponse;
use super::input::Input;
use super::paginator::{paginate, LaravelPage, PageLinks, PageRequest};
use super::records::Direction;
use super::validation::Validator;

/// `GET /user/assistants/outbound`: a bare array.
pub(crate) async fn outbound(State(app): State<Arc<App>>) -> Json<Vec<OutboundAssistant>> {
    Json(app.store.read(|data| {
        data.assistants
            .iter()
            .filter(|a| a.is_outbound())
            .map(|a| a.outbound())
            .collect()
    }))
}

/// The documented default page size of `GET /user/assistants/get`.
const ASSISTANTS_PER_PAGE: u64 = 10;

/// `GET /user/assistants/get`: every assistant, inbound and outbound, by id.
pub(crate) async fn paginated(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<LaravelPage<ListedAssistant>>, ErrorResponse> {
    let input = Input::from_query(query.as_deref());
    let mut v = Validator::new(&input);
    let request = PageRequest::read_with_default(&mut v, ASSISTANTS_PER_PAGE);
    v.finish()?;
    let mut assistants: Vec<ListedAssistant> = app
        .store
        .read(|data| data.assistants.iter().map(|a| a.listed()).collect());
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
