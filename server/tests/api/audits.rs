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
    device.open(&id).await;
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

/// Notifications of `kind` about `audit` for `person`, waiting up to ten
/// seconds for the server's pass over the change to send the first.
async fn told(
    app: &TestApp,
    person: &qalf_shared::org::PersonId,
    kind: &str,
    audit: &str,
) -> Vec<Notification> {
    let client = app.signed_in_person(person).await;
    app.notices(&client, kind, audit, 1).await
}

#[tokio::test]
async fn r_audit_8_each_disagreement_stage_names_its_holder_tells_them_and_lets_the_escalation_head_in()
 {
    use audit::document::{open_stage, path};
    use automerge::ROOT;
    use automerge::transaction::Transactable;
    use qalf_shared::document::fields::set_scalar;

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
    let spqa = org
        .people_with_role(Role::HeadOfServiceSpqa)
        .next()
        .expect("the directory names the Head of Service for Safeguarding, Practice and QA")
        .id
        .clone();
    let cpp_lead = app.person(Role::CppServiceManager);
    let worker = org
        .people_with_role(Role::CppPractitioner)
        .next()
        .expect("a CPP practitioner")
        .clone();
    let auditor_name = org.person(auditor).unwrap().name.clone();
    let (id, audit_id) = (meta.id.clone(), meta.id.to_string());
    assert!(
        !app.server
            .state
            .access()
            .readable_by(&spqa)
            .iter()
            .any(|m| m.id == id),
        "the case is not in her area: she cannot open the audit before it is escalated"
    );

    let connect = |person: qalf_shared::org::PersonId| {
        let (app, id) = (&app, id.clone());
        async move {
            let http = app.signed_in_person(&person).await;
            let mut device = SyncPeer::connect(app, &http, &person).await;
            device.open(&id).await;
            device
        }
    };
    let close = |stage: &'static str, by: String, resolved: bool| {
        move |d: &mut automerge::AutoCommit| {
            let p = path::stage(stage);
            set_scalar(d, &p, "closed_at", Some(1_793_100_000i64.into()))?;
            set_scalar(d, &p, "closed_by", Some(by.as_str().into()))?;
            set_scalar(d, &p, "resolved", Some(resolved.into()))
        }
    };

    // Stage 1: the auditor records the disagreement they discussed; the
    // practitioner is told.
    let mut auditor_device = connect(auditor.clone()).await;
    let (a, an) = (auditor.to_string(), auditor_name.clone());
    auditor_device
        .change(&id, move |d| {
            d.put(ROOT, "completed_at", 1_793_000_000i64)?;
            open_stage(d, 1, &a, 1_793_000_100, Some((&a, &an)))
        })
        .await;
    auditor_device.synced(&id).await;
    let first = told(&app, practitioner, "dispute", &audit_id).await;
    assert_eq!(first.len(), 1, "the practitioner is told of stage 1");
    assert!(first[0].title.contains("stage 1"), "{}", first[0].title);
    assert!(
        told(&app, auditor, "dispute", &audit_id).await.is_empty(),
        "whoever opened it is not told of it"
    );

    // Stage 2: not resolved; the CPP is told to allocate a worker.
    let a = auditor.to_string();
    auditor_device
        .change(&id, close("stage-1", a.clone(), false))
        .await;
    auditor_device
        .change(&id, move |d| open_stage(d, 2, &a, 1_793_200_000, None))
        .await;
    auditor_device.synced(&id).await;
    let allocate = told(&app, &cpp_lead, "dispute", &audit_id).await;
    assert_eq!(allocate.len(), 1);
    assert!(
        allocate[0].title.contains("allocate a CPP worker"),
        "{}",
        allocate[0].title
    );

    // The CPP allocates a named worker, who is told.
    let mut cpp_device = connect(cpp_lead.clone()).await;
    let (w, wn, by) = (
        worker.id.to_string(),
        worker.name.clone(),
        cpp_lead.to_string(),
    );
    cpp_device
        .change(&id, move |d| {
            let p = path::stage("stage-2");
            set_scalar(d, &p, "holder", Some(w.as_str().into()))?;
            set_scalar(d, &p, "held_by", Some(wn.as_str().into()))?;
            set_scalar(d, &p, "allocated_by", Some(by.as_str().into()))?;
            set_scalar(d, &p, "allocated_at", Some(1_793_210_000i64.into()))
        })
        .await;
    cpp_device.synced(&id).await;
    let hold = told(&app, &worker.id, "dispute", &audit_id).await;
    assert_eq!(hold.len(), 1);
    assert!(
        hold[0].title.contains("restorative conversation"),
        "{}",
        hold[0].title
    );

    // Stage 3: still not resolved; the Head of Service for Safeguarding,
    // Practice and QA is told and may open the audit.
    cpp_device
        .change(&id, close("stage-2", worker.id.to_string(), false))
        .await;
    cpp_device.synced(&id).await;
    auditor_device
        .pump_until("stage 2 closed", |p| {
            p.client
                .doc(&id)
                .and_then(audit::read)
                .is_some_and(|a| a.disagreement.iter().all(|s| s.closed_at.is_some()))
        })
        .await;
    let (a, head, head_name) = (
        auditor.to_string(),
        spqa.to_string(),
        org.person(&spqa).unwrap().name.clone(),
    );
    auditor_device
        .change(&id, move |d| {
            open_stage(d, 3, &a, 1_793_300_000, Some((&head, &head_name)))
        })
        .await;
    auditor_device.synced(&id).await;
    let escalated = told(&app, &spqa, "dispute", &audit_id).await;
    assert_eq!(escalated.len(), 1);
    assert!(
        escalated[0].title.contains("escalated to you"),
        "{}",
        escalated[0].title
    );
    assert!(
        app.server
            .state
            .access()
            .readable_by(&spqa)
            .iter()
            .any(|m| m.id == id),
        "she may open the audit while the stage is with her"
    );
    // Who may open it changing is in the access log, in the name of
    // whoever escalated it.
    app.server.state.access_log().flush().await;
    let logged = app.logged(auditor).await;
    assert!(
        logged
            .iter()
            .any(|(a, d)| a == "access" && d == &format!("disagreement escalated to {spqa}")),
        "{logged:?}"
    );

    // She records her decision from her own device; then the audit is
    // closed to her again.
    let mut head_device = connect(spqa.clone()).await;
    head_device
        .change(&id, close("stage-3", spqa.to_string(), true))
        .await;
    head_device.synced(&id).await;
    let decided = app
        .server
        .state
        .relay()
        .with_document(&id, |d| audit::read(d))
        .await
        .unwrap()
        .flatten()
        .unwrap();
    let last = decided.disagreement.iter().find(|s| s.stage == 3).unwrap();
    assert!(last.resolved && last.closed_by.as_ref() == Some(&spqa));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while app
        .server
        .state
        .access()
        .readable_by(&spqa)
        .iter()
        .any(|m| m.id == id)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "access ends with the stage"
        );
        app.server.state.projector().settled().await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Each person was told once.
    for person in [practitioner, &cpp_lead, &worker.id, &spqa] {
        assert_eq!(
            told(&app, person, "dispute", &audit_id).await.len(),
            1,
            "{person}"
        );
    }
}

#[tokio::test]
async fn r_audit_7_reminders_overdue_lists_telling_the_practitioner_and_closing_come_from_the_server()
 {
    use audit::document::add_action;
    use automerge::ROOT;
    use automerge::transaction::Transactable;
    use qalf_shared::audit::follow_up::OverdueWork;
    use qalf_shared::document::fields::set_scalar;
    use qalf_shared::document::text::set_text;

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
    let cpp_lead = app.person(Role::CppServiceManager);
    let (id, audit_id) = (meta.id.clone(), meta.id.to_string());
    let now = app.server.state.clock().now();
    let today = now.date_naive();
    let settled = || async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        app.server.state.projector().settled().await;
    };

    // Completed three weeks ago on the auditor's tablet, its follow-up due
    // a week ago, an action for the practitioner due yesterday.
    let http = app.signed_in_person(auditor).await;
    let mut device = SyncPeer::connect(&app, &http, auditor).await;
    device.open(&id).await;
    let (completed, due, action_due, owner) = (
        (now - chrono::Duration::days(21)).timestamp(),
        (today - chrono::Duration::days(7)).to_string(),
        today - chrono::Duration::days(1),
        practitioner.to_string(),
    );
    device
        .change(&id, move |d| {
            d.put(ROOT, "completed_at", completed)?;
            set_scalar(
                d,
                &qalf_shared::document::text::FieldPath::key("follow_up"),
                "due_on",
                Some(due.as_str().into()),
            )?;
            add_action(d, "action-1", &owner, Some(action_due))
        })
        .await;
    device.synced(&id).await;
    settled().await;

    // Reminders: each once, to the right people.
    let sent = qalf_server::audits::follow_up::sweep(&app.server.state)
        .await
        .unwrap();
    assert!(sent >= 4, "{sent}");
    let kinds = |person: &qalf_shared::org::PersonId| {
        let (app, audit_id, person) = (&app, audit_id.clone(), person.clone());
        async move {
            let client = app.signed_in_person(&person).await;
            let notes: Vec<Notification> = app.get_json(&client, "/api/notifications").await;
            let mut kinds: Vec<String> = notes
                .into_iter()
                .filter(|n| n.document.as_deref() == Some(audit_id.as_str()))
                .map(|n| n.kind)
                .filter(|k| k != "allocation")
                .collect();
            kinds.sort();
            kinds
        }
    };
    assert_eq!(
        kinds(auditor).await,
        ["action-overdue", "follow-up-overdue"],
        "the auditor: the follow-up and the action"
    );
    assert_eq!(kinds(&cpp_lead).await, ["follow-up-overdue"]);
    assert_eq!(kinds(practitioner).await, ["action-overdue"]);
    assert_eq!(
        qalf_server::audits::follow_up::sweep(&app.server.state)
            .await
            .unwrap(),
        0,
        "nothing twice"
    );

    // The overdue lists, from the server.
    let listed = |person: &qalf_shared::org::PersonId| {
        let (app, person) = (&app, person.clone());
        async move {
            let client = app.signed_in_person(&person).await;
            app.get_json::<OverdueWork>(&client, "/api/audits/overdue")
                .await
        }
    };
    let auditor_list = listed(auditor).await;
    assert!(auditor_list.follow_ups.iter().any(|f| f.audit == id));
    assert!(auditor_list.actions.iter().any(|a| a.audit == id));
    let practitioner_list = listed(practitioner).await;
    assert!(practitioner_list.follow_ups.iter().all(|f| f.audit != id));
    assert!(
        practitioner_list
            .actions
            .iter()
            .any(|a| a.audit == id && a.owner.as_ref() == Some(practitioner))
    );
    assert!(
        listed(&cpp_lead)
            .await
            .follow_ups
            .iter()
            .any(|f| f.audit == id)
    );

    // The actions are not complete: telling the practitioner and manager
    // sends them a message, once; only the auditor (or the CPP) does it;
    // the audit notes who and when.
    device
        .change(&id, |d| {
            set_scalar(
                d,
                &qalf_shared::document::text::FieldPath::key("follow_up"),
                "actions_complete",
                Some(false.into()),
            )
        })
        .await;
    device.synced(&id).await;
    let refused = app
        .signed_in_person(practitioner)
        .await
        .post(app.url(&format!("/api/audits/{audit_id}/contact")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let told: qalf_shared::api::ContactedPeople = app
        .send_json(
            &http,
            reqwest::Method::POST,
            &format!("/api/audits/{audit_id}/contact"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(told.names.len(), 2, "{:?}", told.names);
    let again = http
        .post(app.url(&format!("/api/audits/{audit_id}/contact")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "told once");
    for person in [practitioner, &manager] {
        assert!(
            kinds(person)
                .await
                .contains(&"follow-up-contact".to_string()),
            "{person}"
        );
    }
    device
        .pump_until("the contact noted in the audit", |p| {
            p.client.doc(&id).and_then(audit::read).is_some_and(|a| {
                a.follow_up.contacted && a.follow_up.contacted_by.as_ref() == Some(auditor)
            })
        })
        .await;

    // The follow-up recorded in full: the server closes the audit, and it
    // leaves the overdue lists.
    let done_on = today.to_string();
    device
        .change(&id, move |d| {
            let follow_up = qalf_shared::document::text::FieldPath::key("follow_up");
            set_scalar(d, &follow_up, "done_on", Some(done_on.as_str().into()))?;
            let note = follow_up
                .then_key("case_note")
                .resolve(d)
                .expect("the case note")
                .0;
            set_text(
                d,
                &note,
                "Follow-up: the plan is not yet updated; practitioner and manager told.",
            )?;
            Ok::<_, qalf_shared::document::DocumentError>(())
        })
        .await;
    device.synced(&id).await;
    device
        .pump_until("the audit closed by the server", |p| {
            p.client
                .doc(&id)
                .and_then(audit::read)
                .is_some_and(|a| a.closed_at.is_some())
        })
        .await;
    settled().await;
    let after = listed(auditor).await;
    assert!(after.follow_ups.iter().all(|f| f.audit != id));
    assert!(
        after.actions.iter().all(|a| a.audit != id),
        "a closed audit's actions are not chased"
    );
}

#[tokio::test]
async fn r_audit_9_both_managers_are_asked_to_hold_their_conversation_and_the_compliance_view_shows_it_missing()
 {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};
    use qalf_shared::report::compliance::ComplianceLine;
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
    let sm = org.person(&manager).unwrap().line_manager.clone().unwrap();
    let id = meta.id.clone();
    let audit_id = id.to_string();
    let http = app.signed_in(Role::TeamManager).await;
    let sm_http = app.signed_in_person(&sm).await;
    let missing = |client: reqwest::Client, who: qalf_shared::org::PersonId| {
        let app = &app;
        async move {
            let lines: Vec<ComplianceLine> = app
                .get_json(&client, "/api/reports/compliance?month=2026-11")
                .await;
            lines
                .into_iter()
                .find(|l| l.person == who)
                .map_or(0, |l| l.responses_missing)
        }
    };
    // The demo's earlier audits may owe some already.
    let before = missing(sm_http.clone(), sm.clone()).await;
    let mut device = SyncPeer::connect(&app, &http, auditor).await;
    device.open(&id).await;
    device
        .change(&id, |d| d.put(ROOT, "completed_at", 1_795_176_000i64))
        .await;
    device.synced(&id).await;

    let manager_http = app.signed_in_person(&manager).await;
    for (who, client) in [(&manager, &manager_http), (&sm, &sm_http)] {
        let asked = app.notices(client, "response-due", &audit_id, 1).await;
        assert_eq!(asked.len(), 1, "{who}: {asked:?}");
        assert!(asked[0].body.contains("support and challenge"));
    }
    assert_eq!(missing(sm_http.clone(), sm.clone()).await, before + 1);

    // The Service Manager records theirs on their own device: the server
    // takes the change and nobody is asked twice.
    let mut sm_device = SyncPeer::connect(&app, &sm_http, &sm).await;
    sm_device.open(&id).await;
    let me = sm.to_string();
    sm_device
        .change(&id, move |d| {
            let responses = d.get(ROOT, "responses")?.expect("responses").1;
            let conversation = d.get(&responses, "manager")?.expect("manager").1;
            d.put(&conversation, "held_on", "2026-11-27")?;
            d.put(&conversation, "held_by", me.as_str())
        })
        .await;
    sm_device.synced(&id).await;
    let doc = app
        .server
        .state
        .relay()
        .with_document(&id, |doc| audit::read(&*doc))
        .await
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(doc.responses.manager.held_by.as_ref(), Some(&sm));
    // "Synced" can reach the device a moment before the relay's write,
    // which is what marks the record for projection: wait past it.
    let now_missing = app
        .until_projected(|| missing(sm_http.clone(), sm.clone()), |n| *n == before)
        .await;
    assert_eq!(now_missing, before);
    assert_eq!(
        app.notices(&sm_http, "response-due", &audit_id, 2)
            .await
            .len(),
        1
    );
}
