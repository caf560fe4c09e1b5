//! What the server knows about a record without reading it: its kind, who
//! made it and the people it concerns. Access is decided from this alone.

use crate::closed_set::closed_set;

use serde::{Deserialize, Serialize};

use crate::document::DocKind;
use crate::org::{CaseRef, PersonId, Role, TeamId};
use crate::sync::DocumentId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    pub id: DocumentId,
    pub created_by: PersonId,
    /// Unix seconds.
    pub created_at: i64,
    pub parties: Parties,
}

closed_set! {
    /// The kinds of observation-type record (DOMAIN.md §6).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ObservationKind: "kind of observation", shown by label {
        /// A Team Manager observes a team member's direct work.
        PracticeObservation = "practice-observation", "Practice observation";
        /// A Service Manager observes a supervision held by a direct report.
        SupervisionObservation = "supervision-observation", "Supervision observation";
        /// A Service Manager or Head of Service audits a Team Manager's welfare
        /// supervision records.
        WelfareSupervisionAudit = "welfare-supervision-audit", "Welfare supervision audit";
        /// An IRO chairing a CiC review or a CP conference.
        IroObservation = "iro-observation", "IRO observation";
        /// A key decision-making meeting.
        KeyDecisionMeetingObservation = "key-decision-meeting-observation", "Key decision-making meeting observation";
        /// The Assistant Director shadows a practitioner for half a day.
        AdShadowing = "ad-shadowing", "Assistant Director shadowing";
        /// A senior manager visits a team, a residential home or another setting.
        SeniorManagerVisit = "senior-manager-visit", "Senior manager visit";
    }
}

/// The people a record concerns, by kind of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Parties {
    /// A note shared with named colleagues.
    Note { members: Vec<PersonId> },
    /// A case file audit (DOMAIN.md §3).
    Audit {
        case: CaseRef,
        /// The case's team, which places it in a service area.
        team: TeamId,
        /// The case holder whose work is audited.
        practitioner: PersonId,
        auditor: PersonId,
        /// Moderators and panel members the audit is assigned to.
        #[serde(default)]
        moderators: Vec<PersonId>,
        /// Who holds an open disagreement stage and may not otherwise open
        /// the audit (R-AUDIT-8): set by the server as stages open and close.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dispute_holders: Vec<PersonId>,
    },
    /// The moderation of an audit: it judges the audit, not the case.
    Moderation {
        audit: DocumentId,
        auditor: PersonId,
        moderator: PersonId,
    },
    /// An observation, supervision audit, shadowing or visit (DOMAIN.md §6).
    Observation {
        observation: ObservationKind,
        observer: PersonId,
        /// The person observed (or whose supervision is audited).
        #[serde(default)]
        subject: Option<PersonId>,
        /// The team visited, for visits.
        #[serde(default)]
        team: Option<TeamId>,
    },
    /// A report's co-edited text (the commentary, the owners' sections),
    /// beside figures only: no child-level text.
    Report {
        /// Roles whose holders write their own section (the quarterly and
        /// 6-monthly reports' Participation, Complaints, Practitioner Forum
        /// and DRP sections).
        #[serde(default)]
        owners: Vec<Role>,
    },
    /// A 7-minute briefing made from a report (R-REP-3): the CPP edits it,
    /// then shares it with every member of staff.
    Briefing {
        #[serde(default)]
        shared: bool,
    },
    /// A DRP alert an IRO raised on a case (R-REP-5).
    Drp {
        case: CaseRef,
        /// The case's team, which places it in a service area.
        team: TeamId,
        iro: PersonId,
    },
    /// A moderation panel: the chair, the members and the audits they
    /// moderate together.
    Panel {
        chair: PersonId,
        members: Vec<PersonId>,
        audits: Vec<DocumentId>,
        /// When the panel meets, for the invitation (R-MOD-3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        held_on: Option<chrono::NaiveDate>,
    },
    /// One member's blind position on one audit (R-MOD-3).
    PanelPosition {
        panel: DocumentId,
        audit: DocumentId,
        member: PersonId,
        chair: PersonId,
        members: Vec<PersonId>,
        /// Members who have recorded their own position on this audit: they
        /// may now see the others'.
        #[serde(default)]
        recorded: Vec<PersonId>,
        /// The chair revealed every position.
        #[serde(default)]
        revealed: bool,
    },
}

impl RecordMeta {
    pub fn kind(&self) -> DocKind {
        match self.parties {
            Parties::Note { .. } => DocKind::Note,
            Parties::Audit { .. } => DocKind::Audit,
            Parties::Moderation { .. } => DocKind::Moderation,
            Parties::Observation { .. } => DocKind::Observation,
            Parties::Report { .. } => DocKind::Report,
            Parties::Briefing { .. } => DocKind::Briefing,
            Parties::Drp { .. } => DocKind::DrpAlert,
            Parties::Panel { .. } => DocKind::Panel,
            Parties::PanelPosition { .. } => DocKind::PanelPosition,
        }
    }

    /// Whether the record holds child-level (special category) data: every
    /// read and change of these is logged.
    pub fn is_child_level(&self) -> bool {
        !matches!(
            self.parties,
            Parties::Note { .. } | Parties::Report { .. } | Parties::Briefing { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a record is registered by the person creating it")]
    NotCreator,
    #[error("unknown person `{0}`")]
    UnknownPerson(PersonId),
    #[error("unknown case `{0}`")]
    UnknownCase(CaseRef),
    #[error("the case's team or practitioner does not match the case list")]
    CaseMismatch,
    #[error("you may not create this kind of record")]
    NotAllowed,
    #[error("this record is already registered")]
    AlreadyRegistered,
    #[error("a DRP alert is raised by the IRO who chairs the case")]
    NotChair,
}
