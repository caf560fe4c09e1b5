//! Observations on the server: My Annual Review (R-OBS-3), gathered from
//! every observation of a person the server holds, not only those on one
//! device.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::access::{self, Parties};
use qalf_shared::observation::quota::Done;
use qalf_shared::observation::review::{AnnualReview, annual_review};
use qalf_shared::observation::{self as obs, ObservationDoc};
use qalf_shared::org::PersonId;
use qalf_shared::report::compliance::observations_done_by_record;
use qalf_shared::schedule::{Period, YearMonth};
use serde::Deserialize;

use crate::AppState;
use crate::access_log::Action;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/people/{person}/annual-review", get(review))
        .route("/api/observations/done", get(done))
}

/// `GET /api/observations/done`: the completed observations the signed-in
/// person made in the last year and a bit, as the server holds them, for
/// their quotas (R-OBS-2) to count records made on any of their devices.
async fn done(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<(String, Done)>>> {
    let today = state.clock().now().date_naive();
    let facts = crate::report::facts_between(
        &state,
        today - chrono::Duration::days(400),
        today + chrono::Duration::days(1),
    )
    .await?;
    let mut mine: Vec<(String, Done)> = observations_done_by_record(&facts)
        .into_iter()
        .filter(|(_, d)| d.observer == user.person)
        .map(|(id, d)| (id.to_string(), d))
        .collect();
    mine.sort();
    Ok(Json(mine))
}

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    /// Any month of the council's year wanted (`2026-11`); this year when
    /// absent.
    month: Option<String>,
}

/// `GET /api/people/{person}/annual-review`: for the person themselves,
/// anyone in their line management and the CPP, as the observations' own
/// access allows. Every observation read is logged.
async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(person): Path<String>,
    Query(query): Query<ReviewQuery>,
) -> AppResult<Json<AnnualReview>> {
    let org = state.org();
    let person = PersonId::parse(&person).map_err(|_| AppError::NotFound)?;
    let subject = org.person(&person).ok_or(AppError::NotFound)?;
    let cpp = org
        .person(&user.person)
        .is_some_and(|p| qalf_shared::org::works_in_cpp(&p.roles));
    if !(user.person == person || org.manages(&user.person, &person) || cpp) {
        return Err(AppError::Forbidden);
    }
    let month = match query.month.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => m
            .parse::<YearMonth>()
            .map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => YearMonth::of(state.clock().now().date_naive()),
    };
    let year = Period::year(month, state.settings().schedule.year_start_month);
    // Only the observations the reader may read, by their own access rule.
    let metas: Vec<_> = state
        .access()
        .records_where(
            |m| matches!(&m.parties, Parties::Observation { subject: Some(s), .. } if s == &person),
        )
        .into_iter()
        .filter(|m| access::access(&org, &user.person, m).can_read())
        .collect();
    let mut docs: Vec<(String, ObservationDoc)> = Vec::new();
    for meta in &metas {
        let doc = state
            .relay()
            .with_document(&meta.id, |d| obs::read(&*d))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
            .flatten();
        docs.extend(doc.map(|d| (meta.id.to_string(), d)));
    }
    let review = annual_review(
        person.as_str(),
        &subject.name,
        year,
        docs.iter().map(|(id, d)| (id.as_str(), d)),
    );
    let shown: Vec<_> = metas
        .iter()
        .filter(|m| review.entries.iter().any(|e| e.record == m.id.to_string()))
        .map(|m| m.id.clone())
        .collect();
    state
        .log_accesses(&user.person, &shown, Action::Read, "annual review")
        .await?;
    Ok(Json(review))
}
