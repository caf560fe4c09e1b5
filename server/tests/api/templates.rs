//! The audit questions as the CPP edits them (R-LIVE-4): each save is the
//! next version, new audits start on it, and an audit keeps the version it
//! started on.

use qalf_server::audits::{AuditAllocation, create_audit};
use qalf_shared::access::Parties;
use qalf_shared::api::ChangeLogEntry;
use qalf_shared::audit::document::{AuditDoc, read};
use qalf_shared::audit::template::{AuditTemplate, QuestionTemplate};
use qalf_shared::org::{Cohort, Role};
use qalf_shared::sync::DocumentId;

use crate::harness::TestApp;

async fn audit(app: &TestApp, id: &DocumentId) -> AuditDoc {
    app.server
        .state
        .relay()
        .with_document(id, |d| read(d))
        .await
        .unwrap()
        .flatten()
        .expect("the audit")
}

fn questions(doc: &AuditDoc) -> Vec<String> {
    doc.sections
        .iter()
        .flat_map(|s| s.questions.iter().map(|q| q.text.clone()))
        .collect()
}

#[tokio::test]
async fn r_live_4_the_cpp_edits_the_questions_and_each_audit_keeps_the_version_it_started_on() {
    let app = TestApp::spawn().await;
    let practitioner = app.signed_in(Role::Practitioner).await;
    let refused = practitioner
        .get(app.url("/api/templates/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let cpp = app.signed_in(Role::CppServiceManager).await;
    let first: AuditTemplate = app.get_json(&cpp, "/api/templates/audit").await;
    assert_eq!(first.version, 1, "the compiled-in set");

    // An audit the demo started before the change.
    let tm = app.person(Role::TeamManager);
    let before = app
        .server
        .state
        .access()
        .records_where(|m| matches!(&m.parties, Parties::Audit { auditor, .. } if auditor == &tm))
        .into_iter()
        .next()
        .unwrap()
        .id;
    let before_questions = questions(&audit(&app, &before).await);

    // A question added for CP cases, one reworded, one retired.
    let mut next = first.clone();
    const ADDED: &str =
        "Is the child protection plan shared with the family in words they understand?";
    next.sections[0].questions.push(QuestionTemplate {
        id: "safety.is-the-plan-shared".into(),
        text: ADDED.into(),
        hint: String::new(),
        cohorts: vec![Cohort::ChildProtection],
    });
    next.sections[1].questions[0].text = "Is the child's voice heard, in their own words?".into();
    let retired = next.sections[2].questions.remove(0).text;
    let saved: AuditTemplate = app
        .send_json(&cpp, reqwest::Method::PUT, "/api/templates/audit", &next)
        .await;
    assert_eq!(saved.version, 2);

    // A refused version changes nothing.
    let mut broken = saved.clone();
    broken.sections[3].questions.clear();
    let answer = cpp
        .put(app.url("/api/templates/audit"))
        .json(&broken)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let still: AuditTemplate = app.get_json(&cpp, "/api/templates/audit").await;
    assert_eq!(still.version, 2);

    // A new audit of a CP case starts on version 2.
    let org = app.server.state.org();
    let case = org
        .cases()
        .find(|c| c.cohort == Cohort::ChildProtection)
        .unwrap()
        .clone();
    let auditor = org
        .teams()
        .filter(|t| t.id != case.team)
        .find_map(|t| t.manager.clone())
        .unwrap();
    let id = create_audit(
        &app.server.state,
        &AuditAllocation {
            case: case.reference.clone(),
            auditor,
            theme: "Plans".into(),
            theme_notes: None,
            audit_kind: "themed".parse().unwrap(),
            allocated_on: "2026-11-02".parse().unwrap(),
            allocated_by: app.person(Role::CppServiceManager),
            suggested_day: None,
            reaudit: None,
        },
    )
    .await
    .unwrap();
    let new = audit(&app, &id).await;
    assert_eq!(new.template_version, 2);
    let asked = questions(&new);
    assert!(asked.iter().any(|q| q == ADDED));
    assert!(
        asked
            .iter()
            .any(|q| q == "Is the child's voice heard, in their own words?")
    );
    assert!(!asked.contains(&retired));

    // The audit started before keeps its questions.
    let kept = audit(&app, &before).await;
    assert_eq!(kept.template_version, 1);
    assert_eq!(questions(&kept), before_questions);

    let log: Vec<ChangeLogEntry> = app.get_json(&cpp, "/api/change-log").await;
    assert_eq!(log[0].kind, "templates");
    assert!(log[0].summary.contains("version 2"), "{}", log[0].summary);
    assert!(
        log[0].summary.contains("Retired from"),
        "{}",
        log[0].summary
    );
}

#[tokio::test]
async fn r_live_4_the_cpp_edits_the_observation_prompts_and_every_observer_is_served_the_latest() {
    use qalf_shared::observation::template::{ObservationTemplates, STRENGTHS};
    use qalf_shared::question_set::QuestionSet;
    use std::collections::BTreeSet;

    let app = TestApp::spawn().await;
    // Observers start observations on their own devices, offline too: the
    // prompts are served to everyone signed in, changed only by the CPP.
    let manager = app.signed_in(Role::TeamManager).await;
    let first: ObservationTemplates = app.get_json(&manager, "/api/templates/observation").await;
    assert_eq!(first.version, 1, "the compiled-in set");
    let mut next = first.clone();
    next.reword(
        "practice-observation--context.purpose",
        "Why was the visit held today?",
    );
    let refused = manager
        .put(app.url("/api/templates/observation"))
        .json(&next)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let cpp = app.signed_in(Role::CppServiceManager).await;
    let saved: ObservationTemplates = app
        .send_json(
            &cpp,
            reqwest::Method::PUT,
            "/api/templates/observation",
            &next,
        )
        .await;
    assert_eq!(saved.version, 2);

    // What feeds My Annual Review cannot be retired; nothing changes.
    let mut broken = saved.clone();
    broken.retire(&BTreeSet::from([format!(
        "practice-observation--{STRENGTHS}"
    )]));
    let answer = cpp
        .put(app.url("/api/templates/observation"))
        .json(&broken)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body = answer.text().await.unwrap();
    assert!(body.contains("My Annual Review"), "{body}");

    let served: ObservationTemplates = app.get_json(&manager, "/api/templates/observation").await;
    assert_eq!(served, saved);
    assert_eq!(
        served
            .kind(qalf_shared::access::ObservationKind::PracticeObservation)
            .unwrap()
            .sections[0]
            .prompts[1]
            .text,
        "Why was the visit held today?"
    );
    // The audit questions are a separate set, still on their first version.
    let audit: AuditTemplate = app.get_json(&cpp, "/api/templates/audit").await;
    assert_eq!(audit.version, 1);

    let log: Vec<ChangeLogEntry> = app.get_json(&cpp, "/api/change-log").await;
    assert_eq!(log[0].kind, "templates");
    assert!(
        log[0]
            .summary
            .starts_with("Observation prompts, version 2."),
        "{}",
        log[0].summary
    );
    assert!(
        log[0]
            .summary
            .contains("Reworded in Practice observation, ")
    );
}
