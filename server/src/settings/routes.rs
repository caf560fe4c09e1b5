//! `GET /api/council-settings` and `PUT` (R-LIVE-3): the administrator or
//! the CPP Service Manager reads and changes the council's settings. A
//! change is checked by the same rules the screen shows, logged with what
//! changed, and applies at once to every view and rule that reads them.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::settings::{CouncilSettings, changes, check_change};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::change_log::{Entry, Kind, may_manage};
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/council-settings", get(read).put(change))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<CouncilSettings>> {
    if !may_manage(&state, &user.person) {
        return Err(AppError::Forbidden);
    }
    Ok(Json((*state.settings()).clone()))
}

async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(new): Json<CouncilSettings>,
) -> AppResult<Json<CouncilSettings>> {
    if !may_manage(&state, &user.person) {
        return Err(AppError::Forbidden);
    }
    let old = state.settings();
    let problems = check_change(&old, &new);
    if !problems.is_empty() {
        return Err(AppError::BadRequest(
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    let lines = changes(&old, &new);
    if lines.is_empty() {
        return Ok(Json(new));
    }
    let entry = Entry {
        at: state.clock().now().timestamp(),
        by: user.person.clone(),
        kind: Kind::Settings,
        summary: lines.join(". "),
    };
    state
        .settings_store()
        .change(state.db(), new.clone(), entry)
        .await?;
    tracing::info!(person = %user.person, changes = lines.len(), "settings changed");
    Ok(Json(new))
}
