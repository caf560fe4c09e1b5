//! The sync relay: automerge-repo's protocol v1 at `/sync`, served by samod
//! with documents stored in SQLite.
//!
//! The WebSocket upgrade is authenticated with a one-time ticket (issued to
//! a signed-in session over HTTP, bound to the peer id the client will use),
//! checked against the `Origin` allowlist, and limited in frame size. Every
//! frame passes the [`gate`] on its way in; every document is shared per
//! peer by the [`policy`], which follows the access rules as they change.
//! Documents are never announced: a client asks for what it needs.
//!
//! Documents are split across shards, each a samod repo of its own (a
//! [`hub`]), and each client connection reaches only the shards holding
//! documents it asked for, through the [`mux`], which answers the
//! handshake itself. samod attaches every
//! connection to every document its repo has loaded, so without shards the
//! cost of a connection grows with everything anyone has opened. A shard
//! whose documents have all gone idle is replaced by an empty one, which is
//! how documents are unloaded from memory (samod keeps them until its repo
//! stops).

mod connections;
pub mod durable;
mod gate;
mod hub;
mod limits;
mod mux;
mod policy;
pub mod rights;
mod routes;
mod storage;
mod ticket;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use automerge::Automerge;
use qalf_shared::sync::{DocumentId, StorageKey};
use tokio::sync::RwLock;

pub use self::connections::Connections;
pub use self::gate::GateContext;
use self::hub::Hub;
pub use self::limits::Limits;
pub use self::routes::{router, ticket_in};
pub use self::storage::{OnChange, insert_new, load_stored};
pub use self::ticket::Tickets;
use crate::access::AccessState;
use crate::db::Db;

/// The relay's own peer id.
pub const RELAY_PEER_ID: &str = "qalf-relay";

/// Largest frame a client may send (a whole document's first sync fits).
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// How the relay spreads and unloads documents.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// Document shards (each its own samod repo).
    pub shards: usize,
    /// A shard with no connections whose documents have all been idle this
    /// long is emptied.
    pub unload_after: Duration,
    /// A shard holding more documents than this, half of them idle, is
    /// emptied even with connections (they reconnect at once).
    pub max_loaded_per_shard: usize,
    /// How often the shards are checked.
    pub check_every: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        RelaySettings {
            shards: 16,
            unload_after: Duration::from_secs(15 * 60),
            max_loaded_per_shard: 2_000,
            check_every: Duration::from_secs(30),
        }
    }
}

/// The relay is stopping: no more documents are served.
#[derive(Debug, thiserror::Error)]
#[error("the relay is stopping")]
pub struct Stopped;

/// Commits `tx` as the server's own change at `at` (shown as QALF's in a
/// record's history, never as a person's).
pub fn commit_as_server(tx: automerge::transaction::Transaction<'_>, at: i64) {
    tx.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("by:qalf-server")
            .with_time(at),
    );
}

/// What one shard holds now, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardStats {
    pub loaded: usize,
    pub idle: usize,
    pub connections: usize,
    pub generation: u64,
}

#[derive(Clone)]
pub struct Relay {
    inner: Arc<Inner>,
}

struct Inner {
    /// The id samod keeps in storage, given to clients in the handshake.
    storage_id: String,
    shards: Vec<RwLock<Arc<Hub>>>,
    storage: storage::SqliteStorage,
    policy: policy::AccessPolicy,
    limits: Arc<Limits>,
    settings: RelaySettings,
    generations: AtomicU64,
    /// Which changes sockets wait to see on disk (R-REL-1).
    durable: Arc<durable::Durable>,
}

impl Relay {
    pub async fn start(
        db: Db,
        access: Arc<AccessState>,
        limits: Arc<Limits>,
        settings: RelaySettings,
        on_change: OnChange,
    ) -> anyhow::Result<Relay> {
        let durable = Arc::new(durable::Durable::default());
        let storage = storage::SqliteStorage::new(db, limits.clone())
            .with_on_change(on_change)
            .with_durable(durable.clone());
        let policy = policy::AccessPolicy::new(access);
        let mut shards = Vec::with_capacity(settings.shards.max(1));
        for _ in 0..settings.shards.max(1) {
            // The first makes the storage id if there is none; the rest read it.
            let hub = Hub::start(RELAY_PEER_ID, storage.clone(), policy.clone(), 1).await?;
            shards.push(RwLock::new(Arc::new(hub)));
        }
        let storage_id = {
            use samod::storage::Storage;
            let key = samod::storage::StorageKey::from_parts(["storage-adapter-id"])
                .map_err(|e| anyhow::anyhow!("bad storage key: {e}"))?;
            let bytes = storage
                .load(key)
                .await
                .ok_or_else(|| anyhow::anyhow!("samod did not store its storage id"))?;
            String::from_utf8(bytes)?
        };
        let relay = Relay {
            inner: Arc::new(Inner {
                storage_id,
                shards,
                storage,
                policy,
                limits,
                settings,
                generations: AtomicU64::new(1),
                durable,
            }),
        };
        tokio::spawn(unload_idle(Arc::downgrade(&relay.inner)));
        Ok(relay)
    }

    pub fn durable(&self) -> &Arc<durable::Durable> {
        &self.inner.durable
    }

    pub fn limits(&self) -> &Arc<Limits> {
        &self.inner.limits
    }

    pub fn settings(&self) -> &RelaySettings {
        &self.inner.settings
    }

    /// The shard a document lives in. Document ids are random, so their
    /// first bytes spread documents evenly.
    pub fn shard_of(&self, document: &DocumentId) -> usize {
        let mut first = [0u8; 8];
        first.copy_from_slice(&document.as_bytes()[..8]);
        (u64::from_le_bytes(first) % self.inner.shards.len() as u64) as usize
    }

    fn storage_id(&self) -> &str {
        &self.inner.storage_id
    }

    async fn hub(&self, shard: usize) -> Arc<Hub> {
        self.inner.shards[shard].read().await.clone()
    }

    /// Runs `f` on the relay's copy of a document (loading it if need be);
    /// `None` when the relay has no such document. Edits made in `f` reach
    /// storage and connected peers; the shard is not replaced meanwhile.
    pub async fn with_document<R>(
        &self,
        document: &DocumentId,
        f: impl FnOnce(&mut Automerge) -> R,
    ) -> Result<Option<R>, Stopped> {
        let samod_id: samod::DocumentId = document.to_string().parse().map_err(|_| Stopped)?;
        let hub = self.inner.shards[self.shard_of(document)].read().await;
        let Some(handle) = hub.repo.find(samod_id).await.map_err(|_| Stopped)? else {
            return Ok(None);
        };
        Ok(Some(handle.with_document(f)))
    }

    /// Runs `f` on the relay's copy of a document only if it is loaded now
    /// (never loading one for it); `None` otherwise.
    pub async fn with_loaded_document<R>(
        &self,
        document: &DocumentId,
        f: impl FnOnce(&mut Automerge) -> R,
    ) -> Result<Option<R>, Stopped> {
        let samod_id: samod::DocumentId = document.to_string().parse().map_err(|_| Stopped)?;
        let hub = self.inner.shards[self.shard_of(document)].read().await;
        if !hub.loaded.contains(&samod_id) {
            return Ok(None);
        }
        let Some(handle) = hub.repo.find(samod_id).await.map_err(|_| Stopped)? else {
            return Ok(None);
        };
        Ok(Some(handle.with_document(f)))
    }

    /// Stores a new document made on the server and returns its id. It is
    /// written straight to storage, so whichever shard the id falls in
    /// loads it when it is first asked for.
    pub async fn create(&self, doc: Automerge) -> anyhow::Result<DocumentId> {
        use samod::storage::Storage;
        let id = DocumentId::from_bytes(rand::random());
        let key = StorageKey::snapshot(&id, &doc.get_heads());
        let key = samod::storage::StorageKey::from_parts(key.parts().iter().cloned())
            .map_err(|e| anyhow::anyhow!("bad storage key: {e}"))?;
        self.inner.storage.put(key, doc.save()).await;
        Ok(id)
    }

    /// Replaces a shard with an empty one: the old repo writes everything
    /// out and stops, closing its connections; clients reconnect and load
    /// only what they still have open.
    pub async fn recycle(&self, shard: usize) -> anyhow::Result<()> {
        let generation = self.inner.generations.fetch_add(1, Ordering::Relaxed) + 1;
        let fresh = Hub::start(
            RELAY_PEER_ID,
            self.inner.storage.clone(),
            self.inner.policy.clone(),
            generation,
        )
        .await?;
        // Waits for server-side edits in flight (`with_document`).
        let old = {
            let mut current = self.inner.shards[shard].write().await;
            std::mem::replace(&mut *current, Arc::new(fresh))
        };
        old.repo.stop().await;
        tracing::info!(shard, generation, "relay shard emptied");
        Ok(())
    }

    /// What each shard holds now.
    pub async fn stats(&self) -> Vec<ShardStats> {
        let mut out = Vec::with_capacity(self.inner.shards.len());
        for shard in 0..self.inner.shards.len() {
            let hub = self.hub(shard).await;
            let (loaded, idle) = hub.loaded.count(self.inner.settings.unload_after);
            out.push(ShardStats {
                loaded,
                idle,
                connections: hub.acceptor.connection_count(),
                generation: hub.generation,
            });
        }
        out
    }

    /// Empties every shard (after seeding, say, so nothing stays loaded).
    pub async fn recycle_all(&self) -> anyhow::Result<()> {
        for shard in 0..self.inner.shards.len() {
            self.recycle(shard).await?;
        }
        Ok(())
    }

    /// Flushes storage and stops.
    pub async fn stop(&self) {
        for shard in &self.inner.shards {
            let hub = shard.read().await.clone();
            hub.repo.stop().await;
        }
    }
}

/// Empties shards whose documents have gone idle (see [`RelaySettings`]).
async fn unload_idle(relay: std::sync::Weak<Inner>) {
    loop {
        let every = match relay.upgrade() {
            Some(inner) => inner.settings.check_every,
            None => return,
        };
        tokio::time::sleep(every).await;
        let Some(inner) = relay.upgrade() else { return };
        let relay = Relay { inner };
        let settings = relay.settings().clone();
        for (shard, s) in relay.stats().await.into_iter().enumerate() {
            if should_empty(&s, &settings)
                && let Err(e) = relay.recycle(shard).await
            {
                tracing::error!(shard, error = %e, "could not empty a relay shard");
            }
        }
    }
}

/// Whether to empty a shard now: quietly, when everything it holds is idle
/// and no one is connected to it; or, to bound memory, when it holds too
/// many documents and at least half are idle (connected clients reconnect).
pub fn should_empty(s: &ShardStats, settings: &RelaySettings) -> bool {
    let quiet = s.loaded > 0 && s.idle == s.loaded && s.connections == 0;
    let crowded = s.loaded > settings.max_loaded_per_shard && s.idle * 2 >= s.loaded;
    quiet || crowded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(loaded: usize, idle: usize, connections: usize) -> ShardStats {
        ShardStats {
            loaded,
            idle,
            connections,
            generation: 1,
        }
    }

    #[test]
    fn a_shard_is_emptied_when_quiet_or_crowded_with_idle_documents() {
        let settings = RelaySettings {
            max_loaded_per_shard: 10,
            ..Default::default()
        };
        // Quiet: all idle, nobody connected.
        assert!(should_empty(&shard(3, 3, 0), &settings));
        // Someone is connected, or something is in use: keep it.
        assert!(!should_empty(&shard(3, 3, 1), &settings));
        assert!(!should_empty(&shard(3, 2, 0), &settings));
        // Nothing loaded: nothing to do.
        assert!(!should_empty(&shard(0, 0, 0), &settings));
        // Crowded: over the limit with half idle, even with connections.
        assert!(should_empty(&shard(11, 6, 5), &settings));
        assert!(!should_empty(&shard(11, 5, 5), &settings));
        assert!(!should_empty(&shard(10, 10, 5), &settings));
    }
}
