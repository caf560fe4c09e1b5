//! The connection to the relay: a one-time ticket over HTTP, then the
//! WebSocket. Reconnects with backoff; drops the socket on the browser's
//! `offline` event and tries again at once on `online`. Before each
//! connection it registers records made offline, and after it asks for any
//! record the server lists that this device does not have yet.

use futures::StreamExt;
use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use js_sys::{ArrayBuffer, Uint8Array};
use leptos::prelude::GetUntracked;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use qalf_shared::audit::document::set_scalar;
use qalf_shared::sync::DocumentId;

use super::{LinkState, Repo, idb, now_ms};
use crate::api::{self, ApiError};

const FIRST_BACKOFF_MS: u32 = 500;
const MAX_BACKOFF_MS: u32 = 30_000;

enum Event {
    Opened(u32),
    Frame(u32, Vec<u8>),
    Closed(u32),
    Online,
    Offline,
    /// The person signed in again after their session expired.
    Renewed,
    Stop,
}

#[derive(Default)]
pub struct LinkHandle {
    socket: Option<WebSocket>,
    events: Option<UnboundedSender<Event>>,
    /// Kept alive as long as the socket.
    _callbacks: Vec<Closure<dyn FnMut(JsValueEvent)>>,
}

type JsValueEvent = wasm_bindgen::JsValue;

impl LinkHandle {
    pub fn send(&self, frame: &[u8]) {
        if let Some(socket) = &self.socket
            && socket.ready_state() == WebSocket::OPEN
            && socket.send_with_u8_array(frame).is_err()
        {
            // The close event follows; the client resyncs on reconnection.
            leptos::logging::warn!("a sync frame could not be sent");
        }
    }

    pub fn close(&self) {
        if let Some(socket) = &self.socket {
            detach(socket);
            let _closed = socket.close();
        }
        if let Some(events) = &self.events {
            let _sent = events.unbounded_send(Event::Stop);
        }
    }

    /// The session was renewed: try again now.
    pub fn renewed(&self) {
        if let Some(events) = &self.events {
            let _sent = events.unbounded_send(Event::Renewed);
        }
    }
}

/// Unhooks our callbacks from a socket, so that events after we let go of it
/// (a late `close`) never call into dropped closures.
fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
}

impl Drop for LinkHandle {
    fn drop(&mut self) {
        if let Some(socket) = self.socket.take() {
            detach(&socket);
            let _closed = socket.close();
        }
    }
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

pub fn spawn(repo: &Repo) {
    let (events, queue) = mpsc::unbounded();
    repo.link().borrow_mut().events = Some(events.clone());
    watch_network(events.clone());
    let weak = repo.downgrade();
    leptos::task::spawn_local(async move {
        run(weak, queue, events).await;
    });
}

fn watch_network(events: UnboundedSender<Event>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    for (name, online) in [("online", true), ("offline", false)] {
        let events = events.clone();
        let handler = Closure::<dyn FnMut()>::new(move || {
            let _sent = events.unbounded_send(if online {
                Event::Online
            } else {
                Event::Offline
            });
        });
        let _registered =
            window.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        handler.forget();
    }
}

/// Waits for an event, or for `ms` to pass (`None`).
async fn next_or_timeout(queue: &mut UnboundedReceiver<Event>, ms: u32) -> Option<Event> {
    let timeout = gloo_timers::future::TimeoutFuture::new(ms);
    futures::pin_mut!(timeout);
    match futures::future::select(queue.next(), timeout).await {
        futures::future::Either::Left((event, _)) => event,
        futures::future::Either::Right(_) => None,
    }
}

async fn run(
    weak: std::rc::Weak<super::Inner>,
    mut queue: UnboundedReceiver<Event>,
    events: UnboundedSender<Event>,
) {
    let mut backoff = FIRST_BACKOFF_MS;
    let mut generation = 0u32;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let repo = Repo::from_inner(inner);
        if repo.is_stopped() {
            return;
        }
        if !navigator_online() {
            repo.set_link(LinkState::Offline);
            drop(repo);
            // Wait for the network (checking now and then: not every browser
            // fires `online` reliably).
            if let Some(Event::Stop) = next_or_timeout(&mut queue, 5_000).await {
                return;
            }
            continue;
        }
        repo.set_link(LinkState::Connecting);
        // Safety alerts go first, before anything else is sent.
        send_alerts(&repo).await;
        register_outbox(&repo).await;
        let peer = repo.client().borrow().peer_id().to_string();
        let ticket = match api::sync_ticket(peer).await {
            Ok(ticket) => ticket,
            // They left the staff list: starting again asks the server who
            // is signed in, which deletes this device's copy of their
            // records.
            Err(ApiError::Departed) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
                return;
            }
            Err(ApiError::Unauthorized) => {
                repo.set_link(LinkState::SessionExpired);
                drop(repo);
                loop {
                    match queue.next().await {
                        Some(Event::Renewed) => break,
                        Some(Event::Stop) | None => return,
                        _ => {}
                    }
                }
                continue;
            }
            Err(_) => {
                repo.set_link(LinkState::Offline);
                drop(repo);
                if let Some(Event::Stop) = next_or_timeout(&mut queue, jitter(backoff)).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF_MS);
                continue;
            }
        };
        generation += 1;
        let Some(socket) = open_socket(&repo, &ticket, generation, &events) else {
            repo.set_link(LinkState::Offline);
            drop(repo);
            if let Some(Event::Stop) = next_or_timeout(&mut queue, jitter(backoff)).await {
                return;
            }
            backoff = (backoff * 2).min(MAX_BACKOFF_MS);
            continue;
        };
        drop(repo);
        let stop = serve(&weak, &mut queue, &socket, generation, &mut backoff).await;
        let Some(inner) = weak.upgrade() else { return };
        let repo = Repo::from_inner(inner);
        if let Some(old) = repo.link().borrow_mut().socket.take() {
            detach(&old);
        }
        let effects = repo.client().borrow_mut().disconnected();
        repo.apply(effects);
        repo.set_link(LinkState::Offline);
        drop(repo);
        if stop {
            return;
        }
        if let Some(Event::Stop) = next_or_timeout(&mut queue, jitter(backoff)).await {
            return;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF_MS);
    }
}

/// Handles one socket until it closes. True if the repository stopped.
async fn serve(
    weak: &std::rc::Weak<super::Inner>,
    queue: &mut UnboundedReceiver<Event>,
    socket: &WebSocket,
    generation: u32,
    backoff: &mut u32,
) -> bool {
    while let Some(event) = queue.next().await {
        let Some(inner) = weak.upgrade() else {
            return true;
        };
        let repo = Repo::from_inner(inner);
        match event {
            Event::Opened(g) if g == generation => {
                *backoff = FIRST_BACKOFF_MS;
                repo.set_link(LinkState::Online);
                let effects = repo.client().borrow_mut().connected();
                repo.apply(effects);
                let repo = repo.clone();
                leptos::task::spawn_local(async move { fetch_listed_records(&repo).await });
            }
            Event::Frame(g, frame) if g == generation => {
                let received = repo.client().borrow_mut().receive(&frame, now_ms());
                match received {
                    Ok(effects) => repo.apply(effects),
                    Err(e) => {
                        // Says what kind of problem, never what the frame held.
                        leptos::logging::warn!("closing the sync connection: {e}");
                        let _closed = socket.close();
                    }
                }
            }
            Event::Closed(g) if g == generation => return false,
            Event::Offline => {
                let _closed = socket.close();
                return false;
            }
            Event::Stop => {
                let _closed = socket.close();
                return true;
            }
            _ => {}
        }
    }
    true
}

fn jitter(ms: u32) -> u32 {
    ms / 2 + (js_sys::Math::random() * f64::from(ms / 2)) as u32
}

fn open_socket(
    repo: &Repo,
    ticket: &str,
    generation: u32,
    events: &UnboundedSender<Event>,
) -> Option<WebSocket> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let url = format!("{scheme}://{}/sync?ticket={ticket}", location.host().ok()?);
    let socket = WebSocket::new(&url).ok()?;
    socket.set_binary_type(BinaryType::Arraybuffer);
    let on_open = {
        let events = events.clone();
        Closure::<dyn FnMut(JsValueEvent)>::new(move |_| {
            let _sent = events.unbounded_send(Event::Opened(generation));
        })
    };
    let on_message = {
        let events = events.clone();
        Closure::<dyn FnMut(JsValueEvent)>::new(move |event: JsValueEvent| {
            let Ok(event) = event.dyn_into::<MessageEvent>() else {
                return;
            };
            let Ok(buffer) = event.data().dyn_into::<ArrayBuffer>() else {
                return;
            };
            let frame = Uint8Array::new(&buffer).to_vec();
            let _sent = events.unbounded_send(Event::Frame(generation, frame));
        })
    };
    let on_close = {
        let events = events.clone();
        Closure::<dyn FnMut(JsValueEvent)>::new(move |_| {
            let _sent = events.unbounded_send(Event::Closed(generation));
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut link = repo.link().borrow_mut();
    if let Some(old) = link.socket.replace(socket.clone()) {
        detach(&old);
    }
    link._callbacks = vec![on_open, on_message, on_close];
    Some(socket)
}

/// Delivers safety alerts raised on this device (R-AUDIT-5) and writes who
/// was alerted, and when, into the audit.
pub async fn send_alerts(repo: &Repo) {
    let Ok(queued) = repo.store().queue(idb::ALERTS).await else {
        return;
    };
    for (id, json) in queued {
        let Ok(alert) = serde_json::from_str::<qalf_shared::api::RaiseAlert>(&json) else {
            continue;
        };
        match api::raise_alert(&alert).await {
            Ok(delivered) => {
                if let Ok(audit) = DocumentId::parse(&alert.audit) {
                    let path = qalf_shared::audit::document::path::safety_alert(&id);
                    repo.edit(&audit, |d| {
                        set_scalar(
                            d,
                            &path,
                            "alerted",
                            Some(delivered.head_of_service_name.clone().into()),
                        )?;
                        set_scalar(d, &path, "alerted_at", Some(delivered.alerted_at.into()))
                    });
                    repo.commit(&audit);
                }
                if let Err(e) = repo.store().queue_remove(idb::ALERTS, &id).await {
                    repo.storage_failed(&e);
                }
            }
            Err(ApiError::Unreachable | ApiError::Unauthorized | ApiError::Departed) => break,
            Err(ApiError::Server(message)) => {
                leptos::logging::error!("the server refused a safety alert: {message}");
            }
        }
    }
    repo.refresh_queued_alerts().await;
}

/// Registers records made on this device that the server does not know yet.
/// One sender at a time: a call while the outbox is being sent makes the
/// sender go through it once more instead.
pub async fn register_outbox(repo: &Repo) {
    use super::Registering;
    let state = repo.registering();
    if state.get() != Registering::Idle {
        state.set(Registering::SendingThenAgain);
        return;
    }
    loop {
        state.set(Registering::Sending);
        send_outbox(repo).await;
        if state.get() == Registering::Sending {
            break;
        }
    }
    state.set(Registering::Idle);
}

async fn send_outbox(repo: &Repo) {
    let Ok(outbox) = repo.store().queue(idb::OUTBOX).await else {
        return;
    };
    for (id, json) in outbox {
        let Ok(id) = DocumentId::parse(&id) else {
            continue;
        };
        match api::register_record(json).await {
            Ok(()) => {
                if let Err(e) = repo
                    .store()
                    .queue_remove(idb::OUTBOX, &id.to_string())
                    .await
                {
                    repo.storage_failed(&e);
                }
                let effects = repo.client().borrow_mut().registration_accepted(&id);
                repo.apply(effects);
            }
            Err(ApiError::Unreachable | ApiError::Unauthorized | ApiError::Departed) => return,
            Err(ApiError::Server(message)) => {
                // Kept, so nothing is lost, and never sent (the id may be
                // someone else's); the registration is tried again next time.
                leptos::logging::error!("the server refused a record registration: {message}");
                let effects = repo.client().borrow_mut().registration_refused(&id);
                repo.apply(effects);
            }
        }
    }
}

/// Asks the relay for every record the server lists for us that this
/// device does not hold yet (new allocations, shared notes), and deletes
/// from the device those it holds that the server no longer lists (access
/// withdrawn) — apart from records made here whose registration has not
/// been accepted, which are the device's own until it is.
async fn fetch_listed_records(repo: &Repo) {
    // Taken before asking: a record registered after the question is not
    // in the answer, and must not be mistaken for one withdrawn. Only
    // records with content here count (one asked for and refused is shown
    // as such, not deleted).
    let held: Vec<DocumentId> = repo
        .index()
        .get_untracked()
        .into_iter()
        .filter(|id| {
            repo.client().borrow().status(id).is_some_and(|s| {
                s.registration == qalf_shared::sync::Registration::Accepted
                    && s.availability == qalf_shared::sync::Availability::Ready
            })
        })
        .collect();
    let Ok(records) = api::records().await else {
        return;
    };
    let listed: std::collections::BTreeSet<DocumentId> =
        records.iter().map(|meta| meta.id.clone()).collect();
    let withdrawn: Vec<DocumentId> = held.into_iter().filter(|id| !listed.contains(id)).collect();
    for id in withdrawn {
        repo.forget_withdrawn(&id).await;
    }
    for meta in records {
        repo.open(&meta.id).await;
    }
}
