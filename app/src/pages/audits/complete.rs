use leptos::prelude::*;
use qalf_shared::audit::document::path;

use crate::components::problem::ErrorSummary;
use leptos_router::components::A;
use qalf_shared::audit::rules::{completion_blockers, follow_up_due};
use qalf_shared::document::fields::set_scalar;

use super::AuditContext;
use crate::clock;
use crate::repo::use_repo;
use crate::settings;

/// Checks the audit and completes it: refused, with the reasons inline,
/// until every required part is there (R-AUDIT-1 … R-AUDIT-6). Completion
/// sets the follow-up date (R-AUDIT-7) and sends any recognition (R-AUDIT-10).
#[component]
pub fn Complete() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let edits = context.edits_findings;
    let id = context.id.clone();
    let repo = use_repo();
    let tried = RwSignal::new(false);
    let blockers = move || {
        audit
            .get()
            .map(|a| completion_blockers(&a, &settings::current().audit_policy, clock::today()))
            .unwrap_or_default()
    };
    let blocker_list = {
        let id = id.clone();
        move || {
            blockers()
                .into_iter()
                .map(|b| {
                    let href = format!("/audits/{}/{}", id, b.part());
                    view! { <li><A href=href>{b.message()}</A></li> }
                })
                .collect_view()
        }
    };
    let complete = {
        let (repo, id) = (repo.clone(), id.clone());
        move |_| {
            tried.set(true);
            if !blockers().is_empty() {
                return;
            }
            let today = clock::today();
            let due = follow_up_due(&settings::current().audit_policy, today);
            let me = repo.me().id.to_string();
            let now = clock::now_secs();
            repo.edit(&id, |d| {
                set_scalar(d, &path::root(), "completed_at", Some(now.into()))?;
                set_scalar(d, &path::root(), "completed_by", Some(me.clone().into()))?;
                set_scalar(
                    d,
                    &path::follow_up(),
                    "due_on",
                    Some(due.to_string().into()),
                )
            });
            repo.commit(&id);
            // Good practice is recognised by the server once it holds the
            // completed audit (also when it arrives after an offline day).
        }
    };
    let completed = move || audit.get().and_then(|a| a.completed_at.map(|_| a));
    view! {
        <h2>"Check and complete"</h2>
        {move || match completed() {
            Some(a) => view! {
                <div class="panel" role="status" data-testid="completed">
                    <p><strong>"This audit is completed."</strong></p>
                    <p>{format!(
                        "Follow-up due on {}. Edits from now on are recorded as amendments.",
                        a.follow_up.due_on.map(|d| d.to_string()).unwrap_or_default()
                    )}</p>
                </div>
            }
            .into_any(),
            None => {
                let complete = complete.clone();
                let blocker_list = blocker_list.clone();
                view! {
                    <Show when=move || tried.get() && !blockers().is_empty()>
                        {
                            let items = blocker_list.clone();
                            view! {
                                <ErrorSummary
                                    title="You cannot complete this audit yet"
                                    level=3
                                    focusable=true
                                    testid="blockers"
                                >
                                    <ul>{items}</ul>
                                </ErrorSummary>
                            }
                        }
                    </Show>
                    <Show when=move || !tried.get()>
                        <p>"Check every part is done, then complete the audit. Anything missing is listed here."</p>
                    </Show>
                    <Show when=move || edits.get()>
                        <button type="button" class="button" on:click=complete.clone()>
                            "Complete the audit"
                        </button>
                    </Show>
                }
                .into_any()
            }
        }}
    }
}
