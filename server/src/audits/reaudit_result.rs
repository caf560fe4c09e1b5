//! R-REAUDIT-1: a re-audit's result is shared with the Service Manager
//! operationally responsible for the case, so that any actions left are
//! monitored. When the server first holds the completed re-audit it tells
//! them what the re-auditor found, in words, once (`record_notices`); the
//! CPP's re-audit page reads who was told and when from the same row.

use qalf_shared::access::Parties;
use qalf_shared::audit::{self, Grade, rules};
use qalf_shared::schedule::reaudit::{outcome, responsible_service_manager};
use qalf_shared::sync::DocumentId;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::notifications;
use crate::schedule::REAUDIT_RESULT;

/// Called for every record whose document changed.
pub async fn on_changed(state: &AppState, id: &DocumentId) -> AppResult<()> {
    let Some(meta) = state.access().record(id) else {
        return Ok(());
    };
    let Parties::Audit { case, .. } = &meta.parties else {
        return Ok(());
    };
    let found = state
        .relay()
        .with_loaded_document(id, |doc| {
            let a = audit::read(&*doc)?;
            let checked = a.reaudit.as_ref()?.action_plan_complete;
            a.completed_at?;
            let no_longer_inadequate =
                rules::standing_grade(&a).is_some_and(|g| g != Grade::Inadequate);
            Some((
                outcome(checked.unwrap_or(false), no_longer_inadequate),
                a.header.auditor_name,
            ))
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .flatten();
    let Some((outcome, re_auditor)) = found else {
        return Ok(());
    };
    let org = state.org();
    // Told through the record itself, which the Service Manager must be
    // able to open from the message.
    let Some(sm) = responsible_service_manager(&org, case)
        .filter(|sm| qalf_shared::access::access(&org, &sm.id, &meta).can_read())
        .map(|p| p.id.clone())
    else {
        tracing::warn!(record = %id, "a re-audit's case has no responsible Service Manager");
        return Ok(());
    };
    let title = format!("Re-audit result: case {case}");
    let body = format!(
        "{re_auditor} has re-audited case {case}. {outcome}. Open the re-audit to read it and to monitor any actions that remain."
    );
    let (document, now) = (id.clone(), state.clock().now().timestamp());
    let sent = state
        .db()
        .call(move |conn| {
            notifications::insert_once(
                conn,
                &document.to_string(),
                &notifications::New {
                    person: &sm,
                    kind: REAUDIT_RESULT,
                    document: Some(&document),
                    title: &title,
                    body: &body,
                    at: now,
                },
            )
        })
        .await?;
    if sent {
        tracing::info!(record = %id, "re-audit result shared with the Service Manager");
        state.outbox().wake();
    }
    Ok(())
}
