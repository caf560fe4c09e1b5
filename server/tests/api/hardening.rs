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
        c.session_idle_minutes = 30;
        c.session_check_seconds = 1;
    })
    .await;
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
