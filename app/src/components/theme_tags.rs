use leptos::prelude::*;
use qalf_shared::report::facts::Polarity;
use qalf_shared::report::learning::{has_tag, set_tag, tags_field};
use qalf_shared::sync::DocumentId;

use crate::repo::use_repo;

/// The council's practice themes as checkboxes beside a strengths or areas
/// for development text (R-REP-7): what is ticked is what reports count.
/// A retired theme still shows where it was ticked.
#[component]
pub fn ThemeTags(
    doc: DocumentId,
    polarity: Polarity,
    legend: String,
    #[prop(optional, into)] readonly: Signal<bool>,
    #[prop(optional)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    let repo = use_repo();
    let revision = repo.signals(&doc).revision;
    let themes = crate::settings::current().practice_themes;
    let field = tags_field(polarity);
    let boxes = themes
        .into_iter()
        .map(|theme| {
            let revision = revision.clone();
            let checked = {
                let (repo, doc, code) = (repo.clone(), doc.clone(), theme.code.clone());
                move || {
                    revision.track();
                    repo.read(&doc, |d| has_tag(d, polarity, &code))
                        .unwrap_or(false)
                }
            };
            let shown = {
                let checked = checked.clone();
                let retired = theme.retired;
                move || !retired || checked()
            };
            let toggle = {
                let (repo, doc, code) = (repo.clone(), doc.clone(), theme.code.clone());
                move |ev: web_sys::Event| {
                    if readonly.get_untracked() {
                        return;
                    }
                    let on = event_target_checked(&ev);
                    repo.edit(&doc, |d| set_tag(d, polarity, &code, on));
                    repo.commit(&doc);
                    if let Some(cb) = on_change {
                        cb.run(format!("{field}/{code}"));
                    }
                }
            };
            let id = format!("tag-{field}-{}", theme.code);
            view! {
                <Show when=shown.clone()>
                    <div class="checkbox">
                        <input
                            type="checkbox"
                            id=id.clone()
                            prop:checked=checked.clone()
                            disabled=move || readonly.get()
                            on:change=toggle.clone()
                        />
                        <label for=id.clone()>{theme.label.clone()}</label>
                    </div>
                </Show>
            }
        })
        .collect_view();
    view! {
        <fieldset class="fieldset theme-tags">
            <legend class="fieldset__legend">{legend}</legend>
            <p class="hint">"Tick the council's practice themes this shows: reports count them."</p>
            <div class="checkboxes checkboxes--columns">{boxes}</div>
        </fieldset>
    }
}
