//! R-ALLOC-3: IRO peer audits are allocated by IRO Service Managers. The
//! month's draw proposes a peer's case for each IRO with the rest of the
//! allocation; the CPP's confirmation leaves these to the IRO Service
//! Manager each IRO reports to, who is told, confirms the proposed case or
//! chooses another within the rules, and so makes the audit in their own
//! name. An IRO never audits a case they chair.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use qalf_shared::api::schedule::{AllocateIroPeer, IroPeerMonth, IroPeerRow};
use qalf_shared::org::{Organisation, PersonId, Role};
use qalf_shared::schedule::{
    AllocationRequest, Assignment, AuditKind, YearMonth, check_assignment, iro_allocator,
};

use super::store::{self, StoredAudit, StoredMonth};
use super::{MonthQuery, name, policy, today};
use crate::AppState;
use crate::access_log::Action;
use crate::audits::{AuditAllocation, create_audit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

static ALLOCATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The notification kind that tells an IRO Service Manager of their
/// IROs' peer audits to allocate.
pub const IRO_PEER_DUE: &str = "iro-peer-due";

/// Every IRO peer audit the month's confirmation drew, with the audit made
/// for it, if any.
pub fn rows(org: &Organisation, month: &StoredMonth, made: &[StoredAudit]) -> Vec<IroPeerRow> {
    // Each made audit pairs with one drawn row of its IRO (an IRO may owe
    // more than one in a month).
    let mut paired: BTreeSet<&str> = BTreeSet::new();
    month
        .allocations
        .iter()
        .map(|c| &c.allocation)
        .filter(|a| a.kind == AuditKind::IroPeer)
        .map(|a| {
            let audit = made.iter().find(|m| {
                m.kind == AuditKind::IroPeer
                    && m.auditor == a.auditor
                    && !paired.contains(m.audit.as_str())
            });
            if let Some(m) = audit {
                paired.insert(m.audit.as_str());
            }
            let allocator = iro_allocator(org, &a.auditor);
            IroPeerRow {
                iro: a.auditor.clone(),
                iro_name: name(org, &a.auditor),
                proposed: a.case.clone(),
                reason: a.reason.clone(),
                allocator_name: allocator.as_ref().map(|p| name(org, p)).unwrap_or_default(),
                allocator,
                audit: audit.map(|m| m.audit.clone()),
                case: audit.map(|m| m.case.clone()),
            }
        })
        .collect()
}

/// Tells each IRO Service Manager, once a month, how many of their IROs'
/// peer audits are theirs to allocate.
pub async fn tell_allocators(
    state: &AppState,
    month: YearMonth,
    rows: &[IroPeerRow],
) -> AppResult<()> {
    let allocators: BTreeSet<&PersonId> =
        rows.iter().filter_map(|r| r.allocator.as_ref()).collect();
    let now = state.clock().now().timestamp();
    let letters: Vec<(PersonId, String)> = allocators
        .into_iter()
        .map(|ism| {
            let n = rows
                .iter()
                .filter(|r| r.allocator.as_ref() == Some(ism))
                .count();
            let body = format!(
                "The audit allocation for {} is confirmed. {n} IRO peer audit{} in your service {} yours to allocate: confirm the proposed case for each IRO or choose another they do not chair.",
                month.label(),
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
            );
            (ism.clone(), body)
        })
        .collect();
    let key = format!("iro-peer:{month}");
    let title = format!("IRO peer audits to allocate for {}", month.label());
    let sent = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut sent = 0;
            for (person, body) in &letters {
                sent += usize::from(crate::notifications::insert_once(
                    &tx,
                    &key,
                    &crate::notifications::New {
                        person,
                        kind: IRO_PEER_DUE,
                        document: None,
                        title: &title,
                        body,
                        at: now,
                    },
                )?);
            }
            tx.commit()?;
            Ok(sent)
        })
        .await?;
    if sent > 0 {
        state.outbox().wake();
    }
    Ok(())
}

/// The signed-in person as an IRO Service Manager.
fn iro_service_manager(state: &AppState, user: &CurrentUser) -> AppResult<Arc<Organisation>> {
    let org = state.org();
    if org
        .person(&user.person)
        .is_some_and(|p| p.has_role(Role::IroServiceManager))
    {
        Ok(org)
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /api/schedule/iro-peer?month=`.
pub async fn month(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MonthQuery>,
) -> AppResult<Json<IroPeerMonth>> {
    let org = iro_service_manager(&state, &user)?;
    let month = query.month_or_now(&state)?;
    let (stored, made) = state
        .db()
        .call(move |conn| store::month_and_audits(conn, month))
        .await?;
    let rows: Vec<IroPeerRow> = stored
        .as_ref()
        .map(|m| rows(&org, m, &made))
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.allocator.as_ref() == Some(&user.person))
        .collect();
    super::log_reads(
        &state,
        &user.person,
        rows.iter().filter_map(|r| r.audit.as_deref()),
    )
    .await?;
    Ok(Json(IroPeerMonth {
        month,
        confirmed: stored.is_some(),
        rows,
    }))
}

/// `POST /api/schedule/iro-peer`: makes one IRO's peer audit, in the IRO
/// Service Manager's name.
pub async fn allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<AllocateIroPeer>,
) -> AppResult<Response> {
    let org = iro_service_manager(&state, &user)?;
    let month = body.month;
    // One allocation at a time, so two requests never make the same audit.
    let _one_at_a_time = ALLOCATING.lock().await;
    let (stored, made) = state
        .db()
        .call(move |conn| store::month_and_audits(conn, month))
        .await?;
    let Some(stored) = stored else {
        return Err(AppError::BadRequest(format!(
            "the CPP has not confirmed the allocation for {} yet",
            month.label()
        )));
    };
    let all = rows(&org, &stored, &made);
    let theirs: Vec<&IroPeerRow> = all.iter().filter(|r| r.iro == body.iro).collect();
    let Some(first) = theirs.first() else {
        return Err(AppError::BadRequest(format!(
            "{} has no peer audit in {}",
            name(&org, &body.iro),
            month.label()
        )));
    };
    if first.allocator.as_ref() != Some(&user.person) {
        return Err(AppError::Forbidden);
    }
    let Some(row) = theirs.iter().find(|r| r.audit.is_none()) else {
        return Err(AppError::Conflict(format!(
            "{}'s peer audit for {} is already allocated",
            first.iro_name,
            month.label()
        )));
    };
    // A case is audited once a month.
    if let Some(m) = made.iter().find(|m| m.case == body.case) {
        return Err(AppError::Conflict(format!(
            "case {} is already audited this month, by {}",
            body.case,
            name(&org, &m.auditor)
        )));
    }
    let today = today(&state);
    let policy = policy(&state);
    let holidays = state.settings().bank_holidays.clone();
    let history: Vec<_> = stored.history.clone();
    // The month's other audits: a case is audited once a month.
    let others: Vec<_> = stored
        .allocations
        .iter()
        .map(|c| c.allocation.clone())
        .filter(|a| a.auditor != body.iro)
        .collect();
    let req = AllocationRequest {
        org: &org,
        policy: &policy,
        month,
        allocated_on: today,
        pool: Vec::new(),
        on_purpose: BTreeSet::new(),
        history: &history,
        holidays: &holidays,
        seed: stored.seed,
    };
    if let Err(e) = check_assignment(
        &req,
        &others,
        &Assignment {
            case: body.case.clone(),
            auditor: body.iro.clone(),
            kind: AuditKind::IroPeer,
        },
    ) {
        return Ok(super::allocation::refusal_response(&e));
    }
    let proposed = stored
        .allocations
        .iter()
        .find(|c| c.allocation.kind == AuditKind::IroPeer && c.allocation.auditor == body.iro)
        .map(|c| c.allocation.clone());
    let suggested_day = proposed.as_ref().map(|a| a.suggested_day);
    let id = create_audit(
        &state,
        &AuditAllocation {
            case: body.case.clone(),
            auditor: body.iro.clone(),
            theme: stored.theme.theme.clone(),
            theme_notes: Some(stored.theme.notes.clone()),
            audit_kind: AuditKind::IroPeer,
            allocated_on: today,
            allocated_by: user.person.clone(),
            suggested_day,
            reaudit: None,
        },
    )
    .await?;
    let changed = row.proposed != body.case;
    let audit = StoredAudit {
        audit: id.to_string(),
        case: body.case.clone(),
        auditor: body.iro.clone(),
        kind: AuditKind::IroPeer,
        suggested_day: suggested_day.unwrap_or(today),
        reason: if changed {
            format!(
                "IRO peer audit chosen by {} (IRO Service Manager)",
                name(&org, &user.person)
            )
        } else {
            row.reason.clone()
        },
        changed_by_hand: changed,
    };
    state
        .db()
        .call(move |conn| store::insert_allocated(conn, month, &audit))
        .await?;
    state
        .log_access(&user.person, &id, Action::Create, "IRO peer allocation")
        .await?;
    Ok(Json(qalf_shared::api::schedule::AuditMade {
        audit: id.to_string(),
    })
    .into_response())
}
