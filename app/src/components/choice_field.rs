use automerge::ScalarValue;
use leptos::prelude::*;
use qalf_shared::document::fields::{get_scalar, set_scalar};
use qalf_shared::document::text::FieldPath;
use qalf_shared::sync::DocumentId;

use crate::repo::use_repo;

/// A set of radio buttons bound to a string field of a document (an answer,
/// a grade), or with `yes_no` to a true-or-false field shown as Yes / No.
/// Large targets; arrow keys move between options.
#[component]
pub fn ChoiceField(
    /// The document.
    doc: DocumentId,
    /// The map holding the field.
    path: FieldPath,
    /// The field's key in that map.
    key: &'static str,
    /// (stored code, label shown) for each option.
    options: Vec<(&'static str, &'static str)>,
    /// The question or label, read as the group's name.
    legend: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] readonly: Signal<bool>,
    /// Lay the options out in a row (short options like Yes / No).
    #[prop(optional)]
    inline: bool,
    /// The field holds true or false: the options' codes are "yes" and
    /// "no" (the document's type must read back as it is written).
    #[prop(optional)]
    yes_no: bool,
    /// Called with the field's path after the person changes it.
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let repo = use_repo();
    let revision = repo.signals(&doc).revision;
    let group = format!("choice-{}-{key}", path.name().replace('/', "-"));
    let current = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move || {
            revision.track();
            repo.read(&doc, |d| match get_scalar(d, &path, key)? {
                ScalarValue::Str(s) if !s.is_empty() => Some(s.to_string()),
                ScalarValue::Boolean(b) => Some(if b { "yes" } else { "no" }.to_string()),
                _ => None,
            })
            .flatten()
        }
    };
    let hint_id = format!("{group}-hint");
    let described = hint.as_ref().map(|_| hint_id.clone());
    let buttons = options
        .into_iter()
        .map(|(code, label)| {
            let id = format!("{group}-{}", code.replace('/', ""));
            let checked = {
                let current = current.clone();
                move || current().as_deref() == Some(code)
            };
            let choose = {
                let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
                move |_| {
                    if readonly.get_untracked() {
                        return;
                    }
                    let path = path.clone();
                    let value = if yes_no {
                        ScalarValue::Boolean(code == "yes")
                    } else {
                        code.into()
                    };
                    repo.edit(&doc, |d| set_scalar(d, &path, key, Some(value)));
                    repo.commit(&doc);
                    if let Some(cb) = on_change {
                        cb.run(format!("{}/{key}", path.name()));
                    }
                }
            };
            view! {
                <div class="radio">
                    <input
                        type="radio"
                        id=id.clone()
                        name=group.clone()
                        value=code
                        prop:checked=checked
                        disabled=move || readonly.get()
                        on:change=choose
                    />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="fieldset" aria-describedby=described>
            <legend>{legend}</legend>
            {hint.map(|h| view! { <span class="hint" id=hint_id>{h}</span> })}
            <div class=if inline { "radios radios--inline" } else { "radios" }>{buttons}</div>
        </fieldset>
    }
}
