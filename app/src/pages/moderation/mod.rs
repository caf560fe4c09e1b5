//! Moderation for the CPP: the month's sample, drawn on the server
//! (R-MOD-1), moderation records (R-MOD-2), and setting up panels (R-MOD-3).

pub mod panel;
pub mod record;
mod setup;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::{DrawSample, ModerationSampleView, SampledAudit};
use qalf_shared::audit::{self, AuditDoc};
use qalf_shared::moderation::document::{self as moderation, NewModeration};
use qalf_shared::moderation::panel as panels;
use qalf_shared::schedule::YearMonth;
use qalf_shared::sync::DocumentId;

use crate::components::problem::{ErrorMessage, ErrorSummary};
use crate::repo::{self, use_repo};
use crate::{api, clock};

/// Audits on this device completed on or after `since` and not moderated
/// yet: what a panel chooses from.
pub fn completed_audits(since: Signal<chrono::NaiveDate>) -> Memo<Vec<(DocumentId, AuditDoc)>> {
    let repo = use_repo();
    Memo::new(move |_| {
        let since = since.get();
        repo.read_all(audit::read)
            .into_iter()
            .filter(|(_, a)| {
                a.moderated.is_none()
                    && a.completed_at
                        .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
                        .is_some_and(|at| at.date_naive() >= since)
            })
            .collect()
    })
}

#[component]
pub fn ModerationPage() -> impl IntoView {
    let repo = use_repo();
    let records = {
        let repo = repo.clone();
        move || {
            repo.read_all(moderation::read)
                .into_iter()
                .map(|(id, m)| {
                    let state = if m.completed_at.is_some() { "Done" } else { "In progress" };
                    view! {
                        <li class="record-list__item">
                            <A href=format!("/moderations/{id}")>{format!("Moderation of case {} ({})", m.case, m.auditor_name)}</A>
                            <span class="tag">{state}</span>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let panels_list = {
        let repo = repo.clone();
        move || {
            repo.read_all(panels::read_panel)
                .into_iter()
                .map(|(id, p)| {
                    view! {
                        <li class="record-list__item">
                            <A href=format!("/panels/{id}")>{format!("Panel on {} ({} audits)", p.held_on, p.audits.len())}</A>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <h1>"Moderation"</h1>
        <PanelsAhead />
        <MonthSample />
        <section aria-labelledby="records-heading">
            <h2 id="records-heading">"Moderations"</h2>
            <ul class="record-list">{records}</ul>
        </section>
        <section aria-labelledby="panels-heading">
            <h2 id="panels-heading">"Panels"</h2>
            <ul class="record-list" data-testid="panels">{panels_list}</ul>
            <setup::PanelSetup />
        </section>
    }
}

/// The dates of the panels on this device.
pub fn panel_dates() -> Vec<chrono::NaiveDate> {
    use_repo()
        .read_all(panels::read_panel)
        .into_iter()
        .filter_map(|(_, p)| p.held_on.parse().ok())
        .collect()
}

/// R-MOD-3: panels meet every two months (as the council sets), planned
/// ahead: this window and the next ones, with the panels set up in each.
#[component]
fn PanelsAhead() -> impl IntoView {
    let windows = move || {
        let settings = crate::settings::current();
        qalf_shared::moderation::cadence::windows_ahead(
            settings.moderation.panel_every_months,
            settings.year_start_month,
            clock::today(),
            3,
            &panel_dates(),
        )
        .into_iter()
        .map(|w| {
            let planned = !w.panels.is_empty();
            view! {
                <li>
                    {w.in_words()}
                    {(!planned).then(|| view! { " " <span class="tag tag--red">"To plan"</span> })}
                </li>
            }
        })
        .collect_view()
    };
    let every = crate::settings::current().moderation.panel_every_months;
    view! {
        <section aria-labelledby="panels-ahead-heading">
            <h2 id="panels-ahead-heading">"Panels ahead"</h2>
            <p class="hint">{format!(
                "Moderation panels meet every {} months. Set up each one ahead so its members are told the date.",
                every
            )}</p>
            <ul class="plain-list" data-testid="panels-ahead">{windows}</ul>
        </section>
    }
}

/// The month's sample (R-MOD-1), drawn on the server over every audit
/// completed that month, and kept with its seed so it can be drawn again.
#[component]
fn MonthSample() -> impl IntoView {
    let this_month = YearMonth::of(clock::today());
    let month = RwSignal::new(this_month);
    let capacity = RwSignal::new(String::from("6"));
    let shown = RwSignal::new(None::<Result<Option<ModerationSampleView>, String>>);
    let load = move |m: YearMonth| {
        shown.set(None);
        leptos::task::spawn_local(async move {
            shown.set(Some(
                api::moderation_sample(m).await.map_err(|e| e.to_string()),
            ));
        });
    };
    load(this_month);
    let draw = move |_| {
        let Ok(capacity) = capacity.get_untracked().trim().parse::<usize>() else {
            shown.set(Some(Err(
                "Give the number of moderations the CPP can do, as a whole number".into(),
            )));
            return;
        };
        let body = DrawSample {
            month: month.get_untracked(),
            capacity,
        };
        leptos::task::spawn_local(async move {
            shown.set(Some(
                api::draw_moderation_sample(&body)
                    .await
                    .map(Some)
                    .map_err(|e| e.to_string()),
            ));
        });
    };
    let policy = crate::settings::current().moderation;
    let rates = format!(
        "Every Inadequate audit, {:.0}% of social care audits and {:.0}% of Early Help audits, then audits drawn at random up to the CPP's capacity.",
        policy.social_care_rate * 100.0,
        policy.early_help_rate * 100.0
    );
    let months = [this_month, this_month.add_months(-1)]
        .into_iter()
        .map(
            |m| view! { <option value=m.to_string() selected=m == this_month>{m.label()}</option> },
        )
        .collect_view();
    let body = move || {
        match shown.get() {
        None => view! { <p role="status">"Looking for the month's sample…"</p> }.into_any(),
        Some(Err(message)) => view! {
            <ErrorSummary title="The sample could not be shown" level=3>
                <p>{message}</p>
            </ErrorSummary>
        }
        .into_any(),
        Some(Ok(None)) => view! {
            <p>"Not drawn yet. It is drawn once, over every audit completed in the month, and kept as drawn."</p>
            <div class="field field--short">
                <label for="capacity">"Moderations the CPP can do this month"</label>
                <input id="capacity" type="number" min="0" inputmode="numeric" bind:value=capacity />
            </div>
            <button type="button" class="button" on:click=draw>"Draw the sample"</button>
        }
        .into_any(),
        Some(Ok(Some(view))) => sample_view(view).into_any(),
    }
    };
    view! {
        <section aria-labelledby="sample-heading">
            <h2 id="sample-heading">"The month's sample"</h2>
            <p>{rates}</p>
            <div class="field field--short">
                <label for="sample-month">"Month"</label>
                <select
                    id="sample-month"
                    class="select"
                    on:change=move |ev| {
                        if let Ok(m) = event_target_value(&ev).parse::<YearMonth>() {
                            month.set(m);
                            load(m);
                        }
                    }
                >
                    {months}
                </select>
            </div>
            {body}
        </section>
    }
}

fn sample_view(view: ModerationSampleView) -> impl IntoView {
    let s = &view.sample;
    let drawn_on = chrono::DateTime::from_timestamp(s.drawn_at, 0)
        .map(|t| t.format("%-d %B %Y").to_string())
        .unwrap_or_default();
    let summary = format!(
        "Drawn by {} on {drawn_on} from {} completed audit{}, for a capacity of {}, at {:.0}% of social care and {:.0}% of Early Help audits. Seed {}.",
        view.drawn_by_name,
        s.candidates.len(),
        if s.candidates.len() == 1 { "" } else { "s" },
        s.capacity,
        s.policy.social_care_rate * 100.0,
        s.policy.early_help_rate * 100.0,
        s.seed,
    );
    let check = if view.reproduced {
        "Drawn again from its seed, it gives the same audits: the picks are the random draw."
    } else {
        "Drawn again from its seed, it gives different audits: tell the administrator."
    };
    let over = s.over_capacity.then(|| {
        view! { <ErrorMessage>"The audits that must be moderated alone exceed this capacity."</ErrorMessage> }
    });
    let items = s
        .picks
        .iter()
        .filter_map(|p| {
            let audit = view
                .audits
                .iter()
                .find(|a| a.audit.to_string() == p.audit)?;
            Some(view! { <SamplePick audit=audit.clone() why=p.explanation.clone() /> })
        })
        .collect_view();
    view! {
        <p class="hint" data-testid="sample-summary">{summary}</p>
        <p class="hint">{check}</p>
        {over}
        <ul class="record-list" data-testid="sample">{items}</ul>
    }
}

#[component]
fn SamplePick(audit: SampledAudit, why: String) -> impl IntoView {
    let repo = use_repo();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let id = audit.audit.clone();
    let label = format!(
        "Case {}, audited by {}{}",
        audit.case,
        audit.auditor_name,
        audit
            .grade
            .map(|g| format!(", graded {}", g.label()))
            .unwrap_or_default()
    );
    let start = {
        move |_| {
            let (repo, navigate, id) = (repo.clone(), navigate.clone(), id.clone());
            leptos::task::spawn_local(async move {
                // The audit itself, from this device or fetched now.
                repo.open(&id).await;
                let Some(audit) = repo.read(&id, audit::read).flatten() else {
                    error.set(Some(
                        "The audit is not on this device yet: connect to fetch it, then try again"
                            .into(),
                    ));
                    return;
                };
                let me = repo.me().clone();
                let now = clock::now_secs();
                let doc = match moderation::new_moderation(
                    &NewModeration {
                        audit: id.clone(),
                        case: audit.header.case.clone(),
                        auditor: (
                            audit.header.auditor.clone(),
                            audit.header.auditor_name.clone(),
                        ),
                        moderator: (me.id.clone(), me.name.clone()),
                        audit_grade: audit.overall.grade,
                    },
                    me.id.as_str(),
                    now,
                ) {
                    Ok(doc) => doc,
                    Err(e) => {
                        error.set(Some(e.to_string()));
                        return;
                    }
                };
                let auditor = audit.header.auditor.clone();
                let record = repo::new_document_id();
                let meta = RecordMeta {
                    id: record.clone(),
                    created_by: me.id.clone(),
                    created_at: now,
                    parties: Parties::Moderation {
                        audit: id.clone(),
                        auditor,
                        moderator: me.id.clone(),
                    },
                };
                match repo.create(meta, doc).await {
                    Ok(()) => navigate(&format!("/moderations/{record}"), Default::default()),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
    };
    view! {
        <li class="record-list__item">
            <span>
                <strong>{label}</strong>
                <br />
                <span class="hint">{why}</span>
            </span>
            <button type="button" class="button button--secondary" on:click=start>"Moderate"</button>
            <Show when=move || error.get().is_some()>
                <ErrorMessage inline=true>{move || error.get()}</ErrorMessage>
            </Show>
        </li>
    }
}
