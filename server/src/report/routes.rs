//! The reports' endpoints: a report as JSON (or one of its tables as CSV),
//! its co-edited document, the 6-monthly report's proposed themes copied
//! into the schedule, the compliance dashboard, and the cases an IRO
//! chairs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::report::{ChairedCase, RecordCreated, ReportPage, ThemesCopied};
use qalf_shared::org::{Organisation, PersonId, Role};
use qalf_shared::report::compliance::{ComplianceLine, compliance as compliance_lines};
use qalf_shared::report::document::{new_report_document, owner_roles};
use qalf_shared::report::periodic::{periodic, propose_themes};
use qalf_shared::report::{Report, ReportKind, drp, monthly};
use qalf_shared::schedule::{Period, YearMonth};
use qalf_shared::sync::DocumentId;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;

use super::{facts_for, is_cpp, readers_only, with_context};
use crate::AppState;
use crate::access_log::Action;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::records;
use crate::schedule::store as schedule_store;

/// `{kind}/{month}` from the path: the report and its period.
pub(super) fn parse_report(
    state: &AppState,
    kind: &str,
    month: &str,
) -> AppResult<(ReportKind, Period)> {
    let kind: ReportKind = kind
        .parse()
        .map_err(|e: qalf_shared::closed_set::UnknownCode| AppError::BadRequest(e.to_string()))?;
    let month: YearMonth = month
        .parse()
        .map_err(|e: qalf_shared::schedule::BadYearMonth| AppError::BadRequest(e.to_string()))?;
    let year_start = state.settings().schedule.year_start_month;
    Ok((kind, kind.period(month, year_start)))
}

/// Computes a report from the projection.
pub(super) async fn compute(
    state: &AppState,
    org: &Organisation,
    kind: ReportKind,
    period: Period,
) -> AppResult<Report> {
    let facts = match kind {
        ReportKind::Drp => super::drp_facts_for(state, period).await?,
        _ => facts_for(state, period).await?,
    };
    let document = report_document(state, kind, period).await?;
    let owners = match document {
        Some(id) if kind.has_owner_sections() => state
            .relay()
            .with_document(&id, |doc| {
                qalf_shared::report::document::read(&*doc)
                    .map(|d| qalf_shared::report::document::section_states(&d))
            })
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .flatten()
            .unwrap_or_default(),
        _ => owner_roles(kind)
            .into_iter()
            .zip(qalf_shared::report::document::owner_sections(kind))
            .map(
                |(owner, s)| qalf_shared::report::document::OwnerSectionState {
                    id: s.id.into(),
                    title: s.title.into(),
                    owner,
                    ready: false,
                },
            )
            .collect(),
    };
    Ok(with_context(state, org, |ctx| match kind {
        ReportKind::Monthly => monthly::monthly(period.first, &facts, ctx),
        ReportKind::Quarterly | ReportKind::HalfYearly => {
            periodic(kind, period, &facts, ctx, &owners)
        }
        ReportKind::Drp => drp::drp_report(period, &facts, ctx),
    }))
}

#[derive(Debug, Deserialize)]
pub struct Format {
    format: Option<String>,
    table: Option<String>,
}

/// `GET /api/reports/{kind}/{month}`: the report for the period containing
/// the month. Quotes whose record the reader may not read are left out; the
/// rest are logged as read. `?format=csv&table=…` gives one table as CSV.
pub async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, month)): Path<(String, String)>,
    Query(format): Query<Format>,
) -> AppResult<Response> {
    let org = readers_only(&state, &user)?;
    let (kind, period) = parse_report(&state, &kind, &month)?;
    let mut report = compute(&state, &org, kind, period).await?;
    if format.format.as_deref() == Some("csv") {
        let id = format.table.as_deref().unwrap_or_default();
        let table = report.table(id).ok_or_else(|| {
            let ids: Vec<&str> = report.tables().map(|t| t.id.as_str()).collect();
            AppError::BadRequest(format!(
                "name a table with ?table=: one of {}",
                ids.join(", ")
            ))
        })?;
        let name = table.file_name(kind.code(), &period.first.to_string());
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            table.to_csv(),
        )
            .into_response());
    }
    let withheld = keep_readable_quotes(&state, &user.person, &mut report).await?;
    let document = report_document(&state, kind, period).await?;
    let writes_section = kind.has_owner_sections()
        && org
            .person(&user.person)
            .is_some_and(|p| owner_roles(kind).iter().any(|r| p.has_role(*r)));
    let cpp = is_cpp(&org, &user.person);
    Ok(Json(ReportPage {
        report,
        document,
        may_write: cpp || writes_section,
        may_brief: cpp,
        quotes_withheld: withheld,
    })
    .into_response())
}

/// Leaves in each section only the quotes whose record `person` may read,
/// logging each shown as a read; returns how many were left out.
async fn keep_readable_quotes(
    state: &AppState,
    person: &PersonId,
    report: &mut Report,
) -> AppResult<usize> {
    let mut withheld = 0;
    let mut shown = Vec::new();
    for section in &mut report.sections {
        section.quotes.retain(|q| {
            let readable = state.access().decide(person, &q.record).can_read();
            if readable {
                shown.push(q.record.clone());
            } else {
                withheld += 1;
            }
            readable
        });
    }
    state
        .log_accesses(person, &shown, Action::Read, "report quote")
        .await?;
    Ok(withheld)
}

/// The report's co-edited document, if it has been made.
async fn report_document(
    state: &AppState,
    kind: ReportKind,
    period: Period,
) -> AppResult<Option<DocumentId>> {
    let key = (kind.code(), period.first.to_string(), period.months);
    let id: Option<String> = state
        .db()
        .call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT document FROM report_documents
                     WHERE report = ?1 AND first_month = ?2 AND months = ?3",
                    params![key.0, key.1, key.2],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await?;
    Ok(id.and_then(|id| DocumentId::parse(&id).ok()))
}

/// `GET …/document`: the report's co-edited document, if made.
pub async fn document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, month)): Path<(String, String)>,
) -> AppResult<Json<Option<RecordCreated>>> {
    readers_only(&state, &user)?;
    let (kind, period) = parse_report(&state, &kind, &month)?;
    Ok(Json(
        report_document(&state, kind, period)
            .await?
            .map(|document| RecordCreated { document }),
    ))
}

/// `POST …/document`: makes the report's co-edited document (the CPP, or
/// an owner of one of its sections), or returns the one already made.
pub async fn make_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, month)): Path<(String, String)>,
) -> AppResult<Json<RecordCreated>> {
    let org = readers_only(&state, &user)?;
    let (kind, period) = parse_report(&state, &kind, &month)?;
    let owners = owner_roles(kind);
    let may = is_cpp(&org, &user.person)
        || org
            .person(&user.person)
            .is_some_and(|p| owners.iter().any(|r| p.has_role(*r)));
    if !may {
        return Err(AppError::Forbidden);
    }
    if let Some(document) = report_document(&state, kind, period).await? {
        return Ok(Json(RecordCreated { document }));
    }
    let now = state.clock().now().timestamp();
    let doc = new_report_document(kind, period, user.person.as_str(), now)
        .map_err(|e| AppError::Internal(e.into()))?;
    let id = state.relay().create(doc).await?;
    let meta = RecordMeta {
        id: id.clone(),
        created_by: user.person.clone(),
        created_at: now,
        parties: Parties::Report { owners },
    };
    let stored = meta.clone();
    let key = (kind.code(), period.first.to_string(), period.months);
    let winner: String = state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let existing: Option<String> = tx
                .query_row(
                    "SELECT document FROM report_documents
                     WHERE report = ?1 AND first_month = ?2 AND months = ?3",
                    params![key.0, key.1, key.2],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(existing);
            }
            records::insert(&tx, &stored, stored.created_at)?;
            tx.execute(
                "INSERT INTO report_documents (report, first_month, months, document)
                 VALUES (?1, ?2, ?3, ?4)",
                params![key.0, key.1, key.2, stored.id.to_string()],
            )?;
            tx.commit()?;
            Ok(stored.id.to_string())
        })
        .await?;
    if winner == id.to_string() {
        state.access().put_record(meta);
        state
            .log_access(&user.person, &id, Action::Create, "report")
            .await?;
    }
    let document = DocumentId::parse(&winner).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Json(RecordCreated { document }))
}

/// `POST /api/reports/half-yearly/{month}/themes`: copies the 6-monthly
/// report's proposed themes into the theme schedule (the CPP), leaving any
/// month that already has a theme as it is.
pub async fn copy_themes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, month)): Path<(String, String)>,
) -> AppResult<Json<ThemesCopied>> {
    let org = readers_only(&state, &user)?;
    if !is_cpp(&org, &user.person) {
        return Err(AppError::Forbidden);
    }
    let (kind, period) = parse_report(&state, &kind, &month)?;
    if kind != ReportKind::HalfYearly {
        return Err(AppError::BadRequest(
            "themes are proposed by the 6-monthly report".into(),
        ));
    }
    let facts = facts_for(&state, period).await?;
    let proposals = with_context(&state, &org, |ctx| propose_themes(period, &facts, ctx));
    if proposals.is_empty() {
        return Err(AppError::BadRequest(
            "no areas for development were tagged in the period, so there is nothing to propose"
                .into(),
        ));
    }
    let by = user.person.clone();
    let now = state.clock().now().timestamp();
    let copied = state
        .db()
        .call(move |conn| {
            let existing = schedule_store::themes(conn)?;
            let mut out = ThemesCopied {
                copied: Vec::new(),
                kept: Vec::new(),
            };
            let tx = conn.transaction()?;
            for p in &proposals {
                if existing.iter().any(|t| t.month == p.month) {
                    out.kept.push(p.month);
                } else {
                    schedule_store::put_theme(&tx, &p.entry(period), &by, now)?;
                    out.copied.push(p.month);
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await?;
    tracing::info!(
        person = %user.person,
        copied = copied.copied.len(),
        kept = copied.kept.len(),
        "proposed themes copied into the schedule"
    );
    Ok(Json(copied))
}

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

/// `GET /api/reports/compliance?month=`: the compliance lines the reader
/// may see (R-REP-4): their own and those of everyone they manage; the CPP
/// and the directors see everyone's.
pub async fn compliance(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MonthQuery>,
) -> AppResult<Json<Vec<ComplianceLine>>> {
    let org = state.org();
    let today = state.clock().now().date_naive();
    let month = match query.month.as_deref() {
        Some(m) if !m.trim().is_empty() => {
            m.parse()
                .map_err(|e: qalf_shared::schedule::BadYearMonth| {
                    AppError::BadRequest(e.to_string())
                })?
        }
        _ => YearMonth::of(today),
    };
    let year = state.settings().schedule.year(month);
    let facts = super::facts_between(&state, year.first_day(), year.last_day()).await?;
    let settings = state.settings();
    Ok(Json(compliance_lines(
        &org,
        &settings,
        month,
        today,
        &facts,
        &user.person,
    )))
}

/// `GET /api/drp/cases`: the cases the signed-in IRO chairs.
pub async fn chaired_cases(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<ChairedCase>>> {
    let org = state.org();
    let is_iro = org
        .person(&user.person)
        .is_some_and(|p| p.has_role(Role::Iro));
    if !is_iro {
        return Err(AppError::Forbidden);
    }
    let mut cases: Vec<ChairedCase> = org
        .cases()
        .filter(|c| c.chaired_by.as_ref() == Some(&user.person))
        .map(|c| ChairedCase {
            reference: c.reference.clone(),
            cohort: c.cohort,
            team: c.team.clone(),
            team_name: org
                .team(&c.team)
                .map(|t| t.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    cases.sort_by(|a, b| a.reference.cmp(&b.reference));
    Ok(Json(cases))
}
