//! The question sets, as the CPP edits them (DOMAIN.md §9): the audit
//! questions (reword, retire, add one to a section for every cohort or
//! some) and the observation prompts (reword, retire, add, kind by kind).
//! Saving makes the next version: records started from then on use it,
//! and records already started keep the questions they started with.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::audit::template::AuditTemplate;
use qalf_shared::observation::template::ObservationTemplates;
use qalf_shared::org::Cohort;
use qalf_shared::question_set::{Asked, check_next};
use qalf_shared::settings::SettingProblem;

use crate::api::{self, ServedQuestionSet};
use crate::components::problem::ErrorSummary;
use crate::session::use_session;

/// The audit questions.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    question_page::<AuditTemplate>(
        "Audit questions",
        "Audits allocated from now on ask these questions; audits already started keep theirs.",
    )
}

/// The observation prompts.
#[component]
pub fn ObservationPromptsPage() -> impl IntoView {
    question_page::<ObservationTemplates>(
        "Observation prompts",
        "Observations started from now on ask these prompts (on a device that was offline, once it has been online); observations already started keep theirs.",
    )
}

fn question_page<T: ServedQuestionSet>(
    title: &'static str,
    takes_effect: &'static str,
) -> impl IntoView {
    let session = use_session();
    let allowed = move || {
        session
            .me()
            .is_some_and(|me| qalf_shared::org::works_in_cpp(&me.roles))
    };
    view! {
        <h1 tabindex="-1">{title}</h1>
        <nav class="sub-nav" aria-label="Question sets">
            <ul>
                <li><A href="/templates" exact=true>"Audit questions"</A></li>
                <li><A href="/templates/observations">"Observation prompts"</A></li>
            </ul>
        </nav>
        <Show when=allowed fallback=|| view! { <p>"Only the CPP changes the questions."</p> }>
            {question_editor::<T>(takes_effect)}
        </Show>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved(u32),
    Problems(Vec<SettingProblem>),
    Failed(String),
}

fn question_editor<T: ServedQuestionSet>(takes_effect: &'static str) -> impl IntoView {
    // The draft is edited in place; `shape` changes only when questions
    // are added or the saved set arrives, so typing never redraws the list.
    let draft = RwSignal::new(None::<T>);
    let saved = RwSignal::new(None::<T>);
    let retire = RwSignal::new(BTreeSet::<String>::new());
    let shape = RwSignal::new(0u32);
    let outcome = RwSignal::new(None::<Outcome>);
    // The part shown, where a set has parts (the kinds of observation).
    let part = RwSignal::new(None::<String>);
    let load = move |set: T| {
        if part.get_untracked().is_none() {
            part.set(set.sections().into_iter().find_map(|s| s.part));
        }
        draft.set(Some(set.clone()));
        saved.set(Some(set));
        retire.set(BTreeSet::new());
        shape.update(|n| *n += 1);
    };
    leptos::task::spawn_local(async move {
        match api::question_set::<T>().await {
            Ok(set) => load(set),
            Err(e) => outcome.set(Some(Outcome::Failed(e.to_string()))),
        }
    });

    let save = move |_| {
        let (Some(current), Some(mut proposed)) = (saved.get_untracked(), draft.get_untracked())
        else {
            return;
        };
        proposed.retire(&retire.get_untracked());
        if let Err(problems) = check_next(&current, &BTreeSet::new(), &proposed) {
            outcome.set(Some(Outcome::Problems(problems)));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::save_question_set(&proposed).await {
                Ok(set) => {
                    outcome.set(Some(Outcome::Saved(set.version())));
                    load(set);
                }
                Err(e) => outcome.set(Some(Outcome::Failed(e.to_string()))),
            }
        });
    };

    let outcome_view = move || {
        outcome.get().map(|o| match o {
            Outcome::Saved(version) => view! {
                <p class="panel" role="status" data-testid="questions-saved">{format!(
                    "Saved as version {version}. {takes_effect}"
                )}</p>
            }
            .into_any(),
            Outcome::Problems(list) => {
                crate::components::problem::field_problems(list, "questions-problems", false)
                    .into_any()
            }
            Outcome::Failed(message) => view! {
                <ErrorSummary title="Not saved">
                    <p>{message}</p>
                </ErrorSummary>
            }
            .into_any(),
        })
    };

    let parts = move || {
        shape.get();
        let set = draft.get_untracked()?;
        let mut names: Vec<String> = Vec::new();
        for name in set.sections().into_iter().filter_map(|s| s.part) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        (!names.is_empty()).then(|| {
            let options = names
                .into_iter()
                .map(|name| {
                    let selected = part.get_untracked().as_deref() == Some(name.as_str());
                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                })
                .collect_view();
            view! {
                <div class="field">
                    <label for="question-part">"Kind of observation"</label>
                    <select
                        id="question-part"
                        class="select"
                        on:change=move |ev| part.set(Some(event_target_value(&ev)))
                    >
                        {options}
                    </select>
                </div>
            }
        })
    };

    let sections = move || {
        shape.get();
        let shown = part.get();
        let Some(set) = draft.get_untracked() else {
            return view! { <p role="status">"Loading the questions…"</p> }.into_any();
        };
        set.sections()
            .into_iter()
            .filter(|s| s.part.is_none() || s.part == shown)
            .map(|section| {
                let questions = section
                    .questions
                    .into_iter()
                    .enumerate()
                    .map(|(n, question)| question_row(draft, retire, n + 1, question))
                    .collect_view();
                let title_id = format!("{}-title", section.key);
                let labelled_by = title_id.clone();
                view! {
                    <section class="template-section" id=format!("section-{}", section.key) aria-labelledby=labelled_by>
                        <h2 id=title_id>{section.title.clone()}</h2>
                        <ol class="template-questions">{questions}</ol>
                        {add_question(draft, shape, section.key.clone())}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };

    view! {
        <p>"Reword, retire or add questions. Saving makes a new version of the set: records started from then on use it, and a record already started keeps the questions it started with."</p>
        {outcome_view}
        {parts}
        {sections}
        <button type="button" class="button" data-testid="save-questions" on:click=save>"Save the questions"</button>
    }
}

fn question_row<T: ServedQuestionSet>(
    draft: RwSignal<Option<T>>,
    retire: RwSignal<BTreeSet<String>>,
    number: usize,
    question: Asked,
) -> impl IntoView {
    let text_id = format!("question-{}", question.key);
    let retire_id = format!("retire-{}", question.key);
    // Each control names its question, so a screen reader's list of them
    // tells them apart.
    let label = match &question.asked_for {
        Some(cohorts) => format!("Question {number} ({cohorts})"),
        None => format!("Prompt {number}"),
    };
    let key = question.key.clone();
    let retired = {
        let key = key.clone();
        move || retire.get().contains(&key)
    };
    let reword = {
        let key = key.clone();
        move |ev| {
            let v = event_target_value(&ev);
            draft.update(|set| {
                if let Some(set) = set.as_mut() {
                    set.reword(&key, &v);
                }
            });
        }
    };
    let keep_or_retire = match question.kept_because {
        Some(why) => view! { <p class="hint">{format!("Kept: {why}.")}</p> }.into_any(),
        None => view! {
            <div class="checkbox">
                <input
                    type="checkbox"
                    id=retire_id.clone()
                    prop:checked=retired
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let key = key.clone();
                        retire.update(|r| {
                            if on {
                                r.insert(key);
                            } else {
                                r.remove(&key);
                            }
                        });
                    }
                />
                <label for=retire_id>{format!("Retire question {number}")}</label>
            </div>
        }
        .into_any(),
    };
    view! {
        <li class="template-question">
            <div class="field">
                <label for=text_id.clone()>{label}</label>
                <textarea
                    id=text_id
                    class="textarea"
                    rows="2"
                    prop:value=question.text.clone()
                    on:change=reword
                ></textarea>
            </div>
            {keep_or_retire}
        </li>
    }
}

fn add_question<T: ServedQuestionSet>(
    draft: RwSignal<Option<T>>,
    shape: RwSignal<u32>,
    section: String,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeSet::<Cohort>::new());
    let field = format!("new-question-{section}");
    let add = {
        let section = section.clone();
        move |_| {
            let words = text.get_untracked().trim().to_string();
            if words.is_empty() {
                return;
            }
            let cohorts: Vec<Cohort> = chosen.get_untracked().into_iter().collect();
            draft.update(|set| {
                if let Some(set) = set.as_mut() {
                    set.add(&section, &words, &cohorts);
                }
            });
            text.set(String::new());
            chosen.set(BTreeSet::new());
            shape.update(|n| *n += 1);
        }
    };
    let cohorts = T::chooses_cohorts().then(|| {
        let boxes = Cohort::ALL
            .into_iter()
            .map(|c| {
                let id = format!("new-question-{section}-{}", c.code());
                view! {
                    <div class="checkbox">
                        <input
                            type="checkbox"
                            id=id.clone()
                            prop:checked=move || chosen.get().contains(&c)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|set| {
                                    if on {
                                        set.insert(c);
                                    } else {
                                        set.remove(&c);
                                    }
                                });
                            }
                        />
                        <label for=id>{c.label()}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="fieldset">
                <legend>"Asked for (none ticked: every cohort)"</legend>
                {boxes}
            </fieldset>
        }
    });
    view! {
        <div class="template-add">
            <div class="field">
                <label for=field.clone()>"A new question for this section"</label>
                <textarea
                    id=field
                    class="textarea"
                    rows="2"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </div>
            {cohorts}
            <button type="button" class="button button--secondary" on:click=add>"Add the question"</button>
        </div>
    }
}
