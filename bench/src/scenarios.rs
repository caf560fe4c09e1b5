//! What is measured, the same way on both relays.
//!
//! **Latency** ([`latency`]): clients connect, the documents are created on
//! the relay by one holder each and requested by the others; then edits are
//! made at a fixed rate (an open-loop schedule, the same for both relays: an
//! edit does not wait for the previous one to arrive) on a random document by
//! a random holder. Each edit appends a unique marker to the note's body; a
//! sample is the time from the editor applying it to each other holder having
//! merged a frame whose text shows it. A warm-up round (not sampled) comes
//! first. Afterwards every holder's body must show every marker. The relay's
//! CPU time over the measured edits is reported per edit (its capacity).
//! Rates are per scenario ([`latency_specs`]); the load generator shares the
//! machine with the relay, the same for both.
//!
//! Spread over documents: with one document every client holds it. With 200
//! documents each is held by a group of `min(clients, 4)` consecutive clients
//! (document `d`: clients `d, d+1, …` modulo the client count), so 2 clients
//! share all 200, 20 clients hold 40 each and 200 clients hold 4 each; the
//! first of the group creates it.
//!
//! **Idle connections** ([`idle_connections`]): relay RSS before and after
//! opening K more sockets that have joined and hold no documents, beside a
//! first K kept open (so one-off growth is not counted), and the time until
//! the first K have joined. [`connections_beside`] does the same beside M
//! loaded documents, each device then opening one of them: the time runs
//! until every device has its document (a relay may do per-document work
//! for each new connection after answering its `join`).
//!
//! **Loaded documents** ([`load_documents`]): relay RSS before and after one
//! client creates M small notes (title and a 300-character body) and the
//! relay has confirmed holding them all. Ours registers them first, outside
//! the measurement.
//!
//! **First sync** ([`first_sync`]): a new device (ours: a fresh sign-in)
//! connects and requests the M documents by id; the time runs from asking
//! for the socket until every document is ready.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use futures::{StreamExt, TryStreamExt};
use qalf_shared::document::note;
use qalf_shared::sync::DocumentId;

use crate::peer::{Goal, Peer};
use crate::relay::Relay;
use crate::tracker::Tracker;

/// Sockets opened (and tickets asked for) at once.
const CONNECT_CONCURRENCY: usize = 16;
/// Registrations sent at once (ours).
const REGISTER_CONCURRENCY: usize = 16;
/// How long setting up (connecting, creating, fetching) may take.
const SETUP_TIMEOUT: Duration = Duration::from_secs(240);
/// How long after the last edit an unseen edit counts as lost.
const LOST_AFTER: Duration = Duration::from_secs(30);
/// Largest group of clients sharing one of many documents.
const GROUP: usize = 4;

/// One latency scenario.
#[derive(Debug, Clone)]
pub struct LatencySpec {
    pub clients: usize,
    pub docs: usize,
    /// Edits per second, all clients together.
    pub rate: f64,
    pub warmup: usize,
    pub edits: usize,
}

impl LatencySpec {
    pub fn label(&self) -> String {
        let docs = if self.docs == 1 {
            "1 document".to_string()
        } else {
            format!("{} documents", self.docs)
        };
        format!("{docs}, {} clients", self.clients)
    }

    /// Which clients hold document `d` (the first creates it).
    fn holders(&self, d: usize) -> Vec<usize> {
        let group = if self.docs == 1 {
            self.clients
        } else {
            self.clients.min(GROUP)
        };
        (0..group).map(|j| (d + j) % self.clients).collect()
    }

    /// The same scenario with fewer edits (a quick run).
    pub fn scaled(&self, factor: f64) -> LatencySpec {
        let scale = |n: usize| ((n as f64 * factor).ceil() as usize).max(1);
        LatencySpec {
            warmup: scale(self.warmup),
            edits: scale(self.edits),
            ..self.clone()
        }
    }
}

/// The scenarios, in order. The edit rate falls as an edit's fan-out grows
/// (1 or 3 observers: 40 edits/s; 19: 20/s; 199: 2/s): an edit seen by 199
/// others costs a relay some 400 frames in and out, and the relays share two
/// cores with the load generator. The relay CPU column of the table shows
/// how close each relay came to a full core. Every session stays well
/// inside our relay's frame budget (500 frames/s).
pub fn latency_specs() -> Vec<LatencySpec> {
    let spec = |clients, docs, rate, warmup, edits| LatencySpec {
        clients,
        docs,
        rate,
        warmup,
        edits,
    };
    vec![
        spec(2, 1, 40.0, 40, 600),
        spec(20, 1, 20.0, 20, 300),
        spec(200, 1, 2.0, 6, 40),
        spec(2, 200, 40.0, 40, 600),
        spec(20, 200, 40.0, 40, 600),
        spec(200, 200, 40.0, 40, 600),
    ]
}

#[derive(Debug, Clone)]
pub struct Latency {
    /// (edit, observer) pairs, sorted.
    pub samples: Vec<Duration>,
    pub edits: usize,
    /// Measured pairs never seen within [`LOST_AFTER`].
    pub lost: usize,
    /// Markers missing from some holder's body at the end.
    pub missing: usize,
    /// Relay CPU time over the measured edits.
    pub relay_cpu: Duration,
}

impl Latency {
    pub fn percentile(&self, q: f64) -> Option<Duration> {
        percentile(&self.samples, q)
    }
}

/// The `q` quantile (nearest rank) of sorted samples.
pub fn percentile(sorted: &[Duration], q: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// A small deterministic generator, so both relays get the same documents
/// and the same edit schedule.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn document_id(&mut self) -> DocumentId {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes());
        DocumentId::from_bytes(bytes)
    }
}

/// Connects `n` clients, client `i` as a device of session `session_of(i)`,
/// and waits until the relay has answered each `join`. Tickets are asked for
/// first, so that for memory figures only sockets open between readings.
/// Returns the clients and the time from opening the first socket until the
/// last client was online.
pub(crate) async fn connect(
    relay: &mut Relay,
    n: usize,
    session_of: impl Fn(usize) -> usize,
    tracker: &Arc<Tracker>,
    before_sockets: impl FnOnce(&Relay) -> Result<()>,
) -> Result<(Vec<Peer>, Duration)> {
    let mut devices = Vec::with_capacity(n);
    for i in 0..n {
        let session = session_of(i);
        devices.push((i, session, relay.new_peer(session)));
    }
    let relay_ref: &Relay = relay;
    let urls: Vec<_> = futures::stream::iter(devices)
        .map(|(i, session, peer)| async move {
            let url = relay_ref.socket_url(session, &peer).await?;
            anyhow::Ok((i, session, peer, url))
        })
        .buffered(CONNECT_CONCURRENCY)
        .try_collect()
        .await?;
    before_sockets(relay_ref)?;
    let start = Instant::now();
    let peers: Vec<Peer> = futures::stream::iter(urls)
        .map(|(i, session, peer, url)| {
            let author = relay_ref.person(session).to_string();
            let tracker = tracker.clone();
            async move { Peer::connect(&url, peer, author, i, tracker).await }
        })
        .buffered(CONNECT_CONCURRENCY)
        .try_collect()
        .await?;
    wait_all(
        "the clients to join",
        peers.iter().map(|p| (p, Goal::Online)).collect(),
    )
    .await?;
    Ok((peers, start.elapsed()))
}

/// Waits for every client's goal, at most [`SETUP_TIMEOUT`]; a timeout says
/// how many clients got there.
pub(crate) async fn wait_all(what: &str, waits: Vec<(&Peer, Goal)>) -> Result<()> {
    let total = waits.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let all = futures::future::try_join_all(waits.into_iter().map(|(peer, goal)| {
        let done = &done;
        async move {
            peer.wait(goal).await?;
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            anyhow::Ok(())
        }
    }));
    match tokio::time::timeout(SETUP_TIMEOUT, all).await {
        Ok(result) => result
            .map(|_| ())
            .with_context(|| format!("waiting for {what}")),
        Err(_) => bail!(
            "timed out after {SETUP_TIMEOUT:?} waiting for {what} ({} of {total} clients done)",
            done.load(std::sync::atomic::Ordering::Relaxed)
        ),
    }
}

pub(crate) async fn close(peers: Vec<Peer>) {
    futures::future::join_all(peers.into_iter().map(Peer::close)).await;
}

/// What opening idle connections cost the relay.
#[derive(Debug, Clone, Copy)]
pub struct Idle {
    /// Relay memory per connection.
    pub bytes: f64,
    /// From opening the first socket until every client was online.
    pub join_time: Duration,
}

/// Opens `count` connections that join and hold no documents, keeps them,
/// then opens `count` more: the relay's memory is read between the two
/// rounds and after the second, so one-off growth (allocator arenas, memory
/// kept or handed back after sign-in) stays out of the per-connection
/// figure. The join time is the first round's, on an empty relay. Clients
/// are spread over the people.
pub async fn idle_connections(relay: &mut Relay, count: usize) -> Result<Idle> {
    let people = relay.people();
    let tracker = Tracker::new();
    let (first, join_time) = connect(relay, count, |i| i % people, &tracker, |_| Ok(())).await?;
    let mut before = 0;
    let (second, _) = connect(
        relay,
        count,
        |i| i % people,
        &tracker,
        |r| {
            before = r.rss()?;
            Ok(())
        },
    )
    .await?;
    measured(relay, before, [first, second], count, join_time).await
}

/// The same beside loaded documents (`open`, made by session 0's person):
/// `count` devices of that person join and each then opens one of them,
/// twice over, the second round measured as in [`idle_connections`]. The
/// time runs until every device of the first round has its document. (A
/// relay may do per-document work for a new connection after it has
/// answered the `join`; opening a document waits for that.)
pub async fn connections_beside(
    relay: &mut Relay,
    count: usize,
    open: &[DocumentId],
) -> Result<Idle> {
    let tracker = Tracker::new();
    let start = Instant::now();
    let first = open_beside(relay, count, open, 0, &tracker, |_| Ok(())).await?;
    let join_time = start.elapsed();
    let mut before = 0;
    let second = open_beside(relay, count, open, count, &tracker, |r| {
        before = r.rss()?;
        Ok(())
    })
    .await?;
    measured(relay, before, [first, second], count, join_time).await
}

/// Reads the relay's memory with both rounds open, closes them, and gives
/// the cost of each connection of the second round (opened after `before`).
async fn measured(
    relay: &Relay,
    before: u64,
    rounds: [Vec<Peer>; 2],
    count: usize,
    join_time: Duration,
) -> Result<Idle> {
    let after = relay.rss()?;
    for round in rounds {
        close(round).await;
    }
    Ok(Idle {
        bytes: (after as f64 - before as f64) / count as f64,
        join_time,
    })
}

/// `count` devices of session 0's person join; device `i` then opens
/// document `skip + i` of `open` (wrapping) and is waited for.
async fn open_beside(
    relay: &mut Relay,
    count: usize,
    open: &[DocumentId],
    skip: usize,
    tracker: &Arc<Tracker>,
    before_sockets: impl FnOnce(&Relay) -> Result<()>,
) -> Result<Vec<Peer>> {
    let (peers, _) = connect(relay, count, |_| 0, tracker, before_sockets).await?;
    let mut waits = Vec::with_capacity(count);
    for (i, peer) in peers.iter().enumerate() {
        let doc = open[(skip + i) % open.len()].clone();
        peer.request(vec![doc.clone()]);
        waits.push((peer, Goal::Ready(vec![doc])));
    }
    wait_all("each device to open its document", waits).await?;
    Ok(peers)
}

/// What [`load_documents`] found.
pub struct Loaded {
    pub ids: Vec<DocumentId>,
    /// Relay memory per document loaded.
    pub bytes_per_doc: f64,
}

const BODY: &str = "Discussed the family's progress since the last visit. The child \
    was seen alone and spoke about school, friends and home. Actions agreed: \
    a review meeting within four weeks, contact with the school nurse, and an \
    update to the plan. Strengths noted in the parents' engagement; concerns \
    about attendance remain and will be followed up.";

/// A small note with some content, as two changes (created, then typed).
fn small_note(n: usize, author: &str) -> Result<Automerge> {
    let mut doc = note::new_note(&format!("Visit note {n}"), author, 0)?;
    let mut tx = doc.transaction();
    let (_, body) = tx.get(ROOT, note::BODY)?.context("a note has a body")?;
    tx.splice_text(&body, 0, 0, BODY)?;
    tx.commit();
    Ok(doc)
}

/// One client creates `count` small notes; the relay's memory is read before
/// and after it confirms holding them all.
pub async fn load_documents(relay: &mut Relay, count: usize, rng: &mut Rng) -> Result<Loaded> {
    let tracker = Tracker::new();
    let ids: Vec<DocumentId> = (0..count).map(|_| rng.document_id()).collect();
    let creator = connect(relay, 1, |_| 0, &tracker, |_| Ok(()))
        .await?
        .0
        .pop()
        .context("one client")?;
    register_all(relay, ids.iter().map(|id| (id.clone(), 0, Vec::new()))).await?;
    let author = relay.person(0).to_string();
    let docs = ids
        .iter()
        .enumerate()
        .map(|(n, id)| Ok((id.clone(), small_note(n, &author)?)))
        .collect::<Result<Vec<_>>>()?;
    let before = relay.rss()?;
    creator.create(docs);
    wait_all(
        "the relay to hold the documents",
        vec![(&creator, Goal::Synced(ids.clone()))],
    )
    .await?;
    let after = relay.rss()?;
    close(vec![creator]).await;
    Ok(Loaded {
        ids,
        bytes_per_doc: (after as f64 - before as f64) / count as f64,
    })
}

pub(crate) async fn register_all(
    relay: &Relay,
    docs: impl Iterator<Item = (DocumentId, usize, Vec<usize>)>,
) -> Result<()> {
    futures::stream::iter(docs)
        .map(|(id, creator, members)| async move { relay.register(&id, creator, &members).await })
        .buffer_unordered(REGISTER_CONCURRENCY)
        .try_collect::<()>()
        .await
}

/// A new device of session 0's person syncs `ids`; returns how long it took.
pub async fn first_sync(relay: &mut Relay, ids: &[DocumentId]) -> Result<Duration> {
    let session = relay.new_session(0).await?;
    let peer_id = relay.new_peer(session);
    let author = relay.person(session).to_string();
    let start = Instant::now();
    let url = relay.socket_url(session, &peer_id).await?;
    let device = Peer::connect(&url, peer_id, author, 0, Tracker::new()).await?;
    device.request(ids.to_vec());
    wait_all(
        "the new device to have every document",
        vec![(&device, Goal::Ready(ids.to_vec()))],
    )
    .await?;
    let took = start.elapsed();
    for id in ids.iter().step_by((ids.len() / 5).max(1)) {
        if device.body(id).await.as_deref() != Some(BODY) {
            bail!("document {id} arrived without its body");
        }
    }
    close(vec![device]).await;
    Ok(took)
}

/// Runs one latency scenario on fresh documents.
pub async fn latency(relay: &mut Relay, spec: &LatencySpec, rng: &mut Rng) -> Result<Latency> {
    let tracker = Tracker::new();
    let people = relay.people();
    let (peers, _) = connect(relay, spec.clients, |i| i % people, &tracker, |_| Ok(())).await?;
    let result = measure(relay, spec, rng, &tracker, &peers).await;
    close(peers).await;
    result
}

async fn measure(
    relay: &Relay,
    spec: &LatencySpec,
    rng: &mut Rng,
    tracker: &Arc<Tracker>,
    peers: &[Peer],
) -> Result<Latency> {
    let docs: Vec<DocumentId> = (0..spec.docs).map(|_| rng.document_id()).collect();
    let holders: Vec<Vec<usize>> = (0..spec.docs).map(|d| spec.holders(d)).collect();
    place(relay, &docs, &holders, peers).await?;

    // Warm up, then measure.
    let mut markers: Vec<Vec<Arc<str>>> = vec![Vec::new(); spec.docs];
    let mut next_edit = 0u64;
    let mut round = |count: usize, measured: bool, rng: &mut Rng| {
        let mut plan = Vec::with_capacity(count);
        for _ in 0..count {
            let d = rng.below(spec.docs);
            let editor = holders[d][rng.below(holders[d].len())];
            let marker: Arc<str> = format!(" [e{next_edit}]").into();
            markers[d].push(marker.clone());
            plan.push((d, editor, next_edit, marker, measured));
            next_edit += 1;
        }
        plan
    };
    let warmup = round(spec.warmup, false, rng);
    run_edits(spec, &docs, &holders, peers, tracker, warmup).await;
    if !tracker.settled(LOST_AFTER).await {
        bail!("warm-up edits did not all arrive within {LOST_AFTER:?}");
    }
    tracker.take_samples();
    let measured = round(spec.edits, true, rng);
    let cpu_before = relay.cpu()?;
    run_edits(spec, &docs, &holders, peers, tracker, measured).await;
    tracker.settled(LOST_AFTER).await;
    let relay_cpu = relay.cpu()?.saturating_sub(cpu_before);
    let lost = tracker.abandon();
    let mut samples = tracker.take_samples();
    samples.sort();

    // Every holder shows every marker.
    let mut missing = 0;
    for (d, id) in docs.iter().enumerate() {
        for holder in &holders[d] {
            let body = peers[*holder].body(id).await.unwrap_or_default();
            missing += markers[d].iter().filter(|m| !body.contains(&***m)).count();
        }
    }
    Ok(Latency {
        samples,
        edits: spec.edits,
        lost,
        missing,
        relay_cpu,
    })
}

/// Puts each document in its holders' hands: registered (ours) with its
/// holders as members, created by the first holder, confirmed held by the
/// relay, then requested by the others and waited for.
pub(crate) async fn place(
    relay: &Relay,
    docs: &[DocumentId],
    holders: &[Vec<usize>],
    peers: &[Peer],
) -> Result<()> {
    let people = relay.people();
    register_all(
        relay,
        docs.iter().zip(holders).map(|(id, h)| {
            let sessions = h.iter().map(|c| c % people).collect();
            (id.clone(), h[0] % people, sessions)
        }),
    )
    .await?;
    let mut created: BTreeMap<usize, Vec<(DocumentId, Automerge)>> = BTreeMap::new();
    let mut fetched: BTreeMap<usize, Vec<DocumentId>> = BTreeMap::new();
    for (d, id) in docs.iter().enumerate() {
        let creator = holders[d][0];
        let author = relay.person(creator % people).to_string();
        created
            .entry(creator)
            .or_default()
            .push((id.clone(), note::new_note("Latency", &author, 0)?));
        for other in &holders[d][1..] {
            fetched.entry(*other).or_default().push(id.clone());
        }
    }
    let mut synced = Vec::new();
    for (client, list) in created {
        synced.push((client, list.iter().map(|(id, _)| id.clone()).collect()));
        peers[client].create(list);
    }
    wait_all(
        "the relay to hold the documents",
        synced
            .into_iter()
            .map(|(client, ids)| (&peers[client], Goal::Synced(ids)))
            .collect(),
    )
    .await?;
    for (client, ids) in &fetched {
        peers[*client].request(ids.clone());
    }
    wait_all(
        "every holder to have its documents",
        fetched
            .into_iter()
            .map(|(client, ids)| (&peers[client], Goal::Ready(ids)))
            .collect(),
    )
    .await
}

/// Makes the planned edits on a fixed schedule (open loop: an edit is due
/// at `start + k / rate` whether or not earlier ones have arrived).
async fn run_edits(
    spec: &LatencySpec,
    docs: &[DocumentId],
    holders: &[Vec<usize>],
    peers: &[Peer],
    tracker: &Tracker,
    plan: Vec<(usize, usize, u64, Arc<str>, bool)>,
) {
    let period = Duration::from_secs_f64(1.0 / spec.rate);
    let start = tokio::time::Instant::now();
    for (k, (d, editor, edit, marker, measured)) in plan.into_iter().enumerate() {
        tokio::time::sleep_until(start + period.mul_f64(k as f64)).await;
        make_edit(
            &docs[d],
            &holders[d],
            editor,
            edit,
            marker,
            measured,
            peers,
            tracker,
        );
    }
}

/// `editor` appends `marker` to document `doc`; every other holder must see
/// it (the tracker is told first).
#[allow(clippy::too_many_arguments)]
pub(crate) fn make_edit(
    doc: &DocumentId,
    holders: &[usize],
    editor: usize,
    edit: u64,
    marker: Arc<str>,
    measured: bool,
    peers: &[Peer],
    tracker: &Tracker,
) {
    let observers = holders.iter().copied().filter(|c| *c != editor).collect();
    tracker.expect(doc, edit, marker.clone(), observers, measured);
    peers[editor].edit(doc.clone(), edit, marker);
}
