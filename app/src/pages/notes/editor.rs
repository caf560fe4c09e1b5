use leptos::prelude::*;
use qalf_shared::document::note;
use qalf_shared::document::text::FieldPath;
use qalf_shared::sync::{Availability, DocumentId};

use crate::components::doc_status::DocStatus;
use crate::components::presence::PresenceList;
use crate::components::problem::ErrorSummary;
use crate::components::text_field::TextField;
use crate::repo::{LinkState, use_repo};

/// One note, open for writing together.
#[component]
pub fn NotePage() -> impl IntoView {
    crate::pages::record_page("note", |id| view! { <NoteEditor id /> })
}

#[component]
fn NoteEditor(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let signals = repo.signals(&id);
    repo.attend(&id);
    let ready = {
        let status = signals.status.clone();
        move || {
            status
                .get()
                .is_some_and(|s| s.availability == Availability::Ready)
        }
    };
    let unavailable = {
        let status = signals.status.clone();
        move || {
            status
                .get()
                .is_some_and(|s| s.availability == Availability::Unavailable)
        }
    };
    let overview = repo.overview();
    let missing_offline = {
        let status = signals.status.clone();
        move || {
            status
                .get()
                .is_some_and(|s| s.availability == Availability::Requesting)
                && overview.get().link != LinkState::Online
        }
    };
    // Memos: the editor is rebuilt only when these flip, not on every
    // keystroke (the fields follow the text themselves).
    let has_fields = {
        let (repo, id, revision) = (repo.clone(), id.clone(), signals.revision.clone());
        Memo::new(move |_| {
            revision.track();
            repo.read(&id, |d| note::read(d).is_some()).unwrap_or(false)
        })
    };
    let ready = Memo::new(move |_| ready());
    let unavailable = Memo::new(move |_| unavailable());
    let missing_offline = Memo::new(move |_| missing_offline());
    let editor = {
        let id = id.clone();
        move || {
            if unavailable.get() {
                return view! {
                    <ErrorSummary title="This note is not available to you">
                        <p>"It may not be shared with you, or it may not exist."</p>
                    </ErrorSummary>
                }
                .into_any();
            }
            if missing_offline.get() {
                return view! {
                    <div class="banner" role="status">
                        <p>"This note is not on this device. It will open when you are back online, if it is shared with you."</p>
                    </div>
                }
                .into_any();
            }
            if !(ready.get() && has_fields.get()) {
                return view! { <p class="loading" role="status">"Opening the note…"</p> }
                    .into_any();
            }
            view! {
                <TextField
                    doc=id.clone()
                    path=FieldPath::key(note::TITLE)
                    label="Title".to_string()
                    multiline=false
                />
                <TextField
                    doc=id.clone()
                    path=FieldPath::key(note::BODY)
                    label="Note".to_string()
                    hint="Everyone the note is shared with can write here at the same time."
                />
            }
            .into_any()
        }
    };

    view! {
        <div class="record-header">
            <h1>"Note"</h1>
            <DocStatus doc=id.clone() />
        </div>
        <PresenceList doc=id.clone() />
        {editor}
    }
}
