use leptos::prelude::*;
use qalf_shared::sync::{Availability, DocumentId, Registration};

use crate::repo::use_repo;

/// One document's state: saved on this device, synced, or waiting.
#[component]
pub fn DocStatus(
    /// The document.
    doc: DocumentId,
) -> impl IntoView {
    let status = use_repo().signals(&doc).status;
    let text = Memo::new(move |_| match status.get() {
        None => ("tag tag--grey", "Not on this device".to_string()),
        Some(s) if s.availability == Availability::Unavailable => {
            ("tag tag--red", "Not available to you".to_string())
        }
        Some(s) if s.registration == Registration::Refused => (
            "tag tag--red",
            "Not accepted by the server — kept on this device only".to_string(),
        ),
        Some(s) if s.registration == Registration::Waiting => (
            "tag tag--orange",
            "Saved on this device — the server has not accepted it yet".to_string(),
        ),
        Some(s) if s.availability == Availability::Requesting => {
            ("tag tag--grey", "Fetching…".to_string())
        }
        Some(s) if s.synced && s.saved => ("tag tag--green", "Synced".to_string()),
        Some(s) if !s.saved => ("tag tag--grey", "Saving…".to_string()),
        Some(s) if s.waiting > 0 => (
            "tag tag--orange",
            format!(
                "Saved on this device — {} {} waiting",
                s.waiting,
                if s.waiting == 1 { "change" } else { "changes" }
            ),
        ),
        Some(_) => ("tag", "Saved on this device".to_string()),
    });
    view! {
        <span class=move || text.get().0 data-testid="doc-status" role="status" aria-live="polite">
            {move || text.get().1}
        </span>
    }
}
