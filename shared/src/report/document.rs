//! The written part of a report, as a co-edited record: the CPP Service
//! Manager's commentary (R-REP-1) and, in the quarterly and 6-monthly
//! reports, the sections their owners write (R-REP-2): key themes and
//! trends from the Participation, Complaints, Practitioner Forum and DRP
//! quarterly reports, and the CPP's MACFA/CSPR learning. It holds no
//! child-level text; the figures beside it are computed, never typed.

use automerge::ReadDoc;
use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};

use super::ReportKind;
use crate::closed_set::chosen;
use crate::document::text::FieldPath;
use crate::document::{DocKind, DocumentError, Record};
use crate::org::{PersonId, Role};
use crate::schedule::{Period, YearMonth};

pub const REPORT_SCHEMA: u64 = 1;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ReportDoc {
    pub kind: String,
    pub schema: u64,
    pub report: ReportKind,
    /// The period's first month (`2026-10`) and its length.
    pub first_month: YearMonth,
    pub months: u64,
    pub commentary: Text,
    pub sections: Vec<OwnerSection>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct OwnerSection {
    #[key]
    pub id: String,
    pub title: String,
    /// Those who write it.
    pub owner: Role,
    pub key_themes: Text,
    pub trends: Text,
    /// Marked ready by its owner (Unix seconds), and by whom.
    #[autosurgeon(missing = "Option::default")]
    pub ready_at: Option<i64>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub ready_by: Option<PersonId>,
}

/// A section the owners of a periodic report write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerSectionTemplate {
    pub id: &'static str,
    pub title: &'static str,
    pub owner: Role,
}

/// R-REP-2: who writes what in the quarterly and 6-monthly reports.
pub const OWNER_SECTIONS: [OwnerSectionTemplate; 5] = [
    OwnerSectionTemplate {
        id: "participation",
        title: "Participation and advocacy",
        owner: Role::ParticipationWorker,
    },
    OwnerSectionTemplate {
        id: "complaints",
        title: "Complaints and compliments",
        owner: Role::ComplaintsManager,
    },
    OwnerSectionTemplate {
        id: "practitioner-forum",
        title: "Practitioner Forum",
        owner: Role::PrincipalSocialWorker,
    },
    OwnerSectionTemplate {
        id: "drp",
        title: "Dispute resolution (Safeguarding and Review)",
        owner: Role::IroServiceManager,
    },
    OwnerSectionTemplate {
        id: "macfa-cspr",
        title: "Learning from MACFA and child safeguarding practice reviews",
        owner: Role::CppServiceManager,
    },
];

/// The sections a report of this kind has.
pub fn owner_sections(kind: ReportKind) -> &'static [OwnerSectionTemplate] {
    if kind.has_owner_sections() {
        &OWNER_SECTIONS
    } else {
        &[]
    }
}

/// The roles that write sections of a report of this kind (its
/// registration's `owners`).
pub fn owner_roles(kind: ReportKind) -> Vec<Role> {
    owner_sections(kind).iter().map(|s| s.owner).collect()
}

pub fn new_report_document(
    kind: ReportKind,
    period: Period,
    by: &str,
    at: i64,
) -> Result<automerge::Automerge, DocumentError> {
    let doc = ReportDoc {
        kind: DocKind::Report.code().into(),
        schema: REPORT_SCHEMA,
        report: kind,
        first_month: period.first,
        months: u64::from(period.months),
        commentary: Text::from(""),
        sections: owner_sections(kind)
            .iter()
            .map(|s| OwnerSection {
                id: s.id.into(),
                title: s.title.into(),
                owner: s.owner,
                key_themes: Text::from(""),
                trends: Text::from(""),
                ready_at: None,
                ready_by: None,
            })
            .collect(),
    };
    doc.create(by, at)
}

impl Record for ReportDoc {
    const KIND: DocKind = DocKind::Report;
}

pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<ReportDoc> {
    ReportDoc::read(doc)
}

/// Where an owner section's fields live, for the screens.
pub fn section_path(id: &str) -> FieldPath {
    FieldPath::key("sections").then_item(id)
}

/// Where an owner section's key themes are written.
pub fn key_themes_path(id: &str) -> FieldPath {
    section_path(id).then_key("key_themes")
}

/// Where an owner section's trends are written.
pub fn trends_path(id: &str) -> FieldPath {
    section_path(id).then_key("trends")
}

/// Where the CPP's commentary on the figures is written.
pub fn commentary_path() -> FieldPath {
    FieldPath::key("commentary")
}

/// Where an owner section stands (R-REP-2: the report shows which are still
/// missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSectionState {
    pub id: String,
    pub title: String,
    pub owner: Role,
    /// Key themes written and marked ready by its owner.
    pub ready: bool,
}

/// R-REP-2: a section counts as written once it has key themes and its
/// owner marked it ready.
pub fn section_states(doc: &ReportDoc) -> Vec<OwnerSectionState> {
    doc.sections
        .iter()
        .map(|s| OwnerSectionState {
            id: s.id.clone(),
            title: s.title.clone(),
            owner: s.owner,
            ready: s.ready_at.is_some() && !s.key_themes.as_str().trim().is_empty(),
        })
        .collect()
}

/// The sections still missing.
pub fn missing_sections(doc: &ReportDoc) -> Vec<OwnerSectionState> {
    section_states(doc)
        .into_iter()
        .filter(|s| !s.ready)
        .collect()
}
