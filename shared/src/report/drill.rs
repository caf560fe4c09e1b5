//! Drill-downs: the records behind a figure (R-REP-4, R-REP-8). A count in
//! a table carries the query that selects its records; the server runs it
//! over the projection and shows the reader only the records they may
//! read, logging each as read.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::{AuditFact, DrpFact, Facts, ObservationFact};
use crate::access::ObservationKind;
use crate::audit::Grade;
use crate::drp::{DrpCategory, DrpOutcome};
use crate::org::{Cohort, PersonId, Role, ServiceAreaId, TeamId};
use crate::schedule::AuditKind;
use crate::sync::DocumentId;

/// The records behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "kebab-case")]
pub enum Drill {
    Audits(AuditQuery),
    Observations(ObservationQuery),
    DrpAlerts(DrpQuery),
}

/// Which date of an audit a query's range reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditDate {
    Allocated,
    Completed,
    /// No date range: open items as of the report's day.
    None,
}

/// What state the audits are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditStatus {
    Completed,
    /// The follow-up check is past its due date and not done (R-AUDIT-7).
    FollowUpOverdue,
    /// At least one action is past its due date and not done (R-AUDIT-4).
    ActionsOverdue,
    /// A stage of the disagreement path is open (R-AUDIT-8).
    Disputed,
    /// A safety alert was raised in the range (R-AUDIT-5).
    SafetyAlert,
    /// Moderated to a different grade.
    GradeMoved,
    /// R-AUDIT-9: completed, and a support-and-challenge conversation is
    /// not recorded yet.
    ResponseMissing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: AuditDate,
    /// The day "overdue" and "open" are judged on.
    pub as_of: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AuditStatus>,
    /// The final grade (overall, or in `section`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<ServiceAreaId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<Cohort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor_role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor: Option<PersonId>,
    /// R-AUDIT-9: audits on which this person owes a support and challenge
    /// conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_owed_by: Option<PersonId>,
    /// Only these kinds (empty: every kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<AuditKind>,
}

impl AuditQuery {
    pub fn new(from: NaiveDate, to: NaiveDate, by: AuditDate, as_of: NaiveDate) -> AuditQuery {
        AuditQuery {
            from,
            to,
            by,
            as_of,
            status: None,
            grade: None,
            section: None,
            service_area: None,
            team: None,
            cohort: None,
            theme: None,
            auditor_role: None,
            auditor: None,
            response_owed_by: None,
            kinds: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<ObservationKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observer: Option<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<ServiceAreaId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrpQuery {
    /// Raised in this range.
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DrpCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<DrpOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
    /// Only those still open (true) or ended (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
}

fn within(date: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> bool {
    date.is_some_and(|d| d >= from && d <= to)
}

/// R-AUDIT-7: the follow-up is past due and not done.
pub fn follow_up_overdue(a: &AuditFact, as_of: NaiveDate) -> bool {
    a.completed_on.is_some()
        && a.follow_up_done.is_none()
        && a.closed_on.is_none()
        && a.follow_up_due.is_some_and(|due| due < as_of)
}

/// Audits with at least one action past due and not done, as of a day.
pub fn audits_with_overdue_actions(facts: &Facts, as_of: NaiveDate) -> BTreeSet<&DocumentId> {
    facts
        .actions
        .iter()
        .filter(|x| !x.done && x.due_on.is_some_and(|d| d < as_of))
        .map(|x| &x.record)
        .collect()
}

/// Audits with a disagreement stage open, as of a day.
pub fn disputed_audits(facts: &Facts, as_of: NaiveDate) -> BTreeSet<&DocumentId> {
    facts
        .disputes
        .iter()
        .filter(|d| d.opened_on <= as_of && d.closed_on.is_none_or(|c| c > as_of))
        .map(|d| &d.record)
        .collect()
}

/// The audits `query` selects, oldest first.
pub fn audits<'a>(query: &AuditQuery, facts: &'a Facts) -> Vec<&'a AuditFact> {
    let overdue_actions = audits_with_overdue_actions(facts, query.as_of);
    let disputed = disputed_audits(facts, query.as_of);
    let alerted: BTreeSet<&DocumentId> = facts
        .alerts
        .iter()
        .filter(|a| a.raised_on >= query.from && a.raised_on <= query.to)
        .map(|a| &a.record)
        .collect();
    let section_grade = |a: &AuditFact, section: &str| {
        facts
            .section_grades
            .iter()
            .find(|s| s.record == a.record && s.section == section)
            .map(|s| s.grade)
    };
    let mut out: Vec<&AuditFact> = facts
        .audits
        .iter()
        .filter(|a| match query.by {
            AuditDate::Allocated => within(Some(a.allocated_on), query.from, query.to),
            AuditDate::Completed => within(a.completed_on, query.from, query.to),
            AuditDate::None => true,
        })
        .filter(|a| match query.status {
            None => true,
            Some(AuditStatus::Completed) => a.completed_on.is_some(),
            Some(AuditStatus::FollowUpOverdue) => follow_up_overdue(a, query.as_of),
            Some(AuditStatus::ActionsOverdue) => overdue_actions.contains(&a.record),
            Some(AuditStatus::Disputed) => disputed.contains(&a.record),
            Some(AuditStatus::SafetyAlert) => alerted.contains(&a.record),
            Some(AuditStatus::GradeMoved) => {
                a.moderated_grade.is_some() && a.moderated_grade != a.grade
            }
            Some(AuditStatus::ResponseMissing) => {
                a.completed_on.is_some()
                    && (!a.responses_owed_by.is_empty()
                        || a.practitioner_response_on.is_none()
                        || a.manager_response_on.is_none())
            }
        })
        .filter(|a| match (&query.grade, &query.section) {
            (None, _) => true,
            (Some(g), None) => a.final_grade() == Some(*g),
            (Some(g), Some(section)) => section_grade(a, section) == Some(*g),
        })
        .filter(|a| {
            query
                .service_area
                .as_ref()
                .is_none_or(|s| a.service_area.as_ref() == Some(s))
        })
        .filter(|a| query.team.as_ref().is_none_or(|t| &a.team == t))
        .filter(|a| query.cohort.is_none_or(|c| a.cohort == Some(c)))
        .filter(|a| query.theme.as_ref().is_none_or(|t| &a.theme == t))
        .filter(|a| query.auditor_role.is_none_or(|r| a.auditor_role == Some(r)))
        .filter(|a| query.auditor.as_ref().is_none_or(|p| &a.auditor == p))
        .filter(|a| {
            query
                .response_owed_by
                .as_ref()
                .is_none_or(|p| a.responses_owed_by.contains(p))
        })
        .filter(|a| query.kinds.is_empty() || query.kinds.contains(&a.kind))
        .collect();
    out.sort_by(|a, b| (a.allocated_on, &a.record).cmp(&(b.allocated_on, &b.record)));
    out
}

/// The observations `query` selects (held in the range, or completed in
/// it when no date was recorded).
pub fn observations<'a>(query: &ObservationQuery, facts: &'a Facts) -> Vec<&'a ObservationFact> {
    let mut out: Vec<&ObservationFact> = facts
        .observations
        .iter()
        .filter(|o| o.completed_on.is_some() && !o.ended)
        .filter(|o| within(o.held_on.or(o.completed_on), query.from, query.to))
        .filter(|o| query.kinds.is_empty() || query.kinds.contains(&o.kind))
        .filter(|o| query.observer.as_ref().is_none_or(|p| &o.observer == p))
        .filter(|o| {
            query
                .subject
                .as_ref()
                .is_none_or(|p| o.subject.as_ref() == Some(p))
        })
        .filter(|o| {
            query
                .service_area
                .as_ref()
                .is_none_or(|s| o.service_area.as_ref() == Some(s))
        })
        .collect();
    out.sort_by(|a, b| (a.held_on, &a.record).cmp(&(b.held_on, &b.record)));
    out
}

/// The DRP alerts `query` selects.
pub fn drp_alerts<'a>(query: &DrpQuery, facts: &'a Facts) -> Vec<&'a DrpFact> {
    let mut out: Vec<&DrpFact> = facts
        .drp_alerts
        .iter()
        .filter(|d| within(Some(d.raised_on), query.from, query.to))
        .filter(|d| query.category.is_none_or(|c| d.category == Some(c)))
        .filter(|d| query.stage.is_none_or(|s| d.stage == s))
        .filter(|d| query.outcome.is_none_or(|o| d.outcome == Some(o)))
        .filter(|d| query.team.as_ref().is_none_or(|t| &d.team == t))
        .filter(|d| query.open.is_none_or(|open| open == d.outcome.is_none()))
        .collect();
    out.sort_by(|a, b| (a.raised_on, &a.record).cmp(&(b.raised_on, &b.record)));
    out
}

/// The records a drill selects, by id.
pub fn records(drill: &Drill, facts: &Facts) -> Vec<DocumentId> {
    match drill {
        Drill::Audits(q) => audits(q, facts).iter().map(|a| a.record.clone()).collect(),
        Drill::Observations(q) => observations(q, facts)
            .iter()
            .map(|o| o.record.clone())
            .collect(),
        Drill::DrpAlerts(q) => drp_alerts(q, facts)
            .iter()
            .map(|d| d.record.clone())
            .collect(),
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The records a drill selects, each with its kind and what it is called in
/// a list. Child-level (case references): the server shows each only to
/// those who may read the record.
pub fn describe(
    drill: &Drill,
    facts: &Facts,
    org: &crate::org::Organisation,
) -> Vec<(DocumentId, crate::document::DocKind, String)> {
    use crate::document::DocKind;
    let name = |p: &PersonId| {
        org.person(p)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| p.to_string())
    };
    let team = |t: &TeamId| {
        org.team(t)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| t.to_string())
    };
    match drill {
        Drill::Audits(q) => audits(q, facts)
            .into_iter()
            .map(|a| {
                let state = match (a.completed_on, a.final_grade()) {
                    (Some(on), Some(g)) => format!("{}, completed {}", g.label(), long_date(on)),
                    (Some(on), None) => format!("completed {}", long_date(on)),
                    (None, _) => format!("allocated {}", long_date(a.allocated_on)),
                };
                let label = format!(
                    "Case {}{} — {} — audited by {} — {}",
                    a.case,
                    a.cohort
                        .map(|c| format!(" ({})", c.code()))
                        .unwrap_or_default(),
                    team(&a.team),
                    name(&a.auditor),
                    state
                );
                (a.record.clone(), DocKind::Audit, label)
            })
            .collect(),
        Drill::Observations(q) => observations(q, facts)
            .into_iter()
            .map(|o| {
                let whom = o
                    .subject
                    .as_ref()
                    .map(|s| format!(" of {}", name(s)))
                    .unwrap_or_default();
                let when = o
                    .held_on
                    .or(o.completed_on)
                    .map(|d| format!(", {}", long_date(d)))
                    .unwrap_or_default();
                let label = format!("{}{whom} by {}{when}", o.kind.label(), name(&o.observer));
                (o.record.clone(), DocKind::Observation, label)
            })
            .collect(),
        Drill::DrpAlerts(q) => drp_alerts(q, facts)
            .into_iter()
            .map(|d| {
                let state = match (d.outcome, d.ended_on) {
                    (Some(o), Some(on)) => format!("{} on {}", o.label(), long_date(on)),
                    _ => format!("open at stage {}", d.stage),
                };
                let label = format!(
                    "Case {} — {} — {} — raised {} by {} — {}",
                    d.case,
                    team(&d.team),
                    d.category.map(|c| c.label()).unwrap_or("Not categorised"),
                    long_date(d.raised_on),
                    name(&d.iro),
                    state
                );
                (d.record.clone(), DocKind::DrpAlert, label)
            })
            .collect(),
    }
}

impl Drill {
    /// The days whose facts the drill reads (besides work still open).
    pub fn window(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Drill::Audits(q) => (q.from, q.to),
            Drill::Observations(q) => (q.from, q.to),
            Drill::DrpAlerts(q) => (q.from, q.to),
        }
    }
}
