//! The access log for the CPP and administrators: search it, check its seals.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};

use super::store::{self, Entry, Search, Verification};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/access-log", get(search))
        .route("/api/access-log/verify", get(verify))
}

fn may_read_log(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    let org = state.org();
    let allowed = org
        .person(&user.person)
        .is_some_and(|p| qalf_shared::access::office::may_read_access_log(&p.roles));
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<Search>,
) -> AppResult<Json<Vec<Entry>>> {
    may_read_log(&state, &user)?;
    state.access_log().flush().await;
    let rows = state
        .db()
        .call(move |conn| store::search(conn, &query))
        .await?;
    Ok(Json(rows))
}

async fn verify(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Verification>> {
    may_read_log(&state, &user)?;
    state.access_log().flush().await;
    Ok(Json(
        super::verify(state.db(), &state.config().secrets_path()).await?,
    ))
}
