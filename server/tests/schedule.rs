//! The audit schedule through the real router and a real SQLite file: the
//! cohort import (every bad row reported with its line, valid rows imported
//! only on request, no case lost or held twice), the themes ahead, the
//! month's allocation from preview to audits on each auditor's "My work",
//! re-audits and compliance; and none of it for anyone but the CPP.

#[path = "api/harness.rs"]
#[allow(dead_code)] // helpers for the api tests
mod harness;

use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::schedule::{
    AllocateReAudit, AllocatedReAudit, AllocationChange, AllocationPreview, AllocationRow,
    ComplianceOverview, ConfirmAllocation, ConfirmedMonth, ImportReport, MonthOverview,
    ReAuditOverview, RuleRefusal, SelectionAsk, ThemeMonth, ThemeMonths,
};
use qalf_shared::audit;
use qalf_shared::org::{Cohort, Organisation, PersonId, Role};
use qalf_shared::schedule::{AuditKind, PersonCompliance, ThemeEntry, YearMonth};
use reqwest::StatusCode;

use crate::harness::TestApp;

/// The demo clock's month (the harness starts it on 2 November 2026).
const MONTH: &str = "2026-11";

/// (team, practitioner) pairs of the demo council, for rows that are right.
fn team_members(org: &Organisation) -> Vec<(String, String)> {
    org.people_with_role(Role::Practitioner)
        .filter_map(|p| Some((p.team.as_ref()?.to_string(), p.id.to_string())))
        .collect()
}

async fn plan(app: &TestApp, http: &reqwest::Client, csv: &str) -> reqwest::Response {
    http.post(app.url("/api/schedule/import/plan"))
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

async fn apply(
    app: &TestApp,
    http: &reqwest::Client,
    csv: &str,
    valid_rows: bool,
) -> reqwest::Response {
    http.post(app.url(&format!(
        "/api/schedule/import/apply?valid_rows={valid_rows}"
    )))
    .header("content-type", "text/csv")
    .body(csv.to_string())
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn import_reports_each_bad_row_by_line_and_imports_the_valid_rows_only_on_request() {
    let mut app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let org = app.server.state.org();
    let before = org.cases().count();
    let members = team_members(&org);
    let (team, practitioner) = &members[0];
    let existing = org.cases().next().unwrap().clone();
    let csv = format!(
        "case_reference,cohort,team,practitioner,initials,age_band\n\
         IMP-0001,CP,{team},{practitioner},AB,5-9\n\
         IMP-0002,CIN,{team},{practitioner},,\n\
         IMP-0003,XYZ,{team},{practitioner},CD,0-4\n\
         IMP-0004,EH,{team},{practitioner},EF,10-15\n\
         IMP-0005,CWD,no-such-team,{practitioner},GH,16-17\n\
         {},{},{},{},ZZ,\n",
        existing.reference,
        existing.cohort.code(),
        existing.team,
        existing.practitioner,
    );

    let response = plan(&app, &http, &csv).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: ImportReport = response.json().await.unwrap();
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 6], "{:?}", report.errors);
    assert!(report.errors[0].message.contains("unknown cohort `XYZ`"));
    assert!(report.errors[1].message.contains("unknown team"));
    assert_eq!(
        (report.data_rows, report.valid_rows, report.rejected_rows),
        (6, 4, 2)
    );
    assert_eq!((report.new, report.updated), (3, 1));
    assert_eq!(report.kept, before - 1);
    assert!(!report.applied);
    assert_eq!(app.server.state.org().cases().count(), before);

    // A file with errors imports nothing unless the CPP chooses the valid rows.
    let refused = apply(&app, &http, &csv, false).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("2 rows"));
    assert_eq!(app.server.state.org().cases().count(), before);

    let report: ImportReport = apply(&app, &http, &csv, true).await.json().await.unwrap();
    assert!(report.applied);
    let org = app.server.state.org();
    assert_eq!(org.cases().count(), before + 3);
    let updated = org.case(&existing.reference).unwrap();
    assert_eq!(updated.initials.as_deref(), Some("ZZ"));
    assert!(org.case(&"IMP-0003".parse().unwrap()).is_none());

    // Importing the same file again adds nothing and duplicates nothing.
    let again: ImportReport = apply(&app, &http, &csv, true).await.json().await.unwrap();
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 4));

    // Who imported what is recorded as counts, never rows.
    let conn = rusqlite::Connection::open(app.data_dir().join("qalf.sqlite3")).unwrap();
    let imports: Vec<(String, i64, i64, i64)> = conn
        .prepare("SELECT imported_by, new_cases, updated_cases, rejected_rows FROM case_imports ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let cpp = app.person(Role::CppServiceManager).to_string();
    assert_eq!(imports, [(cpp.clone(), 3, 1, 2), (cpp, 0, 0, 2)]);

    // On disk: the cases survive a restart.
    app.restart().await;
    let org = app.server.state.org();
    assert_eq!(org.cases().count(), before + 3);
    assert!(org.case(&"IMP-0004".parse().unwrap()).is_some());
}

#[tokio::test]
async fn import_twenty_thousand_rows_with_one_percent_bad_reports_each_and_imports_the_rest() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let org = app.server.state.org();
    let before = org.cases().count();
    let members = team_members(&org);
    let cohorts = ["CIN", "CP", "CWD", "CiC", "EH"];
    // Case systems export more than QALF keeps: those columns are ignored.
    let mut csv = String::from(
        "case_reference,cohort,team,practitioner,initials,age_band,case_status,last_reviewed,exported_from\n",
    );
    let mut bad_lines = Vec::new();
    for i in 0..20_000usize {
        let (team, practitioner) = &members[i % members.len()];
        // Every hundredth row names a cohort that does not exist.
        let cohort = if i % 100 == 99 {
            bad_lines.push(i as u64 + 2);
            "LAC"
        } else {
            cohorts[i % cohorts.len()]
        };
        csv.push_str(&format!(
            "BIG-{i:05},{cohort},{team},{practitioner},AB,10-15,Open: allocated to a worker,2026-10-{:02},Case management system\n",
            i % 28 + 1
        ));
    }
    assert!(
        csv.len() > 2 * 1024 * 1024,
        "over axum's default body limit"
    );

    let report: ImportReport = plan(&app, &http, &csv).await.json().await.unwrap();
    assert_eq!(report.data_rows, 20_000);
    assert_eq!(report.rejected_rows, 200);
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, bad_lines);
    assert!(report.warnings[0].message.contains("`case_status`"));

    let report: ImportReport = apply(&app, &http, &csv, true).await.json().await.unwrap();
    assert_eq!(report.new, 19_800);
    assert_eq!(app.server.state.org().cases().count(), before + 19_800);
}

#[tokio::test]
async fn the_schedule_is_for_the_cpp_only() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    let status = anonymous
        .get(app.url("/api/schedule/themes"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for role in [
        Role::TeamManager,
        Role::HeadOfService,
        Role::Director,
        Role::Administrator,
    ] {
        let http = app.signed_in(role).await;
        let gets = [
            "/api/schedule/themes".to_string(),
            format!("/api/schedule/months/{MONTH}"),
            "/api/schedule/reaudits".to_string(),
            "/api/schedule/compliance".to_string(),
        ];
        for path in gets {
            let status = http.get(app.url(&path)).send().await.unwrap().status();
            assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} GET {path}");
        }
        let status = plan(&app, &http, "case_reference,cohort,team,practitioner\n")
            .await
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} import");
        let status = http
            .post(app.url(&format!("/api/schedule/months/{MONTH}/preview")))
            .json(&SelectionAsk {
                seed: Some(1),
                count: 5,
                on_purpose: Vec::new(),
            })
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} preview");
    }
}

async fn set_theme(app: &TestApp, http: &reqwest::Client, month: &str, theme: &str) -> StatusCode {
    let entry = ThemeEntry {
        month: month.parse().unwrap(),
        theme: theme.into(),
        cohorts: Default::default(),
        notes: "From the six-monthly QA report.".into(),
    };
    http.put(app.url(&format!("/api/schedule/themes/{month}")))
        .json(&entry)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn r_sched_1_themes_are_scheduled_six_months_ahead_and_missing_months_shown() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppPractitioner).await;
    let entry = ThemeEntry {
        month: "2026-12".parse().unwrap(),
        theme: "Neglect".into(),
        cohorts: [Cohort::ChildProtection, Cohort::ChildInNeed].into(),
        notes: "Rising referrals.".into(),
    };
    let saved: ThemeMonth = app
        .send_json(
            &http,
            reqwest::Method::PUT,
            "/api/schedule/themes/2026-12",
            &entry,
        )
        .await;
    assert_eq!(saved.entry.as_ref(), Some(&entry));
    assert_eq!(
        set_theme(&app, &http, "2027-01", "   ").await,
        StatusCode::BAD_REQUEST
    );

    let months: ThemeMonths = app
        .get_json(&http, &format!("/api/schedule/themes?from={MONTH}"))
        .await;
    assert_eq!(months.months.len(), 6);
    assert_eq!(months.months[1].entry.as_ref(), Some(&entry));
    let missing: Vec<String> = months.missing.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        missing,
        ["2026-11", "2027-01", "2027-02", "2027-03", "2027-04"]
    );
}

async fn preview(app: &TestApp, http: &reqwest::Client, ask: &SelectionAsk) -> AllocationPreview {
    let response = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/preview")))
        .json(ask)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn change(
    app: &TestApp,
    http: &reqwest::Client,
    preview: &AllocationPreview,
    index: usize,
    auditor: &PersonId,
) -> reqwest::Response {
    http.post(app.url(&format!("/api/schedule/months/{MONTH}/check")))
        .json(&AllocationChange {
            ask: preview.ask.clone(),
            allocations: preview.allocation.allocations.clone(),
            index,
            auditor: auditor.clone(),
        })
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn r_alloc_2_an_allocation_is_previewed_adjusted_within_the_rules_and_confirmed_into_audits()
{
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let org = app.server.state.org();

    // No theme, no allocation (R-SCHED-1 comes first).
    let ask = SelectionAsk {
        seed: Some(20_261_102),
        count: 0,
        on_purpose: Vec::new(),
    };
    let status = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/preview")))
        .json(&ask)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        set_theme(&app, &http, MONTH, "The child's lived experience").await,
        StatusCode::OK
    );
    let overview: MonthOverview = app
        .get_json(&http, &format!("/api/schedule/months/{MONTH}"))
        .await;
    assert!(
        overview.due > 20,
        "every manager owes an audit: {}",
        overview.due
    );
    assert!(overview.confirmed.is_none());

    // R-SCHED-2: the same seed, the same selection and allocation.
    let ask = SelectionAsk {
        count: overview.due,
        ..ask
    };
    let first = preview(&app, &http, &ask).await;
    assert_eq!(first, preview(&app, &http, &ask).await);
    assert!(first.explanation.contains("seed 20261102"));
    assert!(first.rows.iter().all(|r| !r.allocation.reason.is_empty()));
    // R-SCHED-3: nothing drawn is a case audited in the last 12 months.
    let demo_cases: Vec<_> = app
        .server
        .state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Audit { .. }))
        .into_iter()
        .filter_map(|m| match m.parties {
            Parties::Audit { case, .. } => Some(case),
            _ => None,
        })
        .collect();
    assert!(first.selection.cases().all(|c| !demo_cases.contains(c)));

    // R-ALLOC-2: giving a case to the Team Manager of its own team is refused.
    let (index, row) = first
        .rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.allocation.role == Role::TeamManager)
        .expect("a Team Manager's allocation");
    let case = org.case(&row.allocation.case).unwrap();
    let own_manager = org.team(&case.team).unwrap().manager.clone().unwrap();
    let refused = change(&app, &http, &first, index, &own_manager).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refusal: RuleRefusal = refused.json().await.unwrap();
    assert_eq!(refusal.rule.as_deref(), Some("R-ALLOC-2"));
    assert!(
        refusal
            .error
            .contains("never audits a case from a team they manage")
    );

    // A Head of Service from another area may take it.
    let head = org
        .people_with_role(Role::HeadOfService)
        .find(|h| org.head_of_service_for_team(&case.team).map(|x| &x.id) != Some(&h.id))
        .unwrap()
        .id
        .clone();
    let response = change(&app, &http, &first, index, &head).await;
    assert_eq!(response.status(), StatusCode::OK);
    let changed: AllocationRow = response.json().await.unwrap();
    assert!(changed.changed_by_hand);
    assert_eq!(changed.allocation.auditor, head);
    assert!(changed.allocation.reason.contains("by hand"));

    let mut allocations = first.allocation.allocations.clone();
    allocations[index] = changed.allocation.clone();
    let team_manager_row = first
        .rows
        .iter()
        .enumerate()
        .find(|(i, r)| *i != index && r.allocation.role == Role::TeamManager)
        .map(|(_, r)| r.allocation.clone())
        .unwrap();
    let confirm = ConfirmAllocation {
        ask: first.ask.clone(),
        allocations: allocations.clone(),
    };
    let response = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/confirm")))
        .json(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let confirmed: ConfirmedMonth = response.json().await.unwrap();
    // Every audit is made but the IRO peer audits, which their IRO Service
    // Managers allocate (R-ALLOC-3).
    assert_eq!(
        confirmed.audits.len() + confirmed.left_to_iro_service_managers.len(),
        allocations.len()
    );
    assert!(confirmed.verified, "the recorded selection draws again");
    assert_eq!(confirmed.seed, 20_261_102);

    // The Team Manager finds the audit among their records ("My work"),
    // with the suggested audit day in its header (R-ALLOC-5).
    let tm = &team_manager_row.auditor;
    let tm_http = app.signed_in_person(tm).await;
    let records: Vec<RecordMeta> = app.get_json(&tm_http, "/api/records").await;
    let made = confirmed.audits.iter().find(|a| &a.auditor == tm).unwrap();
    let record = records
        .iter()
        .find(|m| m.id.to_string() == made.audit)
        .expect("the new audit is the Team Manager's to read");
    let header = app
        .server
        .state
        .relay()
        .with_document(&record.id, |doc| audit::read(&*doc).map(|a| a.header))
        .await
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(header.auditor, tm.to_string());
    assert_eq!(header.case, team_manager_row.case.to_string());
    assert_eq!(header.suggested_day, Some(team_manager_row.suggested_day));
    assert_eq!(header.audit_kind, AuditKind::Themed);
    assert_eq!(header.theme, "The child's lived experience");
    // The CPP's notes on the theme go with it to the auditor.
    assert_eq!(
        header.theme_notes.as_deref(),
        Some("From the six-monthly QA report.")
    );

    // Confirming again: the same allocation makes nothing twice; another is
    // refused.
    let again = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/confirm")))
        .json(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: ConfirmedMonth = again.json().await.unwrap();
    assert_eq!(again.audits, confirmed.audits);
    let other = ConfirmAllocation {
        ask: first.ask.clone(),
        allocations: first.allocation.allocations.clone(),
    };
    let status = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/confirm")))
        .json(&other)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let overview: MonthOverview = app
        .get_json(&http, &format!("/api/schedule/months/{MONTH}"))
        .await;
    let kept = overview.confirmed.unwrap();
    assert_eq!(
        kept.audits.len() + kept.left_to_iro_service_managers.len(),
        allocations.len()
    );
}

#[tokio::test]
async fn r_alloc_1_a_confirmation_that_breaks_a_quota_is_refused_and_makes_nothing() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    set_theme(&app, &http, MONTH, "Planning").await;
    let overview: MonthOverview = app
        .get_json(&http, &format!("/api/schedule/months/{MONTH}"))
        .await;
    let first = preview(
        &app,
        &http,
        &SelectionAsk {
            seed: Some(7),
            count: overview.due,
            on_purpose: Vec::new(),
        },
    )
    .await;
    // A second Team Manager's case given to a first, who could audit it but
    // already has their one audit this month.
    let org = app.server.state.org();
    let tms: Vec<usize> = first
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.allocation.role == Role::TeamManager)
        .map(|(i, _)| i)
        .collect();
    let allocs = &first.allocation.allocations;
    let (a, b) = tms
        .iter()
        .flat_map(|a| tms.iter().map(move |b| (*a, *b)))
        .find(|(a, b)| {
            let tm = &allocs[*a].auditor;
            let case = org.case(&allocs[*b].case).unwrap();
            a != b
                && org.team(&case.team).unwrap().manager.as_ref() != Some(tm)
                && org.person(tm).unwrap().team.as_ref() != Some(&case.team)
                && !org.manages(tm, &case.practitioner)
                // Early Help and SEND team managers audit in their own
                // service: a case of the same service as theirs this month.
                && org.case(&allocs[*a].case).unwrap().team != case.team
                && org
                    .team(&org.case(&allocs[*a].case).unwrap().team)
                    .unwrap()
                    .service_area
                    == org.team(&case.team).unwrap().service_area
        })
        .expect("two Team Managers' allocations");
    let mut allocations = allocs.clone();
    allocations[b].auditor = allocations[a].auditor.clone();
    let before = app
        .server
        .state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Audit { .. }))
        .len();
    let response = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/confirm")))
        .json(&ConfirmAllocation {
            ask: first.ask.clone(),
            allocations,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refusal: RuleRefusal = response.json().await.unwrap();
    assert_eq!(refusal.rule.as_deref(), Some("R-ALLOC-1"), "{refusal:?}");
    assert!(refusal.error.contains("their quota"));
    let after = app
        .server
        .state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Audit { .. }))
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn r_reaudit_1_an_inadequate_audit_is_queued_for_its_head_of_service_who_alone_is_allocated_it()
 {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let overview: ReAuditOverview = app
        .get_json(&http, &format!("/api/schedule/reaudits?month={MONTH}"))
        .await;
    // The demo completes one audit graded Inadequate.
    assert_eq!(overview.queue.len(), 1);
    let queued = &overview.queue[0].queued;
    let head = queued.head_of_service.clone().expect("its Head of Service");
    assert!(
        queued.reason.contains("Head of Service for"),
        "{}",
        queued.reason
    );
    // R-REAUDIT-2: the AD and the DCS each have a pick this quarter (the one
    // Inadequate case can go to one of them only).
    assert!(
        overview
            .picks
            .iter()
            .any(|p| p.pick.kind == AuditKind::ReAudit)
    );
    // R-REAUDIT-3: the Cabinet Member's pick names a CPP member.
    let cabinet = overview
        .picks
        .iter()
        .find(|p| p.pick.kind == AuditKind::CabinetReAudit)
        .expect("a Cabinet Member pick");
    assert!(cabinet.pick.alongside.is_some());

    let org = app.server.state.org();
    let other_head = org
        .people_with_role(Role::HeadOfService)
        .find(|h| h.id != head)
        .unwrap()
        .id
        .clone();
    let allocate = |who: PersonId| AllocateReAudit {
        original: queued.original.clone(),
        re_auditor: who,
        kind: AuditKind::ReAudit,
        alongside: None,
    };
    let response = http
        .post(app.url("/api/schedule/reaudits"))
        .json(&allocate(other_head))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refusal: RuleRefusal = response.json().await.unwrap();
    assert_eq!(refusal.rule.as_deref(), Some("R-REAUDIT-1"));

    let response = http
        .post(app.url("/api/schedule/reaudits"))
        .json(&allocate(head.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let made: AllocatedReAudit = response.json().await.unwrap();
    assert_eq!(made.allocation.original, queued.original);
    let meta = app
        .server
        .state
        .access()
        .record(&made.allocation.audit.parse().unwrap())
        .unwrap();
    assert!(matches!(&meta.parties, Parties::Audit { auditor, .. } if auditor == &head));

    let overview: ReAuditOverview = app
        .get_json(&http, &format!("/api/schedule/reaudits?month={MONTH}"))
        .await;
    assert_eq!(
        overview.queue[0].allocated.as_deref(),
        Some(made.allocation.audit.as_str())
    );
    assert_eq!(overview.allocated.len(), 1);
}

#[tokio::test]
async fn r_rep_4_compliance_counts_completed_audits_and_drills_down_to_them() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let overview: ComplianceOverview = app
        .get_json(&http, &format!("/api/schedule/compliance?month={MONTH}"))
        .await;
    assert_eq!(overview.month, MONTH.parse::<YearMonth>().unwrap());
    // The demo's completed audits count for their auditors this month.
    let done: Vec<_> = overview
        .people
        .iter()
        .filter(|p| p.audits[0].done > 0)
        .collect();
    assert!(!done.is_empty());
    let someone = done[0];
    assert!(someone.audits[0].expected >= 1, "{:?}", someone.duties);
    let drill: PersonCompliance = http
        .get(app.url(&format!(
            "/api/schedule/compliance/{}?month={MONTH}",
            someone.person
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(drill.audits.month.done.len() as u32, someone.audits[0].done);
    let counted = &drill.audits.month.done[0];
    let meta = app
        .server
        .state
        .access()
        .record(&counted.id.parse().unwrap())
        .unwrap();
    assert!(matches!(&meta.parties, Parties::Audit { auditor, .. } if auditor == &someone.person));
}

/// Moderates an audit held by the relay to `grade`, as a finished
/// moderation writes its outcome back into the audit.
async fn moderate_to(app: &TestApp, audit_id: &str, grade: audit::Grade) {
    let id = qalf_shared::sync::DocumentId::parse(audit_id).unwrap();
    app.server
        .state
        .relay()
        .with_document(&id, |doc| {
            let mut tx = doc.transaction();
            audit::document::record_moderation(
                &mut tx,
                &audit::document::ModeratedOutcome {
                    by: qalf_shared::moderation::ModeratedBy::Moderation,
                    record: qalf_shared::sync::DocumentId::from_bytes([7; 16]),
                    grade: Some(grade),
                    audit_quality: Some(audit::Grade::Good),
                    no_consensus: false,
                    recorded_at: 0,
                },
            )
            .unwrap();
            tx.commit();
        })
        .await
        .unwrap()
        .expect("the relay holds the audit");
}

/// The ids of the audits in the re-audit queue.
async fn queue(app: &TestApp, http: &reqwest::Client) -> Vec<String> {
    let overview: ReAuditOverview = app
        .get_json(http, &format!("/api/schedule/reaudits?month={MONTH}"))
        .await;
    overview
        .queue
        .into_iter()
        .map(|q| q.queued.original)
        .collect()
}

#[tokio::test]
async fn r_mod_5_the_reaudit_queue_goes_by_the_moderated_grade() {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let before = queue(&app, &http).await;
    assert_eq!(before.len(), 1, "the demo's one Inadequate audit");
    // Moderated up: no longer Inadequate, no longer queued.
    moderate_to(&app, &before[0], audit::Grade::RequiresImprovement).await;
    assert!(
        queue(&app, &http).await.is_empty(),
        "moderated up, still queued"
    );

    // An audit the auditor graded Good, moderated down to Inadequate: queued.
    let records: Vec<RecordMeta> = app.get_json(&http, "/api/records").await;
    let mut good = None;
    for meta in records
        .iter()
        .filter(|m| matches!(m.parties, Parties::Audit { .. }))
    {
        let graded_good = app
            .server
            .state
            .relay()
            .with_document(&meta.id, |doc| {
                audit::read(doc).is_some_and(|a| {
                    a.completed_at.is_some() && a.overall.grade == Some(audit::Grade::Good)
                })
            })
            .await
            .unwrap()
            .unwrap_or(false);
        if graded_good {
            good = Some(meta.id.to_string());
            break;
        }
    }
    let good = good.expect("a completed audit graded Good");
    moderate_to(&app, &good, audit::Grade::Inadequate).await;
    assert_eq!(
        queue(&app, &http).await,
        vec![good.clone()],
        "moderated down, not queued"
    );
    // And it is in its Head of Service's own queue, not another's.
    let overview: ReAuditOverview = app
        .get_json(&http, &format!("/api/schedule/reaudits?month={MONTH}"))
        .await;
    let head = overview.queue[0]
        .queued
        .head_of_service
        .clone()
        .expect("a Head of Service");
    let head_http = app.signed_in_person(&head).await;
    let theirs: Vec<qalf_shared::api::schedule::QueueItem> =
        app.get_json(&head_http, "/api/reaudits/mine").await;
    assert_eq!(
        theirs
            .iter()
            .map(|q| q.queued.original.clone())
            .collect::<Vec<_>>(),
        vec![good]
    );
    let org = app.server.state.org();
    let other = org
        .people_with_role(Role::HeadOfService)
        .find(|p| p.id != head)
        .unwrap()
        .id
        .clone();
    let other_http = app.signed_in_person(&other).await;
    let none: Vec<qalf_shared::api::schedule::QueueItem> =
        app.get_json(&other_http, "/api/reaudits/mine").await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn r_audit_2_at_allocation_the_auditor_practitioner_and_team_manager_are_told_the_earliest_meeting_day()
 {
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    set_theme(&app, &http, MONTH, "Planning").await;
    let overview: MonthOverview = app
        .get_json(&http, &format!("/api/schedule/months/{MONTH}"))
        .await;
    let first = preview(
        &app,
        &http,
        &SelectionAsk {
            seed: Some(11),
            count: overview.due,
            on_purpose: Vec::new(),
        },
    )
    .await;
    let confirm = ConfirmAllocation {
        ask: first.ask.clone(),
        allocations: first.allocation.allocations.clone(),
    };
    let response = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/confirm")))
        .json(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // One of the audits made, and everyone it concerns.
    let org = app.server.state.org();
    let made = first.allocation.allocations[0].clone();
    let case = org.case(&made.case).unwrap();
    let manager = org.team(&case.team).unwrap().manager.clone().unwrap();
    // The harness's clock says 2 November; the meeting is 7 days on at least.
    let earliest = "9 November 2026";
    for person in [&made.auditor, &case.practitioner, &manager] {
        let client = app.signed_in_person(person).await;
        let told: Vec<qalf_shared::api::Notification> =
            app.get_json(&client, "/api/notifications").await;
        let about: Vec<_> = told
            .iter()
            .filter(|n| n.kind == "allocation" && n.body.contains(case.reference.as_str()))
            .collect();
        assert_eq!(about.len(), 1, "{person}: {told:?}");
        assert!(about[0].body.contains(earliest), "{}", about[0].body);
        assert!(about[0].document.is_some(), "linked to the audit");
    }
}

#[tokio::test]
async fn r_sched_3_the_cpp_audits_a_case_on_purpose_bespoke_or_for_career_progression() {
    use qalf_shared::api::schedule::{AuditMade, BespokeAudit};
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let org = app.server.state.org();
    // A case the demo audited recently: only on purpose may it be again.
    let recent = app
        .server
        .state
        .access()
        .records_where(|m| matches!(m.parties, Parties::Audit { .. }))
        .into_iter()
        .find_map(|m| match m.parties {
            Parties::Audit { case, .. } => Some(case),
            _ => None,
        })
        .unwrap();
    let cpp = app.person(Role::CppPractitioner);
    let ask = |auditor: PersonId, kind: AuditKind, reason: &str| BespokeAudit {
        case: recent.clone(),
        auditor,
        kind,
        reason: reason.into(),
    };
    let post = |body: BespokeAudit| {
        let (http, url) = (http.clone(), app.url("/api/schedule/bespoke"));
        async move { http.post(url).json(&body).send().await.unwrap() }
    };

    let made = post(ask(
        cpp.clone(),
        AuditKind::Bespoke,
        "Asked for by the Director after a complaint",
    ))
    .await;
    assert_eq!(made.status(), StatusCode::OK);
    let made: AuditMade = made.json().await.unwrap();
    let id: qalf_shared::sync::DocumentId = made.audit.parse().unwrap();
    let header = app
        .server
        .state
        .relay()
        .with_document(&id, |doc| audit::read(&*doc).map(|a| a.header))
        .await
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(header.audit_kind, AuditKind::Bespoke);
    assert_eq!(header.auditor, cpp.to_string());
    // The reason is on the audit for its auditor, not in messages.
    assert_eq!(header.theme, AuditKind::Bespoke.label());
    assert_eq!(
        header.theme_notes.as_deref(),
        Some("Asked for by the Director after a complaint")
    );

    // Career progression, by the CPP too.
    let career = post(ask(
        cpp.clone(),
        AuditKind::CareerProgression,
        "For the progression panel in January",
    ))
    .await;
    assert_eq!(career.status(), StatusCode::OK);

    // Only CPP members do them; a reason is always given; only the CPP asks.
    let tm = app.person(Role::TeamManager);
    let wrong = post(ask(tm, AuditKind::Bespoke, "Because")).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refusal: RuleRefusal = wrong.json().await.unwrap();
    assert!(refusal.error.contains("Bespoke"), "{}", refusal.error);
    let no_reason = post(ask(cpp.clone(), AuditKind::Bespoke, "  ")).await;
    assert_eq!(no_reason.status(), StatusCode::BAD_REQUEST);
    let themed = post(ask(cpp.clone(), AuditKind::Themed, "A theme")).await;
    assert_eq!(themed.status(), StatusCode::BAD_REQUEST);
    let tm_http = app.signed_in(Role::TeamManager).await;
    let status = tm_http
        .post(app.url("/api/schedule/bespoke"))
        .json(&ask(cpp, AuditKind::Bespoke, "Because"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let _ = org;
}

#[tokio::test]
async fn r_alloc_3_iro_service_managers_allocate_their_iros_peer_audits() {
    use qalf_shared::api::schedule::{AllocateIroPeer, IroPeerMonth};
    use qalf_shared::schedule::iro_allocator;
    let app = TestApp::spawn().await;
    let http = app.signed_in(Role::CppServiceManager).await;
    let org = app.server.state.org();
    assert_eq!(
        set_theme(&app, &http, MONTH, "The child's lived experience").await,
        StatusCode::OK
    );
    let overview: MonthOverview = app
        .get_json(&http, &format!("/api/schedule/months/{MONTH}"))
        .await;
    let ask = SelectionAsk {
        seed: Some(20_261_102),
        count: overview.due,
        on_purpose: Vec::new(),
    };
    let drawn = preview(&app, &http, &ask).await;
    let allocations: Vec<_> = drawn.rows.iter().map(|r| r.allocation.clone()).collect();
    let peers: Vec<_> = allocations
        .iter()
        .filter(|a| a.kind == AuditKind::IroPeer)
        .cloned()
        .collect();
    assert!(!peers.is_empty(), "the demo's IROs each owe a peer audit");
    let response = http
        .post(app.url(&format!("/api/schedule/months/{MONTH}/confirm")))
        .json(&ConfirmAllocation {
            ask: drawn.ask.clone(),
            allocations: allocations.clone(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let confirmed: ConfirmedMonth = response.json().await.unwrap();
    // The CPP's confirmation leaves IRO peer audits to the IRO Service
    // Managers.
    assert!(
        confirmed
            .audits
            .iter()
            .all(|a| a.kind != AuditKind::IroPeer)
    );
    assert_eq!(confirmed.left_to_iro_service_managers.len(), peers.len());

    let row = &peers[0];
    let ism = iro_allocator(&org, &row.auditor).expect("an IRO Service Manager");
    let ism_http = app.signed_in_person(&ism).await;
    // They are told, and find their IROs' rows.
    let notes: Vec<qalf_shared::api::Notification> =
        app.get_json(&ism_http, "/api/notifications").await;
    assert!(notes.iter().any(|n| n.kind == "iro-peer-due"), "{notes:?}");
    let mine: IroPeerMonth = app
        .get_json(&ism_http, &format!("/api/schedule/iro-peer?month={MONTH}"))
        .await;
    assert!(mine.confirmed);
    assert!(mine.rows.iter().any(|r| r.iro == row.auditor));
    assert!(mine.rows.iter().all(|r| r.allocator.as_ref() == Some(&ism)));

    let allocate = |client: reqwest::Client, case: qalf_shared::org::CaseRef| {
        let url = app.url("/api/schedule/iro-peer");
        let body = AllocateIroPeer {
            month: MONTH.parse().unwrap(),
            iro: row.auditor.clone(),
            case,
        };
        async move { client.post(url).json(&body).send().await.unwrap() }
    };
    // Never a case the IRO chairs.
    if let Some(chaired) = org
        .cases()
        .find(|c| c.chaired_by.as_ref() == Some(&row.auditor))
    {
        let refused = allocate(ism_http.clone(), chaired.reference.clone()).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refusal: RuleRefusal = refused.json().await.unwrap();
        assert_eq!(refusal.rule.as_deref(), Some("R-ALLOC-3"));
    }
    // Not the CPP's to allocate, nor another IRO Service Manager's.
    let status = allocate(http.clone(), row.case.clone()).await.status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    if let Some(other) = org
        .people_with_role(Role::IroServiceManager)
        .find(|p| p.id != ism)
    {
        let other_http = app.signed_in_person(&other.id).await;
        let status = allocate(other_http, row.case.clone()).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // The proposed case: the audit is made, in the IRO Service Manager's
    // name, and the IRO finds it.
    let made = allocate(ism_http.clone(), row.case.clone()).await;
    assert_eq!(made.status(), StatusCode::OK);
    let mine: IroPeerMonth = app
        .get_json(&ism_http, &format!("/api/schedule/iro-peer?month={MONTH}"))
        .await;
    let done = mine.rows.iter().find(|r| r.iro == row.auditor).unwrap();
    let audit: qalf_shared::sync::DocumentId = done.audit.as_ref().unwrap().parse().unwrap();
    let meta = app.server.state.access().record(&audit).unwrap();
    assert_eq!(meta.created_by, ism);
    assert!(matches!(&meta.parties, Parties::Audit { auditor, .. } if auditor == &row.auditor));
    // Once.
    let again = allocate(ism_http, row.case.clone()).await;
    assert!(again.status().is_client_error());
}
