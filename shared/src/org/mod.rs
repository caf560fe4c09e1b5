//! The council's organisation: service areas, teams, people and their roles,
//! and the cases QA looks at (DOMAIN.md §1).

mod case;
mod cohort;
pub mod ids;
mod organisation;
mod person;
mod role;
mod team;

pub use case::{AgeBand, Case};
pub use cohort::Cohort;
pub use ids::{CaseRef, IdError, PersonId, ServiceAreaId, TeamId};
pub use organisation::{OrgError, Organisation, OrganisationParts};
pub use person::{Person, demo_username};
pub use role::{Role, works_in_cpp};
pub use team::{ServiceArea, Team};
