//! The schedule's tables: themes, confirmed months and the audits they
//! made, re-audits, and the record of cohort imports.

use chrono::NaiveDate;
use qalf_shared::org::{Case, CaseRef, Cohort, PersonId};
use qalf_shared::schedule::{Allocation, AuditKind, Selection, ThemeEntry, YearMonth};
use rusqlite::{Connection, OptionalExtension, params};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::db::DbError;

fn bad(what: &str, e: impl std::fmt::Display) -> DbError {
    DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("{what}: {e}").into(),
    ))
}

fn to_json(what: &str, value: &impl Serialize) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| bad(what, e))
}

fn from_json<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, DbError> {
    serde_json::from_str(json).map_err(|e| bad(what, e))
}

fn parse<T: std::str::FromStr>(what: &str, value: &str) -> Result<T, DbError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| bad(what, e))
}

// Themes (R-SCHED-1).

pub fn themes(conn: &Connection) -> Result<Vec<ThemeEntry>, DbError> {
    let mut stmt =
        conn.prepare("SELECT month, theme, cohorts, notes FROM audit_themes ORDER BY month")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (month, theme, cohorts, notes) = row?;
        out.push(ThemeEntry {
            month: parse("audit_themes.month", &month)?,
            theme,
            cohorts: from_json("audit_themes.cohorts", &cohorts)?,
            notes,
        });
    }
    Ok(out)
}

pub fn theme(conn: &Connection, month: YearMonth) -> Result<Option<ThemeEntry>, DbError> {
    Ok(themes(conn)?.into_iter().find(|t| t.month == month))
}

pub fn put_theme(
    conn: &Connection,
    entry: &ThemeEntry,
    by: &PersonId,
    at: i64,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO audit_themes (month, theme, cohorts, notes, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(month) DO UPDATE SET theme = excluded.theme, cohorts = excluded.cohorts,
           notes = excluded.notes, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![
            entry.month.to_string(),
            entry.theme,
            to_json("audit_themes.cohorts", &entry.cohorts)?,
            entry.notes,
            by.as_str(),
            at
        ],
    )?;
    Ok(())
}

pub fn clear_theme(conn: &Connection, month: YearMonth) -> Result<(), DbError> {
    conn.execute(
        "DELETE FROM audit_themes WHERE month = ?1",
        [month.to_string()],
    )?;
    Ok(())
}

// Cohort imports.

/// What an import changed, for the record (counts only, never rows).
pub struct ImportRecord {
    pub by: PersonId,
    pub at: i64,
    pub file_sha256: String,
    pub data_rows: usize,
    pub imported_rows: usize,
    pub rejected_rows: usize,
    pub new_cases: usize,
    pub updated_cases: usize,
}

/// Adds or updates `cases` (keyed by reference, so never twice) and records
/// the import, in one transaction. Cases not given are left as they are.
pub fn import_cases(
    conn: &mut Connection,
    cases: &[Case],
    record: &ImportRecord,
) -> Result<(), DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut upsert = tx.prepare(
            "INSERT INTO cases (reference, cohort, team_id, practitioner_id, chaired_by_id, initials, age_band)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(reference) DO UPDATE SET cohort = excluded.cohort, team_id = excluded.team_id,
               practitioner_id = excluded.practitioner_id, chaired_by_id = excluded.chaired_by_id,
               initials = excluded.initials, age_band = excluded.age_band",
        )?;
        for case in cases {
            upsert.execute(params![
                case.reference.as_str(),
                case.cohort.code(),
                case.team.as_str(),
                case.practitioner.as_str(),
                case.chaired_by.as_ref().map(|p| p.as_str()),
                case.initials,
                case.age_band.map(|b| b.code())
            ])?;
        }
    }
    tx.execute(
        "INSERT INTO case_imports (imported_by, imported_at, file_sha256, data_rows, imported_rows,
           rejected_rows, new_cases, updated_cases)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            record.by.as_str(),
            record.at,
            record.file_sha256,
            record.data_rows as i64,
            record.imported_rows as i64,
            record.rejected_rows as i64,
            record.new_cases as i64,
            record.updated_cases as i64
        ],
    )?;
    tx.commit()?;
    Ok(())
}

// Confirmed months (R-SCHED-2, R-ALLOC-1…5).

/// A confirmed month, with what draws its selection again.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMonth {
    pub month: YearMonth,
    pub seed: u64,
    pub theme: ThemeEntry,
    pub selection: Selection,
    /// Every case's reference and cohort when the selection was drawn.
    pub case_list: Vec<(CaseRef, Cohort)>,
    /// (case, audited on) as R-SCHED-3 read it.
    pub history: Vec<(CaseRef, NaiveDate)>,
    pub allocations: Vec<ConfirmedAllocation>,
    pub confirmed_by: PersonId,
    pub confirmed_at: i64,
}

/// An allocation as confirmed, and whether the CPP changed it by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedAllocation {
    pub allocation: Allocation,
    pub changed_by_hand: bool,
}

pub fn month(conn: &Connection, month: YearMonth) -> Result<Option<StoredMonth>, DbError> {
    let row = conn
        .query_row(
            "SELECT seed, theme, selection, case_list, history, allocations, confirmed_by, confirmed_at
             FROM month_allocations WHERE month = ?1",
            [month.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((seed, theme, selection, case_list, history, allocations, by, at)) = row else {
        return Ok(None);
    };
    Ok(Some(StoredMonth {
        month,
        seed: parse("month_allocations.seed", &seed)?,
        theme: from_json("month_allocations.theme", &theme)?,
        selection: from_json("month_allocations.selection", &selection)?,
        case_list: from_json("month_allocations.case_list", &case_list)?,
        history: from_json("month_allocations.history", &history)?,
        allocations: from_json("month_allocations.allocations", &allocations)?,
        confirmed_by: parse("month_allocations.confirmed_by", &by)?,
        confirmed_at: at,
    }))
}

/// Records a confirmed month. False if the month is confirmed already.
pub fn insert_month(conn: &Connection, m: &StoredMonth) -> Result<bool, DbError> {
    let inserted = conn.execute(
        "INSERT INTO month_allocations (month, seed, theme, selection, case_list, history,
           allocations, confirmed_by, confirmed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(month) DO NOTHING",
        params![
            m.month.to_string(),
            m.seed.to_string(),
            to_json("theme", &m.theme)?,
            to_json("selection", &m.selection)?,
            to_json("case_list", &m.case_list)?,
            to_json("history", &m.history)?,
            to_json("allocations", &m.allocations)?,
            m.confirmed_by.as_str(),
            m.confirmed_at
        ],
    )?;
    Ok(inserted == 1)
}

/// An audit a confirmed month made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudit {
    pub audit: String,
    pub case: CaseRef,
    pub auditor: PersonId,
    pub kind: AuditKind,
    pub suggested_day: NaiveDate,
    pub reason: String,
    pub changed_by_hand: bool,
}

/// A month's confirmed allocation, if any, with the audits made from it.
pub fn month_and_audits(
    conn: &Connection,
    month: YearMonth,
) -> Result<(Option<StoredMonth>, Vec<StoredAudit>), DbError> {
    Ok((self::month(conn, month)?, allocated_audits(conn, month)?))
}

pub fn allocated_audits(conn: &Connection, month: YearMonth) -> Result<Vec<StoredAudit>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT audit, case_reference, auditor, kind, suggested_day, reason, changed_by_hand
         FROM allocated_audits WHERE month = ?1 ORDER BY rowid",
    )?;
    let rows = stmt.query_map([month.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, bool>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (audit, case, auditor, kind, day, reason, by_hand) = row?;
        out.push(StoredAudit {
            audit,
            case: parse("allocated_audits.case_reference", &case)?,
            auditor: parse("allocated_audits.auditor", &auditor)?,
            kind: parse("allocated_audits.kind", &kind)?,
            suggested_day: parse("allocated_audits.suggested_day", &day)?,
            reason,
            changed_by_hand: by_hand,
        });
    }
    Ok(out)
}

pub fn insert_allocated(
    conn: &Connection,
    month: YearMonth,
    a: &StoredAudit,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO allocated_audits (audit, month, case_reference, auditor, kind, suggested_day,
           reason, changed_by_hand)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            a.audit,
            month.to_string(),
            a.case.as_str(),
            a.auditor.as_str(),
            a.kind.code(),
            a.suggested_day.to_string(),
            a.reason,
            a.changed_by_hand
        ],
    )?;
    Ok(())
}

// Re-audits (R-REAUDIT-1…3).

/// A re-audit as kept (its one definition is shared with the API).
pub use qalf_shared::schedule::reaudit::ReAuditAllocation as StoredReAudit;

pub fn reaudits(conn: &Connection) -> Result<Vec<StoredReAudit>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT audit, original, case_reference, kind, re_auditor, alongside, reason, allocated_by,
           allocated_on
         FROM reaudits ORDER BY allocated_on DESC, rowid DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (audit, original, case, kind, who, alongside, reason, by, on) = row?;
        out.push(StoredReAudit {
            audit,
            original,
            case: parse("reaudits.case_reference", &case)?,
            kind: parse("reaudits.kind", &kind)?,
            re_auditor: parse("reaudits.re_auditor", &who)?,
            alongside: alongside
                .map(|a| parse("reaudits.alongside", &a))
                .transpose()?,
            reason,
            allocated_by: parse("reaudits.allocated_by", &by)?,
            allocated_on: parse("reaudits.allocated_on", &on)?,
        });
    }
    Ok(out)
}

pub fn insert_reaudit(conn: &Connection, r: &StoredReAudit) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO reaudits (audit, original, case_reference, kind, re_auditor, alongside, reason,
           allocated_by, allocated_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            r.audit,
            r.original,
            r.case.as_str(),
            r.kind.code(),
            r.re_auditor.as_str(),
            r.alongside.as_ref().map(|a| a.as_str()),
            r.reason,
            r.allocated_by.as_str(),
            r.allocated_on.to_string()
        ],
    )?;
    Ok(())
}
