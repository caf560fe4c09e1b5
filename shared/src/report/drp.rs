//! R-REP-5: the quarterly DRP report: the alerts IROs raised, by category,
//! stage, team and outcome, with the time they took to resolve.

use std::collections::BTreeMap;

use super::drill::{Drill, DrpQuery};
use super::facts::{DrpFact, Facts};
use super::figures::{Context, plural};
use super::table::{Cell, Chart, Table};
use super::{Report, ReportKind, Section};
use crate::drp::{DrpCategory, DrpOutcome, stage_label};
use crate::schedule::Period;

/// The middle value (the lower middle of an even count).
pub(crate) fn median(mut values: Vec<i64>) -> Option<u32> {
    values.sort_unstable();
    let mid = values.len().checked_sub(1)? / 2;
    u32::try_from(values[mid].max(0)).ok()
}

fn days(d: &DrpFact) -> Option<i64> {
    Some((d.ended_on? - d.raised_on).num_days())
}

pub fn drp_report(period: Period, facts: &Facts, ctx: &Context<'_>) -> Report {
    Report {
        kind: ReportKind::Drp,
        period,
        as_of: ctx.as_of,
        sections: vec![section(period, facts, ctx)],
    }
}

/// The DRP figures for a period (also a section of the quarterly and
/// 6-monthly reports).
pub(crate) fn section(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("drp", "Dispute resolution process (DRP) alerts");
    let raised: Vec<&DrpFact> = facts
        .drp_alerts
        .iter()
        .filter(|d| period.contains(d.raised_on))
        .collect();
    let ended: Vec<&&DrpFact> = raised.iter().filter(|d| d.outcome.is_some()).collect();
    section.findings.push(format!(
        "IROs raised {} in {}; {} ended, {} still open. The median time to end was {}.",
        plural(raised.len(), "DRP alert", "DRP alerts"),
        period.label(),
        ended.len(),
        raised.len() - ended.len(),
        median(ended.iter().filter_map(|d| days(d)).collect())
            .map(|d| plural(d as usize, "day", "days"))
            .unwrap_or_else(|| "not yet known".into()),
    ));
    let query = || DrpQuery {
        from: period.first_day(),
        to: period.last_day(),
        category: None,
        stage: None,
        outcome: None,
        team: None,
        open: None,
    };

    let mut by_category = Table::new(
        "drp-by-category",
        "By category",
        &["Category", "Raised", "Ended", "Open", "Median days to end"],
    )
    .with_chart(Chart::StackedBar { series: vec![2, 3] });
    for category in DrpCategory::ALL.into_iter().map(Some).chain([None]) {
        let list: Vec<&&DrpFact> = raised.iter().filter(|d| d.category == category).collect();
        if category.is_none() && list.is_empty() {
            continue;
        }
        let done = list.iter().filter(|d| d.outcome.is_some()).count();
        let mut q = query();
        q.category = category;
        let mut open = q.clone();
        open.open = Some(true);
        by_category.row(vec![
            Cell::text(category.map(|c| c.label()).unwrap_or("Not categorised")),
            Cell::count_drill(list.len(), Drill::DrpAlerts(q)),
            Cell::count(done),
            Cell::count_drill(list.len() - done, Drill::DrpAlerts(open)),
            Cell::Days {
                days: median(list.iter().filter_map(|d| days(d)).collect()),
            },
        ]);
    }
    section.tables.push(by_category.with_summary(format!(
        "{} raised in {}, by what the challenge was about.",
        plural(raised.len(), "DRP alert", "DRP alerts"),
        period.label()
    )));

    let mut by_stage = Table::new(
        "drp-by-stage",
        "By the highest stage reached",
        &["Stage", "Alerts"],
    )
    .with_chart(Chart::Bar { series: vec![1] });
    for stage in 1..=4u8 {
        let n = raised.iter().filter(|d| d.stage == stage).count();
        let mut q = query();
        q.stage = Some(stage);
        by_stage.row(vec![
            Cell::text(stage_label(u64::from(stage))),
            Cell::count_drill(n, Drill::DrpAlerts(q)),
        ]);
    }
    section.tables.push(
        by_stage.with_summary("How far each alert had to be escalated before it ended, or so far."),
    );

    let mut by_team: BTreeMap<_, Vec<&DrpFact>> = BTreeMap::new();
    for d in &raised {
        by_team
            .entry((d.service_area.clone(), d.team.clone()))
            .or_default()
            .push(d);
    }
    let mut team_table = Table::new(
        "drp-by-team",
        "By team",
        &["Team", "Service area", "Raised", "Ended", "Open"],
    );
    for ((area, team), list) in by_team {
        let done = list.iter().filter(|d| d.outcome.is_some()).count();
        let mut q = query();
        q.team = Some(team.clone());
        team_table.row(vec![
            Cell::text(ctx.team_name(&team)),
            Cell::text(ctx.area_name(area.as_ref())),
            Cell::count_drill(list.len(), Drill::DrpAlerts(q)),
            Cell::count(done),
            Cell::count(list.len() - done),
        ]);
    }
    section
        .tables
        .push(team_table.with_summary("DRP alerts by the team holding the case."));

    let mut by_outcome = Table::new(
        "drp-by-outcome",
        "By outcome",
        &["Outcome", "Alerts", "Median days to end", "Longest, days"],
    )
    .with_chart(Chart::Bar { series: vec![1] });
    for outcome in DrpOutcome::ALL.into_iter().map(Some).chain([None]) {
        let list: Vec<&&DrpFact> = raised.iter().filter(|d| d.outcome == outcome).collect();
        let spans: Vec<i64> = list.iter().filter_map(|d| days(d)).collect();
        let mut q = query();
        q.outcome = outcome;
        q.open = Some(outcome.is_none());
        by_outcome.row(vec![
            Cell::text(outcome.map(|o| o.label()).unwrap_or("Still open")),
            Cell::count_drill(list.len(), Drill::DrpAlerts(q)),
            Cell::Days {
                days: median(spans.clone()),
            },
            Cell::Days {
                days: spans
                    .iter()
                    .max()
                    .and_then(|d| u32::try_from((*d).max(0)).ok()),
            },
        ]);
    }
    section.tables.push(
        by_outcome
            .with_summary("How the alerts raised in the period ended, and how long that took."),
    );
    section
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_is_the_middle_value_or_the_lower_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![9, 1, 5]), Some(5));
        assert_eq!(median(vec![9, 1, 5, 7]), Some(5));
    }
}
