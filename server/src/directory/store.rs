//! Reading and writing the organisation tables.

use std::collections::BTreeMap;

use qalf_shared::org::{
    Case, CaseRef, Organisation, OrganisationParts, Person, PersonId, Role, ServiceArea,
    ServiceAreaId, Team, TeamId,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::{Db, DbError};

/// Loads the whole organisation. An inconsistent database is an error, not a
/// partial organisation.
pub async fn load(db: &Db) -> anyhow::Result<Organisation> {
    let parts = db.call(read_parts).await?;
    Ok(Organisation::new(parts)?)
}

fn parse<T: std::str::FromStr>(value: String, column: &str) -> Result<T, DbError>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| {
        DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("{column}: {e}").into(),
        ))
    })
}

fn parse_opt<T: std::str::FromStr>(
    value: Option<String>,
    column: &str,
) -> Result<Option<T>, DbError>
where
    T::Err: std::fmt::Display,
{
    value.map(|v| parse(v, column)).transpose()
}

fn read_parts(conn: &mut Connection) -> Result<OrganisationParts, DbError> {
    let mut parts = OrganisationParts::default();

    let mut stmt = conn.prepare("SELECT id, name, head_id FROM service_areas ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (id, name, head) = row?;
        parts.service_areas.push(ServiceArea {
            id: parse::<ServiceAreaId>(id, "service_areas.id")?,
            name,
            head: parse_opt(head, "service_areas.head_id")?,
        });
    }

    let mut stmt =
        conn.prepare("SELECT id, name, service_area_id, manager_id FROM teams ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (id, name, area, manager) = row?;
        parts.teams.push(Team {
            id: parse::<TeamId>(id, "teams.id")?,
            name,
            service_area: parse(area, "teams.service_area_id")?,
            manager: parse_opt(manager, "teams.manager_id")?,
        });
    }

    let mut roles: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT person_id, role FROM person_roles ORDER BY person_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (person, role) = row?;
        roles
            .entry(person)
            .or_default()
            .push(parse(role, "person_roles.role")?);
    }

    let mut stmt = conn.prepare(
        "SELECT id, name, job_title, team_id, service_area_id, line_manager_id, started_on, in_post_since,
                email
         FROM people WHERE active = 1 ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    for row in rows {
        let (id, name, job_title, team, area, manager, started, in_post, email) = row?;
        let person_roles = roles.remove(&id).unwrap_or_default();
        parts.people.push(Person {
            id: parse::<PersonId>(id, "people.id")?,
            name,
            job_title,
            roles: person_roles,
            team: parse_opt(team, "people.team_id")?,
            service_area: parse_opt(area, "people.service_area_id")?,
            line_manager: parse_opt(manager, "people.line_manager_id")?,
            started_on: parse_opt(started, "people.started_on")?,
            in_post_since: parse_opt(in_post, "people.in_post_since")?,
            email,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT reference, cohort, team_id, practitioner_id, chaired_by_id, initials, age_band
         FROM cases ORDER BY reference",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    for row in rows {
        let (reference, cohort, team, practitioner, chaired_by, initials, age_band) = row?;
        parts.cases.push(Case {
            reference: parse::<CaseRef>(reference, "cases.reference")?,
            cohort: parse(cohort, "cases.cohort")?,
            team: parse(team, "cases.team_id")?,
            practitioner: parse(practitioner, "cases.practitioner_id")?,
            chaired_by: parse_opt(chaired_by, "cases.chaired_by_id")?,
            initials,
            age_band: parse_opt(age_band, "cases.age_band")?,
        });
    }
    Ok(parts)
}

/// Replaces the organisation tables with `org` in one transaction. Accounts
/// and sessions are left alone.
pub fn replace(conn: &mut Connection, org: &Organisation) -> Result<(), DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    replace_in(&tx, org)?;
    tx.commit()?;
    Ok(())
}

/// What a staff directory import writes, besides the directory.
pub struct StaffImportRecord {
    pub entry: crate::change_log::Entry,
    pub leavers: Vec<PersonId>,
}

/// Applies a staff directory import in one transaction: the new directory,
/// the end of every leaver's sessions (kept aside, so that their devices
/// learn on next contact to delete their copy), and the change log entry.
/// Returns nothing to undo: either all of it is written or none.
pub fn apply_staff_import(
    conn: &mut Connection,
    org: &Organisation,
    record: &StaffImportRecord,
) -> Result<(), DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    replace_in(&tx, org)?;
    for person in &record.leavers {
        tx.execute(
            "INSERT OR IGNORE INTO departed_sessions (token_hash, person_id, left_at)
             SELECT token_hash, person_id, ?2 FROM sessions WHERE person_id = ?1",
            params![person.as_str(), record.entry.at],
        )?;
        tx.execute(
            "DELETE FROM sessions WHERE person_id = ?1",
            [person.as_str()],
        )?;
    }
    record.entry.write(&tx)?;
    tx.commit()?;
    Ok(())
}

fn replace_in(tx: &rusqlite::Transaction<'_>, org: &Organisation) -> Result<(), DbError> {
    tx.execute_batch(
        "PRAGMA defer_foreign_keys = ON;
         DELETE FROM cases; DELETE FROM person_roles;
         DELETE FROM teams; DELETE FROM service_areas;",
    )?;
    for area in org.service_areas() {
        tx.execute(
            "INSERT INTO service_areas (id, name, head_id) VALUES (?1, ?2, ?3)",
            params![
                area.id.as_str(),
                area.name,
                area.head.as_ref().map(|h| h.as_str())
            ],
        )?;
    }
    for team in org.teams() {
        tx.execute(
            "INSERT INTO teams (id, name, service_area_id, manager_id) VALUES (?1, ?2, ?3, ?4)",
            params![
                team.id.as_str(),
                team.name,
                team.service_area.as_str(),
                team.manager.as_ref().map(|m| m.as_str())
            ],
        )?;
    }
    tx.execute("UPDATE people SET active = 0", [])?;
    for person in org.people() {
        tx.execute(
            "INSERT INTO people (id, name, job_title, team_id, service_area_id, line_manager_id,
               started_on, in_post_since, email, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, job_title = excluded.job_title,
               team_id = excluded.team_id, service_area_id = excluded.service_area_id,
               line_manager_id = excluded.line_manager_id, started_on = excluded.started_on,
               in_post_since = excluded.in_post_since, email = excluded.email, active = 1",
            params![
                person.id.as_str(),
                person.name,
                person.job_title,
                person.team.as_ref().map(|t| t.as_str()),
                person.service_area.as_ref().map(|a| a.as_str()),
                person.line_manager.as_ref().map(|m| m.as_str()),
                person.started_on.map(|d| d.to_string()),
                person.in_post_since.map(|d| d.to_string()),
                person.email
            ],
        )?;
        for role in &person.roles {
            tx.execute(
                "INSERT INTO person_roles (person_id, role) VALUES (?1, ?2)",
                params![person.id.as_str(), role.code()],
            )?;
        }
    }
    for case in org.cases() {
        tx.execute(
            "INSERT INTO cases (reference, cohort, team_id, practitioner_id, chaired_by_id, initials, age_band)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                case.reference.as_str(),
                case.cohort.code(),
                case.team.as_str(),
                case.practitioner.as_str(),
                case.chaired_by.as_ref().map(|p| p.as_str()),
                case.initials,
                case.age_band.map(|b| b.code())
            ],
        )?;
    }
    Ok(())
}

/// True once any person has been stored: demo data is seeded only before.
pub fn is_empty(conn: &Connection) -> Result<bool, DbError> {
    let any: Option<i64> = conn
        .query_row("SELECT 1 FROM people LIMIT 1", [], |r| r.get(0))
        .optional()?;
    Ok(any.is_none())
}
