use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::audit::document::{ModeratedOutcome, record_moderation};
use qalf_shared::document::fields::set_scalar;
use qalf_shared::moderation::ModeratedBy;
use qalf_shared::moderation::document::path as moderation_path;
use qalf_shared::moderation::document::{self as moderation, Agreement, ModerationDoc};
use qalf_shared::sync::DocumentId;

use crate::clock;
use crate::components::choice_field::ChoiceField;
use crate::components::doc_status::DocStatus;
use crate::components::record_gate::record_gate;
use crate::components::text_field::TextField;
use crate::pages::audits::{grade_label, grade_options};
use crate::repo::use_repo;

/// `/moderations/:id`: a moderation judges the audit, not the case (R-MOD-2).
#[component]
pub fn ModerationRecordPage() -> impl IntoView {
    crate::pages::record_page("moderation", |id| view! { <ModerationRecord id /> })
}

#[component]
fn ModerationRecord(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let record: Memo<Option<ModerationDoc>> = repo.read_memo(&id, moderation::read);
    let present = Memo::new(move |_| record.with(Option::is_some));
    let me = repo.me().id.to_string();
    let gate_id = id.clone();
    record_gate(&gate_id, "moderation", present, move || {
        let m = record.get_untracked().expect("present");
        let readonly = Signal::derive({
            let me = me.clone();
            let moderator = m.moderator.clone();
            move || me != moderator || record.get().is_some_and(|r| r.completed_at.is_some())
        });
        let complete = {
            let (repo, id) = (repo.clone(), id.clone());
            move |_| {
                let Some(m) = record.get_untracked() else {
                    return;
                };
                if !moderation::blockers(&m).is_empty() {
                    return;
                }
                let now = clock::now_secs();
                repo.edit(&id, |d| {
                    set_scalar(
                        d,
                        &moderation_path::root(),
                        "completed_at",
                        Some(now.into()),
                    )
                });
                repo.commit(&id);
                // The outcome goes back to the audit (R-MOD-5 flags re-audit).
                {
                    let audit = m.audit.clone();
                    let outcome = ModeratedOutcome {
                        by: ModeratedBy::Moderation,
                        record: id.clone(),
                        grade: moderation::outcome_grade(&m),
                        audit_quality: m.audit_quality,
                        no_consensus: false,
                        recorded_at: now,
                    };
                    repo.edit(&audit, |d| record_moderation(d, &outcome));
                    repo.commit(&audit);
                }
            }
        };
        let blockers = move || {
            record
                .get()
                .map(|m| moderation::blockers(&m))
                .unwrap_or_default()
                .into_iter()
                .map(|b| view! { <li>{b.message()}</li> })
                .collect_view()
        };
        let done = move || record.get().is_some_and(|m| m.completed_at.is_some());
        view! {
            <div class="record-header">
                <h1>{format!("Moderation of case {}", m.case)}</h1>
                <DocStatus doc=id.clone() />
            </div>
            <p class="lead">{format!(
                "Audit by {}, graded {}. Moderated by {}.",
                m.auditor_name,
                grade_label(m.audit_grade),
                m.moderator_name
            )}</p>
            <p><A href=format!("/audits/{}", m.audit)>"Read the audit"</A></p>
            <ChoiceField
                doc=id.clone()
                path=moderation_path::root()
                key="agreement"
                options=Agreement::ALL.iter().map(|a| (a.code(), a.label())).collect()
                legend="The audit's grade".to_string()
                readonly=readonly
            />
            <ChoiceField
                doc=id.clone()
                path=moderation_path::root()
                key="moderated_grade"
                options=grade_options()
                legend="The grade you would give".to_string()
                readonly=readonly
            />
            <ChoiceField
                doc=id.clone()
                path=moderation_path::root()
                key="audit_quality"
                options=grade_options()
                legend="The quality of the audit".to_string()
                hint="Judge the audit, not the case: evidence, analysis, the reasons given, the actions set."
                readonly=readonly
            />
            <TextField
                doc=id.clone()
                path=moderation_path::feedback()
                label="Developmental feedback for the auditor".to_string()
                readonly=readonly
            />
            <Show when=move || !done() fallback=|| view! { <p class="panel" role="status">"This moderation is done; the auditor can read it."</p> }>
                <ul>{blockers}</ul>
                <button type="button" class="button" on:click=complete.clone()>"Finish the moderation"</button>
            </Show>
        }
        .into_any()
    })
}
