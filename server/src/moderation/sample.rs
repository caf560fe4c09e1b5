//! R-MOD-1: the month's moderation sample, drawn here over every audit
//! completed that month that the server holds (whichever device completed
//! it), at the council's rates, with a seed from the server's random
//! source; kept whole, once per month, so it can be drawn again and shown
//! to be random. `POST /api/moderation/samples` draws, `GET
//! /api/moderation/samples/{month}` reads; the CPP only.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use qalf_shared::api::{DrawSample, ModerationSampleView, SampledAudit};
use qalf_shared::moderation::sample::{self, DrawnSample};
use qalf_shared::schedule::YearMonth;
use rusqlite::{OptionalExtension, params};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/moderation/samples", post(draw))
        .route("/api/moderation/samples/{month}", get(read))
}

fn cpp_only(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    match state.org().person(&user.person) {
        Some(p) if qalf_shared::org::works_in_cpp(&p.roles) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

async fn kept(state: &AppState, month: YearMonth) -> AppResult<Option<DrawnSample>> {
    let key = month.to_string();
    let json: Option<String> = state
        .db()
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT json FROM moderation_samples WHERE month = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| AppError::Internal(e.into())))
        .transpose()
}

/// The sample with what the CPP needs to find each pick.
async fn view(state: &AppState, sample: DrawnSample) -> AppResult<ModerationSampleView> {
    let facts =
        crate::report::facts_between(state, sample.month.first_day(), sample.month.last_day())
            .await?;
    let org = state.org();
    let name = |p: &qalf_shared::org::PersonId| {
        org.person(p)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "someone no longer in the directory".into())
    };
    let audits = sample
        .picks
        .iter()
        .filter_map(|pick| {
            let fact = facts
                .audits
                .iter()
                .find(|a| a.record.to_string() == pick.audit)?;
            Some(SampledAudit {
                audit: fact.record.clone(),
                case: fact.case.clone(),
                auditor_name: name(&fact.auditor),
                grade: fact.grade,
            })
        })
        .collect();
    Ok(ModerationSampleView {
        reproduced: sample.reproduces(),
        drawn_by_name: name(&sample.drawn_by),
        audits,
        sample,
    })
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
) -> AppResult<Json<ModerationSampleView>> {
    cpp_only(&state, &user)?;
    let month: YearMonth = month
        .parse()
        .map_err(|_| AppError::BadRequest("a month is written like 2026-11".into()))?;
    let sample = kept(&state, month).await?.ok_or(AppError::NotFound)?;
    Ok(Json(view(&state, sample).await?))
}

async fn draw(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<DrawSample>,
) -> AppResult<Json<ModerationSampleView>> {
    cpp_only(&state, &user)?;
    let now = state.clock().now();
    if body.month > YearMonth::of(now.date_naive()) {
        return Err(AppError::BadRequest(format!(
            "{} has not started: a month's sample is drawn from the audits completed in it",
            body.month.label()
        )));
    }
    if let Some(earlier) = kept(&state, body.month).await? {
        return Err(AppError::Conflict(format!(
            "The sample for {} was drawn already, on {}: it is kept as drawn",
            body.month.label(),
            chrono::DateTime::from_timestamp(earlier.drawn_at, 0)
                .map(|t| t.format("%-d %B %Y").to_string())
                .unwrap_or_default()
        )));
    }
    let facts =
        crate::report::facts_between(&state, body.month.first_day(), body.month.last_day()).await?;
    // 53 bits: shown and checked exactly anywhere, JavaScript included.
    let seed = rand::random::<u64>() >> 11;
    let drawn = DrawnSample::draw(
        body.month,
        sample::candidates(&facts.audits, body.month),
        body.capacity,
        seed,
        state.settings().moderation,
        user.person.clone(),
        now.timestamp(),
    );
    let json = serde_json::to_string(&drawn).map_err(|e| AppError::Internal(e.into()))?;
    let (month, by, at) = (
        drawn.month.to_string(),
        user.person.to_string(),
        drawn.drawn_at,
    );
    let inserted = state
        .db()
        .call(move |conn| {
            Ok(conn.execute(
                "INSERT INTO moderation_samples (month, json, drawn_by, drawn_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT(month) DO NOTHING",
                params![month, json, by, at],
            )?)
        })
        .await?;
    if inserted == 0 {
        // Another CPP member drew it a moment before: theirs stands.
        return Err(AppError::Conflict(format!(
            "The sample for {} was drawn a moment ago by someone else: it is kept as drawn",
            body.month.label()
        )));
    }
    tracing::info!(person = %user.person, month = %drawn.month, picks = drawn.picks.len(), "moderation sample drawn");
    Ok(Json(view(&state, drawn).await?))
}
