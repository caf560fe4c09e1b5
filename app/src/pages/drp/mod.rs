//! DRP alerts (R-REP-5): an IRO raises one on a case they chair, on their
//! tablet and offline if need be, and takes it through its stages until it
//! ends; the quarterly DRP report counts them.

use leptos::prelude::*;
use qalf_shared::document::DocumentError;
use qalf_shared::drp::document::path as drp_path;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::report::ChairedCase;
use qalf_shared::drp::document::{self as drp_document, DrpDoc, next_stage, stage_notes_path};
use qalf_shared::drp::{self, DrpCategory, DrpOutcome, NewDrpAlert, stage_label};
use qalf_shared::org::Role;
use qalf_shared::sync::DocumentId;
use web_sys::SubmitEvent;

use crate::api;
use crate::clock;
use crate::components::choice_field::ChoiceField;
use crate::components::doc_status::DocStatus;
use crate::components::presence::PresenceList;
use crate::components::record_gate::record_gate;
use crate::components::text_field::TextField;
use crate::device;
use crate::repo::{self, use_repo};
use crate::session::use_session;

/// The cases this IRO chairs, kept among their things on this device so
/// an alert can be raised with no signal.
const CHAIRED_CASES: &str = "chaired-cases";

fn category_options() -> Vec<(&'static str, &'static str)> {
    DrpCategory::ALL
        .iter()
        .map(|c| (c.code(), c.label()))
        .collect()
}

/// `/drp`: the DRP alerts on this device, and raising a new one (IROs).
#[component]
pub fn DrpListPage() -> impl IntoView {
    let repo = use_repo();
    let session = use_session();
    let me = repo.me().id.to_string();
    let is_iro = move || session.me().is_some_and(|m| m.roles.contains(&Role::Iro));
    let alerts = {
        let repo = repo.clone();
        Memo::new(move |_| repo.read_all(drp::read))
    };
    let list = move || {
        let mut all = alerts.get();
        all.sort_by_key(|(_, d)| std::cmp::Reverse(d.raised_on));
        if all.is_empty() {
            return view! { <p data-testid="drp-alerts">"No DRP alerts on this device."</p> }
                .into_any();
        }
        let items = all
            .into_iter()
            .map(|(id, d)| {
                let state = if d.ended() {
                    d.outcome.map(|o| o.label()).unwrap_or("Ended").to_string()
                } else {
                    format!("Open, stage {}", d.stage())
                };
                view! {
                    <li class="record-list__item">
                        <A href=format!("/drp/{id}")>{format!("Case {} ({}) — raised {}", d.case, d.cohort, d.raised_on)}</A>
                        <span class="tag">{state}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="record-list" data-testid="drp-alerts">{items}</ul> }.into_any()
    };
    view! {
        <h1>"DRP alerts"</h1>
        <p class="lead">"Dispute resolution alerts raised by IROs when a child's plan or the work done is not good enough."</p>
        <Show when=is_iro>
            <RaiseAlert me=me.clone() />
        </Show>
        <section aria-labelledby="drp-list-heading">
            <h2 id="drp-list-heading">"Alerts"</h2>
            {list}
        </section>
    }
}

#[component]
fn RaiseAlert(me: String) -> impl IntoView {
    let navigate = use_navigate();
    let person = qalf_shared::org::PersonId::parse(me).ok();
    let cases = RwSignal::new(
        person
            .as_ref()
            .and_then(|p| device::get::<Vec<ChairedCase>>(p, CHAIRED_CASES))
            .unwrap_or_default(),
    );
    leptos::task::spawn_local(async move {
        if let Ok(fresh) = api::chaired_cases().await {
            if let Some(person) = &person
                && !device::set(person, CHAIRED_CASES, &fresh)
            {
                leptos::logging::warn!("could not keep the chaired cases for offline use");
            }
            cases.set(fresh);
        }
    });
    let chosen = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(case) = cases
            .get_untracked()
            .into_iter()
            .find(|c| c.reference.as_str() == chosen.get_untracked())
        else {
            error.set(Some("Choose the case the alert is about.".into()));
            return;
        };
        let Ok(category) = category.get_untracked().parse::<DrpCategory>() else {
            error.set(Some("Choose what the alert is about.".into()));
            return;
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match raise(&case, category).await {
                Ok(id) => navigate(&format!("/drp/{id}"), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let options = move || {
        cases
            .get()
            .into_iter()
            .map(|c| {
                let value = c.reference.to_string();
                view! { <option value=value.clone()>{format!("{} ({}) — {}", c.reference, c.cohort.code(), c.team_name)}</option> }
            })
            .collect_view()
    };
    let categories = DrpCategory::ALL
        .into_iter()
        .map(|c| view! { <option value=c.code()>{c.label()}</option> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="raise-heading">
            <h2 id="raise-heading">"Raise a DRP alert"</h2>
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="drp-case">"Case"</label>
                    <p class="hint" id="drp-case-hint">"Cases you chair. The list is kept on this device, so you can raise an alert with no signal."</p>
                    <select id="drp-case" aria-describedby="drp-case-hint" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"Choose a case"</option>
                        {options}
                    </select>
                </div>
                <div class="field">
                    <label for="drp-category">"What it is about"</label>
                    <select id="drp-category" on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="">"Choose"</option>
                        {categories}
                    </select>
                </div>
                <Show when=move || error.get().is_some()>
                    <ErrorMessage>{move || error.get()}</ErrorMessage>
                </Show>
                <button type="submit" class="button">"Raise the alert"</button>
            </form>
        </section>
    }
}

/// Makes the alert on this device (works offline) and queues its
/// registration with the server.
async fn raise(case: &ChairedCase, category: DrpCategory) -> Result<DocumentId, String> {
    let repo = use_repo();
    let me = repo.me().clone();
    let now = clock::now_secs();
    let doc = drp::new_drp_alert(
        &NewDrpAlert {
            case: case.reference.clone(),
            cohort: case.cohort,
            team: (case.team.clone(), case.team_name.clone()),
            iro: (me.id.clone(), me.name.clone()),
            raised_on: clock::today(),
            category: Some(category),
        },
        me.id.as_str(),
        now,
    )
    .map_err(|e| format!("The alert could not be made: {e}"))?;
    let id = repo::new_document_id();
    let meta = RecordMeta {
        id: id.clone(),
        created_by: me.id.clone(),
        created_at: now,
        parties: Parties::Drp {
            case: case.reference.clone(),
            team: case.team.clone(),
            iro: me.id.clone(),
        },
    };
    repo.create(meta, doc)
        .await
        .map_err(|e| format!("The alert could not be saved on this device: {e}"))?;
    Ok(id)
}

/// `/drp/:id`.
#[component]
pub fn DrpPage() -> impl IntoView {
    crate::pages::record_page("DRP alert", |id| view! { <DrpAlert id /> })
}

#[component]
fn DrpAlert(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let doc: Memo<Option<DrpDoc>> = repo.read_memo(&id, drp::read);
    let present = Memo::new(move |_| doc.with(Option::is_some));
    let me = repo.me().id.to_string();
    let error = RwSignal::new(None::<String>);
    let on = RwSignal::new(clock::today().to_string());
    let gate_id = id.clone();
    record_gate(&gate_id, "DRP alert", present, move || {
        let first = doc.get_untracked().expect("present");
        let mine = first.iro == me;
        let readonly = Signal::derive(move || !mine);
        let stages = {
            let id = id.clone();
            move || {
                doc.get()
                .map(|d| {
                    let mut stages = d.stages.clone();
                    stages.sort_by_key(|s| s.stage);
                    stages
                        .into_iter()
                        .map(|s| {
                            view! {
                                <section class="drp-stage">
                                    <h3>{format!("{} (from {})", stage_label(s.stage), s.reached_on)}</h3>
                                    <TextField
                                        doc=id.clone()
                                        path=stage_notes_path(s.stage)
                                        label=format!("Stage {}: what happened", s.stage)
                                        readonly=readonly
                                    />
                                </section>
                            }
                        })
                        .collect_view()
                })
            }
        };
        let escalate = {
            let (repo, id) = (repo.clone(), id.clone());
            Callback::new(move |_: ()| {
                let Some(d) = doc.get_untracked() else { return };
                let Ok(day) = on.get_untracked().parse() else {
                    error.set(Some("Give the date as a day, month and year.".into()));
                    return;
                };
                let mut failed = None;
                repo.edit(&id, |tx| {
                    if let Err(e) = drp_document::escalate(tx, &d, day) {
                        failed = Some(e.to_string());
                    }
                    Ok::<_, DocumentError>(())
                });
                repo.commit(&id);
                error.set(failed);
            })
        };
        let end_with = {
            let (repo, id) = (repo.clone(), id.clone());
            Callback::new(move |outcome: DrpOutcome| {
                let Some(d) = doc.get_untracked() else { return };
                let Ok(day) = on.get_untracked().parse() else {
                    error.set(Some("Give the date as a day, month and year.".into()));
                    return;
                };
                let mut failed = None;
                repo.edit(&id, |tx| {
                    if let Err(e) = drp_document::end(tx, &d, outcome, day) {
                        failed = Some(e.to_string());
                    }
                    Ok::<_, DocumentError>(())
                });
                repo.commit(&id);
                error.set(failed);
            })
        };
        let ended = Memo::new(move |_| doc.get().is_some_and(|d| d.ended()));
        let resolution_doc = id.clone();
        let next = move || doc.get().and_then(|d| next_stage(&d).ok());
        let end_buttons = DrpOutcome::ALL
            .into_iter()
            .map(|o| {
                view! {
                    <button type="button" class="button button--secondary" on:click=move |_| end_with.run(o)>
                        {format!("End: {}", o.label())}
                    </button>
                }
            })
            .collect_view();
        view! {
            <div class="record-header">
                <h1>{format!("DRP alert: case {} ({})", first.case, first.cohort)}</h1>
                <DocStatus doc=id.clone() />
            </div>
            <PresenceList doc=id.clone() />
            <p class="lead">{format!("Raised by {} on {}. {}.", first.iro_name, first.raised_on, first.team_name)}</p>
            <ChoiceField
                doc=id.clone()
                path=drp_path::root()
                key="category"
                options=category_options()
                legend="What it is about".to_string()
                readonly=readonly
            />
            <TextField
                doc=id.clone()
                path=drp_path::concern()
                label="The concern".to_string()
                hint="What is not good enough for the child, and what you have asked to change."
                readonly=readonly
            />
            <h2>"Stages"</h2>
            {stages}
            <Show when=move || mine && !ended.get()>
                <div class="panel no-print">
                    <div class="field">
                        <label for="drp-date">"Date"</label>
                        <input id="drp-date" type="date" prop:value=move || on.get() on:change=move |ev| on.set(event_target_value(&ev)) />
                    </div>
                    <div class="actions">
                        {move || next().map(|n| view! {
                            <button type="button" class="button" on:click=move |_| escalate.run(())>
                                {format!("Escalate to stage {n}")}
                            </button>
                        })}
                        {end_buttons.clone()}
                    </div>
                </div>
            </Show>
            <Show when=move || error.get().is_some()>
                <ErrorMessage>{move || error.get()}</ErrorMessage>
            </Show>
            <Show when=move || ended.get()>
                <p class="panel" role="status" data-testid="drp-ended">
                    {move || doc.get().map(|d| format!(
                        "{} on {}.",
                        d.outcome.map(|o| o.label()).unwrap_or("Ended"),
                        d.resolved_on.map(|d| d.to_string()).unwrap_or_default()
                    ))}
                </p>
                <TextField
                    doc=resolution_doc.clone()
                    path=drp_path::resolution()
                    label="How it ended".to_string()
                    readonly=readonly
                />
            </Show>
        }
        .into_any()
    })
}
