//! Records as Automerge documents: schemas (mapped with autosurgeon), text
//! editing that merges character by character, and the rules every record
//! shares.
//!
//! Every document has `kind` and `schema` at its root. Schema changes are
//! additive (new fields use `#[autosurgeon(missing = ...)]`), so a document
//! written by an older version always opens.

pub mod date;
pub mod fields;
pub mod note;
pub mod text;

use automerge::{Automerge, LoadOptions, TextEncoding};

use crate::closed_set::closed_set;

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

closed_set! {
    /// The kinds of record QALF keeps as documents.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum DocKind: "kind of record", shown by code {
        /// A shared note: the smallest record, used to prove the sync engine.
        Note = "note", "A note";
        Audit = "audit", "Case file audit";
        Moderation = "moderation", "Moderation";
        /// Observations, supervision audits, shadowing and visits.
        Observation = "observation", "Observation";
        /// A report with figures only.
        Report = "report", "Report";
        /// A moderation panel's shared record.
        Panel = "panel", "Moderation panel";
        /// One panel member's blind position on one audit.
        PanelPosition = "panel-position", "Panel member's position";
        /// A dispute resolution process alert raised by an IRO (R-REP-5).
        DrpAlert = "drp-alert", "DRP alert";
        /// A 7-minute briefing made from a report (R-REP-3).
        Briefing = "briefing", "7-minute briefing";
    }
}

/// Why a record's document could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    // Boxed: both are large, and this error is returned from every edit.
    #[error("the document could not be written: {0}")]
    Reconcile(Box<autosurgeon::ReconcileError>),
    #[error("the document could not be changed: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    /// A field, list or item the change needs is not in the document.
    #[error("the document has no {0}")]
    Missing(String),
    /// Something is there but not of the kind the change needs.
    #[error("{0} is not a {1}")]
    NotA(String, &'static str),
    /// The council's question set has no questions for this kind of record.
    #[error("there are no questions for {0}")]
    NoQuestions(String),
}

impl From<autosurgeon::ReconcileError> for DocumentError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        DocumentError::Reconcile(Box::new(e))
    }
}

impl From<automerge::AutomergeError> for DocumentError {
    fn from(e: automerge::AutomergeError) -> Self {
        DocumentError::Automerge(Box::new(e))
    }
}

/// A kind of record kept as an Automerge document: its schema (the typed
/// value the document holds, mapped with autosurgeon), how a new one is
/// made and how one is read. Who may read or write it is decided from its
/// registration (`access::Parties`), never from the document.
pub trait Record: autosurgeon::Reconcile + autosurgeon::Hydrate + Sized {
    /// The `kind` at the document's root.
    const KIND: DocKind;

    /// A new document holding this record, made in one change by `by` at
    /// `at` (Unix seconds).
    fn create(&self, by: &str, at: i64) -> Result<Automerge, DocumentError> {
        create_document(self, by, at)
    }

    /// The record `doc` holds, if it is one of this kind and reads.
    fn read<D>(doc: &D) -> Option<Self>
    where
        D: automerge::ReadDoc + autosurgeon::ReadDoc,
    {
        read_as(doc, Self::KIND)
    }
}

/// A new document holding `value`, made in one change by `by` at `at`
/// (Unix seconds). Every text object and list in `value` is created here,
/// once, so that later concurrent edits land in the same objects.
pub fn create_document(
    value: &impl autosurgeon::Reconcile,
    by: &str,
    at: i64,
) -> Result<Automerge, DocumentError> {
    let mut doc = new_document();
    let mut tx = doc.transaction();
    autosurgeon::reconcile(&mut tx, value)?;
    tx.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message(format!("by:{by}"))
            .with_time(at),
    );
    Ok(doc)
}

/// The `kind` at a document's root, if any.
pub fn kind_of(doc: &impl automerge::ReadDoc) -> Option<DocKind> {
    automerge::ReadDoc::get(doc, automerge::ROOT, "kind")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.into_string().ok())
        .and_then(|code| DocKind::parse(&code))
}

/// Reads a document as `T` when it is of `kind`.
pub fn read_as<T, D>(doc: &D, kind: DocKind) -> Option<T>
where
    T: autosurgeon::Hydrate,
    D: automerge::ReadDoc + autosurgeon::ReadDoc,
{
    (kind_of(doc) == Some(kind))
        .then(|| autosurgeon::hydrate(doc).ok())
        .flatten()
}
