//! Every error response the emulator sends, in Laravel's shapes: `{"message": ...}` and, for
//! 422, `{"message": ..., "errors": {...}}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::ErrorJson;

use super::validation::FieldErrors;

#[derive(Debug)]
pub(crate) enum ErrorResponse {
    /// 401, Laravel's default for a missing or wrong token.
    Unauthenticated,
    /// 403 with the platform's message.
    Forbidden(&'static str),
    /// 404 with the platform's message.
    NotFound(&'static str),
    /// 405, as Laravel words it.
    MethodNotAllowed(String),
    /// 422 with per-field messages.
    Validation(FieldErrors),
    /// 429 from the throttle, with `Retry-After` in whole seconds.
    TooManyAttempts { retry_after_secs: u64 },
    /// 500, Laravel's production message.
    ServerError,
}

impl ErrorResponse {
    /// A 422 with a single message on a single field.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ErrorResponse {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        ErrorResponse::Validation(errors)
    }
}

impl IntoResponse for ErrorResponse {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ErrorResponse::Unauthenticated => (StatusCode::UNAUTHORIZED, plain("Unauthenticated.")),
            ErrorResponse::Forbidden(message) => (StatusCode::FORBIDDEN, plain(message)),
            ErrorResponse::NotFound(message) => (StatusCode::NOT_FOUND, plain(message)),
            ErrorResponse::MethodNotAllowed(message) => {
                (StatusCode::METHOD_NOT_ALLOWED, plain(&message))
            }
            ErrorResponse::Validation(errors) => {
                (StatusCode::UNPROCESSABLE_ENTITY, errors.into_body())
            }
            ErrorResponse::ServerError => {
                (StatusCode::INTERNAL_SERVER_ERROR, plain("Server Error."))
            }
            ErrorResponse::TooManyAttempts { retry_after_secs } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(plain("Too Many Attempts.")),
                )
                    .into_response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(1)),
                );
                return response;
            }
        };
        (status, Json(body)).into_response()
    }
}

fn plain(message: &str) -> ErrorJson {
    ErrorJson {
        message: message.to_string(),
        errors: Default::default(),
    }
}
