//! The printed table: each figure for ours and the reference, and the ratio
//! ours / reference beside it (below 1 means ours is lower: faster, smaller).

use std::fmt::Write as _;
use std::time::Duration;

use qalf_bench::scenarios::{Idle, Latency, LatencySpec};

/// Everything measured on one relay; an `Err` holds why a measurement failed.
pub struct Figures {
    pub idle_empty: Result<Idle, String>,
    pub beside_documents: Result<Idle, String>,
    pub loaded: Result<Loaded, String>,
    pub first_sync_warm: Result<Duration, String>,
    pub first_sync_cold: Result<Duration, String>,
    pub latency: Vec<Result<Latency, String>>,
}

pub struct Loaded {
    pub bytes_per_doc: f64,
}

impl Figures {
    pub fn failed(why: &str, scenarios: usize) -> Figures {
        Figures {
            idle_empty: Err(why.to_string()),
            beside_documents: Err(why.to_string()),
            loaded: Err(why.to_string()),
            first_sync_warm: Err(why.to_string()),
            first_sync_cold: Err(why.to_string()),
            latency: (0..scenarios).map(|_| Err(why.to_string())).collect(),
        }
    }

    pub fn all_ok(&self) -> bool {
        self.idle_empty.is_ok()
            && self.beside_documents.is_ok()
            && self.loaded.is_ok()
            && self.first_sync_warm.is_ok()
            && self.first_sync_cold.is_ok()
            && self.latency.iter().all(Result::is_ok)
    }
}

pub struct Setup {
    pub idle_connections: usize,
    pub idle_beside_documents: usize,
    pub documents: usize,
    pub specs: Vec<LatencySpec>,
}

const RULE: usize = 86;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(ours: Option<f64>, reference: Option<f64>) -> String {
    match (ours, reference) {
        (Some(o), Some(r)) if r > 0.0 => format!("{:.2}", o / r),
        (Some(_), Some(_)) => "n/a".into(),
        _ => "-".into(),
    }
}

fn num(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "failed".into(), |v| format!("{v:.decimals$}"))
}

/// Three columns: ours, reference, ratio.
fn triple(ours: Option<f64>, reference: Option<f64>, decimals: usize) -> String {
    format!(
        "{:>8} {:>8} {:>6}",
        num(ours, decimals),
        num(reference, decimals),
        ratio(ours, reference)
    )
}

/// Collects failed measurements for the list under the table.
struct Problems(Vec<String>);

impl Problems {
    fn pair<T>(&mut self, what: &str, ours: &Result<T, String>, reference: &Result<T, String>) {
        for (who, result) in [("ours", ours), ("reference", reference)] {
            if let Err(e) = result {
                self.0.push(format!("{who}, {what}: {e}"));
            }
        }
    }
}

fn heading(w: &mut String, title: &str) {
    let _ = writeln!(w, "\n{title:<60}{:>8} {:>8} {:>6}", "ours", "ref", "ratio");
    let _ = writeln!(w, "{}", "-".repeat(RULE));
}

fn row(w: &mut String, label: &str, figures: String) {
    let _ = writeln!(w, "{label:<60}{figures}");
}

pub fn render(setup: &Setup, ours: &Figures, reference: &Figures) -> String {
    let mut w = String::new();
    let mut problems = Problems(Vec::new());
    let _ = writeln!(
        w,
        "\nSync relays under one load generator: ours = qalf-server (samod, SQLite); \
         reference = automerge-repo\n(NodeWSServerAdapter + NodeFSStorageAdapter, as \
         automerge-repo-sync-server). ratio = ours / reference:\nbelow 1, ours is faster \
         or smaller."
    );

    // Latency.
    let group = |name: &str| format!("{name:^22}");
    let _ = writeln!(
        w,
        "\n{:<38}{}   {}   {}   {:>13}",
        "Edit-to-visible latency, ms",
        group("p50"),
        group("p99"),
        group("relay CPU ms/edit"),
        "pairs"
    );
    let columns = format!("{:>8} {:>8} {:>6}", "ours", "ref", "ratio");
    let _ = writeln!(
        w,
        "{:<38}{columns}   {columns}   {columns}   {:>6} {:>6}",
        "", "ours", "ref"
    );
    let _ = writeln!(w, "{}", "-".repeat(RULE + 46));
    let mut p99 = Vec::new();
    for (i, spec) in setup.specs.iter().enumerate() {
        problems.pair(&spec.label(), &ours.latency[i], &reference.latency[i]);
        let o = ours.latency[i].as_ref().ok();
        let r = reference.latency[i].as_ref().ok();
        let pct = |l: Option<&Latency>, q| l.and_then(|l| l.percentile(q)).map(ms);
        let cpu = |l: Option<&Latency>| l.map(|l| ms(l.relay_cpu) / l.edits as f64);
        let pairs =
            |l: Option<&Latency>| l.map_or("-".to_string(), |l| l.samples.len().to_string());
        let _ = writeln!(
            w,
            "{:<38}{}   {}   {}   {:>6} {:>6}",
            format!("{}, {}/s", spec.label(), spec.rate),
            triple(pct(o, 0.50), pct(r, 0.50), 1),
            triple(pct(o, 0.99), pct(r, 0.99), 1),
            triple(cpu(o), cpu(r), 2),
            pairs(o),
            pairs(r),
        );
        for (who, l) in [("ours", o), ("reference", r)] {
            if let Some(l) = l
                && l.lost + l.missing > 0
            {
                problems.0.push(format!(
                    "{who}, {}: {} (edit, observer) pairs never seen, {} markers missing at the end",
                    spec.label(),
                    l.lost,
                    l.missing
                ));
            }
        }
        match (pct(o, 0.99), pct(r, 0.99)) {
            (Some(po), Some(pr)) => p99.push((spec.label(), po <= pr)),
            (None, Some(_)) => p99.push((format!("{} (ours failed)", spec.label()), false)),
            _ => {}
        }
    }

    // Memory.
    heading(&mut w, "Memory (relay RSS), KiB");
    let idle_kib = |r: &Result<Idle, String>| r.as_ref().ok().map(|i| i.bytes / 1024.0);
    problems.pair("idle connections", &ours.idle_empty, &reference.idle_empty);
    let idle = (idle_kib(&ours.idle_empty), idle_kib(&reference.idle_empty));
    row(
        &mut w,
        &format!(
            "per idle connection, empty relay ({} sockets)",
            setup.idle_connections
        ),
        triple(idle.0, idle.1, 1),
    );
    problems.pair(
        "idle connections beside loaded documents",
        &ours.beside_documents,
        &reference.beside_documents,
    );
    let beside_documents = (
        idle_kib(&ours.beside_documents),
        idle_kib(&reference.beside_documents),
    );
    row(
        &mut w,
        &format!(
            "per connection, {} documents loaded ({} sockets)",
            setup.documents, setup.idle_beside_documents
        ),
        triple(beside_documents.0, beside_documents.1, 1),
    );
    problems.pair("loaded documents", &ours.loaded, &reference.loaded);
    let per_doc = |r: &Result<Loaded, String>| r.as_ref().ok().map(|l| l.bytes_per_doc / 1024.0);
    let docs = (per_doc(&ours.loaded), per_doc(&reference.loaded));
    row(
        &mut w,
        &format!("per loaded document ({} small notes)", setup.documents),
        triple(docs.0, docs.1, 1),
    );

    // Time to connect and to sync.
    heading(&mut w, "Connecting and first sync, s");
    let join = |r: &Result<Idle, String>| r.as_ref().ok().map(|i| i.join_time.as_secs_f64());
    row(
        &mut w,
        &format!("{} devices join an empty relay", setup.idle_connections),
        triple(join(&ours.idle_empty), join(&reference.idle_empty), 2),
    );
    row(
        &mut w,
        &format!(
            "{} devices join beside {} loaded documents, open one each",
            setup.idle_beside_documents, setup.documents
        ),
        triple(
            join(&ours.beside_documents),
            join(&reference.beside_documents),
            2,
        ),
    );
    let secs = |r: &Result<Duration, String>| r.as_ref().ok().map(Duration::as_secs_f64);
    problems.pair(
        "first sync (warm)",
        &ours.first_sync_warm,
        &reference.first_sync_warm,
    );
    problems.pair(
        "first sync (after restart)",
        &ours.first_sync_cold,
        &reference.first_sync_cold,
    );
    let warm = (
        secs(&ours.first_sync_warm),
        secs(&reference.first_sync_warm),
    );
    let cold = (
        secs(&ours.first_sync_cold),
        secs(&reference.first_sync_cold),
    );
    row(
        &mut w,
        &format!("new device syncs {} documents, relay warm", setup.documents),
        triple(warm.0, warm.1, 2),
    );
    row(
        &mut w,
        &format!(
            "new device syncs {} documents, relay just restarted",
            setup.documents
        ),
        triple(cold.0, cold.1, 2),
    );

    // Targets.
    let _ = writeln!(w, "\nTargets");
    let _ = writeln!(w, "{}", "-".repeat(RULE));
    let met = p99.iter().filter(|(_, ok)| *ok).count();
    let missed: Vec<&str> = p99
        .iter()
        .filter(|(_, ok)| !*ok)
        .map(|(l, _)| l.as_str())
        .collect();
    let _ = writeln!(
        w,
        "our p99 at or below the reference's: {met} of {} scenarios{}",
        setup.specs.len(),
        if missed.is_empty() {
            String::new()
        } else {
            format!(" (not: {})", missed.join("; "))
        }
    );
    let at_most = |pair: (Option<f64>, Option<f64>)| match pair {
        (Some(o), Some(r)) if o <= r => "yes",
        (Some(_), Some(_)) => "NO",
        _ => "unknown",
    };
    let _ = writeln!(
        w,
        "our memory at or below the reference's: per idle connection {} (empty relay), {} \
         (documents loaded); per loaded document {}",
        at_most(idle),
        at_most(beside_documents),
        at_most(docs)
    );
    let under = |s: Option<f64>| match s {
        Some(s) if s < 5.0 => format!("yes ({s:.2} s)"),
        Some(s) => format!("NO ({s:.2} s)"),
        None => "unknown".into(),
    };
    let _ = writeln!(
        w,
        "our first sync of {} documents under 5 s: relay warm {}, just restarted {}",
        setup.documents,
        under(warm.0),
        under(cold.0)
    );
    if !problems.0.is_empty() {
        let _ = writeln!(w, "\nProblems");
        let _ = writeln!(w, "{}", "-".repeat(RULE));
        for p in &problems.0 {
            let _ = writeln!(w, "{p}");
        }
    }
    w
}
