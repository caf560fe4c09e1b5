//! The DRP alert as an Automerge document. The concern and the notes of
//! each stage are `Text`, typed on the IRO's tablet and merged like any
//! other text; stages are only ever added.

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue};
use autosurgeon::{Hydrate, Reconcile, Text};
use chrono::NaiveDate;

use super::{DrpCategory, DrpOutcome};
use crate::closed_set::chosen;
use crate::document::date::{day, maybe_day};
use crate::document::text::FieldPath;
use crate::document::{DocKind, DocumentError, Record};
use crate::org::{CaseRef, Cohort, PersonId, TeamId};

pub const DRP_SCHEMA: u64 = 1;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct DrpDoc {
    pub kind: String,
    pub schema: u64,
    pub case: CaseRef,
    pub cohort: Cohort,
    pub team: TeamId,
    pub team_name: String,
    /// The IRO who raised it.
    pub iro: PersonId,
    pub iro_name: String,
    #[autosurgeon(with = "day")]
    pub raised_on: NaiveDate,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub category: Option<DrpCategory>,
    /// What the IRO is challenging.
    pub concern: Text,
    /// Stage 1 from the start; later stages as the alert is escalated.
    pub stages: Vec<DrpStage>,
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub resolved_on: Option<NaiveDate>,
    /// How it ended, once it has.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub outcome: Option<DrpOutcome>,
    /// How it ended, in the IRO's words.
    pub resolution: Text,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct DrpStage {
    #[key]
    pub id: String,
    /// 1 to 4.
    pub stage: u64,
    /// The day the alert reached this stage.
    #[autosurgeon(with = "day")]
    pub reached_on: NaiveDate,
    pub notes: Text,
}

/// Everything needed to raise an alert.
#[derive(Debug, Clone)]
pub struct NewDrpAlert {
    pub case: CaseRef,
    pub cohort: Cohort,
    pub team: (TeamId, String),
    pub iro: (PersonId, String),
    pub raised_on: NaiveDate,
    pub category: Option<DrpCategory>,
}

pub fn new_drp_alert(
    new: &NewDrpAlert,
    by: &str,
    at: i64,
) -> Result<automerge::Automerge, DocumentError> {
    let doc = DrpDoc {
        kind: DocKind::DrpAlert.code().into(),
        schema: DRP_SCHEMA,
        case: new.case.clone(),
        cohort: new.cohort,
        team: new.team.0.clone(),
        team_name: new.team.1.clone(),
        iro: new.iro.0.clone(),
        iro_name: new.iro.1.clone(),
        raised_on: new.raised_on,
        category: new.category,
        concern: Text::from(""),
        stages: vec![DrpStage {
            id: "stage-1".into(),
            stage: 1,
            reached_on: new.raised_on,
            notes: Text::from(""),
        }],
        resolved_on: None,
        outcome: None,
        resolution: Text::from(""),
    };
    doc.create(by, at)
}

/// Paths of the alert's fields, as the screens address them.
pub mod path {
    use crate::document::text::FieldPath;

    pub fn root() -> FieldPath {
        FieldPath::root()
    }

    pub fn concern() -> FieldPath {
        FieldPath::key("concern")
    }

    pub fn resolution() -> FieldPath {
        FieldPath::key("resolution")
    }
}

impl Record for DrpDoc {
    const KIND: DocKind = DocKind::DrpAlert;
}

pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<DrpDoc> {
    DrpDoc::read(doc)
}

impl DrpDoc {
    /// The highest stage reached (1 to 4).
    pub fn stage(&self) -> u64 {
        self.stages.iter().map(|s| s.stage).max().unwrap_or(1)
    }

    /// Ended, one way or another.
    pub fn ended(&self) -> bool {
        self.outcome.is_some() && self.resolved_on.is_some()
    }

    /// Days from raising to ending, once ended.
    pub fn days_open(&self) -> Option<i64> {
        Some((self.resolved_on? - self.raised_on).num_days())
    }
}

/// Why an alert cannot move on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrpError {
    #[error("the alert has ended")]
    Ended,
    #[error("stage 4 is the last stage")]
    LastStage,
    #[error("the date is before the alert reached its current stage")]
    BeforeCurrentStage,
}

/// Why a change to an alert was not made.
#[derive(Debug, thiserror::Error)]
pub enum DrpChangeError {
    #[error(transparent)]
    Rule(#[from] DrpError),
    #[error("the alert could not be changed: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the alert has no list of stages")]
    NoStages,
}

/// The next stage an escalation would reach.
pub fn next_stage(doc: &DrpDoc) -> Result<u64, DrpError> {
    if doc.ended() {
        return Err(DrpError::Ended);
    }
    match doc.stage() {
        n if n >= 4 => Err(DrpError::LastStage),
        n => Ok(n + 1),
    }
}

fn current_stage_date(doc: &DrpDoc) -> Option<NaiveDate> {
    doc.stages
        .iter()
        .max_by_key(|s| s.stage)
        .map(|s| s.reached_on)
}

/// Escalates the alert to its next stage on `on`.
pub fn escalate<T: Transactable + ReadDoc>(
    tx: &mut T,
    doc: &DrpDoc,
    on: NaiveDate,
) -> Result<u64, DrpChangeError> {
    let stage = next_stage(doc)?;
    if current_stage_date(doc).is_some_and(|d| on < d) {
        return Err(DrpError::BeforeCurrentStage.into());
    }
    let (list, _) = FieldPath::key("stages")
        .resolve(tx)
        .ok_or(DrpChangeError::NoStages)?;
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "id", format!("stage-{stage}"))?;
    tx.put(&item, "stage", stage)?;
    tx.put(&item, "reached_on", on.to_string())?;
    tx.put_object(&item, "notes", ObjType::Text)?;
    Ok(stage)
}

/// Ends the alert on `on` with `outcome`.
pub fn end<T: Transactable + ReadDoc>(
    tx: &mut T,
    doc: &DrpDoc,
    outcome: DrpOutcome,
    on: NaiveDate,
) -> Result<(), DrpChangeError> {
    if doc.ended() {
        return Err(DrpError::Ended.into());
    }
    if current_stage_date(doc).is_some_and(|d| on < d) {
        return Err(DrpError::BeforeCurrentStage.into());
    }
    tx.put(automerge::ROOT, "outcome", outcome.code())?;
    tx.put(automerge::ROOT, "resolved_on", on.to_string())?;
    Ok(())
}

/// Reopens an alert ended by mistake.
pub fn reopen<T: Transactable + ReadDoc>(tx: &mut T) -> Result<(), DrpChangeError> {
    tx.put(automerge::ROOT, "outcome", ScalarValue::Null)?;
    tx.put(automerge::ROOT, "resolved_on", ScalarValue::Null)?;
    Ok(())
}

/// Where a stage's notes live, for the screens.
pub fn stage_notes_path(stage: u64) -> FieldPath {
    FieldPath::key("stages")
        .then_item(&format!("stage-{stage}"))
        .then_key("notes")
}
