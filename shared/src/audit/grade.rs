//! Ofsted's four grades (R-AUDIT-1) and the answers a question takes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// R-AUDIT-1: grades are Ofsted's four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
}

impl Grade {
    pub const ALL: [Grade; 4] = [
        Grade::Outstanding,
        Grade::Good,
        Grade::RequiresImprovement,
        Grade::Inadequate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Grade::Outstanding => "outstanding",
            Grade::Good => "good",
            Grade::RequiresImprovement => "requires-improvement",
            Grade::Inadequate => "inadequate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Outstanding => "Outstanding",
            Grade::Good => "Good",
            Grade::RequiresImprovement => "Requires improvement to be good",
            Grade::Inadequate => "Inadequate",
        }
    }

    /// Grades that need recommended actions (R-AUDIT-4).
    pub fn needs_actions(self) -> bool {
        matches!(self, Grade::RequiresImprovement | Grade::Inadequate)
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown grade `{0}`")]
pub struct UnknownGrade(pub String);

impl FromStr for Grade {
    type Err = UnknownGrade;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Grade::ALL
            .into_iter()
            .find(|g| g.code() == s)
            .ok_or_else(|| UnknownGrade(s.to_string()))
    }
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Yes,
    Partly,
    No,
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 4] = [
        Answer::Yes,
        Answer::Partly,
        Answer::No,
        Answer::NotApplicable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::Partly => "partly",
            Answer::No => "no",
            Answer::NotApplicable => "n/a",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::Partly => "Partly",
            Answer::No => "No",
            Answer::NotApplicable => "N/A",
        }
    }

    pub fn parse(code: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_audit_1_there_are_exactly_ofsteds_four_grades() {
        let labels: Vec<_> = Grade::ALL.iter().map(|g| g.label()).collect();
        assert_eq!(
            labels,
            [
                "Outstanding",
                "Good",
                "Requires improvement to be good",
                "Inadequate"
            ]
        );
        for g in Grade::ALL {
            assert_eq!(g.code().parse::<Grade>(), Ok(g));
        }
        assert!("satisfactory".parse::<Grade>().is_err());
    }
}
