//! One simulated device: the app's own sans-IO sync client
//! (`qalf_shared::sync::Client`) driven over a WebSocket, in its own task.
//!
//! The task feeds the client every frame from the relay and carries out its
//! effects: frames go out at once (flushed once per batch), writes are
//! acknowledged without being kept (the benchmark measures the relay, not a
//! device's storage). The coordinator drives it through a [`Peer`] handle:
//! create, request and edit documents, and wait for goals (online, synced,
//! ready) that the task checks as effects arrive, never by polling a clock.
//! When a frame changed a document, the task reports the latency markers it
//! now shows to the [`Tracker`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, Value};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use qalf_shared::document::note;
use qalf_shared::sync::{Availability, Client, DocumentId, Effect, PeerId};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::tracker::Tracker;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a client waits for.
#[derive(Debug, Clone)]
pub enum Goal {
    /// The relay answered our `join`.
    Online,
    /// The relay confirmed it holds every change of these documents.
    Synced(Vec<DocumentId>),
    /// These requested documents arrived.
    Ready(Vec<DocumentId>),
}

enum Command {
    Create(Vec<(DocumentId, Automerge)>),
    Request(Vec<DocumentId>),
    Await(Goal, oneshot::Sender<Result<(), String>>),
    /// Append `marker` to the note's body as one change.
    Edit {
        doc: DocumentId,
        edit: u64,
        marker: Arc<str>,
    },
    Body(DocumentId, oneshot::Sender<Option<String>>),
    Close(oneshot::Sender<()>),
}

/// The coordinator's handle on one client task.
pub struct Peer {
    tx: mpsc::UnboundedSender<Command>,
}

impl Peer {
    /// Opens the socket and starts the client (it sends `join` at once).
    /// `index` is the client's number in its scenario, for the tracker.
    pub async fn connect(
        url: &str,
        me: PeerId,
        author: String,
        index: usize,
        tracker: Arc<Tracker>,
    ) -> Result<Peer> {
        // `true`: no Nagle delay, as browsers open WebSockets.
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .with_context(|| format!("opening the sync socket for {me}"))?;
        let (sink, stream) = socket.split();
        let (tx, rx) = mpsc::unbounded_channel();
        let storage_id = format!("bench-store-{}", me.as_str().replace('~', "-"));
        let worker = Worker {
            client: Client::new(me, storage_id, "bench".into()),
            sink,
            author,
            index,
            tracker,
            waiters: Vec::new(),
            bodies: HashMap::new(),
            dead: None,
            epoch: Instant::now(),
        };
        tokio::spawn(worker.run(stream, rx));
        Ok(Peer { tx })
    }

    fn send(&self, command: Command) {
        // A finished task answers nothing; `wait` reports that.
        let _ = self.tx.send(command);
    }

    pub fn create(&self, docs: Vec<(DocumentId, Automerge)>) {
        self.send(Command::Create(docs));
    }

    pub fn request(&self, docs: Vec<DocumentId>) {
        self.send(Command::Request(docs));
    }

    pub fn edit(&self, doc: DocumentId, edit: u64, marker: Arc<str>) {
        self.send(Command::Edit { doc, edit, marker });
    }

    /// Waits for `goal`; fails if the connection drops or a document is
    /// unavailable. Callers bound this with a timeout.
    pub async fn wait(&self, goal: Goal) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.send(Command::Await(goal, done));
        answer
            .await
            .map_err(|_| anyhow!("the client task ended"))?
            .map_err(|e| anyhow!(e))
    }

    /// The note's body text as this client has it.
    pub async fn body(&self, doc: &DocumentId) -> Option<String> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Body(doc.clone(), reply));
        answer.await.ok().flatten()
    }

    /// Closes the socket and ends the task.
    pub async fn close(self) {
        let (done, answer) = oneshot::channel();
        self.send(Command::Close(done));
        let _ = answer.await;
    }
}

struct Waiter {
    goal: Goal,
    /// Documents not there yet (unused for `Online`).
    remaining: HashSet<DocumentId>,
    done: oneshot::Sender<Result<(), String>>,
}

enum Check {
    Met,
    NotYet,
    Failed(String),
}

struct Worker {
    client: Client,
    sink: SplitSink<Socket, WsMessage>,
    author: String,
    index: usize,
    tracker: Arc<Tracker>,
    waiters: Vec<Waiter>,
    /// Each note's body text object, once known.
    bodies: HashMap<DocumentId, ObjId>,
    /// Why the connection is gone, once it is.
    dead: Option<String>,
    epoch: Instant,
}

impl Worker {
    async fn run(
        mut self,
        mut stream: SplitStream<Socket>,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) {
        let hello = self.client.connected();
        self.apply(hello, None).await;
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    None => break,
                    Some(Command::Close(done)) => {
                        let _ = self.sink.close().await;
                        let _ = done.send(());
                        break;
                    }
                    Some(command) => self.command(command).await,
                },
                frame = stream.next(), if self.dead.is_none() => match frame {
                    Some(Ok(WsMessage::Binary(bytes))) => self.frame(&bytes).await,
                    Some(Ok(WsMessage::Close(_))) | None => {
                        self.die("the relay closed the connection".into());
                    }
                    Some(Err(e)) => self.die(format!("socket error: {e}")),
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    async fn frame(&mut self, bytes: &[u8]) {
        let now_ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        match self.client.receive(bytes, now_ms) {
            Ok(effects) => {
                // The frame is merged: whatever it carried is visible now.
                let merged_at = Instant::now();
                self.apply(effects, Some(merged_at)).await;
            }
            Err(e) => self.die(format!("protocol error: {e}")),
        }
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Create(docs) => {
                let mut effects = Vec::new();
                for (id, doc) in docs {
                    // The benchmark registers its records before it makes them.
                    effects.extend(self.client.create(id.clone(), doc));
                    effects.extend(self.client.registration_accepted(&id));
                }
                self.apply(effects, None).await;
            }
            Command::Request(ids) => {
                let mut effects = Vec::new();
                for id in ids {
                    effects.extend(self.client.request(id));
                }
                self.apply(effects, None).await;
            }
            Command::Await(goal, done) => self.add_waiter(goal, done),
            Command::Edit { doc, edit, marker } => self.edit(doc, edit, &marker).await,
            Command::Body(doc, reply) => {
                let _ = reply.send(self.body_text(&doc));
            }
            Command::Close(_) => {}
        }
    }

    async fn edit(&mut self, doc: DocumentId, edit: u64, marker: &str) {
        let Some(body) = self.body(&doc) else {
            eprintln!("  client {}: no note body in {doc}", self.index);
            return;
        };
        self.tracker.sent(&doc, edit);
        let result = self.client.change(&doc, &self.author, 0, |tx| {
            let end = tx.length(&body);
            tx.splice_text(&body, end, 0, marker)
        });
        match result {
            Ok((_, effects)) => self.apply(effects, None).await,
            Err(e) => eprintln!("  client {}: edit failed: {e}", self.index),
        }
    }

    /// Carries out effects (and those they lead to), then reports markers
    /// and checks waiters for the documents they touched.
    async fn apply(&mut self, effects: Vec<Effect>, merged_at: Option<Instant>) {
        // A load generator keeps nothing on disk: writes are only confirmed.
        let settled = qalf_testing::sync::settle(&mut self.client, None, effects);
        for frame in settled.frames {
            if self.dead.is_none()
                && let Err(e) = self.sink.feed(WsMessage::Binary(frame.into())).await
            {
                self.die(format!("sending failed: {e}"));
            }
        }
        if self.dead.is_none()
            && let Err(e) = self.sink.flush().await
        {
            self.die(format!("sending failed: {e}"));
        }
        if let Some(at) = merged_at {
            for doc in &settled.changed {
                self.report_markers(doc, at);
            }
        }
        self.check_waiters(&settled.touched.into_iter().collect());
    }

    fn report_markers(&mut self, doc: &DocumentId, at: Instant) {
        let awaited = self.tracker.awaited_by(doc, self.index);
        if awaited.is_empty() {
            return;
        }
        let Some(text) = self.body_text(doc) else {
            return;
        };
        let seen: Vec<u64> = awaited
            .into_iter()
            .filter(|(_, marker)| text.contains(&**marker))
            .map(|(edit, _)| edit)
            .collect();
        if !seen.is_empty() {
            self.tracker.seen(doc, self.index, &seen, at);
        }
    }

    fn body(&mut self, doc: &DocumentId) -> Option<ObjId> {
        if let Some(obj) = self.bodies.get(doc) {
            return Some(obj.clone());
        }
        let found = self.client.doc(doc)?.get(ROOT, note::BODY).ok()??;
        match found {
            (Value::Object(ObjType::Text), obj) => {
                self.bodies.insert(doc.clone(), obj.clone());
                Some(obj)
            }
            _ => None,
        }
    }

    fn body_text(&mut self, doc: &DocumentId) -> Option<String> {
        let obj = self.body(doc)?;
        self.client.doc(doc)?.text(&obj).ok()
    }

    fn check(&self, goal: &Goal, doc: &DocumentId) -> Check {
        let Some(status) = self.client.status(doc) else {
            return Check::Failed(format!("document {doc} is not open"));
        };
        match goal {
            Goal::Online => Check::Met,
            Goal::Synced(_) if status.synced => Check::Met,
            Goal::Ready(_) if status.availability == Availability::Ready => Check::Met,
            _ if status.availability == Availability::Unavailable => {
                Check::Failed(format!("the relay says document {doc} is unavailable"))
            }
            _ => Check::NotYet,
        }
    }

    fn add_waiter(&mut self, goal: Goal, done: oneshot::Sender<Result<(), String>>) {
        if let Some(why) = &self.dead {
            let _ = done.send(Err(why.clone()));
            return;
        }
        let docs = match &goal {
            Goal::Online => Vec::new(),
            Goal::Synced(docs) | Goal::Ready(docs) => docs.clone(),
        };
        let mut remaining = HashSet::new();
        for doc in docs {
            match self.check(&goal, &doc) {
                Check::Met => {}
                Check::NotYet => {
                    remaining.insert(doc);
                }
                Check::Failed(why) => {
                    let _ = done.send(Err(why));
                    return;
                }
            }
        }
        let met = match goal {
            Goal::Online => self.client.is_online(),
            _ => remaining.is_empty(),
        };
        if met {
            let _ = done.send(Ok(()));
        } else {
            self.waiters.push(Waiter {
                goal,
                remaining,
                done,
            });
        }
    }

    fn check_waiters(&mut self, touched: &HashSet<DocumentId>) {
        if self.waiters.is_empty() {
            return;
        }
        let online = self.client.is_online();
        for mut waiter in std::mem::take(&mut self.waiters) {
            let mut failed = None;
            if !matches!(waiter.goal, Goal::Online) {
                for doc in touched {
                    if !waiter.remaining.contains(doc) {
                        continue;
                    }
                    match self.check(&waiter.goal, doc) {
                        Check::Met => {
                            waiter.remaining.remove(doc);
                        }
                        Check::NotYet => {}
                        Check::Failed(why) => failed = Some(why),
                    }
                }
            }
            let met = match waiter.goal {
                Goal::Online => online,
                _ => waiter.remaining.is_empty(),
            };
            if let Some(why) = failed {
                let _ = waiter.done.send(Err(why));
            } else if met {
                let _ = waiter.done.send(Ok(()));
            } else {
                self.waiters.push(waiter);
            }
        }
    }

    /// The connection is gone: every waiter fails with the reason.
    fn die(&mut self, why: String) {
        if self.dead.is_some() {
            return;
        }
        let _ = self.client.disconnected();
        for waiter in self.waiters.drain(..) {
            let _ = waiter.done.send(Err(why.clone()));
        }
        self.dead = Some(why);
    }
}
