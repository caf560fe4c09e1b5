//! Server-side parts of the case file audit: safety alerts delivered to the
//! Head of Service (R-AUDIT-5), recognition of good practice (R-AUDIT-10),
//! the people each disagreement stage needs told and let in (R-AUDIT-8),
//! reminders, overdue lists and closing after the follow-up (R-AUDIT-7),
//! the support and challenge prompts (R-AUDIT-9), a re-audit's result to
//! its Service Manager (R-REAUDIT-1),
//! and the creation of audits on the server (allocation, demo data).

mod alerts;
mod create;
pub mod disputes;
pub mod follow_up;
pub mod reaudit_result;
pub mod recognition;
pub mod responses;

use axum::Router;
use axum::routing::post;

pub use create::{AuditAllocation, create_audit};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/alerts", post(alerts::raise))
        .merge(crate::templates::router())
        .merge(follow_up::router())
}
