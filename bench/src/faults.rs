//! R-REL-5: faults under writers. Each scenario starts the real server
//! binary, has writers (the app's own sync client over real WebSockets)
//! append to notes, injects one fault with a real component (a disk that
//! fills, a second process holding the database's write lock, a socket
//! that stops reading, a device flooding the relay, a network that delays
//! and cuts connections), lifts it, and checks what the harness's crash
//! loop checks: every change a writer saw acknowledged is in the server's
//! storage, read by a fresh device, and two readers agree. Each scenario
//! also checks the fault's own promise about what a person sees (below).
//!
//! - **Disk full**: the data folder is a 64 MiB tmpfs inside a user and
//!   mount namespace (`unshare`, no root needed), filled to the last byte
//!   while writers write. The server cannot write, so it must not say
//!   "synced"; its storage retries, then stops the process (exit 70) rather
//!   than acknowledge what it does not hold. The devices go offline with
//!   their changes kept. Space is freed and the server started again, as
//!   a service manager would: everything acknowledged is there and new
//!   changes are acknowledged again.
//! - **Database busy**: a second process holds SQLite's write lock for 25
//!   seconds (well past the 10 seconds the server waits for it, so a write
//!   fails and is logged, and the server carries on). No change made while the lock is held may be
//!   acknowledged before it is released; afterwards they all are, and the
//!   server kept running.
//! - **Stalled device**: a device opens large notes and then stops reading
//!   its socket, so the relay's sends to it block. Writers on the same
//!   notes must keep being acknowledged and a reader opened meanwhile sees
//!   their changes: one slow socket does not stall a document's shard.
//! - **Flooding device**: a device sends frames far above the relay's rate
//!   (500 a second per session, 5,000 at once). Its socket is closed; the
//!   other people's writers keep being acknowledged.
//! - **Lossy network**: writers connect through a TCP proxy that delays
//!   every chunk (0-30 ms) and cuts each connection after 0.3-2 s. They
//!   reconnect each time, as the app does; nothing acknowledged is lost.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use futures::{SinkExt, StreamExt};
use qalf_shared::document::note;
use qalf_shared::sync::{Client, DocumentId};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::crash::{self, Acked, Acknowledged, Writing};
use crate::peer::Goal;
use crate::relay::{Kind, Paths, Relay};
use crate::tracker::Tracker;

/// Writers (one person each) and the notes each appends to.
const WRITERS: usize = 3;
const NOTES_PER_WRITER: usize = 2;
/// People signed in: the writers, and one more for the stalled or
/// flooding device.
const PEOPLE: usize = WRITERS + 1;
const WAIT: Duration = Duration::from_secs(60);

/// What one fault scenario found.
#[derive(Debug, Clone, Default)]
pub struct FaultReport {
    pub fault: &'static str,
    /// Changes writers saw acknowledged, before, during and after.
    pub acknowledged: usize,
    /// Acknowledged changes a fresh reader did not find (must be 0).
    pub lost: usize,
    /// Notes two readers read differently at the end (must be 0).
    pub diverged: usize,
    /// Acknowledged changes that were made while the fault lasted.
    pub made_during: usize,
    /// Of those, acknowledged while it lasted.
    pub acknowledged_during: usize,
    /// Changes made that were never acknowledged (their devices went
    /// offline holding them).
    pub never_acknowledged: usize,
    /// Acknowledged changes made after the fault was lifted.
    pub acknowledged_after: usize,
    /// Whether the relay closed the faulty device's socket (stalled or
    /// flooding device).
    pub cut_off: bool,
    /// Bytes that reached the stalled device once it read again: what the
    /// relay had been holding back for it.
    pub backlog_bytes: usize,
    /// Connections the lossy network cut.
    pub cuts: usize,
    /// What the people using it saw, in words.
    pub seen: String,
}

impl fmt::Display for FaultReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} acknowledged, {} lost, {} diverged; of the acknowledged changes, {} made \
             during the fault, {} of them acknowledged before it ended, {} made after it; \
             {} never acknowledged; {}",
            self.fault,
            self.acknowledged,
            self.lost,
            self.diverged,
            self.made_during,
            self.acknowledged_during,
            self.acknowledged_after,
            self.never_acknowledged,
            self.seen
        )
    }
}

/// The writers of a scenario, running until told to stop or cut off.
struct Writers {
    tasks: Vec<tokio::task::JoinHandle<usize>>,
    writing: Writing,
}

impl Writers {
    /// One writer per person `0..WRITERS`, each on its own notes.
    async fn start(
        relay: &mut Relay,
        notes: &[Vec<DocumentId>],
        tracker: &Arc<Tracker>,
        acknowledged: &Acknowledged,
        prefix: &str,
        writing: Writing,
    ) -> Result<Writers> {
        let mut tasks = Vec::new();
        for (w, mine) in notes.iter().enumerate() {
            let peer = crash::device(relay, w, w, tracker).await?;
            peer.request(mine.clone());
            tokio::time::timeout(WAIT, peer.wait(Goal::Ready(mine.clone())))
                .await
                .with_context(|| format!("writer {w}'s notes did not open"))??;
            tasks.push(tokio::spawn(crash::write_until_gone(
                peer,
                mine.clone(),
                format!("{prefix}w{w}"),
                acknowledged.clone(),
                writing.clone(),
            )));
        }
        Ok(Writers { tasks, writing })
    }

    /// Stops them; returns the changes they made that were never
    /// acknowledged.
    async fn stop(self) -> usize {
        self.writing.stop.store(true, Ordering::Relaxed);
        self.ended().await
    }

    /// Waits for them to end by themselves (cut off); returns the changes
    /// they made that were never acknowledged.
    async fn ended(self) -> usize {
        let mut unacknowledged = 0;
        for task in self.tasks {
            unacknowledged += task.await.unwrap_or(0);
        }
        unacknowledged
    }
}

/// A scenario's common frame: the server, its writers' notes, and what
/// they had acknowledged.
struct Stage {
    relay: Relay,
    notes: Vec<Vec<DocumentId>>,
    tracker: Arc<Tracker>,
    acknowledged: Acknowledged,
}

impl Stage {
    async fn start(paths: &Paths, data_dir: &Path) -> Result<Stage> {
        let mut relay = Relay::start(Kind::Ours, paths, data_dir, PEOPLE).await?;
        let tracker = Tracker::new();
        let notes = crash::make_notes(&mut relay, WRITERS, NOTES_PER_WRITER, &tracker).await?;
        Ok(Stage {
            relay,
            notes,
            tracker,
            acknowledged: Arc::default(),
        })
    }

    async fn writers(&mut self, prefix: &str, writing: Writing) -> Result<Writers> {
        Writers::start(
            &mut self.relay,
            &self.notes,
            &self.tracker,
            &self.acknowledged,
            prefix,
            writing,
        )
        .await
    }

    fn acked(&self) -> BTreeMap<DocumentId, Vec<Acked>> {
        self.acknowledged.lock().expect("not poisoned").clone()
    }

    /// Every acknowledged change's (made, acknowledged) times.
    fn acked_times(&self) -> Vec<(Instant, Instant)> {
        self.acked()
            .values()
            .flatten()
            .map(|a| (a.made, a.acked))
            .collect()
    }

    /// Reads everything back through two fresh devices (of different
    /// people) and fills in the report's totals.
    async fn finish(mut self, mut report: FaultReport) -> Result<FaultReport> {
        let acked = self.acked();
        let first = crash::read_all(
            &mut self.relay,
            0,
            &self.notes,
            &acked,
            self.tracker.clone(),
        )
        .await?;
        let second = crash::read_all(
            &mut self.relay,
            WRITERS - 1,
            &self.notes,
            &acked,
            self.tracker.clone(),
        )
        .await?;
        report.acknowledged = acked.values().map(Vec::len).sum();
        report.lost = crash::missing(&acked, &first);
        report.diverged = crash::diverged(&first, &second);
        if let Some(status) = self.relay.exited() {
            bail!(
                "the server stopped during the scenario ({status})\n{}",
                self.relay.log_tail()
            );
        }
        self.relay.stop().await?;
        Ok(report)
    }
}

/// Changes made in `[from, to)` (by their acknowledged record) and how many
/// of them were acknowledged before `to`.
fn during(times: &[(Instant, Instant)], from: Instant, to: Instant) -> (usize, usize) {
    let made: Vec<_> = times
        .iter()
        .filter(|(made, _)| *made >= from && *made < to)
        .collect();
    let early = made.iter().filter(|(_, acked)| *acked < to).count();
    (made.len(), early)
}

fn after(times: &[(Instant, Instant)], at: Instant) -> usize {
    times.iter().filter(|(made, _)| *made >= at).count()
}

// ---------------------------------------------------------------------------
// Disk full

/// A small tmpfs mounted in a user and mount namespace of its own, kept
/// alive by a holder process; programs enter it with `nsenter`.
pub struct SmallDisk {
    holder: Child,
    pid: u32,
    dir: PathBuf,
}

impl SmallDisk {
    /// Mounts `mib` MiB over `dir` (created if missing) in a new namespace.
    pub async fn mount(dir: &Path, mib: u32) -> Result<SmallDisk> {
        std::fs::create_dir_all(dir)?;
        let mut holder = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
            .arg(
                "mount -t tmpfs -o size=\"$1\"m,mode=0700 qalf-small-disk \"$0\" \
                 && echo mounted && exec sleep 100000",
            )
            .arg(dir)
            .arg(mib.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting `unshare` (util-linux) for a small disk")?;
        let stdout = holder.stdout.take().context("unshare's output")?;
        let mut lines = BufReader::new(stdout).lines();
        let said = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await;
        if !matches!(said, Ok(Ok(Some(ref line))) if line == "mounted") {
            let mut why = String::new();
            if let Some(mut err) = holder.stderr.take() {
                let _ = tokio::time::timeout(Duration::from_secs(2), err.read_to_string(&mut why))
                    .await;
            }
            bail!(
                "could not mount a small disk in a user namespace (unprivileged user \
                 namespaces must be allowed): {why}"
            );
        }
        let pid = holder.id().context("the namespace holder's pid")?;
        Ok(SmallDisk {
            holder,
            pid,
            dir: dir.to_path_buf(),
        })
    }

    /// How to start a program inside the namespace.
    pub fn launcher(&self) -> Vec<String> {
        vec![
            "nsenter".into(),
            "--target".into(),
            self.pid.to_string(),
            "--user".into(),
            "--mount".into(),
            "--".into(),
        ]
    }

    async fn inside(&self, script: &str) -> Result<std::process::Output> {
        let mut launcher = self.launcher();
        let program = launcher.remove(0);
        Command::new(program)
            .args(launcher)
            .args(["sh", "-c", script])
            .arg(&self.dir)
            .output()
            .await
            .context("running a command inside the small disk's namespace")
    }

    /// Fills the disk to the last byte; returns the bytes the filler took.
    pub async fn fill(&self) -> Result<u64> {
        let out = self
            .inside("cat /dev/zero > \"$0/filler\" 2>/dev/null; stat -c %s \"$0/filler\"")
            .await?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .context("the filler's size")
    }

    /// Frees what [`fill`](Self::fill) took.
    pub async fn free(&self) -> Result<()> {
        let out = self.inside("rm -f \"$0/filler\"").await?;
        if !out.status.success() {
            bail!("could not free the small disk");
        }
        Ok(())
    }

    pub async fn unmount(mut self) {
        let _ = self.holder.kill().await;
    }
}

/// Disk full under writers; see the module's notes.
pub async fn disk_full(paths: &Paths, work: &Path) -> Result<FaultReport> {
    let dir = work.join("disk");
    let disk = SmallDisk::mount(&dir, 64).await?;
    let mut paths = paths.clone();
    paths.launcher = disk.launcher();
    let mut stage = Stage::start(&paths, &dir).await?;
    let mut report = FaultReport {
        fault: "disk full",
        ..FaultReport::default()
    };

    let writing = Writing::default();
    let writers = stage.writers("full", writing).await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let filled = disk.fill().await?;
    let from = Instant::now();
    // Wait for the server to give up writing (it stops), or for every
    // writer to be cut off from acknowledgements.
    let mut stopped = None;
    let gave_up = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(status) = stage.relay.exited() {
                stopped = Some(status);
                return;
            }
            if writers.tasks.iter().all(|t| t.is_finished()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let stopped_after = from.elapsed();
    if gave_up.is_err() {
        bail!("with the disk full, the server neither stopped nor stopped acknowledging");
    }
    report.never_acknowledged = writers.stop().await;
    disk.free().await?;
    let to = Instant::now();
    report.seen = match stopped {
        Some(status) => {
            let relay = stage.relay.start_again().await?;
            stage.relay = relay;
            format!(
                "with the disk full (the last {:.1} MiB taken), the server stopped ({status}) \
                 {:.1} s later rather than acknowledge what it could not write; the devices \
                 went offline keeping their changes; with space freed it started in {:.2} s",
                filled as f64 / 1_048_576.0,
                stopped_after.as_secs_f64(),
                stage.relay.time_to_serve.as_secs_f64()
            )
        }
        None => "the server kept running but acknowledged nothing it could not write".into(),
    };
    // Writing again once there is room.
    let writers = stage.writers("room", Writing::default()).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.never_acknowledged += writers.stop().await;
    let times = stage.acked_times();
    (report.made_during, report.acknowledged_during) = during(&times, from, to);
    report.acknowledged_after = after(&times, to);
    let report = stage.finish(report).await?;
    disk.unmount().await;
    Ok(report)
}

// ---------------------------------------------------------------------------
// Database busy

/// How long the second process holds the write lock: a write begun in its
/// first 15 seconds has waited the server's 10 seconds and failed before
/// the lock is released.
pub const LOCK_HELD: Duration = Duration::from_secs(25);

/// Another process holds SQLite's write lock; see the module's notes.
pub async fn database_busy(paths: &Paths, work: &Path) -> Result<FaultReport> {
    let dir = work.join("busy");
    let mut stage = Stage::start(paths, &dir).await?;
    let mut report = FaultReport {
        fault: "database busy",
        ..FaultReport::default()
    };
    // Writers wait for acknowledgements longer than the lock is held.
    let writing = Writing {
        ack_within: LOCK_HELD * 3,
        ..Writing::default()
    };
    let writers = stage.writers("busy", writing).await?;
    // A device that makes one change while the lock is held and waits for
    // it to be called synced (opened first: signing in writes too).
    let note = stage.notes[0][0].clone();
    let probe = crash::device(&mut stage.relay, 0, 50, &stage.tracker).await?;
    probe.request(vec![note.clone()]);
    tokio::time::timeout(WAIT, probe.wait(Goal::Ready(vec![note.clone()])))
        .await
        .context("the probe's note did not open")??;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let database = dir.join("qalf.sqlite3");
    let (taken_tx, taken_rx) = tokio::sync::oneshot::channel();
    let locker = tokio::task::spawn_blocking(move || -> Result<Instant> {
        let conn = rusqlite::Connection::open(&database)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let _ = taken_tx.send(Instant::now());
        std::thread::sleep(LOCK_HELD);
        // Before the commit: once it returns, the server may write at once.
        let released = Instant::now();
        conn.execute_batch("COMMIT")?;
        Ok(released)
    });
    let from = taken_rx.await.context("taking the write lock")?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let marker = "[probe made while the database was locked]".to_string();
    probe.edit(note.clone(), 0, Arc::from(marker.as_str()));
    let made = Instant::now();
    tokio::time::timeout(LOCK_HELD * 3, probe.wait(Goal::Synced(vec![note.clone()])))
        .await
        .context("the probe's change was never synced")??;
    stage
        .acknowledged
        .lock()
        .expect("not poisoned")
        .entry(note)
        .or_default()
        .push(Acked {
            marker,
            made,
            acked: Instant::now(),
        });
    probe.close().await;
    let to = locker.await??;
    tokio::time::sleep(Duration::from_secs(2)).await;
    report.never_acknowledged = writers.stop().await;
    let times = stage.acked_times();
    (report.made_during, report.acknowledged_during) = during(&times, from, to);
    report.acknowledged_after = after(&times, to);
    let retried = stage.relay.log().contains("database is locked");
    report.seen = format!(
        "for the {:.0} s another process held the database, changes stayed \
         \"not yet synced\" on the devices; {}then they synced and the server kept running",
        LOCK_HELD.as_secs_f64(),
        if retried {
            "a write that waited 10 s failed (logged) and the server carried on; "
        } else {
            ""
        }
    );
    if !retried {
        bail!(
            "no write failed while the database was locked, so that path was not exercised: {report}"
        );
    }
    stage.finish(report).await
}

// ---------------------------------------------------------------------------
// Stalled and flooding devices

/// A device on a raw socket: it says what the app's client says, then does
/// only what the scenario makes it do.
struct RawDevice {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    /// The frames it sent on connecting, the last its last request.
    sent: Vec<Vec<u8>>,
}

impl RawDevice {
    /// Connects as a new device of `session`'s person and sends the
    /// client's first frames (its `join`, then a request for each of
    /// `open`).
    async fn connect(relay: &mut Relay, session: usize, open: &[DocumentId]) -> Result<RawDevice> {
        let me = relay.new_peer(session);
        let url = relay.socket_url(session, &me).await?;
        // A small receive buffer, so a device that stops reading pushes
        // back on the relay within kilobytes, as a stalled tablet would.
        let tcp = tokio::net::TcpSocket::new_v4()?;
        tcp.set_recv_buffer_size(8 * 1024)?;
        let stream = tcp
            .connect(([127, 0, 0, 1], relay.port()).into())
            .await
            .context("connecting a raw device")?;
        let (socket, _) =
            tokio_tungstenite::client_async(url.as_str(), MaybeTlsStream::Plain(stream))
                .await
                .context("opening a raw sync socket")?;
        let mut client = Client::new(me, "raw-device".into(), "bench".into());
        let hello = client.connected();
        let mut device = RawDevice {
            socket,
            sent: Vec::new(),
        };
        device.send(&mut client, hello).await?;
        // The client asks for documents once the relay has answered.
        let answer = device.answered().await?;
        let mut effects = client.receive(&answer, 0)?;
        for id in open {
            effects.extend(client.request(id.clone()));
        }
        device.send(&mut client, effects).await?;
        Ok(device)
    }

    async fn send(
        &mut self,
        client: &mut Client,
        effects: Vec<qalf_shared::sync::Effect>,
    ) -> Result<()> {
        for frame in qalf_testing::sync::settle(client, None, effects).frames {
            self.socket
                .send(WsMessage::Binary(frame.clone().into()))
                .await?;
            self.sent.push(frame);
        }
        Ok(())
    }

    /// Reads whatever arrives for up to `within`; returns the bytes read
    /// and whether the relay closed the socket.
    async fn drain(&mut self, within: Duration) -> (usize, bool) {
        let mut bytes = 0;
        let closed = tokio::time::timeout(within, async {
            loop {
                match self.socket.next().await {
                    None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => return,
                    Some(Ok(message)) => bytes += message.len(),
                }
            }
        })
        .await
        .is_ok();
        (bytes, closed)
    }

    /// The first binary frame the relay sends (its answer to `join`).
    async fn answered(&mut self) -> Result<Vec<u8>> {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Ok(Some(Ok(WsMessage::Binary(frame)))) => return Ok(frame.to_vec()),
                Ok(Some(Ok(_))) => {}
                other => bail!("the relay did not answer the raw device: {other:?}"),
            }
        }
    }
}

/// Notes large enough that sending them fills a socket's buffers.
async fn large_notes(stage: &mut Stage, count: usize) -> Result<Vec<DocumentId>> {
    let author = stage.relay.person(0).to_string();
    let members: Vec<usize> = (0..PEOPLE).collect();
    let peer = crash::device(&mut stage.relay, 0, 0, &stage.tracker).await?;
    let mut docs = Vec::new();
    let mut ids = Vec::new();
    for n in 0..count {
        let mut bytes = [0x5A; 16];
        bytes[0] = n as u8;
        let id = DocumentId::from_bytes(bytes);
        stage.relay.register(&id, 0, &members).await?;
        let mut doc = note::new_note("Large note", &author, 0)?;
        let mut tx = doc.transaction();
        let (_, body) = tx.get(ROOT, note::BODY)?.context("a note has a body")?;
        // Varied text, so compression does not shrink it away.
        let text: String = (0..60_000u32)
            .map(|i| format!("{:08x} ", i.wrapping_mul(2_654_435_761) ^ n as u32))
            .collect();
        tx.splice_text(&body, 0, 0, &text)?;
        tx.commit();
        docs.push((id.clone(), doc));
        ids.push(id);
    }
    peer.create(docs);
    tokio::time::timeout(WAIT, peer.wait(Goal::Synced(ids.clone())))
        .await
        .context("the large notes did not sync")??;
    peer.close().await;
    Ok(ids)
}

/// A device stops reading its socket; see the module's notes.
pub async fn stalled_device(paths: &Paths, work: &Path) -> Result<FaultReport> {
    let dir = work.join("stalled");
    let mut stage = Stage::start(paths, &dir).await?;
    let mut report = FaultReport {
        fault: "stalled device",
        ..FaultReport::default()
    };
    // The writers' own notes include the large ones the stalled device
    // opens, so a blocked shard would block them.
    let large = large_notes(&mut stage, 8).await?;
    for (w, mine) in stage.notes.iter_mut().enumerate() {
        mine.push(large[w % large.len()].clone());
    }
    let writers = stage.writers("stall", Writing::default()).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = stage.relay.rss()?;
    let mut stalled = RawDevice::connect(&mut stage.relay, WRITERS, &large).await?;
    let from = Instant::now();
    // It never reads again: the relay's sends to it fill the socket.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let to = Instant::now();
    // A reader opened while it is stalled sees what was acknowledged.
    let acked = stage.acked();
    let read = crash::read_all(
        &mut stage.relay,
        1,
        &stage.notes,
        &acked,
        stage.tracker.clone(),
    )
    .await?;
    let unseen = crash::missing(&acked, &read);
    let rss_during = stage.relay.rss()?;
    report.never_acknowledged = writers.stop().await;
    // The stalled device's socket: still open (the relay waits on it) or
    // closed by the relay.
    let (waiting_bytes, closed) = stalled.drain(Duration::from_secs(2)).await;
    report.backlog_bytes = waiting_bytes;
    report.cut_off = closed;
    let times = stage.acked_times();
    (report.made_during, report.acknowledged_during) = during(&times, from, to);
    report.acknowledged_after = after(&times, to);
    report.lost += unseen;
    report.seen = format!(
        "writers on the stalled device's notes kept syncing; a reader opened meanwhile \
         saw every acknowledged change ({unseen} missing); the relay's memory went \
         from {:.1} to {:.1} MiB; the stalled socket was {} ({:.1} MiB reached it once \
         it read again)",
        rss_before as f64 / 1_048_576.0,
        rss_during as f64 / 1_048_576.0,
        if closed {
            "closed by the relay"
        } else {
            "still open, its data waiting"
        },
        waiting_bytes as f64 / 1_048_576.0
    );
    stage.finish(report).await
}

/// Frames the flooding device sends as fast as it can.
const FLOOD: usize = 20_000;

/// A device floods the relay; see the module's notes.
pub async fn flooding_device(paths: &Paths, work: &Path) -> Result<FaultReport> {
    let dir = work.join("flood");
    let mut stage = Stage::start(paths, &dir).await?;
    let mut report = FaultReport {
        fault: "flooding device",
        ..FaultReport::default()
    };
    let writers = stage.writers("flood", Writing::default()).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = vec![stage.notes[0][0].clone()];
    let mut flooder = RawDevice::connect(&mut stage.relay, WRITERS, &open).await?;
    // A valid frame (the device's request again), over and over.
    let frame = flooder.sent.last().cloned().context("a request frame")?;
    let from = Instant::now();
    let mut sent = 0;
    let mut closed = false;
    for _ in 0..FLOOD {
        if flooder
            .socket
            .send(WsMessage::Binary(frame.clone().into()))
            .await
            .is_err()
        {
            closed = true;
            break;
        }
        sent += 1;
    }
    if !closed {
        closed = flooder.drain(Duration::from_secs(10)).await.1;
    }
    report.cut_off = closed;
    let to = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.never_acknowledged = writers.stop().await;
    let times = stage.acked_times();
    (report.made_during, report.acknowledged_during) = during(&times, from, to);
    report.acknowledged_after = after(&times, to);
    report.seen = format!(
        "the flooding device sent {sent} frames in {:.2} s and its socket was {}; \
         the other people's changes kept syncing",
        (to - from).as_secs_f64(),
        if closed {
            "closed by the relay"
        } else {
            "left open"
        }
    );
    if !closed {
        bail!("the relay did not close a socket sending {FLOOD} frames at once: {report}");
    }
    if !stage
        .relay
        .log()
        .contains("too many frames for this session")
    {
        bail!(
            "the flooding device's socket was closed for another reason:\n{}",
            stage.relay.log_tail()
        );
    }
    stage.finish(report).await
}

// ---------------------------------------------------------------------------
// Lossy network

/// A TCP proxy in front of the relay that delays every chunk and cuts
/// each connection after a while.
struct Proxy {
    port: u16,
    cuts: Arc<AtomicUsize>,
    /// The accepting task; connections it started end within their life.
    accepting: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl Proxy {
    async fn start(to: u16, seed: u64) -> Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let cuts = Arc::new(AtomicUsize::new(0));
        let cuts2 = cuts.clone();
        let accepting = tokio::spawn(async move {
            let mut dice = seed;
            while let Ok((inbound, _)) = listener.accept().await {
                dice = splitmix(dice);
                let life = Duration::from_millis(300 + dice % 1_700);
                let cuts = cuts2.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(("127.0.0.1", to)).await else {
                        return;
                    };
                    let _ = inbound.set_nodelay(true);
                    let _ = outbound.set_nodelay(true);
                    let (ri, wi) = inbound.into_split();
                    let (ro, wo) = outbound.into_split();
                    let both = async {
                        tokio::join!(pipe(ri, wo, dice), pipe(ro, wi, dice ^ 0xABCD));
                    };
                    if tokio::time::timeout(life, both).await.is_err() {
                        cuts.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        Ok(Proxy {
            port,
            cuts,
            accepting,
        })
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Copies one direction, each chunk after a delay of 0-30 ms.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut dice: u64,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        dice = splitmix(dice);
        tokio::time::sleep(Duration::from_millis(dice % 31)).await;
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// How long writers write through the lossy proxy.
pub const LOSSY_FOR: Duration = Duration::from_secs(12);

/// Writers behind a lossy network; see the module's notes.
pub async fn lossy_network(paths: &Paths, work: &Path) -> Result<FaultReport> {
    let dir = work.join("lossy");
    let mut stage = Stage::start(paths, &dir).await?;
    let mut report = FaultReport {
        fault: "lossy network",
        ..FaultReport::default()
    };
    let proxy = Proxy::start(stage.relay.port(), 0x10_55e5).await?;
    stage.relay.route_sockets_through(proxy.port);
    let from = Instant::now();
    let mut connections = 0;
    let mut round = 0;
    // Writers reconnect after every cut, as the app does.
    while from.elapsed() < LOSSY_FOR {
        let writing = Writing {
            ack_within: Duration::from_secs(5),
            ..Writing::default()
        };
        let writers = match stage.writers(&format!("lossy{round}"), writing).await {
            Ok(writers) => writers,
            // Cut while opening: try again.
            Err(_) => {
                round += 1;
                continue;
            }
        };
        connections += writers.tasks.len();
        // Each writer ends when its connection is cut.
        report.never_acknowledged += writers.ended().await;
        round += 1;
    }
    let to = Instant::now();
    report.cuts = proxy.cuts.load(Ordering::Relaxed);
    drop(proxy);
    stage.relay.route_sockets_through(stage.relay.port());
    let times = stage.acked_times();
    (report.made_during, report.acknowledged_during) = during(&times, from, to);
    report.seen = format!(
        "{connections} connections over {:.0} s, {} cut by the network; each device \
         showed offline and reconnected; changes cut off before their acknowledgement \
         stayed unsynced on the device",
        LOSSY_FOR.as_secs_f64(),
        report.cuts
    );
    stage.finish(report).await
}
