//! R-SCHED-1: the schedule of audit themes, 6 months ahead, derived from the
//! 6-monthly QA report: month → theme, cohort filter, notes.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::month::YearMonth;
use crate::org::Cohort;

/// How many months ahead themes are scheduled, by default (R-SCHED-1).
pub const THEME_MONTHS_AHEAD: u32 = 6;

/// One month's theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeEntry {
    pub month: YearMonth,
    pub theme: String,
    /// The cohorts the month's cases are selected from; empty means all.
    #[serde(default)]
    pub cohorts: BTreeSet<Cohort>,
    #[serde(default)]
    pub notes: String,
}

impl ThemeEntry {
    /// Whether the month's selection draws from this cohort.
    pub fn includes(&self, cohort: Cohort) -> bool {
        self.cohorts.is_empty() || self.cohorts.contains(&cohort)
    }

    /// "All cohorts" or "CP, CiC".
    pub fn cohorts_label(&self) -> String {
        if self.cohorts.is_empty() {
            "All cohorts".to_string()
        } else {
            self.cohorts
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("{0}: the theme must not be blank")]
    BlankTheme(YearMonth),
    #[error("{0} already has a theme: one theme a month")]
    DuplicateMonth(YearMonth),
}

/// The themes by month: at most one a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ThemeEntry>", into = "Vec<ThemeEntry>")]
pub struct ThemeSchedule {
    entries: BTreeMap<YearMonth, ThemeEntry>,
}

impl ThemeSchedule {
    pub fn new() -> ThemeSchedule {
        ThemeSchedule::default()
    }

    /// A schedule from entries, refusing a blank theme or a month twice.
    pub fn from_entries(entries: Vec<ThemeEntry>) -> Result<ThemeSchedule, ThemeError> {
        let mut schedule = ThemeSchedule::new();
        for entry in entries {
            if schedule.entries.contains_key(&entry.month) {
                return Err(ThemeError::DuplicateMonth(entry.month));
            }
            schedule.set(entry)?;
        }
        Ok(schedule)
    }

    /// Sets a month's theme, replacing any it had; returns the replaced one.
    pub fn set(&mut self, mut entry: ThemeEntry) -> Result<Option<ThemeEntry>, ThemeError> {
        entry.theme = entry.theme.trim().to_string();
        if entry.theme.is_empty() {
            return Err(ThemeError::BlankTheme(entry.month));
        }
        Ok(self.entries.insert(entry.month, entry))
    }

    pub fn remove(&mut self, month: YearMonth) -> Option<ThemeEntry> {
        self.entries.remove(&month)
    }

    pub fn get(&self, month: YearMonth) -> Option<&ThemeEntry> {
        self.entries.get(&month)
    }

    /// Entries in month order.
    pub fn entries(&self) -> impl Iterator<Item = &ThemeEntry> {
        self.entries.values()
    }
}

impl TryFrom<Vec<ThemeEntry>> for ThemeSchedule {
    type Error = ThemeError;
    fn try_from(entries: Vec<ThemeEntry>) -> Result<Self, ThemeError> {
        ThemeSchedule::from_entries(entries)
    }
}

impl From<ThemeSchedule> for Vec<ThemeEntry> {
    fn from(schedule: ThemeSchedule) -> Self {
        schedule.entries.into_values().collect()
    }
}

/// R-SCHED-1: which of the 6 months starting with `from` have no theme yet.
pub fn months_missing(schedule: &ThemeSchedule, from: YearMonth) -> Vec<YearMonth> {
    months_missing_within(schedule, from, THEME_MONTHS_AHEAD)
}

/// R-SCHED-1 with a council's own horizon (`SchedulePolicy::theme_months_ahead`):
/// which of the `months` months starting with `from` have no theme.
pub fn months_missing_within(
    schedule: &ThemeSchedule,
    from: YearMonth,
    months: u32,
) -> Vec<YearMonth> {
    (0..months)
        .map(|i| from.add_months(i as i32))
        .filter(|m| schedule.get(*m).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    fn entry(month: &str, theme: &str, cohorts: &[Cohort]) -> ThemeEntry {
        ThemeEntry {
            month: ym(month),
            theme: theme.into(),
            cohorts: cohorts.iter().copied().collect(),
            notes: String::new(),
        }
    }

    #[test]
    fn r_sched_1_months_missing_lists_the_unscheduled_months_of_the_next_six() {
        let schedule = ThemeSchedule::from_entries(vec![
            entry("2026-11", "Voice of the child", &[]),
            entry("2026-12", "Neglect", &[Cohort::ChildProtection]),
            entry("2027-02", "Permanence", &[Cohort::ChildInCare]),
            entry("2027-06", "Beyond the horizon", &[]),
        ])
        .unwrap();
        assert_eq!(
            months_missing(&schedule, ym("2026-11")),
            [ym("2027-01"), ym("2027-03"), ym("2027-04")]
        );
        assert_eq!(
            months_missing(&ThemeSchedule::new(), ym("2026-11")).len(),
            6
        );
        assert_eq!(
            months_missing_within(&schedule, ym("2026-11"), 2),
            Vec::<YearMonth>::new()
        );
    }

    #[test]
    fn r_sched_1_an_empty_cohort_filter_means_every_cohort() {
        let all = entry("2026-11", "Voice of the child", &[]);
        assert!(Cohort::ALL.into_iter().all(|c| all.includes(c)));
        assert_eq!(all.cohorts_label(), "All cohorts");
        let some = entry(
            "2026-12",
            "Neglect",
            &[Cohort::ChildProtection, Cohort::ChildInNeed],
        );
        assert!(some.includes(Cohort::ChildProtection));
        assert!(!some.includes(Cohort::EarlyHelp));
        assert_eq!(some.cohorts_label(), "CIN, CP");
    }

    #[test]
    fn r_sched_1_one_theme_a_month_and_never_blank() {
        assert_eq!(
            ThemeSchedule::from_entries(vec![
                entry("2026-11", "A", &[]),
                entry("2026-11", "B", &[]),
            ]),
            Err(ThemeError::DuplicateMonth(ym("2026-11")))
        );
        let mut s = ThemeSchedule::new();
        assert_eq!(
            s.set(entry("2026-11", "  ", &[])),
            Err(ThemeError::BlankTheme(ym("2026-11")))
        );
        s.set(entry("2026-11", "A", &[])).unwrap();
        let replaced = s.set(entry("2026-11", "B", &[])).unwrap();
        assert_eq!(replaced.unwrap().theme, "A");
        assert_eq!(s.get(ym("2026-11")).unwrap().theme, "B");
    }

    #[test]
    fn a_schedule_round_trips_through_json() {
        let s = ThemeSchedule::from_entries(vec![entry(
            "2026-12",
            "Neglect",
            &[Cohort::ChildProtection],
        )])
        .unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"2026-12\"") && json.contains("\"CP\""));
        assert_eq!(serde_json::from_str::<ThemeSchedule>(&json).unwrap(), s);
    }
}
