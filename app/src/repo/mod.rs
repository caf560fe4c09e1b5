//! The browser's document repository: the sans-IO sync client from
//! `qalf-shared`, wired to IndexedDB ([`idb`]), the relay's WebSocket
//! ([`link`]) and the other tabs of this browser ([`tabs`]), with Leptos
//! signals for the views.
//!
//! Nothing typed is lost: every edit is in the document at once, committed
//! after a pause in typing (or when the field loses focus or the page is
//! hidden), written to IndexedDB before the status says "saved on this
//! device", and sent whenever a connection exists. "Synced" appears only when
//! the server has told us it holds every change.

mod attend;
pub mod idb;
mod link;
mod random;
mod tabs;

pub use random::bytes as random_bytes;
mod writer;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use automerge::{AutoCommit, Automerge};
use futures::channel::mpsc;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use qalf_shared::access::RecordMeta;
use qalf_shared::api::Me;
use qalf_shared::sync::{Client, DocStatus, DocumentId, Effect, PeerId, Presence, Write};
use send_wrapper::SendWrapper;

use self::idb::{DocStore, StoreError};

/// How long typing may pause before the edits become one change.
const COMMIT_AFTER_MS: u32 = 400;

/// What the views watch for one document.
#[derive(Clone)]
pub struct DocSignals {
    /// Bumped whenever the content changes (here or from a peer).
    pub revision: ArcRwSignal<u64>,
    pub status: ArcRwSignal<Option<DocStatus>>,
    /// Other people in the document and the field they are in.
    pub presence: ArcRwSignal<Vec<Presence>>,
}

/// The connection to the relay, as the person sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// No network, or the server cannot be reached.
    Offline,
    Connecting,
    Online,
    /// The session ended: sign in again to sync (nothing local is lost).
    SessionExpired,
}

/// Everything on this device, summed up for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub link: LinkState,
    /// Changes the server does not hold yet, over all documents.
    pub waiting: usize,
    /// Documents with edits not yet in local storage.
    pub unsaved: usize,
    /// Local storage is failing (e.g. full); edits stay in this tab.
    pub storage_error: Option<String>,
}

/// A handle on the repository. The browser runs it on one thread; the
/// wrapper lets views hold it where Leptos asks for `Send`.
#[derive(Clone)]
pub struct Repo(SendWrapper<Rc<Inner>>);

pub(crate) struct Inner {
    me: Me,
    client: RefCell<Client>,
    store: DocStore,
    signals: RefCell<HashMap<DocumentId, DocSignals>>,
    /// Documents open on this device, for lists.
    index: ArcRwSignal<Vec<DocumentId>>,
    overview: ArcRwSignal<Overview>,
    queued_alerts: ArcRwSignal<Vec<String>>,
    writes: mpsc::UnboundedSender<Write>,
    link: RefCell<link::LinkHandle>,
    commit_timers: RefCell<HashMap<DocumentId, Timeout>>,
    tabs: Option<tabs::Tabs>,
    stopped: Cell<bool>,
    /// The outbox is being sent; a second sender only asks it to go again
    /// (two at once would register one record twice).
    registering: Cell<Registering>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registering {
    Idle,
    Sending,
    SendingThenAgain,
}

thread_local! {
    static CURRENT: RefCell<Option<Repo>> = const { RefCell::new(None) };
}

/// The running repository, if someone is signed in.
pub fn current() -> Option<Repo> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The running repository. Views are only shown once it has started.
pub fn use_repo() -> Repo {
    current().expect("the repository is started before any view uses it")
}

/// A fresh document id.
pub fn new_document_id() -> DocumentId {
    random::document_id()
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

impl Repo {
    /// Opens this person's storage, loads every document on the device and
    /// starts syncing.
    pub async fn start(me: Me) -> Result<Repo, StoreError> {
        request_persistent_storage();
        let store = DocStore::open(&me.id).await?;
        let peer = PeerId::for_person(&me.id, &random::token(8));
        let client = Client::new(peer, random::storage_id(&me.id), random::token(12));
        let (writes, write_queue) = mpsc::unbounded();
        let repo = Repo::from_inner(Rc::new(Inner {
            me,
            client: RefCell::new(client),
            store,
            signals: RefCell::new(HashMap::new()),
            index: ArcRwSignal::new(Vec::new()),
            overview: ArcRwSignal::new(Overview {
                link: LinkState::Offline,
                waiting: 0,
                unsaved: 0,
                storage_error: None,
            }),
            queued_alerts: ArcRwSignal::new(Vec::new()),
            writes,
            link: RefCell::new(link::LinkHandle::default()),
            commit_timers: RefCell::new(HashMap::new()),
            tabs: None,
            stopped: Cell::new(false),
            registering: Cell::new(Registering::Idle),
        }));
        let repo = repo.with_tabs();
        CURRENT.with(|c| *c.borrow_mut() = Some(repo.clone()));
        for id in repo.0.store.documents().await? {
            repo.load(&id).await;
        }
        repo.refresh_queued_alerts().await;
        writer::spawn(repo.clone(), write_queue);
        link::spawn(&repo);
        repo.spawn_ticker();
        repo.watch_page_lifecycle();
        Ok(repo)
    }

    fn with_tabs(self) -> Repo {
        let tabs = tabs::Tabs::open(&self.0.me.id, Rc::downgrade(&*self.0));
        match Rc::try_unwrap(self.0.take()) {
            Ok(mut inner) => {
                inner.tabs = tabs;
                Repo::from_inner(Rc::new(inner))
            }
            Err(rc) => Repo::from_inner(rc),
        }
    }

    pub fn me(&self) -> &Me {
        &self.0.me
    }

    pub fn index(&self) -> ArcRwSignal<Vec<DocumentId>> {
        self.0.index.clone()
    }

    pub fn overview(&self) -> ArcRwSignal<Overview> {
        self.0.overview.clone()
    }

    /// The signals of one document (created on first use).
    pub fn signals(&self, id: &DocumentId) -> DocSignals {
        self.0
            .signals
            .borrow_mut()
            .entry(id.clone())
            .or_insert_with(|| DocSignals {
                revision: ArcRwSignal::new(0),
                status: ArcRwSignal::new(self.0.client.borrow().status(id)),
                presence: ArcRwSignal::new(Vec::new()),
            })
            .clone()
    }

    /// Reads a document, if it is open on this device.
    pub fn read<R>(&self, id: &DocumentId, f: impl FnOnce(&AutoCommit) -> R) -> Option<R> {
        self.0.client.borrow().doc(id).map(f)
    }

    /// Opens a document: from this device's storage if it is here, otherwise
    /// by asking the server.
    pub async fn open(&self, id: &DocumentId) {
        if self.0.client.borrow().doc(id).is_some() {
            return;
        }
        if !self.load(id).await {
            let effects = self.0.client.borrow_mut().request(id.clone());
            self.note_document(id);
            self.apply(effects);
        }
    }

    /// Loads a document from storage; false if the device has none of it.
    async fn load(&self, id: &DocumentId) -> bool {
        let chunks = match self.0.store.load(id).await {
            Ok(chunks) => chunks,
            Err(e) => {
                self.storage_failed(&e);
                return false;
            }
        };
        if chunks.is_empty() {
            return false;
        }
        let loaded = self.0.client.borrow_mut().load(id.clone(), chunks);
        match loaded {
            Ok(mut effects) => {
                // Made here (or in another tab) and not registered yet: it
                // stays on the device until the server accepts it.
                let unregistered = self
                    .0
                    .store
                    .queue(idb::OUTBOX)
                    .await
                    .is_ok_and(|outbox| outbox.iter().any(|(key, _)| *key == id.to_string()));
                if unregistered {
                    effects.extend(self.0.client.borrow_mut().hold_until_registered(id));
                }
                self.note_document(id);
                self.apply(effects);
                true
            }
            Err(e) => {
                leptos::logging::error!("document {id} could not be loaded: {e}");
                false
            }
        }
    }

    /// Re-reads chunks another tab wrote.
    pub(crate) async fn merge_from_storage(&self, id: &DocumentId) {
        if self.0.client.borrow().doc(id).is_none() {
            self.load(id).await;
            return;
        }
        let Ok(chunks) = self.0.store.load(id).await else {
            return;
        };
        let merged = self.0.client.borrow_mut().merge_from_storage(id, chunks);
        match merged {
            Ok(effects) => self.apply(effects),
            Err(e) => leptos::logging::error!("merging {id} from another tab failed: {e}"),
        }
    }

    fn note_document(&self, id: &DocumentId) {
        let known = self.0.index.with_untracked(|ids| ids.contains(id));
        if !known {
            self.0.index.update(|ids| ids.push(id.clone()));
        }
    }

    /// Deletes a record this person may no longer see from the device.
    /// Changes to it not yet sent go too: the server would refuse them.
    pub async fn forget_withdrawn(&self, id: &DocumentId) {
        self.0.client.borrow_mut().close(id);
        self.0.index.update(|ids| ids.retain(|d| d != id));
        if let Some(signals) = self.0.signals.borrow().get(id) {
            signals.status.set(None);
            signals.revision.update(|r| *r += 1);
        }
        match self.0.store.delete_document(id).await {
            Ok(()) => leptos::logging::log!(
                "a record no longer shared with you was removed from this device"
            ),
            Err(e) => self.storage_failed(&e),
        }
    }

    /// Adds a record made on this device, and queues its registration with
    /// the server (sent now if online, or on the next connection).
    pub async fn create(&self, meta: RecordMeta, doc: Automerge) -> Result<(), StoreError> {
        let json = serde_json::to_string(&meta).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.0
            .store
            .queue_put(idb::OUTBOX, &meta.id.to_string(), &json)
            .await?;
        let effects = self.0.client.borrow_mut().create(meta.id.clone(), doc);
        self.note_document(&meta.id);
        self.apply(effects);
        link::register_outbox(self).await;
        Ok(())
    }

    /// Raises a safety alert on an audit (R-AUDIT-5): it goes into the audit
    /// at once, and to the Head of Service now if online, or first thing
    /// when the network returns (queued on this device meanwhile).
    pub async fn raise_alert(&self, audit: &DocumentId, concern: &str) -> Result<(), StoreError> {
        let alert = qalf_shared::audit::document::SafetyAlert {
            id: format!("alert-{}", random::token(12)),
            raised_by: self.0.me.id.clone(),
            raised_at: crate::clock::now_secs(),
            concern: concern.trim().to_string(),
            alerted: None,
            alerted_at: None,
        };
        let request = qalf_shared::api::RaiseAlert {
            id: alert.id.clone(),
            audit: audit.to_string(),
            concern: alert.concern.clone(),
            raised_at: alert.raised_at,
        };
        let json =
            serde_json::to_string(&request).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.0
            .store
            .queue_put(idb::ALERTS, &alert.id, &json)
            .await?;
        self.edit(audit, |d| {
            qalf_shared::audit::document::add_safety_alert(d, &alert)
        });
        self.commit(audit);
        self.refresh_queued_alerts().await;
        link::send_alerts(self).await;
        Ok(())
    }

    /// Asks the server again for a document it refused before (access may
    /// have been granted since).
    pub fn resync(&self, id: &DocumentId) {
        let effects = self.0.client.borrow_mut().resync(id);
        self.apply(effects);
    }

    /// Asks again for every document the server refused.
    pub fn resync_all(&self) {
        let refused: Vec<DocumentId> = {
            let client = self.0.client.borrow();
            client
                .documents()
                .filter(|id| {
                    client.status(id).is_some_and(|s| {
                        s.availability == qalf_shared::sync::Availability::Unavailable
                    })
                })
                .cloned()
                .collect()
        };
        for id in refused {
            self.resync(&id);
        }
    }

    /// Ids of alerts raised on this device and not yet delivered.
    pub fn queued_alerts(&self) -> ArcRwSignal<Vec<String>> {
        self.0.queued_alerts.clone()
    }

    pub(crate) async fn refresh_queued_alerts(&self) {
        let ids: Vec<String> = self
            .0
            .store
            .queue(idb::ALERTS)
            .await
            .map(|q| q.into_iter().map(|(id, _)| id).collect())
            .unwrap_or_default();
        self.0.queued_alerts.set(ids);
    }

    /// Applies an edit at once; it is committed after a pause in typing.
    pub fn edit<T, E: std::fmt::Display>(
        &self,
        id: &DocumentId,
        edit: impl FnOnce(&mut AutoCommit) -> Result<T, E>,
    ) -> Option<T> {
        let result = self.0.client.borrow_mut().edit(
            id,
            self.0.me.id.as_str(),
            (now_ms() / 1000) as i64,
            edit,
        );
        match result {
            Ok((value, effects)) => {
                self.apply(effects);
                self.bump(id);
                self.schedule_commit(id);
                Some(value)
            }
            Err(e) => {
                leptos::logging::error!("edit to {id} failed: {e}");
                None
            }
        }
    }

    fn schedule_commit(&self, id: &DocumentId) {
        let repo = Rc::downgrade(&*self.0);
        let doc = id.clone();
        let timer = Timeout::new(COMMIT_AFTER_MS, move || {
            if let Some(inner) = repo.upgrade() {
                Repo::from_inner(inner).commit(&doc);
            }
        });
        self.0.commit_timers.borrow_mut().insert(id.clone(), timer);
    }

    /// Commits a document's pending edits now (a field lost focus).
    pub fn commit(&self, id: &DocumentId) {
        self.0.commit_timers.borrow_mut().remove(id);
        let effects = self.0.client.borrow_mut().commit(id);
        self.apply(effects);
    }

    /// Commits everything pending (the page is being hidden or closed).
    pub fn commit_all(&self) {
        self.0.commit_timers.borrow_mut().clear();
        let effects = self.0.client.borrow_mut().commit_all();
        self.apply(effects);
    }

    /// Says which field we are in (or none), for the others in the document.
    pub fn set_presence(&self, id: &DocumentId, field: Option<String>) {
        let presence = Presence {
            person: self.0.me.id.clone(),
            name: self.0.me.name.clone(),
            field,
        };
        let effects = self
            .0
            .client
            .borrow_mut()
            .set_presence(id, presence, now_ms());
        self.apply(effects);
    }

    pub fn leave(&self, id: &DocumentId) {
        self.0.client.borrow_mut().clear_presence(id);
    }

    fn bump(&self, id: &DocumentId) {
        self.signals(id).revision.update(|r| *r += 1);
    }

    /// Carries out the client's effects.
    pub(crate) fn apply(&self, effects: Vec<Effect>) {
        let mut status_changed = false;
        for effect in effects {
            match effect {
                Effect::Send(frame) => self.0.link.borrow().send(&frame),
                Effect::Write(write) => {
                    if self.0.writes.unbounded_send(write).is_err() {
                        leptos::logging::error!("the storage writer has stopped");
                    }
                }
                Effect::Changed(id) => self.bump(&id),
                Effect::Status(id) | Effect::Unavailable(id) => {
                    let status = self.0.client.borrow().status(&id);
                    let signals = self.signals(&id);
                    if signals.status.get_untracked() != status {
                        signals.status.set(status);
                    }
                    status_changed = true;
                }
                Effect::PresenceChanged(id) => {
                    let presence = self.0.client.borrow().presence(&id);
                    self.signals(&id).presence.set(presence);
                }
            }
        }
        if status_changed {
            self.refresh_overview();
        }
    }

    fn refresh_overview(&self) {
        let client = self.0.client.borrow();
        let waiting = client.total_waiting();
        let unsaved = client
            .documents()
            .filter(|id| client.status(id).is_some_and(|s| !s.saved))
            .count();
        drop(client);
        self.0.overview.update(|o| {
            o.waiting = waiting;
            o.unsaved = unsaved;
        });
    }

    pub(crate) fn set_link(&self, link: LinkState) {
        if self.0.overview.with_untracked(|o| o.link != link) {
            self.0.overview.update(|o| o.link = link);
        }
    }

    pub(crate) fn storage_failed(&self, e: &StoreError) {
        let message = e.to_string();
        if self
            .0
            .overview
            .with_untracked(|o| o.storage_error.as_ref() != Some(&message))
        {
            self.0.overview.update(|o| o.storage_error = Some(message));
        }
    }

    pub(crate) fn storage_recovered(&self) {
        if self
            .0
            .overview
            .with_untracked(|o| o.storage_error.is_some())
        {
            self.0.overview.update(|o| o.storage_error = None);
        }
    }

    fn spawn_ticker(&self) {
        let repo = Rc::downgrade(&*self.0);
        leptos::task::spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                let Some(inner) = repo.upgrade() else { return };
                if inner.stopped.get() {
                    return;
                }
                let repo = Repo::from_inner(inner);
                let effects = repo.0.client.borrow_mut().tick(now_ms());
                repo.apply(effects);
            }
        });
    }

    /// Commits pending edits whenever the page may be about to go away.
    fn watch_page_lifecycle(&self) {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let Some(window) = web_sys::window() else {
            return;
        };
        let repo = Rc::downgrade(&*self.0);
        let handler = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = repo.upgrade() {
                Repo::from_inner(inner).commit_all();
            }
        });
        for event in ["pagehide", "blur"] {
            let _registered =
                window.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
        if let Some(document) = window.document() {
            let _registered = document.add_event_listener_with_callback(
                "visibilitychange",
                handler.as_ref().unchecked_ref(),
            );
        }
        // Lives as long as the page.
        handler.forget();
    }

    pub(crate) fn client(&self) -> &RefCell<Client> {
        &self.0.client
    }

    pub(crate) fn store(&self) -> &DocStore {
        &self.0.store
    }

    pub fn link(&self) -> &RefCell<link::LinkHandle> {
        &self.0.link
    }

    pub(crate) fn tabs(&self) -> Option<&tabs::Tabs> {
        self.0.tabs.as_ref()
    }

    pub(crate) fn registering(&self) -> &Cell<Registering> {
        &self.0.registering
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.0.stopped.get()
    }

    pub(crate) fn downgrade(&self) -> std::rc::Weak<Inner> {
        Rc::downgrade(&*self.0)
    }

    pub(crate) fn from_inner(inner: Rc<Inner>) -> Repo {
        Repo(SendWrapper::new(inner))
    }

    /// Tells this person's other tabs they have signed out.
    pub fn announce_sign_out(&self) {
        if let Some(tabs) = self.tabs() {
            tabs.signed_out();
        }
    }

    /// Stops syncing and forgets the repository (sign-out).
    pub fn stop(&self) {
        self.commit_all();
        self.0.stopped.set(true);
        self.0.link.borrow().close();
        self.0.store.close();
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

/// Asks the browser not to evict our storage under pressure (records typed
/// offline live only here until they sync).
fn request_persistent_storage() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let storage = window.navigator().storage();
    if storage.persist().is_err() {
        leptos::logging::warn!("persistent storage could not be requested");
    }
}
