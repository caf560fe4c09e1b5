//! Moderation on the server: the month's sample (R-MOD-1). Panels, which
//! also moderate, live in `crate::panels`.

mod sample;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    sample::router()
}
