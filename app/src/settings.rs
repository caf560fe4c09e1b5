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
            demo: false,
            audit_policy: AuditPolicy::default(),
            practice_themes: qalf_shared::settings::default_practice_themes(),
            year_start_month: 4,
        })
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
