//! Randomness from the browser's crypto: tab peer ids, storage ids, new
//! document ids.

use gloo_storage::{LocalStorage, Storage};
use qalf_shared::org::PersonId;
use qalf_shared::sync::DocumentId;

fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut out).ok());
    if filled.is_none() {
        // Every browser QALF supports has crypto; this is only a fallback.
        for b in &mut out {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    out
}

/// `len` random lowercase hex characters.
pub fn token(len: usize) -> String {
    bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(len)
        .collect()
}

/// A new document id.
pub fn document_id() -> DocumentId {
    DocumentId::from_bytes(bytes::<16>())
}

/// This browser profile's storage id for a person, kept in localStorage.
pub fn storage_id(person: &PersonId) -> String {
    let key = format!("qalf.storage-id.{person}");
    if let Ok(id) = LocalStorage::get::<String>(&key) {
        return id;
    }
    let id = token(16);
    if LocalStorage::set(&key, &id).is_err() {
        leptos::logging::warn!("could not keep this device's storage id");
    }
    id
}

pub fn forget_storage_id(person: &PersonId) {
    LocalStorage::delete(format!("qalf.storage-id.{person}"));
}
