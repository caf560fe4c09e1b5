use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::hooks::use_navigate;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::moderation::cadence;
use qalf_shared::moderation::panel::{self as panels, Consensus, Member, PanelAudit, PanelDoc};
use qalf_shared::org::{PersonId, Role};
use qalf_shared::sync::DocumentId;
use web_sys::SubmitEvent;

use super::completed_audits;
use crate::clock;
use crate::directory;
use crate::pages::audits::grade_label;
use crate::repo::{self, use_repo};

/// The CPP sets up a panel: when, who, and which audits (R-MOD-3).
#[component]
pub fn PanelSetup() -> impl IntoView {
    let repo = use_repo();
    let navigate = use_navigate();
    // Panels meet every two months (R-MOD-3): the next one is offered in
    // the first window with none yet, and considers the audits completed
    // since the panel before it.
    let settings = crate::settings::current();
    let (every, year_start) = (
        settings.moderation.panel_every_months,
        settings.year_start_month,
    );
    let planned = super::panel_dates();
    let held_on = RwSignal::new(
        cadence::next_panel_date(every, year_start, clock::today(), &planned).to_string(),
    );
    // The audits offered follow the date chosen.
    let since = Signal::derive(move || {
        cadence::audits_since(
            every,
            year_start,
            held_on.get().parse().unwrap_or(clock::today()),
            &planned,
        )
    });
    let audits = completed_audits(since);
    let members = RwSignal::new(vec![repo.me().id.clone()]);
    let chosen = RwSignal::new(Vec::<DocumentId>::new());
    let error = RwSignal::new(None::<String>);
    let dir_revision = directory::revision();
    leptos::task::spawn_local(directory::refresh());
    let people = move || {
        dir_revision.track();
        directory::current()
            .map(|d| d.org.people)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                p.roles.iter().any(|r| {
                    r.is_cpp()
                        || matches!(
                            r,
                            // Managers and social workers, and IROs
                            // (R-MOD-3).
                            Role::Practitioner
                                | Role::Iro
                                | Role::TeamManager
                                | Role::ServiceManager
                                | Role::FamilySolutionsManager
                                | Role::ResidentialManager
                                | Role::IroServiceManager
                                | Role::HeadOfService
                        )
                })
            })
            .collect::<Vec<_>>()
    };
    let toggle_person = move |id: PersonId| {
        members.update(|m| {
            if let Some(i) = m.iter().position(|x| *x == id) {
                m.remove(i);
            } else {
                m.push(id);
            }
        })
    };
    let toggle_audit = move |id: DocumentId| {
        chosen.update(|c| {
            if let Some(i) = c.iter().position(|x| *x == id) {
                c.remove(i);
            } else {
                c.push(id);
            }
        })
    };
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let member_ids = members.get_untracked();
        let audit_ids = chosen.get_untracked();
        if member_ids.len() < 2 || audit_ids.is_empty() {
            error.set(Some("Choose at least two members and one audit".into()));
            return;
        }
        let Ok(held_on_date) = held_on.get_untracked().parse::<chrono::NaiveDate>() else {
            error.set(Some("Give the date the panel meets".into()));
            return;
        };
        let held_on_date = Some(held_on_date);
        let all = audits.get_untracked();
        // Nobody moderates their own audit.
        let own = all.iter().find(|(id, a)| {
            audit_ids.contains(id) && member_ids.iter().any(|m| a.header.auditor == *m.as_str())
        });
        if let Some((_, a)) = own {
            error.set(Some(format!(
                "{} did the audit of case {}: choose members who did not",
                a.header.auditor_name, a.header.case
            )));
            return;
        }
        let (repo, navigate) = (repo.clone(), navigate.clone());
        let dir = directory::current();
        leptos::task::spawn_local(async move {
            let me = repo.me().clone();
            let name = |id: &PersonId| {
                dir.as_ref()
                    .and_then(|d| {
                        d.org
                            .people
                            .iter()
                            .find(|p| &p.id == id)
                            .map(|p| p.name.clone())
                    })
                    .unwrap_or_else(|| id.to_string())
            };
            let panel = PanelDoc {
                kind: "panel".into(),
                schema: panels::PANEL_SCHEMA,
                held_on: held_on.get_untracked(),
                chair: me.id.clone(),
                chair_name: me.name.clone(),
                members: member_ids
                    .iter()
                    .map(|m| Member {
                        id: m.clone(),
                        name: name(m),
                    })
                    .collect(),
                audits: audit_ids
                    .iter()
                    .filter_map(|id| all.iter().find(|(a, _)| a == id))
                    .map(|(id, a)| PanelAudit {
                        id: id.clone(),
                        case: a.header.case.clone(),
                        auditor_name: a.header.auditor_name.clone(),
                        audit_grade: a.overall.grade,
                        positions: Vec::new(),
                        consensus: Consensus {
                            grade: None,
                            audit_quality: None,
                            learning: autosurgeon::Text::from(""),
                            no_consensus: false,
                            why: autosurgeon::Text::from(""),
                            recorded_at: None,
                        },
                    })
                    .collect(),
                revealed: false,
            };
            let now = clock::now_secs();
            let doc = match panels::new_panel(&panel, me.id.as_str(), now) {
                Ok(doc) => doc,
                Err(e) => return error.set(Some(e.to_string())),
            };
            let id = repo::new_document_id();
            let meta = RecordMeta {
                id: id.clone(),
                created_by: me.id.clone(),
                created_at: now,
                parties: Parties::Panel {
                    chair: me.id.clone(),
                    members: member_ids,
                    audits: audit_ids,
                    held_on: held_on_date,
                },
            };
            match repo.create(meta, doc).await {
                Ok(()) => navigate(&format!("/panels/{id}"), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let person_boxes = move || {
        people()
            .into_iter()
            .map(|p| {
                let id = p.id.clone();
                let input = format!("member-{}", p.id);
                let checked = {
                    let id = id.clone();
                    move || members.with(|m| m.contains(&id))
                };
                view! {
                    <li class="checkbox">
                        <input type="checkbox" id=input.clone() prop:checked=checked on:change=move |_| toggle_person(id.clone()) />
                        <label for=input>{format!("{}, {}", p.name, p.job_title)}</label>
                    </li>
                }
            })
            .collect_view()
    };
    let audit_boxes = move || {
        audits
            .get()
            .into_iter()
            .map(|(id, a)| {
                let input = format!("panel-audit-{id}");
                let checked = {
                    let id = id.clone();
                    move || chosen.with(|c| c.contains(&id))
                };
                view! {
                    <li class="checkbox">
                        <input type="checkbox" id=input.clone() prop:checked=checked on:change=move |_| toggle_audit(id.clone()) />
                        <label for=input>{format!(
                            "Case {} ({}), {}, graded {}",
                            a.header.case,
                            a.header.cohort,
                            a.header.auditor_name,
                            grade_label(a.overall.grade)
                        )}</label>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <form class="form panel" on:submit=create novalidate>
            <h3>"Set up a panel"</h3>
            <Show when=move || error.get().is_some()>
                <ErrorMessage>{move || error.get()}</ErrorMessage>
            </Show>
            <div class="field">
                <label for="panel-date">"Date of the panel"</label>
                <input id="panel-date" type="date" class="input--date" bind:value=held_on />
            </div>
            <fieldset class="fieldset">
                <legend>"Members"</legend>
                <ul class="checkboxes checkboxes--scroll">{person_boxes}</ul>
            </fieldset>
            <fieldset class="fieldset">
                <legend>"Audits to moderate"</legend>
                <ul class="checkboxes">{audit_boxes}</ul>
            </fieldset>
            <button type="submit" class="button">"Set up the panel"</button>
        </form>
    }
}
