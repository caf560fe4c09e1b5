//! The staff directory import (DOMAIN.md §9): the administrator uploads the
//! council's HR export, sees every problem by line, then who joins, leaves,
//! moves team and changes role, and only then applies it.

use leptos::prelude::*;
use qalf_shared::directory::{StaffColumn, StaffPlan};
use qalf_shared::org::Role;

mod edit;

use crate::api;
use crate::components::file_problems::FileProblems;
use crate::components::problem::{ErrorMessage, ErrorSummary};
use crate::format::plural;
use crate::session::use_session;

/// Matches the server's limit for a staff file.
const MAX_FILE_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

use qalf_shared::access::office::may_keep_staff_directory;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    Checking,
    Planned(StaffPlan),
    Applying(StaffPlan),
    Applied(StaffPlan),
    Failed(String),
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let session = use_session();
    let allowed = move || {
        session
            .me()
            .is_some_and(|me| may_keep_staff_directory(&me.roles))
    };
    // Counts imports applied, so the accounts list shows who joined.
    let applied = RwSignal::new(0u32);
    view! {
        <h1 tabindex="-1">"Staff directory"</h1>
        <Show
            when=allowed
            fallback=|| view! { <p>"Only the administrator imports the staff directory."</p> }
        >
            <StaffImport applied=applied />
            <edit::EditDirectory applied=applied />
            <Accounts applied=applied />
        </Show>
    }
}

#[component]
fn StaffImport(applied: RwSignal<u32>) -> impl IntoView {
    let stage = RwSignal::new(Stage::Idle);
    let file = StoredValue::new(Vec::<u8>::new());

    let on_file = move |ev: leptos::ev::Event| {
        let Some(chosen) = crate::file::chosen(&ev) else {
            return;
        };
        if chosen.size() > MAX_FILE_BYTES {
            stage.set(Stage::Failed(
                "The file is larger than 16 MB: export only the columns QALF needs.".into(),
            ));
            return;
        }
        stage.set(Stage::Checking);
        leptos::task::spawn_local(async move {
            let bytes = match crate::file::bytes(&chosen).await {
                Ok(bytes) => bytes,
                Err(message) => {
                    stage.set(Stage::Failed(message));
                    return;
                }
            };
            file.set_value(bytes.clone());
            match api::staff_plan(&bytes).await {
                Ok(plan) => stage.set(Stage::Planned(plan)),
                Err(e) => stage.set(Stage::Failed(e.to_string())),
            }
        });
    };

    let apply = move |_| {
        let Stage::Planned(plan) = stage.get_untracked() else {
            return;
        };
        stage.set(Stage::Applying(plan));
        leptos::task::spawn_local(async move {
            match api::staff_apply(&file.get_value()).await {
                Ok(plan) => {
                    stage.set(Stage::Applied(plan));
                    applied.update(|n| *n += 1);
                }
                Err(e) => stage.set(Stage::Failed(e.to_string())),
            }
        });
    };

    let outcome = move || {
        match stage.get() {
        Stage::Idle => ().into_any(),
        Stage::Checking => view! { <p role="status">"Checking the file…"</p> }.into_any(),
        Stage::Planned(plan) if plan.has_errors() => view! {
            <section aria-labelledby="staff-plan-heading" data-testid="staff-plan">
                <h2 id="staff-plan-heading">"The file cannot be applied yet"</h2>
                <p>{plan.summary()}</p>
                <p>"Correct these rows in the file and choose it again. Nothing has changed."</p>
                <FileProblems issues=plan.errors.clone() />
            </section>
        }
        .into_any(),
        Stage::Planned(plan) => {
            let changes = plan.changes_anything();
            view! {
                <Preview plan=plan.clone() />
                <Show
                    when=move || changes
                    fallback=|| view! { <p role="status">"The directory already matches this file: there is nothing to apply."</p> }
                >
                    <button type="button" class="button" data-testid="staff-apply" on:click=apply>
                        "Apply the staff directory"
                    </button>
                </Show>
            }
            .into_any()
        }
        Stage::Applying(plan) => view! {
            <Preview plan=plan.clone() />
            <p role="status">"Applying…"</p>
        }
        .into_any(),
        Stage::Applied(plan) => view! {
            <div class="panel" role="status" data-testid="staff-applied">
                <h2>"The staff directory is up to date"</h2>
                <p>{plan.summary()}</p>
                <p>"Leavers' sessions have ended; their devices delete their copy of records the next time they connect."</p>
            </div>
        }
        .into_any(),
        Stage::Failed(message) => view! {
            <ErrorSummary title="The staff directory was not changed" focusable=true>
                <p>{message}</p>
            </ErrorSummary>
        }
        .into_any(),
    }
    };

    view! {
        <p>
            "Upload the staff list exported from the council's HR system as CSV. The file lists everyone in Children's Services who uses QALF: anyone QALF knows who is not in the file, or whose end date has passed, leaves. Every row is checked and you see what would change before anything does."
        </p>
        <p>
            <a class="button button--secondary" href="/api/directory/staff-file/template" download="qalf-staff-template.csv">
                "Download a template"
            </a>
        </p>
        <Columns />
        <div class="field">
            <label for="staff-file">"Staff file (CSV)"</label>
            <span class="hint" id="staff-file-hint">"Nothing changes until you apply it."</span>
            <input
                id="staff-file"
                type="file"
                class="input--file"
                accept=".csv,text/csv"
                aria-describedby="staff-file-hint"
                on:change=on_file
            />
        </div>
        {outcome}
    }
}

/// The file's columns and the roles, explained.
#[component]
fn Columns() -> impl IntoView {
    let rows = StaffColumn::ALL
        .into_iter()
        .map(|c| {
            let required = StaffColumn::REQUIRED.contains(&c);
            view! {
                <tr>
                    <th scope="row"><code>{c.code()}</code></th>
                    <td>{if required { "Yes" } else { "No" }}</td>
                    <td>{c.meaning()}</td>
                </tr>
            }
        })
        .collect_view();
    let roles = Role::ALL
        .into_iter()
        .map(|r| view! { <li><code>{r.code()}</code>" — "{r.label()}</li> })
        .collect_view();
    view! {
        <details class="details">
            <summary>"The file's columns and the roles"</summary>
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Columns of the staff file"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Column"</th>
                            <th scope="col">"Required"</th>
                            <th scope="col">"What it holds"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h3>"Roles"</h3>
            <ul>{roles}</ul>
        </details>
    }
}

/// Who joins, leaves, moves and changes role.
#[component]
fn Preview(plan: StaffPlan) -> impl IntoView {
    fn roles(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
    let joiners = plan
        .joiners
        .iter()
        .map(|j| {
            let team = j.team.clone().map(|t| format!(", {t}")).unwrap_or_default();
            view! { <li>{format!("{} ({}{team})", j.name, roles(&j.roles))}</li> }
        })
        .collect_view();
    let leavers = plan
        .leavers
        .iter()
        .map(|l| {
            let why = match l.left_on {
                Some(day) => format!("left on {}", day.format("%-d %B %Y")),
                None => "not in the file".into(),
            };
            view! { <li>{format!("{} ({why})", l.name)}</li> }
        })
        .collect_view();
    let movers = plan
        .movers
        .iter()
        .map(|m| {
            let from = m.from.clone().unwrap_or_else(|| "no team".into());
            let to = m.to.clone().unwrap_or_else(|| "no team".into());
            view! { <li>{format!("{}: {from} to {to}", m.name)}</li> }
        })
        .collect_view();
    let role_changes = plan
        .role_changes
        .iter()
        .map(|c| view! { <li>{format!("{}: {} to {}", c.name, roles(&c.from), roles(&c.to))}</li> })
        .collect_view();
    let section = |title: String, items: AnyView, count: usize| {
        (count > 0).then(|| {
            view! {
                <h3>{title}</h3>
                <ul>{items}</ul>
            }
        })
    };
    let mut notes = Vec::new();
    if !plan.new_teams.is_empty() {
        notes.push(format!("New teams: {}.", plan.new_teams.join(", ")));
    }
    if !plan.new_service_areas.is_empty() {
        notes.push(format!(
            "New service areas: {}.",
            plan.new_service_areas.join(", ")
        ));
    }
    if !plan.cases_set_aside.is_empty() {
        notes.push(format!(
            "{} held by leavers leave the case list until the next case file names their new worker.",
            plural(plan.cases_set_aside.len(), "case", "cases")
        ));
    }
    if !plan.administrators_kept.is_empty() {
        notes.push(format!(
            "Kept although not in the file, as administrators: {}.",
            plan.administrators_kept.join(", ")
        ));
    }
    let warnings = plan
        .warnings
        .iter()
        .map(|w| view! { <li>{w.to_string()}</li> })
        .collect_view();
    view! {
        <section aria-labelledby="staff-plan-heading" data-testid="staff-plan">
            <h2 id="staff-plan-heading">"What applying the file would change"</h2>
            <p>{plan.summary()}</p>
            {section(format!("Joining ({})", plan.joiners.len()), joiners.into_any(), plan.joiners.len())}
            {section(format!("Leaving ({})", plan.leavers.len()), leavers.into_any(), plan.leavers.len())}
            {section(format!("Moving team ({})", plan.movers.len()), movers.into_any(), plan.movers.len())}
            {section(format!("Changing role ({})", plan.role_changes.len()), role_changes.into_any(), plan.role_changes.len())}
            {notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
            <ul class="hint">{warnings}</ul>
        </section>
    }
}

/// Local accounts, for councils without an identity provider: a one-time
/// link for each person to choose their password (or a new one, which
/// stops the old one working), to pass on to them.
#[component]
fn Accounts(applied: RwSignal<u32>) -> impl IntoView {
    use qalf_shared::api::{AccountLink, MakeAccountLink};
    let reload = RwSignal::new(0u32);
    let people = LocalResource::new(move || {
        reload.get();
        applied.get();
        api::accounts()
    });
    let made = RwSignal::new(None::<(String, AccountLink)>);
    let failure = RwSignal::new(None::<String>);
    let make = move |person: qalf_shared::org::PersonId, name: String| {
        failure.set(None);
        leptos::task::spawn_local(async move {
            match api::make_account_link(&person, &MakeAccountLink::default()).await {
                Ok(link) => {
                    made.set(Some((name, link)));
                    reload.update(|n| *n += 1);
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    let shown = move || {
        made.get().map(|(name, link)| {
            let until = chrono::DateTime::from_timestamp(link.expires_at, 0)
                .map(|t| t.format("%-d %B %Y, %H:%M").to_string())
                .unwrap_or_default();
            let what = if link.reset {
                format!("{name}'s old password has stopped working. ")
            } else {
                String::new()
            };
            view! {
                <div class="panel" role="status" data-testid="account-link">
                    <h3>{format!("A link for {name}")}</h3>
                    <p>{format!(
                        "{what}Give {name} this link, in person or by their work e-mail: with it they choose their password and sign in as {}. It works once, until {until}.",
                        link.username
                    )}</p>
                    <label class="visually-hidden" for="account-link-text">"The link"</label>
                    <input id="account-link-text" class="input" readonly prop:value=link.link.clone() />
                </div>
            }
        })
    };
    let rows = move || {
        people.get().map(|answer| match answer {
            Ok(list) => list
                .into_iter()
                .map(|p| {
                    let status = match (&p.username, p.link_expires_at) {
                        (_, Some(_)) => "Link not used yet".to_string(),
                        (Some(u), None) => format!("Signs in as {u}"),
                        (None, None) => "No password".to_string(),
                    };
                    // The accessible name starts with the words on the
                    // button, so speech control finds it by what it says.
                    let label = if p.username.is_some() {
                        format!("Make a link for {} to set a new password", p.name)
                    } else {
                        format!("Make a link for {} to set up their account", p.name)
                    };
                    let (person, name) = (p.person.clone(), p.name.clone());
                    view! {
                        <tr>
                            <td>{p.name.clone()}</td>
                            <td>{p.job_title.clone()}</td>
                            <td>{status}</td>
                            <td>
                                <button
                                    type="button"
                                    class="button button--secondary"
                                    aria-label=label
                                    on:click=move |_| make(person.clone(), name.clone())
                                >
                                    "Make a link"
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any(),
            Err(e) => view! { <tr><td colspan="4">{e.to_string()}</td></tr> }.into_any(),
        })
    };
    view! {
        <h2>"Accounts"</h2>
        <p>"Where the council signs in with its own accounts, people need nothing here. Otherwise, make each person a link to choose their password; a new link for someone who has forgotten theirs stops the old one working."</p>
        {shown}
        <Show when=move || failure.get().is_some()>
            <ErrorMessage>{move || failure.get()}</ErrorMessage>
        </Show>
        <div class="table-wrap">
            <table class="table" data-testid="accounts">
                <caption class="visually-hidden">"People and their accounts"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Job title"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col"><span class="visually-hidden">"Link"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <Suspense fallback=|| ()>{rows}</Suspense>
                </tbody>
            </table>
        </div>
    }
}
