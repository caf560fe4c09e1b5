//! Who is signed in on this device.
//!
//! The server decides; the app keeps the last answer in localStorage so that
//! it opens offline for the person who last used it online.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use qalf_shared::api::Me;

use crate::api::{self, ApiError};
use crate::repo::{self, Repo};

const STORAGE_KEY: &str = "qalf.me";
/// Set when someone signed out while the server could not be told; the next
/// start ends that server session before anything else.
const PENDING_SIGN_OUT: &str = "qalf.pending-sign-out";
/// Whose records are still to be deleted from this device: set before a
/// sign-out starts deleting them, cleared when done, so that a page closed
/// or reloaded in between finishes the job on the next start.
const PENDING_WIPE: &str = "qalf.pending-wipe";

/// What the app knows about the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Asking the server.
    Checking,
    /// Signed in, confirmed by the server or (offline) remembered.
    SignedIn {
        me: Me,
        confirmed: bool,
    },
    /// Offline, and the last person to sign in here must show it is them
    /// before their records open.
    Confirming {
        me: Me,
    },
    SignedOut,
}

/// This device's document repository, started once we know who is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoState {
    Idle,
    Starting,
    Ready,
    Failed(String),
}

/// The session, provided as context at the root of the app.
#[derive(Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
    pub repo: RwSignal<RepoState>,
}

impl Session {
    pub fn new() -> Self {
        Self {
            state: RwSignal::new(SessionState::Checking),
            repo: RwSignal::new(RepoState::Idle),
        }
    }

    /// Starts (or keeps, for the same person) the document repository.
    async fn start_repo(self, me: Me) {
        if let Some(repo) = repo::current() {
            if repo.me().id == me.id {
                repo.link().borrow().renewed();
                self.repo.set(RepoState::Ready);
                return;
            }
            repo.stop();
        }
        self.repo.set(RepoState::Starting);
        match Repo::start(me).await {
            Ok(_) => self.repo.set(RepoState::Ready),
            Err(e) => self.repo.set(RepoState::Failed(e.to_string())),
        }
    }

    /// Asks the server who is signed in; offline, falls back to the person
    /// remembered on this device.
    pub async fn check(self) {
        if let Ok(person) = LocalStorage::get::<qalf_shared::org::PersonId>(PENDING_WIPE) {
            wipe(&person).await;
        }
        if LocalStorage::get::<bool>(PENDING_SIGN_OUT).unwrap_or(false) {
            match api::sign_out().await {
                Ok(()) | Err(ApiError::Unauthorized) => LocalStorage::delete(PENDING_SIGN_OUT),
                Err(_) => {
                    // Still no server: nobody is signed in on this device.
                    self.state.set(SessionState::SignedOut);
                    return;
                }
            }
        }
        let next = match api::me().await {
            Ok(me) => {
                remember(&me);
                crate::identity::mark_confirmed_here(&me.id);
                SessionState::SignedIn {
                    me,
                    confirmed: true,
                }
            }
            // Offline: only the person remembered, once they confirm it is
            // them (without a way to check, they must sign in online).
            Err(ApiError::Unreachable) => match remembered() {
                Some(me) if crate::identity::confirmed_here(&me.id) => SessionState::SignedIn {
                    me,
                    confirmed: false,
                },
                Some(me) if crate::identity::can_confirm(&me.id) => SessionState::Confirming { me },
                _ => SessionState::SignedOut,
            },
            // They left the staff list: nothing of theirs stays here.
            Err(ApiError::Departed) => {
                if let Some(me) = remembered() {
                    wipe(&me.id).await;
                }
                LocalStorage::delete(STORAGE_KEY);
                SessionState::SignedOut
            }
            Err(_) => SessionState::SignedOut,
        };
        if let SessionState::SignedIn { me, .. } = &next {
            self.start_repo(me.clone()).await;
        }
        self.state.set(next);
    }

    /// The remembered person confirmed who they are, offline.
    pub async fn confirmed_offline(self, me: Me) {
        crate::identity::mark_confirmed_here(&me.id);
        self.start_repo(me.clone()).await;
        self.state.set(SessionState::SignedIn {
            me,
            confirmed: false,
        });
    }

    pub async fn signed_in(self, me: Me) {
        remember(&me);
        crate::identity::mark_confirmed_here(&me.id);
        self.start_repo(me.clone()).await;
        self.state.set(SessionState::SignedIn {
            me,
            confirmed: true,
        });
    }

    /// Signs out on this device: stops syncing, deletes this person's
    /// records from the device (so the next person cannot see them), and
    /// ends the session on the server (now, or on the next start if the
    /// server cannot be reached).
    pub async fn sign_out(self) {
        let person = self.me().map(|me| me.id);
        if let Some(repo) = repo::current() {
            repo.announce_sign_out();
        }
        // Both remembered before anything is done, so a page closed or
        // reloaded half way finishes on the next start.
        if LocalStorage::set(PENDING_SIGN_OUT, true).is_err() {
            leptos::logging::error!("could not remember to end the server session");
        }
        if let Some(person) = &person
            && LocalStorage::set(PENDING_WIPE, person).is_err()
        {
            leptos::logging::error!("could not remember to delete this device's copy");
        }
        self.signed_out();
        // The server session first: it is quick, and what matters most.
        if let Ok(()) | Err(ApiError::Unauthorized) = api::sign_out().await {
            LocalStorage::delete(PENDING_SIGN_OUT);
        }
        if let Some(person) = person {
            wipe(&person).await;
        }
    }

    pub fn signed_out(self) {
        if let Some(repo) = repo::current() {
            repo.stop();
        }
        LocalStorage::delete(STORAGE_KEY);
        crate::identity::forget_confirmed_here();
        crate::directory::forget();
        self.repo.set(RepoState::Idle);
        self.state.set(SessionState::SignedOut);
    }

    pub fn me(self) -> Option<Me> {
        match self.state.get() {
            SessionState::SignedIn { me, .. } => Some(me),
            _ => None,
        }
    }
}

/// Deletes a person's records and everything else their sessions kept on
/// this device (notifications, directory, storage id, offline check).
async fn wipe(person: &qalf_shared::org::PersonId) {
    crate::device::wipe(person);
    crate::directory::forget();
    match repo::idb::delete_database(person).await {
        Ok(()) => {
            // Anything kept for them while the database was being deleted.
            crate::device::wipe(person);
            LocalStorage::delete(PENDING_WIPE);
        }
        Err(e) => leptos::logging::error!("this device's copy could not be deleted: {e}"),
    }
}

fn remember(me: &Me) {
    // Losing this only costs offline start-up; say so in the console.
    if let Err(e) = LocalStorage::set(STORAGE_KEY, me) {
        leptos::logging::warn!("could not remember the signed-in person: {e}");
    }
}

fn remembered() -> Option<Me> {
    LocalStorage::get(STORAGE_KEY).ok()
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
