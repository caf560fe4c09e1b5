//! One client WebSocket, spread over the relay's shards.
//!
//! The client sees one peer, the relay: the mux answers its handshake
//! itself, as samod would (same peer id, same storage id). Each document
//! message goes to the shard holding the document, over a samod connection
//! to that shard opened the first time the client names one of its
//! documents (it begins with the client's own `join`, and that shard's
//! `peer` answer is not passed on). An idle connection costs no samod state. If a shard connection ends
//! (the shard was emptied, or refused the client), the whole WebSocket is
//! closed: the client reconnects and asks again for what it has open.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use automerge::ChangeHash;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures::channel::mpsc;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};

use qalf_shared::sync::message::PeerMetadata;
use qalf_shared::sync::{DocumentId, Message, PeerId};

use super::Relay;
use super::durable::WAIT_AT_MOST;
use super::gate::{Checked, Gate, Refused, Route};

/// Frames queued towards one shard before the client is made to wait.
const TO_SHARD: usize = 16;
/// Frames queued towards the client before the shards are made to wait.
const TO_CLIENT: usize = 64;

/// The most frames already waiting that are read and logged together.
const READ_TOGETHER: usize = 64;

/// The protocol version the relay speaks.
const PROTOCOL: &str = "1";

#[derive(Debug, thiserror::Error)]
#[error("the client connection closed")]
struct Closed;

pub async fn serve(socket: WebSocket, mut gate: Gate, relay: Relay) {
    let peer = samod::PeerId::from(gate.peer.as_str());
    let cancel = gate.cancel.clone();
    let (mut to_client, mut from_client) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<(Option<usize>, Vec<u8>)>(TO_CLIENT);
    // The client's changes not yet known to be on disk, by document: the
    // relay says nothing more about a document until they are (R-REL-1).
    let unwritten: Mutex<HashMap<DocumentId, Vec<ChangeHash>>> = Mutex::default();
    let durable = relay.durable().clone();
    let device = gate.peer.clone();

    // Shards → client. A shard's first frame is its answer to the join,
    // which the client already had from the mux.
    let writer = async {
        let mut answered: HashSet<usize> = HashSet::new();
        while let Some((shard, frame)) = out_rx.next().await {
            if shard.is_some_and(|s| answered.insert(s)) {
                continue;
            }
            if let Some((document, changes)) = awaiting_disk(&unwritten, &frame)
                && !durable.wait(&document, &changes, WAIT_AT_MOST).await
            {
                tracing::error!(peer = %device, "changes not on disk in time; closing so the device sends them again");
                break;
            }
            if to_client
                .send(WsMessage::Binary(frame.into()))
                .await
                .is_err()
            {
                break;
            }
        }
        let _closed = to_client.close().await;
    };

    // Client → gate → shards.
    let reader = async {
        let mut shards = Shards::default();
        loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => return,
                Some(shard) = shards.ended.next() => {
                    tracing::debug!(peer = %gate.peer, shard, "a shard connection ended; closing so the client reconnects");
                    return;
                }
                next = from_client.next() => next,
            };
            // The frames already waiting are read with this one, so their
            // first reads are logged together.
            let mut frames = Vec::new();
            let mut next = Some(next);
            while let Some(item) = next.take() {
                match item {
                    None | Some(Ok(WsMessage::Close(_))) => {
                        frames.push(Err(None));
                        break;
                    }
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
                    Some(Ok(WsMessage::Binary(frame))) => frames.push(Ok(frame)),
                    Some(Ok(WsMessage::Text(_))) => {
                        frames.push(Err(Some(Refused::Text)));
                        break;
                    }
                    Some(Err(e)) => {
                        frames.push(Err(Some(Refused::Socket(e.to_string()))));
                        break;
                    }
                }
                if frames.len() < READ_TOGETHER {
                    next = from_client.next().now_or_never();
                }
            }
            let mut messages = Vec::new();
            let mut end = None;
            for frame in frames {
                match frame.and_then(|f| gate.read(&f).map_err(Some)) {
                    Ok(message) => messages.push(message),
                    Err(why) => {
                        end = Some(why);
                        break;
                    }
                }
            }
            if let Err(refused) = gate.open_first_reads(&messages).await {
                return refuse(&gate, refused);
            }
            for message in messages {
                let checked = match gate.route(message).await {
                    Ok(checked) => checked,
                    Err(refused) => return refuse(&gate, refused),
                };
                if let Route::Document(document) = &checked.route
                    && !checked.new_changes.is_empty()
                {
                    // Noted before samod has them, so no write is missed.
                    durable.expect(document, &checked.new_changes);
                    lock(&unwritten)
                        .entry(document.clone())
                        .or_default()
                        .extend_from_slice(&checked.new_changes);
                }
                if let Err(refused) = shards.forward(checked, &gate, &relay, &peer, &out_tx).await {
                    if let Some(refused) = refused {
                        refuse(&gate, refused);
                    }
                    return;
                }
            }
            match end {
                None => {}
                Some(None) => return,
                Some(Some(refused)) => return refuse(&gate, refused),
            }
        }
    };

    tokio::select! {
        _ = reader => {}
        _ = writer => {}
    }
    cancel.cancel();
    for (document, changes) in lock(&unwritten).drain() {
        durable.release(&document, &changes);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The client's changes a frame about to go to it must wait for: those of
/// its document still not known to be on disk.
fn awaiting_disk(
    unwritten: &Mutex<HashMap<DocumentId, Vec<ChangeHash>>>,
    frame: &[u8],
) -> Option<(DocumentId, Vec<ChangeHash>)> {
    let mut unwritten = lock(unwritten);
    if unwritten.is_empty() {
        return None;
    }
    let document = match Message::decode(frame).ok()? {
        Message::Sync { document, .. } | Message::Request { document, .. } => document,
        _ => return None,
    };
    let changes = unwritten.remove(&document)?;
    Some((document, changes))
}

/// The client's samod connections, one per shard it has named a document of.
#[derive(Default)]
struct Shards {
    links: HashMap<usize, mpsc::Sender<Result<Vec<u8>, Closed>>>,
    /// Each link's end, as the shard it was to.
    ended: FuturesUnordered<std::pin::Pin<Box<dyn Future<Output = usize> + Send>>>,
    /// The client's join, replayed to each shard as it is opened.
    join: Option<Vec<u8>>,
}

impl Shards {
    /// Sends a checked frame where it goes. `Err(None)` when the connection
    /// is over (the client or the relay went away), `Err(Some(_))` when the
    /// client broke the protocol.
    async fn forward(
        &mut self,
        checked: Checked,
        gate: &Gate,
        relay: &Relay,
        peer: &samod::PeerId,
        out_tx: &mpsc::Sender<(Option<usize>, Vec<u8>)>,
    ) -> Result<(), Option<Refused>> {
        let Checked {
            route, mut frame, ..
        } = checked;
        let targets: Vec<usize> = match (&route, &self.join) {
            (Route::Join { .. }, Some(_)) => {
                return Err(Some(Refused::Malformed("a second join".into())));
            }
            (Route::Join { versions }, None) => {
                if !versions.iter().any(|v| v == PROTOCOL) {
                    return Err(Some(Refused::Malformed(
                        "no protocol version in common".into(),
                    )));
                }
                self.join = Some(frame);
                let answer = Message::Peer {
                    sender: PeerId::from_wire(super::RELAY_PEER_ID.to_string()),
                    target: gate.peer.clone(),
                    version: PROTOCOL.into(),
                    metadata: Some(PeerMetadata {
                        storage_id: Some(relay.storage_id().to_string()),
                        is_ephemeral: false,
                    }),
                };
                return out_tx
                    .clone()
                    .send((None, answer.encode()))
                    .await
                    .map_err(|_| None);
            }
            (_, None) => {
                return Err(Some(Refused::Malformed("a message before join".into())));
            }
            (Route::Nowhere, _) => return Ok(()),
            (Route::Answer, _) => {
                return out_tx.clone().send((None, frame)).await.map_err(|_| None);
            }
            (Route::Document(document), Some(_)) => vec![relay.shard_of(document)],
            (Route::Everywhere, Some(_)) => self.links.keys().copied().collect(),
        };
        let last = targets.len().saturating_sub(1);
        for (i, shard) in targets.into_iter().enumerate() {
            let tx = match self.links.entry(shard) {
                std::collections::hash_map::Entry::Occupied(link) => link.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let hello = self.join.clone().unwrap_or_default();
                    // Boxed: an idle connection's task stays small.
                    let Some((tx, done)) = Box::pin(open(relay, shard, peer, hello, out_tx)).await
                    else {
                        tracing::debug!(shard, "the relay is stopping");
                        return Err(None);
                    };
                    self.ended.push(Box::pin(async move {
                        done.await;
                        shard
                    }));
                    slot.insert(tx)
                }
            };
            // Most frames go to one shard: the last one takes the frame itself.
            let frame = if i == last {
                std::mem::take(&mut frame)
            } else {
                frame.clone()
            };
            if tx.send(Ok(frame)).await.is_err() {
                return Err(None);
            }
        }
        Ok(())
    }
}

fn refuse(gate: &Gate, refused: Refused) {
    tracing::warn!(peer = %gate.peer, reason = %refused, "closing a sync connection");
    gate.cancel.cancel();
}

/// Opens a samod connection for this client to one shard, starting with
/// the client's join.
async fn open(
    relay: &Relay,
    shard: usize,
    peer: &samod::PeerId,
    join: Vec<u8>,
    out: &mpsc::Sender<(Option<usize>, Vec<u8>)>,
) -> Option<(
    mpsc::Sender<Result<Vec<u8>, Closed>>,
    impl Future<Output = ()> + use<>,
)> {
    let (mut tx, rx) = mpsc::channel::<Result<Vec<u8>, Closed>>(TO_SHARD);
    tx.try_send(Ok(join)).ok()?;
    let sink = out
        .clone()
        .sink_map_err(|_| Closed)
        .with(move |frame: Vec<u8>| futures::future::ready(Ok::<_, Closed>((Some(shard), frame))));
    let transport = samod::Transport::new(rx, Box::pin(sink)).with_expected_peer_id(peer.clone());
    let connection = relay.hub(shard).await.acceptor.accept(transport).ok()?;
    Some((tx, async move {
        // Listen first, then look: an end in between is not missed.
        let mut events = connection.events();
        if connection.handshake_complete().await.is_err() {
            return;
        }
        while let Some(event) = events.next().await {
            if matches!(event, samod::AcceptorEvent::ClientDisconnected { .. }) {
                return;
            }
        }
    }))
}
