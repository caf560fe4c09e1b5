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

/// The schema version this build's migrations bring a database to.
pub fn schema_version() -> usize {
    migrations::latest()
}

#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

/// Creates the data folder readable by the service user alone (R-SEC-11),
/// or tightens an existing one.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create the data folder {}: {e}", dir.display()))?;
    restrict(dir, 0o700)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| anyhow::anyhow!("cannot restrict {} to its owner: {e}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up
    /// to date. The file and its journal are the service user's alone.
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
        // SQLite makes its WAL and shared-memory files with the database
        // file's permissions; all three are narrowed here in case any was
        // made before.
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                restrict(&file, 0o600).map_err(|e| DbError::Pool(e.to_string()))?;
            }
        }
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
