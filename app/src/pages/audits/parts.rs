//! The parts of an audit, in the order they are worked through, with each
//! part's progress beside its name.

use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::audit::rules;

use super::AuditContext;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Details,
    Section(String),
    Judgement,
    Actions,
    Family,
    Complete,
    FollowUp,
    Disagreement,
    History,
}

impl Part {
    pub fn parse(code: &str) -> Part {
        match code {
            "details" => Part::Details,
            "judgement" => Part::Judgement,
            "actions" => Part::Actions,
            "family" => Part::Family,
            "complete" => Part::Complete,
            "follow-up" => Part::FollowUp,
            "disagreement" => Part::Disagreement,
            "history" => Part::History,
            section => Part::Section(section.to_string()),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Part::Details => "details",
            Part::Section(id) => id,
            Part::Judgement => "judgement",
            Part::Actions => "actions",
            Part::Family => "family",
            Part::Complete => "complete",
            Part::FollowUp => "follow-up",
            Part::Disagreement => "disagreement",
            Part::History => "history",
        }
    }
}

/// Every part with its label and progress text.
fn parts(context: &AuditContext) -> Vec<(Part, String, String)> {
    let Some(audit) = context.audit.get() else {
        return Vec::new();
    };
    let mut list = vec![(
        Part::Details,
        "Details and meeting".to_string(),
        String::new(),
    )];
    for section in &audit.sections {
        let progress = rules::section_progress(&audit, &section.id)
            .map(|(answered, total, judged)| {
                format!(
                    "{answered} of {total} answered{}",
                    if judged { ", graded" } else { "" }
                )
            })
            .unwrap_or_default();
        list.push((
            Part::Section(section.id.clone()),
            section.title.clone(),
            progress,
        ));
    }
    list.push((Part::Judgement, "Overall judgement".into(), String::new()));
    list.push((
        Part::Actions,
        "Actions and stretch targets".into(),
        String::new(),
    ));
    list.push((Part::Family, "Family feedback".into(), String::new()));
    list.push((Part::Complete, "Check and complete".into(), String::new()));
    if audit.completed_at.is_some() {
        list.push((
            Part::FollowUp,
            "Follow-up and responses".into(),
            String::new(),
        ));
        list.push((Part::Disagreement, "Disagreement".into(), String::new()));
    }
    list.push((Part::History, "History of changes".into(), String::new()));
    list
}

/// The list of parts; the current one is marked for screen readers.
#[component]
pub fn PartNav(current: Signal<Part>) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let id = context.id.clone();
    let items = move || {
        parts(&context)
            .into_iter()
            .map(|(part, label, progress)| {
                let href = format!("/audits/{}/{}", id, part.code());
                let here = {
                    let part = part.clone();
                    move || current.get() == part
                };
                let here2 = here.clone();
                view! {
                    <li class="part-nav__item" class:part-nav__item--current=here>
                        <A href=href attr:aria-current=move || here2().then_some("step")>
                            <span class="part-nav__label">{label}</span>
                            <span class="part-nav__progress">{progress}</span>
                        </A>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <nav class="part-nav" aria-label="Parts of the audit">
            <ol>{items}</ol>
        </nav>
    }
}

/// "Next: …" at the end of a part, so a tablet user moves on without
/// scrolling back to the list.
#[component]
pub fn NextPart(current: Signal<Part>) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let id = context.id.clone();
    move || {
        let list = parts(&context);
        let at = list.iter().position(|(p, _, _)| *p == current.get())?;
        let (next, label, _) = list.get(at + 1)?.clone();
        Some(view! {
            <p class="next-part">
                <A href=format!("/audits/{}/{}", id, next.code()) attr:class="button button--secondary">
                    {format!("Next: {label}")}
                </A>
            </p>
        })
    }
}
