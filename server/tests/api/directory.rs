//! The staff directory import (R-LIVE-2): checked and previewed before it
//! is applied, applied in one transaction, logged, and a leaver's access
//! ends at once.

use qalf_server::setup::{self, NewAdministrator};
use qalf_shared::api::ChangeLogEntry;
use qalf_shared::directory::StaffPlan;
use qalf_shared::org::{Organisation, PersonId, Role};

use crate::harness::TestApp;

const HEADER: &str =
    "staff_id,name,work_email,job_title,roles,team,service_area,line_manager,start_date,end_date\n";

/// A real instance with its administrator signed in.
pub(crate) async fn live_with_administrator() -> (TestApp, reqwest::Client) {
    let app = TestApp::spawn_with(|c| c.demo = false).await;
    let link = setup::first_administrator(
        &app.server.state,
        NewAdministrator {
            name: "Ira Admin".into(),
            username: "ira.admin".into(),
        },
    )
    .await
    .unwrap();
    let http = app.client();
    let set = http
        .post(app.url("/api/set-up"))
        .json(&serde_json::json!({ "token": link.token, "password": "a long passphrase of mine" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    (app, http)
}

pub(crate) fn staff_file(rows: &[&str]) -> String {
    let mut file = HEADER.to_string();
    for row in rows {
        file.push_str(row);
        file.push('\n');
    }
    file
}

pub(crate) fn good_rows() -> Vec<&'static str> {
    vec![
        "E0900,Alex Morgan,alex.morgan@council.example,Head of Service,head-of-service,,Assessment,,2015-09-01,",
        "E1001,Sam Okafor,sam.okafor@council.example,Team Manager,team-manager,Assessment 1,Assessment,E0900,2019-04-01,",
        "E1002,Priya Shah,priya.shah@council.example,Social Worker,practitioner,Assessment 1,,E1001,01/09/2023,",
        "E2000,Chris Lane,chris.lane@council.example,CPP Service Manager,cpp-service-manager,,Quality Assurance,,2018-01-01,",
    ]
}

async fn post_file(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    file: &str,
) -> reqwest::Response {
    http.post(app.url(path))
        .header("content-type", "text/csv")
        .body(file.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn r_live_2_the_administrator_checks_previews_and_applies_the_hr_export() {
    let (app, http) = live_with_administrator().await;

    let template = http
        .get(app.url("/api/directory/staff-file/template"))
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), 200);
    assert!(
        template.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        template
            .text()
            .await
            .unwrap()
            .starts_with("staff_id,name,work_email")
    );

    // Two bad rows: both reported with their lines; applying changes nothing.
    let mut rows = good_rows();
    rows[1] = "E1001,Sam Okafor,sam.okafor-at-council,Team Manager,team-manager,Assessment 1,Assessment,E0900,2019-04-01,";
    rows[2] = "E1002,Priya Shah,priya.shah@council.example,Social Worker,social worker,Assessment 1,,E1001,01/09/2023,";
    let bad = staff_file(&rows);
    let plan: StaffPlan = post_file(&app, &http, "/api/directory/staff-file/plan", &bad)
        .await
        .json()
        .await
        .unwrap();
    let lines: Vec<u64> = plan.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4], "{:?}", plan.errors);
    let refused = post_file(&app, &http, "/api/directory/staff-file/apply", &bad).await;
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("nothing was changed")
    );
    assert_eq!(
        app.server.state.org().people().count(),
        1,
        "only the administrator"
    );

    // Fixed: the preview, then the directory.
    let good = staff_file(&good_rows());
    let plan: StaffPlan = post_file(&app, &http, "/api/directory/staff-file/plan", &good)
        .await
        .json()
        .await
        .unwrap();
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(plan.joiners.len(), 4);
    assert_eq!(plan.administrators_kept, vec!["Ira Admin"]);
    assert_eq!(
        app.server.state.org().people().count(),
        1,
        "a preview changes nothing"
    );
    let applied = post_file(&app, &http, "/api/directory/staff-file/apply", &good).await;
    assert_eq!(applied.status(), 200);

    let org = app.server.state.org();
    assert_eq!(org.people().count(), 5);
    let sam = org.person(&PersonId::parse("E1001").unwrap()).unwrap();
    assert_eq!(sam.email.as_deref(), Some("sam.okafor@council.example"));
    let team = org.team(sam.team.as_ref().unwrap()).unwrap();
    assert_eq!(team.manager.as_ref(), Some(&sam.id));
    // Kept in the database, not only in memory.
    let reloaded: Organisation = qalf_server::directory::load(app.server.state.db())
        .await
        .unwrap();
    assert_eq!(reloaded.people().count(), 5);

    let log: Vec<ChangeLogEntry> = app.get_json(&http, "/api/change-log").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].by, "Ira Admin");
    assert!(log[0].summary.contains("4 joiners"), "{}", log[0].summary);
    assert!(log[0].summary.contains("Sam Okafor"), "{}", log[0].summary);

    // Nobody signed in gets nothing.
    let stranger = app.client();
    let answer = post_file(&app, &stranger, "/api/directory/staff-file/plan", &good).await;
    assert_eq!(answer.status(), 401);
}

/// The demo directory as an HR export, leaving out `without`.
fn export_of(org: &Organisation, without: &PersonId) -> String {
    let mut file = HEADER.to_string();
    for p in org.people().filter(|p| &p.id != without) {
        let roles: Vec<&str> = p.roles.iter().map(|r| r.code()).collect();
        let team = p.team.as_ref().and_then(|t| org.team(t));
        let area = p
            .service_area
            .as_ref()
            .or(team.map(|t| &t.service_area))
            .and_then(|a| org.service_area(a));
        file.push_str(&format!(
            "{},{},{},\"{}\",{},{},{},{},{},\n",
            p.id,
            p.name,
            p.email
                .clone()
                .unwrap_or_else(|| format!("{}@qalf.example", p.id)),
            p.job_title,
            roles.join(";"),
            team.map(|t| t.name.as_str()).unwrap_or(""),
            area.map(|a| a.name.as_str()).unwrap_or(""),
            p.line_manager.as_ref().map(|m| m.as_str()).unwrap_or(""),
            p.started_on.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    file
}

#[tokio::test]
async fn r_live_2_a_leaver_loses_access_at_once_and_their_device_is_told_to_delete_its_copy() {
    let app = TestApp::spawn().await;
    let org = app.server.state.org();
    // A practitioner who manages nobody and holds cases.
    let leaver = org
        .people_with_role(Role::Practitioner)
        .find(|p| {
            org.direct_reports(&p.id).next().is_none()
                && org.cases().any(|c| c.practitioner == p.id)
        })
        .expect("a practitioner with cases")
        .id
        .clone();
    let their_cases = org.cases().filter(|c| c.practitioner == leaver).count();
    let theirs = app.signed_in_person(&leaver).await;
    let mut socket = crate::sync_peer::SyncPeer::connect(&app, &theirs, &leaver).await;
    let tm = app.person(Role::TeamManager);
    let colleague = app.signed_in(Role::TeamManager).await;
    let mut other = crate::sync_peer::SyncPeer::connect(&app, &colleague, &tm).await;

    // Nobody but the administrator may import.
    let file = export_of(&org, &leaver);
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let refused = post_file(&app, &cpp, "/api/directory/staff-file/plan", &file).await;
    assert_eq!(refused.status(), 403);

    let admin = app.signed_in(Role::Administrator).await;
    let plan: StaffPlan = post_file(&app, &admin, "/api/directory/staff-file/plan", &file)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        plan.errors.is_empty(),
        "{:?}",
        &plan.errors[..plan.errors.len().min(5)]
    );
    let leavers: Vec<&PersonId> = plan.leavers.iter().map(|l| &l.person).collect();
    assert_eq!(leavers, [&leaver]);
    assert_eq!(plan.cases_set_aside.len(), their_cases);
    assert!(
        plan.joiners.is_empty() && plan.movers.is_empty(),
        "{plan:?}"
    );

    let applied = post_file(&app, &admin, "/api/directory/staff-file/apply", &file).await;
    assert_eq!(applied.status(), 200);
    socket
        .pump_until("the leaver's socket to close", |p| p.closed)
        .await;
    // Their device hears that they left (410), so it deletes its copy.
    let me = theirs.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(me.status(), 410);
    assert!(
        me.text()
            .await
            .unwrap()
            .contains("no longer on the staff list")
    );
    // And they cannot sign in again.
    let username = qalf_server::demo::username_for(org.person(&leaver).unwrap());
    let again = app
        .client()
        .post(app.url("/api/session"))
        .json(&serde_json::json!({ "username": username, "password": qalf_server::demo::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401);
    // Everyone else carries on.
    other.pump_for(std::time::Duration::from_millis(300)).await;
    assert!(!other.closed);
    let status = colleague
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    assert!(app.server.state.org().person(&leaver).is_none());
}

#[tokio::test]
async fn r_live_2_one_person_and_one_team_are_changed_by_hand_and_logged() {
    use qalf_shared::directory::{PersonEdit, TeamEdit};
    let (app, http) = live_with_administrator().await;
    let applied = post_file(
        &app,
        &http,
        "/api/directory/staff-file/apply",
        &staff_file(&good_rows()),
    )
    .await;
    assert_eq!(applied.status(), 200);
    let org = app.server.state.org();
    let priya = PersonId::parse("E1002").unwrap();
    let mut edit = PersonEdit::of(org.person(&priya).unwrap());
    edit.job_title = "Senior Social Worker".into();
    edit.roles.push(Role::Iro);
    let saved: PersonEdit = app
        .send_json(
            &http,
            reqwest::Method::PUT,
            "/api/directory/people/E1002",
            &edit,
        )
        .await;
    assert_eq!(saved.job_title, "Senior Social Worker");
    let reloaded = qalf_server::directory::load(app.server.state.db())
        .await
        .unwrap();
    let mut roles = reloaded.person(&priya).unwrap().roles.clone();
    roles.sort();
    assert_eq!(
        roles,
        vec![Role::Practitioner, Role::Iro],
        "kept in the database"
    );

    // A new team; a name already taken is refused and changes nothing.
    let area = org.person(&priya).unwrap().service_area.clone().unwrap();
    let team = TeamEdit {
        id: None,
        name: "Assessment 2".into(),
        service_area: area.clone(),
        manager: None,
    };
    let made = http
        .post(app.url("/api/directory/teams"))
        .json(&team)
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 200);
    let again = http
        .post(app.url("/api/directory/teams"))
        .json(&team)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Another team has that name")
    );
    assert_eq!(
        app.server
            .state
            .org()
            .teams()
            .filter(|t| t.name == "Assessment 2")
            .count(),
        1
    );

    let log: Vec<ChangeLogEntry> = app.get_json(&http, "/api/change-log").await;
    assert_eq!(log[0].kind, "staff-edit");
    assert_eq!(log[0].summary, "Team Assessment 2 added by hand.");
    assert_eq!(
        log[1].summary,
        "Priya Shah changed by hand: job title, roles."
    );

    // Nobody signed in changes anything.
    let refused = app
        .client()
        .put(app.url("/api/directory/people/E1002"))
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}
