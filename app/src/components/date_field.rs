use leptos::prelude::*;
use qalf_shared::document::fields::{get_str, set_scalar};
use qalf_shared::document::text::FieldPath;
use qalf_shared::sync::DocumentId;

use crate::repo::use_repo;

/// A date bound to an ISO date field of a document, with an optional check
/// whose message is shown beside it.
#[component]
pub fn DateField(
    doc: DocumentId,
    path: FieldPath,
    key: &'static str,
    label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] readonly: Signal<bool>,
    /// Returns the problem with a date, if any (e.g. R-AUDIT-2).
    #[prop(optional)]
    check: Option<Callback<String, Option<String>>>,
    #[prop(optional)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    let repo = use_repo();
    let revision = repo.signals(&doc).revision;
    let id = format!("date-{}-{key}", path.name().replace('/', "-"));
    let value = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move || {
            revision.track();
            repo.read(&doc, |d| get_str(d, &path, key))
                .flatten()
                .unwrap_or_default()
        }
    };
    let problem = {
        let value = value.clone();
        move || {
            let v = value();
            if v.is_empty() {
                return None;
            }
            check.and_then(|c| c.run(v))
        }
    };
    let error_id = format!("{id}-error");
    let on_input = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move |ev: web_sys::Event| {
            if readonly.get_untracked() {
                return;
            }
            let v = event_target_value(&ev);
            let path = path.clone();
            let stored = (!v.is_empty()).then(|| v.clone().into());
            repo.edit(&doc, |d| set_scalar(d, &path, key, stored));
            repo.commit(&doc);
            if let Some(cb) = on_change {
                cb.run(format!("{}/{key}", path.name()));
            }
        }
    };
    let has_problem = {
        let problem = problem.clone();
        move || problem().is_some()
    };
    let invalid = {
        let has_problem = has_problem.clone();
        move || if has_problem() { "true" } else { "false" }
    };
    view! {
        <div class="field" class:field--error=has_problem>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <span class="hint">{h}</span> })}
            {
                let problem = problem.clone();
                let error_id = error_id.clone();
                move || problem().map(|p| view! { <span class="error-message" id=error_id.clone()>{p}</span> })
            }
            <input
                type="date"
                id=id
                class="input--date"
                prop:value=value
                readonly=move || readonly.get()
                aria-invalid=invalid
                aria-describedby=error_id
                on:change=on_input
            />
        </div>
    }
}
