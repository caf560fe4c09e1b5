//! The QALF front end: a Leptos app rendered in the browser.
//!
//! Pages live in `pages/` (one folder or file per page, as the URL tree),
//! shared pieces of screen in `components/`, and the browser adapters (HTTP,
//! storage) beside them. Components render and dispatch; decisions belong to
//! `qalf-shared`.

mod api;
mod app;
mod components;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
