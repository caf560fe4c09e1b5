//! The cohort file (`POST /api/schedule/import/plan`, then `…/apply`): the
//! plan reports every problem with its line and changes nothing; applying
//! plans again against the current case list and imports only valid rows,
//! and from a file with errors only when the CPP chose to import the valid
//! rows. Cases are keyed by reference: none is lost, none held twice.

use std::collections::BTreeSet;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use qalf_shared::api::schedule::{ApplyImport, ImportReport};
use qalf_shared::org::{Case, Organisation};
use qalf_shared::schedule::{ImportPlan, plan_import};
use sha2::{Digest, Sha256};

use super::{cpp_only, store};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The largest cohort file accepted: far above 20,000 rows of the columns
/// QALF keeps (about 1 MB), below anything that would strain the server.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Plans on a blocking thread: tens of thousands of rows are real work.
async fn plan_file(org: std::sync::Arc<Organisation>, file: Bytes) -> AppResult<ImportPlan> {
    tokio::task::spawn_blocking(move || plan_import(&file, &org))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("planning the import failed: {e}")))
}

pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    file: Bytes,
) -> AppResult<Json<ImportReport>> {
    let org = cpp_only(&state, &user)?;
    let plan = plan_file(org, file).await?;
    tracing::info!(
        person = %user.person,
        rows = plan.data_rows,
        errors = plan.errors.len(),
        "cohort file checked"
    );
    Ok(Json(ImportReport::from_plan(&plan, false)))
}

pub async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(choice): Query<ApplyImport>,
    file: Bytes,
) -> AppResult<Json<ImportReport>> {
    cpp_only(&state, &user)?;
    let _one_writer = crate::directory::WRITING.lock().await;
    let sha256: String = Sha256::digest(&file)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let plan = plan_file(state.org(), file).await?;
    if plan.has_errors() && !choice.valid_rows {
        return Err(AppError::BadRequest(format!(
            "nothing was imported: {} row{} of the file {} errors. Correct the file, or choose to \
             import the valid rows",
            plan.rejected_rows(),
            if plan.rejected_rows() == 1 { "" } else { "s" },
            if plan.rejected_rows() == 1 {
                "has"
            } else {
                "have"
            },
        )));
    }
    if plan.rows.is_empty() {
        return Err(AppError::BadRequest(
            "nothing was imported: the file has no valid rows".into(),
        ));
    }
    // Only what changes is written; the plan's rows are already merged
    // with the cases they update.
    let changing: BTreeSet<_> = plan
        .new
        .iter()
        .chain(plan.updated.iter().map(|u| &u.reference))
        .collect();
    let cases: Vec<Case> = plan
        .rows
        .iter()
        .filter(|r| changing.contains(&r.case.reference))
        .map(|r| r.case.clone())
        .collect();
    let record = store::ImportRecord {
        by: user.person.clone(),
        at: state.clock().now().timestamp(),
        file_sha256: sha256,
        data_rows: plan.data_rows,
        imported_rows: plan.rows.len(),
        rejected_rows: plan.rejected_rows(),
        new_cases: plan.new.len(),
        updated_cases: plan.updated.len(),
    };
    state
        .db()
        .call(move |conn| store::import_cases(conn, &cases, &record))
        .await?;
    state.reload_org().await?;
    tracing::info!(
        person = %user.person,
        new = plan.new.len(),
        updated = plan.updated.len(),
        rejected = plan.rejected_rows(),
        "cohort imported"
    );
    Ok(Json(ImportReport::from_plan(&plan, true)))
}
