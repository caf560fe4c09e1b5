use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{CaseRef, Cohort, PersonId, TeamId};

/// What QA needs to know about a child's case, and no more: the record itself
/// stays in the council's case management system (data minimisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub reference: CaseRef,
    pub cohort: Cohort,
    pub team: TeamId,
    /// The allocated practitioner (case holder).
    pub practitioner: PersonId,
    /// The IRO chairing the child's reviews or conferences, for CP and CiC.
    pub chaired_by: Option<PersonId>,
    pub initials: Option<String>,
    pub age_band: Option<AgeBand>,
}

/// Age bands as the case system reports them; QALF never holds a birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    #[serde(rename = "0-4")]
    UnderFive,
    #[serde(rename = "5-9")]
    FiveToNine,
    #[serde(rename = "10-15")]
    TenToFifteen,
    #[serde(rename = "16-17")]
    SixteenToSeventeen,
    #[serde(rename = "18+")]
    EighteenPlus,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] = [
        AgeBand::UnderFive,
        AgeBand::FiveToNine,
        AgeBand::TenToFifteen,
        AgeBand::SixteenToSeventeen,
        AgeBand::EighteenPlus,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AgeBand::UnderFive => "0-4",
            AgeBand::FiveToNine => "5-9",
            AgeBand::TenToFifteen => "10-15",
            AgeBand::SixteenToSeventeen => "16-17",
            AgeBand::EighteenPlus => "18+",
        }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown age band `{0}` (expected one of 0-4, 5-9, 10-15, 16-17, 18+)")]
pub struct UnknownAgeBand(pub String);

impl FromStr for AgeBand {
    type Err = UnknownAgeBand;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        AgeBand::ALL
            .into_iter()
            .find(|b| b.code() == trimmed)
            .ok_or_else(|| UnknownAgeBand(s.to_string()))
    }
}
