//! A sync peer for tests: the app's own sans-IO client (`qalf_shared::sync`)
//! driven over a real WebSocket to the relay, with an in-memory store.

use std::collections::BTreeMap;
use std::time::Duration;

use automerge::Automerge;
use futures::{SinkExt, StreamExt};
use qalf_shared::api::SyncTicket;
use qalf_shared::org::PersonId;
use qalf_shared::sync::{Client, DocumentId, Effect, PeerId, StorageKey};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::harness::TestApp;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct SyncPeer {
    pub client: Client,
    /// Whose device this is (changes are made in their name).
    pub person: PersonId,
    pub storage: BTreeMap<StorageKey, Vec<u8>>,
    socket: Option<Socket>,
    /// Every frame received, for tests that check what reached the device.
    pub received: Vec<Vec<u8>>,
    pub closed: bool,
}

impl SyncPeer {
    /// A device of `person`, signed in through `http`, connected to the relay.
    pub async fn connect(app: &TestApp, http: &reqwest::Client, person: &PersonId) -> SyncPeer {
        let peer = PeerId::for_person(person, &format!("dev{}", rand_suffix()));
        let mut me = SyncPeer {
            client: Client::new(peer, format!("store-{person}"), "session".into()),
            person: person.clone(),
            storage: BTreeMap::new(),
            socket: None,
            received: Vec::new(),
            closed: false,
        };
        me.open_socket(app, http).await;
        me
    }

    pub async fn open_socket(&mut self, app: &TestApp, http: &reqwest::Client) {
        let ticket: SyncTicket = http
            .post(app.url("/api/sync/ticket"))
            .json(&serde_json::json!({ "peer_id": self.client.peer_id().as_str() }))
            .send()
            .await
            .expect("ticket request")
            .error_for_status()
            .expect("ticket issued")
            .json()
            .await
            .expect("ticket body");
        let url = format!("ws://{}/sync?ticket={}", app.server.addr, ticket.ticket);
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("socket");
        self.socket = Some(socket);
        self.closed = false;
        let effects = self.client.connected();
        self.apply(effects).await;
    }

    pub async fn apply(&mut self, effects: Vec<Effect>) {
        let settled =
            qalf_testing::sync::settle(&mut self.client, Some(&mut self.storage), effects);
        for frame in settled.frames {
            if let Some(socket) = &mut self.socket
                && socket.send(WsMessage::Binary(frame.into())).await.is_err()
            {
                self.closed = true;
            }
        }
    }

    /// Makes a record the test has registered over HTTP.
    pub async fn create(&mut self, id: DocumentId, doc: Automerge) {
        let mut effects = self.client.create(id.clone(), doc);
        effects.extend(self.client.registration_accepted(&id));
        self.apply(effects).await;
    }

    /// Makes a record on this device without its registration yet.
    pub async fn create_unregistered(&mut self, id: DocumentId, doc: Automerge) {
        let effects = self.client.create(id, doc);
        self.apply(effects).await;
    }

    /// Makes a change in this device's person's name and sends it.
    pub async fn change<T, E: std::fmt::Display>(
        &mut self,
        id: &DocumentId,
        edit: impl FnOnce(&mut automerge::AutoCommit) -> Result<T, E>,
    ) -> T {
        let author = self.person.to_string();
        let (value, effects) = self
            .client
            .change(id, &author, 0, edit)
            .expect("the document is open");
        self.apply(effects).await;
        value
    }

    /// Edits an open document as `author` and commits the edit at once.
    pub async fn edit<T, E: std::fmt::Display>(
        &mut self,
        id: &DocumentId,
        author: &PersonId,
        edit: impl FnOnce(&mut automerge::AutoCommit) -> Result<T, E>,
    ) -> T {
        let (value, effects) = self
            .client
            .edit(id, author.as_str(), 1_790_000_000, edit)
            .expect("the document is open");
        self.apply(effects).await;
        let effects = self.client.commit(id);
        self.apply(effects).await;
        value
    }

    /// Waits until the relay holds everything this peer has of `id`.
    pub async fn synced(&mut self, id: &DocumentId) {
        self.pump_until("the relay to hold our changes", |p| {
            p.client.status(id).is_some_and(|s| s.synced)
        })
        .await;
    }

    pub async fn request(&mut self, id: DocumentId) {
        let effects = self.client.request(id);
        self.apply(effects).await;
    }

    /// Asks for a record and waits until this device holds it.
    pub async fn open(&mut self, id: &DocumentId) {
        self.request(id.clone()).await;
        self.pump_until("the record", |p| {
            p.client
                .status(id)
                .is_some_and(|s| s.availability == qalf_shared::sync::Availability::Ready)
        })
        .await;
    }

    /// Asks for a document afresh (after a grant widened).
    pub async fn client_resync(&mut self, id: &DocumentId) {
        let effects = self.client.resync(id);
        self.apply(effects).await;
    }

    /// Receives frames until `done` holds or the deadline passes.
    pub async fn pump_until(&mut self, what: &str, mut done: impl FnMut(&SyncPeer) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(self) {
            let Some(socket) = &mut self.socket else {
                panic!("waiting for {what}, but the socket is closed");
            };
            let next = tokio::time::timeout_at(deadline, socket.next()).await;
            match next {
                Err(_) => panic!("timed out waiting for {what}"),
                Ok(Some(Ok(WsMessage::Binary(frame)))) => {
                    self.received.push(frame.to_vec());
                    let effects = self.client.receive(&frame, 0).expect("valid frame");
                    self.apply(effects).await;
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => {
                    self.closed = true;
                    self.socket = None;
                    let effects = self.client.disconnected();
                    self.apply(effects).await;
                    if !done(self) {
                        panic!("socket closed while waiting for {what}");
                    }
                }
            }
        }
    }

    /// Receives whatever arrives within `window`; for asserting that nothing
    /// (of some kind) comes.
    pub async fn pump_for(&mut self, window: Duration) {
        let until = tokio::time::Instant::now() + window;
        while let Some(socket) = &mut self.socket {
            match tokio::time::timeout_at(until, socket.next()).await {
                Err(_) => return,
                Ok(Some(Ok(WsMessage::Binary(frame)))) => {
                    self.received.push(frame.to_vec());
                    if let Ok(effects) = self.client.receive(&frame, 0) {
                        self.apply(effects).await;
                    }
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => {
                    self.closed = true;
                    self.socket = None;
                    return;
                }
            }
        }
    }

    /// Sends raw bytes as one binary frame.
    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        if let Some(socket) = &mut self.socket {
            let _sent = socket.send(WsMessage::Binary(bytes.into())).await;
        }
    }
}

fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
