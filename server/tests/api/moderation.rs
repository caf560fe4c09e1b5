//! The month's moderation sample, drawn on the server (R-MOD-1): over every
//! audit completed that month that the server holds (not the audits one
//! browser happens to have), at the council's rates, and kept with its seed,
//! candidates and reasons so it can be drawn again and shown to be random
//! months later.

use qalf_shared::api::ModerationSampleView;
use qalf_shared::audit::Grade;
use qalf_shared::moderation::sample::Reason;
use qalf_shared::org::Role;
use qalf_shared::schedule::YearMonth;

use crate::harness::TestApp;

#[tokio::test]
async fn r_mod_1_the_months_sample_is_drawn_on_the_server_over_every_completed_audit_and_kept() {
    let app = TestApp::spawn().await;
    let today = app.server.state.clock().now().date_naive();
    // This month: the demo's audits completed so far are all on the
    // server, whichever device completed them.
    let month = YearMonth::of(today);
    let path = format!("/api/moderation/samples/{month}");

    let practitioner = app.signed_in(Role::Practitioner).await;
    let refused = practitioner.get(app.url(&path)).send().await.unwrap();
    assert_eq!(refused.status(), 403);

    let cpp = app.signed_in(Role::CppServiceManager).await;
    let none = cpp.get(app.url(&path)).send().await.unwrap();
    assert_eq!(none.status(), 404, "nothing drawn yet");

    let drawn: ModerationSampleView = app
        .send_json(
            &cpp,
            reqwest::Method::POST,
            "/api/moderation/samples",
            &serde_json::json!({ "month": month.to_string(), "capacity": 6 }),
        )
        .await;

    // Every audit completed that month and not yet moderated, as the
    // server's own records say.
    let facts =
        qalf_server::report::facts_between(&app.server.state, month.first_day(), month.last_day())
            .await
            .unwrap();
    let expected: Vec<String> = {
        let mut ids: Vec<String> = facts
            .audits
            .iter()
            .filter(|a| {
                a.completed_on
                    .is_some_and(|d| d >= month.first_day() && d <= month.last_day())
                    && a.moderated_grade.is_none()
                    && a.grade.is_some()
                    && a.cohort.is_some()
            })
            .map(|a| a.record.to_string())
            .collect();
        ids.sort();
        ids
    };
    assert!(!expected.is_empty(), "the demo completed audits this month");
    let mut candidates: Vec<String> = drawn
        .sample
        .candidates
        .iter()
        .map(|c| c.audit.clone())
        .collect();
    candidates.sort();
    assert_eq!(candidates, expected);

    // Every Inadequate one is in, with its reason in words.
    for c in drawn
        .sample
        .candidates
        .iter()
        .filter(|c| c.grade == Grade::Inadequate)
    {
        let pick = drawn
            .sample
            .picks
            .iter()
            .find(|p| p.audit == c.audit)
            .expect("every Inadequate audit is moderated");
        assert_eq!(pick.reason, Reason::Inadequate);
        assert!(!pick.explanation.is_empty());
    }
    // The rates are the council's, kept with the sample.
    assert_eq!(drawn.sample.policy, app.server.state.settings().moderation);
    assert!(
        drawn.reproduced,
        "drawing again from the kept seed gives the same picks"
    );
    // Each pick names its case for the CPP.
    assert_eq!(drawn.audits.len(), drawn.sample.picks.len());

    // Kept as drawn: read back months later, and never drawn again.
    let read: ModerationSampleView = app.get_json(&cpp, &path).await;
    assert_eq!(read.sample, drawn.sample);
    assert!(read.reproduced);
    let again = cpp
        .post(app.url("/api/moderation/samples"))
        .json(&serde_json::json!({ "month": month.to_string(), "capacity": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let still: ModerationSampleView = app.get_json(&cpp, &path).await;
    assert_eq!(still.sample, drawn.sample);

    // A month still to come cannot be drawn.
    let future = cpp
        .post(app.url("/api/moderation/samples"))
        .json(&serde_json::json!({ "month": YearMonth::of(today).add_months(1).to_string(), "capacity": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(future.status(), 400);
}

/// R-MOD-2: the moderator's feedback reaches the auditor. When the server
/// holds a completed moderation (whichever device completed it), it tells
/// the auditor once, with a link to the feedback they may read.
#[tokio::test]
async fn r_mod_2_a_completed_moderation_tells_the_auditor_once() {
    use automerge::ROOT;
    use automerge::transaction::Transactable;
    use qalf_shared::access::{Parties, RecordMeta};
    use qalf_shared::api::Notification;
    use qalf_shared::moderation::document::{NewModeration, new_moderation};
    use qalf_shared::sync::DocumentId;

    use crate::sync_peer::SyncPeer;

    let app = TestApp::spawn().await;
    let tm = app.person(Role::TeamManager);
    let audit = app
        .server
        .state
        .access()
        .records_where(|m| matches!(&m.parties, Parties::Audit { auditor, .. } if auditor == &tm))
        .into_iter()
        .next()
        .unwrap()
        .id;
    let cpp = app.person(Role::CppServiceManager);
    let cpp_http = app.signed_in(Role::CppServiceManager).await;
    let id = DocumentId::from_bytes([71; 16]);
    let meta = RecordMeta {
        id: id.clone(),
        created_by: cpp.clone(),
        created_at: 0,
        parties: Parties::Moderation {
            audit: audit.clone(),
            auditor: tm.clone(),
            moderator: cpp.clone(),
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
    let doc = new_moderation(
        &NewModeration {
            audit: audit.clone(),
            case: "C-1".parse().unwrap(),
            auditor: (tm.clone(), "The auditor".into()),
            moderator: (cpp.clone(), "The CPP".into()),
            audit_grade: Some(Grade::Good),
        },
        cpp.as_str(),
        0,
    )
    .unwrap();
    let mut device = SyncPeer::connect(&app, &cpp_http, &cpp).await;
    device.create(id.clone(), doc).await;
    device.synced(&id).await;

    let tm_http = app.signed_in(Role::TeamManager).await;
    let feedback = || async {
        let notes: Vec<Notification> = app.get_json(&tm_http, "/api/notifications").await;
        notes
            .into_iter()
            .filter(|n| {
                n.kind == "moderation-feedback"
                    && n.document.as_deref() == Some(id.to_string().as_str())
            })
            .count()
    };
    let settled = || async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        app.server.state.projector().settled().await;
    };
    settled().await;
    assert_eq!(feedback().await, 0, "not while it is being written");

    device
        .change(&id, |d| d.put(ROOT, "completed_at", 1_793_000_000i64))
        .await;
    device.synced(&id).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while feedback().await == 0 && tokio::time::Instant::now() < deadline {
        settled().await;
    }
    assert_eq!(feedback().await, 1);
    // Read by the auditor: the feedback is theirs to read.
    let mut auditor_device = SyncPeer::connect(&app, &tm_http, &tm).await;
    auditor_device.open(&id).await;
    // A later change does not tell them again.
    device
        .change(&id, |d| d.put(ROOT, "audit_quality", "good"))
        .await;
    device.synced(&id).await;
    settled().await;
    assert_eq!(feedback().await, 1);
}
