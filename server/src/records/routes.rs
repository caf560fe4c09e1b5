//! `GET /api/records`: the records I may read. `POST /api/records`: register
//! a record I made.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::access::{self, RecordError, RecordMeta};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/records", get(list).post(register))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Json<Vec<RecordMeta>> {
    let mut records = state.access().readable_by(&user.person);
    records.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    Json(records)
}

async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(meta): Json<RecordMeta>,
) -> AppResult<StatusCode> {
    let org = state.access().org();
    access::may_create(&org, &user.person, &meta).map_err(|e| match e {
        RecordError::NotCreator => AppError::Forbidden,
        other => AppError::BadRequest(other.to_string()),
    })?;
    if let Some(existing) = state.access().record(&meta.id) {
        // Registering twice (a retry after a lost answer) is fine; taking over
        // someone else's id is not.
        return if existing == meta {
            Ok(StatusCode::OK)
        } else {
            Err(AppError::BadRequest(
                RecordError::AlreadyRegistered.to_string(),
            ))
        };
    }
    let stored = meta.clone();
    let inserted = state
        .db()
        .call(move |conn| super::insert(conn, &stored))
        .await?;
    if !inserted {
        return Err(AppError::BadRequest(
            RecordError::AlreadyRegistered.to_string(),
        ));
    }
    tracing::info!(record = %meta.id, kind = meta.kind().code(), person = %user.person, "record registered");
    state.access().put_record(meta);
    Ok(StatusCode::CREATED)
}
