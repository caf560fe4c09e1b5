//! A council's scheduling settings: the role quotas of R-ALLOC-1 and the
//! numbers of R-SCHED-1 and R-SCHED-3, with the framework's defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::month::{Period, YearMonth, cycle_position};
use crate::org::{Organisation, Person, PersonId, Role};

/// `count` audits every `every_months` months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub count: u32,
    pub every_months: u32,
}

impl Quota {
    pub const fn per_month(count: u32) -> Quota {
        Quota {
            count,
            every_months: 1,
        }
    }

    pub const fn per_quarter(count: u32) -> Quota {
        Quota {
            count,
            every_months: 3,
        }
    }

    /// "a month", "a quarter", "every 6 months".
    pub fn per(self) -> String {
        match self.every_months {
            0 | 1 => "a month".to_string(),
            3 => "a quarter".to_string(),
            12 => "a year".to_string(),
            n => format!("every {n} months"),
        }
    }

    /// "1 a month", "1 a quarter", "2 every 6 months".
    pub fn describe(self) -> String {
        format!("{} {}", self.count, self.per())
    }

    /// The cycle length in months, at least one.
    pub(crate) fn months(self) -> u32 {
        self.every_months.max(1)
    }
}

fn no_quota() -> Quota {
    Quota::per_month(0)
}

/// A council's settings; the framework's numbers by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulePolicy {
    /// R-ALLOC-1: Team Managers, 1 a month.
    pub team_manager: Quota,
    /// R-ALLOC-1: Family Solutions Managers, 1 a month.
    pub family_solutions_manager: Quota,
    /// R-ALLOC-1: Residential Managers, 1 a quarter each, taken in turn.
    pub residential_manager: Quota,
    /// R-ALLOC-1: Service Managers, 1 a month.
    pub service_manager: Quota,
    /// R-ALLOC-4: IRO Service Managers, 1 a month (deep-dive and
    /// IRO-specific in alternate months).
    pub iro_service_manager: Quota,
    /// R-ALLOC-3: peer audits each IRO is allocated by their IRO Service
    /// Manager. The framework names no number; one a month by default.
    pub iro_peer: Quota,
    /// The Chief Executive's case file audits: the framework says they
    /// undertake some and names no number, so none until a council sets it.
    #[serde(default = "no_quota")]
    pub chief_executive: Quota,
    /// R-REAUDIT-2: the Assistant Director, 1 Inadequate case a quarter.
    pub assistant_director_reaudit: Quota,
    /// R-REAUDIT-2: the DCS, 1 Inadequate case a quarter.
    pub director_reaudit: Quota,
    /// R-REAUDIT-3: the Cabinet Member, 1 previously audited case a quarter.
    pub cabinet_member_reaudit: Quota,
    /// R-SCHED-3: a case audited within this many months is not selected
    /// again unless chosen on purpose.
    pub not_reselected_within_months: u32,
    /// R-SCHED-1: how many months ahead themes are scheduled.
    pub theme_months_ahead: u32,
    /// The month the council's year starts (4 = April); quarters follow.
    pub year_start_month: u32,
    /// R-AUDIT-2: days between allocation and the joint meeting, at least;
    /// suggested audit days (R-ALLOC-5) leave room for it.
    pub meeting_min_days: i64,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        SchedulePolicy {
            team_manager: Quota::per_month(1),
            family_solutions_manager: Quota::per_month(1),
            residential_manager: Quota::per_quarter(1),
            service_manager: Quota::per_month(1),
            iro_service_manager: Quota::per_month(1),
            iro_peer: Quota::per_month(1),
            chief_executive: no_quota(),
            assistant_director_reaudit: Quota::per_quarter(1),
            director_reaudit: Quota::per_quarter(1),
            cabinet_member_reaudit: Quota::per_quarter(1),
            not_reselected_within_months: 12,
            theme_months_ahead: 6,
            year_start_month: 4,
            meeting_min_days: 7,
        }
    }
}

/// What holding a role obliges someone to audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    pub role: Role,
    pub quota: Quota,
    /// Re-audits (due by the end of each cycle) rather than audits (taken in
    /// turn when the cycle is longer than a month).
    pub re_audit: bool,
}

impl Duty {
    /// "Team Manager: 1 audit a month".
    pub fn describe(&self) -> String {
        let what = if self.re_audit { "re-audit" } else { "audit" };
        let plural = if self.quota.count == 1 { "" } else { "s" };
        let (count, per) = (self.quota.count, self.quota.per());
        format!("{}: {count} {what}{plural} {per}", self.role.label())
    }
}

impl SchedulePolicy {
    /// Every role with a quota, monthly audit roles first.
    pub fn duties(&self) -> Vec<Duty> {
        let audit = |role, quota| Duty {
            role,
            quota,
            re_audit: false,
        };
        let re_audit = |role, quota| Duty {
            role,
            quota,
            re_audit: true,
        };
        vec![
            audit(Role::IroServiceManager, self.iro_service_manager),
            audit(Role::ServiceManager, self.service_manager),
            audit(Role::TeamManager, self.team_manager),
            audit(Role::FamilySolutionsManager, self.family_solutions_manager),
            audit(Role::ResidentialManager, self.residential_manager),
            audit(Role::Iro, self.iro_peer),
            audit(Role::ChiefExecutive, self.chief_executive),
            re_audit(Role::AssistantDirector, self.assistant_director_reaudit),
            re_audit(Role::Director, self.director_reaudit),
            re_audit(Role::CabinetMember, self.cabinet_member_reaudit),
        ]
    }

    /// The duties of the roles a person holds.
    pub fn duties_of(&self, person: &Person) -> Vec<Duty> {
        self.duties()
            .into_iter()
            .filter(|d| person.has_role(d.role) && d.quota.count > 0)
            .collect()
    }

    /// How many a holder owes in `month`. Audits whose cycle is longer than a
    /// month are taken in turn: holder `rotation_index` (see
    /// [`rotation_index`]) in month `rotation_index mod cycle` of each cycle,
    /// so three Residential Managers with 1 a quarter give one audit a month.
    /// Re-audits are due by the last month of each cycle.
    pub fn due_in(&self, duty: &Duty, month: YearMonth, rotation_index: usize) -> u32 {
        let every = duty.quota.months();
        if every == 1 {
            return duty.quota.count;
        }
        let position = cycle_position(month, every, self.year_start_month);
        let due_position = if duty.re_audit {
            every - 1
        } else {
            (rotation_index % every as usize) as u32
        };
        if position == due_position {
            duty.quota.count
        } else {
            0
        }
    }

    /// The month in `month`'s cycle when a rotating holder is due.
    pub fn turn_month(&self, duty: &Duty, month: YearMonth, rotation_index: usize) -> YearMonth {
        let cycle = Period::containing(month, duty.quota.months(), self.year_start_month);
        let offset = if duty.re_audit {
            duty.quota.months() - 1
        } else {
            (rotation_index % duty.quota.months() as usize) as u32
        };
        cycle.first.add_months(offset as i32)
    }

    pub fn quarter(&self, month: YearMonth) -> Period {
        Period::quarter(month, self.year_start_month)
    }

    pub fn year(&self, month: YearMonth) -> Period {
        Period::year(month, self.year_start_month)
    }

    /// R-SCHED-3: cases audited on or after this day are "audited in the last
    /// 12 months" when selecting for `month`.
    pub fn recent_since(&self, month: YearMonth) -> NaiveDate {
        month
            .add_months(-(self.not_reselected_within_months as i32))
            .first_day()
    }
}

/// A holder's place among everyone holding `role`, in id order: the order
/// quarterly audits are taken in turn.
pub fn rotation_index(org: &Organisation, role: Role, person: &PersonId) -> usize {
    org.people_with_role(role)
        .position(|p| &p.id == person)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn r_alloc_1_the_framework_quotas_are_the_defaults() {
        let p = SchedulePolicy::default();
        assert_eq!(p.team_manager, Quota::per_month(1));
        assert_eq!(p.family_solutions_manager, Quota::per_month(1));
        assert_eq!(p.service_manager, Quota::per_month(1));
        assert_eq!(p.residential_manager, Quota::per_quarter(1));
        assert_eq!(p.assistant_director_reaudit, Quota::per_quarter(1));
        assert_eq!(p.director_reaudit, Quota::per_quarter(1));
        assert_eq!(p.cabinet_member_reaudit, Quota::per_quarter(1));
        assert_eq!(p.not_reselected_within_months, 12);
        assert_eq!(p.theme_months_ahead, 6);
    }

    #[test]
    fn r_alloc_1_three_residential_managers_take_one_quarterly_audit_a_month_in_turn() {
        let p = SchedulePolicy::default();
        let duty = Duty {
            role: Role::ResidentialManager,
            quota: p.residential_manager,
            re_audit: false,
        };
        for month in ["2026-04", "2026-05", "2026-06", "2026-07", "2027-01"] {
            let m = ym(month);
            let due: Vec<u32> = (0..3).map(|i| p.due_in(&duty, m, i)).collect();
            assert_eq!(due.iter().sum::<u32>(), 1, "{month}: {due:?}");
        }
        // Each manager has exactly one turn a quarter.
        for i in 0..3 {
            let q = p.quarter(ym("2026-07"));
            let turns: u32 = q.months().map(|m| p.due_in(&duty, m, i)).sum();
            assert_eq!(turns, 1);
        }
        assert_eq!(p.turn_month(&duty, ym("2026-08"), 2), ym("2026-09"));
    }

    #[test]
    fn r_reaudit_2_quarterly_re_audits_fall_due_at_the_end_of_the_quarter() {
        let p = SchedulePolicy::default();
        let duty = Duty {
            role: Role::Director,
            quota: p.director_reaudit,
            re_audit: true,
        };
        assert_eq!(p.due_in(&duty, ym("2026-04"), 0), 0);
        assert_eq!(p.due_in(&duty, ym("2026-06"), 0), 1);
        assert_eq!(
            duty.describe(),
            "Director of Children's Services: 1 re-audit a quarter"
        );
    }

    #[test]
    fn r_sched_3_recent_means_since_the_same_month_last_year() {
        let p = SchedulePolicy::default();
        assert_eq!(p.recent_since(ym("2026-12")).to_string(), "2025-12-01");
    }
}
