//! The embedded SQLite database: one file under the data directory.
//!
//! Every connection runs in WAL mode with `synchronous=FULL`, so a write is on
//! disk before the call that made it returns: document data a client sent
//! survives a crash once the relay has acknowledged it. Writers use
//! `BEGIN IMMEDIATE` so concurrent writers queue on the busy timeout instead of
//! failing. Storage sits behind this type (and the relay's storage trait) so a
//! PostgreSQL backend can be added as a module.

mod migrations;

use std::path::Path;
use std::time::Duration;

use deadpool_sqlite::{Config, Hook, HookError, Pool, Runtime};
use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database connection pool: {0}")]
    Pool(String),
}

/// Pragmas every connection starts with.
const CONNECTION_PRAGMAS: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = 10000;
";

#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up
    /// to date.
    pub async fn open(path: &Path) -> Result<Db, DbError> {
        let pool = Config::new(path)
            .builder(Runtime::Tokio1)
            .map_err(|e| DbError::Pool(e.to_string()))?
            .max_size(8)
            .wait_timeout(Some(Duration::from_secs(30)))
            .runtime(Runtime::Tokio1)
            .post_create(Hook::sync_fn(|conn, _| {
                let guard = conn
                    .lock()
                    .map_err(|_| HookError::message("connection lock poisoned"))?;
                guard
                    .execute_batch(CONNECTION_PRAGMAS)
                    .map_err(HookError::Backend)
            }))
            .build()
            .map_err(|e| DbError::Pool(e.to_string()))?;
        let db = Db { pool };
        db.call(migrations::run).await?;
        Ok(db)
    }

    /// Runs `f` on a pooled connection, on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let conn = self
            .pool
            .get()
            .await
            .map_err(|e| DbError::Pool(e.to_string()))?;
        conn.interact(f)
            .await
            .map_err(|e| DbError::Pool(e.to_string()))?
    }
}
