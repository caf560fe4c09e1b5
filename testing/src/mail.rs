//! An SMTP server for the e-mail tests: Debian's aiosmtpd, started by the
//! test with STARTTLS required (a certificate made for it), delivering into
//! a Maildir the test reads.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct MailServer {
    child: Child,
    folder: tempfile::TempDir,
}

/// A certificate for 127.0.0.1 and its key, written to `folder`; the
/// certificate is also the CA the server under test is told to trust.
pub fn certificate(folder: &Path) -> (PathBuf, PathBuf) {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("certificate");
    let (cert_path, key_path) = (folder.join("mail.crt"), folder.join("mail.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key_pair.serialize_pem()).unwrap();
    (cert_path, key_path)
}

/// A port nobody is listening on (yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's python has aiosmtpd (python3-aiosmtpd); another python on the
/// PATH may not.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl MailServer {
    /// Starts aiosmtpd on `port` with `cert` and `key`, once it accepts
    /// connections.
    pub async fn start(port: u16, cert: &Path, key: &Path) -> MailServer {
        let folder = tempfile::tempdir().unwrap();
        let maildir = folder.path().join("Maildir");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--tlscert")
            .arg(cert)
            .arg("--tlskey")
            .arg(key)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd (apt-get install python3-aiosmtpd; cargo xtask test installs it)");
        let server = MailServer { child, folder };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the test mail server did not start on port {port}");
    }

    /// Every message delivered so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.folder.path().join("Maildir").join(sub))
            else {
                continue;
            };
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                if let Ok(text) = std::fs::read_to_string(path) {
                    out.push(text);
                }
            }
        }
        out
    }

    /// Messages (to anyone) whose text contains `about`.
    pub fn about(&self, about: &str) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter(|m| m.contains(about))
            .collect()
    }

    /// Waits (up to 30 s) until at least `count` messages contain `about`.
    pub async fn wait_for_about(&self, count: usize, about: &str) -> Vec<String> {
        for _ in 0..600 {
            let messages = self.about(about);
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{count} e-mail(s) about {about:?} expected; {} arrived",
            self.about(about).len()
        );
    }

    /// Messages to `address` whose text contains `about`.
    pub fn to(&self, address: &str, about: &str) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter(|m| m.contains(&format!("To: {address}")) && m.contains(about))
            .collect()
    }

    /// Waits (up to 20 s) until `count` messages to `address` about
    /// `about` have arrived.
    pub async fn wait_for(&self, count: usize, address: &str, about: &str) -> Vec<String> {
        for _ in 0..400 {
            let messages = self.to(address, about);
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{count} e-mail(s) to {address} about {about:?} expected; {} arrived, {} in all",
            self.to(address, about).len(),
            self.messages().len()
        );
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
