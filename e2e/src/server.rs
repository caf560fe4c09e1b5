//! The server binary as a child process.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::{eventually, workspace_root};

pub struct ServerProcess {
    child: Option<Child>,
    port: u16,
    data: tempfile::TempDir,
    args: Vec<String>,
    demo: bool,
}

fn binary() -> PathBuf {
    std::env::var_os("QALF_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/qalf-server"))
}

fn dist() -> PathBuf {
    std::env::var_os("QALF_DIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"))
}

impl ServerProcess {
    /// Starts a demo server on a free port with a fresh data folder.
    pub async fn start() -> anyhow::Result<ServerProcess> {
        Self::start_with(&[]).await
    }

    /// As [`start`](Self::start), with extra server flags.
    pub async fn start_with(extra: &[&str]) -> anyhow::Result<ServerProcess> {
        for (what, path) in [("server binary", binary()), ("front end", dist())] {
            if !path.exists() {
                bail!(
                    "the {what} is missing at {}; run the suite with `cargo xtask test`",
                    path.display()
                );
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut server = ServerProcess {
            child: None,
            port,
            data: tempfile::tempdir()?,
            args: extra.iter().map(|s| s.to_string()).collect(),
            demo: true,
        };
        server.spawn().await?;
        Ok(server)
    }

    /// Sets up a real (not demo) instance with `qalf-server init`, as a
    /// council's IT team would, and starts it. Returns the server and the
    /// one-time set-up link `init` printed.
    pub async fn start_real() -> anyhow::Result<(ServerProcess, String)> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut server = ServerProcess {
            child: None,
            port,
            data: tempfile::tempdir()?,
            args: Vec::new(),
            demo: false,
        };
        let init = Command::new(binary())
            .arg("init")
            .arg("--data-dir")
            .arg(server.data.path())
            .arg("--public-url")
            .arg(server.url(""))
            .arg("--admin-name")
            .arg("Alex Morgan")
            .env("RUST_LOG", "warn")
            .output()
            .context("running qalf-server init")?;
        let said = String::from_utf8_lossy(&init.stdout).to_string();
        if !init.status.success() {
            bail!(
                "qalf-server init failed: {said}{}",
                String::from_utf8_lossy(&init.stderr)
            );
        }
        let link = said
            .split_whitespace()
            .find(|w| w.contains("/set-up#"))
            .map(str::to_string)
            .with_context(|| format!("no set-up link in: {said}"))?;
        server.spawn().await?;
        Ok((server, link))
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let child = Command::new(binary())
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.data.path())
            .arg("--dist")
            .arg(dist())
            .args(self.demo.then_some("--demo"))
            .args(&self.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the server")?;
        self.child = Some(child);
        let url = self.url("/api/settings");
        let client = reqwest::Client::new();
        eventually("the server to answer", || {
            let request = client.get(&url).send();
            async move { Ok(request.await.ok().filter(|r| r.status().is_success())) }
        })
        .await?;
        Ok(())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Kills the process outright, as a crash or power cut would.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts the server again on the same port and data folder.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill()?;
        self.spawn().await
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _killed = child.kill();
            let _reaped = child.wait();
        }
    }
}
