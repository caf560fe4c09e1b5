//! `sync-bench`: our sync relay against a reference relay assembled from
//! the npm automerge-repo packages, under the same load generator in one
//! run (`cargo xtask bench sync`).
//!
//! Both relays run as child processes on this machine; the load generator
//! is this process: simulated devices, each the app's own sync client
//! (`qalf_shared::sync::Client`) over its own WebSocket. Per relay, in
//! order (see [`scenarios`] for how each figure is taken):
//!
//! 1. fresh relay, restarted so that nothing is loaded: memory per idle
//!    connection (200 sockets) and join time;
//! 2. restarted: memory per loaded document (1,000 small notes), the time
//!    for a new device to sync all 1,000 while the relay is warm, then 20
//!    more devices joining beside the loaded documents;
//! 3. restarted: the same first sync with the documents on disk only;
//! 4. edit-to-visible latency (p50, p99) with 2, 20 and 200 clients on one
//!    document and across 200 documents, each scenario on a freshly
//!    restarted relay (what a relay keeps loaded from earlier scenarios
//!    would otherwise weigh on later ones; step 2 measures that cost).
//!
//! Both relays see the same documents and the same edit schedule (a seeded
//! generator). The table goes to stdout, progress to stderr; a measurement
//! that fails (e.g. times out) is listed under the table, and the run still
//! succeeds. It fails only if a relay cannot be found or started.
//!
//! Options: `--quick` runs a fifth of the edits and 200 documents (a smoke
//! test); `--relay ours|reference` runs one relay; `--scenario N` runs only
//! latency scenario N (1-6) on a fresh relay.

mod report;

use qalf_bench::{relay, scenarios};

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::relay::{Kind, Paths, Relay};
use crate::report::{Figures, Setup};
use crate::scenarios::{LatencySpec, Rng};

/// Idle sockets opened for the memory figure on an empty relay.
const IDLE_CONNECTIONS: usize = 200;
/// Idle sockets opened beside the loaded documents.
const IDLE_BESIDE_DOCUMENTS: usize = 100;
/// Documents loaded for the memory and first-sync figures.
const DOCUMENTS: usize = 1000;
/// People signed in; clients are spread over them (ours: one session each).
const PEOPLE: usize = 20;
/// Seed of the documents and edit schedule, the same for both relays.
const SEED: u64 = 0x51a7_5eed;

struct Options {
    quick: bool,
    relays: Vec<Kind>,
    /// Run only this latency scenario (1-based), skipping the rest.
    scenario: Option<usize>,
}

fn options() -> Result<Options> {
    let mut options = Options {
        quick: false,
        relays: vec![Kind::Ours, Kind::Reference],
        scenario: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--relay" => {
                options.relays = match args.next().as_deref() {
                    Some("ours") => vec![Kind::Ours],
                    Some("reference") => vec![Kind::Reference],
                    Some("both") => vec![Kind::Ours, Kind::Reference],
                    other => bail!("--relay takes ours, reference or both, not {other:?}"),
                }
            }
            "--scenario" => {
                let n = args.next().and_then(|n| n.parse().ok());
                let count = scenarios::latency_specs().len();
                match n {
                    Some(n) if (1..=count).contains(&n) => options.scenario = Some(n),
                    _ => bail!("--scenario takes a latency scenario's number, 1 to {count}"),
                }
            }
            other => bail!(
                "unknown argument {other:?} (try --quick, --relay ours|reference, --scenario N)"
            ),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sync-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let options = options()?;
    let paths = Paths::locate()?;
    let documents = if options.quick { 200 } else { DOCUMENTS };
    let specs: Vec<LatencySpec> = scenarios::latency_specs()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| options.scenario.is_none_or(|n| n == i + 1))
        .map(|(_, s)| if options.quick { s.scaled(0.2) } else { s })
        .collect();
    let setup = Setup {
        idle_connections: IDLE_CONNECTIONS,
        idle_beside_documents: IDLE_BESIDE_DOCUMENTS,
        documents,
        specs,
    };
    let work = std::env::temp_dir().join(format!("qalf-sync-bench-{}", std::process::id()));
    let started = Instant::now();
    let load_at_start = load_average();
    let mut ours = Figures::failed("not run", setup.specs.len());
    let mut reference = Figures::failed("not run", setup.specs.len());
    for kind in &options.relays {
        let dir = work.join(kind.label());
        let figures = bench(*kind, &paths, &dir, &setup, options.scenario.is_some()).await?;
        match kind {
            Kind::Ours => ours = figures,
            Kind::Reference => reference = figures,
        }
    }
    print!("{}", report::render(&setup, &ours, &reference));
    println!(
        "\n(run took {:.0} s on {} cores; load average over 5 min: {} at the start, {} at the \
         end; the load generator and anything else running share the cores with the relays)",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_at_start,
        load_average()
    );
    // Failed measurements are results too (they are listed under the
    // table); the run itself only fails if a relay does not start.
    let complete = [(&ours, Kind::Ours), (&reference, Kind::Reference)]
        .iter()
        .filter(|(_, kind)| options.relays.contains(kind))
        .all(|(figures, _)| figures.all_ok());
    if complete {
        let _ = std::fs::remove_dir_all(&work);
    } else {
        eprintln!("relay data and logs kept in {}", work.display());
    }
    Ok(())
}

/// The machine's 5-minute load average, as `/proc/loadavg` gives it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn progress(kind: Kind, what: &str) {
    eprintln!("[{}] {what}", kind.label());
}

/// Every measurement on one relay. A relay that does not start is an error;
/// a measurement that fails is reported in the table.
async fn bench(
    kind: Kind,
    paths: &Paths,
    dir: &Path,
    setup: &Setup,
    latency_only: bool,
) -> Result<Figures> {
    let mut rng = Rng::new(SEED);
    let step = Instant::now();
    progress(kind, "starting a fresh relay");
    let mut relay = Relay::start(kind, paths, &fresh(dir)?, PEOPLE).await?;
    progress(kind, &format!("started ({})", since(step)));
    if latency_only {
        let (relay, latency) = latency(kind, relay, setup, &mut rng).await?;
        relay.stop().await?;
        return Ok(Figures {
            latency,
            ..Figures::failed("skipped (--scenario)", 0)
        });
    }

    // 1. Idle connections on an empty relay. Ours seeds demo records on its
    //    first start and keeps their documents loaded; after a restart
    //    neither relay has any document loaded.
    relay = relay.restart().await?;
    let at = Instant::now();
    let idle_empty = text(scenarios::idle_connections(&mut relay, setup.idle_connections).await);
    progress(
        kind,
        &format!(
            "idle connections: {} ({})",
            show_idle(&idle_empty),
            since(at)
        ),
    );

    // 2. Documents loaded, a new device's first sync, more devices joining
    //    beside the loaded documents.
    relay = relay.restart().await?;
    let at = Instant::now();
    let loaded = scenarios::load_documents(&mut relay, setup.documents, &mut rng).await;
    let (loaded, ids) = match loaded {
        Ok(l) => (
            Ok(report::Loaded {
                bytes_per_doc: l.bytes_per_doc,
            }),
            l.ids,
        ),
        Err(e) => (Err(format!("{e:#}")), Vec::new()),
    };
    progress(kind, &format!("documents loaded ({})", since(at)));
    let first_sync_warm = first_sync(&mut relay, &ids).await;
    progress(
        kind,
        &format!("first sync, warm: {}", show_secs(&first_sync_warm)),
    );
    let at = Instant::now();
    let beside_documents = if ids.is_empty() {
        Err("no documents were loaded".to_string())
    } else {
        text(scenarios::connections_beside(&mut relay, setup.idle_beside_documents, &ids).await)
    };
    progress(
        kind,
        &format!(
            "connections beside the documents: {} ({})",
            show_idle(&beside_documents),
            since(at)
        ),
    );

    // 3. The same first sync with the documents on disk only.
    relay = relay.restart().await?;
    let first_sync_cold = first_sync(&mut relay, &ids).await;
    progress(
        kind,
        &format!("first sync, after restart: {}", show_secs(&first_sync_cold)),
    );

    // 4. Latency.
    let (relay, latency) = latency(kind, relay, setup, &mut rng).await?;
    relay.stop().await?;
    progress(kind, &format!("done ({})", since(step)));
    Ok(Figures {
        idle_empty,
        beside_documents,
        loaded,
        first_sync_warm,
        first_sync_cold,
        latency,
    })
}

async fn first_sync(
    relay: &mut Relay,
    ids: &[qalf_shared::sync::DocumentId],
) -> Result<std::time::Duration, String> {
    if ids.is_empty() {
        return Err("no documents were loaded".to_string());
    }
    text(scenarios::first_sync(relay, ids).await)
}

fn show_secs(took: &Result<std::time::Duration, String>) -> String {
    match took {
        Ok(d) => format!("{:.2} s", d.as_secs_f64()),
        Err(e) => format!("failed: {e}"),
    }
}

fn show_idle(idle: &Result<scenarios::Idle, String>) -> String {
    match idle {
        Ok(i) => format!(
            "{:.1} KiB each, {:.2} s",
            i.bytes / 1024.0,
            i.join_time.as_secs_f64()
        ),
        Err(e) => format!("failed: {e}"),
    }
}

/// Every latency scenario, in order, each on a freshly restarted relay (a
/// relay keeps what earlier scenarios loaded; the scenarios are measured
/// apart, and what loaded documents cost is measured on its own).
async fn latency(
    kind: Kind,
    mut relay: Relay,
    setup: &Setup,
    rng: &mut Rng,
) -> Result<(Relay, Vec<Result<scenarios::Latency, String>>)> {
    let mut latency = Vec::new();
    for spec in &setup.specs {
        relay = relay.restart().await?;
        let at = Instant::now();
        let result = text(scenarios::latency(&mut relay, spec, rng).await);
        progress(
            kind,
            &format!(
                "latency, {}: {} ({})",
                spec.label(),
                match &result {
                    Ok(l) => format!(
                        "p50 {:.1?}, p99 {:.1?}, {} pairs",
                        l.percentile(0.5).unwrap_or_default(),
                        l.percentile(0.99).unwrap_or_default(),
                        l.samples.len()
                    ),
                    Err(e) => format!("failed: {e}"),
                },
                since(at)
            ),
        );
        latency.push(result);
    }
    Ok((relay, latency))
}

fn since(at: Instant) -> String {
    format!("{:.1} s", at.elapsed().as_secs_f64())
}

/// A measurement's outcome, its error as text for the table.
fn text<T>(result: Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("{e:#}"))
}

/// An empty data folder.
fn fresh(dir: &Path) -> Result<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    Ok(dir.to_path_buf())
}
