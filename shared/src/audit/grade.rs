//! Ofsted's four grades (R-AUDIT-1) and the answers a question takes.

use serde::{Deserialize, Serialize};

use crate::closed_set::closed_set;

closed_set! {
    /// R-AUDIT-1: grades are Ofsted's four.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Grade: "grade", shown by label {
        Outstanding = "outstanding", "Outstanding";
        Good = "good", "Good";
        RequiresImprovement = "requires-improvement", "Requires improvement to be good";
        Inadequate = "inadequate", "Inadequate";
    }
}

impl Grade {
    /// Grades that need recommended actions (R-AUDIT-4).
    pub fn needs_actions(self) -> bool {
        matches!(self, Grade::RequiresImprovement | Grade::Inadequate)
    }
}

closed_set! {
    /// How a question is answered.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Answer: "answer", shown by label {
        Yes = "yes", "Yes";
        Partly = "partly", "Partly";
        No = "no", "No";
        NotApplicable = "n/a", "N/A";
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
