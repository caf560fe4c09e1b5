//! Acknowledge only what is on disk (R-REL-1).
//!
//! A device counts its changes "synced" once the relay's sync messages
//! show heads that include them. samod sends those messages as soon as it
//! has applied the changes in memory and writes them to storage a moment
//! later, so a relay killed in between had said "synced" for changes it
//! then lost (the crash loop found acknowledged changes missing after
//! `kill -9`). The barrier closes that window: the gate notes the changes a
//! device sends that are new to the relay, the storage notes each change
//! once its write has committed, and the device's socket holds back the
//! relay's next messages about that document until every change it sent is
//! on disk. Other devices see the changes as fast as before; only the
//! sender's confirmation waits for the disk.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use automerge::ChangeHash;
use qalf_shared::sync::DocumentId;
use tokio::sync::Notify;

/// How long a device's messages may wait for the disk before its socket
/// is closed instead (it reconnects and sends again): storage that slow
/// is failing, and a confirmation must never be given falsely.
pub const WAIT_AT_MOST: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct Durable {
    docs: Mutex<HashMap<DocumentId, Awaited>>,
}

#[derive(Default)]
struct Awaited {
    /// Changes some socket waits for, with how many sockets wait.
    waiting: HashMap<ChangeHash, usize>,
    /// Of those, the ones now on disk.
    stored: HashSet<ChangeHash>,
    written: Arc<Notify>,
}

impl Durable {
    /// A socket will wait for these changes, new to the relay, to be
    /// written. Called before they reach samod, so no write is missed.
    pub fn expect(&self, document: &DocumentId, changes: &[ChangeHash]) {
        if changes.is_empty() {
            return;
        }
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        let awaited = docs.entry(document.clone()).or_default();
        for change in changes {
            *awaited.waiting.entry(*change).or_default() += 1;
        }
    }

    /// Whether anyone waits for changes of `document` (so a snapshot is
    /// worth reading for its changes).
    pub fn awaits(&self, document: &DocumentId) -> bool {
        self.docs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(document)
            .is_some_and(|a| a.stored.len() < a.waiting.len())
    }

    /// These changes of `document` are on disk.
    pub fn written(&self, document: &DocumentId, changes: impl IntoIterator<Item = ChangeHash>) {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        let Some(awaited) = docs.get_mut(document) else {
            return;
        };
        let mut any = false;
        for change in changes {
            if awaited.waiting.contains_key(&change) {
                any |= awaited.stored.insert(change);
            }
        }
        if any {
            awaited.written.notify_waiters();
        }
    }

    /// Waits until every one of `changes` is on disk, then lets them go.
    /// False if that took longer than `at_most`.
    pub async fn wait(
        &self,
        document: &DocumentId,
        changes: &[ChangeHash],
        at_most: Duration,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + at_most;
        let on_disk = loop {
            let written = {
                let docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
                let Some(awaited) = docs.get(document) else {
                    break true;
                };
                if changes.iter().all(|c| awaited.stored.contains(c)) {
                    break true;
                }
                awaited.written.clone()
            };
            let notified = written.notified();
            tokio::pin!(notified);
            // Registered before looking again: a write in between is seen.
            notified.as_mut().enable();
            let all_there = {
                let docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
                docs.get(document)
                    .is_none_or(|a| changes.iter().all(|c| a.stored.contains(c)))
            };
            if all_there {
                break true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                break false;
            }
        };
        self.release(document, changes);
        on_disk
    }

    /// Stops waiting for these changes (a socket that closed first).
    pub fn release(&self, document: &DocumentId, changes: &[ChangeHash]) {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        let Some(awaited) = docs.get_mut(document) else {
            return;
        };
        for change in changes {
            if let Some(count) = awaited.waiting.get_mut(change) {
                *count -= 1;
                if *count == 0 {
                    awaited.waiting.remove(change);
                    awaited.stored.remove(change);
                }
            }
        }
        if awaited.waiting.is_empty() {
            docs.remove(document);
        }
    }
}

/// The changes a stored chunk holds: an incremental chunk is named by its
/// change's hash; a snapshot (a compaction) is read for its changes.
pub fn changes_in_chunk(parts: &[String], data: &[u8]) -> Vec<ChangeHash> {
    match parts {
        [_, kind, hash] if kind == "incremental" => {
            hash.parse::<ChangeHash>().into_iter().collect()
        }
        [_, kind, _] if kind == "snapshot" => automerge::Automerge::load(data)
            .map(|doc| doc.get_changes(&[]).iter().map(|c| c.hash()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: u8) -> ChangeHash {
        ChangeHash([n; 32])
    }

    #[tokio::test]
    async fn a_wait_ends_when_every_change_is_written_and_not_before() {
        let durable = Arc::new(Durable::default());
        let doc = DocumentId::from_bytes([1; 16]);
        durable.expect(&doc, &[hash(1), hash(2)]);
        let waiting = {
            let (durable, doc) = (durable.clone(), doc.clone());
            tokio::spawn(async move {
                durable
                    .wait(&doc, &[hash(1), hash(2)], Duration::from_secs(5))
                    .await
            })
        };
        durable.written(&doc, [hash(1)]);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "one change is still only in memory");
        durable.written(&doc, [hash(2), hash(3)]);
        assert!(waiting.await.unwrap());
        assert!(!durable.awaits(&doc), "nothing is kept once released");
    }

    #[tokio::test]
    async fn a_write_that_never_comes_ends_the_wait_as_not_on_disk() {
        let durable = Durable::default();
        let doc = DocumentId::from_bytes([2; 16]);
        durable.expect(&doc, &[hash(9)]);
        assert!(
            !durable
                .wait(&doc, &[hash(9)], Duration::from_millis(50))
                .await
        );
    }

    #[test]
    fn an_incremental_chunk_is_named_by_its_change() {
        let h = hash(7);
        let parts = vec!["doc".to_string(), "incremental".into(), h.to_string()];
        assert_eq!(changes_in_chunk(&parts, &[]), vec![h]);
    }
}
