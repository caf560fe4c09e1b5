//! Backups taken while people work, and restores that refuse a damaged
//! file (R-LIVE-7).
//!
//! A backup is one SQLite file holding everything the server keeps (the
//! documents' chunks, the record registry, sessions, schedule, projections,
//! the access log with its seals), copied by SQLite's online backup API in a
//! single step: the database as it was at one moment, while the server goes
//! on writing. The access log's key and checkpoint are not in it: they live
//! in the secrets folder and are backed up apart, so a stolen backup cannot
//! be altered and resealed.
//!
//! A restore checks the file before it touches anything: SQLite's own
//! integrity check, that it is a QALF database this version can open, and
//! every seal of the access log. The database it replaces is kept beside
//! the new one, never deleted.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::access_log;
use crate::config::Config;

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub records: i64,
    pub log_rows: i64,
}

/// A backup written.
#[derive(Debug)]
pub struct Taken {
    pub path: PathBuf,
    pub bytes: u64,
    pub contents: Contents,
    pub took: Duration,
}

/// A restore done.
#[derive(Debug)]
pub struct Restored {
    pub contents: Contents,
    /// Where the database that was replaced now is.
    pub kept: Option<PathBuf>,
}

/// Copies the database at `database` to `to` (replacing any earlier backup
/// there only once the new one is complete and checked).
pub fn take(database: &Path, to: &Path) -> anyhow::Result<Taken> {
    let started = Instant::now();
    if !database.exists() {
        bail!("there is no QALF database at {}", database.display());
    }
    let partial = with_suffix(to, ".partial");
    let _stale = std::fs::remove_file(&partial);
    private_file(&partial)?;
    let source = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .with_context(|| format!("opening {}", database.display()))?;
    source.busy_timeout(Duration::from_secs(10))?;
    {
        let mut copy = Connection::open(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        {
            use rusqlite::backup::{Backup, StepResult};
            let backup = Backup::new(&source, &mut copy)?;
            // All pages in one step, inside one read transaction: the copy is
            // the database at one moment, and in WAL mode the writers carry
            // on meanwhile (smaller steps would start again each time a
            // writer changed the source, for ever under steady work).
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                match backup.step(-1).context("copying the database")? {
                    StepResult::Done => break,
                    StepResult::More | StepResult::Busy | StepResult::Locked
                        if Instant::now() < deadline =>
                    {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    _ => bail!("the database stayed busy for a minute; try again"),
                }
            }
        }
        // One self-contained file: no write-ahead log beside it.
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        integrity(&copy).map_err(|e| anyhow::anyhow!("the copy failed its check: {e}"))?;
    }
    let contents = contents(&Connection::open_with_flags(
        &partial,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, to)
        .with_context(|| format!("moving the backup to {}", to.display()))?;
    sync_parent(to);
    Ok(Taken {
        path: to.to_path_buf(),
        bytes: std::fs::metadata(to)?.len(),
        contents,
        took: started.elapsed(),
    })
}

/// Restores the backup at `from` into `config`'s data folder, with the
/// access log's key from its secrets folder. The server must be stopped.
/// A database already there is only replaced with `replace`, and is kept.
pub fn restore(from: &Path, config: &Config, replace: bool) -> anyhow::Result<Restored> {
    let key = access_log::load_key(&config.secrets_path()).context(
        "the access log key is needed to check the backup: restore the secrets folder first",
    )?;
    let contents = check(from, &key)?;
    let target = config.database_path();
    if target.exists() && !replace {
        bail!(
            "there is already a QALF database at {}: stop the server and run the restore again with --replace (the current database is kept beside the restored one)",
            target.display()
        );
    }
    crate::db::create_private_dir(&config.data_dir)?;
    let incoming = with_suffix(&target, ".restoring");
    let _stale = std::fs::remove_file(&incoming);
    private_file(&incoming)?;
    std::fs::copy(from, &incoming)
        .with_context(|| format!("copying {} into the data folder", from.display()))?;
    std::fs::File::open(&incoming)?.sync_all()?;
    let kept = if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let kept = with_suffix(&target, &format!(".before-restore-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let file = with_suffix(&target, suffix);
            if file.exists() {
                std::fs::rename(&file, with_suffix(&kept, suffix))
                    .with_context(|| format!("keeping {}", file.display()))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&incoming, &target)?;
    sync_parent(&target);
    // The checkpoint named the newest row of the database replaced; the
    // restored log ends earlier on purpose, so it is vouched for afresh.
    let conn = Connection::open(&target)?;
    access_log::anchor_head(&conn, &key, &config.secrets_path())?;
    Ok(Restored { contents, kept })
}

/// Checks a backup file: SQLite's integrity check, a QALF database this
/// version can open, and an unbroken access log.
pub fn check(file: &Path, key: &access_log::Key) -> anyhow::Result<Contents> {
    if !file.is_file() {
        bail!("there is no backup file at {}", file.display());
    }
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", file.display()))?;
    integrity(&conn).map_err(|e| {
        anyhow::anyhow!("{} is damaged ({e}); nothing was restored", file.display())
    })?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = crate::db::schema_version() as i64;
    if version > known {
        bail!(
            "{} was taken by a newer version of QALF (schema {version}, this one knows {known}); restore it with that version",
            file.display()
        );
    }
    let is_qalf: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'access_log'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if is_qalf.is_none() {
        bail!("{} is not a QALF backup", file.display());
    }
    let verification = access_log::verify_connection(&conn, key)?;
    if let Some(row) = verification.first_broken {
        bail!(
            "the access log in {} is broken at row {row}: the file was altered or damaged after it was taken; nothing was restored",
            file.display()
        );
    }
    contents(&conn)
}

fn integrity(conn: &Connection) -> anyhow::Result<()> {
    let result: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if result != "ok" {
        bail!("{result}");
    }
    Ok(())
}

fn contents(conn: &Connection) -> anyhow::Result<Contents> {
    let count = |table: &str| -> anyhow::Result<i64> {
        Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    };
    Ok(Contents {
        records: count("records")?,
        log_rows: count("access_log")?,
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Creates an empty file only its owner may read: backups hold children's
/// records.
fn private_file(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    Ok(())
}

fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _synced = dir.sync_all();
    }
}
