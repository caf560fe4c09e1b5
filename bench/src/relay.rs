//! The two relays under test, each a child process of the benchmark so that
//! its memory (`VmRSS`) and CPU time can be read from `/proc/<pid>`.
//!
//! - **ours**: the release `qalf-server` binary with demo data. A client
//!   signs in (cookie session), asks for a one-time ticket per connection and
//!   opens `/sync?ticket=…`; a document is registered (`POST /api/records`)
//!   before it is synced, as the app does.
//! - **reference**: `e2e/js/reference-relay.mjs`, automerge-repo's
//!   `NodeWSServerAdapter` and `NodeFSStorageAdapter` set up like
//!   automerge-repo-sync-server. No sign-in, no registration.
//!
//! A [`Relay`] hides that difference from the load generator: it hands out
//! socket URLs per session and registers documents (a no-op for the
//! reference). Sessions stand for people: clients of one session are devices
//! of one person.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::{DemoPersonas, Me, PersonSummary, SyncTicket};
use qalf_shared::org::PersonId;
use qalf_shared::sync::{DocumentId, PeerId};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

/// How long a relay may take to start (ours seeds the demo data on its
/// first start, hashing a hundred passwords).
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a relay may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ours,
    Reference,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Ours => "ours",
            Kind::Reference => "reference",
        }
    }
}

/// Where the programs under test are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The workspace root (holds `dist/` and `e2e/js/`).
    pub root: PathBuf,
    /// The release `qalf-server` binary.
    pub server: PathBuf,
    /// Environment for our server (e.g. a shorter demo history).
    pub server_env: Vec<(String, String)>,
    /// A program (and its arguments) our server is started through, e.g.
    /// `nsenter` into a namespace with a small disk; none by default.
    pub launcher: Vec<String>,
}

impl Paths {
    /// Finds both relays and says how to get them if one is missing.
    pub fn locate() -> Result<Paths> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("the bench crate lives one level below the workspace root")?
            .to_path_buf();
        // The benchmark binary and the server share a target directory.
        let server = std::env::current_exe()
            .context("locating the benchmark binary")?
            .with_file_name(format!("qalf-server{}", std::env::consts::EXE_SUFFIX));
        if !server.exists() {
            bail!(
                "the release server binary is missing ({}): build it with \
                 `cargo build --release -p qalf-server` (`cargo xtask bench sync` does)",
                server.display()
            );
        }
        let paths = Paths {
            root,
            server,
            server_env: Vec::new(),
            launcher: Vec::new(),
        };
        if !paths
            .js_dir()
            .join("node_modules/@automerge/automerge-repo")
            .exists()
        {
            bail!(
                "the npm packages for the reference relay are missing ({}/node_modules): \
                 run `cargo xtask setup`",
                paths.js_dir().display()
            );
        }
        let node = std::process::Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !node.is_ok_and(|s| s.success()) {
            bail!("`node` is not installed (the reference relay needs it): apt-get install nodejs");
        }
        Ok(paths)
    }

    /// Our server only (no reference relay, so no Node): `QALF_SERVER_BIN`,
    /// else the `qalf-server` binary beside this program or, for a test
    /// binary in `deps/`, one folder up.
    pub fn ours_only() -> Result<Paths> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("the bench crate lives one level below the workspace root")?
            .to_path_buf();
        let name = format!("qalf-server{}", std::env::consts::EXE_SUFFIX);
        let exe = std::env::current_exe().context("locating this program")?;
        let candidates = [
            std::env::var_os("QALF_SERVER_BIN").map(PathBuf::from),
            Some(exe.with_file_name(&name)),
            exe.parent()
                .and_then(Path::parent)
                .map(|dir| dir.join(&name)),
        ];
        let server = candidates
            .into_iter()
            .flatten()
            .find(|p| p.exists())
            .with_context(|| {
                format!(
                    "the server binary is missing beside {}: build it with \
                     `cargo build -p qalf-server` (or set QALF_SERVER_BIN)",
                    exe.display()
                )
            })?;
        Ok(Paths {
            root,
            server,
            server_env: Vec::new(),
            launcher: Vec::new(),
        })
    }

    fn js_dir(&self) -> PathBuf {
        self.root.join("e2e/js")
    }
}

/// A signed-in person (ours) or a stand-in person id (reference).
struct Session {
    person: PersonId,
    /// Ours: the signed-in HTTP client (it holds the session cookie) and
    /// the username it signed in with.
    http: Option<(reqwest::Client, String)>,
}

/// A running relay and the sessions clients connect through.
pub struct Relay {
    pub kind: Kind,
    paths: Paths,
    data_dir: PathBuf,
    child: Child,
    pid: u32,
    port: u16,
    sessions: Vec<Session>,
    /// Sessions made at start, one per person; clients are spread over them.
    people: usize,
    devices: u64,
    /// The demo password (ours).
    password: String,
    /// From starting the process to its saying it serves.
    pub time_to_serve: Duration,
    /// Where sockets connect, if not to `port` (a proxy).
    socket_port: Option<u16>,
}

impl Relay {
    /// Starts a relay on a free port with its data under `data_dir` (kept
    /// across restarts) and opens `people` sessions.
    pub async fn start(kind: Kind, paths: &Paths, data_dir: &Path, people: usize) -> Result<Relay> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let log_path = data_dir.with_extension("log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let mut command = match kind {
            Kind::Ours => {
                let mut c = match paths.launcher.split_first() {
                    None => Command::new(&paths.server),
                    Some((program, args)) => {
                        let mut c = Command::new(program);
                        c.args(args).arg(&paths.server);
                        c
                    }
                };
                c.arg("--addr")
                    .arg("127.0.0.1:0")
                    .arg("--data-dir")
                    .arg(data_dir)
                    .arg("--dist")
                    .arg(paths.root.join("dist"))
                    .arg("--demo")
                    .env("RUST_LOG", "warn")
                    // The load generator asks for every socket's ticket
                    // before it opens any (so memory readings see sockets
                    // only); a person may hold 8 unspent tickets by default.
                    .env("QALF_MAX_TICKETS_PER_PERSON", "1000")
                    .envs(paths.server_env.iter().map(|(k, v)| (k, v)));
                c
            }
            Kind::Reference => {
                let mut c = Command::new("node");
                c.arg(paths.js_dir().join("reference-relay.mjs"))
                    .arg("--port")
                    .arg("0")
                    .arg("--dir")
                    .arg(data_dir);
                c
            }
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        let spawned = std::time::Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("starting the {} relay", kind.label()))?;
        let stdout = child.stdout.take().context("relay stdout")?;
        let ready =
            tokio::time::timeout(START_TIMEOUT, wait_ready(kind, stdout, log_path.clone())).await;
        let time_to_serve = spawned.elapsed();
        let (port, pid) = match ready {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                let _ = child.kill().await;
                bail!(
                    "the {} relay did not start: {e:#}\n--- {} ---\n{}",
                    kind.label(),
                    log_path.display(),
                    tail(&log_path)
                );
            }
            Err(_) => {
                let _ = child.kill().await;
                bail!(
                    "the {} relay did not report ready within {:?}\n--- {} ---\n{}",
                    kind.label(),
                    START_TIMEOUT,
                    log_path.display(),
                    tail(&log_path)
                );
            }
        };
        let pid = pid.or(child.id()).context("relay pid")?;
        let mut relay = Relay {
            kind,
            paths: paths.clone(),
            data_dir: data_dir.to_path_buf(),
            child,
            pid,
            port,
            sessions: Vec::new(),
            people,
            devices: 0,
            password: String::new(),
            time_to_serve,
            socket_port: None,
        };
        relay.open_sessions(people).await?;
        Ok(relay)
    }

    /// Stops the relay (SIGTERM: the reference flushes its storage) and
    /// starts it again on the same data.
    pub async fn restart(self) -> Result<Relay> {
        let (kind, paths, dir, people) = (
            self.kind,
            self.paths.clone(),
            self.data_dir.clone(),
            self.people,
        );
        self.stop().await?;
        Relay::start(kind, &paths, &dir, people).await
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Routes sockets through `port` on 127.0.0.1 (a proxy in front of the
    /// relay) instead of the relay's own port; sign-in and tickets still go
    /// to the relay directly.
    pub fn route_sockets_through(&mut self, port: u16) {
        self.socket_port = Some(port);
    }

    /// The last lines the relay wrote to its log.
    pub fn log_tail(&self) -> String {
        tail(&self.data_dir.with_extension("log"))
    }

    /// Everything the relay has logged since its data folder was made
    /// (across restarts).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.with_extension("log")).unwrap_or_default()
    }

    /// `kill -9`: no chance to flush or close anything.
    pub async fn kill(&mut self) -> Result<()> {
        self.child.kill().await.context("killing the relay")
    }

    /// Starts it again on the same data, as after a crash.
    pub async fn start_again(&self) -> Result<Relay> {
        Relay::start(self.kind, &self.paths, &self.data_dir, self.people).await
    }

    pub async fn stop(mut self) -> Result<()> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        match tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await {
            Ok(status) => {
                status.context("waiting for the relay to stop")?;
            }
            Err(_) => {
                eprintln!(
                    "  the {} relay ignored SIGTERM for {STOP_TIMEOUT:?}; killing it",
                    self.kind.label()
                );
                self.child.kill().await.context("killing the relay")?;
            }
        }
        Ok(())
    }

    /// Sign-ins (ours) or stand-in people (reference).
    async fn open_sessions(&mut self, people: usize) -> Result<()> {
        match self.kind {
            Kind::Reference => {
                for n in 0..people {
                    self.sessions.push(Session {
                        person: PersonId::parse(format!("bench-p{n:03}"))?,
                        http: None,
                    });
                }
            }
            Kind::Ours => {
                let personas: DemoPersonas = reqwest::get(self.url("/api/demo/personas"))
                    .await?
                    .error_for_status()?
                    .json()
                    .await
                    .context("listing the demo personas")?;
                self.password = personas.password;
                let first = personas.personas.first().context("no demo personas")?;
                let (http, _) = self.sign_in(&first.username).await?;
                let people_list: Vec<PersonSummary> = http
                    .get(self.url("/api/people"))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await
                    .context("listing people")?;
                for person in &people_list {
                    if self.sessions.len() == people {
                        break;
                    }
                    // Two people may share a name (and so a username); skip
                    // whoever cannot sign in under it.
                    let username = username_for(&person.name);
                    if let Ok((http, me)) = self.sign_in(&username).await
                        && me.id == person.id
                    {
                        self.sessions.push(Session {
                            person: me.id,
                            http: Some((http, username)),
                        });
                    }
                }
                if self.sessions.len() < people {
                    bail!(
                        "only {} of the {people} demo people could sign in",
                        self.sessions.len()
                    );
                }
            }
        }
        Ok(())
    }

    async fn sign_in(&self, username: &str) -> Result<(reqwest::Client, Me)> {
        let http = reqwest::Client::builder().cookie_store(true).build()?;
        let me: Me = http
            .post(self.url("/api/session"))
            .json(&serde_json::json!({ "username": username, "password": self.password }))
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("signing in as {username}"))?
            .json()
            .await?;
        Ok((http, me))
    }

    /// Opens another session for the person of `session` (a new device
    /// signing in); returns its index.
    pub async fn new_session(&mut self, session: usize) -> Result<usize> {
        let person = self.person(session).clone();
        let http = match &self.sessions[session].http {
            None => None,
            Some((_, username)) => {
                let (http, _) = self.sign_in(username).await?;
                Some((http, username.clone()))
            }
        };
        self.sessions.push(Session { person, http });
        Ok(self.sessions.len() - 1)
    }

    /// Sessions opened at start (clients are spread over these).
    pub fn people(&self) -> usize {
        self.people
    }

    pub fn person(&self, session: usize) -> &PersonId {
        &self.sessions[session].person
    }

    fn http(&self, session: usize) -> Result<&reqwest::Client> {
        self.sessions[session]
            .http
            .as_ref()
            .map(|(http, _)| http)
            .context("no HTTP session for the reference relay")
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A new device's peer id for `session`'s person.
    pub fn new_peer(&mut self, session: usize) -> PeerId {
        self.devices += 1;
        PeerId::for_person(self.person(session), &format!("bench{}", self.devices))
    }

    /// Where `peer` (a device of `session`'s person) opens its socket. For
    /// ours this spends an HTTP request on a one-time ticket.
    pub async fn socket_url(&self, session: usize, peer: &PeerId) -> Result<String> {
        match self.kind {
            Kind::Reference => Ok(format!(
                "ws://127.0.0.1:{}/",
                self.socket_port.unwrap_or(self.port)
            )),
            Kind::Ours => {
                let ticket: SyncTicket = self
                    .http(session)?
                    .post(self.url("/api/sync/ticket"))
                    .json(&serde_json::json!({ "peer_id": peer.as_str() }))
                    .send()
                    .await?
                    .error_for_status()
                    .context("asking for a sync ticket")?
                    .json()
                    .await?;
                Ok(format!(
                    "ws://127.0.0.1:{}/sync?ticket={}",
                    self.socket_port.unwrap_or(self.port),
                    ticket.ticket
                ))
            }
        }
    }

    /// Registers a note made by `creator`'s person and shared with the
    /// people of `members` (ours); the reference needs nothing.
    pub async fn register(
        &self,
        document: &DocumentId,
        creator: usize,
        members: &[usize],
    ) -> Result<()> {
        if self.kind == Kind::Reference {
            return Ok(());
        }
        let created_by = self.person(creator).clone();
        let mut people: Vec<PersonId> = members
            .iter()
            .map(|m| self.person(*m).clone())
            .filter(|p| *p != created_by)
            .collect();
        people.sort();
        people.dedup();
        let meta = RecordMeta {
            id: document.clone(),
            created_by,
            created_at: 0,
            parties: Parties::Note { members: people },
        };
        self.http(creator)?
            .post(self.url("/api/records"))
            .json(&meta)
            .send()
            .await?
            .error_for_status()
            .context("registering a document")?;
        Ok(())
    }

    /// Resident memory of the relay process, in bytes.
    pub fn rss(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .with_context(|| format!("reading /proc/{}/status", self.pid))?;
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in /proc/<pid>/status")?;
        Ok(kib * 1024)
    }

    /// CPU time (user + system) the relay process has used so far.
    pub fn cpu(&self) -> Result<Duration> {
        process_cpu(self.pid)
    }
}

/// CPU time (user + system) process `pid` has used so far.
pub fn process_cpu(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): state is
    // field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| -> Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .context("malformed /proc/<pid>/stat")
    };
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_secs_f64(total as f64 / clock_ticks() as f64))
}

/// Reads the relay's stdout until it says it is listening; returns the port
/// and, for the reference, the pid it reports.
async fn wait_ready(kind: Kind, stdout: ChildStdout, log: PathBuf) -> Result<(u16, Option<u32>)> {
    let mut lines = BufReader::new(stdout).lines();
    let found = loop {
        let Some(line) = lines.next_line().await? else {
            bail!("it exited before it was ready");
        };
        match kind {
            Kind::Ours => {
                if let Some(url) = line.trim().strip_prefix("QALF is running at ") {
                    let port = url
                        .rsplit(':')
                        .next()
                        .and_then(|p| p.trim_end_matches('/').parse().ok())
                        .with_context(|| format!("no port in {url:?}"))?;
                    break (port, None);
                }
            }
            Kind::Reference => {
                let ready: serde_json::Value = serde_json::from_str(&line)
                    .with_context(|| format!("unexpected first line {line:?}"))?;
                let port = ready["listening"].as_u64().context("no `listening` port")?;
                let pid = ready["pid"].as_u64().context("no `pid`")?;
                break (u16::try_from(port)?, Some(u32::try_from(pid)?));
            }
        }
    };
    // Keep draining stdout (where our server logs) into the relay's log
    // file, so the relay never blocks on a full pipe and its log can be
    // read.
    tokio::spawn(async move {
        let mut file = tokio::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .await
            .ok();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(f) = file.as_mut() {
                let _ = f.write_all(format!("{line}\n").as_bytes()).await;
            }
        }
    });
    Ok(found)
}

/// The demo username of a person: their name lowercased, dot-joined
/// (`server/src/demo/mod.rs`, `username_for`).
fn username_for(name: &str) -> String {
    name.split_whitespace()
        .map(|part| {
            part.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100)
    })
}

/// The last lines of a log, for error messages.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
