//! Audits on the server: allocated audits in the demo, safety alerts to the
//! Head of Service (R-AUDIT-5), recognition of good practice (R-AUDIT-10).

use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::{AlertDelivered, Notification};
use qalf_shared::audit;
use qalf_shared::org::Role;
use qalf_shared::sync::Availability;

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

/// The audit allocated to the Team Manager persona in the demo.
fn allocated_audit(app: &TestApp) -> RecordMeta {
    let tm = app.person(Role::TeamManager);
    app.server
        .state
        .access()
        .readable_by(&tm)
        .into_iter()
        .find(|m| matches!(&m.parties, Parties::Audit { auditor, .. } if auditor == &tm))
        .expect("the demo allocates an audit to every Team Manager")
}

#[tokio::test]
async fn the_demo_allocates_an_audit_the_auditor_can_open() {
    let app = TestApp::spawn().await;
    let meta = allocated_audit(&app);
    let Parties::Audit { team, .. } = &meta.parties else {
        unreachable!()
    };
    let org = app.server.state.org();
    let tm = app.person(Role::TeamManager);
    // R-ALLOC-2: never a case from a team the auditor manages.
    assert_ne!(org.team(team).unwrap().manager.as_ref(), Some(&tm));
    let http = app.signed_in(Role::TeamManager).await;
    let mut peer = SyncPeer::connect(&app, &http, &tm).await;
    peer.request(meta.id.clone()).await;
    peer.pump_until("the audit", |p| {
        p.client.status(&meta.id).unwrap().availability == Availability::Ready
    })
    .await;
    let audit = peer.client.doc(&meta.id).and_then(audit::read).unwrap();
    assert_eq!(audit.header.auditor, tm.to_string());
    assert_eq!(audit.sections.len(), 9);
    assert!(audit.sections.iter().all(|s| !s.questions.is_empty()));
}

#[tokio::test]
async fn r_audit_5_a_safety_alert_reaches_the_head_of_service_once_and_stays() {
    let app = TestApp::spawn().await;
    let meta = allocated_audit(&app);
    let Parties::Audit { team, .. } = &meta.parties else {
        unreachable!()
    };
    let org = app.server.state.org();
    let head = org.head_of_service_for_team(team).unwrap().clone();
    let http = app.signed_in(Role::TeamManager).await;
    let alert = serde_json::json!({
        "id": "alert-1",
        "audit": meta.id.to_string(),
        "concern": "The latest visit record describes an unexplained injury.",
        "raised_at": 1_700_000_000i64,
    });
    let delivered: AlertDelivered = app
        .send_json(&http, reqwest::Method::POST, "/api/alerts", &alert)
        .await;
    assert_eq!(delivered.head_of_service, head.id.to_string());
    // A retry (the answer was lost offline) alerts nobody twice.
    let again: AlertDelivered = app
        .send_json(&http, reqwest::Method::POST, "/api/alerts", &alert)
        .await;
    assert_eq!(again, delivered);

    let head_http = app.signed_in_person(&head.id).await;
    let notes: Vec<Notification> = app.get_json(&head_http, "/api/notifications").await;
    let alerts: Vec<_> = notes.iter().filter(|n| n.kind == "safety-alert").collect();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].body.contains("unexplained injury"));

    // Who was alerted and when cannot be deleted or rewritten.
    let conn = rusqlite::Connection::open(app.data_dir().join("qalf.sqlite3")).unwrap();
    assert!(conn.execute("DELETE FROM safety_alerts", []).is_err());
    assert!(
        conn.execute("UPDATE safety_alerts SET head_of_service = 'p-001'", [])
            .is_err()
    );
}

#[tokio::test]
async fn r_audit_5_someone_without_access_to_the_audit_cannot_raise_an_alert_on_it() {
    let app = TestApp::spawn().await;
    let meta = allocated_audit(&app);
    let http = app.signed_in(Role::Iro).await;
    let status = http
        .post(app.url("/api/alerts"))
        .json(&serde_json::json!({
            "id": "x", "audit": meta.id.to_string(), "concern": "c", "raised_at": 0
        }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
}

/// Recognitions `person` has been sent about `audit`.
async fn recognitions(app: &TestApp, person: &qalf_shared::org::PersonId, audit: &str) -> usize {
    let client = app.signed_in_person(person).await;
    let notes: Vec<Notification> = app.get_json(&client, "/api/notifications").await;
    notes
        .iter()
        .filter(|n| n.kind == "recognition" && n.document.as_deref() == Some(audit))
        .count()
}

#[tokio::test]
async fn r_audit_10_the_server_recognises_good_practice_in_a_completed_audit_once() {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};
    let app = TestApp::spawn().await;
    let meta = allocated_audit(&app);
    let Parties::Audit {
        practitioner,
        auditor,
        ..
    } = &meta.parties
    else {
        unreachable!()
    };
    let org = app.server.state.org();
    let manager = org
        .person(practitioner)
        .unwrap()
        .line_manager
        .clone()
        .unwrap();
    let id = meta.id.clone();
    let audit_id = id.to_string();
    let http = app.signed_in(Role::TeamManager).await;
    let mut device = SyncPeer::connect(&app, &http, auditor).await;
    device.request(id.clone()).await;
    device
        .pump_until("the audit", |p| {
            p.client
                .status(&id)
                .is_some_and(|s| s.availability == Availability::Ready)
        })
        .await;
    // "Synced" can reach the device a moment before the relay's write, which
    // is what marks the record for the server's pass: wait past that too.
    let settled = || async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        app.server.state.projector().settled().await;
    };
    let write_good_practice = |words: &'static str| {
        move |d: &mut automerge::AutoCommit| {
            let recognition = d.get(ROOT, "recognition")?.expect("recognition").1;
            let text = d
                .get(&recognition, "good_practice")?
                .expect("good practice")
                .1;
            let end = d.length(&text);
            d.splice_text(&text, end, 0, words)
        }
    };

    // Completed (on a device that may have been offline) with no good
    // practice written: nothing to recognise.
    device
        .change(&id, |d| d.put(ROOT, "completed_at", 1_793_000_000i64))
        .await;
    device.synced(&id).await;
    settled().await;
    assert_eq!(recognitions(&app, practitioner, &audit_id).await, 0);

    // Good practice added later: the server recognises it, to the
    // practitioner and their management, and notes it in the audit.
    device
        .change(
            &id,
            write_good_practice("Direct work with the child is exemplary."),
        )
        .await;
    device.synced(&id).await;
    settled().await;
    for person in [practitioner, &manager] {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut sent = recognitions(&app, person, &audit_id).await;
        while sent == 0 && tokio::time::Instant::now() < deadline {
            settled().await;
            sent = recognitions(&app, person, &audit_id).await;
        }
        assert_eq!(sent, 1, "{person}");
    }
    device
        .pump_until("the recognition noted in the audit", |p| {
            p.client
                .doc(&id)
                .and_then(audit::read)
                .is_some_and(|a| a.recognition.sent_at.is_some())
        })
        .await;

    // More words later: recognised once, not again.
    device
        .change(&id, write_good_practice(" And the chronology is clear."))
        .await;
    device.synced(&id).await;
    settled().await;
    assert_eq!(recognitions(&app, practitioner, &audit_id).await, 1);
}
