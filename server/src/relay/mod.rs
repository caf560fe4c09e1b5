//! The sync relay: automerge-repo's protocol v1 at `/sync`, served by samod
//! with documents stored in SQLite.
//!
//! The WebSocket upgrade is authenticated with a one-time ticket (issued to
//! a signed-in session over HTTP, bound to the peer id the client will use),
//! checked against the `Origin` allowlist, and limited in frame size. Every
//! frame passes the [`gate`] on its way in; every document is shared per
//! peer by the [`policy`], which follows the access rules as they change.
//! Documents are never announced: a client asks for what it needs.

mod connections;
mod gate;
mod limits;
mod policy;
mod routes;
mod storage;
mod ticket;

use std::sync::Arc;

use samod::Repo;

pub use self::connections::Connections;
pub use self::gate::GateContext;
pub use self::limits::Limits;
pub use self::routes::router;
pub use self::ticket::Tickets;
use crate::access::AccessState;
use crate::db::Db;

/// The relay's own peer id.
pub const RELAY_PEER_ID: &str = "qalf-relay";

/// Largest frame a client may send (a whole document's first sync fits).
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

pub struct Relay {
    repo: Repo,
    acceptor: samod::AcceptorHandle,
    limits: Arc<Limits>,
}

impl Relay {
    pub async fn start(
        db: Db,
        access: Arc<AccessState>,
        limits: Arc<Limits>,
    ) -> anyhow::Result<Relay> {
        let repo = Repo::build_tokio()
            .with_peer_id(samod::PeerId::from(RELAY_PEER_ID))
            .with_storage(storage::SqliteStorage::new(db, limits.clone()))
            .with_share_policy(policy::AccessPolicy::new(access))
            .load()
            .await;
        let acceptor = repo
            .make_acceptor(samod::Url::parse("ws://qalf/sync")?)
            .map_err(|_| anyhow::anyhow!("the relay stopped while starting"))?;
        Ok(Relay {
            repo,
            acceptor,
            limits,
        })
    }

    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    pub fn acceptor(&self) -> &samod::AcceptorHandle {
        &self.acceptor
    }

    /// Flushes storage and stops.
    pub async fn stop(&self) {
        self.repo.stop().await;
    }
}
