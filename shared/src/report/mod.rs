//! Reporting and learning (DOMAIN.md §7): the monthly QA report (R-REP-1),
//! the quarterly DLT and 6-monthly CPP reports (R-REP-2), 7-minute
//! briefings (R-REP-3), compliance (R-REP-4), the quarterly DRP figures
//! (R-REP-5), charts and CSV (R-REP-6), and recurring strengths and areas
//! for development counted from tags (R-REP-7).
//!
//! Every figure is computed here, by pure functions, from [`facts`] the
//! server extracts from the records themselves (R-REP-8). A report is a
//! list of sections of [`Table`]s: the screen draws each table and its
//! chart, the API serves it as JSON or CSV, and the print view lays it out
//! on A4. Figures carry no child-level text; quotes and drill-downs name
//! records and are filtered by the server against each record's access.

pub mod briefing;
pub mod chart;
pub mod compliance;
pub mod document;
pub mod drill;
pub mod drp;
pub mod facts;
mod figures;
pub mod learning;
pub mod monthly;
pub mod periodic;
mod table;

#[cfg(test)]
mod tests;

use crate::closed_set::closed_set;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::schedule::{Period, YearMonth};

pub use facts::Facts;
pub use figures::Context;
pub use table::{Cell, Chart, Row, Table};

closed_set! {
    /// The reports the framework names.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ReportKind: "report", shown by label {
        /// The CPP Service Manager's monthly QA report (R-REP-1).
        Monthly = "monthly", "Monthly quality assurance report";
        /// The quarterly report to DLT (R-REP-2).
        Quarterly = "quarterly", "Quarterly report to DLT";
        /// The CPP's 6-monthly QA report to Extended DLT (R-REP-2).
        HalfYearly = "half-yearly", "6-monthly CPP quality assurance report";
        /// The quarterly DRP report (R-REP-5).
        Drp = "drp", "Quarterly DRP report";
    }
}

impl ReportKind {
    /// How many months the report covers.
    pub fn months(self) -> u32 {
        match self {
            ReportKind::Monthly => 1,
            ReportKind::Quarterly | ReportKind::Drp => 3,
            ReportKind::HalfYearly => 6,
        }
    }

    /// The report's period containing `month`, aligned to the council's
    /// year (quarters and halves start with it).
    pub fn period(self, month: YearMonth, year_start_month: u32) -> Period {
        Period::containing(month, self.months(), year_start_month)
    }

    /// Whether owners write sections of their own (R-REP-2).
    pub fn has_owner_sections(self) -> bool {
        matches!(self, ReportKind::Quarterly | ReportKind::HalfYearly)
    }
}

/// A report: its sections of figures, computed for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub kind: ReportKind,
    pub period: Period,
    /// The day the figures were computed; "overdue" and "open" are as of it.
    pub as_of: NaiveDate,
    pub sections: Vec<Section>,
}

impl Report {
    /// Every table of every section.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|s| &s.tables)
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables().find(|t| t.id == id)
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// The report's title with its period: "Monthly quality assurance
    /// report: November 2026".
    pub fn title(&self) -> String {
        format!("{}: {}", self.kind.label(), self.period.label())
    }
}

/// One section of a report: what it found in sentences, then its tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    /// Plain sentences that say what the figures show.
    pub findings: Vec<String>,
    pub tables: Vec<Table>,
    /// Words from the records behind the figures. Child-level: the server
    /// keeps only those the reader may read the record of, and logs them.
    #[serde(default)]
    pub quotes: Vec<Quote>,
}

impl Section {
    pub(crate) fn new(id: &str, title: &str) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            findings: Vec::new(),
            tables: Vec::new(),
            quotes: Vec::new(),
        }
    }
}

/// A strength or area for development in the words it was written in,
/// linked to its record (R-REP-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub record: crate::sync::DocumentId,
    pub source: facts::FindingSource,
    pub polarity: facts::Polarity,
    pub theme: String,
    pub on: NaiveDate,
    pub text: String,
}
