//! Creating an audit on the server: the document goes into the relay's
//! store and the record into the registry, so the auditor's devices find it
//! on their next sync.

use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::audit::document::{Header, ReAuditOf};
use qalf_shared::audit::{NewAudit, new_audit};
use qalf_shared::org::{CaseRef, PersonId};
use qalf_shared::sync::DocumentId;

use crate::AppState;
use crate::records;

/// What an allocation decides.
#[derive(Debug, Clone)]
pub struct AuditAllocation {
    pub case: CaseRef,
    pub auditor: PersonId,
    pub theme: String,
    /// The CPP's notes on the theme, if any.
    pub theme_notes: Option<String>,
    pub audit_kind: qalf_shared::schedule::AuditKind,
    pub allocated_on: chrono::NaiveDate,
    /// The CPP member who allocated it (the record's creator).
    pub allocated_by: PersonId,
    /// R-ALLOC-5: the day suggested for the audit work, if any.
    pub suggested_day: Option<chrono::NaiveDate>,
    /// A re-audit: the audit it re-audits and, for the Cabinet Member's,
    /// the CPP member beside them (R-REAUDIT-1, R-REAUDIT-3).
    pub reaudit: Option<ReAuditOf>,
}

pub async fn create_audit(
    state: &AppState,
    allocation: &AuditAllocation,
) -> anyhow::Result<DocumentId> {
    let org = state.org();
    let case = org
        .case(&allocation.case)
        .ok_or_else(|| anyhow::anyhow!("unknown case {}", allocation.case))?;
    let name = |id: &PersonId| org.person(id).map(|p| p.name.clone()).unwrap_or_default();
    let team = org
        .team(&case.team)
        .ok_or_else(|| anyhow::anyhow!("case {} has no team", case.reference))?;
    let team_manager = team
        .manager
        .clone()
        .unwrap_or_else(|| case.practitioner.clone());
    let head = org
        .head_of_service_for_team(&case.team)
        .ok_or_else(|| anyhow::anyhow!("no Head of Service for {}", case.team))?;
    let header = Header {
        case: case.reference.clone(),
        cohort: case.cohort,
        theme: allocation.theme.clone(),
        team: case.team.clone(),
        team_name: team.name.clone(),
        practitioner: case.practitioner.clone(),
        practitioner_name: name(&case.practitioner),
        team_manager: team_manager.clone(),
        team_manager_name: name(&team_manager),
        auditor: allocation.auditor.clone(),
        auditor_name: name(&allocation.auditor),
        head_of_service: Some(head.id.clone()),
        head_of_service_name: head.name.clone(),
        audit_kind: allocation.audit_kind,
        allocated_on: allocation.allocated_on,
        meeting_on: None,
        period_from: None,
        period_to: None,
        suggested_day: allocation.suggested_day,
        theme_notes: allocation
            .theme_notes
            .clone()
            .filter(|n| !n.trim().is_empty()),
    };
    let now = state.clock().now().timestamp();
    // The question set as the CPP last saved it; the audit copies it.
    let template = state
        .db()
        .call(|conn| crate::templates::latest::<qalf_shared::audit::template::AuditTemplate>(conn))
        .await?;
    let doc = new_audit(
        &template,
        &NewAudit {
            header,
            cohort: case.cohort,
            reaudit: allocation.reaudit.clone(),
        },
        allocation.allocated_by.as_str(),
        now,
    )?;
    let id = state.relay().create(doc).await?;
    let meta = RecordMeta {
        id: id.clone(),
        created_by: allocation.allocated_by.clone(),
        created_at: now,
        parties: Parties::Audit {
            case: case.reference.clone(),
            team: case.team.clone(),
            practitioner: case.practitioner.clone(),
            auditor: allocation.auditor.clone(),
            moderators: Vec::new(),
            dispute_holders: Vec::new(),
        },
    };
    let stored = meta.clone();
    state
        .db()
        .call(move |conn| records::insert(conn, &stored, stored.created_at).map(|_| ()))
        .await?;
    state.access().put_record(meta);
    tell_allocated(state, &id, allocation, case, &team_manager).await?;
    Ok(id)
}

/// R-AUDIT-2: the auditor, the practitioner and their Team Manager are told
/// of the audit, with the first day the meeting may be held.
async fn tell_allocated(
    state: &AppState,
    id: &DocumentId,
    allocation: &AuditAllocation,
    case: &qalf_shared::org::Case,
    team_manager: &PersonId,
) -> anyhow::Result<()> {
    let org = state.org();
    let name = |p: &PersonId| org.person(p).map(|p| p.name.clone()).unwrap_or_default();
    let earliest = qalf_shared::audit::rules::earliest_meeting(
        &state.settings().audit,
        allocation.allocated_on,
    )
    .format("%-d %B %Y")
    .to_string();
    let reference = case.reference.to_string();
    let auditor = &allocation.auditor;
    let mut told: Vec<(PersonId, String, String)> = vec![(
        auditor.clone(),
        format!("Audit allocated: case {reference}"),
        format!(
            "You are auditing case {reference} ({theme}). Meet {practitioner} and {manager} on or after {earliest}.",
            theme = allocation.theme,
            practitioner = name(&case.practitioner),
            manager = name(team_manager),
        ),
    )];
    // R-REAUDIT-3: the CPP member who re-audits beside the Cabinet Member.
    let alongside = allocation
        .reaudit
        .as_ref()
        .and_then(|r| r.alongside.clone());
    if let Some(cpp) = alongside.filter(|p| p != auditor) {
        told.push((
            cpp,
            format!("Re-audit side by side: case {reference}"),
            format!(
                "You are re-auditing case {reference} side by side with {}. You are both named on the record and both may write it.",
                name(auditor)
            ),
        ));
    }
    for person in [&case.practitioner, team_manager] {
        if told.iter().any(|(p, ..)| p == person) {
            continue;
        }
        told.push((
            person.clone(),
            format!("Your team's work is being audited: case {reference}"),
            format!(
                "{} is auditing case {reference}. The meeting with you will be on or after {earliest}.",
                name(auditor)
            ),
        ));
    }
    let (document, now, rows) = (id.clone(), state.clock().now().timestamp(), told.clone());
    state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            for (person, title, body) in &rows {
                crate::notifications::insert(
                    &tx,
                    &crate::notifications::New {
                        person,
                        kind: "allocation",
                        document: Some(&document),
                        title,
                        body,
                        at: now,
                    },
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
    // Their e-mails were queued with the notifications (no case reference
    // in them: they say where to look).
    state.outbox().wake();
    Ok(())
}
