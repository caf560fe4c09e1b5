//! Local accounts for councils without an identity provider (R-LIVE-5):
//! the administrator makes a person a one-time link (an invitation, or a
//! reset when they have forgotten their password), passes it on, and the
//! person chooses their own password with it (argon2id, as every local
//! password). A reset ends the person's sessions and old password at once.
//!
//! `GET /api/accounts` lists everyone on the staff list with how they sign
//! in; `POST /api/accounts/{person}/link` makes the link.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use qalf_shared::api::{AccountLink, AccountSummary, MakeAccountLink};
use qalf_shared::org::{PersonId, Role};
use rusqlite::OptionalExtension;

use super::{LINK_HOURS, account_event, new_token, store_link, token_hash, valid_username};
use crate::AppState;
use crate::auth::{CurrentUser, require_role, session};
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/accounts", get(list))
        .route("/api/accounts/{person}/link", post(make_link))
}

/// (person id, username) of each account.
type Usernames = Vec<(String, String)>;
/// (person id, expiry) of each unused link.
type Links = Vec<(String, i64)>;

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<AccountSummary>>> {
    require_role(&state, &user, Role::Administrator)?;
    let now = state.clock().now().timestamp();
    let (accounts, links): (Usernames, Links) = state
        .db()
        .call(move |conn| {
            let accounts = conn
                .prepare("SELECT person_id, username FROM accounts")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let links = conn
                .prepare(
                    "SELECT person_id, MAX(expires_at) FROM set_up_links
                     WHERE used_at IS NULL AND expires_at > ?1 GROUP BY person_id",
                )?
                .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok((accounts, links))
        })
        .await?;
    let accounts: std::collections::HashMap<_, _> = accounts.into_iter().collect();
    let links: std::collections::HashMap<_, _> = links.into_iter().collect();
    let org = state.org();
    let mut people: Vec<AccountSummary> = org
        .people()
        .map(|p| AccountSummary {
            person: p.id.clone(),
            name: p.name.clone(),
            job_title: p.job_title.clone(),
            username: accounts.get(p.id.as_str()).cloned(),
            link_expires_at: links.get(p.id.as_str()).copied(),
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(people))
}

/// The username a person is offered: what they asked for, else the part of
/// their work e-mail before the `@`, else their staff id.
fn username_for(asked: Option<&str>, email: Option<&str>, id: &PersonId) -> Option<String> {
    match asked {
        Some(asked) => valid_username(asked),
        None => email
            .and_then(|e| e.split('@').next())
            .and_then(valid_username)
            .or_else(|| valid_username(id.as_str())),
    }
}

async fn make_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(person): Path<String>,
    Json(ask): Json<MakeAccountLink>,
) -> AppResult<Json<AccountLink>> {
    require_role(&state, &user, Role::Administrator)?;
    let person = PersonId::parse(person).map_err(|_| AppError::NotFound)?;
    let org = state.org();
    let someone = org.person(&person).ok_or(AppError::NotFound)?;
    let username = username_for(ask.username.as_deref(), someone.email.as_deref(), &person)
        .ok_or_else(|| {
            AppError::BadRequest(
                "A username may only hold letters, digits, '.', '-' and '_' (up to 64).".into(),
            )
        })?;
    let token = new_token();
    let now = state.clock().now();
    let expires_at = now + chrono::Duration::hours(LINK_HOURS);
    let (who, name, hash) = (person.clone(), username.clone(), token_hash(&token));
    let outcome = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let owner: Option<String> = tx
                .query_row(
                    "SELECT person_id FROM accounts WHERE username = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .optional()?;
            if owner.is_some_and(|o| o != who.as_str()) {
                return Ok(None);
            }
            // A reset: the old password stops working now.
            let had_account =
                tx.execute("DELETE FROM accounts WHERE person_id = ?1", [who.as_str()])? > 0;
            store_link(&tx, &who, &name, &hash, now, expires_at)?;
            tx.commit()?;
            Ok(Some(had_account))
        })
        .await?;
    let Some(reset) = outcome else {
        return Err(AppError::BadRequest(format!(
            "The username {username} is someone else's: choose another."
        )));
    };
    if reset {
        session::end_all_for(&state, person.clone()).await?;
    }
    let detail = format!(
        "{} link issued by {}",
        if reset {
            "password reset"
        } else {
            "invitation"
        },
        user.person
    );
    state
        .log_events(vec![account_event(&state, &person, &detail)])
        .await?;
    tracing::info!(person = %person, by = %user.person, reset, "account link issued");
    Ok(Json(AccountLink {
        link: super::SetUpLink {
            person: person.clone(),
            username: username.clone(),
            token,
            expires_at,
        }
        .url(&state.config().public_url()),
        username,
        expires_at: expires_at.timestamp(),
        reset,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_comes_from_the_work_address_unless_one_is_asked_for() {
        let id = PersonId::parse("E1001").unwrap();
        assert_eq!(
            username_for(None, Some("Sam.Okafor@council.example"), &id).as_deref(),
            Some("sam.okafor")
        );
        assert_eq!(username_for(None, None, &id).as_deref(), Some("e1001"));
        assert_eq!(username_for(Some("sam o"), None, &id), None);
    }
}
