//! The cohorts of children whose cases are audited (DOMAIN.md §1).

use crate::closed_set::closed_set;

use serde::{Deserialize, Serialize};

closed_set! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Cohort: "cohort", shown by code {
        /// Child in Need.
        #[serde(rename = "CIN")]
        ChildInNeed = "CIN", "Child in Need";
        /// Subject to a Child Protection Plan.
        #[serde(rename = "CP")]
        ChildProtection = "CP", "Child Protection";
        /// Children with Disabilities.
        #[serde(rename = "CWD")]
        ChildrenWithDisabilities = "CWD", "Children with Disabilities";
        /// Child in Care.
        #[serde(rename = "CiC")]
        ChildInCare = "CiC", "Child in Care";
        /// Early Help.
        #[serde(rename = "EH")]
        EarlyHelp = "EH", "Early Help";
    }
}

impl Cohort {
    /// Early Help is not "social care" for the moderation rates (R-MOD-1).
    pub fn is_social_care(self) -> bool {
        self != Cohort::EarlyHelp
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
