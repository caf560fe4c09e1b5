//! "My work" for observations: who I still need to observe this year
//! (R-OBS-2), started with one tap, and observations of me.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qalf_shared::access::{ObservationKind, Parties, RecordMeta};
use qalf_shared::observation::document::NewObservation;
use qalf_shared::observation::quota::{self, Done, MeetingType, Obligation};
use qalf_shared::observation::{self as obs, ObservationDoc};
use qalf_shared::org::{PersonId, TeamId};
use qalf_shared::sync::DocumentId;

use crate::clock;
use crate::directory;
use crate::repo::{self, use_repo};

/// Observations on this device.
fn on_device() -> Memo<Vec<(DocumentId, ObservationDoc)>> {
    let repo = use_repo();
    Memo::new(move |_| repo.read_all(obs::read))
}

/// Completed observations, as the quotas count them.
fn done(list: &[(DocumentId, ObservationDoc)]) -> Vec<Done> {
    list.iter()
        .filter(|(_, o)| o.completed_at.is_some())
        .filter_map(|(_, o)| {
            Some(Done {
                kind: o.observation,
                observer: o.observer.clone(),
                subject: o.subject.clone(),
                held_on: o.held_on?,
                meeting: o.meeting_type,
            })
        })
        .collect()
}

/// The server's completed observations with this device's, each record
/// once.
fn counted(
    on_server: Vec<(String, Done)>,
    on_device: &[(DocumentId, ObservationDoc)],
) -> Vec<Done> {
    let mut all: BTreeMap<String, Done> = on_server.into_iter().collect();
    for (id, doc) in on_device {
        if let Some(d) = done(std::slice::from_ref(&(id.clone(), doc.clone()))).pop() {
            all.entry(id.to_string()).or_insert(d);
        }
    }
    all.into_values().collect()
}

#[component]
pub fn ObservationWork() -> impl IntoView {
    let repo = use_repo();
    let me = repo.me().id.clone();
    let list = on_device();
    // R-OBS-2: what the server holds counts, so an observation finished on
    // another device is not asked for again; this device's own (perhaps
    // not synced yet) count too, once.
    let on_server = RwSignal::new(Vec::<(String, Done)>::new());
    leptos::task::spawn_local(async move {
        if let Ok(done) = crate::api::observations_done().await {
            on_server.set(done);
        }
    });
    let dir_revision = directory::revision();
    leptos::task::spawn_local(directory::refresh());
    leptos::task::spawn_local(crate::observation_prompts::refresh());
    let obligations = {
        let me = me.clone();
        Memo::new(move |_| {
            dir_revision.track();
            let (Some(dir), Some(org)) = (directory::current(), directory::organisation()) else {
                return Vec::new();
            };
            let meetings: BTreeMap<PersonId, BTreeSet<MeetingType>> = dir
                .iro_meetings
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect();
            quota::obligations(
                &org,
                &me,
                clock::today(),
                &counted(on_server.get(), &list.get()),
                &meetings,
                &crate::settings::current().observation,
            )
        })
    };
    let outstanding = move || {
        obligations
            .get()
            .into_iter()
            .filter(Obligation::outstanding)
            .collect::<Vec<_>>()
    };
    let count = move || outstanding().len();
    let items = move || {
        outstanding()
            .into_iter()
            .map(|o| view! { <ObligationItem obligation=o /> })
            .collect_view()
    };
    let mine = {
        let me = me.to_string();
        move || {
            // Newest first.
            let mut list = list.get();
            list.sort_by_key(|(_, o)| std::cmp::Reverse(o.held_on));
            list.into_iter()
                .filter(|(_, o)| o.observer == me || o.subject.as_ref().is_some_and(|s| *s == me))
                .map(|(id, o)| {
                    let kind = o.observation.label();
                    let who = if o.observer == me {
                        o.subject_name.clone().unwrap_or_default()
                    } else {
                        format!("by {}", o.observer_name)
                    };
                    let state = if o.ended.is_some() {
                        "Ended"
                    } else if o.completed_at.is_some() {
                        "Complete"
                    } else {
                        "In progress"
                    };
                    view! {
                        <li class="record-list__item">
                            <A href=format!("/observations/{id}")>{format!("{kind}: {who}")}</A>
                            <span class="tag">{state}</span>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <section aria-labelledby="observations-heading">
            <h2 id="observations-heading">"Observations"</h2>
            <p data-testid="observations-due">
                {move || match count() {
                    0 => "Nothing outstanding this year.".to_string(),
                    1 => "1 observation or supervision audit still to do this year.".to_string(),
                    n => format!("{n} observations or supervision audits still to do this year."),
                }}
            </p>
            <ul class="record-list" data-testid="obligations">{items}</ul>
            <h3>"Observations you are part of"</h3>
            <ul class="record-list" data-testid="my-observations">{mine}</ul>
        </section>
    }
}

#[component]
fn ObligationItem(obligation: Obligation) -> impl IntoView {
    let repo = use_repo();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let label = obligation.kind.label();
    let extra = if obligation.meetings_to_cover.is_empty() {
        String::new()
    } else {
        format!(
            " — ideally at {}",
            obligation
                .meetings_to_cover
                .iter()
                .map(|m| m.label())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    };
    let text = format!(
        "{label}: {} by {}{extra}",
        obligation.subject_name,
        obligation.to.format("%-d %B %Y")
    );
    // R-OBS-2: an Assistant Director names the practitioner they shadow,
    // from the service areas they oversee.
    let shadowing = obligation.kind == ObservationKind::AdShadowing && obligation.subject.is_none();
    let candidates: Vec<(PersonId, String)> = if shadowing {
        directory::organisation()
            .map(|org| {
                qalf_shared::observation::rules::shadowing_candidates(&org, &repo.me().id)
                    .into_iter()
                    .filter_map(|id| {
                        let name = org.person(&id)?.name.clone();
                        Some((id, name))
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let chosen = RwSignal::new(None::<(PersonId, String)>);
    let select_id = format!("shadow-{}", obligation.from);
    let picker = shadowing.then(|| {
        let options = candidates
            .iter()
            .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
            .collect_view();
        let candidates = candidates.clone();
        view! {
            <div class="field">
                <label for=select_id.clone()>"Practitioner to shadow"</label>
                <select id=select_id.clone() on:change=move |ev| {
                    let v = event_target_value(&ev);
                    chosen.set(candidates.iter().find(|(id, _)| id.as_str() == v).cloned());
                }>
                    <option value="">"Choose a practitioner"</option>
                    {options}
                </select>
            </div>
        }
    });
    let start = {
        let obligation = obligation.clone();
        move |_| {
            let repo = repo.clone();
            let navigate = navigate.clone();
            let mut obligation = obligation.clone();
            if shadowing {
                let Some((id, name)) = chosen.get_untracked() else {
                    error.set(Some("Choose the practitioner you will shadow".into()));
                    return;
                };
                obligation.subject = Some(id);
                obligation.subject_name = name;
            }
            leptos::task::spawn_local(async move {
                match start(&repo, &obligation).await {
                    Ok(id) => navigate(&format!("/observations/{id}"), Default::default()),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    view! {
        <li class="record-list__item">
            <span>{text}</span>
            {picker}
            <button type="button" class="button" on:click=start aria-label=format!("Start: {}", obligation.subject_name)>
                "Start"
            </button>
            <Show when=move || error.get().is_some()>
                <ErrorMessage inline=true>{move || error.get()}</ErrorMessage>
            </Show>
        </li>
    }
}

/// Starts the observation an obligation asks for.
async fn start(repo: &repo::Repo, obligation: &Obligation) -> Result<DocumentId, String> {
    let subject = obligation
        .subject
        .clone()
        .map(|s| (s, obligation.subject_name.clone()));
    start_observation(repo, obligation.kind, subject, None).await
}

/// Makes an observation on this device (works offline), from the prompts
/// it last fetched, and queues its registration with the server.
pub(super) async fn start_observation(
    repo: &repo::Repo,
    kind: ObservationKind,
    subject: Option<(PersonId, String)>,
    team: Option<(TeamId, String)>,
) -> Result<DocumentId, String> {
    let me = repo.me().clone();
    let now = clock::now_secs();
    let doc = obs::new_observation(
        &crate::observation_prompts::current(),
        &NewObservation {
            kind,
            observer: me.id.clone(),
            observer_name: me.name.clone(),
            subject: subject.clone(),
            team: team.clone(),
            held_on: Some(clock::today()),
        },
        me.id.as_str(),
        now,
    )
    .map_err(|e| format!("The observation could not be made: {e}"))?;
    let id = repo::new_document_id();
    let meta = RecordMeta {
        id: id.clone(),
        created_by: me.id.clone(),
        created_at: now,
        parties: Parties::Observation {
            observation: kind,
            observer: me.id.clone(),
            subject: subject.map(|(id, _)| id),
            team: team.map(|(id, _)| id),
        },
    };
    repo.create(meta, doc)
        .await
        .map_err(|e| format!("The observation could not be saved: {e}"))?;
    Ok(id)
}
