//! Roles people hold in the framework (DOMAIN.md §1). A person may hold more
//! than one.

use crate::closed_set::closed_set;

use serde::{Deserialize, Serialize};

closed_set! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Role: "role", shown by label {
        /// Social worker or family worker holding cases.
        Practitioner = "practitioner", "Practitioner";
        TeamManager = "team-manager", "Team Manager";
        /// Early Help manager.
        FamilySolutionsManager = "family-solutions-manager", "Family Solutions Manager";
        /// Manager of a children's home.
        ResidentialManager = "residential-manager", "Residential Manager";
        /// Independent Reviewing Officer: chairs CiC reviews and CP conferences.
        Iro = "iro", "Independent Reviewing Officer";
        IroServiceManager = "iro-service-manager", "IRO Service Manager";
        ServiceManager = "service-manager", "Service Manager";
        HeadOfService = "head-of-service", "Head of Service";
        /// The Head of Service for Safeguarding, Practice and Quality
        /// Assurance: the last stage of a disagreement about an audit's
        /// findings goes to them, whatever the case's service area.
        HeadOfServiceSpqa = "head-of-service-spqa", "Head of Service for Safeguarding, Practice and QA";
        AssistantDirector = "assistant-director", "Assistant Director";
        /// Director of Children's Services.
        Director = "director", "Director of Children's Services";
        /// Elected Cabinet Member for Children's Services.
        CabinetMember = "cabinet-member", "Cabinet Member for Children's Services";
        ChiefExecutive = "chief-executive", "Chief Executive";
        /// Practitioner in the Centre for Professional Practice (the QA team).
        CppPractitioner = "cpp-practitioner", "CPP Practitioner";
        /// Service Manager of the Centre for Professional Practice (QA lead).
        CppServiceManager = "cpp-service-manager", "CPP Service Manager";
        /// Children's Participation Worker: writes the quarterly participation
        /// and advocacy report.
        ParticipationWorker = "participation-worker", "Participation Worker";
        /// Leads the Children's Services Complaints Team: writes the quarterly
        /// complaints report.
        ComplaintsManager = "complaints-manager", "Complaints Manager";
        /// Principal Social Worker: runs the Practitioner Forum and writes its
        /// quarterly report.
        PrincipalSocialWorker = "principal-social-worker", "Principal Social Worker";
        /// Runs the QALF installation: accounts and the access log.
        Administrator = "administrator", "Administrator";
    }
}

impl Role {
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
        let unknown = "wizard".parse::<Role>().unwrap_err();
        assert_eq!(unknown.code, "wizard");
        assert!(unknown.to_string().starts_with("unknown role `wizard`"));
    }
}
