//! The security review's findings (DOMAIN.md §10), each proved against the
//! real server over real HTTP and WebSockets; hostile clients are built
//! from the shared sync client.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use qalf_server::AppState;
use qalf_server::clock::ManualClock;
use qalf_server::config::Config;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ))
}

#[tokio::test]
async fn r_sec_10_a_demo_folder_never_opens_as_a_real_one_nor_a_real_one_as_a_demo() {
    // A demonstration's folder.
    let demo = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(demo.path().to_path_buf());
    config.demo = true;
    let state = AppState::open(config.clone(), clock()).await.unwrap();
    qalf_server::demo::seed_if_empty(&state).await.unwrap();
    drop(state);
    config.demo = false;
    let refused = AppState::open(config, clock())
        .await
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("holds a demonstration"),
        "{refused}"
    );

    // A real installation's folder.
    let live = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(live.path().to_path_buf());
    AppState::open(config.clone(), clock()).await.unwrap();
    config.demo = true;
    let refused = AppState::open(config, clock())
        .await
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("holds a real installation"),
        "{refused}"
    );
}

#[tokio::test]
async fn r_sec_11_a_state_changing_request_from_another_site_is_refused() {
    let app = crate::harness::TestApp::spawn().await;
    let http = app.client();
    let sign_in = serde_json::json!({ "username": "nobody", "password": "wrong" });
    for (origin, refused) in [
        ("https://evil.example", true),
        (app.server.url().as_str(), false),
    ] {
        let status = http
            .post(app.url("/api/session"))
            .header("origin", origin)
            .json(&sign_in)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status == 403, refused, "{origin}: {status}");
    }
    let signed_in = app
        .signed_in(qalf_shared::org::Role::CppServiceManager)
        .await;
    let status = signed_in
        .delete(app.url("/api/session"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403, "no sign-out from another site");
    // Reads from anywhere are answered as before (the session still stands).
    let status = signed_in
        .get(app.url("/api/me"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

#[cfg(unix)]
#[tokio::test]
async fn r_sec_11_the_data_folder_and_database_are_the_service_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("qalf-data");
    AppState::open(Config::for_tests(data.clone()), clock())
        .await
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data folder");
    for file in ["qalf.sqlite3", "qalf.sqlite3-wal", "qalf.sqlite3-shm"] {
        let path = data.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
}

#[tokio::test]
async fn r_sec_11_the_seal_key_lives_where_it_is_put_and_a_missing_key_is_an_error() {
    let data = tempfile::tempdir().unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.secrets_dir = Some(secrets.path().to_path_buf());
    AppState::open(config.clone(), clock()).await.unwrap();
    let key = secrets.path().join("access-log.key");
    assert!(key.exists(), "the key is made in the secrets folder");
    assert!(!data.path().join("access-log.key").exists());
    std::fs::remove_file(&key).unwrap();
    let refused = AppState::open(config, clock())
        .await
        .err()
        .expect("refused");
    assert!(refused.to_string().contains("access log key"), "{refused}");
    assert!(!key.exists(), "no new key is made in its place");
}

#[tokio::test]
async fn r_sec_11_every_response_says_what_the_page_may_use_and_who_may_embed_it() {
    let app = crate::harness::TestApp::spawn().await;
    for path in ["/", "/api/settings"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let policy = headers["permissions-policy"].to_str().unwrap();
        assert!(
            policy.contains("camera=()") && policy.contains("geolocation=()"),
            "{path}"
        );
        assert_eq!(
            headers["cross-origin-resource-policy"], "same-origin",
            "{path}"
        );
    }
}

#[tokio::test]
async fn r_sec_11_the_directory_gives_each_role_only_the_fields_it_needs() {
    let app = crate::harness::TestApp::spawn().await;
    let practitioner_id = app.person(qalf_shared::org::Role::Practitioner);
    let practitioner = app.signed_in(qalf_shared::org::Role::Practitioner).await;
    let seen: qalf_shared::api::Directory = app.get_json(&practitioner, "/api/directory").await;
    assert!(seen.org.cases.is_empty());
    assert!(
        seen.org
            .people
            .iter()
            .filter(|p| p.id != practitioner_id)
            .all(|p| p.started_on.is_none() && p.in_post_since.is_none()),
        "a practitioner sees no one's employment dates"
    );
    let tm_id = app.person(qalf_shared::org::Role::TeamManager);
    let tm = app.signed_in(qalf_shared::org::Role::TeamManager).await;
    let seen: qalf_shared::api::Directory = app.get_json(&tm, "/api/directory").await;
    let org = app.server.state.org();
    for p in &seen.org.people {
        let theirs = p.id == tm_id || org.manages(&tm_id, &p.id);
        if !theirs {
            assert!(
                p.started_on.is_none() && p.in_post_since.is_none(),
                "{} is not in the Team Manager's line",
                p.id
            );
        }
    }
    assert!(
        seen.org.people.iter().any(|p| p.started_on.is_some()),
        "the Team Manager sees their team's dates (for the observation quotas)"
    );
    // Work e-mail addresses are for the server's notifications: each person
    // sees their own only.
    for p in &seen.org.people {
        assert_eq!(p.email.is_some(), p.id == tm_id, "{}'s address", p.id);
    }
}

/// A ticket for `person`'s device, from their signed-in `http`.
async fn ticket(app: &crate::harness::TestApp, http: &reqwest::Client, device: &str) -> String {
    let ticket: qalf_shared::api::SyncTicket = http
        .post(app.url("/api/sync/ticket"))
        .json(&serde_json::json!({ "peer_id": device }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    ticket.ticket
}

#[tokio::test]
async fn r_sec_4_a_ticket_dies_with_its_session() {
    let app = crate::harness::TestApp::spawn().await;
    let tm = app.person(qalf_shared::org::Role::TeamManager);
    let http = app.signed_in(qalf_shared::org::Role::TeamManager).await;
    let code = ticket(&app, &http, &format!("{tm}~old")).await;
    let status = http
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let opened =
        tokio_tungstenite::connect_async(format!("ws://{}/sync?ticket={code}", app.server.addr))
            .await;
    assert!(
        opened.is_err(),
        "a ticket from before sign-out opened a socket"
    );
}

#[tokio::test]
async fn r_sec_4_every_socket_ends_with_its_session_on_sign_out_expiry_and_deactivation() {
    let app = crate::harness::TestApp::spawn_with(|c| {
        c.session_check_seconds = 1;
    })
    .await;
    // The council's setting, as the settings screen stores it.
    let mut settings = (*app.server.state.settings()).clone();
    settings.sessions.idle_minutes = 30;
    app.server
        .state
        .settings_store()
        .set(app.server.state.db(), settings)
        .await
        .unwrap();
    let tm = app.person(qalf_shared::org::Role::TeamManager);

    // Sign-out.
    let http = app.signed_in(qalf_shared::org::Role::TeamManager).await;
    let mut a = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    let mut b = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    http.delete(app.url("/api/session")).send().await.unwrap();
    a.pump_until("sign-out to close the socket", |p| p.closed)
        .await;
    b.pump_until("sign-out to close the other socket", |p| p.closed)
        .await;

    // Idle expiry, with the socket open and quiet.
    let http = app.signed_in(qalf_shared::org::Role::TeamManager).await;
    let mut c = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    app.clock.advance(chrono::Duration::minutes(31));
    c.pump_until("expiry to close the socket", |p| p.closed)
        .await;

    // Deactivation (a leaver, a password change): every session and socket.
    let http = app.signed_in(qalf_shared::org::Role::TeamManager).await;
    let other = app.signed_in(qalf_shared::org::Role::TeamManager).await;
    let mut d = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    let mut e = crate::sync_peer::SyncPeer::connect(&app, &other, &tm).await;
    qalf_server::auth::session::end_all_for(&app.server.state, tm.clone())
        .await
        .unwrap();
    d.pump_until("deactivation to close the socket", |p| p.closed)
        .await;
    e.pump_until("deactivation to close the other device's socket", |p| {
        p.closed
    })
    .await;
    let status = other.get(app.url("/api/me")).send().await.unwrap().status();
    assert_eq!(status, 401);
}

/// Signs in as `username` from `client` (as a trusted proxy reports it).
async fn attempt(
    app: &crate::harness::TestApp,
    username: &str,
    password: &str,
    client: &str,
) -> u16 {
    app.client()
        .post(app.url("/api/session"))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn r_sec_5_guessing_is_throttled_by_account_and_address_without_locking_the_person_out() {
    let app = crate::harness::TestApp::spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let victim = app.persona(qalf_shared::org::Role::Practitioner);
    let password = qalf_server::demo::DEMO_PASSWORD;
    // Someone guesses from one address until refused.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(attempt(&app, &victim, "guess", "203.0.113.7").await);
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    // The person themselves, elsewhere, is not locked out.
    assert_eq!(attempt(&app, &victim, password, "198.51.100.20").await, 200);
    // One address trying many accounts is refused too.
    let mut sprayed = Vec::new();
    for n in 0..40 {
        sprayed.push(attempt(&app, &format!("someone.{n}"), "Password1", "203.0.113.99").await);
    }
    assert_eq!(*sprayed.last().unwrap(), 429, "{sprayed:?}");
    // Every failure is an event, with the address and no password.
    let events: Vec<(String, String, String)> = app
        .server
        .state
        .db()
        .call(|conn| {
            let mut stmt =
                conn.prepare("SELECT account, client, outcome FROM sign_in_events ORDER BY id")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
        .unwrap();
    let against_victim = events
        .iter()
        .filter(|(account, client, outcome)| {
            account == &victim && client == "203.0.113.7" && outcome == "wrong password"
        })
        .count();
    assert!(against_victim >= 10, "{events:?}");
    assert!(
        events
            .iter()
            .any(|(_, _, outcome)| outcome == "refused: too many attempts")
    );
    assert!(
        events
            .iter()
            .all(|(account, ..)| !account.contains("Password1") && !account.contains("guess"))
    );
    // An unknown account is not written down as typed (it may be a
    // mistyped password).
    assert!(
        events
            .iter()
            .all(|(account, ..)| !account.starts_with("someone."))
    );
}

#[tokio::test]
async fn r_sec_5_password_hashing_is_bounded_and_a_flood_is_turned_away() {
    let app = crate::harness::TestApp::spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let attempts: Vec<_> =
        (0..48)
            .map(|n| {
                let app = &app;
                async move {
                    attempt(app, &format!("flood.{n}"), "wrong", &format!("192.0.2.{n}")).await
                }
            })
            .collect();
    let statuses = futures::future::join_all(attempts).await;
    let state = &app.server.state;
    assert!(
        state.sign_in_attempts().hashing_peak() <= state.sign_in_attempts().hashing_limit(),
        "at most {} hashes at once, saw {}",
        state.sign_in_attempts().hashing_limit(),
        state.sign_in_attempts().hashing_peak()
    );
    assert!(
        statuses.iter().all(|s| [401, 503].contains(s)),
        "{statuses:?}"
    );
}

/// The presence frames `peer` received about `document`, as (who they say
/// they are).
fn presence_received(
    peer: &crate::sync_peer::SyncPeer,
    document: &qalf_shared::sync::DocumentId,
) -> Vec<String> {
    use qalf_shared::sync::{Message, Presence};
    peer.received
        .iter()
        .filter_map(|f| match Message::decode(f) {
            Ok(Message::Ephemeral {
                document: d, data, ..
            }) if &d == document => Presence::decode(&data).map(|p| p.person.to_string()),
            _ => None,
        })
        .collect()
}

/// A presence frame from `peer` about `document` claiming to be `person`.
fn presence_frame(
    peer: &crate::sync_peer::SyncPeer,
    document: &qalf_shared::sync::DocumentId,
    person: &qalf_shared::org::PersonId,
    count: u64,
) -> Vec<u8> {
    use qalf_shared::sync::{Message, PeerId, Presence};
    Message::Ephemeral {
        sender: peer.client.peer_id().clone(),
        target: PeerId::from_wire("qalf-relay".into()),
        document: document.clone(),
        session: format!("{}-tab", peer.client.peer_id().as_str()),
        count,
        data: Presence {
            person: person.clone(),
            name: "Someone Else".into(),
            field: Some("body".into()),
        }
        .encode(),
    }
    .encode()
}

#[tokio::test]
async fn r_sec_2_presence_obeys_the_documents_access_in_both_directions() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let (owner, member, outsider) = (
        app.person(Role::TeamManager),
        app.person(Role::Practitioner),
        app.person(Role::FamilySolutionsManager),
    );
    let (owner_http, member_http, outsider_http) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::Practitioner).await,
        app.signed_in(Role::FamilySolutionsManager).await,
    );
    let id = qalf_shared::sync::DocumentId::from_bytes([77; 16]);
    crate::sync::register_note(&app, &owner_http, &id, &owner, vec![member.clone()]).await;
    let mut a = crate::sync_peer::SyncPeer::connect(&app, &owner_http, &owner).await;
    a.create(
        id.clone(),
        qalf_shared::document::note::new_note("Shared", owner.as_str(), 0).unwrap(),
    )
    .await;
    a.synced(&id).await;
    let mut b = crate::sync_peer::SyncPeer::connect(&app, &member_http, &member).await;
    b.request(id.clone()).await;
    b.synced(&id).await;
    let mut c = crate::sync_peer::SyncPeer::connect(&app, &outsider_http, &outsider).await;
    c.request(id.clone()).await;
    c.pump_until("a refusal", |p| {
        p.client
            .status(&id)
            .is_some_and(|s| s.availability == qalf_shared::sync::Availability::Unavailable)
    })
    .await;

    // The owner says where they are: the member hears it, the outsider not.
    let effects = a.client.set_presence(
        &id,
        qalf_shared::sync::Presence {
            person: owner.clone(),
            name: "Owner".into(),
            field: Some("body".into()),
        },
        1,
    );
    a.apply(effects).await;
    b.pump_until("the owner's presence", |p| {
        presence_received(p, &id).contains(&owner.to_string())
    })
    .await;
    c.pump_for(std::time::Duration::from_millis(500)).await;
    assert!(
        presence_received(&c, &id).is_empty(),
        "presence leaked to an outsider"
    );

    // The outsider's presence on the note reaches no one; the member's own
    // reaches the owner; the member claiming to be the owner is refused.
    let frame = presence_frame(&c, &id, &outsider, 1);
    c.send_raw(frame).await;
    let honest = presence_frame(&b, &id, &member, 1);
    b.send_raw(honest).await;
    let forged = presence_frame(&b, &id, &owner, 2);
    b.send_raw(forged).await;
    a.pump_until("the member's presence", |p| {
        presence_received(p, &id).contains(&member.to_string())
    })
    .await;
    a.pump_for(std::time::Duration::from_millis(500)).await;
    let heard = presence_received(&a, &id);
    assert!(
        !heard.contains(&outsider.to_string()),
        "an outsider's presence was passed on"
    );
    assert_eq!(
        heard,
        vec![member.to_string()],
        "a forged presence was passed on"
    );
    // The name shown is the directory's, not the one the client wrote.
    let names: Vec<String> = a
        .received
        .iter()
        .filter_map(|f| match qalf_shared::sync::Message::decode(f) {
            Ok(qalf_shared::sync::Message::Ephemeral { data, .. }) => {
                qalf_shared::sync::Presence::decode(&data).map(|p| p.name)
            }
            _ => None,
        })
        .collect();
    assert!(
        !names.is_empty() && !names.iter().any(|n| n == "Someone Else"),
        "{names:?}"
    );
}

/// Hand-made CBOR, for frames no honest encoder writes.
mod cbor {
    pub fn head(major: u8, n: u64) -> Vec<u8> {
        match n {
            0..=23 => vec![major << 5 | n as u8],
            24..=0xff => vec![major << 5 | 24, n as u8],
            _ => {
                let mut v = vec![major << 5 | 25];
                v.extend_from_slice(&(n as u16).to_be_bytes());
                v
            }
        }
    }
    pub fn text(s: &str) -> Vec<u8> {
        let mut v = head(3, s.len() as u64);
        v.extend_from_slice(s.as_bytes());
        v
    }
    pub fn bytes(b: &[u8]) -> Vec<u8> {
        let mut v = head(2, b.len() as u64);
        v.extend_from_slice(b);
        v
    }
    /// A map of the given entries, keys in order, duplicates and all.
    pub fn map(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut v = head(5, entries.len() as u64);
        for (k, value) in entries {
            v.extend(text(k));
            v.extend_from_slice(value);
        }
        v
    }
}

#[tokio::test]
async fn r_sec_3_the_relay_serves_exactly_the_frame_the_gate_checked() {
    use qalf_shared::org::Role;
    use qalf_shared::sync::{DocumentId, Message};
    let app = crate::harness::TestApp::spawn().await;
    let (owner, member) = (
        app.person(Role::TeamManager),
        app.person(Role::Practitioner),
    );
    let (owner_http, member_http) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::Practitioner).await,
    );
    // Two notes the member may read: opening the second through the first's
    // name would go unlogged.
    let (first, second) = (
        DocumentId::from_bytes([81; 16]),
        DocumentId::from_bytes([82; 16]),
    );
    let mut a = crate::sync_peer::SyncPeer::connect(&app, &owner_http, &owner).await;
    for (id, title) in [(&first, "First"), (&second, "Second")] {
        crate::sync::register_note(&app, &owner_http, id, &owner, vec![member.clone()]).await;
        a.create(
            id.clone(),
            qalf_shared::document::note::new_note(title, owner.as_str(), 0).unwrap(),
        )
        .await;
        a.synced(id).await;
    }
    let empty_request = {
        let mut state = automerge::sync::State::new();
        use automerge::sync::SyncDoc;
        automerge::Automerge::new()
            .generate_sync_message(&mut state)
            .expect("a first message")
            .encode()
    };

    let sent_about = |peer: &crate::sync_peer::SyncPeer, id: &DocumentId| {
        peer.received.iter().any(
            |f| matches!(Message::decode(f), Ok(Message::Sync { document, .. }) if &document == id),
        )
    };
    type Frame<'a> = Box<dyn Fn(&str) -> Vec<u8> + 'a>;
    let hostile: Vec<(&str, Frame<'_>)> = vec![
        (
            "a document id given twice, as text then as bytes",
            Box::new(|me: &str| {
                cbor::map(&[
                    ("type", cbor::text("request")),
                    ("senderId", cbor::text(me)),
                    ("targetId", cbor::text("qalf-relay")),
                    ("documentId", cbor::text(&first.to_string())),
                    ("documentId", cbor::bytes(second.as_bytes())),
                    ("data", cbor::bytes(&empty_request)),
                ])
            }),
        ),
        (
            "a document id given twice, both as text",
            Box::new(|me: &str| {
                cbor::map(&[
                    ("type", cbor::text("request")),
                    ("senderId", cbor::text(me)),
                    ("targetId", cbor::text("qalf-relay")),
                    ("documentId", cbor::text(&first.to_string())),
                    ("data", cbor::bytes(&empty_request)),
                    ("documentId", cbor::text(&second.to_string())),
                ])
            }),
        ),
        (
            "a map of unstated length",
            Box::new(|me: &str| {
                let mut frame = cbor::map(&[
                    ("type", cbor::text("request")),
                    ("senderId", cbor::text(me)),
                    ("targetId", cbor::text("qalf-relay")),
                    ("documentId", cbor::text(&second.to_string())),
                    ("data", cbor::bytes(&empty_request)),
                ]);
                frame[0] = 0xbf;
                frame.push(0xff);
                frame
            }),
        ),
        (
            "bytes after the message",
            Box::new(|me: &str| {
                let mut frame = cbor::map(&[
                    ("type", cbor::text("request")),
                    ("senderId", cbor::text(me)),
                    ("targetId", cbor::text("qalf-relay")),
                    ("documentId", cbor::text(&second.to_string())),
                    ("data", cbor::bytes(&empty_request)),
                ]);
                frame.extend(cbor::text("more"));
                frame
            }),
        ),
    ];
    for (what, frame) in hostile {
        let mut b = crate::sync_peer::SyncPeer::connect(&app, &member_http, &member).await;
        // A real request first, so the connection is known to work.
        b.request(first.clone()).await;
        b.synced(&first).await;
        let me = b.client.peer_id().as_str().to_string();
        b.send_raw(frame(&me)).await;
        b.pump_for(std::time::Duration::from_millis(800)).await;
        assert!(
            !sent_about(&b, &second),
            "{what}: the relay served a frame the gate did not check"
        );
        assert!(b.closed, "{what}: the connection stayed open");
    }
}

#[tokio::test]
async fn r_sec_8_an_id_registered_by_a_squatter_gains_them_nothing() {
    use qalf_shared::org::Role;
    use qalf_shared::sync::{DocumentId, Registration};
    let app = crate::harness::TestApp::spawn().await;
    let (victim, squatter) = (
        app.person(Role::TeamManager),
        app.person(Role::Practitioner),
    );
    let (victim_http, squatter_http) = (
        app.signed_in(Role::TeamManager).await,
        app.signed_in(Role::Practitioner).await,
    );
    let id = DocumentId::from_bytes([88; 16]);
    // The victim's tablet made a note offline; the squatter, knowing its id,
    // registers it first as theirs, shared with the victim.
    let mut tablet = crate::sync_peer::SyncPeer::connect(&app, &victim_http, &victim).await;
    tablet
        .create_unregistered(
            id.clone(),
            qalf_shared::document::note::new_note("Home visit", victim.as_str(), 0).unwrap(),
        )
        .await;
    crate::sync::register_note(&app, &squatter_http, &id, &squatter, vec![victim.clone()]).await;
    let refused = victim_http
        .post(app.url("/api/records"))
        .json(&qalf_shared::access::RecordMeta {
            id: id.clone(),
            created_by: victim.clone(),
            created_at: 0,
            parties: qalf_shared::access::Parties::Note { members: vec![] },
        })
        .send()
        .await
        .unwrap()
        .status();
    assert!(refused.is_client_error(), "{refused}");

    // The honest app keeps the note on the tablet.
    let effects = tablet.client.registration_refused(&id);
    tablet.apply(effects).await;
    let effects = tablet.client.resync(&id);
    tablet.apply(effects).await;
    tablet.pump_for(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        tablet.client.status(&id).unwrap().registration,
        Registration::Refused
    );

    // A modified app sends it anyway: the relay takes a record's first
    // content only from its creator.
    let effects = tablet.client.registration_accepted(&id);
    tablet.apply(effects).await;
    tablet.pump_for(std::time::Duration::from_millis(500)).await;

    let mut thief = crate::sync_peer::SyncPeer::connect(&app, &squatter_http, &squatter).await;
    thief.request(id.clone()).await;
    thief.pump_for(std::time::Duration::from_millis(800)).await;
    let got = thief
        .client
        .doc(&id)
        .and_then(qalf_shared::document::note::read)
        .map(|n| n.title);
    assert_eq!(got, None, "the squatter read the victim's note");
    let logged = app.logged(&victim).await;
    assert!(
        logged.iter().any(|(action, _)| action == "denied"),
        "the refused first content was not logged: {logged:?}"
    );
}

/// Text that does not compress, `chars` long (three bytes a character).
fn noise(chars: u32, seed: u32) -> String {
    (0..chars)
        .map(|i| char::from_u32(0x4E00 + (i * 7919 + seed * 104_729) % 20_000).unwrap())
        .collect()
}

/// Bytes the relay has stored for `id`.
async fn stored_bytes(app: &crate::harness::TestApp, id: &qalf_shared::sync::DocumentId) -> i64 {
    let prefix = id.to_string();
    app.server
        .state
        .db()
        .call(move |conn| {
            Ok(conn.query_row(
                "SELECT COALESCE(SUM(length(data)), 0) FROM chunks
                 WHERE key >= ?1 || '/' AND key < ?1 || '0'",
                [&prefix],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap()
}

/// Makes and registers a note of `person`'s, synced to the relay.
async fn synced_note(
    app: &crate::harness::TestApp,
    http: &reqwest::Client,
    peer: &mut crate::sync_peer::SyncPeer,
    person: &qalf_shared::org::PersonId,
    byte: u8,
) -> qalf_shared::sync::DocumentId {
    let id = qalf_shared::sync::DocumentId::from_bytes([byte; 16]);
    crate::sync::register_note(app, http, &id, person, vec![]).await;
    peer.create(
        id.clone(),
        qalf_shared::document::note::new_note("Note", person.as_str(), 0).unwrap(),
    )
    .await;
    peer.synced(&id).await;
    id
}

#[tokio::test]
async fn r_sec_9_a_documents_size_limit_is_checked_on_the_incoming_frame() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn_with(|c| c.max_document_bytes = 40_000).await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut peer = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    let id = synced_note(&app, &http, &mut peer, &tm, 91).await;
    // 27 KB: under the limit, kept.
    crate::security::append(&mut peer, &id, &noise(9_000, 1)).await;
    peer.synced(&id).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    // The relay acknowledges before its storage (and its measure) lands.
    let limits = app.server.state.relay().limits().clone();
    while limits.stored_bytes(&id) < 20_000 {
        assert!(tokio::time::Instant::now() < deadline, "never stored");
        peer.pump_for(std::time::Duration::from_millis(50)).await;
    }
    // Another 27 KB would take it over: refused before it is stored.
    crate::security::append(&mut peer, &id, &noise(9_000, 2)).await;
    peer.pump_for(std::time::Duration::from_secs(1)).await;
    assert!(peer.closed, "the connection carrying it stayed open");
    let stored = stored_bytes(&app, &id).await;
    assert!(stored <= 40_000, "the relay stored {stored} bytes");
}

#[tokio::test]
async fn r_sec_9_each_person_has_daily_quotas_of_records_and_bytes() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn_with(|c| {
        c.max_records_per_person_per_day = 3;
        c.max_bytes_per_person_per_day = 30_000;
    })
    .await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut peer = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    let first = synced_note(&app, &http, &mut peer, &tm, 101).await;
    let second = synced_note(&app, &http, &mut peer, &tm, 102).await;
    let _third = synced_note(&app, &http, &mut peer, &tm, 103).await;
    let fourth = qalf_shared::access::RecordMeta {
        id: qalf_shared::sync::DocumentId::from_bytes([104; 16]),
        created_by: tm.clone(),
        created_at: 0,
        parties: qalf_shared::access::Parties::Note { members: vec![] },
    };
    let response = http
        .post(app.url("/api/records"))
        .json(&fourth)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "a fourth record in a day");
    let message = response.text().await.unwrap();
    assert!(message.contains("records today"), "{message}");

    // 27 KB, then 27 KB more in another record: over the day's 30 KB, so
    // the second is not taken (and stays waiting on the device).
    crate::security::append(&mut peer, &first, &noise(9_000, 3)).await;
    peer.synced(&first).await;
    crate::security::append(&mut peer, &second, &noise(9_000, 4)).await;
    peer.pump_for(std::time::Duration::from_secs(1)).await;
    assert!(
        !peer.client.status(&second).unwrap().synced,
        "changes over the day's quota were taken"
    );
    assert!(stored_bytes(&app, &second).await < 20_000);
    let logged = app.logged(&tm).await;
    assert!(
        logged
            .iter()
            .any(|(action, detail)| action == "denied" && detail.contains("quota")),
        "{logged:?}"
    );
}

#[tokio::test]
async fn r_sec_9_unknown_ids_are_answered_without_loading_a_document() {
    use qalf_shared::org::Role;
    use qalf_shared::sync::{Availability, DocumentId};
    let app = crate::harness::TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let mut peer = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    let ids: Vec<DocumentId> = (0..20u8)
        .map(|i| {
            DocumentId::from_bytes([
                200 + i / 10,
                i,
                1,
                2,
                3,
                4,
                5,
                6,
                7,
                8,
                9,
                10,
                11,
                12,
                13,
                14,
            ])
        })
        .collect();
    for id in &ids {
        peer.request(id.clone()).await;
    }
    peer.pump_until("every answer", |p| {
        ids.iter().all(|id| {
            p.client
                .status(id)
                .is_some_and(|s| s.availability == Availability::Unavailable)
        })
    })
    .await;
    let loaded: usize = app
        .server
        .state
        .relay()
        .stats()
        .await
        .iter()
        .map(|s| s.loaded)
        .sum();
    assert_eq!(
        loaded, 0,
        "the relay loaded documents for ids no one registered"
    );
}

#[tokio::test]
async fn r_sec_9_sessions_sockets_and_tickets_per_person_are_capped() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn_with(|c| {
        c.max_sessions_per_person = 3;
        c.max_sockets_per_person = 2;
        c.max_tickets_per_person = 2;
    })
    .await;
    let tm = app.person(Role::TeamManager);
    // A fourth sign-in ends the oldest session.
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(app.signed_in(Role::TeamManager).await);
    }
    let me = |http: &reqwest::Client| {
        let request = http.get(app.url("/api/me")).send();
        async move { request.await.unwrap().status().as_u16() }
    };
    assert_eq!(me(&sessions[0]).await, 401, "the oldest session lived on");
    for http in &sessions[1..] {
        assert_eq!(me(http).await, 200);
    }

    // A third outstanding ticket withdraws the first.
    let http = &sessions[3];
    let ticket = |http: &reqwest::Client| {
        let request = http
            .post(app.url("/api/sync/ticket"))
            .json(&serde_json::json!({ "peer_id": format!("{tm}~t") }))
            .send();
        async move {
            request
                .await
                .unwrap()
                .json::<qalf_shared::api::SyncTicket>()
                .await
                .unwrap()
                .ticket
        }
    };
    let tickets = [ticket(http).await, ticket(http).await, ticket(http).await];
    let open = |code: &str| {
        let url = format!("ws://{}/sync?ticket={code}", app.server.addr);
        async move { tokio_tungstenite::connect_async(url).await }
    };
    assert!(
        open(&tickets[0]).await.is_err(),
        "the first ticket still worked"
    );
    // Two sockets at once, not three.
    let a = open(&tickets[1]).await.expect("a first socket");
    let b = open(&tickets[2]).await.expect("a second socket");
    let third = ticket(http).await;
    assert!(open(&third).await.is_err(), "a third socket was opened");
    drop((a, b));
}

#[tokio::test]
async fn r_sec_7_every_read_of_child_level_data_is_logged_before_it_is_served() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let tm_http = app.signed_in(Role::TeamManager).await;

    // The records list: each record it names is a read.
    let listed: Vec<qalf_shared::access::RecordMeta> = app.get_json(&tm_http, "/api/records").await;
    assert!(!listed.is_empty());
    let logged = app.logged_about(&tm).await;
    let was_logged = |logged: &[(String, String, String)], subject: &str, detail: &str| {
        logged
            .iter()
            .any(|(a, s, d)| a == "read" && s == subject && d == detail)
    };
    for meta in &listed {
        assert!(
            was_logged(&logged, &meta.id.to_string(), "listed"),
            "{} listed but not logged",
            meta.id
        );
    }

    // Notifications about a record: a read of that record.
    let about = listed[0].id.clone();
    {
        let (tm, about) = (tm.clone(), about.clone());
        app.server
            .state
            .db()
            .call(move |conn| {
                qalf_server::notifications::insert(
                    conn,
                    &qalf_server::notifications::New {
                        person: &tm,
                        kind: "follow-up",
                        document: Some(&about),
                        title: "A follow-up is due",
                        body: "",
                        at: 0,
                    },
                )
            })
            .await
            .unwrap();
    }
    let _: Vec<serde_json::Value> = app.get_json(&tm_http, "/api/notifications").await;
    let logged = app.logged_about(&tm).await;
    assert!(
        was_logged(&logged, &about.to_string(), "notification"),
        "{logged:?}"
    );

    // The allocation preview shows children's cases: each is a read.
    let cpp = app.person(Role::CppServiceManager);
    let cpp_http = app.signed_in(Role::CppServiceManager).await;
    let theme = qalf_shared::schedule::ThemeEntry {
        month: "2026-12".parse().unwrap(),
        theme: "Planning".into(),
        cohorts: Default::default(),
        notes: String::new(),
    };
    let status = cpp_http
        .put(app.url("/api/schedule/themes/2026-12"))
        .json(&theme)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
    let response = cpp_http
        .post(app.url("/api/schedule/months/2026-12/preview"))
        .json(&qalf_shared::api::schedule::SelectionAsk {
            seed: Some(7),
            count: 5,
            on_purpose: Vec::new(),
        })
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    let preview: qalf_shared::api::schedule::AllocationPreview =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let logged = app.logged_about(&cpp).await;
    assert!(!preview.allocation.allocations.is_empty());
    for allocation in &preview.allocation.allocations {
        assert!(
            was_logged(
                &logged,
                &format!("case:{}", allocation.case),
                "allocation preview"
            ),
            "case {} shown but not logged",
            allocation.case
        );
    }

    // Who may see a record changing is logged.
    let note = qalf_shared::sync::DocumentId::from_bytes([120; 16]);
    crate::sync::register_note(&app, &tm_http, &note, &tm, vec![]).await;
    let member = app.person(Role::Practitioner);
    let status = tm_http
        .put(app.url(&format!("/api/records/{note}/members")))
        .json(&vec![member.clone()])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let logged = app.logged(&tm).await;
    assert!(
        logged
            .iter()
            .any(|(a, d)| a == "access" && d == &format!("members now {member}")),
        "{logged:?}"
    );
}

/// Makes every write to the access log fail (as a full disk would), or
/// lets writes through again.
async fn break_the_log(app: &crate::harness::TestApp, broken: bool) {
    let sql = if broken {
        "CREATE TRIGGER access_log_broken BEFORE INSERT ON access_log
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
    } else {
        "DROP TRIGGER access_log_broken;"
    };
    app.server
        .state
        .db()
        .call(move |conn| Ok(conn.execute_batch(sql)?))
        .await
        .unwrap();
}

#[tokio::test]
async fn r_sec_7_a_read_that_cannot_be_logged_is_refused() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let id = qalf_shared::sync::DocumentId::from_bytes([121; 16]);
    crate::sync::register_note(&app, &http, &id, &tm, vec![]).await;
    let mut writer = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    writer
        .create(
            id.clone(),
            qalf_shared::document::note::new_note("Kept", tm.as_str(), 0).unwrap(),
        )
        .await;
    writer.synced(&id).await;
    app.server.state.access_log().flush().await;

    break_the_log(&app, true).await;
    let status = http
        .get(app.url(&format!("/api/records/{id}")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 503, "a read was served unlogged");
    let status = http
        .get(app.url("/api/records"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 503, "the records list was served unlogged");
    let mut reader = crate::sync_peer::SyncPeer::connect(&app, &http, &tm).await;
    reader.request(id.clone()).await;
    reader.pump_for(std::time::Duration::from_millis(800)).await;
    let title = reader
        .client
        .doc(&id)
        .and_then(qalf_shared::document::note::read)
        .map(|n| n.title);
    assert_eq!(title, None, "the relay served a record it could not log");

    break_the_log(&app, false).await;
    let status = http
        .get(app.url(&format!("/api/records/{id}")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200, "the log works again and so do reads");
}

#[tokio::test]
async fn r_sec_7_refused_requests_are_rate_limited_in_the_log() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let prying = app.person(Role::Practitioner);
    let http = app.signed_in(Role::Practitioner).await;
    for i in 0..200u8 {
        let id = qalf_shared::sync::DocumentId::from_bytes([i; 16]);
        let status = http
            .get(app.url(&format!("/api/records/{id}")))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 403);
    }
    let denied: Vec<String> = app
        .logged(&prying)
        .await
        .into_iter()
        .filter(|(a, _)| a == "denied")
        .map(|(_, d)| d)
        .collect();
    assert!(
        denied.len() <= 61,
        "{} refusals logged one by one",
        denied.len()
    );
    assert!(
        denied.len() >= 30,
        "too few refusals logged: {}",
        denied.len()
    );
    // A minute on, the next refusal says how many went unlogged.
    app.clock.advance(chrono::Duration::seconds(61));
    let unknown = qalf_shared::sync::DocumentId::from_bytes([250; 16]);
    let status = http
        .get(app.url(&format!("/api/records/{unknown}")))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_client_error());
    let last = app
        .logged(&prying)
        .await
        .into_iter()
        .rev()
        .find(|(a, _)| a == "denied")
        .map(|(_, d)| d)
        .unwrap();
    assert!(last.contains("more refused requests not logged"), "{last}");
}

#[tokio::test]
async fn r_sec_7_cutting_off_the_newest_rows_of_the_log_is_detected() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let _: Vec<qalf_shared::access::RecordMeta> = app.get_json(&cpp, "/api/records").await;
    let verified: serde_json::Value = app.get_json(&cpp, "/api/access-log/verify").await;
    assert_eq!(
        verified["first_broken"],
        serde_json::Value::Null,
        "{verified}"
    );
    assert_eq!(verified["cut_short"], serde_json::Value::Null, "{verified}");
    let rows = verified["rows"].as_i64().unwrap();
    assert!(rows > 3);

    // Someone with the database, not the secrets folder, removes the
    // newest rows: every seal left still checks out.
    let path = app.data_dir().join("qalf.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER access_log_no_delete;
         DELETE FROM access_log WHERE seq > {};",
        rows - 3
    ))
    .unwrap();
    drop(conn);
    let verified: serde_json::Value = app.get_json(&cpp, "/api/access-log/verify").await;
    assert_eq!(verified["first_broken"], serde_json::Value::Null);
    assert!(
        verified["cut_short"]["checkpoint"].as_i64().unwrap() >= rows - 2,
        "{verified}"
    );
}

#[tokio::test]
async fn r_sec_6_api_answers_are_never_kept_and_sign_out_clears_the_browsers_cache() {
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let http = app.signed_in(Role::TeamManager).await;
    for path in [
        "/api/me",
        "/api/records",
        "/api/notifications",
        "/api/people",
    ] {
        let response = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response.headers()["cache-control"],
            "no-store",
            "{path} may be kept by the browser"
        );
    }
    let response = http.delete(app.url("/api/session")).send().await.unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["clear-site-data"], "\"cache\"");
}

/// A change made as a modified client would: on a copy of `peer`'s
/// document, by `actor`, with `message`, sent as it is.
pub(crate) async fn send_crafted(
    peer: &mut crate::sync_peer::SyncPeer,
    id: &qalf_shared::sync::DocumentId,
    actor: automerge::ActorId,
    message: &str,
    edit: impl FnOnce(&mut automerge::AutoCommit) -> Result<(), automerge::AutomergeError>,
) {
    use qalf_shared::sync::{Message, PeerId};
    let mut doc = peer.client.doc(id).expect("open").clone().with_actor(actor);
    edit(&mut doc).expect("the edit");
    doc.commit_with(automerge::transaction::CommitOptions::default().with_message(message));
    let change = doc
        .get_last_local_change()
        .expect("a change")
        .raw_bytes()
        .to_vec();
    let sync = automerge::sync::Message {
        heads: doc.get_heads(),
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![change].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let frame = Message::Sync {
        sender: peer.client.peer_id().clone(),
        target: PeerId::from_wire("qalf-relay".into()),
        document: id.clone(),
        data: sync.encode(),
    };
    peer.send_raw(frame.encode()).await;
}

#[tokio::test]
async fn r_sec_1_the_relay_takes_from_each_person_only_what_is_theirs_to_write() {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, ROOT, ReadDoc};
    use qalf_shared::access::{Parties, RecordMeta};
    use qalf_shared::org::Role;
    let app = crate::harness::TestApp::spawn().await;
    let practitioner = app.person(Role::Practitioner);
    let practitioner_http = app.signed_in(Role::Practitioner).await;
    // One of the audits of the practitioner's work, and its auditor.
    let records: Vec<RecordMeta> = app.get_json(&practitioner_http, "/api/records").await;
    let (id, auditor) = records
        .iter()
        .find_map(|r| match &r.parties {
            Parties::Audit {
                practitioner: p,
                auditor,
                ..
            } if p == &practitioner && auditor != &practitioner => {
                Some((r.id.clone(), auditor.clone()))
            }
            _ => None,
        })
        .expect("an audit of the practitioner's work");
    let auditor_http = app.signed_in_person(&auditor).await;
    let mut by_auditor = crate::sync_peer::SyncPeer::connect(&app, &auditor_http, &auditor).await;
    by_auditor.request(id.clone()).await;
    by_auditor.synced(&id).await;
    let mut hostile =
        crate::sync_peer::SyncPeer::connect(&app, &practitioner_http, &practitioner).await;
    hostile.request(id.clone()).await;
    hostile.synced(&id).await;

    // The auditor sets the meeting date from their own device.
    by_auditor
        .change(&id, |d| {
            let header = d.get(ROOT, "header")?.expect("a header").1;
            d.put(&header, "meeting_on", "2026-11-03")
        })
        .await;
    by_auditor.synced(&id).await;
    hostile
        .pump_until("the auditor's change", |p| {
            p.client.doc(&id).is_some_and(|d| {
                let header = d.get(ROOT, "header").unwrap().unwrap().1;
                d.get(&header, "meeting_on").unwrap().is_some()
            })
        })
        .await;
    let auditors_device = by_auditor.client.doc(&id).unwrap().get_actor().clone();

    let mine = format!("by:{practitioner}");
    let grade = |d: &mut automerge::AutoCommit| {
        let overall = d.get(ROOT, "overall")?.expect("a judgement").1;
        d.put(&overall, "grade", "outstanding")
    };
    let response = |day: &'static str| {
        move |d: &mut automerge::AutoCommit| {
            let responses = d.get(ROOT, "responses")?.expect("responses").1;
            let theirs = d.get(&responses, "practitioner")?.expect("theirs").1;
            // Their side of the conversation (the day it was held is the
            // manager's to record).
            let notes = d.get(&theirs, "notes")?.expect("notes").1;
            d.splice_text(&notes, 0, 0, day)
        }
    };
    // The auditor's grade, in the practitioner's own name: not theirs.
    send_crafted(&mut hostile, &id, ActorId::random(), &mine, grade).await;
    // Their own response, signed as the auditor: a false name.
    let as_auditor = format!("by:{auditor}");
    send_crafted(
        &mut hostile,
        &id,
        ActorId::random(),
        &as_auditor,
        response("2026-11-04"),
    )
    .await;
    // Their own response, made as if on the auditor's device.
    send_crafted(
        &mut hostile,
        &id,
        auditors_device,
        &mine,
        response("2026-11-05"),
    )
    .await;
    // Their own response, from their own device, in their own name: taken.
    send_crafted(
        &mut hostile,
        &id,
        ActorId::random(),
        &mine,
        response("2026-11-06"),
    )
    .await;

    let relay = app.server.state.relay().clone();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let (grade_now, held_on) = loop {
        let read = relay
            .with_document(&id, |doc| {
                let audit = qalf_shared::audit::read(doc).expect("an audit");
                let notes = audit.responses.practitioner.notes.as_str().to_string();
                (audit.overall.grade, (!notes.is_empty()).then_some(notes))
            })
            .await
            .unwrap()
            .unwrap();
        if read.1.is_some() || tokio::time::Instant::now() > deadline {
            break read;
        }
        hostile
            .pump_for(std::time::Duration::from_millis(100))
            .await;
    };
    assert_ne!(
        grade_now,
        Some(qalf_shared::audit::Grade::Outstanding),
        "the grade was rewritten"
    );
    assert_eq!(
        held_on.as_deref(),
        Some("2026-11-06"),
        "only the honest response"
    );
    by_auditor
        .pump_for(std::time::Duration::from_millis(300))
        .await;
    let seen = by_auditor.client.doc(&id).unwrap();
    let overall = seen.get(ROOT, "overall").unwrap().unwrap().1;
    assert_ne!(
        seen.get(&overall, "grade")
            .unwrap()
            .and_then(|(v, _)| v.into_string().ok())
            .as_deref(),
        Some("outstanding"),
        "the auditor was sent the rewritten grade"
    );
    let logged = app.logged(&practitioner).await;
    for reason in [
        "another person's part",
        "signed in another person's name",
        "another person's device",
    ] {
        assert!(
            logged
                .iter()
                .any(|(action, detail)| action == "denied" && detail.contains(reason)),
            "{reason}: {logged:?}"
        );
    }
}

/// A device that registers the same record twice at once (its connection
/// and the page that made it both send the outbox) is told "accepted" both
/// times: a refusal would hold the record on the device for ever.
#[tokio::test]
async fn r_sec_8_the_same_registration_sent_twice_at_once_is_accepted_twice() {
    use qalf_shared::org::Role;
    use qalf_shared::sync::DocumentId;
    let app = crate::harness::TestApp::spawn().await;
    let manager = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    for n in 0..20u8 {
        let meta = qalf_shared::access::RecordMeta {
            id: DocumentId::from_bytes([120 + n; 16]),
            created_by: manager.clone(),
            created_at: 0,
            parties: qalf_shared::access::Parties::Note { members: vec![] },
        };
        let send = || http.post(app.url("/api/records")).json(&meta).send();
        let (first, second) = tokio::join!(send(), send());
        let statuses = [first.unwrap().status(), second.unwrap().status()];
        assert!(
            statuses.iter().all(|s| s.is_success()),
            "registration {n}: {statuses:?}"
        );
    }
}
