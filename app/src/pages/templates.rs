//! The audit questions, as the CPP edits them (DOMAIN.md §9): reword a
//! question, retire one, add one to a section for every cohort or some.
//! Saving makes the next version: audits allocated from then on use it, and
//! audits already started keep the questions they started with.

use std::collections::BTreeSet;

use leptos::prelude::*;
use qalf_shared::audit::template::{AuditTemplate, QuestionTemplate};
use qalf_shared::audit::template_edit::{check_next, new_question_id};
use qalf_shared::org::Cohort;
use qalf_shared::settings::SettingProblem;

use crate::api;
use crate::session::use_session;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let session = use_session();
    let allowed = move || {
        session
            .me()
            .is_some_and(|me| me.roles.iter().any(|r| r.is_cpp()))
    };
    view! {
        <h1 tabindex="-1">"Audit questions"</h1>
        <Show when=allowed fallback=|| view! { <p>"Only the CPP changes the audit questions."</p> }>
            <QuestionEditor />
        </Show>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved(u32),
    Problems(Vec<SettingProblem>),
    Failed(String),
}

#[component]
fn QuestionEditor() -> impl IntoView {
    // The draft is edited in place; `shape` changes only when questions
    // are added or the saved set arrives, so typing never redraws the list.
    let draft = RwSignal::new(None::<AuditTemplate>);
    let saved = RwSignal::new(None::<AuditTemplate>);
    let retire = RwSignal::new(BTreeSet::<String>::new());
    let shape = RwSignal::new(0u32);
    let outcome = RwSignal::new(None::<Outcome>);
    let load = move |template: AuditTemplate| {
        draft.set(Some(template.clone()));
        saved.set(Some(template));
        retire.set(BTreeSet::new());
        shape.update(|n| *n += 1);
    };
    leptos::task::spawn_local(async move {
        match api::audit_template().await {
            Ok(t) => load(t),
            Err(e) => outcome.set(Some(Outcome::Failed(e.to_string()))),
        }
    });

    let save = move |_| {
        let (Some(current), Some(mut proposed)) = (saved.get_untracked(), draft.get_untracked())
        else {
            return;
        };
        let gone = retire.get_untracked();
        for section in &mut proposed.sections {
            section.questions.retain(|q| !gone.contains(&q.id));
        }
        if let Err(problems) = check_next(&current, &BTreeSet::new(), &proposed) {
            outcome.set(Some(Outcome::Problems(problems)));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::save_audit_template(&proposed).await {
                Ok(t) => {
                    outcome.set(Some(Outcome::Saved(t.version)));
                    load(t);
                }
                Err(e) => outcome.set(Some(Outcome::Failed(e.to_string()))),
            }
        });
    };

    let outcome_view = move || {
        outcome.get().map(|o| match o {
            Outcome::Saved(version) => view! {
                <p class="panel" role="status" data-testid="questions-saved">{format!(
                    "Saved as version {version}. Audits allocated from now on ask these questions; audits already started keep theirs."
                )}</p>
            }
            .into_any(),
            Outcome::Problems(list) => {
                crate::components::problem::field_problems(list, "questions-problems", false)
                    .into_any()
            }
            Outcome::Failed(message) => view! {
                <div class="error-summary" role="alert">
                    <h2 class="error-summary__title">"Not saved"</h2>
                    <p>{message}</p>
                </div>
            }
            .into_any(),
        })
    };

    let sections = move || {
        shape.get();
        let Some(template) = draft.get_untracked() else {
            return view! { <p role="status">"Loading the questions…"</p> }.into_any();
        };
        template
            .sections
            .iter()
            .enumerate()
            .map(|(s, section)| {
                let questions = section
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(q, question)| question_row(draft, retire, s, q, question))
                    .collect_view();
                let section_id = format!("section-{}", section.id);
                view! {
                    <section class="template-section" id=section_id aria-labelledby=format!("{}-title", section.id)>
                        <h2 id=format!("{}-title", section.id)>{section.title.clone()}</h2>
                        <ol class="template-questions">{questions}</ol>
                        <AddQuestion draft=draft shape=shape section=s />
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };

    view! {
        <p>"Reword, retire or add questions. Saving makes a new version of the question set: audits allocated from then on use it, and an audit already started keeps the questions it started with."</p>
        {outcome_view}
        {sections}
        <button type="button" class="button" data-testid="save-questions" on:click=save>"Save the questions"</button>
    }
}

/// Who a question is asked for.
fn cohorts_label(cohorts: &[Cohort]) -> String {
    if cohorts.is_empty() {
        "Every cohort".into()
    } else {
        cohorts
            .iter()
            .map(|c| c.code().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn question_row(
    draft: RwSignal<Option<AuditTemplate>>,
    retire: RwSignal<BTreeSet<String>>,
    s: usize,
    q: usize,
    question: &QuestionTemplate,
) -> impl IntoView {
    let text_id = format!("question-{}", question.id);
    let retire_id = format!("retire-{}", question.id);
    let id = question.id.clone();
    let edit = move |f: &dyn Fn(&mut QuestionTemplate)| {
        draft.update(|t| {
            if let Some(question) = t
                .as_mut()
                .and_then(|t| t.sections.get_mut(s))
                .and_then(|s| s.questions.get_mut(q))
            {
                f(question);
            }
        })
    };
    view! {
        <li class="template-question">
            <div class="field">
                <label for=text_id.clone()>{format!("Question ({})", cohorts_label(&question.cohorts))}</label>
                <textarea
                    id=text_id
                    class="textarea"
                    rows="2"
                    prop:value=question.text.clone()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        edit(&|q| q.text = v.clone());
                    }
                ></textarea>
            </div>
            <div class="checkbox">
                <input
                    type="checkbox"
                    id=retire_id.clone()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let id = id.clone();
                        retire.update(|r| {
                            if on {
                                r.insert(id);
                            } else {
                                r.remove(&id);
                            }
                        });
                    }
                />
                <label for=retire_id>"Retire this question"</label>
            </div>
        </li>
    }
}

#[component]
fn AddQuestion(
    draft: RwSignal<Option<AuditTemplate>>,
    shape: RwSignal<u32>,
    section: usize,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeSet::<Cohort>::new());
    let field = format!("new-question-{section}");
    let add = move |_| {
        let words = text.get_untracked().trim().to_string();
        if words.is_empty() {
            return;
        }
        draft.update(|t| {
            if let Some(t) = t.as_mut() {
                let Some(section_id) = t.sections.get(section).map(|s| s.id.clone()) else {
                    return;
                };
                let id = new_question_id(t, &section_id, &words);
                t.sections[section].questions.push(QuestionTemplate {
                    id,
                    text: words.clone(),
                    hint: String::new(),
                    cohorts: chosen.get_untracked().into_iter().collect(),
                });
            }
        });
        text.set(String::new());
        chosen.set(BTreeSet::new());
        shape.update(|n| *n += 1);
    };
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
            <fieldset class="fieldset">
                <legend>"Asked for (none ticked: every cohort)"</legend>
                {boxes}
            </fieldset>
            <button type="button" class="button button--secondary" on:click=add>"Add the question"</button>
        </div>
    }
}
