//! What has been audited: the history that selection (R-SCHED-3),
//! re-audits (R-REAUDIT-1…3) and compliance (R-REP-4) read.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kind::AuditKind;
use crate::audit::Grade;
use crate::org::{CaseRef, PersonId};

/// A completed audit or re-audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedAudit {
    /// The audit record's id.
    pub id: String,
    pub case: CaseRef,
    pub auditor: PersonId,
    pub kind: AuditKind,
    pub completed_on: NaiveDate,
    /// The overall grade (R-AUDIT-1), if the audit has one.
    pub grade: Option<Grade>,
}

impl CompletedAudit {
    /// The (case, audited on) pair selection reads.
    pub fn history_entry(&self) -> (CaseRef, NaiveDate) {
        (self.case.clone(), self.completed_on)
    }
}

/// The latest audit date of each case in a history of (case, audited on).
pub(crate) fn last_audited(history: &[(CaseRef, NaiveDate)]) -> BTreeMap<&CaseRef, NaiveDate> {
    let mut last: BTreeMap<&CaseRef, NaiveDate> = BTreeMap::new();
    for (case, on) in history {
        last.entry(case)
            .and_modify(|d| *d = (*d).max(*on))
            .or_insert(*on);
    }
    last
}
