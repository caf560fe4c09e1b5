//! R-LIVE-2: one person, team or service area edited by hand.

use chrono::NaiveDate;

use super::edit::*;
use super::plan_staff_import;
use crate::org::{Organisation, OrganisationParts, PersonId, Role, ServiceAreaId};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn pid(s: &str) -> PersonId {
    PersonId::parse(s).unwrap()
}

/// A Head of Service, a Team Manager and a practitioner, imported.
fn directory() -> Organisation {
    let file = "staff_id,name,work_email,roles,team,service_area,line_manager\n\
        E0900,Alex Morgan,alex.morgan@council.example,head-of-service,,Assessment,\n\
        E1001,Sam Okafor,sam.okafor@council.example,team-manager,Assessment 1,Assessment,E0900\n\
        E1002,Priya Shah,priya.shah@council.example,practitioner,Assessment 1,,E1001\n";
    let plan = plan_staff_import(
        file.as_bytes(),
        &Organisation::new(OrganisationParts::default()).unwrap(),
        day("2026-11-01"),
    );
    Organisation::new(plan.organisation.unwrap()).unwrap()
}

#[test]
fn r_live_2_a_person_is_changed_by_hand_and_the_change_is_described() {
    let org = directory();
    let mut edit = PersonEdit::of(org.person(&pid("E1002")).unwrap());
    edit.roles.push(Role::Iro);
    edit.email = "Priya.Shah2@council.example".into();
    let edited = edit_person(&org, &edit, day("2026-12-01")).unwrap();
    assert_eq!(
        edited.summary,
        "Priya Shah changed by hand: work e-mail, roles."
    );
    let after = Organisation::new(edited.organisation).unwrap();
    let priya = after.person(&pid("E1002")).unwrap();
    assert_eq!(priya.email.as_deref(), Some("priya.shah2@council.example"));
    assert_eq!(priya.roles, vec![Role::Practitioner, Role::Iro]);
    assert_eq!(
        priya.in_post_since,
        org.person(&pid("E1002")).unwrap().in_post_since,
        "same team and manager: no new time in post"
    );
}

#[test]
fn r_live_2_a_new_person_is_added_and_every_problem_is_named_by_field() {
    let org = directory();
    let team = org.person(&pid("E1001")).unwrap().team.clone();
    let new = PersonEdit {
        id: pid("E1003"),
        name: "Tom Reid".into(),
        email: "tom.reid@council.example".into(),
        job_title: String::new(),
        roles: vec![Role::Practitioner],
        team: team.clone(),
        service_area: None,
        line_manager: Some(pid("E1001")),
    };
    let added = edit_person(&org, &new, day("2026-12-01")).unwrap();
    assert_eq!(
        added.summary,
        "Tom Reid added to the staff directory by hand."
    );
    let after = Organisation::new(added.organisation).unwrap();
    let tom = after.person(&pid("E1003")).unwrap();
    assert_eq!(tom.job_title, "Practitioner");
    assert_eq!(
        tom.service_area,
        team.and_then(|t| org.team(&t).map(|t| t.service_area.clone()))
    );

    let wrong = PersonEdit {
        name: " ".into(),
        email: "sam.okafor@council.example".into(),
        roles: vec![],
        line_manager: Some(pid("E1003")),
        ..new
    };
    let fields: Vec<String> = edit_person(&org, &wrong, day("2026-12-01"))
        .unwrap_err()
        .into_iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(
        fields,
        [
            "person-name",
            "person-email",
            "person-roles",
            "person-line-manager"
        ]
    );
}

#[test]
fn r_live_2_line_management_cannot_loop() {
    let org = directory();
    let mut alex = PersonEdit::of(org.person(&pid("E0900")).unwrap());
    alex.line_manager = Some(pid("E1002"));
    let problems = edit_person(&org, &alex, day("2026-12-01")).unwrap_err();
    assert_eq!(problems[0].field, "person-line-manager");
}

#[test]
fn r_live_2_a_team_and_a_service_area_are_added_and_renamed_by_hand() {
    let org = directory();
    let area = edit_service_area(
        &org,
        &ServiceAreaEdit {
            id: None,
            name: "Children in Care".into(),
            head: None,
        },
    )
    .unwrap();
    assert_eq!(area.summary, "Service area Children in Care added by hand.");
    let org = Organisation::new(area.organisation).unwrap();
    let cic = ServiceAreaId::parse("children-in-care").unwrap();
    assert!(org.service_area(&cic).is_some());

    // The existing team moves to it; its members' service area follows.
    let team = org.person(&pid("E1001")).unwrap().team.clone().unwrap();
    let moved = edit_team(
        &org,
        &TeamEdit {
            id: Some(team.clone()),
            name: "Children in Care 1".into(),
            service_area: cic.clone(),
            manager: Some(pid("E1001")),
        },
    )
    .unwrap();
    let org = Organisation::new(moved.organisation).unwrap();
    assert_eq!(org.team(&team).unwrap().name, "Children in Care 1");
    assert_eq!(org.person(&pid("E1002")).unwrap().service_area, Some(cic));

    let taken = edit_team(
        &org,
        &TeamEdit {
            id: None,
            name: "children in care 1".into(),
            service_area: org.team(&team).unwrap().service_area.clone(),
            manager: None,
        },
    )
    .unwrap_err();
    assert_eq!(taken[0].field, "team-name");
}

#[test]
fn r_live_2_a_manager_who_moves_team_by_hand_no_longer_manages_the_old_one() {
    let org = directory();
    let old_team = org.person(&pid("E1001")).unwrap().team.clone().unwrap();
    let added = edit_team(
        &org,
        &TeamEdit {
            id: None,
            name: "Assessment 2".into(),
            service_area: org.team(&old_team).unwrap().service_area.clone(),
            manager: None,
        },
    )
    .unwrap();
    let org = Organisation::new(added.organisation).unwrap();
    let new_team = org
        .teams()
        .find(|t| t.name == "Assessment 2")
        .unwrap()
        .id
        .clone();
    let mut sam = PersonEdit::of(org.person(&pid("E1001")).unwrap());
    sam.team = Some(new_team);
    let moved = Organisation::new(
        edit_person(&org, &sam, day("2026-12-01"))
            .unwrap()
            .organisation,
    )
    .unwrap();
    assert_eq!(
        moved.team(&old_team).unwrap().manager,
        None,
        "access follows the team's manager"
    );

    // A Head of Service who stops being one no longer heads the area.
    let mut alex = PersonEdit::of(org.person(&pid("E0900")).unwrap());
    alex.roles = vec![Role::ServiceManager];
    let after = Organisation::new(
        edit_person(&org, &alex, day("2026-12-01"))
            .unwrap()
            .organisation,
    )
    .unwrap();
    assert!(after.service_areas().all(|a| a.head.is_none()));
}

#[test]
fn r_live_2_the_last_administrator_cannot_be_edited_away() {
    let mut parts = OrganisationParts::from(directory());
    parts.people[0].roles.push(Role::Administrator);
    let org = Organisation::new(parts).unwrap();
    let admin = org
        .people()
        .find(|p| p.has_role(Role::Administrator))
        .unwrap();
    let mut edit = PersonEdit::of(admin);
    edit.roles.retain(|r| *r != Role::Administrator);
    let problems = edit_person(&org, &edit, day("2026-12-01")).unwrap_err();
    assert_eq!(problems[0].field, "person-roles");
}
