//! A real instance's first start (R-LIVE-1): nothing exists but one
//! administrator, who sets their own password through a one-time link
//! printed once. Demo instances never come here: their people are made by
//! the demo seed, in a folder marked as a demo's.
//!
//! The link carries its token after `#`, so it never reaches a server log
//! or a proxy; only a SHA-256 of it is stored, and it works once, for
//! [`LINK_HOURS`] hours.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use qalf_shared::api::Me;
use qalf_shared::org::{Organisation, OrganisationParts, Person, PersonId, Role};
use rand::RngCore;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use sha2::{Digest, Sha256};

mod invitations;

use crate::AppState;
use crate::access_log::{Action, Event};
use crate::auth::{local, session};
use crate::error::{AppError, AppResult};

/// How long a set-up link works.
pub const LINK_HOURS: i64 = 72;
/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 256;

/// The administrator's person id on a real instance.
const ADMINISTRATOR: &str = "administrator";

/// A link issued: shown once to whoever started the instance.
#[derive(Debug, Clone)]
pub struct SetUpLink {
    pub person: PersonId,
    pub username: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl SetUpLink {
    /// The link to open, on the instance's address.
    pub fn url(&self, base: &str) -> String {
        format!("{}/set-up#{}", base.trim_end_matches('/'), self.token)
    }
}

/// Who the first administrator is.
#[derive(Debug, Clone)]
pub struct NewAdministrator {
    pub name: String,
    pub username: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SetUpError {
    #[error("a demonstration has its own people; set up a real instance in its own data folder")]
    Demo,
    #[error("this instance already has accounts; an administrator manages them from the app")]
    AlreadySetUp,
    #[error("the username may only hold letters, digits, '.', '-' and '_' (up to 64)")]
    BadUsername,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Makes the first administrator of a real instance (or, while they have
/// not set their password, a new link for them: earlier links stop
/// working) and returns the link. Refused once anyone has an account.
pub async fn first_administrator(
    state: &AppState,
    admin: NewAdministrator,
) -> Result<SetUpLink, SetUpError> {
    if state.config().demo {
        return Err(SetUpError::Demo);
    }
    let username = valid_username(&admin.username).ok_or(SetUpError::BadUsername)?;
    let person = PersonId::parse(ADMINISTRATOR).map_err(anyhow::Error::from)?;
    let mut org = state.org();
    if org.person(&person).is_none() {
        let mut parts = OrganisationParts::from((*org).clone());
        parts.people.push(Person {
            id: person.clone(),
            name: admin.name.trim().to_string(),
            job_title: "Administrator".into(),
            roles: vec![Role::Administrator],
            team: None,
            service_area: None,
            line_manager: None,
            started_on: None,
            in_post_since: None,
            email: None,
        });
        org = std::sync::Arc::new(Organisation::new(parts).map_err(anyhow::Error::from)?);
    }
    let token = new_token();
    let now = state.clock().now();
    let expires_at = now + chrono::Duration::hours(LINK_HOURS);
    let (stored_org, who, name, hash) = (
        (*org).clone(),
        person.clone(),
        username.clone(),
        token_hash(&token),
    );
    let already = state
        .db()
        .call(move |conn| {
            if accounts(conn)? > 0 {
                return Ok(true);
            }
            crate::directory::replace(conn, &stored_org)?;
            let tx = conn.transaction()?;
            store_link(&tx, &who, &name, &hash, now, expires_at)?;
            tx.commit()?;
            Ok(false)
        })
        .await
        .map_err(anyhow::Error::from)?;
    if already {
        return Err(SetUpError::AlreadySetUp);
    }
    state.access().set_org((*org).clone());
    state
        .log_events(vec![account_event(
            state,
            &person,
            "set-up link issued for the first administrator",
        )])
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(SetUpLink {
        person,
        username,
        token,
        expires_at,
    })
}

/// A username as stored (lower case), if it is one: letters, digits, '.',
/// '-' and '_', up to 64.
pub(crate) fn valid_username(typed: &str) -> Option<String> {
    let username = typed.trim().to_lowercase();
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    valid.then_some(username)
}

/// Whether anyone can sign in yet.
pub async fn has_accounts(state: &AppState) -> anyhow::Result<bool> {
    Ok(state.db().call(|conn| Ok(accounts(conn)? > 0)).await?)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/set-up", post(set_password))
        .merge(invitations::router())
}

#[derive(Deserialize)]
struct SetPassword {
    token: String,
    password: String,
}

/// `POST /api/set-up`: the person behind a set-up link chooses their
/// password; the link is spent and they are signed in.
async fn set_password(
    State(state): State<AppState>,
    jar: CookieJar,
    Json(body): Json<SetPassword>,
) -> AppResult<(CookieJar, Json<Me>)> {
    let chars = body.password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::BadRequest(format!(
            "Choose a password of at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    if chars > MAX_PASSWORD_CHARS || body.token.len() > 100 {
        return Err(AppError::BadRequest("That password is too long.".into()));
    }
    let Some(slot) = state.sign_in_attempts().hash_slot().await else {
        return Err(AppError::Busy);
    };
    let password = body.password;
    let hash = tokio::task::spawn_blocking(move || local::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    drop(slot);
    let (token, now) = (token_hash(&body.token), state.clock().now().timestamp());
    let person = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let link: Option<(String, String)> = tx
                .query_row(
                    "SELECT person_id, username FROM set_up_links
                     WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                    params![token, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((person, username)) = link else {
                return Ok(None);
            };
            let person = PersonId::parse(person).map_err(|e| {
                crate::db::DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                ))
            })?;
            if !local::set_password(&tx, &username, &person, &hash)? {
                // The username became someone else's after the link was
                // made: the link cannot take their account.
                return Ok(None);
            }
            tx.execute(
                "UPDATE set_up_links SET used_at = ?2 WHERE token_hash = ?1",
                params![token, now],
            )?;
            tx.commit()?;
            Ok(Some(person))
        })
        .await?;
    let Some(person) = person else {
        return Err(AppError::BadRequest(
            "This set-up link has been used or has expired. Ask whoever runs QALF for a new one."
                .into(),
        ));
    };
    state
        .log_events(vec![account_event(
            &state,
            &person,
            "password set with a set-up link",
        )])
        .await?;
    tracing::info!(person = %person, "a password was set with a set-up link");
    let me = crate::auth::me_for(&state, &person)?;
    let cookie = session::start(&state, person).await?;
    Ok((jar.add(cookie), Json(me)))
}

/// How many accounts anyone can sign in with.
fn accounts(conn: &rusqlite::Connection) -> Result<i64, crate::db::DbError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))?)
}

/// Stores a link (its token's hash) for `person`; one link at a time, so
/// a new one ends the earlier ones.
pub(crate) fn store_link(
    tx: &rusqlite::Transaction<'_>,
    person: &PersonId,
    username: &str,
    hash: &[u8],
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), crate::db::DbError> {
    tx.execute(
        "DELETE FROM set_up_links WHERE person_id = ?1 AND used_at IS NULL",
        [person.as_str()],
    )?;
    tx.execute(
        "INSERT INTO set_up_links (token_hash, person_id, username, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            hash,
            person.as_str(),
            username,
            now.timestamp(),
            expires_at.timestamp()
        ],
    )?;
    Ok(())
}

/// A link's secret: 32 random bytes, URL-safe.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(crate) fn account_event(state: &AppState, person: &PersonId, detail: &str) -> Event {
    Event {
        at: state.clock().now(),
        person: person.clone(),
        subject: format!("account:{person}"),
        record_kind: "account".into(),
        action: Action::Access,
        detail: detail.into(),
    }
}
