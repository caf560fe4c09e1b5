//! Sign-in, sessions and sign-out.

use chrono::Duration;
use qalf_shared::api::{DemoPersonas, Me};
use qalf_shared::org::Role;

use crate::harness::TestApp;

#[tokio::test]
async fn me_without_a_session_is_401() {
    let app = TestApp::spawn().await;
    let response = app.client().get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_demo_persona_signs_in_and_sees_who_they_are() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(Role::TeamManager).await;
    let me: Me = app.get_json(&client, "/api/me").await;
    assert!(me.roles.contains(&Role::TeamManager));
    assert!(me.team.is_some());
    assert!(me.line_manager.is_some());
    assert!(me.direct_reports > 0);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict() {
    let app = TestApp::spawn().await;
    let response = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({
            "username": app.persona(Role::Practitioner),
            "password": qalf_server::demo::DEMO_PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("qalf_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"), "no Secure flag without TLS");
}

#[tokio::test]
async fn over_tls_the_session_cookie_is_secure() {
    let app = TestApp::spawn_with(|c| c.tls = true).await;
    let response = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({
            "username": app.persona(Role::Practitioner),
            "password": qalf_server::demo::DEMO_PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.contains("Secure"));
    assert!(response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn a_wrong_password_is_401_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let response = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({
            "username": app.persona(Role::Practitioner),
            "password": "wrong",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "the username or password is wrong");
}

#[tokio::test]
async fn an_unknown_username_is_refused_like_a_wrong_password() {
    let app = TestApp::spawn().await;
    let response = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({"username": "nobody.here", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn sign_out_ends_the_session_for_every_client_using_it() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(Role::ServiceManager).await;
    let response = client.delete(app.url("/api/session")).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let response = client.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(Role::Practitioner).await;
    app.clock.advance(Duration::minutes(59));
    assert_eq!(
        client
            .get(app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.clock.advance(Duration::minutes(61));
    assert_eq!(
        client
            .get(app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn a_busy_session_still_expires_at_its_maximum_age() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(Role::Practitioner).await;
    for _ in 0..13 {
        app.clock.advance(Duration::minutes(55));
        let status = client
            .get(app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    app.clock.advance(Duration::minutes(55));
    let status = client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "12 hours after sign-in the session ends");
}

#[tokio::test]
async fn the_demo_offers_one_persona_per_role() {
    let app = TestApp::spawn().await;
    let personas: DemoPersonas = app
        .client()
        .get(app.url("/api/demo/personas"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(personas.personas.len(), Role::ALL.len());
}

#[tokio::test]
async fn outside_demo_mode_there_are_no_personas() {
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let response = app
        .client()
        .get(app.url("/api/demo/personas"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn r_live_5_beginning_council_sign_ins_is_limited_per_address() {
    // A provider nobody answers at: each start ends on the sign-in page.
    let app = TestApp::spawn_with(|c| {
        c.oidc_issuer = Some("http://127.0.0.1:9/".into());
        c.oidc_client_id = Some("qalf".into());
        c.oidc_client_secret = Some("secret".into());
        c.sign_in_attempts_per_minute = 5;
    })
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut problems = Vec::new();
    for _ in 0..8 {
        let answer = http.get(app.url("/auth/oidc/start")).send().await.unwrap();
        assert_eq!(answer.status(), 303);
        problems.push(answer.headers()["location"].to_str().unwrap().to_string());
    }
    assert_eq!(problems[0], "/sign-in?problem=provider");
    assert_eq!(problems[7], "/sign-in?problem=too-many", "{problems:?}");
}
