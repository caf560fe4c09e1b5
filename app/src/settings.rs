//! This installation's settings, fetched once and kept for offline starts.

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use qalf_shared::api::Settings;
use qalf_shared::audit::AuditPolicy;

const KEY: &str = "qalf.settings";

thread_local! {
    static CURRENT: RefCell<Option<Settings>> = const { RefCell::new(None) };
}

/// The settings as last known (the framework's defaults before the first
/// answer from the server).
pub fn current() -> Settings {
    CURRENT
        .with(|c| c.borrow().clone())
        .or_else(|| LocalStorage::get(KEY).ok())
        .unwrap_or(Settings {
            demo: page_says_demo(),
            audit_policy: AuditPolicy::default(),
            practice_themes: qalf_shared::settings::default_practice_themes(),
            year_start_month: 4,
            moderation: Default::default(),
            observation: Default::default(),
            council_sign_in: false,
        })
}

/// Whether the server marked the page as a demonstration's (`data-demo`
/// on `<html>`): known at the first paint, before any settings arrive.
pub fn page_says_demo() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .is_some_and(|html| html.has_attribute("data-demo"))
}

/// Asks the server (when reachable) and keeps the answer.
pub async fn refresh() {
    if let Ok(settings) = crate::api::settings().await {
        if LocalStorage::set(KEY, &settings).is_err() {
            leptos::logging::warn!("could not keep the settings for offline use");
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(settings));
    }
}

/// Whether this installation is a demonstration, as a signal the views
/// follow (provided at the root; set again once the server answers).
#[derive(Clone, Copy)]
pub struct Demo(pub leptos::prelude::RwSignal<bool>);

/// The banner every page of a demonstration shows (R-SEC-10): its people
/// are synthetic and its password is published, so nothing real may be
/// typed into it.
#[leptos::component]
pub fn DemoBanner() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let demo = use_context::<Demo>().map(|d| d.0);
    move || {
        demo.is_some_and(|d| d.get()).then(|| {
            view! {
                <div class="banner banner--demo" role="note" data-testid="demo-banner">
                    <p>
                        <strong>"Demonstration. "</strong>
                        "Everyone and every case here is invented, and the password is published. Never type real information into it."
                    </p>
                </div>
            }
        })
    }
}
