//! What every record page shows until its record is open: one set of
//! states for audits, observations, panels, moderations, DRP alerts and
//! briefings, so no page waits on "Opening…" for ever.

use leptos::prelude::*;
use qalf_shared::sync::{Availability, DocumentId};

use crate::components::problem::ErrorSummary;
use crate::repo::{LinkState, use_repo};

/// Asks for the record `id` and shows, in turn: that it is not available
/// to this person (the server refused it); that it is not on this device
/// and will open once back online; that it is opening; and then `view`,
/// once `present` (the record read from the device) holds.
///
/// `view` runs again only when these states change, never on every edit:
/// the fields inside follow the record themselves.
pub fn record_gate<V, F>(
    id: &DocumentId,
    what: &'static str,
    present: Memo<bool>,
    view: F,
) -> impl IntoView + use<V, F>
where
    V: IntoView + 'static,
    F: Fn() -> V + Send + Sync + 'static,
{
    let repo = use_repo();
    repo.attend(id);
    let status = repo.signals(id).status.clone();
    let availability = Memo::new(move |_| status.get().map(|s| s.availability));
    let overview = repo.overview();
    let offline = Memo::new(move |_| overview.get().link != LinkState::Online);
    move || {
        let availability = availability.get();
        if availability == Some(Availability::Unavailable) {
            return view! {
                <ErrorSummary title={format!("This {what} is not available to you")} level=1>
                    <p>"It may not be shared with you, or it may not exist."</p>
                </ErrorSummary>
            }
            .into_any();
        }
        if !present.get() {
            return if offline.get() && availability == Some(Availability::Requesting) {
                view! {
                    <div class="banner" role="status">
                        <p>{format!("This {what} is not on this device yet. It will open when you are back online.")}</p>
                    </div>
                }
                .into_any()
            } else {
                view! { <p class="loading" role="status">{format!("Opening the {what}…")}</p> }
                    .into_any()
            };
        }
        view().into_any()
    }
}
