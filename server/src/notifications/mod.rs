//! In-app notifications: safety alerts for a Head of Service, recognition of
//! good practice, follow-ups. Shown on the home page, and queued for e-mail
//! in the same transaction (`crate::mail`): the e-mail names only the kind
//! and links here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use qalf_shared::api::Notification;
use qalf_shared::org::PersonId;
use qalf_shared::sync::DocumentId;
use rusqlite::{Connection, params};

use crate::AppState;
use crate::access_log::Action;
use crate::auth::CurrentUser;
use crate::db::DbError;
use crate::error::AppResult;

/// A notification to store.
pub struct New<'a> {
    pub person: &'a PersonId,
    pub kind: &'a str,
    pub document: Option<&'a DocumentId>,
    pub title: &'a str,
    pub body: &'a str,
    pub at: i64,
}

/// Stores a notification and queues its e-mail. Call inside the
/// transaction that makes what it tells of, then wake the outbox.
pub fn insert(conn: &Connection, n: &New<'_>) -> Result<i64, DbError> {
    conn.execute(
        "INSERT INTO notifications (person, kind, document, title, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            n.person.as_str(),
            n.kind,
            n.document.map(|d| d.to_string()),
            n.title,
            n.body,
            n.at
        ],
    )?;
    let id = conn.last_insert_rowid();
    let at = chrono::DateTime::from_timestamp(n.at, 0).unwrap_or_default();
    let document = n.document.map(|d| d.to_string());
    crate::mail::outbox::enqueue(
        conn,
        n.person,
        n.kind,
        &qalf_shared::notify::path_for(n.kind, document.as_deref()),
        at,
    )?;
    Ok(id)
}

/// Stores a notification the first time it is due about `record` (a
/// document id, or a key such as `iro-peer:2026-12`) and never again: the
/// `record_notices` row is claimed in the same transaction. Returns whether
/// it was stored now.
pub fn insert_once(conn: &Connection, record: &str, n: &New<'_>) -> Result<bool, DbError> {
    let claimed = conn.execute(
        "INSERT INTO record_notices (record, kind, person, sent_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![record, n.kind, n.person.as_str(), n.at],
    )? == 1;
    if claimed {
        insert(conn, n)?;
    }
    Ok(claimed)
}

/// Every once-only notice of `kind` sent: (record, person, when).
pub fn sent_once(conn: &Connection, kind: &str) -> Result<Vec<(String, PersonId, i64)>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT record, person, sent_at FROM record_notices WHERE kind = ?1
         ORDER BY sent_at, person",
    )?;
    let rows = stmt
        .query_map(params![kind], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(record, p, at)| Some((record, PersonId::parse(&p).ok()?, at)))
        .collect())
}

/// Stores the same notification for each of `people` (see [`insert`]).
pub fn insert_for_each(
    conn: &Connection,
    people: &[PersonId],
    kind: &str,
    document: Option<&DocumentId>,
    title: &str,
    body: &str,
    at: i64,
) -> Result<(), DbError> {
    for person in people {
        insert(
            conn,
            &New {
                person,
                kind,
                document,
                title,
                body,
                at,
            },
        )?;
    }
    Ok(())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/notifications", get(mine))
        .route("/api/notifications/{id}/read", post(mark_read))
}

async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<Notification>>> {
    let person = user.person.to_string();
    let rows = state
        .db()
        .call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, kind, document, title, body, created_at, read_at FROM notifications
                 WHERE person = ?1 ORDER BY id DESC LIMIT 100",
            )?;
            let rows = stmt
                .query_map([&person], |r| {
                    Ok(Notification {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        document: r.get(2)?,
                        title: r.get(3)?,
                        body: r.get(4)?,
                        created_at: r.get(5)?,
                        read: r.get::<_, Option<i64>>(6)?.is_some(),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    // A notification names a record (a safety alert, an audit): showing it
    // is a read of that record.
    let about: Vec<DocumentId> = rows
        .iter()
        .filter_map(|n| n.document.as_deref())
        .filter_map(|d| DocumentId::parse(d).ok())
        .collect();
    state
        .log_accesses(&user.person, &about, Action::Read, "notification")
        .await?;
    Ok(Json(rows))
}

async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let person = user.person.to_string();
    let now = state.clock().now().timestamp();
    state
        .db()
        .call(move |conn| {
            conn.execute(
                "UPDATE notifications SET read_at = ?3 WHERE id = ?1 AND person = ?2 AND read_at IS NULL",
                params![id, person, now],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
