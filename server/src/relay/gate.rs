//! Every frame a client sends passes here before samod sees it.
//!
//! The gate reads each frame once, in its one plain form (no key twice, no
//! unstated lengths, nothing after the message), and hands samod that
//! reading encoded afresh, so samod acts on exactly what was checked. It
//! closes a connection (that one only) for a frame that is not a
//! well-formed protocol message, claims another sender, exceeds the session's
//! rate, or adds to a document already over the size limit; the log says
//! which peer and why, never what the frame held. Presence is passed on only
//! for records the person may read, only as that person, under the
//! directory's name (samod passes it only to connections that may read). It writes the access log:
//! the first time a connection opens a record (read), every frame carrying
//! changes (write), and attempts on records the person may not see (denied).
//! Closing a session (sign-out) cancels its connections through the same
//! gate.

use std::collections::HashSet;
use std::sync::Arc;

use qalf_shared::access::Access;
use qalf_shared::org::PersonId;
use qalf_shared::sync::{DocumentId, Message, PeerId, Presence};
use tokio_util::sync::CancellationToken;

use super::limits::Limits;
use crate::access::AccessState;
use crate::access_log::{AccessLog, Action, Event};
use crate::auth::session::SessionKey;
use crate::clock::Clock;

/// Why the gate closed a connection.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("malformed frame: {0}")]
    Malformed(String),
    #[error("text frame (the protocol is binary)")]
    Text,
    #[error("frame claims another sender")]
    WrongSender,
    #[error("too many frames for this session")]
    RateLimited,
    #[error("document is over the size limit")]
    DocumentTooLarge,
    #[error("socket error: {0}")]
    Socket(String),
    #[error("the access log cannot be written")]
    LogUnavailable,
}

/// Where a frame that passed the gate goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The handshake, with the protocol versions the client speaks.
    Join { versions: Vec<String> },
    /// To the shard holding the document.
    Document(DocumentId),
    /// To every shard this connection reaches (leave, and messages that
    /// name no document).
    Everywhere,
    /// Nowhere: noted by the gate and dropped.
    Nowhere,
    /// Back to the client: the gate answers it itself.
    Answer,
}

/// A frame that passed the gate: where it goes, and the bytes to send.
#[derive(Debug)]
pub struct Checked {
    pub route: Route,
    pub frame: Vec<u8>,
    /// Changes new to the relay that the frame carries: the sender is not
    /// answered about the document until they are on disk.
    pub new_changes: Vec<automerge::ChangeHash>,
}

impl Checked {
    fn new(route: Route, message: &Message) -> Checked {
        let frame = match route {
            Route::Nowhere | Route::Answer => Vec::new(),
            _ => message.encode(),
        };
        Checked {
            route,
            frame,
            new_changes: Vec::new(),
        }
    }

    fn nowhere() -> Checked {
        Checked {
            route: Route::Nowhere,
            frame: Vec::new(),
            new_changes: Vec::new(),
        }
    }
}

/// What every gate shares.
#[derive(Clone)]
pub struct GateContext {
    pub access: Arc<AccessState>,
    pub log: AccessLog,
    pub limits: Arc<Limits>,
    pub clock: Arc<dyn Clock>,
    /// For noting that a session is in use (changes sent keep it alive).
    pub db: crate::db::Db,
    /// The relay's copies of documents, which changes are checked against.
    pub relay: super::Relay,
    /// Which person each change's actor belongs to.
    pub authors: Arc<super::rights::Authors>,
}

/// How often changes sent over a socket count as use of its session.
const TOUCH_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

pub struct Gate {
    pub person: PersonId,
    pub peer: PeerId,
    pub session: SessionKey,
    pub cancel: CancellationToken,
    pub context: GateContext,
    /// Records this connection has opened (logged once each).
    opened: HashSet<DocumentId>,
    denied: HashSet<DocumentId>,
    refusals: HashSet<(DocumentId, &'static str)>,
    /// Objects this connection's changes made, for placing the next ones.
    made: super::rights::Made,
    last_touch: Option<std::time::Instant>,
}

impl Gate {
    pub fn new(
        person: PersonId,
        peer: PeerId,
        session: SessionKey,
        cancel: CancellationToken,
        context: GateContext,
    ) -> Gate {
        Gate {
            person,
            peer,
            session,
            cancel,
            context,
            opened: HashSet::new(),
            denied: HashSet::new(),
            refusals: HashSet::new(),
            made: super::rights::Made::default(),
            last_touch: None,
        }
    }

    /// Someone typing keeps their session alive: changes count as use,
    /// noted at most once a minute.
    fn note_use(&mut self) {
        if self.last_touch.is_some_and(|t| t.elapsed() < TOUCH_EVERY) {
            return;
        }
        self.last_touch = Some(std::time::Instant::now());
        let (db, clock, key) = (
            self.context.db.clone(),
            self.context.clock.clone(),
            self.session.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = crate::auth::session::touch(&db, clock.as_ref(), &key).await {
                tracing::error!(error = %e, "noting a session's use failed");
            }
        });
    }

    fn event(&self, document: &DocumentId, action: Action, detail: String) -> Event {
        let meta = self.context.access.record(document);
        Event::new(
            self.context.clock.now(),
            &self.person,
            document,
            meta.as_ref(),
            action,
            detail,
        )
    }

    /// A refusal: logged within the person's rate of refusals.
    fn log_denied(&self, document: &DocumentId, detail: String) {
        let event = self.event(document, Action::Denied, detail);
        self.context.log.record_refusal(event);
    }

    /// Reads one frame from the client, within the connection's rate, in
    /// the one form that samod cannot read differently from the gate.
    pub fn read(&self, frame: &[u8]) -> Result<Message, Refused> {
        if !self.context.limits.allow_frame(&self.session) {
            return Err(Refused::RateLimited);
        }
        Message::decode_canonical(frame).map_err(|e| Refused::Malformed(e.to_string()))
    }

    /// Logs the first reads among frames that arrived together, in one
    /// write that is on disk before any of them is served. A device that
    /// connects asks for every record it holds at once: one write for all
    /// of them, not one disk flush per record while the others wait.
    pub async fn open_first_reads(&mut self, messages: &[Message]) -> Result<(), Refused> {
        let mut first = Vec::new();
        for message in messages {
            if let Message::Request { document, .. } | Message::Sync { document, .. } = message
                && !self.opened.contains(document)
                && self.context.access.decide(&self.person, document) != Access::None
            {
                self.opened.insert(document.clone());
                first.push(document.clone());
            }
        }
        if first.is_empty() {
            return Ok(());
        }
        let reads = first
            .iter()
            .map(|document| self.event(document, Action::Read, "relay".into()))
            .collect();
        let written = self.context.log.record_durably(reads).await;
        if written.is_err() {
            for document in &first {
                self.opened.remove(document);
            }
            return Err(Refused::LogUnavailable);
        }
        Ok(())
    }

    /// Says where a message read by [`read`](Self::read) goes, with the
    /// frame to send there: the message the gate read, encoded afresh, so
    /// samod cannot read the client's bytes differently from the gate. Its
    /// first read is logged here if [`open_first_reads`](Self::open_first_reads)
    /// has not logged it already.
    pub async fn route(&mut self, message: Message) -> Result<Checked, Refused> {
        let sender = match &message {
            Message::Join { sender, .. }
            | Message::Peer { sender, .. }
            | Message::Leave { sender }
            | Message::Request { sender, .. }
            | Message::Sync { sender, .. }
            | Message::DocUnavailable { sender, .. }
            | Message::Ephemeral { sender, .. } => Some(sender),
            Message::Error { .. } | Message::Other { .. } => None,
        };
        if sender.is_some_and(|s| s != &self.peer) {
            return Err(Refused::WrongSender);
        }
        let route = match &message {
            Message::Join { versions, .. } => Route::Join {
                versions: versions.clone(),
            },
            Message::Leave { .. } => Route::Everywhere,
            Message::Request { document, data, .. } | Message::Sync { document, data, .. } => {
                return self.check_sync(&message, document, data).await;
            }
            Message::DocUnavailable { document, .. } => Route::Document(document.clone()),
            Message::Ephemeral { .. } => return Ok(self.check_presence(message)),
            Message::Error { .. } => {
                // The client's own words stay out of the log (and out of samod's).
                tracing::info!(peer = %self.peer, "the client reported an error");
                Route::Nowhere
            }
            // A client has no business answering a handshake, and samod acts
            // on no other kind.
            Message::Peer { .. } | Message::Other { .. } => Route::Nowhere,
        };
        Ok(Checked::new(route, &message))
    }

    async fn check_sync(
        &mut self,
        message: &Message,
        document: &DocumentId,
        data: &[u8],
    ) -> Result<Checked, Refused> {
        let pass = || Ok(Checked::new(Route::Document(document.clone()), message));
        let access = self.context.access.decide(&self.person, document);
        if access == Access::None {
            // Not there and not yours get the same answer, from the gate:
            // samod loads nothing for an id no one may read.
            if self.denied.insert(document.clone()) {
                self.log_denied(document, "relay".into());
            }
            let unavailable = Message::DocUnavailable {
                sender: PeerId::from_wire(super::RELAY_PEER_ID.to_string()),
                target: self.peer.clone(),
                document: document.clone(),
            };
            return Ok(Checked {
                route: Route::Answer,
                frame: unavailable.encode(),
                new_changes: Vec::new(),
            });
        }
        // Logged before anything of the record is served: a read the log
        // cannot record is not made (already done when the frame arrived
        // with others).
        self.open_first_reads(std::slice::from_ref(message)).await?;
        let changes: Vec<Vec<u8>> = automerge::sync::Message::decode(data)
            .map_err(|e| Refused::Malformed(e.to_string()))?
            .changes
            .iter()
            .map(<[u8]>::to_vec)
            .collect();
        let bytes: u64 = changes.iter().map(|c| c.len() as u64).sum();
        if bytes == 0 {
            return pass();
        }
        if !self.context.log.healthy() {
            // A change the log cannot record is not taken.
            return Err(Refused::LogUnavailable);
        }
        if !access.can_write() {
            // samod's share policy ignores them; the heads it carries still
            // count. Changes that do not even decode go no further: samod
            // would parse them before ignoring them.
            if super::rights::Incoming::decode(&changes).is_err() {
                self.log_refusal(document, "changes refused: malformed");
                return Ok(Checked::nowhere());
            }
            self.log_refusal(document, "changes refused: read only");
            return pass();
        }
        let limits = self.context.limits.clone();
        let Some(meta) = self.context.access.record(document) else {
            return Ok(Checked::nowhere());
        };
        let first = limits.stored_bytes(document) == 0;
        if first && meta.created_by != self.person {
            // Whoever registered an id, its content comes from its creator:
            // someone else's device cannot fill a record squatted on.
            self.log_refusal(
                document,
                "changes refused: the first content is its creator's",
            );
            return Ok(Checked::nowhere());
        }
        let new_changes = match self
            .check_authorship(document, &meta, &changes, first)
            .await
        {
            Ok(new_changes) => new_changes,
            Err(refused) => {
                tracing::warn!(peer = %self.peer, reason = %refused, "changes refused");
                self.log_refusal(document, refused.detail());
                return Ok(Checked::nowhere());
            }
        };
        if limits.would_exceed(document, bytes) {
            return Err(Refused::DocumentTooLarge);
        }
        let day = self.context.clock.now().timestamp().div_euclid(86_400);
        if !limits.take_from_quota(&self.person, day, bytes) {
            // They wait on the device (nothing is lost) until tomorrow.
            self.log_refusal(document, "changes refused: over the day's quota");
            return Ok(Checked::nowhere());
        }
        let write = self.event(document, Action::Write, format!("changes, {bytes} bytes"));
        self.context.log.record(write).await;
        self.note_use();
        let mut checked = Checked::new(Route::Document(document.clone()), message);
        checked.new_changes = new_changes;
        Ok(checked)
    }

    /// R-SEC-1: the changes are this person's own, and touch only what they
    /// may write (the creator's first content makes the record and is not
    /// judged, but what it makes is remembered). Returns the changes new to
    /// the relay.
    async fn check_authorship(
        &mut self,
        document: &DocumentId,
        meta: &qalf_shared::access::RecordMeta,
        changes: &[Vec<u8>],
        first: bool,
    ) -> Result<Vec<automerge::ChangeHash>, super::rights::Refused> {
        use super::rights::{Incoming, Refused};
        let incoming = Incoming::decode(changes)?;
        let (person, made) = (&self.person, &mut self.made);
        let (actors, new_changes) = if first {
            let empty = automerge::Automerge::new();
            (
                incoming.check(&empty, person, made, None)?,
                incoming.new_hashes(&empty),
            )
        } else {
            let org = self.context.access.org();
            self.context
                .relay
                .with_document(document, |doc| {
                    incoming
                        .check(doc, person, made, Some((&org, meta)))
                        .map(|actors| (actors, incoming.new_hashes(doc)))
                })
                .await
                .ok()
                .flatten()
                .unwrap_or(Err(Refused::Unplaced))?
        };
        match self.context.authors.claim(&actors, &self.person).await {
            Ok(true) => Ok(new_changes),
            Ok(false) => Err(Refused::AnotherPersonsActor),
            Err(e) => {
                tracing::error!(error = %e, "recording who made a change failed");
                Err(Refused::Unplaced)
            }
        }
    }

    /// Logs a refused change once per connection, record and reason: a
    /// client retrying does not fill the log.
    fn log_refusal(&mut self, document: &DocumentId, reason: &'static str) {
        if self.refusals.insert((document.clone(), reason)) {
            self.log_denied(document, reason.into());
        }
    }

    /// Presence goes where the document may be read, and says who the
    /// connection's person is: a claim to be someone else, or presence on a
    /// record the person may not see, goes nowhere. The name others see is
    /// the directory's, not the client's.
    fn check_presence(&mut self, message: Message) -> Checked {
        let Message::Ephemeral {
            sender,
            target,
            document,
            session,
            count,
            data,
        } = message
        else {
            return Checked::nowhere();
        };
        if self.context.access.decide(&self.person, &document) == Access::None {
            if self.denied.insert(document.clone()) {
                self.log_denied(&document, "presence".into());
            }
            return Checked::nowhere();
        }
        let org = self.context.access.org();
        let presence = match Presence::decode(&data) {
            Some(presence) if presence.person == self.person => presence,
            _ => {
                tracing::warn!(peer = %self.peer, "presence claiming another person, dropped");
                return Checked::nowhere();
            }
        };
        let Some(person) = org.person(&self.person) else {
            return Checked::nowhere();
        };
        let presence = Presence {
            name: person.name.clone(),
            ..presence
        };
        let message = Message::Ephemeral {
            sender,
            target,
            document: document.clone(),
            session,
            count,
            data: presence.encode(),
        };
        Checked::new(Route::Document(document), &message)
    }
}
