//! One module per page, named after the page.

pub mod access_log;
pub mod audits;
pub mod briefings;
pub mod drp;
pub mod home;
pub mod iro_peer;
pub mod moderation;
pub mod not_found;
pub mod notes;
pub mod observations;
pub mod reports;
pub mod schedule;
pub mod set_up;
pub mod settings;
pub mod sign_in;
pub mod staff;
pub mod templates;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use qalf_shared::sync::DocumentId;

/// A record's page: `page` for the document the route's `:id` names, or a
/// plain statement that the address is wrong. The id is a memo, so moving
/// between parts of the same record (`/audits/:id/:part`) keeps the page.
pub fn record_page<V: IntoView + 'static>(
    what: &'static str,
    page: impl Fn(DocumentId) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| DocumentId::parse(&id).ok())
    });
    move || match id.get() {
        Some(id) => page(id).into_any(),
        None => view! { <h1>{format!("This {what}'s address is not right")}</h1> }.into_any(),
    }
}
