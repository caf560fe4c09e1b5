//! The sections reports share, each computed over a period: audits
//! allocated and completed, grades, moderation, overdue work, safety
//! alerts and disputes. The monthly report is these over a month; the
//! quarterly and 6-monthly reports are these over their months plus the
//! trends and owners' sections (see [`super::periodic`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Section;
use super::drill::{self, AuditDate, AuditQuery, AuditStatus, Drill};
use super::facts::{AuditFact, Facts, ModeratedBy, ModerationFact};
use super::table::{Cell, Chart, Table, percent_tenths};
use crate::audit::Grade;
use crate::org::{Organisation, ServiceAreaId, TeamId};
use crate::schedule::Period;
use crate::settings::CouncilSettings;

/// What every figure is computed against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub org: &'a Organisation,
    pub settings: &'a CouncilSettings,
    /// "Overdue" and "open" are judged on this day.
    pub as_of: NaiveDate,
}

impl Context<'_> {
    pub(crate) fn area_name(&self, id: Option<&ServiceAreaId>) -> String {
        match id {
            Some(id) => self
                .org
                .service_area(id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| id.to_string()),
            None => "No service area".into(),
        }
    }

    pub(crate) fn team_name(&self, id: &TeamId) -> String {
        self.org
            .team(id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// An audit query over `period` on `by`, as of the report's day.
    pub(crate) fn query(&self, period: Period, by: AuditDate) -> AuditQuery {
        AuditQuery::new(period.first_day(), period.last_day(), by, self.as_of)
    }
}

/// "1 audit", "3 audits".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "75%" of `part` in `whole`, or "none" with nothing to divide by.
pub(crate) fn share(part: usize, whole: usize) -> String {
    percent_tenths(part, whole)
        .map(super::table::format_tenths)
        .unwrap_or_else(|| "none".into())
}

pub(crate) fn completed_in(period: Period, facts: &Facts) -> Vec<&AuditFact> {
    facts
        .audits
        .iter()
        .filter(|a| a.completed_on.is_some_and(|d| period.contains(d)))
        .collect()
}

fn allocated_in(period: Period, facts: &Facts) -> Vec<&AuditFact> {
    facts
        .audits
        .iter()
        .filter(|a| period.contains(a.allocated_on))
        .collect()
}

/// Groups by a key, keeping the key's order.
fn group<'a, K: Ord>(
    items: &[&'a AuditFact],
    key: impl Fn(&AuditFact) -> K,
) -> BTreeMap<K, Vec<&'a AuditFact>> {
    let mut out: BTreeMap<K, Vec<&AuditFact>> = BTreeMap::new();
    for a in items {
        out.entry(key(a)).or_default().push(a);
    }
    out
}

/// Audits allocated in the period, and how many of them are completed, by
/// the auditor's role, the case's service area and its team (R-REP-1).
pub(crate) fn allocation(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("allocation", "Audits allocated and completed");
    let allocated = allocated_in(period, facts);
    let done = |list: &[&AuditFact]| list.iter().filter(|a| a.completed_on.is_some()).count();
    let completed_in_period = completed_in(period, facts).len();
    section.findings.push(format!(
        "{} allocated in {}; {} of them completed ({}). {} completed in the period in all.",
        plural(allocated.len(), "audit was", "audits were"),
        period.label(),
        done(&allocated),
        share(done(&allocated), allocated.len()),
        plural(completed_in_period, "audit was", "audits were"),
    ));
    let base = ctx.query(period, AuditDate::Allocated);
    let columns = ["Allocated", "Completed", "Completion rate"];
    let cells = |list: &[&AuditFact], q: AuditQuery| {
        let mut completed = q.clone();
        completed.status = Some(AuditStatus::Completed);
        vec![
            Cell::count_drill(list.len(), Drill::Audits(q)),
            Cell::count_drill(done(list), Drill::Audits(completed)),
            Cell::percent(done(list), list.len()),
        ]
    };

    let mut by_role = Table::new(
        "allocated-by-role",
        "By the auditor's role",
        &["Auditor's role", columns[0], columns[1], columns[2]],
    )
    .with_chart(Chart::Bar { series: vec![1, 2] });
    for (role, list) in group(&allocated, |a| a.auditor_role) {
        let mut q = base.clone();
        q.auditor_role = role;
        let mut row = vec![Cell::text(role.map(|r| r.label()).unwrap_or("Other"))];
        row.extend(cells(&list, q));
        by_role.row(row);
    }
    section.tables.push(by_role.with_summary(format!(
        "Audits allocated and completed in {}, by the role of the auditor.",
        period.label()
    )));

    let mut by_area = Table::new(
        "allocated-by-service-area",
        "By the case's service area",
        &["Service area", columns[0], columns[1], columns[2]],
    )
    .with_chart(Chart::Bar { series: vec![1, 2] });
    for (area, list) in group(&allocated, |a| a.service_area.clone()) {
        let mut q = base.clone();
        q.service_area = area.clone();
        let mut row = vec![Cell::text(ctx.area_name(area.as_ref()))];
        row.extend(cells(&list, q));
        by_area.row(row);
    }
    section.tables.push(by_area.with_summary(format!(
        "Audits allocated and completed in {}, by the service area of the case.",
        period.label()
    )));

    let mut by_team = Table::new(
        "allocated-by-team",
        "By the case's team",
        &["Team", "Service area", columns[0], columns[1], columns[2]],
    );
    for ((area, team), list) in group(&allocated, |a| (a.service_area.clone(), a.team.clone())) {
        let mut q = base.clone();
        q.team = Some(team.clone());
        let mut row = vec![
            Cell::text(ctx.team_name(&team)),
            Cell::text(ctx.area_name(area.as_ref())),
        ];
        row.extend(cells(&list, q));
        by_team.row(row);
    }
    section.tables.push(by_team.with_summary(format!(
        "Audits allocated and completed in {}, by the team holding the case.",
        period.label()
    )));
    section
}

/// The four grades as columns and a total, counting final grades.
fn grade_row(
    label: String,
    list: &[&AuditFact],
    grade_of: impl Fn(&AuditFact) -> Option<Grade>,
    query: &AuditQuery,
) -> Vec<Cell> {
    let mut row = vec![Cell::text(label)];
    let mut total = 0;
    for g in Grade::ALL {
        let n = list.iter().filter(|a| grade_of(a) == Some(g)).count();
        total += n;
        let mut q = query.clone();
        q.grade = Some(g);
        row.push(Cell::count_drill(n, Drill::Audits(q)));
    }
    row.push(Cell::count(total));
    row
}

fn grade_columns(first: &str) -> Vec<&str> {
    let mut columns = vec![first];
    columns.extend(Grade::ALL.iter().map(|g| g.label()));
    columns.push("Total");
    columns
}

const GRADE_SERIES: [usize; 4] = [1, 2, 3, 4];

/// Grade distributions of the audits completed in the period, overall and
/// by service area, cohort, theme and section (R-REP-1). Grades are the
/// final ones: moderated where moderation changed them.
pub(crate) fn grades(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("grades", "Grades");
    let completed = completed_in(period, facts);
    let graded: Vec<&AuditFact> = completed
        .iter()
        .copied()
        .filter(|a| a.final_grade().is_some())
        .collect();
    let count = |g: Grade| graded.iter().filter(|a| a.final_grade() == Some(g)).count();
    let good = count(Grade::Outstanding) + count(Grade::Good);
    section.findings.push(format!(
        "Of {} graded in {}, {} ({}) were Good or Outstanding and {} ({}) Inadequate.",
        plural(graded.len(), "audit", "audits"),
        period.label(),
        good,
        share(good, graded.len()),
        count(Grade::Inadequate),
        share(count(Grade::Inadequate), graded.len()),
    ));
    let mut base = ctx.query(period, AuditDate::Completed);
    base.status = Some(AuditStatus::Completed);

    let mut overall = Table::new(
        "grades-overall",
        "Overall grades",
        &["Grade", "Audits", "Share"],
    )
    .with_chart(Chart::Bar { series: vec![1] });
    for g in Grade::ALL {
        let mut q = base.clone();
        q.grade = Some(g);
        overall.row(vec![
            Cell::text(g.label()),
            Cell::count_drill(count(g), Drill::Audits(q)),
            Cell::percent(count(g), graded.len()),
        ]);
    }
    section.tables.push(overall.with_summary(format!(
        "{} of {} graded audits were Good or Outstanding.",
        good,
        graded.len()
    )));

    let distribution =
        |id: &str, title: &str, first: &str, groups: Vec<(String, Vec<&AuditFact>, AuditQuery)>| {
            let mut table =
                Table::new(id, title, &grade_columns(first)).with_chart(Chart::StackedBar {
                    series: GRADE_SERIES.to_vec(),
                });
            for (label, list, q) in groups {
                table.row(grade_row(label, &list, AuditFact::final_grade, &q));
            }
            table
        };
    let by_area = group(&graded, |a| a.service_area.clone())
        .into_iter()
        .map(|(area, list)| {
            let mut q = base.clone();
            q.service_area = area.clone();
            (ctx.area_name(area.as_ref()), list, q)
        })
        .collect();
    section.tables.push(
        distribution(
            "grades-by-service-area",
            "Grades by service area",
            "Service area",
            by_area,
        )
        .with_summary("How the audits of each service area's cases were graded."),
    );
    let by_cohort = group(&graded, |a| a.cohort)
        .into_iter()
        .map(|(cohort, list)| {
            let mut q = base.clone();
            q.cohort = cohort;
            let label = cohort.map(|c| c.label()).unwrap_or("Unknown cohort");
            (label.to_string(), list, q)
        })
        .collect();
    section.tables.push(
        distribution("grades-by-cohort", "Grades by cohort", "Cohort", by_cohort)
            .with_summary("How the audits of each cohort of children were graded."),
    );
    let by_theme = group(&graded, |a| a.theme.clone())
        .into_iter()
        .map(|(theme, list)| {
            let mut q = base.clone();
            q.theme = Some(theme.clone());
            let label = if theme.is_empty() {
                "No theme".to_string()
            } else {
                theme
            };
            (label, list, q)
        })
        .collect();
    section.tables.push(
        distribution("grades-by-theme", "Grades by theme", "Theme", by_theme)
            .with_summary("How the audits of each month's theme were graded."),
    );

    // Section grades are the auditor's (moderation judges the whole).
    let mut sections: BTreeMap<&str, (&str, BTreeMap<Grade, usize>)> = BTreeMap::new();
    let ids: std::collections::BTreeSet<_> = completed.iter().map(|a| &a.record).collect();
    let mut order: Vec<&str> = Vec::new();
    for s in facts
        .section_grades
        .iter()
        .filter(|s| ids.contains(&s.record))
    {
        if !order.contains(&s.section.as_str()) {
            order.push(&s.section);
        }
        *sections
            .entry(&s.section)
            .or_insert((&s.title, BTreeMap::new()))
            .1
            .entry(s.grade)
            .or_default() += 1;
    }
    let mut by_section = Table::new(
        "grades-by-section",
        "Grades by section of the audit",
        &grade_columns("Section"),
    )
    .with_chart(Chart::StackedBar {
        series: GRADE_SERIES.to_vec(),
    });
    for id in order {
        let (title, counts) = &sections[id];
        let mut row = vec![Cell::text(*title)];
        let mut total = 0;
        for g in Grade::ALL {
            let n = counts.get(&g).copied().unwrap_or(0);
            total += n;
            let mut q = base.clone();
            q.section = Some(id.to_string());
            q.grade = Some(g);
            row.push(Cell::count_drill(n, Drill::Audits(q)));
        }
        row.push(Cell::count(total));
        by_section.row(row);
    }
    section.tables.push(
        by_section.with_summary("How each of the audit's sections was graded, across the audits."),
    );
    section
}

pub(crate) fn moderations_in(period: Period, facts: &Facts) -> Vec<&ModerationFact> {
    facts
        .moderations
        .iter()
        .filter(|m| m.completed_on.is_some_and(|d| period.contains(d)))
        .collect()
}

/// Moderation agreement and the grades moved (R-REP-1, R-MOD-2, R-MOD-3).
pub(crate) fn moderation(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("moderation", "Moderation");
    let done = moderations_in(period, facts);
    let judged: Vec<&&ModerationFact> = done.iter().filter(|m| m.agreed.is_some()).collect();
    let agreed = judged.iter().filter(|m| m.agreed == Some(true)).count();
    let rank = |g: Grade| Grade::ALL.iter().position(|x| *x == g).unwrap_or(0);
    let moved: Vec<(Grade, Grade)> = judged
        .iter()
        .filter_map(|m| Some((m.audit_grade?, m.moderated_grade?)))
        .filter(|(a, b)| a != b)
        .collect();
    // Lower in the list is a worse grade.
    let down = moved.iter().filter(|(a, b)| rank(*b) > rank(*a)).count();
    section.findings.push(format!(
        "Moderators agreed with {} of the {} grades they judged in {} ({}); {} moved down and {} up.",
        agreed,
        judged.len(),
        period.label(),
        share(agreed, judged.len()),
        plural(down, "grade", "grades"),
        moved.len() - down,
    ));
    let no_consensus = done.iter().filter(|m| m.no_consensus).count();
    if no_consensus > 0 {
        section.findings.push(format!(
            "Panels reached no consensus on {}.",
            plural(no_consensus, "audit", "audits")
        ));
    }
    let mut agreement = Table::new(
        "moderation-agreement",
        "Agreement with the auditor's grade",
        &[
            "Moderated by",
            "Moderated",
            "Agreed",
            "Disagreed",
            "Agreement rate",
        ],
    )
    .with_chart(Chart::StackedBar { series: vec![2, 3] });
    let mut moved_query = ctx.query(period, AuditDate::None);
    moved_query.status = Some(AuditStatus::GradeMoved);
    for (label, by) in [
        ("CPP moderation", Some(ModeratedBy::Moderation)),
        ("Moderation panel", Some(ModeratedBy::Panel)),
        ("All", None),
    ] {
        let list: Vec<_> = judged
            .iter()
            .filter(|m| by.is_none_or(|b| m.by == b))
            .collect();
        let yes = list.iter().filter(|m| m.agreed == Some(true)).count();
        agreement.row(vec![
            Cell::text(label),
            Cell::count(list.len()),
            Cell::count(yes),
            Cell::count(list.len() - yes),
            Cell::percent(yes, list.len()),
        ]);
    }
    section.tables.push(agreement.with_summary(format!(
        "Moderators agreed with {} of {} grades.",
        agreed,
        judged.len()
    )));
    let mut moved_table = Table::new(
        "grades-moved",
        "Grades moved by moderation",
        &["Auditor's grade", "Moderated grade", "Audits"],
    );
    let mut counts: BTreeMap<(Grade, Grade), usize> = BTreeMap::new();
    for pair in &moved {
        *counts.entry(*pair).or_default() += 1;
    }
    for ((from, to), n) in counts {
        moved_table.row(vec![
            Cell::text(from.label()),
            Cell::text(to.label()),
            Cell::count(n),
        ]);
    }
    section.tables.push(moved_table.with_summary(format!(
        "{} moved down and {} up.",
        plural(down, "grade", "grades"),
        moved.len() - down
    )));
    section
}

/// Follow-ups and actions overdue as of the report's day (R-AUDIT-4,
/// R-AUDIT-7), by service area.
pub(crate) fn overdue(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("overdue", "Overdue follow-ups and actions");
    let late_follow_ups: Vec<&AuditFact> = facts
        .audits
        .iter()
        .filter(|a| drill::follow_up_overdue(a, ctx.as_of))
        .collect();
    let late_audits = drill::audits_with_overdue_actions(facts, ctx.as_of);
    let late_actions = facts
        .actions
        .iter()
        .filter(|x| !x.done && x.due_on.is_some_and(|d| d < ctx.as_of))
        .count();
    section.findings.push(format!(
        "As of {}: {} overdue and {} overdue on {}.",
        ctx.as_of.format("%-d %B %Y"),
        plural(late_follow_ups.len(), "follow-up is", "follow-ups are"),
        plural(
            late_actions,
            "recommended action is",
            "recommended actions are"
        ),
        plural(late_audits.len(), "audit", "audits"),
    ));
    let by_record: BTreeMap<_, _> = facts.audits.iter().map(|a| (&a.record, a)).collect();
    let mut areas: BTreeMap<Option<ServiceAreaId>, (usize, usize, usize)> = BTreeMap::new();
    for a in &late_follow_ups {
        areas.entry(a.service_area.clone()).or_default().0 += 1;
    }
    for id in &late_audits {
        if let Some(a) = by_record.get(id) {
            areas.entry(a.service_area.clone()).or_default().1 += 1;
        }
    }
    for x in facts
        .actions
        .iter()
        .filter(|x| !x.done && x.due_on.is_some_and(|d| d < ctx.as_of))
    {
        if let Some(a) = by_record.get(&x.record) {
            areas.entry(a.service_area.clone()).or_default().2 += 1;
        }
    }
    let mut table = Table::new(
        "overdue-by-service-area",
        "Overdue now, by service area",
        &[
            "Service area",
            "Follow-ups overdue",
            "Audits with overdue actions",
            "Actions overdue",
        ],
    )
    .with_chart(Chart::Bar { series: vec![1, 2] });
    for (area, (follow_ups, audits, actions)) in areas {
        let mut q = ctx.query(period, AuditDate::None);
        q.service_area = area.clone();
        let mut f = q.clone();
        f.status = Some(AuditStatus::FollowUpOverdue);
        let mut x = q;
        x.status = Some(AuditStatus::ActionsOverdue);
        table.row(vec![
            Cell::text(ctx.area_name(area.as_ref())),
            Cell::count_drill(follow_ups, Drill::Audits(f)),
            Cell::count_drill(audits, Drill::Audits(x)),
            Cell::count(actions),
        ]);
    }
    section.tables.push(table.with_summary(format!(
        "{} and {} overdue, by the service area of the case.",
        plural(late_follow_ups.len(), "follow-up", "follow-ups"),
        plural(late_actions, "action", "actions")
    )));
    section
}

/// Safety alerts raised in the period (R-AUDIT-5), by service area.
pub(crate) fn safety(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("safety", "Safety alerts");
    let by_record: BTreeMap<_, _> = facts.audits.iter().map(|a| (&a.record, a)).collect();
    let raised: Vec<_> = facts
        .alerts
        .iter()
        .filter(|a| period.contains(a.raised_on))
        .collect();
    section.findings.push(format!(
        "{} raised during audits in {}; {} reached the Head of Service.",
        plural(raised.len(), "safety alert was", "safety alerts were"),
        period.label(),
        raised.iter().filter(|a| a.alerted).count(),
    ));
    let mut areas: BTreeMap<Option<ServiceAreaId>, (usize, std::collections::BTreeSet<_>)> =
        BTreeMap::new();
    for alert in &raised {
        let area = by_record
            .get(&alert.record)
            .and_then(|a| a.service_area.clone());
        let entry = areas.entry(area).or_default();
        entry.0 += 1;
        entry.1.insert(&alert.record);
    }
    let mut table = Table::new(
        "safety-alerts",
        "Safety alerts by service area",
        &["Service area", "Alerts raised", "Audits"],
    )
    .with_chart(Chart::Bar { series: vec![1] });
    for (area, (alerts, audits)) in areas {
        let mut q = ctx.query(period, AuditDate::None);
        q.status = Some(AuditStatus::SafetyAlert);
        q.service_area = area.clone();
        table.row(vec![
            Cell::text(ctx.area_name(area.as_ref())),
            Cell::count(alerts),
            Cell::count_drill(audits.len(), Drill::Audits(q)),
        ]);
    }
    section.tables.push(table.with_summary(format!(
        "{} raised, by the service area of the case.",
        plural(raised.len(), "safety alert", "safety alerts")
    )));
    section
}

/// Disagreements by stage (R-AUDIT-8): opened and resolved in the period,
/// and open as of the report's day.
pub(crate) fn disputes(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("disputes", "Disagreements with findings");
    let open = drill::disputed_audits(facts, ctx.as_of);
    section.findings.push(format!(
        "{} in dispute as of {}.",
        plural(open.len(), "audit is", "audits are"),
        ctx.as_of.format("%-d %B %Y")
    ));
    let mut table = Table::new(
        "disputes-by-stage",
        "Disagreements by stage",
        &[
            "Stage",
            "Opened in the period",
            "Resolved in the period",
            "Open now",
        ],
    )
    .with_chart(Chart::Bar {
        series: vec![1, 2, 3],
    });
    for (stage, label) in [
        (1u8, "1: practitioner and auditor discuss"),
        (2, "2: restorative conversation with a CPP worker"),
        (3, "3: Head of Service for Safeguarding, Practice and QA"),
    ] {
        let at: Vec<_> = facts.disputes.iter().filter(|d| d.stage == stage).collect();
        let opened = at.iter().filter(|d| period.contains(d.opened_on)).count();
        let resolved = at
            .iter()
            .filter(|d| d.resolved && d.closed_on.is_some_and(|c| period.contains(c)))
            .count();
        let open_now = at
            .iter()
            .filter(|d| d.opened_on <= ctx.as_of && d.closed_on.is_none_or(|c| c > ctx.as_of))
            .count();
        table.row(vec![
            Cell::text(label),
            Cell::count(opened),
            Cell::count(resolved),
            Cell::count(open_now),
        ]);
    }
    section.tables.push(table.with_summary(format!(
        "{} in dispute now.",
        plural(open.len(), "audit", "audits")
    )));
    section
}
