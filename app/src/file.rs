//! Files people choose in a file input (a staff list, a cohort list, bank
//! holidays): the one chosen, and its contents.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlInputElement};

/// The file chosen, from the input's `change` event.
pub fn chosen(ev: &leptos::ev::Event) -> Option<File> {
    ev.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}

/// Its bytes, or why they could not be read.
pub async fn bytes(file: &File) -> Result<Vec<u8>, String> {
    JsFuture::from(file.array_buffer())
        .await
        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
        .map_err(|_| "The file could not be read.".to_string())
}

/// Its text, or why it could not be read.
pub async fn text(file: &File) -> Result<String, String> {
    JsFuture::from(file.text())
        .await
        .map(|t| t.as_string().unwrap_or_default())
        .map_err(|_| "The file could not be read.".to_string())
}
