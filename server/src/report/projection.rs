//! The reports' projection (R-REP-8): whenever a record's document changes
//! in the relay's storage, its facts are extracted again (by
//! `qalf_shared::report::facts::extract`) and its rows replaced. Reports
//! read these rows; nothing is typed twice.
//!
//! Changes are collected in a set and worked through by one task, so a
//! burst of chunks for one document costs one update. The document is read
//! from storage, not from the relay's memory: what is projected is what is
//! on disk. [`reindex`] rebuilds every row from the documents alone and
//! gives the same rows.

use std::collections::BTreeSet;
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

use qalf_shared::access::RecordMeta;
use qalf_shared::org::Organisation;
use qalf_shared::report::Facts;
use qalf_shared::report::facts::extract;
use qalf_shared::sync::DocumentId;
use rusqlite::Connection;
use tokio::sync::{Notify, watch};

use super::rows;
use crate::db::DbError;
use crate::relay::load_stored;
use crate::{AppState, Inner};

/// How long to wait after a change for the rest of its burst.
const GATHER: Duration = Duration::from_millis(20);

/// Documents waiting to be projected.
pub struct Projector {
    dirty: Mutex<BTreeSet<DocumentId>>,
    wake: Notify,
    /// Documents waiting or being projected: zero when the projection has
    /// caught up with storage.
    pending: watch::Sender<usize>,
}

impl Default for Projector {
    fn default() -> Self {
        Projector {
            dirty: Mutex::new(BTreeSet::new()),
            wake: Notify::new(),
            pending: watch::Sender::new(0),
        }
    }
}

impl Projector {
    /// A document changed: project it again soon.
    pub fn mark(&self, id: &DocumentId) {
        let mut dirty = self.dirty.lock().unwrap_or_else(|e| e.into_inner());
        if dirty.insert(id.clone()) {
            self.pending.send_modify(|n| *n += 1);
        }
        drop(dirty);
        self.wake.notify_one();
    }

    fn take(&self) -> BTreeSet<DocumentId> {
        std::mem::take(&mut *self.dirty.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Waits until every change marked so far is projected.
    pub async fn settled(&self) {
        let mut pending = self.pending.subscribe();
        // An error means the projector is gone: nothing more will happen.
        let _ = pending.wait_for(|n| *n == 0).await;
    }
}

/// Works through marked documents until the server stops.
pub(crate) async fn run(state: Weak<Inner>) {
    loop {
        let projector = match state.upgrade() {
            Some(inner) => AppState { inner }.projector(),
            None => return,
        };
        projector.wake.notified().await;
        tokio::time::sleep(GATHER).await;
        let Some(inner) = state.upgrade() else { return };
        let state = AppState { inner };
        let batch = projector.take();
        for id in batch {
            if let Err(e) = project(&state, &id).await {
                // The rows stay as they were; the next change retries.
                tracing::error!(document = %id, error = %e, "projecting a record failed");
            }
            // What the server does when it sees a record change: recognise
            // good practice (R-AUDIT-10); tell a disagreement stage's
            // people and let its holder in (R-AUDIT-8); close an audit
            // whose follow-up is recorded (R-AUDIT-7); tell the auditor of
            // a completed moderation (R-MOD-2); ask for the support and
            // challenge conversations (R-AUDIT-9); share a re-audit's result
            // (R-REAUDIT-1).
            if let Err(e) = crate::audits::recognition::on_changed(&state, &id).await {
                tracing::error!(document = %id, error = %e, "recognising good practice failed");
            }
            if let Err(e) = crate::audits::disputes::on_changed(&state, &id).await {
                tracing::error!(document = %id, error = %e, "telling a disagreement's people failed");
            }
            if let Err(e) = crate::audits::follow_up::on_changed(&state, &id).await {
                tracing::error!(document = %id, error = %e, "closing an audit failed");
            }
            if let Err(e) = crate::audits::responses::on_changed(&state, &id).await {
                tracing::error!(document = %id, error = %e, "prompting the support and challenge failed");
            }
            if let Err(e) = crate::audits::reaudit_result::on_changed(&state, &id).await {
                tracing::error!(document = %id, error = %e, "sharing a re-audit's result failed");
            }
            if let Err(e) = crate::moderation::feedback::on_changed(&state, &id).await {
                tracing::error!(document = %id, error = %e, "telling the auditor of moderation failed");
            }
            projector.pending.send_modify(|n| *n = n.saturating_sub(1));
        }
    }
}

/// Projects one record now: its facts replace its rows. A document that is
/// not a registered record has none.
///
/// A document the relay has loaded (one that just changed) is read where
/// it is, which spares loading it again from storage; the relay stores a
/// change within milliseconds of applying it, and a change it had not
/// stored when the process stopped is sent again by the device that made
/// it. Any other document is read from storage.
pub async fn project(state: &AppState, id: &DocumentId) -> Result<(), DbError> {
    let Some(meta) = state.access().record(id) else {
        return Ok(());
    };
    // A note's every keystroke would otherwise cost a read and a write
    // that can only ever store nothing.
    if !qalf_shared::report::facts::has_facts(meta.kind()) {
        return Ok(());
    }
    let org = state.org();
    let loaded = {
        let (meta, org) = (meta.clone(), org.clone());
        state
            .relay()
            .with_loaded_document(id, move |doc| extract(&meta, &*doc, &org))
            .await
            .ok()
            .flatten()
    };
    state
        .db()
        .call(move |conn| match loaded {
            Some(facts) => {
                let tx = conn.transaction()?;
                rows::replace(&tx, &meta.id, &facts)?;
                tx.commit()?;
                Ok(())
            }
            None => project_with(conn, &meta, &org),
        })
        .await
}

/// Reads, extracts and writes one record's facts on one connection.
pub fn project_with(
    conn: &mut Connection,
    meta: &RecordMeta,
    org: &Organisation,
) -> Result<(), DbError> {
    let facts = facts_of(conn, meta, org)?;
    let tx = conn.transaction()?;
    rows::replace(&tx, &meta.id, &facts)?;
    tx.commit()?;
    Ok(())
}

fn facts_of(conn: &Connection, meta: &RecordMeta, org: &Organisation) -> Result<Facts, DbError> {
    Ok(match load_stored(conn, &meta.id)? {
        Some(doc) => extract(meta, &doc, org),
        None => Facts::default(),
    })
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reindexed {
    pub records: usize,
    pub with_facts: usize,
    pub took: Duration,
}

/// Rebuilds the whole projection from the stored documents, in one
/// transaction: reports read the old rows until the new ones are complete.
pub fn reindex(
    conn: &mut Connection,
    records: &[RecordMeta],
    org: &Organisation,
) -> Result<Reindexed, DbError> {
    let started = Instant::now();
    let mut with_facts = 0;
    let tx = conn.transaction()?;
    rows::clear(&tx)?;
    for meta in records {
        let facts = facts_of(&tx, meta, org)?;
        if !facts.is_empty() {
            with_facts += 1;
            rows::replace(&tx, &meta.id, &facts)?;
        }
    }
    tx.commit()?;
    Ok(Reindexed {
        records: records.len(),
        with_facts,
        took: started.elapsed(),
    })
}
