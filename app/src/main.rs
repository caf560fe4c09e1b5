//! The QALF front end: a Leptos app rendered in the browser.
//!
//! Pages live in `pages/` (one folder or file per page, as the URL tree),
//! shared pieces of screen in `components/`, and the browser adapters (HTTP,
//! storage) beside them. Components render and dispatch; decisions belong to
//! `qalf-shared`.

mod api;
mod app;
mod clock;
mod components;
mod device;
mod directory;
mod file;
mod format;
mod identity;
mod observation_prompts;
mod pages;
mod repo;
mod session;
mod settings;

fn main() {
    console_error_panic_hook::set_once();
    register_service_worker();
    leptos::mount::mount_to_body(app::App);
}

/// The service worker keeps the app on the device so it opens offline.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let registration = container.register("/sw.js");
    // Before mounting, so not on Leptos' executor.
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(registration).await {
            leptos::logging::warn!("the app will not open offline: {e:?}");
        }
    });
}
