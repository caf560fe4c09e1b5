use leptos::prelude::*;

use crate::components::problem::ErrorMessage;

use super::AuditContext;
use crate::repo::{LinkState, use_repo};

/// R-AUDIT-5: one clear action, on every part of the audit, to alert the
/// Head of Service to a safety concern at once, and the record of who was
/// alerted and when. Offline, the alert is queued on the device, the
/// auditor is told so, and it is sent before anything else on reconnection.
#[component]
pub fn SafetyAlerts() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let id = context.id.clone();
    let repo = use_repo();
    let queued = repo.queued_alerts();
    let overview = repo.overview();
    let open = RwSignal::new(false);
    let concern = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let raise = {
        let (repo, id) = (repo.clone(), id.clone());
        move |_| {
            let text = concern.get_untracked();
            if text.trim().is_empty() {
                error.set(Some("Describe the concern".into()));
                return;
            }
            error.set(None);
            let (repo, id) = (repo.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match repo.raise_alert(&id, &text).await {
                    Ok(()) => {
                        concern.set(String::new());
                        open.set(false);
                    }
                    Err(e) => error.set(Some(format!("The alert could not be saved: {e}"))),
                }
            });
        }
    };
    let head = move || {
        audit
            .get()
            .map(|a| a.header.head_of_service_name)
            .unwrap_or_default()
    };
    let alerts = move || {
        let a = audit.get()?;
        let queued_ids = queued.get();
        let offline = overview.get().link != LinkState::Online;
        Some(
            a.safety_alerts
                .into_iter()
                .map(|alert| {
                    let state = match (&alert.alerted, queued_ids.contains(&alert.id)) {
                        (Some(who), _) => format!(
                            "Alerted: {who}, {}",
                            chrono::DateTime::from_timestamp(alert.alerted_at.unwrap_or(0), 0)
                                .map(|t| t.format("%-d %b %Y %H:%M UTC").to_string())
                                .unwrap_or_default()
                        ),
                        (None, true) if offline => {
                            "Queued on this device: it will be sent the moment you are back online"
                                .to_string()
                        }
                        (None, _) => "Sending to the Head of Service…".to_string(),
                    };
                    view! {
                        <li data-testid="safety-alert">
                            <p class="safety-alert__concern">{alert.concern}</p>
                            <p><strong>{state}</strong></p>
                        </li>
                    }
                })
                .collect_view(),
        )
    };
    view! {
        <section class="safety" aria-labelledby="safety-heading">
            <h2 id="safety-heading" class="visually-hidden">"Safety"</h2>
            <button
                type="button"
                class="button button--warning safety__raise"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Raise a safety concern"
            </button>
            <Show when=move || open.get()>
                <div class="panel panel--warning">
                    <Show when=move || error.get().is_some()>
                        <ErrorMessage>{move || error.get()}</ErrorMessage>
                    </Show>
                    <div class="field">
                        <label for="safety-concern">"What is the concern about the child's safety?"</label>
                        <span class="hint">{move || format!("This goes to {} at once (or as soon as this device is online).", head())}</span>
                        <textarea id="safety-concern" rows="4" bind:value=concern></textarea>
                    </div>
                    <button type="button" class="button button--warning" on:click=raise.clone()>
                        "Alert the Head of Service now"
                    </button>
                </div>
            </Show>
            <ul class="safety__list" role="status" aria-live="assertive">{alerts}</ul>
        </section>
    }
}
