use leptos::prelude::*;
use qalf_shared::audit::document::path;

use super::AuditContext;
use super::section::grade_options;
use crate::components::choice_field::ChoiceField;
use crate::components::text_field::TextField;
use crate::components::theme_tags::ThemeTags;
use qalf_shared::report::facts::Polarity;

/// The overall judgement (R-AUDIT-1), strengths, areas for development, and
/// good practice to recognise (R-AUDIT-10).
#[component]
pub fn Judgement() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let id = context.id.clone();
    view! {
        <h2>"Overall judgement"</h2>
        <ChoiceField
            doc=id.clone()
            path=path::overall()
            key="grade"
            options=grade_options()
            legend="Overall grade".to_string()
            hint="Ofsted's grades, judged on the child's experience and progress."
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id.clone()
            path=path::overall_reason()
            label="Reason for the overall grade".to_string()
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id.clone()
            path=path::strengths()
            label="Strengths".to_string()
            readonly=readonly
            on_change=amended
        />
        <ThemeTags
            doc=id.clone()
            polarity=Polarity::Strength
            legend="Practice themes the strengths show".to_string()
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id.clone()
            path=path::development()
            label="Areas for development".to_string()
            readonly=readonly
            on_change=amended
        />
        <ThemeTags
            doc=id.clone()
            polarity=Polarity::Development
            legend="Practice themes to develop".to_string()
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id
            path=path::good_practice()
            label="Good practice to recognise (optional)".to_string()
            hint="If you write here, the practitioner and their managers are sent a recognition message when the audit is completed."
            readonly=readonly
            on_change=amended
        />
    }
}
