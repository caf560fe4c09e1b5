//! One samod repo serving one shard of the documents, and what it has loaded.
//!
//! samod keeps every document it has loaded in memory until the repo stops,
//! and attaches every connection to every loaded document. A hub is
//! therefore replaced (see [`super::Relay::recycle`]) to unload what it
//! holds: the old repo flushes to storage and stops, a new one starts empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use samod::{RepoEvent, RepoObserver};

use super::policy::AccessPolicy;
use super::storage::SqliteStorage;

/// The documents a hub has loaded, each with when it last synced.
#[derive(Default)]
pub struct Loaded {
    documents: Mutex<HashMap<samod::DocumentId, Instant>>,
}

impl Loaded {
    fn touch(&self, document: &samod::DocumentId) {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(document.clone(), Instant::now());
    }

    fn forget(&self, document: &samod::DocumentId) {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(document);
    }

    pub fn contains(&self, document: &samod::DocumentId) -> bool {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(document)
    }

    /// How many documents are loaded, and how many of them have not synced
    /// for `idle_after`.
    pub fn count(&self, idle_after: Duration) -> (usize, usize) {
        let documents = self.documents.lock().unwrap_or_else(|e| e.into_inner());
        let idle = documents
            .values()
            .filter(|last| last.elapsed() >= idle_after)
            .count();
        (documents.len(), idle)
    }
}

struct Observer(Arc<Loaded>);

impl RepoObserver for Observer {
    fn observe(&self, event: &RepoEvent) {
        match event {
            RepoEvent::DocumentOpened { document_id }
            | RepoEvent::SyncMessageReceived { document_id, .. }
            | RepoEvent::SyncMessageGenerated { document_id, .. } => self.0.touch(document_id),
            RepoEvent::DocumentClosed { document_id } => self.0.forget(document_id),
            _ => {}
        }
    }
}

pub struct Hub {
    pub repo: samod::Repo,
    pub acceptor: samod::AcceptorHandle,
    pub loaded: Arc<Loaded>,
    pub generation: u64,
}

impl Hub {
    pub async fn start(
        peer_id: &str,
        storage: SqliteStorage,
        policy: AccessPolicy,
        generation: u64,
    ) -> anyhow::Result<Hub> {
        let loaded = Arc::new(Loaded::default());
        let repo = samod::Repo::build_tokio()
            .with_peer_id(samod::PeerId::from(peer_id))
            .with_storage(storage)
            .with_share_policy(policy)
            .with_observer(Observer(loaded.clone()))
            .load()
            .await;
        let acceptor = repo
            .make_acceptor(samod::Url::parse("ws://qalf/sync")?)
            .map_err(|_| anyhow::anyhow!("the relay stopped while starting"))?;
        Ok(Hub {
            repo,
            acceptor,
            loaded,
            generation,
        })
    }
}
