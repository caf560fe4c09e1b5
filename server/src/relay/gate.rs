//! Every frame a client sends passes here before samod sees it.
//!
//! A frame that is not a well-formed protocol message, or that claims to come
//! from another peer, closes that connection (and only that one); the log says
//! which peer and why, never what the frame held. Closing a session (sign-out)
//! cancels its connections through the same gate.

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures::{SinkExt, StreamExt};
use qalf_shared::org::PersonId;
use qalf_shared::sync::{Message, PeerId};
use tokio_util::sync::CancellationToken;

/// Why the gate closed a connection.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("malformed frame: {0}")]
    Malformed(String),
    #[error("text frame (the protocol is binary)")]
    Text,
    #[error("frame claims another sender")]
    WrongSender,
    #[error("socket error: {0}")]
    Socket(String),
}

pub struct Gate {
    pub person: PersonId,
    pub peer: PeerId,
    pub cancel: CancellationToken,
}

impl Gate {
    fn check(&self, frame: &[u8]) -> Result<(), Refused> {
        let message = Message::decode(frame).map_err(|e| Refused::Malformed(e.to_string()))?;
        let sender = match &message {
            Message::Join { sender, .. }
            | Message::Leave { sender }
            | Message::Request { sender, .. }
            | Message::Sync { sender, .. }
            | Message::DocUnavailable { sender, .. }
            | Message::Ephemeral { sender, .. } => Some(sender),
            Message::Peer { sender, .. } => Some(sender),
            Message::Error { .. } | Message::Other { .. } => None,
        };
        if sender.is_some_and(|s| s != &self.peer) {
            return Err(Refused::WrongSender);
        }
        Ok(())
    }

    /// Wraps an upgraded socket as a samod transport with this gate on it.
    pub fn transport(self, socket: WebSocket) -> samod::Transport {
        let (sink, stream) = socket.split();
        let inbound = futures::stream::unfold(
            (stream, self, false),
            |(mut stream, gate, finished)| async move {
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
