//! R-MOD-2: a moderation judges the audit, not the case: does the moderator
//! agree with the grade, what grade would they give, how good is the audit,
//! and what should the auditor learn (which the auditor then reads).

use automerge::ReadDoc;
use autosurgeon::{Hydrate, Reconcile, Text};

use crate::audit::Grade;
use crate::closed_set::{chosen, closed_set};
use crate::document::{DocKind, DocumentError, Record};
use crate::org::{CaseRef, PersonId};
use crate::sync::DocumentId;

pub const MODERATION_SCHEMA: u64 = 1;

closed_set! {
    /// The moderator's view of the audit's grade.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Agreement: "agreement", shown by label {
        Agree = "agree", "I agree with the grade";
        Disagree = "disagree", "I disagree with the grade";
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ModerationDoc {
    pub kind: String,
    pub schema: u64,
    /// The audit moderated.
    pub audit: DocumentId,
    pub case: CaseRef,
    pub auditor: PersonId,
    pub auditor_name: String,
    pub moderator: PersonId,
    pub moderator_name: String,
    /// The audit's overall grade when moderated.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub audit_grade: Option<Grade>,
    /// Whether the moderator agrees with the audit's grade.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub agreement: Option<Agreement>,
    /// The grade the moderator would give.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub moderated_grade: Option<Grade>,
    /// The quality of the audit itself, on the same four-point scale.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub audit_quality: Option<Grade>,
    /// Developmental feedback to the auditor.
    pub feedback: Text,
    #[autosurgeon(missing = "Option::default")]
    pub completed_at: Option<i64>,
}

pub struct NewModeration {
    pub audit: DocumentId,
    pub case: CaseRef,
    pub auditor: (PersonId, String),
    pub moderator: (PersonId, String),
    pub audit_grade: Option<Grade>,
}

pub fn new_moderation(
    new: &NewModeration,
    created_by: &str,
    time_secs: i64,
) -> Result<automerge::Automerge, DocumentError> {
    let doc = ModerationDoc {
        kind: DocKind::Moderation.code().to_string(),
        schema: MODERATION_SCHEMA,
        audit: new.audit.clone(),
        case: new.case.clone(),
        auditor: new.auditor.0.clone(),
        auditor_name: new.auditor.1.clone(),
        moderator: new.moderator.0.clone(),
        moderator_name: new.moderator.1.clone(),
        audit_grade: new.audit_grade,
        agreement: None,
        moderated_grade: None,
        audit_quality: None,
        feedback: Text::from(""),
        completed_at: None,
    };
    doc.create(created_by, time_secs)
}

impl Record for ModerationDoc {
    const KIND: DocKind = DocKind::Moderation;
}

pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<ModerationDoc> {
    ModerationDoc::read(doc)
}

/// Paths of the moderation's fields, as the screens address them.
pub mod path {
    use crate::document::text::FieldPath;

    pub fn root() -> FieldPath {
        FieldPath::root()
    }

    pub fn feedback() -> FieldPath {
        FieldPath::key("feedback")
    }
}

/// What a moderation still lacks (R-MOD-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationBlocker {
    Agreement,
    ModeratedGrade,
    AuditQuality,
    Feedback,
}

impl ModerationBlocker {
    pub fn message(&self) -> &'static str {
        match self {
            ModerationBlocker::Agreement => "Say whether you agree with the audit's grade",
            ModerationBlocker::ModeratedGrade => "Give the grade you would have given",
            ModerationBlocker::AuditQuality => "Judge the quality of the audit",
            ModerationBlocker::Feedback => "Write developmental feedback for the auditor",
        }
    }
}

/// R-MOD-2: agreement, a moderated grade when disagreeing, the audit's
/// quality and feedback to the auditor.
pub fn blockers(m: &ModerationDoc) -> Vec<ModerationBlocker> {
    let mut out = Vec::new();
    match m.agreement {
        Some(Agreement::Agree) => {}
        Some(Agreement::Disagree) if m.moderated_grade.is_some() => {}
        Some(Agreement::Disagree) => out.push(ModerationBlocker::ModeratedGrade),
        None => out.push(ModerationBlocker::Agreement),
    }
    if m.audit_quality.is_none() {
        out.push(ModerationBlocker::AuditQuality);
    }
    if m.feedback.as_str().trim().is_empty() {
        out.push(ModerationBlocker::Feedback);
    }
    out
}

/// The grade the audit ends up with after moderation.
pub fn outcome_grade(m: &ModerationDoc) -> Option<Grade> {
    match m.agreement? {
        Agreement::Disagree => m.moderated_grade,
        Agreement::Agree => m.audit_grade,
    }
}

/// R-MOD-5: an audit whose moderated grade is Inadequate goes on to
/// re-audit by the Head of Service.
pub fn needs_reaudit(grade: Option<Grade>) -> bool {
    grade == Some(Grade::Inadequate)
}
