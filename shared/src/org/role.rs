//! Roles people hold in the framework (DOMAIN.md §1). A person may hold more
//! than one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Social worker or family worker holding cases.
    Practitioner,
    TeamManager,
    /// Early Help manager.
    FamilySolutionsManager,
    /// Manager of a children's home.
    ResidentialManager,
    /// Independent Reviewing Officer: chairs CiC reviews and CP conferences.
    Iro,
    IroServiceManager,
    ServiceManager,
    HeadOfService,
    /// The Head of Service for Safeguarding, Practice and Quality
    /// Assurance: the last stage of a disagreement about an audit's
    /// findings goes to them, whatever the case's service area.
    HeadOfServiceSpqa,
    AssistantDirector,
    /// Director of Children's Services.
    Director,
    /// Elected Cabinet Member for Children's Services.
    CabinetMember,
    ChiefExecutive,
    /// Practitioner in the Centre for Professional Practice (the QA team).
    CppPractitioner,
    /// Service Manager of the Centre for Professional Practice (QA lead).
    CppServiceManager,
    /// Children's Participation Worker: writes the quarterly participation
    /// and advocacy report.
    ParticipationWorker,
    /// Leads the Children's Services Complaints Team: writes the quarterly
    /// complaints report.
    ComplaintsManager,
    /// Principal Social Worker: runs the Practitioner Forum and writes its
    /// quarterly report.
    PrincipalSocialWorker,
    /// Runs the QALF installation: accounts and the access log.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 19] = [
        Role::Practitioner,
        Role::TeamManager,
        Role::FamilySolutionsManager,
        Role::ResidentialManager,
        Role::Iro,
        Role::IroServiceManager,
        Role::ServiceManager,
        Role::HeadOfService,
        Role::HeadOfServiceSpqa,
        Role::AssistantDirector,
        Role::Director,
        Role::CabinetMember,
        Role::ChiefExecutive,
        Role::CppPractitioner,
        Role::CppServiceManager,
        Role::ParticipationWorker,
        Role::ComplaintsManager,
        Role::PrincipalSocialWorker,
        Role::Administrator,
    ];

    /// The name staff use for the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Practitioner => "Practitioner",
            Role::TeamManager => "Team Manager",
            Role::FamilySolutionsManager => "Family Solutions Manager",
            Role::ResidentialManager => "Residential Manager",
            Role::Iro => "Independent Reviewing Officer",
            Role::IroServiceManager => "IRO Service Manager",
            Role::ServiceManager => "Service Manager",
            Role::HeadOfService => "Head of Service",
            Role::HeadOfServiceSpqa => "Head of Service for Safeguarding, Practice and QA",
            Role::AssistantDirector => "Assistant Director",
            Role::Director => "Director of Children's Services",
            Role::CabinetMember => "Cabinet Member for Children's Services",
            Role::ChiefExecutive => "Chief Executive",
            Role::CppPractitioner => "CPP Practitioner",
            Role::CppServiceManager => "CPP Service Manager",
            Role::ParticipationWorker => "Participation Worker",
            Role::ComplaintsManager => "Complaints Manager",
            Role::PrincipalSocialWorker => "Principal Social Worker",
            Role::Administrator => "Administrator",
        }
    }

    /// The stable identifier used in storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Role::Practitioner => "practitioner",
            Role::TeamManager => "team-manager",
            Role::FamilySolutionsManager => "family-solutions-manager",
            Role::ResidentialManager => "residential-manager",
            Role::Iro => "iro",
            Role::IroServiceManager => "iro-service-manager",
            Role::ServiceManager => "service-manager",
            Role::HeadOfService => "head-of-service",
            Role::HeadOfServiceSpqa => "head-of-service-spqa",
            Role::AssistantDirector => "assistant-director",
            Role::Director => "director",
            Role::CabinetMember => "cabinet-member",
            Role::ChiefExecutive => "chief-executive",
            Role::CppPractitioner => "cpp-practitioner",
            Role::CppServiceManager => "cpp-service-manager",
            Role::ParticipationWorker => "participation-worker",
            Role::ComplaintsManager => "complaints-manager",
            Role::PrincipalSocialWorker => "principal-social-worker",
            Role::Administrator => "administrator",
        }
    }

    /// Roles that work in the Centre for Professional Practice.
    pub fn is_cpp(self) -> bool {
        matches!(self, Role::CppPractitioner | Role::CppServiceManager)
    }
}

/// Whether someone holding `roles` works in the Centre for Professional
/// Practice (the CPP practitioners and their Service Manager): the one
/// test for "is CPP" everywhere.
pub fn works_in_cpp(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.is_cpp())
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_code_parses_back_to_its_role() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
        }
    }

    #[test]
    fn an_unknown_role_is_rejected_by_name() {
        assert_eq!("wizard".parse::<Role>(), Err(UnknownRole("wizard".into())));
    }
}
