//! Editing the staff directory by hand (DOMAIN.md §9): one person, team or
//! service area, between HR exports. Each edit is checked as the import
//! checks a row and gives the whole next organisation, or every problem by
//! field; the summary says what changed, for the change log.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::import::{parse_email, slug, unique_id};
use crate::org::{
    OrgError, Organisation, OrganisationParts, Person, PersonId, Role, ServiceArea, ServiceAreaId,
    Team, TeamId,
};
use crate::settings::SettingProblem;

/// A person as the form holds them; a new person when `id` is not yet in
/// the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonEdit {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub roles: Vec<Role>,
    pub team: Option<TeamId>,
    pub service_area: Option<ServiceAreaId>,
    pub line_manager: Option<PersonId>,
}

impl PersonEdit {
    /// The form for someone already in the directory.
    pub fn of(person: &Person) -> PersonEdit {
        PersonEdit {
            id: person.id.clone(),
            name: person.name.clone(),
            email: person.email.clone().unwrap_or_default(),
            job_title: person.job_title.clone(),
            roles: person.roles.clone(),
            team: person.team.clone(),
            service_area: person.service_area.clone(),
            line_manager: person.line_manager.clone(),
        }
    }
}

/// A team as the form holds it; `id` `None` for a new team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEdit {
    pub id: Option<TeamId>,
    pub name: String,
    pub service_area: ServiceAreaId,
    pub manager: Option<PersonId>,
}

/// A service area as the form holds it; `id` `None` for a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAreaEdit {
    pub id: Option<ServiceAreaId>,
    pub name: String,
    pub head: Option<PersonId>,
}

/// The next organisation and what changed, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Edited {
    pub organisation: OrganisationParts,
    pub summary: String,
}

fn problem(field: &str, message: impl Into<String>) -> SettingProblem {
    SettingProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// The organisation with the edit made, checked whole.
fn checked(
    org: &Organisation,
    parts: OrganisationParts,
    summary: String,
    mut problems: Vec<SettingProblem>,
) -> Result<Edited, Vec<SettingProblem>> {
    let runs_qalf = |p: &Person| p.has_role(Role::Administrator);
    if org.people().any(runs_qalf) && !parts.people.iter().any(runs_qalf) {
        problems.push(problem(
            "person-roles",
            "Nobody would be left to run QALF: keep the administrator role for someone",
        ));
    }
    if problems.is_empty() {
        match Organisation::new(parts.clone()) {
            Ok(_) => {}
            Err(OrgError::LineManagementCycle(_)) => problems.push(problem(
                "person-line-manager",
                "That line manager is managed, through others, by this person",
            )),
            Err(e) => problems.push(problem("form", e.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(Edited {
            organisation: parts,
            summary,
        })
    } else {
        Err(problems)
    }
}

/// Adds or changes one person.
pub fn edit_person(
    org: &Organisation,
    edit: &PersonEdit,
    today: NaiveDate,
) -> Result<Edited, Vec<SettingProblem>> {
    let mut problems = Vec::new();
    let name = edit.name.trim();
    if name.is_empty() {
        problems.push(problem("person-name", "Enter their name"));
    }
    let email = match parse_email(&edit.email) {
        Ok(e) => Some(e),
        Err(message) => {
            problems.push(problem("person-email", message));
            None
        }
    };
    if let Some(email) = &email
        && let Some(other) = org
            .people()
            .find(|p| p.id != edit.id && p.email.as_deref() == Some(email.as_str()))
    {
        problems.push(problem(
            "person-email",
            format!("{email} is {}'s address already", other.name),
        ));
    }
    if edit.roles.is_empty() {
        problems.push(problem("person-roles", "Choose at least one role"));
    }
    if let Some(team) = &edit.team
        && org.team(team).is_none()
    {
        problems.push(problem("person-team", "Choose a team from the list"));
    }
    if edit.line_manager.as_ref() == Some(&edit.id) {
        problems.push(problem(
            "person-line-manager",
            "A person cannot be their own line manager",
        ));
    }
    let old = org.person(&edit.id);
    let service_area = edit.service_area.clone().or_else(|| {
        edit.team
            .as_ref()
            .and_then(|t| org.team(t))
            .map(|t| t.service_area.clone())
    });
    let moved = old.is_some_and(|o| o.team != edit.team || o.line_manager != edit.line_manager);
    let person = Person {
        id: edit.id.clone(),
        name: name.to_string(),
        job_title: if edit.job_title.trim().is_empty() {
            edit.roles
                .first()
                .map(|r| r.label().to_string())
                .unwrap_or_default()
        } else {
            edit.job_title.trim().to_string()
        },
        roles: edit.roles.clone(),
        team: edit.team.clone(),
        service_area,
        line_manager: edit.line_manager.clone(),
        started_on: old.and_then(|o| o.started_on).or(Some(today)),
        in_post_since: match old {
            Some(o) if !moved => o.in_post_since,
            _ => Some(today),
        },
        email,
    };
    let summary = match old {
        None => format!("{} added to the staff directory by hand.", person.name),
        Some(o) => {
            let mut what = Vec::new();
            if o.name != person.name {
                what.push("name");
            }
            if o.email != person.email {
                what.push("work e-mail");
            }
            if o.job_title != person.job_title {
                what.push("job title");
            }
            let sorted = |roles: &[Role]| {
                let mut r = roles.to_vec();
                r.sort();
                r
            };
            if sorted(&o.roles) != sorted(&person.roles) {
                what.push("roles");
            }
            if o.team != person.team {
                what.push("team");
            }
            if o.line_manager != person.line_manager {
                what.push("line manager");
            }
            format!(
                "{} changed by hand: {}.",
                person.name,
                if what.is_empty() {
                    "nothing".to_string()
                } else {
                    what.join(", ")
                }
            )
        }
    };
    let mut parts = OrganisationParts::from(org.clone());
    // Someone who leaves a team, or stops managing, no longer manages it
    // (access follows who manages a team and heads an area).
    const MANAGES: [Role; 3] = [
        Role::TeamManager,
        Role::FamilySolutionsManager,
        Role::ResidentialManager,
    ];
    for team in parts.teams.iter_mut() {
        if team.manager.as_ref() == Some(&person.id)
            && (person.team.as_ref() != Some(&team.id)
                || !MANAGES.iter().any(|r| person.has_role(*r)))
        {
            team.manager = None;
        }
    }
    for area in parts.service_areas.iter_mut() {
        if area.head.as_ref() == Some(&person.id)
            && (person.service_area.as_ref() != Some(&area.id)
                || !person.has_role(Role::HeadOfService))
        {
            area.head = None;
        }
    }
    match parts.people.iter_mut().find(|p| p.id == person.id) {
        Some(slot) => *slot = person,
        None => parts.people.push(person),
    }
    checked(org, parts, summary, problems)
}

/// Adds or changes one team.
pub fn edit_team(org: &Organisation, edit: &TeamEdit) -> Result<Edited, Vec<SettingProblem>> {
    let mut problems = Vec::new();
    let name = edit.name.trim();
    if name.is_empty() {
        problems.push(problem("team-name", "Enter the team's name"));
    }
    if org
        .teams()
        .any(|t| Some(&t.id) != edit.id.as_ref() && t.name.eq_ignore_ascii_case(name))
    {
        problems.push(problem("team-name", "Another team has that name"));
    }
    if org.service_area(&edit.service_area).is_none() {
        problems.push(problem("team-area", "Choose a service area from the list"));
    }
    let mut parts = OrganisationParts::from(org.clone());
    let id = match &edit.id {
        Some(id) if org.team(id).is_none() => {
            problems.push(problem(
                "team-name",
                "That team is no longer in the directory",
            ));
            id.clone()
        }
        Some(id) => id.clone(),
        None => {
            let id = unique_id(&slug(name), |id| {
                TeamId::parse(id).is_ok_and(|id| org.team(&id).is_none())
            });
            TeamId::parse(id).expect("a slug is a valid id")
        }
    };
    let team = Team {
        id: id.clone(),
        name: name.to_string(),
        service_area: edit.service_area.clone(),
        manager: edit.manager.clone(),
    };
    let summary = match edit.id {
        None => format!("Team {} added by hand.", team.name),
        Some(_) => format!("Team {} changed by hand.", team.name),
    };
    match parts.teams.iter_mut().find(|t| t.id == id) {
        Some(slot) => *slot = team,
        None => parts.teams.push(team),
    }
    // Its members' service area follows the team.
    for person in parts
        .people
        .iter_mut()
        .filter(|p| p.team.as_ref() == Some(&id))
    {
        person.service_area = Some(edit.service_area.clone());
    }
    checked(org, parts, summary, problems)
}

/// Adds or changes one service area.
pub fn edit_service_area(
    org: &Organisation,
    edit: &ServiceAreaEdit,
) -> Result<Edited, Vec<SettingProblem>> {
    let mut problems = Vec::new();
    let name = edit.name.trim();
    if name.is_empty() {
        problems.push(problem("area-name", "Enter the service area's name"));
    }
    if org
        .service_areas()
        .any(|a| Some(&a.id) != edit.id.as_ref() && a.name.eq_ignore_ascii_case(name))
    {
        problems.push(problem("area-name", "Another service area has that name"));
    }
    let mut parts = OrganisationParts::from(org.clone());
    let id = match &edit.id {
        Some(id) => id.clone(),
        None => {
            let id = unique_id(&slug(name), |id| {
                ServiceAreaId::parse(id).is_ok_and(|id| org.service_area(&id).is_none())
            });
            ServiceAreaId::parse(id).expect("a slug is a valid id")
        }
    };
    let area = ServiceArea {
        id: id.clone(),
        name: name.to_string(),
        head: edit.head.clone(),
    };
    let summary = match edit.id {
        None => format!("Service area {} added by hand.", area.name),
        Some(_) => format!("Service area {} changed by hand.", area.name),
    };
    match parts.service_areas.iter_mut().find(|a| a.id == id) {
        Some(slot) => *slot = area,
        None => parts.service_areas.push(area),
    }
    checked(org, parts, summary, problems)
}
