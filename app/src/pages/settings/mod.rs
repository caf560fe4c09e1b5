//! The council's settings (DOMAIN.md §9): every number the framework lets a
//! council choose, edited by the administrator or the CPP Service Manager,
//! checked by the same rules the server applies, logged, and in force as
//! soon as they are saved. The change log below shows who changed what.

mod fields;

use leptos::prelude::*;
use qalf_shared::api::ChangeLogEntry;
use qalf_shared::settings::{CouncilSettings, PracticeTheme, SettingProblem, check};
use web_sys::SubmitEvent;

use crate::api;
use crate::components::problem::ErrorSummary;
use crate::session::use_session;
use fields::{FIELDS, Field};

use qalf_shared::access::office::may_change_settings;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let allowed = move || {
        session
            .me()
            .is_some_and(|me| may_change_settings(&me.roles))
    };
    // Counts saves, so the change log reloads after each.
    let saves = RwSignal::new(0u32);
    view! {
        <h1 tabindex="-1">"Settings"</h1>
        <Show
            when=allowed
            fallback=|| view! { <p>"Only the administrator and the CPP Service Manager change the settings."</p> }
        >
            <SettingsForm saved_count=saves />
            <ChangeLog saved_count=saves />
        </Show>
    }
}

#[component]
fn SettingsForm(saved_count: RwSignal<u32>) -> impl IntoView {
    // What the server holds, and the text typed in each number field.
    let saved = RwSignal::new(None::<CouncilSettings>);
    let drafts = RwSignal::new(Vec::<String>::new());
    let themes = RwSignal::new(Vec::<PracticeTheme>::new());
    let holidays = RwSignal::new(Vec::<chrono::NaiveDate>::new());
    let problems = RwSignal::new(Vec::<SettingProblem>::new());
    let failure = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let load = move |settings: CouncilSettings| {
        drafts.set(FIELDS.iter().map(|f| f.show(&settings)).collect());
        themes.set(settings.practice_themes.clone());
        holidays.set(settings.bank_holidays.clone());
        saved.set(Some(settings));
    };
    leptos::task::spawn_local(async move {
        match api::council_settings().await {
            Ok(settings) => load(settings),
            Err(e) => failure.set(Some(e.to_string())),
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        failure.set(None);
        let Some(mut settings) = saved.get_untracked() else {
            return;
        };
        let mut found = Vec::new();
        for (field, text) in FIELDS.iter().zip(drafts.get_untracked()) {
            if let Err(p) = field.read(&mut settings, &text) {
                found.push(p);
            }
        }
        settings.practice_themes = themes.get_untracked();
        settings.bank_holidays = holidays.get_untracked();
        if found.is_empty() {
            found = check(&settings);
        }
        problems.set(found.clone());
        if !found.is_empty() {
            crate::components::problem::focus_when_shown("settings-problems");
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::change_council_settings(&settings).await {
                Ok(settings) => {
                    load(settings);
                    done.set(true);
                    saved_count.update(|n| *n += 1);
                    crate::settings::refresh().await;
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };

    let problem_for = move |id: &'static str| {
        move || {
            problems
                .get()
                .into_iter()
                .find(|p| p.field == id)
                .map(|p| p.message)
        }
    };

    let number_fields = move |section: &'static str| {
        FIELDS
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.section == section)
            .map(|(i, f)| {
                let f: &'static Field = f;
                let error = problem_for(f.id);
                let hint_id = format!("{}-hint", f.id);
                let error_id = format!("{}-error", f.id);
                let described = {
                    let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
                    move || {
                        if error().is_some() {
                            format!("{hint_id} {error_id}")
                        } else {
                            hint_id.clone()
                        }
                    }
                };
                view! {
                    <div class="field" class:field--error=move || error().is_some()>
                        <label for=f.id>{f.label}</label>
                        <span class="hint" id=hint_id>{f.hint}</span>
                        <span class="error-message" id=error_id>{error}</span>
                        <input
                            id=f.id
                            class="input input--short"
                            inputmode="decimal"
                            aria-describedby=described
                            prop:value=move || drafts.get().get(i).cloned().unwrap_or_default()
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                drafts.update(|d| {
                                    if let Some(slot) = d.get_mut(i) {
                                        *slot = value;
                                    }
                                });
                            }
                        />
                    </div>
                }
            })
            .collect_view()
    };

    let summary = move || {
        let list = problems.get();
        (!list.is_empty())
            .then(|| crate::components::problem::field_problems(list, "settings-problems", false))
    };

    view! {
        <p>"These numbers are the council's own choices within the framework. A change applies at once, for everyone, and is recorded below with your name."</p>
        {summary}
        <Show when=move || failure.get().is_some()>
            <ErrorSummary title="The settings were not saved">
                <p>{move || failure.get()}</p>
            </ErrorSummary>
        </Show>
        <Show when=move || saved.get().is_some() fallback=|| view! { <p role="status">"Loading the settings…"</p> }>
            <form class="form" on:submit=submit novalidate>
                <fieldset class="fieldset">
                    <legend>"Moderation"</legend>
                    {number_fields("moderation")}
                </fieldset>
                <fieldset class="fieldset">
                    <legend>"Audits"</legend>
                    {number_fields("audits")}
                </fieldset>
                <fieldset class="fieldset">
                    <legend>"Audits each role carries out"</legend>
                    <p class="hint">"How many audits, and every how many months (1 is monthly, 3 quarterly)."</p>
                    {number_fields("quotas")}
                </fieldset>
                <fieldset class="fieldset">
                    <legend>"The audit year"</legend>
                    {number_fields("schedule")}
                </fieldset>
                <fieldset class="fieldset">
                    <legend>"Signing out"</legend>
                    {number_fields("sessions")}
                </fieldset>
                <Themes themes=themes problems=problems />
                <BankHolidays holidays=holidays />
                <button type="submit" class="button" data-testid="save-settings" disabled=move || busy.get()>
                    "Save the settings"
                </button>
                <Show when=move || done.get()>
                    <p class="panel" role="status" data-testid="settings-saved">"Saved. The new settings apply now."</p>
                </Show>
            </form>
        </Show>
    }
}

/// The practice themes findings are tagged against: reworded, retired
/// (records keep them) or added; never deleted.
#[component]
fn Themes(
    themes: RwSignal<Vec<PracticeTheme>>,
    problems: RwSignal<Vec<SettingProblem>>,
) -> impl IntoView {
    let new_label = RwSignal::new(String::new());
    let add = move |_| {
        let label = new_label.get_untracked().trim().to_string();
        if label.is_empty() {
            return;
        }
        themes.update(|list| {
            let base: String = label
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let mut code = base.clone();
            let mut n = 2;
            while list.iter().any(|t| t.code == code) {
                code = format!("{base}-{n}");
                n += 1;
            }
            list.push(PracticeTheme {
                code,
                label,
                good_looks_like: String::new(),
                retired: false,
            });
        });
        new_label.set(String::new());
    };
    let rows = move || {
        themes
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, theme)| {
                let label_id = format!("theme-{i}-label");
                let good_id = format!("theme-{i}-good");
                let retired_id = format!("theme-{i}-retired");
                let error = {
                    let label_id = label_id.clone();
                    move || {
                        problems
                            .get()
                            .into_iter()
                            .find(|p| p.field == label_id)
                            .map(|p| p.message)
                    }
                };
                view! {
                    <div class="theme-setting">
                        <div class="field">
                            <label for=label_id.clone()>{format!("Theme {}", i + 1)}</label>
                            <span class="error-message">{error}</span>
                            <input
                                id=label_id
                                class="input"
                                prop:value=theme.label.clone()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    themes.update(|t| t[i].label = v);
                                }
                            />
                        </div>
                        <div class="field">
                            <label for=good_id.clone()>"What good looks like"</label>
                            <textarea
                                id=good_id
                                class="textarea"
                                rows="2"
                                prop:value=theme.good_looks_like.clone()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    themes.update(|t| t[i].good_looks_like = v);
                                }
                            ></textarea>
                        </div>
                        <div class="checkbox">
                            <input
                                type="checkbox"
                                id=retired_id.clone()
                                prop:checked=theme.retired
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    themes.update(|t| t[i].retired = on);
                                }
                            />
                            <label for=retired_id>"Retired: no longer offered (records keep it)"</label>
                        </div>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="fieldset" id="themes">
            <legend>"Practice themes"</legend>
            <p class="hint">"Auditors and observers tag strengths and areas for development against these; the reports count them."</p>
            {rows}
            <div class="field">
                <label for="new-theme">"Add a theme"</label>
                <input
                    id="new-theme"
                    class="input"
                    prop:value=move || new_label.get()
                    on:input=move |ev| new_label.set(event_target_value(&ev))
                />
            </div>
            <button type="button" class="button button--secondary" on:click=add>"Add the theme"</button>
        </fieldset>
    }
}

/// Bank holidays, from the government's file or a CSV of dates.
#[component]
fn BankHolidays(holidays: RwSignal<Vec<chrono::NaiveDate>>) -> impl IntoView {
    let division = RwSignal::new("england-and-wales".to_string());
    let error = RwSignal::new(None::<String>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(chosen) = crate::file::chosen(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = match crate::file::text(&chosen).await {
                Ok(text) => text,
                Err(message) => {
                    error.set(Some(message));
                    return;
                }
            };
            match qalf_shared::settings::parse_bank_holidays(&text, &division.get_untracked()) {
                Ok(days) => {
                    error.set(None);
                    holidays.set(days);
                }
                Err(e) => error.set(Some(format!("The file was not used: {e}."))),
            }
        });
    };
    let listed = move || {
        let days = holidays.get();
        let today = crate::clock::today();
        let coming: Vec<String> = days
            .iter()
            .filter(|d| **d >= today)
            .take(8)
            .map(|d| d.format("%-d %B %Y").to_string())
            .collect();
        match (days.len(), coming.is_empty()) {
            (0, _) => "None yet: audit days are suggested on any weekday.".to_string(),
            (n, true) => format!("{n} days, none still to come."),
            (n, false) => format!("{n} days. Next: {}.", coming.join(", ")),
        }
    };
    view! {
        <fieldset class="fieldset">
            <legend>"Bank holidays"</legend>
            <p class="hint">
                "Suggested audit days avoid them. Download "
                <code>"bank-holidays.json"</code>
                " from GOV.UK (or use a CSV with one date a row) and choose it here."
            </p>
            <p role="status" data-testid="bank-holidays">{listed}</p>
            <div class="field">
                <label for="holiday-division">"Which bank holidays"</label>
                <select
                    id="holiday-division"
                    class="select"
                    on:change=move |ev| division.set(event_target_value(&ev))
                >
                    <option value="england-and-wales">"England and Wales"</option>
                    <option value="scotland">"Scotland"</option>
                    <option value="northern-ireland">"Northern Ireland"</option>
                </select>
            </div>
            <div class="field" class:field--error=move || error.get().is_some()>
                <label for="holiday-file">"Bank holiday file"</label>
                <span class="error-message" id="holiday-file-error">{move || error.get()}</span>
                <input
                    id="holiday-file"
                    type="file"
                    class="input--file"
                    accept=".json,.csv,application/json,text/csv"
                    aria-describedby="holiday-file-error"
                    on:change=on_file
                />
            </div>
        </fieldset>
    }
}

/// Who changed the directory or the settings, and what.
#[component]
fn ChangeLog(saved_count: RwSignal<u32>) -> impl IntoView {
    let entries = LocalResource::new(move || {
        saved_count.get();
        api::change_log()
    });
    let rows = move || {
        entries.get().map(|answer| match answer {
            Ok(list) if list.is_empty() => view! { <p>"Nothing has been changed yet."</p> }.into_any(),
            Ok(list) => {
                let rows = list
                    .into_iter()
                    .map(|e: ChangeLogEntry| {
                        let when = chrono::DateTime::from_timestamp(e.at, 0)
                            .map(|t| t.format("%-d %B %Y, %H:%M").to_string())
                            .unwrap_or_default();
                        let what = match e.kind.as_str() {
                            "settings" => "Settings",
                            "staff-edit" => "Staff directory, by hand",
                            "templates" => "Audit questions",
                            _ => "Staff directory",
                        };
                        view! {
                            <tr>
                                <td>{when}</td>
                                <td>{e.by}</td>
                                <td>{what}</td>
                                <td>{e.summary}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="change-log">
                            <caption class="visually-hidden">"Changes to the directory and the settings"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"Changes"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <h2>"Changes"</h2>
        {rows}
    }
}
