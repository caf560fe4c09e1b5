//! Recurring strengths and areas for development, counted from the practice
//! themes auditors and observers tag their findings with, not guessed
//! (R-REP-7): by theme and service area for the period, and the trend over
//! the last 6 and 12 months.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::facts::{Facts, FindingFact, Polarity};
use super::figures::{Context, plural};
use super::table::{Cell, Chart, Table};
use super::{Quote, Section};
use crate::org::ServiceAreaId;
use crate::schedule::{Period, YearMonth};

/// Quotes shown per theme.
const QUOTES_PER_THEME: usize = 3;
/// Themes drawn as lines in a trend.
const TREND_THEMES: usize = 5;

fn findings_between(
    facts: &Facts,
    polarity: Polarity,
    from: NaiveDate,
    to: NaiveDate,
) -> impl Iterator<Item = &FindingFact> {
    facts
        .findings
        .iter()
        .filter(move |f| f.polarity == polarity && f.on >= from && f.on <= to)
}

/// Themes by how often they were tagged between two days, most first (ties
/// by code, so the order is stable).
pub fn ranked(
    facts: &Facts,
    polarity: Polarity,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings_between(facts, polarity, from, to) {
        *counts.entry(&f.theme).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The `months` months ending with the period's last month.
pub fn trailing(period: Period, months: u32) -> Period {
    Period {
        first: period.last().add_months(1 - months as i32),
        months,
    }
}

fn count(facts: &Facts, polarity: Polarity, theme: &str, window: Period) -> usize {
    findings_between(facts, polarity, window.first_day(), window.last_day())
        .filter(|f| f.theme == theme)
        .count()
}

/// Every theme to list: the council's current ones, then any retired one
/// that was still tagged.
fn themes(facts: &Facts, ctx: &Context<'_>) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .settings
        .current_practice_themes()
        .map(|t| t.code.clone())
        .collect();
    let tagged: BTreeSet<&String> = facts.findings.iter().map(|f| &f.theme).collect();
    for t in tagged {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

pub(crate) fn section(period: Period, facts: &Facts, ctx: &Context<'_>) -> Section {
    let mut section = Section::new("learning", "Recurring strengths and areas for development");
    let label = |code: &str| ctx.settings.practice_theme_label(code);
    let (from, to) = (period.first_day(), period.last_day());
    let strengths = ranked(facts, Polarity::Strength, from, to);
    let areas = ranked(facts, Polarity::Development, from, to);
    let last6 = trailing(period, 6);
    let last12 = trailing(period, 12);
    match (strengths.first(), areas.first()) {
        (None, None) => section.findings.push(format!(
            "No strengths or areas for development were tagged in {}.",
            period.label()
        )),
        (s, a) => {
            if let Some((theme, n)) = s {
                section.findings.push(format!(
                    "The strength found most often in {} was {} ({}).",
                    period.label(),
                    label(theme).to_lowercase(),
                    plural(*n, "finding", "findings")
                ));
            }
            if let Some((theme, n)) = a {
                let six = ranked(
                    facts,
                    Polarity::Development,
                    last6.first_day(),
                    last6.last_day(),
                );
                let recurring = six.first().is_some_and(|(t, _)| t == theme);
                section.findings.push(format!(
                    "The area for development found most often was {} ({}){}.",
                    label(theme).to_lowercase(),
                    plural(*n, "finding", "findings"),
                    if recurring {
                        ", as it has been over the last 6 months"
                    } else {
                        ""
                    }
                ));
            }
        }
    }

    let all = themes(facts, ctx);
    let mut by_theme = Table::new(
        "learning-by-theme",
        "Strengths and areas for development by practice theme",
        &["Practice theme", "Strengths", "Areas for development"],
    )
    .with_chart(Chart::Bar { series: vec![1, 2] });
    for theme in &all {
        let window = period;
        by_theme.row(vec![
            Cell::text(label(theme)),
            Cell::count(count(facts, Polarity::Strength, theme, window)),
            Cell::count(count(facts, Polarity::Development, theme, window)),
        ]);
    }
    section.tables.push(by_theme.with_summary(format!(
        "Findings tagged in {}, from audits and observations.",
        period.label()
    )));

    let mut by_area: BTreeMap<(Option<ServiceAreaId>, String), (usize, usize)> = BTreeMap::new();
    for f in facts.findings.iter().filter(|f| f.on >= from && f.on <= to) {
        let entry = by_area
            .entry((f.service_area.clone(), f.theme.clone()))
            .or_default();
        match f.polarity {
            Polarity::Strength => entry.0 += 1,
            Polarity::Development => entry.1 += 1,
        }
    }
    let mut area_table = Table::new(
        "learning-by-service-area",
        "By service area",
        &[
            "Service area",
            "Practice theme",
            "Strengths",
            "Areas for development",
        ],
    );
    for ((area, theme), (s, d)) in by_area {
        area_table.row(vec![
            Cell::text(ctx.area_name(area.as_ref())),
            Cell::text(label(&theme)),
            Cell::count(s),
            Cell::count(d),
        ]);
    }
    section
        .tables
        .push(area_table.with_summary("Each service area's tagged findings, theme by theme."));

    let previous6 = Period {
        first: last6.first.add_months(-6),
        months: 6,
    };
    let mut trend = Table::new(
        "learning-trend",
        "Over the last 6 and 12 months",
        &[
            "Practice theme",
            "Strengths, last 6 months",
            "Strengths, last 12 months",
            "Areas for development, last 6 months",
            "Areas for development, last 12 months",
            "Areas for development, 6 months before",
        ],
    );
    for theme in &all {
        trend.row(vec![
            Cell::text(label(theme)),
            Cell::count(count(facts, Polarity::Strength, theme, last6)),
            Cell::count(count(facts, Polarity::Strength, theme, last12)),
            Cell::count(count(facts, Polarity::Development, theme, last6)),
            Cell::count(count(facts, Polarity::Development, theme, last12)),
            Cell::count(count(facts, Polarity::Development, theme, previous6)),
        ]);
    }
    section.tables.push(trend.with_summary(format!(
        "Tagged findings over the 6 and 12 months to the end of {}, with the 6 months before for comparison.",
        period.last().label()
    )));

    for (polarity, id, title) in [
        (
            Polarity::Development,
            "development-by-month",
            "Areas for development, month by month",
        ),
        (
            Polarity::Strength,
            "strengths-by-month",
            "Strengths, month by month",
        ),
    ] {
        section
            .tables
            .push(monthly_trend(facts, ctx, polarity, last12, id, title));
    }

    for (polarity, ranking) in [
        (Polarity::Development, &areas),
        (Polarity::Strength, &strengths),
    ] {
        for (theme, _) in ranking.iter().take(3) {
            let mut quotes: Vec<&FindingFact> = findings_between(facts, polarity, from, to)
                .filter(|f| &f.theme == theme && !f.quote.is_empty())
                .collect();
            quotes.sort_by(|a, b| (b.on, &b.record).cmp(&(a.on, &a.record)));
            section
                .quotes
                .extend(quotes.into_iter().take(QUOTES_PER_THEME).map(|f| Quote {
                    record: f.record.clone(),
                    source: f.source,
                    polarity,
                    theme: label(theme),
                    on: f.on,
                    text: f.quote.clone(),
                }));
        }
    }
    section
}

/// One row a month over `window`, one column for each of the themes most
/// tagged in it: the lines of a trend chart.
fn monthly_trend(
    facts: &Facts,
    ctx: &Context<'_>,
    polarity: Polarity,
    window: Period,
    id: &str,
    title: &str,
) -> Table {
    let top: Vec<String> = ranked(facts, polarity, window.first_day(), window.last_day())
        .into_iter()
        .take(TREND_THEMES)
        .map(|(t, _)| t)
        .collect();
    let labels: Vec<String> = top
        .iter()
        .map(|t| ctx.settings.practice_theme_label(t))
        .collect();
    let mut columns: Vec<&str> = vec!["Month"];
    columns.extend(labels.iter().map(String::as_str));
    let mut table = Table::new(id, title, &columns).with_chart(Chart::Trend {
        series: (1..=top.len()).collect(),
    });
    for month in window.months() {
        let mut row = vec![Cell::text(month_label(month))];
        for theme in &top {
            row.push(Cell::count(count(
                facts,
                polarity,
                theme,
                Period::month(month),
            )));
        }
        table.row(row);
    }
    table.with_summary(format!(
        "The {} most tagged themes, month by month over the 12 months to {}.",
        top.len(),
        window.last().label()
    ))
}

/// "Nov 2026".
pub(crate) fn month_label(month: YearMonth) -> String {
    format!("{} {}", month.short_name(), month.year())
}

/// The field a finding's practice themes are kept in, in audits and
/// observations alike.
pub fn tags_field(polarity: Polarity) -> &'static str {
    match polarity {
        Polarity::Strength => "strength_themes",
        Polarity::Development => "development_themes",
    }
}

/// Tags (or untags) a strength or area for development with a practice
/// theme (R-REP-7). The map of tags exists from creation in new records; a
/// record made before tags existed gets it on its first tag.
pub fn set_tag<T>(
    tx: &mut T,
    polarity: Polarity,
    theme: &str,
    on: bool,
) -> Result<(), automerge::AutomergeError>
where
    T: automerge::transaction::Transactable + automerge::ReadDoc,
{
    use automerge::{ObjType, ROOT, Value};
    let field = tags_field(polarity);
    let map = match tx.get(ROOT, field)? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => tx.put_object(ROOT, field, ObjType::Map)?,
    };
    tx.put(&map, theme, on)
}

/// Whether a record's finding is tagged with a theme.
pub fn has_tag(doc: &impl automerge::ReadDoc, polarity: Polarity, theme: &str) -> bool {
    use automerge::{ObjType, ROOT, ScalarValue, Value};
    let Ok(Some((Value::Object(ObjType::Map), map))) = doc.get(ROOT, tags_field(polarity)) else {
        return false;
    };
    matches!(
        doc.get(&map, theme),
        Ok(Some((Value::Scalar(s), _))) if matches!(s.as_ref(), ScalarValue::Boolean(true))
    )
}
