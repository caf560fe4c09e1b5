//! R-AUDIT-7 on the server: after completion.
//!
//! - Reminders: every few minutes the server works out, from its own facts
//!   (every audit, whichever device completed it), which follow-ups are due
//!   or overdue and which actions are overdue, and tells each person once
//!   (the `reminders` table is the claim, taken before anything is sent).
//! - The overdue lists (`GET /api/audits/overdue`) come from the same facts.
//! - "Practitioner and manager contacted" (`POST /api/audits/{id}/contact`)
//!   sends them a message and notes in the audit who told them and when.
//! - An audit whose follow-up is recorded in full is closed, by the server,
//!   however its follow-up reached it.

use std::sync::Weak;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use qalf_shared::access::Parties;
use qalf_shared::api::ContactedPeople;
use qalf_shared::audit::follow_up::{OverdueWork, overdue_for, ready_to_close, reminders};
use qalf_shared::audit::{self};
use qalf_shared::org::{PersonId, Role};
use qalf_shared::sync::DocumentId;
use rusqlite::params;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::{AppState, Inner, notifications};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/audits/overdue", get(overdue))
        .route("/api/audits/{id}/contact", post(contact))
}

/// How often the reminders are worked out.
const EVERY: Duration = Duration::from_secs(600);

/// Works out the reminders a minute after start, then every ten minutes.
pub(crate) async fn run(state: Weak<Inner>) {
    let mut wait = Duration::from_secs(60);
    loop {
        tokio::time::sleep(wait).await;
        wait = EVERY;
        let Some(inner) = state.upgrade() else { return };
        let state = AppState { inner };
        if let Err(e) = sweep(&state).await {
            tracing::error!(error = %e, "working out follow-up reminders failed");
        }
    }
}

/// Sends every reminder due today not sent before; gives how many it sent.
pub async fn sweep(state: &AppState) -> AppResult<usize> {
    let today = state.clock().now().date_naive();
    let facts = crate::report::facts_between(state, today, today).await?;
    let org = state.org();
    let cpp: Vec<PersonId> = org
        .people_with_role(Role::CppServiceManager)
        .map(|p| p.id.clone())
        .collect();
    let due = reminders(&facts.audits, &facts.actions, &cpp, today);
    if due.is_empty() {
        return Ok(0);
    }
    let cases: Vec<(DocumentId, String)> = facts
        .audits
        .iter()
        .map(|a| (a.record.clone(), a.case.to_string()))
        .collect();
    let now = state.clock().now().timestamp();
    let sent = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut sent = 0;
            for r in &due {
                let claimed = tx.execute(
                    "INSERT INTO reminders (audit, kind, action, person, sent_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                    params![
                        r.audit.to_string(),
                        r.kind.code(),
                        r.action.clone().unwrap_or_default(),
                        r.person.as_str(),
                        now
                    ],
                )? == 1;
                if !claimed {
                    continue;
                }
                let case = cases
                    .iter()
                    .find(|(id, _)| id == &r.audit)
                    .map(|(_, c)| c.as_str())
                    .unwrap_or_default();
                let body = format!("The audit of case {case}. Open it to see what is outstanding.");
                notifications::insert(
                    &tx,
                    &notifications::New {
                        person: &r.person,
                        kind: r.kind.code(),
                        document: Some(&r.audit),
                        title: r.kind.title(),
                        body: &body,
                        at: now,
                    },
                )?;
                sent += 1;
            }
            tx.commit()?;
            Ok(sent)
        })
        .await?;
    if sent > 0 {
        tracing::info!(sent, "follow-up reminders sent");
        state.outbox().wake();
    }
    Ok(sent)
}

/// The follow-ups and actions overdue for the person asking.
async fn overdue(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<OverdueWork>> {
    let today = state.clock().now().date_naive();
    let facts = crate::report::facts_between(&state, today, today).await?;
    let is_cpp = state
        .org()
        .person(&user.person)
        .is_some_and(|p| qalf_shared::org::works_in_cpp(&p.roles));
    Ok(Json(overdue_for(
        &user.person,
        is_cpp,
        &facts.audits,
        &facts.actions,
        today,
    )))
}

/// Tells the practitioner and their manager that the recommended actions
/// are not finished, and notes it in the audit.
async fn contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ContactedPeople>> {
    let id = DocumentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let meta = state.access().record(&id).ok_or(AppError::NotFound)?;
    let Parties::Audit {
        case,
        practitioner,
        auditor,
        team,
        ..
    } = &meta.parties
    else {
        return Err(AppError::NotFound);
    };
    let org = state.org();
    let is_cpp = org
        .person(&user.person)
        .is_some_and(|p| qalf_shared::org::works_in_cpp(&p.roles));
    if &user.person != auditor && !is_cpp {
        return Err(AppError::Forbidden);
    }
    let now = state.clock().now().timestamp();
    let by = user.person.to_string();
    // Noted in the audit first, and only once: a second press (or a retry
    // after a lost answer) tells nobody twice.
    let noted = state
        .relay()
        .with_document(&id, move |doc| {
            use automerge::ReadDoc;
            use automerge::transaction::Transactable;
            let Some(a) = audit::read(&*doc) else {
                return Err("The audit does not read".to_string());
            };
            if a.completed_at.is_none() {
                return Err("The audit is not completed yet: its follow-up comes after".into());
            }
            if a.follow_up.actions_complete != Some(false) {
                return Err("Record first that the recommended actions are not complete".into());
            }
            if a.follow_up.contacted {
                return Ok(false);
            }
            let follow_up = doc
                .get(automerge::ROOT, "follow_up")
                .ok()
                .flatten()
                .map(|(_, obj)| obj)
                .ok_or_else(|| "The audit has no follow-up".to_string())?;
            let mut tx = doc.transaction();
            let written = tx
                .put(&follow_up, "contacted", true)
                .and_then(|()| tx.put(&follow_up, "contacted_at", now))
                .and_then(|()| tx.put(&follow_up, "contacted_by", by.as_str()));
            match written {
                Ok(()) => {
                    crate::relay::commit_as_server(tx, now);
                    Ok(true)
                }
                Err(e) => Err(format!("The audit could not be noted: {e}")),
            }
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or(AppError::NotFound)?
        .map_err(AppError::BadRequest)?;
    if !noted {
        return Err(AppError::Conflict(
            "The practitioner and manager were told already".into(),
        ));
    }
    // The practitioner and their manager (their line manager, else the
    // team's manager).
    let manager = org
        .person(practitioner)
        .and_then(|p| p.line_manager.clone())
        .or_else(|| org.team(team).and_then(|t| t.manager.clone()));
    let told: Vec<PersonId> = std::iter::once(practitioner.clone())
        .chain(manager)
        .collect();
    let names: Vec<String> = told
        .iter()
        .filter_map(|p| org.person(p).map(|p| p.name.clone()))
        .collect();
    let sender = org
        .person(&user.person)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let body = format!(
        "{sender} checked the follow-up of the audit of case {case}: the recommended actions are not finished yet. Open the audit to see them."
    );
    let (document, to) = (id.clone(), told.clone());
    state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            notifications::insert_for_each(
                &tx,
                &to,
                "follow-up-contact",
                Some(&document),
                "Recommended actions from an audit are not finished yet",
                &body,
                now,
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    state.outbox().wake();
    tracing::info!(record = %id, person = %user.person, "practitioner and manager told of unfinished actions");
    Ok(Json(ContactedPeople { names }))
}

/// Called for every record whose document changed: closes an audit whose
/// follow-up is recorded in full.
pub async fn on_changed(state: &AppState, id: &DocumentId) -> AppResult<()> {
    let Some(meta) = state.access().record(id) else {
        return Ok(());
    };
    if !matches!(meta.parties, Parties::Audit { .. }) {
        return Ok(());
    }
    let closes = state
        .relay()
        .with_loaded_document(id, |doc| {
            audit::read(&*doc).is_some_and(|a| ready_to_close(&a))
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .unwrap_or(false);
    if !closes {
        return Ok(());
    }
    let now = state.clock().now().timestamp();
    state
        .relay()
        .with_document(id, move |doc| {
            use automerge::transaction::Transactable;
            let mut tx = doc.transaction();
            if tx.put(automerge::ROOT, "closed_at", now).is_ok() {
                crate::relay::commit_as_server(tx, now);
            }
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    tracing::info!(record = %id, "audit closed: its follow-up is recorded");
    Ok(())
}
