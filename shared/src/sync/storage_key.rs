//! Where document data lives in a key/value store, in the layout
//! automerge-repo and samod use: `[document, "snapshot" | "incremental" |
//! "sync-state", name]`. Keys are content addressed, so several writers (two
//! tabs, a crashed and restarted process) never overwrite each other's data.

use std::fmt;

use automerge::ChangeHash;
use sha2::{Digest, Sha256};

use super::DocumentId;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StorageKey(Vec<String>);

/// What a stored chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    /// The whole document at some heads.
    Snapshot,
    /// One change.
    Incremental,
    /// What a peer (the server) is known to hold.
    SyncState,
}

impl StorageKey {
    pub fn incremental(document: &DocumentId, change: ChangeHash) -> Self {
        StorageKey(vec![
            document.to_string(),
            "incremental".into(),
            change.to_string(),
        ])
    }

    pub fn snapshot(document: &DocumentId, heads: &[ChangeHash]) -> Self {
        StorageKey(vec![
            document.to_string(),
            "snapshot".into(),
            compaction_hash(heads),
        ])
    }

    pub fn sync_state(document: &DocumentId, storage_id: &str) -> Self {
        StorageKey(vec![
            document.to_string(),
            "sync-state".into(),
            storage_id.to_string(),
        ])
    }

    /// Rebuilds a key from its parts, as read back from storage.
    pub fn from_parts(parts: Vec<String>) -> Self {
        StorageKey(parts)
    }

    pub fn parts(&self) -> &[String] {
        &self.0
    }

    pub fn document(&self) -> Option<DocumentId> {
        self.0.first().and_then(|d| DocumentId::parse(d).ok())
    }

    pub fn kind(&self) -> Option<ChunkKind> {
        match self.0.get(1).map(String::as_str) {
            Some("snapshot") => Some(ChunkKind::Snapshot),
            Some("incremental") => Some(ChunkKind::Incremental),
            Some("sync-state") => Some(ChunkKind::SyncState),
            _ => None,
        }
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

/// SHA-256 of the heads' bytes, hex encoded: the name of a snapshot.
pub fn compaction_hash(heads: &[ChangeHash]) -> String {
    let mut hasher = Sha256::new();
    for head in heads {
        hasher.update(head.as_ref());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
