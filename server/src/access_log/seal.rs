//! Sealing rows: HMAC-SHA256 with a secret key that lives in the data
//! folder, not in the database.

use std::path::Path;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const KEY_FILE: &str = "access-log.key";

pub type Key = Vec<u8>;

/// The log's key from `dir`. A new installation (`create`) makes one;
/// any other refuses to start without it: a new key would make every seal
/// so far unverifiable, which is what someone hiding an edit would want.
pub fn load_key(dir: &Path, create: bool) -> anyhow::Result<Key> {
    let path = dir.join(KEY_FILE);
    match std::fs::read(&path) {
        Ok(key) => {
            anyhow::ensure!(
                key.len() == 32,
                "the access log key {} is damaged",
                path.display()
            );
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            std::fs::create_dir_all(dir)?;
            let mut key = vec![0u8; 32];
            rand::rng().fill_bytes(&mut key);
            write_private(&path, &key)?;
            Ok(key)
        }
        Err(e) => anyhow::bail!(
            "the access log key {} cannot be read ({e}): restore it from the backup of the secrets folder; without it the log's seals cannot be checked, so QALF will not start",
            path.display()
        ),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes)?;
    Ok(())
}

/// The seal of a row: over the previous seal and every field, each
/// length-prefixed so no two different rows read the same.
pub fn seal(key: &Key, previous: &[u8], fields: &[&str]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&(previous.len() as u64).to_be_bytes());
    mac.update(previous);
    for field in fields {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field.as_bytes());
    }
    mac.finalize().into_bytes().to_vec()
}
