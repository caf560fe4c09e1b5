//! What administrators and the CPP changed in how QALF runs: staff
//! directory imports, hand edits, settings. Append-only (the table's
//! triggers refuse updates and deletes), and never a child's details: staff
//! names, counts and settings only.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::api::ChangeLogEntry;
use qalf_shared::org::PersonId;
use rusqlite::{Connection, params};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::DbError;
use crate::error::{AppError, AppResult};

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StaffImport,
    /// One person, team or service area changed by hand.
    StaffEdit,
    Settings,
    /// A new version of the audit questions.
    Templates,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::StaffImport => "staff-import",
            Kind::StaffEdit => "staff-edit",
            Kind::Templates => "templates",
            Kind::Settings => "settings",
        }
    }
}

/// One change to write.
pub struct Entry {
    pub at: i64,
    pub by: PersonId,
    pub kind: Kind,
    pub summary: String,
}

impl Entry {
    /// Writes the entry, inside the caller's transaction so that the change
    /// and its record commit together.
    pub fn write(&self, conn: &Connection) -> Result<(), DbError> {
        conn.execute(
            "INSERT INTO admin_changes (at, person_id, kind, summary) VALUES (?1, ?2, ?3, ?4)",
            params![self.at, self.by.as_str(), self.kind.code(), self.summary],
        )?;
        Ok(())
    }
}

/// Who may change how QALF runs, and read what was changed: the
/// administrator and the CPP Service Manager.
pub fn may_manage(state: &AppState, person: &PersonId) -> bool {
    state
        .org()
        .person(person)
        .is_some_and(|p| qalf_shared::access::office::may_change_settings(&p.roles))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/change-log", get(list))
}

/// The latest 200 changes, newest first, with who made them.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<ChangeLogEntry>>> {
    if !may_manage(&state, &user.person) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<(i64, String, String, String)> = state
        .db()
        .call(|conn| {
            let mut stmt = conn.prepare(
                "SELECT at, person_id, kind, summary FROM admin_changes ORDER BY id DESC LIMIT 200",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await?;
    let org = state.org();
    Ok(Json(
        rows.into_iter()
            .map(|(at, person, kind, summary)| ChangeLogEntry {
                at,
                by: PersonId::parse(person.as_str())
                    .ok()
                    .and_then(|p| org.person(&p).map(|p| p.name.clone()))
                    .unwrap_or(person),
                kind,
                summary,
            })
            .collect(),
    ))
}
