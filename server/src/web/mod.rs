//! The built front end and the headers every response carries.

mod front_end;
pub mod origin;

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use self::front_end::FrontEnd;

/// Serves the built front end for every path no other route took: the
/// start-up script, the files of `dist`, and `index.html` for app routes so
/// the client-side router handles deep links and reloads.
/// A demonstration's pages say so from their first paint.
pub fn router<S: Clone + Send + Sync + 'static>(dist: &Path, demo: bool) -> Router<S> {
    let front_end = FrontEnd::load(dist, demo);
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    Router::new().fallback(move |request: Request<Body>| {
        let front_end = front_end.clone();
        let files = files.clone();
        async move { respond(&front_end, files, request).await }
    })
}

async fn respond(front_end: &FrontEnd, files: ServeDir, request: Request<Body>) -> Response<Body> {
    let path = request.uri().path().to_string();
    if path.starts_with("/api/") || path == "/sync" {
        return StatusCode::NOT_FOUND.into_response();
    }
    if path == "/" || path == "/index.html" {
        return front_end.index();
    }
    if let Some(loader) = front_end.loader(&path) {
        return loader;
    }
    let is_get = request.method() == Method::GET || request.method() == Method::HEAD;
    let response = match files.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    // An app route (no file extension) that is not a file: the app handles it.
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    if response.status() == StatusCode::NOT_FOUND && is_get && !last_segment.contains('.') {
        return front_end.index();
    }
    response
}

/// The content security policy: our own scripts and WebAssembly only, nothing
/// inline, no framing.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// Adds the security headers to every response of `router`.
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    tls: bool,
) -> Router<S> {
    let hsts = tls.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response<Body>| hsts.clone(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ))
}

/// The browser features the app never uses, turned off for it and anything
/// it might be tricked into loading.
const PERMISSIONS: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), display-capture=(), browsing-topics=()";
