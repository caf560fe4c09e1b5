//! Reports through the real server (R-REP-1 … R-REP-8): the projection
//! follows documents as they change and a rebuild gives the same rows; the
//! figures for the demo council's generated year match figures the test
//! counts itself from the documents; CSV parses back to the same figures;
//! managers get figures, and child-level text only from records they may
//! read; briefings, owners' sections, proposed themes, DRP alerts and
//! compliance.

use std::collections::BTreeMap;

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use qalf_server::clock::Clock;
use qalf_server::report::{projection, rows};
use qalf_shared::access::{self, Parties, RecordMeta};
use qalf_shared::api::report::{
    BriefingSummary, DrillResult, RecordCreated, ReportPage, ThemesCopied,
};
use qalf_shared::api::schedule::ThemeMonths;
use qalf_shared::audit::{self, Grade};
use qalf_shared::org::{Role, ServiceAreaId};
use qalf_shared::report::compliance::ComplianceLine;
use qalf_shared::report::facts::{Polarity, day_of};
use qalf_shared::report::learning::set_tag;
use qalf_shared::report::{Cell, Report, Table};
use qalf_shared::schedule::{Period, YearMonth};
use qalf_shared::sync::DocumentId;
use reqwest::StatusCode;

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

/// The demo council with its year of history (the clock is 2 November
/// 2026, so the history runs from November 2025).
async fn council() -> TestApp {
    TestApp::spawn_with(|c| c.demo_history_months = 12).await
}

const MONTH: &str = "2026-09";

fn month() -> YearMonth {
    MONTH.parse().unwrap()
}

/// The peer holds the document's content (not only an empty copy).
fn holds(peer: &SyncPeer, id: &DocumentId) -> bool {
    peer.client
        .doc(id)
        .is_some_and(|d| qalf_shared::document::kind_of(d).is_some())
}

async fn report_page(app: &TestApp, http: &reqwest::Client, path: &str) -> ReportPage {
    let response = http.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

fn table<'a>(report: &'a Report, id: &str) -> &'a Table {
    report.table(id).unwrap_or_else(|| panic!("no table {id}"))
}

/// A table's counts by its first column, one column at a time.
fn counts(t: &Table, column: &str) -> BTreeMap<String, u32> {
    let c = t.columns.iter().position(|x| x == column).unwrap();
    t.rows
        .iter()
        .map(|r| {
            let n = match &r.cells[c] {
                Cell::Count { n, .. } => *n,
                other => panic!("not a count: {other:?}"),
            };
            (r.cells[0].display(), n)
        })
        .collect()
}

/// Every audit document the relay holds, with its registration.
async fn audits(app: &TestApp) -> Vec<(RecordMeta, audit::AuditDoc)> {
    let metas = app
        .server
        .state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Audit { .. }));
    let mut out = Vec::new();
    for meta in metas {
        let doc = app
            .server
            .state
            .relay()
            .with_document(&meta.id, |d| audit::read(&*d))
            .await
            .unwrap()
            .flatten();
        if let Some(doc) = doc {
            out.push((meta, doc));
        }
    }
    out
}

#[tokio::test]
async fn r_rep_1_the_monthly_figures_for_a_generated_council_match_those_counted_from_the_documents()
 {
    let app = council().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let page = report_page(&app, &http, &format!("/api/reports/monthly/{MONTH}")).await;
    let report = &page.report;
    assert_eq!(report.period, Period::month(month()));

    // Counted here, straight from every audit document.
    let org = app.server.state.org();
    let area_name = |id: &ServiceAreaId| org.service_area(id).unwrap().name.clone();
    let mut by_area: BTreeMap<String, BTreeMap<Grade, u32>> = BTreeMap::new();
    let mut allocated_by_area: BTreeMap<String, u32> = BTreeMap::new();
    let mut graded = 0;
    for (meta, a) in audits(&app).await {
        let Parties::Audit { team, .. } = &meta.parties else {
            unreachable!()
        };
        let area = area_name(&org.service_area_of_team(team).unwrap().id);
        if month().contains(a.header.allocated_on) {
            *allocated_by_area.entry(area.clone()).or_default() += 1;
        }
        let Some(done) = a.completed_at.and_then(day_of) else {
            continue;
        };
        if !month().contains(done) {
            continue;
        }
        let moderated = a.moderated.as_ref().and_then(|m| m.grade);
        let grade = moderated.or(a.overall.grade);
        if let Some(g) = grade {
            graded += 1;
            *by_area.entry(area).or_default().entry(g).or_default() += 1;
        }
    }
    assert!(
        graded >= 10,
        "the demo completes a month of audits ({graded})"
    );
    let grades = table(report, "grades-by-service-area");
    for g in Grade::ALL {
        let expected: BTreeMap<String, u32> = by_area
            .iter()
            .map(|(area, counts)| (area.clone(), counts.get(&g).copied().unwrap_or(0)))
            .collect();
        assert_eq!(counts(grades, g.label()), expected, "{}", g.label());
    }
    assert_eq!(
        counts(table(report, "allocated-by-service-area"), "Allocated"),
        allocated_by_area
    );

    // Moderation agreement, counted from the moderation documents.
    let metas = app
        .server
        .state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Moderation { .. }));
    let (mut moderated, mut agreed) = (0, 0);
    for meta in metas {
        let m = app
            .server
            .state
            .relay()
            .with_document(&meta.id, |d| qalf_shared::moderation::document::read(&*d))
            .await
            .unwrap()
            .flatten()
            .unwrap();
        if m.completed_at
            .and_then(day_of)
            .is_some_and(|d| month().contains(d))
        {
            moderated += 1;
            agreed +=
                u32::from(m.agreement == Some(qalf_shared::moderation::document::Agreement::Agree));
        }
    }
    let agreement = counts(table(report, "moderation-agreement"), "Moderated");
    assert_eq!(agreement["All"], moderated);
    assert_eq!(
        counts(table(report, "moderation-agreement"), "Agreed")["All"],
        agreed
    );
}

#[tokio::test]
async fn r_rep_6_a_table_downloads_as_csv_that_parses_back_to_the_same_figures() {
    let app = council().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let page = report_page(&app, &http, &format!("/api/reports/quarterly/{MONTH}")).await;
    for id in [
        "grades-by-service-area",
        "summary-by-month",
        "learning-by-theme",
    ] {
        let response = http
            .get(app.url(&format!(
                "/api/reports/quarterly/{MONTH}?format=csv&table={id}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("{id}.csv"))
        );
        let body = response.text().await.unwrap();
        assert!(body.contains("\r\n"), "RFC 4180 line ends");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let t = table(&page.report, id);
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, t.columns);
        let parsed: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let shown: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.cells.iter().map(Cell::csv).collect())
            .collect();
        assert_eq!(parsed, shown, "{id}");
        assert!(!parsed.is_empty(), "{id} has rows");
    }
    // No table named: the answer says which there are.
    let response = http
        .get(app.url(&format!("/api/reports/quarterly/{MONTH}?format=csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("grades-overall"));
}

#[tokio::test]
async fn r_rep_8_a_team_manager_gets_figures_but_no_child_level_text_from_other_teams() {
    let app = council().await;
    let tm = app.person(Role::TeamManager);
    let http = app.signed_in(Role::TeamManager).await;
    let page = report_page(&app, &http, &format!("/api/reports/monthly/{MONTH}")).await;
    assert!(!page.may_write && !page.may_brief);
    let learning = page.report.section("learning").unwrap();
    for quote in &learning.quotes {
        assert!(
            app.server
                .state
                .access()
                .decide(&tm, &quote.record)
                .can_read(),
            "a quote from a record the Team Manager may not read"
        );
    }
    assert!(page.quotes_withheld > 0, "other teams' quotes are left out");
    // The CPP sees them all.
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let all = report_page(&app, &cpp, &format!("/api/reports/monthly/{MONTH}")).await;
    assert_eq!(all.quotes_withheld, 0);
    assert_eq!(
        all.report.section("learning").unwrap().quotes.len(),
        learning.quotes.len() + page.quotes_withheld
    );
    // The same figures for both.
    assert_eq!(
        table(&page.report, "grades-by-service-area"),
        table(&all.report, "grades-by-service-area")
    );

    // A drill-down names only records the Team Manager may read.
    let Cell::Count {
        n,
        drill: Some(drill),
    } = &table(&page.report, "grades-overall").rows[1].cells[1]
    else {
        panic!("Good audits drill down")
    };
    let result: DrillResult = app
        .send_json(&http, reqwest::Method::POST, "/api/reports/drill", drill)
        .await;
    assert_eq!(result.records.len() + result.withheld, *n as usize);
    assert!(result.withheld > 0);
    for r in &result.records {
        assert!(
            app.server
                .state
                .access()
                .decide(&tm, &r.document)
                .can_read()
        );
    }
    // Each shown is in the access log as a read.
    app.server.state.access_log().flush().await;
    let logged: i64 = app
        .server
        .state
        .db()
        .call(move |conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM access_log WHERE person = ?1 AND action = 'read'
                 AND detail IN ('report quote', 'report drill-down')",
                [tm.as_str()],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(
        logged as usize,
        learning.quotes.len() + result.records.len()
    );

    // A practitioner sees no reports.
    let practitioner = app.signed_in(Role::Practitioner).await;
    let response = practitioner
        .get(app.url(&format!("/api/reports/monthly/{MONTH}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn r_rep_8_the_projection_follows_each_document_change_and_a_rebuild_gives_the_same_rows() {
    let app = council().await;
    let state = &app.server.state;
    // An audit of this month (allocated by the demo), completed on a device.
    let auditor = app.person(Role::TeamManager);
    let (meta, _) = audits(&app)
        .await
        .into_iter()
        .find(|(m, a)| {
            matches!(&m.parties, Parties::Audit { auditor: x, .. } if x == &auditor)
                && a.completed_at.is_none()
        })
        .expect("the Team Manager's audit to do");
    let http = app.signed_in_person(&auditor).await;
    let mut peer = SyncPeer::connect(&app, &http, &auditor).await;
    peer.request(meta.id.clone()).await;
    peer.pump_until("the audit", |p| holds(p, &meta.id)).await;
    let set_tag =
        |doc: &mut automerge::AutoCommit| set_tag(doc, Polarity::Development, "recording", true);
    peer.edit(&meta.id, &auditor, |doc| {
        set_tag(doc)?;
        let overall = doc
            .get(automerge::ROOT, "overall")?
            .map(|(_, id)| id)
            .unwrap();
        doc.put(&overall, "grade", Grade::RequiresImprovement.code())?;
        doc.put(automerge::ROOT, "completed_at", 1_793_000_000i64)
    })
    .await;
    peer.synced(&meta.id).await;
    // "Synced" can come a moment before the relay's write: wait for the
    // write to reach the projection.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (grade, findings) = loop {
        state.projector().settled().await;
        let id = meta.id.to_string();
        let found: (Option<String>, i64) = state
            .db()
            .call(move |conn| {
                Ok((
                    conn.query_row(
                        "SELECT grade FROM report_audits WHERE record = ?1",
                        [&id],
                        |r| r.get(0),
                    )?,
                    conn.query_row(
                        "SELECT COUNT(*) FROM report_findings WHERE record = ?1 AND theme = 'recording'",
                        [&id],
                        |r| r.get(0),
                    )?,
                ))
            })
            .await
            .unwrap();
        if found.0.is_some() || std::time::Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(grade.as_deref(), Some("requires-improvement"));
    assert_eq!(findings, 1);

    // What the projection holds now is what a rebuild from the documents
    // alone gives.
    let incremental = state.db().call(|c| rows::everything(c)).await.unwrap();
    let records = state.access().records_where(|_| true);
    let org = state.org();
    let rebuilt = state
        .db()
        .call(move |conn| {
            projection::reindex(conn, &records, &org)?;
            rows::everything(conn)
        })
        .await
        .unwrap();
    assert!(
        incremental.audits.len() > 200,
        "{}",
        incremental.audits.len()
    );
    assert!(!incremental.findings.is_empty());
    assert!(!incremental.drp_alerts.is_empty());
    assert!(!incremental.observations.is_empty());
    assert_eq!(incremental, rebuilt);
}

#[tokio::test]
async fn r_rep_3_a_briefing_is_made_edited_shared_once_it_names_no_case_and_read_by_all_staff() {
    let app = council().await;
    let cpp_id = app.person(Role::CppServiceManager);
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let made: RecordCreated = app
        .send_json(
            &cpp,
            reqwest::Method::POST,
            &format!("/api/reports/monthly/{MONTH}/briefings"),
            &(),
        )
        .await;
    let id = made.document;
    let practitioner_id = app.person(Role::Practitioner);
    let practitioner = app.signed_in(Role::Practitioner).await;
    let listed: Vec<BriefingSummary> = app.get_json(&practitioner, "/api/briefings").await;
    assert!(
        listed.iter().all(|b| b.document != id),
        "a draft is the CPP's"
    );

    // The CPP edits it: a question names a case.
    let mut peer = SyncPeer::connect(&app, &cpp, &cpp_id).await;
    peer.request(id.clone()).await;
    peer.pump_until("the briefing", |p| holds(p, &id)).await;
    let case = app
        .server
        .state
        .org()
        .cases()
        .next()
        .unwrap()
        .reference
        .clone();
    let text = format!("What should happen next for {case}?");
    peer.edit(&id, &cpp_id, |doc| {
        let q = doc
            .get(automerge::ROOT, "questions")?
            .map(|(_, id)| id)
            .unwrap();
        let len = ReadDoc::length(doc, &q);
        doc.splice_text(&q, len, 0, &format!("\n{text}"))
    })
    .await;
    peer.synced(&id).await;
    let response = cpp
        .post(app.url(&format!("/api/briefings/{id}/share")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("must not mention a child's case")
    );

    peer.edit(&id, &cpp_id, |doc| {
        let q = doc
            .get(automerge::ROOT, "questions")?
            .map(|(_, id)| id)
            .unwrap();
        let len = ReadDoc::length(doc, &q);
        let cut = text.encode_utf16().count() + 1;
        doc.splice_text(&q, len - cut, cut as isize, "")
    })
    .await;
    peer.synced(&id).await;
    let response = cpp
        .post(app.url(&format!("/api/briefings/{id}/share")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Every member of staff now reads it, and is told.
    let listed: Vec<BriefingSummary> = app.get_json(&practitioner, "/api/briefings").await;
    let shared = listed.iter().find(|b| b.document == id).expect("listed");
    assert!(shared.shared_at.is_some());
    assert!(shared.title.contains("7-minute briefing"));
    let mut device = SyncPeer::connect(&app, &practitioner, &practitioner_id).await;
    device.request(id.clone()).await;
    device
        .pump_until("the shared briefing", |p| holds(p, &id))
        .await;
    let notes: Vec<qalf_shared::api::Notification> =
        app.get_json(&practitioner, "/api/notifications").await;
    assert!(notes.iter().any(|n| n.kind == "briefing"
        && n.document.as_deref() == Some(id.to_string().as_str())));
}

#[tokio::test]
async fn r_rep_2_owners_write_their_sections_and_the_report_shows_which_are_missing() {
    let app = council().await;
    let worker_id = app.person(Role::ParticipationWorker);
    let worker = app.signed_in(Role::ParticipationWorker).await;
    let path = format!("/api/reports/quarterly/{MONTH}");
    let before = report_page(&app, &worker, &path).await;
    assert!(before.may_write && !before.may_brief);
    assert!(
        before.report.section("owners").unwrap().findings[0].contains("Participation and advocacy")
    );
    let made: RecordCreated = app
        .send_json(
            &worker,
            reqwest::Method::POST,
            &format!("{path}/document"),
            &(),
        )
        .await;
    let mut peer = SyncPeer::connect(&app, &worker, &worker_id).await;
    peer.request(made.document.clone()).await;
    peer.pump_until("the report's document", |p| holds(p, &made.document))
        .await;
    peer.edit(&made.document, &worker_id, |doc| {
        let path = qalf_shared::report::document::section_path("participation");
        let (section, _) = path.resolve(doc).unwrap();
        let (_, themes) = doc.get(&section, "key_themes")?.unwrap();
        doc.splice_text(
            &themes,
            0,
            0,
            "Young people asked for more say in their reviews.",
        )?;
        doc.put(&section, "ready_at", 1_793_000_000i64)
    })
    .await;
    peer.synced(&made.document).await;
    let after = report_page(&app, &worker, &path).await;
    assert_eq!(after.document, Some(made.document));
    let owners = after.report.section("owners").unwrap();
    assert!(
        !owners.findings[0].contains("Participation and advocacy"),
        "{:?}",
        owners.findings
    );
    assert!(owners.findings[0].contains("Complaints and compliments"));
    // A Team Manager reads the report but makes no document.
    let tm = app.signed_in(Role::TeamManager).await;
    let response = tm
        .post(app.url(&format!("{path}/document")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn r_rep_2_the_six_monthly_reports_proposed_themes_are_copied_into_the_schedule() {
    let app = council().await;
    let cpp = app.signed_in(Role::CppServiceManager).await;
    // The half-year April–September 2026 proposes October to March.
    let page = report_page(&app, &cpp, "/api/reports/half-yearly/2026-06").await;
    let proposed = table(&page.report, "proposed-themes");
    assert_eq!(proposed.rows.len(), 6);
    assert_eq!(proposed.rows[0].cells[0].display(), "October 2026");
    let copied: ThemesCopied = app
        .send_json(
            &cpp,
            reqwest::Method::POST,
            "/api/reports/half-yearly/2026-06/themes",
            &(),
        )
        .await;
    // The demo schedules themes up to six months ahead already: those stay.
    assert_eq!(copied.copied.len() + copied.kept.len(), 6);
    let months: ThemeMonths = app
        .get_json(&cpp, "/api/schedule/themes?from=2026-10")
        .await;
    for m in &copied.copied {
        let entry = months
            .months
            .iter()
            .find(|x| x.month == *m)
            .and_then(|x| x.entry.clone())
            .unwrap();
        assert!(entry.notes.contains("6-monthly QA report"));
    }
    let tm = app.signed_in(Role::TeamManager).await;
    let response = tm
        .post(app.url("/api/reports/half-yearly/2026-06/themes"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn r_rep_5_a_drp_alert_an_iro_raises_is_counted_in_the_quarterly_drp_figures() {
    let app = TestApp::spawn().await;
    let org = app.server.state.org();
    let case = org
        .cases()
        .find(|c| c.chaired_by.is_some())
        .unwrap()
        .clone();
    let iro = case.chaired_by.clone().unwrap();
    let http = app.signed_in_person(&iro).await;
    let today = app.clock.now().date_naive();
    let doc = qalf_shared::drp::new_drp_alert(
        &qalf_shared::drp::NewDrpAlert {
            case: case.reference.clone(),
            cohort: case.cohort,
            team: (case.team.clone(), String::new()),
            iro: (iro.clone(), String::new()),
            raised_on: today,
            category: Some(qalf_shared::drp::DrpCategory::ManagementResponse),
        },
        iro.as_str(),
        app.clock.now().timestamp(),
    )
    .unwrap();
    let meta = RecordMeta {
        id: DocumentId::from_bytes([42; 16]),
        created_by: iro.clone(),
        created_at: app.clock.now().timestamp(),
        parties: Parties::Drp {
            case: case.reference.clone(),
            team: case.team.clone(),
            iro: iro.clone(),
        },
    };
    let status = http
        .post(app.url("/api/records"))
        .json(&meta)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::CREATED);
    let mut peer = SyncPeer::connect(&app, &http, &iro).await;
    peer.create(meta.id.clone(), doc).await;
    peer.synced(&meta.id).await;
    app.server.state.projector().settled().await;

    let manager = org.person(&iro).unwrap().line_manager.clone().unwrap();
    let reader = app.signed_in_person(&manager).await;
    let month = YearMonth::of(today);
    let page = report_page(&app, &reader, &format!("/api/reports/drp/{month}")).await;
    let by_category = counts(table(&page.report, "drp-by-category"), "Raised");
    assert_eq!(by_category["Management response"], 1);
    assert_eq!(
        counts(table(&page.report, "drp-by-outcome"), "Alerts")["Still open"],
        1
    );
    // Another IRO may not raise one on a case they do not chair.
    let other = org
        .people_with_role(Role::Iro)
        .find(|p| p.id != iro)
        .unwrap()
        .id
        .clone();
    let mut wrong = meta.clone();
    wrong.id = DocumentId::from_bytes([43; 16]);
    wrong.created_by = other.clone();
    if let Parties::Drp { iro, .. } = &mut wrong.parties {
        *iro = other.clone();
    }
    let other_http = app.signed_in_person(&other).await;
    let status = other_http
        .post(app.url("/api/records"))
        .json(&wrong)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn r_rep_4_compliance_shows_each_manager_their_own_lines_with_observations_counted_on_the_server()
 {
    let app = council().await;
    let cpp = app.signed_in(Role::CppServiceManager).await;
    let all: Vec<ComplianceLine> = app
        .get_json(&cpp, "/api/reports/compliance?month=2026-10")
        .await;
    assert!(all.len() > 20, "{}", all.len());
    let with_observations = all
        .iter()
        .filter(|l| l.observations.iter().any(|o| o.done > 0))
        .count();
    assert!(with_observations > 5, "observations count from the server");
    let tm_id = app.person(Role::TeamManager);
    let tm = app.signed_in(Role::TeamManager).await;
    let mine: Vec<ComplianceLine> = app
        .get_json(&tm, "/api/reports/compliance?month=2026-10")
        .await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].person, tm_id);
    let theirs = all.iter().find(|l| l.person == tm_id).unwrap();
    assert_eq!(&mine[0], theirs);
    // The drill-down behind the year's audits lists exactly those counted.
    let year = &mine[0].audits[2];
    let result: DrillResult = app
        .send_json(
            &tm,
            reqwest::Method::POST,
            "/api/reports/drill",
            &year.drill,
        )
        .await;
    assert_eq!(result.records.len() as u32, year.done);
    assert!(year.done > 0);
    let org = app.server.state.org();
    for r in &result.records {
        let meta = app.server.state.access().record(&r.document).unwrap();
        assert!(access::access(&org, &tm_id, &meta).can_read());
    }
}
