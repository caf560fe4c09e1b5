//! An OpenID Connect provider for the sign-in tests: panva's
//! `oidc-provider` from npm (`e2e/js/oidc-provider.mjs`), run by Node on a
//! free port with QALF registered as its one client. Its login page takes
//! any password; the login is the account, and the account's e-mail is the
//! login (or `<login>@council.example`). Logins starting `unverified.`,
//! `late.` or `elsewhere.` make it send an unverified address, an expired
//! ID token or one issued to another application.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct IdentityProvider {
    child: Child,
    pub port: u16,
}

/// QALF's registration at the provider in the tests.
pub const CLIENT_ID: &str = "qalf";
pub const CLIENT_SECRET: &str = "qalf-test-client-secret";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../e2e/js/oidc-provider.mjs")
}

impl IdentityProvider {
    /// Starts the provider on `port`, sending people back to
    /// `redirect_uri`, once it answers discovery.
    pub async fn start(port: u16, redirect_uri: &str) -> IdentityProvider {
        let child = Command::new("node")
            .arg(script())
            .arg(port.to_string())
            .arg(CLIENT_ID)
            .arg(CLIENT_SECRET)
            .arg(redirect_uri)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node (cargo xtask test installs it with the npm packages)");
        let provider = IdentityProvider { child, port };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return provider;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the test identity provider did not start on port {port}");
    }

    /// The issuer address QALF is configured with.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
