//! The relay spreads documents over shards and empties shards whose
//! documents have gone idle: one client still reaches all its documents over
//! one WebSocket, reaches only the shards it needs, and nothing is lost when
//! a shard is emptied under it.

use std::time::Duration;

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use qalf_shared::document::note;
use qalf_shared::org::Role;
use qalf_shared::sync::{Availability, DocumentId};

use crate::harness::TestApp;
use crate::sync::register_note;
use crate::sync_peer::SyncPeer;

fn ids(n: u8) -> Vec<DocumentId> {
    (0..n)
        .map(|i| DocumentId::from_bytes([i.wrapping_mul(37).wrapping_add(11); 16]))
        .collect()
}

fn title(peer: &SyncPeer, id: &DocumentId) -> Option<String> {
    let doc = peer.client.doc(id)?;
    let (value, obj) = doc.get(automerge::ROOT, note::TITLE).ok()??;
    match value {
        automerge::Value::Object(_) => doc.text(&obj).ok(),
        scalar => scalar.into_string().ok(),
    }
}

async fn eventually_stats(
    app: &TestApp,
    what: &str,
    ok: impl Fn(&[qalf_server::relay::ShardStats]) -> bool,
) -> Vec<qalf_server::relay::ShardStats> {
    for _ in 0..150 {
        let stats = app.server.state.relay().stats().await;
        if ok(&stats) {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        app.server.state.relay().stats().await
    );
}

#[tokio::test]
async fn one_connection_reaches_documents_in_every_shard_and_idle_shards_are_emptied() {
    let app = TestApp::spawn_with(|c| {
        c.relay_shards = 4;
        c.relay_unload_seconds = 1;
    })
    .await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let notes = ids(12);
    let relay = app.server.state.relay().clone();
    let shards: std::collections::BTreeSet<usize> =
        notes.iter().map(|n| relay.shard_of(n)).collect();
    assert!(
        shards.len() >= 3,
        "the notes spread over the shards: {shards:?}"
    );

    let mut a = SyncPeer::connect(&app, &http, &tm).await;
    for (i, id) in notes.iter().enumerate() {
        register_note(&app, &http, id, &tm, vec![]).await;
        a.create(
            id.clone(),
            note::new_note(&format!("Note {i}"), tm.as_str(), 0).unwrap(),
        )
        .await;
    }
    a.pump_until("the relay to hold every note", |p| {
        notes.iter().all(|id| p.client.status(id).unwrap().synced)
    })
    .await;
    let stats = relay.stats().await;
    let reached: usize = stats.iter().map(|s| s.connections).sum();
    assert_eq!(
        reached,
        shards.len(),
        "one samod connection per shard used: {stats:?}"
    );

    // The device goes away; the shards' documents go idle and are unloaded.
    drop(a);
    let emptied = eventually_stats(&app, "the idle shards to be emptied", |s| {
        s.iter().all(|s| s.loaded == 0 && s.connections == 0)
    })
    .await;
    assert!(
        shards.iter().all(|&i| emptied[i].generation > 1),
        "each shard that held notes was replaced: {emptied:?}"
    );

    // Everything is still there, loaded again on demand.
    let mut b = SyncPeer::connect(&app, &http, &tm).await;
    for id in &notes {
        b.request(id.clone()).await;
    }
    b.pump_until("every note to arrive", |p| {
        notes
            .iter()
            .all(|id| p.client.status(id).unwrap().availability == Availability::Ready)
    })
    .await;
    for (i, id) in notes.iter().enumerate() {
        assert_eq!(title(&b, id).as_deref(), Some(format!("Note {i}").as_str()));
    }
}

#[tokio::test]
async fn a_shard_emptied_under_a_live_connection_loses_nothing_and_the_client_catches_up() {
    let app = TestApp::spawn_with(|c| c.relay_shards = 1).await;
    let tm = app.person(Role::TeamManager);
    let sw = app.person(Role::Practitioner);
    let (http_tm, http_sw) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::Practitioner).await,
    );
    let notes = ids(4);
    let mut a = SyncPeer::connect(&app, &http_tm, &tm).await;
    for id in &notes {
        register_note(&app, &http_tm, id, &tm, vec![sw.clone()]).await;
        a.create(id.clone(), note::new_note("Visit", tm.as_str(), 0).unwrap())
            .await;
    }
    a.pump_until("the relay to hold every note", |p| {
        notes.iter().all(|id| p.client.status(id).unwrap().synced)
    })
    .await;

    // The shard is emptied (as when it holds too many idle documents): the
    // connection is closed so the client asks again for what it has open.
    app.server.state.relay().recycle(0).await.unwrap();
    a.pump_until("the relay to close the connection", |p| p.closed)
        .await;
    let stats = app.server.state.relay().stats().await;
    assert!(stats[0].generation > 1, "{stats:?}");

    // The device reconnects at once; a colleague edits; it arrives live.
    a.open_socket(&app, &http_tm).await;
    let mut b = SyncPeer::connect(&app, &http_sw, &sw).await;
    b.request(notes[0].clone()).await;
    b.pump_until("the note to arrive", |p| {
        p.client.status(&notes[0]).unwrap().availability == Availability::Ready
    })
    .await;
    b.change(&notes[0], |tx| {
        tx.put(automerge::ROOT, note::TITLE, "Visit, seen alone")
    })
    .await;
    a.pump_until("the colleague's edit to arrive", |p| {
        title(p, &notes[0]).as_deref() == Some("Visit, seen alone")
    })
    .await;
}
