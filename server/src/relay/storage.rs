//! The relay's document store: samod's key/value storage over the `chunks`
//! table of the embedded database.
//!
//! A `put` returns only once its transaction has committed (`synchronous =
//! FULL`), so when samod counts data as stored it is on disk. The storage
//! trait cannot report failure: a write is retried, and if the database keeps
//! refusing, the process exits rather than acknowledge data it does not hold.
//! Clients keep their own copy and re-send it after a restart.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::OptionalExtension;
use samod::storage::StorageKey;

use automerge::ChangeHash;
use qalf_shared::sync::DocumentId;

use super::durable::{Durable, changes_in_chunk};
use super::limits::Limits;
use crate::db::{Db, DbError};

/// Told the id of each document whose stored data changed (after the
/// change is on disk): the reports' projection follows documents this way.
pub type OnChange = Arc<dyn Fn(&qalf_shared::sync::DocumentId) + Send + Sync>;

#[derive(Clone)]
pub struct SqliteStorage {
    db: Db,
    limits: Arc<Limits>,
    on_change: Option<OnChange>,
    /// Told of each change once its write has committed.
    durable: Arc<Durable>,
}

const ATTEMPTS: u32 = 5;

impl SqliteStorage {
    pub fn new(db: Db, limits: Arc<Limits>) -> Self {
        SqliteStorage {
            db,
            limits,
            on_change: None,
            durable: Arc::default(),
        }
    }

    /// The same storage, telling `durable` of every change it writes.
    pub fn with_durable(mut self, durable: Arc<Durable>) -> Self {
        self.durable = durable;
        self
    }

    /// The changes in a chunk about to be written, if a socket waits for
    /// changes of its document (reading a snapshot is not free).
    fn awaited_in(&self, key: &StorageKey, data: &[u8]) -> Option<(DocumentId, Vec<ChangeHash>)> {
        let parts: Vec<String> = key.into_iter().cloned().collect();
        let document = DocumentId::parse(parts.first()?).ok()?;
        if !self.durable.awaits(&document) {
            return None;
        }
        Some((document, changes_in_chunk(&parts, data)))
    }

    /// The same storage, telling `on_change` of every document written.
    pub fn with_on_change(mut self, on_change: OnChange) -> Self {
        self.on_change = Some(on_change);
        self
    }

    fn changed(&self, key: &StorageKey) {
        let (Some(on_change), Some(first)) = (&self.on_change, key.into_iter().next()) else {
            return;
        };
        if let Ok(id) = qalf_shared::sync::DocumentId::parse(first) {
            on_change(&id);
        }
    }

    /// Re-measures a document after a write, for the size limit.
    async fn measure(&self, key: &StorageKey) {
        let Some(document) = key.into_iter().next().cloned() else {
            return;
        };
        let prefix = document.clone();
        let bytes: i64 = self
            .must("measure", move |conn| {
                Ok(conn.query_row(
                    "SELECT COALESCE(SUM(length(data)), 0) FROM chunks
                     WHERE key >= ?1 || '/' AND key < ?1 || '0'",
                    [&prefix],
                    |r| r.get(0),
                )?)
            })
            .await;
        self.limits.set_size(&document, bytes.max(0) as u64);
    }

    /// Runs a storage call, retrying transient failures; exits the process
    /// if the database stays unusable.
    async fn must<T, F>(&self, what: &'static str, f: F) -> T
    where
        F: Fn(&mut rusqlite::Connection) -> Result<T, DbError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        let mut delay = Duration::from_millis(20);
        for attempt in 1..=ATTEMPTS {
            match self.db.call(f.clone()).await {
                Ok(value) => return value,
                Err(e) => {
                    tracing::error!(error = %e, attempt, "document storage {what} failed");
                    tokio::time::sleep(delay).await;
                    delay *= 4;
                }
            }
        }
        tracing::error!(
            "document storage is unusable; stopping so no write is acknowledged falsely"
        );
        std::process::exit(70);
    }
}

fn key_text(key: &StorageKey) -> String {
    key.to_string()
}

fn parse_key(text: &str) -> Option<StorageKey> {
    StorageKey::from_parts(text.split('/')).ok()
}

impl samod::storage::Storage for SqliteStorage {
    async fn load(&self, key: StorageKey) -> Option<Vec<u8>> {
        let key = key_text(&key);
        self.must("load", move |conn| {
            Ok(conn
                .query_row("SELECT data FROM chunks WHERE key = ?1", [&key], |r| {
                    r.get(0)
                })
                .optional()?)
        })
        .await
    }

    async fn load_range(&self, prefix: StorageKey) -> HashMap<StorageKey, Vec<u8>> {
        let prefix = key_text(&prefix);
        let rows: Vec<(String, Vec<u8>)> = self
            .must("range load", move |conn| {
                // Keys under `prefix/`: '0' is the character after '/'.
                let mut stmt = conn.prepare_cached(
                    "SELECT key, data FROM chunks
                     WHERE key = ?1 OR (key >= ?1 || '/' AND key < ?1 || '0')",
                )?;
                let rows = stmt
                    .query_map([&prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await;
        rows.into_iter()
            .filter_map(|(k, v)| parse_key(&k).map(|k| (k, v)))
            .collect()
    }

    async fn put(&self, key: StorageKey, data: Vec<u8>) {
        let awaited = self.awaited_in(&key, &data);
        let text = key_text(&key);
        self.must("put", move |conn| {
            conn.execute(
                "INSERT INTO chunks (key, data) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET data = excluded.data",
                rusqlite::params![text, data],
            )?;
            Ok(())
        })
        .await;
        // Committed: the socket that sent these may now be answered.
        if let Some((document, changes)) = awaited {
            self.durable.written(&document, changes);
        }
        self.measure(&key).await;
        self.changed(&key);
    }

    async fn delete(&self, key: StorageKey) {
        let text = key_text(&key);
        self.must("delete", move |conn| {
            conn.execute("DELETE FROM chunks WHERE key = ?1", [&text])?;
            Ok(())
        })
        .await;
        self.measure(&key).await;
    }
}

/// Stores new documents made on the server, each as one snapshot, in one
/// transaction (the demo's year of records, say). The relay's shards load
/// them when they are first asked for. Snapshots are stored uncompressed:
/// compressing a year of records took most of the demo's start-up, and
/// samod compacts a document again once it changes.
///
/// Returns each document's stored size, for the relay's [`Limits`].
pub fn insert_new(
    conn: &mut rusqlite::Connection,
    documents: &[(qalf_shared::sync::DocumentId, automerge::Automerge)],
) -> Result<Vec<(String, u64)>, DbError> {
    let tx = conn.transaction()?;
    let mut sizes = Vec::with_capacity(documents.len());
    {
        let mut insert = tx.prepare_cached("INSERT INTO chunks (key, data) VALUES (?1, ?2)")?;
        for (id, doc) in documents {
            let key = qalf_shared::sync::StorageKey::snapshot(id, &doc.get_heads());
            let data = doc.save_nocompress();
            sizes.push((id.to_string(), data.len() as u64));
            insert.execute(rusqlite::params![key.to_string(), data])?;
        }
    }
    tx.commit()?;
    Ok(sizes)
}

/// Every stored chunk of a document, read in one statement (so a
/// compaction running meanwhile is seen wholly or not at all).
pub fn stored_chunks(
    conn: &rusqlite::Connection,
    document: &qalf_shared::sync::DocumentId,
) -> Result<Vec<Vec<u8>>, DbError> {
    let prefix = document.to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM chunks WHERE key >= ?1 || '/' AND key < ?1 || '0' ORDER BY key",
    )?;
    let rows = stmt
        .query_map([&prefix], |r| r.get::<_, Vec<u8>>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A document as the relay stores it, loaded without the relay; `None`
/// when nothing is stored for it. A chunk that does not load is skipped
/// (the rest of the document still reads) and reported.
pub fn load_stored(
    conn: &rusqlite::Connection,
    document: &qalf_shared::sync::DocumentId,
) -> Result<Option<automerge::Automerge>, DbError> {
    let chunks = stored_chunks(conn, document)?;
    if chunks.is_empty() {
        return Ok(None);
    }
    let mut doc = qalf_shared::document::new_document();
    for chunk in chunks {
        if let Err(e) = doc.load_incremental(&chunk) {
            tracing::warn!(document = %document, error = %e, "a stored chunk did not load");
        }
    }
    Ok(Some(doc))
}

#[cfg(test)]
mod tests {
    use samod::storage::Storage;

    use super::*;

    fn key(parts: &[&str]) -> StorageKey {
        StorageKey::from_parts(parts.iter().copied()).unwrap()
    }

    #[tokio::test]
    async fn a_range_load_returns_exactly_the_keys_under_the_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::new(
            Db::open(&dir.path().join("t.db")).await.unwrap(),
            Arc::new(Limits::new(10, 10, 1 << 20, 1 << 30)),
        );
        storage
            .put(key(&["abc", "incremental", "1"]), vec![1])
            .await;
        storage.put(key(&["abc", "snapshot", "2"]), vec![2]).await;
        storage.put(key(&["abcd", "snapshot", "3"]), vec![3]).await;
        storage.put(key(&["ab", "snapshot", "4"]), vec![4]).await;
        let found = storage.load_range(key(&["abc"])).await;
        assert_eq!(found.len(), 2);
        assert_eq!(found[&key(&["abc", "snapshot", "2"])], vec![2]);
        assert_eq!(
            storage.load(key(&["abcd", "snapshot", "3"])).await,
            Some(vec![3])
        );
        storage.delete(key(&["abcd", "snapshot", "3"])).await;
        assert_eq!(storage.load(key(&["abcd", "snapshot", "3"])).await, None);
    }

    #[tokio::test]
    async fn what_was_put_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let storage = SqliteStorage::new(
                Db::open(&path).await.unwrap(),
                Arc::new(Limits::new(10, 10, 1 << 20, 1 << 30)),
            );
            storage
                .put(key(&["doc", "incremental", "h"]), vec![9; 100])
                .await;
        }
        let storage = SqliteStorage::new(
            Db::open(&path).await.unwrap(),
            Arc::new(Limits::new(10, 10, 1 << 20, 1 << 30)),
        );
        assert_eq!(
            storage.load(key(&["doc", "incremental", "h"])).await,
            Some(vec![9; 100])
        );
    }
}
