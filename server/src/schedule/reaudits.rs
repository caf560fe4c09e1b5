//! Re-audits (DOMAIN.md §5): the queue of Inadequate audits for their Head
//! of Service (R-REAUDIT-1), the quarter's seeded picks for the Assistant
//! Director and the DCS (R-REAUDIT-2) and for the Cabinet Member beside a
//! named CPP member (R-REAUDIT-3), and allocating them. A re-audit is an
//! audit document of its own, linked here to the audit it re-audits; its
//! outcome (action plan complete, no longer Inadequate) is read from the
//! two documents once it is complete.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use qalf_shared::api::schedule::{AllocateReAudit, AllocatedReAudit, QueueItem, ReAuditOverview};
use qalf_shared::audit::Grade;
use qalf_shared::audit::document::ReAuditOf;
use qalf_shared::org::{Organisation, PersonId};
use qalf_shared::schedule::{
    CompletedAudit, Period, ReAuditError, ReAuditRequest, ReAuditResult, cabinet_reaudit,
    picks_as_allocated, plan_reaudit, reaudit_queue, senior_pool, senior_reaudits,
};
use qalf_shared::sync::DocumentId;
use serde::Deserialize;

use super::records::{self, AuditFacts};
use super::store::{self, StoredReAudit};
use super::{MonthQuery, cpp_only, log_reads, name, policy, staff, today};
use crate::AppState;
use crate::access_log::Action;
use crate::audits::{AuditAllocation, create_audit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The quarter's draws are seeded with its first month (`202610`), so the
/// same quarter always draws the same cases and anyone can repeat it.
fn quarter_seed(quarter: Period) -> u64 {
    u64::try_from(quarter.first.year()).unwrap_or(0) * 100 + u64::from(quarter.first.month())
}

/// The notification kind of a re-audit's result to its Service Manager.
pub const REAUDIT_RESULT: &str = "reaudit-result";

#[derive(Debug, Deserialize)]
pub struct ReAuditQuery {
    month: Option<String>,
    /// The CPP member to re-audit beside the Cabinet Member.
    cpp: Option<String>,
}

/// A completed re-audit's outcome, from its document: the grade it
/// reached, its auditor's own check of the action plan, and whom the server
/// told of it (`shared`, from `record_notices`).
fn result(
    stored: &StoredReAudit,
    reaudit: &AuditFacts,
    shared: Option<&(PersonId, i64)>,
) -> Option<ReAuditResult> {
    let audit = reaudit.completed()?;
    Some(ReAuditResult {
        no_longer_inadequate: audit.grade.is_some_and(|g| g != Grade::Inadequate),
        shared_on: shared
            .and_then(|(_, at)| chrono::DateTime::from_timestamp(*at, 0))
            .map(|t| t.date_naive()),
        audit: CompletedAudit {
            kind: stored.kind,
            ..audit
        },
        original: stored.original.clone(),
        alongside: stored.alongside.clone(),
        action_plan_complete: reaudit.action_plan_confirmed.unwrap_or(false),
        shared_with: shared.map(|(p, _)| p.clone()),
    })
}

/// What the server knows of audits and re-audits: every audit's facts,
/// the re-audits allocated, and each completed re-audit's outcome (with
/// whom it was shared), worked out once.
struct Known {
    facts: Vec<AuditFacts>,
    stored: Vec<StoredReAudit>,
    results: Vec<(StoredReAudit, ReAuditResult)>,
}

impl Known {
    async fn load(state: &AppState) -> AppResult<Known> {
        let facts = records::all(state).await?;
        let stored = state.db().call(|conn| store::reaudits(conn)).await?;
        let shared: BTreeMap<String, (PersonId, i64)> = state
            .db()
            .call(|conn| crate::notifications::sent_once(conn, REAUDIT_RESULT))
            .await?
            .into_iter()
            .map(|(record, person, at)| (record, (person, at)))
            .collect();
        let by_id: BTreeMap<String, &AuditFacts> =
            facts.iter().map(|f| (f.id.to_string(), f)).collect();
        let results = stored
            .iter()
            .filter_map(|r| {
                let outcome = result(r, by_id.get(&r.audit)?, shared.get(&r.audit))?;
                Some((r.clone(), outcome))
            })
            .collect();
        Ok(Known {
            facts,
            stored,
            results,
        })
    }

    fn completed(&self) -> Vec<CompletedAudit> {
        self.facts
            .iter()
            .filter_map(AuditFacts::completed)
            .collect()
    }

    fn done(&self) -> Vec<ReAuditResult> {
        self.results.iter().map(|(_, r)| r.clone()).collect()
    }

    /// The re-audits allocated and not completed yet.
    fn pending(&self) -> Vec<&StoredReAudit> {
        let complete: BTreeSet<&str> = self.results.iter().map(|(r, _)| r.audit.as_str()).collect();
        self.stored
            .iter()
            .filter(|r| !complete.contains(r.audit.as_str()))
            .collect()
    }

    /// The queue now, each item with the re-audit allocated for its Head
    /// of Service, if any.
    fn queue(&self, org: &Organisation) -> Vec<QueueItem> {
        let pending = self.pending();
        reaudit_queue(org, &self.completed(), &self.done())
            .into_iter()
            .map(|q| QueueItem {
                allocated: pending
                    .iter()
                    .find(|r| {
                        r.original == q.original
                            && Some(&r.re_auditor) == q.head_of_service.as_ref()
                    })
                    .map(|r| r.audit.clone()),
                queued: q,
            })
            .collect()
    }
}

/// `GET /api/reaudits/mine`: the Inadequate cases waiting for the signed-in
/// Head of Service's re-audit (R-REAUDIT-1), by the grade each audit stands
/// at after moderation (R-MOD-5), with the re-audit once allocated. Each
/// audit listed is logged as read.
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<QueueItem>>> {
    let org = state.org();
    let known = Known::load(&state).await?;
    let mine: Vec<QueueItem> = known
        .queue(&org)
        .into_iter()
        .filter(|q| q.queued.head_of_service.as_ref() == Some(&user.person))
        .collect();
    log_reads(
        &state,
        &user.person,
        mine.iter().map(|q| q.queued.original.as_str()),
    )
    .await?;
    Ok(Json(mine))
}

pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ReAuditQuery>,
) -> AppResult<Json<ReAuditOverview>> {
    let org = cpp_only(&state, &user)?;
    let month = MonthQuery { month: query.month }.month_or_now(&state)?;
    let cpp_member = match query.cpp.as_deref().filter(|c| !c.is_empty()) {
        Some(id) => Some(
            PersonId::parse(id)
                .map_err(|_| AppError::BadRequest(format!("unknown person `{id}`")))?,
        ),
        None => None,
    };
    let policy = policy(&state);
    let known = Known::load(&state).await?;
    let (completed, done, pending) = (known.completed(), known.done(), known.pending());
    let queue = known.queue(&org);
    let quarter = policy.quarter(month);
    let seed = quarter_seed(quarter);
    // The AD and DCS draw from what no senior re-audit is already waiting on.
    let senior_pool = senior_pool(&org, queue.iter().map(|q| &q.queued), &pending);
    let senior = senior_reaudits(&org, &policy, month, &senior_pool, &done, seed);
    let cabinet = cabinet_reaudit(
        &org,
        &policy,
        month,
        &completed,
        &done,
        cpp_member.as_ref(),
        seed,
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;

    // Someone with a re-audit allocated this quarter sees it in place of a
    // fresh pick.
    let picks = picks_as_allocated(
        senior.picks.into_iter().chain(cabinet.picks),
        &pending,
        quarter,
    );
    let allocated: Vec<AllocatedReAudit> = known
        .stored
        .iter()
        .map(|r| {
            let outcome = known
                .results
                .iter()
                .find(|(s, _)| s.audit == r.audit)
                .map(|(_, o)| o);
            AllocatedReAudit {
                allocation: r.clone(),
                completed_on: outcome.map(|o| o.audit.completed_on),
                outcome: outcome.map(ReAuditResult::outcome),
                action_plan_complete: outcome.map(|o| o.action_plan_complete),
                no_longer_inadequate: outcome.map(|o| o.no_longer_inadequate),
                shared_with: outcome.and_then(|o| o.shared_with.clone()),
            }
        })
        .collect();

    // The CPP reads child-level records here: each is logged.
    let shown: BTreeSet<&str> = queue
        .iter()
        .map(|q| q.queued.original.as_str())
        .chain(
            allocated
                .iter()
                .flat_map(|a| [a.allocation.audit.as_str(), a.allocation.original.as_str()]),
        )
        .collect();
    log_reads(&state, &user.person, shown).await?;

    let mut named: BTreeSet<PersonId> = BTreeSet::new();
    for q in &queue {
        named.insert(q.queued.original_auditor.clone());
        named.extend(q.queued.head_of_service.clone());
        named.extend(q.queued.responsible_service_manager.clone());
    }
    for p in &picks {
        named.insert(p.pick.re_auditor.clone());
        named.extend(p.pick.alongside.clone());
    }
    for a in &allocated {
        named.insert(a.allocation.re_auditor.clone());
        named.extend(a.allocation.alongside.clone());
        named.extend(a.shared_with.clone());
    }
    named.extend(senior.not_picked.iter().map(|n| n.person.clone()));
    named.extend(cabinet.not_picked.iter().map(|n| n.person.clone()));

    Ok(Json(ReAuditOverview {
        month,
        quarter,
        seed,
        queue,
        picks,
        not_picked: senior
            .not_picked
            .into_iter()
            .chain(cabinet.not_picked)
            .collect(),
        allocated,
        cpp_members: staff(&org, |p| qalf_shared::org::works_in_cpp(&p.roles)),
        names: named
            .into_iter()
            .map(|id| {
                let n = name(&org, &id);
                (id, n)
            })
            .collect(),
    }))
}

pub async fn allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<AllocateReAudit>,
) -> AppResult<Response> {
    let org = cpp_only(&state, &user)?;
    let original_id = DocumentId::parse(&body.original).map_err(|_| AppError::NotFound)?;
    let facts = records::all(&state).await?;
    let original = facts
        .iter()
        .find(|f| f.id == original_id)
        .ok_or(AppError::NotFound)?;
    let done = original.completed().ok_or(ReAuditError::NotCompleted);
    let stored = state.db().call(|conn| store::reaudits(conn)).await?;
    let plan = done
        .and_then(|done| {
            plan_reaudit(
                &org,
                ReAuditRequest {
                    original: &done,
                    kind: body.kind,
                    re_auditor: &body.re_auditor,
                    alongside: body.alongside.as_ref(),
                },
                &stored,
            )
        })
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let today = today(&state);
    // Re-audits are of cases audited recently by nature: R-SCHED-3 is for
    // the monthly draw, so the case counts as chosen on purpose.
    if let Err(e) = super::check_on_purpose(&state, &org, &plan.case, &body.re_auditor, body.kind) {
        return Ok(super::allocation::refusal_response(&e));
    }
    let alongside = plan.alongside.clone();
    let id = create_audit(
        &state,
        &AuditAllocation {
            case: plan.case.clone(),
            auditor: body.re_auditor.clone(),
            theme: plan.theme,
            theme_notes: None,
            audit_kind: body.kind,
            allocated_on: today,
            allocated_by: user.person.clone(),
            suggested_day: None,
            reaudit: Some(ReAuditOf {
                original: original_id.clone(),
                alongside_name: alongside.as_ref().map(|c| name(&org, c)),
                alongside: alongside.clone(),
                action_plan_complete: None,
            }),
        },
    )
    .await?;
    let record = StoredReAudit {
        audit: id.to_string(),
        original: body.original.clone(),
        case: plan.case,
        kind: body.kind,
        re_auditor: body.re_auditor.clone(),
        alongside: alongside.clone(),
        reason: plan.reason,
        allocated_by: user.person.clone(),
        allocated_on: today,
    };
    let kept = record.clone();
    state
        .db()
        .call(move |conn| store::insert_reaudit(conn, &kept))
        .await?;
    state
        .log_access(&user.person, &id, Action::Create, "re-audit allocation")
        .await?;
    tracing::info!(reaudit = %id, original = %original_id, person = %user.person, "re-audit allocated");
    Ok(Json(AllocatedReAudit {
        allocation: record,
        completed_on: None,
        outcome: None,
        action_plan_complete: None,
        no_longer_inadequate: None,
        shared_with: None,
    })
    .into_response())
}
