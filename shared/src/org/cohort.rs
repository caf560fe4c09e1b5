//! The cohorts of children whose cases are audited (DOMAIN.md §1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Cohort {
    /// Child in Need.
    #[serde(rename = "CIN")]
    ChildInNeed,
    /// Subject to a Child Protection Plan.
    #[serde(rename = "CP")]
    ChildProtection,
    /// Children with Disabilities.
    #[serde(rename = "CWD")]
    ChildrenWithDisabilities,
    /// Child in Care.
    #[serde(rename = "CiC")]
    ChildInCare,
    /// Early Help.
    #[serde(rename = "EH")]
    EarlyHelp,
}

impl Cohort {
    pub const ALL: [Cohort; 5] = [
        Cohort::ChildInNeed,
        Cohort::ChildProtection,
        Cohort::ChildrenWithDisabilities,
        Cohort::ChildInCare,
        Cohort::EarlyHelp,
    ];

    /// The short code used in case lists and on screen.
    pub fn code(self) -> &'static str {
        match self {
            Cohort::ChildInNeed => "CIN",
            Cohort::ChildProtection => "CP",
            Cohort::ChildrenWithDisabilities => "CWD",
            Cohort::ChildInCare => "CiC",
            Cohort::EarlyHelp => "EH",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cohort::ChildInNeed => "Child in Need",
            Cohort::ChildProtection => "Child Protection",
            Cohort::ChildrenWithDisabilities => "Children with Disabilities",
            Cohort::ChildInCare => "Child in Care",
            Cohort::EarlyHelp => "Early Help",
        }
    }

    /// Early Help is not "social care" for the moderation rates (R-MOD-1).
    pub fn is_social_care(self) -> bool {
        self != Cohort::EarlyHelp
    }
}

impl fmt::Display for Cohort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cohort `{0}` (expected one of CIN, CP, CWD, CiC, EH)")]
pub struct UnknownCohort(pub String);

impl FromStr for Cohort {
    type Err = UnknownCohort;
    /// Accepts the codes in any letter case, as case-system exports vary.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        Cohort::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| UnknownCohort(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohort_codes_parse_in_any_letter_case() {
        assert_eq!("cic".parse::<Cohort>(), Ok(Cohort::ChildInCare));
        assert_eq!(" CP ".parse::<Cohort>(), Ok(Cohort::ChildProtection));
        assert!("LAC".parse::<Cohort>().is_err());
    }

    #[test]
    fn early_help_is_not_social_care() {
        let social_care: Vec<_> = Cohort::ALL
            .into_iter()
            .filter(|c| c.is_social_care())
            .collect();
        assert_eq!(social_care.len(), 4);
        assert!(!Cohort::EarlyHelp.is_social_care());
    }
}
