//! Other tabs of this browser: after writing a document's chunks, a tab says
//! so on a BroadcastChannel, and the others merge them from IndexedDB. So
//! offline, two tabs still see each other's edits.

use std::rc::Weak;

use qalf_shared::org::PersonId;
use qalf_shared::sync::DocumentId;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use super::{Inner, Repo};

const SIGNED_OUT: &str = "signed-out";

pub struct Tabs {
    channel: BroadcastChannel,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Tabs {
    pub fn open(person: &PersonId, repo: Weak<Inner>) -> Option<Tabs> {
        let channel = BroadcastChannel::new(&format!("qalf-{person}")).ok()?;
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(id) = event
                .data()
                .as_string()
                .and_then(|s| DocumentId::parse(&s).ok())
            else {
                return;
            };
            let Some(inner) = repo.upgrade() else { return };
            let repo = Repo::from_inner(inner);
            leptos::task::spawn_local(async move { repo.merge_from_storage(&id).await });
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Tabs {
            channel,
            _listener: listener,
        })
    }

    /// Tells the other tabs a document's chunks changed.
    pub fn wrote(&self, id: &DocumentId) {
        if self.channel.post_message(&id.to_string().into()).is_err() {
            leptos::logging::warn!("could not tell other tabs about a write");
        }
    }
}

impl Tabs {
    /// Tells the other tabs this person signed out.
    pub fn signed_out(&self) {
        if self.channel.post_message(&SIGNED_OUT.into()).is_err() {
            leptos::logging::warn!("could not tell other tabs about the sign-out");
        }
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
