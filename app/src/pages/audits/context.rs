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
                (Some(me), Some(a)) => audit::rules::edits_findings(&a.header, &me.id, &me.roles),
                _ => false,
            }
        });
        AuditContext {
            id,
            audit,
            edits_findings,
        }
    }

    /// Read-only unless the person signed in may write the field at `keys`,
    /// by the rule the server's gate applies (the support and challenge
    /// conversations are their holders', R-AUDIT-9).
    pub fn readonly_unless_writes(&self, keys: &'static [&'static str]) -> Signal<bool> {
        let session = use_session();
        let audit = self.audit;
        Signal::derive(move || {
            let (Some(me), Some(a), Some(org)) =
                (session.me(), audit.get(), crate::directory::organisation())
            else {
                return true;
            };
            let Some(parties) = a.header.parties() else {
                return true;
            };
            let meta = qalf_shared::access::RecordMeta {
                id: DocumentId::from_bytes([0; 16]),
                created_by: me.id.clone(),
                created_at: 0,
                parties,
            };
            !qalf_shared::access::rights::may_write_field(&org, &me.id, &meta, keys)
        })
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
                by: repo.me().id.clone(),
                fields: field,
            };
            repo.edit(&id, |d| add_amendment(d, &amendment));
            repo.commit(&id);
        })
    }
}
