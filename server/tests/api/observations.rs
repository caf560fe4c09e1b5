//! Observations on the server: My Annual Review gathers every observation
//! of a person the server holds (R-OBS-3).

use qalf_shared::access::{ObservationKind, Parties, RecordMeta};
use qalf_shared::observation::document::{NewObservation, new_observation};
use qalf_shared::observation::quota::Done;
use qalf_shared::observation::review::AnnualReview;
use qalf_shared::observation::{self as obs, template};
use qalf_shared::org::Role;
use qalf_shared::sync::DocumentId;

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

/// A practice observation of one of the Team Manager persona's team, made
/// and completed on the Team Manager's tablet and synced: (the Team
/// Manager's client, the practitioner, the observation).
async fn observed_on_a_tablet(
    app: &TestApp,
) -> (reqwest::Client, qalf_shared::org::Person, DocumentId) {
    let org = app.server.state.org();
    let tm = app.person(Role::TeamManager);
    let worker = org
        .people()
        .find(|p| p.line_manager.as_ref() == Some(&tm) && p.has_role(Role::Practitioner))
        .expect("the Team Manager manages a practitioner")
        .clone();
    let tm_http = app.signed_in(Role::TeamManager).await;
    let id = DocumentId::from_bytes([90; 16]);
    let meta = RecordMeta {
        id: id.clone(),
        created_by: tm.clone(),
        created_at: 0,
        parties: Parties::Observation {
            observation: ObservationKind::PracticeObservation,
            observer: tm.clone(),
            subject: Some(worker.id.clone()),
            team: None,
        },
    };
    let status = tm_http
        .post(app.url("/api/records"))
        .json(&meta)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 201);
    // Observed on the Team Manager's tablet and completed there.
    let tm_name = org.person(&tm).unwrap().name.clone();
    let doc = new_observation(
        template::current(),
        &NewObservation {
            kind: ObservationKind::PracticeObservation,
            observer: tm.clone(),
            observer_name: tm_name.clone(),
            subject: Some((worker.id.clone(), worker.name.clone())),
            team: None,
            held_on: Some("2026-11-03".parse().unwrap()),
        },
        tm.as_str(),
        1_790_000_000,
    )
    .unwrap();
    let mut tablet = SyncPeer::connect(app, &tm_http, &tm).await;
    tablet.create(id.clone(), doc).await;
    tablet
        .change(&id, |d| {
            let mut o = obs::read(d).expect("an observation");
            for p in o.sections.iter_mut().flat_map(|s| s.prompts.iter_mut()) {
                let words = match p.id.as_str() {
                    template::STRENGTHS => "Warm, purposeful direct work.",
                    template::AREAS => "Recording the child's own words.",
                    template::OBJECTIVES => "Lead a direct-work session for the team.",
                    _ => continue,
                };
                p.answer = autosurgeon::Text::from(words);
            }
            o.completed_at = Some(1_790_100_000);
            autosurgeon::reconcile(d, &o)
        })
        .await;
    tablet.synced(&id).await;
    (tm_http, worker, id)
}

#[tokio::test]
async fn r_obs_3_my_annual_review_gathers_the_years_observations_for_the_person_and_their_manager()
{
    let app = TestApp::spawn().await;
    let org = app.server.state.org();
    let tm = app.person(Role::TeamManager);
    let tm_name = org.person(&tm).unwrap().name.clone();
    let (tm_http, worker, id) = observed_on_a_tablet(&app).await;
    let path = format!("/api/people/{}/annual-review?month=2026-11", worker.id);
    // The person reads it, and so does their manager.
    for (who, client) in [
        ("the practitioner", app.signed_in_person(&worker.id).await),
        ("their manager", tm_http.clone()),
    ] {
        let review: AnnualReview = app.get_json(&client, &path).await;
        assert_eq!(review.entries.len(), 1, "{who}");
        let e = &review.entries[0];
        assert_eq!(e.objectives, "Lead a direct-work session for the team.");
        assert_eq!(e.strengths, "Warm, purposeful direct work.");
        assert_eq!(e.observer, tm_name);
        assert_eq!(e.record, id.to_string());
    }
    // Someone outside their line management does not.
    let stranger = org
        .people_with_role(Role::TeamManager)
        .find(|p| p.id != tm && !org.manages(&p.id, &worker.id))
        .unwrap()
        .id
        .clone();
    let status = app
        .signed_in_person(&stranger)
        .await
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
    // Each read is in the access log.
    let logged = app.logged_about(&tm).await;
    assert!(
        logged
            .iter()
            .any(|(action, record, detail)| action == "read"
                && record == &id.to_string()
                && detail == "annual review"),
        "{logged:?}"
    );
}

#[tokio::test]
async fn r_obs_2_quotas_count_the_observations_the_server_holds_from_any_device() {
    let app = TestApp::spawn().await;
    let (tm_http, worker, _) = observed_on_a_tablet(&app).await;
    // Another device of the same Team Manager (a new browser) asks the
    // server what counts, not its own empty store.
    // ("Synced" can reach the tablet a moment before the relay's write,
    // which is what the server's projection follows.)
    let counted = |done: &[(String, Done)]| {
        done.iter().any(|(_, d)| {
            d.kind == ObservationKind::PracticeObservation
                && d.subject.as_ref() == Some(&worker.id)
                && d.held_on == "2026-11-03".parse().unwrap()
        })
    };
    let done: Vec<(String, Done)> = app
        .until_projected(
            || app.get_json::<Vec<(String, Done)>>(&tm_http, "/api/observations/done"),
            |d| counted(d),
        )
        .await;
    assert!(counted(&done), "{done:?}");
    // Only what they observed.
    let worker_http = app.signed_in_person(&worker.id).await;
    let theirs: Vec<(String, Done)> = app.get_json(&worker_http, "/api/observations/done").await;
    assert!(theirs.iter().all(|(_, d)| d.observer == worker.id));
}
