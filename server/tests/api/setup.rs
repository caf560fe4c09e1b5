//! A real instance's first start: one administrator, a one-time link
//! (R-LIVE-1).

use qalf_server::setup::{self, NewAdministrator, SetUpError};
use qalf_shared::api::Me;
use qalf_shared::org::{PersonId, Role};

use crate::harness::TestApp;

async fn real_instance() -> TestApp {
    TestApp::spawn_with(|c| c.demo = false).await
}

fn alex() -> NewAdministrator {
    NewAdministrator {
        name: "Alex Morgan".into(),
        username: "Alex.Morgan".into(),
    }
}

async fn set_password(
    app: &TestApp,
    http: &reqwest::Client,
    token: &str,
    password: &str,
) -> reqwest::Response {
    http.post(app.url("/api/set-up"))
        .json(&serde_json::json!({ "token": token, "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn r_live_1_a_real_instance_starts_with_one_administrator_and_a_one_time_link() {
    let app = real_instance().await;
    let state = &app.server.state;
    assert_eq!(
        state.org().people().count(),
        0,
        "a real instance starts empty"
    );
    assert!(
        state
            .access()
            .readable_by(&PersonId::parse("administrator").unwrap())
            .is_empty()
    );
    assert!(!setup::has_accounts(state).await.unwrap());

    let link = setup::first_administrator(state, alex()).await.unwrap();
    assert!(
        link.url("https://qalf.example.gov.uk/")
            .starts_with("https://qalf.example.gov.uk/set-up#")
    );
    let org = state.org();
    let people: Vec<_> = org.people().collect();
    assert_eq!(people.len(), 1, "nothing else exists");
    assert_eq!(people[0].roles, vec![Role::Administrator]);
    assert_eq!(people[0].name, "Alex Morgan");

    // Nobody can sign in until the link is used.
    let http = app.client();
    let refused = http
        .post(app.url("/api/session"))
        .json(&serde_json::json!({ "username": "alex.morgan", "password": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    // A short password is explained; the link still works after it.
    let short = set_password(&app, &http, &link.token, "too short").await;
    assert_eq!(short.status(), 400);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("at least 12 characters")
    );
    let chosen = "a long passphrase of my own";
    let set = set_password(&app, &http, &link.token, chosen).await;
    assert_eq!(set.status(), 200);
    let me: Me = set.json().await.unwrap();
    assert_eq!(me.roles, vec![Role::Administrator]);
    // Signed in by it.
    let now: Me = app.get_json(&http, "/api/me").await;
    assert_eq!(now.id, me.id);

    // Once only.
    let again = set_password(&app, &app.client(), &link.token, "another long passphrase").await;
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("used or has expired"));

    // The password chosen signs them in, by their username in any case.
    let signed_in = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({ "username": "ALEX.MORGAN", "password": chosen }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);

    // No second first administrator, and a demo never makes one.
    assert!(matches!(
        setup::first_administrator(state, alex()).await,
        Err(SetUpError::AlreadySetUp)
    ));
    let demo = TestApp::spawn().await;
    assert!(matches!(
        setup::first_administrator(&demo.server.state, alex()).await,
        Err(SetUpError::Demo)
    ));
    let logged = app.logged_about(&me.id).await;
    for detail in ["set-up link issued", "password set with a set-up link"] {
        assert!(
            logged.iter().any(|(_, _, d)| d.contains(detail)),
            "{detail}: {logged:?}"
        );
    }
}

#[tokio::test]
async fn r_live_1_a_link_expires_and_a_new_one_ends_the_old() {
    let app = real_instance().await;
    let state = &app.server.state;
    let expired = setup::first_administrator(state, alex()).await.unwrap();
    app.clock
        .advance(chrono::Duration::hours(setup::LINK_HOURS + 1));
    let late = set_password(
        &app,
        &app.client(),
        &expired.token,
        "a long passphrase of mine",
    )
    .await;
    assert_eq!(late.status(), 400);

    let first = setup::first_administrator(state, alex()).await.unwrap();
    let second = setup::first_administrator(state, alex()).await.unwrap();
    let old = set_password(
        &app,
        &app.client(),
        &first.token,
        "a long passphrase of mine",
    )
    .await;
    assert_eq!(old.status(), 400, "a new link ends the earlier one");
    let new = set_password(
        &app,
        &app.client(),
        &second.token,
        "a long passphrase of mine",
    )
    .await;
    assert_eq!(new.status(), 200);
    assert_eq!(
        state.org().people().count(),
        1,
        "one administrator, however many links"
    );
}

#[tokio::test]
async fn r_live_1_init_prints_the_link_once_for_the_public_address() {
    let data = tempfile::tempdir().unwrap();
    let init = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_qalf-server"))
            .arg("init")
            .arg("--data-dir")
            .arg(data.path())
            .arg("--public-url")
            .arg("https://qalf.example.gov.uk")
            .arg("--admin-name")
            .arg("Alex Morgan")
            .output()
    };
    let first = init().await.unwrap();
    let said = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        said.contains("https://qalf.example.gov.uk/set-up#"),
        "{said}"
    );
    // Run again before it is used: a new link, the first one ended.
    let second = init().await.unwrap();
    let again = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(second.status.success(), "{again}");
    let token = |s: &str| {
        s.split("set-up#")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .map(str::to_string)
    };
    assert_ne!(token(&said), token(&again));
    // A demo folder is refused.
    let demo_dir = tempfile::tempdir().unwrap();
    let _demo = TestApp::spawn_with(|c| c.data_dir = demo_dir.path().to_path_buf()).await;
    let refused = tokio::process::Command::new(env!("CARGO_BIN_EXE_qalf-server"))
        .arg("init")
        .arg("--data-dir")
        .arg(demo_dir.path())
        .output()
        .await
        .unwrap();
    assert!(!refused.status.success());
}

#[tokio::test]
async fn r_live_1_a_real_instance_started_without_init_prints_its_link_on_first_start() {
    use tokio::io::AsyncBufReadExt;
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_qalf-server"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let link = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("/set-up#") {
                return line[..at + 8].trim().to_string() + &line[at + 8..];
            }
        }
        panic!("the server ended without printing a set-up link");
    })
    .await
    .expect("a set-up link within 30 s");
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{port}/set-up#")),
        "{link}"
    );
    server.kill().await.unwrap();
}

#[tokio::test]
async fn r_live_5_a_person_chooses_their_password_through_an_invitation_and_a_reset_ends_the_old_one()
 {
    use crate::directory::{good_rows, live_with_administrator, staff_file};
    use qalf_shared::api::{AccountLink, AccountSummary, MakeAccountLink};
    let (app, admin) = live_with_administrator().await;
    let applied = admin
        .post(app.url("/api/directory/staff-file/apply"))
        .body(staff_file(&good_rows()))
        .send()
        .await
        .unwrap();
    assert_eq!(applied.status(), 200);
    let people: Vec<AccountSummary> = app.get_json(&admin, "/api/accounts").await;
    assert_eq!(people.len(), 5);
    let sam = people.iter().find(|p| p.name == "Sam Okafor").unwrap();
    assert_eq!(sam.username, None);

    let invited: AccountLink = app
        .send_json(
            &admin,
            reqwest::Method::POST,
            "/api/accounts/E1001/link",
            &MakeAccountLink::default(),
        )
        .await;
    assert_eq!(invited.username, "sam.okafor", "from the work address");
    assert!(!invited.reset);
    let token = invited.link.split_once('#').unwrap().1.to_string();
    let sams = app.client();
    let set = set_password(&app, &sams, &token, "sam's own long passphrase").await;
    assert_eq!(set.status(), 200);
    let me: Me = app.get_json(&sams, "/api/me").await;
    assert_eq!(me.name, "Sam Okafor");
    let sign_in = |password: &'static str| {
        let http = app.client();
        let url = app.url("/api/session");
        async move {
            http.post(url)
                .json(&serde_json::json!({ "username": "sam.okafor", "password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(sign_in("sam's own long passphrase").await, 200);

    // A reset: the old password and every session end now.
    let reset: AccountLink = app
        .send_json(
            &admin,
            reqwest::Method::POST,
            "/api/accounts/E1001/link",
            &MakeAccountLink::default(),
        )
        .await;
    assert!(reset.reset);
    assert_eq!(
        sams.get(app.url("/api/me")).send().await.unwrap().status(),
        401
    );
    assert_eq!(sign_in("sam's own long passphrase").await, 401);
    let token = reset.link.split_once('#').unwrap().1.to_string();
    let set = set_password(&app, &app.client(), &token, "a new passphrase for sam").await;
    assert_eq!(set.status(), 200);
    assert_eq!(sign_in("a new passphrase for sam").await, 200);

    // Nobody's username is given to someone else; only the administrator
    // makes links.
    let taken = admin
        .post(app.url("/api/accounts/E1002/link"))
        .json(&MakeAccountLink {
            username: Some("sam.okafor".into()),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), 400);
    let as_sam = app.client();
    as_sam
        .post(app.url("/api/session"))
        .json(&serde_json::json!({ "username": "sam.okafor", "password": "a new passphrase for sam" }))
        .send()
        .await
        .unwrap();
    let refused = as_sam
        .post(app.url("/api/accounts/E1002/link"))
        .json(&MakeAccountLink::default())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let logged = app.logged_about(&PersonId::parse("E1001").unwrap()).await;
    for detail in ["invitation link issued", "password reset link issued"] {
        assert!(
            logged.iter().any(|(_, _, d)| d.contains(detail)),
            "{detail}: {logged:?}"
        );
    }
}

/// The guide an IT team deploys from, and the container image: what they
/// must say, checked so that a change to the server cannot leave them
/// behind unnoticed. (The image itself is built by `cargo xtask test` where
/// Docker is installed.)
#[test]
fn r_live_8_the_deployment_guide_and_the_image_cover_what_a_council_needs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let guide = std::fs::read_to_string(root.join("docs/deploying.md")).unwrap();
    for (topic, words) in [
        ("TLS reverse proxy", "nginx"),
        ("service user", "User=qalf"),
        ("data folder permissions", "-m 0700"),
        ("backups", "qalf-server backup"),
        ("restore", "qalf-server restore"),
        ("upgrades", "## 7. Upgrades"),
        ("first start", "qalf-server init"),
        ("identity provider", "Entra"),
        ("OIDC settings", "QALF_OIDC_ISSUER"),
        ("mail server", "QALF_SMTP_URL"),
        ("staff directory", "HR"),
        ("container image", "docker build"),
    ] {
        assert!(
            guide.contains(words),
            "the guide says nothing of {topic} ({words})"
        );
    }
    // Every setting the guide names is one the server reads.
    let config = std::fs::read_to_string(root.join("server/src/config.rs")).unwrap();
    for variable in guide
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|w| w.starts_with("QALF_") && w.len() > 5)
    {
        assert!(
            config.contains(&format!("\"{variable}\"")),
            "the guide names {variable}, which the server does not read"
        );
    }
    let image = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(
        image.matches("\nFROM ").count() + usize::from(image.starts_with("FROM ")) >= 2,
        "a multi-stage build"
    );
    let user = image
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the image names its user");
    assert!(
        user.trim() != "root" && user.trim() != "0",
        "runs as {user}"
    );
}
