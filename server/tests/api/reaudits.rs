//! Re-audits on the server: the Head of Service's own check of the action
//! plan and the result shared with the responsible Service Manager
//! (R-REAUDIT-1); the CPP member named on the Cabinet Member's re-audit
//! (R-REAUDIT-3).

use automerge::AutoCommit;
use qalf_shared::api::schedule::{AllocateReAudit, AllocatedReAudit, ReAuditOverview};
use qalf_shared::audit::{self, AuditDoc, Grade};
use qalf_shared::org::{PersonId, Role};
use qalf_shared::schedule::AuditKind;
use qalf_shared::schedule::reaudit::responsible_service_manager;
use qalf_shared::sync::DocumentId;

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

const MONTH: &str = "2026-11";

async fn overview(app: &TestApp, cpp: &reqwest::Client) -> ReAuditOverview {
    app.get_json(cpp, &format!("/api/schedule/reaudits?month={MONTH}"))
        .await
}

async fn allocate(app: &TestApp, cpp: &reqwest::Client, body: &AllocateReAudit) -> DocumentId {
    let made: AllocatedReAudit = app
        .send_json(cpp, reqwest::Method::POST, "/api/schedule/reaudits", body)
        .await;
    made.allocation.audit.parse().unwrap()
}

async fn audit_on_server(app: &TestApp, id: &DocumentId) -> AuditDoc {
    app.server
        .state
        .relay()
        .with_document(id, |doc| audit::read(&*doc))
        .await
        .unwrap()
        .flatten()
        .expect("the relay holds the audit")
}

/// Edits the audit as its typed value, as the screens do field by field.
fn edit_audit(
    d: &mut AutoCommit,
    change: impl FnOnce(&mut AuditDoc),
) -> Result<(), autosurgeon::ReconcileError> {
    let mut a = audit::read(d).expect("an audit");
    change(&mut a);
    autosurgeon::reconcile(d, &a)
}

#[tokio::test]
async fn r_reaudit_1_the_head_of_service_confirms_the_action_plan_and_the_service_manager_is_told()
{
    let app = TestApp::spawn().await;
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let queued = overview(&app, &cpp).await.queue[0].queued.clone();
    let head = queued.head_of_service.clone().expect("its Head of Service");
    let id = allocate(
        &app,
        &cpp,
        &AllocateReAudit {
            original: queued.original.clone(),
            re_auditor: head.clone(),
            kind: AuditKind::ReAudit,
            alongside: None,
        },
    )
    .await;
    // The re-audit names the audit it re-audits and asks its own question.
    let made = audit_on_server(&app, &id).await;
    let link = made
        .reaudit
        .clone()
        .expect("a re-audit knows what it re-audits");
    assert_eq!(link.original.to_string(), queued.original);
    assert_eq!(link.action_plan_complete, None);

    // The demo's Inadequate audit has actions nobody ticked done: the Head
    // of Service checks the case file and finds the plan complete anyway.
    let original = audit_on_server(&app, &queued.original.parse().unwrap()).await;
    assert!(
        original
            .actions
            .iter()
            .any(|a| a.status != qalf_shared::audit::document::ActionStatus::Done),
        "the test needs an unticked action"
    );
    let head_http = app.signed_in_person(&head).await;
    let mut device = SyncPeer::connect(&app, &head_http, &head).await;
    device.open(&id).await;
    device
        .change(&id, |d| {
            edit_audit(d, |a| {
                a.overall.grade = Some(Grade::Good);
                a.reaudit.as_mut().unwrap().action_plan_complete = Some(true);
                a.completed_at = Some(1_793_000_000);
                a.completed_by = Some(head.clone());
            })
        })
        .await;
    device.synced(&id).await;

    // The responsible Service Manager is told the result, once.
    let org = app.server.state.org();
    let sm = responsible_service_manager(&org, &queued.case)
        .expect("a responsible Service Manager")
        .id
        .clone();
    let sm_http = app.signed_in_person(&sm).await;
    let told = app
        .notices(&sm_http, "reaudit-result", &id.to_string(), 1)
        .await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]
            .body
            .contains("Action plan complete; the case is no longer Inadequate"),
        "{}",
        told[0].body
    );
    assert!(told[0].body.contains(&org.person(&head).unwrap().name));

    // The CPP's overview reads the Head of Service's answer, and whom the
    // result went to.
    let done = overview(&app, &cpp).await;
    let row = done
        .allocated
        .iter()
        .find(|r| r.allocation.audit == id.to_string())
        .unwrap();
    assert_eq!(row.action_plan_complete, Some(true));
    assert_eq!(row.no_longer_inadequate, Some(true));
    assert_eq!(row.shared_with.as_ref(), Some(&sm));

    // Another change to the completed re-audit tells nobody again.
    device
        .change(&id, |d| {
            edit_audit(d, |a| {
                a.overall.reason = autosurgeon::Text::from("The plan is complete.")
            })
        })
        .await;
    device.synced(&id).await;
    let again = app
        .notices(&sm_http, "reaudit-result", &id.to_string(), 2)
        .await;
    assert_eq!(again.len(), 1);
}

#[tokio::test]
async fn r_reaudit_3_the_cpp_member_is_named_on_the_cabinet_members_re_audit_told_and_may_edit_it()
{
    let app = TestApp::spawn().await;
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let picks = overview(&app, &cpp).await;
    let cabinet = picks
        .picks
        .iter()
        .find(|p| p.pick.kind == AuditKind::CabinetReAudit)
        .expect("a Cabinet Member pick")
        .pick
        .clone();
    let alongside: PersonId = cabinet.alongside.clone().expect("a CPP member");
    let id = allocate(
        &app,
        &cpp,
        &AllocateReAudit {
            original: cabinet.original.clone(),
            re_auditor: cabinet.re_auditor.clone(),
            kind: AuditKind::CabinetReAudit,
            alongside: Some(alongside.clone()),
        },
    )
    .await;
    let org = app.server.state.org();
    let made = audit_on_server(&app, &id).await;
    let link = made.reaudit.expect("the re-audit's link");
    assert_eq!(link.alongside.as_ref(), Some(&alongside));
    assert_eq!(
        link.alongside_name.as_deref(),
        Some(org.person(&alongside).unwrap().name.as_str())
    );

    // Told, with the Cabinet Member's name.
    let cpp_member = app.signed_in_person(&alongside).await;
    let told = app
        .notices(&cpp_member, "allocation", &id.to_string(), 1)
        .await;
    assert_eq!(told.len(), 1, "{told:?}");
    let cabinet_member = &org.person(&cabinet.re_auditor).unwrap().name;
    assert!(told[0].body.contains(cabinet_member), "{}", told[0].body);

    // And writes the findings beside the Cabinet Member.
    let mut device = SyncPeer::connect(&app, &cpp_member, &alongside).await;
    device.open(&id).await;
    device
        .change(&id, |d| {
            edit_audit(d, |a| {
                a.strengths = autosurgeon::Text::from("Written side by side.")
            })
        })
        .await;
    device.synced(&id).await;
    assert_eq!(
        audit_on_server(&app, &id).await.strengths.as_str(),
        "Written side by side."
    );
}
