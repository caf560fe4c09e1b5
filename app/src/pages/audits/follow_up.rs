use leptos::prelude::*;
use qalf_shared::audit::rules;
use qalf_shared::document::text::FieldPath;

use super::AuditContext;
use crate::clock;
use crate::components::check_field::CheckField;
use crate::components::choice_field::ChoiceField;
use crate::components::date_field::DateField;
use crate::components::text_field::TextField;

/// The follow-up two weeks after completion (R-AUDIT-7) and the two
/// "support and challenge" conversations (R-AUDIT-9).
#[component]
pub fn FollowUp() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let findings_readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let id = context.id.clone();
    let follow = FieldPath::key("follow_up");
    let due = move || {
        audit.get().map(|a| {
            let overdue = rules::follow_up_overdue(&a, clock::today());
            let due = a.follow_up.due_on.unwrap_or_default();
            if overdue {
                ("tag tag--red", format!("Overdue: was due on {due}"))
            } else {
                ("tag", format!("Due on {due}"))
            }
        })
    };
    let responses = FieldPath::key("responses");
    view! {
        <h2>"Follow-up"</h2>
        {move || due().map(|(class, text)| view! { <p><span class=class data-testid="follow-up-due">{text}</span></p> })}
        <p class="hint">"Check the case file: are the recommended actions done? Put a case note on file. If not, contact the practitioner and manager."</p>
        <DateField
            doc=id.clone()
            path=follow.clone()
            key="done_on"
            label="Follow-up done on".to_string()
            readonly=findings_readonly
            on_change=amended
        />
        <ChoiceField
            doc=id.clone()
            path=follow.clone()
            key="actions_complete"
            options=vec![("yes", "Yes"), ("no", "No")]
            legend="Are the recommended actions complete?".to_string()
            inline=true
            readonly=findings_readonly
            on_change=amended
        />
        <TextField
            doc=id.clone()
            path=follow.then_key("case_note")
            label="Case note put on file".to_string()
            readonly=findings_readonly
            on_change=amended
        />
        <CheckField
            doc=id.clone()
            path=FieldPath::key("follow_up")
            key="contacted"
            label="The practitioner and manager were contacted about unfinished actions".to_string()
            readonly=findings_readonly
            on_change=amended
        />
        <h2>"Responses to the audit"</h2>
        <h3>"Manager and practitioner: support and challenge"</h3>
        <DateField
            doc=id.clone()
            path=responses.then_key("practitioner")
            key="held_on"
            label="Held on".to_string()
        />
        <TextField
            doc=id.clone()
            path=FieldPath::key("responses").then_key("practitioner").then_key("notes")
            label="Supervision / response to audit".to_string()
            hint="The stretch target, the actions and how they will be done."
        />
        <h3>"Service Manager and Team Manager: support and challenge"</h3>
        <DateField
            doc=id.clone()
            path=FieldPath::key("responses").then_key("manager")
            key="held_on"
            label="Held on (Service Manager with Team Manager)".to_string()
        />
        <TextField
            doc=id
            path=FieldPath::key("responses").then_key("manager").then_key("notes")
            label="What was agreed with the Team Manager".to_string()
        />
    }
}
