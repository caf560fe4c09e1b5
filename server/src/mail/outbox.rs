//! The outbox: every e-mail QALF owes someone, written in the same
//! transaction as the notification it comes from, and kept until the mail
//! server has taken it. Nothing leaves this table except by being sent.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use qalf_shared::notify::{DIGEST_HOUR, Delivery};
use qalf_shared::org::PersonId;
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::DbError;

/// Waits between attempts after a failure: 30 s, doubling, at most an hour.
pub fn backoff(attempts: u32) -> Duration {
    let seconds = 30i64.saturating_mul(1 << attempts.min(7));
    Duration::seconds(seconds.min(3600))
}

/// The next summary time after `at`.
pub fn next_digest(at: DateTime<Utc>) -> DateTime<Utc> {
    let today = at
        .date_naive()
        .and_time(NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).expect("a valid hour"))
        .and_utc();
    if today > at {
        today
    } else {
        today + Duration::days(1)
    }
}

/// How a person wants their e-mail.
pub fn delivery(conn: &Connection, person: &PersonId) -> Result<Delivery, DbError> {
    let code: Option<String> = conn
        .query_row(
            "SELECT delivery FROM mail_preferences WHERE person_id = ?1",
            [person.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(code
        .as_deref()
        .and_then(Delivery::from_code)
        .unwrap_or_default())
}

pub fn set_delivery(
    conn: &Connection,
    person: &PersonId,
    delivery: Delivery,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO mail_preferences (person_id, delivery) VALUES (?1, ?2)
         ON CONFLICT(person_id) DO UPDATE SET delivery = excluded.delivery",
        params![person.as_str(), delivery.code()],
    )?;
    Ok(())
}

/// Queues the e-mail for a notification, if the person has a work address:
/// at once, or held for their morning summary.
pub fn enqueue(
    conn: &Connection,
    person: &PersonId,
    kind: &str,
    path: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let address: Option<String> = conn
        .query_row(
            "SELECT email FROM people WHERE id = ?1 AND active = 1",
            [person.as_str()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(address) = address else {
        return Ok(());
    };
    let (digest, when) = match delivery(conn, person)? {
        Delivery::Immediate => (false, at),
        Delivery::DailyDigest => (true, next_digest(at)),
    };
    conn.execute(
        "INSERT INTO mail_outbox (person_id, address, kind, path, digest, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            person.as_str(),
            address,
            kind,
            path,
            digest,
            at.timestamp(),
            when.timestamp()
        ],
    )?;
    Ok(())
}

/// An e-mail waiting.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub person: String,
    pub address: String,
    pub kind: String,
    pub path: String,
    pub digest: bool,
    pub attempts: u32,
}

/// E-mails due now, oldest first: up to `limit` single ones, and every due
/// item of the summaries due (a summary is never split across passes).
pub fn due(conn: &Connection, now: i64, limit: usize) -> Result<Vec<Queued>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT id, person_id, address, kind, path, digest, attempts FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= ?1 AND digest = 0 ORDER BY id LIMIT ?2",
    )?;
    let mut rows = read_queued(&mut stmt, params![now, limit as i64])?;
    let mut stmt = conn.prepare(
        "SELECT id, person_id, address, kind, path, digest, attempts FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= ?1 AND digest = 1
           AND person_id IN (
             SELECT DISTINCT person_id FROM mail_outbox
             WHERE sent_at IS NULL AND next_attempt_at <= ?1 AND digest = 1
             ORDER BY person_id LIMIT ?2)
         ORDER BY id",
    )?;
    rows.extend(read_queued(&mut stmt, params![now, limit as i64])?);
    Ok(rows)
}

fn read_queued(
    stmt: &mut rusqlite::Statement<'_>,
    args: impl rusqlite::Params,
) -> Result<Vec<Queued>, DbError> {
    let rows = stmt
        .query_map(args, |r| {
            Ok(Queued {
                id: r.get(0)?,
                person: r.get(1)?,
                address: r.get(2)?,
                kind: r.get(3)?,
                path: r.get(4)?,
                digest: r.get(5)?,
                attempts: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn mark_sent(conn: &mut Connection, ids: &[i64], at: i64) -> Result<(), DbError> {
    let tx = conn.transaction()?;
    for id in ids {
        tx.execute(
            "UPDATE mail_outbox SET sent_at = ?2, last_error = NULL WHERE id = ?1",
            params![id, at],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Notes a failed attempt; the e-mail is tried again after its backoff.
pub fn mark_failed(
    conn: &mut Connection,
    ids: &[i64],
    attempts: u32,
    now: DateTime<Utc>,
    error: &str,
) -> Result<(), DbError> {
    let next = (now + backoff(attempts)).timestamp();
    let tx = conn.transaction()?;
    for id in ids {
        tx.execute(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
             WHERE id = ?1",
            params![id, next, error],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// How many e-mails are waiting, and the oldest's age in seconds.
pub fn waiting(conn: &Connection, now: i64) -> Result<(i64, Option<i64>), DbError> {
    Ok(conn.query_row(
        "SELECT COUNT(*), MIN(created_at) FROM mail_outbox WHERE sent_at IS NULL AND digest = 0",
        [],
        |r| Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.map(|t| now - t))),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn r_live_6_retries_back_off_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(20), Duration::seconds(3600));
    }

    #[test]
    fn r_live_6_the_summary_goes_the_next_morning() {
        let evening = Utc.with_ymd_and_hms(2026, 12, 4, 18, 0, 0).unwrap();
        assert_eq!(
            next_digest(evening),
            Utc.with_ymd_and_hms(2026, 12, 5, 7, 0, 0).unwrap()
        );
        let early = Utc.with_ymd_and_hms(2026, 12, 5, 6, 0, 0).unwrap();
        assert_eq!(
            next_digest(early),
            Utc.with_ymd_and_hms(2026, 12, 5, 7, 0, 0).unwrap()
        );
    }
}
