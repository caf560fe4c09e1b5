//! The relay over real WebSockets: convergence, durability, refusal of bad
//! peers and bad frames.

use std::time::Duration;

use automerge::ROOT;
use automerge::ReadDoc;
use automerge::transaction::Transactable;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::document::note;
use qalf_shared::org::{PersonId, Role};
use qalf_shared::sync::{Availability, DocumentId};

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

fn new_id(seed: u8) -> DocumentId {
    DocumentId::from_bytes([seed; 16])
}

pub async fn register_note(
    app: &TestApp,
    http: &reqwest::Client,
    id: &DocumentId,
    creator: &PersonId,
    members: Vec<PersonId>,
) {
    let meta = RecordMeta {
        id: id.clone(),
        created_by: creator.clone(),
        created_at: 0,
        parties: Parties::Note { members },
    };
    let status = http
        .post(app.url("/api/records"))
        .json(&meta)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "registering a note: {status}");
}

fn body_text(peer: &SyncPeer, id: &DocumentId) -> String {
    let doc = peer.client.doc(id).expect("open");
    match doc.get(ROOT, note::BODY).unwrap() {
        Some((_, obj)) => doc.text(&obj).unwrap(),
        None => String::new(),
    }
}

async fn type_into(peer: &mut SyncPeer, id: &DocumentId, at_end: bool, text: &str) {
    let obj = {
        let doc = peer.client.doc(id).unwrap();
        doc.get(ROOT, note::BODY).unwrap().unwrap().1
    };
    let text = text.to_string();
    peer.change(id, |tx| {
        let len = tx.length(&obj);
        tx.splice_text(&obj, if at_end { len } else { 0 }, 0, &text)
    })
    .await;
}

#[tokio::test]
async fn two_people_typing_in_one_note_converge_through_the_relay() {
    let app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let sw = app.person(Role::Practitioner);
    let (http_tm, http_sw) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::Practitioner).await,
    );
    let id = new_id(1);
    register_note(&app, &http_tm, &id, &tm, vec![sw.clone()]).await;

    let mut a = SyncPeer::connect(&app, &http_tm, &tm).await;
    a.create(
        id.clone(),
        note::new_note("Supervision", tm.as_str(), 0).unwrap(),
    )
    .await;
    type_into(&mut a, &id, true, "Visit notes.").await;
    a.pump_until("the relay to hold the note", |p| {
        p.client.status(&id).unwrap().synced
    })
    .await;

    let mut b = SyncPeer::connect(&app, &http_sw, &sw).await;
    b.request(id.clone()).await;
    b.pump_until("the note to arrive", |p| {
        p.client.status(&id).unwrap().availability == Availability::Ready
    })
    .await;

    // Both type at once, before either hears of the other's typing.
    type_into(&mut a, &id, false, "Strengths: ").await;
    type_into(&mut b, &id, true, " The child was seen alone.").await;
    for _ in 0..50 {
        a.pump_for(Duration::from_millis(50)).await;
        b.pump_for(Duration::from_millis(50)).await;
        if body_text(&a, &id) == body_text(&b, &id) && a.client.status(&id).unwrap().synced {
            break;
        }
    }
    assert_eq!(
        body_text(&a, &id),
        "Strengths: Visit notes. The child was seen alone."
    );
    assert_eq!(body_text(&b, &id), body_text(&a, &id));
    assert!(b.client.status(&id).unwrap().synced);
}

#[tokio::test]
async fn the_relay_keeps_a_note_across_a_restart() {
    let mut app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let id = new_id(2);
    register_note(&app, &http, &id, &tm, vec![]).await;
    let mut a = SyncPeer::connect(&app, &http, &tm).await;
    a.create(
        id.clone(),
        note::new_note("Durable", tm.as_str(), 0).unwrap(),
    )
    .await;
    type_into(&mut a, &id, true, "kept on disk").await;
    a.pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;

    app.restart().await;
    let http = app.signed_in(Role::TeamManager).await;
    let mut fresh = SyncPeer::connect(&app, &http, &tm).await;
    fresh.request(id.clone()).await;
    fresh
        .pump_until("the note after the restart", |p| {
            p.client.status(&id).unwrap().availability == Availability::Ready
        })
        .await;
    assert_eq!(body_text(&fresh, &id), "kept on disk");
}

#[tokio::test]
async fn an_unregistered_document_is_unavailable() {
    let app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut a = SyncPeer::connect(&app, &http, &tm).await;
    let id = new_id(3);
    a.request(id.clone()).await;
    a.pump_until("doc-unavailable", |p| {
        p.client.status(&id).unwrap().availability == Availability::Unavailable
    })
    .await;
}

#[tokio::test]
async fn the_socket_without_a_ticket_is_401() {
    let app = TestApp::spawn().await;
    let url = format!("ws://{}/sync", app.server.addr);
    let err = tokio_tungstenite::connect_async(url).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn a_ticket_works_once() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::TeamManager).await;
    let tm = app.person(Role::TeamManager);
    let ticket: serde_json::Value = app
        .send_json(
            &http,
            reqwest::Method::POST,
            "/api/sync/ticket",
            &serde_json::json!({ "peer_id": format!("{tm}~once") }),
        )
        .await;
    let url = format!(
        "ws://{}/sync?ticket={}",
        app.server.addr,
        ticket["ticket"].as_str().unwrap()
    );
    assert!(tokio_tungstenite::connect_async(url.clone()).await.is_ok());
    let err = tokio_tungstenite::connect_async(url).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn a_ticket_needs_a_session() {
    let app = TestApp::spawn().await;
    let response = app
        .client()
        .post(app.url("/api/sync/ticket"))
        .json(&serde_json::json!({ "peer_id": "p-001~x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_ticket_for_another_persons_peer_id_is_refused() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::TeamManager).await;
    let someone_else = app.person(Role::Director);
    let response = http
        .post(app.url("/api/sync/ticket"))
        .json(&serde_json::json!({ "peer_id": format!("{someone_else}~x") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn the_socket_from_a_foreign_origin_is_403() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::TeamManager).await;
    let tm = app.person(Role::TeamManager);
    let ticket: serde_json::Value = app
        .send_json(
            &http,
            reqwest::Method::POST,
            "/api/sync/ticket",
            &serde_json::json!({ "peer_id": format!("{tm}~o") }),
        )
        .await;
    let mut request = format!(
        "ws://{}/sync?ticket={}",
        app.server.addr,
        ticket["ticket"].as_str().unwrap()
    )
    .into_client_request()
    .unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let err = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
}

#[tokio::test]
async fn a_garbage_frame_closes_that_connection_and_no_other() {
    let app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let id = new_id(4);
    register_note(&app, &http, &id, &tm, vec![]).await;
    let mut good = SyncPeer::connect(&app, &http, &tm).await;
    good.create(
        id.clone(),
        note::new_note("Still here", tm.as_str(), 0).unwrap(),
    )
    .await;
    good.pump_until("synced", |p| p.client.status(&id).unwrap().synced)
        .await;

    let mut bad = SyncPeer::connect(&app, &http, &tm).await;
    bad.pump_for(Duration::from_millis(200)).await;
    bad.send_raw(vec![0xff, 0x13, 0x37, 0x00]).await;
    bad.pump_for(Duration::from_secs(3)).await;
    assert!(
        bad.closed,
        "the relay closed the connection that sent garbage"
    );

    type_into(&mut good, &id, true, " and still syncing").await;
    good.pump_until("synced after the garbage", |p| {
        p.client.status(&id).unwrap().synced
    })
    .await;
}

#[tokio::test]
async fn an_oversized_frame_closes_that_connection() {
    let app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut bad = SyncPeer::connect(&app, &http, &tm).await;
    bad.pump_for(Duration::from_millis(200)).await;
    bad.send_raw(vec![0u8; qalf_server::relay::MAX_FRAME_BYTES + 1])
        .await;
    bad.pump_for(Duration::from_secs(3)).await;
    assert!(bad.closed);
}

#[tokio::test]
async fn signing_out_closes_the_sessions_sync_connections() {
    let app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut peer = SyncPeer::connect(&app, &http, &tm).await;
    peer.pump_for(Duration::from_millis(200)).await;
    assert!(!peer.closed);
    http.delete(app.url("/api/session")).send().await.unwrap();
    peer.pump_for(Duration::from_secs(3)).await;
    assert!(peer.closed);
}
