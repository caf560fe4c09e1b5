//! The end-to-end harness: the real server binary in its own process (so a
//! test can kill and restart it), one headless Chromium, and a browser
//! context per simulated user.
//!
//! Tests poll for conditions with a deadline ([`eventually`]); they never
//! sleep for a fixed time.

pub mod axe;
mod browser;
pub mod pages;
mod server;
mod wait;

pub use browser::{Browser, Tablet, User};
pub use server::ServerProcess;
pub use wait::{DEADLINE, eventually};

use std::path::PathBuf;

/// The workspace root (this crate lives one level below it).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e lives in the workspace")
        .to_path_buf()
}
