use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::SecondsFormat;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot};

use super::anchor::{self, Checkpoint};
use super::seal::{Key, seal};
use super::{Command, Event, QUEUE};
use crate::db::{Db, DbError};

/// The most rows written in one transaction.
const BATCH: usize = 500;

/// The writer: one task, appending in order, in batches.
pub struct Writer {
    pub db: Db,
    pub key: Key,
    pub checkpoint: PathBuf,
    pub healthy: Arc<AtomicBool>,
}

/// The chain's head as this writer last left it, when it can vouch for
/// it: a head in the database that differs means rows were cut off or
/// rewritten behind the writer's back, and the checkpoint is then left
/// alone as the evidence.
#[derive(Clone)]
enum Head {
    Known(i64, Vec<u8>),
    /// Nothing written or checkpointed yet.
    Unknown,
    Contradicted,
}

impl Writer {
    pub async fn run(self, mut queue: mpsc::Receiver<Command>) {
        let mut head = match anchor::read(&self.checkpoint, &self.key) {
            Ok(Some(c)) => c
                .seal_bytes()
                .map_or(Head::Contradicted, |seal| Head::Known(c.seq, seal)),
            Ok(None) => Head::Unknown,
            Err(e) => {
                tracing::error!(error = %e, "the access log checkpoint cannot be trusted");
                Head::Contradicted
            }
        };
        // Changes and creations whose rows could not be written yet: kept,
        // up to the queue's size, and tried again with the next batch.
        let mut pending: Vec<Event> = Vec::new();
        while let Some(command) = queue.recv().await {
            let mut batch = std::mem::take(&mut pending);
            let mut durable: Vec<(std::ops::Range<usize>, oneshot::Sender<bool>)> = Vec::new();
            let mut flushed = Vec::new();
            let mut next = Some(command);
            while let Some(command) = next.take() {
                match command {
                    Command::Log(events, Some(done)) => {
                        let range = batch.len()..batch.len() + events.len();
                        batch.extend(events);
                        durable.push((range, done));
                    }
                    Command::Log(events, None) => batch.extend(events),
                    Command::Flush(done) => flushed.push(done),
                }
                if batch.len() < BATCH {
                    next = queue.try_recv().ok();
                }
            }
            if !batch.is_empty() {
                let (db, key, checkpoint, before) = (
                    self.db.clone(),
                    self.key.clone(),
                    self.checkpoint.clone(),
                    head.clone(),
                );
                let events = batch.clone();
                let appended = db
                    .call(move |conn| append(conn, &key, &events, &before, &checkpoint))
                    .await;
                match appended {
                    Ok(after) => {
                        head = after;
                        self.healthy.store(true, Ordering::Relaxed);
                        for (_, done) in durable {
                            let _told = done.send(true);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "writing the access log failed; reads are refused until it works");
                        self.healthy.store(false, Ordering::Relaxed);
                        // Reads were refused, so their rows are not wanted;
                        // the rest wait for the next try.
                        let mut keep = vec![true; batch.len()];
                        for (range, done) in durable {
                            keep[range].iter_mut().for_each(|k| *k = false);
                            let _told = done.send(false);
                        }
                        pending = batch
                            .into_iter()
                            .zip(keep)
                            .filter_map(|(event, keep)| keep.then_some(event))
                            .collect();
                        if pending.len() > QUEUE {
                            tracing::error!(
                                lost = pending.len() - QUEUE,
                                "access log rows dropped after repeated failures"
                            );
                            pending.truncate(QUEUE);
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
            for done in flushed {
                let _told = done.send(());
            }
        }
    }
}

fn fields(seq: i64, at: &str, e: &Event) -> [String; 7] {
    [
        seq.to_string(),
        at.to_string(),
        e.person.to_string(),
        e.subject.clone(),
        e.record_kind.clone(),
        e.action.code().to_string(),
        e.detail.clone(),
    ]
}

/// Appends `events` to the chain and moves the checkpoint to its new head
/// (unless the head found contradicts the one the writer left).
fn append(
    conn: &mut Connection,
    key: &Key,
    events: &[Event],
    before: &Head,
    checkpoint: &std::path::Path,
) -> Result<Head, DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, seal FROM access_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (mut seq, mut previous) = last.clone().unwrap_or((0, Vec::new()));
    let vouched = match before {
        Head::Known(s, seal) => last.as_ref() == Some(&(*s, seal.clone())),
        Head::Unknown => true,
        Head::Contradicted => false,
    };
    if !vouched && !matches!(before, Head::Contradicted) {
        tracing::error!(
            "the access log's newest rows differ from its checkpoint: rows were removed or rewritten"
        );
    }
    let mut newest_at = String::new();
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
                event.subject,
                event.record_kind,
                event.action.code(),
                event.detail,
                sealed
            ],
        )?;
        previous = sealed;
        newest_at = at;
    }
    tx.commit()?;
    if !vouched {
        return Ok(Head::Contradicted);
    }
    let written = Checkpoint::new(key, seq, &previous, newest_at);
    if let Err(e) = anchor::write(checkpoint, &written) {
        // The rows are on disk; the checkpoint lags behind them (which is
        // not mistaken for rows cut off) until the next write works.
        tracing::error!(error = %e, "writing the access log checkpoint failed");
        return Ok(Head::Unknown);
    }
    Ok(Head::Known(seq, previous))
}

// One definition of each, shared with the log page (`qalf_shared::api`).
pub use qalf_shared::api::{AccessLogEntry as Entry, CutShort, LogVerification as Verification};

pub fn verify(
    conn: &Connection,
    key: &Key,
    checkpoint: Option<&Checkpoint>,
) -> Result<Verification, DbError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, person, document, record_kind, action, detail, seal
         FROM access_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut previous = Vec::new();
    let mut expected_seq = 1;
    let mut count = 0;
    let mut first_broken = None;
    let mut at_checkpoint: Option<Vec<u8>> = None;
    while let Some(row) = rows.next()? {
        count += 1;
        let seq: i64 = row.get(0)?;
        let texts: Vec<String> = (1..7).map(|i| row.get(i)).collect::<Result<_, _>>()?;
        let stored: Vec<u8> = row.get(7)?;
        if checkpoint.is_some_and(|c| c.seq == seq) {
            at_checkpoint = Some(stored.clone());
        }
        if first_broken.is_some() {
            continue;
        }
        let mut fields = vec![seq.to_string()];
        fields.extend(texts);
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        if seq != expected_seq || seal(key, &previous, &refs) != stored {
            first_broken = Some(seq);
            continue;
        }
        previous = stored;
        expected_seq += 1;
    }
    let cut_short = checkpoint.and_then(|c| {
        (at_checkpoint.as_ref() != c.seal_bytes().as_ref()).then(|| CutShort {
            checkpoint: c.seq,
            at: c.at.clone(),
        })
    });
    Ok(Verification {
        rows: count,
        first_broken,
        checkpoint: checkpoint.map(|c| (c.seq, c.at.clone())),
        cut_short,
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
