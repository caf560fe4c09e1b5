use leptos::prelude::*;

use crate::repo::{LinkState, use_repo};

/// The whole device's sync state in the header, announced politely to
/// screen readers when it changes.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let overview = use_repo().overview();
    let text = Memo::new(move |_| {
        let o = overview.get();
        if let Some(error) = o.storage_error {
            return (
                "tag tag--red",
                format!("Not saved on this device: {error}. Keep this tab open."),
            );
        }
        let waiting = match o.waiting {
            0 => String::new(),
            1 => "1 change waiting".into(),
            n => format!("{n} changes waiting"),
        };
        match o.link {
            LinkState::Online if o.waiting == 0 && o.unsaved == 0 => {
                ("tag tag--green", "All changes synced".into())
            }
            LinkState::Online => ("tag", "Syncing…".into()),
            LinkState::Connecting => ("tag tag--grey", "Connecting…".into()),
            LinkState::Offline if o.waiting > 0 => {
                ("tag tag--orange", format!("Offline — {waiting}"))
            }
            LinkState::Offline => ("tag tag--grey", "Offline — saved on this device".into()),
            LinkState::SessionExpired => (
                "tag tag--orange",
                format!(
                    "Sign in again to sync{}",
                    if waiting.is_empty() {
                        String::new()
                    } else {
                        format!(" — {waiting}")
                    }
                ),
            ),
        }
    });
    view! {
        <span class="sync-status" role="status" aria-live="polite" data-testid="sync-status">
            <span class=move || text.get().0>{move || text.get().1}</span>
        </span>
    }
}
