//! R-MOD-2: the moderator's developmental feedback reaches the auditor.
//! When the server holds a completed moderation, however it got there, it
//! tells the auditor once (the `moderation_feedback` table is the claim),
//! with a link to the moderation, which the auditor may read.

use qalf_shared::access::Parties;
use qalf_shared::moderation::document as moderation;
use qalf_shared::sync::DocumentId;
use rusqlite::params;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::notifications;

/// Called for every record whose document changed.
pub async fn on_changed(state: &AppState, id: &DocumentId) -> AppResult<()> {
    let Some(meta) = state.access().record(id) else {
        return Ok(());
    };
    let Parties::Moderation {
        auditor, moderator, ..
    } = &meta.parties
    else {
        return Ok(());
    };
    let case = state
        .relay()
        .with_loaded_document(id, |doc| {
            moderation::read(&*doc)
                .filter(|m| m.completed_at.is_some())
                .map(|m| m.case)
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .flatten();
    let Some(case) = case else {
        return Ok(());
    };
    let moderator_name = state
        .org()
        .person(moderator)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "The CPP".into());
    let body = format!(
        "{moderator_name} moderated your audit of case {case}: read the grade they would give, the quality of the audit and their feedback."
    );
    let (document, auditor, now) = (id.clone(), auditor.clone(), state.clock().now().timestamp());
    let sent = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let claimed = tx.execute(
                "INSERT INTO moderation_feedback (moderation, sent_at) VALUES (?1, ?2)
                 ON CONFLICT(moderation) DO NOTHING",
                params![document.to_string(), now],
            )? == 1;
            if claimed {
                notifications::insert(
                    &tx,
                    &notifications::New {
                        person: &auditor,
                        kind: "moderation-feedback",
                        document: Some(&document),
                        title: "Feedback on an audit you did",
                        body: &body,
                        at: now,
                    },
                )?;
            }
            tx.commit()?;
            Ok(claimed)
        })
        .await?;
    if sent {
        tracing::info!(record = %id, "moderation feedback sent to the auditor");
        state.outbox().wake();
    }
    Ok(())
}
