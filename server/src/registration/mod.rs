//! `GET /api/records`: the records I may read. `POST /api/records`: register
//! a record I made. Above both the registry (`records`) and the kinds whose
//! registration does more (a panel's positions), so neither depends on the
//! other.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::access::{self, RecordError, RecordMeta};
use qalf_shared::sync::DocumentId;

use crate::access_log::{Action, Event};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::{AppState, records};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/records", get(list).post(register))
        .route("/api/records/{id}", get(one))
        .route("/api/records/{id}/members", axum::routing::put(set_members))
}

/// Changes who a note is shared with (its creator only). Access follows at
/// once, on open sync connections too.
async fn set_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(members): Json<Vec<qalf_shared::org::PersonId>>,
) -> AppResult<StatusCode> {
    let id = DocumentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let mut meta = state.access().record(&id).ok_or(AppError::Forbidden)?;
    let access::Parties::Note { members: current } = &mut meta.parties else {
        return Err(AppError::BadRequest(
            "only a note's members can be changed".into(),
        ));
    };
    if meta.created_by != user.person {
        return Err(AppError::Forbidden);
    }
    let org = state.access().org();
    if let Some(unknown) = members.iter().find(|m| org.person(m).is_none()) {
        return Err(AppError::BadRequest(format!("unknown person `{unknown}`")));
    }
    let detail = format!(
        "members now {}",
        members
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    *current = members;
    let stored = meta.clone();
    state
        .db()
        .call(move |conn| records::update(conn, &stored))
        .await?;
    state.access().put_record(meta);
    state
        .log_access(&user.person, &id, Action::Access, &detail)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One record's registration, if I may read it (logged either way).
async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<RecordMeta>> {
    let id = DocumentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let meta = state.access().record(&id);
    let allowed = state.access().decide(&user.person, &id).can_read();
    let action = if allowed {
        Action::Read
    } else {
        Action::Denied
    };
    state
        .log_events(vec![Event::new(
            state.clock().now(),
            &user.person,
            &id,
            meta.as_ref(),
            action,
            "http",
        )])
        .await?;
    match meta {
        Some(meta) if allowed => Ok(Json(meta)),
        // Not there and not yours look the same.
        _ => Err(AppError::Forbidden),
    }
}

/// Every record listed is a read of its registration (which names the
/// child's case), logged before the list is sent.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<RecordMeta>>> {
    let mut records = state.access().readable_by(&user.person);
    records.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    state
        .log_accesses(
            &user.person,
            records.iter().map(|r| &r.id),
            Action::Read,
            "listed",
        )
        .await?;
    Ok(Json(records))
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
    let meta = crate::panels::normalise_position(&state, meta)?;
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
    let now = state.clock().now().timestamp();
    let quota = state.config().max_records_per_person_per_day;
    let inserted = state
        .db()
        .call(move |conn| {
            let today = records::registered_since(conn, &stored.created_by, now - 86_400)?;
            if today >= quota {
                return Ok(None);
            }
            records::insert(conn, &stored, now).map(Some)
        })
        .await?;
    let Some(stored) = inserted else {
        tracing::warn!(person = %user.person, "a person's daily quota of new records was reached");
        return Err(AppError::OverQuota(format!(
            "You have made {quota} records today, the most one person may make in a day. The record is kept on this device and will be sent tomorrow."
        )));
    };
    match stored {
        records::Stored::New => {}
        // The same registration, sent twice at once: the first request does
        // the rest, but the record is readable as soon as either answers.
        records::Stored::Again => {
            state.access().put_record(meta);
            return Ok(StatusCode::OK);
        }
        records::Stored::Taken => {
            return Err(AppError::BadRequest(
                RecordError::AlreadyRegistered.to_string(),
            ));
        }
    }
    tracing::info!(record = %meta.id, kind = meta.kind().code(), person = %user.person, "record registered");
    state
        .log_events(vec![Event::new(
            state.clock().now(),
            &user.person,
            &meta.id,
            Some(&meta),
            Action::Create,
            "http",
        )])
        .await?;
    state.access().put_record(meta.clone());
    // Its document may have arrived first (a device syncing what it made
    // offline): project it now it has parties.
    state.projector().mark(&meta.id);
    crate::panels::on_panel_registered(&state, &meta).await?;
    Ok(StatusCode::CREATED)
}
