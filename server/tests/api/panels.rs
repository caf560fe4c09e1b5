//! Moderation panels over the relay: positions stay blind until a member
//! records their own or the chair reveals all (R-MOD-3).

use std::time::Duration;

use automerge::transaction::Transactable;
use autosurgeon::Text;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::moderation::panel::{self, PositionDoc};
use qalf_shared::org::{PersonId, Role};
use qalf_shared::sync::{Availability, DocumentId, Message};

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

fn position_doc(member: &PersonId) -> automerge::Automerge {
    panel::new_position(
        &PositionDoc {
            kind: "panel-position".into(),
            schema: 1,
            panel: DocumentId::from_bytes([1; 16]),
            audit: DocumentId::from_bytes([2; 16]),
            member: member.clone(),
            member_name: member.to_string(),
            grade: None,
            audit_quality: None,
            notes: Text::from(""),
            recorded_at: None,
        },
        member.as_str(),
        0,
    )
    .unwrap()
}

fn bytes_of(peer: &SyncPeer, id: &DocumentId) -> usize {
    peer.received
        .iter()
        .filter_map(|f| match Message::decode(f) {
            Ok(Message::Sync { document, data, .. }) if &document == id => Some(data.len()),
            _ => None,
        })
        .sum()
}

async fn record(
    app: &TestApp,
    peer: &mut SyncPeer,
    http: &reqwest::Client,
    panel: &DocumentId,
    id: &DocumentId,
) {
    peer.change(id, |tx| {
        tx.put(automerge::ROOT, "grade", "good")?;
        tx.put(automerge::ROOT, "audit_quality", "good")?;
        tx.put(automerge::ROOT, "recorded_at", 5i64)
    })
    .await;
    peer.pump_until("the position synced", |p| {
        p.client.status(id).unwrap().synced
    })
    .await;
    let status = http
        .post(app.url(&format!("/api/panels/{panel}/recorded")))
        .json(&serde_json::json!({ "position": id.to_string() }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
}

#[tokio::test]
async fn r_mod_3_positions_reach_a_member_only_after_they_record_theirs_or_the_reveal() {
    let app = TestApp::spawn().await;
    let chair = app.person(Role::CppPractitioner);
    let (a, b) = (
        app.person(Role::TeamManager),
        app.person(Role::ServiceManager),
    );
    let chair_http = app.signed_in(Role::CppPractitioner).await;
    let (a_http, b_http) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::ServiceManager).await,
    );
    let panel_id = DocumentId::from_bytes([50; 16]);
    let audit = DocumentId::from_bytes([51; 16]);
    let (pos_a, pos_b) = (
        DocumentId::from_bytes([52; 16]),
        DocumentId::from_bytes([53; 16]),
    );
    let members = vec![a.clone(), b.clone()];
    let panel_meta = RecordMeta {
        id: panel_id.clone(),
        created_by: chair.clone(),
        created_at: 0,
        parties: Parties::Panel {
            chair: chair.clone(),
            members: members.clone(),
            audits: vec![audit.clone()],
            held_on: None,
        },
    };
    let status = chair_http
        .post(app.url("/api/records"))
        .json(&panel_meta)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 201);

    // Each member makes their own position on their own device.
    let mut peer_a = SyncPeer::connect(&app, &a_http, &a).await;
    let mut peer_b = SyncPeer::connect(&app, &b_http, &b).await;
    for (id, member, http, peer) in [
        (&pos_a, &a, &a_http, &mut peer_a),
        (&pos_b, &b, &b_http, &mut peer_b),
    ] {
        let meta = RecordMeta {
            id: id.clone(),
            created_by: member.clone(),
            created_at: 0,
            parties: Parties::PanelPosition {
                panel: panel_id.clone(),
                audit: audit.clone(),
                member: member.clone(),
                chair: chair.clone(),
                members: members.clone(),
                recorded: vec![],
                revealed: false,
            },
        };
        let status = http
            .post(app.url("/api/records"))
            .json(&meta)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 201);
        peer.create(id.clone(), position_doc(member)).await;
        peer.pump_until("own position synced", |p| {
            p.client.status(id).unwrap().synced
        })
        .await;
    }
    peer_a.request(pos_b.clone()).await;
    peer_b.request(pos_a.clone()).await;
    peer_a
        .pump_until("B's position refused", |p| {
            p.client.status(&pos_b).unwrap().availability == Availability::Unavailable
        })
        .await;
    peer_b
        .pump_until("A's position refused", |p| {
            p.client.status(&pos_a).unwrap().availability == Availability::Unavailable
        })
        .await;

    // A records: A may now see B's; B still sees nothing of A's.
    record(&app, &mut peer_a, &a_http, &panel_id, &pos_a).await;
    peer_a.client_resync(&pos_b).await;
    peer_a
        .pump_until("B's position", |p| {
            p.client.status(&pos_b).unwrap().availability == Availability::Ready
        })
        .await;
    peer_b.client_resync(&pos_a).await;
    peer_b.pump_for(Duration::from_millis(800)).await;
    assert_eq!(
        peer_b.client.status(&pos_a).unwrap().availability,
        Availability::Unavailable
    );
    assert_eq!(
        bytes_of(&peer_b, &pos_a),
        0,
        "not one byte of A's position reached B"
    );

    // The chair reveals: B gets A's position.
    let status = chair_http
        .post(app.url(&format!("/api/panels/{panel_id}/reveal")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    peer_b.client_resync(&pos_a).await;
    peer_b
        .pump_until("A's position after the reveal", |p| {
            p.client
                .doc(&pos_a)
                .and_then(panel::read_position)
                .is_some_and(|x| x.grade == Some(qalf_shared::audit::Grade::Good))
        })
        .await;
}

#[tokio::test]
async fn r_mod_3_claiming_a_position_is_recorded_before_it_is_is_refused() {
    let app = TestApp::spawn().await;
    let chair = app.person(Role::CppPractitioner);
    let a = app.person(Role::TeamManager);
    let chair_http = app.signed_in(Role::CppPractitioner).await;
    let a_http = app.signed_in(Role::TeamManager).await;
    let panel_id = DocumentId::from_bytes([60; 16]);
    let audit = DocumentId::from_bytes([62; 16]);
    let pos = DocumentId::from_bytes([61; 16]);
    let panel_meta = RecordMeta {
        id: panel_id.clone(),
        created_by: chair.clone(),
        created_at: 0,
        parties: Parties::Panel {
            chair: chair.clone(),
            members: vec![a.clone()],
            audits: vec![audit.clone()],
            held_on: None,
        },
    };
    let position_meta = RecordMeta {
        id: pos.clone(),
        created_by: a.clone(),
        created_at: 0,
        parties: Parties::PanelPosition {
            panel: panel_id.clone(),
            audit,
            member: a.clone(),
            chair: chair.clone(),
            members: vec![a.clone()],
            recorded: vec![],
            revealed: false,
        },
    };
    for (http, meta) in [(&chair_http, &panel_meta), (&a_http, &position_meta)] {
        let status = http
            .post(app.url("/api/records"))
            .json(meta)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 201);
    }
    let mut a_peer = SyncPeer::connect(&app, &a_http, &a).await;
    a_peer.create(pos.clone(), position_doc(&a)).await;
    a_peer
        .pump_until("synced", |p| p.client.status(&pos).unwrap().synced)
        .await;
    let status = a_http
        .post(app.url(&format!("/api/panels/{panel_id}/recorded")))
        .json(&serde_json::json!({ "position": pos.to_string() }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 400, "an empty position is not a recorded one");
}

/// R-SEC-1 on a panel: a member lists only their own position, writes it
/// only until it is recorded, and the rest of the panel (its revealing,
/// its date) is the chair's; the consensus is everyone's.
#[tokio::test]
async fn r_sec_1_a_member_writes_their_own_position_until_recorded_and_the_panel_is_the_chairs() {
    use crate::hardening::send_crafted;
    use automerge::{ActorId, ObjType, ROOT, ReadDoc};
    let app = TestApp::spawn().await;
    let chair = app.person(Role::CppPractitioner);
    let (a, b) = (
        app.person(Role::TeamManager),
        app.person(Role::ServiceManager),
    );
    let chair_http = app.signed_in(Role::CppPractitioner).await;
    let a_http = app.signed_in(Role::TeamManager).await;
    let panel_id = DocumentId::from_bytes([60; 16]);
    let audit = DocumentId::from_bytes([61; 16]);
    let pos_a = DocumentId::from_bytes([62; 16]);
    let members = vec![a.clone(), b.clone()];
    let panel_meta = RecordMeta {
        id: panel_id.clone(),
        created_by: chair.clone(),
        created_at: 0,
        parties: Parties::Panel {
            chair: chair.clone(),
            members: members.clone(),
            audits: vec![audit.clone()],
            held_on: None,
        },
    };
    let status = chair_http
        .post(app.url("/api/records"))
        .json(&panel_meta)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 201);
    let mut by_chair = SyncPeer::connect(&app, &chair_http, &chair).await;
    let doc = panel::new_panel(
        &panel::PanelDoc {
            kind: "panel".into(),
            schema: panel::PANEL_SCHEMA,
            held_on: "2026-12-01".into(),
            chair: chair.clone(),
            chair_name: chair.to_string(),
            members: members
                .iter()
                .map(|m| panel::Member {
                    id: m.clone(),
                    name: m.to_string(),
                })
                .collect(),
            audits: vec![panel::PanelAudit {
                id: audit.clone(),
                case: "C-1".parse().unwrap(),
                auditor_name: "An auditor".into(),
                audit_grade: None,
                positions: vec![],
                consensus: panel::Consensus {
                    grade: None,
                    audit_quality: None,
                    learning: Text::from(""),
                    no_consensus: false,
                    why: Text::from(""),
                    recorded_at: None,
                },
            }],
            revealed: false,
        },
        chair.as_str(),
        0,
    )
    .unwrap();
    by_chair.create(panel_id.clone(), doc).await;
    by_chair.synced(&panel_id).await;

    let position_meta = RecordMeta {
        id: pos_a.clone(),
        created_by: a.clone(),
        created_at: 0,
        parties: Parties::PanelPosition {
            panel: panel_id.clone(),
            audit: audit.clone(),
            member: a.clone(),
            chair: chair.clone(),
            members: members.clone(),
            recorded: vec![],
            revealed: false,
        },
    };
    let status = a_http
        .post(app.url("/api/records"))
        .json(&position_meta)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 201);
    let mut peer_a = SyncPeer::connect(&app, &a_http, &a).await;
    peer_a.create(pos_a.clone(), position_doc(&a)).await;
    peer_a.synced(&pos_a).await;
    peer_a.request(panel_id.clone()).await;
    peer_a.synced(&panel_id).await;

    let mine = format!("by:{a}");
    let list = |member: String, position: String| {
        move |d: &mut automerge::AutoCommit| {
            let audits = d.get(ROOT, "audits")?.expect("audits").1;
            let first = d.get(&audits, 0)?.expect("an audit").1;
            let positions = d.get(&first, "positions")?.expect("positions").1;
            let entry = d.insert_object(&positions, 0, ObjType::Map)?;
            d.put(&entry, "id", position)?;
            d.put(&entry, "member", member)
        }
    };
    // Listing someone else's position, revealing all, and moving the date:
    // none of it A's to write.
    send_crafted(
        &mut peer_a,
        &panel_id,
        ActorId::random(),
        &mine,
        list(b.to_string(), "someone else's".into()),
    )
    .await;
    send_crafted(&mut peer_a, &panel_id, ActorId::random(), &mine, |d| {
        d.put(ROOT, "revealed", true)
    })
    .await;
    send_crafted(&mut peer_a, &panel_id, ActorId::random(), &mine, |d| {
        d.put(ROOT, "held_on", "2026-12-02")
    })
    .await;
    // Listing their own: taken.
    send_crafted(
        &mut peer_a,
        &panel_id,
        ActorId::random(),
        &mine,
        list(a.to_string(), pos_a.to_string()),
    )
    .await;

    // A records the position; a change to it afterwards is refused.
    record(&app, &mut peer_a, &a_http, &panel_id, &pos_a).await;
    send_crafted(&mut peer_a, &pos_a, ActorId::random(), &mine, |d| {
        d.put(ROOT, "grade", "inadequate")
    })
    .await;

    let relay = app.server.state.relay().clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let listed = loop {
        let listed = relay
            .with_document(&panel_id, |doc| {
                let p = panel::read_panel(doc).expect("a panel");
                (p.audits[0].positions.clone(), p.revealed, p.held_on)
            })
            .await
            .unwrap()
            .unwrap();
        if !listed.0.is_empty() || tokio::time::Instant::now() > deadline {
            break listed;
        }
        peer_a.pump_for(Duration::from_millis(100)).await;
    };
    assert_eq!(
        listed
            .0
            .iter()
            .map(|p| p.member.as_str())
            .collect::<Vec<_>>(),
        vec![a.as_str()],
        "only A's own position is listed"
    );
    assert!(!listed.1, "a member revealed the positions");
    assert_eq!(listed.2, "2026-12-01", "a member moved the panel's date");
    peer_a.pump_for(Duration::from_millis(300)).await;
    let grade = relay
        .with_document(&pos_a, |doc| {
            doc.get(ROOT, "grade")
                .unwrap()
                .and_then(|(v, _)| v.into_string().ok())
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        grade.as_deref(),
        Some("good"),
        "a recorded position changed"
    );
    let logged = app.logged(&a).await;
    for reason in [
        "an entry in another person's name",
        "another person's part",
        "the record is locked",
    ] {
        assert!(
            logged
                .iter()
                .any(|(action, detail)| action == "denied" && detail.contains(reason)),
            "{reason}: {logged:?}"
        );
    }
}

/// Also R-LIVE-6: the invitation reaches them in the app and by e-mail.
#[tokio::test]
async fn r_mod_3_the_members_of_a_new_panel_are_invited_with_its_date_in_the_app_and_by_e_mail() {
    let app = TestApp::spawn().await;
    let chair = app.person(Role::CppPractitioner);
    let member = app.person(Role::TeamManager);
    let chair_http = app.signed_in(Role::CppPractitioner).await;
    let panel = DocumentId::from_bytes([60; 16]);
    let status = chair_http
        .post(app.url("/api/records"))
        .json(&RecordMeta {
            id: panel.clone(),
            created_by: chair.clone(),
            created_at: 0,
            parties: Parties::Panel {
                chair: chair.clone(),
                members: vec![member.clone(), chair.clone()],
                audits: vec![DocumentId::from_bytes([61; 16])],
                held_on: Some("2026-12-14".parse().unwrap()),
            },
        })
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 201);
    let invited = |http: reqwest::Client| {
        let app = &app;
        let panel = panel.to_string();
        async move {
            let notes: Vec<qalf_shared::api::Notification> =
                app.get_json(&http, "/api/notifications").await;
            // R-MOD-3: with the panel's date.
            notes.iter().any(|n| {
                n.kind == "panel-invitation"
                    && n.document.as_deref() == Some(panel.as_str())
                    && n.body.contains("It meets on Monday 14 December 2026.")
            })
        }
    };
    assert!(invited(app.signed_in(Role::TeamManager).await).await);
    assert!(!invited(chair_http).await, "the chair set it up");
    // Its e-mail waits in the outbox (no mail server in this test).
    let conn = rusqlite::Connection::open(app.data_dir().join("qalf.sqlite3")).unwrap();
    let queued: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'panel-invitation' AND path = ?1",
            [format!("/panels/{panel}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 1);
}
