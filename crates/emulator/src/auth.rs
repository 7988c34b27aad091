//! Bearer-token authentication for `/api` routes. The token is compared, never logged.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::App;
use super::error_response::ErrorResponse;

pub(crate) async fn require_token(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    if presented == Some(app.token.as_str()) {
        next.run(request).await
    } else {
        tracing::debug!(path = request.uri().path(), "unauthenticated request");
        ErrorResponse::Unauthenticated.into_response()
    }
}

/// The token of `Bearer <token>`; the scheme is case-insensitive, as in Laravel's `bearerToken`.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_scheme() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"), "standard form");
        assert_eq!(
            bearer_token("bearer abc"),
            Some("abc"),
            "scheme is case-insensitive"
        );
        assert_eq!(
            bearer_token("Basic abc"),
            None,
            "other schemes are not bearer tokens"
        );
        assert_eq!(bearer_token("abc"), None, "a bare token has no scheme");
    }
}
