//! R-SCHED-1: the themes, six months ahead (month, theme, cohort filter,
//! notes), and the months in that window still without one.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qalf_shared::api::schedule::{ThemeMonth, ThemeMonths};
use qalf_shared::schedule::theme::months_missing_within;
use qalf_shared::schedule::{ThemeEntry, ThemeSchedule};
use serde::Deserialize;

use super::{cpp_only, parse_month, policy, store};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const MAX_THEME_CHARS: usize = 200;
const MAX_NOTES_CHARS: usize = 4_000;

#[derive(Debug, Deserialize)]
pub struct FromMonth {
    from: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FromMonth>,
) -> AppResult<Json<ThemeMonths>> {
    cpp_only(&state, &user)?;
    let from = super::MonthQuery { month: query.from }.month_or_now(&state)?;
    let entries = state.db().call(|conn| store::themes(conn)).await?;
    let schedule = ThemeSchedule::from_entries(entries)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored themes: {e}")))?;
    let ahead = policy(&state).theme_months_ahead;
    let months = (0..ahead)
        .map(|i| {
            let month = from.add_months(i as i32);
            ThemeMonth {
                month,
                label: month.label(),
                entry: schedule.get(month).cloned(),
            }
        })
        .collect();
    Ok(Json(ThemeMonths {
        months,
        missing: months_missing_within(&schedule, from, ahead),
    }))
}

pub async fn set(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
    Json(entry): Json<ThemeEntry>,
) -> AppResult<Json<ThemeMonth>> {
    cpp_only(&state, &user)?;
    let month = parse_month(&month)?;
    if entry.month != month {
        return Err(AppError::BadRequest(format!(
            "the theme is for {}, not {}",
            entry.month.label(),
            month.label()
        )));
    }
    if entry.theme.chars().count() > MAX_THEME_CHARS {
        return Err(AppError::BadRequest(format!(
            "keep the theme to {MAX_THEME_CHARS} characters; put more in the notes"
        )));
    }
    if entry.notes.chars().count() > MAX_NOTES_CHARS {
        return Err(AppError::BadRequest(format!(
            "keep the notes to {MAX_NOTES_CHARS} characters"
        )));
    }
    // The schedule's own rules: one theme a month, never blank.
    let mut checked = ThemeSchedule::new();
    checked
        .set(entry)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let entry = checked
        .get(month)
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a theme just set is missing")))?;
    let stored = entry.clone();
    let by = user.person.clone();
    let at = state.clock().now().timestamp();
    state
        .db()
        .call(move |conn| store::put_theme(conn, &stored, &by, at))
        .await?;
    Ok(Json(ThemeMonth {
        month,
        label: month.label(),
        entry: Some(entry),
    }))
}

pub async fn clear(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
) -> AppResult<StatusCode> {
    cpp_only(&state, &user)?;
    let month = parse_month(&month)?;
    state
        .db()
        .call(move |conn| store::clear_theme(conn, month))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
