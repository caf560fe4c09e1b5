use qalf_shared::access::RecordMeta;
use qalf_shared::org::PersonId;
use rusqlite::{Connection, params};

use crate::db::DbError;

fn bad_row(e: impl std::fmt::Display) -> DbError {
    DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("records.meta: {e}").into(),
    ))
}

pub fn load_all(conn: &mut Connection) -> Result<Vec<RecordMeta>, DbError> {
    let mut stmt = conn.prepare("SELECT meta FROM records")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut records = Vec::new();
    for row in rows {
        records.push(serde_json::from_str(&row?).map_err(bad_row)?);
    }
    Ok(records)
}

/// What storing a registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A new record.
    New,
    /// The same registration was already stored (a retry, or the same
    /// device sending it twice at once).
    Again,
    /// The id is registered with other parties or to someone else.
    Taken,
}

/// Stores a registration made at `registered_at` (the server's clock).
pub fn insert(conn: &Connection, meta: &RecordMeta, registered_at: i64) -> Result<Stored, DbError> {
    let json = serde_json::to_string(meta).map_err(bad_row)?;
    let inserted = conn.execute(
        "INSERT INTO records (id, kind, created_by, created_at, meta, registered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO NOTHING",
        params![
            meta.id.to_string(),
            meta.kind().code(),
            meta.created_by.as_str(),
            meta.created_at,
            json,
            registered_at
        ],
    )?;
    if inserted == 1 {
        return Ok(Stored::New);
    }
    let existing: String = conn.query_row(
        "SELECT meta FROM records WHERE id = ?1",
        params![meta.id.to_string()],
        |r| r.get(0),
    )?;
    let existing: RecordMeta = serde_json::from_str(&existing).map_err(bad_row)?;
    Ok(if existing == *meta {
        Stored::Again
    } else {
        Stored::Taken
    })
}

/// How many records `person` has registered since `since`.
pub fn registered_since(conn: &Connection, person: &PersonId, since: i64) -> Result<u32, DbError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM records WHERE created_by = ?1 AND registered_at >= ?2",
        params![person.as_str(), since],
        |r| r.get(0),
    )?)
}

/// Replaces a registration's parties (e.g. a note's members).
pub fn update(conn: &Connection, meta: &RecordMeta) -> Result<(), DbError> {
    let json = serde_json::to_string(meta).map_err(bad_row)?;
    conn.execute(
        "UPDATE records SET meta = ?2 WHERE id = ?1",
        params![meta.id.to_string(), json],
    )?;
    Ok(())
}
