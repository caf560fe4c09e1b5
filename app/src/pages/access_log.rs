use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use web_sys::SubmitEvent;

use qalf_shared::api::{AccessLogEntry, LogVerification};

use crate::api::{self, ApiError};
use crate::session::use_session;

/// The access log: who read or changed which record, and when. For the CPP
/// and administrators.
#[component]
pub fn AccessLogPage() -> impl IntoView {
    let session = use_session();
    let allowed = move || {
        session
            .me()
            .is_some_and(|me| qalf_shared::access::office::may_read_access_log(&me.roles))
    };
    let person = RwSignal::new(String::new());
    let document = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let rows = RwSignal::new(None::<Result<Vec<AccessLogEntry>, ApiError>>);
    let check = RwSignal::new(None::<Result<LogVerification, ApiError>>);

    let search = move || {
        let query = vec![
            ("person", person.get_untracked().trim().to_string()),
            ("document", document.get_untracked().trim().to_string()),
            ("from", from.get_untracked()),
            ("to", to.get_untracked()),
            ("action", action.get_untracked()),
        ];
        leptos::task::spawn_local(async move {
            rows.set(Some(api::access_log(&query).await));
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        search();
    };
    let verify = move |_| {
        leptos::task::spawn_local(async move {
            check.set(Some(api::check_access_log().await));
        });
    };
    Effect::new(move |_| {
        if allowed() {
            search();
        }
    });

    let results = move || {
        rows.get().map(|result| match result {
            Ok(entries) if entries.is_empty() => {
                view! { <p>"No entries match."</p> }.into_any()
            }
            Ok(entries) => {
                let body = entries
                    .into_iter()
                    .map(|e| {
                        view! {
                            <tr>
                                <td>{e.seq}</td>
                                <td>{e.at}</td>
                                <td>{e.person}</td>
                                <td class="mono">{e.document}</td>
                                <td>{e.record_kind}</td>
                                <td>{e.action}</td>
                                <td>{e.detail}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="access-log">
                            <caption class="visually-hidden">"Access log entries, newest first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"#"</th>
                                    <th scope="col">"When (UTC)"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"Record"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"Detail"</th>
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        })
    };
    let check_result = move || {
        check.get().map(|result| match result {
            Ok(LogVerification {
                cut_short: Some(cut),
                ..
            }) => view! {
                <ErrorMessage testid="log-cut-short">
                    {format!(
                        "Entries are missing from the end of the log: the checkpoint kept outside the database, written {}, vouches for entry #{}, which is no longer as it was. Tell your IT team and restore the database from a backup.",
                        cut.at,
                        cut.checkpoint,
                    )}
                </ErrorMessage>
            }
            .into_any(),
            Ok(LogVerification {
                first_broken: Some(seq),
                ..
            }) => view! {
                <ErrorMessage>
                    {format!("Entry #{seq} has been altered or removed: the log cannot be trusted from there on.")}
                </ErrorMessage>
            }
            .into_any(),
            Ok(LogVerification {
                rows, checkpoint, ..
            }) => {
                let vouched = checkpoint
                    .map(|(seq, at)| format!(" The checkpoint kept outside the database, written {at}, confirms the newest entries up to #{seq}."))
                    .unwrap_or_default();
                view! {
                    <p class="tag tag--green" role="status">{format!("All {rows} entries are intact.{vouched}")}</p>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        })
    };

    move || {
        if !allowed() {
            return view! {
                <h1>"Access log"</h1>
                <p>"Only the Centre for Professional Practice and administrators can see the access log."</p>
            }
            .into_any();
        }
        view! {
            <h1>"Access log"</h1>
            <p class="lead">"Every read and change of a record: who, which record, what and when."</p>
            <form class="form filters" on:submit=on_submit>
                <div class="field">
                    <label for="log-person">"Person id"</label>
                    <input id="log-person" type="text" bind:value=person />
                </div>
                <div class="field">
                    <label for="log-document">"Record id"</label>
                    <input id="log-document" type="text" bind:value=document />
                </div>
                <div class="field">
                    <label for="log-from">"From"</label>
                    <input id="log-from" type="date" bind:value=from />
                </div>
                <div class="field">
                    <label for="log-to">"To"</label>
                    <input id="log-to" type="date" bind:value=to />
                </div>
                <div class="field">
                    <label for="log-action">"What"</label>
                    <select id="log-action" bind:value=action>
                        <option value="">"Anything"</option>
                        <option value="read">"Read"</option>
                        <option value="write">"Changed"</option>
                        <option value="create">"Created"</option>
                        <option value="denied">"Refused"</option>
                        <option value="access">"Changed who may see"</option>
                    </select>
                </div>
                <button type="submit" class="button">"Search"</button>
            </form>
            <div class="actions">
                <button type="button" class="button button--secondary" on:click=verify>
                    "Check the log has not been altered"
                </button>
                {check_result}
            </div>
            {results}
        }
        .into_any()
    }
}
