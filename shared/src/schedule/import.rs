//! The cohort list the CPP uploads, exported from the case management
//! system as CSV: one row per case, with only what QA needs (DOMAIN.md §1).
//!
//! ```text
//! case_reference,cohort,team,practitioner,initials,age_band
//! CR-100001,CP,intervention-1,p-020,AB,5-9
//! ```
//!
//! A header row is required; columns may come in any order; `initials`,
//! `age_band` and `chaired_by` (the IRO's id) are optional columns with
//! optional values. Other columns are ignored (and said so): QALF keeps no
//! more than it needs. Every row is checked and every problem reported with
//! its line. The valid rows merge into the existing case list: a case in
//! the file is added or updated, a case not in the file is kept, and a
//! reference is never held twice.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::closed_set::closed_set;

use serde::{Deserialize, Serialize};

use crate::csv_rows::{Lines, error_line, header_name, is_blank};
use crate::org::{AgeBand, Case, CaseRef, Cohort, Organisation, PersonId, Role, TeamId};

closed_set! {
    /// A column of the cohort file.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Column: "column", shown by code {
        CaseReference = "case_reference", "case_reference";
        Cohort = "cohort", "cohort";
        Team = "team", "team";
        Practitioner = "practitioner", "practitioner";
        Initials = "initials", "initials";
        AgeBand = "age_band", "age_band";
        ChairedBy = "chaired_by", "chaired_by";
    }
}

impl Column {
    pub const REQUIRED: [Column; 4] = [
        Column::CaseReference,
        Column::Cohort,
        Column::Team,
        Column::Practitioner,
    ];

    /// A header cell, read leniently: any letter case, spaces or hyphens
    /// for underscores, a byte order mark ignored.
    fn from_header(cell: &str) -> Option<Column> {
        let normal = header_name(cell);
        Column::ALL.into_iter().find(|c| c.code() == normal)
    }
}

/// A problem with the file, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue<C = Column> {
    /// 1-based line in the file (a row's first line, if a quoted value
    /// spans lines).
    pub line: u64,
    pub column: Option<C>,
    pub message: String,
}

/// How many lines of a file have at least one of `issues`.
pub fn rows_with<C>(issues: &[ImportIssue<C>]) -> usize {
    issues.iter().map(|e| e.line).collect::<BTreeSet<_>>().len()
}

impl<C: fmt::Display> fmt::Display for ImportIssue<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "Line {}, {column}: {}", self.line, self.message),
            None => write!(f, "Line {}: {}", self.line, self.message),
        }
    }
}

/// A valid row, as the case it will become.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRow {
    pub line: u64,
    pub case: Case,
}

/// One field of an existing case the file changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub column: Column,
    pub from: String,
    pub to: String,
}

/// An existing case the file changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseUpdate {
    pub reference: CaseRef,
    pub line: u64,
    pub changes: Vec<FieldChange>,
}

/// What importing the file would do. Nothing changes until [`apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    /// The columns the file has; a column it lacks leaves existing values
    /// alone.
    pub columns: BTreeSet<Column>,
    /// Rows read, not counting the header or blank lines.
    pub data_rows: usize,
    pub rows: Vec<ImportedRow>,
    pub errors: Vec<ImportIssue>,
    /// Things worth knowing that stop nothing (ignored columns).
    pub warnings: Vec<ImportIssue>,
    pub new: Vec<CaseRef>,
    pub updated: Vec<CaseUpdate>,
    pub unchanged: Vec<CaseRef>,
    /// Existing cases not in the file: kept as they are.
    pub kept: Vec<CaseRef>,
}

impl ImportPlan {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Rows with at least one error.
    pub fn rejected_rows(&self) -> usize {
        rows_with(&self.errors)
    }

    /// "120 rows: 3 new, 2 updated, 110 unchanged; 5 rows with errors; 40
    /// cases not in the file are kept."
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} row{}: {} new, {} updated, {} unchanged",
            self.data_rows,
            if self.data_rows == 1 { "" } else { "s" },
            self.new.len(),
            self.updated.len(),
            self.unchanged.len()
        );
        if self.has_errors() {
            let rows = self.rejected_rows();
            text.push_str(&format!(
                "; {} with errors ({} problem{})",
                rows,
                self.errors.len(),
                if self.errors.len() == 1 { "" } else { "s" }
            ));
        }
        if !self.kept.is_empty() {
            text.push_str(&format!(
                "; {} existing case{} not in the file {} kept",
                self.kept.len(),
                if self.kept.len() == 1 { "" } else { "s" },
                if self.kept.len() == 1 { "is" } else { "are" }
            ));
        }
        text.push('.');
        text
    }
}

/// How far planning has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub rows: usize,
    pub bytes: u64,
    pub total_bytes: u64,
}

/// Plans the import of a cohort file against the organisation's teams,
/// people and current cases.
pub fn plan_import(csv: &[u8], org: &Organisation) -> ImportPlan {
    ImportPlanner::new(csv, org).finish()
}

/// [`plan_import`], calling `progress` every `every` rows (never if 0).
pub fn plan_import_with_progress(
    csv: &[u8],
    org: &Organisation,
    every: usize,
    mut progress: impl FnMut(ImportProgress),
) -> ImportPlan {
    let mut planner = ImportPlanner::new(csv, org);
    if every > 0 {
        while planner.step(every) {
            progress(planner.progress());
        }
    }
    planner.finish()
}

/// Plans an import a step of rows at a time. A browser repaints only when
/// the code running in it yields, so a screen shows a progress bar over a
/// large file by planning a step, yielding, and planning the next.
pub struct ImportPlanner<'a> {
    csv: &'a [u8],
    org: &'a Organisation,
    reader: csv::Reader<&'a [u8]>,
    record: csv::ByteRecord,
    lines: Lines<'a>,
    /// `None` once the file cannot be read further (or had no usable header).
    layout: Option<Layout>,
    first_seen: BTreeMap<CaseRef, u64>,
    plan: ImportPlan,
    bytes: u64,
}

impl<'a> ImportPlanner<'a> {
    /// Reads the header row; problems with it end the plan at once.
    pub fn new(csv: &'a [u8], org: &'a Organisation) -> ImportPlanner<'a> {
        let mut planner = ImportPlanner {
            csv,
            org,
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(csv),
            record: csv::ByteRecord::new(),
            lines: Lines::new(csv),
            layout: None,
            first_seen: BTreeMap::new(),
            plan: ImportPlan::default(),
            bytes: 0,
        };
        planner.layout = planner.read_header();
        planner
    }

    fn read_header(&mut self) -> Option<Layout> {
        let header = loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) if is_blank(&self.record) => {}
                Ok(true) => break Some(self.record.clone()),
                Ok(false) => break None,
                Err(e) => {
                    self.plan.errors.push(ImportIssue {
                        line: error_line(&e),
                        column: None,
                        message: format!("the file could not be read as CSV: {e}"),
                    });
                    return None;
                }
            }
        };
        let Some(header) = header else {
            self.plan.errors.push(ImportIssue {
                line: 1,
                column: None,
                message: format!(
                    "the file is empty: the first row must name the columns ({})",
                    required_names()
                ),
            });
            return None;
        };
        let header_line = self.lines.line_of(&header);
        read_header(&header, header_line, &mut self.plan)
    }

    /// Reads up to `rows` more data rows. True when it read them all and the
    /// file may hold more; false once the end (or an unreadable part) is
    /// reached.
    pub fn step(&mut self, rows: usize) -> bool {
        let Some(layout) = self.layout.take() else {
            return false;
        };
        let mut read = 0;
        while read < rows {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.bytes = self.csv.len() as u64;
                    return false;
                }
                Err(e) => {
                    self.plan.errors.push(ImportIssue {
                        line: error_line(&e),
                        column: None,
                        message: format!("the rest of the file could not be read as CSV: {e}"),
                    });
                    self.bytes = self.csv.len() as u64;
                    return false;
                }
            }
            if is_blank(&self.record) {
                continue;
            }
            read += 1;
            self.plan.data_rows += 1;
            self.bytes = self.record.position().map_or(0, |p| p.byte());
            let line = self.lines.line_of(&self.record);
            if self.record.len() != layout.width {
                self.plan.errors.push(ImportIssue {
                    line,
                    column: None,
                    message: format!(
                        "expected {} field{} as in the header, found {}",
                        layout.width,
                        if layout.width == 1 { "" } else { "s" },
                        self.record.len()
                    ),
                });
            } else if let Some(case) = read_row(
                &self.record,
                line,
                &layout,
                self.org,
                &mut self.first_seen,
                &mut self.plan,
            ) {
                self.plan.rows.push(ImportedRow { line, case });
            }
        }
        self.layout = Some(layout);
        true
    }

    /// How far planning has got.
    pub fn progress(&self) -> ImportProgress {
        ImportProgress {
            rows: self.plan.data_rows,
            bytes: self.bytes,
            total_bytes: self.csv.len() as u64,
        }
    }

    /// Plans what is left, then how the valid rows merge with the existing
    /// cases.
    pub fn finish(mut self) -> ImportPlan {
        while self.step(usize::MAX) {}
        let org = self.org;
        let mut plan = self.plan;
        for row in &mut plan.rows {
            let existing = org.case(&row.case.reference);
            row.case = merge(existing, &row.case, &plan.columns);
            match existing {
                None => plan.new.push(row.case.reference.clone()),
                Some(old) if *old == row.case => plan.unchanged.push(row.case.reference.clone()),
                Some(old) => plan.updated.push(CaseUpdate {
                    reference: row.case.reference.clone(),
                    line: row.line,
                    changes: changes(old, &row.case),
                }),
            }
        }
        plan.kept = org
            .cases()
            .filter(|c| !self.first_seen.contains_key(&c.reference))
            .map(|c| c.reference.clone())
            .collect();
        plan
    }
}

/// Merges a plan's valid rows into `existing`: a case in the file replaces
/// the one with its reference (keeping the values of columns the file does
/// not have), a case not in the file is kept, and each reference appears
/// once. Rows with errors are not in the plan's rows and change nothing.
pub fn apply(plan: &ImportPlan, existing: &[Case]) -> Vec<Case> {
    let mut cases: BTreeMap<CaseRef, Case> = existing
        .iter()
        .map(|c| (c.reference.clone(), c.clone()))
        .collect();
    for row in &plan.rows {
        let merged = merge(cases.get(&row.case.reference), &row.case, &plan.columns);
        cases.insert(merged.reference.clone(), merged);
    }
    cases.into_values().collect()
}

fn required_names() -> String {
    Column::REQUIRED
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where each column is in the file.
struct Layout {
    width: usize,
    index: BTreeMap<Column, usize>,
}

fn read_header(header: &csv::ByteRecord, line: u64, plan: &mut ImportPlan) -> Option<Layout> {
    let mut index = BTreeMap::new();
    let mut ok = true;
    let mut ignored = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        let Ok(cell) = std::str::from_utf8(cell) else {
            plan.errors.push(ImportIssue {
                line,
                column: None,
                message: format!(
                    "header cell {} is not valid UTF-8 text: save the file as \"CSV UTF-8\"",
                    i + 1
                ),
            });
            ok = false;
            continue;
        };
        match Column::from_header(cell) {
            Some(column) => {
                if index.insert(column, i).is_some() {
                    plan.errors.push(ImportIssue {
                        line,
                        column: Some(column),
                        message: format!("the header names the column `{column}` twice"),
                    });
                    ok = false;
                }
            }
            None => {
                let cell = cell.trim_start_matches('\u{feff}').trim();
                if !cell.is_empty() {
                    ignored.push(cell.to_string());
                }
            }
        }
    }
    if index.is_empty() {
        plan.errors.push(ImportIssue {
            line,
            column: None,
            message: format!(
                "no header row: the first row must name the columns ({}, and optionally \
                 initials, age_band, chaired_by)",
                required_names()
            ),
        });
        return None;
    }
    for column in Column::REQUIRED {
        if !index.contains_key(&column) {
            plan.errors.push(ImportIssue {
                line,
                column: Some(column),
                message: format!(
                    "the header has no `{column}` column (required: {})",
                    required_names()
                ),
            });
            ok = false;
        }
    }
    if !ignored.is_empty() {
        plan.warnings.push(ImportIssue {
            line,
            column: None,
            message: format!(
                "column{} {} ignored: QALF keeps only the case reference, cohort, team, \
                 practitioner, initials, age band and chairing IRO",
                if ignored.len() == 1 { "" } else { "s" },
                ignored
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if ignored.len() == 1 { " is" } else { " are" }
            ),
        });
    }
    plan.columns = index.keys().copied().collect();
    ok.then_some(Layout {
        width: header.len(),
        index,
    })
}

/// A cohort by its code (any letter case) or its full name.
fn parse_cohort(value: &str) -> Result<Cohort, String> {
    value.parse::<Cohort>().or_else(|unknown| {
        Cohort::ALL
            .into_iter()
            .find(|c| c.label().eq_ignore_ascii_case(value))
            .ok_or_else(|| unknown.to_string())
    })
}

/// Initials only, never a name: up to four letters; dots and spaces dropped.
fn parse_initials(value: &str) -> Result<Option<String>, String> {
    let letters: String = value
        .chars()
        .filter(|c| !matches!(c, '.' | ' '))
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        return Ok(None);
    }
    if letters.chars().count() > 4 || !letters.chars().all(char::is_alphabetic) {
        return Err(format!(
            "`{value}` is not initials: up to 4 letters (QALF keeps initials, never names)"
        ));
    }
    Ok(Some(letters))
}

/// One data row: the case it describes, or its problems in `plan.errors`.
fn read_row(
    record: &csv::ByteRecord,
    line: u64,
    layout: &Layout,
    org: &Organisation,
    first_seen: &mut BTreeMap<CaseRef, u64>,
    plan: &mut ImportPlan,
) -> Option<Case> {
    let errors_before = plan.errors.len();
    let mut issue = |column: Column, message: String| {
        plan.errors.push(ImportIssue {
            line,
            column: Some(column),
            message,
        });
    };
    let mut text = |column: Column| -> Option<&str> {
        let i = *layout.index.get(&column)?;
        match std::str::from_utf8(&record[i]) {
            Ok(s) => Some(s),
            Err(_) => {
                issue(
                    column,
                    "not valid UTF-8 text: save the file as \"CSV UTF-8\"".to_string(),
                );
                None
            }
        }
    };
    let reference = text(Column::CaseReference);
    let cohort = text(Column::Cohort);
    let team = text(Column::Team);
    let practitioner = text(Column::Practitioner);
    let initials = text(Column::Initials);
    let age_band = text(Column::AgeBand);
    let chaired_by = text(Column::ChairedBy);
    let mut issue = |column: Column, message: String| {
        plan.errors.push(ImportIssue {
            line,
            column: Some(column),
            message,
        });
    };
    fn required<'v>(
        column: Column,
        value: Option<&'v str>,
        issue: &mut dyn FnMut(Column, String),
    ) -> Option<&'v str> {
        match value {
            Some("") => {
                issue(column, "missing: every row needs a value here".to_string());
                None
            }
            other => other,
        }
    }

    let reference = required(Column::CaseReference, reference, &mut issue).and_then(|v| {
        CaseRef::parse(v)
            .map_err(|e| issue(Column::CaseReference, format!("`{v}`: {e}")))
            .ok()
    });
    if let Some(reference) = &reference {
        if let Some(first) = first_seen.get(reference) {
            issue(
                Column::CaseReference,
                format!("case {reference} appears again (first on line {first})"),
            );
        } else {
            first_seen.insert(reference.clone(), line);
        }
    }
    let cohort = required(Column::Cohort, cohort, &mut issue)
        .and_then(|v| parse_cohort(v).map_err(|e| issue(Column::Cohort, e)).ok());
    let team = required(Column::Team, team, &mut issue).and_then(|v| {
        let Ok(id) = TeamId::parse(v) else {
            issue(Column::Team, format!("unknown team `{v}`"));
            return None;
        };
        match org.team(&id) {
            Some(t) => Some(t),
            None => {
                issue(Column::Team, format!("unknown team `{v}`"));
                None
            }
        }
    });
    let practitioner = required(Column::Practitioner, practitioner, &mut issue).and_then(|v| {
        let person = PersonId::parse(v).ok().and_then(|id| org.person(&id));
        if person.is_none() {
            issue(Column::Practitioner, format!("unknown practitioner `{v}`"));
        }
        person
    });
    if let (Some(team), Some(person)) = (team, practitioner)
        && person.team.as_ref() != Some(&team.id)
    {
        let now = person
            .team
            .as_ref()
            .and_then(|t| org.team(t))
            .map(|t| format!("they are in {} ({})", t.name, t.id))
            .unwrap_or_else(|| "they are in no team".to_string());
        issue(
            Column::Practitioner,
            format!(
                "{} ({}) is not in team {} ({}): {now}",
                person.name, person.id, team.name, team.id
            ),
        );
    }
    let initials = match initials.map(parse_initials) {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            issue(Column::Initials, e);
            None
        }
        None => None,
    };
    let age_band = match age_band.filter(|v| !v.is_empty()) {
        Some(v) => match v.parse::<AgeBand>() {
            Ok(b) => Some(b),
            Err(e) => {
                issue(Column::AgeBand, e.to_string());
                None
            }
        },
        None => None,
    };
    let chaired_by = match chaired_by.filter(|v| !v.is_empty()) {
        Some(v) => match PersonId::parse(v).ok().and_then(|id| org.person(&id)) {
            Some(p) if p.has_role(Role::Iro) => Some(p.id.clone()),
            Some(p) => {
                issue(
                    Column::ChairedBy,
                    format!("{} ({}) is not an IRO", p.name, p.id),
                );
                None
            }
            None => {
                issue(Column::ChairedBy, format!("unknown IRO `{v}`"));
                None
            }
        },
        None => None,
    };

    if plan.errors.len() > errors_before {
        return None;
    }
    Some(Case {
        reference: reference?,
        cohort: cohort?,
        team: team?.id.clone(),
        practitioner: practitioner?.id.clone(),
        chaired_by,
        initials,
        age_band,
    })
}

/// A row's case over the existing one: columns the file lacks keep their
/// existing values.
fn merge(existing: Option<&Case>, row: &Case, columns: &BTreeSet<Column>) -> Case {
    let keep = |column: Column| !columns.contains(&column) && existing.is_some();
    let old = existing;
    Case {
        reference: row.reference.clone(),
        cohort: row.cohort,
        team: row.team.clone(),
        practitioner: row.practitioner.clone(),
        chaired_by: if keep(Column::ChairedBy) {
            old.and_then(|c| c.chaired_by.clone())
        } else {
            row.chaired_by.clone()
        },
        initials: if keep(Column::Initials) {
            old.and_then(|c| c.initials.clone())
        } else {
            row.initials.clone()
        },
        age_band: if keep(Column::AgeBand) {
            old.and_then(|c| c.age_band)
        } else {
            row.age_band
        },
    }
}

fn changes(old: &Case, new: &Case) -> Vec<FieldChange> {
    fn show<T: ToString>(v: &Option<T>) -> String {
        v.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
    let mut out = Vec::new();
    let mut diff = |column: Column, from: String, to: String| {
        if from != to {
            out.push(FieldChange { column, from, to });
        }
    };
    diff(
        Column::Cohort,
        old.cohort.code().to_string(),
        new.cohort.code().to_string(),
    );
    diff(Column::Team, old.team.to_string(), new.team.to_string());
    diff(
        Column::Practitioner,
        old.practitioner.to_string(),
        new.practitioner.to_string(),
    );
    diff(Column::Initials, show(&old.initials), show(&new.initials));
    diff(Column::AgeBand, show(&old.age_band), show(&new.age_band));
    diff(
        Column::ChairedBy,
        show(&old.chaired_by),
        show(&new.chaired_by),
    );
    out
}

#[cfg(test)]
mod tests;
