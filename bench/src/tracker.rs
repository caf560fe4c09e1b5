//! Edit-to-visible latency bookkeeping, shared by every client of a scenario.
//!
//! The coordinator announces an edit ([`Tracker::expect`]) before the editing
//! client makes it: which document, its unique marker, and which clients must
//! see it. The editor stamps the time just before it applies the edit
//! ([`Tracker::sent`]). Each observer, whenever a frame from the relay changed
//! that document, looks for the markers it still waits for in the note's
//! body and reports the ones it finds ([`Tracker::seen`]) with the time the
//! frame had been merged. One sample per (edit, observer) pair; an edit is
//! settled when every observer has seen it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use qalf_shared::sync::DocumentId;
use tokio::sync::watch;

struct InFlight {
    edit: u64,
    marker: Arc<str>,
    /// When the editor applied it; `None` until then.
    sent: Option<Instant>,
    /// Clients that have not seen it yet.
    waiting: Vec<usize>,
    /// Warm-up edits are tracked but not sampled.
    measured: bool,
}

#[derive(Default)]
struct State {
    docs: HashMap<DocumentId, Vec<InFlight>>,
    samples: Vec<Duration>,
}

pub struct Tracker {
    state: Mutex<State>,
    /// Edits not yet seen by all their observers.
    open: watch::Sender<usize>,
}

impl Tracker {
    pub fn new() -> Arc<Tracker> {
        Arc::new(Tracker {
            state: Mutex::new(State::default()),
            open: watch::Sender::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An edit is about to be made; `observers` must each see it.
    pub fn expect(
        &self,
        doc: &DocumentId,
        edit: u64,
        marker: Arc<str>,
        observers: Vec<usize>,
        measured: bool,
    ) {
        if observers.is_empty() {
            return;
        }
        self.lock()
            .docs
            .entry(doc.clone())
            .or_default()
            .push(InFlight {
                edit,
                marker,
                sent: None,
                waiting: observers,
                measured,
            });
        self.open.send_modify(|n| *n += 1);
    }

    /// The editor is applying the edit now.
    pub fn sent(&self, doc: &DocumentId, edit: u64) {
        let now = Instant::now();
        if let Some(e) = self
            .lock()
            .docs
            .get_mut(doc)
            .and_then(|edits| edits.iter_mut().find(|e| e.edit == edit))
        {
            e.sent = Some(now);
        }
    }

    /// The markers of edits in `doc` that `observer` still waits for.
    pub fn awaited_by(&self, doc: &DocumentId, observer: usize) -> Vec<(u64, Arc<str>)> {
        self.lock()
            .docs
            .get(doc)
            .map(|edits| {
                edits
                    .iter()
                    .filter(|e| e.sent.is_some() && e.waiting.contains(&observer))
                    .map(|e| (e.edit, e.marker.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `observer` holds these edits of `doc` since `at`.
    pub fn seen(&self, doc: &DocumentId, observer: usize, edits: &[u64], at: Instant) {
        let mut settled = 0;
        {
            let mut state = self.lock();
            let State { docs, samples } = &mut *state;
            let Some(in_flight) = docs.get_mut(doc) else {
                return;
            };
            in_flight.retain_mut(|e| {
                if !edits.contains(&e.edit) {
                    return true;
                }
                let before = e.waiting.len();
                e.waiting.retain(|o| *o != observer);
                if e.waiting.len() < before
                    && e.measured
                    && let Some(sent) = e.sent
                {
                    samples.push(at.saturating_duration_since(sent));
                }
                if e.waiting.is_empty() {
                    settled += 1;
                    false
                } else {
                    true
                }
            });
            if in_flight.is_empty() {
                docs.remove(doc);
            }
        }
        if settled > 0 {
            self.open.send_modify(|n| *n -= settled);
        }
    }

    /// Waits until every announced edit has been seen by all its
    /// observers; false if `within` passes first.
    pub async fn settled(&self, within: Duration) -> bool {
        let mut open = self.open.subscribe();
        tokio::time::timeout(within, open.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Gives up on whatever is still in flight; returns how many (edit,
    /// observer) pairs of measured edits were never seen.
    pub fn abandon(&self) -> usize {
        let lost = self
            .lock()
            .docs
            .drain()
            .flat_map(|(_, edits)| edits)
            .filter(|e| e.measured)
            .map(|e| e.waiting.len())
            .sum();
        self.open.send_replace(0);
        lost
    }

    pub fn take_samples(&self) -> Vec<Duration> {
        std::mem::take(&mut self.lock().samples)
    }
}
