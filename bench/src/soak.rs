//! The load soak (R-REL-6): many sockets editing many documents at a steady
//! rate for a long time, against one relay, with the figures taken as it
//! runs.
//!
//! The load is the one Hocuspocus publishes for its server: 1,000 sockets,
//! 300 documents, 350 edits a second. Socket `c` holds document `c % 300`
//! (three or four holders each, the first creates it) and is a device of
//! person `c % people` (ours caps the sockets one person may open). Edits
//! follow an open-loop schedule (an edit is due at `start + k / rate`
//! whether or not earlier ones have arrived), each by a random holder of a
//! random document, and append a unique marker; edit-to-visible is the time
//! from the editor applying it to another holder merging a frame that shows
//! it (the [`Tracker`] of the sync benchmark).
//!
//! Every `window` the soak reads the relay's memory (`VmRSS`) and CPU time
//! and the latencies of that window. The first windows are warm-up: their
//! latencies are not counted and the memory at their end is the baseline
//! that "flat" is measured against. At the end: an edit not seen by every
//! other holder within 30 s of the last edit is lost; every holder's note must show every
//! marker; a socket the relay dropped is an error (the load generator does
//! not reconnect, so a drop is never hidden).

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use qalf_shared::sync::DocumentId;

use crate::peer::{Goal, Peer};
use crate::relay::{Relay, process_cpu};
use crate::scenarios::{self, Rng, percentile};
use crate::tracker::Tracker;

/// How long after the last edit an unseen edit counts as lost.
const LOST_AFTER: Duration = Duration::from_secs(30);
/// Sockets one person may open on our relay during the soak (20 by
/// default: a person's tabs and devices).
pub const SOCKETS_PER_PERSON: usize = 64;
/// How long a socket may take to say it is still there at the end.
const ALIVE_WITHIN: Duration = Duration::from_secs(10);

/// The shape and length of a soak.
#[derive(Debug, Clone)]
pub struct SoakPlan {
    pub sockets: usize,
    pub documents: usize,
    /// Edits per second, all sockets together.
    pub rate: f64,
    /// How long edits are made, warm-up included.
    pub duration: Duration,
    /// How often figures are taken.
    pub window: Duration,
    /// The first part of `duration`, not counted.
    pub warmup: Duration,
    pub seed: u64,
}

impl SoakPlan {
    /// The published load for `minutes` minutes, a figure every ten
    /// seconds (every minute past ten minutes), the first minute (a tenth
    /// of a short run) as warm-up.
    pub fn hocuspocus(minutes: f64) -> SoakPlan {
        let duration = Duration::from_secs_f64(minutes * 60.0);
        let window = if minutes > 10.0 {
            Duration::from_secs(60)
        } else {
            Duration::from_secs(10)
        };
        SoakPlan {
            sockets: 1000,
            documents: 300,
            rate: 350.0,
            duration,
            window,
            // Whole windows (at least one, so memory has a baseline): a
            // minute, or a tenth of a short run.
            warmup: window.mul_f64(
                (Duration::from_secs(60).min(duration / 10).as_secs_f64() / window.as_secs_f64())
                    .ceil()
                    .max(1.0),
            ),
            seed: 0x50a6_10ad,
        }
    }

    /// People the sockets are spread over. The load generator signs them
    /// all in from one address, which our relay throttles (30 sign-ins a
    /// minute), so ours runs with [`SOCKETS_PER_PERSON`] and the sockets
    /// share 17 people for 1,000 sockets.
    pub fn people(&self) -> usize {
        self.sockets.div_ceil(SOCKETS_PER_PERSON - 4).max(1)
    }

    /// What our server needs set to take this load from few people.
    pub fn server_env(&self) -> Vec<(String, String)> {
        vec![
            // The soak needs people, not a year of demo records.
            ("QALF_DEMO_HISTORY_MONTHS".into(), "0".into()),
            (
                "QALF_MAX_SOCKETS_PER_PERSON".into(),
                SOCKETS_PER_PERSON.to_string(),
            ),
        ]
    }

    fn holders(&self) -> Vec<Vec<usize>> {
        (0..self.documents)
            .map(|d| (d..self.sockets).step_by(self.documents).collect())
            .collect()
    }
}

/// The figures of one window.
#[derive(Debug, Clone)]
pub struct Window {
    /// From the first edit to the end of the window.
    pub at: Duration,
    pub warmup: bool,
    pub edits: usize,
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    pub max: Option<Duration>,
    /// Relay memory at the end of the window.
    pub rss: u64,
    /// How long the window lasted (the last may be short).
    pub span: Duration,
    /// Relay CPU time over the window.
    pub cpu: Duration,
    /// The load generator's own CPU time over the window (it shares the
    /// machine: near two cores together, the figures are the machine's).
    pub load_cpu: Duration,
}

/// What a soak found.
#[derive(Debug, Clone)]
pub struct SoakReport {
    pub relay: &'static str,
    pub plan: SoakPlan,
    pub windows: Vec<Window>,
    /// Counted (after warm-up) edit-to-visible samples, sorted.
    pub samples: Vec<Duration>,
    /// Edits made after warm-up.
    pub edits: usize,
    /// The rate edits were actually made at after warm-up (the load
    /// generator can fall behind its schedule on a busy machine).
    pub achieved_rate: f64,
    /// (edit, holder) pairs never seen within 30 s of the last edit.
    pub lost: usize,
    /// Markers missing from some holder's note at the end.
    pub missing: usize,
    /// Sockets the relay dropped.
    pub dropped: usize,
    /// Relay CPU time per counted edit.
    pub cpu_per_edit: Duration,
    /// Relay memory at the end of the warm-up.
    pub rss_after_warmup: u64,
    pub rss_end: u64,
    pub rss_max: u64,
}

impl SoakReport {
    pub fn errors(&self) -> usize {
        self.lost + self.missing + self.dropped
    }

    pub fn percentile(&self, q: f64) -> Option<Duration> {
        percentile(&self.samples, q)
    }

    /// Memory growth over the second half of the run, as a fraction (the
    /// documents keep growing with every edit, so some growth is theirs).
    pub fn rss_growth_second_half(&self) -> f64 {
        let half = self.plan.duration / 2;
        let Some(mid) = self.windows.iter().find(|w| w.at >= half) else {
            return 0.0;
        };
        (self.rss_end as f64 - mid.rss as f64) / (mid.rss as f64).max(1.0)
    }

    /// Memory growth from the end of the warm-up to the end, as a fraction.
    pub fn rss_growth(&self) -> f64 {
        if self.rss_after_warmup == 0 {
            return 0.0;
        }
        (self.rss_end as f64 - self.rss_after_warmup as f64) / self.rss_after_warmup as f64
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".into(), |d| format!("{:.1}", d.as_secs_f64() * 1e3))
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.plan;
        writeln!(
            f,
            "{} relay: {} sockets, {} documents, {} edits/s for {:.1} min ({:.0} s warm-up)",
            self.relay,
            p.sockets,
            p.documents,
            p.rate,
            p.duration.as_secs_f64() / 60.0,
            p.warmup.as_secs_f64()
        )?;
        writeln!(
            f,
            "  {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8}",
            "at (s)", "edits", "p50 ms", "p99 ms", "max ms", "RSS MiB", "CPU %", "load %"
        )?;
        for w in &self.windows {
            let span = w.span.as_secs_f64().max(1e-9);
            writeln!(
                f,
                "  {:>8.0} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8.0} {:>8.0}{}",
                w.at.as_secs_f64(),
                w.edits,
                ms(w.p50),
                ms(w.p99),
                ms(w.max),
                mib(w.rss),
                w.cpu.as_secs_f64() / span * 100.0,
                w.load_cpu.as_secs_f64() / span * 100.0,
                if w.warmup { "  (warm-up)" } else { "" }
            )?;
        }
        writeln!(
            f,
            "  edit-to-visible after warm-up: p50 {} ms, p99 {} ms, max {} ms over {} samples",
            ms(self.percentile(0.5)),
            ms(self.percentile(0.99)),
            ms(self.samples.last().copied()),
            self.samples.len()
        )?;
        writeln!(
            f,
            "  edits {} at {:.1}/s; errors {} (lost {}, missing {}, sockets dropped {}); \
             relay CPU {:.0} µs per edit",
            self.edits,
            self.achieved_rate,
            self.errors(),
            self.lost,
            self.missing,
            self.dropped,
            self.cpu_per_edit.as_secs_f64() * 1e6
        )?;
        write!(
            f,
            "  relay RSS {} MiB after warm-up, {} MiB at the end ({:+.1}%; {:+.1}% over the \
             second half), {} MiB at most",
            mib(self.rss_after_warmup),
            mib(self.rss_end),
            self.rss_growth() * 100.0,
            self.rss_growth_second_half() * 100.0,
            mib(self.rss_max)
        )
    }
}

/// Runs the soak against `relay` (started with at least
/// [`SoakPlan::people`] sessions).
pub async fn run(relay: &mut Relay, plan: &SoakPlan) -> Result<SoakReport> {
    let tracker = Tracker::new();
    let people = relay.people();
    eprintln!(
        "  {} relay: connecting {} sockets…",
        relay.kind.label(),
        plan.sockets
    );
    let (peers, _) =
        scenarios::connect(relay, plan.sockets, |c| c % people, &tracker, |_| Ok(())).await?;
    let result = soak(relay, plan, &tracker, &peers).await;
    scenarios::close(peers).await;
    result
}

/// The figures as the soak goes, window by window.
struct Taking<'a> {
    relay: &'a Relay,
    tracker: &'a Tracker,
    plan: &'a SoakPlan,
    windows: Vec<Window>,
    samples: Vec<Duration>,
    counted_edits: usize,
    counted_cpu: Duration,
    rss_after_warmup: u64,
    cpu_mark: Duration,
    load_cpu_mark: Duration,
    /// When the previous window closed (or the edits began).
    last_close: Instant,
    /// Edits made in the window being taken.
    edits: usize,
}

impl Taking<'_> {
    /// Closes the window ending `at` after the first edit.
    fn close(&mut self, at: Duration) -> Result<()> {
        let warmup = at <= self.plan.warmup;
        let cpu_now = self.relay.cpu()?;
        let cpu = cpu_now.saturating_sub(self.cpu_mark);
        self.cpu_mark = cpu_now;
        let load_now = process_cpu(std::process::id())?;
        let load_cpu = load_now.saturating_sub(self.load_cpu_mark);
        self.load_cpu_mark = load_now;
        let rss = self.relay.rss()?;
        let now = Instant::now();
        let span = now.duration_since(self.last_close);
        self.last_close = now;
        let mut taken = self.tracker.take_samples();
        taken.sort();
        if warmup {
            self.rss_after_warmup = rss;
        } else {
            self.counted_edits += self.edits;
            self.counted_cpu += cpu;
            self.samples.extend_from_slice(&taken);
        }
        let window = Window {
            at,
            warmup,
            edits: std::mem::take(&mut self.edits),
            p50: percentile(&taken, 0.5),
            p99: percentile(&taken, 0.99),
            max: taken.last().copied(),
            rss,
            span,
            cpu,
            load_cpu,
        };
        let span = span.as_secs_f64().max(1e-9);
        eprintln!(
            "  {:>6.0} s: {} edits, p99 {} ms, RSS {} MiB, relay CPU {:.0}%, load generator {:.0}%",
            window.at.as_secs_f64(),
            window.edits,
            ms(window.p99),
            mib(window.rss),
            window.cpu.as_secs_f64() / span * 100.0,
            window.load_cpu.as_secs_f64() / span * 100.0
        );
        self.windows.push(window);
        Ok(())
    }
}

async fn soak(
    relay: &Relay,
    plan: &SoakPlan,
    tracker: &Arc<Tracker>,
    peers: &[Peer],
) -> Result<SoakReport> {
    let mut rng = Rng::new(plan.seed);
    let docs: Vec<DocumentId> = (0..plan.documents).map(|_| rng.document_id()).collect();
    let holders = plan.holders();
    eprintln!("  placing {} documents…", plan.documents);
    scenarios::place(relay, &docs, &holders, peers).await?;

    let mut taking = Taking {
        relay,
        tracker,
        plan,
        windows: Vec::new(),
        samples: Vec::new(),
        counted_edits: 0,
        counted_cpu: Duration::ZERO,
        rss_after_warmup: 0,
        cpu_mark: relay.cpu()?,
        load_cpu_mark: process_cpu(std::process::id())?,
        last_close: Instant::now(),
        edits: 0,
    };
    let mut made: Vec<Vec<u64>> = vec![Vec::new(); plan.documents];
    let period = Duration::from_secs_f64(1.0 / plan.rate);
    let total = (plan.duration.as_secs_f64() * plan.rate).round() as u64;
    let mut window_end = plan.window.min(plan.duration);
    eprintln!("  editing for {:.0} s…", plan.duration.as_secs_f64());
    let start = tokio::time::Instant::now();
    taking.last_close = Instant::now();
    // When the first counted edit was made, and how many were.
    let mut counted: Option<(Instant, usize)> = None;
    for number in 0..total {
        let due = period.mul_f64(number as f64);
        while due >= window_end {
            taking.close(window_end)?;
            window_end = (window_end + plan.window).min(plan.duration);
        }
        tokio::time::sleep_until(start + due).await;
        let doc = rng.below(plan.documents);
        let editor = holders[doc][rng.below(holders[doc].len())];
        let is_counted = due >= plan.warmup;
        if is_counted {
            counted.get_or_insert((Instant::now(), 0)).1 += 1;
        }
        made[doc].push(number);
        scenarios::make_edit(
            &docs[doc],
            &holders[doc],
            editor,
            number,
            marker(number).into(),
            is_counted,
            peers,
            tracker,
        );
        taking.edits += 1;
    }
    let achieved_rate = counted.map_or(0.0, |(from, edits)| {
        edits as f64 / from.elapsed().as_secs_f64().max(1e-9)
    });
    tokio::time::sleep_until(start + plan.duration).await;
    taking.close(plan.duration)?;

    // Late arrivals of counted edits still count.
    tracker.settled(LOST_AFTER).await;
    taking.samples.extend(tracker.take_samples());
    taking.samples.sort();
    let lost = tracker.abandon();
    let missing = missing_markers(&docs, &holders, &made, peers).await;
    let dropped = dropped_sockets(peers).await;
    let rss_end = relay.rss()?;
    let Taking {
        windows,
        samples,
        counted_edits,
        counted_cpu,
        rss_after_warmup,
        ..
    } = taking;
    let rss_max = windows
        .iter()
        .map(|w| w.rss)
        .max()
        .unwrap_or(0)
        .max(rss_end);
    Ok(SoakReport {
        relay: relay.kind.label(),
        plan: plan.clone(),
        windows,
        samples,
        edits: counted_edits,
        achieved_rate,
        lost,
        missing,
        dropped,
        cpu_per_edit: counted_cpu
            .checked_div(u32::try_from(counted_edits).unwrap_or(u32::MAX))
            .unwrap_or_default(),
        rss_after_warmup,
        rss_end,
        rss_max,
    })
}

fn marker(number: u64) -> String {
    format!(" [e{number}]")
}

/// The edit numbers a note's body shows (each marker is ` [e<n>]`): one
/// pass over the text, since a long soak leaves thousands in each note.
fn markers_in(body: &str) -> HashSet<u64> {
    body.split("[e")
        .skip(1)
        .filter_map(|rest| rest.split(']').next()?.parse().ok())
        .collect()
}

async fn missing_markers(
    docs: &[DocumentId],
    holders: &[Vec<usize>],
    made: &[Vec<u64>],
    peers: &[Peer],
) -> usize {
    let mut missing = 0;
    for (d, id) in docs.iter().enumerate() {
        for holder in &holders[d] {
            let shown = markers_in(&peers[*holder].body(id).await.unwrap_or_default());
            missing += made[d].iter().filter(|n| !shown.contains(n)).count();
        }
    }
    missing
}

async fn dropped_sockets(peers: &[Peer]) -> usize {
    let alive = futures::future::join_all(peers.iter().map(|peer| async move {
        tokio::time::timeout(ALIVE_WITHIN, peer.wait(Goal::Online))
            .await
            .is_ok_and(|r| r.is_ok())
    }))
    .await;
    alive.into_iter().filter(|ok| !ok).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_in_a_body_is_found_once() {
        let body: String = (0..2000).map(marker).collect();
        let shown = markers_in(&format!("Latency{body}"));
        assert_eq!(shown.len(), 2000);
        assert!((0..2000).all(|n| shown.contains(&n)));
    }

    #[test]
    fn each_socket_holds_one_document_and_each_document_several() {
        let plan = SoakPlan::hocuspocus(30.0);
        let holders = plan.holders();
        let mut held: Vec<usize> = holders.iter().flatten().copied().collect();
        held.sort();
        assert_eq!(held, (0..1000).collect::<Vec<_>>());
        assert!(holders.iter().all(|h| (3..=4).contains(&h.len())));
        assert!(plan.people() * SOCKETS_PER_PERSON >= plan.sockets);
        assert!(
            plan.people() <= 20,
            "sign-ins from one address are throttled"
        );
    }
}
