//! Demo audits already done: some of this month's allocations are filled in
//! and completed (one graded Inadequate, two Requires improvement), so the
//! moderation sample, panels and follow-ups have something to work on.

use autosurgeon::Text;
use qalf_shared::audit::{self, Answer, Grade};
use qalf_shared::sync::DocumentId;

use crate::AppState;

const REASON: &str = "The record shows what was done and why; the child's experience is clear.";

/// Fills in and completes the audit `id` with `grade` overall.
pub async fn complete(state: &AppState, id: &DocumentId, grade: Grade) -> anyhow::Result<()> {
    let now = state.clock().now();
    let done = state
        .relay()
        .with_document(id, |doc| -> anyhow::Result<()> {
            let mut a = audit::read(doc).ok_or_else(|| anyhow::anyhow!("not an audit"))?;
            let allocated: chrono::NaiveDate = a.header.allocated_on.parse()?;
            a.header.meeting_on = Some((allocated + chrono::Duration::days(7)).to_string());
            for section in &mut a.sections {
                for q in &mut section.questions {
                    q.answer = Some(Answer::Yes.code().into());
                }
                section.grade = Some(grade.code().into());
                section.reason = Text::from(REASON);
            }
            a.overall.grade = Some(grade.code().into());
            a.overall.reason = Text::from("The work is making a difference for the child.");
            a.strengths = Text::from("Regular visits; the child is seen alone.");
            a.development = Text::from("Update the chronology after each significant event.");
            a.stretch_practitioner = Text::from("Write to the child, not about them.");
            a.stretch_manager = Text::from("Record the reasons for supervision decisions.");
            a.family.consulted = Some("none".into());
            a.completed_at = Some(now.timestamp());
            a.completed_by = Some(a.header.auditor.clone());
            a.follow_up.due_on = Some(
                audit::rules::follow_up_due(&audit::AuditPolicy::default(), now.date_naive())
                    .to_string(),
            );
            if grade.needs_actions() {
                a.actions.push(audit::document::ActionItem {
                    id: "action-demo".into(),
                    what: Text::from("Update the chronology and the plan."),
                    owner: a.header.practitioner.clone(),
                    due_on: Some((now.date_naive() + chrono::Duration::days(14)).to_string()),
                    status: "open".into(),
                });
            }
            let mut tx = doc.transaction();
            autosurgeon::reconcile(&mut tx, &a)?;
            tx.commit_with(
                automerge::transaction::CommitOptions::default()
                    .with_message(format!("by:{}", a.header.auditor))
                    .with_time(now.timestamp()),
            );
            Ok(())
        });
    done.await?
        .ok_or_else(|| anyhow::anyhow!("demo audit {id} is missing"))?
}
