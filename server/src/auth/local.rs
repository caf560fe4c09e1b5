//! Local accounts: username and argon2 password hash, for the demo and small
//! deployments.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use qalf_shared::org::PersonId;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::{Db, DbError};

/// Hashes a password with argon2id and a random salt. Slow on purpose: call it
/// off the async runtime.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("encoding a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the username is unknown, so that a wrong
/// username takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// Sets a person's password under `username`. A username that is another
/// person's is never taken over: false, and nothing changes.
pub fn set_password(
    conn: &Connection,
    username: &str,
    person: &PersonId,
    password_hash: &str,
) -> Result<bool, DbError> {
    let changed = conn.execute(
        "INSERT INTO accounts (username, person_id, password_hash) VALUES (?1, ?2, ?3)
         ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash
         WHERE accounts.person_id = excluded.person_id",
        params![username, person.as_str(), password_hash],
    )?;
    Ok(changed == 1)
}

/// What a sign-in attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    Person(PersonId),
    WrongPassword,
    NoSuchAccount,
}

/// The person whose account this is, if the password is right and the person
/// is still active.
pub async fn authenticate(db: &Db, username: String, password: String) -> anyhow::Result<Checked> {
    let account: Option<(String, String)> = db
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT a.person_id, a.password_hash FROM accounts a
                     JOIN people p ON p.id = a.person_id
                     WHERE a.username = ?1 AND p.active = 1",
                    [&username],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await?;
    let checked = tokio::task::spawn_blocking(move || match account {
        Some((person, hash)) => match verify_password(&password, &hash) {
            true => PersonId::parse(person)
                .map(Checked::Person)
                .unwrap_or(Checked::NoSuchAccount),
            false => Checked::WrongPassword,
        },
        None => {
            verify_password(&password, decoy_hash());
            Checked::NoSuchAccount
        }
    })
    .await?;
    Ok(checked)
}

/// Notes a failed sign-in (R-SEC-5). An account that does not exist is not
/// written down as typed: people type passwords into the username box.
pub async fn record_failure(
    db: &Db,
    at: i64,
    account: Option<String>,
    client: std::net::IpAddr,
    outcome: &'static str,
) -> anyhow::Result<()> {
    let account = account.unwrap_or_else(|| "(no such account)".to_string());
    db.call(move |conn| {
        conn.execute(
            "INSERT INTO sign_in_events (at, account, client, outcome) VALUES (?1, ?2, ?3, ?4)",
            params![at, account, client.to_string(), outcome],
        )?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Whether an account of this name exists (for recording failures).
pub async fn account_exists(db: &Db, username: String) -> anyhow::Result<bool> {
    Ok(db
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT 1 FROM accounts WHERE username = ?1",
                    [&username],
                    |_| Ok(()),
                )
                .optional()?
                .is_some())
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse!", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
