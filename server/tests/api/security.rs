//! Grants that change under open connections, limits, expired sessions, and
//! the access log.

use std::time::Duration;

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use qalf_server::demo::DEMO_PASSWORD;
use qalf_shared::document::note;
use qalf_shared::org::Role;
use qalf_shared::sync::{Availability, DocumentId, Message};

use crate::harness::TestApp;
use crate::sync::register_note;
use crate::sync_peer::SyncPeer;

pub async fn append(peer: &mut SyncPeer, id: &DocumentId, text: &str) {
    let body = {
        let doc = peer.client.doc(id).unwrap();
        doc.get(automerge::ROOT, note::BODY).unwrap().unwrap().1
    };
    let text = text.to_string();
    peer.change(id, |tx| {
        let len = tx.length(&body);
        tx.splice_text(&body, len, 0, &text)
    })
    .await;
}

fn sync_bytes_for(peer: &SyncPeer, id: &DocumentId, from_frame: usize) -> usize {
    peer.received[from_frame..]
        .iter()
        .filter_map(|f| match Message::decode(f) {
            Ok(Message::Sync { document, data, .. }) if &document == id => {
                automerge::sync::Message::decode(&data)
                    .ok()
                    .map(|m| m.changes.iter().map(<[u8]>::len).sum::<usize>())
            }
            _ => None,
        })
        .sum()
}

#[tokio::test]
async fn a_grant_revoked_mid_connection_stops_the_sync_of_that_document() {
    let app = TestApp::spawn().await;
    let (owner, member) = (
        app.person(Role::TeamManager),
        app.person(Role::Practitioner),
    );
    let (owner_http, member_http) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::Practitioner).await,
    );
    let id = DocumentId::from_bytes([9; 16]);
    register_note(&app, &owner_http, &id, &owner, vec![member.clone()]).await;
    let mut a = SyncPeer::connect(&app, &owner_http, &owner).await;
    a.create(
        id.clone(),
        note::new_note("Shared", owner.as_str(), 0).unwrap(),
    )
    .await;
    append(&mut a, &id, "Before.").await;
    a.pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;
    let mut b = SyncPeer::connect(&app, &member_http, &member).await;
    b.request(id.clone()).await;
    b.pump_until("the shared note", |p| {
        p.client
            .doc(&id)
            .and_then(note::read)
            .map(|n| n.body.as_str().to_string())
            == Some("Before.".into())
    })
    .await;

    // The owner stops sharing; the member's socket stays open.
    let status = owner_http
        .put(app.url(&format!("/api/records/{id}/members")))
        .json(&Vec::<String>::new())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let seen = b.received.len();
    append(&mut a, &id, " After.").await;
    a.pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;
    b.pump_for(Duration::from_secs(2)).await;
    assert!(!b.closed, "only the document stops, not the connection");
    assert_eq!(
        sync_bytes_for(&b, &id, seen),
        0,
        "no change reached the member"
    );
    let body = b.client.doc(&id).and_then(note::read).unwrap();
    assert_eq!(body.body.as_str(), "Before.");
    let http = member_http
        .get(app.url(&format!("/api/records/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(http.status(), 403);
}

#[tokio::test]
async fn a_read_only_persons_changes_do_not_reach_anyone() {
    let app = TestApp::spawn().await;
    let org = app.server.state.org();
    // The Director may read an audit but not write it.
    let case = org.cases().next().unwrap().clone();
    let cpp = app.person(Role::CppPractitioner);
    let cpp_http = app.signed_in(Role::CppPractitioner).await;
    let director = app.person(Role::Director);
    let director_http = app.signed_in(Role::Director).await;
    let id = DocumentId::from_bytes([10; 16]);
    let meta = qalf_shared::access::RecordMeta {
        id: id.clone(),
        created_by: cpp.clone(),
        created_at: 0,
        parties: qalf_shared::access::Parties::Audit {
            case: case.reference.clone(),
            team: case.team.clone(),
            practitioner: case.practitioner.clone(),
            auditor: cpp.clone(),
            moderators: vec![],
            dispute_holders: Vec::new(),
        },
    };
    let status = cpp_http
        .post(app.url("/api/records"))
        .json(&meta)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 201);
    let mut writer = SyncPeer::connect(&app, &cpp_http, &cpp).await;
    writer
        .create(
            id.clone(),
            note::new_note("Audit", cpp.as_str(), 0).unwrap(),
        )
        .await;
    writer
        .pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;
    let mut reader = SyncPeer::connect(&app, &director_http, &director).await;
    reader.request(id.clone()).await;
    reader
        .pump_until("the audit", |p| {
            p.client.status(&id).unwrap().availability == Availability::Ready
        })
        .await;
    append(&mut reader, &id, "Rewritten by a reader").await;
    reader.pump_for(Duration::from_secs(1)).await;
    let mut fresh = SyncPeer::connect(&app, &cpp_http, &cpp).await;
    fresh.request(id.clone()).await;
    fresh
        .pump_until("the audit", |p| {
            p.client.status(&id).unwrap().availability == Availability::Ready
        })
        .await;
    let body = fresh.client.doc(&id).and_then(note::read).unwrap();
    assert_eq!(
        body.body.as_str(),
        "",
        "the read-only change was not accepted"
    );
}

#[tokio::test]
async fn an_expired_session_gets_no_ticket() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::TeamManager).await;
    let tm = app.person(Role::TeamManager);
    app.clock.advance(chrono::Duration::hours(13));
    let response = http
        .post(app.url("/api/sync/ticket"))
        .json(&serde_json::json!({ "peer_id": format!("{tm}~late") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_session_over_its_frame_rate_is_cut_off_and_others_carry_on() {
    let app = TestApp::spawn_with(|c| {
        c.sync_frames_per_second = 5;
        c.sync_frame_burst = 20;
    })
    .await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut flood = SyncPeer::connect(&app, &http, &tm).await;
    for i in 0..60u8 {
        flood
            .request(DocumentId::from_bytes([100u8.wrapping_add(i); 16]))
            .await;
    }
    flood.pump_for(Duration::from_secs(2)).await;
    assert!(flood.closed, "the flooding connection was closed");

    let sw = app.person(Role::Practitioner);
    let other_http = app.signed_in(Role::Practitioner).await;
    let mut calm = SyncPeer::connect(&app, &other_http, &sw).await;
    let id = DocumentId::from_bytes([61; 16]);
    register_note(&app, &other_http, &id, &sw, vec![]).await;
    calm.create(id.clone(), note::new_note("Calm", sw.as_str(), 0).unwrap())
        .await;
    calm.pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;
}

#[tokio::test]
async fn repeated_wrong_passwords_are_slowed_down() {
    let app = TestApp::spawn().await;
    let username = app.persona(Role::Practitioner);
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let status = app
            .client()
            .post(app.url("/api/session"))
            .json(&serde_json::json!({"username": username, "password": "guess"}))
            .send()
            .await
            .unwrap()
            .status();
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    // Even the right password waits out the limit.
    let status = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 429);
}

#[tokio::test]
async fn the_access_log_records_reads_and_writes_and_detects_an_edited_row() {
    let app = TestApp::spawn().await;
    let owner = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let id = DocumentId::from_bytes([63; 16]);
    register_note(&app, &http, &id, &owner, vec![]).await;
    let mut peer = SyncPeer::connect(&app, &http, &owner).await;
    peer.create(
        id.clone(),
        note::new_note("Logged", owner.as_str(), 0).unwrap(),
    )
    .await;
    append(&mut peer, &id, "A change.").await;
    peer.pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;
    // Someone else tries to open it.
    let other = app.person(Role::Practitioner);
    let other_http = app.signed_in(Role::Practitioner).await;
    let mut intruder = SyncPeer::connect(&app, &other_http, &other).await;
    intruder.request(id.clone()).await;
    intruder
        .pump_until("refusal", |p| {
            p.client.status(&id).unwrap().availability == Availability::Unavailable
        })
        .await;

    // Only the CPP and administrators may read the log.
    let denied = http
        .get(app.url("/api/access-log"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(denied, 403);
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let rows: Vec<serde_json::Value> = app
        .get_json(&cpp, &format!("/api/access-log?document={id}"))
        .await;
    let actions: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["person"].as_str().unwrap().to_string(),
                r["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        (owner.to_string(), "create".to_string()),
        (owner.to_string(), "read".to_string()),
        (owner.to_string(), "write".to_string()),
        (other.to_string(), "denied".to_string()),
    ] {
        assert!(
            actions.contains(&expected),
            "{expected:?} not in {actions:?}"
        );
    }
    for row in &rows {
        let at = row["at"].as_str().unwrap();
        assert!(at.ends_with('Z'), "times are UTC: {at}");
        assert!(
            !row["detail"].as_str().unwrap().contains("A change"),
            "no content is logged"
        );
    }
    let verified: serde_json::Value = app.get_json(&cpp, "/api/access-log/verify").await;
    assert_eq!(verified["first_broken"], serde_json::Value::Null);

    // Appending is all SQL allows…
    let path = app.data_dir().join("qalf.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let refused = conn.execute("UPDATE access_log SET person = 'p-999' WHERE seq = 2", []);
    assert!(refused.is_err(), "the log refuses updates");
    // …and someone who goes around that is found out.
    conn.execute_batch(
        "DROP TRIGGER access_log_no_update;
         UPDATE access_log SET person = 'p-999' WHERE seq = 2;",
    )
    .unwrap();
    drop(conn);
    let verified: serde_json::Value = app.get_json(&cpp, "/api/access-log/verify").await;
    assert_eq!(verified["first_broken"], 2, "{verified}");
}
