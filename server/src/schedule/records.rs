//! The audits the schedule's rules read: who audited which case, of what
//! kind, when it was allocated and completed, its grade and, on a re-audit,
//! its auditor's check of the action plan.
//! The registry says which records are audits; the documents, held by the
//! relay, say the rest.

use chrono::{DateTime, NaiveDate};
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::audit::{self, AuditDoc, Grade};
use qalf_shared::org::{CaseRef, PersonId};
use qalf_shared::schedule::{AuditKind, CompletedAudit};
use qalf_shared::sync::DocumentId;

use crate::AppState;
use crate::error::{AppError, AppResult};

/// An audit as the schedule sees it.
#[derive(Debug, Clone)]
pub struct AuditFacts {
    pub id: DocumentId,
    pub case: CaseRef,
    pub auditor: PersonId,
    pub kind: AuditKind,
    pub allocated_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub grade: Option<Grade>,
    /// On a re-audit: its auditor's answer to "is the re-audited audit's
    /// action plan complete?" (R-REAUDIT-1).
    pub action_plan_confirmed: Option<bool>,
}

impl AuditFacts {
    pub fn completed(&self) -> Option<CompletedAudit> {
        Some(CompletedAudit {
            id: self.id.to_string(),
            case: self.case.clone(),
            auditor: self.auditor.clone(),
            kind: self.kind,
            completed_on: self.completed_on?,
            grade: self.grade,
        })
    }

    /// R-SCHED-3: when the case was last being audited. An audit still in
    /// progress counts from its allocation, so a case is not drawn again
    /// while someone is auditing it.
    pub fn audited_on(&self) -> (CaseRef, NaiveDate) {
        (
            self.case.clone(),
            self.completed_on.unwrap_or(self.allocated_on),
        )
    }
}

fn date_of(seconds: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp(seconds, 0).map(|t| t.date_naive())
}

/// What the registry alone says, for an audit whose document the server
/// has not got (made on a device that has not synced yet).
fn from_registry(meta: &RecordMeta) -> Option<AuditFacts> {
    let Parties::Audit { case, auditor, .. } = &meta.parties else {
        return None;
    };
    Some(AuditFacts {
        id: meta.id.clone(),
        case: case.clone(),
        auditor: auditor.clone(),
        kind: AuditKind::Themed,
        allocated_on: date_of(meta.created_at)?,
        completed_on: None,
        grade: None,
        action_plan_confirmed: None,
    })
}

fn from_document(meta: &RecordMeta, doc: &AuditDoc) -> Option<AuditFacts> {
    let mut facts = from_registry(meta)?;
    facts.kind = doc.header.audit_kind;
    facts.allocated_on = doc.header.allocated_on;
    facts.completed_on = doc.completed_at.and_then(date_of);
    // Where moderation reached a grade, the audit stands at it (R-MOD-5).
    facts.grade = audit::rules::standing_grade(doc);
    facts.action_plan_confirmed = doc.reaudit.as_ref().and_then(|r| r.action_plan_complete);
    Some(facts)
}

/// One audit document, as the relay holds it.
pub async fn read_document(state: &AppState, id: &DocumentId) -> AppResult<Option<AuditDoc>> {
    state
        .relay()
        .with_document(id, |doc| audit::read(&*doc))
        .await
        .map(Option::flatten)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

/// Every registered audit, oldest first.
pub async fn all(state: &AppState) -> AppResult<Vec<AuditFacts>> {
    let mut metas = state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Audit { .. }));
    metas.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut out = Vec::with_capacity(metas.len());
    for meta in metas {
        let facts = match read_document(state, &meta.id).await? {
            Some(doc) => from_document(&meta, &doc),
            None => from_registry(&meta),
        };
        out.extend(facts);
    }
    Ok(out)
}
