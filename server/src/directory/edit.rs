//! Editing the staff directory by hand (R-LIVE-2), between HR exports:
//! `PUT /api/directory/people/{id}`, `PUT /api/directory/teams/{id}` (or
//! `POST /api/directory/teams` for a new one), and the same for service
//! areas. The administrator only; each edit is checked by the shared rules,
//! written with its change log entry in one transaction, and in force at
//! once.

use axum::Json;
use axum::extract::{Path, State};
use qalf_shared::directory::{
    Edited, PersonEdit, ServiceAreaEdit, TeamEdit, edit_person, edit_service_area, edit_team,
};
use qalf_shared::org::{Organisation, PersonId, Role, ServiceAreaId, TeamId};
use qalf_shared::settings::SettingProblem;

use super::store;
use crate::AppState;
use crate::auth::{CurrentUser, require_role};
use crate::change_log::{Entry, Kind};
use crate::error::{AppError, AppResult};

/// Every problem, as one message (the form shows each by its field from
/// the same shared checks before sending).
fn refused(problems: Vec<SettingProblem>) -> AppError {
    AppError::BadRequest(
        problems
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Writes an edited directory with its change log entry, and applies it.
async fn save(state: &AppState, user: &CurrentUser, edited: Edited) -> AppResult<()> {
    let org = Organisation::new(edited.organisation).map_err(|e| AppError::Internal(e.into()))?;
    let record = store::StaffImportRecord {
        entry: Entry {
            at: state.clock().now().timestamp(),
            by: user.person.clone(),
            kind: Kind::StaffEdit,
            summary: edited.summary,
        },
        leavers: Vec::new(),
    };
    state
        .db()
        .call(move |conn| store::apply_staff_import(conn, &org, &record))
        .await?;
    state.reload_org().await?;
    Ok(())
}

pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(edit): Json<PersonEdit>,
) -> AppResult<Json<PersonEdit>> {
    require_role(&state, &user, Role::Administrator)?;
    let _one_writer = super::WRITING.lock().await;
    let id = PersonId::parse(id).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if id != edit.id {
        return Err(AppError::BadRequest(
            "the address and the form name different people".into(),
        ));
    }
    let today = state.clock().now().date_naive();
    let edited = edit_person(&state.org(), &edit, today).map_err(refused)?;
    save(&state, &user, edited).await?;
    let org = state.org();
    Ok(Json(PersonEdit::of(
        org.person(&id).ok_or(AppError::NotFound)?,
    )))
}

pub async fn team(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(mut edit): Json<TeamEdit>,
) -> AppResult<Json<()>> {
    require_role(&state, &user, Role::Administrator)?;
    let _one_writer = super::WRITING.lock().await;
    edit.id = Some(TeamId::parse(id).map_err(|e| AppError::BadRequest(e.to_string()))?);
    let edited = edit_team(&state.org(), &edit).map_err(refused)?;
    save(&state, &user, edited).await?;
    Ok(Json(()))
}

pub async fn new_team(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(mut edit): Json<TeamEdit>,
) -> AppResult<Json<()>> {
    require_role(&state, &user, Role::Administrator)?;
    let _one_writer = super::WRITING.lock().await;
    edit.id = None;
    let edited = edit_team(&state.org(), &edit).map_err(refused)?;
    save(&state, &user, edited).await?;
    Ok(Json(()))
}

pub async fn service_area(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(mut edit): Json<ServiceAreaEdit>,
) -> AppResult<Json<()>> {
    require_role(&state, &user, Role::Administrator)?;
    let _one_writer = super::WRITING.lock().await;
    edit.id = Some(ServiceAreaId::parse(id).map_err(|e| AppError::BadRequest(e.to_string()))?);
    let edited = edit_service_area(&state.org(), &edit).map_err(refused)?;
    save(&state, &user, edited).await?;
    Ok(Json(()))
}

pub async fn new_service_area(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(mut edit): Json<ServiceAreaEdit>,
) -> AppResult<Json<()>> {
    require_role(&state, &user, Role::Administrator)?;
    let _one_writer = super::WRITING.lock().await;
    edit.id = None;
    let edited = edit_service_area(&state.org(), &edit).map_err(refused)?;
    save(&state, &user, edited).await?;
    Ok(Json(()))
}
