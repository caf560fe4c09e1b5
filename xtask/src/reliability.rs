//! The reliability harness's long runs (R-REL-1 to R-REL-4): CI runs each
//! briefly inside `cargo xtask test`; these commands run them for as long
//! as asked and print what they found.
//!
//! - `soak crash --cycles N`: the crash loop against the release server.
//! - `soak load --minutes M`: 1,000 sockets, 300 documents and 350 edits a
//!   second against the release server, then against the reference relay
//!   (R-REL-6); prints latency, errors, memory and CPU window by window.
//! - `soak faults`: the fault scenarios (R-REL-5) with their full output.
//! - `soak browser --cycles N`: Chromium killed while typing, N times.
//! - `soak sim --seeds N`: the deterministic simulation over N seeds, in
//!   release.
//! - `fuzz [TARGET…] [--seconds N] [--minimise]`: each fuzz target under
//!   libFuzzer, coverage-guided (cargo-bolero, installed when missing, with
//!   the stable toolchain standing in for nightly), for N seconds; then
//!   executions and crashes per target. `--minimise` shrinks each checked-in
//!   corpus to the inputs that add coverage.

use std::process::Stdio;

use anyhow::{Context, Result, bail};

use crate::setup;
use crate::steps::Steps;

/// The fuzz targets, as named in `fuzz/src/targets.rs`.
pub const FUZZ_TARGETS: [&str; 7] = [
    "r_rel_4_sync_message",
    "r_rel_4_gate_frame",
    "r_rel_4_cohort_csv",
    "r_rel_4_staff_csv",
    "r_rel_4_session_cookie",
    "r_rel_4_sync_ticket",
    "r_rel_4_stored_chunks",
];

const CARGO_BOLERO_VERSION: &str = "0.13.5";

pub fn soak(steps: &mut Steps, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("sim") => {
            let seeds = option(args, "--seeds")?.unwrap_or(100_000);
            let mut command = steps.command(
                "cargo",
                &[
                    "test",
                    "--release",
                    "--locked",
                    "--package",
                    "qalf-shared",
                    "--test",
                    "simulation",
                    "--",
                    "--nocapture",
                    "r_rel_3",
                ],
            );
            command.env("QALF_SIM_SEEDS", seeds.to_string());
            steps.run_command(&format!("deterministic simulation, {seeds} seeds"), command)
        }
        Some("crash") => {
            let cycles = option(args, "--cycles")?.unwrap_or(1_000);
            crate::release_server(steps)?;
            steps.run(
                &format!("crash loop, {cycles} cycles of kill -9 under writers"),
                "cargo",
                &[
                    "run",
                    "--release",
                    "--locked",
                    "--package",
                    "qalf-bench",
                    "--bin",
                    "crash-soak",
                    "--",
                    "--cycles",
                    &cycles.to_string(),
                ],
            )
        }
        Some("load") => {
            // Passed through as given (`soak-load` takes fractions too).
            let minutes = args
                .iter()
                .position(|a| a == "--minutes")
                .and_then(|at| args.get(at + 1))
                .map_or("30", String::as_str);
            setup::all(steps, setup::Needs::bench())?;
            crate::release_server(steps)?;
            let mut run = vec![
                "run",
                "--release",
                "--locked",
                "--package",
                "qalf-bench",
                "--bin",
                "soak-load",
                "--",
            ];
            // Options (`--relay`, `--sockets`, `--rate`…) pass through.
            run.extend(args[1..].iter().map(String::as_str));
            let default_minutes = ["--minutes", "30"];
            if !args.iter().any(|a| a == "--minutes") {
                run.extend(default_minutes);
            }
            steps.run(
                &format!("load soak, {minutes} minutes per relay"),
                "cargo",
                &run,
            )
        }
        Some("faults") => {
            steps.run(
                "build the server",
                "cargo",
                &["build", "--locked", "--package", "qalf-server"],
            )?;
            steps.run(
                "fault scenarios: disk full, database busy, stalled and flooding devices, lossy network",
                "cargo",
                &[
                    "test",
                    "--locked",
                    "--package",
                    "qalf-bench",
                    "--test",
                    "faults",
                    "--",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ],
            )
        }
        Some("browser") => {
            let cycles = option(args, "--cycles")?.unwrap_or(200);
            setup::all(steps, setup::Needs::everything())?;
            crate::build_front_end(steps)?;
            steps.run(
                "build the server for the browser",
                "cargo",
                &["build", "--package", "qalf-server", "--locked"],
            )?;
            let mut command = steps.command(
                "cargo",
                &[
                    "test",
                    "--locked",
                    "--package",
                    "qalf-e2e",
                    "--test",
                    "browser",
                    "--",
                    "--nocapture",
                    "r_rel_2",
                ],
            );
            command.env("QALF_REL2_CYCLES", cycles.to_string());
            steps.run_command(&format!("browser kill loop, {cycles} cycles"), command)
        }
        Some(other) => bail!(
            "unknown soak `{other}`; try `cargo xtask soak crash --cycles 1000`, `soak load --minutes 30`, `soak faults`, `soak browser --cycles 200` or `soak sim --seeds 100000`"
        ),
        None => bail!(
            "name a soak: `cargo xtask soak crash --cycles 1000`, `soak load --minutes 30`, `soak faults`, `soak browser --cycles 200` or `soak sim --seeds 100000`"
        ),
    }
}

pub fn fuzz(steps: &mut Steps, args: &[String]) -> Result<()> {
    let seconds = option(args, "--seconds")?.unwrap_or(60);
    let minimise = args.iter().any(|a| a == "--minimise");
    let named: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| FUZZ_TARGETS.contains(a))
        .collect();
    let targets = if named.is_empty() {
        FUZZ_TARGETS.to_vec()
    } else {
        named
    };
    cargo_bolero(steps)?;
    let mut findings = Vec::new();
    for target in targets {
        if minimise {
            steps.run(
                &format!("minimise the corpus of {target}"),
                "cargo",
                &[
                    "bolero",
                    "reduce",
                    "--package",
                    "qalf-fuzz",
                    "--rustc-bootstrap",
                    "--sanitizer",
                    "NONE",
                    &format!("targets::{target}"),
                ],
            )?;
            continue;
        }
        let time = format!("{seconds}s");
        let test = format!("targets::{target}");
        let mut outcome = None;
        steps.step(&format!("fuzz {target} for {seconds} s"), || {
            let out = steps_command_output(
                "cargo",
                &[
                    "bolero",
                    "test",
                    "--package",
                    "qalf-fuzz",
                    "--rustc-bootstrap",
                    "--sanitizer",
                    "NONE",
                    "-T",
                    &time,
                    &test,
                ],
            )?;
            let found = Finding::read(target, &out.0, out.1);
            let said = found.to_string();
            outcome = Some(found);
            Ok(said)
        })?;
        findings.extend(outcome);
    }
    if !findings.is_empty() {
        println!("\nfuzzing, {seconds} s per target (libFuzzer, coverage-guided):");
        for f in &findings {
            println!("  {f}");
        }
        let crashes: usize = findings.iter().map(|f| f.crashes).sum();
        if crashes > 0 {
            bail!("{crashes} crashes: see fuzz/src/__fuzz__/targets__<target>/crashes");
        }
    }
    Ok(())
}

/// What one fuzzing run found.
struct Finding {
    target: String,
    executions: u64,
    crashes: usize,
}

impl Finding {
    /// Reads libFuzzer's closing lines (`Done 123 runs in 60 second(s)`,
    /// or the last `#123` status line) and whether it stopped on a crash.
    fn read(target: &str, output: &str, succeeded: bool) -> Finding {
        let done = output.lines().rev().find_map(|line| {
            let rest = line.trim().strip_prefix("Done ")?;
            rest.split_whitespace().next()?.parse().ok()
        });
        let last_status = output.lines().rev().find_map(|line| {
            let rest = line.trim().strip_prefix('#')?;
            rest.split_whitespace().next()?.parse().ok()
        });
        let crashed =
            !succeeded || output.contains("==ERROR: libFuzzer") || output.contains("panicked at");
        Finding {
            target: target.to_string(),
            executions: done.or(last_status).unwrap_or(0),
            crashes: usize::from(crashed),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} executions, {} crashes",
            self.target, self.executions, self.crashes
        )
    }
}

/// Runs a command, echoing nothing, and returns its output and success.
fn steps_command_output(program: &str, args: &[&str]) -> Result<(String, bool)> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("starting `{program}`"))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((text, out.status.success()))
}

/// cargo-bolero drives libFuzzer; installed from crates.io when missing.
fn cargo_bolero(steps: &mut Steps) -> Result<()> {
    let name = format!("cargo-bolero {CARGO_BOLERO_VERSION}");
    let found = steps
        .output("cargo", &["bolero", "--version"])
        .unwrap_or_default();
    if found.contains(CARGO_BOLERO_VERSION) {
        steps.skip(&name, "installed");
        return Ok(());
    }
    setup::cargo_install(
        steps,
        &name,
        &[
            "cargo-bolero",
            "--version",
            CARGO_BOLERO_VERSION,
            "--locked",
            "--no-default-features",
        ],
    )
}

/// `--name N` from the arguments.
fn option(args: &[String], name: &str) -> Result<Option<u64>> {
    let Some(at) = args.iter().position(|a| a == name) else {
        return Ok(None);
    };
    let value = args
        .get(at + 1)
        .with_context(|| format!("{name} needs a number"))?;
    value
        .parse()
        .map(Some)
        .with_context(|| format!("{name} needs a number, not `{value}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_output_gives_executions_and_crashes() {
        let clean = "#4096\tpulse  cov: 812 ft: 1400 corp: 61/2k exec/s: 2048\nDone 123456 runs in 60 second(s)\n";
        let found = Finding::read("t", clean, true);
        assert_eq!((found.executions, found.crashes), (123_456, 0));
        let crashed = "#77\tNEW cov: 10\n==12== ERROR: libFuzzer: deadly signal\nthread panicked at src/x.rs\n";
        let found = Finding::read("t", crashed, false);
        assert_eq!((found.executions, found.crashes), (77, 1));
    }

    #[test]
    fn every_fuzz_target_is_listed() {
        let targets = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/src/targets.rs"),
        )
        .unwrap();
        let named = targets.matches("fn r_rel_4_").count();
        assert_eq!(named, FUZZ_TARGETS.len());
        for target in FUZZ_TARGETS {
            assert!(targets.contains(&format!("fn {target}()")), "{target}");
        }
    }
}
