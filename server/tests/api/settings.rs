//! The council's settings (R-LIVE-3): read and changed by the administrator
//! or the CPP Service Manager, checked, logged, and in force at once for
//! every view and rule that reads them, and after a restart.

use qalf_shared::api::schedule::ComplianceOverview;
use qalf_shared::api::{ChangeLogEntry, Settings};
use qalf_shared::org::Role;
use qalf_shared::settings::CouncilSettings;

use crate::harness::TestApp;

async fn put(
    app: &TestApp,
    http: &reqwest::Client,
    settings: &CouncilSettings,
) -> reqwest::Response {
    http.put(app.url("/api/council-settings"))
        .json(settings)
        .send()
        .await
        .unwrap()
}

fn duties_of(overview: &ComplianceOverview, person: &qalf_shared::org::PersonId) -> Vec<String> {
    overview
        .people
        .iter()
        .filter(|p| &p.person == person)
        .flat_map(|p| p.duties.clone())
        .collect()
}

#[tokio::test]
async fn r_live_3_a_settings_change_is_checked_logged_and_in_force_without_a_restart() {
    let mut app = TestApp::spawn().await;
    let practitioner = app.signed_in(Role::Practitioner).await;
    let answer = practitioner
        .get(app.url("/api/council-settings"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let refused = put(&app, &practitioner, &CouncilSettings::default()).await;
    assert_eq!(refused.status(), 403);

    let cpp = app.signed_in(Role::CppServiceManager).await;
    let mut settings: CouncilSettings = app.get_json(&cpp, "/api/council-settings").await;
    assert_eq!(settings, CouncilSettings::default());
    let before: ComplianceOverview = app.get_json(&cpp, "/api/schedule/compliance").await;
    let tm = app.person(Role::TeamManager);
    let duties = duties_of(&before, &tm);
    assert!(
        !duties.is_empty() && duties.iter().all(|d| d.contains("1 audit a month")),
        "{duties:?}"
    );

    // Impossible values are refused and change nothing.
    let mut wrong = settings.clone();
    wrong.moderation.social_care_rate = 1.5;
    let answer = put(&app, &cpp, &wrong).await;
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await.unwrap().contains("between 0% and 100%"));
    assert_eq!(
        app.server.state.settings().moderation.social_care_rate,
        0.20
    );

    // A real change: the moderation rate, a quota and the idle time.
    settings.moderation.social_care_rate = 0.25;
    settings.schedule.team_manager.count = 2;
    settings.sessions.idle_minutes = 15;
    let answer = put(&app, &cpp, &settings).await;
    assert_eq!(answer.status(), 200);

    // In force at once: what the app reads, the schedule's duties and the
    // session rules.
    let public: Settings = app.get_json(&practitioner, "/api/settings").await;
    assert_eq!(public.moderation.social_care_rate, 0.25);
    let after: ComplianceOverview = app.get_json(&cpp, "/api/schedule/compliance").await;
    let duties = duties_of(&after, &tm);
    assert!(
        !duties.is_empty() && duties.iter().all(|d| d.contains("2 audits a month")),
        "{duties:?}"
    );
    app.clock.advance(chrono::Duration::minutes(16));
    let expired = practitioner.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(expired.status(), 401, "idle past the new limit");

    // Logged: who and what.
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let log: Vec<ChangeLogEntry> = app.get_json(&cpp, "/api/change-log").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, "settings");
    let name = app
        .server
        .state
        .org()
        .person(&app.person(Role::CppServiceManager))
        .unwrap()
        .name
        .clone();
    assert_eq!(log[0].by, name);
    for line in [
        "Share of social care audits moderated: 20% → 25%",
        "Team Managers: 1 a month → 2 a month",
        "Minutes without use before signing out: 60 → 15",
    ] {
        assert!(log[0].summary.contains(line), "{line}: {}", log[0].summary);
    }
    let log: reqwest::StatusCode = practitioner
        .get(app.url("/api/change-log"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(
        log, 401,
        "signed out by the idle limit; and 403 when signed in"
    );

    // Kept across a restart.
    app.restart().await;
    assert_eq!(
        app.server.state.settings().moderation.social_care_rate,
        0.25
    );
    assert_eq!(app.server.state.settings().sessions.idle_minutes, 15);
}
