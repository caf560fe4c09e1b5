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
}

impl Steps {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            done: Vec::new(),
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
    }
}
