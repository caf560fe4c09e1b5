//! The staff directory (service areas, teams, people; no cases), fetched
//! when online and kept on the device so quotas and pickers work offline.

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use qalf_shared::api::Directory;
use qalf_shared::org::Organisation;

const KEY: &str = "qalf.directory";

thread_local! {
    static CURRENT: RefCell<Option<Directory>> = const { RefCell::new(None) };
}

/// Bumped when a fresh directory arrives, so views recompute.
pub fn revision() -> RwSignal<u64> {
    thread_local! {
        static REVISION: RwSignal<u64> = RwSignal::new(0);
    }
    REVISION.with(|r| *r)
}

pub fn current() -> Option<Directory> {
    CURRENT
        .with(|c| c.borrow().clone())
        .or_else(|| LocalStorage::get(KEY).ok())
}

pub fn organisation() -> Option<Organisation> {
    current().and_then(|d| Organisation::new(d.org).ok())
}

pub async fn refresh() {
    if let Ok(directory) = crate::api::directory().await {
        if LocalStorage::set(KEY, &directory).is_err() {
            leptos::logging::warn!("could not keep the directory for offline use");
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(directory));
        revision().update(|r| *r += 1);
    }
}
