//! R-SEC-11: what the server logs names records by id, never a child's case
//! reference or text a client sent. This binary captures every log line
//! the server writes while a safety alert is raised and a client reports an
//! error, and looks for them.

// The API tests' harness; this binary needs only part of it.
#[allow(dead_code)]
#[path = "api/harness.rs"]
mod harness;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use qalf_shared::access::Parties;
use qalf_shared::api::RaiseAlert;
use qalf_shared::org::Role;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            // As a council would run it, and one level more.
            .with_env_filter("debug")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        logs
    })
}

#[tokio::test]
async fn r_sec_11_no_case_reference_or_client_text_reaches_the_log() {
    let logs = captured();
    let app = harness::TestApp::spawn().await;
    let auditor = app.person(Role::TeamManager);
    let meta = app
        .server
        .state
        .access()
        .records_where(|m| matches!(&m.parties, Parties::Audit { auditor: a, .. } if a == &auditor))
        .pop()
        .expect("the Team Manager's audit");
    let Parties::Audit { case, .. } = &meta.parties else {
        unreachable!()
    };
    let http = app.signed_in(Role::TeamManager).await;
    let concern = "The child said something worrying at school today";
    let response = http
        .post(app.url("/api/alerts"))
        .json(&RaiseAlert {
            id: "alert-logs".into(),
            audit: meta.id.to_string(),
            concern: concern.into(),
            raised_at: 1_793_000_000,
        })
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());

    // A client reports an error with text of its own.
    let secret = "client text: the case of the child in room four";
    let ticket: qalf_shared::api::SyncTicket = http
        .post(app.url("/api/sync/ticket"))
        .json(&serde_json::json!({ "peer_id": format!("{auditor}~logs") }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (mut socket, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/sync?ticket={}",
        app.server.addr, ticket.ticket
    ))
    .await
    .unwrap();
    use futures::SinkExt;
    let join = qalf_shared::sync::Message::Join {
        sender: qalf_shared::sync::PeerId::from_wire(format!("{auditor}~logs")),
        versions: vec!["1".into()],
        metadata: None,
    };
    socket
        .send(tokio_tungstenite::tungstenite::Message::Binary(
            join.encode().into(),
        ))
        .await
        .unwrap();
    let error = qalf_shared::sync::Message::Error {
        message: secret.into(),
    };
    socket
        .send(tokio_tungstenite::tungstenite::Message::Binary(
            error.encode().into(),
        ))
        .await
        .unwrap();
    app.server.state.access_log().flush().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
        if text.contains("the client reported an error") || std::time::Instant::now() > deadline {
            break text;
        }
        tokio::task::yield_now().await;
    };
    assert!(
        text.contains("the client reported an error"),
        "the error is noted, without its text"
    );
    assert!(text.contains("safety alert"), "the alert is logged, by id");
    assert!(!text.contains(case.as_str()), "a case reference in the log");
    assert!(!text.contains(concern), "the concern in the log");
    assert!(!text.contains("room four"), "client text in the log");
}
