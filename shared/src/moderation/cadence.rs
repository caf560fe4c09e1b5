//! R-MOD-3: moderation panels meet every two months (a council may set
//! another interval). The year is cut into windows of that many months
//! from its first month (April–May, June–July… for a year from April), each
//! window is due one panel, and the CPP plans them ahead: it sees which
//! windows to come have a panel set up and which have none yet.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::schedule::{Period, YearMonth};

/// One window of the cadence and the panels set up in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelWindow {
    pub period: Period,
    /// The dates of the panels set up in the window, in order.
    pub panels: Vec<NaiveDate>,
}

impl PanelWindow {
    /// "Dec 2026–Jan 2027: panel on 14 December 2026" or "…: no panel
    /// planned yet".
    pub fn in_words(&self) -> String {
        match self.panels.as_slice() {
            [] => format!("{}: no panel planned yet", self.period.label()),
            dates => format!(
                "{}: panel on {}",
                self.period.label(),
                dates
                    .iter()
                    .map(|d| d.format("%-d %B %Y").to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        }
    }
}

fn window(every_months: u32, year_start_month: u32, month: YearMonth) -> Period {
    Period::containing(month, every_months.max(1), year_start_month)
}

/// The window containing `today` and the `ahead` windows after it, each
/// with the panels (`held_on` dates) set up in it.
pub fn windows_ahead(
    every_months: u32,
    year_start_month: u32,
    today: NaiveDate,
    ahead: usize,
    panels: &[NaiveDate],
) -> Vec<PanelWindow> {
    let mut period = window(every_months, year_start_month, YearMonth::of(today));
    let mut out = Vec::with_capacity(ahead + 1);
    for _ in 0..=ahead {
        let mut dates: Vec<NaiveDate> = panels
            .iter()
            .copied()
            .filter(|d| period.contains(*d))
            .collect();
        dates.sort();
        dates.dedup();
        out.push(PanelWindow {
            period,
            panels: dates,
        });
        period = window(every_months, year_start_month, period.last().add_months(1));
    }
    out
}

/// The date to offer for the next panel the CPP sets up: today if the
/// current window has none, else the first day of the first window to come
/// without one.
pub fn next_panel_date(
    every_months: u32,
    year_start_month: u32,
    today: NaiveDate,
    panels: &[NaiveDate],
) -> NaiveDate {
    windows_ahead(every_months, year_start_month, today, 24, panels)
        .into_iter()
        .find(|w| w.panels.is_empty())
        .map_or(today, |w| w.period.first_day().max(today))
}

/// The audits a panel held on `held_on` considers: those completed since
/// the last panel held before it, or, with none, since the start of the
/// window before its own.
pub fn audits_since(
    every_months: u32,
    year_start_month: u32,
    held_on: NaiveDate,
    panels: &[NaiveDate],
) -> NaiveDate {
    panels
        .iter()
        .copied()
        .filter(|d| *d < held_on)
        .max()
        .unwrap_or_else(|| {
            let own = window(every_months, year_start_month, YearMonth::of(held_on));
            window(every_months, year_start_month, own.first.add_months(-1)).first_day()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn r_mod_3_panels_meet_every_two_months_and_the_cpp_sees_the_windows_ahead() {
        // A year from April: windows Apr–May, Jun–Jul, Aug–Sep, Oct–Nov,
        // Dec–Jan, Feb–Mar.
        let panels = [day("2026-10-20"), day("2026-12-15")];
        let ahead = windows_ahead(2, 4, day("2026-11-05"), 2, &panels);
        let words: Vec<String> = ahead.iter().map(PanelWindow::in_words).collect();
        assert_eq!(
            words,
            vec![
                "Oct–Nov 2026: panel on 20 October 2026",
                "Dec 2026–Jan 2027: panel on 15 December 2026",
                "Feb–Mar 2027: no panel planned yet",
            ]
        );
        // The next to set up is the first window without one.
        assert_eq!(
            next_panel_date(2, 4, day("2026-11-05"), &panels),
            day("2027-02-01")
        );
        // With nothing planned this window, today.
        assert_eq!(
            next_panel_date(2, 4, day("2026-11-05"), &[]),
            day("2026-11-05")
        );
        // A council that meets every three months plans in quarters.
        let quarterly = windows_ahead(3, 4, day("2026-11-05"), 1, &[]);
        assert_eq!(quarterly[0].period.label(), "Oct–Dec 2026");
        assert_eq!(quarterly[1].period.label(), "Jan–Mar 2027");
    }

    #[test]
    fn r_mod_3_a_panel_considers_the_audits_completed_since_the_last_one() {
        let panels = [day("2026-10-20"), day("2026-12-15")];
        assert_eq!(
            audits_since(2, 4, day("2026-12-15"), &panels),
            day("2026-10-20")
        );
        // The first panel: since the start of the window before its own.
        assert_eq!(
            audits_since(2, 4, day("2026-10-20"), &[]),
            day("2026-08-01")
        );
    }
}
