//! The embedded SQLite database: one file under the data directory.
//!
//! Every connection runs in WAL mode with `synchronous=FULL`, so a write is on
//! disk before the call that made it returns: document data a client sent
//! survives a crash once the relay has acknowledged it. Writers use
//! `BEGIN IMMEDIATE`; a connection that finds another writing waits for the
//! lock ([`busy`]) instead of failing at once. Storage sits behind this type (and the relay's storage trait) so a
//! PostgreSQL backend can be added as a module.

mod migrations;

use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

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
";

/// How long a connection waits for another's write lock before its
/// statement fails with "database is locked" (the storage then retries).
const BUSY_FOR: Duration = Duration::from_secs(10);
/// How often a waiting connection tries the lock again.
const BUSY_RETRY: Duration = Duration::from_micros(500);

/// The busy handler every connection uses instead of SQLite's own busy
/// timeout. SQLite's sleeps between tries grow to 100 ms; a write holds
/// the lock for well under a millisecond, so on a busy relay (several
/// pooled connections writing chunks, projections and the access log at
/// once) the waiters slept while the lock stood free and the queue of
/// unacknowledged changes grew without bound (the load soak found it:
/// edit-to-visible p99 past a minute five minutes into 350 edits a second,
/// while the relay used less CPU than before the queue grew). Trying again
/// every half millisecond keeps the lock busy instead of idle, for the same
/// 10 seconds in all (measured on the clock: sleeps overrun on a busy
/// machine).
fn busy(attempt: i32) -> bool {
    let now = Instant::now();
    // SQLite calls the handler on the thread running the statement, with
    // `attempt` 0 at the first refusal of each wait.
    let since = WAITING_SINCE.with(|since| {
        if attempt == 0 || since.get().is_none() {
            since.set(Some(now));
        }
        since.get().unwrap_or(now)
    });
    if now.duration_since(since) >= BUSY_FOR {
        return false;
    }
    std::thread::sleep(BUSY_RETRY);
    true
}

thread_local! {
    /// When this thread's statement began waiting for the write lock.
    static WAITING_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

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
                    .and_then(|()| guard.busy_handler(Some(busy)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_waits_for_another_writer_until_ten_seconds_have_passed() {
        assert!(busy(0), "the first refusal waits");
        assert!(busy(1), "and the next, moments later");
        let started = Instant::now() - BUSY_FOR;
        WAITING_SINCE.with(|since| since.set(Some(started)));
        assert!(
            !busy(2),
            "gives up once 10 s have passed since the wait began"
        );
        assert!(busy(0), "a new wait starts its own 10 s");
    }
}
