//! Months and the periods quotas run over: a month, a quarter, a year. A
//! council's year starts in a month of its choosing (April by default, as a
//! UK council's financial and appraisal years do); quarters follow from it.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A calendar month, shown and parsed as `2026-12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month: expected YYYY-MM, for example 2026-12")]
pub struct BadYearMonth(pub String);

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl YearMonth {
    /// A month of a four-digit year; `None` when either is out of range.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 (January) to 12 (December).
    pub fn month(self) -> u32 {
        self.month
    }

    /// Months since the start of year 0: consecutive months differ by one.
    pub(crate) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(index: i64) -> YearMonth {
        let year = index.div_euclid(12);
        YearMonth {
            year: i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX }),
            month: (index.rem_euclid(12) + 1) as u32,
        }
    }

    /// This month moved by `months` (negative moves back).
    pub fn add_months(self, months: i32) -> YearMonth {
        YearMonth::from_index(self.index() + i64::from(months))
    }

    pub fn next(self) -> YearMonth {
        self.add_months(1)
    }

    pub fn previous(self) -> YearMonth {
        self.add_months(-1)
    }

    /// How many months from `self` to `later` (negative if it is earlier).
    pub fn months_until(self, later: YearMonth) -> i64 {
        later.index() - self.index()
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a month's first day exists")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        YearMonth::of(date) == self
    }

    /// Every day of the month.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.first_day()
            .iter_days()
            .take_while(move |d| YearMonth::of(*d) == self)
    }

    /// Monday to Friday, leaving out the council's `holidays` (bank holidays,
    /// closure days).
    pub fn working_days(self, holidays: &[NaiveDate]) -> Vec<NaiveDate> {
        self.days()
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .filter(|d| !holidays.contains(d))
            .collect()
    }

    /// "December 2026".
    pub fn label(self) -> String {
        format!("{} {}", MONTH_NAMES[self.month as usize - 1], self.year)
    }

    pub fn short_name(self) -> &'static str {
        &MONTH_NAMES[self.month as usize - 1][..3]
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

// In a record a month is the `2026-10` text it always was.
impl autosurgeon::Reconcile for YearMonth {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(self.to_string())
    }
}

impl autosurgeon::Hydrate for YearMonth {
    fn hydrate_string(value: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
        value.parse().map_err(|e: BadYearMonth| {
            autosurgeon::HydrateError::unexpected("a month", e.to_string())
        })
    }
}

impl FromStr for YearMonth {
    type Err = BadYearMonth;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadYearMonth(s.to_string());
        let t = s.trim();
        let (year, month) = t.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        if !(year.bytes().all(|b| b.is_ascii_digit()) && month.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        YearMonth::new(year, month).ok_or_else(bad)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = BadYearMonth;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> String {
        m.to_string()
    }
}

/// Consecutive whole months: a month, a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub first: YearMonth,
    pub months: u32,
}

/// Where `month` falls in a cycle of `every` months that starts with the
/// council's year (`year_start_month`, 1–12): 0 for the cycle's first month.
pub(crate) fn cycle_position(month: YearMonth, every: u32, year_start_month: u32) -> u32 {
    let every = i64::from(every.max(1));
    let start = i64::from(year_start_month.clamp(1, 12)) - 1;
    (month.index() - start).rem_euclid(every) as u32
}

impl Period {
    pub fn month(month: YearMonth) -> Period {
        Period {
            first: month,
            months: 1,
        }
    }

    /// The block of `months` months containing `month`, aligned to the year
    /// starting in `year_start_month`.
    pub fn containing(month: YearMonth, months: u32, year_start_month: u32) -> Period {
        let months = months.max(1);
        let position = cycle_position(month, months, year_start_month);
        Period {
            first: month.add_months(-(position as i32)),
            months,
        }
    }

    /// The quarter containing `month` (quarters start with the year).
    pub fn quarter(month: YearMonth, year_start_month: u32) -> Period {
        Period::containing(month, 3, year_start_month)
    }

    /// The council's year containing `month`.
    pub fn year(month: YearMonth, year_start_month: u32) -> Period {
        Period::containing(month, 12, year_start_month)
    }

    pub fn last(self) -> YearMonth {
        self.first.add_months(self.months as i32 - 1)
    }

    pub fn months(self) -> impl Iterator<Item = YearMonth> {
        (0..self.months).map(move |i| self.first.add_months(i as i32))
    }

    pub fn contains_month(self, month: YearMonth) -> bool {
        month >= self.first && month <= self.last()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.contains_month(YearMonth::of(date))
    }

    pub fn first_day(self) -> NaiveDate {
        self.first.first_day()
    }

    pub fn last_day(self) -> NaiveDate {
        self.last().last_day()
    }

    /// "December 2026", "Apr–Jun 2026", "Apr 2026–Mar 2027".
    pub fn label(self) -> String {
        let last = self.last();
        if self.months == 1 {
            self.first.label()
        } else if self.first.year == last.year {
            format!(
                "{}–{} {}",
                self.first.short_name(),
                last.short_name(),
                last.year
            )
        } else {
            format!(
                "{} {}–{} {}",
                self.first.short_name(),
                self.first.year,
                last.short_name(),
                last.year
            )
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_parses_and_displays_as_year_dash_month() {
        assert_eq!(ym("2026-12").to_string(), "2026-12");
        assert_eq!(ym(" 2027-01 ").month(), 1);
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", "abcd-ef",
        ] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad} should not parse");
        }
        let json = serde_json::to_string(&ym("2026-03")).unwrap();
        assert_eq!(json, "\"2026-03\"");
        assert_eq!(
            serde_json::from_str::<YearMonth>(&json).unwrap(),
            ym("2026-03")
        );
        assert!(serde_json::from_str::<YearMonth>("\"2026-3\"").is_err());
    }

    #[test]
    fn months_step_across_years() {
        assert_eq!(ym("2026-12").next(), ym("2027-01"));
        assert_eq!(ym("2027-01").previous(), ym("2026-12"));
        assert_eq!(ym("2026-11").add_months(-12), ym("2025-11"));
        assert_eq!(ym("2026-11").months_until(ym("2027-02")), 3);
        assert_eq!(ym("2028-02").last_day().to_string(), "2028-02-29");
        assert_eq!(ym("2026-12").label(), "December 2026");
    }

    #[test]
    fn working_days_are_monday_to_friday_less_holidays() {
        // December 2026: the 1st is a Tuesday; 25th and 28th are bank holidays.
        let holidays = [
            NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
        ];
        let days = ym("2026-12").working_days(&holidays);
        assert_eq!(days.len(), 21);
        assert!(days.iter().all(|d| d.weekday().num_days_from_monday() < 5));
        assert!(!days.contains(&holidays[0]));
    }

    #[test]
    fn quarters_and_years_follow_the_councils_year_start() {
        let q = Period::quarter(ym("2026-05"), 4);
        assert_eq!(q.first, ym("2026-04"));
        assert_eq!(q.label(), "Apr–Jun 2026");
        let q = Period::quarter(ym("2027-02"), 4);
        assert_eq!(q.label(), "Jan–Mar 2027");
        let y = Period::year(ym("2027-02"), 4);
        assert_eq!(y.first, ym("2026-04"));
        assert_eq!(y.label(), "Apr 2026–Mar 2027");
        assert_eq!(Period::year(ym("2027-02"), 1).label(), "Jan–Dec 2027");
        assert!(y.contains(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()));
        assert!(!y.contains(NaiveDate::from_ymd_opt(2027, 4, 1).unwrap()));
    }

    proptest! {
        #[test]
        fn every_month_is_in_exactly_one_quarter_of_its_year(
            year in 1990i32..2100, month in 1u32..=12, start in 1u32..=12,
        ) {
            let m = YearMonth::new(year, month).unwrap();
            let q = Period::quarter(m, start);
            let y = Period::year(m, start);
            prop_assert!(q.contains_month(m));
            prop_assert!(y.contains_month(q.first) && y.contains_month(q.last()));
            prop_assert_eq!(cycle_position(y.first, 12, start), 0);
            prop_assert_eq!(m.to_string().parse::<YearMonth>().unwrap(), m);
            prop_assert_eq!(m.days().count() as u32, m.last_day().day());
        }
    }
}
