use leptos::prelude::*;
use qalf_shared::audit::document::path;
use qalf_shared::audit::{Answer, Grade, template};

use super::AuditContext;
use crate::components::choice_field::ChoiceField;
use crate::components::text_field::TextField;

pub fn grade_options() -> Vec<(&'static str, &'static str)> {
    Grade::ALL.iter().map(|g| (g.code(), g.label())).collect()
}

/// A stored grade code as people read it ("not given" when absent).
pub fn grade_label(grade: Option<Grade>) -> String {
    grade.map_or("not given", Grade::label).to_string()
}

/// One of the nine sections: its questions (Yes / Partly / No / N/A with
/// evidence), then its grade and the reason for it (R-AUDIT-1).
#[component]
pub fn SectionPart(section: String) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let id = context.id.clone();
    // The question list of this audit does not change after it starts, so
    // the form is built once; the fields follow the document themselves.
    let Some(a) = audit.get_untracked() else {
        return view! { <p>"Opening…"</p> }.into_any();
    };
    let Some(s) = a.sections.iter().find(|s| s.id == section).cloned() else {
        return view! { <h2>"There is no such section in this audit"</h2> }.into_any();
    };
    // The section's guidance: the framework's, the same in every version
    // of the questions (the CPP edits questions, never sections).
    let guidance = template::current()
        .sections
        .iter()
        .find(|t| t.id == s.id)
        .cloned();
    let answers: Vec<(&'static str, &'static str)> =
        Answer::ALL.iter().map(|x| (x.code(), x.label())).collect();
    let questions = s
        .questions
        .iter()
        .enumerate()
        .map(|(n, q)| {
            let question_path = path::question(&s.id, &q.id);
            view! {
                <div class="question" data-testid="question">
                    <ChoiceField
                        doc=id.clone()
                        path=question_path.clone()
                        key="answer"
                        options=answers.clone()
                        legend=format!("{}. {}", n + 1, q.text)
                        hint=q.hint.clone()
                        readonly=readonly
                        inline=true
                        on_change=amended
                    />
                    <TextField
                        doc=id.clone()
                        path=path::evidence(&s.id, &q.id)
                        label=format!("Evidence for question {}", n + 1)
                        readonly=readonly
                        on_change=amended
                    />
                </div>
            }
        })
        .collect_view();
    let descriptors = guidance.as_ref().map(|g| {
        let d = &g.grade_descriptors;
        format!(
            "Outstanding: {} Good: {} Requires improvement: {} Inadequate: {}",
            d.outstanding, d.good, d.requires_improvement, d.inadequate
        )
    });
    view! {
        <h2>{s.title.clone()}</h2>
        {guidance.map(|g| view! { <p class="lead">{g.guidance}</p> })}
        {questions}
        <div class="judgement">
            <ChoiceField
                doc=id.clone()
                path=path::section(&s.id)
                key="grade"
                options=grade_options()
                legend=format!("Grade for {}", s.title)
                hint=descriptors.unwrap_or_default()
                readonly=readonly
                on_change=amended
            />
            <TextField
                doc=id.clone()
                path=path::section_reason(&s.id)
                label=format!("Reason for the grade for {}", s.title)
                readonly=readonly
                on_change=amended
            />
        </div>
    }
    .into_any()
}
