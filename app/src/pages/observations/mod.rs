//! Observations, supervision audits, shadowing and visits: started from "My
//! work", written on a tablet during the visit (offline is the normal case),
//! consent first where a family is present (R-OBS-1).

mod consent;
pub mod list;
pub mod review;
pub mod start;

use leptos::prelude::*;
use qalf_shared::observation::document::path as observation_path;
use qalf_shared::observation::document::{PartOfDay, Setting};
use qalf_shared::observation::quota::MeetingType;
use qalf_shared::observation::rules::{self, ConsentState};
use qalf_shared::observation::template;
use qalf_shared::observation::{self as obs, ObservationDoc};
use qalf_shared::sync::DocumentId;

use crate::clock;
use crate::components::choice_field::ChoiceField;
use crate::components::date_field::DateField;
use crate::components::doc_status::DocStatus;
use crate::components::presence::PresenceList;
use crate::components::record_gate::record_gate;
use crate::components::text_field::TextField;
use crate::components::theme_tags::ThemeTags;
use crate::repo::use_repo;
use crate::session::use_session;
use qalf_shared::report::facts::Polarity;

/// `/observations/:id`.
#[component]
pub fn ObservationPage() -> impl IntoView {
    crate::pages::record_page("observation", |id| view! { <ObservationLoader id /> })
}

#[component]
fn ObservationLoader(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let observation = repo.read_memo(&id, obs::read);
    let present = Memo::new(move |_| observation.with(Option::is_some));
    let view_id = id.clone();
    record_gate(&id, "observation", present, move || {
        view! { <ObservationView id=view_id.clone() observation /> }
    })
}

#[component]
fn ObservationView(id: DocumentId, observation: Memo<Option<ObservationDoc>>) -> impl IntoView {
    let session = use_session();
    let repo = use_repo();
    let first = observation.get_untracked().expect("present");
    let me = session.me().map(|m| m.id.to_string()).unwrap_or_default();
    let i_observe = first.observer == me;
    let i_am_observed = first.subject.as_ref().is_some_and(|s| *s == me);
    let title = template::current()
        .kind(first.observation)
        .map(|k| k.title.clone())
        .unwrap_or_else(|| "Observation".into());
    let notes_locked = Signal::derive(move || {
        !i_observe
            || observation
                .get()
                .is_none_or(|o| !rules::notes_allowed(&o) || o.ended.is_some())
    });
    let details_readonly = Signal::derive(move || !i_observe);
    let consent_state = Memo::new(move |_| observation.get().map(|o| rules::consent_state(&o)));
    let ended = Memo::new(move |_| observation.get().and_then(|o| o.ended));
    let completed = Memo::new(move |_| observation.get().and_then(|o| o.completed_at).is_some());
    let is_iro = first.observation == qalf_shared::access::ObservationKind::IroObservation;
    let is_shadowing = first.observation == qalf_shared::access::ObservationKind::AdShadowing;

    let sections = first
        .sections
        .iter()
        .map(|s| {
            let prompts = s
                .prompts
                .iter()
                .map(|p| {
                    // R-REP-7: strengths and areas are tagged with practice
                    // themes beside the words.
                    let tags = match p.id.as_str() {
                        template::STRENGTHS => {
                            Some((Polarity::Strength, "Practice themes the strengths show"))
                        }
                        template::AREAS => {
                            Some((Polarity::Development, "Practice themes to develop"))
                        }
                        _ => None,
                    }
                    .map(|(polarity, legend)| {
                        view! {
                            <ThemeTags
                                doc=id.clone()
                                polarity
                                legend=legend.to_string()
                                readonly=notes_locked
                            />
                        }
                    });
                    view! {
                        <TextField
                            doc=id.clone()
                            path=observation_path::prompt(&s.id, &p.id)
                            label=p.text.clone()
                            hint=p.hint.clone()
                            readonly=notes_locked
                        />
                        {tags}
                    }
                })
                .collect_view();
            view! {
                <section class="obs-section">
                    <h2>{s.title.clone()}</h2>
                    {prompts}
                </section>
            }
        })
        .collect_view();

    let complete = {
        let (repo, id) = (repo.clone(), id.clone());
        move |_| {
            let Some(o) = observation.get_untracked() else {
                return;
            };
            if !rules::completion_blockers(&o).is_empty() {
                return;
            }
            let now = clock::now_secs();
            repo.edit(&id, |d| {
                qalf_shared::document::fields::set_scalar(
                    d,
                    &observation_path::root(),
                    "completed_at",
                    Some(now.into()),
                )
            });
            repo.commit(&id);
        }
    };
    let blockers = move || {
        observation
            .get()
            .map(|o| rules::completion_blockers(&o))
            .unwrap_or_default()
    };
    let who = format!(
        "{}{}",
        first.observer_name,
        first
            .subject_name
            .as_ref()
            .map(|s| format!(" observing {s}"))
            .unwrap_or_default()
    );

    let consent_doc = id.clone();
    view! {
        <div class="record-header">
            <h1>{title}</h1>
            <DocStatus doc=id.clone() />
        </div>
        <p class="lead">{who}</p>
        <PresenceList doc=id.clone() />
        <DateField
            doc=id.clone()
            path=observation_path::root()
            key="held_on"
            label="When".to_string()
            readonly=details_readonly
        />
        <TextField
            doc=id.clone()
            path=observation_path::place()
            label="Where".to_string()
            multiline=false
            readonly=details_readonly
        />
        <ChoiceField
            doc=id.clone()
            path=observation_path::root()
            key="setting"
            options=Setting::ALL.iter().map(|s| (s.code(), s.label())).collect()
            legend="Setting".to_string()
            readonly=details_readonly
        />
        {is_shadowing.then(|| view! {
            <ChoiceField
                doc=id.clone()
                path=observation_path::root()
                key="part_of_day"
                options=PartOfDay::ALL.iter().map(|p| (p.code(), p.label())).collect()
                legend="Which half of the day you shadowed".to_string()
                inline=true
                readonly=details_readonly
            />
        })}
        {is_iro.then(|| view! {
            <ChoiceField
                doc=id.clone()
                path=observation_path::root()
                key="meeting_type"
                options=vec![
                    (MeetingType::CicReview.code(), "Child in Care review"),
                    (MeetingType::CpConference.code(), "Child Protection conference"),
                ]
                legend="Meeting chaired".to_string()
                readonly=details_readonly
            />
        })}
        {move || match (consent_state.get(), ended.get()) {
            (_, Some(why)) => view! {
                <div class="banner banner--warning" role="status" data-testid="observation-ended">
                    <p><strong>{format!("This observation ended: {why}.")}</strong>" No notes are kept."</p>
                </div>
            }
            .into_any(),
            (Some(ConsentState::Awaited), None) if i_observe => {
                view! { <consent::ConsentStep id=consent_doc.clone() /> }.into_any()
            }
            (Some(ConsentState::Awaited), None) => view! {
                <p class="banner" role="status">"Waiting for the family's consent to be recorded."</p>
            }
            .into_any(),
            (Some(ConsentState::Given), None) => view! {
                <p><span class="tag tag--green" data-testid="consent">"Consent recorded"</span></p>
            }
            .into_any(),
            _ => ().into_any(),
        }}
        <div class="obs-sections" class:obs-sections--locked=move || notes_locked.get() && i_observe>
            {sections}
        </div>
        {(first.subject.is_some()).then(|| view! {
            <section class="obs-section reflection">
                <h2>"Reflection"</h2>
                <TextField
                    doc=id.clone()
                    path=observation_path::reflection()
                    label="Your reflection on this observation (written by the person observed)".to_string()
                    hint="What went well, what you would do differently, and what support you need."
                    readonly=Signal::derive(move || !i_am_observed)
                />
            </section>
        })}
        {move || (i_observe && !completed.get() && ended.get().is_none()).then(|| {
            let complete = complete.clone();
            let list = blockers()
                .into_iter()
                .map(|b| view! { <li>{b.message()}</li> })
                .collect_view();
            view! {
                <div class="panel">
                    <h2>"Finish"</h2>
                    <ul data-testid="observation-blockers">{list}</ul>
                    <button type="button" class="button" on:click=complete>"Complete the observation"</button>
                </div>
            }
        })}
        {move || completed.get().then(|| view! {
            <p class="panel" role="status" data-testid="observation-completed">
                "This observation is complete. The observed person can add their reflection."
            </p>
        })}
    }
}
