//! Planning a staff directory import: the file is the whole directory.
//!
//! ```text
//! staff_id,name,work_email,job_title,roles,team,service_area,line_manager,start_date,end_date
//! E1001,Sam Okafor,sam.okafor@council.example,Team Manager,team-manager,Assessment 1,Assessment,E0900,2019-04-01,
//! ```
//!
//! Everyone in the file with no end date (or one still to come) is on the
//! staff; everyone the directory holds who is not in the file, or whose
//! end date has passed, leaves. Administrators the file does not name are
//! kept, so that an HR export without them cannot lock the council out.
//! A file with any error changes nothing: applying part of a directory
//! would make everyone on a bad row a leaver.

use std::collections::{BTreeMap, BTreeSet};

use crate::closed_set::closed_set;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::csv_rows::{Lines, error_line, header_name, is_blank};
use crate::org::{
    CaseRef, OrgError, Organisation, OrganisationParts, Person, PersonId, Role, ServiceArea,
    ServiceAreaId, Team, TeamId,
};
use crate::schedule::ImportIssue;

closed_set! {
    /// A column of the staff file.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum StaffColumn: "column", shown by code {
        StaffId = "staff_id", "staff_id";
        Name = "name", "name";
        WorkEmail = "work_email", "work_email";
        JobTitle = "job_title", "job_title";
        Roles = "roles", "roles";
        Team = "team", "team";
        ServiceArea = "service_area", "service_area";
        LineManager = "line_manager", "line_manager";
        StartDate = "start_date", "start_date";
        EndDate = "end_date", "end_date";
    }
}

impl StaffColumn {
    pub const REQUIRED: [StaffColumn; 4] = [
        StaffColumn::StaffId,
        StaffColumn::Name,
        StaffColumn::WorkEmail,
        StaffColumn::Roles,
    ];

    /// What the column holds, for the page that explains the file.
    pub fn meaning(self) -> &'static str {
        match self {
            StaffColumn::StaffId => {
                "The person's number in the HR system: letters, digits, '-', '_' or '/'. It never \
                 changes, so a change of name or team is the same person."
            }
            StaffColumn::Name => "The name colleagues know them by.",
            StaffColumn::WorkEmail => {
                "Their work e-mail address: notifications go there, and signing in with the \
                 council's account is matched by it. Each address once."
            }
            StaffColumn::JobTitle => "Optional. Their job title; the first role's name if blank.",
            StaffColumn::Roles => {
                "One or more of the roles below, separated by ';' (for example \
                 \"team-manager; iro\"). The role's name works too."
            }
            StaffColumn::Team => {
                "Optional. The team's name. A team not yet known is created; its service area \
                 must then be given."
            }
            StaffColumn::ServiceArea => {
                "Optional. The service area's name (Early Help, Children in Care…). A service \
                 area not yet known is created."
            }
            StaffColumn::LineManager => "Optional. The staff_id of their line manager.",
            StaffColumn::StartDate => {
                "Optional. When they joined Children's Services: 2026-04-01 or 01/04/2026."
            }
            StaffColumn::EndDate => {
                "Optional. Their last day. Once it has passed they leave: their sessions end \
                 and their devices delete their copy of records."
            }
        }
    }

    fn from_header(cell: &str) -> Option<StaffColumn> {
        let normal = header_name(cell);
        let normal = match normal.as_str() {
            // Names HR systems commonly use.
            "employee_id" | "employee_number" | "staff_number" | "person_id" => "staff_id",
            "email" | "e_mail" | "work_e_mail" => "work_email",
            "role" => "roles",
            "manager" | "line_manager_id" => "line_manager",
            other => other,
        }
        .to_string();
        StaffColumn::ALL.into_iter().find(|c| c.code() == normal)
    }
}

/// A problem with the staff file, where it is.
pub type StaffIssue = ImportIssue<StaffColumn>;

/// Someone the file adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joiner {
    pub line: u64,
    pub person: PersonId,
    pub name: String,
    pub roles: Vec<Role>,
    pub team: Option<String>,
}

/// Someone who leaves: their end date passed (`line` is theirs), or the
/// file does not name them (`line` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaver {
    pub person: PersonId,
    pub name: String,
    pub line: Option<u64>,
    pub left_on: Option<NaiveDate>,
}

/// Someone who changes team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mover {
    pub line: u64,
    pub person: PersonId,
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Someone whose roles change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub line: u64,
    pub person: PersonId,
    pub name: String,
    pub from: Vec<Role>,
    pub to: Vec<Role>,
}

/// What importing the file would do. Nothing changes until it is applied,
/// and a plan with errors cannot be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StaffPlan {
    /// Rows read, not counting the header or blank lines.
    pub data_rows: usize,
    pub errors: Vec<StaffIssue>,
    /// Worth knowing, stops nothing.
    pub warnings: Vec<StaffIssue>,
    pub joiners: Vec<Joiner>,
    pub leavers: Vec<Leaver>,
    pub movers: Vec<Mover>,
    pub role_changes: Vec<RoleChange>,
    /// People whose name, e-mail, job title, line manager or dates change
    /// (and nothing above).
    pub other_changes: usize,
    pub unchanged: usize,
    pub new_teams: Vec<String>,
    pub new_service_areas: Vec<String>,
    /// Cases whose worker leaves: they leave the case list until the next
    /// cohort file names their new worker.
    pub cases_set_aside: Vec<CaseRef>,
    /// Administrators the file does not name, kept.
    pub administrators_kept: Vec<String>,
    /// The directory after the import; `None` while there are errors.
    #[serde(skip)]
    pub organisation: Option<OrganisationParts>,
}

impl StaffPlan {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Rows with at least one error.
    pub fn rejected_rows(&self) -> usize {
        crate::schedule::rows_with(&self.errors)
    }

    /// Whether applying would change anything.
    pub fn changes_anything(&self) -> bool {
        !(self.joiners.is_empty()
            && self.leavers.is_empty()
            && self.movers.is_empty()
            && self.role_changes.is_empty()
            && self.other_changes == 0
            && self.new_teams.is_empty()
            && self.new_service_areas.is_empty())
    }

    /// "240 rows: 3 joiners, 2 leavers, 1 moving team, 1 changing role,
    /// 4 other changes."
    pub fn summary(&self) -> String {
        fn n(count: usize, one: &str, many: &str) -> String {
            format!("{count} {}", if count == 1 { one } else { many })
        }
        let mut text = format!(
            "{}: {}, {}, {}, {}, {}",
            n(self.data_rows, "row", "rows"),
            n(self.joiners.len(), "joiner", "joiners"),
            n(self.leavers.len(), "leaver", "leavers"),
            n(self.movers.len(), "moving team", "moving team"),
            n(self.role_changes.len(), "changing role", "changing role"),
            n(self.other_changes, "other change", "other changes"),
        );
        if self.has_errors() {
            text.push_str(&format!(
                "; {} with errors, so nothing can be applied",
                n(self.rejected_rows(), "row", "rows")
            ));
        }
        text.push('.');
        text
    }
}

/// A file to start from: the header and three synthetic rows.
pub fn template() -> String {
    let header: Vec<&str> = StaffColumn::ALL.iter().map(|c| c.code()).collect();
    let mut text = header.join(",");
    text.push_str(
        "\r\nE0900,Alex Morgan,alex.morgan@council.example,Head of Service,head-of-service,,Assessment,,2015-09-01,\
         \r\nE1001,Sam Okafor,sam.okafor@council.example,Team Manager,team-manager,Assessment 1,Assessment,E0900,2019-04-01,\
         \r\nE1002,Priya Shah,priya.shah@council.example,Social Worker,practitioner,Assessment 1,Assessment,E1001,01/09/2023,\r\n",
    );
    text
}

/// Roles that manage a team: the team's manager is the member holding one.
const TEAM_MANAGER_ROLES: [Role; 3] = [
    Role::TeamManager,
    Role::FamilySolutionsManager,
    Role::ResidentialManager,
];

/// A valid row.
struct Row {
    line: u64,
    person: Person,
    team: Option<String>,
    area: Option<String>,
    line_manager: Option<(PersonId, u64)>,
    end_date: Option<NaiveDate>,
}

/// Plans importing `csv` over the current organisation on `today`.
pub fn plan_staff_import(csv: &[u8], org: &Organisation, today: NaiveDate) -> StaffPlan {
    let mut plan = StaffPlan::default();
    let rows = read_rows(csv, &mut plan);
    // The valid rows are merged even when others have errors, so that
    // every problem (a new team without its service area, say) shows at
    // once; the plan then describes no changes and cannot be applied.
    Merge::new(org, today, &mut plan).run(rows);
    plan
}

fn read_rows(csv: &[u8], plan: &mut StaffPlan) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv);
    let mut lines = Lines::new(csv);
    let mut record = csv::ByteRecord::new();
    let header = loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) if is_blank(&record) => {}
            Ok(true) => break record.clone(),
            Ok(false) => {
                plan.errors.push(issue(
                    1,
                    None,
                    format!(
                        "the file is empty: the first row must name the columns ({})",
                        required_names()
                    ),
                ));
                return Vec::new();
            }
            Err(e) => {
                plan.errors.push(issue(
                    error_line(&e),
                    None,
                    format!("the file could not be read as CSV: {e}"),
                ));
                return Vec::new();
            }
        }
    };
    let header_line = lines.line_of(&header);
    let Some(layout) = read_header(&header, header_line, plan) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut ids: BTreeMap<PersonId, u64> = BTreeMap::new();
    let mut emails: BTreeMap<String, u64> = BTreeMap::new();
    // Every staff id the file gives, on valid rows or not: a manager on a
    // row with errors is reported there, not again on each report's row.
    let mut named: BTreeSet<String> = BTreeSet::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                plan.errors.push(issue(
                    error_line(&e),
                    None,
                    format!("the rest of the file could not be read as CSV: {e}"),
                ));
                break;
            }
        }
        if is_blank(&record) {
            continue;
        }
        plan.data_rows += 1;
        let line = lines.line_of(&record);
        if record.len() != layout.width {
            plan.errors.push(issue(
                line,
                None,
                format!(
                    "expected {} fields as in the header, found {}",
                    layout.width,
                    record.len()
                ),
            ));
            continue;
        }
        if let Some(id) = layout
            .index
            .get(&StaffColumn::StaffId)
            .and_then(|&i| std::str::from_utf8(&record[i]).ok())
        {
            named.insert(id.to_string());
        }
        if let Some(row) = read_row(&record, line, &layout, plan) {
            if let Some(first) = ids.insert(row.person.id.clone(), line) {
                plan.errors.push(issue(
                    line,
                    Some(StaffColumn::StaffId),
                    format!("staff id `{}` is also on line {first}", row.person.id),
                ));
                continue;
            }
            if let Some(email) = &row.person.email
                && let Some(first) = emails.insert(email.clone(), line)
            {
                plan.errors.push(issue(
                    line,
                    Some(StaffColumn::WorkEmail),
                    format!(
                        "`{email}` is also the address on line {first}: each person needs their own"
                    ),
                ));
                continue;
            }
            rows.push(row);
        }
    }
    // A line manager must be in the file (whether they stay is checked
    // once the leavers are known).
    for row in &rows {
        if let Some((manager, line)) = &row.line_manager
            && !named.contains(manager.as_str())
        {
            plan.errors.push(issue(
                *line,
                Some(StaffColumn::LineManager),
                format!("no row has the staff id `{manager}`: a line manager must be in the file"),
            ));
        }
    }
    if plan.data_rows == 0 && !plan.has_errors() {
        plan.errors.push(issue(
            header_line,
            None,
            "the file has no people in it: it must list everyone on the staff".into(),
        ));
    }
    rows
}

fn issue(line: u64, column: Option<StaffColumn>, message: String) -> StaffIssue {
    ImportIssue {
        line,
        column,
        message,
    }
}

fn required_names() -> String {
    StaffColumn::REQUIRED
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(", ")
}

struct Layout {
    width: usize,
    index: BTreeMap<StaffColumn, usize>,
}

fn read_header(header: &csv::ByteRecord, line: u64, plan: &mut StaffPlan) -> Option<Layout> {
    let mut index = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut ok = true;
    for (i, cell) in header.iter().enumerate() {
        let cell = String::from_utf8_lossy(cell);
        match StaffColumn::from_header(&cell) {
            Some(column) if index.insert(column, i).is_some() => {
                plan.errors.push(issue(
                    line,
                    Some(column),
                    format!("the header names the column `{column}` twice"),
                ));
                ok = false;
            }
            Some(_) => {}
            None if !cell.trim().is_empty() => ignored.push(cell.trim().to_string()),
            None => {}
        }
    }
    for column in StaffColumn::REQUIRED {
        if !index.contains_key(&column) {
            plan.errors.push(issue(
                line,
                Some(column),
                format!(
                    "the header has no `{column}` column (required: {})",
                    required_names()
                ),
            ));
            ok = false;
        }
    }
    if !ignored.is_empty() {
        plan.warnings.push(issue(
            line,
            None,
            format!(
                "ignored column{}: {} (QALF keeps only the columns it needs)",
                if ignored.len() == 1 { "" } else { "s" },
                ignored.join(", ")
            ),
        ));
    }
    ok.then_some(Layout {
        width: header.len(),
        index,
    })
}

fn read_row(
    record: &csv::ByteRecord,
    line: u64,
    layout: &Layout,
    plan: &mut StaffPlan,
) -> Option<Row> {
    let errors_before = plan.errors.len();
    let mut problem = |column: StaffColumn, message: String| {
        plan.errors.push(issue(line, Some(column), message));
    };
    let mut cell = |column: StaffColumn| -> Option<String> {
        let i = *layout.index.get(&column)?;
        match std::str::from_utf8(&record[i]) {
            Ok("") => None,
            Ok(s) => Some(s.to_string()),
            Err(_) => {
                problem(
                    column,
                    "not valid UTF-8 text: save the file as \"CSV UTF-8\"".into(),
                );
                None
            }
        }
    };
    let id = cell(StaffColumn::StaffId);
    let name = cell(StaffColumn::Name);
    let email = cell(StaffColumn::WorkEmail);
    let job_title = cell(StaffColumn::JobTitle);
    let roles = cell(StaffColumn::Roles);
    let team = cell(StaffColumn::Team);
    let area = cell(StaffColumn::ServiceArea);
    let manager = cell(StaffColumn::LineManager);
    let start = cell(StaffColumn::StartDate);
    let end = cell(StaffColumn::EndDate);
    let mut problem = |column: StaffColumn, message: String| {
        plan.errors.push(issue(line, Some(column), message));
    };

    let id = match id.map(PersonId::parse) {
        None => {
            problem(StaffColumn::StaffId, "every row needs a staff id".into());
            None
        }
        Some(Err(e)) => {
            problem(StaffColumn::StaffId, e.to_string());
            None
        }
        Some(Ok(id)) => Some(id),
    };
    let name = match name {
        None => {
            problem(StaffColumn::Name, "every row needs a name".into());
            None
        }
        Some(n) if n.chars().count() > 200 => {
            problem(StaffColumn::Name, "longer than 200 characters".into());
            None
        }
        Some(n) => Some(n),
    };
    let email = match email {
        None => {
            problem(
                StaffColumn::WorkEmail,
                "every row needs a work e-mail address".into(),
            );
            None
        }
        Some(e) => match parse_email(&e) {
            Ok(e) => Some(e),
            Err(message) => {
                problem(StaffColumn::WorkEmail, message);
                None
            }
        },
    };
    let roles = match roles.as_deref().map(parse_roles) {
        None => {
            problem(
                StaffColumn::Roles,
                "every person needs at least one role".into(),
            );
            None
        }
        Some(Err(message)) => {
            problem(StaffColumn::Roles, message);
            None
        }
        Some(Ok(roles)) => Some(roles),
    };
    let manager = match manager.map(PersonId::parse) {
        None => None,
        Some(Err(e)) => {
            problem(StaffColumn::LineManager, e.to_string());
            None
        }
        Some(Ok(m)) if Some(&m) == id.as_ref() => {
            problem(
                StaffColumn::LineManager,
                "a person cannot be their own line manager".into(),
            );
            None
        }
        Some(Ok(m)) => Some((m, line)),
    };
    let mut date =
        |column: StaffColumn, value: Option<String>| match value.as_deref().map(parse_date) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(message)) => {
                problem(column, message);
                None
            }
        };
    let start = date(StaffColumn::StartDate, start);
    let end = date(StaffColumn::EndDate, end);
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        problem(
            StaffColumn::EndDate,
            format!("ends on {end}, before they start on {start}"),
        );
    }
    if plan.errors.len() > errors_before {
        return None;
    }
    let (id, name, email, roles) = (id?, name?, email?, roles?);
    let job_title = job_title.unwrap_or_else(|| roles[0].label().to_string());
    Some(Row {
        line,
        person: Person {
            id,
            name,
            job_title,
            roles,
            team: None,
            service_area: None,
            line_manager: manager.as_ref().map(|(m, _)| m.clone()),
            started_on: start,
            in_post_since: None,
            email: Some(email),
        },
        team,
        area,
        line_manager: manager,
        end_date: end,
    })
}

/// A work address, lower-cased: one `@`, something either side, a dot in
/// the domain, no spaces.
pub(super) fn parse_email(value: &str) -> Result<String, String> {
    let email = value.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email)
    } else {
        Err(format!("`{value}` is not an e-mail address"))
    }
}

/// Roles by code or name, any letter case, separated by `;`, `,` or `|`.
fn parse_roles(value: &str) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for part in value.split([';', ',', '|']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let code = part.to_lowercase().replace([' ', '_'], "-");
        let role = Role::ALL
            .into_iter()
            .find(|r| r.code() == code || r.label().eq_ignore_ascii_case(part))
            .ok_or_else(|| {
                format!("unknown role `{part}`: the roles are listed beside the file's columns")
            })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err("every person needs at least one role".into());
    }
    Ok(roles)
}

/// `2026-04-01` or the UK's `01/04/2026`.
fn parse_date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .map_err(|_| format!("`{value}` is not a date: write 2026-04-01 or 01/04/2026"))
}

/// A name as an id: lower case, runs of anything else as one `-`.
pub(super) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(56).collect();
    if out.is_empty() {
        "unnamed".into()
    } else {
        out
    }
}

/// Building the organisation the file describes from the one there is.
struct Merge<'a> {
    org: &'a Organisation,
    today: NaiveDate,
    plan: &'a mut StaffPlan,
    areas: BTreeMap<ServiceAreaId, ServiceArea>,
    teams: BTreeMap<TeamId, Team>,
    /// Where each team's service area was first given, to catch a file that
    /// puts one team in two areas.
    team_area_line: BTreeMap<TeamId, u64>,
}

impl<'a> Merge<'a> {
    fn new(org: &'a Organisation, today: NaiveDate, plan: &'a mut StaffPlan) -> Merge<'a> {
        Merge {
            org,
            today,
            plan,
            areas: org
                .service_areas()
                .map(|a| {
                    (
                        a.id.clone(),
                        ServiceArea {
                            head: None,
                            ..a.clone()
                        },
                    )
                })
                .collect(),
            teams: org
                .teams()
                .map(|t| {
                    (
                        t.id.clone(),
                        Team {
                            manager: None,
                            ..t.clone()
                        },
                    )
                })
                .collect(),
            team_area_line: BTreeMap::new(),
        }
    }

    fn area_named(&mut self, name: &str) -> ServiceAreaId {
        if let Some(area) = self
            .areas
            .values()
            .find(|a| a.name.eq_ignore_ascii_case(name) || a.id.as_str() == name)
        {
            return area.id.clone();
        }
        let id = unique_id(&slug(name), |id| {
            ServiceAreaId::parse(id).is_ok_and(|id| !self.areas.contains_key(&id))
        });
        let id = ServiceAreaId::parse(id).expect("a slug is a valid id");
        self.plan.new_service_areas.push(name.to_string());
        self.areas.insert(
            id.clone(),
            ServiceArea {
                id: id.clone(),
                name: name.to_string(),
                head: None,
            },
        );
        id
    }

    /// The team a row names, made or moved to the row's service area.
    fn team_for(&mut self, row: &Row) -> Option<TeamId> {
        let name = row.team.as_deref()?;
        let area = row.area.as_deref().map(|a| self.area_named(a));
        let existing = self
            .teams
            .values()
            .find(|t| t.name.eq_ignore_ascii_case(name) || t.id.as_str() == name)
            .map(|t| t.id.clone());
        let id = match (existing, area) {
            (Some(id), area) => {
                if let Some(area) = area {
                    let team = self.teams.get_mut(&id).expect("found above");
                    match self.team_area_line.get(&id) {
                        Some(first) if team.service_area != area => {
                            self.plan.errors.push(issue(
                                row.line,
                                Some(StaffColumn::ServiceArea),
                                format!(
                                    "line {first} puts the team `{name}` in another service area: \
                                     a team is in one"
                                ),
                            ));
                        }
                        Some(_) => {}
                        None => {
                            team.service_area = area;
                            self.team_area_line.insert(id.clone(), row.line);
                        }
                    }
                }
                id
            }
            (None, None) => {
                self.plan.errors.push(issue(
                    row.line,
                    Some(StaffColumn::ServiceArea),
                    format!("the team `{name}` is new, so its service area must be given"),
                ));
                return None;
            }
            (None, Some(area)) => {
                let id = unique_id(&slug(name), |id| {
                    TeamId::parse(id).is_ok_and(|id| !self.teams.contains_key(&id))
                });
                let id = TeamId::parse(id).expect("a slug is a valid id");
                self.plan.new_teams.push(name.to_string());
                self.teams.insert(
                    id.clone(),
                    Team {
                        id: id.clone(),
                        name: name.to_string(),
                        service_area: area,
                        manager: None,
                    },
                );
                self.team_area_line.insert(id.clone(), row.line);
                id
            }
        };
        Some(id)
    }

    fn run(mut self, rows: Vec<Row>) {
        let mut people: Vec<Person> = Vec::new();
        let mut lines: BTreeMap<PersonId, u64> = BTreeMap::new();
        let mut left_on: BTreeMap<PersonId, (u64, NaiveDate)> = BTreeMap::new();
        for mut row in rows {
            let team = self.team_for(&row);
            let area = match (&team, row.area.as_deref()) {
                (Some(team), _) => self.teams.get(team).map(|t| t.service_area.clone()),
                (None, Some(area)) => Some(self.area_named(area)),
                (None, None) => None,
            };
            // The end date is their last day: they leave once it has passed.
            if let Some(end) = row.end_date
                && end < self.today
            {
                left_on.insert(row.person.id.clone(), (row.line, end));
                continue;
            }
            row.person.team = team;
            row.person.service_area = area;
            let existing = self.org.person(&row.person.id);
            row.person.started_on = row
                .person
                .started_on
                .or_else(|| existing.and_then(|p| p.started_on));
            row.person.in_post_since = match existing {
                // Same team and manager: still in post since the same day.
                Some(old)
                    if old.team == row.person.team
                        && old.line_manager == row.person.line_manager =>
                {
                    old.in_post_since
                }
                Some(_) => Some(self.today),
                None => row.person.started_on,
            };
            lines.insert(row.person.id.clone(), row.line);
            people.push(row.person);
        }
        // A line manager who leaves cannot manage anyone who stays.
        for person in &people {
            if let Some(manager) = &person.line_manager
                && let Some((line, _)) = left_on.get(manager)
            {
                self.plan.errors.push(issue(
                    lines[&person.id],
                    Some(StaffColumn::LineManager),
                    format!(
                        "their line manager `{manager}` leaves (line {line}): give them their new \
                         line manager"
                    ),
                ));
            }
        }
        // Administrators the file leaves out stay: without them nobody
        // could run the installation.
        for admin in self
            .org
            .people()
            .filter(|p| p.has_role(Role::Administrator))
        {
            if !lines.contains_key(&admin.id) && !left_on.contains_key(&admin.id) {
                // An address is one person's: the council's sign-in finds
                // people by it.
                if let Some(clash) = people
                    .iter()
                    .find(|p| p.email.is_some() && p.email == admin.email)
                {
                    self.plan.errors.push(issue(
                        lines.get(&clash.id).copied().unwrap_or(0),
                        Some(StaffColumn::WorkEmail),
                        format!(
                            "this is the address of {}, who runs QALF and is not in the file: give them their row (with the administrator role) or another address",
                            admin.name
                        ),
                    ));
                }
                self.plan.administrators_kept.push(admin.name.clone());
                let mut kept = admin.clone();
                kept.team = kept.team.filter(|t| self.teams.contains_key(t));
                kept.line_manager = kept.line_manager.filter(|m| lines.contains_key(m));
                people.push(kept);
            }
        }
        self.assign_managers(&people, &lines);
        let runs_qalf = |p: &Person| p.has_role(Role::Administrator);
        if self.org.people().any(runs_qalf) && !people.iter().any(runs_qalf) {
            self.plan.errors.push(issue(
                0,
                Some(StaffColumn::Roles),
                "nobody would be left to run QALF: give at least one person the administrator role"
                    .into(),
            ));
        }
        if self.plan.has_errors() {
            return;
        }
        self.describe(&people, &lines, &left_on);

        let staff: BTreeSet<&PersonId> = people.iter().map(|p| &p.id).collect();
        let mut cases = Vec::new();
        for case in self.org.cases() {
            if !staff.contains(&case.practitioner) {
                self.plan.cases_set_aside.push(case.reference.clone());
                continue;
            }
            let mut case = case.clone();
            case.chaired_by = case.chaired_by.filter(|c| staff.contains(c));
            cases.push(case);
        }
        let parts = OrganisationParts {
            service_areas: self.areas.into_values().collect(),
            teams: self.teams.into_values().collect(),
            people,
            cases,
        };
        match Organisation::new(parts.clone()) {
            Ok(_) => self.plan.organisation = Some(parts),
            Err(OrgError::LineManagementCycle(person)) => self.plan.errors.push(issue(
                lines.get(&person).copied().unwrap_or(0),
                Some(StaffColumn::LineManager),
                "line management loops back to this person: check the line_manager column".into(),
            )),
            Err(e) => self.plan.errors.push(issue(0, None, e.to_string())),
        }
    }

    /// Each team's manager and each service area's head, from who holds
    /// the role there.
    fn assign_managers(&mut self, people: &[Person], lines: &BTreeMap<PersonId, u64>) {
        let mut by_line: Vec<&Person> = people.iter().collect();
        by_line.sort_by_key(|p| lines.get(&p.id).copied().unwrap_or(u64::MAX));
        for person in by_line {
            let line = lines.get(&person.id).copied().unwrap_or(0);
            if let Some(team_id) = &person.team
                && TEAM_MANAGER_ROLES.iter().any(|r| person.has_role(*r))
                && let Some(team) = self.teams.get_mut(team_id)
            {
                match &team.manager {
                    None => team.manager = Some(person.id.clone()),
                    Some(first) => self.plan.warnings.push(issue(
                        line,
                        Some(StaffColumn::Roles),
                        format!(
                            "the team `{}` already has a manager (line {}): the first is recorded \
                             as its manager",
                            team.name,
                            lines.get(first).copied().unwrap_or(0)
                        ),
                    )),
                }
            }
            if person.has_role(Role::HeadOfService)
                && let Some(area_id) = &person.service_area
                && let Some(area) = self.areas.get_mut(area_id)
            {
                match &area.head {
                    None => area.head = Some(person.id.clone()),
                    Some(first) => self.plan.warnings.push(issue(
                        line,
                        Some(StaffColumn::Roles),
                        format!(
                            "the service area `{}` already has a Head of Service (line {}): the \
                             first is recorded as its head",
                            area.name,
                            lines.get(first).copied().unwrap_or(0)
                        ),
                    )),
                }
            }
        }
    }

    fn team_name(&self, team: &Option<TeamId>) -> Option<String> {
        team.as_ref()
            .and_then(|t| self.teams.get(t))
            .map(|t| t.name.clone())
    }

    fn describe(
        &mut self,
        people: &[Person],
        lines: &BTreeMap<PersonId, u64>,
        left_on: &BTreeMap<PersonId, (u64, NaiveDate)>,
    ) {
        let staying: BTreeSet<&PersonId> = people.iter().map(|p| &p.id).collect();
        for person in people {
            let Some(&line) = lines.get(&person.id) else {
                continue;
            };
            let Some(old) = self.org.person(&person.id) else {
                self.plan.joiners.push(Joiner {
                    line,
                    person: person.id.clone(),
                    name: person.name.clone(),
                    roles: person.roles.clone(),
                    team: self.team_name(&person.team),
                });
                continue;
            };
            let mut changed = false;
            if old.team != person.team {
                changed = true;
                self.plan.movers.push(Mover {
                    line,
                    person: person.id.clone(),
                    name: person.name.clone(),
                    from: old
                        .team
                        .as_ref()
                        .and_then(|t| self.org.team(t))
                        .map(|t| t.name.clone()),
                    to: self.team_name(&person.team),
                });
            }
            let (mut from, mut to) = (old.roles.clone(), person.roles.clone());
            from.sort();
            to.sort();
            if from != to {
                changed = true;
                self.plan.role_changes.push(RoleChange {
                    line,
                    person: person.id.clone(),
                    name: person.name.clone(),
                    from,
                    to,
                });
            }
            let other = old.name != person.name
                || old.email != person.email
                || old.job_title != person.job_title
                || old.line_manager != person.line_manager
                || old.started_on != person.started_on
                || old.service_area != person.service_area;
            if other && !changed {
                self.plan.other_changes += 1;
            } else if !other && !changed {
                self.plan.unchanged += 1;
            }
        }
        for old in self.org.people() {
            if staying.contains(&old.id) {
                continue;
            }
            let ended = left_on.get(&old.id);
            self.plan.leavers.push(Leaver {
                person: old.id.clone(),
                name: old.name.clone(),
                line: ended.map(|(line, _)| *line),
                left_on: ended.map(|(_, d)| *d),
            });
        }
    }
}

/// `base`, or `base-2`, `base-3`… until `free` accepts it.
pub(super) fn unique_id(base: &str, free: impl Fn(&str) -> bool) -> String {
    if free(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| free(id))
        .expect("some suffix is free")
}
