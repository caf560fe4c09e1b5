//! Records as Automerge documents: schemas (mapped with autosurgeon), text
//! editing that merges character by character, and the rules every record
//! shares.
//!
//! Every document has `kind` and `schema` at its root. Schema changes are
//! additive (new fields use `#[autosurgeon(missing = ...)]`), so a document
//! written by an older version always opens.

pub mod fields;
pub mod note;
pub mod text;

use automerge::{Automerge, LoadOptions, TextEncoding};

/// Text positions count UTF-16 code units, as the browser's text fields do.
pub const TEXT_ENCODING: TextEncoding = TextEncoding::Utf16CodeUnit;

/// Options for loading any QALF document.
pub fn load_options() -> LoadOptions<'static> {
    LoadOptions::new().text_encoding(TEXT_ENCODING)
}

/// A new, empty document with QALF's text encoding.
pub fn new_document() -> Automerge {
    Automerge::new_with_encoding(TEXT_ENCODING)
}

/// The kinds of record QALF keeps as documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    /// A shared note: the smallest record, used to prove the sync engine.
    Note,
    Audit,
    Moderation,
    /// Observations, supervision audits, shadowing and visits.
    Observation,
    /// A report with figures only.
    Report,
    /// A moderation panel's shared record.
    Panel,
    /// One panel member's blind position on one audit.
    PanelPosition,
}

impl DocKind {
    pub const ALL: [DocKind; 7] = [
        DocKind::Note,
        DocKind::Audit,
        DocKind::Moderation,
        DocKind::Observation,
        DocKind::Report,
        DocKind::Panel,
        DocKind::PanelPosition,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocKind::Note => "note",
            DocKind::Audit => "audit",
            DocKind::Moderation => "moderation",
            DocKind::Observation => "observation",
            DocKind::Report => "report",
            DocKind::Panel => "panel",
            DocKind::PanelPosition => "panel-position",
        }
    }

    pub fn parse(code: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == code)
    }
}
