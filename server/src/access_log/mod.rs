//! The access log: every read and every change of a record or a child's
//! case, and every change of who may see a record, with who, what and when
//! (UTC). Rows are only ever appended; each carries a seal, an HMAC-SHA256
//! over its contents and the previous row's seal, keyed with a secret kept
//! outside the database. Editing, deleting or inserting a row breaks the
//! chain from there on, and [`verify`] says where; a signed checkpoint of
//! the chain's head, written beside the key after every append, shows when
//! the newest rows were cut off (which leaves every remaining seal intact).
//!
//! It fails closed: a read is served only once its row is on disk
//! ([`AccessLog::record_durably`]), and while the log cannot be written the
//! relay takes no changes. The queue to the writer is bounded (callers wait
//! when it is full), and refused requests are logged at most
//! [`REFUSALS_PER_MINUTE`] a minute per person, with a count of the rest.
//!
//! No record content is ever logged: ids, kinds, actions and counts only.

mod anchor;
mod routes;
mod seal;
mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use qalf_shared::access::RecordMeta;
use qalf_shared::org::{CaseRef, PersonId};
use qalf_shared::sync::DocumentId;
use tokio::sync::{mpsc, oneshot};

pub use routes::router;
pub use store::{CutShort, Entry, Verification};

use crate::db::Db;

/// Events waiting for the writer, at most; a caller waits beyond it.
const QUEUE: usize = 4_096;

/// Refused requests logged per person per minute; the rest are counted.
pub const REFUSALS_PER_MINUTE: u32 = 30;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Opened or fetched a record (over the relay or HTTP), or was shown a
    /// child's case.
    Read,
    /// Sent changes to a record.
    Write,
    /// Registered a new record.
    Create,
    /// Asked for a record they may not see, or a change was refused.
    Denied,
    /// Changed who may see a record.
    Access,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Create => "create",
            Action::Denied => "denied",
            Action::Access => "access",
        }
    }
}

/// One thing to log.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub person: PersonId,
    /// A record's document id, or `case:` and a case reference.
    pub subject: String,
    /// The record's kind, "case", or "unregistered".
    pub record_kind: String,
    pub action: Action,
    /// Non-identifying detail: "relay", "changes, 300 bytes", "http".
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
            subject: document.to_string(),
            record_kind: meta.map_or("unregistered", |m| m.kind().code()).to_string(),
            action,
            detail: detail.into(),
        }
    }

    /// A child's case shown outside any record (an allocation preview).
    pub fn case(
        at: DateTime<Utc>,
        person: &PersonId,
        case: &CaseRef,
        action: Action,
        detail: impl Into<String>,
    ) -> Event {
        Event {
            at,
            person: person.clone(),
            subject: format!("case:{case}"),
            record_kind: "case".into(),
            action,
            detail: detail.into(),
        }
    }
}

/// The log could not be written: what it would have allowed is refused.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the access log cannot be written")]
pub struct LogUnavailable;

enum Command {
    /// Events to append; told whether they are on disk, if anyone asks.
    Log(Vec<Event>, Option<oneshot::Sender<bool>>),
    Flush(oneshot::Sender<()>),
}

/// One person's refusals this minute.
struct Minute {
    start: DateTime<Utc>,
    logged: u32,
    skipped: u32,
}

/// Refusals logged in the current minute, per person, and those not.
#[derive(Default)]
struct Refusals {
    by_person: Mutex<HashMap<PersonId, Minute>>,
}

impl Refusals {
    /// Whether to log this refusal, with the count of those not logged in
    /// the minute before it.
    fn admit(&self, event: &mut Event) -> bool {
        let mut map = self.by_person.lock().unwrap_or_else(|e| e.into_inner());
        let minute = map.entry(event.person.clone()).or_insert(Minute {
            start: event.at,
            logged: 0,
            skipped: 0,
        });
        if event.at - minute.start >= chrono::Duration::minutes(1) {
            if minute.skipped > 0 {
                event.detail = format!(
                    "{} ({} more refused requests not logged)",
                    event.detail, minute.skipped
                );
            }
            *minute = Minute {
                start: event.at,
                logged: 0,
                skipped: 0,
            };
        }
        if minute.logged >= REFUSALS_PER_MINUTE {
            minute.skipped += 1;
            return false;
        }
        minute.logged += 1;
        true
    }
}

/// The log's front door: cheap to clone. One task appends, in order, in
/// batches.
#[derive(Clone)]
pub struct AccessLog {
    commands: mpsc::Sender<Command>,
    refusals: Arc<Refusals>,
    healthy: Arc<AtomicBool>,
}

impl AccessLog {
    /// Opens the log's key from `secrets_dir` (making one only for a new
    /// installation, `fresh`) and starts the writer, which keeps the
    /// chain's checkpoint there too.
    pub fn start(db: Db, secrets_dir: &Path, fresh: bool) -> anyhow::Result<AccessLog> {
        let key = seal::load_key(secrets_dir, fresh)?;
        let (commands, queue) = mpsc::channel(QUEUE);
        let healthy = Arc::new(AtomicBool::new(true));
        let writer = store::Writer {
            db,
            key,
            checkpoint: anchor::path(secrets_dir),
            healthy: healthy.clone(),
        };
        tokio::spawn(writer.run(queue));
        Ok(AccessLog {
            commands,
            refusals: Arc::default(),
            healthy,
        })
    }

    /// Logs reads and returns once they are on disk: only then may what
    /// they read be served.
    pub async fn record_durably(&self, events: Vec<Event>) -> Result<(), LogUnavailable> {
        if events.is_empty() {
            return Ok(());
        }
        let (done, written) = oneshot::channel();
        self.commands
            .send(Command::Log(events, Some(done)))
            .await
            .map_err(|_| LogUnavailable)?;
        match written.await {
            Ok(true) => Ok(()),
            _ => Err(LogUnavailable),
        }
    }

    /// Logs a change or a creation (waiting while the queue is full).
    pub async fn record(&self, event: Event) {
        if self
            .commands
            .send(Command::Log(vec![event], None))
            .await
            .is_err()
        {
            tracing::error!("the access log writer has stopped");
        }
    }

    /// Logs a refused request: at most [`REFUSALS_PER_MINUTE`] a minute per
    /// person, the rest counted in the next one logged. Never waits: a
    /// flood of refusals cannot hold anything up.
    pub fn record_refusal(&self, mut event: Event) {
        if !self.refusals.admit(&mut event) {
            return;
        }
        if self
            .commands
            .try_send(Command::Log(vec![event], None))
            .is_err()
        {
            tracing::warn!("the access log queue is full; a refusal went unlogged");
        }
    }

    /// Whether the last write to the log worked.
    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// Waits until everything logged so far has been tried.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Flush(done)).await.is_ok() {
            let _written = wait.await;
        }
    }
}

/// Checks the whole chain, and the newest rows against the checkpoint.
pub async fn verify(db: &Db, secrets_dir: &Path) -> anyhow::Result<Verification> {
    let key = seal::load_key(secrets_dir, false)?;
    let checkpoint = anchor::read(&anchor::path(secrets_dir), &key)?;
    Ok(db
        .call(move |conn| store::verify(conn, &key, checkpoint.as_ref()))
        .await?)
}

pub use seal::Key;

/// The log's key from the secrets folder (never made afresh here).
pub fn load_key(secrets_dir: &Path) -> anyhow::Result<Key> {
    seal::load_key(secrets_dir, false)
}

/// Checks the chain of a database opened directly (a backup), without a
/// checkpoint.
pub fn verify_connection(conn: &rusqlite::Connection, key: &Key) -> anyhow::Result<Verification> {
    Ok(store::verify(conn, key, None)?)
}

/// Writes a checkpoint for the newest row of `conn`'s log (after a restore,
/// which ends the log earlier on purpose), or removes it for an empty log.
pub fn anchor_head(
    conn: &rusqlite::Connection,
    key: &Key,
    secrets_dir: &Path,
) -> anyhow::Result<()> {
    use rusqlite::OptionalExtension;
    let head: Option<(i64, Vec<u8>, String)> = conn
        .query_row(
            "SELECT seq, seal, at FROM access_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let path = anchor::path(secrets_dir);
    match head {
        Some((seq, seal, at)) => {
            anchor::write(&path, &anchor::Checkpoint::new(key, seq, &seal, at))?
        }
        None => {
            let _none = std::fs::remove_file(&path);
        }
    }
    Ok(())
}

/// Where the checkpoint lives, for operators' documentation and tests.
pub fn checkpoint_path(secrets_dir: &Path) -> PathBuf {
    anchor::path(secrets_dir)
}
