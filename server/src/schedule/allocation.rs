//! The month's selection and allocation (R-SCHED-2, R-SCHED-3,
//! R-ALLOC-1…5). A preview draws from a seed and stores nothing; a change
//! by hand is checked against the same rules the automatic allocation
//! follows; confirming makes the audits (on each auditor's "My work", with
//! a suggested audit day) and keeps the selection with what draws it again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use qalf_shared::api::schedule::{
    AllocatedAudit, AllocationChange, AllocationPreview, AllocationRow, ConfirmAllocation,
    ConfirmedMonth, MonthOverview, RoleDue, RuleRefusal, SelectionAsk,
};
use qalf_shared::org::{CaseRef, Cohort, Organisation, Person, PersonId, Role};
use qalf_shared::schedule::{
    Allocation, AllocationError, AllocationRequest, Assignment, AuditKind, SchedulePolicy,
    Selection, SelectionRequest, ThemeEntry, YearMonth, allocate, check_assignment, due_audits,
    select, verify_among,
};
use rand::Rng;

use super::records::{self, AuditFacts};
use super::{cpp_only, name, parse_month, policy, staff, store, today};
use crate::AppState;
use crate::access_log::{Action, Event};
use crate::audits::{AuditAllocation, create_audit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// More than any council allocates in a month.
const MAX_COUNT: usize = 5_000;
const MAX_ON_PURPOSE: usize = 200;

/// One confirmation at a time, so a retry never makes an audit twice.
static CONFIRMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Everything a month's allocation is worked out from.
struct Basis {
    org: Arc<Organisation>,
    policy: SchedulePolicy,
    month: YearMonth,
    theme: ThemeEntry,
    history: Vec<(CaseRef, NaiveDate)>,
    /// The ask, its seed filled in.
    ask: SelectionAsk,
    seed: u64,
    today: NaiveDate,
    /// The council's bank holidays: no audit day is suggested on one.
    holidays: Vec<NaiveDate>,
}

impl Basis {
    fn selection(&self) -> Selection {
        select(
            &self.org,
            &self.policy,
            &SelectionRequest {
                theme: &self.theme,
                count: self.ask.count,
                on_purpose: &self.ask.on_purpose,
                history: &self.history,
                seed: self.seed,
            },
        )
    }

    fn request<'a>(&'a self, selection: &Selection) -> AllocationRequest<'a> {
        AllocationRequest {
            holidays: &self.holidays,
            ..AllocationRequest::from_selection(
                &self.org,
                &self.policy,
                selection,
                self.today,
                &self.history,
                self.seed,
            )
        }
    }
}

async fn basis(
    state: &AppState,
    org: Arc<Organisation>,
    month: YearMonth,
    mut ask: SelectionAsk,
) -> AppResult<Basis> {
    let today = today(state);
    if month < YearMonth::of(today) {
        return Err(AppError::BadRequest(format!(
            "{} is over: allocate this month or a month ahead",
            month.label()
        )));
    }
    if ask.count > MAX_COUNT {
        return Err(AppError::BadRequest(format!(
            "draw at most {MAX_COUNT} cases at a time"
        )));
    }
    if ask.on_purpose.len() > MAX_ON_PURPOSE {
        return Err(AppError::BadRequest(format!(
            "choose at most {MAX_ON_PURPOSE} cases on purpose"
        )));
    }
    let theme = state
        .db()
        .call(move |conn| store::theme(conn, month))
        .await?
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{} has no theme yet: schedule one first",
                month.label()
            ))
        })?;
    let history = records::all(state)
        .await?
        .iter()
        .map(AuditFacts::audited_on)
        .collect();
    // A short seed is easy to read out and write down; any seed will do.
    let seed = ask
        .seed
        .unwrap_or_else(|| rand::rng().random_range(1..1_000_000_000));
    ask.seed = Some(seed);
    Ok(Basis {
        org,
        policy: policy(state),
        month,
        theme,
        history,
        ask,
        seed,
        today,
        holidays: state.settings().bank_holidays.clone(),
    })
}

fn row(org: &Organisation, a: &Allocation, changed_by_hand: bool) -> Option<AllocationRow> {
    let case = org.case(&a.case)?;
    Some(AllocationRow {
        allocation: a.clone(),
        cohort: case.cohort,
        team_name: org
            .team(&case.team)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| case.team.to_string()),
        auditor_name: name(org, &a.auditor),
        changed_by_hand,
    })
}

/// Anyone who may do one of the month's kinds of audit.
fn may_audit(person: &Person) -> bool {
    AuditKind::ALL
        .into_iter()
        .filter(|k| k.is_monthly_quota())
        .any(|k| k.may_be_done_by(&person.roles))
}

pub(super) fn refusal_response(e: &AllocationError) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(RuleRefusal {
            error: e.to_string(),
            rule: e.rule().map(str::to_string),
        }),
    )
        .into_response()
}

/// The case of `current`, given by hand to `auditor` for an audit of
/// `kind`, if the rules allow it beside `others`.
fn give(
    org: &Organisation,
    req: &AllocationRequest<'_>,
    others: &[Allocation],
    current: &Allocation,
    auditor: &PersonId,
    kind: AuditKind,
    by: &str,
) -> Result<Allocation, AllocationError> {
    check_assignment(
        req,
        others,
        &Assignment {
            case: current.case.clone(),
            auditor: auditor.clone(),
            kind,
        },
    )?;
    let person = org
        .person(auditor)
        .ok_or_else(|| AllocationError::UnknownAuditor(auditor.clone()))?;
    let role = kind
        .done_by()
        .iter()
        .copied()
        .find(|r| person.has_role(*r))
        .unwrap_or(current.role);
    // One audit day a month: theirs if they already have one.
    let suggested_day = others
        .iter()
        .find(|o| &o.auditor == auditor)
        .map_or(current.suggested_day, |o| o.suggested_day);
    Ok(Allocation {
        case: current.case.clone(),
        auditor: auditor.clone(),
        role,
        kind,
        allocated_by: current.allocated_by.clone(),
        suggested_day,
        chosen_on_purpose: current.chosen_on_purpose,
        reason: format!(
            "Given by hand to {} ({}) by {by}, in place of {}; checked against the allocation \
             rules (who may audit which case, and a case audited recently is not audited again)",
            person.name,
            role.label(),
            name(org, &current.auditor)
        ),
    })
}

pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
) -> AppResult<Json<MonthOverview>> {
    let org = cpp_only(&state, &user)?;
    let month = parse_month(&month)?;
    let theme = state
        .db()
        .call(move |conn| store::theme(conn, month))
        .await?;
    let due = due_audits(&org, &policy(&state), month);
    let mut by_role: BTreeMap<Role, usize> = BTreeMap::new();
    for d in &due {
        *by_role.entry(d.role).or_default() += 1;
    }
    Ok(Json(MonthOverview {
        month,
        label: month.label(),
        theme,
        due: due.len(),
        due_by_role: by_role
            .into_iter()
            .map(|(role, count)| RoleDue { role, count })
            .collect(),
        cases: org.cases().count(),
        confirmed: confirmed_month(&state, &org, month).await?,
    }))
}

pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
    Json(ask): Json<SelectionAsk>,
) -> AppResult<Json<AllocationPreview>> {
    let org = cpp_only(&state, &user)?;
    let month = parse_month(&month)?;
    let basis = basis(&state, org.clone(), month, ask).await?;
    let selection = basis.selection();
    let allocation = allocate(&basis.request(&selection));
    let used: BTreeSet<&CaseRef> = allocation
        .allocations
        .iter()
        .map(|a| &a.case)
        .chain(allocation.set_aside.iter().map(|s| &s.case))
        .collect();
    let unused = selection
        .cases()
        .filter(|c| !used.contains(c))
        .cloned()
        .collect();
    let rows = allocation
        .allocations
        .iter()
        .filter_map(|a| row(&org, a, false))
        .collect();
    // Every case the preview names is shown to the CPP: each a read.
    let now = state.clock().now();
    let shown = selection
        .cases()
        .map(|case| Event::case(now, &user.person, case, Action::Read, "allocation preview"))
        .collect();
    state.log_events(shown).await?;
    Ok(Json(AllocationPreview {
        month: basis.month,
        ask: basis.ask.clone(),
        explanation: selection.explanation(),
        selection,
        allocation,
        rows,
        unused,
        staff: staff(&org, may_audit),
    }))
}

pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
    Json(change): Json<AllocationChange>,
) -> AppResult<Response> {
    let org = cpp_only(&state, &user)?;
    let month = parse_month(&month)?;
    if change.ask.seed.is_none() {
        return Err(AppError::BadRequest(
            "run the allocation first: a change is checked against its seed".into(),
        ));
    }
    let Some(current) = change.allocations.get(change.index).cloned() else {
        return Err(AppError::BadRequest("there is no such allocation".into()));
    };
    let basis = basis(&state, org.clone(), month, change.ask).await?;
    let selection = basis.selection();
    let req = basis.request(&selection);
    let automatic = allocate(&req);
    let Some(auto) = automatic
        .allocations
        .iter()
        .find(|a| a.case == current.case)
    else {
        return Err(AppError::BadRequest(
            "the case list or the audit history has changed since this allocation was run: run \
             it again"
                .into(),
        ));
    };
    let others: Vec<Allocation> = change
        .allocations
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != change.index)
        .map(|(_, a)| a.clone())
        .collect();
    let by = name(&org, &user.person);
    Ok(
        match give(&org, &req, &others, auto, &change.auditor, auto.kind, &by) {
            // Back to the automatic choice: its own reason again.
            Ok(_) if change.auditor == auto.auditor => Json(row(&org, auto, false)).into_response(),
            Ok(given) => Json(row(&org, &given, true)).into_response(),
            Err(e) => refusal_response(&e),
        },
    )
}

pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
    Json(body): Json<ConfirmAllocation>,
) -> AppResult<Response> {
    let org = cpp_only(&state, &user)?;
    let month = parse_month(&month)?;
    if body.ask.seed.is_none() {
        return Err(AppError::BadRequest(
            "run the allocation first: a confirmation names its seed".into(),
        ));
    }
    let _one_at_a_time = CONFIRMING.lock().await;
    let stored = state
        .db()
        .call(move |conn| store::month(conn, month))
        .await?;
    let (confirmed, theme, allocated_on) = match stored {
        // Confirming again with the same allocations (a retry after a lost
        // answer) finishes what is missing; anything else is refused. The
        // selection is not drawn again: the audits already made are now
        // history, and would leave it.
        Some(existing) => {
            let same = existing.allocations.len() == body.allocations.len()
                && existing
                    .allocations
                    .iter()
                    .zip(&body.allocations)
                    .all(|(e, a)| {
                        (&e.allocation.case, &e.allocation.auditor, e.allocation.kind)
                            == (&a.case, &a.auditor, a.kind)
                    });
            if !same {
                return Err(AppError::BadRequest(format!(
                    "{} was already confirmed by {}: its audits are made",
                    month.label(),
                    name(&org, &existing.confirmed_by)
                )));
            }
            let on = chrono::DateTime::from_timestamp(existing.confirmed_at, 0)
                .map_or(today(&state), |t| t.date_naive());
            (existing.allocations, existing.theme, on)
        }
        None => {
            let basis = basis(&state, org.clone(), month, body.ask).await?;
            let confirmed = match checked(&org, &basis, &body.allocations, &user.person) {
                Ok(confirmed) => confirmed,
                Err(refused) => return Ok(*refused),
            };
            let record = store::StoredMonth {
                month,
                seed: basis.seed,
                theme: basis.theme.clone(),
                selection: basis.selection(),
                case_list: org
                    .cases()
                    .map(|c| (c.reference.clone(), c.cohort))
                    .collect(),
                history: basis.history.clone(),
                allocations: confirmed.clone(),
                confirmed_by: user.person.clone(),
                confirmed_at: state.clock().now().timestamp(),
            };
            state
                .db()
                .call(move |conn| store::insert_month(conn, &record))
                .await?;
            (confirmed, basis.theme, basis.today)
        }
    };

    let made: BTreeSet<CaseRef> = state
        .db()
        .call(move |conn| store::allocated_audits(conn, month))
        .await?
        .into_iter()
        .map(|a| a.case)
        .collect();
    let mut created = 0;
    // IRO peer audits are the IRO Service Managers' to allocate (R-ALLOC-3).
    for store::ConfirmedAllocation {
        allocation: a,
        changed_by_hand,
    } in confirmed
        .iter()
        .filter(|c| !made.contains(&c.allocation.case) && c.allocation.kind != AuditKind::IroPeer)
    {
        let id = create_audit(
            &state,
            &AuditAllocation {
                case: a.case.clone(),
                auditor: a.auditor.clone(),
                theme: theme.theme.clone(),
                theme_notes: Some(theme.notes.clone()),
                audit_kind: a.kind,
                allocated_on,
                allocated_by: user.person.clone(),
                suggested_day: Some(a.suggested_day),
                reaudit: None,
            },
        )
        .await?;
        let audit = store::StoredAudit {
            audit: id.to_string(),
            case: a.case.clone(),
            auditor: a.auditor.clone(),
            kind: a.kind,
            suggested_day: a.suggested_day,
            reason: a.reason.clone(),
            changed_by_hand: *changed_by_hand,
        };
        state
            .db()
            .call(move |conn| store::insert_allocated(conn, month, &audit))
            .await?;
        state
            .log_access(&user.person, &id, Action::Create, "allocation")
            .await?;
        created += 1;
    }
    tracing::info!(%month, audits = created, person = %user.person, "month allocated");
    let confirmed = confirmed_month(&state, &org, month)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a confirmed month is missing")))?;
    super::iro_peer::tell_allocators(&state, month, &confirmed.left_to_iro_service_managers)
        .await?;
    Ok(Json(confirmed).into_response())
}

/// The CPP's allocations checked against the automatic allocation they
/// started from: the same cases, and each auditor changed by hand checked
/// again against the rules; or the refusal to send.
fn checked(
    org: &Organisation,
    basis: &Basis,
    proposed: &[Allocation],
    by: &PersonId,
) -> Result<Vec<store::ConfirmedAllocation>, Box<Response>> {
    let selection = basis.selection();
    let req = basis.request(&selection);
    let automatic = allocate(&req);
    let auto_by_case: BTreeMap<&CaseRef, &Allocation> =
        automatic.allocations.iter().map(|a| (&a.case, a)).collect();
    let proposed_cases: BTreeSet<&CaseRef> = proposed.iter().map(|a| &a.case).collect();
    if proposed_cases.len() != proposed.len()
        || proposed_cases != auto_by_case.keys().copied().collect()
    {
        return Err(AppError::BadRequest(
            "the case list or the audit history has changed since this allocation was run: run \
             it again"
                .into(),
        )
        .into_response()
        .into());
    }
    let by = name(org, by);
    let mut confirmed = Vec::with_capacity(proposed.len());
    for (i, a) in proposed.iter().enumerate() {
        let auto = auto_by_case[&a.case];
        if a.auditor == auto.auditor && a.kind == auto.kind {
            // The server's own allocation, reason and all.
            confirmed.push(store::ConfirmedAllocation {
                allocation: auto.clone(),
                changed_by_hand: false,
            });
            continue;
        }
        let others: Vec<Allocation> = proposed
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| o.clone())
            .collect();
        let given = give(org, &req, &others, auto, &a.auditor, a.kind, &by)
            .map_err(|e| Box::new(refusal_response(&e)))?;
        confirmed.push(store::ConfirmedAllocation {
            allocation: given,
            changed_by_hand: true,
        });
    }
    Ok(confirmed)
}

/// A confirmed month as stored, its selection drawn again to verify it.
async fn confirmed_month(
    state: &AppState,
    org: &Organisation,
    month: YearMonth,
) -> AppResult<Option<ConfirmedMonth>> {
    let (stored, audits) = state
        .db()
        .call(move |conn| store::month_and_audits(conn, month))
        .await?;
    let Some(m) = stored else {
        return Ok(None);
    };
    let cases: Vec<(&CaseRef, Cohort)> = m.case_list.iter().map(|(r, c)| (r, *c)).collect();
    let verified = verify_among(&cases, &policy(state), &m.theme, &m.history, &m.selection);
    let left_to_iro_service_managers = super::iro_peer::rows(org, &m, &audits)
        .into_iter()
        .filter(|r| r.audit.is_none())
        .collect();
    Ok(Some(ConfirmedMonth {
        month,
        seed: m.seed,
        explanation: m.selection.explanation(),
        confirmed_by: name(org, &m.confirmed_by),
        confirmed_at: m.confirmed_at,
        verified,
        audits: audits
            .into_iter()
            .map(|a| AllocatedAudit {
                auditor_name: name(org, &a.auditor),
                audit: a.audit,
                case: a.case,
                auditor: a.auditor,
                kind: a.kind,
                suggested_day: a.suggested_day,
                reason: a.reason,
                changed_by_hand: a.changed_by_hand,
            })
            .collect(),
        left_to_iro_service_managers,
    }))
}
