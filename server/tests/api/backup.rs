//! Backups while people work, and restores that refuse a damaged file
//! (R-LIVE-7).

use std::path::Path;

use automerge::transaction::Transactable;
use qalf_server::backup;
use qalf_shared::org::Role;
use qalf_shared::sync::DocumentId;

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

const KEY_FILE: &str = "access-log.key";

/// A fresh data folder holding the access log's key, as an operator
/// restores the secrets folder before the database.
fn folder_with_key(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(from.join(KEY_FILE), dir.path().join(KEY_FILE)).unwrap();
    dir
}

fn config_for(dir: &Path) -> qalf_server::config::Config {
    let mut config = qalf_server::config::Config::for_tests(dir.to_path_buf());
    config.demo = true;
    config
}

#[tokio::test]
async fn r_live_7_a_backup_taken_while_people_work_restores_every_acknowledged_change() {
    let app = TestApp::spawn().await;
    let mut writers = Vec::new();
    for role in [Role::TeamManager, Role::Practitioner, Role::ServiceManager] {
        let person = app.person(role);
        let http = app.signed_in(role).await;
        let id = DocumentId::from_bytes([70 + writers.len() as u8; 16]);
        crate::sync::register_note(&app, &http, &id, &person, vec![]).await;
        let mut peer = SyncPeer::connect(&app, &http, &person).await;
        peer.create(
            id.clone(),
            qalf_shared::document::note::new_note("Visit", person.as_str(), 0).unwrap(),
        )
        .await;
        peer.synced(&id).await;
        writers.push((peer, id));
    }
    let database = app.data_dir().join("qalf.sqlite3");
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("qalf.backup");
    let mut acknowledged = Vec::new();
    let mut before_backup = Vec::new();
    let mut backup_task = None;
    for round in 0..40i64 {
        if round == 20 {
            // Everything acknowledged so far must be in the backup; the
            // writers go on while it is taken.
            before_backup = acknowledged.clone();
            let (from, to) = (database.clone(), file.clone());
            backup_task = Some(tokio::task::spawn_blocking(move || {
                backup::take(&from, &to)
            }));
        }
        for (peer, id) in &mut writers {
            peer.change(id, |d| {
                d.put(automerge::ROOT, format!("line-{round}"), round)
            })
            .await;
            peer.synced(id).await;
            for head in peer.client.doc(id).unwrap().clone().get_heads() {
                acknowledged.push((id.clone(), head));
            }
        }
    }
    let taken = backup_task.unwrap().await.unwrap().expect("the backup");
    assert!(taken.bytes > 0 && taken.contents.records > 0, "{taken:?}");
    assert!(!before_backup.is_empty());

    let restored_dir = folder_with_key(app.data_dir());
    let restored =
        backup::restore(&file, &config_for(restored_dir.path()), false).expect("the restore");
    assert_eq!(restored.contents, taken.contents);
    let restored_app = TestApp::spawn_with(|c| {
        c.data_dir = restored_dir.path().to_path_buf();
        c.secrets_dir = None;
    })
    .await;
    // Straight from the file: the changes acknowledged before it was taken.
    // "Synced" can reach a device before the relay's write commits (samod
    // answers and stores in the same step; under load the write can lag by
    // more than one change), so changes acknowledged in that moment may be
    // missing from the file itself (printed, not asserted)...
    let relay = restored_app.server.state.relay().clone();
    let present = |relay: qalf_server::relay::Relay,
                   changes: Vec<(DocumentId, automerge::ChangeHash)>| async move {
        let mut missing = Vec::new();
        for (id, head) in changes {
            let held = relay
                .with_document(&id, |doc| doc.get_change_meta_by_hash(&head).is_some())
                .await
                .unwrap()
                .unwrap_or(false);
            if !held {
                missing.push((id, head));
            }
        }
        missing
    };
    let from_file = present(relay.clone(), before_backup.clone()).await;
    eprintln!(
        "{} of {} changes acknowledged before the backup were in the file; {} written while it was taken",
        before_backup.len() - from_file.len(),
        before_backup.len(),
        acknowledged.len() - before_backup.len()
    );
    // ...and comes back, with everything written since, when the devices
    // that made them reconnect to the restored server: nothing acknowledged
    // is lost.
    for (peer, id) in &mut writers {
        let http = restored_app.signed_in_person(&peer.person.clone()).await;
        let effects = peer.client.disconnected();
        peer.apply(effects).await;
        peer.open_socket(&restored_app, &http).await;
        peer.request(id.clone()).await;
    }
    // The devices still believe the server has everything (it had, before
    // the restore); the sync exchange finds what it lacks.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    let lost = loop {
        let lost = present(relay.clone(), acknowledged.clone()).await;
        if lost.is_empty() || tokio::time::Instant::now() > deadline {
            break lost;
        }
        for (peer, _) in &mut writers {
            peer.pump_for(std::time::Duration::from_millis(100)).await;
        }
    };
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged changes lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
    // The restored log checks out and is not mistaken for one cut short.
    let verification =
        qalf_server::access_log::verify(restored_app.server.state.db(), restored_dir.path())
            .await
            .unwrap();
    assert_eq!(verification.first_broken, None);
    assert_eq!(verification.cut_short, None);
}

#[tokio::test]
async fn r_live_7_a_restore_refuses_a_damaged_file_and_keeps_what_it_replaces() {
    let app = TestApp::spawn().await;
    // Someone at work: their reads are in the access log.
    let http = app.signed_in(Role::TeamManager).await;
    let _listed: Vec<qalf_shared::access::RecordMeta> = app.get_json(&http, "/api/records").await;
    let backups = tempfile::tempdir().unwrap();
    let good = backups.path().join("good.backup");
    let taken = backup::take(&app.data_dir().join("qalf.sqlite3"), &good).unwrap();
    assert!(taken.contents.log_rows >= 2, "{taken:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&good).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup holds children's records");
    }

    // A row of the access log rewritten (its triggers dropped first).
    let altered = backups.path().join("altered.backup");
    std::fs::copy(&good, &altered).unwrap();
    {
        let conn = rusqlite::Connection::open(&altered).unwrap();
        let triggers: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'access_log'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for trigger in triggers {
            conn.execute_batch(&format!("DROP TRIGGER \"{trigger}\""))
                .unwrap();
        }
        conn.execute(
            "UPDATE access_log SET detail = 'nothing to see' WHERE seq = 2",
            [],
        )
        .unwrap();
    }
    // A file cut in half, and a file that is not a database at all.
    let cut = backups.path().join("cut.backup");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let noise = backups.path().join("noise.backup");
    std::fs::write(
        &noise,
        b"not a database at all, but long enough to look like one maybe",
    )
    .unwrap();

    let target = folder_with_key(app.data_dir());
    let config = config_for(target.path());
    for (file, expected) in [
        (&altered, "broken at row 2"),
        (&cut, "damaged"),
        (&noise, "damaged"),
    ] {
        let refused = backup::restore(file, &config, false).expect_err("refused");
        assert!(
            refused.to_string().contains(expected),
            "{}: {refused:#}",
            file.display()
        );
        assert!(
            !config.database_path().exists(),
            "a refused restore left a database behind"
        );
    }

    // A good backup restores; over a database already there only with
    // --replace, and the one replaced is kept.
    backup::restore(&good, &config, false).expect("restored");
    let again = backup::restore(&good, &config, false).expect_err("a database is there");
    assert!(again.to_string().contains("--replace"), "{again}");
    let replaced = backup::restore(&good, &config, true).expect("replaced");
    let kept = replaced.kept.expect("the replaced database is kept");
    assert!(kept.exists(), "{}", kept.display());
}

#[tokio::test]
async fn r_live_7_the_backup_command_runs_beside_a_running_server() {
    let app = TestApp::spawn().await;
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("nightly.backup");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_qalf-server"))
        .arg("backup")
        .arg("--to")
        .arg(&file)
        .arg("--data-dir")
        .arg(app.data_dir())
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        said.contains("Backed up") && said.contains("secrets folder"),
        "{said}"
    );
    let key = std::fs::read(app.data_dir().join(KEY_FILE)).unwrap();
    let contents = backup::check(&file, &key).expect("the backup checks out");
    assert!(contents.records > 0);
}
