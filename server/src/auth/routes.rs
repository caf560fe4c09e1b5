//! Sign-in, sign-out and "who am I".

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use qalf_shared::api::{Me, SignIn};

use super::client::ClientAddress;
use super::{CurrentUser, local, session};
use crate::AppState;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/session", post(sign_in).delete(sign_out))
        .route("/api/me", get(me))
        .route("/api/settings", get(settings))
}

/// What the app needs to know about this installation (nothing personal).
async fn settings(State(state): State<AppState>) -> Json<qalf_shared::api::Settings> {
    let council = state.settings();
    Json(qalf_shared::api::Settings {
        demo: state.config().demo,
        audit_policy: council.audit,
        practice_themes: council.practice_themes.clone(),
        year_start_month: council.schedule.year_start_month,
        moderation: council.moderation,
        observation: council.observation_policy(),
        council_sign_in: state.oidc().is_some(),
    })
}

const MAX_CREDENTIAL_LEN: usize = 256;

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    jar: CookieJar,
    Json(body): Json<SignIn>,
) -> AppResult<(CookieJar, Json<Me>)> {
    if body.username.is_empty()
        || body.username.len() > MAX_CREDENTIAL_LEN
        || body.password.len() > MAX_CREDENTIAL_LEN
    {
        return Err(AppError::BadCredentials);
    }
    let username = body.username.trim().to_lowercase();
    let now = state.clock().now().timestamp();
    let failed = |outcome: &'static str, known: bool| {
        let (db, account) = (state.db().clone(), known.then(|| username.clone()));
        async move {
            tracing::warn!(%client, outcome, "sign-in failed");
            local::record_failure(&db, now, account, client, outcome).await
        }
    };
    if !state.sign_in_attempts().allow(&username, client) {
        let known = local::account_exists(state.db(), username.clone()).await?;
        failed("refused: too many attempts", known).await?;
        return Err(AppError::TooManyAttempts);
    }
    let Some(slot) = state.sign_in_attempts().hash_slot().await else {
        failed("refused: busy", false).await?;
        return Err(AppError::Busy);
    };
    let checked = local::authenticate(state.db(), username.clone(), body.password).await?;
    drop(slot);
    let person = match checked {
        local::Checked::Person(person) => person,
        local::Checked::WrongPassword => {
            failed("wrong password", true).await?;
            return Err(AppError::BadCredentials);
        }
        local::Checked::NoSuchAccount => {
            failed("no such account", false).await?;
            return Err(AppError::BadCredentials);
        }
    };
    tracing::info!(person = %person, "signed in");
    let me = me_for(&state, &person)?;
    let cookie = session::start(&state, person).await?;
    Ok((jar.add(cookie), Json(me)))
}

async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> AppResult<(CookieJar, [(&'static str, &'static str); 1], StatusCode)> {
    session::end(&state, user.session).await?;
    tracing::info!(person = %user.person, "signed out");
    // The browser's HTTP cache goes too. Not its storage: another person's
    // records not yet sent may be on this device; the app deletes the one
    // signing out's itself.
    Ok((
        jar.add(session::removal(&state)),
        [("clear-site-data", "\"cache\"")],
        StatusCode::NO_CONTENT,
    ))
}

async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Me>> {
    Ok(Json(me_for(&state, &user.person)?))
}

pub(crate) fn me_for(state: &AppState, id: &qalf_shared::org::PersonId) -> AppResult<Me> {
    let org = state.org();
    let person = org.person(id).ok_or(AppError::Unauthorized)?;
    Ok(Me {
        id: person.id.clone(),
        name: person.name.clone(),
        job_title: person.job_title.clone(),
        roles: person.roles.clone(),
        team: person
            .team
            .as_ref()
            .and_then(|t| org.team(t))
            .map(|t| t.name.clone()),
        service_area: person
            .service_area
            .as_ref()
            .and_then(|a| org.service_area(a))
            .map(|a| a.name.clone()),
        line_manager: person
            .line_manager
            .as_ref()
            .and_then(|m| org.person(m))
            .map(|m| m.name.clone()),
        direct_reports: org.direct_reports(id).count(),
    })
}
