//! R-OBS-2: yearly quotas: who each manager still needs to observe, whose
//! supervision audit is due. The year runs from `year_start_month` (April by
//! default, as appraisal years do).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::ObservationKind;
use crate::closed_set::closed_set;
use crate::org::{Cohort, Organisation, Person, PersonId, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaPolicy {
    /// The month the year starts (4 = April).
    pub year_start_month: u32,
    /// Someone who joins a team with fewer days than this left in the year
    /// is due from the next year.
    pub new_starter_grace_days: i64,
    /// Visits each senior manager (Head of Service, Assistant Director,
    /// Director) makes a year to teams, residential homes and other
    /// settings. The framework names no number: one by default.
    #[serde(default = "one_visit")]
    pub senior_manager_visits: u32,
}

fn one_visit() -> u32 {
    1
}

impl Default for QuotaPolicy {
    fn default() -> Self {
        QuotaPolicy {
            year_start_month: 4,
            new_starter_grace_days: 90,
            senior_manager_visits: one_visit(),
        }
    }
}

closed_set! {
    /// The two meetings an IRO chairs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum MeetingType: "meeting chaired", shown by label {
        CicReview = "cic-review", "a Child in Care review";
        CpConference = "cp-conference", "a Child Protection conference";
    }
}

/// Which meetings each IRO chairs, from their cases' cohorts: a CP
/// conference for a child on a plan, a CiC review for a child in care.
pub fn iro_meetings(org: &Organisation) -> BTreeMap<PersonId, BTreeSet<MeetingType>> {
    let mut chairs: BTreeMap<PersonId, BTreeSet<MeetingType>> = BTreeMap::new();
    for case in org.cases() {
        let meeting = match case.cohort {
            Cohort::ChildProtection => MeetingType::CpConference,
            Cohort::ChildInCare => MeetingType::CicReview,
            _ => continue,
        };
        if let Some(iro) = &case.chaired_by {
            chairs.entry(iro.clone()).or_default().insert(meeting);
        }
    }
    chairs
}

/// An observation that counts towards a quota (completed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Done {
    pub kind: ObservationKind,
    pub observer: PersonId,
    pub subject: Option<PersonId>,
    pub held_on: NaiveDate,
    pub meeting: Option<MeetingType>,
}

/// One thing a manager owes in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    pub kind: ObservationKind,
    pub subject: Option<PersonId>,
    pub subject_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// At least this many.
    pub required: u32,
    /// What the framework would like (IROs: two, one of each meeting).
    pub target: u32,
    pub done: u32,
    pub note: Option<String>,
    /// IRO meetings not yet observed, when both are wanted.
    pub meetings_to_cover: Vec<MeetingType>,
}

impl Obligation {
    pub fn outstanding(&self) -> bool {
        self.done < self.required
    }
}

/// The year containing `date`.
pub fn year_containing(date: NaiveDate, policy: &QuotaPolicy) -> (NaiveDate, NaiveDate) {
    let start_year = if date.month() >= policy.year_start_month {
        date.year()
    } else {
        date.year() - 1
    };
    let from = NaiveDate::from_ymd_opt(start_year, policy.year_start_month, 1)
        .expect("a valid first of the month");
    let to = NaiveDate::from_ymd_opt(start_year + 1, policy.year_start_month, 1)
        .expect("a valid first of the month")
        - Duration::days(1);
    (from, to)
}

struct Year<'a> {
    from: NaiveDate,
    to: NaiveDate,
    policy: &'a QuotaPolicy,
    done: &'a [Done],
}

impl Year<'_> {
    fn count(
        &self,
        kind: ObservationKind,
        subject: &PersonId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> u32 {
        self.done
            .iter()
            .filter(|d| {
                d.kind == kind
                    && d.subject.as_ref() == Some(subject)
                    && d.held_on >= from
                    && d.held_on <= to
            })
            .count() as u32
    }

    /// One observation of `person` this year, with the new-starter and
    /// changed-team rules applied.
    fn yearly(&self, kind: ObservationKind, person: &Person) -> Obligation {
        let done = self.count(kind, &person.id, self.from, self.to);
        let mut obligation = Obligation {
            kind,
            subject: Some(person.id.clone()),
            subject_name: person.name.clone(),
            from: self.from,
            to: self.to,
            required: 1,
            target: 1,
            done,
            note: None,
            meetings_to_cover: Vec::new(),
        };
        let joined = person.in_post_since.or(person.started_on);
        if let Some(joined) = joined
            && joined > self.from
        {
            if joined > self.to - Duration::days(self.policy.new_starter_grace_days) {
                obligation.required = 0;
                obligation.target = 0;
                obligation.note = Some(format!(
                    "Joined on {}: due from next year",
                    joined.format("%-d %B %Y")
                ));
            } else if person.started_on.is_some_and(|s| s < joined) {
                obligation.note = Some(format!(
                    "In this team since {}; an observation by their previous manager this year counts",
                    joined.format("%-d %B %Y")
                ));
            }
        }
        obligation
    }
}

fn manages_a_team_of_practitioners(org: &Organisation, me: &Person) -> bool {
    me.roles.iter().any(|r| {
        matches!(
            r,
            Role::TeamManager | Role::FamilySolutionsManager | Role::ResidentialManager
        )
    }) && org.teams_managed_by(&me.id).next().is_some()
}

/// An obligation of no one person (a shadowing, a visit): `required` of
/// `kind` by `observer` within `window`, counted from `done`.
fn own_obligation(
    kind: ObservationKind,
    subject_name: &str,
    required: u32,
    (from, to): (NaiveDate, NaiveDate),
    observer: &PersonId,
    done: &[Done],
) -> Obligation {
    let done = done
        .iter()
        .filter(|d| {
            d.kind == kind && &d.observer == observer && d.held_on >= from && d.held_on <= to
        })
        .count() as u32;
    Obligation {
        kind,
        subject: None,
        subject_name: subject_name.into(),
        from,
        to,
        required,
        target: required,
        done,
        note: None,
        meetings_to_cover: Vec::new(),
    }
}

/// R-OBS-2: what `observer` owes in the year containing `today`.
///
/// Team Managers: a practice observation of each team member. Service
/// Managers: a supervision observation of each direct report and a welfare
/// supervision audit of each Team Manager. Heads of Service: a welfare
/// supervision audit of each direct report. IRO Service Managers: each IRO
/// observed at least once, ideally twice (one CiC review, one CP
/// conference, of the kinds they chair). The Assistant Director: a half-day
/// shadowing in each half of the year.
pub fn obligations(
    org: &Organisation,
    observer: &PersonId,
    today: NaiveDate,
    done: &[Done],
    iro_meetings: &BTreeMap<PersonId, BTreeSet<MeetingType>>,
    policy: &QuotaPolicy,
) -> Vec<Obligation> {
    let Some(me) = org.person(observer) else {
        return Vec::new();
    };
    let (from, to) = year_containing(today, policy);
    let year = Year {
        from,
        to,
        policy,
        done,
    };
    let reports: Vec<&Person> = org.direct_reports(observer).collect();
    let mut out = Vec::new();
    if manages_a_team_of_practitioners(org, me) {
        for person in reports.iter().filter(|p| p.has_role(Role::Practitioner)) {
            out.push(year.yearly(ObservationKind::PracticeObservation, person));
        }
    }
    if me.has_role(Role::ServiceManager) {
        for person in &reports {
            out.push(year.yearly(ObservationKind::SupervisionObservation, person));
        }
        for person in reports.iter().filter(|p| p.has_role(Role::TeamManager)) {
            out.push(year.yearly(ObservationKind::WelfareSupervisionAudit, person));
        }
    }
    if me.has_role(Role::HeadOfService) {
        for person in &reports {
            out.push(year.yearly(ObservationKind::WelfareSupervisionAudit, person));
        }
    }
    if me.has_role(Role::IroServiceManager) {
        for iro in reports.iter().filter(|p| p.has_role(Role::Iro)) {
            let mut o = year.yearly(ObservationKind::IroObservation, iro);
            let chairs = iro_meetings.get(&iro.id).cloned().unwrap_or_default();
            let seen: BTreeSet<MeetingType> = done
                .iter()
                .filter(|d| {
                    d.kind == ObservationKind::IroObservation
                        && d.subject.as_ref() == Some(&iro.id)
                        && d.held_on >= from
                        && d.held_on <= to
                })
                .filter_map(|d| d.meeting)
                .collect();
            if o.required > 0 && chairs.len() == 2 {
                o.target = 2;
                o.meetings_to_cover = chairs.difference(&seen).copied().collect();
            }
            out.push(o);
        }
    }
    if me.has_role(Role::AssistantDirector) {
        let mid = NaiveDate::from_ymd_opt(
            if from.month() + 6 > 12 {
                from.year() + 1
            } else {
                from.year()
            },
            (from.month() + 6 - 1) % 12 + 1,
            1,
        )
        .expect("a valid first of the month");
        for (start, end) in [(from, mid - Duration::days(1)), (mid, to)] {
            out.push(own_obligation(
                ObservationKind::AdShadowing,
                "A practitioner in your service area",
                1,
                (start, end),
                observer,
                done,
            ));
        }
    }
    let senior = me.roles.iter().any(|r| {
        matches!(
            r,
            Role::HeadOfService | Role::AssistantDirector | Role::Director
        )
    });
    if senior && policy.senior_manager_visits > 0 {
        out.push(own_obligation(
            ObservationKind::SeniorManagerVisit,
            "A team, residential home or other setting",
            policy.senior_manager_visits,
            (from, to),
            observer,
            done,
        ));
    }

    out
}
