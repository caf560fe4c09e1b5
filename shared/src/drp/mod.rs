//! Dispute resolution process (DRP) alerts (R-REP-5): when an IRO is not
//! satisfied with a child's plan or the work done, they raise a DRP alert on
//! the case and take it through up to four stages until it is resolved.
//! The alert is a record like an audit: made on the IRO's device (offline
//! too), synced, and counted in the quarterly DRP report.

pub mod document;

use crate::closed_set::closed_set;

use serde::{Deserialize, Serialize};

pub use document::{DrpDoc, DrpStage, NewDrpAlert, new_drp_alert, read};

closed_set! {
    /// What the IRO's challenge is about (R-REP-5).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum DrpCategory: "DRP category", shown by label {
        FrontlinePractice = "frontline-practice", "Frontline practice";
        ManagementResponse = "management-response", "Management response";
        OrganisationalCulture = "organisational-culture", "Organisational culture";
    }
}

closed_set! {
    /// How a DRP alert ended.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum DrpOutcome: "DRP outcome", shown by label {
        /// The concern was put right.
        Resolved = "resolved", "Resolved";
        /// The IRO withdrew it (things changed, or it was not needed).
        Withdrawn = "withdrawn", "Withdrawn";
        /// Not resolved within the council: referred to Cafcass, as the IRO
        /// Handbook allows as a last resort.
        ReferredToCafcass = "referred-to-cafcass", "Referred to Cafcass";
    }
}

/// The four stages, and who the IRO takes the concern to at each.
pub const STAGES: [(u64, &str); 4] = [
    (
        1,
        "Stage 1: the IRO raises it with the social worker and Team Manager",
    ),
    (2, "Stage 2: escalated to the Service Manager"),
    (3, "Stage 3: escalated to the Head of Service"),
    (
        4,
        "Stage 4: escalated to the Assistant Director or the Director",
    ),
];

/// The words for a stage number.
pub fn stage_label(stage: u64) -> &'static str {
    STAGES
        .iter()
        .find(|(n, _)| *n == stage)
        .map(|(_, label)| *label)
        .unwrap_or("Stage unknown")
}

#[cfg(test)]
mod tests;
