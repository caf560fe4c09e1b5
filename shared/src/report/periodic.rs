//! R-REP-2: the quarterly report to DLT and the CPP's 6-monthly QA report:
//! the monthly figures over the period with their trend month by month,
//! observations and supervision audits, the DRP figures, the sections their
//! owners write, and (6-monthly) the next six months' themes proposed from
//! the areas for development, which the CPP can copy into the theme
//! schedule (R-SCHED-1: themes are derived from this report).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::document::OwnerSectionState;
use super::drill::{AuditDate, AuditQuery, AuditStatus, Drill, ObservationQuery};
use super::facts::{Facts, Polarity};
use super::figures::{self, Context, completed_in, moderations_in, plural, share};
use super::learning::{self, month_label, ranked};
use super::table::{Cell, Chart, Table};
use super::{Report, ReportKind, Section, drp};
use crate::access::ObservationKind;
use crate::audit::Grade;
use crate::schedule::{Period, ThemeEntry, YearMonth};

pub fn periodic(
    kind: ReportKind,
    period: Period,
    facts: &Facts,
    ctx: &Context<'_>,
    owners: &[OwnerSectionState],
) -> Report {
    let mut sections = vec![
        summary(period, facts, ctx),
        figures::allocation(period, facts, ctx),
        figures::grades(period, facts, ctx),
        figures::moderation(period, facts, ctx),
        learning::section(period, facts, ctx),
        observations(period, facts),
        figures::overdue(period, facts, ctx),
        figures::safety(period, facts, ctx),
        figures::disputes(period, facts, ctx),
        drp::section(period, facts, ctx),
        owner_sections(owners),
    ];
    if kind == ReportKind::HalfYearly {
        sections.push(proposals(period, facts, ctx));
    }
    Report {
        kind,
        period,
        as_of: ctx.as_of,
        sections,
    }
}

/// The period month by month: the trend of the main figures.
fn summary(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("summary", "The period month by month");
    let mut table = Table::new(
        "summary-by-month",
        "Main figures month by month",
        &[
            "Month",
            "Audits allocated",
            "Audits completed",
            "Good or better",
            "Inadequate",
            "Good or better, share",
            "Moderation agreement",
        ],
    )
    .with_chart(Chart::Trend {
        series: vec![1, 2, 3, 4],
    });
    let mut shares = Vec::new();
    for month in period.months() {
        let one = Period::month(month);
        let completed = completed_in(one, facts);
        let graded = completed
            .iter()
            .filter(|a| a.final_grade().is_some())
            .count();
        let good = completed
            .iter()
            .filter(|a| matches!(a.final_grade(), Some(Grade::Good | Grade::Outstanding)))
            .count();
        let inadequate = completed
            .iter()
            .filter(|a| a.final_grade() == Some(Grade::Inadequate))
            .count();
        let allocated = facts
            .audits
            .iter()
            .filter(|a| one.contains(a.allocated_on))
            .count();
        let moderated: Vec<_> = moderations_in(one, facts)
            .into_iter()
            .filter(|m| m.agreed.is_some())
            .collect();
        let agreed = moderated.iter().filter(|m| m.agreed == Some(true)).count();
        let query = |by, status| {
            let mut q = AuditQuery::new(one.first_day(), one.last_day(), by, ctx.as_of);
            q.status = status;
            q
        };
        let mut inadequate_query = query(AuditDate::Completed, Some(AuditStatus::Completed));
        inadequate_query.grade = Some(Grade::Inadequate);
        table.row(vec![
            Cell::text(month_label(month)),
            Cell::count_drill(allocated, Drill::Audits(query(AuditDate::Allocated, None))),
            Cell::count_drill(
                completed.len(),
                Drill::Audits(query(AuditDate::Completed, Some(AuditStatus::Completed))),
            ),
            Cell::count(good),
            Cell::count_drill(inadequate, Drill::Audits(inadequate_query)),
            Cell::percent(good, graded),
            Cell::percent(agreed, moderated.len()),
        ]);
        shares.push((month, good, graded));
    }
    let first = shares.iter().find(|(_, _, g)| *g > 0);
    let last = shares.iter().rev().find(|(_, _, g)| *g > 0);
    if let (Some((m1, g1, n1)), Some((m2, g2, n2))) = (first, last)
        && m1 != m2
    {
        section.findings.push(format!(
            "Audits graded Good or better went from {} in {} to {} in {}.",
            share(*g1, *n1),
            m1.label(),
            share(*g2, *n2),
            m2.label()
        ));
    }
    section.tables.push(table.with_summary(format!(
        "Audits allocated, completed, Good or better and Inadequate in each month of {}.",
        period.label()
    )));
    section
}

/// Observations, supervision audits, shadowing and visits completed in the
/// period, by kind (R-OBS-2).
fn observations(period: Period, facts: &Facts) -> Section {
    let mut section = Section::new(
        "observations",
        "Observations, supervision audits and visits",
    );
    let mut table = Table::new(
        "observations-by-kind",
        "Completed in the period, by kind",
        &["Kind", "Completed", "Observers"],
    )
    .with_chart(Chart::Bar { series: vec![1] });
    let mut total = 0;
    for kind in ObservationKind::ALL {
        let query = ObservationQuery {
            from: period.first_day(),
            to: period.last_day(),
            kinds: vec![kind],
            observer: None,
            subject: None,
            service_area: None,
        };
        let done = super::drill::observations(&query, facts);
        let observers: std::collections::BTreeSet<_> = done.iter().map(|o| &o.observer).collect();
        total += done.len();
        table.row(vec![
            Cell::text(kind.label()),
            Cell::count_drill(done.len(), Drill::Observations(query)),
            Cell::count(observers.len()),
        ]);
    }
    section.findings.push(format!(
        "{} completed in {}.",
        plural(
            total,
            "observation, supervision audit or visit was",
            "observations, supervision audits and visits were"
        ),
        period.label()
    ));
    section.tables.push(table.with_summary(
        "Observations of practice, supervision audits, shadowing and visits completed.",
    ));
    section
}

/// R-REP-2: which owners' sections are written, and which still missing.
fn owner_sections(owners: &[OwnerSectionState]) -> Section {
    let mut section = Section::new("owners", "Reports from across the service");
    let missing: Vec<&str> = owners
        .iter()
        .filter(|s| !s.ready)
        .map(|s| s.title.as_str())
        .collect();
    section.findings.push(if missing.is_empty() {
        "Every section is written.".to_string()
    } else {
        format!("Still missing: {}.", missing.join("; "))
    });
    let mut table = Table::new(
        "owner-sections",
        "Sections written by their owners",
        &["Section", "Written by", "State"],
    );
    for s in owners {
        table.row(vec![
            Cell::text(s.title.clone()),
            Cell::text(s.owner.label()),
            Cell::text(if s.ready { "Ready" } else { "Missing" }),
        ]);
    }
    section
        .tables
        .push(table.with_summary("The sections each owner writes, and whether each is ready."));
    section
}

/// A theme proposed for a coming month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeProposal {
    pub month: YearMonth,
    /// The practice theme's code and label.
    pub theme: String,
    pub label: String,
    /// How often it was an area for development in the period.
    pub findings: usize,
}

impl ThemeProposal {
    /// The proposal as a theme schedule entry (all cohorts).
    pub fn entry(&self, report_period: Period) -> ThemeEntry {
        ThemeEntry {
            month: self.month,
            theme: self.label.clone(),
            cohorts: Default::default(),
            notes: format!(
                "Proposed by the 6-monthly QA report for {}: an area for development in {}.",
                report_period.label(),
                plural(self.findings, "finding", "findings")
            ),
        }
    }
}

/// The six months after the period, each given one of the areas for
/// development found most often in it (most frequent first, then around
/// again if there are fewer than six).
pub fn propose_themes(period: Period, facts: &Facts, ctx: &Context<'_>) -> Vec<ThemeProposal> {
    let ranking = ranked(
        facts,
        Polarity::Development,
        period.first_day(),
        period.last_day(),
    );
    if ranking.is_empty() {
        return Vec::new();
    }
    (0..6)
        .map(|i| {
            let (theme, findings) = &ranking[i % ranking.len()];
            ThemeProposal {
                month: period.last().add_months(i as i32 + 1),
                theme: theme.clone(),
                label: ctx.settings.practice_theme_label(theme),
                findings: *findings,
            }
        })
        .collect()
}

fn proposals(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("themes", "Themes proposed for the next six months");
    let proposed = propose_themes(period, facts, ctx);
    section.findings.push(if proposed.is_empty() {
        "No areas for development were tagged, so no themes are proposed.".into()
    } else {
        "Each month takes one of the areas for development found most often; the CPP can copy them into the theme schedule.".into()
    });
    let mut table = Table::new(
        "proposed-themes",
        "Proposed themes",
        &["Month", "Theme", "Areas for development found"],
    );
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    for p in &proposed {
        seen.insert(&p.theme, ());
        table.row(vec![
            Cell::text(p.month.label()),
            Cell::text(p.label.clone()),
            Cell::count(p.findings),
        ]);
    }
    section.tables.push(table.with_summary(format!(
        "{} proposed from the period's areas for development.",
        plural(seen.len(), "theme", "themes")
    )));
    section
}
