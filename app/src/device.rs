//! What a person's session keeps on this device besides their records'
//! database: notifications, the staff directory, the cases an IRO chairs,
//! the device's storage id, the offline identity check. Every key is
//! `qalf.<person>.<name>`, so that signing out deletes all of it
//! ([`wipe`]) and the next person on a shared tablet finds none of it.

use gloo_storage::{LocalStorage, Storage};
use qalf_shared::org::PersonId;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn key(person: &PersonId, name: &str) -> String {
    format!("qalf.{person}.{name}")
}

pub fn get<T: DeserializeOwned>(person: &PersonId, name: &str) -> Option<T> {
    LocalStorage::get(key(person, name)).ok()
}

/// Keeps a value for `person`; false if the browser would not (full, or
/// storage blocked), which costs only offline use.
pub fn set<T: Serialize>(person: &PersonId, name: &str, value: &T) -> bool {
    LocalStorage::set(key(person, name), value).is_ok()
}

pub fn delete(person: &PersonId, name: &str) {
    LocalStorage::delete(key(person, name));
}

/// Deletes everything kept for `person` on this device.
pub fn wipe(person: &PersonId) {
    let prefix = format!("qalf.{person}.");
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    for k in keys {
        let _gone = storage.remove_item(&k);
    }
}
