//! The kinds of case file audit the framework names, and who does each.

use crate::closed_set::closed_set;

use serde::{Deserialize, Serialize};

use crate::org::Role;

closed_set! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum AuditKind: "kind of audit", shown by label {
        /// The month's themed audit by a manager (R-SCHED-2, R-ALLOC-1).
        Themed = "themed", "Themed audit";
        /// An IRO Service Manager's themed manager audit (R-ALLOC-4).
        DeepDive = "deep-dive", "Deep-dive audit";
        /// An IRO Service Manager's audit of IRO practice on a chaired case
        /// (R-ALLOC-4).
        IroSpecific = "iro-specific", "IRO-specific audit";
        /// An IRO's audit of a case a peer chairs (R-ALLOC-3).
        IroPeer = "iro-peer", "IRO peer audit";
        /// The re-audit of an Inadequate case by a Head of Service, the Assistant
        /// Director or the DCS (R-REAUDIT-1, R-REAUDIT-2).
        ReAudit = "re-audit", "Re-audit of an Inadequate case";
        /// The Cabinet Member's re-audit, side by side with a CPP member
        /// (R-REAUDIT-3).
        CabinetReAudit = "cabinet-re-audit", "Cabinet Member re-audit";
        /// A CPP audit of a case or cohort chosen on purpose (R-SCHED-3).
        Bespoke = "bespoke", "Bespoke audit";
        /// A CPP audit ahead of a career progression panel.
        CareerProgression = "career-progression", "Career progression audit";
    }
}

impl AuditKind {
    /// Re-audits count towards re-audit quotas, everything else towards
    /// audit quotas.
    pub fn is_re_audit(self) -> bool {
        matches!(self, AuditKind::ReAudit | AuditKind::CabinetReAudit)
    }

    /// Kinds the monthly allocation hands out against role quotas.
    pub fn is_monthly_quota(self) -> bool {
        matches!(
            self,
            AuditKind::Themed | AuditKind::DeepDive | AuditKind::IroSpecific | AuditKind::IroPeer
        )
    }

    /// The roles that do this kind of audit.
    pub fn done_by(self) -> &'static [Role] {
        use Role::{
            AssistantDirector, CabinetMember, ChiefExecutive, CppPractitioner, CppServiceManager,
            Director, FamilySolutionsManager, HeadOfService, Iro, IroServiceManager,
            ResidentialManager, ServiceManager, TeamManager,
        };
        match self {
            AuditKind::Themed => &[
                TeamManager,
                FamilySolutionsManager,
                ResidentialManager,
                ServiceManager,
                IroServiceManager,
                HeadOfService,
                AssistantDirector,
                Director,
                ChiefExecutive,
                CabinetMember,
                CppPractitioner,
                CppServiceManager,
            ],
            AuditKind::DeepDive | AuditKind::IroSpecific => &[IroServiceManager],
            AuditKind::IroPeer => &[Iro],
            AuditKind::ReAudit => &[HeadOfService, AssistantDirector, Director],
            AuditKind::CabinetReAudit => &[CabinetMember],
            AuditKind::Bespoke | AuditKind::CareerProgression => {
                &[CppPractitioner, CppServiceManager]
            }
        }
    }

    pub fn may_be_done_by(self, roles: &[Role]) -> bool {
        self.done_by().iter().any(|r| roles.contains(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_kind_code_parses_back_and_matches_its_json() {
        for kind in AuditKind::ALL {
            assert_eq!(kind.code().parse::<AuditKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.code()));
            assert!(!kind.done_by().is_empty());
        }
        assert!("audit".parse::<AuditKind>().is_err());
    }

    #[test]
    fn the_demo_themed_kind_is_the_themed_code() {
        // Audits already stored carry "themed" in their header.
        assert_eq!("themed".parse::<AuditKind>(), Ok(AuditKind::Themed));
    }

    #[test]
    fn re_audits_and_monthly_quota_kinds_do_not_overlap() {
        for kind in AuditKind::ALL {
            assert!(!(kind.is_re_audit() && kind.is_monthly_quota()));
        }
    }
}
