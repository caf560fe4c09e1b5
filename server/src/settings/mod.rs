//! The council's settings (every number DOMAIN.md calls configurable, and
//! the practice themes), kept in the database and held in memory for every
//! request; a change takes effect at once, without a restart.

use std::sync::{Arc, RwLock};

use qalf_shared::settings::CouncilSettings;
use rusqlite::{Connection, OptionalExtension};

use crate::db::{Db, DbError};

const KEY: &str = "council";

/// The settings as they are now.
pub struct SettingsStore {
    current: RwLock<Arc<CouncilSettings>>,
}

impl SettingsStore {
    pub async fn load(db: &Db) -> Result<SettingsStore, DbError> {
        let settings = db.call(read).await?;
        Ok(SettingsStore {
            current: RwLock::new(Arc::new(settings)),
        })
    }

    pub fn get(&self) -> Arc<CouncilSettings> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stores new settings and applies them.
    pub async fn set(&self, db: &Db, settings: CouncilSettings) -> Result<(), DbError> {
        let stored = settings.clone();
        db.call(move |conn| write(conn, &stored)).await?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
        Ok(())
    }
}

/// The stored settings; the framework's defaults where none are stored, and
/// defaults for any part a row written by an older version lacks.
pub fn read(conn: &mut Connection) -> Result<CouncilSettings, DbError> {
    let json: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |r| {
            r.get(0)
        })
        .optional()?;
    match json {
        None => Ok(CouncilSettings::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("the stored settings do not read: {e}").into(),
            ))
        }),
    }
}

pub fn write(conn: &mut Connection, settings: &CouncilSettings) -> Result<(), DbError> {
    let json = serde_json::to_string(settings)
        .map_err(|e| DbError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![KEY, json],
    )?;
    Ok(())
}
