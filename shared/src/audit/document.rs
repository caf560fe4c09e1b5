//! The audit as an Automerge document: its schema (autosurgeon), how a new
//! one is made from a template, and the edits the screens make.
//!
//! Narrative fields are `Text`, so the auditor and the practitioner can type
//! in the same field at the same meeting. Every text object and list exists
//! from creation (made once, by whoever creates the audit), so concurrent
//! edits always land in the same objects. Fields added in later schema
//! versions carry `missing = ...` defaults so older audits keep opening.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, ScalarValue};
use autosurgeon::{Hydrate, Reconcile, Text};
use chrono::NaiveDate;

use super::template::AuditTemplate;
use super::{Answer, Grade};
use crate::closed_set::{chosen, closed_set};
use crate::document::date::{day, maybe_day};
use crate::document::text::{FieldPath, Step};
use crate::document::{DocKind, DocumentError, Record};
use crate::moderation::ModeratedBy;
use crate::org::{CaseRef, Cohort, PersonId, TeamId};
use crate::schedule::AuditKind;
use crate::sync::DocumentId;

/// The audit schema's current version.
pub const AUDIT_SCHEMA: u64 = 1;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct AuditDoc {
    pub kind: String,
    pub schema: u64,
    pub template_id: String,
    pub template_version: u64,
    pub header: Header,
    pub sections: Vec<Section>,
    pub overall: Judgement,
    pub strengths: Text,
    pub development: Text,
    /// R-REP-7: the council's practice themes the strengths are tagged
    /// against (theme code → tagged). A map, so two people ticking themes at
    /// once never duplicate one.
    #[autosurgeon(missing = "Default::default")]
    pub strength_themes: BTreeMap<String, bool>,
    /// R-REP-7: likewise for the areas for development.
    #[autosurgeon(missing = "Default::default")]
    pub development_themes: BTreeMap<String, bool>,
    pub actions: Vec<ActionItem>,
    pub stretch_practitioner: Text,
    pub stretch_manager: Text,
    pub family: FamilyFeedback,
    pub safety_alerts: Vec<SafetyAlert>,
    pub disagreement: Vec<DisagreementStage>,
    pub follow_up: FollowUp,
    pub responses: Responses,
    pub recognition: Recognition,
    #[autosurgeon(missing = "Option::default")]
    pub completed_at: Option<i64>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub completed_by: Option<PersonId>,
    #[autosurgeon(missing = "Option::default")]
    pub closed_at: Option<i64>,
    pub amendments: Vec<Amendment>,
    /// What moderation concluded about this audit (R-MOD-2, R-MOD-3).
    #[autosurgeon(missing = "Option::default")]
    pub moderated: Option<ModeratedOutcome>,
    /// R-MOD-5: moderated Inadequate, so the case goes on to re-audit.
    #[autosurgeon(missing = "Default::default")]
    pub reaudit_required: bool,
    /// On a re-audit: what it re-audits and its auditor's own check of the
    /// action plan (R-REAUDIT-1), and the CPP member beside the Cabinet
    /// Member (R-REAUDIT-3).
    #[autosurgeon(missing = "Option::default")]
    pub reaudit: Option<ReAuditOf>,
}

/// A re-audit's link to the audit it re-audits.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ReAuditOf {
    /// The re-audited audit.
    pub original: DocumentId,
    /// R-REAUDIT-3: the CPP member re-auditing side by side with the Cabinet
    /// Member, named on the record itself.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub alongside: Option<PersonId>,
    #[autosurgeon(missing = "Option::default")]
    pub alongside_name: Option<String>,
    /// R-REAUDIT-1: the re-auditor's answer, from the case file, to "is
    /// the original audit's action plan complete?". Asked, never inferred
    /// from actions ticked done: the ticks are the auditor's, the check is
    /// the Head of Service's.
    #[autosurgeon(missing = "Option::default")]
    pub action_plan_complete: Option<bool>,
}

/// The outcome of a moderation or a panel, written back to the audit.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ModeratedOutcome {
    pub by: ModeratedBy,
    /// The moderation or panel document.
    pub record: DocumentId,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub audit_quality: Option<Grade>,
    pub no_consensus: bool,
    pub recorded_at: i64,
}

/// Writes a moderation's outcome into the audit (and flags re-audit when
/// the moderated grade is Inadequate, R-MOD-5).
pub fn record_moderation<T: autosurgeon::Doc>(
    tx: &mut T,
    outcome: &ModeratedOutcome,
) -> Result<(), DocumentError> {
    autosurgeon::reconcile_prop(tx, ROOT, "moderated", Some(outcome))?;
    let inadequate = outcome.grade == Some(Grade::Inadequate);
    tx.put(ROOT, "reaudit_required", inadequate)?;
    Ok(())
}

/// Who and what the audit is about. Names are copied in so the record reads
/// the same offline and in years to come.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Header {
    pub case: CaseRef,
    pub cohort: Cohort,
    pub theme: String,
    pub team: TeamId,
    pub team_name: String,
    pub practitioner: PersonId,
    pub practitioner_name: String,
    pub team_manager: PersonId,
    pub team_manager_name: String,
    pub auditor: PersonId,
    pub auditor_name: String,
    /// None where the team had no Head of Service when the audit was
    /// allocated (stored blank, as it always was).
    #[autosurgeon(with = "crate::org::ids::blank_as_none")]
    pub head_of_service: Option<PersonId>,
    pub head_of_service_name: String,
    /// What kind of audit (themed, bespoke, re-audit…).
    pub audit_kind: AuditKind,
    #[autosurgeon(with = "day")]
    pub allocated_on: NaiveDate,
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub meeting_on: Option<NaiveDate>,
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub period_from: Option<NaiveDate>,
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub period_to: Option<NaiveDate>,
    /// R-ALLOC-5: the day suggested for the audit work (ISO date), when the
    /// monthly allocation gave one.
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub suggested_day: Option<NaiveDate>,
    /// The CPP's notes on the month's theme (what to look for and why),
    /// copied in at allocation so the auditor reads them offline.
    #[autosurgeon(missing = "Option::default")]
    pub theme_notes: Option<String>,
}

impl Header {
    /// The parties of the audit as its registration names them, read from
    /// the header (for a device that has the document but asks who may
    /// write what).
    pub fn parties(&self) -> Option<crate::access::Parties> {
        Some(crate::access::Parties::Audit {
            case: self.case.clone(),
            team: self.team.clone(),
            practitioner: self.practitioner.clone(),
            auditor: self.auditor.clone(),
            moderators: Vec::new(),
            dispute_holders: Vec::new(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Section {
    #[key]
    pub id: String,
    pub title: String,
    pub questions: Vec<Question>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
    pub reason: Text,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Question {
    #[key]
    pub id: String,
    /// The wording as it was when the audit started.
    pub text: String,
    pub hint: String,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub answer: Option<Answer>,
    pub evidence: Text,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Judgement {
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
    pub reason: Text,
}

closed_set! {
    /// Where a recommended action stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ActionStatus: "action status", shown by label {
        Open = "open", "Open";
        Done = "done", "Done";
    }
}

closed_set! {
    /// Who was consulted for the audit (R-AUDIT-6).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Consulted: "who was consulted", shown by label {
        Child = "child", "The child";
        Carers = "carers", "Parents or carers";
        Both = "both", "The child and their carers";
        NoOne = "none", "No one was consulted";
    }
}

/// A recommended action (R-AUDIT-4).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ActionItem {
    #[key]
    pub id: String,
    pub what: Text,
    /// Who owns the action; none until someone is named (stored blank).
    #[autosurgeon(with = "crate::org::ids::blank_as_none")]
    pub owner: Option<PersonId>,
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
}

/// Family feedback (R-AUDIT-6).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct FamilyFeedback {
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub consulted: Option<Consulted>,
    /// The allocated worker was consulted before the family was contacted.
    pub worker_consulted_first: bool,
    pub how: Text,
    pub said: Text,
}

/// A safety concern raised during the audit (R-AUDIT-5). Entries are only
/// ever added.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct SafetyAlert {
    #[key]
    pub id: String,
    pub raised_by: PersonId,
    /// Unix seconds.
    pub raised_at: i64,
    pub concern: String,
    /// Who was alerted (the Head of Service's name) and when, once the
    /// server has delivered it.
    #[autosurgeon(missing = "Option::default")]
    pub alerted: Option<String>,
    #[autosurgeon(missing = "Option::default")]
    pub alerted_at: Option<i64>,
}

/// One stage of the disagreement path (R-AUDIT-8).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct DisagreementStage {
    #[key]
    pub id: String,
    /// 1, 2 or 3.
    pub stage: u64,
    pub opened_by: PersonId,
    pub opened_at: i64,
    /// The name of who holds this stage (the auditor, the CPP worker
    /// allocated, the Head of Service for Safeguarding, Practice and QA);
    /// empty while the CPP has still to allocate a worker.
    pub held_by: String,
    /// Their person id.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub holder: Option<PersonId>,
    /// Who allocated the holder (the CPP, at stage 2), and when.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub allocated_by: Option<PersonId>,
    #[autosurgeon(missing = "Option::default")]
    pub allocated_at: Option<i64>,
    /// What is disagreed with, in the words of whoever opened the stage.
    pub concern: Text,
    pub outcome: Text,
    #[autosurgeon(missing = "Option::default")]
    pub closed_at: Option<i64>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub closed_by: Option<PersonId>,
    pub resolved: bool,
}

/// The check two weeks after completion (R-AUDIT-7).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct FollowUp {
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub due_on: Option<NaiveDate>,
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub done_on: Option<NaiveDate>,
    #[autosurgeon(missing = "Option::default", hydrate = "yes_no")]
    pub actions_complete: Option<bool>,
    pub case_note: Text,
    /// Practitioner and manager told about unfinished actions (by the
    /// server, which sends them the message).
    pub contacted: bool,
    #[autosurgeon(missing = "Option::default")]
    pub contacted_at: Option<i64>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub contacted_by: Option<PersonId>,
}

/// Reads a yes-or-no answer: true or false, or the words "yes" and "no"
/// that an earlier build wrote, so the audits it touched still open.
fn yes_no<D: autosurgeon::ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: autosurgeon::Prop<'_>,
) -> Result<Option<bool>, autosurgeon::HydrateError> {
    struct YesNo(Option<bool>);
    impl Hydrate for YesNo {
        fn hydrate_bool(b: bool) -> Result<Self, autosurgeon::HydrateError> {
            Ok(YesNo(Some(b)))
        }
        fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
            match s {
                "yes" => Ok(YesNo(Some(true))),
                "no" => Ok(YesNo(Some(false))),
                "" => Ok(YesNo(None)),
                other => Err(autosurgeon::HydrateError::unexpected(
                    "yes or no",
                    other.to_string(),
                )),
            }
        }
        fn hydrate_none() -> Result<Self, autosurgeon::HydrateError> {
            Ok(YesNo(None))
        }
    }
    autosurgeon::hydrate_prop::<_, YesNo, _, _>(doc, obj, prop).map(|y| y.0)
}

/// The "support and challenge" conversations (R-AUDIT-9).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Responses {
    /// The manager with the practitioner.
    pub practitioner: Conversation,
    /// The Service Manager with the Team Manager.
    pub manager: Conversation,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Conversation {
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub held_on: Option<NaiveDate>,
    /// Who held the conversation.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub held_by: Option<PersonId>,
    pub notes: Text,
}

/// Good practice to recognise (R-AUDIT-10).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Recognition {
    pub good_practice: Text,
    #[autosurgeon(missing = "Option::default")]
    pub sent_at: Option<i64>,
}

/// An edit made after completion (R-AUDIT-11).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Amendment {
    pub at: i64,
    pub by: PersonId,
    /// Which fields changed (field paths).
    pub fields: String,
}

/// Everything needed to start an audit.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub header: Header,
    pub cohort: Cohort,
    /// Set when the audit is a re-audit.
    pub reaudit: Option<ReAuditOf>,
}

fn empty_text() -> Text {
    Text::from("")
}

/// A new audit from a template, as the value its document starts with: the
/// template's questions for the case's cohort are copied in, so the audit
/// keeps its template version.
pub fn new_audit_value(template: &AuditTemplate, new: &NewAudit) -> AuditDoc {
    let sections = template
        .sections
        .iter()
        .map(|s| Section {
            id: s.id.clone(),
            title: s.title.clone(),
            questions: template
                .questions_for(s, new.cohort)
                .map(|q| Question {
                    id: q.id.clone(),
                    text: q.text.clone(),
                    hint: q.hint.clone(),
                    answer: None,
                    evidence: empty_text(),
                })
                .collect(),
            grade: None,
            reason: empty_text(),
        })
        .collect();
    let conversation = || Conversation {
        held_on: None,
        held_by: None,
        notes: empty_text(),
    };
    AuditDoc {
        kind: DocKind::Audit.code().to_string(),
        schema: AUDIT_SCHEMA,
        template_id: template.id.clone(),
        template_version: u64::from(template.version),
        header: new.header.clone(),
        sections,
        overall: Judgement {
            grade: None,
            reason: empty_text(),
        },
        strengths: empty_text(),
        development: empty_text(),
        strength_themes: BTreeMap::new(),
        development_themes: BTreeMap::new(),
        actions: Vec::new(),
        stretch_practitioner: empty_text(),
        stretch_manager: empty_text(),
        family: FamilyFeedback {
            consulted: None,
            worker_consulted_first: false,
            how: empty_text(),
            said: empty_text(),
        },
        safety_alerts: Vec::new(),
        disagreement: Vec::new(),
        follow_up: FollowUp {
            due_on: None,
            done_on: None,
            actions_complete: None,
            case_note: empty_text(),
            contacted: false,
            contacted_at: None,
            contacted_by: None,
        },
        responses: Responses {
            practitioner: conversation(),
            manager: conversation(),
        },
        recognition: Recognition {
            good_practice: empty_text(),
            sent_at: None,
        },
        completed_at: None,
        completed_by: None,
        closed_at: None,
        amendments: Vec::new(),
        moderated: None,
        reaudit_required: false,
        reaudit: new.reaudit.clone(),
    }
}

/// A new audit document from a template (see [`new_audit_value`]).
pub fn new_audit(
    template: &AuditTemplate,
    new: &NewAudit,
    created_by: &str,
    time_secs: i64,
) -> Result<automerge::Automerge, DocumentError> {
    new_audit_value(template, new).create(created_by, time_secs)
}

impl Record for AuditDoc {
    const KIND: DocKind = DocKind::Audit;
}

/// Reads an audit, if the document is one.
pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<AuditDoc> {
    AuditDoc::read(doc)
}

/// Paths of the audit's fields, as the screens address them: every map
/// and text the screens edit, one function each (a test resolves every one
/// on a new audit). Scalars are set by key on the map that holds them.
pub mod path {
    use super::*;

    /// Who wrote the support-and-challenge conversation (R-AUDIT-9).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Conversation {
        /// The manager with the practitioner.
        Practitioner,
        /// The Service Manager with the Team Manager.
        Manager,
    }

    impl Conversation {
        pub fn key(self) -> &'static str {
            match self {
                Conversation::Practitioner => "practitioner",
                Conversation::Manager => "manager",
            }
        }
    }

    pub fn root() -> FieldPath {
        FieldPath::root()
    }

    pub fn header() -> FieldPath {
        FieldPath::key("header")
    }

    pub fn overall() -> FieldPath {
        FieldPath::key("overall")
    }

    pub fn overall_reason() -> FieldPath {
        overall().then_key("reason")
    }

    pub fn strengths() -> FieldPath {
        FieldPath::key("strengths")
    }

    pub fn development() -> FieldPath {
        FieldPath::key("development")
    }

    pub fn stretch_practitioner() -> FieldPath {
        FieldPath::key("stretch_practitioner")
    }

    pub fn stretch_manager() -> FieldPath {
        FieldPath::key("stretch_manager")
    }

    pub fn family() -> FieldPath {
        FieldPath::key("family")
    }

    pub fn family_how() -> FieldPath {
        family().then_key("how")
    }

    pub fn family_said() -> FieldPath {
        family().then_key("said")
    }

    pub fn follow_up() -> FieldPath {
        FieldPath::key("follow_up")
    }

    pub fn follow_up_case_note() -> FieldPath {
        follow_up().then_key("case_note")
    }

    pub fn conversation(which: Conversation) -> FieldPath {
        FieldPath::key("responses").then_key(which.key())
    }

    pub fn conversation_notes(which: Conversation) -> FieldPath {
        conversation(which).then_key("notes")
    }

    pub fn good_practice() -> FieldPath {
        FieldPath::key("recognition").then_key("good_practice")
    }

    /// On a re-audit: its link to the audit it re-audits.
    pub fn reaudit() -> FieldPath {
        FieldPath::key("reaudit")
    }

    pub fn safety_alert(id: &str) -> FieldPath {
        FieldPath::key("safety_alerts").then_item(id)
    }

    pub fn section_reason(id: &str) -> FieldPath {
        section(id).then_key("reason")
    }

    pub fn evidence(section_id: &str, question_id: &str) -> FieldPath {
        question(section_id, question_id).then_key("evidence")
    }

    pub fn action_what(id: &str) -> FieldPath {
        action(id).then_key("what")
    }

    pub fn stage_concern(id: &str) -> FieldPath {
        stage(id).then_key("concern")
    }

    pub fn stage_outcome(id: &str) -> FieldPath {
        stage(id).then_key("outcome")
    }

    pub fn section(id: &str) -> FieldPath {
        FieldPath::key("sections").then_item(id)
    }

    pub fn question(section_id: &str, question_id: &str) -> FieldPath {
        section(section_id)
            .then_key("questions")
            .then_item(question_id)
    }

    pub fn action(id: &str) -> FieldPath {
        FieldPath::key("actions").then_item(id)
    }

    pub fn stage(id: &str) -> FieldPath {
        FieldPath::key("disagreement").then_item(id)
    }
}

pub use crate::document::fields::set_scalar;

fn list_at<T: ReadDoc>(tx: &T, key: &str) -> Result<automerge::ObjId, DocumentError> {
    FieldPath(vec![Step::Key(key.to_string())])
        .resolve(tx)
        .map(|(id, _)| id)
        .ok_or_else(|| DocumentError::Missing(format!("list `{key}`")))
}

/// Adds a recommended action (owner and due date set by the auditor).
pub fn add_action<T: Transactable + ReadDoc>(
    tx: &mut T,
    id: &str,
    owner: &str,
    due_on: Option<NaiveDate>,
) -> Result<(), DocumentError> {
    let list = list_at(tx, "actions")?;
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "id", id)?;
    tx.put_object(&item, "what", ObjType::Text)?;
    tx.put(&item, "owner", owner)?;
    match due_on {
        Some(d) => tx.put(&item, "due_on", d.to_string())?,
        None => tx.put(&item, "due_on", ScalarValue::Null)?,
    }
    tx.put(&item, "status", ActionStatus::Open.code())?;
    Ok(())
}

/// Records a safety concern (R-AUDIT-5): entries are only ever added.
pub fn add_safety_alert<T: Transactable + ReadDoc>(
    tx: &mut T,
    alert: &SafetyAlert,
) -> Result<(), DocumentError> {
    let list = list_at(tx, "safety_alerts")?;
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "id", alert.id.as_str())?;
    tx.put(&item, "raised_by", alert.raised_by.as_str())?;
    tx.put(&item, "raised_at", alert.raised_at)?;
    tx.put(&item, "concern", alert.concern.as_str())?;
    tx.put(&item, "alerted", ScalarValue::Null)?;
    tx.put(&item, "alerted_at", ScalarValue::Null)?;
    Ok(())
}

/// Opens the next stage of the disagreement path (R-AUDIT-8).
pub fn open_stage<T: Transactable + ReadDoc>(
    tx: &mut T,
    stage: u64,
    opened_by: &str,
    opened_at: i64,
    holder: Option<(&str, &str)>,
) -> Result<(), DocumentError> {
    let list = list_at(tx, "disagreement")?;
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "id", format!("stage-{stage}"))?;
    tx.put(&item, "stage", stage)?;
    tx.put(&item, "opened_by", opened_by)?;
    tx.put(&item, "opened_at", opened_at)?;
    match holder {
        Some((id, name)) => {
            tx.put(&item, "held_by", name)?;
            tx.put(&item, "holder", id)?;
        }
        None => {
            tx.put(&item, "held_by", "")?;
            tx.put(&item, "holder", ScalarValue::Null)?;
        }
    }
    tx.put_object(&item, "concern", ObjType::Text)?;
    tx.put_object(&item, "outcome", ObjType::Text)?;
    tx.put(&item, "closed_at", ScalarValue::Null)?;
    tx.put(&item, "resolved", false)?;
    Ok(())
}

/// Notes an edit made after completion (R-AUDIT-11).
pub fn add_amendment<T: Transactable + ReadDoc>(
    tx: &mut T,
    amendment: &Amendment,
) -> Result<(), DocumentError> {
    let list = list_at(tx, "amendments")?;
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "at", amendment.at)?;
    tx.put(&item, "by", amendment.by.as_str())?;
    tx.put(&item, "fields", amendment.fields.as_str())?;
    Ok(())
}
