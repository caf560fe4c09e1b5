//! Builds the demo organisation from a seed: the same seed, the same council.

use std::collections::BTreeSet;

use qalf_shared::org::{
    AgeBand, Case, CaseRef, Cohort, Organisation, OrganisationParts, Person, PersonId, Role,
    ServiceArea, ServiceAreaId, Team, TeamId,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const FIRST_NAMES: &[&str] = &[
    "Amelia", "Oliver", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Grace", "Leo", "Freya",
    "Oscar", "Ruby", "Arthur", "Evie", "Theo", "Poppy", "Henry", "Ella", "Alfie", "Sophie",
    "Jacob", "Lily", "Charlie", "Rosie", "Thomas", "Florence", "George", "Millie", "James",
    "Aisha", "Mohammed", "Priya", "Arjun", "Zara", "Yusuf", "Chloe", "Daniel", "Hannah", "Samuel",
    "Megan", "Joseph", "Erin", "Lewis", "Holly", "Ryan", "Bethany", "Callum", "Niamh", "Kieran",
];

const SURNAMES: &[&str] = &[
    "Hughes",
    "Patel",
    "Walker",
    "Khan",
    "Roberts",
    "Evans",
    "Wright",
    "Thompson",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Jackson",
    "Turner",
    "Hill",
    "Cooper",
    "Ward",
    "Morris",
    "Baker",
    "Harris",
    "Lewis",
    "Price",
    "Bennett",
    "Griffiths",
    "Kaur",
    "Begum",
    "Ali",
    "Shaw",
    "Mason",
    "Fletcher",
    "Parry",
    "Lloyd",
    "Edwards",
    "Chapman",
    "Foster",
    "Bailey",
    "Reid",
    "Marshall",
    "Owen",
    "Holmes",
    "Webb",
    "Lawrence",
    "Barnes",
    "Moss",
    "Cross",
    "Pearce",
    "Doyle",
    "Booth",
];

struct Builder {
    rng: ChaCha8Rng,
    names: BTreeSet<String>,
    parts: OrganisationParts,
}

fn id<T: std::str::FromStr>(s: String) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("generated ids are valid")
}

impl Builder {
    fn unique_name(&mut self) -> String {
        loop {
            let first = FIRST_NAMES.choose(&mut self.rng).expect("names");
            let last = SURNAMES.choose(&mut self.rng).expect("names");
            let name = format!("{first} {last}");
            if self.names.insert(name.clone()) {
                return name;
            }
        }
    }

    fn area(&mut self, code: &str, name: &str, head: &PersonId) -> ServiceAreaId {
        let area_id: ServiceAreaId = id(format!("sa-{code}"));
        self.parts.service_areas.push(ServiceArea {
            id: area_id.clone(),
            name: name.to_string(),
            head: Some(head.clone()),
        });
        area_id
    }

    fn team(&mut self, code: &str, name: &str, area: &ServiceAreaId) -> TeamId {
        let team_id: TeamId = id(format!("t-{code}"));
        self.parts.teams.push(Team {
            id: team_id.clone(),
            name: name.to_string(),
            service_area: area.clone(),
            manager: None,
        });
        team_id
    }

    fn set_team_manager(&mut self, team: &TeamId, manager: &PersonId) {
        if let Some(t) = self.parts.teams.iter_mut().find(|t| &t.id == team) {
            t.manager = Some(manager.clone());
        }
    }

    fn person(
        &mut self,
        job_title: &str,
        roles: &[Role],
        team: Option<&TeamId>,
        area: Option<&ServiceAreaId>,
        manager: Option<&PersonId>,
    ) -> PersonId {
        let person_id: PersonId = id(format!("p-{:03}", self.parts.people.len() + 1));
        let name = self.unique_name();
        // Synthetic addresses on a reserved domain (RFC 2606): mail to them
        // goes nowhere real.
        let email = format!(
            "{}@qalf.example",
            name.to_lowercase().replace(' ', ".").replace('\'', "")
        );
        self.parts.people.push(Person {
            id: person_id.clone(),
            name,
            job_title: job_title.to_string(),
            roles: roles.to_vec(),
            team: team.cloned(),
            service_area: area.cloned(),
            line_manager: manager.cloned(),
            started_on: None,
            in_post_since: None,
            email: Some(email),
        });
        person_id
    }

    /// A team with its manager and `size` members.
    fn staffed_team(
        &mut self,
        code: &str,
        name: &str,
        area: &ServiceAreaId,
        manager_of_manager: &PersonId,
        manager: (&str, Role),
        members: (&str, Role, usize),
    ) -> TeamId {
        let team = self.team(code, name, area);
        let tm = self.person(
            &format!("{}, {name}", manager.0),
            &[manager.1],
            Some(&team),
            Some(area),
            Some(manager_of_manager),
        );
        self.set_team_manager(&team, &tm);
        for _ in 0..members.2 {
            self.person(members.0, &[members.1], Some(&team), Some(area), Some(&tm));
        }
        team
    }

    /// Start dates: most staff have years of service; every tenth
    /// practitioner is a recent starter and every seventh joined their team
    /// this year, so the observation quotas show their edge cases.
    fn history(&mut self) {
        let base = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date");
        let mut practitioner = 0;
        for person in &mut self.parts.people {
            let years = self.rng.random_range(2..20);
            person.started_on = Some(base - chrono::Duration::days(365 * years));
            if person.has_role(Role::Practitioner) {
                practitioner += 1;
                if practitioner % 10 == 0 {
                    person.started_on = Some(base - chrono::Duration::days(20));
                } else if practitioner % 7 == 0 {
                    person.in_post_since = Some(base - chrono::Duration::days(140));
                }
            }
        }
    }

    fn members_of(&self, team: &TeamId, role: Role) -> Vec<PersonId> {
        self.parts
            .people
            .iter()
            .filter(|p| p.team.as_ref() == Some(team) && p.has_role(role))
            .map(|p| p.id.clone())
            .collect()
    }

    fn cases(&mut self, cohort: Cohort, count: usize, teams: &[TeamId], iros: &[PersonId]) {
        for _ in 0..count {
            let team = teams.choose(&mut self.rng).expect("teams").clone();
            let practitioners = self.members_of(&team, Role::Practitioner);
            let practitioner = practitioners
                .choose(&mut self.rng)
                .expect("practitioners")
                .clone();
            let chaired_by = matches!(cohort, Cohort::ChildProtection | Cohort::ChildInCare)
                .then(|| iros.choose(&mut self.rng).expect("iros").clone());
            let reference = loop {
                let candidate = format!("CR-{:06}", self.rng.random_range(100_000..1_000_000));
                if !self
                    .parts
                    .cases
                    .iter()
                    .any(|c| c.reference.as_str() == candidate)
                {
                    break candidate;
                }
            };
            let initials: String = (0..2)
                .map(|_| char::from(b'A' + self.rng.random_range(0..26u8)))
                .collect();
            let age_band = *AgeBand::ALL[..4].choose(&mut self.rng).expect("bands");
            self.parts.cases.push(Case {
                reference: id::<CaseRef>(reference),
                cohort,
                team,
                practitioner,
                chaired_by,
                initials: Some(initials),
                age_band: Some(age_band),
            });
        }
    }
}

/// The demo council: six service areas under five Heads of Service, about 100
/// staff with line managers, and 500 cases over the five cohorts.
pub fn organisation(seed: u64) -> Organisation {
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(seed),
        names: BTreeSet::new(),
        parts: OrganisationParts::default(),
    };
    use Role::{
        Administrator, AssistantDirector, CabinetMember, ChiefExecutive, ComplaintsManager,
        CppPractitioner, CppServiceManager, Director, FamilySolutionsManager, HeadOfService,
        HeadOfServiceSpqa, Iro, IroServiceManager, ParticipationWorker, Practitioner,
        PrincipalSocialWorker, ResidentialManager, ServiceManager, TeamManager,
    };

    let ceo = b.person("Chief Executive", &[ChiefExecutive], None, None, None);
    b.person(
        "Cabinet Member for Children's Services",
        &[CabinetMember],
        None,
        None,
        None,
    );
    let dcs = b.person(
        "Director of Children's Services",
        &[Director],
        None,
        None,
        Some(&ceo),
    );
    let ad = b.person(
        "Assistant Director",
        &[AssistantDirector],
        None,
        None,
        Some(&dcs),
    );

    let hos_eh = b.person(
        "Head of Service, Early Help",
        &[HeadOfService],
        None,
        None,
        Some(&ad),
    );
    let hos_ai = b.person(
        "Head of Service, Assessment and Intervention",
        &[HeadOfService],
        None,
        None,
        Some(&ad),
    );
    let hos_cic = b.person(
        "Head of Service, Children in Care and Residential",
        &[HeadOfService],
        None,
        None,
        Some(&ad),
    );
    let hos_cwd = b.person(
        "Head of Service, Children with Disabilities and SEND",
        &[HeadOfService],
        None,
        None,
        Some(&ad),
    );
    let hos_spqa = b.person(
        "Head of Service, Safeguarding, Practice and Quality Assurance",
        &[HeadOfService, HeadOfServiceSpqa],
        None,
        None,
        Some(&ad),
    );

    let eh = b.area("early-help", "Early Help", &hos_eh);
    let ai = b.area("assessment", "Assessment and Intervention", &hos_ai);
    let cic = b.area("children-in-care", "Children in Care", &hos_cic);
    let cwd = b.area(
        "disabilities",
        "Children with Disabilities and SEND",
        &hos_cwd,
    );
    let res = b.area("residential", "Residential", &hos_cic);
    let sr = b.area("safeguarding", "Safeguarding and Review", &hos_spqa);
    for (person, area) in [
        (&hos_eh, &eh),
        (&hos_ai, &ai),
        (&hos_cic, &cic),
        (&hos_cwd, &cwd),
        (&hos_spqa, &sr),
    ] {
        if let Some(p) = b.parts.people.iter_mut().find(|p| &p.id == person) {
            p.service_area = Some(area.clone());
        }
    }

    let tm = ("Team Manager", TeamManager);
    let social_workers = ("Social Worker", Practitioner, 5);

    let sm_eh = b.person(
        "Service Manager, Early Help",
        &[ServiceManager],
        None,
        Some(&eh),
        Some(&hos_eh),
    );
    let fsm = ("Family Solutions Manager", FamilySolutionsManager);
    let family_workers = ("Family Worker", Practitioner, 5);
    let eh_teams = [
        b.staffed_team(
            "fs-north",
            "Family Solutions North",
            &eh,
            &sm_eh,
            fsm,
            family_workers,
        ),
        b.staffed_team(
            "fs-south",
            "Family Solutions South",
            &eh,
            &sm_eh,
            fsm,
            family_workers,
        ),
    ];

    let sm_assess = b.person(
        "Service Manager, Assessment",
        &[ServiceManager],
        None,
        Some(&ai),
        Some(&hos_ai),
    );
    let sm_interv = b.person(
        "Service Manager, Intervention",
        &[ServiceManager],
        None,
        Some(&ai),
        Some(&hos_ai),
    );
    let assessment = [
        b.staffed_team(
            "assessment-1",
            "Assessment 1",
            &ai,
            &sm_assess,
            tm,
            social_workers,
        ),
        b.staffed_team(
            "assessment-2",
            "Assessment 2",
            &ai,
            &sm_assess,
            tm,
            social_workers,
        ),
    ];
    let intervention = [
        b.staffed_team(
            "intervention-1",
            "Intervention 1",
            &ai,
            &sm_interv,
            tm,
            social_workers,
        ),
        b.staffed_team(
            "intervention-2",
            "Intervention 2",
            &ai,
            &sm_interv,
            tm,
            social_workers,
        ),
    ];

    let sm_cic = b.person(
        "Service Manager, Children in Care",
        &[ServiceManager],
        None,
        Some(&cic),
        Some(&hos_cic),
    );
    let cic_teams = [
        b.staffed_team(
            "cic-1",
            "Children in Care 1",
            &cic,
            &sm_cic,
            tm,
            social_workers,
        ),
        b.staffed_team(
            "cic-2",
            "Children in Care 2",
            &cic,
            &sm_cic,
            tm,
            social_workers,
        ),
    ];

    let sm_res = b.person(
        "Service Manager, Residential",
        &[ServiceManager],
        None,
        Some(&res),
        Some(&hos_cic),
    );
    let rm = ("Residential Manager", ResidentialManager);
    let care_workers = ("Residential Care Worker", Practitioner, 3);
    b.staffed_team("oak-house", "Oak House", &res, &sm_res, rm, care_workers);
    b.staffed_team(
        "willow-lodge",
        "Willow Lodge",
        &res,
        &sm_res,
        rm,
        care_workers,
    );
    b.staffed_team(
        "beech-close",
        "Beech Close",
        &res,
        &sm_res,
        rm,
        care_workers,
    );

    let sm_cwd = b.person(
        "Service Manager, Children with Disabilities",
        &[ServiceManager],
        None,
        Some(&cwd),
        Some(&hos_cwd),
    );
    let cwd_teams = [
        b.staffed_team(
            "disabled-children-1",
            "Disabled Children 1",
            &cwd,
            &sm_cwd,
            tm,
            social_workers,
        ),
        b.staffed_team(
            "disabled-children-2",
            "Disabled Children 2",
            &cwd,
            &sm_cwd,
            tm,
            social_workers,
        ),
    ];

    let iro_sm = ("IRO Service Manager", IroServiceManager);
    let iro = ("Independent Reviewing Officer", Iro, 4);
    let iro_teams = [
        b.staffed_team("iro-a", "IRO Team A", &sr, &hos_spqa, iro_sm, iro),
        b.staffed_team("iro-b", "IRO Team B", &sr, &hos_spqa, iro_sm, iro),
    ];
    let iros: Vec<PersonId> = iro_teams
        .iter()
        .flat_map(|t| b.members_of(t, Iro))
        .collect();

    let cpp_sm = ("CPP Service Manager", CppServiceManager);
    let cpp = ("CPP Practitioner", CppPractitioner, 4);
    let cpp_team = b.staffed_team(
        "cpp",
        "Centre for Professional Practice",
        &sr,
        &hos_spqa,
        cpp_sm,
        cpp,
    );
    let cpp_lead = b
        .parts
        .teams
        .iter()
        .find(|t| t.id == cpp_team)
        .and_then(|t| t.manager.clone());
    b.person(
        "QALF Administrator",
        &[Administrator],
        None,
        Some(&sr),
        cpp_lead.as_ref(),
    );

    let all_ai: Vec<TeamId> = assessment.iter().chain(&intervention).cloned().collect();
    b.cases(Cohort::ChildInNeed, 130, &all_ai, &iros);
    b.cases(Cohort::ChildProtection, 110, &intervention, &iros);
    b.cases(Cohort::ChildInCare, 110, &cic_teams, &iros);
    b.cases(Cohort::ChildrenWithDisabilities, 60, &cwd_teams, &iros);
    b.cases(Cohort::EarlyHelp, 90, &eh_teams, &iros);

    b.history();
    // Those who write sections of the quarterly and 6-monthly reports
    // (R-REP-2); made last, so the council above stays as it was.
    b.person(
        "Children's Participation Worker",
        &[ParticipationWorker],
        None,
        Some(&sr),
        Some(&hos_spqa),
    );
    b.person(
        "Complaints Manager, Children's Services",
        &[ComplaintsManager],
        None,
        None,
        Some(&ad),
    );
    b.person(
        "Principal Social Worker",
        &[PrincipalSocialWorker],
        None,
        None,
        Some(&ad),
    );
    Organisation::new(b.parts).expect("the demo organisation is consistent")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_council_has_about_a_hundred_staff_and_five_hundred_cases() {
        let org = organisation(super::super::DEMO_SEED);
        let staff = org.people().count();
        assert!((95..=110).contains(&staff), "{staff} staff");
        assert_eq!(org.cases().count(), 500);
        for cohort in Cohort::ALL {
            assert!(org.cases().any(|c| c.cohort == cohort), "no {cohort} cases");
        }
    }

    #[test]
    fn everyone_but_the_chief_executive_and_cabinet_member_has_a_line_manager() {
        let org = organisation(super::super::DEMO_SEED);
        for person in org.people() {
            let top = person.has_role(Role::ChiefExecutive) || person.has_role(Role::CabinetMember);
            assert_eq!(person.line_manager.is_none(), top, "{}", person.job_title);
        }
    }

    #[test]
    fn every_team_has_a_manager_and_every_area_a_head() {
        let org = organisation(super::super::DEMO_SEED);
        assert_eq!(org.service_areas().count(), 6);
        assert!(org.teams().all(|t| t.manager.is_some()));
        assert!(org.service_areas().all(|a| a.head.is_some()));
    }

    #[test]
    fn the_same_seed_gives_the_same_council() {
        assert_eq!(organisation(7), organisation(7));
    }

    #[test]
    fn cp_and_cic_cases_are_chaired_by_an_iro() {
        let org = organisation(super::super::DEMO_SEED);
        for case in org.cases() {
            let chaired = matches!(case.cohort, Cohort::ChildProtection | Cohort::ChildInCare);
            assert_eq!(case.chaired_by.is_some(), chaired);
        }
    }
}
