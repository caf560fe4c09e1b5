//! R-REP-4 for case file audits: each person's quota (R-ALLOC-1,
//! R-REAUDIT-1…3) against what they completed, this month, quarter and
//! year, with the audits that count (the drill-down).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::history::CompletedAudit;
use super::kind::AuditKind;
use super::month::{Period, YearMonth};
use super::policy::{SchedulePolicy, rotation_index};
use crate::audit::Grade;
use crate::org::{CaseRef, Organisation, Person, PersonId, Role};

/// An audit that counts towards a tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub id: String,
    pub case: CaseRef,
    pub kind: AuditKind,
    pub completed_on: NaiveDate,
}

/// Quota against done over one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub period: Period,
    /// The quota for the whole period.
    pub expected: u32,
    /// The quota for the period's months up to and including the month
    /// asked about.
    pub expected_to_date: u32,
    /// What counts, oldest first.
    pub done: Vec<Counted>,
}

impl Tally {
    pub fn done_count(&self) -> u32 {
        self.done.len() as u32
    }

    /// How many are behind, to date.
    pub fn behind(&self) -> u32 {
        self.expected_to_date.saturating_sub(self.done_count())
    }

    pub fn met(&self) -> bool {
        self.done_count() >= self.expected
    }
}

/// The month, its quarter and its year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tallies {
    pub month: Tally,
    pub quarter: Tally,
    pub year: Tally,
}

/// One person's audit compliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCompliance {
    pub person: PersonId,
    pub name: String,
    /// Their quotas, in words.
    pub duties: Vec<String>,
    pub audits: Tallies,
    pub re_audits: Tallies,
}

struct Ctx<'a> {
    org: &'a Organisation,
    policy: &'a SchedulePolicy,
    month: YearMonth,
    periods: [Period; 3],
    by_auditor: BTreeMap<&'a PersonId, Vec<&'a CompletedAudit>>,
    /// Inadequate audits by the head of the case's service area.
    inadequate_by_head: BTreeMap<&'a PersonId, Vec<&'a CompletedAudit>>,
}

impl<'a> Ctx<'a> {
    fn tallies(
        &self,
        expected_in: &dyn Fn(YearMonth) -> u32,
        done: &[&CompletedAudit],
        counts: fn(AuditKind) -> bool,
    ) -> Tallies {
        let tally = |period: Period| {
            let expected = period.months().map(expected_in).sum();
            let expected_to_date = period
                .months()
                .filter(|m| *m <= self.month)
                .map(expected_in)
                .sum();
            let mut done: Vec<Counted> = done
                .iter()
                .filter(|a| counts(a.kind) && period.contains(a.completed_on))
                .map(|a| Counted {
                    id: a.id.clone(),
                    case: a.case.clone(),
                    kind: a.kind,
                    completed_on: a.completed_on,
                })
                .collect();
            done.sort_by(|a, b| (a.completed_on, &a.id).cmp(&(b.completed_on, &b.id)));
            Tally {
                period,
                expected,
                expected_to_date,
                done,
            }
        };
        let [month, quarter, year] = self.periods;
        Tallies {
            month: tally(month),
            quarter: tally(quarter),
            year: tally(year),
        }
    }

    fn person(&self, person: &Person) -> PersonCompliance {
        let duties = self.policy.duties_of(person);
        let rotation: Vec<usize> = duties
            .iter()
            .map(|d| rotation_index(self.org, d.role, &person.id))
            .collect();
        let due = |re_audit: bool, m: YearMonth| -> u32 {
            duties
                .iter()
                .zip(&rotation)
                .filter(|(d, _)| d.re_audit == re_audit)
                .map(|(d, i)| self.policy.due_in(d, m, *i))
                .sum()
        };
        let inadequate = self
            .inadequate_by_head
            .get(&person.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let head_due = |m: YearMonth| {
            inadequate
                .iter()
                .filter(|a| m.contains(a.completed_on))
                .count() as u32
        };
        let done = self
            .by_auditor
            .get(&person.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut words: Vec<String> = duties.iter().map(|d| d.describe()).collect();
        let areas: Vec<String> = self
            .org
            .service_areas_headed_by(&person.id)
            .map(|a| a.name.clone())
            .collect();
        if person.has_role(Role::HeadOfService) && !areas.is_empty() {
            words.push(format!(
                "Head of Service: re-audit every case graded Inadequate in {}",
                areas.join(", ")
            ));
        }
        PersonCompliance {
            person: person.id.clone(),
            name: person.name.clone(),
            duties: words,
            audits: self.tallies(&|m| due(false, m), done, |k| !k.is_re_audit()),
            re_audits: self.tallies(
                &|m| due(true, m) + head_due(m),
                done,
                AuditKind::is_re_audit,
            ),
        }
    }
}

fn context<'a>(
    org: &'a Organisation,
    policy: &'a SchedulePolicy,
    month: YearMonth,
    completed: &'a [CompletedAudit],
) -> Ctx<'a> {
    let mut by_auditor: BTreeMap<&PersonId, Vec<&CompletedAudit>> = BTreeMap::new();
    let mut inadequate_by_head: BTreeMap<&PersonId, Vec<&CompletedAudit>> = BTreeMap::new();
    for a in completed {
        by_auditor.entry(&a.auditor).or_default().push(a);
        if a.grade == Some(Grade::Inadequate)
            && let Some(head) = org
                .case(&a.case)
                .and_then(|c| org.head_of_service_for_team(&c.team))
            && head.id != a.auditor
        {
            inadequate_by_head.entry(&head.id).or_default().push(a);
        }
    }
    Ctx {
        org,
        policy,
        month,
        periods: [
            Period::month(month),
            policy.quarter(month),
            policy.year(month),
        ],
        by_auditor,
        inadequate_by_head,
    }
}

/// R-REP-4: everyone with an audit or re-audit quota, or with audits this
/// year, in id order.
pub fn compliance(
    org: &Organisation,
    policy: &SchedulePolicy,
    month: YearMonth,
    completed: &[CompletedAudit],
) -> Vec<PersonCompliance> {
    let ctx = context(org, policy, month, completed);
    let year = ctx.periods[2];
    org.people()
        .filter(|p| {
            !policy.duties_of(p).is_empty()
                || ctx.inadequate_by_head.contains_key(&p.id)
                || org.service_areas_headed_by(&p.id).next().is_some()
                || ctx
                    .by_auditor
                    .get(&p.id)
                    .is_some_and(|done| done.iter().any(|a| year.contains(a.completed_on)))
        })
        .map(|p| ctx.person(p))
        .collect()
}

/// R-REP-4 for one person.
pub fn person_compliance(
    org: &Organisation,
    policy: &SchedulePolicy,
    month: YearMonth,
    person: &PersonId,
    completed: &[CompletedAudit],
) -> Option<PersonCompliance> {
    let me = org.person(person)?;
    Some(context(org, policy, month, completed).person(me))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::testing::{council, cref, day, pid, ym};

    fn done(id: &str, case: &str, auditor: &str, kind: AuditKind, on: &str) -> CompletedAudit {
        CompletedAudit {
            id: id.into(),
            case: cref(case),
            auditor: pid(auditor),
            kind,
            completed_on: day(on),
            grade: Some(Grade::Good),
        }
    }

    fn of<'a>(all: &'a [PersonCompliance], id: &str) -> &'a PersonCompliance {
        all.iter().find(|p| p.person.as_str() == id).unwrap()
    }

    #[test]
    fn r_rep_4_a_team_manager_owes_one_a_month_three_a_quarter_twelve_a_year() {
        let org = council();
        let policy = SchedulePolicy::default();
        let completed = [
            done("a1", "CR-0020", "tm-a1", AuditKind::Themed, "2026-04-20"),
            done("a2", "CR-0021", "tm-a1", AuditKind::Themed, "2026-05-18"),
            // Last year: counts nowhere this year.
            done("a0", "CR-0022", "tm-a1", AuditKind::Themed, "2026-03-18"),
        ];
        let all = compliance(&org, &policy, ym("2026-05"), &completed);
        let tm = of(&all, "tm-a1");
        assert_eq!(tm.duties, ["Team Manager: 1 audit a month"]);
        assert_eq!(
            (tm.audits.month.expected, tm.audits.month.done_count()),
            (1, 1)
        );
        assert_eq!(tm.audits.quarter.expected, 3);
        assert_eq!(tm.audits.quarter.expected_to_date, 2);
        assert_eq!(tm.audits.quarter.done_count(), 2);
        assert_eq!(tm.audits.quarter.behind(), 0);
        assert_eq!(tm.audits.year.expected, 12);
        assert_eq!(tm.audits.year.period.label(), "Apr 2026–Mar 2027");
        // The drill-down names the audits that count.
        let ids: Vec<&str> = tm.audits.year.done.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2"]);
        assert_eq!(tm.re_audits.year.expected, 0);
    }

    #[test]
    fn r_rep_4_residential_managers_owe_one_a_quarter_in_their_turn() {
        let org = council();
        let policy = SchedulePolicy::default();
        let all = compliance(&org, &policy, ym("2026-05"), &[]);
        let rms: Vec<&PersonCompliance> = all
            .iter()
            .filter(|p| p.person.as_str().starts_with("rm-"))
            .collect();
        assert_eq!(rms.len(), 3);
        assert_eq!(rms.iter().map(|r| r.audits.month.expected).sum::<u32>(), 1);
        assert!(rms.iter().all(|r| r.audits.quarter.expected == 1));
        assert!(rms.iter().all(|r| r.audits.year.expected == 4));
    }

    #[test]
    fn r_rep_4_re_audits_count_for_the_ad_dcs_cabinet_member_and_heads_of_service() {
        let org = council();
        let policy = SchedulePolicy::default();
        let mut inadequate = done("x1", "CR-0001", "tm-c1", AuditKind::Themed, "2026-04-10");
        inadequate.grade = Some(Grade::Inadequate);
        let completed = [
            inadequate,
            done("r1", "CR-0001", "hos-ai", AuditKind::ReAudit, "2026-05-02"),
            done("r2", "CR-0001", "ad", AuditKind::ReAudit, "2026-05-03"),
            done(
                "r3",
                "CR-0030",
                "cabinet",
                AuditKind::CabinetReAudit,
                "2026-06-03",
            ),
        ];
        let all = compliance(&org, &policy, ym("2026-06"), &completed);
        let hos = of(&all, "hos-ai");
        assert_eq!(hos.re_audits.quarter.expected, 1);
        assert!(hos.re_audits.quarter.met());
        assert!(hos.duties[0].contains("Assessment and Intervention"));
        let ad = of(&all, "ad");
        assert_eq!(
            (
                ad.re_audits.quarter.expected,
                ad.re_audits.quarter.done_count()
            ),
            (1, 1)
        );
        assert_eq!(ad.re_audits.year.expected, 4);
        let dcs = of(&all, "dcs");
        assert_eq!(dcs.re_audits.quarter.behind(), 1);
        let cabinet = of(&all, "cabinet");
        assert!(cabinet.re_audits.quarter.met());
        // A re-audit is not an audit.
        assert_eq!(ad.audits.year.done_count(), 0);
    }

    #[test]
    fn r_rep_4_iro_service_managers_and_iros_have_monthly_quotas() {
        let org = council();
        let policy = SchedulePolicy::default();
        let c = person_compliance(
            &org,
            &policy,
            ym("2026-07"),
            &pid("iro-sm-a"),
            &[done(
                "d1",
                "CR-0003",
                "iro-sm-a",
                AuditKind::DeepDive,
                "2026-07-09",
            )],
        )
        .unwrap();
        assert_eq!(c.audits.month.done_count(), 1);
        assert!(c.audits.month.met());
        let iro = person_compliance(&org, &policy, ym("2026-07"), &pid("iro-1"), &[]).unwrap();
        assert_eq!(iro.audits.month.expected, 1);
        assert_eq!(iro.audits.month.behind(), 1);
    }
}
