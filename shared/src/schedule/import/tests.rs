//! The cohort import: every bad row reported with its line; valid rows
//! merge into the case list without losing or duplicating a case.

use super::*;
use crate::org::OrganisationParts;
use crate::schedule::testing::{council, council_parts, cref};

const HEADER: &str = "case_reference,cohort,team,practitioner,initials,age_band\n";

fn errors_at(plan: &ImportPlan, line: u64) -> Vec<&ImportIssue> {
    plan.errors.iter().filter(|e| e.line == line).collect()
}

/// The organisation with its cases replaced.
fn with_cases(cases: Vec<Case>) -> Organisation {
    let mut parts: OrganisationParts = council().into();
    parts.cases = cases;
    Organisation::new(parts).unwrap()
}

#[test]
fn import_valid_rows_become_new_cases() {
    let org = council();
    let csv = format!(
        "{HEADER}\
         NEW-1,CP,assessment-1,sw-assessment-1-1,A.B.,5-9\n\
         NEW-2,cic,cic-1,sw-cic-1-2,,\n\
         NEW-3,EH,fs-north,sw-fs-north-1,zk,18+\n"
    );
    let plan = plan_import(csv.as_bytes(), &org);
    assert!(!plan.has_errors(), "{:#?}", plan.errors);
    assert_eq!(plan.data_rows, 3);
    assert_eq!(plan.new, [cref("NEW-1"), cref("NEW-2"), cref("NEW-3")]);
    let first = &plan.rows[0];
    assert_eq!(first.line, 2);
    assert_eq!(first.case.cohort, Cohort::ChildProtection);
    assert_eq!(first.case.initials.as_deref(), Some("AB"));
    assert_eq!(first.case.age_band, Some(AgeBand::FiveToNine));
    assert_eq!(plan.rows[1].case.cohort, Cohort::ChildInCare);
    assert_eq!(plan.rows[2].case.initials.as_deref(), Some("ZK"));
    let existing: Vec<Case> = org.cases().cloned().collect();
    let merged = apply(&plan, &existing);
    assert_eq!(merged.len(), existing.len() + 3);
    // The merged list builds a consistent organisation.
    let _ = with_cases(merged);
    assert!(
        plan.summary()
            .starts_with("3 rows: 3 new, 0 updated, 0 unchanged"),
        "{}",
        plan.summary()
    );
}

#[test]
fn import_reports_every_bad_row_with_its_line_number() {
    let org = council();
    let mut csv = format!(
        "{HEADER}\
         NEW-1,CP,assessment-1,sw-assessment-1-1,AB,5-9\n\
         BAD REF,CP,assessment-1,sw-assessment-1-1,,\n\
         NEW-2,XYZ,assessment-1,sw-assessment-1-1,,\n\
         NEW-3,CIN,no-such-team,sw-assessment-1-1,,\n\
         NEW-4,CIN,assessment-1,nobody,,\n\
         NEW-5,CIN,assessment-1,sw-cic-1-1,,\n\
         NEW-6,CIN,assessment-1,sw-assessment-1-2,,12-14\n\
         NEW-1,CIN,assessment-1,sw-assessment-1-2,,\n\
         NEW-7,CIN,assessment-1\n\
         NEW-8,CIN,assessment-1,sw-assessment-1-1,Alexandra,\n\
         NEW-9,,assessment-1,sw-assessment-1-1,,\n"
    )
    .into_bytes();
    csv.extend_from_slice(b"NEW-10,CIN,assessment-1,sw-assessment-1-1,\xe9\xe9,\n");
    csv.extend_from_slice(b"\nNEW-11,EH,fs-south,sw-fs-south-2,,0-4\n");
    let plan = plan_import(&csv, &org);

    let expect = [
        (3, Some(Column::CaseReference), "`BAD REF`"),
        (4, Some(Column::Cohort), "unknown cohort `XYZ`"),
        (5, Some(Column::Team), "unknown team `no-such-team`"),
        (
            6,
            Some(Column::Practitioner),
            "unknown practitioner `nobody`",
        ),
        (7, Some(Column::Practitioner), "is not in team Assessment 1"),
        (8, Some(Column::AgeBand), "unknown age band `12-14`"),
        (
            9,
            Some(Column::CaseReference),
            "appears again (first on line 2)",
        ),
        (10, None, "expected 6 fields as in the header, found 3"),
        (11, Some(Column::Initials), "up to 4 letters"),
        (12, Some(Column::Cohort), "missing"),
        (13, Some(Column::Initials), "not valid UTF-8"),
    ];
    for (line, column, text) in expect {
        let at = errors_at(&plan, line);
        assert_eq!(at.len(), 1, "line {line}: {at:#?}");
        assert_eq!(at[0].column, column, "line {line}");
        assert!(
            at[0].message.contains(text),
            "line {line}: {}",
            at[0].message
        );
    }
    assert_eq!(plan.errors.len(), expect.len());
    assert_eq!(plan.rejected_rows(), expect.len());
    // The good rows still import, the blank line notwithstanding.
    assert_eq!(plan.new, [cref("NEW-1"), cref("NEW-11")]);
    assert_eq!(plan.rows[1].line, 15);
    assert_eq!(plan.data_rows, 13);
    assert!(
        plan.errors[6]
            .to_string()
            .starts_with("Line 9, case_reference: case NEW-1 appears again"),
        "{}",
        plan.errors[6]
    );
    assert!(
        plan.summary().contains("11 with errors"),
        "{}",
        plan.summary()
    );
}

#[test]
fn import_a_row_with_several_problems_reports_each() {
    let org = council();
    let csv = format!("{HEADER}NEW-1,XYZ,nowhere,nobody,Alexandra,99\n");
    let plan = plan_import(csv.as_bytes(), &org);
    let columns: Vec<Option<Column>> = plan.errors.iter().map(|e| e.column).collect();
    assert_eq!(
        columns,
        [
            Some(Column::Cohort),
            Some(Column::Team),
            Some(Column::Practitioner),
            Some(Column::Initials),
            Some(Column::AgeBand)
        ]
    );
    assert!(plan.errors.iter().all(|e| e.line == 2));
    assert!(plan.rows.is_empty());
}

#[test]
fn import_re_importing_the_same_file_changes_nothing() {
    let org = council();
    let csv = format!(
        "{HEADER}\
         NEW-1,CP,assessment-1,sw-assessment-1-1,AB,5-9\n\
         CR-0001,CIN,assessment-1,sw-assessment-1-2,,\n"
    );
    let existing: Vec<Case> = org.cases().cloned().collect();
    let first = plan_import(csv.as_bytes(), &org);
    assert!(!first.has_errors(), "{:#?}", first.errors);
    let once = apply(&first, &existing);
    let org = with_cases(once.clone());
    let again = plan_import(csv.as_bytes(), &org);
    assert!(
        again.new.is_empty() && again.updated.is_empty(),
        "{again:#?}"
    );
    assert_eq!(again.unchanged, [cref("NEW-1"), cref("CR-0001")]);
    assert_eq!(apply(&again, &once), once);
    assert!(
        again.summary().contains("0 new, 0 updated, 2 unchanged"),
        "{}",
        again.summary()
    );
}

#[test]
fn import_existing_cases_missing_from_the_file_are_kept() {
    let org = council();
    let existing: Vec<Case> = org.cases().cloned().collect();
    let old = org.case(&cref("CR-0001")).unwrap().clone();
    assert_eq!(old.team.as_str(), "assessment-1");
    let csv = format!(
        "{HEADER}\
         CR-0001,CP,assessment-2,sw-assessment-2-1,,\n\
         NEW-1,CIN,assessment-2,sw-assessment-2-1,,\n"
    );
    let plan = plan_import(csv.as_bytes(), &org);
    assert_eq!(plan.new, [cref("NEW-1")]);
    assert_eq!(plan.updated.len(), 1);
    let update = &plan.updated[0];
    assert_eq!(update.reference, cref("CR-0001"));
    assert!(update.changes.contains(&FieldChange {
        column: Column::Team,
        from: "assessment-1".into(),
        to: "assessment-2".into(),
    }));
    assert_eq!(plan.kept.len(), existing.len() - 1);
    let merged = apply(&plan, &existing);
    assert_eq!(merged.len(), existing.len() + 1);
    let refs: BTreeSet<&CaseRef> = merged.iter().map(|c| &c.reference).collect();
    assert_eq!(refs.len(), merged.len(), "a reference is never duplicated");
    for case in &existing {
        assert!(
            refs.contains(&case.reference),
            "{} was lost",
            case.reference
        );
    }
    let updated = merged
        .iter()
        .find(|c| c.reference == old.reference)
        .unwrap();
    assert_eq!(updated.team.as_str(), "assessment-2");
    assert_eq!(
        updated.chaired_by, old.chaired_by,
        "the IRO is not in the file: kept"
    );
    assert!(
        plan.summary()
            .contains("existing cases not in the file are kept")
    );
}

#[test]
fn import_columns_may_come_in_any_order_and_optional_columns_may_be_missing() {
    let org = council();
    let existing: Vec<Case> = org
        .cases()
        .cloned()
        .map(|mut c| {
            c.initials = Some("QQ".into());
            c
        })
        .collect();
    let org = with_cases(existing.clone());
    let reference = existing[0].reference.clone();
    let team = existing[0].team.clone();
    let practitioner = existing[0].practitioner.clone();
    let cohort = existing[0].cohort.label().to_uppercase();
    // A byte order mark, headers as a spreadsheet writes them, a column QALF
    // does not keep, and no initials or age band column.
    let csv = format!(
        "\u{feff}Practitioner,Team,Child Name,Case Reference,Cohort\n\
         {practitioner},{team},Jo Bloggs,{reference},{cohort}\n"
    );
    let plan = plan_import(csv.as_bytes(), &org);
    assert!(!plan.has_errors(), "{:#?}", plan.errors);
    assert_eq!(
        plan.unchanged,
        std::slice::from_ref(&reference),
        "initials kept: {plan:#?}"
    );
    assert_eq!(plan.warnings.len(), 1);
    assert!(
        plan.warnings[0].message.contains("`Child Name` is ignored"),
        "{}",
        plan.warnings[0]
    );
    let merged = apply(&plan, &existing);
    assert_eq!(merged, existing);
    assert!(
        !format!("{merged:?}").contains("Bloggs"),
        "data minimisation"
    );
}

#[test]
fn import_a_missing_header_or_required_column_is_reported() {
    let org = council();
    let plan = plan_import(b"", &org);
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].line, 1);
    assert!(plan.errors[0].message.contains("the file is empty"));

    let plan = plan_import(b"CR-0001,CP,assessment-1,sw-assessment-1-1\n", &org);
    assert_eq!(plan.errors.len(), 1);
    assert!(
        plan.errors[0].message.starts_with("no header row"),
        "{}",
        plan.errors[0]
    );
    assert!(plan.rows.is_empty());

    let plan = plan_import(
        b"case_reference,cohort,practitioner\nCR-0001,CP,sw-1\n",
        &org,
    );
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].column, Some(Column::Team));
    assert!(plan.errors[0].message.contains("no `team` column"));
    assert_eq!(plan.data_rows, 0, "rows are not read without the columns");

    let plan = plan_import(b"case_reference,cohort,team,team,practitioner\n", &org);
    assert!(plan.errors[0].message.contains("twice"));

    let plan = plan_import(b"case_reference,cohort,te\xffam,practitioner\n", &org);
    assert!(
        plan.errors
            .iter()
            .any(|e| e.message.contains("not valid UTF-8"))
    );
}

#[test]
fn import_a_quoted_value_spanning_lines_keeps_line_numbers_right() {
    let org = council();
    let csv = "case_reference,cohort,team,practitioner,notes\n\
               NEW-1,CP,assessment-1,sw-assessment-1-1,\"two\nlines\"\n\
               NEW-2,CP,nowhere,sw-assessment-1-1,\n";
    let plan = plan_import(csv.as_bytes(), &org);
    assert_eq!(plan.new, [cref("NEW-1")]);
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].line, 4);
}

#[test]
fn import_chaired_by_names_an_iro() {
    let org = council();
    let csv = "case_reference,cohort,team,practitioner,chaired_by\n\
               NEW-1,CP,assessment-1,sw-assessment-1-1,iro-2\n\
               NEW-2,CP,assessment-1,sw-assessment-1-1,tm-a1\n\
               NEW-3,CIN,assessment-1,sw-assessment-1-1,\n";
    let plan = plan_import(csv.as_bytes(), &org);
    assert_eq!(
        plan.rows[0].case.chaired_by.as_ref().unwrap().as_str(),
        "iro-2"
    );
    assert_eq!(errors_at(&plan, 3)[0].column, Some(Column::ChairedBy));
    assert!(errors_at(&plan, 3)[0].message.contains("is not an IRO"));
    assert_eq!(plan.rows[1].case.chaired_by, None);
}

#[test]
fn import_twenty_thousand_rows_with_progress() {
    // Every reference, team and practitioner is looked up in ordered maps:
    // no quadratic pass (timings are printed by benchmarks, never asserted).
    let org = Organisation::new(council_parts(40)).unwrap();
    let mut csv = String::from(HEADER);
    let teams = ["assessment-1", "cic-2", "oak", "fs-south"];
    for i in 0..20_000 {
        let team = teams[i % teams.len()];
        csv.push_str(&format!(
            "BIG-{i:05},CIN,{team},sw-{team}-{},,10-15\n",
            i % 2 + 1
        ));
    }
    let mut calls = Vec::new();
    let plan = plan_import_with_progress(csv.as_bytes(), &org, 5_000, |p| calls.push(p));
    assert!(!plan.has_errors(), "{:?}", plan.errors.first());
    assert_eq!(plan.new.len(), 20_000);
    assert_eq!(plan.kept.len(), org.cases().count());
    assert_eq!(
        calls.iter().map(|p| p.rows).collect::<Vec<_>>(),
        [5_000, 10_000, 15_000, 20_000]
    );
    assert!(calls.windows(2).all(|w| w[0].bytes < w[1].bytes));
    assert!(calls.iter().all(|p| p.total_bytes == csv.len() as u64));
    let existing: Vec<Case> = org.cases().cloned().collect();
    let merged = apply(&plan, &existing);
    assert_eq!(merged.len(), existing.len() + 20_000);
    let org = with_cases_of(org, merged);
    let again = plan_import(csv.as_bytes(), &org);
    assert_eq!(again.unchanged.len(), 20_000);
}

fn with_cases_of(org: Organisation, cases: Vec<Case>) -> Organisation {
    let mut parts: OrganisationParts = org.into();
    parts.cases = cases;
    Organisation::new(parts).unwrap()
}

#[test]
fn import_line_numbers_hold_with_windows_line_ends_and_blank_lines() {
    let org = council();
    let csv = "case_reference,cohort,team,practitioner\r\n\
               \r\n\
               NEW-1,XYZ,assessment-1,sw-assessment-1-1\r\n\
               \r\n\
               \r\n\
               NEW-2,CP,nowhere,sw-assessment-1-1\r\n";
    let plan = plan_import(csv.as_bytes(), &org);
    let lines: Vec<u64> = plan.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 6]);
    assert_eq!(plan.data_rows, 2);
}

#[test]
fn import_planned_a_step_at_a_time_equals_planned_at_once() {
    // A screen plans in steps so its progress bar can move between them.
    let org = Organisation::new(council_parts(40)).unwrap();
    let mut csv = String::from(HEADER);
    let teams = ["assessment-1", "cic-2", "oak", "fs-south"];
    for i in 0..2_500 {
        let team = teams[i % teams.len()];
        let cohort = if i % 97 == 0 { "XX" } else { "CP" };
        csv.push_str(&format!(
            "STEP-{i:05},{cohort},{team},sw-{team}-{},,5-9\n\n",
            i % 2 + 1
        ));
    }
    let mut planner = ImportPlanner::new(csv.as_bytes(), &org);
    let mut seen = Vec::new();
    while planner.step(1_000) {
        seen.push(planner.progress().rows);
    }
    assert_eq!(seen, [1_000, 2_000]);
    assert_eq!(planner.progress().bytes, csv.len() as u64);
    let stepped = planner.finish();
    assert_eq!(stepped, plan_import(csv.as_bytes(), &org));
    assert_eq!(stepped.rejected_rows(), 26);
    // Blank lines count in line numbers: row i is on line 2 + 2i.
    assert_eq!(stepped.errors[1].line, 2 + 2 * 97);
}
