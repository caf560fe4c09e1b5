//! Demo audits already done: some of this month's allocations are filled in
//! and completed (one graded Inadequate, two Requires improvement), so the
//! moderation sample, panels and follow-ups have something to work on.

use autosurgeon::Text;
use chrono::{Duration, NaiveDate};
use qalf_shared::audit::document::{ActionStatus, Consulted};
use qalf_shared::audit::{self, Answer, AuditDoc, Grade};
use qalf_shared::sync::DocumentId;

use crate::AppState;

const REASON: &str = "The record shows what was done and why; the child's experience is clear.";

/// Fills in an audit as its auditor completes it: the joint meeting a week
/// after allocation, every question answered, every section and the whole
/// graded `grade` with reasons, strengths and areas, both stretch targets,
/// family feedback, an action where the grade needs one, and the follow-up
/// due `follow_up_days` after `completed_on`.
pub fn fill_completed(
    a: &mut AuditDoc,
    grade: Grade,
    completed_at: i64,
    completed_on: NaiveDate,
    follow_up_days: i64,
) {
    a.header.meeting_on = Some(a.header.allocated_on + Duration::days(7));
    for section in &mut a.sections {
        for q in &mut section.questions {
            q.answer = Some(Answer::Yes);
        }
        section.grade = Some(grade);
        section.reason = Text::from(REASON);
    }
    a.overall.grade = Some(grade);
    a.overall.reason = Text::from("The work is making a difference for the child.");
    a.strengths = Text::from("Regular visits; the child is seen alone.");
    a.development = Text::from("Update the chronology after each significant event.");
    a.stretch_practitioner = Text::from("Write to the child, not about them.");
    a.stretch_manager = Text::from("Record the reasons for supervision decisions.");
    a.family.consulted = Some(Consulted::NoOne);
    a.completed_at = Some(completed_at);
    a.completed_by = Some(a.header.auditor.clone());
    a.follow_up.due_on = Some(completed_on + Duration::days(follow_up_days));
    if grade.needs_actions() {
        a.actions.push(audit::document::ActionItem {
            id: "action-demo".into(),
            what: Text::from("Update the chronology and the plan."),
            owner: Some(a.header.practitioner.clone()),
            due_on: Some(completed_on + Duration::days(14)),
            status: ActionStatus::Open,
        });
    }
}

/// Fills in and completes the audit `id` with `grade` overall.
pub async fn complete(state: &AppState, id: &DocumentId, grade: Grade) -> anyhow::Result<()> {
    let now = state.clock().now();
    let follow_up_days = state.settings().audit.follow_up_days;
    let done = state
        .relay()
        .with_document(id, |doc| -> anyhow::Result<()> {
            let mut a = audit::read(doc).ok_or_else(|| anyhow::anyhow!("not an audit"))?;
            fill_completed(
                &mut a,
                grade,
                now.timestamp(),
                now.date_naive(),
                follow_up_days,
            );
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
