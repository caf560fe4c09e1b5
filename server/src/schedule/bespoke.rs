//! Audits the CPP chooses on purpose (DOMAIN §1): bespoke audits asked for
//! by the DCS, an AD or a service, and career-progression audits before a
//! panel. Chosen on purpose, so a case audited in the last year may be
//! audited again (R-SCHED-3); done by CPP members only.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use qalf_shared::api::schedule::{AuditMade, BespokeAudit};
use qalf_shared::schedule::AuditKind;

use super::{cpp_only, today};
use crate::AppState;
use crate::access_log::Action;
use crate::audits::{AuditAllocation, create_audit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<BespokeAudit>,
) -> AppResult<Response> {
    let org = cpp_only(&state, &user)?;
    if !matches!(body.kind, AuditKind::Bespoke | AuditKind::CareerProgression) {
        return Err(AppError::BadRequest(
            "a case chosen on purpose has a bespoke or a career-progression audit".into(),
        ));
    }
    let reason = body.reason.trim();
    if reason.chars().count() > 1000 {
        return Err(AppError::BadRequest(
            "say why the case is audited in at most 1,000 characters".into(),
        ));
    }
    if reason.is_empty() {
        return Err(AppError::BadRequest(
            "say why the case is audited: who asked for it, or whose progression panel it is for"
                .into(),
        ));
    }
    let case = org.case(&body.case).ok_or_else(|| {
        AppError::BadRequest(format!("case {} is not in the case list", body.case))
    })?;
    if let Err(e) = super::check_on_purpose(&state, &org, &case.reference, &body.auditor, body.kind)
    {
        return Ok(super::allocation::refusal_response(&e));
    }
    let today = today(&state);
    let id = create_audit(
        &state,
        &AuditAllocation {
            case: case.reference.clone(),
            auditor: body.auditor.clone(),
            // The kind stands where a month's theme would (in messages and
            // the reports' theme figures); the reason is the auditor's to
            // read on the audit, as a theme's notes are.
            theme: body.kind.label().to_string(),
            theme_notes: Some(reason.to_string()),
            audit_kind: body.kind,
            allocated_on: today,
            allocated_by: user.person.clone(),
            suggested_day: None,
            reaudit: None,
        },
    )
    .await?;
    state
        .log_access(&user.person, &id, Action::Create, "audit chosen on purpose")
        .await?;
    tracing::info!(record = %id, kind = body.kind.code(), "audit chosen on purpose");
    Ok(Json(AuditMade {
        audit: id.to_string(),
    })
    .into_response())
}
