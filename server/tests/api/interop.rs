//! Interoperability with the stock JavaScript automerge-repo client (from
//! npm, installed by `cargo xtask setup`): it creates a note through our
//! relay and our client reads it, and the reverse.

use std::path::PathBuf;

use qalf_server::demo::DEMO_PASSWORD;
use qalf_shared::document::note;
use qalf_shared::org::Role;
use qalf_shared::sync::{Availability, DocumentId};

use crate::harness::TestApp;
use crate::sync::register_note;
use crate::sync_peer::SyncPeer;

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../e2e/js")
}

/// Runs the JavaScript peer and returns the JSON it printed last.
async fn javascript(args: &[&str]) -> serde_json::Value {
    let dir = js_dir();
    assert!(
        dir.join("node_modules/@automerge/automerge-repo").exists(),
        "the npm test packages are missing: run `cargo xtask setup`"
    );
    let output = tokio::process::Command::new("node")
        .arg(dir.join("interop.mjs"))
        .args(args)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the JavaScript peer failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("bad JSON {last:?}: {e}"))
}

#[tokio::test]
async fn a_javascript_client_creates_a_note_that_our_client_reads() {
    let app = TestApp::spawn().await;
    let practitioner = app.person(Role::Practitioner);
    let server = app.server.url();
    let created = javascript(&[
        "create",
        "--server",
        &server,
        "--username",
        &app.persona(Role::TeamManager),
        "--password",
        DEMO_PASSWORD,
        "--member",
        practitioner.as_str(),
        "--title",
        "Written in JavaScript",
        "--body",
        "Made by the stock automerge-repo client.",
    ])
    .await;
    let id = DocumentId::parse(created["documentId"].as_str().unwrap()).unwrap();

    let http = app.signed_in(Role::Practitioner).await;
    let mut ours = SyncPeer::connect(&app, &http, &practitioner).await;
    ours.request(id.clone()).await;
    ours.pump_until("the JavaScript note", |p| {
        p.client.status(&id).unwrap().availability == Availability::Ready
            && p.client.doc(&id).and_then(note::read).is_some()
    })
    .await;
    let read = ours.client.doc(&id).and_then(note::read).unwrap();
    assert_eq!(read.title.as_str(), "Written in JavaScript");
    assert_eq!(
        read.body.as_str(),
        "Made by the stock automerge-repo client."
    );
}

#[tokio::test]
async fn our_client_creates_a_note_that_a_javascript_client_reads_and_edits() {
    let app = TestApp::spawn().await;
    let manager = app.person(Role::TeamManager);
    let practitioner = app.person(Role::Practitioner);
    let http = app.signed_in(Role::TeamManager).await;
    let id = DocumentId::from_bytes([77; 16]);
    register_note(&app, &http, &id, &manager, vec![practitioner]).await;
    let mut ours = SyncPeer::connect(&app, &http, &manager).await;
    let doc = note::new_note("Written in Rust", manager.as_str(), 0).unwrap();
    ours.create(id.clone(), doc).await;
    ours.pump_until("the relay to hold our note", |p| {
        p.client.status(&id).unwrap().synced
    })
    .await;

    let server = app.server.url();
    let username = app.persona(Role::Practitioner);
    let doc_id = id.to_string();
    let read = javascript(&[
        "read",
        "--server",
        &server,
        "--username",
        &username,
        "--password",
        DEMO_PASSWORD,
        "--doc",
        &doc_id,
    ])
    .await;
    assert_eq!(read["title"], "Written in Rust");
    assert_eq!(read["body"], "");

    javascript(&[
        "append",
        "--server",
        &server,
        "--username",
        &username,
        "--password",
        DEMO_PASSWORD,
        "--doc",
        &doc_id,
        "--text",
        "Added from JavaScript.",
    ])
    .await;
    ours.pump_until("the JavaScript edit", |p| {
        p.client
            .doc(&id)
            .and_then(note::read)
            .is_some_and(|n| n.body.as_str() == "Added from JavaScript.")
    })
    .await;
}
