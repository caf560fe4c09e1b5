//! R-AUDIT-10: good practice found in an audit is recognised with a message
//! to the practitioner and to their management.

use axum::Json;
use axum::extract::State;
use qalf_shared::access::Parties;
use qalf_shared::api::Recognise;
use qalf_shared::sync::DocumentId;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::notifications;

/// Sends the recognition; answers with when it was sent (Unix seconds).
pub async fn recognise(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<Recognise>,
) -> AppResult<Json<i64>> {
    let audit = DocumentId::parse(&body.audit).map_err(|_| AppError::NotFound)?;
    let meta = state.access().record(&audit).ok_or(AppError::Forbidden)?;
    let Parties::Audit {
        case, practitioner, ..
    } = &meta.parties
    else {
        return Err(AppError::BadRequest(
            "recognition is given from an audit".into(),
        ));
    };
    if !state.access().decide(&user.person, &audit).can_write() {
        return Err(AppError::Forbidden);
    }
    let org = state.org();
    let practitioner_name = org
        .person(practitioner)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    // The practitioner, then their management up to the Head of Service.
    let mut recipients = vec![practitioner.clone()];
    recipients.extend(
        org.line_management_chain(practitioner)
            .into_iter()
            .take(3)
            .map(|p| p.id.clone()),
    );
    let now = state.clock().now().timestamp();
    let title = format!("Good practice recognised: {practitioner_name}");
    let body_text = format!(
        "An audit of case {case} found good practice in {practitioner_name}'s work. Open the audit to read it."
    );
    let document = audit.clone();
    let to = recipients.clone();
    state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            for person in &to {
                notifications::insert(
                    &tx,
                    &notifications::New {
                        person,
                        kind: "recognition",
                        document: Some(&document),
                        title: &title,
                        body: &body_text,
                        at: now,
                    },
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
    for person in &recipients {
        state
            .sender()
            .send(person, "recognition", "Good practice recognised");
    }
    Ok(Json(now))
}
