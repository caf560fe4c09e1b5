//! Requests that change something must come from the app's own pages
//! (R-SEC-11): SameSite cookies already keep other sites' requests
//! unauthenticated; the `Origin` check refuses them outright, for every
//! state-changing method, as a second line.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::AppError;

/// Same origin as the request, or on the configured allowlist. A request
/// with no `Origin` is not from a browser page (browsers send it on every
/// state-changing request); it still needs a session or a ticket.
pub fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let scheme = if state.config().tls { "https" } else { "http" };
    origin == format!("{scheme}://{host}")
        || state.config().allowed_origins.iter().any(|o| o == origin)
}

/// Refuses a state-changing request from another site's page.
pub async fn same_origin_writes(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !reads && !origin_allowed(&state, request.headers()) {
        tracing::warn!(method = %request.method(), "a request from another site was refused");
        return AppError::OtherSite.into_response();
    }
    next.run(request).await
}
