//! The whole organisation, checked for consistency once when it is built, and
//! the questions the access rules and quotas ask of it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Case, CaseRef, Person, PersonId, Role, ServiceArea, ServiceAreaId, Team, TeamId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("{what} `{id}` appears twice")]
    Duplicate { what: &'static str, id: String },
    #[error("{what} `{id}` refers to unknown {target} `{target_id}`")]
    UnknownReference {
        what: &'static str,
        id: String,
        target: &'static str,
        target_id: String,
    },
    #[error("line management of `{0}` loops back on itself")]
    LineManagementCycle(PersonId),
}

/// A consistent organisation: every reference resolves and line management
/// has no loops.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OrganisationParts", into = "OrganisationParts")]
pub struct Organisation {
    service_areas: BTreeMap<ServiceAreaId, ServiceArea>,
    teams: BTreeMap<TeamId, Team>,
    people: BTreeMap<PersonId, Person>,
    cases: BTreeMap<CaseRef, Case>,
}

/// The unchecked parts an organisation is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationParts {
    pub service_areas: Vec<ServiceArea>,
    pub teams: Vec<Team>,
    pub people: Vec<Person>,
    pub cases: Vec<Case>,
}

impl From<Organisation> for OrganisationParts {
    fn from(org: Organisation) -> Self {
        OrganisationParts {
            service_areas: org.service_areas.into_values().collect(),
            teams: org.teams.into_values().collect(),
            people: org.people.into_values().collect(),
            cases: org.cases.into_values().collect(),
        }
    }
}

impl TryFrom<OrganisationParts> for Organisation {
    type Error = OrgError;
    fn try_from(parts: OrganisationParts) -> Result<Self, OrgError> {
        Organisation::new(parts)
    }
}

fn index<K: Ord + Clone + ToString, V>(
    what: &'static str,
    items: Vec<V>,
    key: impl Fn(&V) -> &K,
) -> Result<BTreeMap<K, V>, OrgError> {
    let mut map = BTreeMap::new();
    for item in items {
        let k = key(&item).clone();
        if map.contains_key(&k) {
            return Err(OrgError::Duplicate {
                what,
                id: k.to_string(),
            });
        }
        map.insert(k, item);
    }
    Ok(map)
}

fn must_exist<K: Ord + ToString>(
    map: &BTreeMap<K, impl Sized>,
    target: &'static str,
    target_id: &K,
    what: &'static str,
    id: &impl ToString,
) -> Result<(), OrgError> {
    if map.contains_key(target_id) {
        Ok(())
    } else {
        Err(OrgError::UnknownReference {
            what,
            id: id.to_string(),
            target,
            target_id: target_id.to_string(),
        })
    }
}

impl Organisation {
    pub fn new(parts: OrganisationParts) -> Result<Self, OrgError> {
        let org = Organisation {
            service_areas: index("service area", parts.service_areas, |a| &a.id)?,
            teams: index("team", parts.teams, |t| &t.id)?,
            people: index("person", parts.people, |p| &p.id)?,
            cases: index("case", parts.cases, |c| &c.reference)?,
        };
        org.check_references()?;
        org.check_line_management()?;
        Ok(org)
    }

    fn check_references(&self) -> Result<(), OrgError> {
        for area in self.service_areas.values() {
            if let Some(head) = &area.head {
                must_exist(&self.people, "person", head, "service area", &area.id)?;
            }
        }
        for team in self.teams.values() {
            must_exist(
                &self.service_areas,
                "service area",
                &team.service_area,
                "team",
                &team.id,
            )?;
            if let Some(manager) = &team.manager {
                must_exist(&self.people, "person", manager, "team", &team.id)?;
            }
        }
        for person in self.people.values() {
            if let Some(team) = &person.team {
                must_exist(&self.teams, "team", team, "person", &person.id)?;
            }
            if let Some(area) = &person.service_area {
                must_exist(
                    &self.service_areas,
                    "service area",
                    area,
                    "person",
                    &person.id,
                )?;
            }
            if let Some(manager) = &person.line_manager {
                must_exist(&self.people, "person", manager, "person", &person.id)?;
            }
        }
        for case in self.cases.values() {
            must_exist(&self.teams, "team", &case.team, "case", &case.reference)?;
            must_exist(
                &self.people,
                "person",
                &case.practitioner,
                "case",
                &case.reference,
            )?;
            if let Some(iro) = &case.chaired_by {
                must_exist(&self.people, "person", iro, "case", &case.reference)?;
            }
        }
        Ok(())
    }

    fn check_line_management(&self) -> Result<(), OrgError> {
        for person in self.people.values() {
            let mut seen = BTreeSet::from([&person.id]);
            let mut current = person.line_manager.as_ref();
            while let Some(manager) = current {
                if !seen.insert(manager) {
                    return Err(OrgError::LineManagementCycle(person.id.clone()));
                }
                current = self
                    .people
                    .get(manager)
                    .and_then(|m| m.line_manager.as_ref());
            }
        }
        Ok(())
    }

    pub fn person(&self, id: &PersonId) -> Option<&Person> {
        self.people.get(id)
    }

    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams.get(id)
    }

    pub fn service_area(&self, id: &ServiceAreaId) -> Option<&ServiceArea> {
        self.service_areas.get(id)
    }

    pub fn case(&self, reference: &CaseRef) -> Option<&Case> {
        self.cases.get(reference)
    }

    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    pub fn service_areas(&self) -> impl Iterator<Item = &ServiceArea> {
        self.service_areas.values()
    }

    pub fn cases(&self) -> impl Iterator<Item = &Case> {
        self.cases.values()
    }

    pub fn people_with_role(&self, role: Role) -> impl Iterator<Item = &Person> {
        self.people.values().filter(move |p| p.has_role(role))
    }

    /// The person's line manager, their manager, and so on up to the top.
    pub fn line_management_chain(&self, id: &PersonId) -> Vec<&Person> {
        let mut chain = Vec::new();
        let mut current = self.people.get(id).and_then(|p| p.line_manager.as_ref());
        while let Some(manager_id) = current {
            let Some(manager) = self.people.get(manager_id) else {
                break;
            };
            chain.push(manager);
            current = manager.line_manager.as_ref();
        }
        chain
    }

    /// True when `manager` is anywhere above `person` in line management.
    pub fn manages(&self, manager: &PersonId, person: &PersonId) -> bool {
        self.line_management_chain(person)
            .iter()
            .any(|p| &p.id == manager)
    }

    pub fn direct_reports(&self, id: &PersonId) -> impl Iterator<Item = &Person> {
        self.people
            .values()
            .filter(move |p| p.line_manager.as_ref() == Some(id))
    }

    /// Teams this person manages.
    pub fn teams_managed_by(&self, id: &PersonId) -> impl Iterator<Item = &Team> {
        self.teams
            .values()
            .filter(move |t| t.manager.as_ref() == Some(id))
    }

    /// Service areas this person heads.
    pub fn service_areas_headed_by(&self, id: &PersonId) -> impl Iterator<Item = &ServiceArea> {
        self.service_areas
            .values()
            .filter(move |a| a.head.as_ref() == Some(id))
    }

    /// The service area a team belongs to.
    pub fn service_area_of_team(&self, team: &TeamId) -> Option<&ServiceArea> {
        self.teams
            .get(team)
            .and_then(|t| self.service_areas.get(&t.service_area))
    }

    /// The Head of Service for a team's service area: the person a safety alert
    /// about one of the team's cases goes to.
    pub fn head_of_service_for_team(&self, team: &TeamId) -> Option<&Person> {
        self.service_area_of_team(team)
            .and_then(|a| a.head.as_ref())
            .and_then(|h| self.people.get(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Cohort;

    fn pid(s: &str) -> PersonId {
        PersonId::parse(s).unwrap()
    }

    fn person(id: &str, manager: Option<&str>, roles: &[Role]) -> Person {
        Person {
            id: pid(id),
            name: format!("Person {id}"),
            job_title: String::new(),
            roles: roles.to_vec(),
            team: None,
            service_area: None,
            line_manager: manager.map(pid),
            started_on: None,
            in_post_since: None,
            email: None,
        }
    }

    fn small_org() -> OrganisationParts {
        let area = ServiceAreaId::parse("sa-1").unwrap();
        let team = TeamId::parse("t-1").unwrap();
        let mut practitioner = person("sw", Some("tm"), &[Role::Practitioner]);
        practitioner.team = Some(team.clone());
        OrganisationParts {
            service_areas: vec![ServiceArea {
                id: area.clone(),
                name: "Area".into(),
                head: Some(pid("hos")),
            }],
            teams: vec![Team {
                id: team.clone(),
                name: "Team".into(),
                service_area: area,
                manager: Some(pid("tm")),
            }],
            people: vec![
                person("hos", None, &[Role::HeadOfService]),
                person("sm", Some("hos"), &[Role::ServiceManager]),
                person("tm", Some("sm"), &[Role::TeamManager]),
                practitioner,
            ],
            cases: vec![Case {
                reference: CaseRef::parse("C-1").unwrap(),
                cohort: Cohort::ChildInNeed,
                team,
                practitioner: pid("sw"),
                chaired_by: None,
                initials: None,
                age_band: None,
            }],
        }
    }

    #[test]
    fn the_line_management_chain_runs_to_the_top() {
        let org = Organisation::new(small_org()).unwrap();
        let chain: Vec<_> = org
            .line_management_chain(&pid("sw"))
            .iter()
            .map(|p| p.id.as_str().to_string())
            .collect();
        assert_eq!(chain, ["tm", "sm", "hos"]);
        assert!(org.manages(&pid("hos"), &pid("sw")));
        assert!(!org.manages(&pid("sw"), &pid("tm")));
    }

    #[test]
    fn the_head_of_service_is_found_from_a_team() {
        let org = Organisation::new(small_org()).unwrap();
        let team = TeamId::parse("t-1").unwrap();
        assert_eq!(org.head_of_service_for_team(&team).unwrap().id, pid("hos"));
    }

    #[test]
    fn a_line_management_loop_is_rejected() {
        let mut parts = small_org();
        parts.people[0].line_manager = Some(pid("sw"));
        assert!(matches!(
            Organisation::new(parts),
            Err(OrgError::LineManagementCycle(_))
        ));
    }

    #[test]
    fn a_case_for_an_unknown_practitioner_is_rejected() {
        let mut parts = small_org();
        parts.cases[0].practitioner = pid("nobody");
        assert!(matches!(
            Organisation::new(parts),
            Err(OrgError::UnknownReference {
                target: "person",
                ..
            })
        ));
    }

    #[test]
    fn a_duplicate_person_is_rejected() {
        let mut parts = small_org();
        let copy = parts.people[0].clone();
        parts.people.push(copy);
        assert!(matches!(
            Organisation::new(parts),
            Err(OrgError::Duplicate { what: "person", .. })
        ));
    }
}
