//! `crash-soak`: the crash loop (R-REL-1) for as many cycles as asked
//! (`cargo xtask soak crash --cycles 1000`), against the release server.
//! Prints the figures; fails if anything acknowledged was lost or two
//! readers disagree.

use std::process::ExitCode;

use anyhow::{Context, Result};
use qalf_bench::crash::{self, CrashPlan};
use qalf_bench::relay::Paths;

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cycles = args
        .iter()
        .position(|a| a == "--cycles")
        .and_then(|at| args.get(at + 1))
        .map(|n| n.parse::<usize>().context("--cycles needs a number"))
        .transpose()?
        .unwrap_or(1_000);
    let mut paths = Paths::ours_only()?;
    // The loop needs people, not a year of demo records.
    paths
        .server_env
        .push(("QALF_DEMO_HISTORY_MONTHS".into(), "0".into()));
    let data = tempfile::tempdir().context("a data folder")?;
    let report = crash::run(&paths, &data.path().join("data"), &CrashPlan::new(cycles)).await?;
    println!("{report}");
    Ok(if report.lost == 0 && report.diverged == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
