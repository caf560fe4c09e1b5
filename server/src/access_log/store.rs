use chrono::SecondsFormat;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use tokio::sync::mpsc;

use super::seal::{Key, seal};
use super::{Command, Event};
use crate::db::{Db, DbError};

/// The most rows written in one transaction.
const BATCH: usize = 500;

pub async fn run_writer(db: Db, key: Key, mut queue: mpsc::UnboundedReceiver<Command>) {
    let mut batch = Vec::new();
    let mut waiting = Vec::new();
    while let Some(command) = queue.recv().await {
        let mut next = Some(command);
        while let Some(command) = next.take() {
            match command {
                Command::Log(event) => batch.push(event),
                Command::Flush(done) => waiting.push(done),
            }
            if batch.len() < BATCH {
                next = queue.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let events = std::mem::take(&mut batch);
            let key = key.clone();
            if let Err(e) = db.call(move |conn| append(conn, &key, &events)).await {
                tracing::error!(error = %e, "writing the access log failed");
            }
        }
        for done in waiting.drain(..) {
            let _told = done.send(());
        }
    }
}

fn fields(seq: i64, at: &str, e: &Event) -> [String; 7] {
    [
        seq.to_string(),
        at.to_string(),
        e.person.to_string(),
        e.document.to_string(),
        e.record_kind.clone(),
        e.action.code().to_string(),
        e.detail.clone(),
    ]
}

fn append(conn: &mut Connection, key: &Key, events: &[Event]) -> Result<(), DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, seal FROM access_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (mut seq, mut previous) = last.unwrap_or((0, Vec::new()));
    for event in events {
        seq += 1;
        let at = event.at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let row = fields(seq, &at, event);
        let refs: Vec<&str> = row.iter().map(String::as_str).collect();
        let sealed = seal(key, &previous, &refs);
        tx.execute(
            "INSERT INTO access_log (seq, at, person, document, record_kind, action, detail, seal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                seq,
                at,
                event.person.as_str(),
                event.document.to_string(),
                event.record_kind,
                event.action.code(),
                event.detail,
                sealed
            ],
        )?;
        previous = sealed;
    }
    tx.commit()?;
    Ok(())
}

/// One row, as the log page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub person: String,
    pub document: String,
    pub record_kind: String,
    pub action: String,
    pub detail: String,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Verification {
    pub rows: i64,
    /// The first row whose seal does not match (edited, or after a gap).
    pub first_broken: Option<i64>,
}

pub fn verify(conn: &mut Connection, key: &Key) -> Result<Verification, DbError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, person, document, record_kind, action, detail, seal
         FROM access_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut previous = Vec::new();
    let mut expected_seq = 1;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        count += 1;
        let seq: i64 = row.get(0)?;
        let texts: Vec<String> = (1..7).map(|i| row.get(i)).collect::<Result<_, _>>()?;
        let stored: Vec<u8> = row.get(7)?;
        let mut fields = vec![seq.to_string()];
        fields.extend(texts);
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        if seq != expected_seq || seal(key, &previous, &refs) != stored {
            return Ok(Verification {
                rows: count,
                first_broken: Some(seq),
            });
        }
        previous = stored;
        expected_seq += 1;
    }
    Ok(Verification {
        rows: count,
        first_broken: None,
    })
}

/// What to search for.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Search {
    pub person: Option<String>,
    pub document: Option<String>,
    /// RFC 3339 or a date (inclusive), UTC.
    pub from: Option<String>,
    pub to: Option<String>,
    pub action: Option<String>,
    pub limit: Option<u32>,
}

pub fn search(conn: &mut Connection, search: &Search) -> Result<Vec<Entry>, DbError> {
    let limit = search.limit.unwrap_or(200).min(1000);
    // A bare date as `to` means the whole of that day.
    let to = search.to.as_ref().map(|t| {
        if t.len() == 10 {
            format!("{t}T23:59:59.999Z")
        } else {
            t.clone()
        }
    });
    let mut stmt = conn.prepare(
        "SELECT seq, at, person, document, record_kind, action, detail FROM access_log
         WHERE (?1 IS NULL OR person = ?1)
           AND (?2 IS NULL OR document = ?2)
           AND (?3 IS NULL OR at >= ?3)
           AND (?4 IS NULL OR at <= ?4)
           AND (?5 IS NULL OR action = ?5)
         ORDER BY seq DESC LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            search.person.as_deref().filter(|s| !s.is_empty()),
            search.document.as_deref().filter(|s| !s.is_empty()),
            search.from.as_deref().filter(|s| !s.is_empty()),
            to.as_deref().filter(|s| !s.is_empty()),
            search.action.as_deref().filter(|s| !s.is_empty()),
            limit
        ],
        |r| {
            Ok(Entry {
                seq: r.get(0)?,
                at: r.get(1)?,
                person: r.get(2)?,
                document: r.get(3)?,
                record_kind: r.get(4)?,
                action: r.get(5)?,
                detail: r.get(6)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
