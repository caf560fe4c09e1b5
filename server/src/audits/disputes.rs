//! R-AUDIT-8: the disagreement path, as the server sees it. Whatever device
//! opened a stage (a practitioner's tablet offline, the CPP's laptop), the
//! server, when it holds the change, tells the people the stage needs:
//! the auditor and practitioner at stage 1, the CPP to allocate a worker at
//! stage 2 and then that worker, the Head of Service for Safeguarding,
//! Practice and QA at stage 3; and it lets the stage's holder open the audit
//! while the stage is open (the Head of Service may hold none of its parts
//! otherwise). Each person is told once per stage: the `dispute_notices`
//! table is the claim, taken before anything is sent.

use qalf_shared::access::Parties;
use qalf_shared::audit::{self, rules};
use qalf_shared::sync::DocumentId;
use rusqlite::params;

use crate::AppState;
use crate::access_log::Action;
use crate::error::{AppError, AppResult};
use crate::notifications;

/// Called for every record whose document changed.
pub async fn on_changed(state: &AppState, id: &DocumentId) -> AppResult<()> {
    let Some(mut meta) = state.access().record(id) else {
        return Ok(());
    };
    let Parties::Audit {
        case,
        practitioner,
        auditor,
        dispute_holders,
        ..
    } = &mut meta.parties
    else {
        return Ok(());
    };
    let Some(doc) = state
        .relay()
        .with_loaded_document(id, |doc| audit::read(&*doc))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .flatten()
    else {
        return Ok(());
    };
    let org = state.org();
    let notices = rules::dispute_notices(&doc, practitioner, auditor, &org);
    let holders = rules::dispute_readers(&doc, &org);
    let case = case.clone();
    let practitioner_name = org
        .person(practitioner)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let access_changed = *dispute_holders != holders;
    if access_changed {
        // Logged before it takes effect, in the name of whoever moved the
        // disagreement on (the opener of its latest stage).
        let actor = doc
            .disagreement
            .iter()
            .max_by_key(|s| s.stage)
            .map(|s| s.opened_by.clone())
            .unwrap_or_else(|| auditor.clone());
        let detail = if holders.is_empty() {
            "disagreement closed: nobody holds it".to_string()
        } else {
            format!(
                "disagreement escalated to {}",
                holders
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        state
            .log_access(&actor, id, Action::Access, &detail)
            .await?;
        *dispute_holders = holders;
    }
    let (document, stored) = (id.clone(), meta.clone());
    let now = state.clock().now().timestamp();
    let told = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            if access_changed {
                crate::records::update(&tx, &stored)?;
            }
            let mut told = 0;
            for notice in &notices {
                let claimed = tx.execute(
                    "INSERT INTO dispute_notices (audit, stage, person, duty, sent_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                    params![
                        document.to_string(),
                        notice.stage.number() as i64,
                        notice.person.as_str(),
                        notice.duty.code(),
                        now
                    ],
                )? == 1;
                if claimed {
                    // Names the case reference and the practitioner, never
                    // the child; the e-mail names neither.
                    let body = format!(
                        "{} The audit of case {case} ({practitioner_name}'s work).",
                        notice.duty.asks()
                    );
                    notifications::insert(
                        &tx,
                        &notifications::New {
                            person: &notice.person,
                            kind: "dispute",
                            document: Some(&document),
                            title: &notice.duty.title(notice.stage),
                            body: &body,
                            at: now,
                        },
                    )?;
                    told += 1;
                }
            }
            tx.commit()?;
            Ok(told)
        })
        .await?;
    if access_changed {
        state.access().put_record(meta);
    }
    if told > 0 {
        tracing::info!(record = %id, told, "disagreement stage notices sent");
        state.outbox().wake();
    }
    Ok(())
}
