//! Server-side sessions behind an opaque cookie.
//!
//! The cookie holds 32 random bytes; the database holds only their SHA-256, so
//! a copy of the database cannot be used to sign in. A session ends after
//! the council's idle time without use or its longest session after
//! sign-in (both settings), and at sign-out, which removes it for every tab
//! and device using it.

use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qalf_shared::org::PersonId;
use rand::RngCore;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::SESSION_COOKIE;
use crate::AppState;

/// The hash of a session token: what the database keys sessions by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionKey(Vec<u8>);

impl SessionKey {
    pub fn of(token: &str) -> Self {
        SessionKey(Sha256::digest(token.as_bytes()).to_vec())
    }
}

/// Seconds between writes of `last_seen_at`, so that every request does not
/// write to the database.
const TOUCH_EVERY_SECS: i64 = 60;

/// Starts a session for `person`; returns the cookie to set. A person holds
/// at most `max_sessions_per_person` sessions: beyond it their oldest ends
/// (its sockets and tickets with it).
pub async fn start(state: &AppState, person: PersonId) -> anyhow::Result<Cookie<'static>> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let key = SessionKey::of(&token);
    let now = state.clock().now().timestamp();
    let keep = state.config().max_sessions_per_person.max(1) as i64;
    let ended: Vec<SessionKey> = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?3)",
                params![key.0, person.as_str(), now],
            )?;
            let oldest: Vec<Vec<u8>> = {
                let mut stmt = tx.prepare(
                    "SELECT token_hash FROM sessions WHERE person_id = ?1
                     ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?2",
                )?;
                stmt.query_map(params![person.as_str(), keep], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            for hash in &oldest {
                tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [hash])?;
            }
            tx.commit()?;
            Ok(oldest.into_iter().map(SessionKey).collect())
        })
        .await?;
    for session in ended {
        tracing::info!("a sign-in beyond the person's sessions ended their oldest");
        state.connections().close_session(&session);
        state.tickets().revoke_session(&session);
    }
    Ok(cookie(state, token))
}

fn cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config().tls)
        .path("/")
        .build()
}

/// A cookie that clears the session cookie in the browser.
pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut c = cookie(state, String::new());
    c.make_removal();
    c
}

/// Why a session was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Unknown,
    Expired,
    /// The person left the staff directory while signed in: their device
    /// is told to delete its copy of their records.
    Departed,
}

/// Looks up a live session, refreshing its idle timer; expired sessions are
/// deleted on sight.
pub async fn resume(
    state: &AppState,
    token: &str,
) -> anyhow::Result<Result<(SessionKey, PersonId), Rejected>> {
    let key = SessionKey::of(token);
    let now = state.clock().now();
    let (idle, max) = limits(state);
    let lookup_key = key.clone();
    let found = state
        .db()
        .call(move |conn| {
            let row: Option<(String, i64, i64)> = conn
                .query_row(
                    "SELECT person_id, created_at, last_seen_at FROM sessions WHERE token_hash = ?1",
                    [&lookup_key.0],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((person, created, last_seen)) = row else {
                let departed: Option<i64> = conn
                    .query_row(
                        "SELECT 1 FROM departed_sessions WHERE token_hash = ?1",
                        [&lookup_key.0],
                        |r| r.get(0),
                    )
                    .optional()?;
                return Ok(Err(if departed.is_some() {
                    Rejected::Departed
                } else {
                    Rejected::Unknown
                }));
            };
            let now = now.timestamp();
            if expired(created, last_seen, now, idle, max) {
                conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&lookup_key.0])?;
                return Ok(Err(Rejected::Expired));
            }
            if now - last_seen >= TOUCH_EVERY_SECS {
                conn.execute(
                    "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
                    params![lookup_key.0, now],
                )?;
            }
            Ok(Ok(person))
        })
        .await?;
    Ok(match found {
        Ok(person) => Ok((key, PersonId::parse(person)?)),
        Err(rejected) => Err(rejected),
    })
}

/// Ends one session: its sockets close and its tickets go at once.
pub async fn end(state: &AppState, key: SessionKey) -> anyhow::Result<()> {
    state.connections().close_session(&key);
    state.tickets().revoke_session(&key);
    state
        .db()
        .call(move |conn| {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&key.0])?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Closes a person's open sockets and withdraws their tickets, once their
/// sessions are gone from the database.
pub fn close_everything_of(state: &AppState, person: &PersonId) {
    state.connections().close_person(person);
    state.tickets().revoke_person(person);
}

/// Ends every session of a person (an account disabled, a password
/// changed), closing every socket and ticket of theirs.
pub async fn end_all_for(state: &AppState, person: PersonId) -> anyhow::Result<()> {
    close_everything_of(state, &person);
    state
        .db()
        .call(move |conn| {
            conn.execute(
                "DELETE FROM sessions WHERE person_id = ?1",
                [person.as_str()],
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// A session's idle and total lifetimes in seconds, from the council's
/// settings (a change applies to sessions already open).
fn limits(state: &AppState) -> (i64, i64) {
    let sessions = state.settings().sessions;
    (
        (sessions.idle_minutes * 60) as i64,
        (sessions.max_hours * 3600) as i64,
    )
}

/// Whether a session is still live (not signed out, not expired), without
/// counting the question as use.
pub async fn is_live(state: &AppState, key: &SessionKey) -> anyhow::Result<bool> {
    let now = state.clock().now().timestamp();
    let (idle, max) = limits(state);
    let key = key.clone();
    Ok(state
        .db()
        .call(move |conn| {
            let row: Option<(i64, i64)> = conn
                .query_row(
                    "SELECT created_at, last_seen_at FROM sessions WHERE token_hash = ?1",
                    [&key.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(
                row.is_some_and(|(created, last_seen)| {
                    !expired(created, last_seen, now, idle, max)
                }),
            )
        })
        .await?)
}

/// Notes use of a session that did not come over HTTP (changes sent over a
/// sync socket): typing in a record keeps a person signed in.
pub async fn touch(
    db: &crate::db::Db,
    clock: &dyn crate::clock::Clock,
    key: &SessionKey,
) -> anyhow::Result<()> {
    let now = clock.now().timestamp();
    let key = key.clone();
    db.call(move |conn| {
        conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2",
            params![key.0, now],
        )?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Closes the sockets of sessions that have expired, every
/// `session_check_seconds`, until the server stops.
pub(crate) async fn close_expired(state: std::sync::Weak<crate::Inner>) {
    loop {
        let every = match state.upgrade() {
            Some(inner) => {
                std::time::Duration::from_secs(inner.config.session_check_seconds.max(1))
            }
            None => return,
        };
        tokio::time::sleep(every).await;
        let Some(inner) = state.upgrade() else { return };
        let state = AppState { inner };
        for session in state.connections().sessions() {
            match is_live(&state, &session).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!("a sync connection's session expired; closing it");
                    state.connections().close_session(&session);
                    state.tickets().revoke_session(&session);
                }
                Err(e) => tracing::error!(error = %e, "checking a session failed"),
            }
        }
    }
}

/// A session expires after `idle` seconds without use or `max` seconds after
/// it started, whichever comes first.
fn expired(created: i64, last_seen: i64, now: i64, idle: i64, max: i64) -> bool {
    now - last_seen > idle || now - created > max
}

#[cfg(test)]
mod tests {
    use super::expired;

    #[test]
    fn a_session_expires_when_idle_too_long() {
        assert!(!expired(0, 100, 160, 60, 1000));
        assert!(expired(0, 100, 161, 60, 1000));
    }

    #[test]
    fn a_busy_session_still_expires_at_its_maximum_age() {
        assert!(!expired(0, 999, 1000, 60, 1000));
        assert!(expired(0, 1000, 1001, 60, 1000));
    }
}
