use leptos::prelude::*;
use qalf_shared::observation::document::path as observation_path;

use crate::components::problem::ErrorMessage;
use qalf_shared::document::fields::get_str;
use qalf_shared::observation::document::{ConsentAnswer, ConsentHow, record_consent};
use qalf_shared::observation::template;
use qalf_shared::sync::DocumentId;

use crate::clock;
use crate::components::check_field::CheckField;
use crate::components::choice_field::ChoiceField;
use crate::components::text_field::TextField;
use crate::repo::use_repo;

/// R-OBS-1: show the purpose statement, then record who consented, how and
/// when, or the refusal, before any notes.
#[component]
pub fn ConsentStep(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let error = RwSignal::new(None::<String>);
    let consent = observation_path::consent();
    let record = {
        let (repo, id) = (repo.clone(), id.clone());
        move |answer: ConsentAnswer| {
            let ready = repo
                .read(&id, |d| {
                    let c = observation_path::consent();
                    let shown = qalf_shared::document::fields::get_bool(d, &c, "purpose_shown");
                    let how = get_str(d, &c, "how");
                    let by = observation_path::consent_given_by()
                        .resolve_text(d)
                        .and_then(|t| automerge::ReadDoc::text(d, &t).ok())
                        .unwrap_or_default();
                    (shown, how, by)
                })
                .unwrap_or((false, None, String::new()));
            let (shown, how, by) = ready;
            if !shown {
                error.set(Some("Show the purpose statement first".into()));
                return;
            }
            if by.trim().is_empty() {
                error.set(Some("Record who gave or refused consent".into()));
                return;
            }
            // Asked in person, consent is usually spoken: that is the
            // default when the observer did not say.
            let how = how
                .and_then(|h| h.parse().ok())
                .unwrap_or(ConsentHow::Verbal);
            error.set(None);
            let me = repo.me().id.clone();
            repo.edit(&id, |d| {
                record_consent(d, answer, how, &me, clock::now_secs())
            });
            repo.commit(&id);
        }
    };
    let give = record.clone();
    view! {
        <section class="panel consent" aria-labelledby="consent-heading" data-testid="consent-step">
            <h2 id="consent-heading">"Consent"</h2>
            <p>"Before observing, explain why you are there and ask for consent. Read or show this:"</p>
            <blockquote class="purpose">{template::current().purpose_statement.clone()}</blockquote>
            <CheckField
                doc=id.clone()
                path=consent.clone()
                key="purpose_shown"
                label="I have explained this to the child and family".to_string()
            />
            <TextField
                doc=id.clone()
                path=observation_path::consent_given_by()
                label="Who gave (or refused) consent".to_string()
                multiline=false
            />
            <ChoiceField
                doc=id.clone()
                path=observation_path::consent()
                key="how"
                options=ConsentHow::ALL.iter().map(|h| (h.code(), h.label())).collect()
                legend="How".to_string()
                inline=true
            />
            <Show when=move || error.get().is_some()>
                <ErrorMessage>{move || error.get()}</ErrorMessage>
            </Show>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| give(ConsentAnswer::Given)>"Consent given"</button>
                <button type="button" class="button button--warning" on:click=move |_| record(ConsentAnswer::Refused)>
                    "Consent refused"
                </button>
            </div>
        </section>
    }
}
