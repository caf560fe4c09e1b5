//! The observations page: what I still have to do this year (started with
//! one tap), the observations I am part of, and the kinds I may start
//! whenever the occasion comes (a key decision-making meeting, a senior
//! manager's visit), which no yearly quota lists.

use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::hooks::use_navigate;
use qalf_shared::observation::rules;
use qalf_shared::org::TeamId;

use super::start::{ObservationWork, start_observation};
use crate::directory;
use crate::repo::use_repo;

#[component]
pub fn ObservationsPage() -> impl IntoView {
    let me = use_repo().me().id.clone();
    view! {
        <h1 tabindex="-1">"Observations"</h1>
        <p>
            <leptos_router::components::A href=format!("/people/{me}/annual-review")>
                "My Annual Review: what observations of me found this year"
            </leptos_router::components::A>
        </p>
        <ObservationWork />
        <StartOnDemand />
    }
}

/// Starts a key decision-making meeting observation or a senior manager's
/// visit, on this device (offline too), for a team or none.
#[component]
fn StartOnDemand() -> impl IntoView {
    let repo = use_repo();
    let navigate = use_navigate();
    let kinds = rules::started_on_demand(&repo.me().roles);
    let kind = RwSignal::new(kinds.first().copied());
    let team = RwSignal::new(None::<TeamId>);
    let error = RwSignal::new(None::<String>);
    let dir_revision = directory::revision();
    let teams = move || {
        dir_revision.track();
        let mut teams: Vec<(TeamId, String)> = directory::organisation()
            .map(|org| {
                org.teams()
                    .map(|t| (t.id.clone(), t.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        teams.sort_by(|a, b| a.1.cmp(&b.1));
        teams
    };
    let start = move |_| {
        let Some(kind) = kind.get_untracked() else {
            return;
        };
        let (repo, navigate) = (repo.clone(), navigate.clone());
        let team = team.get_untracked().and_then(|id| {
            let name = directory::organisation()?.team(&id)?.name.clone();
            Some((id, name))
        });
        leptos::task::spawn_local(async move {
            match start_observation(&repo, kind, None, team).await {
                Ok(id) => navigate(&format!("/observations/{id}"), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    (!kinds.is_empty()).then(|| {
        let choices = kinds
            .iter()
            .map(|k| {
                let k = *k;
                let id = format!("start-{}", k.code());
                view! {
                    <div class="radio">
                        <input
                            type="radio"
                            id=id.clone()
                            name="start-kind"
                            prop:checked=move || kind.get() == Some(k)
                            on:change=move |_| kind.set(Some(k))
                        />
                        <label for=id>{k.label()}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="start-heading" data-testid="start-on-demand">
                <h2 id="start-heading">"Start another"</h2>
                <p>"Key decision-making meetings and visits are observed when they happen: start one here, offline too."</p>
                <fieldset class="fieldset">
                    <legend>"What are you observing?"</legend>
                    <div class="radios">{choices}</div>
                </fieldset>
                <div class="field">
                    <label for="start-team">"Team (if it is about one)"</label>
                    <select
                        id="start-team"
                        class="select"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            team.set(TeamId::parse(v).ok());
                        }
                    >
                        <option value="">"No particular team"</option>
                        {move || {
                            teams()
                                .into_iter()
                                .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
                <button type="button" class="button" on:click=start>"Start this observation"</button>
                <Show when=move || error.get().is_some()>
                    <ErrorMessage>{move || error.get()}</ErrorMessage>
                </Show>
            </section>
        }
    })
}
