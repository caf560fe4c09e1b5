//! The client half of automerge-repo's protocol, as a state machine with no
//! I/O: events in, effects out.
//!
//! The [`Client`] owns the documents open on this device and, for each, its
//! sync state with the server and what is saved locally. The browser adapter
//! feeds it socket events and storage results and carries out the
//! [`Effect`]s (send a frame, write chunks, re-render). Native tests drive it
//! with an in-memory network.
//!
//! Invariants:
//! - A document's changes are written to local storage (an [`Effect::Write`])
//!   before anything reports them saved; the adapter confirms with
//!   [`Client::stored`].
//! - "Synced" means the server has told us heads that include every change we
//!   have ([`DocStatus::synced`]); sending a change is not enough.
//! - What the server holds is kept per document in a `sync-state` chunk, so
//!   the count of waiting changes survives a reload while offline.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::CommitOptions;
use automerge::{AutoCommit, Automerge, ChangeHash};

use super::message::{Message, PROTOCOL_VERSION, PeerMetadata};
use super::presence::{PRESENCE_HEARTBEAT_MS, PRESENCE_TTL_MS, Presence};
use super::storage_key::{ChunkKind, StorageKey};
use super::{DocumentId, PeerId};
use crate::document::TEXT_ENCODING;

/// Incremental chunks on disk before they are folded into one snapshot.
const COMPACT_AFTER: usize = 32;

/// Something the adapter must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send this frame to the server.
    Send(Vec<u8>),
    /// Write these chunks (and delete these keys) in one transaction, then
    /// call [`Client::stored`] with `heads`.
    Write(Write),
    /// The document's content changed because of a peer: re-render it.
    Changed(DocumentId),
    /// The document's save or sync status changed.
    Status(DocumentId),
    /// The server does not have the document or will not share it with us.
    Unavailable(DocumentId),
    /// Who is present in the document changed.
    PresenceChanged(DocumentId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub document: DocumentId,
    pub puts: Vec<(StorageKey, Vec<u8>)>,
    pub deletes: Vec<StorageKey>,
    /// The document heads this write makes durable, if it holds changes.
    pub heads: Option<Vec<ChangeHash>>,
}

/// Where a document stands, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocStatus {
    /// Every change is in local storage.
    pub saved: bool,
    /// The server has confirmed it holds every change we have.
    pub synced: bool,
    /// Changes we have that the server is not known to hold.
    pub waiting: usize,
    pub availability: Availability,
    pub registration: Registration,
}

/// Whether the server has accepted this device's registration of a record
/// it made. Until it has, nothing of the record leaves the device: an id
/// someone else registered first must not bring them its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Registered (or not made here: the server gave it to us).
    Accepted,
    /// Made here; the server has not accepted its registration yet.
    Waiting,
    /// The server refused the registration: the record stays on this
    /// device and is never sent.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// We have the document.
    Ready,
    /// Asked the server; no answer yet.
    Requesting,
    /// The server does not have it or will not share it.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("document {0} is not open")]
    NotOpen(DocumentId),
    #[error("stored document data is corrupt: {0}")]
    Corrupt(String),
    #[error("document change failed: {0}")]
    Change(String),
    #[error("protocol error: {0}")]
    Protocol(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Link {
    Offline,
    /// Socket open, `join` sent, waiting for `peer`.
    Joining,
    Online {
        server: PeerId,
        /// The server's storage id: sync state is kept per server store.
        store: String,
    },
}

/// Who made the edits not yet committed, and when they started.
struct Pending {
    author: String,
    time_secs: i64,
}

struct Entry {
    /// The document; edits since the last commit are applied but pending.
    doc: AutoCommit,
    pending: Option<Pending>,
    /// Status as of the last commit or sync event (reading it needs no
    /// mutable access, so the UI can ask at any time).
    status: DocStatus,
    sync: sync::State,
    /// Heads the server is known to hold.
    server_heads: Vec<ChangeHash>,
    /// Heads durable in local storage.
    saved_heads: Vec<ChangeHash>,
    /// Heads included in writes already handed to the adapter.
    written_heads: Vec<ChangeHash>,
    /// Keys we loaded or wrote: the only ones compaction may delete.
    on_disk: BTreeSet<StorageKey>,
    availability: Availability,
    registration: Registration,
    presence: BTreeMap<PeerId, (Presence, u64)>,
    /// What we last said about ourselves here, to repeat as a heartbeat.
    my_presence: Option<(Presence, u64)>,
}

impl Entry {
    fn new(doc: AutoCommit, availability: Availability) -> Self {
        Entry {
            doc,
            pending: None,
            status: DocStatus {
                saved: false,
                synced: false,
                waiting: 0,
                availability,
                registration: Registration::Accepted,
            },
            sync: sync::State::new(),
            server_heads: Vec::new(),
            saved_heads: Vec::new(),
            written_heads: Vec::new(),
            on_disk: BTreeSet::new(),
            availability,
            registration: Registration::Accepted,
            presence: BTreeMap::new(),
            my_presence: None,
        }
    }

    /// Commits pending edits with their author and time. Everything that
    /// reads heads or changes calls this first: the document would otherwise
    /// commit them itself, anonymously.
    fn commit_pending(&mut self) -> bool {
        match self.pending.take() {
            Some(p) => {
                self.doc.commit_with(
                    CommitOptions::default()
                        .with_message(format!("by:{}", p.author))
                        .with_time(p.time_secs),
                );
                true
            }
            None => false,
        }
    }

    /// Our changes the server is not known to hold.
    fn waiting(&mut self) -> usize {
        let known: Vec<ChangeHash> = self
            .server_heads
            .iter()
            .copied()
            .filter(|h| self.doc.get_change_by_hash(h).is_some())
            .collect();
        let missing = self.server_heads.len() - known.len();
        let changes = self.doc.get_changes(&known);
        if missing == 0 {
            changes.len()
        } else {
            // The server has changes we have not received yet; count ours
            // that are not among the heads we know of.
            changes
                .iter()
                .filter(|c| !self.server_heads.contains(&c.hash()))
                .count()
        }
    }

    /// Recomputes the status after a commit or a sync event. With edits
    /// pending, the document is simply not saved yet.
    fn refresh_status(&mut self) {
        if self.pending.is_some() {
            self.status.saved = false;
            return;
        }
        let waiting = self.waiting();
        let heads = self.doc.get_heads();
        self.status = DocStatus {
            saved: self.saved_heads == heads,
            synced: waiting == 0 && self.availability == Availability::Ready,
            waiting,
            availability: self.availability,
            registration: self.registration,
        };
    }
}

pub struct Client {
    me: PeerId,
    /// This device's store, announced in the handshake.
    storage_id: String,
    /// Ephemeral session id (one per page load) and message counter.
    session: String,
    count: u64,
    link: Link,
    docs: BTreeMap<DocumentId, Entry>,
}

impl Client {
    pub fn new(me: PeerId, storage_id: String, session: String) -> Self {
        Client {
            me,
            storage_id,
            session,
            count: 0,
            link: Link::Offline,
            docs: BTreeMap::new(),
        }
    }

    pub fn peer_id(&self) -> &PeerId {
        &self.me
    }

    pub fn is_online(&self) -> bool {
        matches!(self.link, Link::Online { .. })
    }

    /// A document to read (it implements `ReadDoc`), pending edits included.
    pub fn doc(&self, id: &DocumentId) -> Option<&AutoCommit> {
        self.docs.get(id).map(|e| &e.doc)
    }

    /// Fixes the actor this device writes a document's changes as. A
    /// browser keeps automerge's random actor, new on every load; a
    /// deterministic simulation fixes one per device and restart so that a
    /// seed replays the same changes, hashes and frames.
    pub fn set_actor(&mut self, id: &DocumentId, actor: automerge::ActorId) {
        if let Some(entry) = self.docs.get_mut(id) {
            entry.doc.set_actor(actor);
        }
    }

    pub fn documents(&self) -> impl Iterator<Item = &DocumentId> {
        self.docs.keys()
    }

    pub fn status(&self, id: &DocumentId) -> Option<DocStatus> {
        self.docs.get(id).map(|e| e.status.clone())
    }

    /// Changes waiting for the server across every open document.
    pub fn total_waiting(&self) -> usize {
        self.docs.values().map(|e| e.status.waiting).sum()
    }

    /// Everyone else present in a document, with the field they are in.
    pub fn presence(&self, id: &DocumentId) -> Vec<Presence> {
        self.docs
            .get(id)
            .map(|e| e.presence.values().map(|(p, _)| p.clone()).collect())
            .unwrap_or_default()
    }

    // ---- documents -------------------------------------------------------

    /// Opens a document from the chunks local storage holds for it.
    pub fn load(
        &mut self,
        id: DocumentId,
        chunks: Vec<(StorageKey, Vec<u8>)>,
    ) -> Result<Vec<Effect>, ClientError> {
        let mut doc = AutoCommit::new_with_encoding(TEXT_ENCODING);
        let mut on_disk = BTreeSet::new();
        let mut server_heads = Vec::new();
        // Snapshots first, then changes: loading is idempotent either way, but
        // this is the cheap order.
        let mut sorted = chunks;
        sorted.sort_by_key(|(k, _)| k.kind() != Some(ChunkKind::Snapshot));
        let mut damaged = None;
        for (key, bytes) in sorted {
            match key.kind() {
                Some(ChunkKind::Snapshot) | Some(ChunkKind::Incremental) => {
                    // A chunk damaged on disk is skipped, not fatal: every
                    // other edit kept on this device still opens, and the
                    // server fills in what that chunk held.
                    match doc.load_incremental(&bytes) {
                        Ok(_) => {
                            on_disk.insert(key);
                        }
                        Err(e) => damaged = Some(format!("{key}: {e}")),
                    }
                }
                Some(ChunkKind::SyncState) => {
                    if let Ok(state) = sync::State::decode(&bytes) {
                        server_heads = state.shared_heads;
                    }
                }
                None => {}
            }
        }
        let heads = doc.get_heads();
        if let (Some(why), true) = (damaged, heads.is_empty()) {
            // Nothing readable at all: the caller asks the server instead.
            return Err(ClientError::Corrupt(why));
        }
        let availability = if heads.is_empty() {
            Availability::Requesting
        } else {
            Availability::Ready
        };
        let mut entry = Entry::new(doc, availability);
        entry.saved_heads = heads.clone();
        entry.written_heads = heads;
        entry.on_disk = on_disk;
        entry.server_heads = server_heads;
        entry.refresh_status();
        self.docs.insert(id.clone(), entry);
        let mut out = vec![Effect::Status(id.clone())];
        self.sync_doc(&id, &mut out);
        Ok(out)
    }

    /// Adds a document made on this device. It is kept here until the
    /// server accepts its registration ([`registration_accepted`](Self::registration_accepted)).
    pub fn create(&mut self, id: DocumentId, doc: Automerge) -> Vec<Effect> {
        let doc = AutoCommit::load_with_options(&doc.save(), crate::document::load_options())
            .expect("a document saved in memory loads");
        let mut entry = Entry::new(doc, Availability::Ready);
        entry.registration = Registration::Waiting;
        self.docs.insert(id.clone(), entry);
        let mut out = Vec::new();
        self.persist(&id, &mut out);
        self.refresh(&id, &mut out);
        out
    }

    /// A document loaded from storage whose registration the server has
    /// not accepted yet (made here offline, or in another tab): kept here.
    pub fn hold_until_registered(&mut self, id: &DocumentId) -> Vec<Effect> {
        self.set_registration(id, Registration::Waiting)
    }

    /// The server accepted the registration: the document may sync.
    pub fn registration_accepted(&mut self, id: &DocumentId) -> Vec<Effect> {
        let mut out = self.set_registration(id, Registration::Accepted);
        out.extend(self.resync(id));
        out
    }

    /// The server refused the registration (the id is someone else's):
    /// the document stays on this device and is never sent.
    pub fn registration_refused(&mut self, id: &DocumentId) -> Vec<Effect> {
        self.set_registration(id, Registration::Refused)
    }

    fn set_registration(&mut self, id: &DocumentId, registration: Registration) -> Vec<Effect> {
        let mut out = Vec::new();
        if let Some(entry) = self.docs.get_mut(id) {
            entry.registration = registration;
            self.refresh(id, &mut out);
        }
        out
    }

    /// Asks the server for a document this device does not have.
    pub fn request(&mut self, id: DocumentId) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.docs.contains_key(&id) {
            return out;
        }
        self.docs.insert(
            id.clone(),
            Entry::new(
                AutoCommit::new_with_encoding(TEXT_ENCODING),
                Availability::Requesting,
            ),
        );
        self.refresh(&id, &mut out);
        self.sync_doc(&id, &mut out);
        out
    }

    /// Starts a document's sync afresh: after the server accepted its
    /// registration, or after access to it was granted.
    pub fn resync(&mut self, id: &DocumentId) -> Vec<Effect> {
        let mut out = Vec::new();
        let Some(entry) = self.docs.get_mut(id) else {
            return out;
        };
        entry.sync = sync::State::new();
        if entry.availability == Availability::Unavailable {
            entry.availability = Availability::Requesting;
        }
        self.refresh(id, &mut out);
        self.sync_doc(id, &mut out);
        out
    }

    /// Closes a document (e.g. at sign-out). Its data stays in storage.
    pub fn close(&mut self, id: &DocumentId) {
        self.docs.remove(id);
    }

    /// Applies an edit now, committing it later ([`commit`](Self::commit)):
    /// keystrokes land in the document at once (so what is on screen is the
    /// document) but become one change per pause in typing, not one per key.
    pub fn edit<T, E: std::fmt::Display>(
        &mut self,
        id: &DocumentId,
        author: &str,
        time_secs: i64,
        edit: impl FnOnce(&mut AutoCommit) -> Result<T, E>,
    ) -> Result<(T, Vec<Effect>), ClientError> {
        let entry = self
            .docs
            .get_mut(id)
            .ok_or_else(|| ClientError::NotOpen(id.clone()))?;
        if entry.pending.as_ref().is_some_and(|p| p.author != author) {
            entry.commit_pending();
        }
        let value = edit(&mut entry.doc).map_err(|e| ClientError::Change(e.to_string()))?;
        if entry.pending.is_none() {
            entry.pending = Some(Pending {
                author: author.to_string(),
                time_secs,
            });
        }
        if entry.availability == Availability::Requesting {
            entry.availability = Availability::Ready;
        }
        entry.status.saved = false;
        Ok((value, vec![Effect::Status(id.clone())]))
    }

    /// Commits a document's pending edits as one change, saves and sends it.
    pub fn commit(&mut self, id: &DocumentId) -> Vec<Effect> {
        let mut out = Vec::new();
        let committed = self
            .docs
            .get_mut(id)
            .is_some_and(|entry| entry.commit_pending());
        if committed {
            self.persist(id, &mut out);
            self.refresh(id, &mut out);
            self.sync_doc(id, &mut out);
        }
        out
    }

    /// Commits every document's pending edits (before the page goes away).
    pub fn commit_all(&mut self) -> Vec<Effect> {
        let ids: Vec<DocumentId> = self.docs.keys().cloned().collect();
        ids.iter().flat_map(|id| self.commit(id)).collect()
    }

    /// An edit committed at once: [`edit`](Self::edit) then [`commit`](Self::commit).
    pub fn change<T, E: std::fmt::Display>(
        &mut self,
        id: &DocumentId,
        author: &str,
        time_secs: i64,
        edit: impl FnOnce(&mut AutoCommit) -> Result<T, E>,
    ) -> Result<(T, Vec<Effect>), ClientError> {
        let (value, mut out) = self.edit(id, author, time_secs, edit)?;
        out.extend(self.commit(id));
        Ok((value, out))
    }

    fn refresh(&mut self, id: &DocumentId, out: &mut Vec<Effect>) {
        if let Some(entry) = self.docs.get_mut(id) {
            entry.refresh_status();
            out.push(Effect::Status(id.clone()));
        }
    }

    /// Merges chunks another tab wrote for a document we have open.
    pub fn merge_from_storage(
        &mut self,
        id: &DocumentId,
        chunks: Vec<(StorageKey, Vec<u8>)>,
    ) -> Result<Vec<Effect>, ClientError> {
        let entry = self
            .docs
            .get_mut(id)
            .ok_or_else(|| ClientError::NotOpen(id.clone()))?;
        let committed = entry.commit_pending();
        let before = entry.doc.get_heads();
        for (key, bytes) in chunks {
            if matches!(
                key.kind(),
                Some(ChunkKind::Snapshot) | Some(ChunkKind::Incremental)
            ) {
                // A damaged chunk is skipped, as when loading.
                if entry.doc.load_incremental(&bytes).is_ok() {
                    entry.on_disk.insert(key);
                }
            }
        }
        let mut out = Vec::new();
        if committed {
            self.persist(id, &mut out);
        }
        let Some(entry) = self.docs.get_mut(id) else {
            return Ok(out);
        };
        if entry.doc.get_heads() != before {
            // What another tab wrote is already durable.
            let heads = entry.doc.get_heads();
            if entry.saved_heads == before {
                entry.saved_heads = heads.clone();
            }
            if entry.written_heads == before {
                entry.written_heads = heads;
            }
            if entry.availability == Availability::Requesting {
                entry.availability = Availability::Ready;
            }
            out.push(Effect::Changed(id.clone()));
            self.refresh(id, &mut out);
            self.sync_doc(id, &mut out);
        }
        Ok(out)
    }

    /// The adapter finished a [`Write`].
    pub fn stored(&mut self, id: &DocumentId, heads: &[ChangeHash]) -> Vec<Effect> {
        let Some(entry) = self.docs.get_mut(id) else {
            return Vec::new();
        };
        // Writes complete in order, so the latest confirmed heads win.
        entry.saved_heads = heads.to_vec();
        if entry.pending.is_none() {
            entry.refresh_status();
        }
        vec![Effect::Status(id.clone())]
    }

    /// Hands the adapter the changes not yet written, and a compaction when
    /// enough small chunks have piled up.
    fn persist(&mut self, id: &DocumentId, out: &mut Vec<Effect>) {
        let Some(entry) = self.docs.get_mut(id) else {
            return;
        };
        entry.commit_pending();
        let heads = entry.doc.get_heads();
        if heads == entry.written_heads {
            return;
        }
        let incrementals = entry
            .on_disk
            .iter()
            .filter(|k| k.kind() == Some(ChunkKind::Incremental))
            .count();
        let write = if incrementals >= COMPACT_AFTER {
            let key = StorageKey::snapshot(id, &heads);
            let deletes: Vec<StorageKey> = entry
                .on_disk
                .iter()
                .filter(|k| **k != key)
                .cloned()
                .collect();
            entry.on_disk = BTreeSet::from([key.clone()]);
            Write {
                document: id.clone(),
                puts: vec![(key, entry.doc.save())],
                deletes,
                heads: Some(heads.clone()),
            }
        } else {
            let puts: Vec<(StorageKey, Vec<u8>)> = entry
                .doc
                .get_changes(&entry.written_heads)
                .into_iter()
                .map(|c| {
                    (
                        StorageKey::incremental(id, c.hash()),
                        c.raw_bytes().to_vec(),
                    )
                })
                .collect();
            entry.on_disk.extend(puts.iter().map(|(k, _)| k.clone()));
            Write {
                document: id.clone(),
                puts,
                deletes: Vec::new(),
                heads: Some(heads.clone()),
            }
        };
        entry.written_heads = heads;
        out.push(Effect::Write(write));
    }

    /// Records what the server holds, durably, when it changes.
    fn remember_server_heads(
        &mut self,
        id: &DocumentId,
        heads: Vec<ChangeHash>,
        out: &mut Vec<Effect>,
    ) {
        let Link::Online { store, .. } = &self.link else {
            return;
        };
        let key = StorageKey::sync_state(id, store);
        let Some(entry) = self.docs.get_mut(id) else {
            return;
        };
        if entry.server_heads == heads {
            return;
        }
        entry.server_heads = heads.clone();
        let mut state = sync::State::new();
        state.shared_heads = heads;
        out.push(Effect::Write(Write {
            document: id.clone(),
            puts: vec![(key, state.encode())],
            deletes: Vec::new(),
            heads: None,
        }));
        self.refresh(id, out);
    }

    // ---- connection ------------------------------------------------------

    /// The socket opened: introduce ourselves.
    pub fn connected(&mut self) -> Vec<Effect> {
        self.link = Link::Joining;
        let join = Message::Join {
            sender: self.me.clone(),
            versions: vec![PROTOCOL_VERSION.to_string()],
            metadata: Some(PeerMetadata {
                storage_id: Some(self.storage_id.clone()),
                is_ephemeral: false,
            }),
        };
        vec![Effect::Send(join.encode())]
    }

    /// The socket closed. Sync states are per connection: start afresh next
    /// time, keeping what we know the server holds.
    pub fn disconnected(&mut self) -> Vec<Effect> {
        self.link = Link::Offline;
        let mut out = Vec::new();
        for (id, entry) in &mut self.docs {
            entry.sync = sync::State::new();
            if !entry.presence.is_empty() {
                entry.presence.clear();
                out.push(Effect::PresenceChanged(id.clone()));
            }
            out.push(Effect::Status(id.clone()));
        }
        out
    }

    /// A frame from the server.
    pub fn receive(&mut self, frame: &[u8], now_ms: u64) -> Result<Vec<Effect>, ClientError> {
        let message = Message::decode(frame).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let mut out = Vec::new();
        match message {
            Message::Peer {
                sender, metadata, ..
            } => {
                let store = metadata
                    .and_then(|m| m.storage_id)
                    .unwrap_or_else(|| sender.to_string());
                self.link = Link::Online {
                    server: sender,
                    store,
                };
                let ids: Vec<DocumentId> = self.docs.keys().cloned().collect();
                for id in ids {
                    out.push(Effect::Status(id.clone()));
                    self.sync_doc(&id, &mut out);
                    self.announce_presence(&id, now_ms, &mut out);
                }
            }
            Message::Sync { document, data, .. } | Message::Request { document, data, .. } => {
                self.receive_sync(&document, &data, &mut out)?;
            }
            Message::DocUnavailable { document, .. } => {
                if let Some(entry) = self.docs.get_mut(&document) {
                    // A document we hold stays ours to read; it is just not
                    // (or no longer) shared with us by the server.
                    entry.availability = if entry.doc.get_heads().is_empty() {
                        Availability::Unavailable
                    } else {
                        entry.availability
                    };
                    out.push(Effect::Unavailable(document.clone()));
                    self.refresh(&document, &mut out);
                }
            }
            Message::Ephemeral {
                sender,
                document,
                data,
                ..
            } => {
                if let (Some(entry), Some(presence)) =
                    (self.docs.get_mut(&document), Presence::decode(&data))
                    && sender != self.me
                {
                    entry.presence.insert(sender, (presence, now_ms));
                    out.push(Effect::PresenceChanged(document));
                }
            }
            Message::Error { message } => {
                return Err(ClientError::Protocol(format!("server error: {message}")));
            }
            Message::Join { .. } | Message::Leave { .. } | Message::Other { .. } => {}
        }
        Ok(out)
    }

    fn receive_sync(
        &mut self,
        id: &DocumentId,
        data: &[u8],
        out: &mut Vec<Effect>,
    ) -> Result<(), ClientError> {
        let Some(entry) = self.docs.get_mut(id) else {
            // Not something we asked for: ignore rather than store it.
            return Ok(());
        };
        let message =
            sync::Message::decode(data).map_err(|e| ClientError::Protocol(e.to_string()))?;
        // Our pending edits become a change of their own before theirs merge.
        if entry.commit_pending() {
            self.persist(id, out);
        }
        let Some(entry) = self.docs.get_mut(id) else {
            return Ok(());
        };
        let before = entry.doc.get_heads();
        entry
            .doc
            .sync()
            .receive_sync_message(&mut entry.sync, message)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let changed = entry.doc.get_heads() != before;
        if changed {
            if entry.availability != Availability::Ready && !entry.doc.get_heads().is_empty() {
                entry.availability = Availability::Ready;
            }
            out.push(Effect::Changed(id.clone()));
        }
        let their_heads = entry.sync.their_heads.clone();
        if changed {
            self.persist(id, out);
        }
        if let Some(heads) = their_heads {
            self.remember_server_heads(id, heads, out);
        }
        self.refresh(id, out);
        self.sync_doc(id, out);
        Ok(())
    }

    /// Sends the server whatever it needs next for one document.
    fn sync_doc(&mut self, id: &DocumentId, out: &mut Vec<Effect>) {
        let Link::Online { server, .. } = &self.link else {
            return;
        };
        let Some(entry) = self.docs.get_mut(id) else {
            return;
        };
        if entry.availability == Availability::Unavailable
            || entry.pending.is_some()
            || entry.registration != Registration::Accepted
        {
            // Pending edits go out when committed; a record not registered
            // goes out once it is.
            return;
        }
        let Some(message) = entry.doc.sync().generate_sync_message(&mut entry.sync) else {
            return;
        };
        let data = message.encode();
        let frame = if entry.doc.get_heads().is_empty() {
            Message::Request {
                sender: self.me.clone(),
                target: server.clone(),
                document: id.clone(),
                data,
            }
        } else {
            Message::Sync {
                sender: self.me.clone(),
                target: server.clone(),
                document: id.clone(),
                data,
            }
        };
        out.push(Effect::Send(frame.encode()));
    }

    // ---- presence --------------------------------------------------------

    /// Says where we are in a document (and repeats it on [`tick`](Self::tick)).
    pub fn set_presence(
        &mut self,
        id: &DocumentId,
        presence: Presence,
        now_ms: u64,
    ) -> Vec<Effect> {
        let mut out = Vec::new();
        if let Some(entry) = self.docs.get_mut(id) {
            entry.my_presence = Some((presence, 0));
            self.announce_presence(id, now_ms, &mut out);
        }
        out
    }

    /// Stops announcing presence in a document (the page was left).
    pub fn clear_presence(&mut self, id: &DocumentId) {
        if let Some(entry) = self.docs.get_mut(id) {
            entry.my_presence = None;
        }
    }

    fn announce_presence(&mut self, id: &DocumentId, now_ms: u64, out: &mut Vec<Effect>) {
        let Link::Online { server, .. } = &self.link else {
            return;
        };
        let Some(entry) = self.docs.get_mut(id) else {
            return;
        };
        if entry.registration != Registration::Accepted {
            return;
        }
        let Some((presence, sent_at)) = &mut entry.my_presence else {
            return;
        };
        *sent_at = now_ms;
        self.count += 1;
        let frame = Message::Ephemeral {
            sender: self.me.clone(),
            target: server.clone(),
            document: id.clone(),
            session: self.session.clone(),
            count: self.count,
            data: presence.encode(),
        };
        out.push(Effect::Send(frame.encode()));
    }

    /// Time passes: repeat our presence, forget peers gone quiet.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Effect> {
        let mut out = Vec::new();
        let ids: Vec<DocumentId> = self.docs.keys().cloned().collect();
        for id in ids {
            let Some(entry) = self.docs.get_mut(&id) else {
                continue;
            };
            let before = entry.presence.len();
            entry
                .presence
                .retain(|_, (_, seen)| now_ms.saturating_sub(*seen) < PRESENCE_TTL_MS);
            if entry.presence.len() != before {
                out.push(Effect::PresenceChanged(id.clone()));
            }
            let due = entry
                .my_presence
                .as_ref()
                .is_some_and(|(_, sent)| now_ms.saturating_sub(*sent) >= PRESENCE_HEARTBEAT_MS);
            if due {
                self.announce_presence(&id, now_ms, &mut out);
            }
        }
        out
    }
}
