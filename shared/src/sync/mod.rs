//! Sync with the relay over automerge-repo's protocol: ids, messages, storage
//! keys, presence and the client state machine. No I/O here; `app/` adapts
//! it to the browser's WebSocket and IndexedDB.

pub mod canonical;
mod client;
mod document_id;
pub mod message;
mod peer_id;
pub mod presence;
mod storage_key;

pub use client::{Availability, Client, ClientError, DocStatus, Effect, Registration, Write};
pub use document_id::{BadDocumentId, DocumentId};
pub use message::Message;
pub use peer_id::{BadPeerId, PeerId};
pub use presence::Presence;
pub use storage_key::{ChunkKind, StorageKey, compaction_hash};
