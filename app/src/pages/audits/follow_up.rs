use leptos::prelude::*;
use qalf_shared::audit::rules;
use qalf_shared::document::text::FieldPath;

use super::AuditContext;
use crate::clock;
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
            yes_no=true
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
        <TellAboutActions id=id.clone() readonly=findings_readonly />
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

/// Where the actions are not complete, the auditor tells the practitioner
/// and their manager: the server sends them a message and notes in the
/// audit who told them and when (R-AUDIT-7). Needs a connection: the
/// message goes from the server.
#[component]
fn TellAboutActions(id: qalf_shared::sync::DocumentId, readonly: Signal<bool>) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let tell = move |_| {
        let id = id.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            outcome.set(Some(match crate::api::contact_about_actions(&id).await {
                Ok(told) => Ok(format!("Sent to {}.", told.names.join(" and "))),
                Err(crate::api::ApiError::Unreachable) => Err(
                    "You are offline: the message goes from the server, so send it once you are connected."
                        .into(),
                ),
                Err(e) => Err(e.to_string()),
            }));
            busy.set(false);
        });
    };
    move || {
        let a = audit.get()?;
        let f = &a.follow_up;
        if f.contacted {
            let by = f
                .contacted_by
                .as_deref()
                .and_then(|p| qalf_shared::org::PersonId::parse(p).ok())
                .and_then(|p| {
                    crate::directory::organisation()?
                        .person(&p)
                        .map(|p| p.name.clone())
                })
                .unwrap_or_default();
            let on = f
                .contacted_at
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| t.format("%-d %B %Y").to_string())
                .unwrap_or_default();
            return Some(
                view! {
                    <p data-testid="contacted">{format!("The practitioner and manager were told the actions are not finished, by {by} on {on}.")}</p>
                }
                .into_any(),
            );
        }
        if f.actions_complete != Some(false) || readonly.get() {
            return None;
        }
        Some(
            view! {
                <div class="panel">
                    <p>"The actions are not complete: tell the practitioner and their manager. They get a message in QALF (and by e-mail) linking to this audit."</p>
                    <button type="button" class="button" disabled=move || busy.get() on:click=tell.clone()>
                        "Tell the practitioner and manager"
                    </button>
                    {move || outcome.get().map(|o| match o {
                        Ok(text) => view! { <p role="status">{text}</p> }.into_any(),
                        Err(text) => view! { <p class="error-message" role="alert">{text}</p> }.into_any(),
                    })}
                </div>
            }
            .into_any(),
        )
    }
}
