//! The projection's tables: one record's facts written as rows (replacing
//! whatever rows it had), and the facts a report needs read back. The
//! mapping is column for field; the decisions are in
//! `qalf_shared::report`.

use chrono::NaiveDate;
use qalf_shared::report::Facts;
use qalf_shared::report::facts::{
    ActionFact, AlertFact, AuditFact, DisputeFact, DrpFact, FindingFact, FindingSource,
    ModeratedBy, ModerationFact, ObservationFact, Polarity, SectionGradeFact,
};
use qalf_shared::sync::DocumentId;
use rusqlite::types::Type;
use rusqlite::{Connection, Row, Transaction, params};

use crate::db::DbError;

/// The tables, each keyed by the record it came from.
pub const TABLES: [&str; 9] = [
    "report_audits",
    "report_section_grades",
    "report_actions",
    "report_disputes",
    "report_alerts",
    "report_moderations",
    "report_observations",
    "report_findings",
    "report_drp_alerts",
];

fn opt<T: ToString>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(ToString::to_string)
}

fn code<T, F: Fn(&T) -> &'static str>(value: &Option<T>, f: F) -> Option<&'static str> {
    value.as_ref().map(f)
}

/// Replaces every row of `record` with `facts` (which must all be its own).
pub fn replace(tx: &Transaction<'_>, record: &DocumentId, facts: &Facts) -> Result<(), DbError> {
    let id = record.to_string();
    for table in TABLES {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE record = ?1"))?
            .execute([&id])?;
    }
    insert(tx, facts)
}

/// Adds rows for records that have none yet.
pub fn insert(tx: &Transaction<'_>, facts: &Facts) -> Result<(), DbError> {
    for a in &facts.audits {
        tx.prepare_cached(
            "INSERT INTO report_audits (record, case_reference, cohort, theme, kind, team,
               service_area, auditor, auditor_role, practitioner, allocated_on, meeting_on,
               completed_on, grade, moderated_grade, follow_up_due, follow_up_done, closed_on,
               practitioner_response_on, manager_response_on, good_practice, reaudit_required,
               responses_owed_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
               ?18, ?19, ?20, ?21, ?22, ?23)",
        )?
        .execute(params![
            a.record.to_string(),
            a.case.as_str(),
            code(&a.cohort, |c| c.code()),
            a.theme,
            a.kind.code(),
            a.team.as_str(),
            opt(&a.service_area),
            a.auditor.as_str(),
            code(&a.auditor_role, |r| r.code()),
            a.practitioner.as_str(),
            a.allocated_on.to_string(),
            opt(&a.meeting_on),
            opt(&a.completed_on),
            code(&a.grade, |g| g.code()),
            code(&a.moderated_grade, |g| g.code()),
            opt(&a.follow_up_due),
            opt(&a.follow_up_done),
            opt(&a.closed_on),
            opt(&a.practitioner_response_on),
            opt(&a.manager_response_on),
            a.good_practice,
            a.reaudit_required,
            a.responses_owed_by
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ])?;
    }
    for s in &facts.section_grades {
        tx.prepare_cached(
            "INSERT INTO report_section_grades (record, section, title, grade) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![s.record.to_string(), s.section, s.title, s.grade.code()])?;
    }
    for x in &facts.actions {
        tx.prepare_cached(
            "INSERT INTO report_actions (record, action, owner, due_on, done) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            x.record.to_string(),
            x.action,
            opt(&x.owner),
            opt(&x.due_on),
            x.done
        ])?;
    }
    for d in &facts.disputes {
        tx.prepare_cached(
            "INSERT INTO report_disputes (record, stage, opened_on, closed_on, resolved)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            d.record.to_string(),
            d.stage,
            d.opened_on.to_string(),
            opt(&d.closed_on),
            d.resolved
        ])?;
    }
    for a in &facts.alerts {
        tx.prepare_cached(
            "INSERT INTO report_alerts (record, alert, raised_on, alerted) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            a.record.to_string(),
            a.alert,
            a.raised_on.to_string(),
            a.alerted
        ])?;
    }
    for m in &facts.moderations {
        tx.prepare_cached(
            "INSERT INTO report_moderations (record, audit, moderated_by, completed_on, audit_grade,
               moderated_grade, agreed, audit_quality, no_consensus)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            m.record.to_string(),
            m.audit.to_string(),
            m.by.code(),
            opt(&m.completed_on),
            code(&m.audit_grade, |g| g.code()),
            code(&m.moderated_grade, |g| g.code()),
            m.agreed,
            code(&m.audit_quality, |g| g.code()),
            m.no_consensus
        ])?;
    }
    for o in &facts.observations {
        tx.prepare_cached(
            "INSERT INTO report_observations (record, kind, observer, subject, team, service_area,
               held_on, completed_on, meeting, ended)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            o.record.to_string(),
            o.kind.code(),
            o.observer.as_str(),
            opt(&o.subject),
            opt(&o.team),
            opt(&o.service_area),
            opt(&o.held_on),
            opt(&o.completed_on),
            code(&o.meeting, |m| m.code()),
            o.ended
        ])?;
    }
    for f in &facts.findings {
        tx.prepare_cached(
            "INSERT INTO report_findings (record, source, polarity, theme, found_on, team,
               service_area, quote)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            f.record.to_string(),
            f.source.code(),
            f.polarity.code(),
            f.theme,
            f.on.to_string(),
            opt(&f.team),
            opt(&f.service_area),
            f.quote
        ])?;
    }
    for d in &facts.drp_alerts {
        tx.prepare_cached(
            "INSERT INTO report_drp_alerts (record, case_reference, team, service_area, iro,
               category, stage, raised_on, ended_on, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            d.record.to_string(),
            d.case.as_str(),
            d.team.as_str(),
            opt(&d.service_area),
            d.iro.as_str(),
            code(&d.category, |c| c.code()),
            d.stage,
            d.raised_on.to_string(),
            opt(&d.ended_on),
            code(&d.outcome, |o| o.code())
        ])?;
    }
    Ok(())
}

/// Empties every projection table (before a rebuild).
pub fn clear(tx: &Transaction<'_>) -> Result<(), DbError> {
    for table in TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(())
}

fn bad(column: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        Type::Text,
        format!("{what} `{value}` in the projection").into(),
    )
}

thread_local! {
    /// Record ids already decoded on this thread: a bs58check decode (two
    /// SHA-256 rounds) per row was most of the time reading a report's rows,
    /// and the same records come back in every table.
    static RECORD_IDS: std::cell::RefCell<std::collections::HashMap<String, DocumentId>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Most record ids kept per thread before the memo starts afresh.
const RECORD_IDS_KEPT: usize = 200_000;

/// A record id column, decoded once per thread.
fn record_id(row: &Row<'_>, i: usize) -> rusqlite::Result<DocumentId> {
    let text: String = row.get(i)?;
    RECORD_IDS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(id) = memo.get(&text) {
            return Ok(id.clone());
        }
        let id = DocumentId::parse(&text).map_err(|_| bad(i, "record", &text))?;
        if memo.len() >= RECORD_IDS_KEPT {
            memo.clear();
        }
        memo.insert(text, id.clone());
        Ok(id)
    })
}

/// A required column parsed with `FromStr`.
fn parsed<T: std::str::FromStr>(row: &Row<'_>, i: usize, what: &str) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    text.parse().map_err(|_| bad(i, what, &text))
}

/// An optional column parsed with `FromStr`.
fn parsed_opt<T: std::str::FromStr>(
    row: &Row<'_>,
    i: usize,
    what: &str,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| bad(i, what, &text)),
    }
}

/// An optional column parsed with a code parser.
fn coded<T>(
    row: &Row<'_>,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(text) => parse(&text).map(Some).ok_or_else(|| bad(i, what, &text)),
    }
}

fn audit(row: &Row<'_>) -> rusqlite::Result<AuditFact> {
    Ok(AuditFact {
        record: record_id(row, 0)?,
        case: parsed(row, 1, "case")?,
        cohort: parsed_opt(row, 2, "cohort")?,
        theme: row.get(3)?,
        kind: parsed(row, 4, "audit kind")?,
        team: parsed(row, 5, "team")?,
        service_area: parsed_opt(row, 6, "service area")?,
        auditor: parsed(row, 7, "person")?,
        auditor_role: parsed_opt(row, 8, "role")?,
        practitioner: parsed(row, 9, "person")?,
        allocated_on: parsed(row, 10, "date")?,
        meeting_on: parsed_opt(row, 11, "date")?,
        completed_on: parsed_opt(row, 12, "date")?,
        grade: parsed_opt(row, 13, "grade")?,
        moderated_grade: parsed_opt(row, 14, "grade")?,
        follow_up_due: parsed_opt(row, 15, "date")?,
        follow_up_done: parsed_opt(row, 16, "date")?,
        closed_on: parsed_opt(row, 17, "date")?,
        practitioner_response_on: parsed_opt(row, 18, "date")?,
        manager_response_on: parsed_opt(row, 19, "date")?,
        good_practice: row.get(20)?,
        reaudit_required: row.get(21)?,
        responses_owed_by: row
            .get::<_, String>(22)?
            .split_whitespace()
            .map(|p| p.parse().map_err(|_| bad(22, "person", p)))
            .collect::<rusqlite::Result<_>>()?,
    })
}

const AUDIT_COLUMNS: &str = "record, case_reference, cohort, theme, kind, team, service_area,
    auditor, auditor_role, practitioner, allocated_on, meeting_on, completed_on, grade,
    moderated_grade, follow_up_due, follow_up_done, closed_on, practitioner_response_on,
    manager_response_on, good_practice, reaudit_required, responses_owed_by";

fn query<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, map)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The days a report reads, and what it reads regardless of day (work
/// still open).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Findings are read from this day (for trends), with their quotes only
    /// from `from`.
    pub findings_from: NaiveDate,
}

impl Window {
    /// Everything dated between two days.
    pub fn between(from: NaiveDate, to: NaiveDate) -> Window {
        Window {
            from,
            to,
            findings_from: from,
        }
    }
}

/// The facts a report over `window` needs: everything dated inside it, and
/// audits with work still open (follow-ups, actions, disputes) whenever
/// they were done. Section grades come with the audits completed in it.
pub fn load(conn: &Connection, window: Window) -> Result<Facts, DbError> {
    let (from, to) = (window.from.to_string(), window.to.to_string());
    // The ids from a union of indexed look-ups, then their rows: one scan
    // with ORs would read every audit.
    let audits = query(
        conn,
        &format!(
            "SELECT {AUDIT_COLUMNS} FROM report_audits WHERE record IN (
               SELECT record FROM report_audits WHERE allocated_on BETWEEN ?1 AND ?2
               UNION SELECT record FROM report_audits WHERE completed_on BETWEEN ?1 AND ?2
               UNION SELECT record FROM report_audits
                 WHERE follow_up_done IS NULL AND closed_on IS NULL AND completed_on IS NOT NULL
               UNION SELECT record FROM report_actions WHERE done = 0
               UNION SELECT record FROM report_disputes WHERE closed_on IS NULL
               UNION SELECT record FROM report_alerts WHERE raised_on BETWEEN ?1 AND ?2)"
        ),
        params![from, to],
        audit,
    )?;
    let section_grades = query(
        conn,
        "SELECT s.record, s.section, s.title, s.grade FROM report_section_grades s
         JOIN report_audits a ON a.record = s.record
         WHERE a.completed_on BETWEEN ?1 AND ?2",
        params![from, to],
        |r| {
            Ok(SectionGradeFact {
                record: record_id(r, 0)?,
                section: r.get(1)?,
                title: r.get(2)?,
                grade: parsed(r, 3, "grade")?,
            })
        },
    )?;
    let actions = query(
        conn,
        "SELECT record, action, owner, due_on, done FROM report_actions WHERE done = 0",
        [],
        |r| {
            Ok(ActionFact {
                record: record_id(r, 0)?,
                action: r.get(1)?,
                owner: parsed_opt(r, 2, "person")?,
                due_on: parsed_opt(r, 3, "date")?,
                done: r.get(4)?,
            })
        },
    )?;
    let disputes = query(
        conn,
        "SELECT record, stage, opened_on, closed_on, resolved FROM report_disputes
         WHERE closed_on IS NULL OR opened_on BETWEEN ?1 AND ?2 OR closed_on BETWEEN ?1 AND ?2",
        params![from, to],
        |r| {
            Ok(DisputeFact {
                record: record_id(r, 0)?,
                stage: r.get(1)?,
                opened_on: parsed(r, 2, "date")?,
                closed_on: parsed_opt(r, 3, "date")?,
                resolved: r.get(4)?,
            })
        },
    )?;
    let alerts = query(
        conn,
        "SELECT record, alert, raised_on, alerted FROM report_alerts WHERE raised_on BETWEEN ?1 AND ?2",
        params![from, to],
        |r| {
            Ok(AlertFact {
                record: record_id(r, 0)?,
                alert: r.get(1)?,
                raised_on: parsed(r, 2, "date")?,
                alerted: r.get(3)?,
            })
        },
    )?;
    let moderations = query(
        conn,
        "SELECT record, audit, moderated_by, completed_on, audit_grade, moderated_grade, agreed,
           audit_quality, no_consensus FROM report_moderations
         WHERE completed_on IS NULL OR completed_on BETWEEN ?1 AND ?2",
        params![from, to],
        |r| {
            Ok(ModerationFact {
                record: record_id(r, 0)?,
                audit: record_id(r, 1)?,
                by: coded(r, 2, "moderated by", ModeratedBy::parse)?
                    .unwrap_or(ModeratedBy::Moderation),
                completed_on: parsed_opt(r, 3, "date")?,
                audit_grade: parsed_opt(r, 4, "grade")?,
                moderated_grade: parsed_opt(r, 5, "grade")?,
                agreed: r.get(6)?,
                audit_quality: parsed_opt(r, 7, "grade")?,
                no_consensus: r.get(8)?,
            })
        },
    )?;
    let observations = query(
        conn,
        "SELECT record, kind, observer, subject, team, service_area, held_on, completed_on,
           meeting, ended FROM report_observations
         WHERE COALESCE(held_on, completed_on) BETWEEN ?1 AND ?2 OR completed_on IS NULL",
        params![from, to],
        observation,
    )?;
    // Quotes only where a report may show them, inside the window; the
    // year before it is read from the covering index alone.
    let mut findings = query(
        conn,
        "SELECT record, source, polarity, theme, found_on, team, service_area, quote
         FROM report_findings WHERE found_on BETWEEN ?1 AND ?2",
        params![from, to],
        finding,
    )?;
    if window.findings_from < window.from {
        findings.extend(query(
            conn,
            "SELECT record, source, polarity, theme, found_on, team, service_area, ''
             FROM report_findings INDEXED BY report_findings_by_day
             WHERE found_on >= ?1 AND found_on < ?2",
            params![window.findings_from.to_string(), from],
            finding,
        )?);
    }
    let drp_alerts = load_drp(conn, window)?;
    Ok(Facts {
        audits,
        section_grades,
        actions,
        disputes,
        alerts,
        moderations,
        observations,
        findings,
        drp_alerts,
    })
}

/// The DRP alerts raised in the window, and those still open.
pub fn load_drp(conn: &Connection, window: Window) -> Result<Vec<DrpFact>, DbError> {
    query(
        conn,
        "SELECT record, case_reference, team, service_area, iro, category, stage, raised_on,
           ended_on, outcome FROM report_drp_alerts
         WHERE raised_on BETWEEN ?1 AND ?2 OR ended_on IS NULL",
        params![window.from.to_string(), window.to.to_string()],
        drp,
    )
}

fn observation(r: &Row<'_>) -> rusqlite::Result<ObservationFact> {
    Ok(ObservationFact {
        record: record_id(r, 0)?,
        kind: coded(r, 1, "observation kind", |c| {
            qalf_shared::access::ObservationKind::ALL
                .into_iter()
                .find(|k| k.code() == c)
        })?
        .ok_or_else(|| bad(1, "observation kind", ""))?,
        observer: parsed(r, 2, "person")?,
        subject: parsed_opt(r, 3, "person")?,
        team: parsed_opt(r, 4, "team")?,
        service_area: parsed_opt(r, 5, "service area")?,
        held_on: parsed_opt(r, 6, "date")?,
        completed_on: parsed_opt(r, 7, "date")?,
        meeting: coded(
            r,
            8,
            "meeting",
            qalf_shared::observation::quota::MeetingType::parse,
        )?,
        ended: r.get(9)?,
    })
}

fn finding(r: &Row<'_>) -> rusqlite::Result<FindingFact> {
    Ok(FindingFact {
        record: record_id(r, 0)?,
        source: coded(r, 1, "source", FindingSource::parse)?.ok_or_else(|| bad(1, "source", ""))?,
        polarity: coded(r, 2, "polarity", Polarity::parse)?
            .ok_or_else(|| bad(2, "polarity", ""))?,
        theme: r.get(3)?,
        on: parsed(r, 4, "date")?,
        team: parsed_opt(r, 5, "team")?,
        service_area: parsed_opt(r, 6, "service area")?,
        quote: r.get(7)?,
    })
}

fn drp(r: &Row<'_>) -> rusqlite::Result<DrpFact> {
    Ok(DrpFact {
        record: record_id(r, 0)?,
        case: parsed(r, 1, "case")?,
        team: parsed(r, 2, "team")?,
        service_area: parsed_opt(r, 3, "service area")?,
        iro: parsed(r, 4, "person")?,
        category: parsed_opt(r, 5, "DRP category")?,
        stage: r.get(6)?,
        raised_on: parsed(r, 7, "date")?,
        ended_on: parsed_opt(r, 8, "date")?,
        outcome: parsed_opt(r, 9, "DRP outcome")?,
    })
}

/// Every row of the projection, record by record in a fixed order: what a
/// rebuild is compared against.
pub fn everything(conn: &Connection) -> Result<Facts, DbError> {
    // ISO dates compare as text within years 1–9999.
    let all = Window::between(
        NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
    );
    let mut facts = load(conn, all)?;
    // `load` reads section grades and actions for reports; a comparison
    // wants every row.
    facts.section_grades = query(
        conn,
        "SELECT record, section, title, grade FROM report_section_grades",
        [],
        |r| {
            Ok(SectionGradeFact {
                record: record_id(r, 0)?,
                section: r.get(1)?,
                title: r.get(2)?,
                grade: parsed(r, 3, "grade")?,
            })
        },
    )?;
    facts.actions = query(
        conn,
        "SELECT record, action, owner, due_on, done FROM report_actions",
        [],
        |r| {
            Ok(ActionFact {
                record: record_id(r, 0)?,
                action: r.get(1)?,
                owner: parsed_opt(r, 2, "person")?,
                due_on: parsed_opt(r, 3, "date")?,
                done: r.get(4)?,
            })
        },
    )?;
    sort(&mut facts);
    Ok(facts)
}

/// A fixed order for comparing two projections.
pub fn sort(f: &mut Facts) {
    f.audits.sort_by(|a, b| a.record.cmp(&b.record));
    f.section_grades
        .sort_by(|a, b| (&a.record, &a.section).cmp(&(&b.record, &b.section)));
    f.actions
        .sort_by(|a, b| (&a.record, &a.action).cmp(&(&b.record, &b.action)));
    f.disputes
        .sort_by(|a, b| (&a.record, a.stage).cmp(&(&b.record, b.stage)));
    f.alerts
        .sort_by(|a, b| (&a.record, &a.alert).cmp(&(&b.record, &b.alert)));
    f.moderations
        .sort_by(|a, b| (&a.record, &a.audit).cmp(&(&b.record, &b.audit)));
    f.observations.sort_by(|a, b| a.record.cmp(&b.record));
    f.findings
        .sort_by(|a, b| (&a.record, a.polarity, &a.theme).cmp(&(&b.record, b.polarity, &b.theme)));
    f.drp_alerts.sort_by(|a, b| a.record.cmp(&b.record));
}
