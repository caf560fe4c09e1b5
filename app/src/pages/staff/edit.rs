//! Editing the staff directory by hand, between HR exports: one person,
//! team or service area at a time, checked on this device by the same rules
//! the server applies, every problem linked to its field.

use leptos::prelude::*;

use crate::components::problem::ErrorSummary;
use qalf_shared::directory::{
    PersonEdit, ServiceAreaEdit, TeamEdit, edit_person, edit_service_area, edit_team,
};
use qalf_shared::org::{Organisation, PersonId, Role, ServiceAreaId, TeamId};
use qalf_shared::settings::SettingProblem;
use web_sys::SubmitEvent;

use crate::api;

/// The value of the "new" choice in each picker.
const NEW: &str = "";

/// What a save came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved(String),
    Problems(Vec<SettingProblem>),
    Failed(String),
}

#[component]
pub fn EditDirectory(applied: RwSignal<u32>) -> impl IntoView {
    // The directory as the server holds it, fetched again after each change
    // (here or by an import); the forms stay, with what they last said.
    let org = RwSignal::new(None::<Organisation>);
    Effect::new(move |_| {
        applied.get();
        leptos::task::spawn_local(async move {
            if let Some(found) = api::directory()
                .await
                .ok()
                .and_then(|d| Organisation::new(d.org).ok())
            {
                org.set(Some(found));
            }
        });
    });
    view! {
        <h2>"Change one person, team or service area"</h2>
        <p>"For a change that cannot wait for the next HR file. The next file imported replaces what it lists."</p>
        <Show
            when=move || org.with(|o| o.is_some())
            fallback=|| view! { <p role="status">"Loading the directory…"</p> }
        >
            <PersonForm org=org applied=applied />
            <TeamForm org=org applied=applied />
            <AreaForm org=org applied=applied />
        </Show>
    }
}

/// Runs `f` over the directory (empty until loaded), without tracking it.
fn with_org<T>(
    org: RwSignal<Option<Organisation>>,
    f: impl FnOnce(&Organisation) -> T,
) -> Option<T> {
    org.with_untracked(|o| o.as_ref().map(f))
}

/// A list of options from the directory, following it as it changes.
fn options_of(
    org: RwSignal<Option<Organisation>>,
    list: fn(&Organisation) -> Vec<(String, String)>,
) -> impl Fn() -> Vec<(String, String)> + Send + Sync + 'static {
    move || org.with(|o| o.as_ref().map(list).unwrap_or_default())
}

/// The error summary and the outcome of the last save.
fn outcome_view(outcome: RwSignal<Option<Outcome>>, id: &'static str) -> impl IntoView {
    move || {
        outcome.get().map(|o| match o {
            Outcome::Saved(message) => {
                view! { <p class="panel" role="status">{message}</p> }.into_any()
            }
            Outcome::Problems(list) => {
                crate::components::problem::field_problems(list, id, true).into_any()
            }
            Outcome::Failed(message) => view! {
                <ErrorSummary title="Not saved" level=3 focusable=true id>
                    <p>{message}</p>
                </ErrorSummary>
            }
            .into_any(),
        })
    }
}

/// The message for a field, if the last check found one.
fn field_error(
    outcome: RwSignal<Option<Outcome>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy {
    move || match outcome.get() {
        Some(Outcome::Problems(list)) => list
            .into_iter()
            .find(|p| p.field == field)
            .map(|p| p.message),
        _ => None,
    }
}

fn text_field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field--error=move || error().is_some()>
            <label for=id>{label}</label>
            <span class="error-message" id=error_id.clone()>{error}</span>
            <input
                id=id
                class="input"
                aria-describedby=error_id
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// A picker of people (or teams, areas): `(value, label)` options after a
/// first "none" option.
fn picker(
    id: &'static str,
    label: &'static str,
    none: &'static str,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    value: RwSignal<String>,
    error: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let options = move || {
        options()
            .into_iter()
            .map(|(v, l)| {
                let selected = {
                    let v = v.clone();
                    move || value.get() == v
                };
                view! { <option value=v selected=selected>{l}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="field" class:field--error=move || error().is_some()>
            <label for=id>{label}</label>
            <span class="error-message">{error}</span>
            <select id=id class="select" on:change=move |ev| value.set(event_target_value(&ev))>
                <option value=NEW selected=move || value.get().is_empty()>{none}</option>
                {options}
            </select>
        </div>
    }
}

/// `(id, label)` pairs sorted by label.
fn sorted(mut options: Vec<(String, String)>) -> Vec<(String, String)> {
    options.sort_by(|a, b| a.1.cmp(&b.1));
    options
}

fn people_options(org: &Organisation) -> Vec<(String, String)> {
    sorted(
        org.people()
            .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.id)))
            .collect(),
    )
}

fn team_options(org: &Organisation) -> Vec<(String, String)> {
    sorted(
        org.teams()
            .map(|t| (t.id.to_string(), t.name.clone()))
            .collect(),
    )
}

fn area_options(org: &Organisation) -> Vec<(String, String)> {
    sorted(
        org.service_areas()
            .map(|a| (a.id.to_string(), a.name.clone()))
            .collect(),
    )
}

/// Shows the problems this device found in an edit (focusing their
/// summary), or sends it and says it is saved; `applied` then brings the
/// directory again.
fn check_and_send(
    (outcome, applied, summary): (RwSignal<Option<Outcome>>, RwSignal<u32>, &'static str),
    checked: Option<Result<(), Vec<SettingProblem>>>,
    what: String,
    send: impl Future<Output = Result<(), api::ApiError>> + 'static,
) {
    if let Some(Err(problems)) = checked {
        outcome.set(Some(Outcome::Problems(problems)));
        crate::components::problem::focus_when_shown(summary);
        return;
    }
    leptos::task::spawn_local(async move {
        match send.await {
            Ok(()) => {
                outcome.set(Some(Outcome::Saved(format!("{what} is saved."))));
                applied.update(|n| *n += 1);
            }
            Err(e) => outcome.set(Some(Outcome::Failed(e.to_string()))),
        }
    });
}

#[component]
fn PersonForm(org: RwSignal<Option<Organisation>>, applied: RwSignal<u32>) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let staff_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let job_title = RwSignal::new(String::new());
    let roles = RwSignal::new(Vec::<Role>::new());
    let team = RwSignal::new(String::new());
    let manager = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    // Choosing someone fills the form with what the directory holds.
    Effect::new(move |_| {
        let id = chosen.get();
        let edit = PersonId::parse(id.as_str())
            .ok()
            .and_then(|id| with_org(org, |o| o.person(&id).map(PersonEdit::of)).flatten());
        staff_id.set(id);
        name.set(edit.as_ref().map(|e| e.name.clone()).unwrap_or_default());
        email.set(edit.as_ref().map(|e| e.email.clone()).unwrap_or_default());
        job_title.set(
            edit.as_ref()
                .map(|e| e.job_title.clone())
                .unwrap_or_default(),
        );
        roles.set(edit.as_ref().map(|e| e.roles.clone()).unwrap_or_default());
        team.set(
            edit.as_ref()
                .and_then(|e| e.team.as_ref().map(|t| t.to_string()))
                .unwrap_or_default(),
        );
        manager.set(
            edit.as_ref()
                .and_then(|e| e.line_manager.as_ref().map(|m| m.to_string()))
                .unwrap_or_default(),
        );
        outcome.set(None);
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let id = match PersonId::parse(staff_id.get_untracked().trim()) {
            Ok(id) => id,
            Err(e) => {
                outcome.set(Some(Outcome::Problems(vec![SettingProblem {
                    field: "person-id".into(),
                    message: format!("Staff id: {e}"),
                }])));
                crate::components::problem::focus_when_shown("person-problems");
                return;
            }
        };
        let edit = PersonEdit {
            id: id.clone(),
            name: name.get_untracked(),
            email: email.get_untracked(),
            job_title: job_title.get_untracked(),
            roles: roles.get_untracked(),
            team: TeamId::parse(team.get_untracked()).ok(),
            service_area: None,
            line_manager: PersonId::parse(manager.get_untracked()).ok(),
        };
        let checked = with_org(org, |o| {
            edit_person(o, &edit, crate::clock::today()).map(|_| ())
        });
        let what = edit.name.trim().to_string();
        check_and_send(
            (outcome, applied, "person-problems"),
            checked,
            what,
            async move { api::edit_person(&edit).await.map(|_| ()) },
        );
    };
    let role_boxes = Role::ALL
        .into_iter()
        .map(|role| {
            let id = format!("person-role-{}", role.code());
            view! {
                <div class="checkbox">
                    <input
                        type="checkbox"
                        id=id.clone()
                        prop:checked=move || roles.get().contains(&role)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            roles.update(|r| {
                                r.retain(|x| *x != role);
                                if on {
                                    r.push(role);
                                }
                            });
                        }
                    />
                    <label for=id>{role.label()}</label>
                </div>
            }
        })
        .collect_view();
    let roles_error = field_error(outcome, "person-roles");
    view! {
        <form class="form" on:submit=submit novalidate data-testid="edit-person">
            <h3>"A person"</h3>
            {outcome_view(outcome, "person-problems")}
            {picker("person-choice", "Person", "A new person", options_of(org, people_options), chosen, || None)}
            <Show when=move || chosen.get().is_empty()>
                {text_field("person-id", "Staff id", staff_id, field_error(outcome, "person-id"))}
            </Show>
            {text_field("person-name", "Name", name, field_error(outcome, "person-name"))}
            {text_field("person-email", "Work e-mail", email, field_error(outcome, "person-email"))}
            {text_field("person-job-title", "Job title", job_title, || None)}
            <fieldset class="fieldset" id="person-roles" class:field--error=move || roles_error().is_some()>
                <legend>"Roles"</legend>
                <span class="error-message">{roles_error}</span>
                {role_boxes}
            </fieldset>
            {picker("person-team", "Team", "No team", options_of(org, team_options), team, field_error(outcome, "person-team"))}
            {picker("person-line-manager", "Line manager", "No line manager", options_of(org, people_options), manager, field_error(outcome, "person-line-manager"))}
            <button type="submit" class="button">"Save the person"</button>
        </form>
    }
}

#[component]
fn TeamForm(org: RwSignal<Option<Organisation>>, applied: RwSignal<u32>) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let manager = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    Effect::new(move |_| {
        let team = TeamId::parse(chosen.get())
            .ok()
            .and_then(|id| with_org(org, |o| o.team(&id).cloned()).flatten());
        name.set(team.as_ref().map(|t| t.name.clone()).unwrap_or_default());
        area.set(
            team.as_ref()
                .map(|t| t.service_area.to_string())
                .unwrap_or_default(),
        );
        manager.set(
            team.as_ref()
                .and_then(|t| t.manager.as_ref().map(|m| m.to_string()))
                .unwrap_or_default(),
        );
        outcome.set(None);
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(service_area) = ServiceAreaId::parse(area.get_untracked()) else {
            outcome.set(Some(Outcome::Problems(vec![SettingProblem {
                field: "team-area".into(),
                message: "Choose the team's service area".into(),
            }])));
            crate::components::problem::focus_when_shown("team-problems");
            return;
        };
        let edit = TeamEdit {
            id: TeamId::parse(chosen.get_untracked()).ok(),
            name: name.get_untracked(),
            service_area,
            manager: PersonId::parse(manager.get_untracked()).ok(),
        };
        let checked = with_org(org, |o| edit_team(o, &edit).map(|_| ()));
        let what = edit.name.trim().to_string();
        check_and_send(
            (outcome, applied, "team-problems"),
            checked,
            what,
            async move { api::edit_team(&edit).await },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate data-testid="edit-team">
            <h3>"A team"</h3>
            {outcome_view(outcome, "team-problems")}
            {picker("team-choice", "Team", "A new team", options_of(org, team_options), chosen, || None)}
            {text_field("team-name", "Team name", name, field_error(outcome, "team-name"))}
            {picker("team-area", "Service area", "Choose…", options_of(org, area_options), area, field_error(outcome, "team-area"))}
            {picker("team-manager", "Manager", "No manager", options_of(org, people_options), manager, || None)}
            <button type="submit" class="button">"Save the team"</button>
        </form>
    }
}

#[component]
fn AreaForm(org: RwSignal<Option<Organisation>>, applied: RwSignal<u32>) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let head = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    Effect::new(move |_| {
        let area = ServiceAreaId::parse(chosen.get())
            .ok()
            .and_then(|id| with_org(org, |o| o.service_area(&id).cloned()).flatten());
        name.set(area.as_ref().map(|a| a.name.clone()).unwrap_or_default());
        head.set(
            area.as_ref()
                .and_then(|a| a.head.as_ref().map(|h| h.to_string()))
                .unwrap_or_default(),
        );
        outcome.set(None);
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let edit = ServiceAreaEdit {
            id: ServiceAreaId::parse(chosen.get_untracked()).ok(),
            name: name.get_untracked(),
            head: PersonId::parse(head.get_untracked()).ok(),
        };
        let checked = with_org(org, |o| edit_service_area(o, &edit).map(|_| ()));
        let what = edit.name.trim().to_string();
        check_and_send(
            (outcome, applied, "area-problems"),
            checked,
            what,
            async move { api::edit_service_area(&edit).await },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate data-testid="edit-area">
            <h3>"A service area"</h3>
            {outcome_view(outcome, "area-problems")}
            {picker("area-choice", "Service area", "A new service area", options_of(org, area_options), chosen, || None)}
            {text_field("area-name", "Service area name", name, field_error(outcome, "area-name"))}
            {picker("area-head", "Head of Service", "No Head of Service", options_of(org, people_options), head, || None)}
            <button type="submit" class="button">"Save the service area"</button>
        </form>
    }
}
