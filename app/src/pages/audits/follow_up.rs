use leptos::prelude::*;
use qalf_shared::audit::document::path::{self, Conversation as Side};

use crate::components::problem::ErrorMessage;
use qalf_shared::audit::rules;

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
    let follow = path::follow_up();
    let due = move || {
        audit.get().map(|a| {
            let overdue = rules::follow_up_overdue(&a, clock::today());
            let due = a
                .follow_up
                .due_on
                .map(|d| d.to_string())
                .unwrap_or_default();
            if overdue {
                ("tag tag--red", format!("Overdue: was due on {due}"))
            } else {
                ("tag", format!("Due on {due}"))
            }
        })
    };
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
            path=path::follow_up_case_note()
            label="Case note put on file".to_string()
            readonly=findings_readonly
            on_change=amended
        />
        <TellAboutActions id=id.clone() readonly=findings_readonly />
        <h2>"Responses to the audit"</h2>
        <p class="hint">"After the audit, the practitioner's manager holds a support and challenge conversation with them, and the Service Manager holds one with the Team Manager. Whoever holds it records the date, and is recorded as holding it."</p>
        <Conversation
            which=Side::Practitioner
            heading="Manager and practitioner: support and challenge"
            date_label="Held on"
            notes_label="Supervision / response to audit"
            notes_hint="The stretch target, the actions and how they will be done."
        />
        <Conversation
            which=Side::Manager
            heading="Service Manager and Team Manager: support and challenge"
            date_label="Held on (Service Manager with Team Manager)"
            notes_label="What was agreed with the Team Manager"
            notes_hint="The manager's stretch target and how the actions will be supported."
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
                .as_ref()
                .and_then(|p| {
                    crate::directory::organisation()?
                        .person(p)
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
                        Err(text) => view! { <ErrorMessage>{text}</ErrorMessage> }.into_any(),
                    })}
                </div>
            }
            .into_any(),
        )
    }
}

/// One support and challenge conversation (R-AUDIT-9): when it was held,
/// who held it (whoever records the date) and what was agreed. Only its
/// holders write it.
#[component]
fn Conversation(
    which: Side,
    heading: &'static str,
    date_label: &'static str,
    notes_label: &'static str,
    notes_hint: &'static str,
) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let (audit, id) = (context.audit, context.id.clone());
    // Who held it records the day (and so is recorded as holding it); the
    // other party may add to the notes.
    let readonly = context.readonly_unless_writes(match which {
        Side::Practitioner => &["responses", "practitioner", "held_on"],
        Side::Manager => &["responses", "manager", "held_on"],
    });
    let notes_readonly = context.readonly_unless_writes(match which {
        Side::Practitioner => &["responses", "practitioner", "notes"],
        Side::Manager => &["responses", "manager", "notes"],
    });
    let path = path::conversation(which);
    let held_by_me = {
        let (id, path) = (id.clone(), path.clone());
        Callback::new(move |_field: String| {
            let repo = crate::repo::use_repo();
            let me = repo.me().id.to_string();
            repo.edit(&id, |d| {
                qalf_shared::document::fields::set_scalar(d, &path, "held_by", Some(me.into()))
            });
            repo.commit(&id);
        })
    };
    let held = move || {
        let a = audit.get()?;
        let c = match which {
            Side::Practitioner => a.responses.practitioner,
            Side::Manager => a.responses.manager,
        };
        let on = c.held_on?;
        let by = c.held_by.as_ref().and_then(|p| {
            crate::directory::organisation()?
                .person(p)
                .map(|p| p.name.clone())
        });
        Some(match by {
            Some(by) => format!("Held by {by} on {on}."),
            None => format!(
                "Held on {on}; who held it is not recorded yet: record the date again to sign it."
            ),
        })
    };
    view! {
        <h3>{heading}</h3>
        <DateField
            doc=id.clone()
            path=path.clone()
            key="held_on"
            label=date_label.to_string()
            readonly=readonly
            on_change=held_by_me
        />
        {move || held().map(|t| view! { <p data-testid=format!("held-{}", which.key())>{t}</p> })}
        <TextField
            doc=id
            path=path::conversation_notes(which)
            label=notes_label.to_string()
            hint=notes_hint
            readonly=notes_readonly
        />
    }
}
