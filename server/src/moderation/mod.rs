//! Moderation on the server: the month's sample (R-MOD-1) and the
//! moderator's feedback told to the auditor (R-MOD-2). Panels, which also
//! moderate, live in `crate::panels`.

pub mod feedback;
mod sample;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    sample::router()
}
