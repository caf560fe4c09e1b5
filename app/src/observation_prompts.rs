//! The observation prompts as the CPP last saved them, fetched whenever
//! the observer's work list opens online and kept on the device, so an
//! observation started offline on a home visit asks the latest prompts
//! this device has seen (the compiled-in set before the first answer).

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use qalf_shared::observation::template::{self, ObservationTemplates};

const KEY: &str = "qalf.observation-prompts";

thread_local! {
    static CURRENT: RefCell<Option<ObservationTemplates>> = const { RefCell::new(None) };
}

/// The prompts new observations on this device start with.
pub fn current() -> ObservationTemplates {
    CURRENT
        .with(|c| c.borrow().clone())
        .or_else(|| {
            let kept: ObservationTemplates = LocalStorage::get(KEY).ok()?;
            // A copy from an older build that no longer reads is dropped.
            let json = serde_json::to_string(&kept).ok()?;
            ObservationTemplates::parse(&json).ok()
        })
        .unwrap_or_else(|| template::current().clone())
}

/// Asks the server (when reachable) and keeps the answer.
pub async fn refresh() {
    if let Ok(prompts) = crate::api::question_set::<ObservationTemplates>().await {
        if LocalStorage::set(KEY, &prompts).is_err() {
            leptos::logging::warn!("could not keep the observation prompts for offline use");
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(prompts));
    }
}
