//! Moderation panels (R-MOD-3, R-MOD-4): members each record a blind
//! position on every audit, then the panel discusses and records a
//! consensus (or that none was reached, and why) together, live.
//!
//! Blindness is not a matter of hiding things on screen: each member's
//! position is a document of its own, and the access rules let it reach
//! another member's device only once that member has recorded their own
//! position on the same audit, or the chair has revealed all.

use automerge::ReadDoc;
use autosurgeon::{Hydrate, Reconcile, Text};

use crate::audit::Grade;
use crate::closed_set::chosen;
use crate::document::{DocKind, DocumentError, Record};
use crate::org::{CaseRef, PersonId};
use crate::sync::DocumentId;

pub const PANEL_SCHEMA: u64 = 1;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct PanelDoc {
    pub kind: String,
    pub schema: u64,
    pub held_on: String,
    pub chair: PersonId,
    pub chair_name: String,
    pub members: Vec<Member>,
    pub audits: Vec<PanelAudit>,
    /// The chair revealed every position.
    pub revealed: bool,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Member {
    #[key]
    pub id: PersonId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct PanelAudit {
    /// The audit's document id.
    #[key]
    pub id: DocumentId,
    pub case: CaseRef,
    pub auditor_name: String,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub audit_grade: Option<Grade>,
    /// Member id → position document id.
    pub positions: Vec<PositionRef>,
    pub consensus: Consensus,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct PositionRef {
    #[key]
    pub id: DocumentId,
    pub member: PersonId,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Consensus {
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub audit_quality: Option<Grade>,
    /// Learning points, typed together.
    pub learning: Text,
    pub no_consensus: bool,
    /// Why no consensus was reached.
    pub why: Text,
    #[autosurgeon(missing = "Option::default")]
    pub recorded_at: Option<i64>,
}

/// One member's independent position on one audit.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct PositionDoc {
    pub kind: String,
    pub schema: u64,
    pub panel: DocumentId,
    pub audit: DocumentId,
    pub member: PersonId,
    pub member_name: String,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub audit_quality: Option<Grade>,
    pub notes: Text,
    #[autosurgeon(missing = "Option::default")]
    pub recorded_at: Option<i64>,
}

pub fn new_panel(
    panel: &PanelDoc,
    by: &str,
    at: i64,
) -> Result<automerge::Automerge, DocumentError> {
    panel.create(by, at)
}

pub fn new_position(
    position: &PositionDoc,
    by: &str,
    at: i64,
) -> Result<automerge::Automerge, DocumentError> {
    position.create(by, at)
}

impl Record for PanelDoc {
    const KIND: DocKind = DocKind::Panel;
}

impl Record for PositionDoc {
    const KIND: DocKind = DocKind::PanelPosition;
}

pub fn read_panel<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<PanelDoc> {
    PanelDoc::read(doc)
}

pub fn read_position<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<PositionDoc> {
    PositionDoc::read(doc)
}

/// Paths of the panel's fields, as the screens address them.
pub mod path {
    use crate::document::text::FieldPath;
    use crate::sync::DocumentId;

    pub fn root() -> FieldPath {
        FieldPath::root()
    }

    /// The consensus the panel records together on one audit.
    pub fn consensus(audit: &DocumentId) -> FieldPath {
        FieldPath::key("audits")
            .then_item(&audit.to_string())
            .then_key("consensus")
    }

    pub fn consensus_learning(audit: &DocumentId) -> FieldPath {
        consensus(audit).then_key("learning")
    }

    pub fn consensus_why(audit: &DocumentId) -> FieldPath {
        consensus(audit).then_key("why")
    }
}

/// Paths of a member's position, as the screens address them.
pub mod position_path {
    use crate::document::text::FieldPath;

    pub fn root() -> FieldPath {
        FieldPath::root()
    }

    pub fn notes() -> FieldPath {
        FieldPath::key("notes")
    }
}

/// R-MOD-3: a position counts as recorded once it has a grade, a view of
/// the audit's quality and the time it was recorded.
pub fn position_recorded(p: &PositionDoc) -> bool {
    p.grade.is_some() && p.audit_quality.is_some() && p.recorded_at.is_some()
}

/// R-MOD-3: a consensus is a grade and the audit's quality with the
/// learning, or "no consensus" with the reason.
pub fn consensus_complete(c: &Consensus) -> bool {
    if c.no_consensus {
        !c.why.as_str().trim().is_empty()
    } else {
        c.grade.is_some() && c.audit_quality.is_some() && !c.learning.as_str().trim().is_empty()
    }
}

/// Lists a member's position document under an audit of the panel.
pub fn add_position_ref<T: automerge::transaction::Transactable + ReadDoc>(
    tx: &mut T,
    audit: &DocumentId,
    position: &DocumentId,
    member: &PersonId,
) -> Result<(), DocumentError> {
    let list = crate::document::text::FieldPath::key("audits")
        .then_item(&audit.to_string())
        .then_key("positions")
        .resolve(tx)
        .map(|(id, _)| id)
        .ok_or_else(|| DocumentError::Missing(format!("audit {audit} on the panel")))?;
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, automerge::ObjType::Map)?;
    tx.put(&item, "id", position.to_string())?;
    tx.put(&item, "member", member.as_str())?;
    Ok(())
}
