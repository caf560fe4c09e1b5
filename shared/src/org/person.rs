use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonId, Role, ServiceAreaId, TeamId};

/// A member of staff or an elected member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub job_title: String,
    pub roles: Vec<Role>,
    /// The team they work in, if any (senior leaders have none).
    pub team: Option<TeamId>,
    /// The service area they work in, if any.
    pub service_area: Option<ServiceAreaId>,
    /// Each person has at most one line manager; direct reports follow from it.
    pub line_manager: Option<PersonId>,
    /// When they joined the council's Children's Services, if known.
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    /// When they joined their current team or manager, if known.
    #[serde(default)]
    pub in_post_since: Option<NaiveDate>,
    /// Their work e-mail address, from the staff directory: where
    /// notifications go, and how the council's identity provider's
    /// sign-ins are matched to them.
    #[serde(default)]
    pub email: Option<String>,
}

impl Person {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A demonstration's username for the person called `name`: the name,
/// lower case, dot separated, letters only ("Ava Hall" → `ava.hall`).
/// Only demonstrations sign in this way; a council's people use their own.
pub fn demo_username(name: &str) -> String {
    name.split_whitespace()
        .map(|part| {
            part.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect::<Vec<_>>()
        .join(".")
}
