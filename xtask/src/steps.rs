//! Runs the commands of a task one step at a time, printing each step and
//! keeping its duration for the summary at the end.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub struct Steps {
    root: PathBuf,
    done: Vec<(String, Duration, bool)>,
    /// Lines naming what failed in a test step (test names, panic messages,
    /// cargo's "to rerun" hints), repeated in the summary: a CI log that is
    /// cut to its tail still says which test failed and why.
    failures: Vec<String>,
}

impl Steps {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            done: Vec::new(),
            failures: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Folder for tools installed from npm (wasm-opt) and the npm test packages.
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join(".tools")
    }

    /// PATH with the project's npm tools first, so Trunk finds our wasm-opt.
    pub fn path_env(&self) -> OsString {
        let mut paths = vec![self.tools_dir().join("node_modules").join(".bin")];
        if let Some(home) = std::env::var_os("CARGO_HOME") {
            paths.push(PathBuf::from(home).join("bin"));
        } else if let Some(home) = std::env::var_os("HOME") {
            paths.push(PathBuf::from(home).join(".cargo").join("bin"));
        }
        if let Some(existing) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&existing));
        }
        std::env::join_paths(paths).unwrap_or_default()
    }

    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(&self.root)
            .env("PATH", self.path_env());
        command
    }

    /// Runs `program args` as a named step; fails the task if it fails.
    pub fn run(&mut self, name: &str, program: &str, args: &[&str]) -> Result<()> {
        let command = self.command(program, args);
        self.run_command(name, command)
    }

    pub fn run_command(&mut self, name: &str, mut command: Command) -> Result<()> {
        println!("\n==> {name}");
        println!(
            "    $ {} {}",
            command.get_program().to_string_lossy(),
            command
                .get_args()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let started = Instant::now();
        let status = command
            .stdin(Stdio::inherit())
            .status()
            .with_context(|| format!("starting `{}`", command.get_program().to_string_lossy()));
        let elapsed = started.elapsed();
        let ok = matches!(&status, Ok(s) if s.success());
        self.done.push((name.to_string(), elapsed, ok));
        match status {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => bail!("step `{name}` failed ({s})"),
            Err(e) => Err(e),
        }
    }

    /// Runs a test command as a named step, echoing its output as it comes
    /// and keeping the lines that say what failed for the summary.
    pub fn run_tests(&mut self, name: &str, program: &str, args: &[&str]) -> Result<()> {
        let mut command = self.command(program, args);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        println!("\n==> {name}");
        println!("    $ {program} {}", args.join(" "));
        let started = Instant::now();
        let mut child = command
            .stdin(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting `{program}`"))?;
        let (sender, receiver) = std::sync::mpsc::channel::<(bool, String)>();
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            readers.push(forward_lines(out, false, sender.clone()));
        }
        if let Some(err) = child.stderr.take() {
            readers.push(forward_lines(err, true, sender.clone()));
        }
        drop(sender);
        let mut watch = FailureWatch::default();
        for (is_err, line) in receiver {
            if is_err {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
            watch.see(&line);
        }
        for reader in readers {
            let _ = reader.join();
        }
        let status = child.wait().context("waiting for the tests")?;
        let elapsed = started.elapsed();
        self.done
            .push((name.to_string(), elapsed, status.success()));
        self.failures.extend(watch.lines);
        if status.success() {
            Ok(())
        } else {
            bail!("step `{name}` failed ({status})")
        }
    }

    /// Runs `f` in this process as a named step.
    pub fn step(&mut self, name: &str, f: impl FnOnce() -> Result<String>) -> Result<()> {
        println!("\n==> {name}");
        let started = Instant::now();
        let result = f();
        let ok = result.is_ok();
        self.done.push((name.to_string(), started.elapsed(), ok));
        let said = result.with_context(|| format!("step `{name}` failed"))?;
        println!("    {said}");
        Ok(())
    }

    /// Records a step that needed nothing doing.
    pub fn skip(&mut self, name: &str, why: &str) {
        println!("==> {name}: {why}");
    }

    /// Output of a command, or None when it cannot run.
    pub fn output(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self.command(program, args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub fn summary(&self) {
        if self.done.is_empty() {
            return;
        }
        println!("\n==> summary");
        let mut total = Duration::ZERO;
        for (name, elapsed, ok) in &self.done {
            total += *elapsed;
            let mark = if *ok { "ok  " } else { "FAIL" };
            println!("    {mark} {:>8.1}s  {name}", elapsed.as_secs_f64());
        }
        println!("         {:>8.1}s  total", total.as_secs_f64());
        if !self.failures.is_empty() {
            println!("\n==> what failed");
            for line in &self.failures {
                println!("    {line}");
            }
        }
    }
}

fn forward_lines(
    stream: impl std::io::Read + Send + 'static,
    is_err: bool,
    sender: std::sync::mpsc::Sender<(bool, String)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send((is_err, line)).is_err() {
                break;
            }
        }
    })
}

/// Picks out of libtest's and cargo's output the lines that say what failed.
#[derive(Default)]
struct FailureWatch {
    lines: Vec<String>,
    /// Lines still to keep after a panic message (its text follows it).
    keep_next: usize,
}

impl FailureWatch {
    /// Enough to name every failure without repeating a whole log.
    const MOST: usize = 200;

    fn see(&mut self, line: &str) {
        let keep = if self.keep_next > 0 {
            self.keep_next -= 1;
            true
        } else if line.contains("panicked at") {
            self.keep_next = 3;
            true
        } else {
            (line.starts_with("test ") && line.ends_with("FAILED"))
                || line.starts_with("---- ")
                || line.starts_with("error: test failed")
                || line.contains("to rerun pass")
        };
        if keep && self.lines.len() < Self::MOST {
            self.lines.push(line.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FailureWatch;

    #[test]
    fn the_summary_keeps_the_failed_tests_name_and_its_panic() {
        let mut watch = FailureWatch::default();
        for line in [
            "running 2 tests",
            "test a::passes ... ok",
            "test b::fails ... FAILED",
            "---- b::fails stdout ----",
            "thread 'b::fails' panicked at e2e/tests/browser.rs:10:5:",
            "assertion failed: saved",
            "note: run with `RUST_BACKTRACE=1`",
            "",
            "more output",
            "more output",
            "error: test failed, to rerun pass `-p qalf-e2e --test browser`",
        ] {
            watch.see(line);
        }
        assert_eq!(
            watch.lines,
            vec![
                "test b::fails ... FAILED",
                "---- b::fails stdout ----",
                "thread 'b::fails' panicked at e2e/tests/browser.rs:10:5:",
                "assertion failed: saved",
                "note: run with `RUST_BACKTRACE=1`",
                "",
                "error: test failed, to rerun pass `-p qalf-e2e --test browser`",
            ]
        );
    }
}
