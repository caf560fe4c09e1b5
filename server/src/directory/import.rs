//! The staff directory file (R-LIVE-2): `GET …/template` gives a file to
//! start from, `POST …/plan` checks a file and previews its changes,
//! `POST …/apply` plans again against the directory as it is now and
//! applies it in one transaction. A leaver's sessions and sockets end at
//! once. Only the administrator imports staff.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use qalf_shared::directory::{StaffPlan, plan_staff_import, template};
use qalf_shared::org::{Organisation, Role};

use super::store;
use crate::AppState;
use crate::auth::{CurrentUser, require_role, session};
use crate::change_log::{Entry, Kind};
use crate::error::{AppError, AppResult};

/// The largest staff file accepted: a directory of 50,000 people is about
/// 8 MB.
pub const MAX_STAFF_FILE_BYTES: usize = 16 * 1024 * 1024;

pub async fn template_file(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    require_role(&state, &user, Role::Administrator)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"qalf-staff-template.csv\"",
            ),
        ],
        template(),
    ))
}

async fn plan_file(state: &AppState, file: Bytes) -> AppResult<StaffPlan> {
    let org = state.org();
    let today = state.clock().now().date_naive();
    tokio::task::spawn_blocking(move || plan_staff_import(&file, &org, today))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("planning the staff import failed: {e}")))
}

pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    file: Bytes,
) -> AppResult<Json<StaffPlan>> {
    require_role(&state, &user, Role::Administrator)?;
    let plan = plan_file(&state, file).await?;
    tracing::info!(
        person = %user.person,
        rows = plan.data_rows,
        errors = plan.errors.len(),
        "staff file checked"
    );
    Ok(Json(plan))
}

pub async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    file: Bytes,
) -> AppResult<Json<StaffPlan>> {
    require_role(&state, &user, Role::Administrator)?;
    let _one_writer = super::WRITING.lock().await;
    let mut plan = plan_file(&state, file).await?;
    if plan.has_errors() {
        return Err(AppError::BadRequest(format!(
            "nothing was changed: {} of the file {} errors. Correct the file and check it again",
            match plan.rejected_rows() {
                1 => "1 row".to_string(),
                n => format!("{n} rows"),
            },
            if plan.rejected_rows() == 1 {
                "has"
            } else {
                "have"
            },
        )));
    }
    let parts = plan.organisation.take().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("a plan without errors has no directory"))
    })?;
    let org = Organisation::new(parts).map_err(|e| AppError::Internal(e.into()))?;
    let leavers: Vec<_> = plan.leavers.iter().map(|l| l.person.clone()).collect();
    let record = store::StaffImportRecord {
        entry: Entry {
            at: state.clock().now().timestamp(),
            by: user.person.clone(),
            kind: Kind::StaffImport,
            summary: summary(&plan),
        },
        leavers: leavers.clone(),
    };
    let stored = org.clone();
    state
        .db()
        .call(move |conn| store::apply_staff_import(conn, &stored, &record))
        .await?;
    state.reload_org().await?;
    // Their sessions are already gone from the database; their open
    // sockets and unspent tickets go now.
    for person in leavers {
        session::close_everything_of(&state, &person);
    }
    tracing::info!(
        person = %user.person,
        joiners = plan.joiners.len(),
        leavers = plan.leavers.len(),
        movers = plan.movers.len(),
        "staff directory imported"
    );
    Ok(Json(plan))
}

/// The change log's line: counts, and the names of those who join and
/// leave (staff, never children).
fn summary(plan: &StaffPlan) -> String {
    let mut text = format!("Staff directory imported. {}", plan.summary());
    let names = |v: Vec<&str>| v.join(", ");
    if !plan.joiners.is_empty() {
        text.push_str(&format!(
            " Joining: {}.",
            names(plan.joiners.iter().map(|j| j.name.as_str()).collect())
        ));
    }
    if !plan.leavers.is_empty() {
        text.push_str(&format!(
            " Leaving: {}.",
            names(plan.leavers.iter().map(|l| l.name.as_str()).collect())
        ));
    }
    text
}
