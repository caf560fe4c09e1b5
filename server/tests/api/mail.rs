//! E-mail (R-LIVE-6) through a real SMTP server with STARTTLS: a
//! notification's e-mail arrives with no child-level text, nothing is lost
//! while the mail server is down, and a daily summary goes next morning.

use std::path::PathBuf;

use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::{EmailChoice, Notification};
use qalf_shared::notify::Delivery;
use qalf_shared::org::{Person, Role};

use crate::harness::TestApp;
use qalf_testing::{MailServer, certificate, free_port};

const PUBLIC: &str = "https://qalf.example.gov.uk";
const ALERT: &str = "a safety concern has been raised";

async fn app_mailing_to(port: u16, ca: PathBuf) -> TestApp {
    TestApp::spawn_with(move |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_ca_file = Some(ca);
        c.smtp_from = "QALF <qalf@council.example>".into();
        c.public_url = Some(PUBLIC.into());
    })
    .await
}

/// A Team Manager's allocated audit and the Head of Service its alerts go to.
fn audit_and_head(app: &TestApp) -> (RecordMeta, Person) {
    let tm = app.person(Role::TeamManager);
    let meta = app
        .server
        .state
        .access()
        .records_where(|m| matches!(&m.parties, Parties::Audit { auditor, .. } if auditor == &tm))
        .into_iter()
        .next()
        .expect("the demo allocates the Team Manager an audit");
    let Parties::Audit { team, .. } = &meta.parties else {
        unreachable!()
    };
    let head = app
        .server
        .state
        .org()
        .head_of_service_for_team(team)
        .unwrap()
        .clone();
    (meta, head)
}

async fn raise_alert(app: &TestApp, http: &reqwest::Client, audit: &RecordMeta, id: &str) {
    let status = http
        .post(app.url("/api/alerts"))
        .json(&serde_json::json!({
            "id": id,
            "audit": audit.id.to_string(),
            "concern": "The latest visit record describes an unexplained injury.",
            "raised_at": 1_700_000_000i64,
        }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

/// (attempts, sent) of each safety alert's e-mail in the outbox (the demo
/// seed's allocations queue e-mails of their own).
fn outbox(app: &TestApp) -> Vec<(i64, bool)> {
    let conn = rusqlite::Connection::open(app.data_dir().join("qalf.sqlite3")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT attempts, sent_at IS NOT NULL FROM mail_outbox WHERE kind = 'safety-alert'
             ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn r_live_6_a_safety_alert_reaches_the_head_of_service_by_e_mail_with_no_child_details() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(certs.path());
    let port = free_port();
    let mail = MailServer::start(port, &cert, &key).await;
    let app = app_mailing_to(port, cert.clone()).await;
    let (audit, head) = audit_and_head(&app);
    let http = app.signed_in(Role::TeamManager).await;
    raise_alert(&app, &http, &audit, "alert-1").await;

    let address = head.email.clone().expect("demo people have work addresses");
    let messages = mail.wait_for(1, &address, ALERT).await;
    let message = &messages[0];
    assert!(
        message.contains("From: QALF <qalf@council.example>"),
        "{message}"
    );
    assert!(
        message.contains(
            "Subject: QALF: a safety concern has been raised about a case in your service"
        ),
        "{message}"
    );
    assert!(
        message.contains(&format!("{PUBLIC}/audits/{}", audit.id)),
        "{message}"
    );
    // What the app shows the Head of Service names the case; the e-mail
    // does not, nor the concern.
    let head_http = app.signed_in_person(&head.id).await;
    let shown: Vec<Notification> = app.get_json(&head_http, "/api/notifications").await;
    let alert = shown.iter().find(|n| n.kind == "safety-alert").unwrap();
    assert!(!message.contains("injury"), "{message}");
    for word in alert
        .title
        .split_whitespace()
        .chain(alert.body.split_whitespace())
    {
        if word.chars().any(|c| c.is_ascii_digit()) {
            assert!(!message.contains(word), "{word} leaked: {message}");
        }
    }
    assert_eq!(outbox(&app), vec![(0, true)]);
}

#[tokio::test]
async fn r_live_6_nothing_is_lost_while_the_mail_server_is_down() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(certs.path());
    let port = free_port();
    let app = app_mailing_to(port, cert.clone()).await;
    let (audit, head) = audit_and_head(&app);
    let http = app.signed_in(Role::TeamManager).await;
    raise_alert(&app, &http, &audit, "alert-1").await;

    // Tried, failed, kept.
    for _ in 0..200 {
        if outbox(&app)
            .first()
            .is_some_and(|(attempts, _)| *attempts >= 1)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(outbox(&app), vec![(1, false)]);

    // The mail server comes back; after the backoff the e-mail goes.
    let mail = MailServer::start(port, &cert, &key).await;
    app.clock.advance(chrono::Duration::minutes(2));
    let address = head.email.clone().unwrap();
    mail.wait_for(1, &address, ALERT).await;
    for _ in 0..100 {
        if outbox(&app) == vec![(1, true)] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(outbox(&app), vec![(1, true)], "sent once, never twice");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mail.to(&address, ALERT).len(), 1);
}

#[tokio::test]
async fn r_live_6_someone_who_chose_a_daily_summary_gets_one_e_mail_the_next_morning() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(certs.path());
    let port = free_port();
    let mail = MailServer::start(port, &cert, &key).await;
    let app = app_mailing_to(port, cert.clone()).await;
    let (audit, head) = audit_and_head(&app);

    let head_http = app.signed_in_person(&head.id).await;
    let choice: EmailChoice = app.get_json(&head_http, "/api/me/email").await;
    assert_eq!(choice.delivery, Delivery::Immediate);
    assert_eq!(choice.address, head.email);
    let chosen: EmailChoice = app
        .send_json(
            &head_http,
            reqwest::Method::PUT,
            "/api/me/email",
            &EmailChoice {
                address: None,
                delivery: Delivery::DailyDigest,
            },
        )
        .await;
    assert_eq!(chosen.delivery, Delivery::DailyDigest);

    let http = app.signed_in(Role::TeamManager).await;
    raise_alert(&app, &http, &audit, "alert-1").await;
    raise_alert(&app, &http, &audit, "alert-2").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let address = head.email.clone().unwrap();
    assert!(
        mail.to(&address, "safety concern").is_empty(),
        "held for the morning"
    );

    // The test clock stands at 09:00; the summary goes at 07:00 next day.
    app.clock
        .advance(chrono::Duration::hours(22) + chrono::Duration::minutes(1));
    let messages = mail.wait_for(1, &address, "daily summary").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        mail.to(&address, "safety concern").len(),
        1,
        "one summary, not one each"
    );
    assert!(
        messages[0].contains("Subject: QALF: your daily summary (2 new items)"),
        "{}",
        messages[0]
    );
    assert_eq!(
        messages[0]
            .matches(&format!("{PUBLIC}/audits/{}", audit.id))
            .count(),
        2
    );
}
