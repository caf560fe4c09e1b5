//! 7-minute briefings (R-REP-3): the CPP edits the draft made from a
//! report together, then shares it; every member of staff reads it from
//! their home page, online or not.

use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use qalf_shared::document::text::FieldPath;
use qalf_shared::report::briefing::{self, BriefingDoc, PARTS};
use qalf_shared::sync::DocumentId;

use crate::api;
use crate::components::doc_status::DocStatus;
use crate::components::presence::PresenceList;
use crate::components::record_gate::record_gate;
use crate::components::text_field::TextField;
use crate::repo::use_repo;
use crate::session::use_session;

/// `/briefings/:id`.
#[component]
pub fn BriefingPage() -> impl IntoView {
    crate::pages::record_page("briefing", |id| view! { <Briefing id /> })
}

#[component]
fn Briefing(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let session = use_session();
    let doc: Memo<Option<BriefingDoc>> = repo.read_memo(&id, briefing::read);
    let present = Memo::new(move |_| doc.with(Option::is_some));
    let cpp = Memo::new(move |_| {
        session
            .me()
            .is_some_and(|me| qalf_shared::org::works_in_cpp(&me.roles))
    });
    let shared_at = Memo::new(move |_| doc.get().and_then(|b| b.shared_at));
    let error = RwSignal::new(None::<String>);
    let share = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            use_repo().commit_all();
            error.set(None);
            leptos::task::spawn_local(async move {
                if let Err(e) = api::share_briefing(&id).await {
                    error.set(Some(e.to_string()));
                }
            });
        }
    };
    let gate_id = id.clone();
    record_gate(&gate_id, "briefing", present, move || {
        let title = move || {
            doc.get()
                .map(|b| b.title.as_str().trim().to_string())
                .unwrap_or_default()
        };
        if !cpp.get() {
            // Read it: every member of staff once shared.
            let parts = PARTS
                .iter()
                .map(|(field, heading)| {
                    let field = *field;
                    view! {
                        <section class="briefing__part">
                            <h2>{*heading}</h2>
                            <p class="briefing__text">{move || doc.get().map(|b| b.part(field).to_string()).unwrap_or_default()}</p>
                        </section>
                    }
                })
                .collect_view();
            return view! {
                <article class="briefing" data-testid="briefing">
                    <h1>{title}</h1>
                    <p class="lead">"A 7-minute briefing from the quality assurance team: read it, then talk it through at your next team meeting."</p>
                    {parts}
                </article>
            }
            .into_any();
        }
        let readonly = Signal::derive(|| false);
        let share = share.clone();
        let fields = std::iter::once(("title", "Title"))
            .chain(PARTS.iter().copied())
            .map(|(field, label)| {
                view! {
                    <TextField
                        doc=id.clone()
                        path=FieldPath::key(field)
                        label=label.to_string()
                        readonly=readonly
                    />
                }
            })
            .collect_view();
        view! {
            <article class="briefing" data-testid="briefing">
                <div class="record-header">
                    <h1>{title}</h1>
                    <DocStatus doc=id.clone() />
                </div>
                <PresenceList doc=id.clone() />
                <p class="lead">"Made from the report's themes and figures. Edit it together, then share it with every member of staff. It goes to everyone: keep out anything about a child or a case."</p>
                {fields}
                <Show
                    when=move || shared_at.get().is_none()
                    fallback=move || view! {
                        <p class="panel" role="status" data-testid="briefing-shared">
                            {move || shared_at.get().and_then(|at| chrono::DateTime::from_timestamp(at, 0)).map(|at| format!("Shared with all staff on {}.", at.format("%-d %B %Y"))).unwrap_or_default()}
                        </p>
                    }
                >
                    <div class="actions no-print">
                        <button type="button" class="button" on:click=share.clone()>"Share with all staff"</button>
                    </div>
                    <Show when=move || error.get().is_some()>
                        <ErrorMessage testid="share-error">{move || error.get()}</ErrorMessage>
                    </Show>
                </Show>
                <p class="no-print"><A href="/reports">"Back to reports"</A></p>
            </article>
        }
        .into_any()
    })
}
