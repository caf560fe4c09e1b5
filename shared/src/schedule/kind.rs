//! The kinds of case file audit the framework names, and who does each.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::org::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditKind {
    /// The month's themed audit by a manager (R-SCHED-2, R-ALLOC-1).
    Themed,
    /// An IRO Service Manager's themed manager audit (R-ALLOC-4).
    DeepDive,
    /// An IRO Service Manager's audit of IRO practice on a chaired case
    /// (R-ALLOC-4).
    IroSpecific,
    /// An IRO's audit of a case a peer chairs (R-ALLOC-3).
    IroPeer,
    /// The re-audit of an Inadequate case by a Head of Service, the Assistant
    /// Director or the DCS (R-REAUDIT-1, R-REAUDIT-2).
    ReAudit,
    /// The Cabinet Member's re-audit, side by side with a CPP member
    /// (R-REAUDIT-3).
    CabinetReAudit,
    /// A CPP audit of a case or cohort chosen on purpose (R-SCHED-3).
    Bespoke,
    /// A CPP audit ahead of a career progression panel.
    CareerProgression,
}

impl AuditKind {
    pub const ALL: [AuditKind; 8] = [
        AuditKind::Themed,
        AuditKind::DeepDive,
        AuditKind::IroSpecific,
        AuditKind::IroPeer,
        AuditKind::ReAudit,
        AuditKind::CabinetReAudit,
        AuditKind::Bespoke,
        AuditKind::CareerProgression,
    ];

    /// The stable identifier used in storage (an audit header's `audit_kind`).
    pub fn code(self) -> &'static str {
        match self {
            AuditKind::Themed => "themed",
            AuditKind::DeepDive => "deep-dive",
            AuditKind::IroSpecific => "iro-specific",
            AuditKind::IroPeer => "iro-peer",
            AuditKind::ReAudit => "re-audit",
            AuditKind::CabinetReAudit => "cabinet-re-audit",
            AuditKind::Bespoke => "bespoke",
            AuditKind::CareerProgression => "career-progression",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditKind::Themed => "Themed audit",
            AuditKind::DeepDive => "Deep-dive audit",
            AuditKind::IroSpecific => "IRO-specific audit",
            AuditKind::IroPeer => "IRO peer audit",
            AuditKind::ReAudit => "Re-audit of an Inadequate case",
            AuditKind::CabinetReAudit => "Cabinet Member re-audit",
            AuditKind::Bespoke => "Bespoke audit",
            AuditKind::CareerProgression => "Career progression audit",
        }
    }

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
        use Role::*;
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

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind of audit `{0}`")]
pub struct UnknownAuditKind(pub String);

impl FromStr for AuditKind {
    type Err = UnknownAuditKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditKind::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| UnknownAuditKind(s.to_string()))
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
