//! Reports on the server (DOMAIN.md §7): the projection of every record's
//! facts, kept up to date as documents change ([`projection`]), and the
//! endpoints that compute reports from it with `qalf_shared::report`.
//!
//! Figures-only reports are for managers (R-REP-8); quotes and drill-downs
//! name records, so each is checked against that record's access and
//! logged as a read before it is shown. CSV downloads are the same tables.

mod briefings;
mod drill;
pub mod projection;
mod routes;
pub mod rows;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use qalf_shared::access;
use qalf_shared::org::{Organisation, PersonId};
use qalf_shared::report::{Context, Facts};
use qalf_shared::schedule::Period;

pub use projection::Projector;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reports/compliance", get(routes::compliance))
        .route("/api/reports/drill", post(drill::drill))
        .route("/api/reports/{kind}/{month}", get(routes::report))
        .route(
            "/api/reports/{kind}/{month}/document",
            get(routes::document).post(routes::make_document),
        )
        .route(
            "/api/reports/{kind}/{month}/briefings",
            post(briefings::make),
        )
        .route(
            "/api/reports/{kind}/{month}/themes",
            post(routes::copy_themes),
        )
        .route("/api/briefings", get(briefings::list))
        .route("/api/briefings/{id}/share", post(briefings::share))
        .route("/api/drp/cases", get(routes::chaired_cases))
}

/// The organisation, if `user` may see figures-only reports: managers and
/// the CPP (R-REP-8).
fn readers_only(state: &AppState, user: &CurrentUser) -> AppResult<Arc<Organisation>> {
    let org = state.org();
    let allowed = org
        .person(&user.person)
        .is_some_and(|p| access::office::reads_reports(&p.roles));
    if allowed {
        Ok(org)
    } else {
        Err(AppError::Forbidden)
    }
}

fn is_cpp(org: &Organisation, person: &PersonId) -> bool {
    org.person(person)
        .is_some_and(|p| qalf_shared::org::works_in_cpp(&p.roles))
}

/// How long a report waits for changes already on disk to reach the
/// projection before it reads what is there.
const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(2);

/// Waits (briefly) until the projection holds every change the server has
/// stored, so a report shows what was just synced.
async fn caught_up(state: &AppState) {
    let projector = state.projector();
    if tokio::time::timeout(CATCH_UP, projector.settled())
        .await
        .is_err()
    {
        tracing::warn!("a report was read while the projection was still catching up");
    }
}

/// The projection's facts for a report over `period`: what is dated in it
/// and work still open whenever it began, and the findings of the year to
/// its end (for the 6- and 12-month trends).
pub async fn facts_for(state: &AppState, period: Period) -> AppResult<Facts> {
    caught_up(state).await;
    let window = rows::Window {
        from: period.first_day(),
        to: period.last_day(),
        findings_from: period
            .last()
            .add_months(-11)
            .first_day()
            .min(period.first_day()),
    };
    Ok(state
        .db()
        .call(move |conn| rows::load(conn, window))
        .await?)
}

/// The DRP alerts a DRP report over `period` reads, and nothing else.
pub async fn drp_facts_for(state: &AppState, period: Period) -> AppResult<Facts> {
    caught_up(state).await;
    let window = rows::Window::between(period.first_day(), period.last_day());
    let drp_alerts = state
        .db()
        .call(move |conn| rows::load_drp(conn, window))
        .await?;
    Ok(Facts {
        drp_alerts,
        ..Facts::default()
    })
}

/// The facts between two days (and work still open).
pub async fn facts_between(state: &AppState, from: NaiveDate, to: NaiveDate) -> AppResult<Facts> {
    caught_up(state).await;
    let window = rows::Window::between(from, to);
    Ok(state
        .db()
        .call(move |conn| rows::load(conn, window))
        .await?)
}

/// The figures' context: today, the directory and the council's settings.
fn with_context<T>(state: &AppState, org: &Organisation, f: impl FnOnce(&Context<'_>) -> T) -> T {
    let settings = state.settings();
    let ctx = Context {
        org,
        settings: &settings,
        as_of: state.clock().now().date_naive(),
    };
    f(&ctx)
}

/// A report computed now from the projection (what `GET /api/reports/…`
/// shows, before quotes are filtered for a reader).
pub async fn compute_report(
    state: &AppState,
    kind: qalf_shared::report::ReportKind,
    period: Period,
) -> AppResult<qalf_shared::report::Report> {
    routes::compute(state, &state.org(), kind, period).await
}

/// `qalf-server reindex`: rebuilds the projection of the data folder's
/// database from its stored documents, the registry and the directory.
pub async fn reindex_data_dir(
    config: &crate::config::Config,
) -> anyhow::Result<projection::Reindexed> {
    let path = config.database_path();
    if !path.exists() {
        anyhow::bail!("there is no QALF database at {}", path.display());
    }
    let db = crate::db::Db::open(&path).await?;
    let org = crate::directory::load(&db).await?;
    let records = db.call(crate::records::load_all).await?;
    Ok(db
        .call(move |conn| projection::reindex(conn, &records, &org))
        .await?)
}
