use leptos::prelude::*;
use qalf_shared::audit::document::{ActionStatus, add_action, path};
use qalf_shared::document::fields::{get_str, set_scalar};
use qalf_shared::document::text::FieldPath;

use super::AuditContext;
use crate::components::choice_field::ChoiceField;
use crate::components::date_field::DateField;
use crate::components::text_field::TextField;
use crate::repo::{new_document_id, use_repo};

/// Recommended actions with owner and due date (R-AUDIT-4), and the two
/// stretch targets every audit sets (R-AUDIT-3).
#[component]
pub fn Actions() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let id = context.id.clone();
    let repo = use_repo();

    let add = {
        let (repo, id) = (repo.clone(), id.clone());
        move |_| {
            let Some(a) = audit.get_untracked() else {
                return;
            };
            // A short random id, stable under concurrent inserts.
            let action = format!("action-{}", &new_document_id().to_string()[..8]);
            let owner = a.header.practitioner.clone();
            repo.edit(&id, |d| add_action(d, &action, owner.as_str(), None));
            repo.commit(&id);
            amended.run(format!("actions/{action}"));
        }
    };

    let list = {
        let id = id.clone();
        move || {
            let a = audit.get()?;
            let owners = vec![
                (
                    a.header.practitioner.to_string(),
                    a.header.practitioner_name.clone(),
                ),
                (
                    a.header.team_manager.to_string(),
                    a.header.team_manager_name.clone(),
                ),
                (a.header.auditor.to_string(), a.header.auditor_name.clone()),
            ];
            let ids: Vec<String> = a.actions.iter().map(|x| x.id.clone()).collect();
            Some(
                ids.into_iter()
                    .enumerate()
                    .map(|(n, action)| {
                        let p = path::action(&action);
                        view! {
                            <div class="action-item" data-testid="action">
                                <h3>{format!("Action {}", n + 1)}</h3>
                                <TextField
                                    doc=id.clone()
                                    path=path::action_what(&action)
                                    label=format!("What is to be done (action {})", n + 1)
                                    readonly=readonly
                                    on_change=amended
                                />
                                <OwnerSelect path=p.clone() owners=owners.clone() number=n + 1 />
                                <DateField
                                    doc=id.clone()
                                    path=p.clone()
                                    key="due_on"
                                    label=format!("Due by (action {})", n + 1)
                                    readonly=readonly
                                    on_change=amended
                                />
                                <ChoiceField
                                    doc=id.clone()
                                    path=p
                                    key="status"
                                    options=ActionStatus::ALL.iter().map(|s| (s.code(), s.label())).collect()
                                    legend=format!("Status of action {}", n + 1)
                                    inline=true
                                    readonly=readonly
                                    on_change=amended
                                />
                            </div>
                        }
                    })
                    .collect_view(),
            )
        }
    };

    view! {
        <h2>"Actions and stretch targets"</h2>
        <p class="hint">"Every action needs an owner and a due date. An audit graded Requires improvement or Inadequate needs at least one."</p>
        {list}
        <Show when=move || !readonly.get()>
            <button type="button" class="button button--secondary" on:click=add.clone()>
                "Add a recommended action"
            </button>
        </Show>
        <h3>"Stretch targets"</h3>
        <p class="hint">"Every audit sets one for the practitioner and one for the manager, whatever the grade."</p>
        <TextField
            doc=id.clone()
            path=path::stretch_practitioner()
            label="Stretch target for the practitioner".to_string()
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id
            path=path::stretch_manager()
            label="Stretch target for the manager".to_string()
            readonly=readonly
            on_change=amended
        />
    }
}

/// Who owns an action: the practitioner, their manager or the auditor.
#[component]
fn OwnerSelect(path: FieldPath, owners: Vec<(String, String)>, number: usize) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let repo = use_repo();
    let id = context.id.clone();
    let revision = repo.signals(&id).revision;
    let select_id = format!("owner-{}", path.name().replace('/', "-"));
    let current = {
        let (repo, id, path) = (repo.clone(), id.clone(), path.clone());
        move || {
            revision.track();
            repo.read(&id, |d| get_str(d, &path, "owner"))
                .flatten()
                .unwrap_or_default()
        }
    };
    let choose = {
        let (repo, id, path) = (repo.clone(), id.clone(), path.clone());
        move |ev: web_sys::Event| {
            let owner = event_target_value(&ev);
            let p = path.clone();
            repo.edit(&id, |d| set_scalar(d, &p, "owner", Some(owner.into())));
            repo.commit(&id);
            amended.run(format!("{}/owner", path.name()));
        }
    };
    let options = owners
        .into_iter()
        .map(|(person, name)| {
            let selected = {
                let current = current.clone();
                let person = person.clone();
                move || current() == person
            };
            view! { <option value=person prop:selected=selected>{name}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=select_id.clone()>{format!("Owner (action {number})")}</label>
            <select id=select_id disabled=move || readonly.get() on:change=choose>{options}</select>
        </div>
    }
}
