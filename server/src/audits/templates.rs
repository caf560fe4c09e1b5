//! The audit question set as the CPP edits it (R-LIVE-4): each save is the
//! next version, stored whole; new audits start on the latest, and an audit
//! keeps the version it started on (it copies its questions then). The
//! compiled-in set is version 1, used until the CPP saves another.
//!
//! `GET /api/templates/audit` and `PUT` (the CPP), logged in the change log.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::audit::template::{self, AuditTemplate};
use qalf_shared::audit::template_edit::{check_next, template_changes};
use rusqlite::{Connection, OptionalExtension, params};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::change_log::{Entry, Kind};
use crate::db::DbError;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/templates/audit", get(read).put(save))
}

fn stored_error(e: qalf_shared::audit::template::TemplateError) -> DbError {
    DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("a stored audit template does not read: {e}").into(),
    ))
}

/// The template new audits start on.
pub fn latest(conn: &Connection) -> Result<AuditTemplate, DbError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM audit_templates ORDER BY version DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match json {
        Some(json) => AuditTemplate::parse(&json).map_err(stored_error),
        None => Ok(template::current().clone()),
    }
}

/// Question ids some earlier version had and the latest does not.
fn retired(conn: &Connection, latest: &AuditTemplate) -> Result<BTreeSet<String>, DbError> {
    let mut stmt = conn.prepare("SELECT json FROM audit_templates")?;
    let stored: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut versions = vec![template::current().clone()];
    for json in stored {
        versions.push(AuditTemplate::parse(&json).map_err(stored_error)?);
    }
    let now: BTreeSet<&str> = latest
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .map(|q| q.id.as_str())
        .collect();
    Ok(versions
        .iter()
        .flat_map(|t| &t.sections)
        .flat_map(|s| &s.questions)
        .filter(|q| !now.contains(q.id.as_str()))
        .map(|q| q.id.clone())
        .collect())
}

fn cpp_only(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    match state.org().person(&user.person) {
        Some(p) if p.roles.iter().any(|r| r.is_cpp()) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

async fn read(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<AuditTemplate>> {
    cpp_only(&state, &user)?;
    Ok(Json(state.db().call(|conn| latest(conn)).await?))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(proposed): Json<AuditTemplate>,
) -> AppResult<Json<AuditTemplate>> {
    cpp_only(&state, &user)?;
    let (by, at) = (user.person.clone(), state.clock().now().timestamp());
    let outcome = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let current = latest(&tx)?;
            let retired = retired(&tx, &current)?;
            let next = match check_next(&current, &retired, &proposed) {
                Ok(next) => next,
                Err(problems) => return Ok(Err(problems)),
            };
            let lines = template_changes(&current, &next);
            if lines.is_empty() {
                return Ok(Ok(current));
            }
            let json = serde_json::to_string(&next).map_err(|e| {
                DbError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            })?;
            tx.execute(
                "INSERT INTO audit_templates (version, json, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4)",
                params![next.version, json, at, by.as_str()],
            )?;
            Entry {
                at,
                by,
                kind: Kind::Templates,
                summary: format!(
                    "Audit questions, version {}. {}.",
                    next.version,
                    lines.join(". ")
                ),
            }
            .write(&tx)?;
            tx.commit()?;
            Ok(Ok(next))
        })
        .await?;
    match outcome {
        Ok(template) => {
            tracing::info!(person = %user.person, version = template.version, "audit questions changed");
            Ok(Json(template))
        }
        Err(problems) => Err(AppError::BadRequest(
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}
