//! The staff directory (service areas, teams, people; no cases), fetched
//! when online and kept among the signed-in person's things on the device
//! so quotas and pickers work offline. Gone at sign-out, from memory too.

use std::cell::RefCell;

use leptos::prelude::*;
use qalf_shared::api::Directory;
use qalf_shared::org::{Organisation, PersonId};

use crate::device;

const DIRECTORY: &str = "directory";

thread_local! {
    static CURRENT: RefCell<Option<Directory>> = const { RefCell::new(None) };
}

/// Bumped when a fresh directory arrives, so views recompute. Counted, not
/// owned by whichever view first asked: it outlives every page.
pub fn revision() -> ArcRwSignal<u64> {
    thread_local! {
        static REVISION: ArcRwSignal<u64> = ArcRwSignal::new(0);
    }
    REVISION.with(|r| r.clone())
}

/// Who is signed in on this device (the directory is kept as theirs).
fn signed_in() -> Option<PersonId> {
    crate::repo::current().map(|repo| repo.me().id.clone())
}

pub fn current() -> Option<Directory> {
    CURRENT
        .with(|c| c.borrow().clone())
        .or_else(|| signed_in().and_then(|me| device::get(&me, DIRECTORY)))
}

pub fn organisation() -> Option<Organisation> {
    current().and_then(|d| Organisation::new(d.org).ok())
}

pub async fn refresh() {
    if let Ok(directory) = crate::api::directory().await {
        if let Some(me) = signed_in()
            && !device::set(&me, DIRECTORY, &directory)
        {
            leptos::logging::warn!("could not keep the directory for offline use");
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(directory));
        revision().update(|r| *r += 1);
    }
}

/// Forgets the directory held in memory (at sign-out).
pub fn forget() {
    CURRENT.with(|c| *c.borrow_mut() = None);
    revision().update(|r| *r += 1);
}
