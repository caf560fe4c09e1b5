use leptos::prelude::*;
use qalf_shared::sync::DocumentId;

use crate::repo::use_repo;

/// Who else has this record open right now.
#[component]
pub fn PresenceList(
    /// The document.
    doc: DocumentId,
) -> impl IntoView {
    let presence = use_repo().signals(&doc).presence;
    move || {
        let mut people = presence.get();
        people.sort_by(|a, b| a.name.cmp(&b.name));
        people.dedup_by(|a, b| a.person == b.person);
        (!people.is_empty()).then(|| {
            let items = people
                .into_iter()
                .map(|p| view! { <li class="tag">{p.name}</li> })
                .collect_view();
            view! {
                <div class="presence" data-testid="presence">
                    <span class="presence__label">"Also here: "</span>
                    <ul class="tags presence__list">{items}</ul>
                </div>
            }
        })
    }
}
