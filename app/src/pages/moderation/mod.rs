//! Moderation for the CPP: this month's sample (R-MOD-1), moderation
//! records (R-MOD-2), and setting up panels (R-MOD-3).

pub mod panel;
pub mod record;
mod setup;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::audit::{self, AuditDoc, Grade};
use qalf_shared::moderation::document::{self as moderation, NewModeration};
use qalf_shared::moderation::panel as panels;
use qalf_shared::moderation::sample::{self, Candidate};
use qalf_shared::org::Cohort;
use qalf_shared::sync::DocumentId;

use crate::clock;
use crate::repo::{self, use_repo};

/// Audits on this device completed on or after `since` and not moderated
/// yet: what a month's sample or a panel draws from.
pub fn completed_audits(since: chrono::NaiveDate) -> Memo<Vec<(DocumentId, AuditDoc)>> {
    let repo = use_repo();
    Memo::new(move |_| {
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
    // R-MOD-1: this month's completed audits.
    let month_start = qalf_shared::schedule::YearMonth::of(clock::today()).first_day();
    let audits = completed_audits(month_start);
    let capacity = RwSignal::new(String::from("6"));
    // The seed is the month, so the draw can be repeated and shown.
    let seed = {
        let today = clock::today();
        today.format("%Y%m").to_string().parse::<u64>().unwrap_or(0)
    };
    let drawn = RwSignal::new(false);
    let sample = move || {
        let candidates: Vec<Candidate> = audits
            .get()
            .iter()
            .filter_map(|(id, a)| {
                Some(Candidate {
                    audit: id.to_string(),
                    cohort: a.header.cohort.parse::<Cohort>().ok()?,
                    grade: a.overall.grade.as_deref()?.parse::<Grade>().ok()?,
                })
            })
            .collect();
        let capacity = capacity.get().trim().parse().unwrap_or(0);
        sample::draw(
            &candidates,
            capacity,
            seed,
            &crate::settings::current().moderation,
        )
    };
    let picks = move || {
        let s = sample();
        let all = audits.get();
        let over = s.over_capacity.then(|| {
            view! { <p class="error-message" role="alert">"The required moderations alone exceed this capacity."</p> }
        });
        let items = s
            .picks
            .into_iter()
            .filter_map(|p| {
                let (id, a) = all
                    .iter()
                    .find(|(id, _)| id.to_string() == p.audit)?
                    .clone();
                Some(view! { <SamplePick id audit=a why=p.explanation /> })
            })
            .collect_view();
        view! {
            {over}
            <p class="hint">{format!("Seed {}: the same month and capacity always draw the same audits.", s.seed)}</p>
            <ul class="record-list" data-testid="sample">{items}</ul>
        }
    };
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
        <section aria-labelledby="sample-heading">
            <h2 id="sample-heading">"This month's sample"</h2>
            <p>"Every Inadequate audit, 20% of social care audits and 10% of Early Help audits, then random picks up to your capacity."</p>
            <div class="field field--short">
                <label for="capacity">"Moderations the CPP can do this month"</label>
                <input id="capacity" type="number" min="0" inputmode="numeric" bind:value=capacity />
            </div>
            <button type="button" class="button" on:click=move |_| drawn.set(true)>"Draw the sample"</button>
            <Show when=move || drawn.get()>{picks}</Show>
        </section>
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

#[component]
fn SamplePick(id: DocumentId, audit: AuditDoc, why: String) -> impl IntoView {
    let repo = use_repo();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let start = {
        let audit = audit.clone();
        move |_| {
            let (repo, navigate, audit, id) =
                (repo.clone(), navigate.clone(), audit.clone(), id.clone());
            leptos::task::spawn_local(async move {
                let me = repo.me().clone();
                let now = clock::now_secs();
                let doc = match moderation::new_moderation(
                    &NewModeration {
                        audit: id.to_string(),
                        case: audit.header.case.clone(),
                        auditor: (
                            audit.header.auditor.clone(),
                            audit.header.auditor_name.clone(),
                        ),
                        moderator: (me.id.to_string(), me.name.clone()),
                        audit_grade: audit.overall.grade.as_deref().and_then(|g| g.parse().ok()),
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
                let Ok(auditor) = audit.header.auditor.parse() else {
                    return;
                };
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
                <strong>{format!("Case {} ({}), {}", audit.header.case, audit.header.cohort, audit.header.auditor_name)}</strong>
                <br />
                <span class="hint">{why}</span>
            </span>
            <button type="button" class="button button--secondary" on:click=start>"Moderate"</button>
            <Show when=move || error.get().is_some()>
                <span class="error-message" role="alert">{move || error.get()}</span>
            </Show>
        </li>
    }
}
