//! The audit's history (R-AUDIT-11): for every field, who changed it and
//! when, read from the record's own changes on this device.

use leptos::prelude::*;
use qalf_shared::audit::history::{FieldHistory, field_history};

use super::AuditContext;
use crate::repo::use_repo;

fn person_name(id: &str) -> String {
    if id == "qalf-server" {
        return "QALF (sent by the server)".into();
    }
    qalf_shared::org::PersonId::parse(id)
        .ok()
        .and_then(|p| {
            crate::directory::organisation()?
                .person(&p)
                .map(|p| p.name.clone())
        })
        .unwrap_or_else(|| id.to_string())
}

fn when(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%-d %B %Y, %H:%M").to_string())
        .unwrap_or_default()
}

#[component]
pub fn History() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let repo = use_repo();
    let id = context.id.clone();
    let revision = repo.signals(&id).revision;
    let history = Memo::new(move |_| {
        revision.track();
        // A copy: reading the history needs the whole document, not the
        // editing handle the fields share.
        repo.read(&id, |d| field_history(d.clone().document()))
            .unwrap_or_default()
    });
    let rows = move || {
        history
            .get()
            .into_iter()
            .map(|f: FieldHistory| {
                let edits = f
                    .edits
                    .iter()
                    .rev()
                    .map(|e| view! { <li>{format!("{}, {}", person_name(&e.by), when(e.at))}</li> })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">
                            {f.what.clone()}
                            <span class="hint">{f.field.replace('/', " › ")}</span>
                        </th>
                        <td><ul class="plain-list">{edits}</ul></td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <h2>"History of changes"</h2>
        <p class="hint">"Every change keeps who made it and when. The latest change to each field is listed first; one person's edits to a field within a quarter of an hour read as one."</p>
        <div class="table-wrap">
            <table class="table" data-testid="audit-history">
                <caption class="visually-hidden">"Who changed each field of the audit, and when"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">"Changed by, latest first"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
