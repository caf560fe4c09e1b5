//! R-REL-1: the crash loop. Writers (the app's own sync client over real
//! WebSockets) append to many notes through the real server binary; at a
//! random moment the server is killed (`kill -9`, no chance to flush) and
//! started again on the same data folder. After each restart a fresh
//! reader, which never wrote anything, opens every note: each change a
//! writer saw acknowledged ("synced") before the kill must be there, from
//! the server's own storage and nothing the writers kept. At the end two
//! readers in different sessions must read the same notes (convergence).
//!
//! `cargo xtask soak crash --cycles 1000` runs it long; the tests run 20
//! cycles (`bench/tests/crash.rs`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use qalf_shared::document::note;
use qalf_shared::sync::DocumentId;

use crate::peer::{Goal, Peer};
use crate::relay::{Kind, Paths, Relay};
use crate::tracker::Tracker;

/// How the loop is shaped.
#[derive(Debug, Clone)]
pub struct CrashPlan {
    pub cycles: usize,
    pub writers: usize,
    pub notes_per_writer: usize,
    pub seed: u64,
}

impl CrashPlan {
    pub fn new(cycles: usize) -> Self {
        CrashPlan {
            cycles,
            writers: 4,
            notes_per_writer: 3,
            seed: 0x0c4a_5e11,
        }
    }
}

/// What the loop found.
#[derive(Debug, Clone, Default)]
pub struct CrashReport {
    pub cycles: usize,
    /// Changes a writer saw acknowledged, over all cycles.
    pub acknowledged: usize,
    /// Acknowledged changes missing after a restart (must be 0).
    pub lost: usize,
    /// Notes two readers read differently at the end (must be 0).
    pub diverged: usize,
    /// From starting the killed server again to its serving, per cycle.
    pub restarts: Vec<Duration>,
}

impl CrashReport {
    pub fn restart_percentile(&self, p: f64) -> Duration {
        let mut sorted = self.restarts.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[at]
    }
}

impl std::fmt::Display for CrashReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "crash loop: {} cycles, {} acknowledged changes, {} lost, {} diverged; \
             time to serve after a restart p50 {:.2} s, p99 {:.2} s",
            self.cycles,
            self.acknowledged,
            self.lost,
            self.diverged,
            self.restart_percentile(0.5).as_secs_f64(),
            self.restart_percentile(0.99).as_secs_f64(),
        )
    }
}

/// A small seeded generator (splitmix64): the kill moments repeat run to
/// run; the server's own timing does not, which is the point.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn millis(&mut self, from: u64, to: u64) -> Duration {
        Duration::from_millis(from + self.next() % (to - from))
    }
}

const WAIT: Duration = Duration::from_secs(60);

/// A change a writer saw acknowledged: its marker, when it was made and
/// when the server confirmed holding it.
#[derive(Debug, Clone)]
pub struct Acked {
    pub marker: String,
    pub made: Instant,
    pub acked: Instant,
}

/// Changes each note has had acknowledged, shared with the writer tasks.
pub type Acknowledged = Arc<Mutex<BTreeMap<DocumentId, Vec<Acked>>>>;

pub async fn run(
    paths: &Paths,
    data_dir: &std::path::Path,
    plan: &CrashPlan,
) -> Result<CrashReport> {
    let mut dice = Dice(plan.seed);
    let mut relay = Relay::start(Kind::Ours, paths, data_dir, plan.writers).await?;
    let tracker = Tracker::new();
    let notes = make_notes(&mut relay, plan.writers, plan.notes_per_writer, &tracker).await?;
    let acknowledged: Acknowledged = Arc::default();
    let mut report = CrashReport::default();
    for cycle in 0..plan.cycles {
        // The writers connect afresh (a killed server took their sockets),
        // open their notes and append until the server dies.
        let mut writers = Vec::new();
        for (w, mine) in notes.iter().enumerate() {
            let peer = device(&mut relay, w, w, &tracker).await?;
            peer.request(mine.clone());
            tokio::time::timeout(WAIT, peer.wait(Goal::Ready(mine.clone())))
                .await
                .with_context(|| format!("cycle {cycle}: writer {w}'s notes did not open"))??;
            writers.push(tokio::spawn(write_until_gone(
                peer,
                mine.clone(),
                format!("c{cycle}w{w}"),
                acknowledged.clone(),
                Writing::default(),
            )));
        }
        tokio::time::sleep(dice.millis(50, 1_500)).await;
        relay.kill().await?;
        for writer in writers {
            let _ = writer.await;
        }
        relay = relay.start_again().await?;
        report.restarts.push(relay.time_to_serve);
        // A reader that never wrote: only the server's storage speaks.
        let acked = acknowledged.lock().expect("not poisoned").clone();
        let bodies = read_all(&mut relay, 0, &notes, &acked, tracker.clone()).await?;
        let lost = missing(&acked, &bodies);
        if lost > 0 {
            eprintln!("  cycle {cycle}: {lost} acknowledged changes missing");
        }
        report.lost += lost;
        report.cycles += 1;
    }
    report.acknowledged = acknowledged
        .lock()
        .expect("not poisoned")
        .values()
        .map(Vec::len)
        .sum();
    let acked = acknowledged.lock().expect("not poisoned").clone();
    let first = read_all(&mut relay, 0, &notes, &acked, tracker.clone()).await?;
    let second = read_all(&mut relay, plan.writers - 1, &notes, &acked, tracker).await?;
    report.diverged = diverged(&first, &second);
    relay.stop().await?;
    Ok(report)
}

/// Each writer's notes (`per_writer` each), registered with every writer as
/// a member, made and confirmed held by the server.
pub async fn make_notes(
    relay: &mut Relay,
    writers: usize,
    per_writer: usize,
    tracker: &Arc<Tracker>,
) -> Result<Vec<Vec<DocumentId>>> {
    let mut notes = Vec::new();
    for w in 0..writers {
        let peer = device(relay, w, w, tracker).await?;
        peer.wait(Goal::Online).await?;
        let mut mine = Vec::new();
        let mut docs = Vec::new();
        for n in 0..per_writer {
            let id = DocumentId::from_bytes(note_id(w, n));
            let members: Vec<usize> = (0..writers).collect();
            relay.register(&id, w, &members).await?;
            docs.push((
                id.clone(),
                note::new_note("Reliability", relay.person(w).as_str(), 0)?,
            ));
            mine.push(id);
        }
        peer.create(docs);
        tokio::time::timeout(WAIT, peer.wait(Goal::Synced(mine.clone())))
            .await
            .context("the first notes did not sync")??;
        peer.close().await;
        notes.push(mine);
    }
    Ok(notes)
}

/// Acknowledged changes a reader's bodies do not show.
pub fn missing(
    acked: &BTreeMap<DocumentId, Vec<Acked>>,
    bodies: &BTreeMap<DocumentId, String>,
) -> usize {
    acked
        .iter()
        .map(|(doc, changes)| {
            let body = bodies.get(doc).map(String::as_str).unwrap_or_default();
            changes
                .iter()
                .filter(|c| !body.contains(c.marker.as_str()))
                .count()
        })
        .sum()
}

/// Notes two readers read differently.
pub fn diverged(
    first: &BTreeMap<DocumentId, String>,
    second: &BTreeMap<DocumentId, String>,
) -> usize {
    first
        .iter()
        .filter(|(doc, body)| second.get(*doc) != Some(*body))
        .count()
}

/// A new device of `session`'s person, connected (`index` names it to the
/// tracker).
pub async fn device(
    relay: &mut Relay,
    session: usize,
    index: usize,
    tracker: &Arc<Tracker>,
) -> Result<Peer> {
    let peer_id = relay.new_peer(session);
    let url = relay.socket_url(session, &peer_id).await?;
    let author = relay.person(session).to_string();
    Peer::connect(&url, peer_id, author, index, tracker.clone()).await
}

fn note_id(writer: usize, n: usize) -> [u8; 16] {
    let mut id = [0xC5; 16];
    id[0] = writer as u8;
    id[1] = n as u8;
    id
}

/// How a writer goes on.
#[derive(Clone)]
pub struct Writing {
    /// How long it waits for an acknowledgement before it gives up on the
    /// connection.
    pub ack_within: Duration,
    /// Set to make it stop (after its current wait).
    pub stop: Arc<AtomicBool>,
}

impl Default for Writing {
    fn default() -> Self {
        Writing {
            ack_within: Duration::from_secs(10),
            stop: Arc::default(),
        }
    }
}

/// Appends markers to its notes, one change each; every few, waits for
/// the server to confirm it holds them all and only then counts them
/// acknowledged. Ends when the connection does (or it is told to stop);
/// returns how many changes it made that were never acknowledged.
pub async fn write_until_gone(
    peer: Peer,
    notes: Vec<DocumentId>,
    prefix: String,
    acknowledged: Acknowledged,
    writing: Writing,
) -> usize {
    let mut sent: BTreeMap<DocumentId, Vec<(String, Instant)>> = BTreeMap::new();
    for n in 0u64.. {
        let doc = &notes[n as usize % notes.len()];
        let marker = format!("[{prefix}e{n}]");
        peer.edit(doc.clone(), n, Arc::from(marker.as_str()));
        sent.entry(doc.clone())
            .or_default()
            .push((marker, Instant::now()));
        if n % 5 == 4 {
            match tokio::time::timeout(writing.ack_within, peer.wait(Goal::Synced(notes.clone())))
                .await
            {
                Ok(Ok(())) => {
                    let now = Instant::now();
                    let mut acked = acknowledged.lock().expect("not poisoned");
                    for (doc, markers) in std::mem::take(&mut sent) {
                        acked
                            .entry(doc)
                            .or_default()
                            .extend(markers.into_iter().map(|(marker, made)| Acked {
                                marker,
                                made,
                                acked: now,
                            }));
                    }
                }
                _ => break,
            }
            if writing.stop.load(Ordering::Relaxed) {
                break;
            }
        }
    }
    peer.close().await;
    sent.values().map(Vec::len).sum()
}

/// Every note's body as a fresh device of `session`'s person reads it,
/// once the acknowledged markers are all there or the relay has had a few
/// seconds to send them (the first answer may not carry everything).
pub async fn read_all(
    relay: &mut Relay,
    session: usize,
    notes: &[Vec<DocumentId>],
    expected: &BTreeMap<DocumentId, Vec<Acked>>,
    tracker: Arc<Tracker>,
) -> Result<BTreeMap<DocumentId, String>> {
    let all: Vec<DocumentId> = notes.iter().flatten().cloned().collect();
    let peer = device(relay, session, 99, &tracker).await?;
    peer.request(all.clone());
    tokio::time::timeout(WAIT, peer.wait(Goal::Ready(all.clone())))
        .await
        .context("a reader could not open the notes")??;
    let mut bodies = BTreeMap::new();
    for _ in 0..20 {
        bodies.clear();
        for doc in &all {
            let Some(body) = peer.body(doc).await else {
                bail!("a reader has no body for {doc}");
            };
            bodies.insert(doc.clone(), body);
        }
        if missing(expected, &bodies) == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    peer.close().await;
    Ok(bodies)
}
