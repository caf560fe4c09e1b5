//! The `CurrentUser` extractor: every handler that takes one answers 401 to a
//! request without a live session.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use qalf_shared::org::PersonId;

use super::SESSION_COOKIE;
use super::session::{self, SessionKey};
use crate::AppState;
use crate::error::AppError;

pub struct CurrentUser {
    pub person: PersonId,
    pub session: SessionKey,
}

/// The session token a request's Cookie header carries, if any: whatever
/// the header holds, it is only ever looked up by its hash.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthorized)?;
        match session::resume(state, &token).await? {
            Ok((session, person)) => Ok(CurrentUser { person, session }),
            Err(session::Rejected::Departed) => Err(AppError::Departed),
            Err(_) => Err(AppError::Unauthorized),
        }
    }
}
