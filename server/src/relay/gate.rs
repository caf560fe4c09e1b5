//! Every frame a client sends passes here before samod sees it.
//!
//! The gate closes a connection (that one only) for a frame that is not a
//! well-formed protocol message, claims another sender, exceeds the session's
//! rate, or adds to a document already over the size limit; the log says
//! which peer and why, never what the frame held. It writes the access log:
//! the first time a connection opens a record (read), every frame carrying
//! changes (write), and attempts on records the person may not see (denied).
//! Closing a session (sign-out) cancels its connections through the same
//! gate.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures::{SinkExt, StreamExt};
use qalf_shared::access::Access;
use qalf_shared::org::PersonId;
use qalf_shared::sync::{DocumentId, Message, PeerId};
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
}

/// What every gate shares.
#[derive(Clone)]
pub struct GateContext {
    pub access: Arc<AccessState>,
    pub log: AccessLog,
    pub limits: Arc<Limits>,
    pub clock: Arc<dyn Clock>,
}

pub struct Gate {
    pub person: PersonId,
    pub peer: PeerId,
    pub session: SessionKey,
    pub cancel: CancellationToken,
    pub context: GateContext,
    /// Records this connection has opened (logged once each).
    opened: HashSet<DocumentId>,
    denied: HashSet<DocumentId>,
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
        }
    }

    fn log(&self, document: &DocumentId, action: Action, detail: String) {
        let meta = self.context.access.record(document);
        self.context.log.record(Event::new(
            self.context.clock.now(),
            &self.person,
            document,
            meta.as_ref(),
            action,
            detail,
        ));
    }

    fn check(&mut self, frame: &[u8]) -> Result<(), Refused> {
        if !self.context.limits.allow_frame(&self.session) {
            return Err(Refused::RateLimited);
        }
        let message = Message::decode(frame).map_err(|e| Refused::Malformed(e.to_string()))?;
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
        let (document, data) = match &message {
            Message::Request { document, data, .. } | Message::Sync { document, data, .. } => {
                (document, data)
            }
            _ => return Ok(()),
        };
        let access = self.context.access.decide(&self.person, document);
        if access == Access::None {
            // samod's share policy refuses it; the attempt is logged once.
            if self.denied.insert(document.clone()) {
                self.log(document, Action::Denied, "relay".into());
            }
            return Ok(());
        }
        if self.opened.insert(document.clone()) {
            self.log(document, Action::Read, "relay".into());
        }
        let changes = automerge::sync::Message::decode(data)
            .map_err(|e| Refused::Malformed(e.to_string()))?
            .changes;
        let bytes: usize = changes.iter().map(<[u8]>::len).sum();
        if bytes > 0 {
            if !access.can_write() {
                self.log(
                    document,
                    Action::Denied,
                    "changes refused: read only".into(),
                );
                return Ok(());
            }
            if self.context.limits.over_size(document) {
                return Err(Refused::DocumentTooLarge);
            }
            self.log(document, Action::Write, format!("changes, {bytes} bytes"));
        }
        Ok(())
    }

    /// Wraps an upgraded socket as a samod transport with this gate on it.
    pub fn transport(self, socket: WebSocket) -> samod::Transport {
        let (sink, stream) = socket.split();
        let inbound = futures::stream::unfold(
            (stream, self, false),
            |(mut stream, mut gate, finished)| async move {
                if finished {
                    return None;
                }
                loop {
                    let next = tokio::select! {
                        _ = gate.cancel.cancelled() => return None,
                        next = stream.next() => next,
                    };
                    let refused = match next? {
                        Ok(WsMessage::Binary(frame)) => match gate.check(&frame) {
                            Ok(()) => return Some((Ok(frame.to_vec()), (stream, gate, false))),
                            Err(refused) => refused,
                        },
                        Ok(WsMessage::Text(_)) => Refused::Text,
                        Ok(WsMessage::Close(_)) => return None,
                        Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => continue,
                        Err(e) => Refused::Socket(e.to_string()),
                    };
                    tracing::warn!(
                        peer = %gate.peer,
                        reason = %refused,
                        "closing a sync connection"
                    );
                    gate.cancel.cancel();
                    return Some((Err(refused), (stream, gate, true)));
                }
            },
        );
        let outbound = sink.with(|frame: Vec<u8>| {
            futures::future::ready(Ok::<_, axum::Error>(WsMessage::Binary(frame.into())))
        });
        samod::Transport::new(Box::pin(inbound), outbound)
    }
}
