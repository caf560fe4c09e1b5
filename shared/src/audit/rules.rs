//! The audit's rules (DOMAIN.md §3) as plain functions. Dates come in as
//! arguments (an injectable clock); the numbers are a council's settings.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::document::{AuditDoc, Consulted, DisagreementStage, Header};
use super::grade::Grade;
use crate::org::{Organisation, PersonId, Role};

/// A council's audit settings; the framework's numbers by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPolicy {
    /// R-AUDIT-2: days between allocation and the joint meeting, at least.
    pub meeting_min_days: i64,
    /// R-AUDIT-7: days from completion to the follow-up check.
    pub follow_up_days: i64,
}

impl Default for AuditPolicy {
    fn default() -> Self {
        AuditPolicy {
            meeting_min_days: 7,
            follow_up_days: 14,
        }
    }
}

/// R-AUDIT-2: the first day the audit meeting may be held.
pub fn earliest_meeting(policy: &AuditPolicy, allocated_on: NaiveDate) -> NaiveDate {
    allocated_on + Duration::days(policy.meeting_min_days)
}

/// R-AUDIT-2: the meeting is at least `meeting_min_days` after allocation.
pub fn meeting_date_allowed(
    policy: &AuditPolicy,
    allocated_on: NaiveDate,
    meeting_on: NaiveDate,
) -> Result<(), NaiveDate> {
    let earliest = earliest_meeting(policy, allocated_on);
    if meeting_on >= earliest {
        Ok(())
    } else {
        Err(earliest)
    }
}

/// Something missing before an audit can be completed, and where to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    MeetingNotBooked,
    MeetingTooSoon {
        earliest: NaiveDate,
    },
    MeetingNotHeld {
        on: NaiveDate,
    },
    Unanswered {
        section: String,
        title: String,
        count: usize,
    },
    SectionGrade {
        section: String,
        title: String,
    },
    SectionReason {
        section: String,
        title: String,
    },
    OverallGrade,
    OverallReason,
    PractitionerStretchTarget,
    ManagerStretchTarget,
    ActionsNeeded {
        grade: Grade,
    },
    ActionIncomplete {
        action: String,
    },
    FamilyFeedback,
    WorkerNotConsultedFirst,
    /// A re-audit whose auditor has not said whether the re-audited
    /// audit's action plan is complete (R-REAUDIT-1).
    ActionPlanUnchecked,
}

impl Blocker {
    /// What the auditor is told.
    pub fn message(&self) -> String {
        match self {
            Blocker::MeetingNotBooked => "Book the joint meeting with the practitioner".into(),
            Blocker::MeetingTooSoon { earliest } => format!(
                "The joint meeting must be at least 7 days after allocation: on or after {}",
                earliest.format("%-d %B %Y")
            ),
            Blocker::MeetingNotHeld { on } => format!(
                "The joint meeting is booked for {}: complete the audit after it",
                on.format("%-d %B %Y")
            ),
            Blocker::Unanswered { title, count, .. } => format!(
                "{title}: answer {count} more question{}",
                if *count == 1 { "" } else { "s" }
            ),
            Blocker::SectionGrade { title, .. } => format!("{title}: choose a grade"),
            Blocker::SectionReason { title, .. } => format!("{title}: give the reason for the grade"),
            Blocker::OverallGrade => "Choose the overall grade".into(),
            Blocker::OverallReason => "Give the reason for the overall grade".into(),
            Blocker::PractitionerStretchTarget => {
                "Set a stretch target for the practitioner (every audit has one, whatever the grade)"
                    .into()
            }
            Blocker::ManagerStretchTarget => {
                "Set a stretch target for the manager (every audit has one, whatever the grade)"
                    .into()
            }
            Blocker::ActionsNeeded { grade } => format!(
                "An audit graded {} needs at least one recommended action",
                grade.label()
            ),
            Blocker::ActionIncomplete { .. } => {
                "Every recommended action needs what is to be done, an owner and a due date".into()
            }
            Blocker::FamilyFeedback => {
                "Record whether the child or carers were consulted for the audit".into()
            }
            Blocker::WorkerNotConsultedFirst => {
                "Confirm the allocated worker was consulted before the family was contacted".into()
            }
            Blocker::ActionPlanUnchecked => {
                "Say whether the action plan of the audit you are re-auditing is complete".into()
            }
        }
    }

    /// The part of the audit to go to: a section id, or a summary part.
    pub fn part(&self) -> &str {
        match self {
            Blocker::MeetingNotBooked
            | Blocker::MeetingTooSoon { .. }
            | Blocker::MeetingNotHeld { .. } => "details",
            Blocker::Unanswered { section, .. }
            | Blocker::SectionGrade { section, .. }
            | Blocker::SectionReason { section, .. } => section,
            Blocker::OverallGrade | Blocker::OverallReason => "judgement",
            Blocker::PractitionerStretchTarget
            | Blocker::ManagerStretchTarget
            | Blocker::ActionsNeeded { .. }
            | Blocker::ActionIncomplete { .. } => "actions",
            Blocker::FamilyFeedback | Blocker::WorkerNotConsultedFirst => "family",
            Blocker::ActionPlanUnchecked => "details",
        }
    }
}

fn blank(text: &autosurgeon::Text) -> bool {
    text.as_str().trim().is_empty()
}

/// "My work": an open audit is on its auditor's list of audits they are
/// doing. Closed audits are done with and leave every list.
pub fn on_my_audits(audit: &AuditDoc, person: &PersonId, today: NaiveDate) -> bool {
    audit.header.auditor == *person && stage(audit, today) != Stage::Closed
}

/// "My work": an open audit of someone's own work (they hold the case) or
/// their team's (they manage it) is on their list of audits of their work.
pub fn on_audits_of_my_work(audit: &AuditDoc, person: &PersonId, today: NaiveDate) -> bool {
    let h = &audit.header;
    (h.practitioner == *person || h.team_manager == *person) && stage(audit, today) != Stage::Closed
}

/// Who edits an audit's findings (answers, grades, evidence, actions): its
/// auditor, and the CPP, who run quality assurance. Everyone else reads
/// them, writing only what the write rules give them (their own
/// conversation, a disagreement stage they hold).
pub fn edits_findings(header: &Header, person: &PersonId, roles: &[Role]) -> bool {
    header.auditor == *person || crate::org::works_in_cpp(roles)
}

/// The grade of the overall judgement, if chosen.
pub fn overall_grade(audit: &AuditDoc) -> Option<Grade> {
    audit.overall.grade
}

/// R-MOD-5: the grade the audit stands at. A moderation or a panel that
/// reached a grade replaces the auditor's (moderated down to Inadequate,
/// the case goes to re-audit; moderated up, it no longer does); a panel
/// without consensus leaves the auditor's grade standing.
pub fn standing_grade(audit: &AuditDoc) -> Option<Grade> {
    audit
        .moderated
        .as_ref()
        .filter(|m| !m.no_consensus)
        .and_then(|m| m.grade)
        .or_else(|| overall_grade(audit))
}

/// Why an audit cannot be completed yet; empty when it can.
///
/// R-AUDIT-1 (a grade and its reason for every section and overall),
/// R-AUDIT-2 (the meeting, at least 7 days after allocation, has happened),
/// R-AUDIT-3 (both stretch targets, whatever the grade), R-AUDIT-4 (actions
/// with owner and due date; at least one when RI or Inadequate), R-AUDIT-6
/// (family feedback recorded, worker consulted first).
pub fn completion_blockers(
    audit: &AuditDoc,
    policy: &AuditPolicy,
    today: NaiveDate,
) -> Vec<Blocker> {
    let mut blockers = Vec::new();
    match audit.header.meeting_on {
        None => blockers.push(Blocker::MeetingNotBooked),
        Some(meeting) => {
            if let Err(earliest) = meeting_date_allowed(policy, audit.header.allocated_on, meeting)
            {
                blockers.push(Blocker::MeetingTooSoon { earliest });
            } else if meeting > today {
                blockers.push(Blocker::MeetingNotHeld { on: meeting });
            }
        }
    }
    for section in &audit.sections {
        let unanswered = section
            .questions
            .iter()
            .filter(|q| q.answer.is_none())
            .count();
        if unanswered > 0 {
            blockers.push(Blocker::Unanswered {
                section: section.id.clone(),
                title: section.title.clone(),
                count: unanswered,
            });
        }
        if section.grade.is_none() {
            blockers.push(Blocker::SectionGrade {
                section: section.id.clone(),
                title: section.title.clone(),
            });
        }
        if blank(&section.reason) {
            blockers.push(Blocker::SectionReason {
                section: section.id.clone(),
                title: section.title.clone(),
            });
        }
    }
    let overall = overall_grade(audit);
    if overall.is_none() {
        blockers.push(Blocker::OverallGrade);
    }
    if blank(&audit.overall.reason) {
        blockers.push(Blocker::OverallReason);
    }
    if blank(&audit.stretch_practitioner) {
        blockers.push(Blocker::PractitionerStretchTarget);
    }
    if blank(&audit.stretch_manager) {
        blockers.push(Blocker::ManagerStretchTarget);
    }
    if let Some(grade) = overall
        && grade.needs_actions()
        && audit.actions.is_empty()
    {
        blockers.push(Blocker::ActionsNeeded { grade });
    }
    for action in &audit.actions {
        if blank(&action.what) || action.owner.is_none() || action.due_on.is_none() {
            blockers.push(Blocker::ActionIncomplete {
                action: action.id.clone(),
            });
        }
    }
    match audit.family.consulted {
        None => blockers.push(Blocker::FamilyFeedback),
        Some(Consulted::NoOne) => {}
        Some(_) if !audit.family.worker_consulted_first => {
            blockers.push(Blocker::WorkerNotConsultedFirst)
        }
        Some(_) => {}
    }
    if audit
        .reaudit
        .as_ref()
        .is_some_and(|r| r.action_plan_complete.is_none())
    {
        blockers.push(Blocker::ActionPlanUnchecked);
    }
    blockers
}

/// R-AUDIT-7: the follow-up falls due `follow_up_days` after completion.
pub fn follow_up_due(policy: &AuditPolicy, completed_on: NaiveDate) -> NaiveDate {
    completed_on + Duration::days(policy.follow_up_days)
}

/// R-AUDIT-7: a follow-up not done by its due date is overdue.
pub fn follow_up_overdue(audit: &AuditDoc, today: NaiveDate) -> bool {
    audit.follow_up.done_on.is_none() && audit.follow_up.due_on.is_some_and(|due| today > due)
}

/// The three stages of the disagreement path (R-AUDIT-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisagreementPath {
    /// 1: practitioner and auditor discuss.
    Discussion,
    /// 2: the CPP allocates a worker for a restorative conversation.
    RestorativeConversation,
    /// 3: escalation to the Head of Service for Safeguarding, Practice and QA.
    Escalation,
}

impl DisagreementPath {
    pub fn number(self) -> u64 {
        match self {
            DisagreementPath::Discussion => 1,
            DisagreementPath::RestorativeConversation => 2,
            DisagreementPath::Escalation => 3,
        }
    }

    pub fn of(number: u64) -> Option<DisagreementPath> {
        match number {
            1 => Some(DisagreementPath::Discussion),
            2 => Some(DisagreementPath::RestorativeConversation),
            3 => Some(DisagreementPath::Escalation),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DisagreementPath::Discussion => "Stage 1: practitioner and auditor discuss",
            DisagreementPath::RestorativeConversation => {
                "Stage 2: restorative conversation with a CPP worker"
            }
            DisagreementPath::Escalation => {
                "Stage 3: escalation to the Head of Service for Safeguarding, Practice and QA"
            }
        }
    }
}

impl DisagreementPath {
    /// The button that opens this stage.
    pub fn action(self) -> &'static str {
        match self {
            DisagreementPath::Discussion => "Record a disagreement",
            DisagreementPath::RestorativeConversation => {
                "Go to stage 2: a restorative conversation with a CPP worker"
            }
            DisagreementPath::Escalation => {
                "Go to stage 3: escalate to the Head of Service for Safeguarding, Practice and QA"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisagreementError {
    #[error("a disagreement is about findings: the audit is not completed yet")]
    NotCompleted,
    #[error("the current stage is still open")]
    StageOpen,
    #[error("the disagreement was resolved")]
    Resolved,
    #[error("all three stages have been used")]
    NoFurtherStage,
}

/// R-AUDIT-8: the stage a new disagreement step would open: stage 1 first,
/// then the next only once the previous closed unresolved; never beyond 3.
pub fn next_disagreement_stage(audit: &AuditDoc) -> Result<DisagreementPath, DisagreementError> {
    if audit.completed_at.is_none() {
        return Err(DisagreementError::NotCompleted);
    }
    let last: Option<&DisagreementStage> = audit.disagreement.iter().max_by_key(|s| s.stage);
    match last {
        None => Ok(DisagreementPath::Discussion),
        Some(s) if s.closed_at.is_none() => Err(DisagreementError::StageOpen),
        Some(s) if s.resolved => Err(DisagreementError::Resolved),
        Some(s) => DisagreementPath::of(s.stage + 1).ok_or(DisagreementError::NoFurtherStage),
    }
}

/// Whether the audit is in dispute (a stage open, or closed unresolved
/// with a further stage to go).
pub fn disputed(audit: &AuditDoc) -> bool {
    audit
        .disagreement
        .iter()
        .max_by_key(|s| s.stage)
        .is_some_and(|s| !s.resolved)
}

/// What a person is asked to do about a disagreement stage (R-AUDIT-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeDuty {
    /// Stage 1: talk the findings through (the auditor and the practitioner).
    Discuss,
    /// Stage 2: choose the CPP worker for the restorative conversation (the
    /// CPP Service Manager).
    Allocate,
    /// Stage 2: hold the restorative conversation (the worker chosen).
    Hold,
    /// Stage 3: decide the escalation (the Head of Service for
    /// Safeguarding, Practice and QA).
    Decide,
}

impl DisputeDuty {
    pub fn code(self) -> &'static str {
        match self {
            DisputeDuty::Discuss => "discuss",
            DisputeDuty::Allocate => "allocate",
            DisputeDuty::Hold => "hold",
            DisputeDuty::Decide => "decide",
        }
    }

    pub fn title(self, stage: DisagreementPath) -> String {
        let what = match self {
            DisputeDuty::Discuss => "discuss it with the other party",
            DisputeDuty::Allocate => "allocate a CPP worker",
            DisputeDuty::Hold => "you hold the restorative conversation",
            DisputeDuty::Decide => "it is escalated to you",
        };
        format!(
            "Disagreement about an audit, stage {}: {what}",
            stage.number()
        )
    }

    /// What the person is asked, in a sentence.
    pub fn asks(self) -> &'static str {
        match self {
            DisputeDuty::Discuss => {
                "Someone disagrees with an audit's findings: the practitioner and the auditor talk it through first, and record the outcome on the audit."
            }
            DisputeDuty::Allocate => {
                "A disagreement about an audit's findings was not resolved by discussion: choose the CPP worker who will hold a restorative conversation."
            }
            DisputeDuty::Hold => {
                "You have been allocated a restorative conversation about an audit's findings: hold it and record the outcome on the audit."
            }
            DisputeDuty::Decide => {
                "A disagreement about an audit's findings has been escalated to you: you may open the audit while it is with you; record your decision on it."
            }
        }
    }
}

/// One person to tell about a disagreement stage (R-AUDIT-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeNotice {
    pub person: PersonId,
    pub stage: DisagreementPath,
    pub duty: DisputeDuty,
}

/// Whether the stages follow the path: 1, then 2, then 3, each opened only
/// once the one before closed unresolved. A path written otherwise (by a
/// device that skipped a stage) names nobody and lets nobody in.
pub fn path_followed(audit: &AuditDoc) -> bool {
    let mut stages: Vec<&DisagreementStage> = audit.disagreement.iter().collect();
    stages.sort_by_key(|s| s.stage);
    stages.iter().enumerate().all(|(i, s)| {
        s.stage == i as u64 + 1 && (i + 1 == stages.len() || (s.closed_at.is_some() && !s.resolved))
    })
}

/// The stage open now, if any (on a path that was followed).
fn current_stage(audit: &AuditDoc) -> Option<(&DisagreementStage, DisagreementPath)> {
    if !path_followed(audit) {
        return None;
    }
    let last = audit.disagreement.iter().max_by_key(|s| s.stage)?;
    if last.closed_at.is_some() {
        return None;
    }
    Some((last, DisagreementPath::of(last.stage)?))
}

/// The person holding a stage, where one is named.
pub fn stage_holder(stage: &DisagreementStage) -> Option<PersonId> {
    stage.holder.clone()
}

/// Who holds stage 3: the directory's Head of Service for Safeguarding,
/// Practice and QA.
pub fn escalation_holders(org: &Organisation) -> Vec<PersonId> {
    org.people_with_role(Role::HeadOfServiceSpqa)
        .map(|p| p.id.clone())
        .collect()
}

/// R-AUDIT-8: who must hear of the open stage, and what each is asked: at
/// stage 1 the auditor and the practitioner (not whoever opened it); at
/// stage 2 the CPP Service Manager until a worker is allocated, then that
/// worker; at stage 3 the Head of Service for Safeguarding, Practice and
/// QA. Nothing once the stage is closed.
pub fn dispute_notices(
    audit: &AuditDoc,
    practitioner: &PersonId,
    auditor: &PersonId,
    org: &Organisation,
) -> Vec<DisputeNotice> {
    let Some((open, stage)) = current_stage(audit) else {
        return Vec::new();
    };
    let tell = |people: Vec<PersonId>, duty: DisputeDuty| {
        people
            .into_iter()
            .map(|person| DisputeNotice {
                person,
                stage,
                duty,
            })
            .collect()
    };
    match stage {
        DisagreementPath::Discussion => tell(
            [auditor, practitioner]
                .into_iter()
                .filter(|p| **p != open.opened_by)
                .cloned()
                .collect(),
            DisputeDuty::Discuss,
        ),
        // Only a CPP worker holds a restorative conversation: a stage naming
        // anyone else is still waiting for the CPP to allocate one.
        DisagreementPath::RestorativeConversation => match stage_holder(open).filter(|w| {
            org.person(w)
                .is_some_and(|p| crate::org::works_in_cpp(&p.roles))
        }) {
            None => tell(
                org.people_with_role(Role::CppServiceManager)
                    .map(|p| p.id.clone())
                    .collect(),
                DisputeDuty::Allocate,
            ),
            Some(worker) => tell(vec![worker], DisputeDuty::Hold),
        },
        DisagreementPath::Escalation => tell(escalation_holders(org), DisputeDuty::Decide),
    }
}

/// R-AUDIT-8: who may open the audit because they hold its open stage and
/// would not otherwise: the Head of Service for Safeguarding, Practice and
/// QA at stage 3, whatever the case's area, as the directory names her (not
/// as the document says); nobody once it is closed. (A stage-2 worker is
/// the CPP's, who may open every audit already.)
pub fn dispute_readers(audit: &AuditDoc, org: &Organisation) -> Vec<PersonId> {
    match current_stage(audit) {
        Some((_, DisagreementPath::Escalation)) => escalation_holders(org),
        _ => Vec::new(),
    }
}

/// One of the two "support and challenge" conversations after an audit
/// (R-AUDIT-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMissing {
    /// The manager with the practitioner.
    ManagerWithPractitioner,
    /// The Service Manager with the Team Manager.
    ServiceManagerWithTeamManager,
}

impl ResponseMissing {
    pub fn label(self) -> &'static str {
        match self {
            ResponseMissing::ManagerWithPractitioner => "the manager with the practitioner",
            ResponseMissing::ServiceManagerWithTeamManager => {
                "the Service Manager with the Team Manager"
            }
        }
    }
}

/// R-AUDIT-9: the conversations not yet recorded: each is recorded with
/// the day it was held, by whoever held it (only they may write the day,
/// and the screen records them beside it; older records have the day
/// alone).
pub fn responses_missing(audit: &AuditDoc) -> Vec<ResponseMissing> {
    missing_responses(&audit.responses)
}

/// [`responses_missing`] over the conversations alone.
pub fn missing_responses(responses: &super::document::Responses) -> Vec<ResponseMissing> {
    let held = |c: &super::document::Conversation| c.held_on.is_some();
    let mut missing = Vec::new();
    if !held(&responses.practitioner) {
        missing.push(ResponseMissing::ManagerWithPractitioner);
    }
    if !held(&responses.manager) {
        missing.push(ResponseMissing::ServiceManagerWithTeamManager);
    }
    missing
}

/// R-AUDIT-9: after completion, who is asked to hold each conversation not
/// yet recorded: the practitioner's line manager (else the Team Manager the
/// audit names), and that manager's own line manager, the Service Manager.
pub fn response_prompts(audit: &AuditDoc, org: &Organisation) -> Vec<(ResponseMissing, PersonId)> {
    if audit.completed_at.is_none() {
        return Vec::new();
    }
    owed_responses(&audit.header, &audit.responses, org)
}

/// [`response_prompts`] for a completed audit's header and conversations.
pub fn owed_responses(
    header: &Header,
    responses: &super::document::Responses,
    org: &Organisation,
) -> Vec<(ResponseMissing, PersonId)> {
    let manager = org
        .person(&header.practitioner)
        .and_then(|p| p.line_manager.clone())
        .or_else(|| Some(header.team_manager.clone()));
    let service_manager = manager
        .as_ref()
        .and_then(|m| org.person(m)?.line_manager.clone());
    missing_responses(responses)
        .into_iter()
        .filter_map(|missing| {
            let who = match missing {
                ResponseMissing::ManagerWithPractitioner => manager.clone(),
                ResponseMissing::ServiceManagerWithTeamManager => service_manager.clone(),
            };
            Some((missing, who?))
        })
        .collect()
}

/// R-AUDIT-9: both "support and challenge" conversations are recorded.
pub fn responses_recorded(audit: &AuditDoc) -> bool {
    responses_missing(audit).is_empty()
}

/// R-AUDIT-10: good practice was found and its recognition not yet sent.
pub fn recognition_due(audit: &AuditDoc) -> bool {
    !blank(&audit.recognition.good_practice) && audit.recognition.sent_at.is_none()
}

/// One amendment to a completed audit as people read it: who, when, and
/// what changed, in words (R-AUDIT-11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentLine {
    pub at: i64,
    pub by: PersonId,
    pub what: Vec<String>,
}

/// Edits by one person within this many seconds of each other read as one
/// amendment (typing a sentence is one change, not forty).
const AMENDMENT_WINDOW: i64 = 15 * 60;

/// The part of the audit a field path (`sections/safety/grade`) is in.
pub(crate) fn part_in_words(audit: &AuditDoc, field: &str) -> String {
    let steps: Vec<&str> = field.split('/').collect();
    match steps.as_slice() {
        ["sections", id, rest @ ..] => {
            let title = audit
                .sections
                .iter()
                .find(|s| s.id == *id)
                .map(|s| s.title.clone())
                .unwrap_or_else(|| "a section".into());
            match rest.last() {
                Some(&"grade") => format!("the grade for {title}"),
                Some(&"reason") => format!("the reason for the grade for {title}"),
                _ => format!("an answer in {title}"),
            }
        }
        ["overall", ..] => "the overall judgement".into(),
        ["actions", ..] => "the actions".into(),
        ["follow_up", ..] => "the follow-up".into(),
        ["family", ..] => "the family's feedback".into(),
        ["responses", ..] => "the responses to the audit".into(),
        ["recognition", ..] => "the good practice recognised".into(),
        ["header", ..] => "the details and meeting".into(),
        _ => "another part of the audit".into(),
    }
}

/// R-AUDIT-11: the amendments made after completion, oldest first, each
/// person's edits close together read as one.
pub fn amendments_in_words(audit: &AuditDoc) -> Vec<AmendmentLine> {
    let mut list = audit.amendments.clone();
    list.sort_by_key(|a| a.at);
    let mut out: Vec<AmendmentLine> = Vec::new();
    for a in list {
        let what = part_in_words(audit, &a.fields);
        match out.last_mut() {
            Some(last) if last.by == a.by && a.at - last.at <= AMENDMENT_WINDOW => {
                if !last.what.contains(&what) {
                    last.what.push(what);
                }
                last.at = a.at;
            }
            _ => out.push(AmendmentLine {
                at: a.at,
                by: a.by,
                what: vec![what],
            }),
        }
    }
    out
}

/// R-AUDIT-11: edits to a completed audit are amendments.
pub fn edits_are_amendments(audit: &AuditDoc) -> bool {
    audit.completed_at.is_some()
}

/// Where an audit is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Allocated,
    MeetingBooked,
    InProgress,
    Completed,
    FollowUpDue,
    FollowUpOverdue,
    Closed,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Allocated => "Allocated",
            Stage::MeetingBooked => "Meeting booked",
            Stage::InProgress => "In progress",
            Stage::Completed => "Completed",
            Stage::FollowUpDue => "Follow-up due",
            Stage::FollowUpOverdue => "Follow-up overdue",
            Stage::Closed => "Closed",
        }
    }
}

/// The lifecycle stage, from what the audit records and today's date:
/// Allocated → Meeting booked → In progress → Completed → Follow-up due →
/// Closed.
pub fn stage(audit: &AuditDoc, today: NaiveDate) -> Stage {
    if audit.closed_at.is_some() {
        return Stage::Closed;
    }
    if audit.completed_at.is_some() {
        if audit.follow_up.done_on.is_some() {
            return Stage::Completed;
        }
        return match audit.follow_up.due_on {
            Some(due) if today > due => Stage::FollowUpOverdue,
            Some(due) if today == due => Stage::FollowUpDue,
            _ => Stage::Completed,
        };
    }
    match audit.header.meeting_on {
        Some(meeting) if today >= meeting => Stage::InProgress,
        Some(_) => Stage::MeetingBooked,
        None => Stage::Allocated,
    }
}

/// Questions answered and total, and whether graded with a reason, for one
/// section: the progress shown beside it.
pub fn section_progress(audit: &AuditDoc, section_id: &str) -> Option<(usize, usize, bool)> {
    let section = audit.sections.iter().find(|s| s.id == section_id)?;
    let answered = section
        .questions
        .iter()
        .filter(|q| q.answer.is_some())
        .count();
    let judged = section.grade.is_some() && !blank(&section.reason);
    Some((answered, section.questions.len(), judged))
}
