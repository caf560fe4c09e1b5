//! R-AUDIT-9: after an audit is completed, the practitioner's manager is
//! asked to hold the "support and challenge" conversation with them, and
//! that manager's Service Manager the one with the manager. Each is asked
//! once, when the server first holds the completed audit without that
//! conversation recorded; the compliance view shows what is still missing.

use qalf_shared::access::Parties;
use qalf_shared::audit::{self, rules};
use qalf_shared::sync::DocumentId;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::notifications;

/// The notification kind of the prompt.
pub const RESPONSE_DUE: &str = "response-due";

/// Called for every record whose document changed.
pub async fn on_changed(state: &AppState, id: &DocumentId) -> AppResult<()> {
    let Some(meta) = state.access().record(id) else {
        return Ok(());
    };
    let Parties::Audit { case, .. } = &meta.parties else {
        return Ok(());
    };
    let org = state.org();
    let prompts = state
        .relay()
        .with_loaded_document(id, |doc| {
            audit::read(&*doc).map(|a| (rules::response_prompts(&a, &org), a.header))
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .flatten();
    let Some((prompts, header)) = prompts else {
        return Ok(());
    };
    if prompts.is_empty() {
        return Ok(());
    }
    let letters: Vec<_> = prompts
        .into_iter()
        .map(|(missing, person)| {
            let with = match missing {
                rules::ResponseMissing::ManagerWithPractitioner => &header.practitioner_name,
                rules::ResponseMissing::ServiceManagerWithTeamManager => {
                    &header.team_manager_name
                }
            };
            let body = format!(
                "{auditor} has completed the audit of case {case}. Hold a support and challenge conversation with {with} about its stretch target and actions, then record on the audit when it was held and that you held it.",
                auditor = header.auditor_name,
            );
            (person, format!("Support and challenge with {with}"), body)
        })
        .collect();
    let (document, now) = (id.clone(), state.clock().now().timestamp());
    let sent = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut sent = 0;
            for (person, title, body) in &letters {
                sent += usize::from(notifications::insert_once(
                    &tx,
                    &document.to_string(),
                    &notifications::New {
                        person,
                        kind: RESPONSE_DUE,
                        document: Some(&document),
                        title,
                        body,
                        at: now,
                    },
                )?);
            }
            tx.commit()?;
            Ok(sent)
        })
        .await?;
    if sent > 0 {
        tracing::info!(record = %id, sent, "support and challenge prompts sent");
        state.outbox().wake();
    }
    Ok(())
}
