//! The council's settings (every number DOMAIN.md calls configurable, and
//! the practice themes), kept in the database and held in memory for every
//! request; a change takes effect at once, without a restart.

mod routes;

pub use routes::router;

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

    /// Stores settings someone changed, with the change log's entry in the
    /// same transaction, and applies them.
    pub async fn change(
        &self,
        db: &Db,
        settings: CouncilSettings,
        entry: crate::change_log::Entry,
    ) -> Result<(), DbError> {
        let stored = settings.clone();
        db.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            write(&tx, &stored)?;
            entry.write(&tx)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
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

pub fn write(conn: &Connection, settings: &CouncilSettings) -> Result<(), DbError> {
    let json = serde_json::to_string(settings)
        .map_err(|e| DbError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![KEY, json],
    )?;
    Ok(())
}

/// What a data folder holds: a demonstration (synthetic people, a published
/// password) or a council's real installation. Set when the folder is first
/// opened and never changed: the demo's password must never guard real
/// data (R-SEC-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    Demo,
    Live,
}

impl Instance {
    fn code(self) -> &'static str {
        match self {
            Instance::Demo => "demo",
            Instance::Live => "live",
        }
    }
}

const INSTANCE_KEY: &str = "instance";

/// Why a data folder was not opened.
#[derive(Debug, thiserror::Error)]
pub enum InstanceMismatch {
    #[error(
        "the data folder {0} holds a demonstration with synthetic data and a published password: start it with --demo, and keep real data in a folder of its own"
    )]
    DemoAsLive(String),
    #[error(
        "the data folder {0} holds a real installation: a demonstration needs a new, empty data folder, so that its published password never guards real data"
    )]
    LiveAsDemo(String),
}

/// Checks the folder's kind against how it is being started, marking a new
/// folder with it; `Ok(true)` when the folder is new.
pub fn check_instance(
    conn: &mut Connection,
    wanted: Instance,
    folder: &str,
) -> Result<Result<bool, InstanceMismatch>, DbError> {
    let found: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [INSTANCE_KEY],
            |r| r.get(0),
        )
        .optional()?;
    match found.as_deref() {
        None => {
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                rusqlite::params![INSTANCE_KEY, wanted.code()],
            )?;
            Ok(Ok(true))
        }
        Some(code) if code == wanted.code() => Ok(Ok(false)),
        Some(_) => Ok(Err(match wanted {
            Instance::Live => InstanceMismatch::DemoAsLive(folder.to_string()),
            Instance::Demo => InstanceMismatch::LiveAsDemo(folder.to_string()),
        })),
    }
}
