use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::PersonSummary;
use qalf_shared::document::note;
use qalf_shared::org::PersonId;
use web_sys::SubmitEvent;

use crate::api;
use crate::components::doc_status::DocStatus;
use crate::repo::{self, use_repo};

/// The notes on this device, and a form to start one.
#[component]
pub fn NotesPage() -> impl IntoView {
    let repo = use_repo();
    let notes = {
        let repo = repo.clone();
        move || {
            let mut notes = repo.read_all(note::read);
            notes.sort_by_key(|n| std::cmp::Reverse(n.1.created_at));
            notes
        }
    };
    let list = move || {
        let notes = notes();
        if notes.is_empty() {
            return view! { <p>"There are no notes on this device yet."</p> }.into_any();
        }
        let items = notes
            .into_iter()
            .map(|(id, n)| {
                let href = format!("/notes/{id}");
                let title = if n.title.as_str().trim().is_empty() {
                    "Untitled note".to_string()
                } else {
                    n.title.as_str().to_string()
                };
                view! {
                    <li class="record-list__item">
                        <A href=href>{title}</A>
                        <DocStatus doc=id />
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="record-list" data-testid="notes">{items}</ul> }.into_any()
    };

    view! {
        <h1>"Notes"</h1>
        <p class="lead">"Shared notes you and colleagues can write in together, even offline."</p>
        <NewNote />
        <h2>"Your notes"</h2>
        {list}
    }
}

/// The people a note can be shared with: my team, my manager, my reports.
fn colleagues(all: &[PersonSummary], me: &PersonId) -> Vec<PersonSummary> {
    let mine = all.iter().find(|p| &p.id == me);
    let my_team = mine.and_then(|p| p.team.clone());
    let my_manager = mine.and_then(|p| p.line_manager.clone());
    all.iter()
        .filter(|p| &p.id != me)
        .filter(|p| {
            (my_team.is_some() && p.team == my_team)
                || Some(&p.id) == my_manager.as_ref()
                || p.line_manager.as_ref() == Some(me)
        })
        .cloned()
        .collect()
}

#[component]
fn NewNote() -> impl IntoView {
    let repo = use_repo();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<PersonId>::new());
    let error = RwSignal::new(None::<String>);
    let me = repo.me().id.clone();
    let people = LocalResource::new(api::people);

    let create = {
        let repo = repo.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let name = title.get_untracked().trim().to_string();
            if name.is_empty() {
                error.set(Some("Enter a title for the note".into()));
                return;
            }
            error.set(None);
            let now = (repo::now_ms() / 1000) as i64;
            let id = repo::new_document_id();
            let me = repo.me().id.clone();
            let doc = match note::new_note(&name, me.as_str(), now) {
                Ok(doc) => doc,
                Err(e) => {
                    error.set(Some(format!("The note could not be made: {e}")));
                    return;
                }
            };
            let meta = RecordMeta {
                id: id.clone(),
                created_by: me,
                created_at: now,
                parties: Parties::Note {
                    members: chosen.get_untracked(),
                },
            };
            let repo = repo.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match repo.create(meta, doc).await {
                    Ok(()) => navigate(&format!("/notes/{id}"), Default::default()),
                    Err(e) => error.set(Some(format!("The note could not be saved: {e}"))),
                }
            });
        }
    };

    let share_with = move || {
        let me = me.clone();
        people.get().map(move |result| match result {
            Ok(all) => {
                let options = colleagues(&all, &me)
                    .into_iter()
                    .map(|p| {
                        let id = p.id.clone();
                        let input_id = format!("share-{}", p.id);
                        let checked = {
                            let id = id.clone();
                            move || chosen.with(|c| c.contains(&id))
                        };
                        view! {
                            <li class="checkbox">
                                <input
                                    type="checkbox"
                                    id=input_id.clone()
                                    prop:checked=checked
                                    on:change=move |_| {
                                        let id = id.clone();
                                        chosen.update(|c| {
                                            if let Some(i) = c.iter().position(|x| *x == id) {
                                                c.remove(i);
                                            } else {
                                                c.push(id);
                                            }
                                        })
                                    }
                                />
                                <label for=input_id>{format!("{}, {}", p.name, p.job_title)}</label>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <fieldset class="fieldset">
                        <legend>"Share with"</legend>
                        <ul class="checkboxes">{options}</ul>
                    </fieldset>
                }
                .into_any()
            }
            Err(_) => view! {
                <p class="hint">"Offline: the note will be yours alone until you share it online."</p>
            }
            .into_any(),
        })
    };

    view! {
        <form class="form panel" on:submit=create novalidate>
            <h2>"Start a note"</h2>
            <Show when=move || error.get().is_some()>
                <ErrorMessage>{move || error.get()}</ErrorMessage>
            </Show>
            <div class="field">
                <label for="new-note-title">"Title"</label>
                <input id="new-note-title" type="text" bind:value=title />
            </div>
            <Suspense fallback=|| ()>{share_with}</Suspense>
            <button type="submit" class="button">"Create note"</button>
        </form>
    }
}
