//! R-REP-4 for case file audits: each person's audit and re-audit quotas
//! against what they completed in the month, its quarter and its year; the
//! drill-down names the audits that count.

use axum::Json;
use axum::extract::{Path, Query, State};
use qalf_shared::api::schedule::{ComplianceOverview, ComplianceRow};
use qalf_shared::org::PersonId;
use qalf_shared::schedule::{CompletedAudit, PersonCompliance, compliance, person_compliance};

use super::records::{self, AuditFacts};
use super::{MonthQuery, cpp_only, log_reads, policy};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

async fn completed(state: &AppState) -> AppResult<Vec<CompletedAudit>> {
    Ok(records::all(state)
        .await?
        .iter()
        .filter_map(AuditFacts::completed)
        .collect())
}

/// Everyone with a quota or audits this year: counts only, no case.
pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MonthQuery>,
) -> AppResult<Json<ComplianceOverview>> {
    let org = cpp_only(&state, &user)?;
    let month = query.month_or_now(&state)?;
    let done = completed(&state).await?;
    let people = compliance(&org, &policy(&state), month, &done)
        .into_iter()
        .map(|p| ComplianceRow {
            job_title: org
                .person(&p.person)
                .map(|x| x.job_title.clone())
                .unwrap_or_default(),
            audits: [
                (&p.audits.month).into(),
                (&p.audits.quarter).into(),
                (&p.audits.year).into(),
            ],
            re_audits: [
                (&p.re_audits.month).into(),
                (&p.re_audits.quarter).into(),
                (&p.re_audits.year).into(),
            ],
            person: p.person,
            name: p.name,
            duties: p.duties,
        })
        .collect();
    Ok(Json(ComplianceOverview { month, people }))
}

/// One person's tallies with the audits that count.
pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(person): Path<String>,
    Query(query): Query<MonthQuery>,
) -> AppResult<Json<PersonCompliance>> {
    let org = cpp_only(&state, &user)?;
    let person = PersonId::parse(person).map_err(|_| AppError::NotFound)?;
    let month = query.month_or_now(&state)?;
    let done = completed(&state).await?;
    let found = person_compliance(&org, &policy(&state), month, &person, &done)
        .ok_or(AppError::NotFound)?;
    // The drill-down names cases: each audit shown is logged as read.
    let year = found
        .audits
        .year
        .done
        .iter()
        .chain(&found.re_audits.year.done);
    log_reads(&state, &user.person, year.map(|c| c.id.as_str())).await?;
    Ok(Json(found))
}
