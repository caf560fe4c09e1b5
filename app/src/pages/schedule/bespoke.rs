//! Audits the CPP chooses on purpose: bespoke audits asked for by the
//! DCS, an AD or a service, and career-progression audits before a panel.
//! The server checks the rules; this form only gathers what it needs.

use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::api::schedule::BespokeAudit;
use qalf_shared::org::{CaseRef, PersonId};
use qalf_shared::schedule::AuditKind;
use web_sys::SubmitEvent;

use crate::api;
use crate::components::problem::ErrorSummary;
use crate::directory;

#[component]
pub fn BespokeAudits() -> impl IntoView {
    let kind = RwSignal::new(AuditKind::Bespoke);
    let case = RwSignal::new(String::new());
    let auditor = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let dir_revision = directory::revision();
    leptos::task::spawn_local(directory::refresh());
    let cpp_members = move || {
        dir_revision.track();
        directory::organisation()
            .map(|org| {
                org.people()
                    .filter(|p| qalf_shared::org::works_in_cpp(&p.roles))
                    .map(|p| (p.id.clone(), p.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(case_ref) = CaseRef::parse(case.get_untracked().trim()) else {
            outcome.set(Some(Err("Give the case reference".into())));
            return;
        };
        let Ok(person) = PersonId::parse(auditor.get_untracked()) else {
            outcome.set(Some(Err("Choose who in the CPP does the audit".into())));
            return;
        };
        let body = BespokeAudit {
            case: case_ref,
            auditor: person,
            kind: kind.get_untracked(),
            reason: reason.get_untracked(),
        };
        outcome.set(None);
        leptos::task::spawn_local(async move {
            outcome.set(Some(match api::bespoke_audit(&body).await {
                Ok(Ok(made)) => Ok(made.audit),
                Ok(Err(refusal)) => Err(refusal.error),
                Err(e) => Err(e.to_string()),
            }));
        });
    };
    let kinds = [AuditKind::Bespoke, AuditKind::CareerProgression]
        .into_iter()
        .map(|k| {
            let id = format!("bespoke-kind-{}", k.code());
            view! {
                <div class="radio">
                    <input type="radio" name="bespoke-kind" id=id.clone()
                        prop:checked=move || kind.get() == k
                        on:change=move |_| kind.set(k) />
                    <label for=id>{k.label()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <h2>"Audits chosen on purpose"</h2>
        <p class="hint">"A bespoke audit answers a request about a case (from the Director, an Assistant Director or a service); a career-progression audit is of a practitioner's case before their progression panel. A case audited in the last year may be chosen again this way."</p>
        {move || outcome.get().map(|o| match o {
            Ok(id) => view! {
                <div class="banner" role="status">
                    <p>"The audit is allocated and its auditor, the practitioner and their manager are told. "
                        <A href=format!("/audits/{id}")>"Open the audit"</A>
                    </p>
                </div>
            }.into_any(),
            Err(e) => view! {
                <ErrorSummary title="The audit was not made" level=3 focusable=true>
                    <p>{e}</p>
                </ErrorSummary>
            }.into_any(),
        })}
        <form class="form panel" on:submit=submit novalidate>
            <fieldset class="fieldset">
                <legend>"Kind of audit"</legend>
                {kinds}
            </fieldset>
            <div class="field">
                <label for="bespoke-case">"Case reference"</label>
                <input id="bespoke-case" type="text" class="input--short" bind:value=case autocomplete="off" />
            </div>
            <div class="field">
                <label for="bespoke-auditor">"Auditor in the Centre for Professional Practice"</label>
                <select id="bespoke-auditor" on:change=move |ev| auditor.set(event_target_value(&ev))>
                    <option value="">"Choose"</option>
                    {move || cpp_members().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="bespoke-reason">"Why this case"</label>
                <span class="hint" id="bespoke-reason-hint">"Who asked for it, or whose progression panel it is for."</span>
                <textarea id="bespoke-reason" aria-describedby="bespoke-reason-hint" bind:value=reason></textarea>
            </div>
            <button type="submit" class="button">"Allocate the audit"</button>
        </form>
    }
}
