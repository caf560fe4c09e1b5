//! `soak-load`: the load soak (R-REL-6) for as long as asked (`cargo xtask
//! soak load --minutes 30`): 1,000 sockets, 300 documents and 350 edits a
//! second against the release server, then the same load against the
//! reference automerge-repo relay in the same run, for the ratios.
//!
//! Options: `--minutes M` (30), `--sockets N`, `--documents N`, `--rate R`
//! (edits per second), `--relay ours|reference|both` (both). Prints each
//! relay's figures window by window and a comparison; fails if our relay
//! had an error (an edit lost or missing, a socket dropped).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use qalf_bench::relay::{Kind, Paths, Relay};
use qalf_bench::soak::{self, SoakPlan, SoakReport};

fn option<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>> {
    args.iter()
        .position(|a| a == name)
        .map(|at| {
            args.get(at + 1)
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("{name} needs a number"))
        })
        .transpose()
}

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut plan = SoakPlan::hocuspocus(option(&args, "--minutes")?.unwrap_or(30.0));
    plan.sockets = option(&args, "--sockets")?.unwrap_or(plan.sockets);
    plan.documents = option(&args, "--documents")?.unwrap_or(plan.documents);
    plan.rate = option(&args, "--rate")?.unwrap_or(plan.rate);
    let relays = match args
        .iter()
        .position(|a| a == "--relay")
        .and_then(|at| args.get(at + 1))
        .map(String::as_str)
    {
        None | Some("both") => vec![Kind::Ours, Kind::Reference],
        Some("ours") => vec![Kind::Ours],
        Some("reference") => vec![Kind::Reference],
        Some(other) => bail!("--relay takes ours, reference or both, not {other:?}"),
    };
    let mut paths = if relays.contains(&Kind::Reference) {
        Paths::locate()?
    } else {
        Paths::ours_only()?
    };
    paths.server_env.extend(plan.server_env());
    let data = tempfile::tempdir().context("a data folder")?;
    let mut reports = Vec::new();
    for kind in relays {
        eprintln!("soak: the {} relay", kind.label());
        let mut relay =
            Relay::start(kind, &paths, &data.path().join(kind.label()), plan.people()).await?;
        let report = soak::run(&mut relay, &plan).await;
        relay.stop().await?;
        let report = report?;
        println!("{report}\n");
        reports.push(report);
    }
    if let [ours, reference] = reports.as_slice() {
        println!("{}", compare(ours, reference));
    }
    let ours_clean = reports
        .iter()
        .filter(|r| r.relay == Kind::Ours.label())
        .all(|r| r.errors() == 0);
    Ok(if ours_clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Ours against the reference: below 1 is better for every ratio.
fn compare(ours: &SoakReport, reference: &SoakReport) -> String {
    let ratio = |a: Option<Duration>, b: Option<Duration>| match (a, b) {
        (Some(a), Some(b)) if !b.is_zero() => {
            let r = a.as_secs_f64() / b.as_secs_f64();
            if r < 0.01 {
                format!("{r:.1e}")
            } else {
                format!("{r:.3}")
            }
        }
        _ => "-".into(),
    };
    let per = |a: Duration, b: Duration| {
        if b.is_zero() {
            "-".into()
        } else {
            format!("{:.3}", a.as_secs_f64() / b.as_secs_f64())
        }
    };
    format!(
        "ours / reference: p50 {}, p99 {}, max {}, CPU per edit {}, RSS at the end {:.2}; \
         errors {} against {}",
        ratio(ours.percentile(0.5), reference.percentile(0.5)),
        ratio(ours.percentile(0.99), reference.percentile(0.99)),
        ratio(
            ours.samples.last().copied(),
            reference.samples.last().copied()
        ),
        per(ours.cpu_per_edit, reference.cpu_per_edit),
        ours.rss_end as f64 / reference.rss_end.max(1) as f64,
        ours.errors(),
        reference.errors()
    )
}
