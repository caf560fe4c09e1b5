//! Randomness from the browser's crypto: tab peer ids, storage ids, new
//! document ids.

use qalf_shared::org::PersonId;
use qalf_shared::sync::DocumentId;

/// `N` random bytes.
pub fn bytes<const N: usize>() -> [u8; N] {
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

/// This browser profile's storage id for a person, kept among their
/// things on the device.
pub fn storage_id(person: &PersonId) -> String {
    if let Some(id) = crate::device::get::<String>(person, "storage-id") {
        return id;
    }
    let id = token(16);
    if !crate::device::set(person, "storage-id", &id) {
        leptos::logging::warn!("could not keep this device's storage id");
    }
    id
}
