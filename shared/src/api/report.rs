//! Bodies of the reports' endpoints (`/api/reports/…`, `/api/briefings`,
//! `/api/drp/…`).

use serde::{Deserialize, Serialize};

use crate::document::DocKind;
use crate::org::{CaseRef, Cohort, TeamId};
use crate::report::Report;
use crate::schedule::YearMonth;
use crate::sync::DocumentId;

/// `GET /api/reports/{kind}/{month}`: a report with what the reader may do
/// beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPage {
    /// The figures, with only the quotes the reader may read.
    pub report: Report,
    /// The co-edited commentary and owners' sections, once made.
    pub document: Option<DocumentId>,
    /// The reader writes the commentary (the CPP) or a section (its owner).
    pub may_write: bool,
    /// The reader may make 7-minute briefings from it (the CPP).
    pub may_brief: bool,
    /// Quotes left out because the reader may not read their records.
    pub quotes_withheld: usize,
}

/// `POST …/document` and `POST …/briefings`: the record made or found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCreated {
    pub document: DocumentId,
}

/// One of the briefings a person may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BriefingSummary {
    pub document: DocumentId,
    pub title: String,
    /// "Monthly quality assurance report: November 2026".
    pub from_report: String,
    /// Unix seconds; none until shared.
    pub shared_at: Option<i64>,
}

/// `POST /api/reports/drill`: the records behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillResult {
    pub records: Vec<RecordLink>,
    /// Records behind the figure that the reader may not read.
    pub withheld: usize,
}

/// A record in a list, with what identifies it to those who may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLink {
    pub document: DocumentId,
    pub kind: DocKind,
    pub label: String,
}

impl RecordLink {
    /// The record's page in the app.
    pub fn href(&self) -> String {
        let base = match self.kind {
            DocKind::Audit => "audits",
            DocKind::Observation => "observations",
            DocKind::DrpAlert => "drp",
            DocKind::Moderation => "moderations",
            DocKind::Panel => "panels",
            DocKind::Briefing => "briefings",
            DocKind::Report | DocKind::Note | DocKind::PanelPosition => "notes",
        };
        format!("/{base}/{}", self.document)
    }
}

/// `POST /api/reports/half-yearly/{month}/themes`: what was copied into
/// the theme schedule, and which months kept the theme they had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemesCopied {
    pub copied: Vec<YearMonth>,
    pub kept: Vec<YearMonth>,
}

/// `GET /api/drp/cases`: a case the IRO chairs, to raise a DRP alert on
/// (kept on the tablet for raising one offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChairedCase {
    pub reference: CaseRef,
    pub cohort: Cohort,
    pub team: TeamId,
    pub team_name: String,
}
