//! The reports' rules, R-REP-1 … R-REP-8, on the fixed test council.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::briefing::{self, ShareError, check_shareable};
use super::compliance::{self, may_see_line};
use super::document::{self, OwnerSectionState, missing_sections, new_report_document};
use super::drill::{self, Drill};
use super::facts::*;
use super::figures::Context;
use super::learning::{has_tag, set_tag};
use super::periodic::{periodic, propose_themes};
use super::table::Cell;
use super::*;
use crate::access::{ObservationKind, Parties, RecordMeta};
use crate::audit::{Grade, NewAudit, new_audit, template};
use crate::drp::{DrpCategory, DrpOutcome};
use crate::org::{Cohort, Organisation, Role, ServiceAreaId};
use crate::schedule::testing::{council, cref, day, pid, tid, ym};
use crate::schedule::{AuditKind, Period};
use crate::settings::CouncilSettings;
use crate::sync::DocumentId;

fn doc_id(n: u32) -> DocumentId {
    let mut bytes = [7u8; 16];
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    DocumentId::from_bytes(bytes)
}

fn area(id: &str) -> Option<ServiceAreaId> {
    Some(ServiceAreaId::parse(id).unwrap())
}

/// An audit of a case of `team` by `auditor`.
#[allow(clippy::too_many_arguments)]
fn audit(
    n: u32,
    team: &str,
    area_id: &str,
    auditor: &str,
    role: Role,
    allocated: &str,
    completed: Option<&str>,
    grade: Option<Grade>,
) -> AuditFact {
    AuditFact {
        record: doc_id(n),
        case: cref(&format!("CR-{n:04}")),
        cohort: Some(if area_id == "eh" {
            Cohort::EarlyHelp
        } else {
            Cohort::ChildInNeed
        }),
        theme: "Planning".into(),
        kind: AuditKind::Themed,
        team: tid(team),
        service_area: area(area_id),
        auditor: pid(auditor),
        auditor_role: Some(role),
        practitioner: pid(&format!("sw-{team}-1")),
        allocated_on: day(allocated),
        meeting_on: None,
        completed_on: completed.map(day),
        grade,
        moderated_grade: None,
        follow_up_due: completed.map(|c| day(c) + chrono::Duration::days(14)),
        follow_up_done: None,
        closed_on: None,
        practitioner_response_on: None,
        manager_response_on: None,
        responses_owed_by: Vec::new(),
        good_practice: false,
        reaudit_required: false,
    }
}

fn finding(n: u32, polarity: Polarity, theme: &str, on: &str, area_id: &str) -> FindingFact {
    FindingFact {
        record: doc_id(n),
        source: FindingSource::Audit,
        polarity,
        theme: theme.into(),
        on: day(on),
        team: None,
        service_area: area(area_id),
        quote: format!("Words of record {n} about {theme}"),
    }
}

fn settings() -> CouncilSettings {
    CouncilSettings::default()
}

/// The text of a table's cell in the row whose first cell reads `row`.
fn cell(report: &Report, table: &str, row: &str, column: &str) -> String {
    let t = report
        .table(table)
        .unwrap_or_else(|| panic!("no table {table}"));
    let c = t
        .columns
        .iter()
        .position(|x| x == column)
        .unwrap_or_else(|| panic!("no column {column} in {table}"));
    let r = t
        .rows
        .iter()
        .find(|r| r.cells[0].display() == row)
        .unwrap_or_else(|| panic!("no row {row} in {table}"));
    r.cells[c].display()
}

/// November 2026 in the test council: five audits allocated, four
/// completed with grades, one moderated down, a safety alert, overdue work
/// and a dispute at stage 2.
fn november() -> Facts {
    let mut facts = Facts {
        audits: Vec::new(),
        ..Facts::default()
    };
    facts.audits = vec![
        audit(
            1,
            "assessment-1",
            "ai",
            "tm-c1",
            Role::TeamManager,
            "2026-11-02",
            Some("2026-11-20"),
            Some(Grade::Good),
        ),
        audit(
            2,
            "assessment-2",
            "ai",
            "tm-c2",
            Role::TeamManager,
            "2026-11-02",
            Some("2026-11-21"),
            Some(Grade::RequiresImprovement),
        ),
        audit(
            3,
            "cic-1",
            "cic",
            "tm-a1",
            Role::TeamManager,
            "2026-11-02",
            None,
            None,
        ),
        audit(
            4,
            "fs-north",
            "eh",
            "sm-ai",
            Role::ServiceManager,
            "2026-11-03",
            Some("2026-11-25"),
            Some(Grade::Outstanding),
        ),
        // Allocated in October, completed in November.
        audit(
            5,
            "cic-2",
            "cic",
            "tm-a2",
            Role::TeamManager,
            "2026-10-05",
            Some("2026-11-02"),
            Some(Grade::Good),
        ),
        // Completed in October, follow-up overdue since.
        audit(
            6,
            "cic-2",
            "cic",
            "tm-a2",
            Role::TeamManager,
            "2026-09-05",
            Some("2026-10-01"),
            Some(Grade::Inadequate),
        ),
    ];
    // Audit 2 moderated down to Inadequate.
    facts.audits[1].moderated_grade = Some(Grade::Inadequate);
    facts.section_grades = vec![
        SectionGradeFact {
            record: doc_id(1),
            section: "voice".into(),
            title: "The child's voice".into(),
            grade: Grade::Good,
        },
        SectionGradeFact {
            record: doc_id(2),
            section: "voice".into(),
            title: "The child's voice".into(),
            grade: Grade::Inadequate,
        },
    ];
    facts.moderations = vec![
        ModerationFact {
            record: doc_id(100),
            audit: doc_id(2),
            by: ModeratedBy::Moderation,
            completed_on: Some(day("2026-11-24")),
            audit_grade: Some(Grade::RequiresImprovement),
            moderated_grade: Some(Grade::Inadequate),
            agreed: Some(false),
            audit_quality: Some(Grade::Good),
            no_consensus: false,
        },
        ModerationFact {
            record: doc_id(101),
            audit: doc_id(1),
            by: ModeratedBy::Panel,
            completed_on: Some(day("2026-11-26")),
            audit_grade: Some(Grade::Good),
            moderated_grade: Some(Grade::Good),
            agreed: Some(true),
            audit_quality: Some(Grade::Good),
            no_consensus: false,
        },
    ];
    facts.actions = vec![ActionFact {
        record: doc_id(6),
        action: "a1".into(),
        owner: Some(pid("sw-cic-2-1")),
        due_on: Some(day("2026-10-20")),
        done: false,
    }];
    facts.alerts = vec![AlertFact {
        record: doc_id(3),
        alert: "alert-1".into(),
        raised_on: day("2026-11-10"),
        alerted: true,
    }];
    facts.disputes = vec![
        DisputeFact {
            record: doc_id(2),
            stage: 1,
            opened_on: day("2026-11-22"),
            closed_on: Some(day("2026-11-23")),
            resolved: false,
        },
        DisputeFact {
            record: doc_id(2),
            stage: 2,
            opened_on: day("2026-11-23"),
            closed_on: None,
            resolved: false,
        },
    ];
    facts.findings = vec![
        finding(1, Polarity::Strength, "childs-voice", "2026-11-20", "ai"),
        finding(1, Polarity::Development, "chronology", "2026-11-20", "ai"),
        finding(2, Polarity::Development, "chronology", "2026-11-21", "ai"),
        finding(
            4,
            Polarity::Development,
            "smart-planning",
            "2026-11-25",
            "eh",
        ),
        finding(5, Polarity::Development, "chronology", "2026-11-02", "cic"),
        // Earlier months, for the trend.
        finding(6, Polarity::Development, "chronology", "2026-10-01", "cic"),
        finding(40, Polarity::Development, "recording", "2026-03-01", "cic"),
    ];
    facts
}

fn context<'a>(org: &'a Organisation, settings: &'a CouncilSettings) -> Context<'a> {
    Context {
        org,
        settings,
        as_of: day("2026-12-04"),
    }
}

#[test]
fn r_rep_1_allocated_and_completed_by_role_service_area_and_team() {
    let (org, s) = (council(), settings());
    let r = monthly::monthly(ym("2026-11"), &november(), &context(&org, &s));
    assert_eq!(r.kind, ReportKind::Monthly);
    assert_eq!(r.period, Period::month(ym("2026-11")));
    // Four allocated in November; three of them completed.
    assert_eq!(
        cell(&r, "allocated-by-role", "Team Manager", "Allocated"),
        "3"
    );
    assert_eq!(
        cell(&r, "allocated-by-role", "Team Manager", "Completed"),
        "2"
    );
    assert_eq!(
        cell(&r, "allocated-by-role", "Team Manager", "Completion rate"),
        "66.7%"
    );
    assert_eq!(
        cell(&r, "allocated-by-role", "Service Manager", "Allocated"),
        "1"
    );
    assert_eq!(
        cell(
            &r,
            "allocated-by-service-area",
            "Assessment and Intervention",
            "Completed"
        ),
        "2"
    );
    assert_eq!(
        cell(&r, "allocated-by-team", "Children in Care 1", "Completed"),
        "0"
    );
    let finding = &r.section("allocation").unwrap().findings[0];
    assert!(finding.contains("4 audits were allocated"), "{finding}");
    assert!(finding.contains("4 audits were completed"), "{finding}");
}

#[test]
fn r_rep_1_grades_are_counted_by_theme_cohort_service_area_and_section_as_moderated() {
    let (org, s) = (council(), settings());
    let r = monthly::monthly(ym("2026-11"), &november(), &context(&org, &s));
    // Completed in November: 1 Good, 2 RI→Inadequate (moderated), 4
    // Outstanding, 5 Good.
    assert_eq!(cell(&r, "grades-overall", "Good", "Audits"), "2");
    assert_eq!(cell(&r, "grades-overall", "Outstanding", "Audits"), "1");
    assert_eq!(cell(&r, "grades-overall", "Inadequate", "Audits"), "1");
    assert_eq!(
        cell(
            &r,
            "grades-overall",
            "Requires improvement to be good",
            "Audits"
        ),
        "0"
    );
    assert_eq!(cell(&r, "grades-overall", "Good", "Share"), "50%");
    assert_eq!(
        cell(
            &r,
            "grades-by-service-area",
            "Assessment and Intervention",
            "Inadequate"
        ),
        "1"
    );
    assert_eq!(
        cell(&r, "grades-by-service-area", "Early Help", "Outstanding"),
        "1"
    );
    assert_eq!(cell(&r, "grades-by-cohort", "Early Help", "Total"), "1");
    assert_eq!(cell(&r, "grades-by-cohort", "Child in Need", "Total"), "3");
    assert_eq!(cell(&r, "grades-by-theme", "Planning", "Total"), "4");
    assert_eq!(
        cell(&r, "grades-by-section", "The child's voice", "Inadequate"),
        "1"
    );
}

#[test]
fn r_rep_1_moderation_agreement_and_grades_moved() {
    let (org, s) = (council(), settings());
    let r = monthly::monthly(ym("2026-11"), &november(), &context(&org, &s));
    assert_eq!(cell(&r, "moderation-agreement", "All", "Moderated"), "2");
    assert_eq!(
        cell(&r, "moderation-agreement", "All", "Agreement rate"),
        "50%"
    );
    assert_eq!(
        cell(&r, "moderation-agreement", "Moderation panel", "Agreed"),
        "1"
    );
    let moved = r.table("grades-moved").unwrap();
    assert_eq!(moved.rows.len(), 1);
    assert_eq!(
        moved.rows[0]
            .cells
            .iter()
            .map(Cell::display)
            .collect::<Vec<_>>(),
        ["Requires improvement to be good", "Inadequate", "1"]
    );
    assert!(r.section("moderation").unwrap().findings[0].contains("1 grade moved down and 0 up"));
}

#[test]
fn r_rep_1_overdue_follow_ups_and_actions_safety_alerts_and_disputes() {
    let (org, s) = (council(), settings());
    let r = monthly::monthly(ym("2026-11"), &november(), &context(&org, &s));
    // As of 4 December: audit 6's follow-up (due 15 Oct) and action (due 20
    // Oct) are overdue; audits 1, 2 and 5 follow-ups fall due 4-16 Dec.
    assert_eq!(
        cell(
            &r,
            "overdue-by-service-area",
            "Children in Care",
            "Follow-ups overdue"
        ),
        "2"
    );
    assert_eq!(
        cell(
            &r,
            "overdue-by-service-area",
            "Children in Care",
            "Actions overdue"
        ),
        "1"
    );
    assert_eq!(
        cell(&r, "safety-alerts", "Children in Care", "Alerts raised"),
        "1"
    );
    assert_eq!(
        cell(
            &r,
            "disputes-by-stage",
            "2: restorative conversation with a CPP worker",
            "Open now"
        ),
        "1"
    );
    assert_eq!(
        cell(
            &r,
            "disputes-by-stage",
            "1: practitioner and auditor discuss",
            "Opened in the period"
        ),
        "1"
    );
}

#[test]
fn r_rep_1_every_count_drills_down_to_exactly_the_records_it_counts() {
    let (org, s) = (council(), settings());
    let facts = november();
    let r = monthly::monthly(ym("2026-11"), &facts, &context(&org, &s));
    let mut checked = 0;
    for table in r.tables() {
        for row in &table.rows {
            for c in &row.cells {
                if let Cell::Count { n, drill: Some(d) } = c {
                    // A drill names records; the actions column counts
                    // actions, not audits, and carries no drill.
                    assert_eq!(
                        drill::records(d, &facts).len() as u32,
                        *n,
                        "table {} row {:?}",
                        table.id,
                        row.cells[0]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "{checked} drills checked");
}

#[test]
fn r_rep_7_tags_are_counted_by_theme_service_area_and_month_with_6_and_12_month_trends() {
    let (org, s) = (council(), settings());
    let r = monthly::monthly(ym("2026-11"), &november(), &context(&org, &s));
    assert_eq!(
        cell(
            &r,
            "learning-by-theme",
            "Chronology and history",
            "Areas for development"
        ),
        "3"
    );
    assert_eq!(
        cell(
            &r,
            "learning-by-theme",
            "The child's voice and lived experience",
            "Strengths"
        ),
        "1"
    );
    let trend = r.table("learning-trend").unwrap();
    let chronology = trend
        .rows
        .iter()
        .find(|r| r.cells[0].display() == "Chronology and history")
        .unwrap();
    // Last 6 months (Jun–Nov): 4; last 12 (Dec 2025–Nov 2026): 4.
    assert_eq!(chronology.cells[3].display(), "4");
    let recording = trend
        .rows
        .iter()
        .find(|r| r.cells[0].display() == "Recording")
        .unwrap();
    // March counts in the 12 months, not in the last 6, and in the 6 before.
    assert_eq!(recording.cells[3].display(), "0");
    assert_eq!(recording.cells[4].display(), "1");
    assert_eq!(recording.cells[5].display(), "1");
    let by_month = r.table("development-by-month").unwrap();
    assert_eq!(by_month.rows.len(), 12);
    assert_eq!(by_month.columns[1], "Chronology and history");
    assert_eq!(by_month.rows[11].cells[1].display(), "3");
    let by_area = r.table("learning-by-service-area").unwrap();
    assert!(by_area.rows.iter().any(|row| {
        row.cells[0].display() == "Early Help"
            && row.cells[1].display() == "SMART planning"
            && row.cells[3].display() == "1"
    }));
    let learning = r.section("learning").unwrap();
    assert!(
        learning.findings[1].contains("chronology and history (3 findings)"),
        "{:?}",
        learning.findings
    );
    // Quotes come from the month's findings of the top themes, newest first.
    let quotes: Vec<_> = learning
        .quotes
        .iter()
        .filter(|q| q.theme == "Chronology and history")
        .collect();
    assert_eq!(quotes.len(), 3);
    assert_eq!(quotes[0].record, doc_id(2));
}

#[test]
fn r_rep_7_a_tag_is_set_and_read_on_a_real_audit_and_extracted_once_completed() {
    let org = council();
    let mut doc = new_audit(
        template::current(),
        &NewAudit {
            header: header("CR-0001", "assessment-1", "tm-c1"),
            cohort: Cohort::ChildInNeed,
            reaudit: None,
        },
        "cpp-1",
        1_790_000_000,
    )
    .unwrap();
    let meta = audit_meta(1, "CR-0001", "assessment-1", "sw-assessment-1-1", "tm-c1");
    let mut tx = doc.transaction();
    set_tag(&mut tx, Polarity::Development, "chronology", true).unwrap();
    set_tag(&mut tx, Polarity::Strength, "childs-voice", true).unwrap();
    set_tag(&mut tx, Polarity::Strength, "recording", true).unwrap();
    set_tag(&mut tx, Polarity::Strength, "recording", false).unwrap();
    tx.commit();
    assert!(has_tag(&doc, Polarity::Development, "chronology"));
    assert!(!has_tag(&doc, Polarity::Strength, "recording"));
    // Not completed: a draft, not yet counted.
    assert!(extract(&meta, &doc, &org).findings.is_empty());
    let mut a = crate::audit::read(&doc).unwrap();
    a.completed_at = Some(1_790_100_000);
    a.development = autosurgeon::Text::from("The chronology stops in 2024.");
    let mut tx = doc.transaction();
    autosurgeon::reconcile(&mut tx, &a).unwrap();
    tx.commit();
    let facts = extract(&meta, &doc, &org);
    assert_eq!(facts.findings.len(), 2);
    let area = facts
        .findings
        .iter()
        .find(|f| f.polarity == Polarity::Development)
        .unwrap();
    assert_eq!(area.theme, "chronology");
    assert_eq!(area.quote, "The chronology stops in 2024.");
    assert_eq!(area.service_area, self::area("ai"));
}

fn header(case: &str, team: &str, auditor: &str) -> crate::audit::document::Header {
    crate::audit::document::Header {
        case: case.parse().unwrap(),
        cohort: "CIN".parse().unwrap(),
        theme: "Planning".into(),
        team: team.parse().unwrap(),
        team_name: "Team".into(),
        practitioner: format!("sw-{team}-1").parse().unwrap(),
        practitioner_name: "Worker".into(),
        team_manager: "tm".parse().unwrap(),
        team_manager_name: "Manager".into(),
        auditor: auditor.parse().unwrap(),
        auditor_name: "Auditor".into(),
        head_of_service: Some("hos-ai".parse().unwrap()),
        head_of_service_name: "Head".into(),
        audit_kind: "themed".parse().unwrap(),
        allocated_on: "2026-11-02".parse().unwrap(),
        meeting_on: None,
        period_from: None,
        period_to: None,
        suggested_day: None,
        theme_notes: None,
    }
}

fn audit_meta(n: u32, case: &str, team: &str, practitioner: &str, auditor: &str) -> RecordMeta {
    RecordMeta {
        id: doc_id(n),
        created_by: pid("cpp-1"),
        created_at: 1_790_000_000,
        parties: Parties::Audit {
            case: cref(case),
            team: tid(team),
            practitioner: pid(practitioner),
            auditor: pid(auditor),
            moderators: Vec::new(),
            dispute_holders: Vec::new(),
        },
    }
}

#[test]
fn r_rep_8_facts_come_from_the_document_and_its_registration_and_nothing_else() {
    let org = council();
    let doc = new_audit(
        template::current(),
        &NewAudit {
            header: header("CR-0001", "assessment-1", "tm-c1"),
            cohort: Cohort::ChildInNeed,
            reaudit: None,
        },
        "cpp-1",
        1_790_000_000,
    )
    .unwrap();
    let meta = audit_meta(1, "CR-0001", "assessment-1", "sw-assessment-1-1", "tm-c1");
    let facts = extract(&meta, &doc, &org);
    assert_eq!(facts.audits.len(), 1);
    let a = &facts.audits[0];
    assert_eq!(a.auditor_role, Some(Role::TeamManager));
    assert_eq!(a.service_area, area("ai"));
    assert_eq!(a.allocated_on, day("2026-11-02"));
    assert_eq!(a.completed_on, None);
    // A registration of another kind reads nothing from the document.
    let mut wrong = meta.clone();
    wrong.parties = Parties::Report { owners: Vec::new() };
    assert!(extract(&wrong, &doc, &org).is_empty());
}

#[test]
fn r_rep_2_the_quarter_shows_each_month_and_the_owner_sections_still_missing() {
    let (org, s) = (council(), settings());
    let ctx = context(&org, &s);
    let facts = november();
    let quarter = ReportKind::Quarterly.period(ym("2026-11"), 4);
    assert_eq!(quarter.label(), "Oct–Dec 2026");
    let owners = vec![
        OwnerSectionState {
            id: "participation".into(),
            title: "Participation and advocacy".into(),
            owner: Role::ParticipationWorker,
            ready: true,
        },
        OwnerSectionState {
            id: "complaints".into(),
            title: "Complaints and compliments".into(),
            owner: Role::ComplaintsManager,
            ready: false,
        },
    ];
    let r = periodic(ReportKind::Quarterly, quarter, &facts, &ctx, &owners);
    let summary = r.table("summary-by-month").unwrap();
    assert_eq!(summary.rows.len(), 3);
    assert_eq!(
        cell(&r, "summary-by-month", "Oct 2026", "Audits completed"),
        "1"
    );
    assert_eq!(
        cell(&r, "summary-by-month", "Nov 2026", "Audits completed"),
        "4"
    );
    assert_eq!(
        cell(&r, "summary-by-month", "Nov 2026", "Good or better, share"),
        "75%"
    );
    assert_eq!(
        cell(&r, "owner-sections", "Complaints and compliments", "State"),
        "Missing"
    );
    assert!(
        r.section("owners").unwrap().findings[0]
            .contains("Still missing: Complaints and compliments")
    );
    assert!(r.section("drp").is_some());
    assert!(r.section("themes").is_none(), "proposals are 6-monthly");
}

#[test]
fn r_rep_2_an_owner_section_is_missing_until_written_and_marked_ready() {
    let period = ReportKind::Quarterly.period(ym("2026-11"), 4);
    let mut doc = new_report_document(ReportKind::Quarterly, period, "cpp-sm", 1).unwrap();
    let read = |d: &automerge::Automerge| document::read(d).unwrap();
    assert_eq!(missing_sections(&read(&doc)).len(), 5);
    let mut r = read(&doc);
    let s = r
        .sections
        .iter_mut()
        .find(|s| s.id == "complaints")
        .unwrap();
    s.ready_at = Some(5);
    let mut tx = doc.transaction();
    autosurgeon::reconcile(&mut tx, &r).unwrap();
    tx.commit();
    // Marked ready, but with nothing written: still missing.
    assert_eq!(missing_sections(&read(&doc)).len(), 5);
    let mut r = read(&doc);
    let s = r
        .sections
        .iter_mut()
        .find(|s| s.id == "complaints")
        .unwrap();
    s.key_themes = autosurgeon::Text::from("Fewer complaints about contact.");
    let mut tx = doc.transaction();
    autosurgeon::reconcile(&mut tx, &r).unwrap();
    tx.commit();
    let missing = missing_sections(&read(&doc));
    assert_eq!(missing.len(), 4);
    assert!(missing.iter().all(|m| m.id != "complaints"));
    assert_eq!(
        document::owner_roles(ReportKind::Monthly),
        Vec::<Role>::new()
    );
    assert!(document::owner_roles(ReportKind::HalfYearly).contains(&Role::PrincipalSocialWorker));
}

#[test]
fn r_rep_2_the_half_year_proposes_the_next_six_themes_from_the_areas_for_development() {
    let (org, s) = (council(), settings());
    let ctx = context(&org, &s);
    let half = ReportKind::HalfYearly.period(ym("2026-11"), 4);
    assert_eq!(half.label(), "Oct 2026–Mar 2027");
    let earlier = Period {
        first: ym("2026-03"),
        months: 6,
    };
    let proposals = propose_themes(earlier, &november(), &ctx);
    // March–August: only "recording" was an area for development.
    assert_eq!(proposals.len(), 6);
    assert!(proposals.iter().all(|p| p.theme == "recording"));
    let period = Period {
        first: ym("2026-06"),
        months: 6,
    };
    let proposals = propose_themes(period, &november(), &ctx);
    assert_eq!(proposals[0].month, ym("2026-12"));
    assert_eq!(proposals[0].label, "Chronology and history");
    assert_eq!(proposals[1].theme, "smart-planning");
    assert_eq!(proposals[2].theme, "chronology");
    let entry = proposals[0].entry(period);
    assert_eq!(entry.month, ym("2026-12"));
    assert_eq!(entry.theme, "Chronology and history");
    assert!(entry.notes.contains("4 findings"), "{}", entry.notes);
    let r = periodic(ReportKind::HalfYearly, period, &november(), &ctx, &[]);
    assert_eq!(r.table("proposed-themes").unwrap().rows.len(), 6);
}

#[test]
fn r_rep_3_a_briefing_is_drafted_from_the_reports_findings_and_top_areas_for_development() {
    let (org, s) = (council(), settings());
    let ctx = context(&org, &s);
    let facts = november();
    let r = monthly::monthly(ym("2026-11"), &facts, &ctx);
    let draft = briefing::draft(&r, &facts, &ctx);
    assert!(draft.title.contains("November 2026"), "{}", draft.title);
    assert!(
        draft.title.contains("Chronology and history"),
        "{}",
        draft.title
    );
    assert!(draft.what_we_found.contains("Good or Outstanding"));
    assert!(draft.what_we_found.contains("Moderators agreed"));
    assert!(
        draft
            .what_good_looks_like
            .contains(&s.practice_theme("chronology").unwrap().good_looks_like)
    );
    assert!(draft.why_it_matters.contains("3 findings"));
    assert!(draft.questions.contains('?'));
    // No case reference or quote reaches a briefing.
    for text in [
        &draft.what_we_found,
        &draft.why_it_matters,
        &draft.what_to_do_next,
    ] {
        assert!(!text.contains("CR-"), "{text}");
        assert!(!text.contains("Words of record"), "{text}");
    }
}

#[test]
fn r_rep_3_a_briefing_naming_a_case_cannot_be_shared() {
    let (org, s) = (council(), settings());
    let ctx = context(&org, &s);
    let facts = november();
    let r = monthly::monthly(ym("2026-11"), &facts, &ctx);
    let draft = briefing::draft(&r, &facts, &ctx);
    let doc = briefing::new_briefing(&r, &draft, "cpp-sm", 1).unwrap();
    let mut b = briefing::read(&doc).unwrap();
    assert_eq!(check_shareable(&b, &org), Ok(()));
    b.questions = autosurgeon::Text::from("What went wrong for cr-0003?");
    assert_eq!(
        check_shareable(&b, &org),
        Err(ShareError::NamesACase(cref("CR-0003")))
    );
    b.questions = autosurgeon::Text::from("");
    b.title = autosurgeon::Text::from("  ");
    assert_eq!(check_shareable(&b, &org), Err(ShareError::NoTitle));
}

fn observation(
    n: u32,
    kind: ObservationKind,
    observer: &str,
    subject: &str,
    on: &str,
) -> ObservationFact {
    ObservationFact {
        record: doc_id(n),
        kind,
        observer: pid(observer),
        subject: Some(pid(subject)),
        team: None,
        service_area: None,
        held_on: Some(day(on)),
        completed_on: Some(day(on)),
        meeting: None,
        ended: false,
    }
}

#[test]
fn r_rep_4_compliance_counts_observations_and_audits_from_the_records_and_shows_managers_their_own_lines()
 {
    let (org, s) = (council(), settings());
    let mut facts = november();
    facts.observations = vec![
        observation(
            200,
            ObservationKind::PracticeObservation,
            "tm-a1",
            "sw-assessment-1-1",
            "2026-06-10",
        ),
        // Ended without notes: does not count.
        ObservationFact {
            ended: true,
            ..observation(
                201,
                ObservationKind::PracticeObservation,
                "tm-a1",
                "sw-assessment-1-2",
                "2026-06-11",
            )
        },
        observation(
            202,
            ObservationKind::SupervisionObservation,
            "sm-ai",
            "tm-a1",
            "2026-07-01",
        ),
    ];
    let lines = compliance::compliance(
        &org,
        &s,
        ym("2026-11"),
        day("2026-12-04"),
        &facts,
        &pid("cpp-sm"),
    );
    let tm = lines.iter().find(|l| l.person == pid("tm-a1")).unwrap();
    let practice = tm
        .observations
        .iter()
        .find(|o| o.kind == ObservationKind::PracticeObservation)
        .unwrap();
    assert_eq!((practice.done, practice.required), (1, 2));
    assert_eq!(drill::records(&practice.drill, &facts), vec![doc_id(200)]);
    // tm-a1 audited nothing completed in November (audit 3 is open).
    assert_eq!(tm.audits[0].done, 0);
    assert_eq!(tm.audits[0].expected, 1);
    let tm2 = lines.iter().find(|l| l.person == pid("tm-c1")).unwrap();
    assert_eq!(tm2.audits[0].done, 1);
    assert_eq!(
        drill::records(&tm2.audits[0].drill, &facts),
        vec![doc_id(1)]
    );
    // A Service Manager sees their own line and their Team Managers', not
    // another area's.
    let sm_lines = compliance::compliance(
        &org,
        &s,
        ym("2026-11"),
        day("2026-12-04"),
        &facts,
        &pid("sm-ai"),
    );
    let people: Vec<&str> = sm_lines.iter().map(|l| l.person.as_str()).collect();
    assert!(people.contains(&"sm-ai"));
    assert!(people.contains(&"tm-a1"));
    assert!(!people.contains(&"tm-c1"), "{people:?}");
    assert!(may_see_line(&org, &pid("ad"), &pid("tm-c1")));
    assert!(!may_see_line(&org, &pid("tm-a1"), &pid("tm-a2")));
}

#[test]
fn r_rep_5_drp_alerts_are_counted_by_category_stage_team_and_outcome_with_time_to_resolve() {
    let (org, s) = (council(), settings());
    let ctx = context(&org, &s);
    let drp = |n: u32, category, stage, raised: &str, ended: Option<(&str, DrpOutcome)>| DrpFact {
        record: doc_id(n),
        case: cref("CR-0020"),
        team: tid("cic-1"),
        service_area: area("cic"),
        iro: pid("iro-1"),
        category: Some(category),
        stage,
        raised_on: day(raised),
        ended_on: ended.map(|e| day(e.0)),
        outcome: ended.map(|e| e.1),
    };
    let facts = Facts {
        drp_alerts: vec![
            drp(
                1,
                DrpCategory::FrontlinePractice,
                1,
                "2026-10-01",
                Some(("2026-10-11", DrpOutcome::Resolved)),
            ),
            drp(
                2,
                DrpCategory::FrontlinePractice,
                3,
                "2026-10-05",
                Some(("2026-11-04", DrpOutcome::Resolved)),
            ),
            drp(3, DrpCategory::ManagementResponse, 2, "2026-11-20", None),
            // Raised in the previous quarter.
            drp(4, DrpCategory::OrganisationalCulture, 1, "2026-09-20", None),
        ],
        ..Facts::default()
    };
    let quarter = ReportKind::Drp.period(ym("2026-11"), 4);
    let r = drp::drp_report(quarter, &facts, &ctx);
    assert_eq!(
        cell(&r, "drp-by-category", "Frontline practice", "Raised"),
        "2"
    );
    assert_eq!(
        cell(
            &r,
            "drp-by-category",
            "Frontline practice",
            "Median days to end"
        ),
        "10 days"
    );
    assert_eq!(
        cell(&r, "drp-by-category", "Management response", "Open"),
        "1"
    );
    assert_eq!(
        cell(&r, "drp-by-category", "Organisational culture", "Raised"),
        "0"
    );
    assert_eq!(
        cell(
            &r,
            "drp-by-stage",
            "Stage 3: escalated to the Head of Service",
            "Alerts"
        ),
        "1"
    );
    assert_eq!(cell(&r, "drp-by-outcome", "Resolved", "Alerts"), "2");
    assert_eq!(
        cell(&r, "drp-by-outcome", "Resolved", "Longest, days"),
        "30 days"
    );
    assert_eq!(cell(&r, "drp-by-outcome", "Still open", "Alerts"), "1");
    assert_eq!(cell(&r, "drp-by-team", "Children in Care 1", "Raised"), "3");
}

#[test]
fn r_rep_5_a_drp_alert_document_becomes_its_facts() {
    let org = council();
    let mut doc = crate::drp::new_drp_alert(
        &crate::drp::NewDrpAlert {
            case: "CR-0013".parse().unwrap(),
            cohort: "CiC".parse().unwrap(),
            team: ("cic-1".parse().unwrap(), "Children in Care 1".into()),
            iro: ("iro-2".parse().unwrap(), "Ivan Two".into()),
            raised_on: day("2026-11-01"),
            category: Some(DrpCategory::ManagementResponse),
        },
        "iro-2",
        1,
    )
    .unwrap();
    let meta = RecordMeta {
        id: doc_id(9),
        created_by: pid("iro-2"),
        created_at: 1,
        parties: Parties::Drp {
            case: cref("CR-0013"),
            team: tid("cic-1"),
            iro: pid("iro-2"),
        },
    };
    let d = crate::drp::read(&doc).unwrap();
    let mut tx = doc.transaction();
    crate::drp::document::escalate(&mut tx, &d, day("2026-11-10")).unwrap();
    tx.commit();
    let d = crate::drp::read(&doc).unwrap();
    let mut tx = doc.transaction();
    crate::drp::document::end(&mut tx, &d, DrpOutcome::Resolved, day("2026-11-15")).unwrap();
    tx.commit();
    let facts = extract(&meta, &doc, &org);
    assert_eq!(facts.drp_alerts.len(), 1);
    let f = &facts.drp_alerts[0];
    assert_eq!(f.stage, 2);
    assert_eq!(f.category, Some(DrpCategory::ManagementResponse));
    assert_eq!(f.ended_on, Some(day("2026-11-15")));
    assert_eq!(f.service_area, area("cic"));
}

#[test]
fn r_rep_6_every_table_of_every_report_has_a_summary_and_parses_back_from_csv() {
    let (org, s) = (council(), settings());
    let ctx = context(&org, &s);
    let facts = november();
    let quarter = ReportKind::Quarterly.period(ym("2026-11"), 4);
    for r in [
        monthly::monthly(ym("2026-11"), &facts, &ctx),
        periodic(ReportKind::HalfYearly, quarter, &facts, &ctx, &[]),
        drp::drp_report(quarter, &facts, &ctx),
    ] {
        for t in r.tables() {
            assert!(!t.summary.is_empty(), "{} has no summary", t.id);
            let csv = t.to_csv();
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
            assert_eq!(header, t.columns, "{}", t.id);
            let rows: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect();
            let expected: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| r.cells.iter().map(Cell::csv).collect())
                .collect();
            assert_eq!(rows, expected, "{}", t.id);
            if t.chart.is_some() && !t.rows.is_empty() {
                assert!(chart::layout(t).is_some(), "{} draws", t.id);
            }
        }
    }
}

#[test]
fn r_rep_8_drills_serialise_for_the_api() {
    let q = drill::AuditQuery::new(
        day("2026-11-01"),
        day("2026-11-30"),
        drill::AuditDate::Completed,
        day("2026-12-04"),
    );
    let json = serde_json::to_string(&Drill::Audits(q.clone())).unwrap();
    assert!(json.contains("\"of\":\"audits\""), "{json}");
    assert_eq!(
        serde_json::from_str::<Drill>(&json).unwrap(),
        Drill::Audits(q)
    );
}

/// A random edit to one of the documents of the property test.
#[derive(Debug, Clone)]
enum Edit {
    Grade(usize, usize),
    Complete(usize, i64),
    Tag(usize, bool, usize, bool),
    Action(usize, u8, bool),
    Observe(usize, i64),
    Moderate(usize, bool),
    /// Merge a fork edited elsewhere (another device) into the server copy.
    Concurrent(usize, usize),
}

fn edit_strategy(docs: usize) -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..docs, 0..4usize).prop_map(|(d, g)| Edit::Grade(d, g)),
        (0..docs, 0..60i64).prop_map(|(d, days)| Edit::Complete(d, days)),
        (0..docs, any::<bool>(), 0..8usize, any::<bool>())
            .prop_map(|(d, s, t, on)| Edit::Tag(d, s, t, on)),
        (0..docs, 0..3u8, any::<bool>()).prop_map(|(d, a, done)| Edit::Action(d, a, done)),
        (0..docs, 0..90i64).prop_map(|(d, days)| Edit::Observe(d, days)),
        (0..docs, any::<bool>()).prop_map(|(d, agree)| Edit::Moderate(d, agree)),
        (0..docs, 0..4usize).prop_map(|(d, g)| Edit::Concurrent(d, g)),
    ]
}

/// The records of the property test: audits, observations, moderations and
/// DRP alerts, with their registrations.
fn records() -> Vec<(RecordMeta, automerge::Automerge)> {
    let mut out = Vec::new();
    for (n, (case, team, practitioner, auditor)) in [
        ("CR-0001", "assessment-1", "sw-assessment-1-1", "tm-c1"),
        ("CR-0014", "cic-1", "sw-cic-1-1", "tm-a1"),
    ]
    .into_iter()
    .enumerate()
    {
        let doc = new_audit(
            template::current(),
            &NewAudit {
                header: header(case, team, auditor),
                cohort: Cohort::ChildInNeed,
                reaudit: None,
            },
            "cpp-1",
            1_790_000_000,
        )
        .unwrap();
        out.push((audit_meta(n as u32, case, team, practitioner, auditor), doc));
    }
    let obs = crate::observation::new_observation(
        crate::observation::template::current(),
        &crate::observation::document::NewObservation {
            kind: ObservationKind::PracticeObservation,
            observer: "tm-a1".parse().unwrap(),
            observer_name: "Manager".into(),
            subject: Some(("sw-assessment-1-1".parse().unwrap(), "Worker".into())),
            team: None,
            held_on: Some("2026-11-03".parse().unwrap()),
        },
        "tm-a1",
        1_790_000_000,
    )
    .unwrap();
    out.push((
        RecordMeta {
            id: doc_id(50),
            created_by: pid("tm-a1"),
            created_at: 1_790_000_000,
            parties: Parties::Observation {
                observation: ObservationKind::PracticeObservation,
                observer: pid("tm-a1"),
                subject: Some(pid("sw-assessment-1-1")),
                team: None,
            },
        },
        obs,
    ));
    let moderation = crate::moderation::document::new_moderation(
        &crate::moderation::document::NewModeration {
            audit: doc_id(0),
            case: "CR-0001".parse().unwrap(),
            auditor: ("tm-c1".parse().unwrap(), "Auditor".into()),
            moderator: ("cpp-1".parse().unwrap(), "Moderator".into()),
            audit_grade: Some(Grade::Good),
        },
        "cpp-1",
        1_790_000_000,
    )
    .unwrap();
    out.push((
        RecordMeta {
            id: doc_id(60),
            created_by: pid("cpp-1"),
            created_at: 1_790_000_000,
            parties: Parties::Moderation {
                audit: doc_id(0),
                auditor: pid("tm-c1"),
                moderator: pid("cpp-1"),
            },
        },
        moderation,
    ));
    out
}

fn apply(doc: &mut automerge::Automerge, edit: &Edit) {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};
    let themes = crate::settings::default_practice_themes();
    let base = 1_790_000_000i64;
    let mut tx = doc.transaction();
    match edit {
        Edit::Grade(_, g) => {
            if let Ok(Some((_, overall))) = tx.get(ROOT, "overall") {
                tx.put(&overall, "grade", Grade::ALL[*g].code()).unwrap();
            }
        }
        Edit::Complete(_, days) => {
            if tx.get(ROOT, "overall").ok().flatten().is_some() {
                tx.put(ROOT, "completed_at", base + days * 86_400).unwrap();
            }
        }
        Edit::Tag(_, strength, t, on) => {
            let polarity = if *strength {
                Polarity::Strength
            } else {
                Polarity::Development
            };
            set_tag(&mut tx, polarity, &themes[*t].code, *on).unwrap();
        }
        Edit::Action(_, a, done) => {
            if crate::document::kind_of(&tx) == Some(crate::document::DocKind::Audit) {
                let id = format!("action-{a}");
                let path = crate::audit::document::path::action(&id);
                if path.resolve(&tx).is_none() {
                    crate::audit::document::add_action(
                        &mut tx,
                        &id,
                        "sw-cic-1-1",
                        Some(day("2026-11-20")),
                    )
                    .unwrap();
                }
                crate::document::fields::set_scalar(
                    &mut tx,
                    &path,
                    "status",
                    Some((if *done { "done" } else { "open" }).into()),
                )
                .unwrap();
            }
        }
        Edit::Observe(_, days) => {
            if crate::document::kind_of(&tx) == Some(crate::document::DocKind::Observation) {
                tx.put(ROOT, "completed_at", base + days * 86_400).unwrap();
            }
        }
        Edit::Moderate(_, agree) => {
            if crate::document::kind_of(&tx) == Some(crate::document::DocKind::Moderation) {
                tx.put(ROOT, "agreement", if *agree { "agree" } else { "disagree" })
                    .unwrap();
                tx.put(ROOT, "moderated_grade", "inadequate").unwrap();
                tx.put(ROOT, "completed_at", base + 86_400).unwrap();
            }
        }
        Edit::Concurrent(..) => {}
    }
    tx.commit();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// R-REP-8: the projection kept up to date change by change (as the
    /// server does when each document changes, including changes merged
    /// from other devices) equals the projection rebuilt from the final
    /// documents alone.
    #[test]
    fn r_rep_8_the_projection_rebuilt_from_the_documents_equals_the_incremental_one(
        edits in proptest::collection::vec(edit_strategy(4), 1..40)
    ) {
        let org = council();
        let mut docs = records();
        let mut incremental: BTreeMap<DocumentId, Facts> = docs
            .iter()
            .map(|(m, d)| (m.id.clone(), extract(m, d, &org)))
            .collect();
        for edit in &edits {
            let (index, fork_grade) = match edit {
                Edit::Grade(d, _) | Edit::Complete(d, _) | Edit::Tag(d, ..) | Edit::Action(d, ..)
                | Edit::Observe(d, _) | Edit::Moderate(d, _) => (*d, None),
                Edit::Concurrent(d, g) => (*d, Some(*g)),
            };
            let (meta, doc) = &mut docs[index];
            match fork_grade {
                Some(g) => {
                    let mut other = doc.fork();
                    apply(&mut other, &Edit::Grade(index, g));
                    apply(&mut other, &Edit::Tag(index, false, g, true));
                    doc.merge(&mut other).unwrap();
                }
                None => apply(doc, edit),
            }
            incremental.insert(meta.id.clone(), extract(meta, doc, &org));
        }
        // Rebuild from the saved documents, as `qalf-server reindex` does.
        let rebuilt: BTreeMap<DocumentId, Facts> = docs
            .iter()
            .map(|(m, d)| {
                let loaded = automerge::Automerge::load(&d.save()).unwrap();
                (m.id.clone(), extract(m, &loaded, &org))
            })
            .collect();
        prop_assert_eq!(incremental, rebuilt);
    }
}

#[test]
fn the_projection_of_a_record_replaces_all_its_rows_and_only_its_rows() {
    let org = council();
    let docs = records();
    let mut all = Facts::default();
    for (m, d) in &docs {
        all.extend(extract(m, d, &org));
    }
    assert_eq!(all.audits.len(), 2);
    assert_eq!(all.observations.len(), 1);
    assert_eq!(all.moderations.len(), 1);
    assert!(
        all.audits
            .iter()
            .all(|a| a.allocated_on == day("2026-11-02"))
    );
}

#[test]
fn r_audit_9_the_compliance_view_shows_each_managers_missing_conversations() {
    let (org, s) = (council(), settings());
    let mut doc = new_audit(
        template::current(),
        &NewAudit {
            header: header("CR-0001", "assessment-1", "tm-c1"),
            cohort: Cohort::ChildInNeed,
            reaudit: None,
        },
        "cpp-1",
        1_790_000_000,
    )
    .unwrap();
    let meta = audit_meta(1, "CR-0001", "assessment-1", "sw-assessment-1-1", "tm-c1");
    let manager = org
        .person(&pid("sw-assessment-1-1"))
        .unwrap()
        .line_manager
        .clone()
        .unwrap();
    let sm = org.person(&manager).unwrap().line_manager.clone().unwrap();
    let mut edit = |change: &dyn Fn(&mut crate::audit::AuditDoc)| {
        let mut a = crate::audit::read(&doc).unwrap();
        change(&mut a);
        let mut tx = doc.transaction();
        autosurgeon::reconcile(&mut tx, &a).unwrap();
        tx.commit();
        extract(&meta, &doc, &org)
    };
    let line = |facts: &Facts, who: &crate::org::PersonId| {
        compliance::compliance(
            &org,
            &s,
            ym("2026-11"),
            day("2026-12-04"),
            facts,
            &pid("cpp-sm"),
        )
        .into_iter()
        .find(|l| &l.person == who)
        .unwrap()
    };
    // Completed on 20 November, no conversation yet: both managers owe one.
    let facts = edit(&|a| a.completed_at = Some(1_795_176_000));
    assert_eq!(
        facts.audits[0].responses_owed_by,
        vec![manager.clone(), sm.clone()]
    );
    for who in [&manager, &sm] {
        let l = line(&facts, who);
        assert_eq!(l.responses_missing, 1, "{who}");
        assert_eq!(drill::records(&l.responses_drill, &facts), vec![doc_id(1)]);
    }
    // The manager records theirs, with who held it: only the Service
    // Manager's is missing.
    let facts = edit(&|a| {
        a.responses.practitioner.held_on = Some("2026-11-25".parse().unwrap());
        a.responses.practitioner.held_by = Some(manager.clone());
    });
    assert_eq!(line(&facts, &manager).responses_missing, 0);
    assert_eq!(line(&facts, &sm).responses_missing, 1);
}
