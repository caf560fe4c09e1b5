//! Project tasks behind the README commands.
//!
//! `cargo xtask setup` installs the tools the build needs, only when they are
//! missing; `run` builds the front end and starts the server; `build` makes
//! what a council installs; `test` runs every check CI runs (and builds the
//! container image where Docker is installed); `bench` runs the benchmarks. Each step prints what it does and
//! how long it took, so cold and warm timings can be read off the output.

mod compress;
mod reliability;
mod rules;
mod setup;
mod steps;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::steps::Steps;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup              install missing tools (wasm32 target, Trunk, wasm-bindgen-cli,
                     wasm-opt, Chromium, npm test packages)
  run [server args]  build the front end (release) and start the server with demo data;
                     server args: --addr HOST:PORT (QALF_ADDR), --data-dir DIR (QALF_DATA_DIR)
  build              the release front end (dist/) and server (target/release/qalf-server)
                     for installing; see docs/deploying.md
  test               fmt, clippy (native and wasm32), every test, the release wasm build
                     and the browser end-to-end suite
  bench <name>       run a benchmark: sync, schedule, reports
  soak crash [--cycles N]
                     the release server killed (kill -9) N times under writers (default
                     1,000); prints acknowledged, lost, diverged, restart times. CI: 20
  soak load [--minutes M] [--relay ours|reference|both]
                     1,000 sockets, 300 documents, 350 edits/s for M minutes (default
                     30) against the release server, then the reference relay; prints
                     latency, errors, memory and CPU per window. CI: 200 sockets, 30 s
  soak faults        disk full, database locked, a stalled and a flooding device, a
                     lossy network, each under writers; prints what each device saw
  soak browser [--cycles N]
                     Chromium killed while typing into a note, N times (default 200),
                     offline every other time. CI: 3
  soak sim [--seeds N]
                     the deterministic simulation of devices and relay under faults,
                     N seeds (default 100,000); CI runs 1,000
  fuzz [TARGET...] [--seconds N] [--minimise]
                     each fuzz target under libFuzzer, coverage-guided, N seconds
                     (default 60); prints executions and crashes. CI replays the corpus
";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let root = workspace_root()?;
    std::env::set_current_dir(&root).context("entering the workspace root")?;
    let mut steps = Steps::new(&root);
    let result = match command.as_str() {
        "setup" => setup::all(&mut steps, setup::Needs::everything()),
        "run" => run(&mut steps, &rest),
        "build" => build(&mut steps),
        "test" => test(&mut steps),
        "bench" => bench(&mut steps, &rest),
        "soak" => reliability::soak(&mut steps, &rest),
        "fuzz" => reliability::fuzz(&mut steps, &rest),
        "" | "help" | "--help" | "-h" => {
            print!("{USAGE}");
            return Ok(());
        }
        other => {
            eprint!("unknown command `{other}`\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    steps.summary();
    result
}

fn workspace_root() -> Result<PathBuf> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .context("xtask lives one level below the workspace root")
}

/// Release build of the front end, then the server on top of it.
fn run(steps: &mut Steps, server_args: &[String]) -> Result<()> {
    setup::all(steps, setup::Needs::build())?;
    build_front_end(steps)?;
    let mut args = vec![
        "run",
        "--release",
        "--package",
        "qalf-server",
        "--",
        "--dist",
        "dist",
        "--demo",
    ];
    // `cargo xtask run -- --addr …` passes a `--` of its own: drop it.
    let server_args = match server_args.split_first() {
        Some((first, rest)) if first == "--" => rest,
        _ => server_args,
    };
    args.extend(server_args.iter().map(String::as_str));
    steps.run("start the server", "cargo", &args)
}

/// What a council installs: the front end and the server, both release.
fn build(steps: &mut Steps) -> Result<()> {
    setup::all(steps, setup::Needs::build())?;
    build_front_end(steps)?;
    release_server(steps)
}

/// The release server binary, which the benchmarks and soaks start from
/// their own target directory.
pub fn release_server(steps: &mut Steps) -> Result<()> {
    steps.run(
        "release build of the server",
        "cargo",
        &["build", "--release", "--locked", "--package", "qalf-server"],
    )
}

/// The container image of docs/deploying.md, where Docker is installed.
fn container_image(steps: &mut Steps) -> Result<()> {
    let name = "container image (Dockerfile)";
    if steps.output("docker", &["info"]).is_none() {
        steps.skip(
            name,
            "skipped: Docker is not installed or not running on this machine",
        );
        return Ok(());
    }
    steps.run(name, "docker", &["build", "--tag", "qalf:test", "."])
}

pub(crate) fn build_front_end(steps: &mut Steps) -> Result<()> {
    steps.run(
        "release build of the front end (trunk)",
        "trunk",
        &["build", "--release"],
    )?;
    steps.step(
        "compress the front end (brotli and gzip, served as is)",
        || compress::dist(std::path::Path::new("dist")),
    )
}

/// Everything CI checks, in the order that fails fastest.
fn test(steps: &mut Steps) -> Result<()> {
    setup::all(steps, setup::Needs::everything())?;
    steps.run("format check", "cargo", &["fmt", "--all", "--check"])?;
    let root = steps.root().to_path_buf();
    steps.step(
        "every rule in the domain specification named by a test",
        || rules::check(&root),
    )?;
    steps.run(
        "clippy (native)",
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    steps.run(
        "clippy (wasm32)",
        "cargo",
        &[
            "clippy",
            "--package",
            "qalf-app",
            "--package",
            "qalf-shared",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    build_front_end(steps)?;
    steps.run(
        "build the server for the end-to-end tests",
        "cargo",
        &["build", "--package", "qalf-server", "--locked"],
    )?;
    // Every test binary runs even after one fails, so one flaky test does
    // not hide the rest, and the summary names each failure.
    steps.run_tests(
        "every workspace test, end-to-end included",
        "cargo",
        &["test", "--workspace", "--locked", "--no-fail-fast"],
    )?;
    container_image(steps)
}

fn bench(steps: &mut Steps, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("sync") => {
            setup::all(steps, setup::Needs::bench())?;
            // The benchmark starts the release server binary from its own
            // target directory, so build that first.
            release_server(steps)?;
            let mut bench_args = vec![
                "run",
                "--release",
                "--locked",
                "--package",
                "qalf-bench",
                "--bin",
                "sync-bench",
            ];
            if args.len() > 1 {
                bench_args.push("--");
                bench_args.extend(args[1..].iter().map(String::as_str));
            }
            steps.run(
                "sync benchmark: our relay against the reference relay",
                "cargo",
                &bench_args,
            )
        }
        // Needs no tools beyond cargo: the import and the allocation run in
        // process, against a temporary SQLite file.
        Some("schedule") => steps.run(
            "schedule benchmark: a 20,000-row cohort import and the allocation",
            "cargo",
            &[
                "bench",
                "--locked",
                "--package",
                "qalf-server",
                "--bench",
                "schedule",
            ],
        ),
        // In process too: a large council's year in a temporary SQLite file.
        Some("reports") => steps.run(
            "reports benchmark: a large council's year, projected and reported",
            "cargo",
            &[
                "bench",
                "--locked",
                "--package",
                "qalf-server",
                "--bench",
                "reports",
            ],
        ),
        Some(other) => bail!(
            "unknown benchmark `{other}`; try `cargo xtask bench sync`, `schedule` or `reports`"
        ),
        None => bail!("name a benchmark: `cargo xtask bench sync`, `schedule` or `reports`"),
    }
}
