//! R-LIVE-2: the staff directory import, planned over a directory made by
//! an earlier import.

use chrono::NaiveDate;

use super::*;
use crate::org::{Case, CaseRef, Cohort, Organisation, OrganisationParts, PersonId, Role};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn pid(s: &str) -> PersonId {
    PersonId::parse(s).unwrap()
}

const HEADER: &str =
    "staff_id,name,work_email,job_title,roles,team,service_area,line_manager,start_date,end_date\n";

/// A service with a Head of Service, a Team Manager and two practitioners.
fn first_file() -> String {
    format!(
        "{HEADER}\
         E0900,Alex Morgan,alex.morgan@council.example,Head of Service,head-of-service,,Assessment,,2015-09-01,\n\
         E1001,Sam Okafor,Sam.Okafor@Council.example,,Team Manager,Assessment 1,Assessment,E0900,2019-04-01,\n\
         E1002,Priya Shah,priya.shah@council.example,Social Worker,practitioner,Assessment 1,,E1001,01/09/2023,\n\
         E1003,Tom Reid,tom.reid@council.example,Social Worker,practitioner,Assessment 1,,E1001,2024-01-08,\n"
    )
}

fn imported(file: &str, org: &Organisation, today: &str) -> Organisation {
    let plan = plan_staff_import(file.as_bytes(), org, day(today));
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    Organisation::new(plan.organisation.expect("a plan without errors")).unwrap()
}

fn empty() -> Organisation {
    Organisation::new(OrganisationParts::default()).unwrap()
}

#[test]
fn r_live_2_a_first_file_makes_the_directory_with_teams_areas_and_managers() {
    let plan = plan_staff_import(first_file().as_bytes(), &empty(), day("2026-12-01"));
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(plan.joiners.len(), 4);
    assert_eq!(plan.new_teams, vec!["Assessment 1"]);
    assert_eq!(plan.new_service_areas, vec!["Assessment"]);
    let org = Organisation::new(plan.organisation.unwrap()).unwrap();
    let sam = org.person(&pid("E1001")).unwrap();
    assert_eq!(sam.email.as_deref(), Some("sam.okafor@council.example"));
    assert_eq!(sam.job_title, "Team Manager", "the first role's name");
    assert_eq!(
        sam.roles,
        vec![Role::TeamManager],
        "roles by name as well as code"
    );
    let team = org.team(sam.team.as_ref().unwrap()).unwrap();
    assert_eq!(team.manager.as_ref(), Some(&sam.id));
    let area = org.service_area(&team.service_area).unwrap();
    assert_eq!(area.head.as_ref(), Some(&pid("E0900")));
    let priya = org.person(&pid("E1002")).unwrap();
    assert_eq!(priya.started_on, Some(day("2023-09-01")), "UK dates read");
    assert_eq!(priya.service_area, team.service_area.clone().into());
    assert_eq!(priya.line_manager, Some(sam.id.clone()));
}

#[test]
fn r_live_2_the_preview_names_joiners_leavers_movers_and_role_changes() {
    let before = imported(&first_file(), &empty(), "2026-11-01");
    // A month later: Priya moves to a new team, Tom is not in the file,
    // Sam also chairs as an IRO, Jo joins, Alex's address changes.
    let next = format!(
        "{HEADER}\
         E0900,Alex Morgan,alex.morgan2@council.example,Head of Service,head-of-service,,Assessment,,2015-09-01,\n\
         E1001,Sam Okafor,sam.okafor@council.example,Team Manager,team-manager; iro,Assessment 1,Assessment,E0900,2019-04-01,\n\
         E1002,Priya Shah,priya.shah@council.example,Social Worker,practitioner,Assessment 2,Assessment,E1001,2023-09-01,\n\
         E1004,Jo Bell,jo.bell@council.example,Social Worker,practitioner,Assessment 1,,E1001,2026-12-01,\n"
    );
    let plan = plan_staff_import(next.as_bytes(), &before, day("2026-12-01"));
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let ids = |v: Vec<&PersonId>| {
        v.into_iter()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(plan.joiners.iter().map(|j| &j.person).collect()),
        ["E1004"]
    );
    assert_eq!(
        ids(plan.leavers.iter().map(|l| &l.person).collect()),
        ["E1003"]
    );
    assert_eq!(plan.leavers[0].line, None, "not in the file");
    assert_eq!(
        ids(plan.movers.iter().map(|m| &m.person).collect()),
        ["E1002"]
    );
    assert_eq!(plan.movers[0].from.as_deref(), Some("Assessment 1"));
    assert_eq!(plan.movers[0].to.as_deref(), Some("Assessment 2"));
    assert_eq!(plan.role_changes.len(), 1);
    assert_eq!(plan.role_changes[0].to, vec![Role::TeamManager, Role::Iro]);
    assert_eq!(plan.other_changes, 1, "Alex's address");
    assert_eq!(plan.new_teams, vec!["Assessment 2"]);
    assert!(plan.changes_anything());
    let after = Organisation::new(plan.organisation.unwrap()).unwrap();
    assert!(after.person(&pid("E1003")).is_none());
    assert_eq!(
        after.person(&pid("E1002")).unwrap().in_post_since,
        Some(day("2026-12-01")),
        "a move starts a new time in post"
    );
    assert_eq!(
        after.person(&pid("E1001")).unwrap().in_post_since,
        before.person(&pid("E1001")).unwrap().in_post_since,
        "no move, no new time in post"
    );

    // The same file again changes nothing.
    let again = plan_staff_import(next.as_bytes(), &after, day("2026-12-02"));
    assert!(!again.changes_anything(), "{again:?}");
    assert_eq!(again.unchanged, 4);
}

#[test]
fn r_live_2_every_bad_row_is_reported_with_its_line_and_nothing_applies() {
    let file = format!(
        "{HEADER}\
         E0900,Alex Morgan,alex.morgan@council.example,Head of Service,head-of-service,,Assessment,,2015-09-01,\n\
         E1001,Sam Okafor,not-an-address,Team Manager,team-manager,Assessment 1,Assessment,E0900,2019-04-01,\n\
         \n\
         E1002,Priya Shah,priya.shah@council.example,Social Worker,social worker,Assessment 1,,E1001,2023-09-01,\n\
         E1003,Tom Reid,tom.reid@council.example,Social Worker,practitioner,Assessment 1,,E1001,31/02/2024,\n"
    );
    let plan = plan_staff_import(file.as_bytes(), &empty(), day("2026-12-01"));
    let at: Vec<(u64, Option<StaffColumn>)> =
        plan.errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(
        at,
        vec![
            (3, Some(StaffColumn::WorkEmail)),
            (5, Some(StaffColumn::Roles)),
            (6, Some(StaffColumn::StartDate)),
        ],
        "{:?}",
        plan.errors
    );
    assert!(
        plan.errors[1]
            .message
            .contains("unknown role `social worker`")
    );
    assert_eq!(plan.rejected_rows(), 3);
    assert!(plan.organisation.is_none());
    assert!(plan.summary().contains("3 rows with errors"));
}

#[test]
fn r_live_2_a_missing_column_a_repeated_person_and_an_unknown_manager_are_errors() {
    let no_email = "staff_id,name,roles\nE1,Ann,practitioner\n";
    let plan = plan_staff_import(no_email.as_bytes(), &empty(), day("2026-12-01"));
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].column, Some(StaffColumn::WorkEmail));

    let file = format!(
        "{HEADER}\
         E1,Ann Lee,ann@council.example,,practitioner,,,E9,,\n\
         E1,Ann Again,ann2@council.example,,practitioner,,,,,\n\
         E2,Bo Ray,ANN@council.example,,practitioner,,,,,\n\
         E3,Cy Doe,cy@council.example,,practitioner,Nowhere,,,,\n"
    );
    let plan = plan_staff_import(file.as_bytes(), &empty(), day("2026-12-01"));
    let messages: Vec<String> = plan.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Line 3, staff_id") && m.contains("also on line 2")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("Line 4, work_email")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Line 2, line_manager") && m.contains("E9")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Line 5, service_area") && m.contains("new")),
        "{messages:?}"
    );
}

#[test]
fn r_live_2_an_end_date_that_has_passed_makes_a_leaver_and_one_to_come_does_not() {
    let before = imported(&first_file(), &empty(), "2026-11-01");
    let next = first_file()
        .replace("2023,", "2023,2026-11-30")
        .replace("2024-01-08,", "2024-01-08,2027-01-31");
    let plan = plan_staff_import(next.as_bytes(), &before, day("2026-12-01"));
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(plan.leavers.len(), 1);
    assert_eq!(plan.leavers[0].person, pid("E1002"));
    assert_eq!(plan.leavers[0].line, Some(4));
    assert_eq!(plan.leavers[0].left_on, Some(day("2026-11-30")));
}

#[test]
fn r_live_2_a_leaving_line_manager_must_be_replaced_first() {
    let before = imported(&first_file(), &empty(), "2026-11-01");
    let next = first_file().replace("2019-04-01,", "2019-04-01,2026-11-30");
    let plan = plan_staff_import(next.as_bytes(), &before, day("2026-12-01"));
    let lines: Vec<u64> = plan.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 5], "{:?}", plan.errors);
    assert!(plan.errors[0].message.contains("leaves (line 3)"));
}

#[test]
fn r_live_2_a_leavers_cases_wait_for_the_next_case_file_and_administrators_stay() {
    let mut parts = OrganisationParts::from(imported(&first_file(), &empty(), "2026-11-01"));
    parts.people.push(crate::org::Person {
        id: pid("administrator"),
        name: "Ira Admin".into(),
        job_title: "Administrator".into(),
        roles: vec![Role::Administrator],
        team: None,
        service_area: None,
        line_manager: None,
        started_on: None,
        in_post_since: None,
        email: None,
    });
    let team = parts.teams[0].id.clone();
    for (reference, practitioner, chair) in
        [("CR-1", "E1002", None), ("CR-2", "E1003", Some("E1003"))]
    {
        parts.cases.push(Case {
            reference: CaseRef::parse(reference).unwrap(),
            cohort: Cohort::ChildProtection,
            team: team.clone(),
            practitioner: pid(practitioner),
            chaired_by: chair.map(pid),
            initials: None,
            age_band: None,
        });
    }
    let before = Organisation::new(parts).unwrap();
    let without_tom: String = first_file()
        .lines()
        .filter(|l| !l.starts_with("E1003"))
        .map(|l| format!("{l}\n"))
        .collect();
    let plan = plan_staff_import(without_tom.as_bytes(), &before, day("2026-12-01"));
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(plan.cases_set_aside, vec![CaseRef::parse("CR-2").unwrap()]);
    assert_eq!(plan.administrators_kept, vec!["Ira Admin"]);
    let after = Organisation::new(plan.organisation.unwrap()).unwrap();
    assert!(after.person(&pid("administrator")).is_some());
    assert!(after.case(&CaseRef::parse("CR-1").unwrap()).is_some());
}

#[test]
fn r_live_2_the_downloadable_template_imports_cleanly() {
    let plan = plan_staff_import(template().as_bytes(), &empty(), day("2026-12-01"));
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(plan.joiners.len(), 3);
    for column in StaffColumn::ALL {
        assert!(template().starts_with("staff_id"));
        assert!(!column.meaning().is_empty());
    }
}

/// The directory of [`first_file`] with the administrator who set it up.
fn with_administrator(email: &str) -> Organisation {
    let mut parts = OrganisationParts::from(imported(&first_file(), &empty(), "2026-11-01"));
    parts.people.push(crate::org::Person {
        id: pid("administrator"),
        name: "Ira Admin".into(),
        job_title: "Administrator".into(),
        roles: vec![Role::Administrator],
        team: None,
        service_area: None,
        line_manager: None,
        started_on: None,
        in_post_since: None,
        email: Some(email.into()),
    });
    Organisation::new(parts).unwrap()
}

#[test]
fn r_live_2_someone_whose_last_day_is_today_is_still_on_the_staff() {
    let before = imported(&first_file(), &empty(), "2026-11-01");
    let next = first_file().replace("2024-01-08,", "2024-01-08,2026-12-01");
    let plan = plan_staff_import(next.as_bytes(), &before, day("2026-12-01"));
    assert!(plan.leavers.is_empty(), "{:?}", plan.leavers);
    let plan = plan_staff_import(next.as_bytes(), &before, day("2026-12-02"));
    assert_eq!(plan.leavers.len(), 1);
}

#[test]
fn r_live_2_an_address_is_one_persons_even_an_administrator_the_file_leaves_out() {
    let before = with_administrator("priya.shah@council.example");
    let plan = plan_staff_import(first_file().as_bytes(), &before, day("2026-12-01"));
    assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
    assert_eq!(plan.errors[0].line, 4);
    assert!(plan.errors[0].message.contains("Ira Admin"));
}

#[test]
fn r_live_2_a_file_cannot_leave_nobody_to_run_qalf() {
    let before = with_administrator("ira@council.example");
    // The administrator is in the file, without the administrator role.
    let file = format!(
        "{}administrator,Ira Admin,ira@council.example,,practitioner,,,,,\n",
        first_file()
    );
    let plan = plan_staff_import(file.as_bytes(), &before, day("2026-12-01"));
    assert!(
        plan.errors
            .iter()
            .any(|e| e.message.contains("nobody would be left to run QALF")),
        "{:?}",
        plan.errors
    );
}
