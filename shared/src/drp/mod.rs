//! Dispute resolution process (DRP) alerts (R-REP-5): when an IRO is not
//! satisfied with a child's plan or the work done, they raise a DRP alert on
//! the case and take it through up to four stages until it is resolved.
//! The alert is a record like an audit: made on the IRO's device (offline
//! too), synced, and counted in the quarterly DRP report.

pub mod document;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use document::{DrpDoc, DrpStage, NewDrpAlert, new_drp_alert, read};

/// What the IRO's challenge is about (R-REP-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrpCategory {
    FrontlinePractice,
    ManagementResponse,
    OrganisationalCulture,
}

impl DrpCategory {
    pub const ALL: [DrpCategory; 3] = [
        DrpCategory::FrontlinePractice,
        DrpCategory::ManagementResponse,
        DrpCategory::OrganisationalCulture,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DrpCategory::FrontlinePractice => "frontline-practice",
            DrpCategory::ManagementResponse => "management-response",
            DrpCategory::OrganisationalCulture => "organisational-culture",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DrpCategory::FrontlinePractice => "Frontline practice",
            DrpCategory::ManagementResponse => "Management response",
            DrpCategory::OrganisationalCulture => "Organisational culture",
        }
    }
}

/// How a DRP alert ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrpOutcome {
    /// The concern was put right.
    Resolved,
    /// The IRO withdrew it (things changed, or it was not needed).
    Withdrawn,
    /// Not resolved within the council: referred to Cafcass, as the IRO
    /// Handbook allows as a last resort.
    ReferredToCafcass,
}

impl DrpOutcome {
    pub const ALL: [DrpOutcome; 3] = [
        DrpOutcome::Resolved,
        DrpOutcome::Withdrawn,
        DrpOutcome::ReferredToCafcass,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DrpOutcome::Resolved => "resolved",
            DrpOutcome::Withdrawn => "withdrawn",
            DrpOutcome::ReferredToCafcass => "referred-to-cafcass",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DrpOutcome::Resolved => "Resolved",
            DrpOutcome::Withdrawn => "Withdrawn",
            DrpOutcome::ReferredToCafcass => "Referred to Cafcass",
        }
    }
}

macro_rules! parse_by_code {
    ($ty:ident, $what:literal) => {
        impl FromStr for $ty {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::ALL
                    .into_iter()
                    .find(|v| v.code() == s)
                    .ok_or_else(|| UnknownCode {
                        what: $what,
                        code: s.to_string(),
                    })
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// A code that names no category or outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{code}`")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

parse_by_code!(DrpCategory, "DRP category");
parse_by_code!(DrpOutcome, "DRP outcome");

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
