use leptos::prelude::*;
use qalf_shared::audit::document::{Amendment, add_amendment};
use qalf_shared::audit::{self, AuditDoc};
use qalf_shared::sync::DocumentId;

use crate::clock;
use crate::repo::use_repo;
use crate::session::use_session;

/// What every part of the audit screen shares.
#[derive(Clone)]
pub struct AuditContext {
    pub id: DocumentId,
    /// The audit as last read (re-read on every change).
    pub audit: Memo<Option<AuditDoc>>,
    /// The auditor and the CPP edit the findings; everyone else reads them.
    pub edits_findings: Signal<bool>,
}

impl AuditContext {
    pub fn new(id: DocumentId) -> AuditContext {
        let repo = use_repo();
        let session = use_session();
        let revision = repo.signals(&id).revision;
        let audit = {
            let (repo, id) = (repo.clone(), id.clone());
            Memo::new(move |_| {
                revision.track();
                repo.read(&id, audit::read).flatten()
            })
        };
        let edits_findings = Signal::derive(move || {
            let me = session.me();
            match (me, audit.get()) {
                (Some(me), Some(a)) => {
                    a.header.auditor == me.id.as_str() || me.roles.iter().any(|r| r.is_cpp())
                }
                _ => false,
            }
        });
        AuditContext {
            id,
            audit,
            edits_findings,
        }
    }

    /// Read-only for anyone who does not edit the findings.
    pub fn findings_readonly(&self) -> Signal<bool> {
        let edits = self.edits_findings;
        Signal::derive(move || !edits.get())
    }

    /// R-AUDIT-11: after completion, each edit is listed as an amendment.
    pub fn amendment_recorder(&self) -> Callback<String> {
        let id = self.id.clone();
        let audit = self.audit;
        Callback::new(move |field: String| {
            let completed = audit
                .get_untracked()
                .is_some_and(|a| a.completed_at.is_some());
            if !completed {
                return;
            }
            let repo = use_repo();
            let amendment = Amendment {
                at: clock::now_secs(),
                by: repo.me().id.to_string(),
                fields: field,
            };
            repo.edit(&id, |d| add_amendment(d, &amendment));
            repo.commit(&id);
        })
    }
}
