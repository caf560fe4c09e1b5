use crate::closed_set::closed_set;

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

closed_set! {
    /// Age bands as the case system reports them; QALF never holds a birth date.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum AgeBand: "age band", shown by code {
        #[serde(rename = "0-4")]
        UnderFive = "0-4", "0-4";
        #[serde(rename = "5-9")]
        FiveToNine = "5-9", "5-9";
        #[serde(rename = "10-15")]
        TenToFifteen = "10-15", "10-15";
        #[serde(rename = "16-17")]
        SixteenToSeventeen = "16-17", "16-17";
        #[serde(rename = "18+")]
        EighteenPlus = "18+", "18+";
    }
}
