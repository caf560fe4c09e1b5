//! The access log: every read and every change of a record, with who, which
//! document, what and when (UTC). Rows are only ever appended; each carries
//! a seal, an HMAC-SHA256 over its contents and the previous row's seal,
//! keyed with a secret kept beside the database. Editing, deleting or
//! inserting a row breaks the chain from there on, and [`verify`] says where.
//!
//! No record content is ever logged: ids, kinds, actions and counts only.

mod routes;
mod seal;
mod store;

use std::path::Path;

use chrono::{DateTime, Utc};
use qalf_shared::access::RecordMeta;
use qalf_shared::org::PersonId;
use qalf_shared::sync::DocumentId;
use tokio::sync::{mpsc, oneshot};

pub use routes::router;
pub use store::{Entry, Verification};

use crate::db::Db;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Opened or fetched a record (over the relay or HTTP).
    Read,
    /// Sent changes to a record.
    Write,
    /// Registered a new record.
    Create,
    /// Asked for a record they may not see.
    Denied,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Create => "create",
            Action::Denied => "denied",
        }
    }
}

/// One thing to log.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub person: PersonId,
    pub document: DocumentId,
    /// The record's kind, or "unregistered".
    pub record_kind: String,
    pub action: Action,
    /// Non-identifying detail: "relay", "3 changes", "http".
    pub detail: String,
}

impl Event {
    pub fn new(
        at: DateTime<Utc>,
        person: &PersonId,
        document: &DocumentId,
        meta: Option<&RecordMeta>,
        action: Action,
        detail: impl Into<String>,
    ) -> Event {
        Event {
            at,
            person: person.clone(),
            document: document.clone(),
            record_kind: meta.map_or("unregistered", |m| m.kind().code()).to_string(),
            action,
            detail: detail.into(),
        }
    }
}

enum Command {
    Log(Event),
    Flush(oneshot::Sender<()>),
}

/// The log's front door: cheap to clone, never blocks the caller. One task
/// appends, in order, in batches.
#[derive(Clone)]
pub struct AccessLog {
    commands: mpsc::UnboundedSender<Command>,
}

impl AccessLog {
    /// Opens the log's key from `secrets_dir` (making one only for a new
    /// installation, `fresh`) and starts the writer.
    pub fn start(db: Db, secrets_dir: &Path, fresh: bool) -> anyhow::Result<AccessLog> {
        let key = seal::load_key(secrets_dir, fresh)?;
        let (commands, queue) = mpsc::unbounded_channel();
        tokio::spawn(store::run_writer(db, key, queue));
        Ok(AccessLog { commands })
    }

    pub fn record(&self, event: Event) {
        if self.commands.send(Command::Log(event)).is_err() {
            tracing::error!("the access log writer has stopped");
        }
    }

    /// Waits until everything logged so far is on disk.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Flush(done)).is_ok() {
            let _written = wait.await;
        }
    }
}

/// Checks the whole chain.
pub async fn verify(db: &Db, secrets_dir: &Path) -> anyhow::Result<Verification> {
    let key = seal::load_key(secrets_dir, false)?;
    Ok(db.call(move |conn| store::verify(conn, &key)).await?)
}
