//! R-AUDIT-5: a safety concern raised during an audit alerts the Head of
//! Service of the case's area at once. Who was alerted and when is kept in
//! a table that refuses updates and deletes. Raising the same alert again
//! (a device retrying after a lost answer) changes nothing.

use axum::Json;
use axum::extract::State;
use qalf_shared::access::Parties;
use qalf_shared::api::{AlertDelivered, RaiseAlert};
use qalf_shared::sync::DocumentId;
use rusqlite::{OptionalExtension, params};

use crate::AppState;
use crate::access_log::{Action, Event};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::notifications;

const MAX_CONCERN_CHARS: usize = 4_000;

pub async fn raise(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(alert): Json<RaiseAlert>,
) -> AppResult<Json<AlertDelivered>> {
    let audit = DocumentId::parse(&alert.audit).map_err(|_| AppError::NotFound)?;
    if alert.concern.trim().is_empty() || alert.concern.chars().count() > MAX_CONCERN_CHARS {
        return Err(AppError::BadRequest(format!(
            "describe the concern in 1 to {MAX_CONCERN_CHARS} characters"
        )));
    }
    if alert.id.is_empty() || alert.id.len() > 64 {
        return Err(AppError::BadRequest("the alert needs an id".into()));
    }
    let meta = state.access().record(&audit).ok_or(AppError::Forbidden)?;
    let Parties::Audit { case, team, .. } = &meta.parties else {
        return Err(AppError::BadRequest(
            "safety alerts are raised on audits".into(),
        ));
    };
    let org = state.org();
    // Those who write the audit raise alerts on it (not a Service Manager,
    // who writes only their own conversation).
    if !state.access().decide(&user.person, &audit).can_write()
        || !qalf_shared::access::rights::may_add_to(
            &org,
            &user.person,
            &meta,
            "safety_alerts",
            "raised_by",
        )
    {
        return Err(AppError::Forbidden);
    }
    let head = org
        .head_of_service_for_team(team)
        .ok_or_else(|| {
            AppError::BadRequest("the case's service area has no Head of Service".into())
        })?
        .clone();
    let raiser = org
        .person(&user.person)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let now = state.clock().now().timestamp();
    let title = format!("Safety concern raised on case {case}");
    let body = format!(
        "{raiser} raised this during an audit: {}",
        alert.concern.trim()
    );
    let head_id = head.id.clone();
    let row = alert.clone();
    let person = user.person.clone();
    let document = audit.clone();
    let received_at = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT received_at FROM safety_alerts WHERE id = ?1 AND audit = ?2",
                    params![row.id, document.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(at) = existing {
                return Ok((at, false));
            }
            tx.execute(
                "INSERT INTO safety_alerts (id, audit, raised_by, raised_at, received_at, head_of_service, concern)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    row.id,
                    document.to_string(),
                    person.as_str(),
                    row.raised_at,
                    now,
                    head_id.as_str(),
                    row.concern.trim()
                ],
            )?;
            notifications::insert(
                &tx,
                &notifications::New {
                    person: &head_id,
                    kind: "safety-alert",
                    document: Some(&document),
                    title: &title,
                    body: &body,
                    at: now,
                },
            )?;
            tx.commit()?;
            Ok((now, true))
        })
        .await?;
    let (alerted_at, new) = received_at;
    if new {
        tracing::warn!(audit = %audit, head = %head.id, "safety alert raised");
        state.outbox().wake();
        state
            .access_log()
            .record(Event::new(
                state.clock().now(),
                &user.person,
                &audit,
                Some(&meta),
                Action::Write,
                "safety alert raised",
            ))
            .await;
    }
    Ok(Json(AlertDelivered {
        head_of_service: head.id.to_string(),
        head_of_service_name: head.name,
        alerted_at,
    }))
}
