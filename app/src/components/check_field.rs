use leptos::prelude::*;
use qalf_shared::document::fields::{get_bool, set_scalar};
use qalf_shared::document::text::FieldPath;
use qalf_shared::sync::DocumentId;

use crate::repo::use_repo;

/// A checkbox bound to a yes/no field of a document.
#[component]
pub fn CheckField(
    doc: DocumentId,
    path: FieldPath,
    key: &'static str,
    label: String,
    #[prop(optional, into)] readonly: Signal<bool>,
    #[prop(optional)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    let repo = use_repo();
    let revision = repo.signals(&doc).revision;
    let id = format!("check-{}-{key}", path.name().replace('/', "-"));
    let checked = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move || {
            revision.track();
            repo.read(&doc, |d| get_bool(d, &path, key))
                .unwrap_or(false)
        }
    };
    let toggle = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move |ev: web_sys::Event| {
            if readonly.get_untracked() {
                return;
            }
            let on = event_target_checked(&ev);
            let path = path.clone();
            repo.edit(&doc, |d| set_scalar(d, &path, key, Some(on.into())));
            repo.commit(&doc);
            if let Some(cb) = on_change {
                cb.run(format!("{}/{key}", path.name()));
            }
        }
    };
    view! {
        <div class="checkbox">
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=checked
                disabled=move || readonly.get()
                on:change=toggle
            />
            <label for=id>{label}</label>
        </div>
    }
}
