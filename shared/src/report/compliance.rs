//! R-REP-4: the compliance dashboard: for every person, their quotas
//! (audits and re-audits by month, quarter and year; observations,
//! supervision audits and shadowing by year) against what they completed,
//! counted from the records the server holds, with the records behind each
//! figure. Managers see their own line and those of the people they
//! manage; the CPP and the directors see everyone.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::sync::DocumentId;

use super::drill::{AuditDate, AuditQuery, Drill, ObservationQuery};
use super::facts::Facts;
use crate::access::ObservationKind;
use crate::observation::quota::{self, Done, MeetingType};
use crate::org::{Organisation, PersonId, Role};
use crate::schedule::{CompletedAudit, Period, Tally, YearMonth, compliance as audit_compliance};
use crate::settings::CouncilSettings;

/// The audits the projection holds as completed, with the grade they stand
/// at (moderated where moderation changed it).
pub fn completed_audits(facts: &Facts) -> Vec<CompletedAudit> {
    facts
        .audits
        .iter()
        .filter_map(|a| {
            Some(CompletedAudit {
                id: a.record.to_string(),
                case: a.case.clone(),
                auditor: a.auditor.clone(),
                kind: a.kind,
                completed_on: a.completed_on?,
                grade: a.final_grade(),
            })
        })
        .collect()
}

/// The observations the projection holds as completed (not ended early),
/// as the quotas count them.
pub fn observations_done(facts: &Facts) -> Vec<Done> {
    observations_done_by_record(facts)
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

/// [`observations_done`], each with its record, so that a device can count
/// its own records not yet on the server without counting any twice.
pub fn observations_done_by_record(facts: &Facts) -> Vec<(DocumentId, Done)> {
    facts
        .observations
        .iter()
        .filter(|o| !o.ended && o.completed_on.is_some())
        .filter_map(|o| {
            Some((
                o.record.clone(),
                Done {
                    kind: o.kind,
                    observer: o.observer.clone(),
                    subject: o.subject.clone(),
                    held_on: o.held_on.or(o.completed_on)?,
                    meeting: o.meeting,
                },
            ))
        })
        .collect()
}

/// Quota against done for one kind of observation, over the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationTally {
    pub kind: ObservationKind,
    pub required: u32,
    /// Counted up to what was required of each person observed.
    pub done: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The records that count.
    pub drill: Drill,
}

/// Audit quota against done over one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTally {
    pub period: Period,
    pub expected: u32,
    pub expected_to_date: u32,
    pub done: u32,
    pub drill: Drill,
}

/// One person's line of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceLine {
    pub person: PersonId,
    pub name: String,
    pub job_title: String,
    /// Their audit quotas, in words.
    pub duties: Vec<String>,
    /// Month, quarter, year.
    pub audits: [AuditTally; 3],
    pub re_audits: [AuditTally; 3],
    pub observations: Vec<ObservationTally>,
    /// R-AUDIT-9: audits completed this year on which this person has not
    /// recorded the support and challenge conversation they hold.
    #[serde(default)]
    pub responses_missing: u32,
    pub responses_drill: Drill,
}

impl ComplianceLine {
    /// Behind on anything, to date.
    pub fn behind(&self) -> bool {
        self.audits
            .iter()
            .chain(&self.re_audits)
            .any(|t| t.done < t.expected_to_date)
            || self.observations.iter().any(|o| o.done < o.required)
            || self.responses_missing > 0
    }
}

/// Whether `viewer` sees `person`'s line: their own, anyone they manage,
/// and everyone for the CPP and the directors.
pub fn may_see_line(org: &Organisation, viewer: &PersonId, person: &PersonId) -> bool {
    let sees_all = org.person(viewer).is_some_and(|v| {
        v.roles
            .iter()
            .any(|r| r.is_cpp() || matches!(r, Role::AssistantDirector | Role::Director))
    });
    sees_all || viewer == person || org.manages(viewer, person)
}

fn audit_tally(t: &Tally, person: &PersonId, as_of: NaiveDate, re_audits: bool) -> AuditTally {
    let mut q = AuditQuery::new(
        t.period.first_day(),
        t.period.last_day(),
        AuditDate::Completed,
        as_of,
    );
    q.auditor = Some(person.clone());
    q.status = Some(super::drill::AuditStatus::Completed);
    q.kinds = crate::schedule::AuditKind::ALL
        .into_iter()
        .filter(|k| k.is_re_audit() == re_audits)
        .collect();
    AuditTally {
        period: t.period,
        expected: t.expected,
        expected_to_date: t.expected_to_date,
        done: t.done_count(),
        drill: Drill::Audits(q),
    }
}

/// R-REP-4: the lines `viewer` may see, for the month `month` (its quarter
/// and year), from what the projection holds.
pub fn compliance(
    org: &Organisation,
    settings: &CouncilSettings,
    month: YearMonth,
    as_of: NaiveDate,
    facts: &Facts,
    viewer: &PersonId,
) -> Vec<ComplianceLine> {
    let completed = completed_audits(facts);
    let done = observations_done(facts);
    let meetings: BTreeMap<PersonId, std::collections::BTreeSet<MeetingType>> =
        quota::iro_meetings(org);
    // The observation year is the one containing the month's last day (or
    // today, for this month).
    let day = month.last_day().min(as_of.max(month.first_day()));
    let audit_lines: BTreeMap<PersonId, _> =
        audit_compliance(org, &settings.schedule, month, &completed)
            .into_iter()
            .map(|p| (p.person.clone(), p))
            .collect();
    let mut out = Vec::new();
    for person in org.people() {
        if !may_see_line(org, viewer, &person.id) {
            continue;
        }
        let obligations = quota::obligations(
            org,
            &person.id,
            day,
            &done,
            &meetings,
            &settings.observation,
        );
        let mut by_kind: BTreeMap<ObservationKind, (u32, u32, NaiveDate, NaiveDate)> =
            BTreeMap::new();
        for o in &obligations {
            let entry = by_kind.entry(o.kind).or_insert((0, 0, o.from, o.to));
            entry.0 += o.required;
            entry.1 += o.done.min(o.required);
            entry.2 = entry.2.min(o.from);
            entry.3 = entry.3.max(o.to);
        }
        let audits = audit_lines.get(&person.id);
        let year = settings.schedule.year(month);
        let mut owed = AuditQuery::new(
            year.first_day(),
            year.last_day(),
            AuditDate::Completed,
            as_of,
        );
        owed.status = Some(super::drill::AuditStatus::ResponseMissing);
        owed.response_owed_by = Some(person.id.clone());
        let responses_missing = super::drill::audits(&owed, facts).len() as u32;
        if audits.is_none() && by_kind.is_empty() && responses_missing == 0 {
            continue;
        }
        let observations = by_kind
            .into_iter()
            .map(|(kind, (required, done, from, to))| ObservationTally {
                kind,
                required,
                done,
                from,
                to,
                drill: Drill::Observations(ObservationQuery {
                    from,
                    to,
                    kinds: vec![kind],
                    observer: Some(person.id.clone()),
                    subject: None,
                    service_area: None,
                }),
            })
            .collect();
        let empty = || {
            let policy = &settings.schedule;
            [
                Period::month(month),
                policy.quarter(month),
                policy.year(month),
            ]
            .map(|period| Tally {
                period,
                expected: 0,
                expected_to_date: 0,
                done: Vec::new(),
            })
        };
        let (duties, audit_tallies, re_audit_tallies) = match audits {
            Some(p) => (
                p.duties.clone(),
                [&p.audits.month, &p.audits.quarter, &p.audits.year]
                    .map(|t| audit_tally(t, &person.id, as_of, false)),
                [&p.re_audits.month, &p.re_audits.quarter, &p.re_audits.year]
                    .map(|t| audit_tally(t, &person.id, as_of, true)),
            ),
            None => (
                Vec::new(),
                empty().map(|t| audit_tally(&t, &person.id, as_of, false)),
                empty().map(|t| audit_tally(&t, &person.id, as_of, true)),
            ),
        };
        out.push(ComplianceLine {
            person: person.id.clone(),
            name: person.name.clone(),
            job_title: person.job_title.clone(),
            duties,
            audits: audit_tallies,
            re_audits: re_audit_tallies,
            observations,
            responses_missing,
            responses_drill: Drill::Audits(owed),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.person.cmp(&b.person)));
    out
}
