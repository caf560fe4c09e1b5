//! R-AUDIT-10: good practice found in an audit is recognised with a message
//! to the practitioner and to their management.
//!
//! The server sends it when it holds a completed audit that records good
//! practice, however the audit got there (completed on a tablet offline and
//! synced days later, or good practice added after completion), and once per
//! audit: the `recognitions` table is the claim, taken before anything is
//! sent. It then notes the time in the audit, so every device shows it sent.

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use qalf_shared::access::Parties;
use qalf_shared::audit::{self, rules};
use qalf_shared::sync::DocumentId;
use rusqlite::params;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::notifications;

/// Called for every record whose document changed: recognises good
/// practice in a completed audit the first time it is seen.
pub async fn on_changed(state: &AppState, id: &DocumentId) -> AppResult<()> {
    let Some(meta) = state.access().record(id) else {
        return Ok(());
    };
    let Parties::Audit {
        case, practitioner, ..
    } = &meta.parties
    else {
        return Ok(());
    };
    let due = state
        .relay()
        .with_loaded_document(id, |doc| {
            audit::read(&*doc)
                .is_some_and(|a| a.completed_at.is_some() && rules::recognition_due(&a))
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .unwrap_or(false);
    if !due {
        return Ok(());
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
    // Names a person, never the child: a case reference is enough to find it.
    let title = format!("Good practice recognised: {practitioner_name}");
    let body_text = format!(
        "An audit of case {case} found good practice in {practitioner_name}'s work. Open the audit to read it."
    );
    let (document, to) = (id.clone(), recipients.clone());
    let claimed = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let claimed = tx.execute(
                "INSERT INTO recognitions (audit, sent_at) VALUES (?1, ?2)
                 ON CONFLICT(audit) DO NOTHING",
                params![document.to_string(), now],
            )? == 1;
            if claimed {
                notifications::insert_for_each(
                    &tx,
                    &to,
                    "recognition",
                    Some(&document),
                    &title,
                    &body_text,
                    now,
                )?;
            }
            tx.commit()?;
            Ok(claimed)
        })
        .await?;
    if !claimed {
        return Ok(());
    }
    tracing::info!(record = %id, "good practice recognised");
    // Their e-mails were queued with the notifications.
    state.outbox().wake();
    // Every device shows it sent (and the rule no longer finds it due).
    state
        .relay()
        .with_document(id, move |doc| {
            let mut tx = doc.transaction();
            let recognition = tx
                .get(automerge::ROOT, "recognition")
                .ok()
                .flatten()
                .map(|(_, obj)| obj);
            let noted = recognition.map(|obj| tx.put(&obj, "sent_at", now));
            if matches!(noted, Some(Ok(()))) {
                crate::relay::commit_as_server(tx, now);
            }
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}
