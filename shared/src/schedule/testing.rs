//! Organisations for the schedule's tests: a small fixed council whose
//! people and teams the tests name, and random ones for property tests.

use chrono::NaiveDate;

use super::month::YearMonth;
use super::random::{Draw, Stream};
use crate::org::{
    Case, CaseRef, Cohort, Organisation, OrganisationParts, Person, PersonId, Role, ServiceArea,
    ServiceAreaId, Team, TeamId,
};

pub(crate) fn pid(s: &str) -> PersonId {
    PersonId::parse(s).unwrap()
}

pub(crate) fn tid(s: &str) -> TeamId {
    TeamId::parse(s).unwrap()
}

pub(crate) fn cref(s: &str) -> CaseRef {
    CaseRef::parse(s).unwrap()
}

pub(crate) fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

pub(crate) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A person, built through serde so fields added to `Person` later (with
/// defaults) need no change here.
pub(crate) fn person(
    id: &str,
    name: &str,
    roles: &[Role],
    team: Option<&str>,
    area: Option<&str>,
    manager: Option<&str>,
) -> Person {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "name": name,
        "job_title": roles.first().map(|r| r.label()).unwrap_or(""),
        "roles": roles,
        "team": team,
        "service_area": area,
        "line_manager": manager,
    }))
    .expect("a person")
}

pub(crate) fn case(
    reference: &str,
    cohort: Cohort,
    team: &str,
    practitioner: &str,
    chaired_by: Option<&str>,
) -> Case {
    Case {
        reference: cref(reference),
        cohort,
        team: tid(team),
        practitioner: pid(practitioner),
        chaired_by: chaired_by.map(pid),
        initials: None,
        age_band: None,
    }
}

fn area(id: &str, name: &str, head: &str) -> ServiceArea {
    ServiceArea {
        id: ServiceAreaId::parse(id).unwrap(),
        name: name.into(),
        head: Some(pid(head)),
    }
}

fn team(id: &str, name: &str, area: &str, manager: &str) -> Team {
    Team {
        id: tid(id),
        name: name.into(),
        service_area: ServiceAreaId::parse(area).unwrap(),
        manager: Some(pid(manager)),
    }
}

/// The teams of the fixed council that hold cases: (team, name, area,
/// manager, manager's role, manager's manager, cohorts).
type PracticeTeam = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Role,
    &'static str,
    &'static [Cohort],
);

const PRACTICE_TEAMS: [PracticeTeam; 9] = [
    (
        "assessment-1",
        "Assessment 1",
        "ai",
        "tm-a1",
        Role::TeamManager,
        "sm-ai",
        &[Cohort::ChildInNeed, Cohort::ChildProtection],
    ),
    (
        "assessment-2",
        "Assessment 2",
        "ai",
        "tm-a2",
        Role::TeamManager,
        "sm-ai",
        &[Cohort::ChildInNeed, Cohort::ChildProtection],
    ),
    (
        "cic-1",
        "Children in Care 1",
        "cic",
        "tm-c1",
        Role::TeamManager,
        "sm-cic",
        &[Cohort::ChildInCare],
    ),
    (
        "cic-2",
        "Children in Care 2",
        "cic",
        "tm-c2",
        Role::TeamManager,
        "sm-cic",
        &[Cohort::ChildInCare, Cohort::ChildrenWithDisabilities],
    ),
    (
        "oak",
        "Oak House",
        "res",
        "rm-oak",
        Role::ResidentialManager,
        "sm-res",
        &[Cohort::ChildInCare],
    ),
    (
        "willow",
        "Willow Lodge",
        "res",
        "rm-willow",
        Role::ResidentialManager,
        "sm-res",
        &[Cohort::ChildInCare],
    ),
    (
        "beech",
        "Beech Close",
        "res",
        "rm-beech",
        Role::ResidentialManager,
        "sm-res",
        &[Cohort::ChildInCare],
    ),
    (
        "fs-north",
        "Family Solutions North",
        "eh",
        "fsm-n",
        Role::FamilySolutionsManager,
        "sm-eh",
        &[Cohort::EarlyHelp],
    ),
    (
        "fs-south",
        "Family Solutions South",
        "eh",
        "fsm-s",
        Role::FamilySolutionsManager,
        "sm-eh",
        &[Cohort::EarlyHelp],
    ),
];

pub(crate) const IROS: [&str; 4] = ["iro-1", "iro-2", "iro-3", "iro-4"];

/// The fixed council's parts, with `cases_per_team` cases in each practice
/// team (references CR-0001…), CP and CiC cases chaired by the IROs in turn.
pub(crate) fn council_parts(cases_per_team: usize) -> OrganisationParts {
    use Role::*;
    let mut people = vec![
        person(
            "ceo",
            "Chief Executive",
            &[ChiefExecutive],
            None,
            None,
            None,
        ),
        person(
            "cabinet",
            "Cllr Cabinet",
            &[CabinetMember],
            None,
            None,
            None,
        ),
        person("dcs", "Dee Director", &[Director], None, None, Some("ceo")),
        person(
            "ad",
            "Ash Assistant",
            &[AssistantDirector],
            None,
            None,
            Some("dcs"),
        ),
        person(
            "hos-ai",
            "Hana Assess",
            &[HeadOfService],
            None,
            Some("ai"),
            Some("ad"),
        ),
        person(
            "hos-cic",
            "Hugh Care",
            &[HeadOfService],
            None,
            Some("cic"),
            Some("ad"),
        ),
        person(
            "hos-eh",
            "Holly Early",
            &[HeadOfService],
            None,
            Some("eh"),
            Some("ad"),
        ),
        person(
            "hos-sr",
            "Harry Review",
            &[HeadOfService],
            None,
            Some("sr"),
            Some("ad"),
        ),
        person(
            "sm-ai",
            "Sam Assess",
            &[ServiceManager],
            None,
            Some("ai"),
            Some("hos-ai"),
        ),
        person(
            "sm-cic",
            "Sara Care",
            &[ServiceManager],
            None,
            Some("cic"),
            Some("hos-cic"),
        ),
        person(
            "sm-res",
            "Sid Homes",
            &[ServiceManager],
            None,
            Some("res"),
            Some("hos-cic"),
        ),
        person(
            "sm-eh",
            "Suki Early",
            &[ServiceManager],
            None,
            Some("eh"),
            Some("hos-eh"),
        ),
        person(
            "iro-sm-a",
            "Ira Alpha",
            &[IroServiceManager],
            Some("iro-a"),
            Some("sr"),
            Some("hos-sr"),
        ),
        person(
            "iro-sm-b",
            "Ira Beta",
            &[IroServiceManager],
            Some("iro-b"),
            Some("sr"),
            Some("hos-sr"),
        ),
        person(
            "iro-1",
            "Ivy One",
            &[Iro],
            Some("iro-a"),
            Some("sr"),
            Some("iro-sm-a"),
        ),
        person(
            "iro-2",
            "Ivan Two",
            &[Iro],
            Some("iro-a"),
            Some("sr"),
            Some("iro-sm-a"),
        ),
        person(
            "iro-3",
            "Iris Three",
            &[Iro],
            Some("iro-b"),
            Some("sr"),
            Some("iro-sm-b"),
        ),
        person(
            "iro-4",
            "Igor Four",
            &[Iro],
            Some("iro-b"),
            Some("sr"),
            Some("iro-sm-b"),
        ),
        person(
            "cpp-sm",
            "Cara Lead",
            &[CppServiceManager],
            Some("cpp"),
            Some("sr"),
            Some("hos-sr"),
        ),
        person(
            "cpp-1",
            "Cody Practice",
            &[CppPractitioner],
            Some("cpp"),
            Some("sr"),
            Some("cpp-sm"),
        ),
        person(
            "cpp-2",
            "Cleo Practice",
            &[CppPractitioner],
            Some("cpp"),
            Some("sr"),
            Some("cpp-sm"),
        ),
    ];
    let mut teams = vec![
        team("iro-a", "IRO Team A", "sr", "iro-sm-a"),
        team("iro-b", "IRO Team B", "sr", "iro-sm-b"),
        team("cpp", "Centre for Professional Practice", "sr", "cpp-sm"),
    ];
    let mut cases = Vec::new();
    let mut n = 0;
    for (id, name, area_id, manager, role, managers_manager, cohorts) in PRACTICE_TEAMS {
        teams.push(team(id, name, area_id, manager));
        people.push(person(
            manager,
            &format!("{name} Manager"),
            &[role],
            Some(id),
            Some(area_id),
            Some(managers_manager),
        ));
        for w in 1..=2 {
            people.push(person(
                &format!("sw-{id}-{w}"),
                &format!("{name} Worker {w}"),
                &[Practitioner],
                Some(id),
                Some(area_id),
                Some(manager),
            ));
        }
        for i in 0..cases_per_team {
            n += 1;
            let cohort = cohorts[i % cohorts.len()];
            let chaired = matches!(cohort, Cohort::ChildProtection | Cohort::ChildInCare)
                .then(|| IROS[n % IROS.len()]);
            cases.push(case(
                &format!("CR-{n:04}"),
                cohort,
                id,
                &format!("sw-{id}-{}", i % 2 + 1),
                chaired,
            ));
        }
    }
    OrganisationParts {
        service_areas: vec![
            area("ai", "Assessment and Intervention", "hos-ai"),
            area("cic", "Children in Care", "hos-cic"),
            area("res", "Residential", "hos-cic"),
            area("eh", "Early Help", "hos-eh"),
            area("sr", "Safeguarding and Review", "hos-sr"),
        ],
        teams,
        people,
        cases,
    }
}

/// The fixed council with six cases in each practice team.
pub(crate) fn council() -> Organisation {
    Organisation::new(council_parts(6)).expect("the test council is consistent")
}

/// A random but consistent organisation: 1–3 service areas, each with a Head
/// of Service and 1–2 Service Managers running 1–3 teams (managed by Team
/// Managers, Family Solutions Managers or Residential Managers, some
/// managing two teams, some Service Managers running a team themselves),
/// 0–2 IRO Service Managers with IROs, a CPP, and up to `max_cases` cases.
pub(crate) fn random_org(seed: u64, max_cases: usize) -> Organisation {
    use Role::*;
    let mut r = Draw::new(seed, Stream::Selection);
    let mut people = vec![
        person(
            "ceo",
            "Chief Executive",
            &[ChiefExecutive],
            None,
            None,
            None,
        ),
        person(
            "cabinet",
            "Cabinet Member",
            &[CabinetMember],
            None,
            None,
            None,
        ),
        person("dcs", "Director", &[Director], None, None, Some("ceo")),
        person(
            "ad",
            "Assistant Director",
            &[AssistantDirector],
            None,
            None,
            Some("dcs"),
        ),
    ];
    let mut areas = Vec::new();
    let mut teams: Vec<Team> = Vec::new();
    let mut practice: Vec<(String, Vec<String>)> = Vec::new();
    for a in 0..1 + r.below(3) {
        let area_id = format!("area-{a}");
        let hos = format!("hos-{a}");
        people.push(person(
            &hos,
            &hos,
            &[HeadOfService],
            None,
            Some(&area_id),
            Some("ad"),
        ));
        areas.push(area(&area_id, &area_id, &hos));
        for s in 0..1 + r.below(2) {
            let sm = format!("sm-{a}-{s}");
            people.push(person(
                &sm,
                &sm,
                &[ServiceManager],
                None,
                Some(&area_id),
                Some(&hos),
            ));
            let mut previous: Option<String> = None;
            for t in 0..1 + r.below(3) {
                let team_id = format!("team-{a}-{s}-{t}");
                let manager = match r.below(6) {
                    0 => {
                        // The Service Manager runs this team directly.
                        let me = people.iter_mut().find(|p| p.id.as_str() == sm).unwrap();
                        if !me.roles.contains(&TeamManager) {
                            me.roles.push(TeamManager);
                        }
                        sm.clone()
                    }
                    1 if previous.is_some() => previous.clone().unwrap(),
                    k => {
                        let role = [
                            TeamManager,
                            TeamManager,
                            FamilySolutionsManager,
                            ResidentialManager,
                        ][k % 4];
                        let m = format!("m-{a}-{s}-{t}");
                        people.push(person(
                            &m,
                            &m,
                            &[role],
                            Some(&team_id),
                            Some(&area_id),
                            Some(&sm),
                        ));
                        m
                    }
                };
                previous = Some(manager.clone());
                teams.push(team(&team_id, &team_id, &area_id, &manager));
                let mut workers = Vec::new();
                for w in 0..1 + r.below(3) {
                    let id = format!("sw-{a}-{s}-{t}-{w}");
                    people.push(person(
                        &id,
                        &id,
                        &[Practitioner],
                        Some(&team_id),
                        Some(&area_id),
                        Some(&manager),
                    ));
                    workers.push(id);
                }
                practice.push((team_id, workers));
            }
        }
    }
    let mut iros = Vec::new();
    for i in 0..r.below(3) {
        let team_id = format!("iro-team-{i}");
        let ism = format!("iro-sm-{i}");
        people.push(person(
            &ism,
            &ism,
            &[IroServiceManager],
            Some(&team_id),
            Some("area-0"),
            Some("hos-0"),
        ));
        teams.push(team(&team_id, &team_id, "area-0", &ism));
        for j in 0..1 + r.below(4) {
            let id = format!("iro-{i}-{j}");
            people.push(person(
                &id,
                &id,
                &[Iro],
                Some(&team_id),
                Some("area-0"),
                Some(&ism),
            ));
            iros.push(id);
        }
    }
    people.push(person(
        "cpp-sm",
        "CPP Lead",
        &[CppServiceManager],
        None,
        Some("area-0"),
        Some("hos-0"),
    ));
    for c in 0..1 + r.below(2) {
        let id = format!("cpp-{c}");
        people.push(person(
            &id,
            &id,
            &[CppPractitioner],
            None,
            Some("area-0"),
            Some("cpp-sm"),
        ));
    }
    let mut cases = Vec::new();
    let count = if max_cases == 0 {
        0
    } else {
        r.below(max_cases + 1)
    };
    for n in 0..count {
        let (team_id, workers) = &practice[r.below(practice.len())];
        let worker = &workers[r.below(workers.len())];
        let cohort = Cohort::ALL[r.below(Cohort::ALL.len())];
        let chaired = (matches!(cohort, Cohort::ChildProtection | Cohort::ChildInCare)
            && !iros.is_empty()
            && r.below(10) > 0)
            .then(|| iros[r.below(iros.len())].as_str());
        cases.push(case(&format!("C-{n:05}"), cohort, team_id, worker, chaired));
    }
    Organisation::new(OrganisationParts {
        service_areas: areas,
        teams,
        people,
        cases,
    })
    .expect("a random organisation is consistent")
}
