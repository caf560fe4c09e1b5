//! The question sets the CPP edits (R-LIVE-4): the audit questions and
//! the observation prompts. Each save is the next version, stored whole;
//! new records start on the latest, and a record keeps the version it
//! started on (it copies its questions then). The compiled-in sets are
//! version 1, used until the CPP saves another.
//!
//! `GET /api/templates/audit` (the CPP) and `/api/templates/observation`
//! (everyone signed in: observers start observations on their own
//! devices, offline too, from the version they last fetched); `PUT` of
//! either by the CPP, logged in the change log.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::audit::template::{self as audit_template, AuditTemplate};
use qalf_shared::observation::template::{self as observation_template, ObservationTemplates};
use qalf_shared::question_set::{QuestionSet, changes, check_next, retired};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::change_log::{Entry, Kind};
use crate::db::DbError;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/templates/audit",
            get(read::<AuditTemplate>).put(save::<AuditTemplate>),
        )
        .route(
            "/api/templates/observation",
            get(read::<ObservationTemplates>).put(save::<ObservationTemplates>),
        )
}

/// A question set as the server keeps it: every version in its own table.
pub trait Stored: QuestionSet + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Holds every saved version (migrations 15 and 16).
    const TABLE: &'static str;
    /// Whether only the CPP may read it.
    const CPP_READS_ONLY: bool;
    fn built_in() -> Self;
    fn parse(json: &str) -> Result<Self, String>;
}

impl Stored for AuditTemplate {
    const TABLE: &'static str = "audit_templates";
    const CPP_READS_ONLY: bool = true;
    fn built_in() -> Self {
        audit_template::current().clone()
    }
    fn parse(json: &str) -> Result<Self, String> {
        AuditTemplate::parse(json).map_err(|e| e.to_string())
    }
}

impl Stored for ObservationTemplates {
    const TABLE: &'static str = "observation_templates";
    const CPP_READS_ONLY: bool = false;
    fn built_in() -> Self {
        observation_template::current().clone()
    }
    fn parse(json: &str) -> Result<Self, String> {
        ObservationTemplates::parse(json).map_err(|e| e.to_string())
    }
}

fn parse_stored<T: Stored>(json: &str) -> Result<T, DbError> {
    T::parse(json).map_err(|e| {
        DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("a stored version of the {} does not read: {e}", T::NAME).into(),
        ))
    })
}

/// The version new records start on.
pub fn latest<T: Stored>(conn: &Connection) -> Result<T, DbError> {
    let json: Option<String> = conn
        .query_row(
            &format!(
                "SELECT json FROM {} ORDER BY version DESC LIMIT 1",
                T::TABLE
            ),
            [],
            |r| r.get(0),
        )
        .optional()?;
    match json {
        Some(json) => parse_stored(&json),
        None => Ok(T::built_in()),
    }
}

/// Every version, the compiled-in one first.
fn versions<T: Stored>(conn: &Connection) -> Result<Vec<T>, DbError> {
    let mut stmt = conn.prepare(&format!("SELECT json FROM {}", T::TABLE))?;
    let stored: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut versions = vec![T::built_in()];
    for json in stored {
        versions.push(parse_stored(&json)?);
    }
    Ok(versions)
}

fn cpp_only(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    match state.org().person(&user.person) {
        Some(p) if qalf_shared::org::works_in_cpp(&p.roles) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

async fn read<T: Stored>(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<T>> {
    if T::CPP_READS_ONLY {
        cpp_only(&state, &user)?;
    }
    Ok(Json(state.db().call(|conn| latest::<T>(conn)).await?))
}

async fn save<T: Stored>(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(proposed): Json<T>,
) -> AppResult<Json<T>> {
    cpp_only(&state, &user)?;
    let (by, at) = (user.person.clone(), state.clock().now().timestamp());
    let outcome = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let current = latest::<T>(&tx)?;
            let retired = retired(&versions::<T>(&tx)?, &current);
            let next = match check_next(&current, &retired, &proposed) {
                Ok(next) => next,
                Err(problems) => return Ok(Err(problems)),
            };
            let lines = changes(&current, &next);
            if lines.is_empty() {
                return Ok(Ok(current));
            }
            let json = serde_json::to_string(&next).map_err(|e| {
                DbError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            })?;
            tx.execute(
                &format!(
                    "INSERT INTO {} (version, json, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4)",
                    T::TABLE
                ),
                params![next.version(), json, at, by.as_str()],
            )?;
            Entry {
                at,
                by,
                kind: Kind::Templates,
                summary: format!(
                    "{}, version {}. {}.",
                    T::NAME,
                    next.version(),
                    lines.join(". ")
                ),
            }
            .write(&tx)?;
            tx.commit()?;
            Ok(Ok(next))
        })
        .await?;
    match outcome {
        Ok(set) => {
            tracing::info!(person = %user.person, set = T::NAME, version = set.version(), "question set changed");
            Ok(Json(set))
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
