//! The checkpoint: the chain's newest row (its number and seal), signed
//! with the log's key and kept in the secrets folder, outside the
//! database. Cutting the newest rows off the log leaves every remaining
//! seal intact; the checkpoint still names a row that is gone, or one
//! whose seal is now different.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::seal::Key;

const FILE: &str = "access-log.checkpoint";

pub fn path(secrets_dir: &Path) -> PathBuf {
    secrets_dir.join(FILE)
}

/// The head of the chain when it was last written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    /// The row's seal, base64.
    pub seal: String,
    /// When the checkpoint was written (UTC, RFC 3339).
    pub at: String,
    /// HMAC over the fields above, base64.
    pub signature: String,
}

fn signature(key: &Key, seq: i64, seal: &str, at: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in ["qalf access log checkpoint", &seq.to_string(), seal, at] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

impl Checkpoint {
    pub fn new(key: &Key, seq: i64, seal: &[u8], at: String) -> Checkpoint {
        let seal = STANDARD.encode(seal);
        let signature = signature(key, seq, &seal, &at);
        Checkpoint {
            seq,
            seal,
            at,
            signature,
        }
    }

    pub fn seal_bytes(&self) -> Option<Vec<u8>> {
        STANDARD.decode(&self.seal).ok()
    }
}

/// Writes the checkpoint whole (a new file renamed over the old), on disk
/// before it returns.
pub fn write(path: &Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    use std::io::Write;
    let json = serde_json::to_vec(checkpoint).map_err(std::io::Error::other)?;
    let temporary = path.with_extension("checkpoint.new");
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&json)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)
}

/// The checkpoint, if one was written; an error if it is there but not
/// signed with this key (someone wrote their own).
pub fn read(path: &Path, key: &Key) -> anyhow::Result<Option<Checkpoint>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let checkpoint: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "the access log checkpoint {} is damaged: {e}",
            path.display()
        )
    })?;
    anyhow::ensure!(
        signature(key, checkpoint.seq, &checkpoint.seal, &checkpoint.at) == checkpoint.signature,
        "the access log checkpoint {} is not signed with the log's key",
        path.display()
    );
    Ok(Some(checkpoint))
}
