use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::problem::ErrorSummary;
use qalf_shared::api::schedule::ThemeMonth;
use qalf_shared::org::Cohort;
use qalf_shared::schedule::{ThemeEntry, YearMonth};
use web_sys::SubmitEvent;

use crate::api;

/// One month's theme, cohort filter and notes (R-SCHED-1).
#[component]
pub fn ThemeForm(
    /// The month and its theme so far.
    month: ThemeMonth,
    /// Called with the month and whether it now has a theme, once saved or
    /// removed.
    on_change: Callback<(YearMonth, bool)>,
) -> impl IntoView {
    let entry = month.entry.clone();
    let theme = RwSignal::new(entry.as_ref().map(|e| e.theme.clone()).unwrap_or_default());
    let notes = RwSignal::new(entry.as_ref().map(|e| e.notes.clone()).unwrap_or_default());
    let cohorts = RwSignal::new(entry.map(|e| e.cohorts).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let has_theme = RwSignal::new(month.entry.is_some());
    let label = month.label.clone();
    let key = month.month.to_string();
    let ym = month.month;

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        if theme.get_untracked().trim().is_empty() {
            error.set(Some("Enter the month's theme".into()));
            return;
        }
        error.set(None);
        let entry = ThemeEntry {
            month: ym,
            theme: theme.get_untracked(),
            cohorts: cohorts.get_untracked(),
            notes: notes.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::set_theme(&entry).await {
                Ok(_) => {
                    saved.set(true);
                    has_theme.set(true);
                    on_change.run((ym, true));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    let remove = move |_| {
        saved.set(false);
        leptos::task::spawn_local(async move {
            match api::clear_theme(ym).await {
                Ok(()) => {
                    theme.set(String::new());
                    notes.set(String::new());
                    cohorts.set(BTreeSet::new());
                    has_theme.set(false);
                    error.set(None);
                    on_change.run((ym, false));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    let boxes = Cohort::ALL
        .into_iter()
        .map(|cohort| {
            let id = format!("theme-{key}-{}", cohort.code());
            let checked = move || cohorts.with(|c: &BTreeSet<Cohort>| c.contains(&cohort));
            let toggle = move |_| {
                cohorts.update(|c| {
                    if !c.remove(&cohort) {
                        c.insert(cohort);
                    }
                })
            };
            view! {
                <li class="checkbox">
                    <input type="checkbox" id=id.clone() prop:checked=checked on:change=toggle />
                    <label for=id>{format!("{} ({})", cohort.label(), cohort.code())}</label>
                </li>
            }
        })
        .collect_view();
    let error_id = format!("theme-{key}-error");
    view! {
        <form class="form theme-month" on:submit=save novalidate data-month=key.clone()>
            <h3>
                {label.clone()} " "
                <Show when=move || !has_theme.get()>
                    <span class="tag tag--orange">"No theme yet"</span>
                </Show>
            </h3>
            <Show when=move || error.get().is_some()>
                <ErrorSummary title="There is a problem" level=3 id=error_id.clone()>
                    <p class="error-message">{move || error.get()}</p>
                </ErrorSummary>
            </Show>
            <div class="field" class:field--error=move || error.get().is_some()>
                <label for=format!("theme-{key}")>{format!("Theme for {label}")}</label>
                <input id=format!("theme-{key}") type="text" maxlength="200" bind:value=theme />
            </div>
            <fieldset class="fieldset">
                <legend>{format!("Cohorts for {label}")}</legend>
                <span class="hint">"None ticked: every cohort."</span>
                <ul class="checkboxes checkboxes--row">{boxes}</ul>
            </fieldset>
            <div class="field">
                <label for=format!("theme-{key}-notes")>{format!("Notes for {label}")}</label>
                <textarea id=format!("theme-{key}-notes") class="textarea--short" bind:value=notes></textarea>
            </div>
            <div class="actions">
                <button type="submit" class="button">{format!("Save {label}")}</button>
                <Show when=move || has_theme.get()>
                    <button type="button" class="button button--secondary" on:click=remove>
                        {format!("Remove the theme for {}", month.label)}
                    </button>
                </Show>
                <Show when=move || saved.get()>
                    <span class="tag tag--green" role="status">"Saved"</span>
                </Show>
            </div>
        </form>
    }
}
