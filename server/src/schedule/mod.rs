//! The audit schedule on the server (DOMAIN.md §2 and §5): the cohort
//! import, themes six months ahead, the month's seeded selection and its
//! allocation (previewed, adjusted by hand with the rules still checked, and
//! confirmed into real audits on each auditor's "My work"), re-audits, and
//! each person's audit compliance.
//!
//! Every endpoint is the CPP's alone (deny by default). The rules are
//! `qalf_shared::schedule`'s; this module stores what was decided, reads the
//! audit documents the rules need and makes audits. Logs carry ids and
//! counts, never case details.

mod allocation;
mod bespoke;
mod compliance;
mod import;
mod iro_peer;
mod reaudits;
mod records;
pub(crate) mod store;
mod themes;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use chrono::NaiveDate;
use qalf_shared::api::schedule::StaffChoice;
use qalf_shared::org::{Organisation, Person, PersonId};
use qalf_shared::schedule::{SchedulePolicy, YearMonth};
use qalf_shared::sync::DocumentId;
use serde::Deserialize;

use crate::AppState;
use crate::access_log::Action;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub use import::MAX_FILE_BYTES;
pub use reaudits::REAUDIT_RESULT;

pub fn router() -> Router<AppState> {
    // Cohort files run to tens of thousands of rows: a larger body limit
    // for those two routes only.
    let import = Router::new()
        .route("/api/schedule/import/plan", post(import::plan))
        .route("/api/schedule/import/apply", post(import::apply))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES));
    Router::new()
        .route("/api/schedule/themes", get(themes::list))
        .route(
            "/api/schedule/themes/{month}",
            put(themes::set).delete(themes::clear),
        )
        .route("/api/schedule/months/{month}", get(allocation::overview))
        .route(
            "/api/schedule/months/{month}/preview",
            post(allocation::preview),
        )
        .route(
            "/api/schedule/months/{month}/check",
            post(allocation::check),
        )
        .route(
            "/api/schedule/months/{month}/confirm",
            post(allocation::confirm),
        )
        .route(
            "/api/schedule/reaudits",
            get(reaudits::overview).post(reaudits::allocate),
        )
        .route("/api/schedule/bespoke", post(bespoke::create))
        .route("/api/reaudits/mine", get(reaudits::mine))
        .route(
            "/api/schedule/iro-peer",
            get(iro_peer::month).post(iro_peer::allocate),
        )
        .route("/api/schedule/compliance", get(compliance::overview))
        .route("/api/schedule/compliance/{person}", get(compliance::person))
        .merge(import)
}

/// Checks one audit of `case`, chosen on purpose rather than drawn (a
/// re-audit, a bespoke or career-progression audit), against the same
/// allocation rules as the month's draw. Chosen on purpose, a case audited
/// recently may be audited again (R-SCHED-3).
fn check_on_purpose(
    state: &AppState,
    org: &Organisation,
    case: &qalf_shared::org::CaseRef,
    auditor: &PersonId,
    kind: qalf_shared::schedule::AuditKind,
) -> Result<(), qalf_shared::schedule::AllocationError> {
    let today = today(state);
    let policy = policy(state);
    let holidays = state.settings().bank_holidays.clone();
    let req = qalf_shared::schedule::AllocationRequest {
        org,
        policy: &policy,
        month: YearMonth::of(today),
        allocated_on: today,
        pool: Vec::new(),
        on_purpose: std::collections::BTreeSet::from([case.clone()]),
        history: &[],
        holidays: &holidays,
        seed: 0,
    };
    qalf_shared::schedule::check_assignment(
        &req,
        &[],
        &qalf_shared::schedule::Assignment {
            case: case.clone(),
            auditor: auditor.clone(),
            kind,
        },
    )
}

/// The organisation, if the signed-in person works in the CPP.
fn cpp_only(state: &AppState, user: &CurrentUser) -> AppResult<Arc<Organisation>> {
    let org = state.org();
    let is_cpp = org
        .person(&user.person)
        .is_some_and(|p| qalf_shared::org::works_in_cpp(&p.roles));
    if is_cpp {
        Ok(org)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The council's schedule settings, as they are now (the framework's
/// numbers until a council sets its own).
fn policy(state: &AppState) -> SchedulePolicy {
    state.settings().schedule_policy()
}

fn today(state: &AppState) -> NaiveDate {
    state.clock().now().date_naive()
}

fn parse_month(value: &str) -> AppResult<YearMonth> {
    value
        .parse()
        .map_err(|e: qalf_shared::schedule::BadYearMonth| AppError::BadRequest(e.to_string()))
}

/// `?month=2026-11`, this month when absent.
#[derive(Debug, Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

impl MonthQuery {
    fn month_or_now(&self, state: &AppState) -> AppResult<YearMonth> {
        match &self.month {
            Some(m) if !m.trim().is_empty() => parse_month(m),
            _ => Ok(YearMonth::of(today(state))),
        }
    }
}

/// Logs that `person` read these audit documents through the schedule's
/// screens (ids only, as every access log row), before they are shown.
async fn log_reads<'a>(
    state: &AppState,
    person: &PersonId,
    documents: impl IntoIterator<Item = &'a str>,
) -> AppResult<()> {
    let ids: Vec<DocumentId> = documents
        .into_iter()
        .filter_map(|id| DocumentId::parse(id).ok())
        .collect();
    state
        .log_accesses(person, &ids, Action::Read, "schedule")
        .await
}

fn name(org: &Organisation, id: &PersonId) -> String {
    org.person(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn staff_choice(person: &Person) -> StaffChoice {
    StaffChoice {
        id: person.id.clone(),
        name: person.name.clone(),
        job_title: person.job_title.clone(),
        roles: person.roles.clone(),
    }
}

/// People matching `wanted`, by name.
fn staff(org: &Organisation, wanted: impl Fn(&Person) -> bool) -> Vec<StaffChoice> {
    let mut people: Vec<StaffChoice> = org
        .people()
        .filter(|p| wanted(p))
        .map(staff_choice)
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    people
}
